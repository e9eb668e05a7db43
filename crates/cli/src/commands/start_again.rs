//! `start-again`: a new journal on this laptop in place of one whose
//! passphrase is lost, enrolled with a new one-time code and filled with
//! the team's caseload from the server
//! (docs/adr/0020-starting-again-on-a-laptop.md).

use super::journal::author_or_user;
use super::sync::device_name;
use super::Context;
use crate::exit::{Failure, Result};
use crate::passphrase;
use brygga_core::device_card::{self, DeviceCard};
use brygga_core::sync::{ProgressPhase, SyncProgress};
use brygga_core::Journal;
use std::io::{BufRead, IsTerminal, Write};

/// What to type at the prompt to go on.
const CONFIRMATION: &str = "start again";

/// The new journal's server, code and names.
pub struct Enrolment {
    pub server: String,
    pub code: String,
    pub author: Option<String>,
    pub name: Option<String>,
}

pub fn run(ctx: &Context, enrolment: &Enrolment, yes: bool) -> Result<()> {
    ctx.ensure_journal()?;
    let card = device_card::read(&ctx.data_dir);
    eprint!("{}", what_is_lost(ctx, card.as_ref()));
    if !yes {
        confirm()?;
    }
    // Asked before anything moves: a mistyped passphrase leaves all as it was.
    let pass = passphrase::for_new_journal()?;
    let aside = brygga_core::set_aside(&ctx.data_dir)?;
    println!("old journal moved to: {}", aside.folder.display());
    let mut journal = Journal::create(
        &ctx.data_dir,
        &pass,
        &author_or_user(enrolment.author.clone()),
    )?;
    println!("new device: {}", journal.device_id());
    let enrolled = journal
        .enroll(
            &enrolment.server,
            &enrolment.code,
            &device_name(enrolment.name.clone()),
        )
        .map_err(|e| {
            Failure::from(e)
                .after("the new journal is created but not enrolled; run `brygga enroll`")
        })?;
    println!("enrolled as {} in team {}", enrolled.user, enrolled.team);
    let transport = journal.server_transport()?;
    let report = journal
        .sync_showing(&transport, &show_progress)
        .map_err(|e| {
            Failure::from(e)
                .after("the new journal is enrolled; run `brygga sync` to fetch the rest")
        })?;
    println!("pulled {} changes", report.pulled.applied);
    println!("{}", revoke_reminder(card.as_ref()));
    Ok(())
}

/// What starting again costs, said before anything happens.
fn what_is_lost(ctx: &Context, card: Option<&DeviceCard>) -> String {
    let last_sync = match card.and_then(|c| c.last_sync_at.as_deref()) {
        Some(at) => {
            format!("The last successful sync was at {at}; changes made after it may be lost.")
        }
        None => "This laptop does not know when it last synced.".to_owned(),
    };
    format!(
        "Starting again on this laptop:\n\
         - the journal in {dir} cannot be opened without its passphrase; it is moved aside \
         to a dated folder beside it, not deleted;\n\
         - changes not yet synced to the server are lost; without the passphrase they cannot \
         be counted. {last_sync}\n\
         - everything already on the server comes back after enrolment.\n",
        dir = ctx.data_dir.display()
    )
}

/// Asks for the confirmation on the terminal; without one, `--yes` is needed.
fn confirm() -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "start-again needs a confirmation: run it on a terminal or add --yes",
        ));
    }
    eprint!("Type '{CONFIRMATION}' to go on: ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("could not read the confirmation: {e}")))?;
    if answer.trim() != CONFIRMATION {
        return Err(Failure::usage("not confirmed; nothing was changed"));
    }
    Ok(())
}

fn show_progress(p: SyncProgress) {
    let what = match p.phase {
        ProgressPhase::Pulling => "fetching the team's changes",
        ProgressPhase::Placing => "placing them in the pupils' cases",
    };
    eprintln!("{what}: {} of {}", p.done, p.total);
}

/// The old device can still sync if the laptop (or a copy of its files)
/// is used with the passphrase; only the server can stop that.
fn revoke_reminder(card: Option<&DeviceCard>) -> String {
    match card {
        Some(c) => format!(
            "old device: {id}; ask IT to revoke it: brygga-server device revoke {id}",
            id = c.device_id
        ),
        None => "the old device's id is not known on this laptop; ask IT to revoke it \
                 (brygga-server device list shows it)"
            .to_owned(),
    }
}
