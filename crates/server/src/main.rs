//! `brygga-server`: see [`brygga_server::cli`].

use clap::Parser;
use std::process::ExitCode;

fn init_logging(serving: bool) {
    use tracing_subscriber::EnvFilter;
    // Admin commands stay quiet unless asked; the server logs at info.
    let default = if serving { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if std::env::var("BRYGGA_LOG_JSON").is_ok_and(|v| v == "1") {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    let cli = brygga_server::cli::Cli::parse();
    init_logging(matches!(
        cli.command,
        brygga_server::cli::Command::Serve { .. }
    ));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("brygga-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(brygga_server::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ brygga_server::error::Error::Invalid(_)) => {
            eprintln!("brygga-server: error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("brygga-server: error: {e}");
            ExitCode::FAILURE
        }
    }
}
