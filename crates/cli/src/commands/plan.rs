//! `plan add`, `plan revise`, `plan versions`, `plan action-status`,
//! `plan schedule`.

use super::Context;
use crate::args::{PlanCommand, PlanRevise};
use crate::exit::{Code, Failure, Result};
use crate::output;
use brygga_core::{NewPlan, PlanRevision, RevisedAction};

pub fn run(ctx: &Context, cmd: PlanCommand) -> Result<()> {
    match cmd {
        PlanCommand::Add(add) => {
            let id = ctx.open()?.create_plan(NewPlan {
                case_id: add.case,
                needs: add.needs,
                goals: add.goals,
                lead_party: add.lead,
                follow_up_on: add.follow_up,
                actions: add.actions,
            })?;
            output::created(id)
        }
        PlanCommand::Revise(revise) => self::revise(ctx, revise),
        PlanCommand::Versions { plan, format } => {
            output::show(format.json, &ctx.open()?.plan_versions(plan)?)
        }
        PlanCommand::SetActionStatus { action_id, status } => {
            Ok(ctx.open()?.set_action_status(action_id, status)?)
        }
        PlanCommand::Schedule { action, days, time } => {
            Ok(ctx.open()?.schedule_action(action, days, &time)?)
        }
    }
}

/// A new version from the one that stands: what is not given is kept;
/// `--goal` replaces the goals, `--change` an action, `--action` adds one.
fn revise(ctx: &Context, r: PlanRevise) -> Result<()> {
    let mut journal = ctx.open()?;
    let current = journal
        .plan_versions(r.plan)?
        .pop()
        .ok_or_else(|| Failure::new(Code::Damaged, format!("plan {} has no version", r.plan)))?;
    let follow_up_on = match r.follow_up {
        Some(on) => on,
        None => current.follow_up_on.parse().map_err(|e| {
            Failure::new(
                Code::Damaged,
                format!("the plan's follow-up date is unreadable: {e}"),
            )
        })?,
    };
    let changed = r.changes.into_iter().map(|(id, action)| RevisedAction {
        id: Some(id),
        action,
    });
    let added = r
        .actions
        .into_iter()
        .map(|action| RevisedAction { id: None, action });
    journal.revise_plan(PlanRevision {
        plan_id: r.plan,
        needs: r.needs.unwrap_or(current.needs),
        goals: if r.goals.is_empty() {
            current.goals
        } else {
            r.goals
        },
        lead_party: r.lead.unwrap_or(current.lead_party),
        follow_up_on,
        actions: changed.chain(added).collect(),
    })?;
    Ok(())
}
