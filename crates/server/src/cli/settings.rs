//! `settings show|set`: the municipality's settings, as text or JSON.

use super::{admin_log, notice_key, open_store, print_json, Cli, SettingsCommand};
use crate::error::Result;
use crate::settings::{in_force, read_steps};
use crate::store::plan::settings::{Change, InForce};
use crate::store::retention::Settings;
use brygga_protocol::settings::{default_ladder_steps, LadderStep, DEFAULT_ABSENCE_THRESHOLDS};
use std::path::Path;

pub(super) async fn run(cli: &Cli, dir: &Path, command: &SettingsCommand) -> Result<()> {
    match command {
        SettingsCommand::Show { json } => {
            let store = open_store(cli, dir).await?;
            let settings = in_force(store.as_ref()).await?;
            let retention = store.retention_settings().await?;
            if *json {
                print_json(&as_json(&settings, &retention))
            } else {
                print!("{}", as_text(&settings, &retention));
                Ok(())
            }
        }
        SettingsCommand::Set {
            ladder_steps,
            absence_thresholds,
        } => {
            let change = Change {
                ladder_steps: ladder_steps.as_deref().map(read_steps).transpose()?,
                absence_thresholds: *absence_thresholds,
            };
            let store = open_store(cli, dir).await?;
            let now = crate::clock::now_ms();
            let key = || notice_key(cli, dir);
            let told = crate::settings::set(store.as_ref(), key, &admin_log(cli, dir), change, now)
                .await?;
            if told.is_empty() {
                println!("nothing changed: those settings are in force already");
            }
            for notice in &told {
                println!(
                    "told every team: {} (notice {})",
                    notice.notice.body.type_name(),
                    notice.notice.id
                );
            }
            let settings = in_force(store.as_ref()).await?;
            print!("{}", as_text(&settings, &store.retention_settings().await?));
            Ok(())
        }
    }
}

pub(super) fn from(set: bool) -> &'static str {
    if set {
        "municipality"
    } else {
        "built-in"
    }
}

fn steps(settings: &InForce) -> Vec<LadderStep> {
    settings
        .ladder_steps
        .clone()
        .unwrap_or_else(default_ladder_steps)
}

fn thresholds(settings: &InForce) -> [u8; 3] {
    settings
        .absence_thresholds
        .unwrap_or(DEFAULT_ABSENCE_THRESHOLDS)
}

fn as_json(settings: &InForce, retention: &Settings) -> serde_json::Value {
    serde_json::json!({
        "ladder_steps": steps(settings),
        "ladder_steps_from": from(settings.ladder_steps.is_some()),
        "absence_thresholds": thresholds(settings),
        "absence_thresholds_from": from(settings.absence_thresholds.is_some()),
        "retention": {
            "case_years": retention.case_years,
            "audit_years": retention.audit_years,
            "case_leaves_laptop_after_days": retention.case_leaves_laptop_after_days,
        },
    })
}

fn as_text(settings: &InForce, retention: &Settings) -> String {
    let [a, b, c] = thresholds(settings);
    let mut out = format!(
        "ladder steps ({}):\n",
        from(settings.ladder_steps.is_some())
    );
    for (i, step) in steps(settings).iter().enumerate() {
        out.push_str(&format!(
            "  {}. {}  {} / {}\n",
            i + 1,
            step.key,
            step.name_sv,
            step.name_en
        ));
    }
    out.push_str(&format!(
        "absence thresholds ({}): {a} %, {b} %, {c} %\n",
        from(settings.absence_thresholds.is_some())
    ));
    out.push_str(&format!(
        "retention: case years {}, audit years {}, a closed case leaves a laptop after {} days\n",
        retention.case_years, retention.audit_years, retention.case_leaves_laptop_after_days
    ));
    out
}
