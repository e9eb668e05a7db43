//! Journal entries: drafts, signing, corrections.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::views::EntryView;
use brygga_core::NewEntry;
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn list_entries(state: State<'_, AppState>, case_id: Uuid) -> IpcResult<Vec<EntryView>> {
    state.with(|j| j.list_entries(case_id))
}

#[tauri::command]
pub async fn draft_entry(
    state: State<'_, AppState>,
    case_id: Uuid,
    entry: NewEntry,
) -> IpcResult<String> {
    state.with(|j| j.draft_entry(case_id, entry).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn edit_draft(
    state: State<'_, AppState>,
    entry_id: Uuid,
    entry: NewEntry,
) -> IpcResult<()> {
    state.with(|j| j.edit_draft(entry_id, entry))
}

/// Signs a draft; a signed entry syncs at once.
#[tauri::command]
pub async fn sign_entry(state: State<'_, AppState>, entry_id: Uuid) -> IpcResult<()> {
    state.with(|j| j.sign_entry(entry_id))?;
    state.trigger_sync();
    Ok(())
}

#[tauri::command]
pub async fn correct_entry(
    state: State<'_, AppState>,
    entry_id: Uuid,
    text: String,
    reason: String,
) -> IpcResult<String> {
    state.with(|j| {
        j.correct_entry(entry_id, &text, &reason)
            .map(|i| i.to_string())
    })
}
