//! A person changes their own password: the current one, then the new one
//! twice. A wrong current password counts as a failed login (so the
//! growing wait guards this form too); a change ends every session of the
//! account, this one included, and the person logs in with the new
//! password.

use super::session::{set_cookie, SignedIn, SESSION_COOKIE};
use super::{failed, html, respond, see_other, WebState};
use crate::staff::{password, rules};
use crate::store::staff::{LoginResult, StaffChange};
use crate::store::AuditRecord;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

const TITLE: &str = "Byt lösenord";

fn form_page(who: &SignedIn, status: StatusCode, message: &str) -> Response {
    let body = format!(
        r#"{message}
<form method="post" action="/password" class="stack">
{csrf}
<label for="current">Nuvarande lösenord <input id="current" name="current" type="password" autocomplete="current-password" required></label>
<label for="new">Nytt lösenord (minst {min} tecken) <input id="new" name="new" type="password" autocomplete="new-password" minlength="{min}" required></label>
<label for="repeat">Nytt lösenord igen <input id="repeat" name="repeat" type="password" autocomplete="new-password" minlength="{min}" required></label>
<p><button type="submit">Byt lösenord</button></p>
</form>"#,
        csrf = html::csrf_field(&who.session.csrf_token),
        min = rules::MIN_PASSWORD_CHARS,
    );
    respond(status, who.page(TITLE, &body))
}

pub async fn form(State(state): State<WebState>, who: SignedIn) -> Response {
    state
        .audit("web.view", &who.actor(), Some("/password"), String::new())
        .await;
    form_page(&who, StatusCode::OK, "")
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

fn alert(text: &str) -> String {
    format!(r#"<p class="alert" role="alert">{}</p>"#, html::esc(text))
}

pub async fn change(
    State(state): State<WebState>,
    who: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Response {
    if let Err(refused) = who.check_csrf(&state, &form.csrf, "/password").await {
        return refused;
    }
    match attempt(&state, &who, &form).await {
        Ok(response) => response,
        Err(e) => failed(e),
    }
}

async fn attempt(
    state: &WebState,
    who: &SignedIn,
    form: &PasswordForm,
) -> crate::error::Result<Response> {
    let lock = state.login_lock(who.session.staff.id);
    let _one_at_a_time = lock.lock().await;
    let Some(staff) = state.store.staff(who.name()).await? else {
        return Ok(see_other("/login"));
    };
    let now = state.clock.now_ms();
    let wait = rules::wait_ms(staff.failed_logins, staff.last_failed_at_ms, now);
    if wait > 0 {
        let text = format!(
            "För många misslyckade försök. Vänta {} sekunder och försök igen.",
            (wait + 999) / 1000
        );
        return Ok(form_page(who, StatusCode::TOO_MANY_REQUESTS, &alert(&text)));
    }
    let (typed, stored) = (form.current.clone(), staff.password_hash.clone());
    let good = tokio::task::spawn_blocking(move || password::verify(&typed, &stored))
        .await
        .unwrap_or(false);
    if !good {
        let audit = AuditRecord {
            at_ms: now,
            actor: who.actor(),
            action: "web.password-refused".into(),
            subject: None,
            detail: "reason=password".into(),
        };
        state
            .store
            .record_login(staff.id, LoginResult::Failed, audit)
            .await?;
        let text = "Det nuvarande lösenordet stämmer inte.";
        return Ok(form_page(who, StatusCode::UNAUTHORIZED, &alert(text)));
    }
    if let Some(problem) = rules::new_password_problem(&form.current, &form.new, &form.repeat) {
        return Ok(form_page(who, StatusCode::BAD_REQUEST, &alert(problem)));
    }
    let new = form.new.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|e| crate::error::Error::Usage(format!("hashing a password: {e}")))??;
    let audit = AuditRecord {
        at_ms: now,
        actor: who.actor(),
        action: "staff.password".into(),
        subject: Some(staff.name.clone()),
        detail: String::new(),
    };
    state
        .store
        .change_staff(&staff.name, StaffChange::Password(hash), audit)
        .await?;
    let mut response = see_other("/login?ended=password");
    if let Ok(value) = set_cookie(SESSION_COOKIE, "", Some(0)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}
