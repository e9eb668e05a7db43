//! `init` and `passwd`.

use super::Context;
use crate::exit::Result;
use crate::{output, passphrase};
use brygga_core::{Error, Journal};

/// Creates the journal; prints this device's id.
pub fn init(ctx: &Context, author: Option<String>) -> Result<()> {
    // Refuse before asking for a passphrase twice.
    if ctx.paths().db.exists() {
        return Err(Error::JournalExists(ctx.data_dir.clone()).into());
    }
    let pass = passphrase::for_new_journal()?;
    let journal = Journal::create(&ctx.data_dir, &pass, &author_or_user(author))?;
    output::created(journal.device_id())
}

/// The author's name as given, else the login name.
pub fn author_or_user(author: Option<String>) -> String {
    author
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "okänd".to_owned())
}

/// Rewraps the data key under a new passphrase.
pub fn passwd(ctx: &Context) -> Result<()> {
    ctx.ensure_journal()?;
    let old = passphrase::current()?;
    let new = passphrase::replacement()?;
    Ok(Journal::change_passphrase(&ctx.data_dir, &old, &new)?)
}
