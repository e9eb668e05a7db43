//! Starting again on a laptop whose passphrase is forgotten, with the real
//! `brygga` CLI and a real `brygga-server` process: the old journal is
//! moved aside whole, a new one is enrolled with a new one-time code and
//! fetches the team's caseload, and what was never synced stays only in
//! the folder set aside. The server part is the same on both backends;
//! this runs on SQLite. All people here are fictional.

use brygga_core::device_card;
use brygga_core::{Journal, Passphrase};
use brygga_e2e::{cli, open_case_in, pass, signed_note, unique, Backend, Device, Server};
use std::path::PathBuf;
use uuid::Uuid;

const NEW_PASSPHRASE: &str = "fiktiv ny lösenfras efter glömskan";

fn texts(journal: &Journal, case: Uuid) -> Vec<String> {
    let mut texts: Vec<String> = journal
        .list_entries(case)
        .expect("entries")
        .into_iter()
        .map(|e| e.text)
        .collect();
    texts.sort();
    texts
}

/// The value after `label: ` on a line of `out`.
fn line_value<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no '{label}' line in: {out}"))
}

#[test]
fn a_forgotten_passphrase_starts_again_from_the_server_and_loses_only_what_was_not_synced() {
    let server = Server::start(Backend::Sqlite);
    let users = server.team(&unique("team"), &["anna"]);
    let Device { dir, mut journal } = Device::enrolled(&server, &users[0]);
    let old_id = journal.device_id();
    let case = open_case_in(&mut journal, "20121008-9882");
    for i in 0..3 {
        signed_note(&mut journal, case, &format!("Synkad anteckning {i}"));
    }
    journal.sync_with_server().expect("sync");
    signed_note(&mut journal, case, "Aldrig synkad anteckning");
    drop(journal);
    let card = device_card::read(dir.path()).expect("the old journal's card");
    assert_eq!(card.device_id, old_id);
    assert!(card.last_sync_at.is_some(), "{card:?}");

    // The passphrase is forgotten: start again with a new one-time code.
    let out = cli(dir.path())
        .env("BRYGGA_PASSPHRASE", NEW_PASSPHRASE)
        .args(["start-again", "--server", &server.url(), "--yes"])
        .args(["--code", &server.enroll_code(&users[0])])
        .args(["--author", "Fiktiv Anna", "--name", "ny dator"])
        .output()
        .expect("run brygga start-again");
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    );
    assert!(out.status.success(), "start-again failed: {stderr}");
    assert!(
        stderr.contains("changes not yet synced to the server are lost"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "last successful sync was at {}",
            card.last_sync_at.as_deref().unwrap_or_default()
        )),
        "{stderr}"
    );
    let last = stderr
        .lines()
        .rfind(|l| l.starts_with("fetching the team's changes: "))
        .unwrap_or_else(|| panic!("no progress in: {stderr}"));
    let (done, total) = line_value(last, "fetching the team's changes: ")
        .split_once(" of ")
        .expect("N of M");
    assert_eq!(done, total, "the pull reached the end: {stderr}");
    assert_eq!(
        line_value(&stdout, "old device: "),
        format!("{old_id}; ask IT to revoke it: brygga-server device revoke {old_id}")
    );

    // The new journal has what reached the server, under a new device.
    let new = Journal::open(dir.path(), &Passphrase::new(NEW_PASSPHRASE.into()))
        .expect("the new journal opens");
    assert_ne!(new.device_id(), old_id);
    assert_eq!(
        line_value(&stdout, "new device: "),
        new.device_id().to_string()
    );
    let synced: Vec<String> = (0..3).map(|i| format!("Synkad anteckning {i}")).collect();
    assert_eq!(texts(&new, case), synced);

    // Nothing was deleted: the old journal opens where it was set aside,
    // with what never reached the server.
    let aside = PathBuf::from(line_value(&stdout, "old journal moved to: "));
    assert_eq!(aside.parent(), dir.path().parent());
    let old =
        Journal::open(&aside, &pass()).expect("the old journal opens with the old passphrase");
    assert_eq!(old.device_id(), old_id);
    assert!(texts(&old, case).contains(&"Aldrig synkad anteckning".to_owned()));
    drop(old);

    // IT revokes the old device; the new one goes on syncing.
    server.admin(&["device", "revoke", &old_id.to_string()]);
    let devices: serde_json::Value =
        serde_json::from_str(&server.admin(&["device", "list", "--json"])).expect("json");
    let status = |id: Uuid| {
        devices
            .as_array()
            .expect("a list")
            .iter()
            .find(|d| d["id"] == id.to_string())
            .map(|d| d["status"].clone())
    };
    assert_eq!(status(old_id), Some("revoked".into()));
    assert_eq!(status(new.device_id()), Some("active".into()));
    let mut new = new;
    assert!(!new.sync_with_server().expect("the new device syncs").wiped);
    std::fs::remove_dir_all(aside).expect("clean up the folder set aside");
}
