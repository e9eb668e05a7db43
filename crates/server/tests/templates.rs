//! `brygga-server template add|list` (docs/programmes.md,
//! docs/settings.md): the real binary on a SQLite database of its own (the
//! templates are the whole server's; tests/templates.rs at the top of the
//! repository runs both backends with laptops).

mod common;

use common::ServerHome;
use serde_json::{json, Value};

fn list(home: &ServerHome) -> Value {
    serde_json::from_str(&home.admin(&["template", "list", "--json"])).expect("json")
}

fn write(home: &ServerHome, name: &str, template: &Value) -> String {
    let path = home.data_dir().join(name);
    std::fs::write(&path, template.to_string()).expect("write template");
    path.display().to_string()
}

/// The municipality's short programme, of `version`.
fn short(version: u32) -> Value {
    json!({
        "key": "kort-insats",
        "version": version,
        "name": "Kort insats för skolnärvaro",
        "sessions": [
            {"number": 0, "kind": "assessment", "title": "Kartläggning och mål"},
            {"number": 1, "kind": "joint", "title": "Plan för återgången"},
        ],
    })
}

/// The built-in Back2School as the server lists it, as a file.
fn back2school(home: &ServerHome) -> Value {
    let mut built_in = list(home)[0].clone();
    built_in.as_object_mut().expect("an object").remove("from");
    built_in
}

#[test]
fn bad_templates_are_refused_with_why_and_nothing_is_written() {
    let home = ServerHome::new(None);
    let before = list(&home);
    assert_eq!(before.as_array().map(Vec::len), Some(1));
    assert_eq!(before[0]["key"], "back2school");
    assert_eq!(before[0]["from"], "built-in");

    let mut misspelt = short(1);
    misspelt["sessions"][1]["titel"] = "Fel".into();
    let mut gap = short(1);
    gap["sessions"][1]["number"] = 2.into();
    let mut changed = back2school(&home);
    changed["sessions"][3]["title"] = "Något annat".into();
    let files = [
        (
            write(&home, "misspelt.json", &misspelt),
            "sessions[1].titel",
        ),
        (write(&home, "gap.json", &gap), "sessions[1].number"),
        (write(&home, "changed.json", &changed), "higher version"),
        ("/no/such/template.json".to_owned(), "cannot read"),
    ];
    std::fs::write(home.data_dir().join("not-json.json"), "{").expect("write");
    let not_json = home.data_dir().join("not-json.json").display().to_string();
    for (file, says) in files
        .iter()
        .map(|(f, s)| (f.as_str(), *s))
        .chain([(not_json.as_str(), "file:")])
    {
        let out = home.admin_raw(&["template", "add", file]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(says), "{file}: {err}");
    }
    assert_eq!(list(&home), before, "nothing changed");
    for file in ["admin-log.jsonl", "notice-key.pk8"] {
        assert!(!home.data_dir().join(file).exists(), "{file} was written");
    }
}

#[test]
fn a_template_is_told_once_audited_and_survives_a_restore() {
    let home = ServerHome::new(None);
    list(&home);
    let backup = home.data_dir().join("before.db");
    home.admin(&["backup", "--out", &backup.display().to_string()]);

    let first = write(&home, "kort-insats-1.json", &short(1));
    let told = home.admin(&["template", "add", &first]);
    assert!(
        told.contains("told every team: programme-template"),
        "{told}"
    );
    let again = home.admin(&["template", "add", &first]);
    assert!(again.contains("nothing changed"), "{again}");
    let mut longer = short(2);
    longer["sessions"]
        .as_array_mut()
        .expect("sessions")
        .push(json!({"number": 2, "kind": "booster", "title": "Uppföljning"}));
    home.admin(&[
        "template",
        "add",
        &write(&home, "kort-insats-2.json", &longer),
    ]);

    let after = list(&home);
    let keys: Vec<(&str, u64, &str)> = after
        .as_array()
        .expect("array")
        .iter()
        .map(|t| {
            (
                t["key"].as_str().expect("key"),
                t["version"].as_u64().expect("version"),
                t["from"].as_str().expect("from"),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("back2school", 1, "built-in"),
            ("kort-insats", 2, "municipality")
        ],
        "the newest of a key is in force"
    );
    let text = home.admin(&["template", "list"]);
    assert!(text.contains("Kort insats för skolnärvaro"), "{text}");
    let audit = home.admin(&["audit", "list", "--action", "template.add", "--json"]);
    let rows: Value = serde_json::from_str(&audit).expect("json");
    let rows = rows.as_array().expect("rows");
    assert_eq!(
        rows.len(),
        2,
        "one row a notice, none for the repeat: {audit}"
    );
    assert!(
        rows.iter().all(|r| r["object"] == "kort-insats"),
        "the subject is the template's key: {audit}"
    );

    home.admin(&["restore", &backup.display().to_string()]);
    assert_eq!(list(&home), after, "the admin log put the notices back");
}
