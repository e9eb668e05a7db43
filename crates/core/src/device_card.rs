//! What this laptop's journal is, readable without its passphrase: the
//! device's id, the server it syncs with and when it last synced, in
//! `device.json` beside the encrypted database.
//!
//! Someone who has lost the passphrase can still tell IT which device to
//! revoke, and see since when changes may not have reached the server
//! (docs/adr/0020-starting-again-on-a-laptop.md). The card holds nothing
//! about anyone: the server knows the device and its address already. The
//! database is the truth; the card is rewritten from it on every unlock,
//! enrolment and successful sync, so it is never ahead of the journal.

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use uuid::Uuid;

const CARD_FILE: &str = "device.json";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceCard {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub device_id: Uuid,
    /// The server this device is enrolled with, if any.
    pub server_url: Option<String>,
    /// The end of the last sync round that completed (RFC 3339).
    pub last_sync_at: Option<String>,
}

pub(crate) fn path_in(dir: &Path) -> PathBuf {
    dir.join(CARD_FILE)
}

/// The card of the journal in `dir`; None when there is none, or it cannot
/// be read (a journal from before cards, or a damaged file): then nothing
/// is known, and nothing is made up.
pub fn read(dir: &Path) -> Option<DeviceCard> {
    let text = std::fs::read_to_string(path_in(dir)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the card whole or not at all: a temporary file renamed into place.
pub(crate) fn write(dir: &Path, card: &DeviceCard) -> Result<()> {
    let path = path_in(dir);
    let building = path.with_extension("json.new");
    let json = serde_json::to_string_pretty(card).expect("a card serialises");
    std::fs::write(&building, json)?;
    std::fs::rename(&building, &path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_round_trips_and_a_missing_or_damaged_one_is_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read(dir.path()), None);
        let card = DeviceCard {
            device_id: Uuid::now_v7(),
            server_url: Some("https://sync.example".into()),
            last_sync_at: None,
        };
        write(dir.path(), &card).expect("written");
        assert_eq!(read(dir.path()), Some(card));
        std::fs::write(path_in(dir.path()), "{not json").expect("damaged");
        assert_eq!(read(dir.path()), None);
    }
}
