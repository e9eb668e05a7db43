//! Deviations in collaboration: a case's, recorded and moved on, and the
//! team's summary by partner and category (aggregate, suppressed).

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::export::DeviationSummary;
use brygga_core::{DeviationView, NewDeviation};
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn list_deviations(
    state: State<'_, AppState>,
    case_id: Uuid,
) -> IpcResult<Vec<DeviationView>> {
    state.with(|j| j.list_deviations(case_id))
}

#[tauri::command]
pub async fn add_deviation(
    state: State<'_, AppState>,
    deviation: NewDeviation,
) -> IpcResult<String> {
    state.with(|j| j.add_deviation(deviation).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn set_deviation_status(
    state: State<'_, AppState>,
    deviation_id: Uuid,
    status: String,
) -> IpcResult<()> {
    state.with(|j| j.set_deviation_status(deviation_id, &status))
}

#[tauri::command]
pub async fn deviation_summary(state: State<'_, AppState>) -> IpcResult<DeviationSummary> {
    state.with(|j| j.deviation_summary())
}
