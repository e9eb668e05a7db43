//! What the unit tests of several modules start from: a real SQLCipher
//! journal with a fictional pupil, and the server's notices to it.

use crate::{Error, Journal, NewPupil, Passphrase, ReasonCode};
use brygga_protocol::notice::{Notice, NoticeBody, SignedNotice};
use brygga_protocol::PROTOCOL_VERSION;
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

/// The fictional pupil's open case with a plan of one action, meeting the
/// pupil at the entrance: (case, action).
pub(crate) fn planned_case(j: &mut Journal) -> (Uuid, Uuid) {
    let pupil = pupil(j);
    let case = j.open_case(pupil).expect("case");
    j.create_plan(plan(
        case,
        crate::NewAction {
            who: "Familjebehandlare".into(),
            what: "Möter eleven vid entrén".into(),
            due_on: None,
            contact_id: None,
        },
    ))
    .expect("plan");
    let action = j.case_detail(case).expect("detail").plans[0].actions[0]
        .id
        .parse()
        .expect("id");
    (case, action)
}

/// A plan for `case` with one goal and `action`, followed up 2027-01-15.
pub(crate) fn plan(case: Uuid, action: crate::NewAction) -> crate::NewPlan {
    crate::NewPlan {
        case_id: case,
        needs: "Trygg skolstart".into(),
        goals: vec!["Närvaro 80 %".into()],
        lead_party: "Skolan".into(),
        follow_up_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("date"),
        actions: vec![action],
    }
}

/// The school's counsellor, a key person of the student health.
pub(crate) fn kurator() -> crate::NewContact {
    crate::NewContact {
        org_kind: "student-health".into(),
        org_name: "Fiktiva skolan".into(),
        role: "kurator".into(),
        name: "Fiktiv Kurator".into(),
        phone: None,
        email: None,
    }
}

/// The reason code of a refusal; None for any other error.
pub(crate) fn reason(e: Error) -> Option<ReasonCode> {
    match e {
        Error::Invalid(r) | Error::NotAllowed(r) => Some(r.code),
        _ => None,
    }
}

/// The journal's audit rows of `object_type`, oldest first.
pub(crate) fn audited(j: &Journal, object_type: &str) -> Vec<crate::AuditRow> {
    j.audit_list(&crate::AuditFilter::default())
        .expect("audit")
        .into_iter()
        .filter(|r| r.object_type == object_type)
        .collect()
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

/// A notice of the server for `team` (None: every team), to sign.
pub(crate) fn notice(team: Option<&str>, body: NoticeBody) -> Notice {
    Notice {
        version: PROTOCOL_VERSION,
        id: Uuid::now_v7(),
        issued_at_ms: 1,
        team: team.map(str::to_owned),
        body,
    }
}

/// A signed notice as the server hands it out, at `seq`.
pub(crate) fn pulled(seq: i64, signed: SignedNotice) -> (i64, Box<serde_json::value::RawValue>) {
    let raw = serde_json::to_string(&signed).expect("a notice serialises");
    (
        seq,
        serde_json::value::RawValue::from_string(raw).expect("JSON"),
    )
}

/// Makes `j` a laptop of team "Team Norr" that pinned `server`'s key.
pub(crate) fn pin(j: &Journal, server: &ring::signature::Ed25519KeyPair) {
    use ring::signature::KeyPair;
    crate::sync::state::set(&j.conn, crate::sync::state::TEAM, "Team Norr").expect("team");
    j.pin_server_key(&hex::encode(server.public_key().as_ref()))
        .expect("pin");
}

/// A journal of team "Team Norr" that pinned `server`'s key.
pub(crate) fn laptop(server: &ring::signature::Ed25519KeyPair) -> (tempfile::TempDir, Journal) {
    let (dir, j) = journal();
    pin(&j, server);
    (dir, j)
}

/// Takes in `body` for every team, signed by `key`, at `seq`.
pub(crate) fn tell(
    j: &mut Journal,
    key: &ring::signature::Ed25519KeyPair,
    seq: i64,
    body: NoticeBody,
) {
    let signed = brygga_protocol::notice::sign(notice(None, body), key);
    j.take_notices(&[pulled(seq, signed)], seq).expect("take");
}

/// `payload` as another laptop of the team wrote it a minute from now,
/// logged and replayed here as if it came by sync; its id. (The replay
/// check is left to the replay tests: this journal does not know that
/// laptop's key.)
pub(crate) fn replayed_from_elsewhere(j: &Journal, payload: brygga_protocol::op::Payload) -> Uuid {
    let op = brygga_protocol::op::Operation {
        version: PROTOCOL_VERSION,
        id: Uuid::now_v7(),
        device_id: Uuid::now_v7(),
        seq: 1,
        hlc: brygga_protocol::hlc::Hlc {
            wall_ms: crate::clock::now().timestamp_millis() + 60_000,
            counter: 0,
        },
        author: "Fiktiv Kollega".into(),
        payload,
    };
    let signed = brygga_protocol::signing::sign(op, &keypair());
    let body = serde_json::to_string(&signed).expect("json");
    crate::replay::scope::log(&j.conn, &signed, &body).expect("logged");
    crate::replay::scope::catch_up(&j.conn).expect("replayed");
    signed.op.id
}
