//! The HTTP API between a device and the municipal server (version 1).
//!
//! All bodies are JSON (`content-type: application/json`). Every endpoint
//! except [`PATH_ENROLL`], [`PATH_OPENAPI`] and [`PATH_METRICS`] is
//! authenticated: the request carries the four `x-brygga-*` headers of
//! [`crate::auth`], signed by the device key enrolled for the device.
//!
//! Errors are answered with a non-2xx status and an [`ErrorBody`]
//! `{code, message}`; `code` is one of [`codes`]. A revoked device gets
//! **403** with code [`codes::DEVICE_REVOKED`] on every authenticated
//! endpoint: the client then wipes its local journal.
//!
//! | method | path | auth | request | response |
//! |---|---|---|---|---|
//! | POST | `/v1/enroll` | none (one-time code) | [`EnrollRequest`] | [`EnrollResponse`] |
//! | POST | `/v1/push` | device | [`PushRequest`] | [`PushResponse`] |
//! | GET | `/v1/pull?after=CURSOR&limit=N` | device | [`PullQuery`] | [`PullResponse`] |
//! | GET | `/v1/status` | device | – | [`StatusResponse`] |
//! | GET | `/v1/devices` | device | – | [`DeviceDirectory`] |
//! | POST | `/v1/audit` | device | [`AuditPushRequest`] | [`AuditPushResponse`] |
//! | GET | `/v1/notices?after=CURSOR` | device | [`NoticesQuery`] | [`NoticesResponse`] |
//! | GET | `/v1/case-ops?case=ID` | device | [`CaseOpsQuery`] | [`CaseOpsResponse`] |
//! | GET | `/openapi.json` | none | – | OpenAPI 3 document |
//! | GET | `/metrics` | none | – | Prometheus text |

use crate::audit::AuditRow;
use crate::notice::SignedNotice;
use crate::op::SignedOperation;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Version prefix of every API path.
pub const API_PREFIX: &str = "/v1";

/// `POST /v1/enroll` — unauthenticated. Exchanges a one-time enrolment code
/// (see [`EnrollCode`]) for the registration of the device's public key.
/// The code is single-use and expires (default 60 minutes). Body
/// [`EnrollRequest`], answer [`EnrollResponse`]. Errors: 400
/// `bad_request`; 401 `invalid_code` (unknown, used or expired — the
/// message says which); 409 `device_exists` (the device id is taken).
pub const PATH_ENROLL: &str = "/v1/enroll";

/// `POST /v1/push` — authenticated. Uploads a batch of signed operations of
/// the requesting device, at most [`MAX_PUSH_OPS`], in the device's `seq`
/// order (parents before children), each at most [`MAX_OP_BYTES`]
/// serialised. A batch may also hold operations of other devices of the
/// requester's team (a device pushes again all it holds after the server
/// was restored, see [`StatusResponse::history_epoch`]): each is checked
/// against its author's key, and a revoked author's is rejected above its
/// [`DirectoryEntry::last_seq`]. Body [`PushRequest`], answer
/// [`PushResponse`] with exactly one [`OpResult`] per operation, in order.
/// Idempotent by `(device_id, seq)`: pushing an operation again answers
/// `duplicate` with the original `server_seq`. One bad operation is
/// `rejected` with a reason and never blocks the rest of the batch (so is
/// an operation larger than [`MAX_OP_BYTES`]). When
/// the answer is not 200, nothing of the batch may be assumed stored; push
/// it again (it is safe). Errors: 400 `bad_request`, 413
/// `batch_too_large`, the authentication errors, 500 `internal`.
pub const PATH_PUSH: &str = "/v1/push";

/// `GET /v1/pull?after=CURSOR&limit=N` — authenticated. Operations of the
/// requester's team with `server_seq > after`, in `server_seq` order, at
/// most `limit` (default [`DEFAULT_PULL_LIMIT`], at most
/// [`MAX_PULL_LIMIT`]; larger values are clamped). Start with `after=0`;
/// continue with `after = next_cursor` while `more` is true. The device's
/// own operations are included too. Query [`PullQuery`], answer
/// [`PullResponse`]. Errors: 400 `bad_request`, authentication errors.
pub const PATH_PULL: &str = "/v1/pull";

/// `GET /v1/status` — authenticated. Whether the device is active, its
/// team, the newest `server_seq` of the team, the server's clock and its
/// history epoch (see [`StatusResponse::history_epoch`]).
/// Answer [`StatusResponse`]. A revoked device gets 403 `device_revoked`.
pub const PATH_STATUS: &str = "/v1/status";

/// `GET /v1/devices` — authenticated. The device directory of the
/// requester's team: every device ever enrolled in it, revoked ones
/// included, sorted by device id. Answer [`DeviceDirectory`]. A client
/// verifies each pulled operation's signature against the key of its
/// author device listed here, and refuses an operation of a revoked device
/// whose `seq` is above that device's [`DirectoryEntry::last_seq`]. Errors:
/// the authentication errors, 500 `internal`.
pub const PATH_DEVICES: &str = "/v1/devices";

/// `POST /v1/audit` — authenticated. Uploads the next rows of the
/// requesting device's audit log, at most [`MAX_AUDIT_ROWS`], in ascending
/// `seq`, every row with the requester's `device_id`. The server checks
/// them against the chain it holds for the device and stores every row,
/// also one that breaks the chain (it records the break for the admin and
/// names it in the answer). Idempotent: a row the server holds already is
/// a duplicate. When the answer is not 200, push the same rows again.
/// Body [`AuditPushRequest`], answer [`AuditPushResponse`]. Errors: 400
/// `bad_request` (a row of another device, rows out of order), 413
/// `batch_too_large`, the authentication errors, 500 `internal`.
pub const PATH_AUDIT: &str = "/v1/audit";

/// `GET /v1/notices?after=CURSOR` — authenticated. What the server itself
/// issued for the requester's team (and for every team), signed by the
/// server's key, with `notice_seq > after`, in `notice_seq` order, at most
/// [`MAX_NOTICES`]; continue with `after = next_cursor` while `more`.
/// The client verifies each against the server key it pinned at
/// enrolment. Answer [`NoticesResponse`]. Errors: 400 `bad_request`, the
/// authentication errors, 500 `internal`.
pub const PATH_NOTICES: &str = "/v1/notices";

/// `GET /v1/case-ops?case=ID` — authenticated. Every stored operation of
/// one case of the requester's team, in `server_seq` order: how a laptop
/// fetches back a closed case that had left it. Answer
/// [`CaseOpsResponse`]. Errors: 400 `bad_request`, 404 `not_found` (no
/// such case in the team), 410 `case_purged`, the authentication errors.
pub const PATH_CASE_OPS: &str = "/v1/case-ops";

/// `GET /openapi.json` — unauthenticated. The OpenAPI 3 document of this API.
pub const PATH_OPENAPI: &str = "/openapi.json";

/// `GET /metrics` — unauthenticated. Prometheus text exposition format.
pub const PATH_METRICS: &str = "/metrics";

/// Every route of the server: (method, path). The OpenAPI document lists
/// each of them (checked by a test in the server).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", PATH_ENROLL),
    ("POST", PATH_PUSH),
    ("GET", PATH_PULL),
    ("GET", PATH_STATUS),
    ("GET", PATH_DEVICES),
    ("POST", PATH_AUDIT),
    ("GET", PATH_NOTICES),
    ("GET", PATH_CASE_OPS),
    ("GET", PATH_OPENAPI),
    ("GET", PATH_METRICS),
];

/// Most operations accepted in one push; a larger batch gets 413.
pub const MAX_PUSH_OPS: usize = 1000;
/// Most audit rows accepted in one `POST /v1/audit`; more get 413.
pub const MAX_AUDIT_ROWS: usize = 1000;
/// Most notices one `GET /v1/notices` returns.
pub const MAX_NOTICES: u32 = 500;
/// Most operations one pull page returns.
pub const MAX_PULL_LIMIT: u32 = 1000;
/// Page size when `limit` is not given.
pub const DEFAULT_PULL_LIMIT: u32 = 500;
/// Largest request body the server reads (bytes).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Largest serialised [`SignedOperation`] (compact JSON, as
/// `serde_json::to_vec` writes it) a client may write, in bytes. The server
/// rejects a pushed operation above it (`rejected` with a reason; the rest
/// of the batch is unaffected).
pub const MAX_OP_BYTES: usize = 256 * 1024;
/// A client's push batches stay under this serialised size ([`PushRequest`]
/// as compact JSON, in bytes), well under [`MAX_BODY_BYTES`]: a batch holds
/// at most [`MAX_PUSH_OPS`] operations and at most this many bytes, and
/// always at least one operation.
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;

// One operation always fits in a batch, and a batch in a request body.
const _: () = assert!(MAX_OP_BYTES < MAX_PUSH_BYTES && MAX_PUSH_BYTES < MAX_BODY_BYTES);

/// The `code` values of [`ErrorBody`].
pub mod codes {
    /// Malformed JSON, query or field value.
    pub const BAD_REQUEST: &str = "bad_request";
    /// A push of more than [`super::MAX_PUSH_OPS`] operations or a body
    /// larger than [`super::MAX_BODY_BYTES`].
    pub const BATCH_TOO_LARGE: &str = "batch_too_large";
    /// Enrolment code unknown, already used or expired.
    pub const INVALID_CODE: &str = "invalid_code";
    /// Enrolment with a device id that is already enrolled.
    pub const DEVICE_EXISTS: &str = "device_exists";
    /// An `x-brygga-*` header is missing or malformed (401).
    pub const MISSING_AUTH: &str = "missing_auth";
    /// The device id of the request is not enrolled here (401).
    pub const UNKNOWN_DEVICE: &str = "unknown_device";
    /// The request signature does not verify with the device key (401).
    pub const BAD_SIGNATURE: &str = "bad_signature";
    /// `x-brygga-time` is too far from the server clock (401); the message
    /// carries the server time. Fix the clock, or retry with server time.
    pub const CLOCK_SKEW: &str = "clock_skew";
    /// The nonce was already used: a replayed request (401).
    pub const REPLAYED_REQUEST: &str = "replayed_request";
    /// The device was revoked (403): the client wipes its local journal.
    pub const DEVICE_REVOKED: &str = "device_revoked";
    /// No such route, or no such case in the team (404).
    pub const NOT_FOUND: &str = "not_found";
    /// The case was purged: its operations are gone (410).
    pub const CASE_PURGED: &str = "case_purged";
    /// Server-side failure (500); retry later. Nothing of a failed push
    /// may be assumed stored.
    pub const INTERNAL: &str = "internal";
}

/// Body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable, machine-readable code from [`codes`].
    pub code: String,
    /// A readable explanation (English); never contains journal data.
    pub message: String,
}

/// Body of `POST /v1/enroll`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The enrolment code exactly as the admin gave it (the full
    /// [`EnrollCode`] text; the server reads the secret before the `.`,
    /// a bare secret is accepted too).
    pub code: String,
    /// The id the device chose for itself (it signs its operations with it).
    pub device_id: Uuid,
    /// The raw 32-byte Ed25519 public key of the device, hex.
    pub public_key_hex: String,
    /// A human name for the device, shown in `brygga-server device list`.
    pub device_name: String,
}

/// Answer of `POST /v1/enroll`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: Uuid,
    /// The user name the code was issued to; devices use it as the
    /// `author` of their operations.
    pub user: String,
    /// The team the device now belongs to.
    pub team: String,
    /// Server clock, unix milliseconds.
    pub server_time_ms: i64,
    /// The server's raw 32-byte Ed25519 public key, hex: the device pins
    /// it and verifies every notice against it. Empty from a server that
    /// predates notices.
    #[serde(default)]
    pub server_key_hex: String,
}

/// Body of `POST /v1/push`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub ops: Vec<SignedOperation>,
}

/// What became of one pushed operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Stored now; `server_seq` is set.
    Accepted,
    /// Stored by an earlier push; `server_seq` is the original one.
    Duplicate,
    /// Not stored; `reason` says why. Pushing it again gives the same
    /// answer unless the reason was an unknown parent object.
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Duplicate => "duplicate",
            Outcome::Rejected => "rejected",
        }
    }
}

/// The result for one pushed operation (same position as in the request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpResult {
    pub op_id: Uuid,
    pub device_id: Uuid,
    pub seq: u64,
    pub outcome: Outcome,
    /// Set for `accepted` and `duplicate`.
    pub server_seq: Option<i64>,
    /// Set for `rejected`: a readable reason (ids only, never payload data).
    pub reason: Option<String>,
}

/// Answer of `POST /v1/push`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One per pushed operation, in request order.
    pub results: Vec<OpResult>,
}

/// Query of `GET /v1/pull`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    /// Cursor: the `next_cursor` of the previous page, 0 to start.
    #[serde(default)]
    pub after: i64,
    /// Page size; default [`DEFAULT_PULL_LIMIT`], clamped to [`MAX_PULL_LIMIT`].
    #[serde(default)]
    pub limit: Option<u32>,
}

impl PullQuery {
    /// The `path_and_query` to request (and sign), e.g.
    /// `/v1/pull?after=42&limit=500`.
    pub fn path_and_query(&self) -> String {
        match self.limit {
            Some(limit) => format!("{PATH_PULL}?after={}&limit={limit}", self.after),
            None => format!("{PATH_PULL}?after={}", self.after),
        }
    }

    /// The page size the server uses for this query.
    pub fn effective_limit(&self) -> u32 {
        self.limit
            .unwrap_or(DEFAULT_PULL_LIMIT)
            .clamp(1, MAX_PULL_LIMIT)
    }
}

/// One operation in a pull page, with its place in the server's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledOp {
    pub server_seq: i64,
    pub op: SignedOperation,
}

/// Answer of `GET /v1/pull`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// In ascending `server_seq` order; the receiver verifies each
    /// signature itself before applying it.
    pub ops: Vec<PulledOp>,
    /// The cursor for the next request: the last `server_seq` of this page,
    /// or the request's `after` when the page is empty. Keep it only after
    /// the page is applied.
    pub next_cursor: i64,
    /// True when more operations follow right away.
    pub more: bool,
}

/// The state of the requesting device, as `GET /v1/status` reports it.
/// A revoked device never sees this: it gets 403 `device_revoked`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceStatus {
    Active,
}

/// Answer of `GET /v1/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    pub device_status: DeviceStatus,
    pub team: String,
    /// The newest `server_seq` among the team's operations, 0 when none.
    pub latest_server_seq: i64,
    /// Server clock, unix milliseconds.
    pub server_time_ms: i64,
    /// A random id of the server's history of operations. It changes when
    /// the server's database is restored from a backup: a device that sees
    /// it change pushes again what it holds and pulls from the start.
    /// Empty from a server that predates it.
    #[serde(default)]
    pub history_epoch: String,
    /// The server's notice key, as at enrolment ([`EnrollResponse`]). A
    /// device that pinned another refuses to sync with this server; one
    /// enrolled before notices existed pins it here, the first time.
    #[serde(default)]
    pub server_key_hex: String,
}

/// One device of a team, as `GET /v1/devices` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub device_id: Uuid,
    /// Raw 32-byte Ed25519 public key, hex.
    pub public_key_hex: String,
    /// The user the device is enrolled to.
    pub user: String,
    pub team: String,
    /// When the device was enrolled, unix milliseconds.
    pub enrolled_at_ms: i64,
    /// When the device was revoked, unix milliseconds; None while active.
    pub revoked_at_ms: Option<i64>,
    /// For a revoked device: the highest `seq` of its operations the server
    /// had accepted when it was revoked (0 when none). Operations with a
    /// higher seq are refused by every client. None while active.
    pub last_seq: Option<u64>,
}

/// Answer of `GET /v1/devices`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDirectory {
    /// Every device ever enrolled in the requester's team, sorted by
    /// `device_id`.
    pub devices: Vec<DirectoryEntry>,
}

/// Body of `POST /v1/audit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPushRequest {
    /// In ascending `seq`, each of the requesting device.
    pub rows: Vec<AuditRow>,
}

/// How a device's audit chain broke, as the server saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreakKind {
    /// Rows are missing before this one.
    Gap,
    /// The server holds another row at this seq, written earlier.
    Changed,
    /// The server holds another row at this seq, and this one is newer
    /// than every row it holds: the log went back (e.g. a laptop restored
    /// from an old copy) and is written again from there.
    WentBack,
    /// The row does not name the hash of the row before it.
    Unlinked,
    /// The row's hash is not what its fields hash to.
    BadHash,
}

impl BreakKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakKind::Gap => "gap",
            BreakKind::Changed => "changed",
            BreakKind::WentBack => "went-back",
            BreakKind::Unlinked => "unlinked",
            BreakKind::BadHash => "bad-hash",
        }
    }

    pub fn parse(s: &str) -> Option<BreakKind> {
        [
            BreakKind::Gap,
            BreakKind::Changed,
            BreakKind::WentBack,
            BreakKind::Unlinked,
            BreakKind::BadHash,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A break the server found in a pushed batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditBreak {
    /// The seq of the first row after the break.
    pub seq: i64,
    pub kind: BreakKind,
    /// A readable explanation (English), seqs and hashes only.
    pub detail: String,
}

/// Answer of `POST /v1/audit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPushResponse {
    /// The server now holds this device's rows up to this seq: send the
    /// rows after it next time.
    pub held_seq: i64,
    /// Rows stored now.
    pub accepted: u32,
    /// Rows the server held already.
    pub duplicate: u32,
    /// The breaks found in this batch (each is reported once: pushing the
    /// same rows again finds them held).
    pub breaks: Vec<AuditBreak>,
}

/// The one-time enrolment code an admin hands to a therapist, as printed by
/// `brygga-server device enroll-code`:
///
/// ```text
/// <secret: 32 chars of RFC 4648 base32, A–Z 2–7>.<pin: 64 lowercase hex>
/// e.g. ABCDEFGHIJKLMNOPQRSTUVWXYZ234567.9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
/// ```
///
/// The secret (160 random bits) is what the server checks (it stores only
/// its SHA-256). The second part is the server pin ([`crate::pin`]): the
/// SHA-256 of the server's public key (its certificate's
/// SubjectPublicKeyInfo). The client accepts the server only if the
/// certificate it presents carries that key, at enrolment and on every
/// later sync, whatever the certificate's names, dates or issuer. A code
/// of a server older than ADR 0038 carries the SHA-256 of the
/// certificate's DER instead, which the client still honours. Parsing is
/// case-insensitive and ignores surrounding whitespace.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollCode {
    /// 32 uppercase base32 characters.
    pub secret: String,
    /// 64 lowercase hex characters: the server pin.
    pub server_pin: String,
}

impl fmt::Debug for EnrollCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret is a credential: keep it out of logs.
        f.debug_struct("EnrollCode")
            .field("secret", &"…")
            .field("server_pin", &self.server_pin)
            .finish()
    }
}

/// Why an enrolment code could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnrollCodeError {
    #[error(
        "an enrolment code looks like SECRET.PIN (32 base32 characters, a dot, 64 hex characters)"
    )]
    Shape,
    #[error("the secret of the enrolment code must be 32 base32 characters (A-Z, 2-7)")]
    Secret,
    #[error("the server pin of the enrolment code must be 64 hex characters")]
    Pin,
}

impl EnrollCode {
    /// Length of the secret part in characters.
    pub const SECRET_LEN: usize = 32;

    /// Checks the secret part alone (as the server receives it).
    pub fn valid_secret(secret: &str) -> bool {
        secret.len() == Self::SECRET_LEN
            && secret
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    }
}

impl FromStr for EnrollCode {
    type Err = EnrollCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (secret, fp) = s.trim().split_once('.').ok_or(EnrollCodeError::Shape)?;
        let secret = secret.to_ascii_uppercase();
        if !Self::valid_secret(&secret) {
            return Err(EnrollCodeError::Secret);
        }
        let fp = fp.to_ascii_lowercase();
        if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(EnrollCodeError::Pin);
        }
        Ok(EnrollCode {
            secret,
            server_pin: fp,
        })
    }
}

impl fmt::Display for EnrollCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.secret, self.server_pin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_serialises_lowercase() {
        let r = OpResult {
            op_id: Uuid::nil(),
            device_id: Uuid::nil(),
            seq: 3,
            outcome: Outcome::Duplicate,
            server_seq: Some(7),
            reason: None,
        };
        let v = serde_json::to_value(&r).expect("serialise");
        assert_eq!(v["outcome"], "duplicate");
        assert_eq!(v["server_seq"], 7);
        assert_eq!(
            serde_json::to_value(DeviceStatus::Active).expect("serialise"),
            "active"
        );
    }

    #[test]
    fn directory_entry_serialises_unset_fields_as_null() {
        let entry = DirectoryEntry {
            device_id: Uuid::nil(),
            public_key_hex: "ab".repeat(32),
            user: "fiktiv".into(),
            team: "Fiktivt team".into(),
            enrolled_at_ms: 1,
            revoked_at_ms: None,
            last_seq: None,
        };
        let v = serde_json::to_value(&entry).expect("serialise");
        assert_eq!(v["device_id"], Uuid::nil().to_string());
        assert!(v["revoked_at_ms"].is_null() && v["last_seq"].is_null());
        let revoked = DirectoryEntry {
            revoked_at_ms: Some(2),
            last_seq: Some(0),
            ..entry
        };
        let dir = DeviceDirectory {
            devices: vec![revoked],
        };
        let text = serde_json::to_string(&dir).expect("serialise");
        assert!(text.contains("\"last_seq\":0"));
        assert_eq!(
            serde_json::from_str::<DeviceDirectory>(&text).expect("parse"),
            dir
        );
    }

    #[test]
    fn break_kinds_round_trip_through_their_names() {
        for kind in [
            BreakKind::Gap,
            BreakKind::Changed,
            BreakKind::WentBack,
            BreakKind::Unlinked,
            BreakKind::BadHash,
        ] {
            assert_eq!(BreakKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).expect("serialise"),
                kind.as_str()
            );
        }
        assert_eq!(BreakKind::parse("other"), None);
    }

    #[test]
    fn pull_query_path_and_limits() {
        let q = PullQuery {
            after: 42,
            limit: Some(5000),
        };
        assert_eq!(q.path_and_query(), "/v1/pull?after=42&limit=5000");
        assert_eq!(q.effective_limit(), MAX_PULL_LIMIT);
        let q = PullQuery {
            after: 0,
            limit: None,
        };
        assert_eq!(q.path_and_query(), "/v1/pull?after=0");
        assert_eq!(q.effective_limit(), DEFAULT_PULL_LIMIT);
        let q = PullQuery {
            after: 0,
            limit: Some(0),
        };
        assert_eq!(q.effective_limit(), 1);
    }

    #[test]
    fn enroll_code_round_trips_and_rejects_garbage() {
        let text = format!("{}.{}", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "ab".repeat(32));
        let code: EnrollCode = text.parse().expect("parse");
        assert_eq!(code.to_string(), text);
        let lower: EnrollCode = format!("  {}\n", text.to_lowercase())
            .parse()
            .expect("parse lowercase");
        assert_eq!(lower, code);
        assert!(!format!("{code:?}").contains("ABCDEF"));
        assert_eq!("nodot".parse::<EnrollCode>(), Err(EnrollCodeError::Shape));
        assert_eq!(
            format!("ABC.{}", "ab".repeat(32)).parse::<EnrollCode>(),
            Err(EnrollCodeError::Secret)
        );
        assert_eq!(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567.xyz".parse::<EnrollCode>(),
            Err(EnrollCodeError::Pin)
        );
    }
}

/// Query of `GET /v1/notices`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticesQuery {
    /// Cursor: the `next_cursor` of the previous answer, 0 to start.
    #[serde(default)]
    pub after: i64,
}

impl NoticesQuery {
    /// The `path_and_query` to request (and sign).
    pub fn path_and_query(&self) -> String {
        format!("{PATH_NOTICES}?after={}", self.after)
    }
}

/// One notice with its place in the server's order of notices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledNotice {
    pub notice_seq: i64,
    pub notice: SignedNotice,
}

/// Answer of `GET /v1/notices`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticesResponse {
    /// In ascending `notice_seq` order.
    pub notices: Vec<PulledNotice>,
    /// The last `notice_seq` of this answer, or the request's `after`.
    pub next_cursor: i64,
    /// True when more notices follow right away.
    pub more: bool,
}

/// Query of `GET /v1/case-ops`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpsQuery {
    pub case: Uuid,
}

impl CaseOpsQuery {
    /// The `path_and_query` to request (and sign).
    pub fn path_and_query(&self) -> String {
        format!("{PATH_CASE_OPS}?case={}", self.case)
    }
}

/// Answer of `GET /v1/case-ops`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpsResponse {
    /// Every stored operation of the case, in ascending `server_seq`; the
    /// receiver verifies each signature before applying it.
    pub ops: Vec<PulledOp>,
}
