//! Helpers shared by the server's integration tests and its benchmark:
//! fictional devices that sign operations and requests, the real
//! `brygga-server` binary started on loopback, and its admin CLI.
#![allow(dead_code)]

pub mod outcome_seed;

use brygga_protocol::api::{
    AuditPushRequest, AuditPushResponse, DeviceDirectory, EnrollRequest, EnrollResponse, ErrorBody,
    PullQuery, PullResponse, PushRequest, PushResponse, StatusResponse, PATH_AUDIT, PATH_DEVICES,
    PATH_ENROLL, PATH_PUSH, PATH_STATUS,
};
use brygga_protocol::audit::{AuditRow, GENESIS};
use brygga_protocol::auth::{new_nonce, sign_request, AuthHeaders};
use brygga_protocol::hlc::Hlc;
use brygga_protocol::op::{Operation, Payload, SignedOperation};
use brygga_protocol::{signing, PROTOCOL_VERSION};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use uuid::Uuid;

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

/// A server audit row of `actor` doing `action` at `at_ms`, with no
/// subject or detail.
pub fn audit_row(at_ms: i64, actor: &str, action: &str) -> brygga_server::store::AuditRecord {
    brygga_server::store::AuditRecord {
        at_ms,
        actor: actor.into(),
        action: action.into(),
        subject: None,
        detail: String::new(),
    }
}

/// The Postgres URL for tests, or None (skipped loudly) outside CI. In CI
/// (CI=true) a missing URL fails the test: the Postgres stage must run.
pub fn postgres_url() -> Option<String> {
    match std::env::var("BRYGGA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "BRYGGA_TEST_POSTGRES_URL is not set but CI=true: run the PostgreSQL tests \
                     through scripts/postgres-test.sh"
                );
            }
            eprintln!(
                "\n!!!!!!!! SKIPPED: PostgreSQL test (set BRYGGA_TEST_POSTGRES_URL, or run \
                 scripts/postgres-test.sh) !!!!!!!!\n"
            );
            None
        }
    }
}

/// A short random suffix, so tests sharing one Postgres database do not
/// collide on team and user names.
pub fn unique(prefix: &str) -> String {
    // The tail of a UUIDv7 is random (its head is the clock).
    let id = Uuid::now_v7().simple().to_string();
    format!("{prefix}-{}", &id[id.len() - 12..])
}

/// Enrols a new device for `user` through a one-time code.
pub async fn enrol(store: &brygga_server::store::DynStore, user: &str, now: i64) -> Uuid {
    let code = unique("code");
    store
        .add_enroll_code(user, &code, now + 60_000, audit_row(now, "admin", "code"))
        .await
        .expect("code");
    let device = brygga_server::store::NewDevice {
        id: Uuid::now_v7(),
        public_key: keypair().public_key().as_ref().to_vec(),
        name: "Fiktiv laptop".into(),
    };
    store
        .enroll(&code, device, now, audit_row(now, "admin", "enroll"))
        .await
        .expect("enrol")
        .id
}

pub fn keypair() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("keygen");
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("parse key")
}

/// `payload` as operation `seq` of `device` at `at_ms`, signed by `key`
/// for a fictional author, and prepared for the store as the push handler
/// prepares a verified operation.
pub fn prepared_op(
    key: &Ed25519KeyPair,
    device: Uuid,
    seq: u64,
    at_ms: i64,
    payload: Payload,
) -> brygga_server::store::PreparedOp {
    let signed = signing::sign(
        Operation {
            version: PROTOCOL_VERSION,
            id: Uuid::now_v7(),
            device_id: device,
            seq,
            hlc: Hlc {
                wall_ms: at_ms,
                counter: 0,
            },
            author: "Fiktiv Handläggare".into(),
            payload,
        },
        key,
    );
    brygga_server::store::PreparedOp {
        op_id: signed.op.id,
        device_id: device,
        seq: seq as i64,
        type_name: signed.op.payload.type_name(),
        scope: signed.op.payload.scope(),
        body: serde_json::to_string(&signed).expect("json"),
    }
}

/// Fictional pupil data: not a real person.
pub fn pupil_payload(pupil_id: Uuid) -> Payload {
    Payload::PupilRegistered {
        pupil_id,
        name: "Fiktiv Testelev".into(),
        personnummer: "201001012384".into(),
        school: "Fiktiva skolan".into(),
        grade: 8,
        protected_identity: false,
    }
}

/// A device: its key, its op log counter and an HTTPS client.
pub struct Device {
    pub id: Uuid,
    pub key: Ed25519KeyPair,
    pub seq: u64,
    pub hlc: Hlc,
    pub author: String,
    pub base: String,
    pub client: reqwest::Client,
}

/// An HTTP answer: status and body bytes.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not the expected JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn error(&self) -> ErrorBody {
        self.json()
    }
}

impl Device {
    pub fn new(server: &Server) -> Device {
        Device {
            id: Uuid::now_v7(),
            key: keypair(),
            seq: 0,
            hlc: Hlc::ZERO,
            author: "Fiktiv Handläggare".into(),
            base: server.base_url(),
            client: server.client(),
        }
    }

    pub fn public_key_bytes(&self) -> Vec<u8> {
        self.key.public_key().as_ref().to_vec()
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.public_key().as_ref())
    }

    /// The next operation of this device's log, signed.
    pub fn op(&mut self, payload: Payload) -> SignedOperation {
        self.seq += 1;
        self.hlc = Hlc::tick(self.hlc, now_ms());
        signing::sign(
            Operation {
                version: PROTOCOL_VERSION,
                id: Uuid::now_v7(),
                device_id: self.id,
                seq: self.seq,
                hlc: self.hlc,
                author: self.author.clone(),
                payload,
            },
            &self.key,
        )
    }

    pub fn sign(&self, method: &str, path_and_query: &str, body: &[u8]) -> AuthHeaders {
        sign_request(
            &self.key,
            self.id,
            method,
            path_and_query,
            body,
            now_ms(),
            &new_nonce(),
        )
    }

    /// Sends a request with the given headers (e.g. replayed ones).
    pub async fn send_with(
        &self,
        headers: &AuthHeaders,
        method: &str,
        path_and_query: &str,
        body: Vec<u8>,
    ) -> Answer {
        let url = format!("{}{path_and_query}", self.base);
        let mut req = match method {
            "GET" => self.client.get(url),
            _ => self
                .client
                .post(url)
                .header("content-type", "application/json")
                .body(body),
        };
        for (name, value) in headers.to_pairs() {
            req = req.header(name, value);
        }
        let resp = req.send().await.expect("request reaches the server");
        Answer {
            status: resp.status().as_u16(),
            body: resp.bytes().await.expect("body").to_vec(),
        }
    }

    /// A freshly signed request.
    pub async fn send(&self, method: &str, path_and_query: &str, body: Vec<u8>) -> Answer {
        let headers = self.sign(method, path_and_query, &body);
        self.send_with(&headers, method, path_and_query, body).await
    }

    pub async fn enroll(&self, code: &str) -> Answer {
        let req = EnrollRequest {
            code: code.to_string(),
            device_id: self.id,
            public_key_hex: self.public_key_hex(),
            device_name: "Fiktiv laptop".into(),
        };
        let resp = self
            .client
            .post(format!("{}{PATH_ENROLL}", self.base))
            .json(&req)
            .send()
            .await
            .expect("enroll reaches the server");
        Answer {
            status: resp.status().as_u16(),
            body: resp.bytes().await.expect("body").to_vec(),
        }
    }

    pub async fn enroll_ok(&self, code: &str) -> EnrollResponse {
        let a = self.enroll(code).await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        a.json()
    }

    pub async fn push_raw(&self, ops: &[SignedOperation]) -> Answer {
        let body = serde_json::to_vec(&PushRequest { ops: ops.to_vec() }).expect("json");
        self.send("POST", PATH_PUSH, body).await
    }

    pub async fn push(&self, ops: &[SignedOperation]) -> PushResponse {
        let a = self.push_raw(ops).await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        a.json()
    }

    pub async fn pull_raw(&self, after: i64, limit: Option<u32>) -> Answer {
        let q = PullQuery { after, limit };
        self.send("GET", &q.path_and_query(), Vec::new()).await
    }

    pub async fn pull(&self, after: i64, limit: Option<u32>) -> PullResponse {
        let a = self.pull_raw(after, limit).await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        a.json()
    }

    pub async fn status_raw(&self) -> Answer {
        self.send("GET", PATH_STATUS, Vec::new()).await
    }

    pub async fn status(&self) -> StatusResponse {
        let a = self.status_raw().await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        a.json()
    }

    pub async fn directory_raw(&self) -> Answer {
        self.send("GET", PATH_DEVICES, Vec::new()).await
    }

    pub async fn directory(&self) -> DeviceDirectory {
        let a = self.directory_raw().await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        a.json()
    }

    /// This device's audit rows `1..=n`, chained (fictional reads).
    pub fn audit_chain(&self, n: i64) -> Vec<AuditRow> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut row = AuditRow {
                    seq,
                    at: format!("2026-03-02T08:00:{:02}.000Z", seq % 60),
                    actor: "Fiktiv Handläggare".into(),
                    device_id: self.id.to_string(),
                    action: "read".into(),
                    object_type: "entry".into(),
                    object_id: Some(format!("e{seq}")),
                    pupil_id: Some("p1".into()),
                    detail: String::new(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                row.hash = row.compute_hash();
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    pub async fn audit_raw(&self, rows: &[AuditRow]) -> Answer {
        let body = serde_json::to_vec(&AuditPushRequest {
            rows: rows.to_vec(),
        })
        .expect("json");
        self.send("POST", PATH_AUDIT, body).await
    }

    pub async fn audit(&self, rows: &[AuditRow]) -> AuditPushResponse {
        let a = self.audit_raw(rows).await;
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        a.json()
    }
}

/// Where a test server keeps its state: a data dir and a database URL.
pub struct ServerHome {
    pub dir: tempfile::TempDir,
    pub database: String,
}

impl ServerHome {
    /// SQLite in a temp dir, or the given Postgres URL.
    pub fn new(postgres: Option<&str>) -> ServerHome {
        let dir = tempfile::tempdir().expect("tempdir");
        let database = match postgres {
            Some(url) => url.to_string(),
            None => format!("sqlite:{}", dir.path().join("server.db").display()),
        };
        ServerHome { dir, database }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs an admin command; returns stdout, panics on failure.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = self.admin_raw(args);
        assert!(
            out.status.success(),
            "brygga-server {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8 stdout")
    }

    pub fn admin_raw(&self, args: &[&str]) -> std::process::Output {
        Command::new(server_binary())
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .output()
            .expect("run brygga-server")
    }

    /// A team and a user in it; returns (team, user).
    pub fn team_and_user(&self) -> (String, String) {
        let team = unique("team");
        let user = unique("user");
        self.admin(&["team", "add", &team]);
        self.admin(&["user", "add", &user, "--team", &team]);
        (team, user)
    }

    pub fn enroll_code(&self, user: &str, minutes: u32) -> String {
        self.admin(&[
            "device",
            "enroll-code",
            "--user",
            user,
            "--valid-minutes",
            &minutes.to_string(),
        ])
        .trim()
        .to_string()
    }

    pub fn start(&self) -> Server {
        Server::start(self)
    }
}

pub fn server_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_brygga-server"))
}

/// A running `brygga-server serve` on 127.0.0.1.
pub struct Server {
    pub child: Child,
    pub addr: std::net::SocketAddr,
    pub cert_pem: Vec<u8>,
}

impl Server {
    pub fn start(home: &ServerHome) -> Server {
        Server::start_with_env(home, &[])
    }

    /// Started with `env` set too (e.g. a test clock).
    pub fn start_with_env(home: &ServerHome, env: &[(&str, &Path)]) -> Server {
        let mut child = Command::new(server_binary())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .arg("--data-dir")
            .arg(home.data_dir())
            .arg("--database")
            .arg(&home.database)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start brygga-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the server: {line:?}"))
            .parse()
            .expect("socket address");
        let cert_pem =
            std::fs::read(home.data_dir().join("tls/cert.pem")).expect("the self-signed cert");
        Server {
            child,
            addr,
            cert_pem,
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// A client that trusts exactly this server's self-signed certificate.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(&self.cert_pem).expect("PEM certificate"),
            )
            .https_only(true)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client")
    }

    /// kill -9.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
