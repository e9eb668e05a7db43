//! Revising a plan: a new version of it (docs/meetings.md,
//! docs/adr/0032-well-prepared-meetings.md). Each version is an operation
//! of the log ([`Payload::PlanCreated`], then [`Payload::PlanRevised`]), and
//! the log is where the versions are read: every one stays readable, on
//! every laptop the same, numbered in the order of replay.

use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::form_rules::{self, Form};
use crate::journal::Journal;
use crate::key_persons::OWNER_FIELD;
use crate::plans::{plan_action, NewAction, NewPlan};
use brygga_protocol::op::{Payload, PlanAction};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

/// An action of a revised plan: `id` names an action the plan has (its
/// status, schedule and results go with it), none makes a new one.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RevisedAction {
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub id: Option<Uuid>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub action: NewAction,
}

/// A plan as it is to stand from now on. An action of the plan that is
/// not named is carried over as it is: a revision removes no action (one
/// no longer wanted is cancelled).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanRevision {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub plan_id: Uuid,
    pub needs: String,
    pub goals: Vec<String>,
    pub lead_party: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub follow_up_on: NaiveDate,
    pub actions: Vec<RevisedAction>,
}

/// One action as a version of its plan had it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VersionAction {
    pub id: String,
    pub who: String,
    pub what: String,
    pub due_on: Option<String>,
}

/// One version of a plan, as it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanVersionView {
    /// 1 for the plan as created, then 2, 3, … in the order of replay.
    pub number: u32,
    /// The operation that wrote it.
    pub op_id: String,
    pub written_at: String,
    pub author: String,
    /// The version it revised (none for the first).
    pub revises: Option<u32>,
    /// Made without having seen the version before it: two revisions at
    /// once. Both are kept; the later in the order shows, and a new
    /// revision settles it.
    pub concurrent: bool,
    pub needs: String,
    pub goals: Vec<String>,
    pub lead_party: String,
    pub follow_up_on: String,
    pub actions: Vec<VersionAction>,
}

fn version_actions<'a>(actions: impl Iterator<Item = &'a PlanAction>) -> Vec<VersionAction> {
    actions
        .map(|a| VersionAction {
            id: a.action_id.to_string(),
            who: a.who.clone(),
            what: a.what.clone(),
            due_on: a.due_on.map(|d| d.to_string()),
        })
        .collect()
}

/// Blank goals left out, each one trimmed, as the plan form does.
fn kept_goals(goals: &[String]) -> Vec<String> {
    goals
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Journal {
    /// The versions of a plan, oldest first.
    pub fn plan_versions(&self, plan_id: Uuid) -> Result<Vec<PlanVersionView>> {
        let versions = self.versions_of(&plan_id)?;
        if versions.is_empty() {
            return Err(Error::not_found("plan", plan_id));
        }
        let case_id = self.case_of_plan(&plan_id)?;
        self.record(Event {
            action: Action::Read,
            object_type: "plan-versions",
            object_id: Some(plan_id.to_string()),
            pupil_id: Some(self.pupil_of_case(&case_id)?),
            detail: format!("{} versions", versions.len()),
        })?;
        Ok(versions)
    }

    /// [`Journal::plan_versions`] without its audit row: the plan's
    /// operations in the log that replay applied, in its order.
    pub(crate) fn versions_of(&self, plan_id: &Uuid) -> Result<Vec<PlanVersionView>> {
        let ops = self.query_ops(
            "SELECT body FROM oplog o
             WHERE o.type IN ('plan-created', 'plan-revised')
               AND json_extract(o.body, '$.op.payload.plan_id') = ?1
               AND NOT EXISTS (SELECT 1 FROM replay_rejections r WHERE r.op_id = o.op_id)
             ORDER BY o.hlc, o.device_id, o.seq",
            [plan_id.to_string()],
        )?;
        let mut versions: Vec<PlanVersionView> = Vec::with_capacity(ops.len());
        for signed in ops {
            let op = signed.op;
            if let Some(mut version) = version_of(op.payload, &versions) {
                version.op_id = op.id.to_string();
                version.written_at = crate::replay::op_time(op.hlc);
                version.author = op.author;
                versions.push(version);
            }
        }
        Ok(versions)
    }

    /// Writes a new version of a plan of an open case.
    pub fn revise_plan(&mut self, revision: PlanRevision) -> Result<()> {
        let plan_id = revision.plan_id;
        let case_id = self.case_of_plan(&plan_id)?;
        let mut checked = NewPlan {
            case_id,
            needs: revision.needs.clone(),
            goals: revision.goals.clone(),
            lead_party: revision.lead_party.clone(),
            follow_up_on: revision.follow_up_on,
            actions: revision.actions.iter().map(|a| a.action.clone()).collect(),
        };
        let owners: Vec<Uuid> = self
            .actions_as_they_stand(&plan_id)?
            .into_iter()
            .filter_map(|(_, a)| a.contact_id)
            .collect();
        self.name_owners(&mut checked.actions, &owners)?;
        form_rules::check(Form::Plan, &checked.form_values())?;
        self.ensure_case_open(&case_id)?;
        let versions = self.versions_of(&plan_id)?;
        let current = versions
            .last()
            .ok_or_else(|| Error::not_found("plan", plan_id))?;
        let (actions, new_actions) = self.revised_actions(&plan_id, &revision, &checked)?;
        let payload = Payload::PlanRevised {
            plan_id,
            replaces: Uuid::parse_str(&current.op_id)
                .map_err(|_| Error::Damaged(format!("plan {plan_id} has a bad version id")))?,
            needs: revision.needs.trim().to_owned(),
            goals: kept_goals(&revision.goals),
            lead_party: revision.lead_party.trim().to_owned(),
            follow_up_on: revision.follow_up_on,
            actions,
            new_actions,
        };
        let revised = version_of(payload.clone(), &versions);
        if revised.is_some_and(|r| unchanged(current, &r)) {
            return Err(Error::invalid(
                ReasonCode::PlanRevisionUnchanged,
                format!(
                    "the revision of plan {plan_id} changes nothing; it stays at version {}",
                    current.number
                ),
            ));
        }
        self.commit(
            payload,
            Event {
                action: Action::Update,
                object_type: "plan",
                object_id: Some(plan_id.to_string()),
                pupil_id: Some(self.pupil_of_case(&case_id)?),
                detail: format!("version {}", versions.len() + 1),
            },
        )?;
        Ok(())
    }

    /// The actions of a revision: those it names by id and then the rest
    /// of the plan's, carried over; then the new ones (blank rows left
    /// out, as the form says).
    fn revised_actions(
        &self,
        plan_id: &Uuid,
        revision: &PlanRevision,
        checked: &NewPlan,
    ) -> Result<(Vec<PlanAction>, Vec<PlanAction>)> {
        let existing = self.action_ids_of(plan_id)?;
        let mut carried = Vec::new();
        let mut new_actions = Vec::new();
        for (a, values) in revision.actions.iter().zip(&checked.actions) {
            match a.id {
                Some(id) if !existing.contains(&id) => {
                    return Err(Error::invalid(
                        ReasonCode::PlanRevisionActionUnknown,
                        format!("action {id} is not an action of plan {plan_id}"),
                    )
                    .with("action", id.to_string()))
                }
                Some(id) if carried.iter().any(|c: &PlanAction| c.action_id == id) => {
                    return Err(Error::invalid(
                        ReasonCode::PlanRevisionActionUnknown,
                        format!("action {id} is named twice in the revision of plan {plan_id}"),
                    )
                    .with("action", id.to_string()))
                }
                Some(id) => carried.push(plan_action(id, values)),
                None if form_rules::row_blank(&values.form_values()) => {}
                None => new_actions.push(plan_action(Uuid::now_v7(), values)),
            }
        }
        for (id, kept) in self.actions_as_they_stand(plan_id)? {
            if !carried.iter().any(|c| c.action_id == id) {
                carried.push(kept);
            }
        }
        Ok((carried, new_actions))
    }

    /// The plan's actions as they stand, in order, by id.
    fn actions_as_they_stand(&self, plan_id: &Uuid) -> Result<Vec<(Uuid, PlanAction)>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.who, a.what, a.due_on, o.value FROM plan_actions a
             LEFT JOIN mutable_fields o ON o.object_type = 'plan-action'
                  AND o.object_id = a.id AND o.field = ?2
             WHERE a.plan_id = ?1 ORDER BY a.position, a.id",
        )?;
        let rows = stmt
            .query_map([plan_id.to_string(), OWNER_FIELD.to_owned()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, who, what, due_on, owner)| {
                let action_id = Uuid::parse_str(&id)
                    .map_err(|_| Error::Damaged(format!("plan action {id} has a bad id")))?;
                Ok((
                    action_id,
                    PlanAction {
                        action_id,
                        who,
                        contact_id: owner.and_then(|o| Uuid::parse_str(&o).ok()),
                        what,
                        due_on: due_on.and_then(|d| d.parse().ok()),
                    },
                ))
            })
            .collect()
    }

    fn action_ids_of(&self, plan_id: &Uuid) -> Result<Vec<Uuid>> {
        Ok(self
            .actions_as_they_stand(plan_id)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }
}

/// The version a plan operation writes after the `earlier` ones, without
/// the operation's own id, time and author; None for any other operation.
fn version_of(payload: Payload, earlier: &[PlanVersionView]) -> Option<PlanVersionView> {
    let (replaces, needs, goals, lead_party, follow_up_on, actions) = match payload {
        Payload::PlanCreated {
            needs,
            goals,
            lead_party,
            follow_up_on,
            actions,
            ..
        } => (None, needs, goals, lead_party, follow_up_on, actions),
        Payload::PlanRevised {
            replaces,
            needs,
            goals,
            lead_party,
            follow_up_on,
            mut actions,
            new_actions,
            ..
        } => {
            actions.extend(new_actions);
            (
                Some(replaces),
                needs,
                goals,
                lead_party,
                follow_up_on,
                actions,
            )
        }
        _ => return None,
    };
    let number = earlier.len() as u32 + 1;
    // For a revision: the number of the version it names, if that is one.
    let revises = replaces.map(|r| {
        earlier
            .iter()
            .find(|v| v.op_id == r.to_string())
            .map(|v| v.number)
    });
    Some(PlanVersionView {
        number,
        op_id: String::new(),
        written_at: String::new(),
        author: String::new(),
        revises: revises.flatten(),
        concurrent: revises.is_some_and(|r| r != Some(number - 1)),
        needs,
        goals,
        lead_party,
        follow_up_on: follow_up_on.to_string(),
        actions: version_actions(actions.iter()),
    })
}

/// Whether a revision would write the version that stands again.
fn unchanged(current: &PlanVersionView, revised: &PlanVersionView) -> bool {
    revised.needs == current.needs
        && revised.goals == current.goals
        && revised.lead_party == current.lead_party
        && revised.follow_up_on == current.follow_up_on
        && revised.actions == current.actions
}
