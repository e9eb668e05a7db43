//! Request authentication and team-authorisation rules.
//!
//! ## Request signatures
//!
//! Every authenticated request carries four headers:
//!
//! | header | value |
//! |---|---|
//! | `x-brygga-device` | the device id (UUID, hyphenated) |
//! | `x-brygga-time` | the client clock, unix milliseconds, decimal |
//! | `x-brygga-nonce` | 32 lowercase hex characters, random per request |
//! | `x-brygga-signature` | hex of the 64-byte Ed25519 signature by the device key |
//!
//! The signed message ([`request_message`]) is
//!
//! ```text
//! brygga/req/v1\n METHOD \n PATH_AND_QUERY \n TIME \n NONCE \n hex(sha256(BODY))
//! ```
//!
//! (without the spaces; METHOD uppercase, PATH_AND_QUERY exactly as sent,
//! e.g. `/v1/pull?after=0&limit=500`, TIME as in the header, BODY the exact
//! request body bytes — empty for GET). The server refuses a request whose
//! time is more than [`MAX_SKEW_MS`] from its own clock, and a nonce it has
//! seen from the same device within that window (a replay).
//!
//! ## Team authorisation
//!
//! [`Payload::scope`] says, for each operation, which objects it creates
//! and which existing object it belongs to; the server keeps an index
//! object → case → team built from accepted operations and refuses an
//! operation that touches another team's case (see [`Scope`]).

use crate::op::{ConflictSubject, DisclosureGround, Payload};
use crate::signing::{signature_from_hex, SignedMessage};
use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::Ed25519KeyPair;
use uuid::Uuid;

pub const HEADER_DEVICE: &str = "x-brygga-device";
pub const HEADER_TIME: &str = "x-brygga-time";
pub const HEADER_NONCE: &str = "x-brygga-nonce";
pub const HEADER_SIGNATURE: &str = "x-brygga-signature";

/// How far a request's time may be from the server clock (5 minutes).
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

const DOMAIN: &str = "brygga/req/v1\n";

/// The four authentication headers of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeaders {
    pub device_id: Uuid,
    pub time_ms: i64,
    /// 32 lowercase hex characters.
    pub nonce: String,
    /// Hex of the 64-byte Ed25519 signature.
    pub signature: String,
}

/// Why a request's authentication failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("header {0} is missing")]
    Missing(&'static str),
    #[error("header {0} is malformed")]
    Malformed(&'static str),
    #[error("request time {request_ms} is too far from the server time {server_ms} (allowed {max_skew_ms} ms)")]
    ClockSkew {
        request_ms: i64,
        server_ms: i64,
        max_skew_ms: i64,
    },
    #[error("request signature does not verify with the device key")]
    BadSignature,
}

impl AuthError {
    /// The [`crate::api::codes`] value for this error.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing(_) | AuthError::Malformed(_) => crate::api::codes::MISSING_AUTH,
            AuthError::ClockSkew { .. } => crate::api::codes::CLOCK_SKEW,
            AuthError::BadSignature => crate::api::codes::BAD_SIGNATURE,
        }
    }
}

impl AuthHeaders {
    /// The headers as (name, value) pairs, ready to add to a request.
    pub fn to_pairs(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_DEVICE, self.device_id.hyphenated().to_string()),
            (HEADER_TIME, self.time_ms.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }

    /// Reads and checks the shape of the headers; `get` returns a header's
    /// value by its lowercase name.
    pub fn from_lookup<'a>(
        mut get: impl FnMut(&'static str) -> Option<&'a str>,
    ) -> Result<AuthHeaders, AuthError> {
        let mut need = |name: &'static str| get(name).ok_or(AuthError::Missing(name));
        let device = need(HEADER_DEVICE)?;
        let time = need(HEADER_TIME)?;
        let nonce = need(HEADER_NONCE)?;
        let signature = need(HEADER_SIGNATURE)?;
        let device_id = Uuid::parse_str(device).map_err(|_| AuthError::Malformed(HEADER_DEVICE))?;
        let time_ms = time
            .parse::<i64>()
            .map_err(|_| AuthError::Malformed(HEADER_TIME))?;
        if !valid_nonce(nonce) {
            return Err(AuthError::Malformed(HEADER_NONCE));
        }
        if signature.len() != 128 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AuthError::Malformed(HEADER_SIGNATURE));
        }
        Ok(AuthHeaders {
            device_id,
            time_ms,
            nonce: nonce.to_string(),
            signature: signature.to_ascii_lowercase(),
        })
    }
}

/// True for 32 lowercase hex characters.
pub fn valid_nonce(nonce: &str) -> bool {
    nonce.len() == 32
        && nonce
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A fresh random nonce: 16 random bytes as 32 lowercase hex characters.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator works");
    hex::encode(bytes)
}

/// Lowercase hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest(&SHA256, bytes).as_ref())
}

/// The exact bytes a device signs for a request.
pub fn request_message(
    method: &str,
    path_and_query: &str,
    time_ms: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    format!(
        "{DOMAIN}{}\n{path_and_query}\n{time_ms}\n{nonce}\n{}",
        method.to_ascii_uppercase(),
        sha256_hex(body)
    )
    .into_bytes()
}

/// Signs a request with the device key; add [`AuthHeaders::to_pairs`] to it.
pub fn sign_request(
    key: &Ed25519KeyPair,
    device_id: Uuid,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now_ms: i64,
    nonce: &str,
) -> AuthHeaders {
    let message = request_message(method, path_and_query, now_ms, nonce, body);
    AuthHeaders {
        device_id,
        time_ms: now_ms,
        nonce: nonce.to_string(),
        signature: hex::encode(key.sign(&message).as_ref()),
    }
}

/// What the signature of a request covers, and the signature, for
/// [`crate::signing::verify_messages`] (which can check it in one batch with the
/// operations the request carries). Follow a successful check with
/// [`check_clock`].
pub fn request_to_verify(
    headers: &AuthHeaders,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<SignedMessage, AuthError> {
    if !valid_nonce(&headers.nonce) {
        return Err(AuthError::Malformed(HEADER_NONCE));
    }
    let signature =
        signature_from_hex(&headers.signature).ok_or(AuthError::Malformed(HEADER_SIGNATURE))?;
    let message = request_message(
        method,
        path_and_query,
        headers.time_ms,
        &headers.nonce,
        body,
    );
    Ok(SignedMessage { message, signature })
}

/// Refuses a request whose time is further than `max_skew_ms` from the
/// server's clock (checked after the signature, so that only the device
/// learns the server's time).
pub fn check_clock(request_ms: i64, now_ms: i64, max_skew_ms: i64) -> Result<(), AuthError> {
    if (now_ms - request_ms).abs() > max_skew_ms {
        return Err(AuthError::ClockSkew {
            request_ms,
            server_ms: now_ms,
            max_skew_ms,
        });
    }
    Ok(())
}

// ------------------------------------------------------------- scope ----

/// The kinds of object an operation can create or refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Pupil,
    Case,
    Guardian,
    Consent,
    Entry,
    Correction,
    Plan,
    PlanAction,
    ConcernReport,
    LadderStep,
    Followup,
    Programme,
    /// A key person of the team's directory: of a team, never of a case.
    Contact,
    /// A deviation in collaboration, of a case.
    Deviation,
    /// A line of a case's disclosure register.
    Disclosure,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 15] = [
        ObjectKind::Pupil,
        ObjectKind::Case,
        ObjectKind::Guardian,
        ObjectKind::Consent,
        ObjectKind::Entry,
        ObjectKind::Correction,
        ObjectKind::Plan,
        ObjectKind::PlanAction,
        ObjectKind::ConcernReport,
        ObjectKind::LadderStep,
        ObjectKind::Followup,
        ObjectKind::Programme,
        ObjectKind::Contact,
        ObjectKind::Deviation,
        ObjectKind::Disclosure,
    ];

    /// Stable name, as stored by the server.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Pupil => "pupil",
            ObjectKind::Case => "case",
            ObjectKind::Guardian => "guardian",
            ObjectKind::Consent => "consent",
            ObjectKind::Entry => "entry",
            ObjectKind::Correction => "correction",
            ObjectKind::Plan => "plan",
            ObjectKind::PlanAction => "plan-action",
            ObjectKind::ConcernReport => "concern-report",
            ObjectKind::LadderStep => "ladder-step",
            ObjectKind::Followup => "followup",
            ObjectKind::Programme => "programme",
            ObjectKind::Contact => "contact",
            ObjectKind::Deviation => "deviation",
            ObjectKind::Disclosure => "disclosure",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An object, by id and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    pub id: Uuid,
    pub kind: ObjectKind,
}

/// What an operation belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A new pupil: belongs to the team of the device that registers it.
    NewPupil,
    /// A case being opened for this pupil: allowed only when the pupil
    /// belongs to the device's team; the case gets the pupil's team.
    Pupil(Uuid),
    /// This case, which must exist and belong to the device's team.
    Case(Uuid),
    /// The case of this earlier-created object, which must exist. For a
    /// pupil (a week of absence) that is no case: the operation belongs to
    /// the pupil's team only, like the pupil's registration; for a key
    /// person of the directory, to the team only.
    Object(ObjectRef),
    /// The team of the device itself: what the team shares whatever the
    /// pupil, such as its directory of key persons. No case, so it never
    /// leaves a laptop or is purged with one (docs/adr/0029-a-team-scope.md).
    Team,
}

/// The authorisation scope of an operation (see [`Payload::scope`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Objects the operation brings into existence; they belong to the case
    /// of [`Scope::target`] (for a pupil: to no case, only a team).
    pub creates: Vec<ObjectRef>,
    /// What the operation belongs to.
    pub target: Target,
    /// Other existing objects it names, which must be in the same case
    /// (a consent's guardian).
    pub related: Vec<ObjectRef>,
}

impl Payload {
    /// Which objects this payload creates, and which case, pupil or object
    /// it belongs to. Pure: the server applies it to its object index.
    pub fn scope(&self) -> Scope {
        use ObjectKind as K;
        let obj = |id: Uuid, kind: ObjectKind| ObjectRef { id, kind };
        let (creates, target, related) = match self {
            Payload::PupilRegistered { pupil_id, .. } => {
                (vec![obj(*pupil_id, K::Pupil)], Target::NewPupil, vec![])
            }
            Payload::CaseOpened { case_id, pupil_id } => (
                vec![obj(*case_id, K::Case)],
                Target::Pupil(*pupil_id),
                vec![],
            ),
            Payload::CaseClosed { case_id } | Payload::CaseReopened { case_id } => {
                (vec![], Target::Case(*case_id), vec![])
            }
            Payload::GuardianAdded {
                guardian_id,
                case_id,
                ..
            } => (
                vec![obj(*guardian_id, K::Guardian)],
                Target::Case(*case_id),
                vec![],
            ),
            Payload::GuardianFieldSet { guardian_id, .. } => (
                vec![],
                Target::Object(obj(*guardian_id, K::Guardian)),
                vec![],
            ),
            Payload::ConsentRecorded {
                consent_id,
                case_id,
                guardian_id,
                ..
            } => (
                vec![obj(*consent_id, K::Consent)],
                Target::Case(*case_id),
                guardian_id.iter().map(|g| obj(*g, K::Guardian)).collect(),
            ),
            Payload::ConsentWithdrawn { consent_id, .. } => {
                (vec![], Target::Object(obj(*consent_id, K::Consent)), vec![])
            }
            Payload::EntryDrafted {
                entry_id, case_id, ..
            } => (
                vec![obj(*entry_id, K::Entry)],
                Target::Case(*case_id),
                vec![],
            ),
            Payload::DraftEdited { entry_id, .. } | Payload::EntrySigned { entry_id, .. } => {
                (vec![], Target::Object(obj(*entry_id, K::Entry)), vec![])
            }
            Payload::EntryCorrected {
                correction_id,
                entry_id,
                ..
            } => (
                vec![obj(*correction_id, K::Correction)],
                Target::Object(obj(*entry_id, K::Entry)),
                vec![],
            ),
            Payload::PlanCreated {
                plan_id,
                case_id,
                actions,
                ..
            } => (
                std::iter::once(obj(*plan_id, K::Plan))
                    .chain(actions.iter().map(|a| obj(a.action_id, K::PlanAction)))
                    .collect(),
                Target::Case(*case_id),
                vec![],
            ),
            // A revision belongs to its plan; the actions it carries over
            // must be of the same case, the new ones are created there.
            Payload::PlanRevised {
                plan_id,
                actions,
                new_actions,
                ..
            } => (
                new_actions
                    .iter()
                    .map(|a| obj(a.action_id, K::PlanAction))
                    .collect(),
                Target::Object(obj(*plan_id, K::Plan)),
                actions
                    .iter()
                    .map(|a| obj(a.action_id, K::PlanAction))
                    .collect(),
            ),
            Payload::PlanActionStatusSet { action_id, .. } => (
                vec![],
                Target::Object(obj(*action_id, K::PlanAction)),
                vec![],
            ),
            Payload::ConcernReported {
                report_id, case_id, ..
            } => (
                vec![obj(*report_id, K::ConcernReport)],
                Target::Case(*case_id),
                vec![],
            ),
            Payload::LadderStepSet {
                record_id, case_id, ..
            } => (
                vec![obj(*record_id, K::LadderStep)],
                Target::Case(*case_id),
                vec![],
            ),
            Payload::LadderNextPlanned { case_id, .. } => (vec![], Target::Case(*case_id), vec![]),
            Payload::ActionScheduled { action_id, .. } => (
                vec![],
                Target::Object(obj(*action_id, K::PlanAction)),
                vec![],
            ),
            Payload::FollowupCreated {
                followup_id,
                case_id,
                entry_id,
                ..
            } => (
                vec![obj(*followup_id, K::Followup)],
                Target::Case(*case_id),
                entry_id.iter().map(|e| obj(*e, K::Entry)).collect(),
            ),
            Payload::FollowupDone { followup_id, .. } => (
                vec![],
                Target::Object(obj(*followup_id, K::Followup)),
                vec![],
            ),
            Payload::ProgrammeStarted {
                programme_id,
                case_id,
                ..
            } => (
                vec![obj(*programme_id, K::Programme)],
                Target::Case(*case_id),
                vec![],
            ),
            Payload::ProgrammeReturnPlanned { case_id, .. } => {
                (vec![], Target::Case(*case_id), vec![])
            }
            // A week of absence belongs to the pupil, not to a case: it is
            // the school's figure whether or not a case is open. The pupil
            // must exist and be the device's team's; it creates no object
            // (a week is keyed by pupil and date, not by an id).
            Payload::AbsenceWeekRecorded { pupil_id, .. } => {
                (vec![], Target::Object(obj(*pupil_id, K::Pupil)), vec![])
            }
            Payload::ContactAdded { contact_id, .. } => {
                (vec![obj(*contact_id, K::Contact)], Target::Team, vec![])
            }
            Payload::ContactChanged { contact_id, .. }
            | Payload::ContactLeftRole { contact_id, .. } => {
                (vec![], Target::Object(obj(*contact_id, K::Contact)), vec![])
            }
            Payload::DeviationRecorded {
                deviation_id,
                case_id,
                action_id,
                ..
            } => (
                vec![obj(*deviation_id, K::Deviation)],
                Target::Case(*case_id),
                action_id.iter().map(|a| obj(*a, K::PlanAction)).collect(),
            ),
            Payload::DeviationStatusSet { deviation_id, .. } => (
                vec![],
                Target::Object(obj(*deviation_id, K::Deviation)),
                vec![],
            ),
            Payload::DisclosureRecorded {
                disclosure_id,
                case_id,
                ground,
                ..
            } => (
                vec![obj(*disclosure_id, K::Disclosure)],
                Target::Case(*case_id),
                match ground {
                    DisclosureGround::Consent { consent_id } => vec![obj(*consent_id, K::Consent)],
                    DisclosureGround::Other { .. } => vec![],
                },
            ),
            Payload::ConflictResolved { subject, .. } => {
                let owner = match subject {
                    ConflictSubject::GuardianField { guardian_id, .. } => {
                        obj(*guardian_id, K::Guardian)
                    }
                    ConflictSubject::ActionStatus { action_id } => obj(*action_id, K::PlanAction),
                    ConflictSubject::AbsenceWeek { pupil_id, .. } => obj(*pupil_id, K::Pupil),
                    ConflictSubject::EntryContent { entry_id } => obj(*entry_id, K::Entry),
                    ConflictSubject::LadderNext { case_id }
                    | ConflictSubject::ProgrammeReturn { case_id } => obj(*case_id, K::Case),
                    ConflictSubject::ActionSchedule { action_id } => obj(*action_id, K::PlanAction),
                    ConflictSubject::ContactField { contact_id, .. } => {
                        obj(*contact_id, K::Contact)
                    }
                    ConflictSubject::DeviationStatus { deviation_id } => {
                        obj(*deviation_id, K::Deviation)
                    }
                };
                (vec![], Target::Object(owner), vec![])
            }
        };
        Scope {
            creates,
            target,
            related,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry_kind::EntryKind;
    use crate::op::{ActionStatus, ConsentForm, EntryContent, GuardianField, PlanAction};
    use crate::signing::verify_messages;
    use chrono::{NaiveDate, TimeZone, Utc};
    use ring::signature::KeyPair;
    use std::collections::{BTreeMap, HashMap};

    fn keypair() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("keygen");
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("parse")
    }

    /// The server's order of checks (crates/server/src/http/authn.rs,
    /// `SignedRequest::verify`) for one request on its own.
    fn verify_request(
        headers: &AuthHeaders,
        public_key: &[u8],
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now_ms: i64,
        max_skew_ms: i64,
    ) -> Result<(), AuthError> {
        let signed = request_to_verify(headers, method, path_and_query, body)?;
        if verify_messages(public_key, &[signed]) != [true] {
            return Err(AuthError::BadSignature);
        }
        check_clock(headers.time_ms, now_ms, max_skew_ms)
    }

    const NOW: i64 = 1_800_000_000_000;

    fn signed(key: &Ed25519KeyPair, body: &[u8]) -> AuthHeaders {
        sign_request(
            key,
            Uuid::from_u128(7),
            "POST",
            "/v1/push",
            body,
            NOW,
            &new_nonce(),
        )
    }

    #[test]
    fn a_signed_request_verifies() {
        let key = keypair();
        let h = signed(&key, b"{\"ops\":[]}");
        let pk = key.public_key().as_ref();
        assert_eq!(
            verify_request(
                &h,
                pk,
                "POST",
                "/v1/push",
                b"{\"ops\":[]}",
                NOW + 1000,
                MAX_SKEW_MS
            ),
            Ok(())
        );
        // The method is compared case-insensitively (always uppercased).
        assert_eq!(
            verify_request(
                &h,
                pk,
                "post",
                "/v1/push",
                b"{\"ops\":[]}",
                NOW,
                MAX_SKEW_MS
            ),
            Ok(())
        );
    }

    #[test]
    fn any_changed_part_breaks_the_signature() {
        let key = keypair();
        let body = b"{\"ops\":[]}";
        let h = signed(&key, body);
        let pk = key.public_key().as_ref();
        let bad = Err(AuthError::BadSignature);
        assert_eq!(
            verify_request(&h, pk, "GET", "/v1/push", body, NOW, MAX_SKEW_MS),
            bad
        );
        assert_eq!(
            verify_request(&h, pk, "POST", "/v1/pull", body, NOW, MAX_SKEW_MS),
            bad
        );
        assert_eq!(
            verify_request(&h, pk, "POST", "/v1/push", b"{}", NOW, MAX_SKEW_MS),
            bad
        );
        let mut t = h.clone();
        t.time_ms += 1;
        assert_eq!(
            verify_request(&t, pk, "POST", "/v1/push", body, NOW, MAX_SKEW_MS),
            bad
        );
        let mut n = h.clone();
        n.nonce = new_nonce();
        assert_eq!(
            verify_request(&n, pk, "POST", "/v1/push", body, NOW, MAX_SKEW_MS),
            bad
        );
        let other = keypair();
        assert_eq!(
            verify_request(
                &h,
                other.public_key().as_ref(),
                "POST",
                "/v1/push",
                body,
                NOW,
                MAX_SKEW_MS
            ),
            bad
        );
    }

    #[test]
    fn a_request_too_far_from_the_server_clock_is_refused() {
        let key = keypair();
        let h = signed(&key, b"");
        let pk = key.public_key().as_ref();
        for now in [NOW + MAX_SKEW_MS + 1, NOW - MAX_SKEW_MS - 1] {
            assert!(matches!(
                verify_request(&h, pk, "POST", "/v1/push", b"", now, MAX_SKEW_MS),
                Err(AuthError::ClockSkew { .. })
            ));
        }
        assert_eq!(
            verify_request(
                &h,
                pk,
                "POST",
                "/v1/push",
                b"",
                NOW + MAX_SKEW_MS,
                MAX_SKEW_MS
            ),
            Ok(())
        );
    }

    #[test]
    fn headers_round_trip_and_are_checked_for_shape() {
        let key = keypair();
        let h = signed(&key, b"x");
        let map: HashMap<&str, String> = h.to_pairs().into_iter().collect();
        let back = AuthHeaders::from_lookup(|n| map.get(n).map(String::as_str)).expect("parse");
        assert_eq!(back, h);

        let mut broken = map.clone();
        broken.remove(HEADER_NONCE);
        assert_eq!(
            AuthHeaders::from_lookup(|n| broken.get(n).map(String::as_str)),
            Err(AuthError::Missing(HEADER_NONCE))
        );
        for (name, value) in [
            (HEADER_DEVICE, "not-a-uuid"),
            (HEADER_TIME, "soon"),
            (HEADER_NONCE, "ABCDEF"),
            (HEADER_SIGNATURE, "00"),
        ] {
            let mut m = map.clone();
            m.insert(name, value.to_string());
            assert_eq!(
                AuthHeaders::from_lookup(|n| m.get(n).map(String::as_str)),
                Err(AuthError::Malformed(name)),
                "{name}"
            );
        }
    }

    #[test]
    fn the_signed_message_is_exactly_as_documented() {
        let msg = request_message(
            "get",
            "/v1/pull?after=0",
            5,
            "00112233445566778899aabbccddeeff",
            b"",
        );
        assert_eq!(
            String::from_utf8(msg).expect("utf8"),
            "brygga/req/v1\nGET\n/v1/pull?after=0\n5\n00112233445566778899aabbccddeeff\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(valid_nonce(&new_nonce()));
        assert_ne!(new_nonce(), new_nonce());
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn content() -> EntryContent {
        EntryContent {
            kind: EntryKind::Note,
            event_at: Utc.timestamp_opt(0, 0).single().expect("epoch"),
            participants: vec![],
            key_persons: Vec::new(),
            fields: BTreeMap::new(),
            text: String::new(),
        }
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }

    fn o(n: u128, kind: ObjectKind) -> ObjectRef {
        ObjectRef { id: id(n), kind }
    }

    #[test]
    fn every_payload_has_the_documented_scope() {
        use ObjectKind as K;
        let case = Target::Case(id(2));
        let cases: Vec<(Payload, Vec<ObjectRef>, Target, Vec<ObjectRef>)> = vec![
            (
                Payload::PupilRegistered {
                    pupil_id: id(1),
                    name: "Fiktiv".into(),
                    personnummer: "201001012384".into(),
                    school: "x".into(),
                    grade: 7,
                    protected_identity: false,
                },
                vec![o(1, K::Pupil)],
                Target::NewPupil,
                vec![],
            ),
            (
                Payload::CaseOpened {
                    case_id: id(2),
                    pupil_id: id(1),
                },
                vec![o(2, K::Case)],
                Target::Pupil(id(1)),
                vec![],
            ),
            (Payload::CaseClosed { case_id: id(2) }, vec![], case, vec![]),
            (
                Payload::GuardianAdded {
                    guardian_id: id(3),
                    case_id: id(2),
                    name: "g".into(),
                    relation: "r".into(),
                },
                vec![o(3, K::Guardian)],
                case,
                vec![],
            ),
            (
                Payload::GuardianFieldSet {
                    guardian_id: id(3),
                    field: GuardianField::Phone,
                    value: "1".into(),
                    replaces: None,
                },
                vec![],
                Target::Object(o(3, K::Guardian)),
                vec![],
            ),
            (
                Payload::ConsentRecorded {
                    consent_id: id(4),
                    case_id: id(2),
                    guardian_id: Some(id(3)),
                    scope: "s".into(),
                    recipient: "r".into(),
                    purpose: "p".into(),
                    form: ConsentForm::Oral,
                    given_on: date(),
                    valid_until: None,
                },
                vec![o(4, K::Consent)],
                case,
                vec![o(3, K::Guardian)],
            ),
            (
                Payload::ConsentWithdrawn {
                    consent_id: id(4),
                    withdrawn_on: date(),
                },
                vec![],
                Target::Object(o(4, K::Consent)),
                vec![],
            ),
            (
                Payload::EntryDrafted {
                    entry_id: id(5),
                    case_id: id(2),
                    content: content(),
                },
                vec![o(5, K::Entry)],
                case,
                vec![],
            ),
            (
                Payload::DraftEdited {
                    entry_id: id(5),
                    content: content(),
                    replaces: Some(id(5)),
                },
                vec![],
                Target::Object(o(5, K::Entry)),
                vec![],
            ),
            (
                Payload::EntrySigned {
                    entry_id: id(5),
                    content_hash: Some(content().hash()),
                },
                vec![],
                Target::Object(o(5, K::Entry)),
                vec![],
            ),
            (
                Payload::EntryCorrected {
                    correction_id: id(6),
                    entry_id: id(5),
                    text: "t".into(),
                    reason: "r".into(),
                },
                vec![o(6, K::Correction)],
                Target::Object(o(5, K::Entry)),
                vec![],
            ),
            (
                Payload::PlanCreated {
                    plan_id: id(7),
                    case_id: id(2),
                    needs: "n".into(),
                    goals: vec![],
                    lead_party: "l".into(),
                    follow_up_on: date(),
                    actions: vec![PlanAction {
                        action_id: id(8),
                        who: "w".into(),
                        what: "w".into(),
                        due_on: None,
                        contact_id: None,
                    }],
                },
                vec![o(7, K::Plan), o(8, K::PlanAction)],
                case,
                vec![],
            ),
            (
                Payload::PlanActionStatusSet {
                    action_id: id(8),
                    status: ActionStatus::Done,
                    replaces: None,
                },
                vec![],
                Target::Object(o(8, K::PlanAction)),
                vec![],
            ),
            (
                Payload::ConcernReported {
                    report_id: id(9),
                    case_id: id(2),
                    reported_at: Utc.timestamp_opt(0, 0).single().expect("epoch"),
                    to_whom: "t".into(),
                    by_whom: "b".into(),
                    summary: "s".into(),
                },
                vec![o(9, K::ConcernReport)],
                case,
                vec![],
            ),
            (
                Payload::AbsenceWeekRecorded {
                    pupil_id: id(1),
                    week_start: date(),
                    scheduled_min: 1680,
                    valid_absent_min: 60,
                    invalid_absent_min: 30,
                    source: "f.csv".into(),
                    replaces: None,
                },
                vec![],
                Target::Object(o(1, K::Pupil)),
                vec![],
            ),
            (
                Payload::LadderStepSet {
                    record_id: id(13),
                    case_id: id(2),
                    step: "home-visits".into(),
                    decided_on: date(),
                    note: String::new(),
                },
                vec![o(13, K::LadderStep)],
                case,
                vec![],
            ),
            (
                Payload::LadderNextPlanned {
                    case_id: id(2),
                    step: "calmer-unit".into(),
                    on: date(),
                    replaces: None,
                },
                vec![],
                case,
                vec![],
            ),
            (
                Payload::ActionScheduled {
                    action_id: id(8),
                    days: vec![chrono::Weekday::Mon, chrono::Weekday::Wed],
                    time: "08:10".into(),
                    replaces: None,
                },
                vec![],
                Target::Object(o(8, K::PlanAction)),
                vec![],
            ),
            (
                Payload::FollowupCreated {
                    followup_id: id(14),
                    case_id: id(2),
                    task: crate::op::FollowupTask::CallGuardian,
                    due_on: date(),
                    entry_id: Some(id(5)),
                },
                vec![o(14, K::Followup)],
                case,
                vec![o(5, K::Entry)],
            ),
            (
                Payload::FollowupDone {
                    followup_id: id(14),
                    done_on: date(),
                },
                vec![],
                Target::Object(o(14, K::Followup)),
                vec![],
            ),
            (
                Payload::ProgrammeStarted {
                    programme_id: id(15),
                    case_id: id(2),
                    template: crate::programme::back2school(),
                    started_on: date(),
                },
                vec![o(15, K::Programme)],
                case,
                vec![],
            ),
            (
                Payload::ProgrammeReturnPlanned {
                    case_id: id(2),
                    on: date(),
                    replaces: None,
                },
                vec![],
                case,
                vec![],
            ),
            (
                Payload::ConflictResolved {
                    subject: ConflictSubject::EntryContent { entry_id: id(5) },
                    chosen: id(11),
                    resolves: vec![id(12)],
                },
                vec![],
                Target::Object(o(5, K::Entry)),
                vec![],
            ),
            (
                Payload::ContactAdded {
                    contact_id: id(16),
                    org_kind: crate::op::OrgKind::School,
                    org_name: "Fiktiva skolan".into(),
                    role: "rektor".into(),
                    name: "Fiktiv Rektor".into(),
                    phone: None,
                    email: None,
                },
                vec![o(16, K::Contact)],
                Target::Team,
                vec![],
            ),
            (
                Payload::ContactChanged {
                    contact_id: id(16),
                    field: crate::op::ContactField::Phone,
                    value: "070-000 00 00".into(),
                    replaces: None,
                },
                vec![],
                Target::Object(o(16, K::Contact)),
                vec![],
            ),
            (
                Payload::ContactLeftRole {
                    contact_id: id(16),
                    left_on: date(),
                },
                vec![],
                Target::Object(o(16, K::Contact)),
                vec![],
            ),
            (
                Payload::DeviationRecorded {
                    deviation_id: id(17),
                    case_id: id(2),
                    action_id: Some(id(4)),
                    partner: crate::op::OrgKind::Bup,
                    category: crate::op::DeviationCategory::LateContact,
                    text: "Fiktiv".into(),
                    noted_on: date(),
                },
                vec![o(17, K::Deviation)],
                Target::Case(id(2)),
                vec![o(4, K::PlanAction)],
            ),
            (
                Payload::DeviationStatusSet {
                    deviation_id: id(17),
                    status: crate::op::DeviationStatus::Raised,
                    replaces: None,
                },
                vec![],
                Target::Object(o(17, K::Deviation)),
                vec![],
            ),
            (
                Payload::DisclosureRecorded {
                    disclosure_id: id(18),
                    case_id: id(2),
                    recipient: "BUP".into(),
                    what: "Journalutdrag".into(),
                    ground: crate::op::DisclosureGround::Consent { consent_id: id(3) },
                    disclosed_on: date(),
                },
                vec![o(18, K::Disclosure)],
                Target::Case(id(2)),
                vec![o(3, K::Consent)],
            ),
        ];
        assert_eq!(cases.len(), 29, "every payload variant is covered");
        for (payload, creates, target, related) in cases {
            let scope = payload.scope();
            assert_eq!(scope.creates, creates, "{}", payload.type_name());
            assert_eq!(scope.target, target, "{}", payload.type_name());
            assert_eq!(scope.related, related, "{}", payload.type_name());
        }
    }

    #[test]
    fn object_kinds_round_trip_their_names() {
        for k in ObjectKind::ALL {
            assert_eq!(ObjectKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ObjectKind::parse("nope"), None);
    }
}
