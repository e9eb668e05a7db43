//! `staff add|totp-reset|disable`: the accounts of the web pages. What
//! is secret (the first password, the TOTP secret) goes to stdout once;
//! the server keeps only the password's hash and the secret sealed with
//! the staff key.

use super::{open_store, staff_key, Cli, StaffCommand};
use crate::error::Result;
use crate::staff;
use std::path::Path;

pub(super) async fn run(cli: &Cli, dir: &Path, command: &StaffCommand) -> Result<()> {
    let store = open_store(cli, dir).await?;
    let key = staff_key(cli, dir)?;
    match command {
        StaffCommand::Add { name, roles } => {
            let added = staff::add(store.as_ref(), &key, name, roles).await?;
            let roles: Vec<&str> = added.staff.roles.iter().map(|r| r.as_str()).collect();
            eprintln!(
                "staff '{}' added ({}); shown once, hand over in person:",
                added.staff.name,
                roles.join(", ")
            );
            println!("password: {}", added.password);
            println!("totp-secret: {}", added.totp_secret);
            println!("otpauth: {}", added.otpauth_uri);
            Ok(())
        }
        StaffCommand::TotpReset { name } => {
            let uri = staff::totp_reset(store.as_ref(), &key, name).await?;
            eprintln!("staff '{name}' has a new TOTP secret; its sessions ended; shown once:");
            println!("otpauth: {uri}");
            Ok(())
        }
        StaffCommand::Disable { name } => {
            staff::disable(store.as_ref(), name).await?;
            println!("staff '{name}' disabled; its sessions ended");
            Ok(())
        }
    }
}
