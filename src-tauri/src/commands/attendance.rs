//! Weekly absence: the overview, a pupil's chart, importing a school's file.

use crate::error::{IpcError, IpcResult, ShellReason};
use crate::state::AppState;
use brygga_core::attendance::{
    AbsenceChart, AbsenceOverviewItem, ColumnMapping, ImportOptions, ImportReport,
};
use serde::Deserialize;
use tauri::State;
use uuid::Uuid;

/// Largest absence file accepted over IPC (school exports are far smaller).
const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

#[tauri::command]
pub async fn absence_overview(state: State<'_, AppState>) -> IpcResult<Vec<AbsenceOverviewItem>> {
    state.with(|j| j.absence_overview())
}

#[tauri::command]
pub async fn absence_chart(state: State<'_, AppState>, pupil_id: Uuid) -> IpcResult<AbsenceChart> {
    state.with(|j| j.absence_chart(pupil_id))
}

/// An absence file as the UI sends it: the bytes the user picked with
/// `<input type=file>` (read in the webview; no file-system access here).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportInput {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub dry_run: bool,
    pub skip_unknown: bool,
    pub mapping: ColumnMapping,
}

#[tauri::command]
pub async fn import_absence(
    state: State<'_, AppState>,
    input: ImportInput,
) -> IpcResult<ImportReport> {
    if input.bytes.len() > MAX_IMPORT_BYTES {
        return Err(
            IpcError::invalid(ShellReason::FileTooLarge, "the file is larger than 10 MB")
                .with("max_mb", MAX_IMPORT_BYTES / (1024 * 1024)),
        );
    }
    let options = ImportOptions {
        dry_run: input.dry_run,
        skip_unknown: input.skip_unknown,
        mapping: input.mapping,
        source: input.file_name,
    };
    state.with(|j| j.import_absence(&input.bytes, &options))
}
