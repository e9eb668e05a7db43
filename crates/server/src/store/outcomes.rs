//! The rows the unit manager pages count (docs/outcomes.md): one
//! [`FactRow`] per synced operation that counts, taken from the stored
//! operations by [`crate::outcomes::refresh`] and read back per team.

use uuid::Uuid;

/// The payload types whose operations give a fact.
pub const COUNTED_TYPES: &[&str] = &[
    "pupil-registered",
    "case-opened",
    "case-closed",
    "case-reopened",
    "absence-week-recorded",
    "entry-drafted",
    "plan-created",
    "ladder-step-set",
    "deviation-recorded",
    "deviation-status-set",
    "programme-started",
];

/// What one counted operation says, without a name, a personnummer or a
/// text. The columns' meaning depends on `kind` ([`crate::outcomes::facts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRow {
    pub server_seq: i64,
    pub team_id: i64,
    pub kind: String,
    pub case_id: Option<Uuid>,
    pub subject: String,
    /// YYYY-MM-DD.
    pub on_date: Option<String>,
    pub label: Option<String>,
    pub label2: Option<String>,
    pub n: [i64; 3],
    /// The operation's place in the replay order, for the last writer.
    pub order_key: String,
}

/// A stored operation to take facts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeOp {
    pub server_seq: i64,
    pub team_id: i64,
    pub case_id: Option<Uuid>,
    /// The SignedOperation as JSON.
    pub body: String,
}

/// The next operations after the cursor, and the cursor they were read
/// after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeOps {
    pub cursor: i64,
    /// The newest server_seq when they were read: the ops are those up to
    /// it, so the cursor may move to it once they are all taken.
    pub latest: i64,
    pub ops: Vec<OutcomeOp>,
}
