//! Support for the end-to-end scenarios: a real `brygga-server` process on
//! loopback, its admin CLI, and enrolled client journals.
//!
//! The binaries are the ones `cargo test --workspace` builds next to this
//! test (target/<profile>/brygga-server and target/<profile>/brygga).

use brygga_core::{EntryKind, Journal, NewEntry, NewPupil, Passphrase};
use chrono::Utc;
use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const PASSPHRASE: &str = "fiktivt lösenord för test";

/// Which storage the server runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// PostgreSQL from `BRYGGA_TEST_POSTGRES_URL` (scripts/postgres-test.sh
    /// starts one). Without it the scenario is skipped locally, and fails
    /// in CI, where the suite must cover both backends.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("BRYGGA_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("BRYGGA_TEST_POSTGRES_URL is not set; run the suite through scripts/test.sh")
            }
            _ => {
                eprintln!("SKIPPED: PostgreSQL scenario (set BRYGGA_TEST_POSTGRES_URL or run scripts/postgres-test.sh)");
                None
            }
        }
    }
}

impl Backend {
    /// The same backend, on a database of its own: a scenario that restores
    /// the whole database must not take other scenarios' data with it.
    pub fn own_database(self) -> Backend {
        match self {
            Backend::Sqlite => Backend::Sqlite,
            Backend::Postgres(url) => {
                let name = format!("brygga_{}", uuid::Uuid::now_v7().simple());
                run_ok(Command::new("psql").args([
                    url.as_str(),
                    "-c",
                    &format!("CREATE DATABASE {name}"),
                ]));
                let (server, _) = url.rsplit_once('/').expect("a database in the URL");
                Backend::Postgres(format!("{server}/{name}"))
            }
        }
    }
}

/// Runs `command`, fails the test with its stderr unless it succeeds, and
/// returns its stdout, trimmed.
pub fn run_ok(command: &mut Command) -> String {
    let out = command.output().expect("run a command");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// `pg_dump` of the database at `url` to `file`, as docs/backup.md says.
pub fn dump_postgres(url: &str, file: &Path) {
    run_ok(
        Command::new("pg_dump")
            .args(["--format=custom", "--file"])
            .arg(file)
            .arg(url),
    );
}

/// `pg_restore` of `file` over the database at `url`, as docs/backup.md
/// says.
pub fn restore_postgres(url: &str, file: &Path) {
    run_ok(
        Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--dbname", url])
            .arg(file),
    );
}

/// target/<profile>/ of this test binary.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_owned()
}

pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing; build it with `cargo build -p {}`",
        path.display(),
        if name == "brygga" { "brygga-cli" } else { name }
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A unique suffix so scenarios sharing one PostgreSQL database do not see
/// each other's teams and users.
pub fn unique(name: &str) -> String {
    format!("{name}-{}", uuid::Uuid::now_v7().simple())
}

pub struct Server {
    dir: tempfile::TempDir,
    backend: Backend,
    port: u16,
    child: Option<Child>,
}

impl Server {
    pub fn start(backend: Backend) -> Server {
        let mut server = Server {
            dir: tempfile::tempdir().expect("server dir"),
            backend,
            port: free_port(),
            child: None,
        };
        server.restart();
        server
    }

    fn global_args(&self) -> Vec<String> {
        let mut args = vec![
            "--data-dir".to_owned(),
            self.dir.path().display().to_string(),
        ];
        if let Backend::Postgres(url) = &self.backend {
            args.push("--database".into());
            args.push(url.clone());
        }
        args
    }

    /// Starts the server process (again) on the same port and data.
    pub fn restart(&mut self) {
        let child = Command::new(bin("brygga-server"))
            .args(self.global_args())
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start brygga-server");
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "brygga-server did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no shutdown handler runs.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9 the server");
            child.wait().expect("reap the server");
        }
    }

    /// The server's data directory (its key files, the SQLite database).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Runs an admin command and returns its stdout, trimmed.
    pub fn admin(&self, args: &[&str]) -> String {
        run_ok(&mut self.admin_command(args))
    }

    /// Runs an admin command that may fail (a refusal under test).
    pub fn admin_raw(&self, args: &[&str]) -> std::process::Output {
        self.admin_command(args)
            .output()
            .expect("run brygga-server")
    }

    fn admin_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(bin("brygga-server"));
        command.args(self.global_args()).args(args);
        command
    }

    /// A backup of the database as it is now, made while the server runs:
    /// `brygga-server backup`, or `pg_dump` for PostgreSQL.
    pub fn backup(&self) -> PathBuf {
        let out = self
            .dir
            .path()
            .join(format!("backup-{}", uuid::Uuid::now_v7().simple()));
        let file = out.display().to_string();
        match &self.backend {
            Backend::Sqlite => {
                self.admin(&["backup", "--out", &file]);
            }
            Backend::Postgres(url) => {
                dump_postgres(url, &out);
            }
        }
        out
    }

    /// Stops the server, puts `backup` back as docs/backup.md says
    /// (`brygga-server restore FILE`, or `pg_restore` then `brygga-server
    /// restore`), starts it again and returns what `restore` printed.
    pub fn restore(&mut self, backup: &Path) -> String {
        self.kill();
        let file = backup.display().to_string();
        let printed = match &self.backend {
            Backend::Sqlite => self.admin(&["restore", &file]),
            Backend::Postgres(url) => {
                restore_postgres(url, backup);
                self.admin(&["restore"])
            }
        };
        self.restart();
        printed
    }

    /// Creates a team and one user per name; returns the user names.
    pub fn team(&self, team: &str, users: &[&str]) -> Vec<String> {
        self.admin(&["team", "add", team]);
        users
            .iter()
            .map(|u| {
                let user = unique(u);
                self.admin(&["user", "add", &user, "--team", team]);
                user
            })
            .collect()
    }

    /// Runs one SQL statement on the server's database behind its back,
    /// as someone with access to the server's disk (or its PostgreSQL)
    /// could.
    pub fn tamper_sql(&self, sql: &str) {
        let status = match &self.backend {
            // Waits for a write of the running server to end, as a
            // person at the server would, instead of failing on a lock.
            Backend::Sqlite => Command::new("sqlite3")
                .args(["-cmd", ".timeout 10000"])
                .arg(self.dir.path().join("server.db"))
                .arg(sql)
                .status(),
            Backend::Postgres(url) => Command::new("psql")
                .args([url.as_str(), "-c", sql])
                .status(),
        }
        .expect("run the database client");
        assert!(status.success(), "{sql} failed");
    }

    pub fn enroll_code(&self, user: &str) -> String {
        self.admin(&["device", "enroll-code", "--user", user])
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A therapist's laptop: a journal in its own directory.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub journal: Journal,
}

impl Device {
    /// A new journal, enrolled with `server` as `user`.
    pub fn enrolled(server: &Server, user: &str) -> Device {
        let dir = tempfile::tempdir().expect("device dir");
        let mut journal = Journal::create(dir.path(), &pass(), user).expect("create journal");
        journal
            .enroll(&server.url(), &server.enroll_code(user), user)
            .expect("enroll");
        Device { dir, journal }
    }

    pub fn reopen(&mut self) {
        self.journal = Journal::open(self.dir.path(), &pass()).expect("reopen journal");
    }
}

pub fn pass() -> Passphrase {
    Passphrase::new(PASSPHRASE.to_owned())
}

/// The `brygga` CLI against a device's journal.
pub fn cli(device_dir: &Path) -> Command {
    let mut cmd = Command::new(bin("brygga"));
    cmd.arg("--data-dir")
        .arg(device_dir)
        .env("BRYGGA_PASSPHRASE", PASSPHRASE)
        .stdin(Stdio::null());
    cmd
}

/// Runs the `brygga` CLI against a device's journal and reads what it
/// printed as JSON (`--json` is among `args`).
pub fn laptop_json(device: &Device, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run_ok(cli(device.dir.path()).args(args))).expect("json")
}

/// Runs `$scenario` once per backend (a scenario file
/// `use`s [`Backend`]).
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $scenario() { super::$scenario(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $scenario() {
                if let Some(pg) = super::Backend::postgres() { super::$scenario(pg) }
            })*
        }
    };
}

// Small steps every scenario takes.

pub fn note(text: &str) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        event_at: Utc::now(),
        participants: vec![],
        key_persons: Vec::new(),
        fields: BTreeMap::new(),
        text: text.into(),
    }
}

/// A pupil with an open case; returns the case id.
pub fn open_case(device: &mut Device, pnr: &str) -> Uuid {
    open_case_in(&mut device.journal, pnr)
}

pub fn open_case_in(journal: &mut brygga_core::Journal, pnr: &str) -> Uuid {
    let pupil = journal
        .add_pupil(NewPupil {
            name: "Fiktiv Elev".into(),
            personnummer: pnr.into(),
            school: "Fiktiva skolan".into(),
            grade: 8,
            protected_identity: false,
        })
        .expect("pupil");
    journal.open_case(pupil).expect("case")
}

pub fn signed_notes(device: &mut Device, case: Uuid, n: usize, prefix: &str) -> Vec<Uuid> {
    (0..n)
        .map(|i| signed_note(&mut device.journal, case, &format!("{prefix} {i}")))
        .collect()
}

/// A note drafted and signed; returns the entry's id.
pub fn signed_note(journal: &mut Journal, case: Uuid, text: &str) -> Uuid {
    let id = journal.draft_entry(case, note(text)).expect("draft");
    journal.sign_entry(id).expect("sign");
    id
}

pub fn sync(device: &mut Device) -> brygga_core::sync::SyncReport {
    device.journal.sync_with_server().expect("sync")
}
