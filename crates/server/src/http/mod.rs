//! The HTTP API: routes, shared state, the request log and metrics layer,
//! and the TLS listener.

mod authn;
mod handlers;
mod relay;
mod retention;

pub use authn::{Authed, DeviceCache, SignedRequest};

use crate::admin_log::AdminLog;
use crate::metrics::Metrics;
use crate::store::DynStore;
use crate::writer::Writer;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use brygga_protocol::api;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// The OpenAPI 3 document served at `/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    pub writer: Writer,
    /// Keys and teams of the enrolled devices (never revocation).
    pub devices: Arc<DeviceCache>,
    pub metrics: Arc<Metrics>,
    /// Allowed distance between a request's time and the server clock.
    pub max_skew_ms: i64,
    /// Where enrolments are logged for a restore (none in tests that do
    /// not restore).
    pub admin_log: Option<Arc<AdminLog>>,
    /// The public notice key, hex, that enrolment and status hand out.
    pub server_key_hex: Arc<str>,
}

impl AppState {
    /// State over `store`, starting its write task; `server_key_hex` is the
    /// public notice key ([`crate::notice_key`]).
    pub fn new(store: DynStore, server_key_hex: String) -> crate::error::Result<AppState> {
        let writer =
            Writer::start(Arc::clone(&store)).map_err(|source| crate::error::Error::Io {
                what: "start the write task".into(),
                source,
            })?;
        Ok(AppState {
            writer,
            store,
            devices: Arc::new(DeviceCache::default()),
            metrics: Arc::new(Metrics::default()),
            max_skew_ms: brygga_protocol::auth::MAX_SKEW_MS,
            admin_log: None,
            server_key_hex: server_key_hex.into(),
        })
    }

    /// Logs each enrolment to `log` too.
    pub fn with_admin_log(self, log: AdminLog) -> AppState {
        AppState {
            admin_log: Some(Arc::new(log)),
            ..self
        }
    }
}

/// The application with every route of [`api::ROUTES`].
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(api::PATH_ENROLL, post(handlers::enroll))
        .route(api::PATH_PUSH, post(handlers::push))
        .route(api::PATH_PULL, get(handlers::pull))
        .route(api::PATH_STATUS, get(handlers::status))
        .route(api::PATH_DEVICES, get(handlers::devices))
        .route(api::PATH_AUDIT, post(handlers::audit))
        .route(api::PATH_NOTICES, get(retention::notices))
        .route(api::PATH_CASE_OPS, get(retention::case_ops))
        .route(api::PATH_OPENAPI, get(handlers::openapi))
        .route(api::PATH_METRICS, get(handlers::metrics))
        .fallback(handlers::not_found)
        .layer(DefaultBodyLimit::max(api::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Logs one line per request (method, route, status, latency, device id
/// when authenticated — never bodies) and counts it.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        device = tracing::field::Empty
    );
    let response = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.request(&method, &route, status);
    if route == api::PATH_PUSH {
        state.metrics.push_latency(elapsed);
    }
    span.in_scope(|| {
        tracing::info!(status, latency_us = elapsed.as_micros() as u64, "request");
    });
    response
}

/// What the server serves besides the store: the notice key's public
/// half, the admin log, and the certificate's SHA-256 that the web pages'
/// enrolment codes pin.
pub struct Served {
    pub admin_log: AdminLog,
    pub server_key_hex: String,
    pub server_pin: String,
    /// What opens the staff's sealed TOTP secrets at a login.
    pub staff_key: crate::staff::sealing::StaffKey,
}

/// Serves the API and the web pages ([`crate::web`]) over TLS on `listen`
/// until SIGINT or SIGTERM. Prints `listening on ADDR` (the bound
/// address) on stdout once ready.
pub async fn serve(
    store: DynStore,
    served: Served,
    listen: std::net::SocketAddr,
    tls: rustls::ServerConfig,
) -> crate::error::Result<()> {
    let web = crate::web::WebState::new(
        Arc::clone(&store),
        served.admin_log.clone(),
        crate::clock::Clock::from_env(),
        served.server_pin,
        served.staff_key,
    );
    let state =
        AppState::new(Arc::clone(&store), served.server_key_hex)?.with_admin_log(served.admin_log);
    let app = router(state).merge(crate::web::router(web));
    let handle = axum_server::Handle::new();
    tokio::spawn(prune_nonces(Arc::clone(&store)));
    tokio::spawn(shutdown_on_signal(handle.clone()));
    let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls));
    let server = axum_server::bind_rustls(listen, config)
        .handle(handle.clone())
        .serve(app.into_make_service());
    let announce = async {
        if let Some(addr) = handle.listening().await {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {addr}");
            let _ = out.flush();
            tracing::info!(%addr, backend = store.backend(), "serving");
        }
    };
    let (served, ()) = tokio::join!(server, announce);
    served.map_err(|e| crate::error::Error::Io {
        what: format!("serving on {listen}"),
        source: e,
    })
}

async fn shutdown_on_signal(handle: axum_server::Handle) {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM");
            let _ = ctrl_c.await;
            handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
    handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
}

/// Forgets expired nonces once a minute.
async fn prune_nonces(store: DynStore) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        match store.prune_nonces(crate::clock::now_ms()).await {
            Ok(n) if n > 0 => tracing::debug!(pruned = n, "pruned expired nonces"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning nonces failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_protocol::api::{OpResult, Outcome, PullResponse, StatusResponse};
    use std::collections::BTreeSet;

    fn doc() -> serde_json::Value {
        serde_json::from_str(OPENAPI_JSON).expect("the OpenAPI document is JSON")
    }

    #[test]
    fn every_route_is_in_the_openapi_document() {
        let doc = doc();
        assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
        for (method, path) in api::ROUTES {
            assert!(
                doc["paths"][path][method.to_lowercase()].is_object(),
                "{method} {path} is missing from openapi.json"
            );
        }
        let documented = doc["paths"].as_object().expect("paths").len();
        assert_eq!(
            documented,
            api::ROUTES.len(),
            "openapi.json documents a route that does not exist"
        );
    }

    fn json(v: &impl serde::Serialize) -> serde_json::Value {
        serde_json::to_value(v).expect("json")
    }

    fn keys(v: &serde_json::Value) -> BTreeSet<String> {
        v.as_object().expect("object").keys().cloned().collect()
    }

    #[test]
    fn documented_schemas_match_the_wire_types() {
        let doc = doc();
        let schema = |name: &str| doc["components"]["schemas"][name]["properties"].clone();
        let result = serde_json::to_value(OpResult {
            op_id: uuid::Uuid::nil(),
            device_id: uuid::Uuid::nil(),
            seq: 1,
            outcome: Outcome::Accepted,
            server_seq: Some(1),
            reason: None,
        })
        .expect("json");
        assert_eq!(keys(&result), keys(&schema("OpResult")));
        let pull = serde_json::to_value(PullResponse {
            ops: vec![],
            next_cursor: 0,
            more: false,
        })
        .expect("json");
        assert_eq!(keys(&pull), keys(&schema("PullResponse")));
        let status = serde_json::to_value(StatusResponse {
            device_status: api::DeviceStatus::Active,
            team: "t".into(),
            latest_server_seq: 0,
            server_time_ms: 0,
            history_epoch: String::new(),
            server_key_hex: "00".repeat(32),
        })
        .expect("json");
        assert_eq!(keys(&status), keys(&schema("StatusResponse")));
        let entry = api::DirectoryEntry {
            device_id: uuid::Uuid::nil(),
            public_key_hex: "00".repeat(32),
            user: "u".into(),
            team: "t".into(),
            enrolled_at_ms: 0,
            revoked_at_ms: Some(1),
            last_seq: Some(0),
        };
        let directory = serde_json::to_value(api::DeviceDirectory {
            devices: vec![entry.clone()],
        })
        .expect("json");
        assert_eq!(keys(&directory), keys(&schema("DeviceDirectory")));
        assert_eq!(
            keys(&serde_json::to_value(&entry).expect("json")),
            keys(&schema("DirectoryEntry"))
        );
        // Every payload type has its schema variant.
        let mapping = keys(&doc["components"]["schemas"]["Payload"]["discriminator"]["mapping"]);
        assert_eq!(mapping.len(), 16);
        assert!(mapping.contains("case-reopened"));
        let enrolled = serde_json::to_value(api::EnrollResponse {
            device_id: uuid::Uuid::nil(),
            user: "u".into(),
            team: "t".into(),
            server_time_ms: 0,
            server_key_hex: "00".repeat(32),
        })
        .expect("json");
        assert_eq!(keys(&enrolled), keys(&schema("EnrollResponse")));
        let notice = brygga_protocol::notice::SignedNotice {
            notice: brygga_protocol::notice::Notice {
                version: brygga_protocol::PROTOCOL_VERSION,
                id: uuid::Uuid::nil(),
                issued_at_ms: 0,
                team: None,
                body: brygga_protocol::notice::NoticeBody::CasePurged {
                    case_id: uuid::Uuid::nil(),
                },
            },
            signature: String::new(),
        };
        let pulled = api::PulledNotice {
            notice_seq: 1,
            notice: notice.clone(),
        };
        let notices = serde_json::to_value(api::NoticesResponse {
            notices: vec![pulled.clone()],
            next_cursor: 1,
            more: false,
        })
        .expect("json");
        assert_eq!(keys(&notices), keys(&schema("NoticesResponse")));
        assert_eq!(keys(&json(&pulled)), keys(&schema("PulledNotice")));
        assert_eq!(keys(&json(&notice)), keys(&schema("SignedNotice")));
        assert_eq!(keys(&json(&notice.notice)), keys(&schema("Notice")));
        let case_ops = serde_json::to_value(api::CaseOpsResponse { ops: vec![] }).expect("json");
        assert_eq!(keys(&case_ops), keys(&schema("CaseOpsResponse")));
        assert!(mapping.contains("plan-action-status-set"));
    }
}
