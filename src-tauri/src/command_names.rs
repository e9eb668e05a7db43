//! The app's own IPC commands: the only ones the webview may call.
//!
//! Shared by build.rs (which generates one `allow-<command>` permission per
//! name) and lib.rs (a test checks this list against the invoke handler).
//! capabilities/default.json grants exactly these.

// Used by build.rs and by the tests; the app itself names the commands in
// generate_handler! (a test keeps the two lists equal).
#[cfg_attr(not(test), allow(dead_code))]
pub const ALL: &[&str] = &[
    "ui_ready",
    "journal_exists",
    "create_journal",
    "unlock",
    "lock",
    "session_state",
    "activity",
    "get_settings",
    "set_idle_minutes",
    "device_card",
    "set_journal_aside",
    "caseload",
    "case_detail",
    "list_entries",
    "draft_entry",
    "edit_draft",
    "sign_entry",
    "correct_entry",
    "add_pupil",
    "open_case",
    "add_guardian",
    "record_consent",
    "withdraw_consent",
    "create_plan",
    "set_action_status",
    "schedule_action",
    "ladder_steps",
    "ladder",
    "set_ladder_step",
    "followups",
    "followup_done",
    "report_concern",
    "close_case",
    "left_cases",
    "reopen_case",
    "checkin_board",
    "record_checkins",
    "search",
    "load_demo",
    "sync_status",
    "resolve_conflict",
    "adopt_conflict_as_correction",
    "sync_now",
    "enroll",
    "absence_overview",
    "absence_chart",
    "import_absence",
    "export_file",
];
