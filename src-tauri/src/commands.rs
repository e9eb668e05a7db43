//! The IPC commands: each a few lines over one brygga-core call.
//!
//! Commands are `async` so that they run on the async runtime's threads,
//! not the main thread: unlocking (Argon2id, ~0.4 s) must not freeze the
//! window. Ids arrive as strings and are parsed here so a malformed id is an
//! ordinary `invalid` error. A passphrase is wrapped into [`Passphrase`]
//! (zeroized on drop) the moment it arrives and is never stored.

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, LockReason, Settings};
use brygga_core::views::{CaseDetail, EntryView, SearchHit};
use brygga_core::{
    CaseloadItem, CheckinRow, DemoSummary, EntryKind, GuardianField, Journal, NewCheckin, NewEntry,
    NewGuardian, NewPupil, Passphrase,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, State};
use uuid::Uuid;

/// The event the UI listens to: the journal was locked (payload: why).
pub const LOCKED_EVENT: &str = "brygga://locked";
/// Most search hits returned at once.
const SEARCH_LIMIT: u32 = 50;

fn id(s: &str) -> IpcResult<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| IpcError::invalid(format!("'{s}' is not an id")))
}

fn time(s: &str) -> IpcResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| IpcError::invalid(format!("'{s}' is not an RFC 3339 time")))
}

/// Locks and tells the window why.
pub fn lock_and_tell(app: &AppHandle, state: &AppState, reason: LockReason) {
    if state.lock() || reason == LockReason::User {
        // If the event cannot be sent the window is gone; nothing to clear.
        let _ = app.emit(LOCKED_EVENT, reason);
    }
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionState {
    pub journal_exists: bool,
    pub unlocked: bool,
    pub author: Option<String>,
    pub settings: Settings,
}

/// A journal entry as the UI sends it.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EntryInput {
    pub kind: EntryKind,
    /// RFC 3339 with offset.
    pub event_at: String,
    pub participants: Vec<String>,
    pub fields: BTreeMap<String, String>,
    pub text: String,
}

impl EntryInput {
    fn into_new(self) -> IpcResult<NewEntry> {
        Ok(NewEntry {
            kind: self.kind,
            event_at: time(&self.event_at)?,
            participants: self.participants,
            fields: self.fields,
            text: self.text,
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PupilInput {
    pub name: String,
    pub personnummer: String,
    pub school: String,
    pub grade: u8,
    pub protected_identity: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct GuardianInput {
    pub case_id: String,
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CheckinInput {
    pub case_id: String,
    /// `arrived`, `late` or `not-seen`.
    pub arrival: String,
    /// HH:MM.
    pub time: Option<String>,
    pub note: String,
}

/// The sync status area. `pending` is None until the sync module is wired
/// in: the UI then says "not synced yet" rather than show a made-up count.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SyncStatus {
    pub pending: Option<u32>,
    pub last_synced_at: Option<String>,
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
pub async fn create_journal(
    state: State<'_, AppState>,
    passphrase: String,
    author: String,
) -> IpcResult<()> {
    let passphrase = Passphrase::new(passphrase);
    state.set_journal(Journal::create(&state.data_dir, &passphrase, &author)?)
}

#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, passphrase: String) -> IpcResult<()> {
    let passphrase = Passphrase::new(passphrase);
    state.set_journal(Journal::open(&state.data_dir, &passphrase)?)
}

#[tauri::command]
pub async fn lock(app: AppHandle, state: State<'_, AppState>) -> IpcResult<()> {
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

#[tauri::command]
pub async fn caseload(state: State<'_, AppState>) -> IpcResult<Vec<CaseloadItem>> {
    state.with(|j| j.caseload())
}

#[tauri::command]
pub async fn case_detail(state: State<'_, AppState>, case_id: String) -> IpcResult<CaseDetail> {
    let case_id = id(&case_id)?;
    state.with(|j| j.case_detail(case_id))
}

#[tauri::command]
pub async fn list_entries(
    state: State<'_, AppState>,
    case_id: String,
) -> IpcResult<Vec<EntryView>> {
    let case_id = id(&case_id)?;
    state.with(|j| j.list_entries(case_id))
}

#[tauri::command]
pub async fn draft_entry(
    state: State<'_, AppState>,
    case_id: String,
    entry: EntryInput,
) -> IpcResult<String> {
    let (case_id, entry) = (id(&case_id)?, entry.into_new()?);
    state.with(|j| j.draft_entry(case_id, entry).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn edit_draft(
    state: State<'_, AppState>,
    entry_id: String,
    entry: EntryInput,
) -> IpcResult<()> {
    let (entry_id, entry) = (id(&entry_id)?, entry.into_new()?);
    state.with(|j| j.edit_draft(entry_id, entry))
}

#[tauri::command]
pub async fn sign_entry(state: State<'_, AppState>, entry_id: String) -> IpcResult<()> {
    let entry_id = id(&entry_id)?;
    state.with(|j| j.sign_entry(entry_id))
}

#[tauri::command]
pub async fn correct_entry(
    state: State<'_, AppState>,
    entry_id: String,
    text: String,
    reason: String,
) -> IpcResult<String> {
    let entry_id = id(&entry_id)?;
    state.with(|j| {
        j.correct_entry(entry_id, &text, &reason)
            .map(|i| i.to_string())
    })
}

#[tauri::command]
pub async fn add_pupil(state: State<'_, AppState>, pupil: PupilInput) -> IpcResult<String> {
    state.with(|j| {
        j.add_pupil(NewPupil {
            name: pupil.name,
            personnummer: pupil.personnummer,
            school: pupil.school,
            grade: pupil.grade,
            protected_identity: pupil.protected_identity,
        })
        .map(|i| i.to_string())
    })
}

#[tauri::command]
pub async fn open_case(state: State<'_, AppState>, pupil_id: String) -> IpcResult<String> {
    let pupil_id = id(&pupil_id)?;
    state.with(|j| j.open_case(pupil_id).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn add_guardian(
    state: State<'_, AppState>,
    guardian: GuardianInput,
) -> IpcResult<String> {
    let case_id = id(&guardian.case_id)?;
    state.with(|j| {
        let g = j.add_guardian(NewGuardian {
            case_id,
            name: guardian.name,
            relation: guardian.relation,
        })?;
        if let Some(phone) = guardian.phone.filter(|p| !p.trim().is_empty()) {
            j.set_guardian_field(g, GuardianField::Phone, &phone)?;
        }
        Ok(g.to_string())
    })
}

#[tauri::command]
pub async fn checkin_board(state: State<'_, AppState>) -> IpcResult<Vec<CheckinRow>> {
    state.with(|j| j.checkin_board())
}

#[tauri::command]
pub async fn record_checkins(
    state: State<'_, AppState>,
    checkins: Vec<CheckinInput>,
) -> IpcResult<Vec<String>> {
    let checkins = checkins
        .into_iter()
        .map(|c| {
            Ok(NewCheckin {
                case_id: id(&c.case_id)?,
                arrival: c.arrival,
                time: c.time,
                note: c.note,
            })
        })
        .collect::<IpcResult<Vec<_>>>()?;
    state.with(|j| {
        j.record_checkins(Utc::now(), checkins)
            .map(|ids| ids.iter().map(Uuid::to_string).collect())
    })
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> IpcResult<Vec<SearchHit>> {
    state.with(|j| j.search(&query, SEARCH_LIMIT))
}

#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>) -> IpcResult<DemoSummary> {
    state.with(|j| j.load_demo())
}

/// Not wired to the sync module yet: always "not synced yet".
#[tauri::command]
pub async fn pending_changes(state: State<'_, AppState>) -> IpcResult<SyncStatus> {
    state.with(|_| {
        Ok(SyncStatus {
            pending: None,
            last_synced_at: None,
        })
    })
}
