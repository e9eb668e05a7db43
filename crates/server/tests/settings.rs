//! `brygga-server settings show|set` (docs/settings.md): the real binary
//! on a SQLite database of its own (the settings are the whole server's;
//! tests/settings.rs at the top of the repository runs both backends with
//! laptops).

mod common;

use common::ServerHome;
use serde_json::{json, Value};

fn show(home: &ServerHome) -> Value {
    serde_json::from_str(&home.admin(&["settings", "show", "--json"])).expect("json")
}

fn write(home: &ServerHome, name: &str, steps: &Value) -> String {
    let path = home.data_dir().join(name);
    std::fs::write(&path, steps.to_string()).expect("write steps");
    path.display().to_string()
}

fn step(key: &str) -> Value {
    json!({"key": key, "name_sv": "Studierummet", "name_en": "Study room"})
}

#[test]
fn bad_settings_are_refused_with_why_and_nothing_is_written() {
    let home = ServerHome::new(None);
    let before = show(&home);
    assert_eq!(before["ladder_steps_from"], "built-in");
    assert_eq!(before["ladder_steps"][2]["key"], "calmer-unit");
    assert_eq!(before["absence_thresholds"], json!([10, 15, 20]));
    let empty = write(&home, "empty.json", &json!([]));
    let twice = write(&home, "twice.json", &json!([step("home"), step("home")]));
    let unnamed = write(
        &home,
        "unnamed.json",
        &json!([{"key": "home", "name_sv": "Hem"}]),
    );
    for (args, says) in [
        (vec!["--ladder-steps", &empty], "at least one step"),
        (vec!["--ladder-steps", &twice], "'home' is there twice"),
        (vec!["--ladder-steps", &unnamed], "name_en"),
        (vec!["--ladder-steps", "/no/such/steps.json"], "cannot read"),
        (vec!["--absence-thresholds", "20,15,10"], "ascending"),
        (vec!["--absence-thresholds", "0,15,20"], "between 1 and 100"),
        (
            vec!["--absence-thresholds", "10,15"],
            "three whole percentages",
        ),
        (vec![], "--absence-thresholds"),
    ] {
        let mut full = vec!["settings", "set"];
        full.extend(args);
        let out = home.admin_raw(&full);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{full:?}: {err}");
        assert!(err.contains(says), "{full:?}: {err}");
    }
    assert_eq!(show(&home), before, "nothing changed");
    for file in ["admin-log.jsonl", "notice-key.pk8"] {
        assert!(!home.data_dir().join(file).exists(), "{file} was written");
    }
}

#[test]
fn settings_set_are_told_once_audited_and_survive_a_restore() {
    let home = ServerHome::new(None);
    show(&home);
    let backup = home.data_dir().join("before.db");
    home.admin(&["backup", "--out", &backup.display().to_string()]);
    let steps = json!([
        {"key": "home-visits", "name_sv": "Hembesök", "name_en": "Home visits"},
        step("study-room"),
    ]);
    let file = write(&home, "steps.json", &steps);
    let set = ["settings", "set", "--ladder-steps", &file];
    let told = home.admin(&[&set[..], &["--absence-thresholds", "12,18,25"]].concat());
    assert!(told.contains("told every team: ladder-steps"), "{told}");
    assert!(
        told.contains("told every team: absence-thresholds"),
        "{told}"
    );
    let again = home.admin(&set);
    assert!(again.contains("nothing changed"), "{again}");
    let after = show(&home);
    assert_eq!(after["ladder_steps"], steps);
    assert_eq!(after["ladder_steps_from"], "municipality");
    assert_eq!(after["absence_thresholds"], json!([12, 18, 25]));
    assert_eq!(after["absence_thresholds_from"], "municipality");
    let audit = home.admin(&["audit", "list", "--action", "settings.set", "--json"]);
    let rows: Value = serde_json::from_str(&audit).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{audit}");

    home.admin(&["restore", &backup.display().to_string()]);
    assert_eq!(show(&home), after, "the admin log put the notices back");
}
