//! The IPC commands: each a few lines over one brygga-core call.
//!
//! Commands are `async` so that they run on the async runtime's threads,
//! not the main thread: unlocking (Argon2id, ~0.4 s) must not freeze the
//! window. Ids arrive as strings and are parsed here so a malformed id is an
//! ordinary `invalid` error. A passphrase is wrapped into [`Passphrase`]
//! (zeroized on drop) the moment it arrives and is never stored.

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, LockReason, Settings};
use crate::sync_loop;
use brygga_core::attendance::{
    AbsenceChart, AbsenceOverviewItem, ColumnMapping, ImportOptions, ImportReport,
};
use brygga_core::sync::{Enrollment, SyncReport, SyncStatus};
use brygga_core::views::{CaseDetail, EntryView, SearchHit};
use brygga_core::{
    ActionStatus, CaseloadItem, CheckinRow, ConsentForm, DemoSummary, EntryKind, GuardianField,
    Journal, LeaveOut, NewAction, NewCheckin, NewConcern, NewConsent, NewEntry, NewGuardian,
    NewPlan, NewPupil, Passphrase,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, Manager, State};
use uuid::Uuid;

pub mod conflicts;

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

fn date(s: &str) -> IpcResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| IpcError::invalid(format!("'{s}' is not a date (YYYY-MM-DD)")))
}

/// An optional date: None or blank is no date.
fn maybe_date(s: Option<&str>) -> IpcResult<Option<NaiveDate>> {
    s.filter(|s| !s.trim().is_empty()).map(date).transpose()
}

/// Locks and tells the window why.
pub fn lock_and_tell(app: &AppHandle, state: &AppState, reason: LockReason) {
    if state.lock(reason) || reason == LockReason::User {
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

/// A consent as the UI sends it (dates YYYY-MM-DD).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConsentInput {
    pub case_id: String,
    /// None when the pupil gives the consent.
    pub guardian_id: Option<String>,
    pub scope: String,
    pub recipient: String,
    pub purpose: String,
    pub form: ConsentForm,
    pub given_on: String,
    pub valid_until: Option<String>,
}

/// One action of a collaboration plan: who does what, by when.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ActionInput {
    pub who: String,
    pub what: String,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
}

/// A collaboration plan (samverkansplan) as the UI sends it.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PlanInput {
    pub case_id: String,
    pub needs: String,
    pub goals: Vec<String>,
    pub lead_party: String,
    /// YYYY-MM-DD.
    pub follow_up_on: String,
    pub actions: Vec<ActionInput>,
}

/// A report of concern (orosanmälan) as the UI sends it.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConcernInput {
    pub case_id: String,
    /// RFC 3339 with offset.
    pub reported_at: String,
    pub to_whom: String,
    pub by_whom: String,
    pub summary: String,
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
    app: AppHandle,
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
pub async fn unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> IpcResult<()> {
    let passphrase = Passphrase::new(passphrase);
    state.set_journal(Journal::open(&state.data_dir, &passphrase)?)?;
    sync_loop::start(&app);
    Ok(())
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
    state.with(|j| j.sign_entry(entry_id))?;
    state.trigger_sync();
    Ok(())
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
pub async fn record_consent(
    state: State<'_, AppState>,
    consent: ConsentInput,
) -> IpcResult<String> {
    let new = NewConsent {
        case_id: id(&consent.case_id)?,
        guardian_id: consent.guardian_id.as_deref().map(id).transpose()?,
        scope: consent.scope,
        recipient: consent.recipient,
        purpose: consent.purpose,
        form: consent.form,
        given_on: date(&consent.given_on)?,
        valid_until: maybe_date(consent.valid_until.as_deref())?,
    };
    state.with(|j| j.record_consent(new).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn withdraw_consent(
    state: State<'_, AppState>,
    consent_id: String,
    on: String,
) -> IpcResult<()> {
    let (consent_id, on) = (id(&consent_id)?, date(&on)?);
    state.with(|j| j.withdraw_consent(consent_id, on))
}

#[tauri::command]
pub async fn create_plan(state: State<'_, AppState>, plan: PlanInput) -> IpcResult<String> {
    let actions = plan
        .actions
        .into_iter()
        .map(|a| {
            Ok(NewAction {
                due_on: maybe_date(a.due_on.as_deref())?,
                who: a.who,
                what: a.what,
            })
        })
        .collect::<IpcResult<Vec<_>>>()?;
    let new = NewPlan {
        case_id: id(&plan.case_id)?,
        needs: plan.needs,
        goals: plan.goals,
        lead_party: plan.lead_party,
        follow_up_on: date(&plan.follow_up_on)?,
        actions,
    };
    state.with(|j| j.create_plan(new).map(|i| i.to_string()))
}

#[tauri::command]
pub async fn set_action_status(
    state: State<'_, AppState>,
    action_id: String,
    status: ActionStatus,
) -> IpcResult<()> {
    let action_id = id(&action_id)?;
    state.with(|j| j.set_action_status(action_id, status))
}

#[tauri::command]
pub async fn report_concern(
    state: State<'_, AppState>,
    concern: ConcernInput,
) -> IpcResult<String> {
    let new = NewConcern {
        case_id: id(&concern.case_id)?,
        reported_at: time(&concern.reported_at)?,
        to_whom: concern.to_whom,
        by_whom: concern.by_whom,
        summary: concern.summary,
    };
    state.with(|j| j.report_concern(new).map(|i| i.to_string()))
}

/// Closes a case for good (the core has no reopening).
#[tauri::command]
pub async fn close_case(state: State<'_, AppState>, case_id: String) -> IpcResult<()> {
    let case_id = id(&case_id)?;
    state.with(|j| j.close_case(case_id))
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
    let ids = state.with(|j| {
        j.record_checkins(Utc::now(), checkins)
            .map(|ids| ids.iter().map(Uuid::to_string).collect())
    })?;
    state.trigger_sync();
    Ok(ids)
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> IpcResult<Vec<SearchHit>> {
    state.with(|j| j.search(&query, SEARCH_LIMIT))
}

#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>) -> IpcResult<DemoSummary> {
    state.with(|j| {
        let summary = j.load_demo()?;
        // The demo's weekly absence, so the chart and sorting have data.
        j.load_demo_absence()?;
        Ok(summary)
    })
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> IpcResult<SyncStatus> {
    state.with(|j| j.sync_status())
}

/// One round now (the button in the sync panel). The background loop
/// keeps its own schedule; the new status is emitted like its rounds'.
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> IpcResult<SyncReport> {
    let for_round = app.clone();
    let round = tauri::async_runtime::spawn_blocking(move || {
        sync_loop::round_blocking(&for_round.state::<AppState>())
    })
    .await
    .map_err(|e| IpcError::internal(format!("the sync round failed: {e}")))?;
    let (result, status) = round.ok_or_else(IpcError::locked)?;
    sync_loop::publish(&app, &result, status);
    result.map_err(IpcError::from)
}

/// Enrols this device with the municipality's server using an admin's
/// one-time code, then asks the background loop for a first round.
#[tauri::command]
pub async fn enroll(
    app: AppHandle,
    state: State<'_, AppState>,
    server_url: String,
    code: String,
) -> IpcResult<Enrollment> {
    let for_call = app.clone();
    let enrolled = tauri::async_runtime::spawn_blocking(move || {
        let state = for_call.state::<AppState>();
        state.touch();
        state.with_sync(|j| {
            let name = format!("Brygga desktop ({})", j.author());
            j.enroll(server_url.trim(), code.trim(), &name)
        })
    })
    .await
    .map_err(|e| IpcError::internal(format!("enrolment failed: {e}")))?
    .ok_or_else(IpcError::locked)?
    .map_err(IpcError::from)?;
    state.trigger_sync();
    Ok(enrolled)
}

/// Largest absence file accepted over IPC (school exports are far smaller).
const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

#[tauri::command]
pub async fn absence_overview(state: State<'_, AppState>) -> IpcResult<Vec<AbsenceOverviewItem>> {
    state.with(|j| j.absence_overview())
}

#[tauri::command]
pub async fn absence_chart(
    state: State<'_, AppState>,
    pupil_id: String,
) -> IpcResult<AbsenceChart> {
    let pupil_id = id(&pupil_id)?;
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
        return Err(IpcError::invalid("the file is larger than 10 MB"));
    }
    let options = ImportOptions {
        dry_run: input.dry_run,
        skip_unknown: input.skip_unknown,
        mapping: input.mapping,
        source: input.file_name,
    };
    state.with(|j| j.import_absence(&input.bytes, &options))
}

/// An entry the journal PDF leaves out, and why.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LeaveOutInput {
    pub entry_id: String,
    pub reason: String,
}

/// Which export.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportRequest {
    JournalPdf {
        case_id: String,
        leave_out: Vec<LeaveOutInput>,
    },
    EsfCsv,
    OutcomesCsv,
    OutcomesPdf,
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
        ExportRequest::JournalPdf { case_id, leave_out } => {
            let case_id = id(&case_id)?;
            let leave_out = leave_out
                .into_iter()
                .map(|l| {
                    Ok(LeaveOut {
                        entry_id: id(&l.entry_id)?,
                        reason: l.reason,
                    })
                })
                .collect::<IpcResult<Vec<_>>>()?;
            let bytes = state.with(|j| j.export_case_journal_pdf(case_id, &leave_out))?;
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
    };
    let path = crate::export_dir::write_new(&folder, &stem, ext, &bytes)?;
    Ok(ExportResult {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_days_and_a_blank_optional_date_is_none() {
        assert_eq!(
            date(" 2027-01-15 ").expect("a date"),
            NaiveDate::from_ymd_opt(2027, 1, 15).expect("valid")
        );
        for bad in ["15/1/2027", "2027-02-29", ""] {
            let e = date(bad).expect_err(bad);
            assert_eq!(e.code, IpcError::invalid("").code);
        }
        assert_eq!(maybe_date(None).expect("none"), None);
        assert_eq!(maybe_date(Some("  ")).expect("blank"), None);
        assert!(maybe_date(Some("2027-06-30")).expect("some").is_some());
    }
}
