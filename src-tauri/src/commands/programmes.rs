//! Programmes a case follows (Back2School, the municipality's own): the
//! templates in force, a case's planned sessions and which are done,
//! starting one, the planned return date.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::programme::TemplateInForce;
use brygga_core::{NewProgramme, ProgrammeView};
use chrono::NaiveDate;
use tauri::State;
use uuid::Uuid;

/// The templates in force, each with where it comes from: the
/// municipality's reach the journal in signed notices, so this needs it
/// unlocked. The window offers them to start a programme with and lists
/// them in the municipality's settings.
#[tauri::command]
pub async fn programme_templates(state: State<'_, AppState>) -> IpcResult<Vec<TemplateInForce>> {
    state.with(|j| j.programme_templates())
}

/// The case's programme, if it follows one.
#[tauri::command]
pub async fn programme(
    state: State<'_, AppState>,
    case_id: Uuid,
) -> IpcResult<Option<ProgrammeView>> {
    state.with(|j| j.programme(case_id))
}

#[tauri::command]
pub async fn start_programme(
    state: State<'_, AppState>,
    programme: NewProgramme,
) -> IpcResult<String> {
    state.with(|j| j.start_programme(programme).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn plan_return_date(
    state: State<'_, AppState>,
    case_id: Uuid,
    on: NaiveDate,
) -> IpcResult<()> {
    state.with(|j| j.plan_return_date(case_id, on))
}
