//! Storage: one trait ([`Store`]), two backends ([`sqlite`], [`postgres`]).
//!
//! The backends only move rows; the decisions are made once, in [`plan`],
//! so both behave the same: about an operation (duplicate, rejected, which
//! case and team it belongs to), about a request (admitted, or refused for
//! its device or its nonce), an enrolment code (one device, until it
//! expires), a pull's page, and what a revocation records.
//!
//! Writes that the HTTP layer makes go through [`Store::write`]: each
//! authenticated request is one [`RequestWrite`] (its nonce, and its push or
//! audit row), admitted or refused inside the transaction that stores it, so
//! a request costs one commit. The [`crate::writer`] groups concurrent
//! requests into one [`WriteBatch`] so that one commit (one fsync) serves
//! many requests. An operation is acknowledged
//! only after its transaction committed; the UNIQUE constraints on
//! `(device_id, seq)` and `op_id` stay as the last line of defence.
//!
//! A device's audit rows ([`Store::push_audit`]) go in a transaction of
//! their own, after their request was admitted: it holds the device's
//! chain while [`plan::audit`] checks them against it.

mod audit_sql;
#[cfg(test)]
mod fixture;
pub mod outcomes;
pub mod plan;
pub mod postgres;
mod postgres_outcomes;
mod postgres_staff;
pub mod retention;
pub mod sqlite;
mod sqlite_outcomes;
mod sqlite_staff;
pub mod staff;

use async_trait::async_trait;
use brygga_protocol::api::{AuditPushResponse, BreakKind};
pub use brygga_protocol::audit::AuditRow as DeviceAuditRow;
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

impl<E> From<brygga_migrate::Error<E>> for StoreError
where
    StoreError: From<E>,
{
    fn from(e: brygga_migrate::Error<E>) -> Self {
        match e {
            brygga_migrate::Error::Database(e) => e.into(),
            brygga_migrate::Error::Plan(brygga_migrate::PlanError::TooNew { found, known }) => {
                StoreError::SchemaTooNew { found, known }
            }
            brygga_migrate::Error::Plan(other) => StoreError::Database(other.to_string()),
        }
    }
}

/// Logs what a backend's migration did, the same way for both.
fn log_migration(backend: &'static str, outcome: &brygga_migrate::Outcome) {
    if let Some(version) = outcome.adopted {
        tracing::info!(
            backend,
            version,
            "recorded the checksums of the schema steps applied before"
        );
    }
    for version in &outcome.ran {
        tracing::info!(backend, version, "migrated schema");
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
    /// Set when the device is revoked, in the same transaction: the
    /// highest `seq` of its operations stored then (0 when none). None
    /// while the device is active.
    pub last_seq_at_revocation: Option<i64>,
}

/// When a device last synced, as the server's audit rows say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastSync {
    /// Its last push, unix milliseconds (server time).
    pub push_ms: Option<i64>,
    /// Its last pull, unix milliseconds (server time).
    pub pull_ms: Option<i64>,
}

impl LastSync {
    /// The later of the two.
    pub fn latest(&self) -> Option<i64> {
        self.push_ms.max(self.pull_ms)
    }
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

/// The rows of one `POST /v1/audit`, checked by the HTTP layer to be the
/// device's own and in ascending seq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPush {
    pub device_id: Uuid,
    pub received_at_ms: i64,
    pub rows: Vec<DeviceAuditRow>,
}

/// A device's audit row as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAuditRow {
    /// The server's id of the row, in the order rows were stored.
    pub id: i64,
    pub row: DeviceAuditRow,
    /// The row's time, unix milliseconds, for sorting.
    pub at_ms: i64,
    pub received_at_ms: i64,
    /// It came at or after a break in the batch that brought it.
    pub after_break: bool,
}

/// Which audit rows the review selects; every given filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Rows of the devices enrolled to this user, and rows whose actor it
    /// is.
    pub user: Option<String>,
    /// Device rows about this pupil (a server row has none).
    pub pupil: Option<String>,
    /// The device's rows, and the server's rows with actor `device:<id>`.
    pub device: Option<Uuid>,
    pub action: Option<String>,
    /// Unix milliseconds, inclusive: a device row's own time, a server
    /// row's server time.
    pub from_ms: Option<i64>,
    /// Unix milliseconds, inclusive.
    pub to_ms: Option<i64>,
}

/// Where an audit row was written. The review shows, of rows of one
/// time, the devices' first (the order is derived from this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditSource {
    Device,
    Server,
}

/// A place in the review's order, (time, source, id): the rows after it
/// come next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuditCursor {
    pub at_ms: i64,
    pub source: AuditSource,
    pub id: i64,
}

/// One row of the review, of either source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditEntry {
    Device(HeldAuditRow),
    Server(AuditRow),
}

/// One page of the review: its rows in order, and the cursor of its last
/// row when rows follow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditPage {
    pub rows: Vec<AuditEntry>,
    pub next: Option<AuditCursor>,
}

/// A break in a device's audit chain, as recorded for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub device_id: Uuid,
    pub seq: i64,
    pub kind: BreakKind,
    pub detail: String,
    /// When the server found it, unix milliseconds.
    pub at_ms: i64,
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

/// The writes of one authenticated request, applied only when the request
/// is admitted: its device is enrolled and not revoked, and its nonce was
/// never seen. A refused request stores nothing at all (not even its nonce
/// when the device is revoked), so a replayed push can never land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestWrite {
    /// The request's nonce (its `device_id` is the authenticated device).
    pub nonce: NonceRecord,
    /// The verified operations of a push, if any.
    pub push: Option<PushBatch>,
    /// An audit row of the request (e.g. a pull), if any. A push's audit
    /// row is made by the store from its outcomes.
    pub audit: Option<AuditRecord>,
}

impl RequestWrite {
    /// A request that only needs its nonce checked and remembered.
    pub fn nonce_only(nonce: NonceRecord) -> RequestWrite {
        RequestWrite {
            nonce,
            push: None,
            audit: None,
        }
    }
}

/// What became of a [`RequestWrite`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Admitted and stored; the outcome of each operation of its push
    /// (empty without a push).
    Admitted(Vec<StoredOutcome>),
    /// The nonce was seen before: nothing stored.
    Replayed,
    /// The device is revoked: nothing stored.
    Revoked,
    /// No such device: nothing stored.
    UnknownDevice,
}

/// Everything one transaction writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBatch {
    /// Authenticated requests, admitted (or not) in this order: of two
    /// requests with the same nonce, the first wins.
    pub requests: Vec<RequestWrite>,
    /// Audit rows written unconditionally.
    pub audits: Vec<AuditRecord>,
}

/// The results of a [`WriteBatch`], in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteResult {
    pub requests: Vec<Admission>,
}

/// A [`WriteBatch`] once the backend knows which requests are admitted:
/// the pushes to plan and the audit rows to write, in batch order.
pub(crate) struct AdmittedWrites {
    /// The pushes of the admitted requests.
    pub pushes: Vec<PushBatch>,
    /// `push_of[i]`: the index of the request `pushes[i]` came from.
    push_of: Vec<usize>,
    /// The batch's own audit rows, then those of the admitted requests.
    pub audits: Vec<AuditRecord>,
    /// `refused[i]`: why request i was refused, None when admitted.
    refused: Vec<Option<Admission>>,
}

impl AdmittedWrites {
    /// Splits `batch`; `refused[i]` says why request i is not admitted.
    pub(crate) fn split(batch: WriteBatch, refused: Vec<Option<Admission>>) -> Result<Self> {
        assert_eq!(
            refused.len(),
            batch.requests.len(),
            "one decision per request"
        );
        let mut pushes = Vec::new();
        let mut push_of = Vec::new();
        let mut audits = batch.audits;
        for (i, (request, refusal)) in batch.requests.into_iter().zip(&refused).enumerate() {
            if refusal.is_some() {
                continue;
            }
            if let Some(push) = request.push {
                if push.device_id != request.nonce.device_id {
                    return Err(StoreError::Database(format!(
                        "a push of device {} in a request of device {}",
                        push.device_id, request.nonce.device_id
                    )));
                }
                pushes.push(push);
                push_of.push(i);
            }
            audits.extend(request.audit);
        }
        Ok(AdmittedWrites {
            pushes,
            push_of,
            audits,
            refused,
        })
    }

    /// The answer per request, given the outcomes of [`Self::pushes`].
    pub(crate) fn finish(self, outcomes: Vec<Vec<StoredOutcome>>) -> WriteResult {
        let mut requests: Vec<Admission> = self
            .refused
            .into_iter()
            .map(|r| r.unwrap_or(Admission::Admitted(Vec::new())))
            .collect();
        for (i, outcome) in self.push_of.into_iter().zip(outcomes) {
            requests[i] = Admission::Admitted(outcome);
        }
        WriteResult { requests }
    }
}

/// One page of a team's operations: `(server_seq, SignedOperation JSON)`;
/// also a page of notices: `(notice_seq, SignedNotice JSON)`.
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
    /// Every user with their team, by team name and then user name.
    async fn users(&self) -> Result<Vec<User>>;

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
    /// Every device ever enrolled in the team, revoked ones included.
    async fn team_devices(&self, team_id: i64) -> Result<Vec<Device>>;
    /// Revokes the device and records, in the same transaction, the
    /// highest `seq` of its stored operations (0 when none) as its
    /// `last_seq_at_revocation`; no push of the device is stored after it.
    /// A device revoked already keeps its first revocation. `asked` gives
    /// the time, and a `last_seq` to record at least (a revocation
    /// re-applied after a restore keeps the seq it had; 0 for a new one).
    /// Errors `NotFound` for an unknown device.
    async fn revoke_device(
        &self,
        id: Uuid,
        asked: plan::Revocation,
        audit: AuditRecord,
    ) -> Result<Revoked>;
    /// Enrols `device` for `user` as the admin log recorded it, when the
    /// database does not know it (a restore to a backup older than its
    /// enrolment); false when it was known. Errors `NotFound` for an
    /// unknown user.
    async fn reenroll(
        &self,
        user: &str,
        device: NewDevice,
        enrolled_at_ms: i64,
        audit: AuditRecord,
    ) -> Result<bool>;

    /// Admits the requests of `batch` (device active, nonce fresh), stores
    /// what the admitted ones carry, and the audit rows, in one
    /// transaction: one commit for the whole batch.
    async fn write(&self, batch: WriteBatch) -> Result<WriteResult>;

    /// The team's operations with `server_seq > after`, at most `limit`.
    async fn pull(&self, team_id: i64, after: i64, limit: u32) -> Result<PullPage>;
    /// The newest `server_seq` of the team, 0 when it has none.
    async fn latest_server_seq(&self, team_id: i64) -> Result<i64>;

    /// Forgets nonces that expired before `now_ms`; returns how many.
    async fn prune_nonces(&self, now_ms: i64) -> Result<u64>;

    /// Checks a device's audit rows against the chain held for it and
    /// stores them ([`plan::audit`]), its breaks and the server's own audit
    /// rows of it, in one transaction that holds the device's chain.
    async fn push_audit(&self, push: AuditPush) -> Result<AuditPushResponse>;
    /// The review's page: the device rows and the server's own rows that
    /// `filter` selects, after `after` (from the start without one), at
    /// most `limit`, oldest first ([`plan::review`] gives the order and
    /// merges the two tables' pages).
    async fn audit_page(
        &self,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<AuditPage>;
    /// Every chain break recorded, oldest first.
    async fn audit_breaks(&self) -> Result<Vec<ChainBreak>>;

    /// The history epoch: a random id of this database's history, which a
    /// restore changes (devices then push again what it may have lost).
    async fn history_epoch(&self) -> Result<String>;
    /// Gives the database the history epoch `epoch`, with its audit row.
    async fn set_history_epoch(&self, epoch: &str, audit: AuditRecord) -> Result<()>;

    /// Every case with a case-closed operation (closed now or not: the
    /// decision is [`plan::retention::judge`]'s), by case id.
    async fn retention_candidates(&self) -> Result<Vec<retention::Candidate>>;
    async fn retention_settings(&self) -> Result<retention::Settings>;
    /// Stores the settings and, when given, the notice that tells the
    /// devices (stored once: the same notice id again is not a second
    /// one); false when neither changed anything.
    async fn set_retention_settings(
        &self,
        settings: retention::Settings,
        notice: Option<retention::NoticeRow>,
        audit: AuditRecord,
    ) -> Result<bool>;
    /// Sets (Some) or lifts (None) the keep flag of a case; false when it
    /// was so already. Setting one on a case the index does not know
    /// (unknown, or purged) is `NotFound`.
    async fn set_case_keep(
        &self,
        case_id: Uuid,
        keep: Option<retention::Keep>,
        audit: AuditRecord,
    ) -> Result<bool>;
    /// Purges one case in one transaction: its operations and objects
    /// deleted, its tombstone and notice stored, and the audit row of
    /// [`plan::retention::purge_audit`]. A case purged already is left
    /// as it is.
    async fn purge_case(&self, purge: retention::CasePurge) -> Result<retention::Purged>;
    /// How many audit rows (devices' by receipt, the server's own) are
    /// older than `before_ms`.
    async fn old_audit(&self, before_ms: i64) -> Result<retention::OldAudit>;
    /// Deletes the audit rows older than `before_ms` (the devices' chain
    /// heads stay, so their chains are still checked) and writes one audit
    /// row saying how many, at `at_ms`.
    async fn purge_old_audit(&self, before_ms: i64, at_ms: i64) -> Result<retention::OldAudit>;
    /// Every notice for every team whose body is of `type_name`
    /// (`NoticeBody::type_name`), as SignedNotice JSON, oldest first.
    async fn notices_of_type(&self, type_name: &str) -> Result<Vec<String>>;
    /// Stores `notices` (each for every team) and, when one of them is
    /// new, the audit row, in one transaction; false when every one was
    /// stored already (the same notice ids: a restore re-applying).
    async fn add_notices(
        &self,
        notices: Vec<retention::NoticeRow>,
        audit: AuditRecord,
    ) -> Result<bool>;
    /// The notices for the team (and for every team) with
    /// `notice_seq > after`, at most `limit`: `(notice_seq, SignedNotice
    /// JSON)`.
    async fn notices(&self, team_id: i64, after: i64, limit: u32) -> Result<PullPage>;
    /// Every stored operation of one case of the team.
    async fn case_ops(&self, team_id: i64, case_id: Uuid) -> Result<retention::CaseOps>;

    /// When each device last reached the server (its newest server audit
    /// row: a push, pull, audit or status), by device.
    async fn devices_last_seen(&self) -> Result<std::collections::HashMap<Uuid, i64>>;
    /// When each enrolled device last pushed and last pulled (its newest
    /// `push` and `pull` audit rows, read newest first through the
    /// actor's index), by device; a device that never did is absent.
    async fn devices_last_sync(&self) -> Result<std::collections::HashMap<Uuid, LastSync>>;

    /// The operations the unit manager pages count
    /// ([`outcomes::COUNTED_TYPES`]) stored after the outcome cursor, at
    /// most `limit`, oldest first.
    async fn outcome_ops(&self, limit: u32) -> Result<outcomes::OutcomeOps>;
    /// Stores the batch's facts (one taken already is left) and pupils'
    /// weeks (replacing theirs) and moves the outcome cursor to
    /// `batch.cursor`, in one transaction, if the cursor still is
    /// `batch.after`; false (nothing stored) if it moved.
    async fn add_outcome_facts(&self, batch: outcomes::FactBatch) -> Result<bool>;
    /// The stored week facts of these (team, pupil)s.
    async fn outcome_week_facts(
        &self,
        pupils: Vec<(i64, String)>,
    ) -> Result<Vec<outcomes::FactRow>>;
    /// The facts of the team, or of every team.
    async fn outcome_facts(&self, team_id: Option<i64>) -> Result<Vec<outcomes::FactRow>>;
    /// What a page of the team, or of every team, reads, as of one moment.
    async fn outcome_rows(&self, team_id: Option<i64>) -> Result<outcomes::OutcomeRows>;

    /// Adds a staff account; `AlreadyExists` when the name is taken.
    async fn add_staff(&self, staff: staff::NewStaff, audit: AuditRecord) -> Result<staff::Staff>;
    async fn staff(&self, name: &str) -> Result<Option<staff::Staff>>;
    /// Every staff account, by name.
    async fn list_staff(&self) -> Result<Vec<staff::Staff>>;
    /// Changes an account and ends its open sessions at the audit row's
    /// time; `NotFound` when there is no such account.
    async fn change_staff(
        &self,
        name: &str,
        change: staff::StaffChange,
        audit: AuditRecord,
    ) -> Result<()>;
    /// Records a login attempt of the account, at the audit row's time;
    /// false when a good login's TOTP step was used already (a code
    /// replayed: then nothing but the audit row is stored).
    async fn record_login(
        &self,
        staff_id: i64,
        result: staff::LoginResult,
        audit: AuditRecord,
    ) -> Result<bool>;
    /// The session of a cookie token's hash, ended or not.
    async fn web_session(&self, token_hash: &str) -> Result<Option<staff::WebSession>>;
    /// Marks the session used at `at_ms`.
    async fn touch_session(&self, token_hash: &str, at_ms: i64) -> Result<()>;
    /// Ends the session (a logout, or found idle), with its audit row.
    async fn end_session(&self, token_hash: &str, audit: AuditRecord) -> Result<()>;
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

#[cfg(test)]
mod tests {
    /// The steps on main, by their checksums, of both backends: a released
    /// step is never edited (a server's database migrated by one build
    /// must mean the same schema to the next).
    #[test]
    fn released_steps_are_unchanged() {
        brygga_migrate::assert_released(
            super::sqlite::STEPS,
            &[
                (
                    1,
                    "5faa2ac137cb73d2e8331c982e40f9533823902b4627e5580d6bafebaa3b4dae",
                ),
                (
                    2,
                    "8d896342b70509057bff11a60e442c3ac6120751bb09e37228028b53533e5238",
                ),
                (
                    3,
                    "973f5b7eae47733f0b53d7e08c24354972c7ca4cf43975da94f76d238e2bff3b",
                ),
                (
                    4,
                    "9690d81c0f47ada1ceff5ac4bc308167baa4133b2eb9e0083ef323bbcc504745",
                ),
                (
                    5,
                    "8f78aca24c9722d27c5fd8c0390884c52fab79d126452d4c7a3b6d6d09537ad4",
                ),
                (
                    6,
                    "4e38c8bc3893427df3aa7c0f951dae54d5cd65d8990adee30bbb3c4049f4d1a6",
                ),
                (
                    7,
                    "9eedd69f2eef6dd1afbda559d255b57a137f79e72b6172ef97a84c28554e1ca7",
                ),
                (
                    8,
                    "549737b2f58f88e064ad5755e424e86cf2c1ec5f75276acfc7d512637daf6068",
                ),
                (
                    9,
                    "41e292831b83a359bbdb4f9dcb34182d7caa9ec28b8cf0b5fa0f098567c3cae4",
                ),
            ],
        );
        brygga_migrate::assert_released(
            super::postgres::STEPS,
            &[
                (
                    1,
                    "c20d12388199b61406f3303482c9c64f4b9355b59138954bfdb63b4bc0e97006",
                ),
                (
                    2,
                    "93962e58a0c6cb4beab3a8ed22b12b4d6f64af35b4b6d2177fbb3ad42b93f204",
                ),
                (
                    3,
                    "6f5fd43c96f4fc0cea740ff676c658c4e32a2bc86b2a35ee239a3e73de91fc23",
                ),
                (
                    4,
                    "0161194e9ca3830256c6c50c6c7ce9301a8d3f300bf67853d0bcd30323badadf",
                ),
                (
                    5,
                    "3e5e230d09344c697361a6d82d787ff6fc2fd3f555ae40db2940331123cea202",
                ),
                (
                    6,
                    "a505d835a2352b7f05ef3840cd5737ea56efd276d1d37865f65710d666eab5a8",
                ),
                (
                    7,
                    "72e38c2a25c050f1c647067a5ffc99709efaf9e4296f31ef0c71192b734e3734",
                ),
                (
                    8,
                    "9a23174e40fe73618486428e042457862c1cb11e1ef60709d87f2f2fc6e19a30",
                ),
                (
                    9,
                    "53f3851e6e2659a84d20d9f0e2fd6378e4b20e5ba2ee22021322b7bce24ca29d",
                ),
                (
                    10,
                    "6e8fbdd1ffffede1b554c4c29423425dc3af342e16f217f480fb450c35ff159a",
                ),
            ],
        );
    }
}
