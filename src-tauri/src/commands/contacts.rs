//! The team's key persons (docs/contacts.md): the directory's list, adding
//! someone, editing, and marking that they left the role. Each change is a
//! signed operation of the team's scope, so a round follows at once.

use crate::error::IpcResult;
use crate::state::AppState;
use brygga_core::{ContactEdit, ContactFilter, ContactView, NewContact};
use tauri::State;
use uuid::Uuid;

/// The directory: those who hold their role, or everyone with `all`.
#[tauri::command]
pub async fn contacts(state: State<'_, AppState>, all: bool) -> IpcResult<Vec<ContactView>> {
    let filter = ContactFilter {
        all,
        ..ContactFilter::default()
    };
    state.with(|j| j.list_contacts(&filter))
}

#[tauri::command]
pub async fn add_contact(state: State<'_, AppState>, contact: NewContact) -> IpcResult<String> {
    let id = state.with(|j| j.add_contact(contact).map(|i| i.to_string()))?;
    state.trigger_sync();
    Ok(id)
}

#[tauri::command]
pub async fn edit_contact(
    state: State<'_, AppState>,
    contact_id: Uuid,
    edit: ContactEdit,
) -> IpcResult<()> {
    state.with(|j| j.edit_contact(contact_id, edit))?;
    state.trigger_sync();
    Ok(())
}

#[tauri::command]
pub async fn contact_left_role(state: State<'_, AppState>, contact_id: Uuid) -> IpcResult<()> {
    state.with(|j| j.contact_left_role(contact_id))?;
    state.trigger_sync();
    Ok(())
}
