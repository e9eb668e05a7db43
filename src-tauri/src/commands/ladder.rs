//! The return ladder of a case: the steps in force, a case's history and
//! plan, a new step reached.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::ladder;
use brygga_core::{LadderStep, LadderView, NewLadderStep};
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn ladder_steps() -> Vec<LadderStep> {
    ladder::steps().to_vec()
}

#[tauri::command]
pub async fn ladder(state: State<'_, AppState>, case_id: Uuid) -> IpcResult<LadderView> {
    state.with(|j| j.ladder(case_id))
}

/// The step reached today and, with it, any planned next step.
#[tauri::command]
pub async fn set_ladder_step(state: State<'_, AppState>, step: NewLadderStep) -> IpcResult<String> {
    state.with(|j| j.set_ladder_step(step).map(|i| i.to_string()))
}
