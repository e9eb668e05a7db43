//! The morning check-in board.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{CheckinRow, NewCheckin};
use chrono::Utc;
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn checkin_board(state: State<'_, AppState>) -> IpcResult<Vec<CheckinRow>> {
    state.with(|j| j.checkin_board())
}

/// The morning's check-ins, in one transaction; they sync at once.
#[tauri::command]
pub async fn record_checkins(
    state: State<'_, AppState>,
    checkins: Vec<NewCheckin>,
) -> IpcResult<Vec<String>> {
    let ids = state.with(|j| {
        j.record_checkins(Utc::now(), checkins)
            .map(|ids| ids.iter().map(Uuid::to_string).collect())
    })?;
    state.trigger_sync();
    Ok(ids)
}
