//! The web pages for the people around the therapists, served by the same
//! process and TLS listener as the device API (which stays under `/v1`):
//! the login at `/login`, then the pages of the person's roles
//! (docs/adr/0034-web-pages-served-by-the-server.md). Pages are rendered
//! on the server ([`html`]); a person is a staff account with a web
//! session ([`session`], docs/adr/0036-staff-accounts-and-sessions.md),
//! never a device: a device's signature opens no page.
//!
//! Every response carries a CSP with no inline script or style (there is
//! no script at all), `Cache-Control: no-store` (the pages show names of
//! staff and therapists, pupil ids and device ids) and the other usual
//! headers; every action and page view is a row of the server's audit log.

mod audit;
mod backups;
mod devices;
pub mod html;
mod login;
mod outcomes;
mod password;
mod retention;
mod session;
mod teams;

use crate::admin_log::AdminLog;
use crate::clock::Clock;
use crate::store::{AuditRecord, DynStore, WriteBatch};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use session::{LOGIN_COOKIE, SESSION_COOKIE};

/// The Content-Security-Policy of every page: nothing but this server's
/// style sheet, forms posting to this server, no frames, no script.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE: &str = include_str!("web.css");

/// What the pages share.
#[derive(Clone)]
pub struct WebState {
    pub store: DynStore,
    pub admin_log: Arc<AdminLog>,
    pub clock: Clock,
    /// What enrolment codes pin (the SHA-256 of the server's public key, hex).
    pub server_pin: Arc<str>,
    /// Opens the staff's sealed TOTP secrets.
    pub staff_key: Arc<crate::staff::sealing::StaffKey>,
    /// One login at a time per account (the failure count is read, then
    /// written: two at once would both pass the wait).
    login_locks: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

impl WebState {
    pub fn new(
        store: DynStore,
        admin_log: AdminLog,
        clock: Clock,
        server_pin: String,
        staff_key: crate::staff::sealing::StaffKey,
    ) -> Self {
        WebState {
            store,
            admin_log: Arc::new(admin_log),
            clock,
            server_pin: server_pin.into(),
            staff_key: Arc::new(staff_key),
            login_locks: Arc::default(),
        }
    }

    /// The lock of one account's logins.
    fn login_lock(&self, staff_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.login_locks.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(locks.entry(staff_id).or_default())
    }

    /// Writes one audit row of the web pages.
    async fn audit(&self, action: &str, actor: &str, subject: Option<&str>, detail: String) {
        let record = AuditRecord {
            at_ms: self.clock.now_ms(),
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.map(str::to_string),
            detail,
        };
        let batch = WriteBatch {
            audits: vec![record],
            ..WriteBatch::default()
        };
        if let Err(e) = self.store.write(batch).await {
            tracing::error!(error = %e, action, "cannot write the audit row of a web action");
        }
    }
}

/// The audit actor of a staff member.
pub fn actor(name: &str) -> String {
    format!("staff:{name}")
}

/// The pages' routes, to be merged with the API's.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/password", get(password::form).post(password::change))
        .route("/audit", get(audit::review))
        .route("/devices", get(devices::list))
        .route("/devices/revoke", post(devices::revoke))
        .route("/devices/enrol-code", post(devices::enrol_code))
        // The administrator's pages (docs/adr/0037-administrator-pages.md).
        .route("/teams", get(teams::list))
        .route("/teams/add", post(teams::add_team))
        .route("/teams/add-user", post(teams::add_user))
        .route("/retention", get(retention::list))
        .route("/retention/keep", post(retention::keep))
        .route("/retention/keep-clear", post(retention::keep_clear))
        .route("/backups", get(backups::list))
        // The unit manager's pages.
        .route("/outcomes", get(outcomes::page))
        .route("/outcomes/{file}", get(outcomes::download))
        .route("/static/web.css", get(style))
        .layer(axum::middleware::from_fn(headers))
        .with_state(state)
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// The headers of every page.
async fn headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    h.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// A page with a status.
fn respond(status: StatusCode, page: String) -> Response {
    (status, Html(page)).into_response()
}

/// A page of `title` for `who` with `message` (a notice or an alert,
/// [`html::notice`]) above `body`, or the failure page.
fn page_with(
    who: &session::SignedIn,
    status: StatusCode,
    title: &str,
    message: &str,
    body: crate::error::Result<String>,
) -> Response {
    match body {
        Ok(body) => respond(status, who.page(title, &format!("{message}{body}"))),
        Err(e) => failed(e),
    }
}

/// 303 to `to`.
fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// An answer for a failure of the store: the details go to the log only.
fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "a web page failed");
    respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        html::page(
            "Något gick fel",
            None,
            "<p>Sidan kunde inte visas. Försök igen om en stund; säg till serverns administratör om det inte går över.</p>",
        ),
    )
}

/// A `?after=` parameter holds a cursor with ':'; the rest is plain.
fn url_param(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
