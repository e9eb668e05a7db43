//! Wire types and signing rules shared by the Brygga client and server.
//!
//! Everything a device changes is an [`op::Operation`] in its own append-only
//! log. An operation is signed over its canonical bytes
//! ([`signing::canonical_bytes`]) with the device's Ed25519 key; the server
//! and other devices verify the signature before they accept or apply it.
//!
//! The format is versioned by [`PROTOCOL_VERSION`]; a peer refuses an
//! operation whose version it does not know instead of guessing.

pub mod api;
pub mod audit;
pub mod auth;
pub mod entry_kind;
pub mod hlc;
pub mod notice;
pub mod op;
pub mod pin;
pub mod programme;
pub mod settings;
pub mod signing;

/// Version of the operation format and signing rules in this crate.
pub const PROTOCOL_VERSION: u16 = 1;
