//! The session: the journal on this laptop, unlocking and locking it, and
//! the app's own settings.

use crate::error::IpcResult;
use crate::locking::lock_and_tell;
use crate::state::{AppState, LockReason, Settings};
use crate::sync_loop;
use brygga_core::{Journal, Passphrase};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionState {
    pub journal_exists: bool,
    pub unlocked: bool,
    pub author: Option<String>,
    pub settings: Settings,
}

#[tauri::command]
pub async fn ui_ready() -> IpcResult<()> {
    crate::log_ui_ready();
    Ok(())
}

#[tauri::command]
pub async fn journal_exists(state: State<'_, AppState>) -> IpcResult<bool> {
    Ok(state.journal_exists())
}

#[tauri::command]
pub async fn session_state(state: State<'_, AppState>) -> IpcResult<SessionState> {
    let author = state.author();
    Ok(SessionState {
        journal_exists: state.journal_exists(),
        unlocked: author.is_some(),
        author,
        settings: state.settings(),
    })
}

#[tauri::command]
pub async fn create_journal<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: String,
    author: String,
) -> IpcResult<()> {
    let passphrase = Passphrase::new(passphrase);
    state.set_journal(Journal::create(&state.data_dir, &passphrase, &author)?)?;
    sync_loop::start(&app);
    Ok(())
}

#[tauri::command]
pub async fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: String,
) -> IpcResult<()> {
    let passphrase = Passphrase::new(passphrase);
    state.set_journal(Journal::open(&state.data_dir, &passphrase)?)?;
    sync_loop::start(&app);
    Ok(())
}

#[tauri::command]
pub async fn lock<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<()> {
    lock_and_tell(&app, &state, LockReason::User);
    Ok(())
}

/// The UI reports user input (throttled); the idle timer counts from here.
#[tauri::command]
pub async fn activity(state: State<'_, AppState>) -> IpcResult<()> {
    state.touch();
    Ok(())
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    Ok(state.settings())
}

#[tauri::command]
pub async fn set_idle_minutes(state: State<'_, AppState>, minutes: u32) -> IpcResult<Settings> {
    state.set_idle_minutes(minutes)
}
