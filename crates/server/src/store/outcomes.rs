//! The rows the unit manager pages count (docs/outcomes.md): one
//! [`FactRow`] per synced operation that counts, taken from the stored
//! operations by [`crate::outcomes::refresh`] and read back per team, and
//! each pupil's weeks of absence in one row ([`PupilWeeks`]).

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

/// The kind of a week's fact: the pages read the weeks from [`PupilWeeks`]
/// instead (ADR 0040).
pub const WEEK: &str = "week";

/// One pupil's weeks of absence in a team, each Monday's last writer,
/// packed by [`crate::outcomes::weeks`]: a row a pupil where the facts
/// have a row a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilWeeks {
    pub team_id: i64,
    pub pupil: String,
    pub weeks: String,
}

/// What one round of [`crate::outcomes::refresh`] stores, in one
/// transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactBatch {
    /// The cursor the operations were read after: the batch is stored
    /// only while it still is the cursor, so that weeks packed from the
    /// facts up to it never replace those of a later round.
    pub after: i64,
    /// Where the cursor moves.
    pub cursor: i64,
    pub facts: Vec<FactRow>,
    /// The weeks of every pupil with a week among `facts`, all of them.
    pub weeks: Vec<PupilWeeks>,
}

/// What a page reads: the facts but the weeks, oldest first, and each
/// pupil's weeks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeRows {
    pub facts: Vec<FactRow>,
    pub weeks: Vec<PupilWeeks>,
}
