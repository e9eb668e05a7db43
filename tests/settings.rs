//! The municipality's settings of docs/settings.md, against the embedded
//! SQLite store and against PostgreSQL (on a database of its own: the
//! settings are the whole server's). A real server process, real TLS on
//! loopback, two real SQLCipher journals. All people here are fictional.

use brygga_core::{NewLadderStep, SettingSource};
use brygga_e2e::{
    cli, laptop_json, on_both_backends, open_case, sync, unique, Backend, Device, Server,
};
use serde_json::{json, Value};
use uuid::Uuid;

on_both_backends!(the_municipalitys_settings_reach_every_laptop_read_only);

fn reached(case_id: Uuid, step: &str) -> NewLadderStep {
    NewLadderStep {
        case_id,
        step: step.into(),
        note: "Fiktivt beslut".into(),
        next_step: None,
        next_on: None,
    }
}

fn the_municipalitys_settings_reach_every_laptop_read_only(backend: Backend) {
    let server = Server::start(backend.own_database());
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let case = open_case(&mut a, "20121008-9882");
    a.journal
        .set_ladder_step(reached(case, "calmer-unit"))
        .expect("a built-in step");
    sync(&mut a);

    let steps = json!([
        {"key": "home-visits", "name_sv": "Hembesök", "name_en": "Home visits"},
        {"key": "study-room", "name_sv": "Studierummet", "name_en": "Study room"},
        {"key": "full-time-class", "name_sv": "Heltid i klass", "name_en": "Full time in class"},
    ]);
    let file = server.data_dir().join("steps.json");
    std::fs::write(&file, steps.to_string()).expect("steps file");
    server.admin(&[
        "settings",
        "set",
        "--ladder-steps",
        &file.display().to_string(),
        "--absence-thresholds",
        "12,18,25",
    ]);
    let shown: Value =
        serde_json::from_str(&server.admin(&["settings", "show", "--json"])).expect("json");
    assert_eq!(shown["ladder_steps"], steps);
    assert_eq!(shown["absence_thresholds"], json!([12, 18, 25]));

    for device in [&mut a, &mut b] {
        assert_eq!(sync(device).notices, 2, "the steps and the thresholds");
        let settings = device.journal.municipality_settings().expect("settings");
        assert_eq!(settings.ladder_steps_from, SettingSource::Municipality);
        assert_eq!(settings.absence_thresholds.0, [12, 18, 25]);
        assert_eq!(laptop_json(device, &["ladder", "steps", "--json"]), steps);
        let on_laptop = laptop_json(device, &["settings", "show", "--json"]);
        assert_eq!(on_laptop["absence_thresholds_from"], "municipality");
        assert_eq!(on_laptop["absence_thresholds"], json!([12, 18, 25]));

        let out = cli(device.dir.path())
            .args(["attendance", "thresholds", "--set", "5,10,15"])
            .output()
            .expect("run brygga");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("the municipality has set"), "{err}");
        assert_eq!(
            device.journal.absence_thresholds().expect("thresholds").0,
            [12, 18, 25]
        );

        // The step the municipality removed stays in the signed history,
        // and is refused for what is recorded now.
        let ladder = device.journal.ladder(case).expect("ladder");
        assert_eq!(ladder.current.as_deref(), Some("calmer-unit"));
        device
            .journal
            .set_ladder_step(reached(case, "calmer-unit"))
            .expect_err("not a step in force");
        device.journal.check_replay().expect("replays");
    }
    b.journal
        .set_ladder_step(reached(case, "study-room"))
        .expect("a step of the municipality");
    sync(&mut b);
    sync(&mut a);
    let history: Vec<String> = a
        .journal
        .ladder(case)
        .expect("ladder")
        .history
        .into_iter()
        .map(|r| r.step)
        .collect();
    assert_eq!(history, ["calmer-unit", "study-room"]);
}
