//! Exports: a case's journal as PDF, the ESF participant list, follow-up
//! figures; written as new files into a folder, never over one.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{JournalRelease, LeaveOut};
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

/// Which export.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportRequest {
    JournalPdf {
        #[cfg_attr(test, ts(type = "string"))]
        case_id: Uuid,
        leave_out: Vec<LeaveOut>,
        /// To whom and on which ground: recorded in the case's
        /// disclosure register with the export.
        release: JournalRelease,
    },
    EsfCsv,
    OutcomesCsv,
    OutcomesPdf,
    /// The team's deviations in collaboration, aggregate.
    DeviationsCsv,
    DeviationsPdf,
}

/// Where an export was written.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportResult {
    pub path: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub bytes: u64,
}

/// Writes an export into `folder` (an existing absolute folder the user
/// typed) or the Downloads folder. The file name is the shell's own and an
/// existing file is never overwritten, so the webview can only ever add a
/// new `brygga-….pdf/.csv` file to a folder.
#[tauri::command]
pub async fn export_file(
    state: State<'_, AppState>,
    request: ExportRequest,
    folder: Option<String>,
) -> IpcResult<ExportResult> {
    let folder = crate::export_dir::resolve(folder.as_deref(), &state.data_dir)?;
    let today = chrono::Local::now().format("%Y-%m-%d");
    let (stem, ext, bytes) = match request {
        ExportRequest::JournalPdf {
            case_id,
            leave_out,
            release,
        } => {
            let bytes = state.with(|j| j.export_case_journal_pdf(case_id, &leave_out, release))?;
            (format!("brygga-journal-{today}"), "pdf", bytes)
        }
        ExportRequest::EsfCsv => (
            format!("brygga-esf-deltagare-{today}"),
            "csv",
            state.with(|j| j.export_esf_csv())?,
        ),
        ExportRequest::OutcomesCsv => (
            format!("brygga-uppfoljning-{today}"),
            "csv",
            state.with(|j| j.export_outcomes_csv())?,
        ),
        ExportRequest::OutcomesPdf => (
            format!("brygga-uppfoljning-{today}"),
            "pdf",
            state.with(|j| j.export_outcomes_pdf())?,
        ),
        ExportRequest::DeviationsCsv => (
            format!("brygga-avvikelser-{today}"),
            "csv",
            state.with(|j| j.export_deviations_csv())?,
        ),
        ExportRequest::DeviationsPdf => (
            format!("brygga-avvikelser-{today}"),
            "pdf",
            state.with(|j| j.export_deviations_pdf())?,
        ),
    };
    let path = crate::export_dir::write_new(&folder, &stem, ext, &bytes)?;
    Ok(ExportResult {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    })
}
