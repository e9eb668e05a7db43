//! What a sync round must do, as a pure function of what this device
//! knows and what the server says. No I/O here, so every case is a test.
//! (A revoked device learns it from the server's refusal of any request,
//! and wipes its journal then.)

use serde::Serialize;

/// This device's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    /// Highest seq in this device's own op log.
    pub last_seq: u64,
    /// Highest own seq the server has answered for.
    pub pushed_seq: u64,
    /// Highest server_seq pulled and logged (or quarantined).
    pub pull_cursor: i64,
    /// Highest seq in this device's audit log.
    pub audit_last_seq: i64,
    /// Highest audit seq the server holds, as it last answered.
    pub audit_pushed_seq: i64,
}

/// The server's side, from its status answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remote {
    pub latest_server_seq: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Push own ops with seq in `from..=to`.
    Push { from: u64, to: u64 },
    /// Push the audit rows with seq above `after`.
    PushAudit { after: i64 },
    /// Pull everything after `after`.
    Pull { after: i64 },
}

/// Push before pull, so that what the therapist wrote reaches the server
/// even if the pull is cut off; the audit rows right after the operations,
/// so that the server's copy of the log (docs/audit.md) is never held up
/// by a long pull.
pub fn plan(local: Local, remote: Remote) -> Vec<Step> {
    let mut steps = Vec::new();
    if local.last_seq > local.pushed_seq {
        steps.push(Step::Push {
            from: local.pushed_seq + 1,
            to: local.last_seq,
        });
    }
    if local.audit_last_seq > local.audit_pushed_seq {
        steps.push(Step::PushAudit {
            after: local.audit_pushed_seq,
        });
    }
    if remote.latest_server_seq > local.pull_cursor {
        steps.push(Step::Pull {
            after: local.pull_cursor,
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(last_seq: u64, pushed_seq: u64, pull_cursor: i64) -> Local {
        Local {
            last_seq,
            pushed_seq,
            pull_cursor,
            audit_last_seq: 0,
            audit_pushed_seq: 0,
        }
    }

    fn remote(latest: i64) -> Remote {
        Remote {
            latest_server_seq: latest,
        }
    }

    #[test]
    fn nothing_to_do_when_both_sides_are_even() {
        assert_eq!(plan(local(5, 5, 9), remote(9)), vec![]);
    }

    #[test]
    fn pending_local_ops_are_pushed_from_the_first_unanswered() {
        assert_eq!(
            plan(local(7, 4, 9), remote(9)),
            vec![Step::Push { from: 5, to: 7 }]
        );
    }

    #[test]
    fn new_server_ops_are_pulled_after_the_cursor() {
        assert_eq!(
            plan(local(5, 5, 3), remote(9)),
            vec![Step::Pull { after: 3 }]
        );
    }

    #[test]
    fn push_comes_before_pull() {
        assert_eq!(
            plan(local(2, 0, 0), remote(4)),
            vec![Step::Push { from: 1, to: 2 }, Step::Pull { after: 0 }]
        );
    }

    #[test]
    fn new_audit_rows_go_after_the_operations_and_before_the_pull() {
        let local = Local {
            audit_last_seq: 12,
            audit_pushed_seq: 8,
            ..local(2, 0, 0)
        };
        assert_eq!(
            plan(local, remote(4)),
            vec![
                Step::Push { from: 1, to: 2 },
                Step::PushAudit { after: 8 },
                Step::Pull { after: 0 }
            ]
        );
    }
}
