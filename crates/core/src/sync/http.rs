//! The HTTPS client of the sync protocol (brygga_protocol::api).
//!
//! The server's public key is pinned (ADR 0038): the enrolment code
//! carries the SHA-256 of its SubjectPublicKeyInfo, and the client accepts
//! any certificate with that key, at enrolment and on every later sync,
//! and no other. No public CA is trusted, so a municipal server needs no
//! certificate from one; a renewed certificate, or one from the
//! municipality's CA, for the same key needs no laptop enrolled again.

use super::plan::Remote;
use super::{NoticesPage, PulledPage, PushVerdict, SyncError, Transport};
use crate::device::Device;
use brygga_protocol::api::{
    self, AuditPushRequest, AuditPushResponse, CaseOpsQuery, DeviceDirectory, DirectoryEntry,
    EnrollRequest, EnrollResponse, ErrorBody, NoticesQuery, Outcome, PullQuery, PushRequest,
    PushResponse, StatusResponse,
};
use brygga_protocol::audit::AuditRow;
use brygga_protocol::auth;
use brygga_protocol::op::SignedOperation;
use brygga_protocol::pin;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct PinnedKey {
    /// The stored pin: a key pin, or the certificate hash of an enrolment
    /// before ADR 0038.
    pin: String,
    /// The key pin of the certificate last accepted.
    seen: Arc<Mutex<Option<String>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedKey {
    /// Checks the server's key only: no names, dates or issuer. The
    /// handshake's signature, checked below, proves the server holds the
    /// private key of the certificate it sent.
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let key_pin = match pin::check(&self.pin, end_entity.as_ref()) {
            Some(pin::PinMatch::Key) => self.pin.clone(),
            Some(pin::PinMatch::Certificate { key_pin }) => key_pin,
            None => {
                return Err(rustls::Error::General(
                    "the server's public key is not the one named in the enrolment code".into(),
                ))
            }
        };
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(key_pin);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// An agent that accepts only the server of `server_pin`; what it saw goes
/// to `seen`.
fn agent(server_pin: &str, seen: Arc<Mutex<Option<String>>>) -> Result<ureq::Agent, SyncError> {
    let pin = server_pin.to_ascii_lowercase();
    if pin.len() != 64 || !pin.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SyncError::Refused(
            "the stored server pin is malformed".into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Refused(format!("TLS set-up: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedKey {
            pin,
            seen,
            provider,
        }))
        .with_no_client_auth();
    Ok(ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .timeout(TIMEOUT)
        .build())
}

/// Turns a ureq failure into what the sync round does next.
fn failure(e: ureq::Error) -> SyncError {
    match e {
        ureq::Error::Status(status, response) => {
            let body: Option<ErrorBody> = response.into_json().ok();
            match body {
                Some(b) if b.code == api::codes::DEVICE_REVOKED => SyncError::Revoked,
                Some(b) => SyncError::Refused(format!("{status} {}: {}", b.code, b.message)),
                None => SyncError::Refused(format!("HTTP {status}")),
            }
        }
        ureq::Error::Transport(t) => SyncError::Unreachable(t.to_string()),
    }
}

/// The most an answer may hold: a full page of the largest operations.
/// A server that sends more is cut off there rather than filling memory.
const MAX_ANSWER_BYTES: u64 = api::MAX_PULL_LIMIT as u64 * api::MAX_OP_BYTES as u64 + (1 << 20);

/// Reads the whole answer, then parses it: parsing from the socket's
/// reader goes byte by byte and cost more than the rest of a pull.
fn read_json<T: serde::de::DeserializeOwned>(r: ureq::Response) -> Result<T, SyncError> {
    let mut body = Vec::new();
    r.into_reader()
        .take(MAX_ANSWER_BYTES)
        .read_to_end(&mut body)
        .map_err(|e| SyncError::Unreachable(format!("the answer was cut off: {e}")))?;
    serde_json::from_slice(&body)
        .map_err(|e| SyncError::Refused(format!("unreadable answer from the server: {e}")))
}

fn base(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// Enrols a device: registers its public key with the one-time code.
/// Returns the server's answer and the key pin of the certificate it
/// presented (what the device pins from then on, whatever kind of pin the
/// code carried).
pub(crate) fn enroll(
    server_url: &str,
    code: &api::EnrollCode,
    request: &EnrollRequest,
) -> Result<(EnrollResponse, String), SyncError> {
    let seen = Arc::new(Mutex::new(None));
    let response = agent(&code.server_pin, seen.clone())?
        .post(&format!("{}{}", base(server_url), api::PATH_ENROLL))
        .send_json(request)
        .map_err(failure)?;
    let answer = read_json(response)?;
    let key_pin = seen_pin(&seen).unwrap_or_else(|| code.server_pin.clone());
    Ok((answer, key_pin))
}

fn seen_pin(seen: &Mutex<Option<String>>) -> Option<String> {
    seen.lock().ok()?.clone()
}

/// A signed-request client for one enrolled device.
pub struct HttpTransport {
    client: Client,
    /// The next page of a pull, asked for while the last one is taken in.
    ahead: Mutex<Option<Ahead>>,
    /// The key pin of the certificate the server last presented.
    seen: Arc<Mutex<Option<String>>>,
}

/// What a request needs; cloned into the thread that fetches ahead.
#[derive(Clone)]
struct Client {
    agent: ureq::Agent,
    base: String,
    device: Arc<Device>,
}

/// A pull request under way in the background.
struct Ahead {
    after: i64,
    limit: u32,
    page: std::thread::JoinHandle<Result<PulledPage, SyncError>>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base", &self.client.base)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    pub(crate) fn new(
        server_url: &str,
        server_pin: &str,
        device: Arc<Device>,
    ) -> Result<Self, SyncError> {
        let seen = Arc::new(Mutex::new(None));
        Ok(HttpTransport {
            client: Client {
                agent: agent(server_pin, seen.clone())?,
                base: base(server_url),
                device,
            },
            ahead: Mutex::new(None),
            seen,
        })
    }

    /// The page fetched ahead for exactly this request, if there is one.
    fn take_ahead(&self, after: i64, limit: u32) -> Option<Result<PulledPage, SyncError>> {
        let ahead = self.ahead.lock().ok()?.take()?;
        (ahead.after == after && ahead.limit == limit).then(|| {
            ahead.page.join().unwrap_or_else(|_| {
                Err(SyncError::Unreachable(
                    "the page fetched ahead was lost".into(),
                ))
            })
        })
    }

    /// Asks for the page after `after` in the background: the server
    /// reads and sends it while this device takes in the last one.
    fn fetch_ahead(&self, after: i64, limit: u32) {
        let client = self.client.clone();
        let page = std::thread::spawn(move || client.pull(after, limit));
        if let Ok(mut slot) = self.ahead.lock() {
            *slot = Some(Ahead { after, limit, page });
        }
    }
}

impl Client {
    fn send(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<ureq::Response, SyncError> {
        let headers = auth::sign_request(
            &self.device.key,
            self.device.id,
            method,
            path_and_query,
            body,
            crate::clock::now().timestamp_millis(),
            &auth::new_nonce(),
        );
        let mut request = self
            .agent
            .request(method, &format!("{}{path_and_query}", self.base))
            .set("content-type", "application/json");
        for (name, value) in headers.to_pairs() {
            request = request.set(name, &value);
        }
        let sent = if body.is_empty() {
            request.call()
        } else {
            request.send_bytes(body)
        };
        sent.map_err(failure)
    }

    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        let query = PullQuery {
            after,
            limit: Some(limit),
        };
        let page: RawPullResponse = read_json(self.send("GET", &query.path_and_query(), &[])?)?;
        Ok(PulledPage {
            ops: page.ops.into_iter().map(|p| (p.server_seq, p.op)).collect(),
            more: page.more,
        })
    }
}

impl Transport for HttpTransport {
    fn server_pin_seen(&self) -> Option<String> {
        seen_pin(&self.seen)
    }

    fn status(&self) -> Result<Remote, SyncError> {
        // A revoked device gets 403 device_revoked here, which `failure`
        // turns into SyncError::Revoked.
        let status: StatusResponse = read_json(self.client.send("GET", api::PATH_STATUS, &[])?)?;
        Ok(Remote {
            latest_server_seq: status.latest_server_seq,
            history_epoch: status.history_epoch,
            server_key: status.server_key_hex,
        })
    }

    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError> {
        let directory: DeviceDirectory =
            read_json(self.client.send("GET", api::PATH_DEVICES, &[])?)?;
        Ok(directory.devices)
    }

    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError> {
        let body =
            serde_json::to_vec(&PushRequest { ops: ops.to_vec() }).expect("operations serialise");
        let answer: PushResponse = read_json(self.client.send("POST", api::PATH_PUSH, &body)?)?;
        Ok(answer
            .results
            .into_iter()
            .map(|r| {
                let verdict = match r.outcome {
                    Outcome::Accepted => PushVerdict::Accepted,
                    Outcome::Duplicate => PushVerdict::Duplicate,
                    Outcome::Rejected => PushVerdict::Rejected(
                        r.reason
                            .unwrap_or_else(|| "rejected without a reason".into()),
                    ),
                };
                (r.op_id, verdict)
            })
            .collect())
    }

    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError> {
        let body = serde_json::to_vec(&AuditPushRequest {
            rows: rows.to_vec(),
        })
        .expect("audit rows serialise");
        read_json(self.client.send("POST", api::PATH_AUDIT, &body)?)
    }

    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError> {
        let query = NoticesQuery { after };
        let answer: RawNotices =
            read_json(self.client.send("GET", &query.path_and_query(), &[])?)?;
        Ok(NoticesPage {
            notices: answer
                .notices
                .into_iter()
                .map(|n| (n.notice_seq, n.notice))
                .collect(),
            next_cursor: answer.next_cursor,
            more: answer.more,
        })
    }

    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError> {
        let query = CaseOpsQuery { case: case_id };
        let page: RawCaseOps = read_json(self.client.send("GET", &query.path_and_query(), &[])?)?;
        Ok(PulledPage {
            ops: page.ops.into_iter().map(|p| (p.server_seq, p.op)).collect(),
            more: false,
        })
    }

    /// While a page says more follow, the next one is already asked for
    /// when it is returned.
    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        let page = match self.take_ahead(after, limit) {
            Some(page) => page?,
            None => self.client.pull(after, limit)?,
        };
        if let Some(last) = page.ops.last().map(|(seq, _)| *seq).filter(|_| page.more) {
            self.fetch_ahead(last, limit);
        }
        Ok(page)
    }
}

/// [`api::PullResponse`] with each operation left as the JSON it came in,
/// so that one this build cannot read (a newer laptop's) is kept, not lost
/// with its page.
#[derive(serde::Deserialize)]
struct RawPullResponse {
    ops: Vec<RawPulledOp>,
    more: bool,
}

/// [`api::CaseOpsResponse`] with each operation left as it came.
#[derive(serde::Deserialize)]
struct RawCaseOps {
    ops: Vec<RawPulledOp>,
}

/// [`api::NoticesResponse`] with each notice left as it came.
#[derive(serde::Deserialize)]
struct RawNotices {
    notices: Vec<RawPulledNotice>,
    next_cursor: i64,
    more: bool,
}

#[derive(serde::Deserialize)]
struct RawPulledNotice {
    notice_seq: i64,
    notice: Box<serde_json::value::RawValue>,
}

#[derive(serde::Deserialize)]
struct RawPulledOp {
    server_seq: i64,
    op: Box<serde_json::value::RawValue>,
}
