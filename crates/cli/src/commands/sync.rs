//! `enroll` and `sync`.

use super::Context;
use crate::exit::{Code, Failure, Result};
use crate::output;

pub fn enroll(ctx: &Context, server: &str, code: &str, name: Option<String>) -> Result<()> {
    let enrolled = ctx.open()?.enroll(server, code, &device_name(name))?;
    output::show(false, &enrolled)
}

/// The laptop's name in the server's device list: as given, else the host
/// name.
pub fn device_name(name: Option<String>) -> String {
    name.or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "brygga".to_owned())
}

pub fn run(ctx: &Context, status_only: bool, json: bool) -> Result<()> {
    let mut journal = ctx.open()?;
    if status_only {
        return output::show(json, &journal.sync_status()?);
    }
    let report = journal.sync_with_server()?;
    if report.wiped {
        return Err(Failure::new(
            Code::Revoked,
            "this device has been revoked by the municipality; the journal was removed from this laptop",
        ));
    }
    output::show(json, &report)
}
