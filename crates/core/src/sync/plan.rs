//! What a sync round must do, as a pure function of what this device
//! knows and what the server says. No I/O here, so every case is a test.
//! (A revoked device learns it from the server's refusal of any request,
//! and wipes its journal then.)

use serde::Serialize;

/// This device's side.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The server's history epoch this device last saw; None before the
    /// first round with a server that has one.
    pub history_epoch: Option<String>,
    /// Every held operation is being pushed again after a restore.
    pub held_push: bool,
    /// The server's notice key as pinned at enrolment (hex); None for a
    /// device enrolled before notices.
    pub server_key: Option<String>,
    /// Highest notice_seq taken in.
    pub notice_cursor: i64,
}

/// The server's side, from its status answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub latest_server_seq: i64,
    /// Empty from a server without one.
    pub history_epoch: String,
    /// The server's notice key (hex); empty from a server without notices.
    pub server_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// The server offers another notice key than the one pinned: it is
    /// not the server this device enrolled with. Nothing else is done.
    RefuseServer,
    /// A device enrolled before notices pins the server's key now.
    PinServerKey { key: String },
    /// The server's database was restored from a backup (its history
    /// epoch changed): it may have lost operations this device pushed or
    /// holds, and numbers what comes next anew. Start a push of every held
    /// operation, pull from the start, and remember the new epoch.
    ServerRestored { epoch: String },
    /// Push every operation held here, of any device, in replay order
    /// (parents first), from where the last such push stopped; then own
    /// operations count as pushed.
    PushHeld,
    /// The first round that sees the server's epoch: remember it.
    RememberEpoch { epoch: String },
    /// Push own ops with seq in `from..=to`.
    Push { from: u64, to: u64 },
    /// Push the audit rows with seq above `after`, up to `upto` (the last
    /// when the round began).
    PushAudit { after: i64, upto: i64 },
    /// Pull everything after `after`.
    Pull { after: i64 },
    /// Take in the server's notices after `after`.
    PullNotices { after: i64 },
}

/// Push before pull, so that what the therapist wrote reaches the server
/// even if the pull is cut off; the audit rows right after the operations,
/// so that the server's copy of the log (docs/audit.md) is never held up
/// by a long pull. After a restore of the server, everything held and the
/// whole audit log are pushed and everything pulled again (the server
/// answers what it holds as duplicates, and this device skips what it
/// holds).
pub fn plan(mut local: Local, remote: Remote) -> Vec<Step> {
    let mut steps = Vec::new();
    let has_key = !remote.server_key.is_empty();
    match &local.server_key {
        _ if !has_key => {}
        None => steps.push(Step::PinServerKey {
            key: remote.server_key.clone(),
        }),
        Some(pinned) if *pinned != remote.server_key => return vec![Step::RefuseServer],
        Some(_) => {}
    }
    let epoch = remote.history_epoch;
    match local.history_epoch {
        _ if epoch.is_empty() => {}
        None => steps.push(Step::RememberEpoch { epoch }),
        Some(known) if known != epoch => {
            steps.push(Step::ServerRestored { epoch });
            local.held_push = true;
            local.audit_pushed_seq = 0;
            local.pull_cursor = 0;
            local.notice_cursor = 0;
        }
        Some(_) => {}
    }
    if local.held_push {
        steps.push(Step::PushHeld);
    } else if local.last_seq > local.pushed_seq {
        steps.push(Step::Push {
            from: local.pushed_seq + 1,
            to: local.last_seq,
        });
    }
    if local.audit_last_seq > local.audit_pushed_seq {
        steps.push(Step::PushAudit {
            after: local.audit_pushed_seq,
            upto: local.audit_last_seq,
        });
    }
    if remote.latest_server_seq > local.pull_cursor {
        steps.push(Step::Pull {
            after: local.pull_cursor,
        });
    }
    if has_key {
        steps.push(Step::PullNotices {
            after: local.notice_cursor,
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPOCH: &str = "4f1c";
    const KEY: &str = "5e7e";

    fn local(last_seq: u64, pushed_seq: u64, pull_cursor: i64) -> Local {
        Local {
            last_seq,
            pushed_seq,
            pull_cursor,
            audit_last_seq: 0,
            audit_pushed_seq: 0,
            history_epoch: Some(EPOCH.into()),
            held_push: false,
            server_key: None,
            notice_cursor: 0,
        }
    }

    fn remote(latest: i64) -> Remote {
        Remote {
            latest_server_seq: latest,
            history_epoch: EPOCH.into(),
            server_key: String::new(),
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
                Step::PushAudit { after: 8, upto: 12 },
                Step::Pull { after: 0 }
            ]
        );
    }

    #[test]
    fn a_restored_server_gets_everything_pushed_and_pulled_again() {
        let restored = Remote {
            history_epoch: "9a02".into(),
            ..remote(4)
        };
        let pushed_all = Local {
            audit_last_seq: 30,
            audit_pushed_seq: 30,
            ..local(7, 7, 9)
        };
        assert_eq!(
            plan(pushed_all, restored),
            vec![
                Step::ServerRestored {
                    epoch: "9a02".into()
                },
                Step::PushHeld,
                Step::PushAudit { after: 0, upto: 30 },
                Step::Pull { after: 0 }
            ]
        );
    }

    #[test]
    fn a_push_of_held_operations_cut_short_goes_on_in_the_next_round() {
        let cut = Local {
            held_push: true,
            ..local(7, 2, 0)
        };
        assert_eq!(
            plan(cut, remote(4)),
            vec![Step::PushHeld, Step::Pull { after: 0 }]
        );
    }

    #[test]
    fn the_first_epoch_seen_is_remembered_and_changes_nothing_else() {
        let first = Local {
            history_epoch: None,
            ..local(5, 5, 9)
        };
        assert_eq!(
            plan(first, remote(9)),
            vec![Step::RememberEpoch {
                epoch: EPOCH.into()
            }]
        );
        let old_server = Remote {
            history_epoch: String::new(),
            ..remote(9)
        };
        assert_eq!(
            plan(local(5, 5, 9), old_server),
            vec![],
            "a server without epochs"
        );
    }

    fn keyed(local: Local, notice_cursor: i64) -> Local {
        Local {
            server_key: Some(KEY.into()),
            notice_cursor,
            ..local
        }
    }

    fn with_key(remote: Remote, key: &str) -> Remote {
        Remote {
            server_key: key.into(),
            ..remote
        }
    }

    #[test]
    fn notices_are_taken_in_after_the_pull_every_round() {
        assert_eq!(
            plan(keyed(local(5, 5, 3), 2), with_key(remote(9), KEY)),
            vec![Step::Pull { after: 3 }, Step::PullNotices { after: 2 }]
        );
        assert_eq!(
            plan(keyed(local(5, 5, 9), 2), with_key(remote(9), KEY)),
            vec![Step::PullNotices { after: 2 }]
        );
    }

    #[test]
    fn a_device_enrolled_before_notices_pins_the_key_it_first_sees() {
        assert_eq!(
            plan(local(5, 5, 9), with_key(remote(9), KEY)),
            vec![
                Step::PinServerKey { key: KEY.into() },
                Step::PullNotices { after: 0 }
            ]
        );
    }

    #[test]
    fn another_server_key_stops_the_round_before_anything_is_sent() {
        assert_eq!(
            plan(keyed(local(7, 2, 0), 0), with_key(remote(9), "0bad")),
            vec![Step::RefuseServer]
        );
    }

    #[test]
    fn a_restored_server_sends_its_notices_again_from_the_start() {
        let restored = with_key(
            Remote {
                history_epoch: "9a02".into(),
                ..remote(4)
            },
            KEY,
        );
        assert_eq!(
            plan(keyed(local(7, 7, 9), 5), restored).last(),
            Some(&Step::PullNotices { after: 0 })
        );
    }
}
