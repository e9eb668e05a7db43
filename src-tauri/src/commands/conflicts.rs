//! Settling conflicts: values two laptops wrote at once, and texts that
//! came after an entry was signed. Each choice is a signed operation that
//! syncs like any other, so a round follows at once.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::Keep;
use tauri::State;
use uuid::Uuid;

/// Which value stands: the one shown now, or the one that lost.
#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    lost_op_id: Uuid,
    keep: Keep,
) -> IpcResult<()> {
    state.with(|j| j.resolve_conflict(lost_op_id, keep))?;
    state.trigger_sync();
    Ok(())
}

/// A text that came after the signature becomes a correction of the signed
/// entry; returns the correction's id.
#[tauri::command]
pub async fn adopt_conflict_as_correction(
    state: State<'_, AppState>,
    lost_op_id: Uuid,
    reason: String,
) -> IpcResult<String> {
    let correction = state.with(|j| j.adopt_as_correction(lost_op_id, &reason))?;
    state.trigger_sync();
    Ok(correction.to_string())
}
