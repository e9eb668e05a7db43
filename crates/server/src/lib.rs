//! brygga-server: the municipal sync server of Brygga and its admin CLI.
//!
//! - [`store`]: the storage trait and its SQLite and PostgreSQL backends,
//!   with the backend-independent push decisions in [`store::plan`].
//! - [`writer`]: groups concurrent writes into one transaction (group commit).
//! - [`http`]: the axum routes of the API described in
//!   [`brygga_protocol::api`], request authentication, metrics and logs.
//! - [`tls`]: certificate loading, self-signed generation, fingerprints.
//! - [`admin`] and [`cli`]: the admin commands; [`retention`]: the
//!   retention ones; [`settings`] and [`templates`]: the municipality's
//!   settings and programme templates; [`review`]: the audit
//!   review, the devices' rows and the server's own together;
//!   [`admin_log`]: what the admin changed, kept for a restore;
//!   [`outcomes`]: the unit manager pages' figures;
//!   [`staff`]: the accounts of the people who use [`web`], the pages
//!   served beside the API;
//!   [`backup`]: backup and restore; [`notice_key`]: the key the server
//!   signs its notices with.
//!
//! Journal data never appears in logs, audit rows or error messages: the
//! server logs ids, counts and outcomes only.

pub mod admin;
pub mod admin_log;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod error;
pub mod http;
pub mod key_file;
pub mod metrics;
pub mod notice_key;
pub mod outcomes;
pub mod retention;
pub mod review;
pub mod settings;
pub mod staff;
pub mod store;
pub mod templates;
pub mod tls;
pub mod web;
pub mod writer;
