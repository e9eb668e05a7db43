//! The server's own notices: verified against the key pinned at enrolment
//! and taken in once each (docs/retention.md).
//!
//! A notice that does not verify, or is addressed to another team, is
//! quarantined with its reason and changes nothing: a server that is not
//! the one this laptop enrolled with, or someone who can write to the
//! server's database without its key, cannot make a laptop remove a case.
//! A programme template is checked again by the rules of the file format
//! (the server checked it before signing): one that breaks them is
//! quarantined too, so no therapist is offered a plan the format forbids,
//! whatever build of the server signed it.
//!
//! A notice this build cannot read (a type or field of a newer server) is
//! kept as it came, quarantined as `newer-notice`, and read again at every
//! later intake: once Brygga is updated it is checked and taken in like
//! any other. The rest of the answer, and the round, go on.

use super::local::{now_text, read_known};
use super::state;
use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::leaving::{self, Why};
use crate::store;
use brygga_protocol::notice::{self, NoticeBody, SignedNotice};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;
use serde_json::value::RawValue;

/// How many days after its last operation a closed case leaves a laptop
/// until the municipality says otherwise.
pub const DEFAULT_LEAVE_AFTER_DAYS: u32 = 30;

/// What became of one notice.
enum Verdict {
    Refused { code: &'static str, reason: String },
    Take,
}

fn judge(signed: &SignedNotice, key: &[u8], team: Option<&str>) -> Verdict {
    let id = signed.notice.id;
    if let Err(e) = notice::verify(signed, key) {
        return Verdict::Refused {
            code: "bad-notice",
            reason: format!(
                "the server's notice {id} does not verify against the key pinned at enrolment: {e}"
            ),
        };
    }
    if let (Some(to), Some(ours)) = (&signed.notice.team, team) {
        if to != ours {
            return Verdict::Refused {
                code: "other-team-notice",
                reason: format!("the server's notice {id} is for team {to}"),
            };
        }
    }
    if let NoticeBody::ProgrammeTemplate { template } = &signed.notice.body {
        if let Err(problem) = template.validate() {
            return Verdict::Refused {
                code: "bad-template-notice",
                reason: format!(
                    "the server's notice {id} holds a programme template that breaks the rules of \
                     the template format: {problem}"
                ),
            };
        }
    }
    Verdict::Take
}

impl Journal {
    /// Pins the server's notice key (a device enrolled before notices, at
    /// its first round with a server that has one).
    pub(crate) fn pin_server_key(&self, key: &str) -> Result<()> {
        state::set(&self.conn, state::SERVER_KEY, key)?;
        self.record_sync(format!("pinned the server's notice key {key}"))
    }

    /// Verifies and takes in one answer of notices (each as it came, by
    /// its `notice_seq`), with those that waited for a newer build, and
    /// moves the notice cursor to `next_cursor`, in one transaction.
    /// Returns how many were taken in.
    pub(crate) fn take_notices(
        &mut self,
        notices: &[(i64, Box<RawValue>)],
        next_cursor: i64,
    ) -> Result<u32> {
        let actor = (self.device.author.clone(), self.device.id.to_string());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = state::get(&tx, state::SERVER_KEY)?
            .and_then(|k| hex::decode(k).ok())
            .ok_or_else(|| Error::Damaged("no server key is pinned".into()))?;
        let intake = Intake {
            conn: &tx,
            key: &key,
            team: state::get(&tx, state::TEAM)?,
            actor: (&actor.0, &actor.1),
        };
        let mut taken = 0;
        for raw in waiting_for_newer_build(&tx)? {
            if let Some((signed, _)) = read_known::<SignedNotice>(&raw) {
                forget_waiting(&tx, &signed)?;
                taken += intake.take(&signed)?;
            }
        }
        for (_, raw) in notices {
            match read_known::<SignedNotice>(raw.get()) {
                Some((signed, _)) => taken += intake.take(&signed)?,
                None => keep_for_newer_build(&tx, raw.get())?,
            }
        }
        state::set(&tx, state::NOTICE_CURSOR, &next_cursor.to_string())?;
        tx.commit()?;
        Ok(taken)
    }

    /// How many days after its last operation a closed case leaves this
    /// laptop, as the municipality last said.
    pub(crate) fn leave_after_days(&self) -> Result<u32> {
        Ok(state::get(&self.conn, state::LEAVE_AFTER_DAYS)?
            .and_then(|d| d.parse().ok())
            .unwrap_or(DEFAULT_LEAVE_AFTER_DAYS))
    }

    /// Every notice taken in verifies against the pinned server key (the
    /// replay check, and `brygga audit verify`).
    pub(crate) fn verify_notices(&self) -> Result<()> {
        let bodies: Vec<String> = self
            .conn
            .prepare("SELECT body FROM notices ORDER BY notice_id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if bodies.is_empty() {
            return Ok(());
        }
        let key = state::get(&self.conn, state::SERVER_KEY)?
            .and_then(|k| hex::decode(k).ok())
            .ok_or_else(|| Error::Damaged("notices are kept but no server key is pinned".into()))?;
        for body in bodies {
            let signed: SignedNotice = serde_json::from_str(&body)
                .map_err(|e| Error::Damaged(format!("unreadable notice in the journal: {e}")))?;
            notice::verify(&signed, &key).map_err(|e| {
                Error::Damaged(format!("notice {} fails its check: {e}", signed.notice.id))
            })?;
        }
        Ok(())
    }
}

/// What taking in a notice needs: the transaction, the pinned key, this
/// laptop's team and who the journal records as acting.
struct Intake<'a> {
    conn: &'a Connection,
    key: &'a [u8],
    team: Option<String>,
    actor: (&'a str, &'a str),
}

impl Intake<'_> {
    /// Takes in one notice read by this build, once: 1 when it was taken,
    /// 0 when it was taken before or is quarantined now.
    fn take(&self, signed: &SignedNotice) -> Result<u32> {
        if is_taken(self.conn, signed)? {
            return Ok(0);
        }
        match judge(signed, self.key, self.team.as_deref()) {
            Verdict::Refused { code, reason } => {
                quarantine(self.conn, signed, code, reason)?;
                Ok(0)
            }
            Verdict::Take => {
                apply(self.conn, self.actor, &signed.notice.body)?;
                keep(self.conn, signed)?;
                Ok(1)
            }
        }
    }
}

/// The code of a notice kept for a newer build.
const NEWER_NOTICE: &str = "newer-notice";

/// Keeps a notice this build cannot read, as it came, until one can: its
/// id and type are read loosely, for the quarantine list.
fn keep_for_newer_build(conn: &Connection, raw: &str) -> Result<()> {
    let value: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
    let id = value["notice"]["id"]
        .as_str()
        .unwrap_or("unknown")
        .to_owned();
    let kind = value["notice"]["body"]["type"]
        .as_str()
        .unwrap_or("unknown");
    state::quarantine(
        conn,
        &state::Quarantined {
            op_id: id.clone(),
            direction: "pull",
            body: raw.to_owned(),
            code: NEWER_NOTICE,
            params: json!({ "notice": id, "type": kind }),
            reason: format!(
                "the server's notice {id} ({kind}) is of a newer build than this one; \
                 it is kept and taken in once Brygga is updated"
            ),
            at: &now_text(),
        },
    )
}

/// The notices kept for a newer build, oldest first.
fn waiting_for_newer_build(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT body FROM quarantine WHERE direction = 'pull' AND code = ?1 ORDER BY at, op_id",
        )?
        .query_map([NEWER_NOTICE], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

fn forget_waiting(conn: &Connection, signed: &SignedNotice) -> Result<()> {
    store::exec(
        conn,
        "DELETE FROM quarantine WHERE op_id = ?1 AND direction = 'pull' AND code = ?2",
        params![signed.notice.id.to_string(), NEWER_NOTICE],
    )?;
    Ok(())
}

fn is_taken(conn: &Connection, signed: &SignedNotice) -> Result<bool> {
    Ok(store::row(
        conn,
        "SELECT 1 FROM notices WHERE notice_id = ?1",
        [signed.notice.id.to_string()],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

fn apply(conn: &Connection, actor: (&str, &str), body: &NoticeBody) -> Result<()> {
    match body {
        NoticeBody::CasePurged { case_id } => match leaving::held(conn, *case_id)? {
            Some(held) => leaving::leave(conn, actor, *case_id, held, Why::Purged),
            None => leaving::mark_purged(conn, *case_id).map(|_| ()),
        },
        NoticeBody::RetentionSettings {
            case_leaves_laptop_after_days,
        } => state::set(
            conn,
            state::LEAVE_AFTER_DAYS,
            &case_leaves_laptop_after_days.to_string(),
        ),
        // Read from the kept notice itself (crate::municipality): keeping
        // it is all there is to do.
        NoticeBody::LadderSteps { .. }
        | NoticeBody::AbsenceThresholds { .. }
        | NoticeBody::ProgrammeTemplate { .. } => Ok(()),
    }
}

fn keep(conn: &Connection, signed: &SignedNotice) -> Result<()> {
    store::exec(
        conn,
        "INSERT INTO notices (notice_id, type, body, received_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            signed.notice.id.to_string(),
            signed.notice.body.type_name(),
            serde_json::to_string(signed).expect("a notice serialises"),
            now_text()
        ],
    )?;
    Ok(())
}

fn quarantine(
    conn: &Connection,
    signed: &SignedNotice,
    code: &'static str,
    reason: String,
) -> Result<()> {
    state::quarantine(
        conn,
        &state::Quarantined {
            op_id: signed.notice.id.to_string(),
            direction: "pull",
            body: serde_json::to_string(signed).expect("a notice serialises"),
            code,
            params: json!({ "notice": signed.notice.id, "type": signed.notice.body.type_name() }),
            reason,
            at: &now_text(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{journal, keypair, notice, pin, pulled, pupil};
    use crate::Journal;
    use ring::signature::Ed25519KeyPair;
    use uuid::Uuid;

    /// A journal of team "Team Norr" that pinned `server`'s key, with a
    /// closed case.
    fn enrolled(server: &Ed25519KeyPair) -> (tempfile::TempDir, Journal, Uuid) {
        let (dir, mut j) = journal();
        pin(&j, server);
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        j.close_case(case).expect("close");
        (dir, j, case)
    }

    fn cases(j: &Journal) -> usize {
        j.list_cases(true).expect("cases").len()
    }

    #[test]
    fn only_a_notice_signed_by_the_pinned_key_for_this_team_is_taken() {
        let server = keypair();
        let (_dir, mut j, case) = enrolled(&server);
        let purge = NoticeBody::CasePurged { case_id: case };
        let forged = notice::sign(notice(Some("Team Norr"), purge.clone()), &keypair());
        let elsewhere = notice::sign(notice(Some("Team Syd"), purge.clone()), &server);
        let taken = j
            .take_notices(&[pulled(1, forged), pulled(2, elsewhere)], 2)
            .expect("take");
        assert_eq!(taken, 0);
        assert_eq!(cases(&j), 1, "the case stays");
        let codes: Vec<String> = j
            .sync_status()
            .expect("status")
            .quarantined
            .into_iter()
            .map(|q| format!("{}:{}", q.code, q.op_type))
            .collect();
        assert_eq!(
            codes.len(),
            2,
            "both are quarantined with their reasons: {codes:?}"
        );
        assert!(
            codes.contains(&"bad-notice:case-purged".to_owned()),
            "{codes:?}"
        );
        assert!(
            codes.contains(&"other-team-notice:case-purged".to_owned()),
            "{codes:?}"
        );

        let genuine = notice::sign(notice(Some("Team Norr"), purge), &server);
        let again = genuine.clone();
        assert_eq!(j.take_notices(&[pulled(3, genuine)], 3).expect("take"), 1);
        assert_eq!(j.take_notices(&[pulled(3, again)], 3).expect("again"), 0);
        assert_eq!(cases(&j), 0, "the purged case is gone");
        let left = j.left_cases().expect("left");
        assert_eq!(left[0].reason, "purged");
        let err = j.reopen_case(case).expect_err("purged for good");
        assert!(err.to_string().contains("purged"), "{err}");
        j.check_replay()
            .expect("the log, tables and notices verify");
        assert_eq!(
            state::get_number(&j.conn, state::NOTICE_CURSOR).expect("cursor"),
            3
        );
    }

    /// `signed` as a newer server would send it: `change` edits its JSON.
    fn newer(
        seq: i64,
        signed: &SignedNotice,
        change: impl Fn(&mut serde_json::Value),
    ) -> (i64, Box<RawValue>) {
        let mut value = serde_json::to_value(signed).expect("JSON");
        change(&mut value);
        (seq, RawValue::from_string(value.to_string()).expect("JSON"))
    }

    fn quarantined(j: &Journal) -> Vec<(String, String)> {
        let status = j.sync_status().expect("status");
        status
            .quarantined
            .into_iter()
            .map(|q| (q.code, q.op_type))
            .collect()
    }

    #[test]
    fn a_notice_of_a_newer_build_waits_and_the_rest_of_the_answer_is_taken() {
        let server = keypair();
        let (_dir, mut j, case) = enrolled(&server);
        // Two notices of their own (a notice id is quarantined once).
        let settings = || {
            notice::sign(
                notice(
                    None,
                    NoticeBody::RetentionSettings {
                        case_leaves_laptop_after_days: 7,
                    },
                ),
                &server,
            )
        };
        let unknown_type = newer(1, &settings(), |v| {
            v["notice"]["body"] = json!({ "type": "school-holidays", "weeks": [44, 52] });
        });
        let extra_field = newer(2, &settings(), |v| {
            v["notice"]["body"]["notify_guardians"] = json!(true)
        });
        let purge = notice::sign(
            notice(Some("Team Norr"), NoticeBody::CasePurged { case_id: case }),
            &server,
        );
        let taken = j
            .take_notices(&[unknown_type, extra_field, pulled(3, purge)], 3)
            .expect("the answer is read although two notices are not");
        assert_eq!(taken, 1);
        assert_eq!(cases(&j), 0, "the purge after them was taken in");
        assert_eq!(
            j.leave_after_days().expect("days"),
            DEFAULT_LEAVE_AFTER_DAYS,
            "a notice read with a field dropped is not taken in as something else"
        );
        assert_eq!(
            quarantined(&j),
            [
                (NEWER_NOTICE.to_owned(), "school-holidays".to_owned()),
                (NEWER_NOTICE.to_owned(), "retention-settings".to_owned())
            ]
        );
        assert_eq!(
            state::get_number(&j.conn, state::NOTICE_CURSOR).expect("cursor"),
            3
        );
        j.check_replay().expect("what was taken verifies");
    }

    #[test]
    fn a_notice_kept_for_a_newer_build_is_taken_in_once_the_build_reads_it() {
        let server = keypair();
        let (_dir, mut j, case) = enrolled(&server);
        let purge = notice::sign(
            notice(Some("Team Norr"), NoticeBody::CasePurged { case_id: case }),
            &server,
        );
        // Kept by an older build, which could not read it.
        keep_for_newer_build(&j.conn, &serde_json::to_string(&purge).expect("JSON")).expect("keep");
        assert_eq!(quarantined(&j).len(), 1);
        assert_eq!(
            j.take_notices(&[], 0).expect("take"),
            1,
            "read again at the next intake"
        );
        assert_eq!(cases(&j), 0);
        assert!(quarantined(&j).is_empty(), "no longer waiting");
        assert_eq!(
            j.take_notices(&[pulled(1, purge)], 1).expect("again"),
            0,
            "taken once"
        );
    }

    #[test]
    fn the_waiting_time_is_the_municipalitys_and_a_kept_notice_is_checked_again() {
        let server = keypair();
        let (_dir, mut j, _) = enrolled(&server);
        assert_eq!(
            j.leave_after_days().expect("days"),
            DEFAULT_LEAVE_AFTER_DAYS
        );
        let settings = NoticeBody::RetentionSettings {
            case_leaves_laptop_after_days: 7,
        };
        let signed = notice::sign(notice(None, settings), &server);
        j.take_notices(&[pulled(1, signed)], 1).expect("take");
        assert_eq!(j.leave_after_days().expect("days"), 7);
        j.check_replay().expect("verifies");
        store::exec(
            &j.conn,
            "UPDATE notices SET body = replace(body, '\"case_leaves_laptop_after_days\":7', '\"case_leaves_laptop_after_days\":0')",
            [],
        )
        .expect("tamper");
        let err = j.check_replay().expect_err("an altered notice fails");
        assert!(err.to_string().contains("fails its check"), "{err}");
    }
}
