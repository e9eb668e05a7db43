//! What the store keeps for case retention (issue 11): the settings, the
//! keep flags, the purged cases and the notices. The decisions about them
//! are made in [`super::plan::retention`].

use uuid::Uuid;

/// The municipality's retention settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Calendar years after its last operation that a closed case is purged.
    pub case_years: u32,
    /// Calendar years audit rows are kept.
    pub audit_years: u32,
    /// Days after its last operation that a closed case leaves a laptop.
    pub case_leaves_laptop_after_days: u32,
}

impl Default for Settings {
    /// Schema step 5's defaults.
    fn default() -> Settings {
        Settings {
            case_years: 5,
            audit_years: 10,
            case_leaves_laptop_after_days: 30,
        }
    }
}

/// The admin keeps a case past its retention time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keep {
    pub reason: String,
    pub set_at_ms: i64,
}

/// A closed case as the store holds it, for deciding whether it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub case_id: Uuid,
    pub team_id: i64,
    /// Its case-opened, case-closed and case-reopened operations, as
    /// stored (SignedOperation JSON), in no particular order.
    pub lifecycle: Vec<String>,
    /// The newest `received_at` of its operations: the server's clock.
    pub last_received_at_ms: i64,
    pub keep: Option<Keep>,
}

/// A notice to store: the SignedNotice JSON as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub notice_id: Uuid,
    /// None: for every team.
    pub team_id: Option<i64>,
    pub body: String,
    pub issued_at_ms: i64,
}

/// One case to purge, with the notice that tells the devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePurge {
    pub case_id: Uuid,
    pub team_id: i64,
    pub purged_at_ms: i64,
    pub notice: NoticeRow,
    /// Dates only (never content), for the audit row.
    pub detail: String,
}

/// What a purge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purged {
    /// Purged now: how many operations and objects went.
    Now { ops: u64, objects: u64 },
    /// It was purged before; nothing changed.
    Already,
}

/// Audit rows older than a time, counted or purged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OldAudit {
    /// Rows of the devices' audit logs (by the server's time of receipt).
    pub device_rows: u64,
    /// The server's own audit rows.
    pub server_rows: u64,
}

/// The operations of one case, as a device of a team may read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOps {
    /// `(server_seq, SignedOperation JSON)`, ascending.
    Ops(Vec<(i64, String)>),
    /// No such case in the team.
    Unknown,
    /// The team's case was purged.
    Purged,
}
