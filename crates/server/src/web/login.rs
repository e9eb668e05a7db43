//! The login (password and TOTP code, with the growing wait after failed
//! attempts), the logout and the start page.

use super::session::{
    cookie, new_token, set_cookie, token_hash, SignedIn, LOGIN_COOKIE, SESSION_COOKIE,
};
use super::{actor, failed, html, respond, see_other, WebState};
use crate::staff::{password, rules, totp};
use crate::store::staff::{LoginResult, NewSession, Staff};
use crate::store::AuditRecord;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

/// A hash verified for a name that has no account, so that an unknown
/// name takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash("no such account").unwrap_or_default())
}

#[derive(Deserialize)]
pub struct LoginQuery {
    ended: Option<String>,
}

/// The login form, with a fresh CSRF cookie of its own.
pub async fn form(Query(q): Query<LoginQuery>) -> Response {
    let note = match q.ended.as_deref() {
        Some("idle") => {
            r#"<p class="notice" role="status">Du loggades ut efter 15 minuter utan aktivitet.</p>"#
        }
        Some("password") => {
            r#"<p class="notice" role="status">Lösenordet är bytt. Logga in med det nya.</p>"#
        }
        Some(_) => r#"<p class="notice" role="status">Sessionen har avslutats. Logga in igen.</p>"#,
        None => "",
    };
    login_page(StatusCode::OK, note)
}

fn login_page(status: StatusCode, message: &str) -> Response {
    let token = match new_token() {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let body = format!(
        r#"{message}
<form method="post" action="/login" class="stack">
{csrf}
<label for="name">Användarnamn <input id="name" name="name" autocomplete="username" required></label>
<label for="password">Lösenord <input id="password" name="password" type="password" autocomplete="current-password" required></label>
<label for="code">Engångskod från appen <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{{6,7}}" required></label>
<p><button type="submit">Logga in</button></p>
</form>"#,
        csrf = html::csrf_field(&token)
    );
    let mut response = respond(status, html::page("Logga in", None, &body));
    if let Ok(value) = set_cookie(LOGIN_COOKIE, &token, Some(1800)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    code: String,
    csrf: String,
}

/// Why a login failed, for its audit row (the person sees one message).
fn refused(state: &WebState, name: &str, reason: &str) -> AuditRecord {
    AuditRecord {
        at_ms: state.clock.now_ms(),
        actor: "web".into(),
        action: "web.login-failed".into(),
        subject: Some(name.to_string()),
        detail: format!("reason={reason}"),
    }
}

const WRONG: &str = r#"<p class="alert" role="alert">Fel användarnamn, lösenord eller kod.</p>"#;

pub async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let name = form.name.trim();
    if !cookie(&headers, LOGIN_COOKIE).is_some_and(|c| rules::csrf_matches(c, &form.csrf)) {
        let audit = refused(&state, name, "csrf");
        write(&state, audit).await;
        return login_page(
            StatusCode::FORBIDDEN,
            r#"<p class="alert" role="alert">Formuläret hade gått ut. Försök igen.</p>"#,
        );
    }
    let staff = match state.store.staff(name).await {
        Ok(staff) => staff,
        Err(e) => return failed(e),
    };
    let Some(staff) = staff else {
        let typed = form.password.clone();
        let _ = tokio::task::spawn_blocking(move || password::verify(&typed, dummy_hash())).await;
        let audit = refused(&state, name, "unknown");
        write(&state, audit).await;
        return login_page(StatusCode::UNAUTHORIZED, WRONG);
    };
    let lock = state.login_lock(staff.id);
    let _one_at_a_time = lock.lock().await;
    // Read again under the lock: a login that just finished counts.
    let staff = match state.store.staff(name).await {
        Ok(Some(staff)) => staff,
        Ok(None) => return login_page(StatusCode::UNAUTHORIZED, WRONG),
        Err(e) => return failed(e),
    };
    match attempt(&state, &staff, &form).await {
        Ok(response) => response,
        Err(e) => failed(e),
    }
}

/// One login attempt of an existing account, under its lock.
async fn attempt(
    state: &WebState,
    staff: &Staff,
    form: &LoginForm,
) -> crate::error::Result<Response> {
    let now = state.clock.now_ms();
    if staff.disabled_at_ms.is_some() {
        write(state, refused(state, &staff.name, "disabled")).await;
        return Ok(login_page(StatusCode::UNAUTHORIZED, WRONG));
    }
    let wait = rules::wait_ms(staff.failed_logins, staff.last_failed_at_ms, now);
    if wait > 0 {
        write(state, refused(state, &staff.name, "waiting")).await;
        let seconds = (wait + 999) / 1000;
        return Ok(login_page(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                r#"<p class="alert" role="alert">För många misslyckade försök. Vänta {seconds} sekunder och försök igen.</p>"#
            ),
        ));
    }
    let (typed, stored) = (form.password.clone(), staff.password_hash.clone());
    let password_good = tokio::task::spawn_blocking(move || password::verify(&typed, &stored))
        .await
        .unwrap_or(false);
    let step = state
        .staff_key
        .open(&staff.name, &staff.totp_secret)
        .and_then(|secret| totp::check(&secret, &form.code, now, staff.last_totp_step));
    let (Some(step), true) = (step, password_good) else {
        let reason = if password_good { "code" } else { "password" };
        let mut audit = refused(state, &staff.name, reason);
        audit.at_ms = now;
        state
            .store
            .record_login(staff.id, LoginResult::Failed, audit)
            .await?;
        return Ok(login_page(StatusCode::UNAUTHORIZED, WRONG));
    };
    let token = new_token()?;
    let session = NewSession {
        token_hash: token_hash(&token),
        csrf_token: new_token()?,
    };
    let audit = AuditRecord {
        at_ms: now,
        actor: actor(&staff.name),
        action: "web.login".into(),
        subject: None,
        detail: String::new(),
    };
    let started = state
        .store
        .record_login(
            staff.id,
            LoginResult::Succeeded {
                totp_step: step,
                session,
            },
            audit,
        )
        .await?;
    if !started {
        write(state, refused(state, &staff.name, "code-reused")).await;
        return Ok(login_page(StatusCode::UNAUTHORIZED, WRONG));
    }
    let mut response = see_other("/");
    let h = response.headers_mut();
    for value in [
        set_cookie(SESSION_COOKIE, &token, None),
        set_cookie(LOGIN_COOKIE, "", Some(0)),
    ] {
        if let Ok(value) = value.parse() {
            h.append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

async fn write(state: &WebState, audit: AuditRecord) {
    state
        .audit(
            &audit.action,
            &audit.actor,
            audit.subject.as_deref(),
            audit.detail,
        )
        .await;
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = who.check_csrf(&state, &form.csrf, "/logout").await {
        return refused;
    }
    let audit = AuditRecord {
        at_ms: state.clock.now_ms(),
        actor: who.actor(),
        action: "web.logout".into(),
        subject: None,
        detail: String::new(),
    };
    if let Err(e) = state
        .store
        .end_session(&who.session.token_hash, audit)
        .await
    {
        return failed(e);
    }
    let mut response = see_other("/login");
    if let Ok(value) = set_cookie(SESSION_COOKIE, "", Some(0)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The start page: the pages this person's roles open.
pub async fn home(State(state): State<WebState>, who: SignedIn) -> Response {
    state
        .audit("web.view", &who.actor(), Some("/"), String::new())
        .await;
    let links: String = html::PAGES
        .iter()
        .filter(|(_, _, role)| who.session.staff.roles.contains(role))
        .map(|(path, name, _)| format!(r#"<li><a href="{path}">{name}</a></li>"#))
        .collect();
    let mut body = format!("<p>Välkommen, {}.</p>", html::esc(who.name()));
    if !links.is_empty() {
        body.push_str(&format!("<h2>Dina sidor</h2><ul>{links}</ul>"));
    }
    respond(StatusCode::OK, who.page("Start", &body)).into_response()
}
