//! `consent add`, `consent withdraw`, `consent list`.

use super::Context;
use crate::args::ConsentCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::NewConsent;

pub fn run(ctx: &Context, cmd: ConsentCommand) -> Result<()> {
    match cmd {
        ConsentCommand::Add(add) => {
            let id = ctx.open()?.record_consent(NewConsent {
                case_id: add.case,
                // clap makes sure exactly one of --guardian and --pupil is given.
                guardian_id: add.guardian,
                scope: add.scope,
                recipient: add.recipient,
                purpose: add.purpose,
                form: add.form,
                given_on: add.given,
                valid_until: add.until,
            })?;
            output::created(id)
        }
        ConsentCommand::Withdraw { id, on } => {
            let on = on.unwrap_or_else(|| chrono::Local::now().date_naive());
            Ok(ctx.open()?.withdraw_consent(id, on)?)
        }
        ConsentCommand::List { case, format } => {
            output::show(format.json, &ctx.open()?.list_consents(case)?)
        }
    }
}
