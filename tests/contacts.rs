//! The team's key persons (docs/contacts.md, ADR 0029) across laptops,
//! against the embedded SQLite store and against PostgreSQL. A real server
//! process, real TLS on loopback, real SQLCipher journals, and the `brygga`
//! CLI on them. All people here are fictional.

use brygga_core::sync::{PushVerdict, Transport};
use brygga_core::ContactFilter;
use brygga_e2e::{
    cli, laptop_json, on_both_backends, open_case, run_ok, sync, unique, Backend, Device, Server,
};
use serde_json::Value;

on_both_backends!(
    a_key_person_reaches_the_team_and_no_other_team,
    a_key_person_stays_when_the_case_leaves_the_laptop,
);

/// The key persons a laptop lists, with those who left (`--all`).
fn listed(device: &Device) -> Vec<Value> {
    laptop_json(device, &["contacts", "list", "--all", "--json"])
        .as_array()
        .expect("array")
        .clone()
}

fn a_key_person_reaches_the_team_and_no_other_team(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bertil"]);
    let outsiders = server.team(&unique("other"), &["cecilia"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let mut b = Device::enrolled(&server, &users[1]);
    let mut c = Device::enrolled(&server, &outsiders[0]);

    // Added on A with the CLI, as a therapist would.
    let id = run_ok(cli(a.dir.path()).args([
        "contacts",
        "add",
        "--org",
        "school",
        "--org-name",
        "Fiktiva skolan",
        "--role",
        "rektor",
        "--name",
        "Fiktiv Rektor",
        "--phone",
        "08-000 00 00",
    ]));
    let id = id.trim().to_owned();
    a.reopen();
    sync(&mut a);

    let got = sync(&mut b);
    assert!(got.pulled.applied >= 1, "{got:?}");
    let on_b = listed(&b);
    assert_eq!(on_b.len(), 1, "{on_b:?}");
    assert_eq!(on_b[0]["id"], id.as_str());
    assert_eq!(on_b[0]["name"], "Fiktiv Rektor");
    assert_eq!(on_b[0]["phone"], "08-000 00 00");

    // B changes the role; A sees it after a round each.
    run_ok(cli(b.dir.path()).args(["contacts", "edit", &id, "--role", "biträdande rektor"]));
    b.reopen();
    sync(&mut b);
    sync(&mut a);
    assert_eq!(listed(&a)[0]["role"], "biträdande rektor");

    // The other team gets nothing, and cannot change the team's key person.
    let got = sync(&mut c);
    assert_eq!(got.pulled.applied, 0, "nothing of the other team is pulled");
    assert!(listed(&c).is_empty());
    let theirs = a.journal.operations().expect("ops");
    let verdicts = c
        .journal
        .server_transport()
        .expect("transport")
        .push(&theirs)
        .expect("the server answers");
    assert!(
        verdicts
            .iter()
            .all(|(_, v)| matches!(v, PushVerdict::Rejected(_))),
        "{verdicts:?}"
    );

    for d in [&a, &b] {
        d.journal.check_replay().expect("replay check");
    }
    assert_eq!(
        a.journal.canonical_dump().expect("dump"),
        b.journal.canonical_dump().expect("dump")
    );
}

fn a_key_person_stays_when_the_case_leaves_the_laptop(backend: Backend) {
    // The waiting time is the whole server's: a database of its own.
    let server = Server::start(backend.own_database());
    server.admin(&["retention", "settings", "--leave-laptop-days", "0"]);
    let users = server.team(&unique("team"), &["anna"]);
    let mut a = Device::enrolled(&server, &users[0]);
    a.journal
        .add_contact(brygga_core::NewContact {
            org_kind: "bup".into(),
            org_name: "BUP Fiktiva".into(),
            role: "psykolog".into(),
            name: "Fiktiv Psykolog".into(),
            ..brygga_core::NewContact::default()
        })
        .expect("contact");
    let case = open_case(&mut a, "20120417-9939");
    a.journal.close_case(case).expect("close");
    assert_eq!(
        sync(&mut a).cases_left,
        1,
        "the server holds it all: it leaves"
    );
    assert!(a.journal.list_cases(true).expect("cases").is_empty());
    let contacts = a
        .journal
        .list_contacts(&ContactFilter::default())
        .expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].name, "Fiktiv Psykolog");
    a.journal.check_replay().expect("replay check");
}
