//! Collaboration plans (samverkansplan / SIP).

use crate::audit::{Action, Event};
use crate::error::{Error, Result};
use crate::form_rules::{self, Form, Value, Values};
use crate::journal::Journal;
use crate::schedules::{self, Schedule};
use crate::views::{ActionView, PlanView};
use brygga_protocol::op::{ActionStatus, Payload, PlanAction};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// One action of a plan: who does what, by when (YYYY-MM-DD).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewAction {
    /// Who does it, typed; the key person's name when `contact_id` is
    /// given (what is typed then is not used).
    pub who: String,
    /// The team's key person who does it (docs/contacts.md).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub contact_id: Option<Uuid>,
    pub what: String,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub due_on: Option<NaiveDate>,
}

/// A collaboration plan (samverkansplan).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewPlan {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    pub needs: String,
    /// Measurable goals, one per item.
    pub goals: Vec<String>,
    pub lead_party: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub follow_up_on: NaiveDate,
    pub actions: Vec<NewAction>,
}

impl NewAction {
    pub(crate) fn form_values(&self) -> Values<'_> {
        vec![
            ("who", Value::Text(&self.who)),
            ("what", Value::Text(&self.what)),
            ("due_on", Value::Date(self.due_on)),
        ]
    }
}

impl NewPlan {
    /// The values [`form_rules`] checks.
    pub(crate) fn form_values(&self) -> Values<'_> {
        vec![
            ("needs", Value::Text(&self.needs)),
            ("goals", Value::Items(&self.goals)),
            ("lead_party", Value::Text(&self.lead_party)),
            ("follow_up_on", Value::Date(Some(self.follow_up_on))),
            (
                "actions",
                Value::Rows(self.actions.iter().map(NewAction::form_values).collect()),
            ),
        ]
    }
}

impl Journal {
    pub fn create_plan(&mut self, mut new: NewPlan) -> Result<Uuid> {
        self.name_owners(&mut new.actions, &[])?;
        form_rules::check(Form::Plan, &new.form_values())?;
        self.ensure_case_open(&new.case_id)?;
        let pupil_id = self.pupil_of_case(&new.case_id)?;
        // As the form's rules say: blank goals and blank rows are left out.
        let goals = new
            .goals
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        let actions = new
            .actions
            .iter()
            .filter(|a| !form_rules::row_blank(&a.form_values()))
            .map(|a| plan_action(Uuid::now_v7(), a))
            .collect();
        let plan_id = Uuid::now_v7();
        self.commit(
            Payload::PlanCreated {
                plan_id,
                case_id: new.case_id,
                needs: new.needs.trim().to_owned(),
                goals,
                lead_party: new.lead_party.trim().to_owned(),
                follow_up_on: new.follow_up_on,
                actions,
            },
            Event {
                action: Action::Create,
                object_type: "plan",
                object_id: Some(plan_id.to_string()),
                pupil_id: Some(pupil_id),
                detail: String::new(),
            },
        )?;
        Ok(plan_id)
    }

    /// The case of a plan.
    pub(crate) fn case_of_plan(&self, plan_id: &Uuid) -> Result<Uuid> {
        self.case_of("SELECT case_id FROM plans WHERE id = ?1", "plan", plan_id)
    }

    /// The case of a plan action.
    pub(crate) fn case_of_action(&self, action_id: &Uuid) -> Result<Uuid> {
        self.case_of(
            "SELECT p.case_id FROM plan_actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = ?1",
            "plan action",
            action_id,
        )
    }

    /// The case `sql` finds for the object `what` `id`.
    fn case_of(&self, sql: &str, what: &'static str, id: &Uuid) -> Result<Uuid> {
        let case_id: String = self
            .conn
            .query_row(sql, [id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::not_found(what, id))?;
        Uuid::parse_str(&case_id)
            .map_err(|_| Error::Damaged(format!("{what} {id} has a bad case id")))
    }

    pub fn set_action_status(&mut self, action_id: Uuid, status: ActionStatus) -> Result<()> {
        let case_id = self.case_of_action(&action_id)?;
        let replaces = self.current_op_of("plan-action", &action_id, "status")?;
        let event = self.action_changed(&action_id, &case_id, status.as_str().to_owned())?;
        self.commit(
            Payload::PlanActionStatusSet {
                action_id,
                status,
                replaces,
            },
            event,
        )?;
        Ok(())
    }

    /// The audit event of a change to a plan action (its status, its
    /// schedule) of the case `case_id`.
    pub(crate) fn action_changed(
        &self,
        action_id: &Uuid,
        case_id: &Uuid,
        detail: String,
    ) -> Result<Event<'static>> {
        Ok(Event {
            action: Action::Update,
            object_type: "plan-action",
            object_id: Some(action_id.to_string()),
            pupil_id: Some(self.pupil_of_case(case_id)?),
            detail,
        })
    }

    pub(crate) fn plans_of(&self, case_id: &Uuid) -> Result<Vec<PlanView>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, case_id, needs, goals, lead_party, follow_up_on, created_at, author
             FROM plans WHERE case_id = ?1 ORDER BY created_at, id",
        )?;
        let plans = stmt
            .query_map([case_id.to_string()], |r| {
                let goals: String = r.get(3)?;
                Ok(PlanView {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    needs: r.get(2)?,
                    goals: serde_json::from_str(&goals).unwrap_or_default(),
                    lead_party: r.get(4)?,
                    follow_up_on: r.get(5)?,
                    created_at: r.get(6)?,
                    author: r.get(7)?,
                    actions: Vec::new(),
                    version: 1,
                    concurrent: false,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        plans
            .into_iter()
            .map(|mut plan| {
                plan.actions = self.actions_of(&plan.id, case_id)?;
                let id = Uuid::parse_str(&plan.id)
                    .map_err(|_| Error::Damaged(format!("plan {} has a bad id", plan.id)))?;
                if let Some(shown) = self.versions_of(&id)?.last() {
                    plan.version = shown.number;
                    plan.concurrent = shown.concurrent;
                }
                Ok(plan)
            })
            .collect()
    }

    fn actions_of(&self, plan_id: &str, case_id: &Uuid) -> Result<Vec<ActionView>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, who, what, due_on FROM plan_actions WHERE plan_id = ?1 ORDER BY position, id",
        )?;
        let rows = stmt
            .query_map([plan_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, who, what, due_on)| {
                let state = self.field_state("plan-action", &id, "status")?;
                let schedule = self.field_state("plan-action", &id, schedules::FIELD)?;
                let results = self.results_of(case_id, &id)?;
                Ok(ActionView {
                    owner: self.owner_view(&id, &who)?,
                    id,
                    who,
                    what,
                    due_on,
                    status: state
                        .value
                        .unwrap_or_else(|| ActionStatus::Planned.as_str().to_owned()),
                    conflicts: state
                        .conflicts
                        .into_iter()
                        .chain(schedule.conflicts)
                        .collect(),
                    schedule: schedule.value.as_deref().and_then(Schedule::parse),
                    results,
                })
            })
            .collect()
    }
}

/// An action as a plan's operation carries it (creation or revision).
pub(crate) fn plan_action(action_id: Uuid, a: &NewAction) -> PlanAction {
    PlanAction {
        action_id,
        who: a.who.trim().to_owned(),
        contact_id: a.contact_id,
        what: a.what.trim().to_owned(),
        due_on: a.due_on,
    }
}
