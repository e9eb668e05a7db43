//! Same-day follow-ups of expected pupils who were not seen.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::FollowupView;
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn followups(state: State<'_, AppState>) -> IpcResult<Vec<FollowupView>> {
    state.with(|j| j.followups())
}

#[tauri::command]
pub async fn followup_done(state: State<'_, AppState>, followup_id: Uuid) -> IpcResult<()> {
    state.with(|j| j.followup_done(followup_id))
}
