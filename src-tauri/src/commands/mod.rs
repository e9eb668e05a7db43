//! The IPC commands, one module per area: each command is a few lines over
//! one brygga-core call, and takes the core's own input types (their
//! TypeScript twins are generated into ui/src/lib/bindings/).
//!
//! Commands are `async` so that they run on the async runtime's threads,
//! not the main thread: unlocking (Argon2id, ~0.4 s) must not freeze the
//! window. Ids, dates and times arrive as JSON strings and are parsed by
//! serde into `Uuid`, `NaiveDate` and `DateTime<Utc>` before a command
//! runs; a malformed one is refused by Tauri (the UI reads it as `invalid`).
//! A passphrase is wrapped into `Passphrase` (zeroized on drop) the moment
//! it arrives and is never stored.

pub mod attendance;
pub mod cases;
pub mod checkin;
pub mod conflicts;
pub mod consents;
pub mod contacts;
pub mod deviations;
pub mod disclosures;
pub mod entries;
pub mod exports;
pub mod followups;
pub mod ladder;
pub mod meetings;
pub mod plans;
pub mod programmes;
pub mod session;
pub mod start_again;
pub mod sync;
