//! Brygga's desktop app: a thin Tauri shell over brygga-core.
//!
//! - [`commands`]: the IPC commands, each a few lines over one core call;
//! - [`state`]: the journal (None = locked), idle tracking, settings;
//! - the idle timer below locks the journal after the idle time even if the
//!   webview stops reporting (it only reports activity; the shell decides);
//! - [`system_lock`]: lock on suspend and screen lock (Linux: D-Bus).
//!
//! The journal folder is `BRYGGA_DATA_DIR` when set, else the platform data
//! directory ([`brygga_core::default_data_dir`], as the CLI).

mod command_names;
pub mod commands;
pub mod error;
mod export_dir;
pub mod locking;
pub mod state;
pub mod sync_loop;
mod sync_task;
mod system_lock;

use state::{AppState, LockReason};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Builder, Manager, Runtime};

/// How often the idle timer looks.
const IDLE_CHECK: Duration = Duration::from_secs(5);

static STARTED: OnceLock<Instant> = OnceLock::new();

/// The journal folder: `BRYGGA_DATA_DIR`, else the platform data directory.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BRYGGA_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    brygga_core::default_data_dir().unwrap_or_else(|| PathBuf::from("brygga-data"))
}

/// Logs once how long the UI took to show its first screen
/// (scripts/desktop-measure.sh reads this line).
pub(crate) fn log_ui_ready() {
    static LOGGED: OnceLock<()> = OnceLock::new();
    LOGGED.get_or_init(|| {
        let since_main = STARTED.get().map(|s| s.elapsed().as_millis()).unwrap_or(0);
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        eprintln!("brygga: ui_ready since_main_ms={since_main} unix_ms={unix_ms}");
    });
}

fn spawn_idle_timer<R: Runtime>(app: AppHandle<R>) {
    std::thread::Builder::new()
        .name("brygga-idle-lock".into())
        .spawn(move || loop {
            std::thread::sleep(IDLE_CHECK);
            let state = app.state::<AppState>();
            if state.lock_if_idle() {
                locking::lock_and_tell(&app, &state, LockReason::Idle);
            }
        })
        .expect("the idle timer thread starts");
}

/// The app on any Tauri runtime: its state over the journal folder
/// `data_dir`, the idle timer and system-lock listener, and every command.
/// The window runs it on WebKitGTK ([`run`]); the browser tests run the
/// same app on Tauri's mock runtime (src/bin/ui_bridge.rs).
pub fn with_commands<R: Runtime>(builder: Builder<R>, data_dir: PathBuf) -> Builder<R> {
    builder
        .manage(AppState::new(data_dir))
        .setup(|app| {
            spawn_idle_timer(app.handle().clone());
            system_lock::spawn(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::ui_ready,
            commands::session::journal_exists,
            commands::session::create_journal,
            commands::session::unlock,
            commands::session::lock,
            commands::session::session_state,
            commands::session::activity,
            commands::session::get_settings,
            commands::session::set_idle_minutes,
            commands::start_again::device_card,
            commands::start_again::set_journal_aside,
            commands::cases::caseload,
            commands::cases::case_detail,
            commands::entries::list_entries,
            commands::entries::draft_entry,
            commands::entries::edit_draft,
            commands::entries::sign_entry,
            commands::entries::correct_entry,
            commands::cases::add_pupil,
            commands::cases::open_case,
            commands::cases::add_guardian,
            commands::consents::record_consent,
            commands::consents::withdraw_consent,
            commands::plans::create_plan,
            commands::plans::revise_plan,
            commands::plans::set_action_status,
            commands::plans::schedule_action,
            commands::meetings::meeting_agenda,
            commands::meetings::write_minutes,
            commands::meetings::plan_versions,
            commands::ladder::ladder_steps,
            commands::ladder::municipality_settings,
            commands::ladder::ladder,
            commands::ladder::set_ladder_step,
            commands::followups::followups,
            commands::followups::followup_done,
            commands::programmes::programme_templates,
            commands::programmes::programme,
            commands::programmes::start_programme,
            commands::programmes::plan_return_date,
            commands::deviations::list_deviations,
            commands::deviations::add_deviation,
            commands::deviations::set_deviation_status,
            commands::deviations::deviation_summary,
            commands::disclosures::list_disclosures,
            commands::disclosures::record_disclosure,
            commands::cases::report_concern,
            commands::cases::close_case,
            commands::cases::left_cases,
            commands::cases::reopen_case,
            commands::checkin::checkin_board,
            commands::checkin::record_checkins,
            commands::cases::search,
            commands::cases::load_demo,
            commands::sync::sync_status,
            commands::contacts::contacts,
            commands::contacts::add_contact,
            commands::contacts::edit_contact,
            commands::contacts::contact_left_role,
            commands::conflicts::resolve_conflict,
            commands::conflicts::adopt_conflict_as_correction,
            commands::sync::sync_now,
            commands::sync::enroll,
            commands::attendance::absence_overview,
            commands::attendance::absence_chart,
            commands::attendance::import_absence,
            commands::exports::export_file,
        ])
}

/// The app's configuration, capabilities (the commands the window may
/// call) and bundled UI, from tauri.conf.json.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!("../tauri.conf.json")
}

pub fn run() {
    STARTED.get_or_init(Instant::now);
    // Without these WebKitGTK may paint a blank window under Xvfb or on
    // some GPUs; software compositing is plenty for forms and lists.
    #[cfg(target_os = "linux")]
    for var in [
        "WEBKIT_DISABLE_COMPOSITING_MODE",
        "WEBKIT_DISABLE_DMABUF_RENDERER",
    ] {
        if std::env::var_os(var).is_none() {
            // Set before any other thread exists.
            std::env::set_var(var, "1");
        }
    }
    with_commands(tauri::Builder::default(), data_dir())
        .run(context())
        .expect("the Brygga window runs");
}

#[cfg(test)]
mod tests {
    use super::command_names::ALL;

    #[test]
    fn every_command_is_registered_and_granted_and_nothing_else() {
        let lib = include_str!("lib.rs");
        let handler = lib
            .split("generate_handler![")
            .nth(1)
            .and_then(|s| s.split(']').next())
            .expect("the invoke handler list");
        let registered: Vec<_> = handler
            .split(',')
            .filter_map(|s| s.trim().rsplit("::").next())
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(registered, ALL, "generate_handler! and command_names::ALL");

        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).expect("json");
        let granted: Vec<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a permission name").to_owned())
            .collect();
        let mut expected: Vec<String> = vec![
            "core:event:allow-listen".into(),
            "core:event:allow-unlisten".into(),
        ];
        expected.extend(ALL.iter().map(|c| format!("allow-{}", c.replace('_', "-"))));
        assert_eq!(granted, expected, "capabilities/default.json");
    }

    #[test]
    fn the_csp_allows_nothing_remote() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).expect("json");
        let csp = &conf["app"]["security"]["csp"];
        assert_eq!(csp["default-src"], "'self'");
        for (directive, value) in csp.as_object().expect("csp object") {
            // Tauri's own IPC endpoint is the one non-'self' origin.
            let value = value
                .as_str()
                .expect("a string")
                .replace("http://ipc.localhost", "");
            assert!(
                !value.contains("http:") && !value.contains("https:") && !value.contains('*'),
                "{directive} allows a remote source: {value}"
            );
            assert!(!value.contains("unsafe-"), "{directive}: {value}");
        }
        assert_eq!(conf["bundle"]["targets"], serde_json::json!(["deb"]));
    }
}

#[cfg(test)]
mod bindings;
