//! Closed cases leaving the laptop and coming back (docs/retention.md).
//!
//! After a round, a closed case the server holds whole leaves once the
//! municipality's waiting time has run. It comes back from the server
//! when the therapist reopens it, or when an operation of the team names
//! it (a colleague reopened it): its operations are fetched, checked
//! against their authors' keys like any pulled page, and replayed. An
//! operation that names a purged case is dropped: the case is gone for
//! good, here as on the server.

use super::access::{locked, JournalAccess};
use super::local::{check_case, now_text, take_in, PullOutcome};
use super::{SyncError, Transport};
use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::leaving::{self, LeftCase, Readiness, Why};
use crate::replay::scope;
use crate::store;
use brygga_protocol::auth::Target;
use brygga_protocol::op::SignedOperation;
use rusqlite::TransactionBehavior;
use uuid::Uuid;

impl Journal {
    /// The closed cases that left this laptop, or were purged.
    pub fn left_cases(&self) -> Result<Vec<LeftCase>> {
        let cases = leaving::list(&self.conn)?;
        self.record(Event {
            action: Action::List,
            object_type: "left-cases",
            object_id: None,
            pupil_id: None,
            detail: format!("count={}", cases.len()),
        })?;
        Ok(cases)
    }

    /// Whether the case left this laptop: None when it is here (or was
    /// never), else `closed` or `purged`.
    pub fn case_has_left(&self, case_id: Uuid) -> Result<Option<String>> {
        Ok(
            leaving::left_case_of(&self.conn, case_id)?.map(|(_, why)| match why {
                Why::Closed => "closed".to_owned(),
                Why::Purged => "purged".to_owned(),
            }),
        )
    }

    /// Lets every closed case leave that may (see [`leaving::ready`]).
    /// Decided and done in one transaction, so that nothing another
    /// process writes in between can leave unpushed. Returns how many
    /// left.
    pub(crate) fn leave_closed_cases(&mut self) -> Result<u32> {
        let readiness = Readiness {
            own_device: self.device.id,
            pushed_seq: self.pushed_seq()?,
            held_push: self.held_cursor()?.is_some(),
            after_days: self.leave_after_days()?,
            now: crate::clock::now(),
        };
        let actor = (self.device.author.clone(), self.device.id.to_string());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ready = leaving::ready(&tx, &readiness)?;
        let left = ready.len() as u32;
        for (case_id, held) in ready {
            leaving::leave(&tx, (&actor.0, &actor.1), case_id, held, Why::Closed)?;
        }
        tx.commit()?;
        Ok(left)
    }

    /// The left cases that operations waiting here name (they are fetched
    /// back); the waiting operations of purged cases are dropped.
    pub(crate) fn cases_coming_back(&mut self) -> Result<Vec<Uuid>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let waiting: Vec<(String, String)> = tx
            .prepare(
                "SELECT o.op_id, o.body FROM unreplayed u JOIN oplog o ON o.op_id = u.op_id
                 WHERE NOT EXISTS (SELECT 1 FROM op_scopes s WHERE s.op_id = u.op_id)",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut back = Vec::new();
        for (op_id, body) in waiting {
            let Ok(signed) = serde_json::from_str::<SignedOperation>(&body) else {
                continue;
            };
            let named = match signed.op.payload.scope().target {
                Target::Case(id) => id,
                Target::Object(o) => o.id,
                Target::Pupil(_) | Target::NewPupil | Target::Team => continue,
            };
            match leaving::left_case_of(&tx, named)? {
                Some((case, Why::Purged)) => {
                    store::exec(
                        &tx,
                        "INSERT OR IGNORE INTO leaving (case_id) VALUES (?1)",
                        [case.to_string()],
                    )?;
                    store::exec(&tx, "DELETE FROM unreplayed WHERE op_id = ?1", [&op_id])?;
                    store::exec(&tx, "DELETE FROM oplog WHERE op_id = ?1", [&op_id])?;
                    store::exec(&tx, "DELETE FROM leaving", [])?;
                }
                Some((case, Why::Closed)) if !back.contains(&case) => back.push(case),
                _ => {}
            }
        }
        tx.commit()?;
        Ok(back)
    }

    /// Takes in a case fetched back: it is no longer one that left, its
    /// operations are logged (refused ones quarantined) and placed; the
    /// replay follows with the round's.
    pub(crate) fn take_back(
        &mut self,
        case_id: Uuid,
        checked: &super::local::CheckedPage,
    ) -> Result<PullOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        leaving::forget(&tx, case_id)?;
        let outcome = take_in(&tx, checked)?.outcome;
        scope::place_waiting(&tx)?;
        tx.commit()?;
        self.record_sync(format!(
            "case {case_id} fetched back from the server at {}: {} operations",
            now_text(),
            outcome.applied
        ))?;
        Ok(outcome)
    }

    /// Fetches a closed case that left this laptop back from the server,
    /// and replays it. A purged case is refused.
    pub fn fetch_case_back(
        &mut self,
        transport: &dyn Transport,
        case_id: Uuid,
    ) -> Result<PullOutcome, SyncError> {
        fetch_back(&super::access::Borrowed::new(self), transport, case_id)
    }

    /// Reopens a closed case with a signed operation. A case that left
    /// this laptop is fetched back first ([`Journal::fetch_case_back`]).
    pub fn reopen_case(&mut self, case_id: Uuid) -> Result<()> {
        match leaving::left_case_of(&self.conn, case_id)? {
            Some((_, Why::Purged)) => return Err(purged(case_id)),
            Some((_, Why::Closed)) => {
                return Err(Error::not_allowed(
                    ReasonCode::CaseLeftLaptop,
                    format!("case {case_id} left this laptop; fetch it back from the server first"),
                ))
            }
            None => {}
        }
        let pupil_id = self.pupil_of_case(&case_id)?;
        if self.case_status(case_id)? != "closed" {
            return Err(Error::not_allowed(
                ReasonCode::CaseNotClosed,
                format!("case {case_id} is open"),
            ));
        }
        self.commit_case_change(
            brygga_protocol::op::Payload::CaseReopened { case_id },
            Action::Reopen,
            pupil_id,
        )
    }
}

fn purged(case_id: Uuid) -> Error {
    Error::not_allowed(
        ReasonCode::CasePurged,
        format!("case {case_id} was purged under the municipality's retention rules"),
    )
}

/// Fetches one case back through `access`, holding the journal only to
/// read the keys and to take the operations in.
pub(crate) fn fetch_back(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    case_id: Uuid,
) -> Result<PullOutcome, SyncError> {
    if let Some(Why::Purged) =
        locked(access, |j| leaving::left_case_of(&j.conn, case_id))??.map(|(_, why)| why)
    {
        return Err(SyncError::Local(purged(case_id)));
    }
    let keys = locked(access, |j| j.pull_keys())??;
    let page = transport.case_ops(case_id)?;
    let checked = check_case(&keys, page);
    let outcome = locked(access, |j| j.take_back(case_id, &checked))??;
    let scopes = locked(access, |j| j.pending_scopes())??;
    locked(access, |j| {
        j.replay_scopes(&scopes, &mut Default::default())
    })??;
    Ok(outcome)
}

/// Fetches a left case back for the journal behind `access` from the
/// server it is enrolled with (the desktop app), then reopens it.
pub fn reopen_detached(access: &dyn JournalAccess, case_id: Uuid) -> Result<(), SyncError> {
    if locked(access, |j| j.case_has_left(case_id))??.is_some() {
        let transport = locked(access, |j| j.server_transport())??;
        fetch_back(access, &transport, case_id)?;
    }
    Ok(locked(access, |j| j.reopen_case(case_id))??)
}
