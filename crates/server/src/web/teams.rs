//! The administrator's page of teams and users: each team with its users
//! and how many devices each has, and the forms that add a team and a
//! user — over the admin functions the CLI's `team add` and `user add`
//! use ([`crate::admin`]), with the staff member as the actor.

use super::session::SignedIn;
use super::{failed, html, page_with, WebState};
use crate::admin;
use crate::error::Error;
use crate::staff::Role;
use crate::store::StoreError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

const TITLE: &str = "Team och användare";

pub async fn list(State(state): State<WebState>, who: SignedIn) -> Response {
    if let Err(forbidden) = who.view(&state, Role::Administrator, "/teams").await {
        return forbidden;
    }
    answer(&state, &who, StatusCode::OK, "").await
}

/// The page with `message` (a notice or an alert) above it.
async fn answer(state: &WebState, who: &SignedIn, status: StatusCode, message: &str) -> Response {
    page_with(who, status, TITLE, message, body(state, who).await)
}

/// The forms, then each team's table of users.
async fn body(state: &WebState, who: &SignedIn) -> crate::error::Result<String> {
    let teams = admin::teams(state.store.as_ref()).await?;
    let csrf = html::csrf_field(&who.session.csrf_token);
    let options: String = teams
        .iter()
        .map(|t| {
            let name = html::esc(&t.team.name);
            format!(r#"<option value="{name}">{name}</option>"#)
        })
        .collect();
    let mut out = format!(
        r#"<div class="columns">
<form method="post" action="/teams/add" class="stack">
<h2>Nytt team</h2>
{csrf}
<label for="team-name">Teamets namn <input id="team-name" name="name" required maxlength="200"></label>
<p><button type="submit">Lägg till team</button></p>
</form>
<form method="post" action="/teams/add-user" class="stack">
<h2>Ny användare</h2>
{csrf}
<label for="user-name">Användarnamn (behandlare) <input id="user-name" name="name" required maxlength="200"></label>
<label for="user-team">Team <select id="user-team" name="team" required>{options}</select></label>
<p><button type="submit">Lägg till användare</button></p>
</form>
</div>
<h2>Team</h2>"#
    );
    if teams.is_empty() {
        out.push_str("<p>Inga team ännu.</p>");
    }
    for t in &teams {
        let name = html::esc(&t.team.name);
        if t.users.is_empty() {
            out.push_str(&format!("<h3>{name}</h3><p>Inga användare ännu.</p>"));
            continue;
        }
        let rows: String = t
            .users
            .iter()
            .map(|(user, active, revoked)| {
                format!(
                    "<tr><td>{}</td><td>{active}</td><td>{revoked}</td></tr>",
                    html::esc(&user.name)
                )
            })
            .collect();
        out.push_str(&format!(
            r#"<table><caption>{name} ({} användare)</caption><thead><tr><th scope="col">Användare</th><th scope="col">Aktiva enheter</th><th scope="col">Spärrade enheter</th></tr></thead><tbody>{rows}</tbody></table>"#,
            t.users.len()
        ));
    }
    Ok(out)
}

/// What a name is refused for, in Swedish, with the status to answer.
fn refusal(e: &Error, what: &str, name: &str, team: &str) -> Option<(StatusCode, String)> {
    let (status, text) = match e {
        Error::Usage(_) => (
            StatusCode::BAD_REQUEST,
            "Ett namn är 1–200 tecken och får inte vara tomt.".to_string(),
        ),
        Error::Store(StoreError::AlreadyExists(_)) => (
            StatusCode::CONFLICT,
            format!("Det finns redan {what} som heter ”{name}”."),
        ),
        Error::Store(StoreError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            format!("Det finns inget team ”{team}”."),
        ),
        _ => return None,
    };
    Some((status, html::alert(&text)))
}

#[derive(Deserialize)]
pub struct TeamForm {
    csrf: String,
    name: String,
}

pub async fn add_team(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<TeamForm>,
) -> Response {
    if let Err(refused) = who
        .may_post(&state, Role::Administrator, &form.csrf, "/teams/add")
        .await
    {
        return refused;
    }
    let name = form.name.trim();
    let added = admin::add_team(state.store.as_ref(), &state.admin_log, &who.actor(), name).await;
    match added {
        Ok(team) => {
            let message = html::notice(&format!("Teamet ”{}” är tillagt.", team.name));
            answer(&state, &who, StatusCode::OK, &message).await
        }
        Err(e) => match refusal(&e, "ett team", name, name) {
            Some((status, message)) => answer(&state, &who, status, &message).await,
            None => failed(e),
        },
    }
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    name: String,
    team: String,
}

pub async fn add_user(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<UserForm>,
) -> Response {
    if let Err(refused) = who
        .may_post(&state, Role::Administrator, &form.csrf, "/teams/add-user")
        .await
    {
        return refused;
    }
    let (name, team) = (form.name.trim(), form.team.as_str());
    let added = admin::add_user(
        state.store.as_ref(),
        &state.admin_log,
        &who.actor(),
        name,
        team,
    )
    .await;
    match added {
        Ok(user) => {
            let message = html::notice(&format!(
                "Användaren ”{}” är tillagd i teamet ”{}”. Skapa en registreringskod under Enheter när behandlaren ska registrera sin dator.",
                user.name, user.team.name
            ));
            answer(&state, &who, StatusCode::OK, &message).await
        }
        Err(e) => match refusal(&e, "en användare", name, team) {
            Some((status, message)) => answer(&state, &who, status, &message).await,
            None => failed(e),
        },
    }
}
