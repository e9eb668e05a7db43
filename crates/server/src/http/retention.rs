//! The routes of case retention: the server's notices, and the operations
//! of one case (how a laptop fetches back a closed case that had left it).
//! Authenticated like `/v1/pull`: read first, answered only once the
//! request is admitted (nonce, revocation), with its audit row.

use super::handlers::{json_response, raw_ops, stored_json, RawPulledOp};
use super::{AppState, Authed};
use crate::error::{Error, Result};
use crate::store::retention::CaseOps;
use crate::store::AuditRecord;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use brygga_protocol::api::{CaseOpsQuery, NoticesQuery, MAX_NOTICES};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;

/// Serialises like [`brygga_protocol::api::NoticesResponse`], each
/// notice's stored JSON passed through.
#[derive(Serialize)]
struct RawNoticesResponse<'a> {
    notices: Vec<RawPulledNotice<'a>>,
    next_cursor: i64,
    more: bool,
}

#[derive(Serialize)]
struct RawPulledNotice<'a> {
    notice_seq: i64,
    notice: &'a RawValue,
}

/// Serialises like [`brygga_protocol::api::CaseOpsResponse`].
#[derive(Serialize)]
struct RawCaseOpsResponse<'a> {
    ops: Vec<RawPulledOp<'a>>,
}

/// The request's query, or (its nonce spent) why it is not one.
async fn query<T: DeserializeOwned>(state: &AppState, authed: &Authed, uri: &Uri) -> Result<T> {
    match Query::<T>::try_from_uri(uri) {
        Ok(q) => Ok(q.0),
        Err(e) => Err(authed
            .refuse(state, Error::BadRequest(format!("query: {e}")))
            .await),
    }
}

fn audit(authed: &Authed, action: &str, subject: String, detail: String) -> AuditRecord {
    AuditRecord {
        at_ms: crate::clock::now_ms(),
        actor: format!("device:{}", authed.device.id),
        action: action.into(),
        subject: Some(subject),
        detail,
    }
}

/// `GET /v1/notices`
pub async fn notices(State(state): State<AppState>, uri: Uri, authed: Authed) -> Result<Response> {
    let query: NoticesQuery = query(&state, &authed, &uri).await?;
    if query.after < 0 {
        let e = Error::BadRequest("after must be 0 or more".into());
        return Err(authed.refuse(&state, e).await);
    }
    let team = &authed.device.team;
    let page = match state.store.notices(team.id, query.after, MAX_NOTICES).await {
        Ok(page) => page,
        Err(e) => return Err(authed.refuse(&state, e.into()).await),
    };
    let next_cursor = page.ops.last().map_or(query.after, |(seq, _)| *seq);
    let count = page.ops.len();
    let row = (count > 0).then(|| {
        audit(
            &authed,
            "notices",
            format!("team:{}", team.name),
            format!(
                "after={} count={count} next_cursor={next_cursor}",
                query.after
            ),
        )
    });
    authed.admit(&state, None, row).await?;
    let notices = page
        .ops
        .iter()
        .map(|(notice_seq, body)| {
            Ok(RawPulledNotice {
                notice_seq: *notice_seq,
                notice: stored_json(body, "notice", *notice_seq)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    tracing::info!(after = query.after, count, more = page.more, "notices");
    json_response(&RawNoticesResponse {
        notices,
        next_cursor,
        more: page.more,
    })
}

/// `GET /v1/case-ops`
pub async fn case_ops(State(state): State<AppState>, uri: Uri, authed: Authed) -> Result<Response> {
    let CaseOpsQuery { case } = query(&state, &authed, &uri).await?;
    let team = &authed.device.team;
    let ops = match state.store.case_ops(team.id, case).await {
        Ok(CaseOps::Ops(ops)) => ops,
        Ok(CaseOps::Unknown) => return Err(authed.refuse(&state, Error::NoSuchCase(case)).await),
        Ok(CaseOps::Purged) => return Err(authed.refuse(&state, Error::CasePurged(case)).await),
        Err(e) => return Err(authed.refuse(&state, e.into()).await),
    };
    let row = audit(
        &authed,
        "case-ops",
        case.to_string(),
        format!("count={}", ops.len()),
    );
    authed.admit(&state, None, Some(row)).await?;
    tracing::info!(case = %case, count = ops.len(), "case operations");
    json_response(&RawCaseOpsResponse {
        ops: raw_ops(&ops)?,
    })
}
