//! Laptops pin the server's public key (ADR 0038): a certificate renewed
//! for the same key needs no laptop enrolled again, a laptop enrolled when
//! the certificate's hash was pinned keeps working, and a server with
//! another key is refused. Real server and CLI processes; all people here
//! are fictional.

use brygga_core::Journal;
use brygga_e2e::{cli, open_case, pass, signed_note, sync, unique, Backend, Device, Server};
use brygga_protocol::auth::sha256_hex;
use std::path::{Path, PathBuf};

fn cert_file(server: &Server) -> PathBuf {
    server.data_dir().join("tls").join("cert.pem")
}

/// A code as a server before ADR 0038 printed it: the secret, and the
/// SHA-256 of the certificate's DER.
fn code_pinning_the_certificate(server: &Server, user: &str) -> String {
    let code = server.enroll_code(user);
    let (secret, _) = code.split_once('.').expect("SECRET.PIN");
    let certs = brygga_server::tls::load_certs(&cert_file(server)).expect("certificate");
    format!("{secret}.{}", sha256_hex(certs[0].as_ref()))
}

/// `brygga sync` on a laptop's journal (closed meanwhile).
fn cli_sync(dir: &Path) -> std::process::Output {
    cli(dir).arg("sync").output().expect("run brygga sync")
}

#[test]
fn a_renewed_certificate_keeps_every_laptop_syncing_and_another_key_is_refused() {
    let mut server = Server::start(Backend::Sqlite);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut anna = Device::enrolled(&server, &users[0]);
    let dir = tempfile::tempdir().expect("device dir");
    let mut journal = Journal::create(dir.path(), &pass(), &users[1]).expect("journal");
    journal
        .enroll(
            &server.url(),
            &code_pinning_the_certificate(&server, &users[1]),
            &users[1],
        )
        .expect("a code pinning the certificate's hash is honoured");
    let case = open_case(&mut anna, "20120417-9939");
    signed_note(&mut anna.journal, case, "Före förnyelsen");
    sync(&mut anna);
    journal.sync_with_server().expect("bo's first sync");

    // The certificate expires: a new one for the same key, new names.
    let pin = server.admin(&["cert", "fingerprint"]);
    let old_cert = std::fs::read(cert_file(&server)).expect("certificate A");
    server.kill();
    let renewed = server.admin(&[
        "cert",
        "renew",
        "--name",
        "brygga.kommun.example",
        "--name",
        "127.0.0.1",
        "--days",
        "397",
    ]);
    assert_eq!(renewed, pin, "the key, and so the pin, stays");
    assert_ne!(
        std::fs::read(cert_file(&server)).expect("certificate B"),
        old_cert
    );
    server.restart();

    signed_note(&mut anna.journal, case, "Efter förnyelsen");
    sync(&mut anna);
    // Bo's laptop, enrolled on the certificate's hash, pinned the key at
    // its first sync and reaches the renewed server through the CLI.
    drop(journal);
    let out = cli_sync(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts: Vec<String> = Journal::open(dir.path(), &pass())
        .expect("bo's journal")
        .list_entries(case)
        .expect("entries")
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert!(texts.iter().any(|t| t == "Efter förnyelsen"), "{texts:?}");

    // A server with another key (a new pair, or someone else's) is refused.
    server.kill();
    server.admin(&["cert", "generate", "--force"]);
    server.restart();
    assert_ne!(server.admin(&["cert", "fingerprint"]), pin);
    let out = cli_sync(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a server with another key was accepted"
    );
    assert!(
        stderr.contains("public key is not the one named in the enrolment code"),
        "{stderr}"
    );
    let refused = anna.journal.sync_with_server();
    assert!(refused.is_err(), "{refused:?}");
}
