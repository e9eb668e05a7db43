//! `brygga`: the headless command-line client over brygga-core.
//!
//! Exit codes (scripts rely on them): 0 ok, 1 internal error, 2 usage or
//! invalid input, 3 wrong passphrase, 4 not found, 5 journal damaged.

mod args;
mod commands;
mod exit;
mod output;
mod parse;
mod passphrase;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return exit::clap_error(err, &args::typed_command(std::env::args_os())),
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
