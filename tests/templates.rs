//! The municipality's programme templates (docs/programmes.md,
//! docs/settings.md), against the embedded SQLite store and against
//! PostgreSQL (on a database of its own: the templates are the whole
//! server's). A real server process, real TLS on loopback, two real
//! SQLCipher journals, a backup and a restore. All people here are
//! fictional.

use brygga_core::{NewProgramme, SettingSource};
use brygga_e2e::{laptop_json, on_both_backends, open_case, sync, unique, Backend, Device, Server};
use serde_json::{json, Value};
use uuid::Uuid;

on_both_backends!(the_municipalitys_templates_reach_every_laptop_and_survive_a_restore);

fn start(case_id: Uuid, template: &str) -> NewProgramme {
    NewProgramme {
        case_id,
        template: template.into(),
        return_date: None,
    }
}

/// Writes `template` to a file in the server's data directory; its path.
fn file(server: &Server, name: &str, template: &Value) -> String {
    let path = server.data_dir().join(name);
    std::fs::write(&path, template.to_string()).expect("template file");
    path.display().to_string()
}

fn listed(server: &Server) -> Value {
    serde_json::from_str(&server.admin(&["template", "list", "--json"])).expect("json")
}

/// (key, version, from) of each template a listing names.
fn keys(templates: &Value) -> Vec<(String, u64, String)> {
    templates
        .as_array()
        .expect("array")
        .iter()
        .map(|t| {
            (
                t["key"].as_str().expect("key").to_owned(),
                t["version"].as_u64().expect("version"),
                t["from"].as_str().expect("from").to_owned(),
            )
        })
        .collect()
}

/// (template key, version, number of sessions) of a case's programme.
fn following(device: &Device, case: Uuid) -> (String, u32, usize) {
    let p = device
        .journal
        .programme(case)
        .expect("read")
        .expect("a programme");
    (p.template_key, p.template_version, p.sessions.len())
}

fn the_municipalitys_templates_reach_every_laptop_and_survive_a_restore(backend: Backend) {
    let mut server = Server::start(backend.own_database());
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let running = open_case(&mut a, "20121008-9882");
    a.journal
        .start_programme(start(running, "back2school"))
        .expect("the built-in Back2School");
    sync(&mut a);
    let backup = server.backup();

    // Their Back2School: four sessions. Changed without a new version, it
    // is refused and nothing is told.
    let mut theirs = listed(&server)[0].clone();
    theirs.as_object_mut().expect("object").remove("from");
    theirs["sessions"]
        .as_array_mut()
        .expect("sessions")
        .truncate(4);
    let refused = server.admin_raw(&["template", "add", &file(&server, "b2s.json", &theirs)]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(err.contains("higher version"), "{err}");
    theirs["version"] = 2.into();
    server.admin(&["template", "add", &file(&server, "b2s.json", &theirs)]);
    let short = json!({
        "key": "kort-insats",
        "version": 1,
        "name": "Kort insats för skolnärvaro",
        "sessions": [
            {"number": 1, "kind": "joint", "title": "Plan för återgången"},
            {"number": 2, "kind": "school-meeting", "title": "Möte med mentorn"},
        ],
    });
    server.admin(&["template", "add", &file(&server, "kort.json", &short)]);
    let in_force = listed(&server);
    let expected = [
        ("back2school".to_owned(), 2, "municipality".to_owned()),
        ("kort-insats".to_owned(), 1, "municipality".to_owned()),
    ];
    assert_eq!(keys(&in_force), expected);

    for device in [&mut a, &mut b] {
        assert_eq!(sync(device).notices, 2, "the two templates");
        let on_laptop: Vec<_> = device
            .journal
            .programme_templates()
            .expect("templates")
            .into_iter()
            .map(|t| (t.template.key, t.template.version, t.from))
            .collect();
        assert_eq!(
            on_laptop,
            [
                ("back2school".to_owned(), 2, SettingSource::Municipality),
                ("kort-insats".to_owned(), 1, SettingSource::Municipality),
            ]
        );
        assert_eq!(
            keys(&laptop_json(device, &["programme", "templates", "--json"])),
            expected
        );
        assert_eq!(
            following(device, running),
            ("back2school".to_owned(), 1, 12),
            "the case that started keeps its template"
        );
    }
    let new_case = open_case(&mut b, "20120417-9939");
    b.journal
        .start_programme(start(new_case, "kort-insats"))
        .expect("the municipality's own");
    sync(&mut b);
    sync(&mut a);
    assert_eq!(following(&a, new_case), ("kort-insats".to_owned(), 1, 2));

    // The backup was made before the templates: the admin log puts the
    // same notices back, so no laptop takes in anything new.
    server.restore(&backup);
    assert_eq!(listed(&server), in_force);
    for device in [&mut a, &mut b] {
        assert_eq!(sync(device).notices, 0, "the same notices, by id");
        assert_eq!(
            following(device, running),
            ("back2school".to_owned(), 1, 12)
        );
        assert_eq!(
            following(device, new_case),
            ("kort-insats".to_owned(), 1, 2)
        );
        device.journal.check_replay().expect("replays");
    }
}
