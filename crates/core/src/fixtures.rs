//! What the unit tests of several modules start from: a real SQLCipher
//! journal with a fictional pupil.

use crate::{Error, Journal, NewPupil, Passphrase, ReasonCode};
use uuid::Uuid;

/// A new journal in a directory of its own (dropped with the directory).
pub(crate) fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new("fiktivt lösenord 123".to_owned());
    let j = Journal::create(dir.path(), &pass, "Fiktiv Handläggare").expect("create");
    (dir, j)
}

/// Registers the fictional pupil 2012-04-17-9939; returns their id.
pub(crate) fn pupil(j: &mut Journal) -> Uuid {
    j.add_pupil(NewPupil {
        name: "Fiktiv Elev".into(),
        personnummer: "20120417-9939".into(),
        school: "Fiktiva skolan".into(),
        grade: 8,
        protected_identity: false,
    })
    .expect("pupil")
}

/// The reason code of a refusal; None for any other error.
pub(crate) fn reason(e: Error) -> Option<ReasonCode> {
    match e {
        Error::Invalid(r) | Error::NotAllowed(r) => Some(r.code),
        _ => None,
    }
}

/// How many operations the journal's log holds.
pub(crate) fn op_count(j: &Journal) -> usize {
    j.operations().expect("ops").len()
}

/// A fresh Ed25519 key pair (a server's, another device's).
pub(crate) fn keypair() -> ring::signature::Ed25519KeyPair {
    use ring::signature::Ed25519KeyPair;
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("key");
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("parse")
}
