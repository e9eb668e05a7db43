//! The administrator's page of devices: each device with its user, team,
//! last contact and revocation, a revoke button for an active one, and a
//! form that issues a one-time enrolment code — over the admin functions
//! the CLI uses ([`crate::admin`]), with the staff member as the actor.

use super::session::SignedIn;
use super::{failed, html, respond, WebState};
use crate::admin;
use crate::clock::rfc3339;
use crate::staff::Role;
use crate::store::{Revoked, StoreError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

const TITLE: &str = "Enheter och registrering";

pub async fn list(State(state): State<WebState>, who: SignedIn) -> Response {
    if let Err(forbidden) = who.require(&state, Role::Administrator, "/devices").await {
        return forbidden;
    }
    state
        .audit("web.view", &who.actor(), Some("/devices"), String::new())
        .await;
    match body(&state, &who).await {
        Ok(body) => respond(StatusCode::OK, who.page(TITLE, &body)),
        Err(e) => failed(e),
    }
}

/// The page's body: the enrolment form and the devices' table.
async fn body(state: &WebState, who: &SignedIn) -> crate::error::Result<String> {
    let devices = admin::devices(state.store.as_ref()).await?;
    let seen = state.store.devices_last_seen().await?;
    let csrf = html::csrf_field(&who.session.csrf_token);
    let mut out = format!(
        r#"<h2>Registreringskod</h2>
<form method="post" action="/devices/enrol-code" class="stack">
{csrf}
<label for="user">Användare (behandlare) <input id="user" name="user" required></label>
<label for="minutes">Giltig i minuter <input id="minutes" name="minutes" type="number" min="1" max="10080" value="60" required></label>
<p><button type="submit">Skapa engångskod</button></p>
</form>
<h2>Enheter</h2>"#
    );
    if devices.is_empty() {
        out.push_str("<p>Inga enheter är registrerade.</p>");
        return Ok(out);
    }
    let rows: String = devices
        .iter()
        .map(|d| {
            let last = seen.get(&d.id).map(|t| rfc3339(*t)).unwrap_or_else(|| "aldrig".into());
            let state_cell = match d.revoked_at_ms {
                Some(at) => format!("Spärrad {}", html::esc(&rfc3339(at))),
                None => format!(
                    r#"Aktiv <form method="post" action="/devices/revoke">{csrf}<input type="hidden" name="id" value="{id}"><button type="submit" class="danger" aria-label="Spärra {name} ({user})">Spärra</button></form>"#,
                    id = d.id,
                    name = html::esc(&d.name),
                    user = html::esc(&d.user),
                ),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{state_cell}</td></tr>",
                html::esc(&d.name),
                html::esc(&d.user),
                html::esc(&d.team.name),
                d.id,
                html::esc(&rfc3339(d.enrolled_at_ms)),
                html::esc(&last),
            )
        })
        .collect();
    out.push_str(&format!(
        r#"<table><caption>Alla enheter ({})</caption><thead><tr><th scope="col">Namn</th><th scope="col">Användare</th><th scope="col">Team</th><th scope="col">Id</th><th scope="col">Registrerad</th><th scope="col">Senaste kontakt</th><th scope="col">Status</th></tr></thead><tbody>{rows}</tbody></table>"#,
        devices.len()
    ));
    Ok(out)
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    id: String,
}

pub async fn revoke(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<RevokeForm>,
) -> Response {
    const PATH: &str = "/devices/revoke";
    if let Err(refused) = who
        .may_post(&state, Role::Administrator, &form.csrf, PATH)
        .await
    {
        return refused;
    }
    let Ok(id) = Uuid::parse_str(form.id.trim()) else {
        return respond(
            StatusCode::BAD_REQUEST,
            who.page(TITLE, "<p>Okänt enhets-id.</p>"),
        );
    };
    let revoked =
        admin::revoke_device(state.store.as_ref(), &state.admin_log, &who.actor(), id).await;
    let message = match revoked {
        Ok(Revoked::Now) => format!("Enheten {id} är spärrad. Den kan inte synkronisera längre."),
        Ok(Revoked::Already) => format!("Enheten {id} var redan spärrad."),
        Err(crate::error::Error::Store(StoreError::NotFound(_))) => {
            return respond(
                StatusCode::NOT_FOUND,
                who.page(TITLE, "<p>Det finns ingen sådan enhet.</p>"),
            )
        }
        Err(e) => return failed(e),
    };
    match body(&state, &who).await {
        Ok(body) => respond(
            StatusCode::OK,
            who.page(
                TITLE,
                &format!(
                    r#"<p class="notice" role="status">{}</p>{body}"#,
                    html::esc(&message)
                ),
            ),
        ),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
pub struct EnrolForm {
    csrf: String,
    user: String,
    minutes: u32,
}

pub async fn enrol_code(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<EnrolForm>,
) -> Response {
    const PATH: &str = "/devices/enrol-code";
    if let Err(refused) = who
        .may_post(&state, Role::Administrator, &form.csrf, PATH)
        .await
    {
        return refused;
    }
    let user = form.user.trim();
    let minutes = form.minutes.clamp(1, 7 * 24 * 60);
    let issued = admin::enroll_code(
        state.store.as_ref(),
        &who.actor(),
        user,
        minutes,
        &state.server_pin,
    )
    .await;
    let (code, expires_at) = match issued {
        Ok(issued) => issued,
        Err(crate::error::Error::Store(StoreError::NotFound(_))) => {
            let body = format!(
                r#"<p class="alert" role="alert">Det finns ingen användare ”{}”. Lägg till användaren först (brygga-server user add).</p><p><a href="/devices">Tillbaka</a></p>"#,
                html::esc(user)
            );
            return respond(StatusCode::NOT_FOUND, who.page(TITLE, &body));
        }
        Err(e) => return failed(e),
    };
    let body = format!(
        r#"<p>Engångskod för <strong>{}</strong>, giltig till {}. Den visas bara nu: ge den till behandlaren, som anger den i appen tillsammans med serverns adress.</p>
<p class="code" id="enrol-code">{}</p>
<p><a href="/devices">Tillbaka till enheterna</a></p>"#,
        html::esc(user),
        html::esc(&rfc3339(expires_at)),
        html::esc(&code.to_string()),
    );
    respond(StatusCode::OK, who.page("Ny registreringskod", &body))
}
