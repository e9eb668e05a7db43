//! Web sessions: the cookie, the signed-in person a page sees, the role a
//! page requires and the CSRF token a form carries.
//!
//! The cookie holds a random token (its SHA-256 is what the store keeps);
//! it is `__Host-` prefixed, Secure, HttpOnly and SameSite=Strict, so it
//! is only ever sent over TLS, to this host, by pages of this host, and no
//! script can read it. Each request checks the session against
//! [`rules::session_end`] and marks it used.

use super::{actor, failed, html, respond, see_other, WebState};
use crate::staff::{rules, Role};
use crate::store::staff::WebSession;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "__Host-brygga-session";
/// The login form's CSRF cookie (before there is a session).
pub const LOGIN_COOKIE: &str = "__Host-brygga-login";

/// A cookie's value from the request's `Cookie` headers.
pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value of `name` (`max_age` seconds: 0 deletes it;
/// none: until the browser closes).
pub(super) fn set_cookie(name: &str, value: &str, max_age: Option<u32>) -> String {
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}")
}

/// A random token, hex (32 bytes).
pub(super) fn new_token() -> crate::error::Result<String> {
    Ok(hex::encode(crate::staff::random_bytes::<32>()?))
}

/// The stored form of a cookie's token.
pub(super) fn token_hash(token: &str) -> String {
    brygga_protocol::auth::sha256_hex(token.as_bytes())
}

/// The person signed in, for a page: the session, good and just marked
/// used. Without one, the request is sent to the login.
pub struct SignedIn {
    pub session: WebSession,
}

impl SignedIn {
    pub fn name(&self) -> &str {
        &self.session.staff.name
    }

    pub fn actor(&self) -> String {
        actor(self.name())
    }

    /// A page of `title` and `body` with this person's menu.
    pub fn page(&self, title: &str, body: &str) -> String {
        html::page(
            title,
            Some((&self.session.staff, &self.session.csrf_token)),
            body,
        )
    }

    /// Ok when the person has `role`; else the 403 page, with its audit
    /// row.
    pub async fn require(&self, state: &WebState, role: Role, path: &str) -> Result<(), Response> {
        if self.session.staff.roles.contains(&role) {
            return Ok(());
        }
        state
            .audit(
                "web.forbidden",
                &self.actor(),
                Some(path),
                format!("needs={}", role.as_str()),
            )
            .await;
        Err(respond(
            StatusCode::FORBIDDEN,
            self.page(
                "Ingen behörighet",
                &format!(
                    "<p>Sidan är till för rollen {}, som ditt konto inte har.</p>",
                    html::role_name(role)
                ),
            ),
        ))
    }

    /// Ok when the person has `role`, with the view's audit row; else the
    /// 403 page: a page of `role` at `path` is opened.
    pub async fn view(&self, state: &WebState, role: Role, path: &str) -> Result<(), Response> {
        self.require(state, role, path).await?;
        state
            .audit("web.view", &self.actor(), Some(path), String::new())
            .await;
        Ok(())
    }

    /// Ok when the person has `role` and `sent` is the session's CSRF
    /// token: a form of `role`'s pages.
    pub async fn may_post(
        &self,
        state: &WebState,
        role: Role,
        sent: &str,
        path: &str,
    ) -> Result<(), Response> {
        self.require(state, role, path).await?;
        self.check_csrf(state, sent, path).await
    }

    /// Ok when `sent` is the session's CSRF token; else 403, with its
    /// audit row.
    pub async fn check_csrf(
        &self,
        state: &WebState,
        sent: &str,
        path: &str,
    ) -> Result<(), Response> {
        if rules::csrf_matches(&self.session.csrf_token, sent) {
            return Ok(());
        }
        state
            .audit("web.csrf-refused", &self.actor(), Some(path), String::new())
            .await;
        Err(respond(
            StatusCode::FORBIDDEN,
            self.page(
                "Formuläret godtogs inte",
                "<p>Formuläret kom inte från den här inloggningen. Ladda om sidan och försök igen.</p>",
            ),
        ))
    }
}

impl FromRequestParts<WebState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(see_other("/login"));
        };
        let hash = token_hash(token);
        let session = match state.store.web_session(&hash).await {
            Ok(Some(session)) => session,
            Ok(None) => return Err(see_other("/login")),
            Err(e) => return Err(failed(e)),
        };
        let now = state.clock.now_ms();
        let end = rules::session_end(
            session.created_at_ms,
            session.last_seen_ms,
            session.ended_at_ms.is_some(),
            session.staff.disabled_at_ms.is_some(),
            now,
        );
        if let Some(end) = end {
            if session.ended_at_ms.is_none() {
                let audit = crate::store::AuditRecord {
                    at_ms: now,
                    actor: actor(&session.staff.name),
                    action: "web.session-end".into(),
                    subject: None,
                    detail: format!("reason={end:?}").to_lowercase(),
                };
                if let Err(e) = state.store.end_session(&hash, audit).await {
                    return Err(failed(e));
                }
            }
            let reason = match end {
                rules::SessionEnd::Idle => "idle",
                _ => "ended",
            };
            let mut response = see_other(&format!("/login?ended={reason}"));
            if let Ok(value) = set_cookie(SESSION_COOKIE, "", Some(0)).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            return Err(response);
        }
        if let Err(e) = state.store.touch_session(&hash, now).await {
            return Err(failed(e));
        }
        Ok(SignedIn { session })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name_and_set_with_every_flag() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; __Host-brygga-session=abc; b=2".parse().expect("h"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, LOGIN_COOKIE), None);
        assert_eq!(
            set_cookie(SESSION_COOKIE, "abc", None),
            "__Host-brygga-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict"
        );
        assert!(set_cookie(LOGIN_COOKIE, "", Some(0)).ends_with("; Max-Age=0"));
    }
}
