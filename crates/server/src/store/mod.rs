//! Storage: one trait ([`Store`]), two backends ([`sqlite`], [`postgres`]).
//!
//! The backends only move rows; every decision about an operation
//! (duplicate, rejected, which case and team it belongs to) is made by the
//! backend-independent planner in [`plan`], so both behave the same.
//!
//! Writes that the HTTP layer makes (nonces, pushes, pull audits) go through
//! [`Store::write`], which applies a whole [`WriteBatch`] in one transaction:
//! the [`crate::writer`] groups concurrent requests into one batch so that
//! one commit (one fsync) serves many requests. An operation is acknowledged
//! only after its transaction committed; the UNIQUE constraints on
//! `(device_id, seq)` and `op_id` stay as the last line of defence.

pub mod plan;
pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use brygga_protocol::auth::{ObjectKind, Scope};
use std::sync::Arc;
use uuid::Uuid;

/// Why a storage call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("the enrolment code {0}")]
    InvalidCode(CodeProblem),
    #[error("database URL not understood: {0} (use sqlite:PATH or postgres://…)")]
    BadUrl(String),
    #[error("database schema version {found} is newer than this build knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Database(String),
}

/// Why an enrolment code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    Unknown,
    Used,
    Expired,
}

impl std::fmt::Display for CodeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CodeProblem::Unknown => "is not known",
            CodeProblem::Used => "was already used",
            CodeProblem::Expired => "has expired",
        })
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The Display of a server error is only "db error"; take the detail.
        match e.as_db_error() {
            Some(db) => StoreError::Database(format!("{}: {}", db.code().code(), db.message())),
            None => StoreError::Database(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Database(format!("connection pool: {e}"))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub team: Team,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub user: String,
    pub team: Team,
    /// Raw 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
    pub name: String,
    pub enrolled_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// A device asking to be enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub id: Uuid,
    pub public_key: Vec<u8>,
    pub name: String,
}

/// What `revoke_device` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Now,
    Already,
}

/// One row of the server's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at_ms: i64,
    /// `admin` for the CLI, `device:<uuid>` for a device.
    pub actor: String,
    /// e.g. `team.add`, `device.revoke`, `enroll`, `push`, `pull`.
    pub action: String,
    /// The object acted on (a name or an id), if any.
    pub subject: Option<String>,
    /// Ids and counts only, never journal data.
    pub detail: String,
}

/// A stored audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub record: AuditRecord,
}

/// A request nonce to remember until `expires_at_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceRecord {
    pub device_id: Uuid,
    pub nonce: String,
    pub expires_at_ms: i64,
}

/// An operation whose signature the HTTP layer has verified, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedOp {
    pub op_id: Uuid,
    pub device_id: Uuid,
    /// Checked to fit an i64 (and be ≥ 1) by the caller.
    pub seq: i64,
    pub type_name: &'static str,
    pub scope: Scope,
    /// The SignedOperation as JSON, stored and served as is.
    pub body: String,
}

/// The verified operations of one push request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushBatch {
    pub device_id: Uuid,
    pub team_id: i64,
    pub received_at_ms: i64,
    pub ops: Vec<PreparedOp>,
}

/// What became of one stored operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredOutcome {
    Accepted { server_seq: i64 },
    Duplicate { server_seq: i64 },
    Rejected { reason: String },
}

/// Everything one transaction writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBatch {
    pub nonces: Vec<NonceRecord>,
    pub pushes: Vec<PushBatch>,
    pub audits: Vec<AuditRecord>,
}

/// The results of a [`WriteBatch`], in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteResult {
    /// True when the nonce was new (the request is not a replay).
    pub nonces_fresh: Vec<bool>,
    pub pushes: Vec<Vec<StoredOutcome>>,
}

/// One page of a team's operations: `(server_seq, SignedOperation JSON)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullPage {
    pub ops: Vec<(i64, String)>,
    pub more: bool,
}

/// What the object index knows about an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectRow {
    pub id: Uuid,
    pub kind: ObjectKind,
    /// None for a pupil (a pupil belongs to a team, not to a case).
    pub case_id: Option<Uuid>,
    pub team_id: i64,
}

/// The storage of the server. Both backends pass the same test story
/// (`tests/store_story.rs`).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    async fn add_team(&self, name: &str, audit: AuditRecord) -> Result<Team>;
    async fn add_user(&self, name: &str, team: &str, audit: AuditRecord) -> Result<User>;
    async fn teams(&self) -> Result<Vec<Team>>;
    async fn user(&self, name: &str) -> Result<Option<User>>;

    /// Stores the SHA-256 (hex) of a new enrolment code for `user`.
    async fn add_enroll_code(
        &self,
        user: &str,
        code_hash: &str,
        expires_at_ms: i64,
        audit: AuditRecord,
    ) -> Result<()>;

    /// Uses the code and registers the device, atomically. Errors:
    /// `InvalidCode`, `AlreadyExists` (device id taken).
    async fn enroll(
        &self,
        code_hash: &str,
        device: NewDevice,
        now_ms: i64,
        audit: AuditRecord,
    ) -> Result<Device>;

    async fn device(&self, id: Uuid) -> Result<Option<Device>>;
    async fn devices(&self) -> Result<Vec<Device>>;
    /// Errors `NotFound` for an unknown device.
    async fn revoke_device(&self, id: Uuid, now_ms: i64, audit: AuditRecord) -> Result<Revoked>;

    /// Applies nonces, pushes and audit rows in one transaction.
    async fn write(&self, batch: WriteBatch) -> Result<WriteResult>;

    /// The team's operations with `server_seq > after`, at most `limit`.
    async fn pull(&self, team_id: i64, after: i64, limit: u32) -> Result<PullPage>;
    /// The newest `server_seq` of the team, 0 when it has none.
    async fn latest_server_seq(&self, team_id: i64) -> Result<i64>;

    /// Forgets nonces that expired before `now_ms`; returns how many.
    async fn prune_nonces(&self, now_ms: i64) -> Result<u64>;

    async fn audit_rows(&self) -> Result<Vec<AuditRow>>;
}

pub type DynStore = Arc<dyn Store>;

/// Opens (and migrates) the store at `url`: `sqlite:PATH` or
/// `postgres://…` / `postgresql://…`.
pub async fn open(url: &str) -> Result<DynStore> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        Ok(Arc::new(sqlite::SqliteStore::open(path.as_ref()).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
    } else {
        // Never echo the whole URL: it may hold a password.
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::BadUrl(format!("scheme '{scheme}'")))
    }
}
