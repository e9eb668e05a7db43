//! The TypeScript types of everything that crosses IPC, generated from the
//! Rust types with ts-rs into ui/src/lib/bindings/, and the core's rules the
//! UI checks forms with (entryRules.ts: the fields of each kind of entry;
//! caseFormRules.ts: the fields of the case view's forms).
//!
//! This test fails when the committed files differ from what the Rust types
//! generate. Regenerate them with
//!
//!     BRYGGA_UPDATE_BINDINGS=1 cargo test -p brygga-desktop bindings
//!
//! (scripts/desktop-bindings.sh does exactly that).

use crate::commands::attendance::ImportInput;
use crate::commands::exports::{ExportRequest, ExportResult};
use crate::commands::session::SessionState;
use crate::error::{IpcError, ShellReason};
use crate::state::{LockReason, Settings};
use brygga_core::attendance::{AbsenceChart, AbsenceOverviewItem, ImportReport};
use brygga_core::device_card::DeviceCard;
use brygga_core::entry_fields::{self, KindRules};
use brygga_core::export::DeviationSummary;
use brygga_core::form_rules::{self, FormProblem, FormRules};
use brygga_core::programme::{Template, TemplateInForce};
use brygga_core::sync::{Enrollment, SyncProgress, SyncReport, SyncStatus};
use brygga_core::views::{CaseDetail, EntryView, PupilView, SearchHit};
use brygga_core::{
    ActionStatus, AgendaView, CaseloadItem, CheckinRow, ContactEdit, ContactView, DemoSummary,
    DeviationView, DisclosureView, ExpectedPupil, FollowupView, Keep, LadderStep, LadderView,
    LeaveOut, LeftCase, MunicipalitySettings, NewAction, NewCheckin, NewConcern, NewConsent,
    NewContact, NewDeviation, NewDisclosure, NewEntry, NewGuardian, NewLadderStep, NewMinutes,
    NewPlan, NewProgramme, NewPupil, PlanRevision, PlanVersionView, ProgrammeView, ReasonCode,
    SetAside,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings")
}

fn generate(dir: &Path) {
    fn one<T: TS + 'static>(dir: &Path) {
        T::export_all_to(dir).expect("ts-rs writes the binding");
    }
    one::<CaseDetail>(dir);
    one::<EntryView>(dir);
    one::<PupilView>(dir);
    one::<SearchHit>(dir);
    one::<CaseloadItem>(dir);
    one::<LeftCase>(dir);
    one::<LadderStep>(dir);
    one::<MunicipalitySettings>(dir);
    one::<LadderView>(dir);
    one::<NewLadderStep>(dir);
    one::<Template>(dir);
    one::<TemplateInForce>(dir);
    one::<ProgrammeView>(dir);
    one::<NewProgramme>(dir);
    one::<DeviationView>(dir);
    one::<NewDeviation>(dir);
    one::<DeviationSummary>(dir);
    one::<DisclosureView>(dir);
    one::<NewDisclosure>(dir);
    one::<ExpectedPupil>(dir);
    one::<FollowupView>(dir);
    one::<CheckinRow>(dir);
    one::<DemoSummary>(dir);
    one::<IpcError>(dir);
    one::<SessionState>(dir);
    one::<Settings>(dir);
    one::<LockReason>(dir);
    one::<SyncStatus>(dir);
    one::<SyncReport>(dir);
    one::<Enrollment>(dir);
    one::<SyncProgress>(dir);
    one::<DeviceCard>(dir);
    one::<SetAside>(dir);
    one::<AbsenceOverviewItem>(dir);
    one::<AbsenceChart>(dir);
    one::<ImportReport>(dir);
    one::<ImportInput>(dir);
    one::<LeaveOut>(dir);
    one::<ExportRequest>(dir);
    one::<ExportResult>(dir);
    one::<NewEntry>(dir);
    one::<NewPupil>(dir);
    one::<NewGuardian>(dir);
    one::<NewCheckin>(dir);
    one::<NewConsent>(dir);
    one::<NewAction>(dir);
    one::<ContactView>(dir);
    one::<NewContact>(dir);
    one::<ContactEdit>(dir);
    one::<NewPlan>(dir);
    one::<AgendaView>(dir);
    one::<NewMinutes>(dir);
    one::<PlanVersionView>(dir);
    one::<PlanRevision>(dir);
    one::<NewConcern>(dir);
    one::<ActionStatus>(dir);
    one::<Keep>(dir);
    one::<KindRules>(dir);
    one::<FormRules>(dir);
    one::<FormProblem>(dir);
    one::<ReasonCode>(dir);
    one::<ShellReason>(dir);
    write_rules(
        dir,
        "entryRules.ts",
        "entry field table (entry_fields::rules)",
        "ENTRY_RULES: readonly KindRules[]",
        &entry_fields::rules(&brygga_core::ladder::default_ladder_steps()),
    );
    write_rules(
        dir,
        "caseFormRules.ts",
        "case forms' table (form_rules::rules)",
        "FORM_RULES: readonly FormRules[]",
        &form_rules::rules(),
    );
}

/// One of the core's rule tables as a TypeScript constant `declaration`
/// (its name and type, the type imported from its binding).
fn write_rules(
    dir: &Path,
    file: &str,
    what: &str,
    declaration: &str,
    rules: &impl serde::Serialize,
) {
    let json = serde_json::to_string_pretty(rules).expect("the rules serialise");
    let ty = declaration
        .rsplit(' ')
        .next()
        .and_then(|t| t.strip_suffix("[]"))
        .expect("a declaration of the form `NAME: readonly Type[]`");
    let text = format!(
        "// Generated from brygga-core's {what} by\n\
         // src-tauri's bindings test: scripts/desktop-bindings.sh. Do not edit.\n\n\
         import type {{ {ty} }} from './{ty}';\n\n\
         export const {declaration} = {json};\n"
    );
    std::fs::write(dir.join(file), text).expect("write a rule table");
}

fn read_all(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).expect("a readable binding"),
            )
        })
        .collect()
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let fresh = tempfile::tempdir().expect("tempdir");
    generate(fresh.path());
    let generated = read_all(fresh.path());
    assert!(generated.contains_key("CaseloadItem.ts"), "{generated:?}");
    let committed = committed_dir();
    if std::env::var_os("BRYGGA_UPDATE_BINDINGS").is_some() {
        for stale in read_all(&committed).keys() {
            std::fs::remove_file(committed.join(stale)).expect("remove a stale binding");
        }
        std::fs::create_dir_all(&committed).expect("the bindings folder");
        for (name, text) in &generated {
            std::fs::write(committed.join(name), text).expect("write a binding");
        }
        return;
    }
    assert_eq!(
        read_all(&committed),
        generated,
        "ui/src/lib/bindings/ is out of date: run scripts/desktop-bindings.sh"
    );
}
