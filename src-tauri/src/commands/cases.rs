//! The caseload, pupils, cases and what hangs on a case: guardians and
//! reports of concern; search; the demo caseload.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use brygga_core::views::{CaseDetail, SearchHit};
use brygga_core::{CaseloadItem, DemoSummary, LeftCase, NewConcern, NewGuardian, NewPupil};
use tauri::{AppHandle, Manager, Runtime, State};
use uuid::Uuid;

/// Most search hits returned at once.
const SEARCH_LIMIT: u32 = 50;

#[tauri::command]
pub async fn caseload(state: State<'_, AppState>) -> IpcResult<Vec<CaseloadItem>> {
    state.with(|j| j.caseload())
}

#[tauri::command]
pub async fn case_detail(state: State<'_, AppState>, case_id: Uuid) -> IpcResult<CaseDetail> {
    state.with(|j| j.case_detail(case_id))
}

#[tauri::command]
pub async fn add_pupil(state: State<'_, AppState>, pupil: NewPupil) -> IpcResult<String> {
    state.with(|j| j.add_pupil(pupil).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn open_case(state: State<'_, AppState>, pupil_id: Uuid) -> IpcResult<String> {
    state.with(|j| j.open_case(pupil_id).map(|i| i.to_string()))
}

/// A guardian with the contact details known so far, in one transaction.
#[tauri::command]
pub async fn add_guardian(state: State<'_, AppState>, guardian: NewGuardian) -> IpcResult<String> {
    state.with(|j| j.add_guardian(guardian).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn report_concern(state: State<'_, AppState>, concern: NewConcern) -> IpcResult<String> {
    state.with(|j| j.report_concern(concern).map(|i| i.to_string()))
}

/// Closes a case; it leaves the laptop once the server holds it and the
/// municipality's waiting time has run.
#[tauri::command]
pub async fn close_case(state: State<'_, AppState>, case_id: Uuid) -> IpcResult<()> {
    state.with(|j| j.close_case(case_id))
}

/// The closed cases that left this laptop, and those purged.
#[tauri::command]
pub async fn left_cases(state: State<'_, AppState>) -> IpcResult<Vec<LeftCase>> {
    state.with(|j| j.left_cases())
}

/// Reopens a closed case. One that left this laptop is fetched back from
/// the server first, on the blocking pool and without holding the journal
/// while the server answers, so the window's other commands still run.
/// The reopening syncs at once.
#[tauri::command]
pub async fn reopen_case<R: Runtime>(app: AppHandle<R>, case_id: Uuid) -> IpcResult<()> {
    let for_call = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = for_call.state::<AppState>();
        state.touch();
        brygga_core::sync::reopen_detached(state.journal_access(), case_id)
    })
    .await
    .map_err(|e| IpcError::internal(format!("reopening the case failed: {e}")))??;
    app.state::<AppState>().trigger_sync();
    Ok(())
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> IpcResult<Vec<SearchHit>> {
    state.with(|j| j.search(&query, SEARCH_LIMIT))
}

/// The fictional caseload with its weekly absence, in one transaction.
#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>) -> IpcResult<DemoSummary> {
    state.with(|j| j.load_demo())
}
