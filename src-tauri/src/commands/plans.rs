//! Collaboration plans (samverkansplaner) and their actions.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{ActionStatus, NewPlan, PlanRevision};
use chrono::Weekday;
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn create_plan(state: State<'_, AppState>, plan: NewPlan) -> IpcResult<String> {
    state.with(|j| j.create_plan(plan).map(|i| i.to_string()))
}

/// A new version of a plan; the old ones stay readable.
#[tauri::command]
pub async fn revise_plan(state: State<'_, AppState>, revision: PlanRevision) -> IpcResult<()> {
    state.with(|j| j.revise_plan(revision))
}

#[tauri::command]
pub async fn set_action_status(
    state: State<'_, AppState>,
    action_id: Uuid,
    status: ActionStatus,
) -> IpcResult<()> {
    state.with(|j| j.set_action_status(action_id, status))
}

/// When an action happens each week ("Monday and Wednesday 08:10"): its
/// pupil is then expected on the check-in board those mornings.
#[tauri::command]
pub async fn schedule_action(
    state: State<'_, AppState>,
    action_id: Uuid,
    days: Vec<Weekday>,
    time: String,
) -> IpcResult<()> {
    state.with(|j| j.schedule_action(action_id, days, &time))
}
