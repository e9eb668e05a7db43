//! The route handlers: thin, each parses its input, calls the store or the
//! writer, and shapes the answer.

use super::relay::{self, Checked};
use super::{AppState, Authed, SignedRequest, OPENAPI_JSON};
use crate::admin_log::AdminAction;
use crate::error::{Error, Result};
use crate::store::{AuditPush, AuditRecord, NewDevice, PreparedOp, PushBatch, StoredOutcome};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use brygga_protocol::api::{
    self, AuditPushRequest, AuditPushResponse, DeviceDirectory, DeviceStatus, DirectoryEntry,
    EnrollCode, EnrollRequest, EnrollResponse, OpResult, Outcome, PullQuery, PushRequest,
    PushResponse, StatusResponse,
};
use brygga_protocol::auth::sha256_hex;
use brygga_protocol::op::SignedOperation;
use brygga_protocol::signing;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;

/// A push body above this size (a few dozen operations) is checked on a
/// blocking thread.
const BLOCKING_PUSH_BYTES: usize = 16 * 1024;

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::BadRequest(format!("request body: {e}")))
}

/// `POST /v1/enroll`
pub async fn enroll(State(state): State<AppState>, body: Bytes) -> Result<Json<EnrollResponse>> {
    let req: EnrollRequest = parse_json(&body)?;
    let secret = req
        .code
        .trim()
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !EnrollCode::valid_secret(&secret) {
        return Err(
            crate::store::StoreError::InvalidCode(crate::store::CodeProblem::Unknown).into(),
        );
    }
    let public_key = hex::decode(req.public_key_hex.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| {
            Error::BadRequest("public_key_hex must be 64 hex characters (32 bytes)".into())
        })?;
    let name = req.device_name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(Error::BadRequest(
            "device_name must be 1 to 200 characters".into(),
        ));
    }
    let now = crate::clock::now_ms();
    let device = state
        .store
        .enroll(
            &sha256_hex(secret.as_bytes()),
            NewDevice {
                id: req.device_id,
                public_key,
                name: name.to_string(),
            },
            now,
            AuditRecord {
                at_ms: now,
                actor: format!("device:{}", req.device_id),
                action: "device.enroll".into(),
                subject: Some(req.device_id.to_string()),
                detail: String::new(),
            },
        )
        .await?;
    tracing::info!(device = %device.id, team = %device.team.name, "device enrolled");
    log_enrolment(&state, &device, now);
    Ok(Json(EnrollResponse {
        device_id: device.id,
        user: device.user,
        team: device.team.name,
        server_time_ms: now,
        server_key_hex: state.server_key_hex.to_string(),
    }))
}

/// Logs an enrolment for a restore to re-apply. The device is enrolled
/// whatever happens here (its code is spent): a failure is an error in
/// the server's log, and a restore to an older backup would then need the
/// device enrolled again.
fn log_enrolment(state: &AppState, device: &crate::store::Device, now: i64) {
    let Some(log) = &state.admin_log else { return };
    let action = AdminAction::DeviceEnroll {
        device_id: device.id,
        user: device.user.clone(),
        public_key_hex: hex::encode(&device.public_key),
        name: device.name.clone(),
    };
    if let Err(e) = log.append(now, action) {
        tracing::error!(device = %device.id, error = %e, "enrolment not in the admin log");
    }
}

/// Checks one operation of a push whose signature was checked already
/// (`signature`, against its author's key): the verified operation ready
/// to store, or the reason it is rejected.
pub(super) fn prepare(
    signed: &SignedOperation,
    signature: std::result::Result<(), signing::VerifyError>,
) -> std::result::Result<PreparedOp, String> {
    let op = &signed.op;
    let seq = i64::try_from(op.seq)
        .ok()
        .filter(|s| *s >= 1)
        .ok_or_else(|| format!("seq {} is out of range", op.seq))?;
    signature.map_err(|e| e.to_string())?;
    let body = serde_json::to_string(signed).map_err(|e| format!("cannot store: {e}"))?;
    if body.len() > api::MAX_OP_BYTES {
        return Err(format!(
            "operation is {} bytes serialised, more than the {} allowed",
            body.len(),
            api::MAX_OP_BYTES
        ));
    }
    Ok(PreparedOp {
        op_id: op.id,
        device_id: op.device_id,
        seq,
        type_name: op.payload.type_name(),
        scope: op.payload.scope(),
        body,
    })
}

/// A push's operations each checked (those of other devices still to
/// check), or why the body is not a push.
type CheckedPush = Result<(PushRequest, Vec<Checked>)>;

fn parse_push(body: &[u8]) -> Result<PushRequest> {
    let req: PushRequest = parse_json(body)?;
    if req.ops.len() > api::MAX_PUSH_OPS {
        return Err(Error::TooLarge(format!(
            "a push holds at most {} operations, this one {}",
            api::MAX_PUSH_OPS,
            req.ops.len()
        )));
    }
    Ok(req)
}

/// Authenticates a push and checks its operations: the request's signature
/// and the operations' in one batch. A request that does not verify is an
/// error; a body that is not a push is an error after it verified (so its
/// nonce is spent); a bad operation only gets its reason.
fn check_push(state: &AppState, signed: SignedRequest) -> Result<(Authed, CheckedPush)> {
    let req = match parse_push(&signed.body) {
        Ok(req) => req,
        Err(e) => {
            let (authed, _) = signed.verify(state, Vec::new())?;
            return Ok((authed, Err(e)));
        }
    };
    // The device's own operations, well-formed or not; the well-formed
    // ones' messages go to the batch with the request's. Those of other
    // devices are checked against their authors' keys later (relay).
    let requester = signed.device.id;
    let mut messages = Vec::with_capacity(req.ops.len());
    let parsed: Vec<_> = req
        .ops
        .iter()
        .map(|op| {
            (op.op.device_id == requester)
                .then(|| signing::signed_message(op).map(|m| messages.push(m)))
        })
        .collect();
    let (authed, verified) = signed.verify(state, messages)?;
    let mut verified = verified.into_iter();
    let checked = req
        .ops
        .iter()
        .zip(parsed)
        .map(|(op, parsed)| match parsed {
            None => Checked::Relayed,
            Some(parsed) => {
                let signature = parsed.and_then(|_| match verified.next() {
                    Some(true) => Ok(()),
                    _ => Err(signing::VerifyError::BadSignature),
                });
                Checked::Done(prepare(op, signature))
            }
        })
        .collect();
    Ok((authed, Ok((req, checked))))
}

/// `POST /v1/push`
pub async fn push(
    State(state): State<AppState>,
    signed: SignedRequest,
) -> Result<Json<PushResponse>> {
    // Signature checks cost ~15 µs each even in a batch: keep big pushes
    // off the runtime's threads.
    let (authed, checked) = if signed.body.len() > BLOCKING_PUSH_BYTES {
        let state = state.clone();
        tokio::task::spawn_blocking(move || check_push(&state, signed))
            .await
            .map_err(|e| Error::BadRequest(format!("checking signatures failed: {e}")))??
    } else {
        check_push(&state, signed)?
    };
    let (req, checked) = match checked {
        Ok(checked) => checked,
        Err(e) => return Err(authed.refuse(&state, e).await),
    };
    let checked = match relay::settle(&state, &authed.device, &req.ops, checked).await {
        Ok(checked) => checked,
        Err(e) => return Err(authed.refuse(&state, e).await),
    };
    // The verified operations go to the store; the rejected keep their reason.
    let mut to_store = Vec::with_capacity(checked.len());
    let reasons: Vec<Option<String>> = checked
        .into_iter()
        .map(|c| match c {
            Ok(op) => {
                to_store.push(op);
                None
            }
            Err(reason) => Some(reason),
        })
        .collect();
    let device = &authed.device;
    let batch = (!to_store.is_empty()).then(|| PushBatch {
        device_id: device.id,
        team_id: device.team.id,
        received_at_ms: crate::clock::now_ms(),
        ops: to_store,
    });
    // Admission (revocation, nonce) and the operations: one transaction.
    let stored = authed.admit(&state, batch, None).await?;
    let mut stored = stored.into_iter();
    let mut counts = [0usize; 3];
    let results: Vec<OpResult> = req
        .ops
        .iter()
        .zip(reasons)
        .map(|(signed, rejected)| {
            let (outcome, server_seq, reason) = match rejected {
                Some(reason) => (Outcome::Rejected, None, Some(reason)),
                None => match stored.next() {
                    Some(StoredOutcome::Accepted { server_seq }) => {
                        (Outcome::Accepted, Some(server_seq), None)
                    }
                    Some(StoredOutcome::Duplicate { server_seq }) => {
                        (Outcome::Duplicate, Some(server_seq), None)
                    }
                    Some(StoredOutcome::Rejected { reason }) => {
                        (Outcome::Rejected, None, Some(reason))
                    }
                    None => (
                        Outcome::Rejected,
                        None,
                        Some("internal: no outcome from the store; push again".into()),
                    ),
                },
            };
            state.metrics.op_outcome(outcome);
            counts[outcome as usize] += 1;
            if outcome == Outcome::Rejected {
                tracing::info!(
                    op_id = %signed.op.id,
                    seq = signed.op.seq,
                    reason = reason.as_deref().unwrap_or_default(),
                    "operation rejected"
                );
            }
            OpResult {
                op_id: signed.op.id,
                device_id: signed.op.device_id,
                seq: signed.op.seq,
                outcome,
                server_seq,
                reason,
            }
        })
        .collect();
    tracing::info!(
        ops = results.len(),
        accepted = counts[Outcome::Accepted as usize],
        duplicate = counts[Outcome::Duplicate as usize],
        rejected = counts[Outcome::Rejected as usize],
        "push"
    );
    Ok(Json(PushResponse { results }))
}

/// A pull page with the stored operation JSON passed through unparsed; it
/// serialises exactly like [`api::PullResponse`].
#[derive(Serialize)]
struct RawPullResponse<'a> {
    ops: Vec<RawPulledOp<'a>>,
    next_cursor: i64,
    more: bool,
}

#[derive(Serialize)]
pub(super) struct RawPulledOp<'a> {
    server_seq: i64,
    op: &'a RawValue,
}

/// Stored operations as [`api::PulledOp`]s, their JSON passed through.
pub(super) fn raw_ops(rows: &[(i64, String)]) -> Result<Vec<RawPulledOp<'_>>> {
    rows.iter()
        .map(|(server_seq, body)| {
            Ok(RawPulledOp {
                server_seq: *server_seq,
                op: stored_json(body, "operation", *server_seq)?,
            })
        })
        .collect()
}

/// A stored JSON text (an operation, a notice) to pass through as it is.
pub(super) fn stored_json<'a>(body: &'a str, what: &str, seq: i64) -> Result<&'a RawValue> {
    serde_json::from_str::<&RawValue>(body).map_err(|e| {
        Error::Store(crate::store::StoreError::Database(format!(
            "stored {what} {seq} is not JSON: {e}"
        )))
    })
}

/// `body` as a JSON answer.
pub(super) fn json_response(body: &impl Serialize) -> Result<Response> {
    let body = serde_json::to_vec(body)
        .map_err(|e| Error::BadRequest(format!("serialising the answer: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /v1/pull`
pub async fn pull(State(state): State<AppState>, uri: Uri, authed: Authed) -> Result<Response> {
    let query = match axum::extract::Query::<PullQuery>::try_from_uri(&uri) {
        Ok(q) if q.0.after >= 0 => q.0,
        Ok(_) => {
            let e = Error::BadRequest("after must be 0 or more".into());
            return Err(authed.refuse(&state, e).await);
        }
        Err(e) => {
            let e = Error::BadRequest(format!("query: {e}"));
            return Err(authed.refuse(&state, e).await);
        }
    };
    let limit = query.effective_limit();
    let team = &authed.device.team;
    // The page is read first and sent only once the request is admitted
    // (nonce, revocation), in the same transaction as its audit row.
    let page = match state.store.pull(team.id, query.after, limit).await {
        Ok(page) => page,
        Err(e) => return Err(authed.refuse(&state, e.into()).await),
    };
    let next_cursor = page.ops.last().map(|(s, _)| *s).unwrap_or(query.after);
    let count = page.ops.len();
    let audit = (count > 0).then(|| AuditRecord {
        at_ms: crate::clock::now_ms(),
        actor: format!("device:{}", authed.device.id),
        action: "pull".into(),
        subject: Some(format!("team:{}", team.name)),
        detail: format!(
            "after={} count={count} next_cursor={next_cursor}",
            query.after
        ),
    });
    authed.admit(&state, None, audit).await?;
    let ops = raw_ops(&page.ops)?;
    state.metrics.ops_pulled(count);
    tracing::info!(after = query.after, count, more = page.more, "pull");
    json_response(&RawPullResponse {
        ops,
        next_cursor,
        more: page.more,
    })
}

/// `GET /v1/status`
pub async fn status(State(state): State<AppState>, authed: Authed) -> Result<Json<StatusResponse>> {
    let read = async {
        let latest = state.store.latest_server_seq(authed.device.team.id).await?;
        Ok::<_, crate::store::StoreError>((latest, state.store.history_epoch().await?))
    };
    let (latest, history_epoch) = match read.await {
        Ok(read) => read,
        Err(e) => return Err(authed.refuse(&state, e.into()).await),
    };
    authed.admit(&state, None, None).await?;
    Ok(Json(StatusResponse {
        device_status: DeviceStatus::Active,
        team: authed.device.team.name.clone(),
        latest_server_seq: latest,
        server_time_ms: crate::clock::now_ms(),
        history_epoch,
        server_key_hex: state.server_key_hex.to_string(),
    }))
}

/// The directory entry of a stored device.
fn directory_entry(device: crate::store::Device) -> Result<DirectoryEntry> {
    let last_seq = device
        .last_seq_at_revocation
        .map(|s| {
            u64::try_from(s).map_err(|_| {
                Error::Store(crate::store::StoreError::Database(format!(
                    "device {} has a negative last seq {s}",
                    device.id
                )))
            })
        })
        .transpose()?;
    Ok(DirectoryEntry {
        device_id: device.id,
        public_key_hex: hex::encode(&device.public_key),
        user: device.user,
        team: device.team.name,
        enrolled_at_ms: device.enrolled_at_ms,
        revoked_at_ms: device.revoked_at_ms,
        last_seq,
    })
}

/// `GET /v1/devices`
pub async fn devices(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<DeviceDirectory>> {
    let team = &authed.device.team;
    // Read first, answered only once the request is admitted (nonce,
    // revocation), in the same transaction as its audit row.
    let mut devices = match state.store.team_devices(team.id).await {
        Ok(devices) => devices,
        Err(e) => return Err(authed.refuse(&state, e.into()).await),
    };
    devices.sort_by_key(|d| d.id);
    let revoked = devices.iter().filter(|d| d.revoked_at_ms.is_some()).count();
    let audit = AuditRecord {
        at_ms: crate::clock::now_ms(),
        actor: format!("device:{}", authed.device.id),
        action: "devices".into(),
        subject: Some(format!("team:{}", team.name)),
        detail: format!("count={} revoked={revoked}", devices.len()),
    };
    authed.admit(&state, None, Some(audit)).await?;
    let devices = devices
        .into_iter()
        .map(directory_entry)
        .collect::<Result<Vec<_>>>()?;
    tracing::info!(count = devices.len(), revoked, "devices");
    Ok(Json(DeviceDirectory { devices }))
}

/// Checks that an audit push holds only `device`'s rows, in ascending seq
/// from 1 up, and not too many of them.
fn parse_audit_push(device: uuid::Uuid, body: &[u8]) -> Result<AuditPushRequest> {
    let req: AuditPushRequest = parse_json(body)?;
    if req.rows.len() > api::MAX_AUDIT_ROWS {
        return Err(Error::TooLarge(format!(
            "an audit push holds at most {} rows, this one {}",
            api::MAX_AUDIT_ROWS,
            req.rows.len()
        )));
    }
    let device = device.to_string();
    if let Some(other) = req.rows.iter().find(|r| r.device_id != device) {
        return Err(Error::BadRequest(format!(
            "audit row {} of device {} pushed by device {device}",
            other.seq, other.device_id
        )));
    }
    let ascending = req.rows.first().is_none_or(|r| r.seq >= 1)
        && req.rows.windows(2).all(|w| w[0].seq < w[1].seq);
    if !ascending {
        return Err(Error::BadRequest(
            "audit rows must come in ascending seq from 1 up".into(),
        ));
    }
    Ok(req)
}

/// `POST /v1/audit`
pub async fn audit(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<AuditPushResponse>> {
    let req = match parse_audit_push(authed.device.id, &authed.body) {
        Ok(req) => req,
        Err(e) => return Err(authed.refuse(&state, e).await),
    };
    // Admitted first (nonce, revocation); the rows are then checked
    // against the device's chain in a transaction of their own, which a
    // push sent again finds held.
    authed.admit(&state, None, None).await?;
    let answer = state
        .store
        .push_audit(AuditPush {
            device_id: authed.device.id,
            received_at_ms: crate::clock::now_ms(),
            rows: req.rows,
        })
        .await?;
    for b in &answer.breaks {
        tracing::warn!(
            seq = b.seq,
            kind = b.kind.as_str(),
            detail = %b.detail,
            "break in a device's audit chain"
        );
    }
    tracing::info!(
        accepted = answer.accepted,
        duplicate = answer.duplicate,
        breaks = answer.breaks.len(),
        held_seq = answer.held_seq,
        "audit push"
    );
    Ok(Json(answer))
}

/// `GET /openapi.json`
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

/// `GET /metrics`
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

pub async fn not_found() -> Error {
    Error::NotFound
}
