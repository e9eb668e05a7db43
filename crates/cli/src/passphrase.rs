//! Where passphrases come from: an environment variable, else a no-echo
//! prompt on the terminal. A passphrase is never printed.

use crate::exit::{Failure, Result};
use brygga_core::Passphrase;
use std::io::IsTerminal;
use zeroize::Zeroizing;

const CURRENT_VAR: &str = "BRYGGA_PASSPHRASE";
const NEW_VAR: &str = "BRYGGA_NEW_PASSPHRASE";

/// The passphrase of the existing journal.
pub fn current() -> Result<Passphrase> {
    obtain(CURRENT_VAR, "Passphrase: ", None)
}

/// The passphrase for a journal being created (asked twice when prompting).
pub fn for_new_journal() -> Result<Passphrase> {
    obtain(CURRENT_VAR, "Passphrase: ", Some("Repeat the passphrase: "))
}

/// The new passphrase for `passwd` (asked twice when prompting).
pub fn replacement() -> Result<Passphrase> {
    obtain(
        NEW_VAR,
        "New passphrase: ",
        Some("Repeat the new passphrase: "),
    )
}

fn obtain(var: &str, prompt: &str, repeat: Option<&str>) -> Result<Passphrase> {
    if let Some(value) = std::env::var_os(var) {
        return value
            .into_string()
            .map(Passphrase::new)
            .map_err(|_| Failure::usage(format!("{var} is not valid UTF-8; set it again")));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "no passphrase: stdin is not a terminal, so it cannot be asked for; set {var}"
        )));
    }
    let mut first = ask(var, prompt)?;
    if let Some(again) = repeat {
        let second = ask(var, again)?;
        if *first != *second {
            return Err(Failure::usage(
                "the two passphrases differ; nothing was changed. Try again.",
            ));
        }
    }
    // Moves the buffer out; nothing is copied.
    Ok(Passphrase::new(std::mem::take(&mut *first)))
}

/// Asks once, without echo, with the prompt on stderr.
fn ask(var: &str, prompt: &str) -> Result<Zeroizing<String>> {
    let config = rpassword::ConfigBuilder::new()
        .output_writer(std::io::stderr())
        .build();
    rpassword::prompt_password_with_config(prompt, config)
        .map(Zeroizing::new)
        .map_err(|e| {
            Failure::usage(format!(
                "could not read the passphrase from the terminal ({e}); try again or set {var}"
            ))
        })
}
