//! Sync with the municipality's server: status, a round now, enrolment.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use crate::sync_loop;
use brygga_core::sync::{Enrollment, SyncReport, SyncStatus};
use tauri::{AppHandle, Manager, Runtime, State};

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> IpcResult<SyncStatus> {
    state.with(|j| j.sync_status())
}

/// One round now (the button in the sync panel). A background round
/// still running is waited for first (the core runs one round of a
/// journal at a time). The background loop keeps its own schedule; the
/// new status is emitted like its rounds'.
#[tauri::command]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>) -> IpcResult<SyncReport> {
    let for_round = app.clone();
    let round = tauri::async_runtime::spawn_blocking(move || sync_loop::round_blocking(&for_round))
        .await
        .map_err(|e| IpcError::internal(format!("the sync round failed: {e}")))?;
    let (result, status) = round.ok_or_else(IpcError::locked)?;
    sync_loop::publish(&app, &result, status);
    result.map_err(IpcError::from)
}

/// Enrols this device with the municipality's server using an admin's
/// one-time code, then asks the background loop for a first round.
#[tauri::command]
pub async fn enroll<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    server_url: String,
    code: String,
) -> IpcResult<Enrollment> {
    let for_call = app.clone();
    let enrolled = tauri::async_runtime::spawn_blocking(move || {
        let state = for_call.state::<AppState>();
        state.touch();
        state.with_sync(|j| {
            let name = format!("Brygga desktop ({})", j.author());
            j.enroll(server_url.trim(), code.trim(), &name)
        })
    })
    .await
    .map_err(|e| IpcError::internal(format!("enrolment failed: {e}")))?
    .ok_or_else(IpcError::locked)?
    .map_err(IpcError::from)?;
    state.trigger_sync();
    Ok(enrolled)
}
