//! Collaboration meetings: the agenda from a case's plans, the minutes
//! signed as its collaboration-meeting entry, and a plan's versions.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{AgendaView, NewMinutes, PlanVersionView};
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn meeting_agenda(state: State<'_, AppState>, case_id: Uuid) -> IpcResult<AgendaView> {
    state.with(|j| j.meeting_agenda(case_id))
}

/// Drafts and signs the minutes in one step; the entry's id.
#[tauri::command]
pub async fn write_minutes(state: State<'_, AppState>, minutes: NewMinutes) -> IpcResult<String> {
    state.with(|j| j.write_minutes(minutes).map(|id| id.to_string()))
}

#[tauri::command]
pub async fn plan_versions(
    state: State<'_, AppState>,
    plan_id: Uuid,
) -> IpcResult<Vec<PlanVersionView>> {
    state.with(|j| j.plan_versions(plan_id))
}
