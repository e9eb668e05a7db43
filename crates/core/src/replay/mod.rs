//! Materialising operations into tables.
//!
//! The journal tables are a function of the *set* of operations in the op
//! log: every device replays them in one total order, (hlc, device_id,
//! seq), one pupil's scope at a time ([`scope`]). [`apply`] is the only
//! code that writes the journal tables; it uses nothing but the operation
//! and the tables (no clock, no device state), so the same operations in
//! the same order give the same tables everywhere. An operation that
//! arrives late is not applied on top: its scope is replayed again with it
//! in its place. [`dump`] is the canonical form two devices compare.
//!
//! In that order, last writer wins is simply "the later operation wins";
//! what the loser wrote is kept in `field_conflicts` when the two had not
//! seen each other ([`lww`]). A signature names the content it signs, so
//! no edit can change a signed entry ([`entries`]).

mod contacts;
mod deviations;
mod disclosures;
mod entries;
mod followups;
pub(crate) mod index;
mod ladder;
pub(crate) mod lww;
mod plans;
mod programme;
mod pupils;
pub(crate) mod scope;

pub(crate) mod dump;

use crate::error::{Error, Result};
use crate::{schedules, store};
use brygga_protocol::hlc::Hlc;
use brygga_protocol::op::{Operation, Payload};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

pub(crate) use dump::{check, dump};
pub(crate) use entries::{
    version_content, AFTER_SIGNATURE, FIELD as ENTRY_FIELD, OBJECT as ENTRY_OBJECT,
};

/// The time an operation was made, as stored in `*_at` columns.
pub(crate) fn op_time(hlc: Hlc) -> String {
    DateTime::<Utc>::from_timestamp_millis(hlc.wall_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// [`op_time`] of an HLC as stored (its sortable text); the text itself if
/// it does not read as one.
pub(crate) fn stored_op_time(hlc: String) -> String {
    Hlc::from_sortable(&hlc).map(op_time).unwrap_or(hlc)
}

pub(crate) fn utc(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Applies one operation, in its place in the total order of its scope.
pub(crate) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    let at = op_time(op.hlc);
    let who = op.author.as_str();
    match &op.payload {
        Payload::PupilRegistered { .. } => pupils::register(conn, op),
        Payload::CaseOpened { case_id, pupil_id } => {
            let pupil = pupils::resolve(conn, pupil_id)?;
            store::exec(
                conn,
                "INSERT INTO cases (id, pupil_id, status, opened_at, opened_by)
                 VALUES (?1, ?2, 'open', ?3, ?4)",
                params![case_id.to_string(), pupil, at, who],
            )?;
            Ok(())
        }
        // Closing twice (two laptops at once) closes once: the first stands.
        Payload::CaseClosed { case_id } => {
            ensure_exists(conn, "cases", "case", case_id)?;
            store::exec(conn,
                "UPDATE cases SET status = 'closed', closed_at = ?2 WHERE id = ?1 AND status = 'open'",
                params![case_id.to_string(), at],
            )?;
            Ok(())
        }
        // Reopening an open case (two laptops at once) changes nothing.
        Payload::CaseReopened { case_id } => {
            ensure_exists(conn, "cases", "case", case_id)?;
            store::exec(
                conn,
                "UPDATE cases SET status = 'open', closed_at = NULL WHERE id = ?1 AND status = 'closed'",
                [case_id.to_string()],
            )?;
            Ok(())
        }
        Payload::GuardianAdded {
            guardian_id,
            case_id,
            name,
            relation,
        } => {
            store::exec(
                conn,
                "INSERT INTO guardians (id, case_id, name, relation) VALUES (?1, ?2, ?3, ?4)",
                params![guardian_id.to_string(), case_id.to_string(), name, relation],
            )?;
            Ok(())
        }
        Payload::GuardianFieldSet {
            guardian_id,
            field,
            value,
            replaces,
        } => {
            ensure_exists(conn, "guardians", "guardian", guardian_id)?;
            lww::set_field(
                conn,
                op,
                lww::Field::new("guardian", guardian_id, field.as_str()),
                value,
                *replaces,
            )
        }
        Payload::ConsentRecorded {
            consent_id,
            case_id,
            guardian_id,
            scope,
            recipient,
            purpose,
            form,
            given_on,
            valid_until,
        } => {
            let form = serde_json::to_value(form)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            store::exec(
                conn,
                "INSERT INTO consents (id, case_id, guardian_id, scope, recipient, purpose, form,
                                       given_on, valid_until, recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    consent_id.to_string(),
                    case_id.to_string(),
                    guardian_id.map(|g| g.to_string()),
                    scope,
                    recipient,
                    purpose,
                    form,
                    given_on.to_string(),
                    valid_until.map(|d| d.to_string()),
                    at,
                    who
                ],
            )?;
            Ok(())
        }
        // Withdrawn twice (two laptops at once) is withdrawn once: the
        // first withdrawal's date stands.
        Payload::ConsentWithdrawn {
            consent_id,
            withdrawn_on,
        } => {
            ensure_exists(conn, "consents", "consent", consent_id)?;
            store::exec(
                conn,
                "UPDATE consents SET withdrawn_on = ?2 WHERE id = ?1 AND withdrawn_on IS NULL",
                params![consent_id.to_string(), withdrawn_on.to_string()],
            )?;
            Ok(())
        }
        Payload::EntryDrafted {
            entry_id,
            case_id,
            content,
        } => entries::draft(conn, op, entry_id, case_id, content),
        Payload::DraftEdited {
            entry_id,
            content,
            replaces,
        } => entries::edit(conn, op, entry_id, content, *replaces),
        Payload::EntrySigned {
            entry_id,
            content_hash,
        } => entries::sign(conn, op, entry_id, content_hash.as_deref()),
        Payload::EntryCorrected {
            correction_id,
            entry_id,
            text,
            reason,
        } => entries::correct(conn, op, correction_id, entry_id, text, reason),
        Payload::PlanCreated { .. } | Payload::PlanRevised { .. } => plans::apply(conn, op),
        Payload::PlanActionStatusSet {
            action_id,
            status,
            replaces,
        } => {
            ensure_exists(conn, "plan_actions", "plan action", action_id)?;
            lww::set_field(
                conn,
                op,
                lww::Field::new("plan-action", action_id, "status"),
                status.as_str(),
                *replaces,
            )
        }
        Payload::ConcernReported {
            report_id,
            case_id,
            reported_at,
            to_whom,
            by_whom,
            summary,
        } => {
            store::exec(
                conn,
                "INSERT INTO concern_reports (id, case_id, reported_at, to_whom, by_whom, summary,
                                              recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    report_id.to_string(),
                    case_id.to_string(),
                    utc(reported_at),
                    to_whom,
                    by_whom,
                    summary,
                    at,
                    who
                ],
            )?;
            Ok(())
        }
        Payload::AbsenceWeekRecorded { .. } => lww::record_absence_week(conn, op),
        Payload::LadderStepSet { .. } | Payload::LadderNextPlanned { .. } => {
            ladder::apply(conn, op)
        }
        Payload::ActionScheduled {
            action_id,
            days,
            time,
            replaces,
        } => {
            ensure_exists(conn, "plan_actions", "plan action", action_id)?;
            lww::set_field(
                conn,
                op,
                lww::Field::new("plan-action", action_id, schedules::FIELD),
                &schedules::value(days, time),
                *replaces,
            )
        }
        Payload::FollowupCreated { .. } | Payload::FollowupDone { .. } => {
            followups::apply(conn, op, &at)
        }
        Payload::ProgrammeStarted { .. } | Payload::ProgrammeReturnPlanned { .. } => {
            programme::apply(conn, op)
        }
        Payload::ContactAdded { .. }
        | Payload::ContactChanged { .. }
        | Payload::ContactLeftRole { .. } => contacts::apply(conn, op),
        Payload::DeviationRecorded { .. } | Payload::DeviationStatusSet { .. } => {
            deviations::apply(conn, op)
        }
        Payload::DisclosureRecorded { .. } => disclosures::apply(conn, op),
        Payload::ConflictResolved {
            subject,
            chosen,
            resolves,
        } => lww::resolve(conn, op, subject, *chosen, resolves),
    }
}

pub(crate) fn ensure_exists(
    conn: &Connection,
    table: &str,
    what: &'static str,
    id: &Uuid,
) -> Result<()> {
    let found: Option<i64> = store::row(
        conn,
        &format!("SELECT 1 FROM {table} WHERE id = ?1"),
        [id.to_string()],
        |r| r.get(0),
    )
    .optional()?;
    found.map(|_| ()).ok_or_else(|| Error::not_found(what, id))
}

#[cfg(test)]
mod tests;
