//! The command line: `brygga-server [--database URL] [--data-dir DIR] <cmd>`.

use crate::admin;
use crate::admin_log::AdminLog;
use crate::backup::Reapplied;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::notice_key::NoticeKey;
use crate::review::{format_cursor, parse_cursor, parse_time, DayEnd, ReviewRow};
use crate::store::retention::Purged;
use crate::store::{self, AuditFilter, AuditSource, DynStore, Revoked};
use crate::tls::{self, TlsFiles};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use uuid::Uuid;

mod cert;
mod settings;
mod staff;
mod templates;

#[derive(Debug, Parser)]
#[command(
    name = "brygga-server",
    version,
    about = "The municipal sync server of Brygga and its admin commands",
    after_help = "Logs go to stderr (JSON with BRYGGA_LOG_JSON=1; level with RUST_LOG)."
)]
pub struct Cli {
    /// Database: sqlite:PATH or postgres://USER@HOST/DB
    /// [default: sqlite:<data dir>/server.db]
    #[arg(
        long,
        global = true,
        env = "BRYGGA_SERVER_DATABASE",
        value_name = "URL"
    )]
    pub database: Option<String>,
    /// Directory of the default database and the self-signed certificate
    #[arg(
        long,
        global = true,
        env = "BRYGGA_SERVER_DATA_DIR",
        value_name = "DIR"
    )]
    pub data_dir: Option<PathBuf>,
    /// The admin log (teams, users, enrolments, revocations), re-applied
    /// by `restore`; keep it beside the backups
    /// [default: <data dir>/admin-log.jsonl]
    #[arg(
        long,
        global = true,
        env = "BRYGGA_SERVER_ADMIN_LOG",
        value_name = "FILE"
    )]
    pub admin_log: Option<PathBuf>,
    /// The key the server signs its notices with (made on first use;
    /// readable by the server's user alone, never in the database)
    /// [default: <data dir>/notice-key.pk8]
    #[arg(
        long,
        global = true,
        env = "BRYGGA_SERVER_NOTICE_KEY",
        value_name = "FILE"
    )]
    pub notice_key: Option<PathBuf>,
    /// The key the staff's TOTP secrets are sealed with in the database
    /// (made on first use; readable by the server's user alone; keep a
    /// copy apart from the database's backups)
    /// [default: <data dir>/staff-key.bin]
    #[arg(
        long,
        global = true,
        env = "BRYGGA_SERVER_STAFF_KEY",
        value_name = "FILE"
    )]
    pub staff_key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the sync API over HTTPS
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8443 (port 0: any free port;
        /// the bound address is printed as `listening on ADDR`)
        #[arg(long, env = "BRYGGA_SERVER_LISTEN", value_name = "ADDR")]
        listen: SocketAddr,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Teams
    #[command(subcommand)]
    Team(TeamCommand),
    /// Users (therapists)
    #[command(subcommand)]
    User(UserCommand),
    /// Devices: enrolment codes, listing, revocation
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Staff accounts for the web pages (administrators, unit managers,
    /// auditors): password and TOTP code
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The audit trail: the devices' rows and the server's own
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The TLS certificate
    #[command(subcommand)]
    Cert(CertCommand),
    /// The key the server signs its notices with
    #[command(subcommand)]
    NoticeKey(NoticeKeyCommand),
    /// Case retention: closed cases, keep flags, purges, settings
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// The municipality's settings that every device acts on: the
    /// ladder's steps, the absence thresholds (and retention's, shown)
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// The programme templates every device starts programmes from:
    /// the built-in ones and the municipality's
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Copy the SQLite database to a new FILE while the server runs
    /// (PostgreSQL: pg_dump, see docs/backup.md)
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Put a backup back (server stopped), re-apply the admin log and start
    /// a new history epoch; with PostgreSQL, run pg_restore first and this
    /// without FILE
    Restore { file: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add an account; prints its first password and its TOTP secret
    /// (an otpauth:// URI for the authenticator app) once
    Add {
        /// Login name: ASCII letters, digits and . _ @ -
        name: String,
        /// administrator, unit-manager or auditor (repeat for several)
        #[arg(long = "role", value_name = "ROLE", required = true, value_parser = parse_role)]
        roles: Vec<crate::staff::Role>,
    },
    /// Give the account a new TOTP secret (a lost phone) and end its
    /// sessions; prints the new otpauth:// URI once
    TotpReset { name: String },
    /// Disable the account: no login, its sessions end at once
    Disable { name: String },
}

fn parse_role(text: &str) -> std::result::Result<crate::staff::Role, String> {
    crate::staff::Role::parse(text)
        .ok_or_else(|| format!("'{text}' is not a role (administrator, unit-manager, auditor)"))
}

#[derive(Debug, Args)]
pub struct TlsArgs {
    /// PEM certificate chain (default: a self-signed one in the data dir)
    #[arg(
        long,
        env = "BRYGGA_SERVER_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert
    #[arg(
        long,
        env = "BRYGGA_SERVER_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Add a team
    Add { name: String },
    /// Every team with its users and their active and revoked devices
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user to a team
    Add {
        name: String,
        #[arg(long, value_name = "NAME")]
        team: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Issue a one-time enrolment code for a user; prints the code alone
    EnrollCode {
        #[arg(long, value_name = "NAME")]
        user: String,
        #[arg(long, default_value_t = 60, value_name = "N")]
        valid_minutes: u32,
        /// The certificate the server serves, when not the data dir's
        #[arg(long, env = "BRYGGA_SERVER_TLS_CERT", value_name = "FILE")]
        tls_cert: Option<PathBuf>,
    },
    /// List enrolled devices
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device: at its next contact it wipes its local journal
    Revoke { id: Uuid },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The devices' audit rows (reads included) and the server's own,
    /// oldest first
    List {
        /// Rows of devices enrolled to this user, or with this actor
        #[arg(long, value_name = "U")]
        user: Option<String>,
        /// Rows about this pupil (device rows only)
        #[arg(long, value_name = "ID")]
        pupil: Option<String>,
        /// Rows of this device, and the server's rows of its requests
        #[arg(long, value_name = "ID")]
        device: Option<Uuid>,
        /// Rows of this action, e.g. read, push, audit.break
        #[arg(long, value_name = "A")]
        action: Option<String>,
        /// From this date (YYYY-MM-DD, UTC) or RFC 3339 time, inclusive
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Up to this date (the whole day) or RFC 3339 time, inclusive
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// At most N rows (default: all); when more follow, the cursor
        /// of the last one shown is printed on stderr, for --after
        #[arg(long, value_name = "N")]
        limit: Option<NonZeroU64>,
        /// Only the rows after this cursor (from a previous --limit)
        #[arg(long, value_name = "CURSOR")]
        after: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Breaks found in the devices' audit chains, oldest first
    Breaks {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Print the server pin that enrolment codes carry: the SHA-256 (hex)
    /// of the certificate's public key
    #[command(visible_alias = "pin")]
    Fingerprint {
        #[arg(long, env = "BRYGGA_SERVER_TLS_CERT", value_name = "FILE")]
        tls_cert: Option<PathBuf>,
    },
    /// Make a self-signed certificate and a new key in the data directory
    Generate {
        /// DNS names or IP addresses (default: localhost 127.0.0.1 ::1)
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Replace an existing pair: a new key, so every enrolled device
        /// must be enrolled again (`cert renew` keeps the key)
        #[arg(long)]
        force: bool,
    },
    /// Write a new self-signed certificate for the SAME key (new names or
    /// validity); enrolled devices pin the key and keep syncing
    Renew {
        /// DNS names or IP addresses (default: localhost 127.0.0.1 ::1)
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Valid for N days from today (default: without end)
        #[arg(long, value_name = "N")]
        days: Option<u32>,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Print a certificate signing request (PEM) for the server's key, for
    /// the municipality's CA; install the certificate it signs in place of
    /// the server's (--tls-cert), the key unchanged
    Csr {
        /// DNS names or IP addresses the certificate is for (the first is
        /// also its common name)
        #[arg(long = "name", value_name = "NAME", required = true)]
        names: Vec<String>,
        /// The server's key (default: the data directory's)
        #[arg(long, env = "BRYGGA_SERVER_TLS_KEY", value_name = "FILE")]
        tls_key: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Closed cases: team, last operation, purge date, keep flag
    List {
        /// Only the cases a purge would remove now
        #[arg(long)]
        due: bool,
        #[arg(long)]
        json: bool,
    },
    /// Keep a case past its purge date (or lift that with --clear)
    Keep {
        case: Uuid,
        #[arg(long, value_name = "R", required_unless_present = "clear")]
        reason: Option<String>,
        #[arg(long, conflicts_with = "reason")]
        clear: bool,
    },
    /// Purge every due case and the audit rows older than the settings keep
    Purge {
        /// Print what would be purged; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Show the settings, or change those given
    Settings {
        #[arg(long, value_name = "N")]
        case_years: Option<u32>,
        #[arg(long, value_name = "N")]
        audit_years: Option<u32>,
        /// Days after its last operation that a closed case leaves a
        /// laptop (told to every team in a signed notice)
        #[arg(long, value_name = "N")]
        leave_laptop_days: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Every setting in force and where it comes from
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change the settings given; each that changed is told to every
    /// team in a notice signed by the server's key
    Set {
        /// The ladder's steps in order: a JSON file of
        /// [{"key": "home-visits", "name_sv": "Hembesök", "name_en": "Home visits"}, …]
        #[arg(long, value_name = "FILE")]
        ladder_steps: Option<PathBuf>,
        /// Three ascending percentages of the scheduled time that warn
        #[arg(long, value_name = "P1,P2,P3", value_parser = crate::settings::parse_thresholds)]
        absence_thresholds: Option<[u8; 3]>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Add a template or a new version of one (a JSON file in the format
    /// of docs/programmes.md), told to every team in a notice signed by
    /// the server's key
    Add { file: PathBuf },
    /// The templates in force and where each comes from
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum NoticeKeyCommand {
    /// Print the public key (hex) that devices pin, and where the key file is
    Show,
}

/// The data directory: --data-dir, BRYGGA_SERVER_DATA_DIR, or the
/// platform's data directory for brygga-server.
pub fn data_dir(cli: &Cli) -> Result<PathBuf> {
    if let Some(dir) = &cli.data_dir {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("se", "Brygga", "brygga-server")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Error::Usage("no home directory: give --data-dir".into()))
}

fn admin_log(cli: &Cli, data_dir: &Path) -> AdminLog {
    AdminLog::at(
        cli.admin_log
            .clone()
            .unwrap_or_else(|| data_dir.join("admin-log.jsonl")),
    )
}

/// The notice key of --notice-key, or the data dir's, made when absent.
fn notice_key(cli: &Cli, data_dir: &Path) -> Result<NoticeKey> {
    NoticeKey::load_or_create(
        &cli.notice_key
            .clone()
            .unwrap_or_else(|| data_dir.join(crate::notice_key::FILE_NAME)),
    )
}

/// The staff key of --staff-key, or the data dir's, made when absent.
fn staff_key(cli: &Cli, data_dir: &Path) -> Result<crate::staff::sealing::StaffKey> {
    crate::staff::sealing::StaffKey::load_or_create(
        &cli.staff_key
            .clone()
            .unwrap_or_else(|| data_dir.join(crate::staff::sealing::FILE_NAME)),
    )
}

fn database_url(cli: &Cli, data_dir: &Path) -> String {
    cli.database
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("server.db").display()))
}

async fn open_store(cli: &Cli, data_dir: &Path) -> Result<DynStore> {
    Ok(store::open(&database_url(cli, data_dir)).await?)
}

fn cert_path(data_dir: &Path, given: Option<PathBuf>) -> Result<PathBuf> {
    match given {
        Some(p) => Ok(p),
        None => Ok(TlsFiles::resolve(data_dir, None, None)?.cert),
    }
}

fn print_json(value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Usage(format!("JSON output: {e}")))?;
    println!("{text}");
    Ok(())
}

/// One row of `audit list`'s text.
fn print_review_row(r: &ReviewRow) {
    println!(
        "{}  {:<6}  {:<36}  {:<20}  {:<18}  {:<44}  {}{}",
        r.at,
        match r.source {
            AuditSource::Device => "device",
            AuditSource::Server => "server",
        },
        r.device_id.map_or("-".to_string(), |d| d.to_string()),
        r.actor,
        r.action,
        r.object.as_deref().unwrap_or("-"),
        r.detail,
        if r.after_break {
            "  [after a break]"
        } else {
            ""
        }
    );
}

/// An item of a JSON array printed one item at a time, as
/// [`print_json`] prints the whole array: the array's opening (`first`)
/// or the comma after the item before, then the item, indented.
fn json_array_item(first: bool, item: &impl serde::Serialize) -> Result<String> {
    let value =
        serde_json::to_value(item).map_err(|e| Error::Usage(format!("JSON output: {e}")))?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| Error::Usage(format!("JSON output: {e}")))?;
    let mut out = String::from(if first { "[\n" } else { ",\n" });
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("  ");
        out.push_str(line);
    }
    Ok(out)
}

/// The end of an array of [`json_array_item`]s (`empty`: none printed).
fn json_array_end(empty: bool) -> &'static str {
    if empty {
        "[]"
    } else {
        "\n]"
    }
}

/// Runs one command.
pub async fn run(cli: Cli) -> Result<()> {
    let dir = data_dir(&cli)?;
    match &cli.command {
        Command::Serve { listen, tls } => {
            let files = TlsFiles::resolve(&dir, tls.tls_cert.clone(), tls.tls_key.clone())?;
            let config = tls::server_config(&files)?;
            tracing::info!(
                pin = %tls::key_pin(&files.cert)?,
                cert = %files.cert.display(),
                "TLS certificate"
            );
            let key = notice_key(&cli, &dir)?;
            tracing::info!(public_key = %key.public_hex(), file = %key.path().display(), "notice key");
            let store = open_store(&cli, &dir).await?;
            let staff_key = staff_key(&cli, &dir)?;
            let sealed = crate::staff::seal_stored(store.as_ref(), &staff_key).await?;
            if sealed > 0 {
                tracing::info!(accounts = sealed, "sealed TOTP secrets stored in clear");
            }
            let served = crate::http::Served {
                admin_log: admin_log(&cli, &dir),
                server_key_hex: key.public_hex(),
                server_pin: tls::key_pin(&files.cert)?,
                staff_key,
            };
            crate::http::serve(store, served, *listen, config).await
        }
        Command::Team(TeamCommand::Add { name }) => {
            let store = open_store(&cli, &dir).await?;
            let team =
                admin::add_team(store.as_ref(), &admin_log(&cli, &dir), admin::ACTOR, name).await?;
            println!("team '{}' added", team.name);
            Ok(())
        }
        Command::Team(TeamCommand::List { json }) => {
            let store = open_store(&cli, &dir).await?;
            let teams = admin::teams(store.as_ref()).await?;
            if *json {
                let list: Vec<serde_json::Value> = teams
                    .iter()
                    .map(|t| {
                        let users: Vec<serde_json::Value> = t
                            .users
                            .iter()
                            .map(|(u, active, revoked)| {
                                serde_json::json!({
                                    "name": u.name,
                                    "active_devices": active,
                                    "revoked_devices": revoked,
                                })
                            })
                            .collect();
                        serde_json::json!({"name": t.team.name, "users": users})
                    })
                    .collect();
                return print_json(&serde_json::Value::Array(list));
            }
            println!("{:<24}  {:<24}  {:>6}  REVOKED", "TEAM", "USER", "ACTIVE");
            for t in teams {
                if t.users.is_empty() {
                    println!("{:<24}  -", t.team.name);
                }
                for (u, active, revoked) in &t.users {
                    println!(
                        "{:<24}  {:<24}  {active:>6}  {revoked}",
                        t.team.name, u.name
                    );
                }
            }
            Ok(())
        }
        Command::User(UserCommand::Add { name, team }) => {
            let store = open_store(&cli, &dir).await?;
            let user = admin::add_user(
                store.as_ref(),
                &admin_log(&cli, &dir),
                admin::ACTOR,
                name,
                team,
            )
            .await?;
            println!("user '{}' added to team '{}'", user.name, user.team.name);
            Ok(())
        }
        Command::Device(DeviceCommand::EnrollCode {
            user,
            valid_minutes,
            tls_cert,
        }) => {
            let pin = tls::key_pin(&cert_path(&dir, tls_cert.clone())?)?;
            let store = open_store(&cli, &dir).await?;
            let (code, expires_at) =
                admin::enroll_code(store.as_ref(), admin::ACTOR, user, *valid_minutes, &pin)
                    .await?;
            eprintln!(
                "one-time enrolment code for '{user}', valid until {}:",
                rfc3339(expires_at)
            );
            println!("{code}");
            Ok(())
        }
        Command::Device(DeviceCommand::List { json }) => {
            let store = open_store(&cli, &dir).await?;
            let devices = admin::devices(store.as_ref()).await?;
            let synced = admin::devices_last_sync(store.as_ref()).await?;
            let last = |id: &Uuid| synced.get(id).copied().unwrap_or_default();
            if *json {
                let list: Vec<serde_json::Value> = devices
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "id": d.id,
                            "name": d.name,
                            "user": d.user,
                            "team": d.team.name,
                            "public_key_hex": hex::encode(&d.public_key),
                            "enrolled_at": rfc3339(d.enrolled_at_ms),
                            "revoked_at": d.revoked_at_ms.map(rfc3339),
                            "last_seq_at_revocation": d.last_seq_at_revocation,
                            "last_push_at": last(&d.id).push_ms.map(rfc3339),
                            "last_pull_at": last(&d.id).pull_ms.map(rfc3339),
                            "status": if d.revoked_at_ms.is_some() { "revoked" } else { "active" },
                        })
                    })
                    .collect();
                print_json(&serde_json::Value::Array(list))
            } else {
                println!(
                    "{:<36}  {:<8}  {:<20}  {:<20}  {:<16}  {:<16}  NAME",
                    "ID", "STATUS", "ENROLLED", "LAST SYNC", "USER", "TEAM"
                );
                for d in devices {
                    println!(
                        "{:<36}  {:<8}  {:<20}  {:<20}  {:<16}  {:<16}  {}",
                        d.id,
                        if d.revoked_at_ms.is_some() {
                            "revoked"
                        } else {
                            "active"
                        },
                        rfc3339(d.enrolled_at_ms),
                        last(&d.id).latest().map_or("never".into(), rfc3339),
                        d.user,
                        d.team.name,
                        d.name
                    );
                }
                Ok(())
            }
        }
        Command::Device(DeviceCommand::Revoke { id }) => {
            let store = open_store(&cli, &dir).await?;
            match admin::revoke_device(store.as_ref(), &admin_log(&cli, &dir), admin::ACTOR, *id)
                .await?
            {
                Revoked::Now => println!("device {id} revoked"),
                Revoked::Already => println!("device {id} was already revoked"),
            }
            Ok(())
        }
        Command::Audit(AuditCommand::List {
            user,
            pupil,
            device,
            action,
            from,
            to,
            limit,
            after,
            json,
        }) => {
            let filter = AuditFilter {
                user: user.clone(),
                pupil: pupil.clone(),
                device: *device,
                action: action.clone(),
                from_ms: from
                    .as_deref()
                    .map(|t| parse_time(t, DayEnd::Start))
                    .transpose()?,
                to_ms: to
                    .as_deref()
                    .map(|t| parse_time(t, DayEnd::End))
                    .transpose()?,
            };
            let after = after.as_deref().map(parse_cursor).transpose()?;
            let store = open_store(&cli, &dir).await?;
            let mut shown = 0u64;
            let more = admin::audit_list(store.as_ref(), &filter, after, *limit, |r| {
                if *json {
                    print!("{}", json_array_item(shown == 0, &r)?);
                } else {
                    print_review_row(&r);
                }
                shown += 1;
                Ok(())
            })
            .await?;
            if *json {
                println!("{}", json_array_end(shown == 0));
            }
            if let Some(next) = more {
                eprintln!("more rows follow: --after {}", format_cursor(next));
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Breaks { json }) => {
            let store = open_store(&cli, &dir).await?;
            let breaks = admin::audit_breaks(store.as_ref()).await?;
            if *json {
                let list: Vec<serde_json::Value> = breaks
                    .iter()
                    .map(|b| {
                        serde_json::json!({
                            "device_id": b.device_id,
                            "seq": b.seq,
                            "kind": b.kind.as_str(),
                            "detail": b.detail,
                            "at": rfc3339(b.at_ms),
                            "at_ms": b.at_ms,
                        })
                    })
                    .collect();
                return print_json(&serde_json::Value::Array(list));
            }
            for b in breaks {
                println!(
                    "{}  {}  row {:<8}  {:<10}  {}",
                    rfc3339(b.at_ms),
                    b.device_id,
                    b.seq,
                    b.kind.as_str(),
                    b.detail
                );
            }
            Ok(())
        }
        Command::Backup { out } => {
            let made = crate::backup::backup(&database_url(&cli, &dir), out).await?;
            println!(
                "backup written to {} ({} bytes)",
                made.file,
                made.bytes.unwrap_or_default()
            );
            Ok(())
        }
        Command::Restore { file } => restore(&cli, &dir, file.as_deref()).await,
        Command::Retention(command) => retention(&cli, &dir, command).await,
        Command::Staff(command) => staff::run(&cli, &dir, command).await,
        Command::Settings(command) => settings::run(&cli, &dir, command).await,
        Command::Template(command) => templates::run(&cli, &dir, command).await,
        Command::NoticeKey(NoticeKeyCommand::Show) => {
            let key = notice_key(&cli, &dir)?;
            eprintln!("notice key {}; public key:", key.path().display());
            println!("{}", key.public_hex());
            Ok(())
        }
        Command::Cert(command) => cert::run(&dir, command),
    }
}

/// `retention …`
async fn retention(cli: &Cli, dir: &Path, command: &RetentionCommand) -> Result<()> {
    let store = open_store(cli, dir).await?;
    let store = store.as_ref();
    let now = crate::clock::now_ms();
    match command {
        RetentionCommand::List { due, json } => {
            let listed = crate::retention::list(store, now, *due).await?;
            if *json {
                return print_json(&serde_json::Value::Array(
                    listed.iter().map(listed_json).collect(),
                ));
            }
            println!(
                "{:<36}  {:<16}  {:<20}  {:<20}  {:<3}  KEEP",
                "CASE", "TEAM", "LAST OPERATION", "PURGE DATE", "DUE"
            );
            for l in listed {
                println!(
                    "{:<36}  {:<16}  {:<20}  {:<20}  {:<3}  {}",
                    l.case.case_id,
                    l.team,
                    rfc3339(l.case.last_received_at_ms),
                    l.case.purge_at_ms.map_or("-".into(), rfc3339),
                    if l.case.due { "yes" } else { "no" },
                    l.case.keep.as_ref().map_or("-", |k| k.reason.as_str())
                );
            }
            Ok(())
        }
        RetentionCommand::Keep {
            case,
            reason,
            clear,
        } => {
            let reason = if *clear { None } else { reason.clone() };
            let kept = reason.is_some();
            let changed = crate::retention::keep(
                store,
                &admin_log(cli, dir),
                admin::ACTOR,
                *case,
                reason,
                now,
            )
            .await?;
            match (kept, changed) {
                (true, true) => println!("case {case} is kept"),
                (true, false) => println!("case {case} was kept already"),
                (false, true) => println!("case {case} is no longer kept"),
                (false, false) => println!("case {case} was not kept"),
            }
            Ok(())
        }
        RetentionCommand::Purge { dry_run } => {
            let key = notice_key(cli, dir)?;
            let run =
                crate::retention::purge(store, &key, &admin_log(cli, dir), *dry_run, now).await?;
            let verb = if *dry_run { "would purge" } else { "purged" };
            for (l, purged) in &run.cases {
                let what = match purged {
                    Some(Purged::Now { ops, objects }) => {
                        format!(" ({ops} operations, {objects} objects)")
                    }
                    Some(Purged::Already) => " (purged already)".into(),
                    None => String::new(),
                };
                println!(
                    "{verb} case {} of team '{}', last operation {}{what}",
                    l.case.case_id,
                    l.team,
                    rfc3339(l.case.last_received_at_ms)
                );
            }
            println!(
                "{verb} {} cases; {} device audit rows and {} server audit rows received before {}",
                run.cases.len(),
                run.audit.device_rows,
                run.audit.server_rows,
                rfc3339(run.audit_before_ms)
            );
            Ok(())
        }
        RetentionCommand::Settings {
            case_years,
            audit_years,
            leave_laptop_days,
        } => {
            let change = crate::retention::SettingsChange {
                case_years: *case_years,
                audit_years: *audit_years,
                case_leaves_laptop_after_days: *leave_laptop_days,
            };
            let settings =
                if case_years.is_none() && audit_years.is_none() && leave_laptop_days.is_none() {
                    store.retention_settings().await?
                } else {
                    let key = notice_key(cli, dir)?;
                    crate::retention::settings(store, &key, &admin_log(cli, dir), change, now)
                        .await?
                };
            println!("case years: {}", settings.case_years);
            println!("audit years: {}", settings.audit_years);
            println!(
                "a closed case leaves a laptop after {} days",
                settings.case_leaves_laptop_after_days
            );
            Ok(())
        }
    }
}

fn listed_json(l: &crate::retention::Listed) -> serde_json::Value {
    serde_json::json!({
        "case_id": l.case.case_id,
        "team": l.team,
        "last_operation_at": rfc3339(l.case.last_received_at_ms),
        "last_operation_at_ms": l.case.last_received_at_ms,
        "purge_at": l.case.purge_at_ms.map(rfc3339),
        "purge_at_ms": l.case.purge_at_ms,
        "due": l.case.due,
        "keep": l.case.keep.is_some(),
        "keep_reason": l.case.keep.as_ref().map(|k| k.reason.clone()),
    })
}

/// `restore [FILE]`: the SQLite file put back, or (PostgreSQL) what
/// pg_restore put back taken as it is; then the admin log re-applied and a
/// new history epoch, each action listed.
async fn restore(cli: &Cli, dir: &Path, file: Option<&Path>) -> Result<()> {
    let url = database_url(cli, dir);
    match (crate::backup::sqlite_path(&url), file) {
        (Some(db), Some(file)) => {
            let aside = crate::backup::restore_sqlite(file, &db)?;
            println!(
                "restored {} (the database it replaced is kept as {})",
                file.display(),
                aside.display()
            );
        }
        (Some(_), None) => {
            return Err(Error::Usage("give the backup FILE to restore".into()));
        }
        (None, Some(_)) => {
            return Err(Error::Usage(
                "restore a PostgreSQL dump with pg_restore, then run `restore` without FILE \
                 (docs/backup.md)"
                    .into(),
            ));
        }
        (None, None) => {}
    }
    let store = open_store(cli, dir).await?;
    let log = admin_log(cli, dir);
    let restored = crate::backup::after_restore(store.as_ref(), &log).await?;
    println!("admin log {}:", log.path().display());
    for (logged, outcome) in &restored.actions {
        let what = serde_json::to_string(&logged.action)
            .map_err(|e| Error::Usage(format!("admin log action: {e}")))?;
        let outcome = match outcome {
            Reapplied::Applied => "re-applied".to_string(),
            Reapplied::AlreadyThere => "in the backup".to_string(),
            Reapplied::NotPossible(why) => format!("NOT re-applied: {why}"),
        };
        println!("  {}  {outcome:<14}  {what}", rfc3339(logged.at_ms));
    }
    println!(
        "new history epoch {}: devices push again what they hold at their next sync",
        restored.epoch
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `audit list --json` prints its rows as they come, exactly as the
    /// whole array printed at once.
    #[test]
    fn a_json_array_item_by_item_is_the_whole_array() {
        let items = [
            serde_json::json!({"b": 1, "a": "x\ny", "c": null, "d": [], "e": {"f": [1, 2]}}),
            serde_json::json!({"a": true}),
        ];
        for n in 0..=items.len() {
            let mut text = String::new();
            for (i, item) in items[..n].iter().enumerate() {
                text.push_str(&json_array_item(i == 0, item).expect("item"));
            }
            text.push_str(json_array_end(n == 0));
            let whole =
                serde_json::to_string_pretty(&serde_json::Value::Array(items[..n].to_vec()))
                    .expect("json");
            assert_eq!(text, whole);
        }
    }
}
