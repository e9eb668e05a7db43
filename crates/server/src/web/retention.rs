//! The administrator's page of retention: the closed cases with their
//! team, last operation, purge date and keep flag — the list of
//! `brygga-server retention list` ([`crate::retention::list`]) — and the
//! forms that set and lift a keep flag ([`crate::retention::keep`]), with
//! the staff member as the actor. A case is shown by its id alone, as the
//! CLI shows it: never a pupil's name or personnummer.

use super::session::SignedIn;
use super::{failed, html, page_with, WebState};
use crate::clock::rfc3339;
use crate::error::Error;
use crate::retention;
use crate::staff::Role;
use crate::store::StoreError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

const TITLE: &str = "Gallring";

pub async fn list(State(state): State<WebState>, who: SignedIn) -> Response {
    if let Err(forbidden) = who.view(&state, Role::Administrator, "/retention").await {
        return forbidden;
    }
    answer(&state, &who, StatusCode::OK, "").await
}

/// The page with `message` (a notice or an alert) above it.
async fn answer(state: &WebState, who: &SignedIn, status: StatusCode, message: &str) -> Response {
    page_with(who, status, TITLE, message, body(state, who).await)
}

/// The settings in force, then the closed cases.
async fn body(state: &WebState, who: &SignedIn) -> crate::error::Result<String> {
    let store = state.store.as_ref();
    let settings = store.retention_settings().await?;
    let listed = retention::list(store, state.clock.now_ms(), false).await?;
    let csrf = html::csrf_field(&who.session.csrf_token);
    let mut out = format!(
        r#"<p>Ett avslutat ärende gallras på servern {} år efter sin senaste operation, om det inte bevaras; det lämnar behandlarnas datorer {} dagar efter sin senaste operation. Gallringen körs med <code>brygga-server retention purge</code> på servern (först med <code>--dry-run</code>), inte härifrån.</p>
<h2>Avslutade ärenden</h2>"#,
        settings.case_years, settings.case_leaves_laptop_after_days
    );
    if listed.is_empty() {
        out.push_str("<p>Inga avslutade ärenden.</p>");
        return Ok(out);
    }
    let rows: String = listed
        .iter()
        .map(|l| {
            let case = l.case.case_id;
            let action = match &l.case.keep {
                Some(keep) => format!(
                    r#"Bevaras: {reason} <form method="post" action="/retention/keep-clear">{csrf}<input type="hidden" name="case" value="{case}"><button type="submit" aria-label="Sluta bevara ärende {case}">Sluta bevara</button></form>"#,
                    reason = html::esc(&keep.reason),
                ),
                None => format!(
                    r#"<form method="post" action="/retention/keep" class="inline">{csrf}<input type="hidden" name="case" value="{case}"><label for="reason-{case}">Skäl att bevara <input id="reason-{case}" name="reason" required maxlength="500"></label><button type="submit" aria-label="Bevara ärende {case}">Bevara</button></form>"#
                ),
            };
            format!(
                "<tr><td>{case}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
                html::esc(&l.team),
                html::esc(&rfc3339(l.case.last_received_at_ms)),
                l.case
                    .purge_at_ms
                    .map_or_else(|| "–".into(), |t| html::esc(&rfc3339(t))),
                if l.case.due { "ja" } else { "nej" },
            )
        })
        .collect();
    out.push_str(&format!(
        r#"<table><caption>Avslutade ärenden ({})</caption><thead><tr><th scope="col">Ärende</th><th scope="col">Team</th><th scope="col">Senaste operation</th><th scope="col">Gallras</th><th scope="col">Förfallen</th><th scope="col">Bevaras</th></tr></thead><tbody>{rows}</tbody></table>"#,
        listed.len()
    ));
    Ok(out)
}

#[derive(Deserialize)]
pub struct KeepForm {
    csrf: String,
    case: String,
    #[serde(default)]
    reason: String,
}

/// Sets a keep flag with its reason.
pub async fn keep(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<KeepForm>,
) -> Response {
    let reason = Some(form.reason.clone());
    change(state, who, form, "/retention/keep", reason).await
}

/// Lifts a keep flag.
pub async fn keep_clear(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<KeepForm>,
) -> Response {
    change(state, who, form, "/retention/keep-clear", None).await
}

/// Sets (`reason`) or lifts (None) the keep flag of the form's case.
async fn change(
    state: WebState,
    who: SignedIn,
    form: KeepForm,
    path: &str,
    reason: Option<String>,
) -> Response {
    if let Err(refused) = who
        .may_post(&state, Role::Administrator, &form.csrf, path)
        .await
    {
        return refused;
    }
    let Ok(case) = Uuid::parse_str(form.case.trim()) else {
        let message = html::alert("Okänt ärende-id.");
        return answer(&state, &who, StatusCode::BAD_REQUEST, &message).await;
    };
    let kept = reason.is_some();
    let changed = retention::keep(
        state.store.as_ref(),
        &state.admin_log,
        &who.actor(),
        case,
        reason,
        state.clock.now_ms(),
    )
    .await;
    let (status, message) = match (changed, kept) {
        (Ok(true), true) => (
            StatusCode::OK,
            html::notice(&format!("Ärende {case} bevaras.")),
        ),
        (Ok(false), true) => (
            StatusCode::OK,
            html::notice(&format!("Ärende {case} bevarades redan.")),
        ),
        (Ok(true), false) => (
            StatusCode::OK,
            html::notice(&format!("Ärende {case} bevaras inte längre.")),
        ),
        (Ok(false), false) => (
            StatusCode::OK,
            html::notice(&format!("Ärende {case} bevarades inte.")),
        ),
        (Err(Error::Usage(_)), _) => (
            StatusCode::BAD_REQUEST,
            html::alert("Ange ett skäl till att ärendet ska bevaras."),
        ),
        (Err(Error::Store(StoreError::NotFound(_))), _) => (
            StatusCode::NOT_FOUND,
            html::alert("Servern har inget sådant ärende."),
        ),
        (Err(e), _) => return failed(e),
    };
    answer(&state, &who, status, &message).await
}
