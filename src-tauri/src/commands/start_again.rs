//! Starting again on this laptop when its journal cannot be opened (a
//! forgotten passphrase, a laptop handed on): what the journal's device
//! card says, and moving the journal aside. The new journal, enrolment and
//! the first sync are the commands of a first start
//! (docs/adr/0020-starting-again-on-a-laptop.md).

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::device_card::{self, DeviceCard};
use brygga_core::SetAside;
use tauri::State;

/// What the locked journal's card says (its device id, when it last
/// synced); None when it has none.
#[tauri::command]
pub async fn device_card(state: State<'_, AppState>) -> IpcResult<Option<DeviceCard>> {
    Ok(device_card::read(&state.data_dir))
}

/// Moves the locked journal aside to a dated folder beside its own.
#[tauri::command]
pub async fn set_journal_aside(state: State<'_, AppState>) -> IpcResult<SetAside> {
    state.set_aside()
}
