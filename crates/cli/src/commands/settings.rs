//! `settings show`: the municipality's settings in force on this laptop.

use super::Context;
use crate::args::SettingsCommand;
use crate::exit::Result;
use crate::output;

pub fn run(ctx: &Context, cmd: SettingsCommand) -> Result<()> {
    match cmd {
        SettingsCommand::Show(format) => {
            output::show(format.json, &ctx.open()?.municipality_settings()?)
        }
    }
}
