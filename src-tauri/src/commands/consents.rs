//! Consents: given and withdrawn.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::NewConsent;
use chrono::NaiveDate;
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn record_consent(state: State<'_, AppState>, consent: NewConsent) -> IpcResult<String> {
    state.with(|j| j.record_consent(consent).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn withdraw_consent(
    state: State<'_, AppState>,
    consent_id: Uuid,
    on: NaiveDate,
) -> IpcResult<()> {
    state.with(|j| j.withdraw_consent(consent_id, on))
}
