//! The return ladder of a case: the steps in force, a case's history and
//! plan, a new step reached.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{LadderStep, LadderView, MunicipalitySettings, NewLadderStep};
use tauri::State;
use uuid::Uuid;

/// The steps in force: the municipality's, once its notice has come.
#[tauri::command]
pub async fn ladder_steps(state: State<'_, AppState>) -> IpcResult<Vec<LadderStep>> {
    state.with(|j| j.ladder_steps())
}

/// What the municipality decides (ladder steps, absence thresholds), and
/// where each comes from: shown read-only in Settings.
#[tauri::command]
pub async fn municipality_settings(state: State<'_, AppState>) -> IpcResult<MunicipalitySettings> {
    state.with(|j| j.municipality_settings())
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
