//! One module per noun; each turns parsed arguments into core calls.
//!
//! Input that can be checked without the journal is checked first, so a
//! mistake costs neither a passphrase prompt nor an unlock.

mod attendance;
mod audit;
mod case;
mod checkin;
mod concern;
mod consent;
mod contacts;
mod deviation;
mod disclosure;
mod entry;
mod export;
mod followup;
mod guardian;
mod journal;
mod ladder;
mod meeting;
mod plan;
mod programme;
mod pupil;
mod search;
mod settings;
mod start_again;
mod sync;

use crate::args::{Cli, Command};
use crate::exit::{Failure, Result};
use crate::passphrase;
use brygga_core::{Error, Journal, JournalPaths};
use std::path::PathBuf;

/// What every command needs: where the journal is.
pub struct Context {
    data_dir: PathBuf,
}

impl Context {
    fn new(data_dir: Option<PathBuf>) -> Result<Context> {
        let data_dir = match data_dir {
            Some(dir) => dir,
            None => brygga_core::default_data_dir().ok_or_else(|| {
                    Failure::usage(
                        "cannot find this user's data directory; pass --data-dir DIR or set BRYGGA_DATA_DIR",
                    )
                })?,
        };
        Ok(Context { data_dir })
    }

    fn paths(&self) -> JournalPaths {
        JournalPaths::in_dir(&self.data_dir)
    }

    fn has_journal(&self) -> bool {
        self.paths().db.exists()
    }

    /// Fails with "no journal" before a passphrase is asked for.
    fn ensure_journal(&self) -> Result<()> {
        if self.has_journal() {
            Ok(())
        } else {
            Err(Error::JournalMissing(self.data_dir.clone()).into())
        }
    }

    /// Unlocks the journal with the passphrase.
    fn open(&self) -> Result<Journal> {
        self.ensure_journal()?;
        let pass = passphrase::current()?;
        Ok(Journal::open(&self.data_dir, &pass)?)
    }

    /// What the journal says (asking for the passphrase) when there is
    /// one, since the municipality's settings reach the laptop in it;
    /// else `built_in`, which needs no passphrase.
    fn journal_or<T>(
        &self,
        read: impl FnOnce(&Journal) -> brygga_core::Result<T>,
        built_in: impl FnOnce() -> T,
    ) -> Result<T> {
        if self.has_journal() {
            Ok(read(&self.open()?)?)
        } else {
            Ok(built_in())
        }
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Context::new(cli.data_dir)?;
    match cli.command {
        Command::Init { author } => journal::init(&ctx, author),
        Command::Passwd => journal::passwd(&ctx),
        Command::Pupil(cmd) => pupil::run(&ctx, cmd),
        Command::Case(cmd) => case::run(&ctx, cmd),
        Command::Entry(cmd) => entry::run(&ctx, cmd),
        Command::Guardian(cmd) => guardian::run(&ctx, cmd),
        Command::Consent(cmd) => consent::run(&ctx, cmd),
        Command::Plan(cmd) => plan::run(&ctx, cmd),
        Command::Concern(cmd) => concern::run(&ctx, cmd),
        Command::Ladder(cmd) => ladder::run(&ctx, cmd),
        Command::Programme(cmd) => programme::run(&ctx, cmd),
        Command::Contacts(cmd) => contacts::run(&ctx, cmd),
        Command::Deviation(cmd) => deviation::run(&ctx, cmd),
        Command::Disclosure(cmd) => disclosure::run(&ctx, cmd),
        Command::Checkin(cmd) => checkin::run(&ctx, cmd),
        Command::Followup(cmd) => followup::run(&ctx, cmd),
        Command::Meeting(cmd) => meeting::run(&ctx, cmd),
        Command::Search(args) => search::run(&ctx, args),
        Command::Audit(cmd) => audit::run(&ctx, cmd),
        Command::Attendance(cmd) => attendance::run(&ctx, cmd),
        Command::Settings(cmd) => settings::run(&ctx, cmd),
        Command::Export(cmd) => export::run(&ctx, cmd),
        Command::Enroll { server, code, name } => sync::enroll(&ctx, &server, &code, name),
        Command::Sync { status, format } => sync::run(&ctx, status, format.json),
        Command::StartAgain {
            server,
            code,
            author,
            name,
            yes,
        } => start_again::run(
            &ctx,
            &start_again::Enrolment {
                server,
                code,
                author,
                name,
            },
            yes,
        ),
    }
}
