//! The administrator's page of devices: each device with its user, team,
//! last contact and revocation, a revoke button for an active one, and a
//! form that issues a one-time enrolment code — over the admin functions
//! the CLI uses ([`crate::admin`]), with the staff member as the actor.

use super::session::SignedIn;
use super::{failed, html, page_with, respond, WebState};
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
    if let Err(forbidden) = who.view(&state, Role::Administrator, "/devices").await {
        return forbidden;
    }
    page_with(&who, StatusCode::OK, TITLE, "", body(&state, &who).await)
}

/// A time, or "aldrig".
fn time_or_never(at_ms: Option<i64>) -> String {
    at_ms.map_or_else(|| "aldrig".into(), |t| html::esc(&rfc3339(t)))
}

/// The page's body: the enrolment form, the active devices with their
/// last sync, what the server holds of refused operations, and the
/// revoked devices.
async fn body(state: &WebState, who: &SignedIn) -> crate::error::Result<String> {
    let store = state.store.as_ref();
    let devices = admin::devices(store).await?;
    let synced = admin::devices_last_sync(store).await?;
    let seen = store.devices_last_seen().await?;
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
    let (revoked, active): (Vec<_>, Vec<_>) =
        devices.iter().partition(|d| d.revoked_at_ms.is_some());
    let rows: String = active
        .iter()
        .map(|d| {
            let last = synced.get(&d.id).copied().unwrap_or_default();
            format!(
                r#"<tr><td>{name}</td><td>{user}</td><td>{team}</td><td>{id}</td><td>{enrolled}</td><td>{push}</td><td>{pull}</td><td>{seen}</td><td><form method="post" action="/devices/revoke">{csrf}<input type="hidden" name="id" value="{id}"><button type="submit" class="danger" aria-label="Spärra {name} ({user})">Spärra</button></form></td></tr>"#,
                name = html::esc(&d.name),
                user = html::esc(&d.user),
                team = html::esc(&d.team.name),
                id = d.id,
                enrolled = html::esc(&rfc3339(d.enrolled_at_ms)),
                push = time_or_never(last.push_ms),
                pull = time_or_never(last.pull_ms),
                seen = time_or_never(seen.get(&d.id).copied()),
            )
        })
        .collect();
    if active.is_empty() {
        out.push_str("<p>Inga aktiva enheter.</p>");
    } else {
        out.push_str(&format!(
            r#"<table><caption>Aktiva enheter ({})</caption><thead><tr><th scope="col">Namn</th><th scope="col">Användare</th><th scope="col">Team</th><th scope="col">Id</th><th scope="col">Registrerad</th><th scope="col">Senast skickat</th><th scope="col">Senast hämtat nytt</th><th scope="col">Senaste kontakt</th><th scope="col">Spärra</th></tr></thead><tbody>{rows}</tbody></table>"#,
            active.len()
        ));
    }
    out.push_str(
        r#"<h2>Karantän</h2><p>Servern sparar inga operationer som den vägrar ta emot: den svarar enheten med skälet, och operationen ligger kvar i karantänen på behandlarens dator (<code>brygga sync --status</code>, eller Synkronisering i appen), där den åtgärdas. Hur många operationer varje sändning fick vägrade står i granskningsloggen (händelsen push).</p>"#,
    );
    if !revoked.is_empty() {
        let rows: String = revoked
            .iter()
            .map(|d| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    html::esc(&d.name),
                    html::esc(&d.user),
                    html::esc(&d.team.name),
                    d.id,
                    time_or_never(d.revoked_at_ms),
                    d.last_seq_at_revocation.unwrap_or(0),
                    time_or_never(seen.get(&d.id).copied()),
                )
            })
            .collect();
        out.push_str(&format!(
            r#"<table><caption>Spärrade enheter ({})</caption><thead><tr><th scope="col">Namn</th><th scope="col">Användare</th><th scope="col">Team</th><th scope="col">Id</th><th scope="col">Spärrad</th><th scope="col">Sista godtagna seq</th><th scope="col">Senaste kontakt</th></tr></thead><tbody>{rows}</tbody></table>"#,
            revoked.len()
        ));
    }
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
    let body = body(&state, &who).await;
    page_with(&who, StatusCode::OK, TITLE, &html::notice(&message), body)
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
