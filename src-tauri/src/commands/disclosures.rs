//! A case's disclosure register: what was shared outside the team, with
//! whom and on which ground.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{DisclosureView, NewDisclosure};
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn list_disclosures(
    state: State<'_, AppState>,
    case_id: Uuid,
) -> IpcResult<Vec<DisclosureView>> {
    state.with(|j| j.list_disclosures(case_id))
}

#[tauri::command]
pub async fn record_disclosure(
    state: State<'_, AppState>,
    disclosure: NewDisclosure,
) -> IpcResult<String> {
    state.with(|j| j.record_disclosure(disclosure).map(|i| i.to_string()))
}
