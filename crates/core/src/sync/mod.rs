//! Sync with the municipal server (docs/sync.md).
//!
//! [`plan::plan`] decides what a round does; [`sync_detached`] carries it
//! out over a [`Transport`], holding the journal only to read what to send
//! and to take in what came back, never while it waits for the network:
//! a command in the window runs while a slow server is still answering.
//! Push goes in seq order and is idempotent on the server, and every
//! pulled page is logged with its cursor in one transaction, so a round
//! cut off anywhere is simply run again.
//!
//! Every pulled operation's signature is checked against its author
//! device's key, pinned from the server's device directory the first time
//! this device sees it ([`verify`]). The server can withhold operations;
//! it cannot forge or alter one unnoticed.

mod access;
mod failure;
mod fetch_back;
mod http;
mod local;
mod notices;
pub mod plan;
pub(crate) mod state;
mod verify;

pub use access::JournalAccess;
pub use failure::{SyncErrorCode, SyncFailure};
pub use fetch_back::reopen_detached;
pub use http::HttpTransport;
pub use local::{PullOutcome, QuarantinedOp, SyncStatus};
pub use notices::DEFAULT_LEAVE_AFTER_DAYS;
pub(crate) use verify::verify_logged;

use crate::error::{ReasonCode, Result};
use crate::journal::Journal;
use crate::replay::scope::Fresh;
use access::locked;
use brygga_protocol::api::{AuditPushResponse, DirectoryEntry};
use brygga_protocol::audit::AuditRow;
use brygga_protocol::op::SignedOperation;
use serde::Serialize;
use serde_json::value::RawValue;
use std::sync::{mpsc, Arc};
use uuid::Uuid;

/// Most own operations sent in one push request (and at most
/// [`brygga_protocol::api::MAX_PUSH_BYTES`] of them).
pub const PUSH_BATCH: u32 = 200;
/// Operations asked for in one pull request.
pub const PULL_PAGE: u32 = 1000;
/// Most audit rows sent in one request (the server takes
/// [`brygga_protocol::api::MAX_AUDIT_ROWS`]).
pub const AUDIT_BATCH: u32 = 500;
const _: () = assert!(AUDIT_BATCH as usize <= brygga_protocol::api::MAX_AUDIT_ROWS);

/// The server's verdict on one pushed operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushVerdict {
    Accepted,
    Duplicate,
    Rejected(String),
}

/// One page of operations from the server, each as the JSON text it came
/// in (an operation of a type this build does not know is kept as it is).
#[derive(Clone, Debug)]
pub struct PulledPage {
    pub ops: Vec<(i64, Box<RawValue>)>,
    pub more: bool,
}

/// One answer of `GET /v1/notices`
/// ([`NoticesResponse`](brygga_protocol::api::NoticesResponse)) with each notice
/// left as it came, by its `notice_seq`: a notice of a type this build
/// does not know is kept for a newer build instead of failing the answer,
/// and so the round.
#[derive(Clone, Debug)]
pub struct NoticesPage {
    pub notices: Vec<(i64, Box<RawValue>)>,
    pub next_cursor: i64,
    pub more: bool,
}

/// Why a round could not finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No answer: no network, server down, TLS failure. Try again later.
    #[error("server unreachable: {0}")]
    Unreachable(String),
    /// The server says this device has been revoked.
    #[error("this device has been revoked by the municipality")]
    Revoked,
    /// The server answered with an error.
    #[error("server refused: {0}")]
    Refused(String),
    /// This device is not enrolled with a server.
    #[error("this device is not enrolled; run `brygga enroll --server URL --code CODE`")]
    NotEnrolled,
    /// The journal was locked while the round was under way; it stopped
    /// where it was (everything taken in so far is kept).
    #[error("the journal was locked during the sync")]
    Locked,
    /// The server signs its notices with another key than the one pinned
    /// at enrolment; nothing is exchanged with it.
    #[error("the server's notice key is not the one pinned at enrolment; ask the municipality's administrator")]
    ServerKeyChanged,
    #[error(transparent)]
    Local(#[from] crate::error::Error),
}

/// What a sync round needs from the server. The HTTP client implements it.
pub trait Transport {
    /// The key pin of the server as this transport last reached it (ADR
    /// 0038); None for a transport without TLS.
    fn server_pin_seen(&self) -> Option<String> {
        None
    }
    fn status(&self) -> Result<plan::Remote, SyncError>;
    /// The device directory of this device's team.
    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError>;
    /// One verdict per op, in order.
    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError>;
    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError>;
    /// Sends the next rows of this device's audit log.
    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError>;
    /// The server's notices after `after`.
    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError>;
    /// Every operation of one case of the team (a closed case fetched
    /// back), as one page.
    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError>;
}

/// How far a round has come, for a progress bar: after each pulled page
/// (`done` of `total` operations of the team's log) and after each few
/// pupils placed into the journal (`done` of `total` pupils).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    pub phase: ProgressPhase,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProgressPhase {
    /// Fetching and checking the team's operations.
    Pulling,
    /// Placing what was fetched into the pupils' cases.
    Placing,
}

/// Where a round's progress goes (a window's progress bar, a terminal).
pub type Progress<'a> = &'a dyn Fn(SyncProgress);

/// What a completed round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub pushed: u32,
    pub rejected: u32,
    pub pulled: PullOutcome,
    /// Audit rows the server took in this round (new or held already).
    pub audit_pushed: u32,
    /// Breaks the server found in this device's audit chain this round
    /// (the admin sees them with `brygga-server audit breaks`).
    pub audit_breaks: u32,
    /// The server's notices taken in this round (purges, settings).
    pub notices: u32,
    /// Closed cases that left this laptop this round.
    pub cases_left: u32,
    /// Cases fetched back this round (a colleague reopened one).
    pub cases_back: u32,
    /// True when the device was revoked and the journal has been wiped.
    pub wiped: bool,
}

/// One sync round, taking the journal through `access` only for the
/// moments it reads or writes it. A failure is recorded (last error and
/// attempt time; the last success time stays) and returned. When the
/// server says the device is revoked, the journal is wiped from this
/// laptop and the report says so; the `Journal` is then an empty shell to
/// drop. A round started while another of the same journal runs waits
/// for it, then runs in full: the sync button always sends what was saved
/// before it was pressed. A round reaches only the `Journal` it started
/// on: when that one is locked (and another opened) it ends as
/// [`SyncError::Locked`], having written nothing more.
pub fn sync_detached(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    progress: Progress<'_>,
) -> Result<SyncReport, SyncError> {
    let rounds = locked(access, |j| j.rounds.clone())?;
    // A round that panicked left no change half-made (each is one
    // transaction), so its poisoned turn is still a turn.
    let _turn = rounds
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let access = &access::Started::new(access, Arc::clone(&rounds));
    match run_round(access, transport, progress) {
        Ok(report) => {
            locked(access, |j| j.note_success(&report))??;
            Ok(report)
        }
        Err(SyncError::Revoked) => {
            locked(access, |j| j.wipe())??;
            Ok(SyncReport {
                wiped: true,
                ..SyncReport::default()
            })
        }
        Err(SyncError::Locked) => Err(SyncError::Locked),
        Err(e) => {
            // The round failed already; a failure to note it adds nothing.
            let _ = locked(access, |j| j.note_attempt(Some(&e.failure())));
            Err(e)
        }
    }
}

/// Scopes (pupils) replayed per lock taken after a pull: a few hundred
/// operations, so a command waits at most a fraction of a second.
const REPLAY_STEP_SCOPES: usize = 8;

fn run_round(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    progress: Progress<'_>,
) -> Result<SyncReport, SyncError> {
    let remote = transport.status()?;
    if let Some(pin) = transport.server_pin_seen() {
        locked(access, |j| j.keep_server_pin(&pin))??;
    }
    let directory = transport.devices()?;
    let local = locked(access, |j| -> Result<plan::Local> {
        j.pin_directory(&directory)?;
        j.local_state()
    })??;
    let mut report = SyncReport::default();
    let mut fresh = Fresh::default();
    let latest = remote.latest_server_seq;
    for step in plan::plan(local, remote) {
        match step {
            plan::Step::RefuseServer => return Err(SyncError::ServerKeyChanged),
            plan::Step::PinServerKey { key } => locked(access, |j| j.pin_server_key(&key))??,
            plan::Step::PullNotices { after } => {
                report.notices += pull_notices(access, transport, after)?
            }
            plan::Step::ServerRestored { epoch } => {
                locked(access, |j| j.server_restored(&epoch))??;
            }
            plan::Step::RememberEpoch { epoch } => locked(access, |j| j.remember_epoch(&epoch))??,
            plan::Step::PushHeld => push_held(access, transport, &mut report)?,
            plan::Step::Push { from, to } => push_range(access, transport, from, to, &mut report)?,
            plan::Step::PushAudit { after, upto } => {
                push_audit(access, transport, after, upto, &mut report)?
            }
            plan::Step::Pull { after } => {
                let span = Span::new(after, latest);
                pull_all(access, transport, span, progress, &mut report, &mut fresh)?
            }
        }
    }
    // Tries again what waited for a device key or a newer build, then
    // replays what the pull logged, a few pupils per lock, so the window
    // is never held for the whole of a first sync.
    report.pulled.applied += locked(access, |j| j.finish_pull())??;
    for case_id in locked(access, |j| j.cases_coming_back())?? {
        match fetch_back::fetch_back(access, transport, case_id) {
            Ok(_) => report.cases_back += 1,
            // The server no longer has it (a restore from an older backup):
            // what names it waits, shown as waiting, and the round goes on.
            Err(SyncError::Refused(detail)) => locked(access, |j| {
                j.record_sync(format!(
                    "case {case_id} could not be fetched back: {detail}"
                ))
            })??,
            Err(e) => return Err(e),
        }
    }
    let scopes = locked(access, |j| j.pending_scopes())??;
    let mut placed = 0;
    for step in scopes.chunks(REPLAY_STEP_SCOPES) {
        locked(access, |j| j.replay_scopes(step, &mut fresh))??;
        placed += step.len();
        progress(SyncProgress {
            phase: ProgressPhase::Placing,
            done: placed as u64,
            total: scopes.len() as u64,
        });
    }
    report.cases_left = locked(access, |j| j.leave_closed_cases())??;
    Ok(report)
}

/// Takes in the server's notices after `after`, an answer at a time.
fn pull_notices(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    after: i64,
) -> Result<u32, SyncError> {
    let (mut after, mut taken) = (after, 0);
    loop {
        let answer = transport.notices(after)?;
        taken += locked(access, |j| {
            j.take_notices(&answer.notices, answer.next_cursor)
        })??;
        // A server that repeats itself does not loop the round.
        if !answer.more || answer.next_cursor <= after {
            return Ok(taken);
        }
        after = answer.next_cursor;
    }
}

fn push_range(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    from: u64,
    to: u64,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut next = from;
    while next <= to {
        let batch = locked(access, |j| j.push_batch(next, to))??;
        let Some(last) = batch.last().map(|s| s.op.seq) else {
            break;
        };
        let rejected = send(transport, &batch, report)?;
        locked(access, |j| j.record_pushed(last, &rejected))??;
        next = last + 1;
    }
    Ok(())
}

/// Sends the audit rows after seq `after` up to `upto`, a batch at a
/// time, and remembers after each answer how far the server holds them: a
/// cut network loses nothing, and a batch sent again is only duplicates.
/// Rows written meanwhile (every command writes one) wait for the next
/// round, or the round would never end while the therapist works.
fn push_audit(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    after: i64,
    upto: i64,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut after = after;
    loop {
        let rows = locked(access, |j| j.audit_batch(after, upto))??;
        let Some(last) = rows.last().map(|r| r.seq) else {
            return Ok(());
        };
        let answer = transport.push_audit(&rows)?;
        // The server stores every row it is sent, also after a break, so
        // it holds the batch; anything else would resend it forever.
        if answer.held_seq != last {
            return Err(SyncError::Refused(format!(
                "the server holds the audit log up to row {}, not {last}",
                answer.held_seq
            )));
        }
        report.audit_pushed += rows.len() as u32;
        report.audit_breaks += answer.breaks.len() as u32;
        locked(access, |j| j.record_audit_pushed(last, answer.breaks.len()))??;
        after = last;
    }
}

/// Pushes every held operation again, batch by batch from where the last
/// round stopped, up to the newest one held when it starts.
fn push_held(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let upto = locked(access, |j| j.newest_held_key())??;
    loop {
        let batch = locked(access, |j| j.held_batch(&upto))??.unwrap_or_default();
        let Some(last) = batch.last() else {
            return Ok(locked(access, |j| j.finish_held_push(&upto))??);
        };
        let rejected = send(transport, &batch, report)?;
        locked(access, |j| j.record_held_pushed(last, &rejected))??;
    }
}

/// Pushes `batch` and counts the answers: the operations the server
/// rejected, with its reasons.
fn send(
    transport: &dyn Transport,
    batch: &[SignedOperation],
    report: &mut SyncReport,
) -> Result<Vec<(SignedOperation, String)>, SyncError> {
    let verdicts = transport.push(batch)?;
    if verdicts.len() != batch.len() {
        return Err(SyncError::Refused(format!(
            "the server answered {} of {} operations",
            verdicts.len(),
            batch.len()
        )));
    }
    let rejected: Vec<(SignedOperation, String)> = batch
        .iter()
        .filter_map(|s| {
            verdicts
                .iter()
                .find(|(id, _)| *id == s.op.id)
                .and_then(|(_, v)| match v {
                    PushVerdict::Rejected(reason) => Some((s.clone(), reason.clone())),
                    _ => None,
                })
        })
        .collect();
    report.pushed += (batch.len() - rejected.len()) as u32;
    report.rejected += rejected.len() as u32;
    Ok(rejected)
}

/// Pulls every page after `after`. A page is read and its signatures
/// checked on a thread of its own, without the journal, while the page
/// before it is logged; so checking and logging use two cores, and the
/// journal is held only to log.
fn pull_all(
    access: &dyn JournalAccess,
    transport: &dyn Transport,
    span: Span,
    progress: Progress<'_>,
    report: &mut SyncReport,
    fresh: &mut Fresh,
) -> Result<(), SyncError> {
    let keys = locked(access, |j| j.pull_keys())??;
    progress(span.at(span.after));
    std::thread::scope(|s| {
        let (to_check, pages) = mpsc::sync_channel::<PulledPage>(1);
        let (to_log, checked) = mpsc::sync_channel::<local::CheckedPage>(1);
        s.spawn(move || {
            for page in pages {
                if to_log.send(local::check_page(&keys, page)).is_err() {
                    return;
                }
            }
        });
        let mut fetch = Fetch::new(span.after);
        let mut in_check = 0;
        let mut failure = None;
        while fetch.more || in_check > 0 {
            // One page is checked while the next is fetched.
            if fetch.more && in_check < 2 {
                match transport.pull(fetch.cursor, PULL_PAGE) {
                    Ok(page) => {
                        fetch.next(&page);
                        // The checker stops only when this side is gone.
                        let _ = to_check.send(page);
                        in_check += 1;
                    }
                    Err(e) => {
                        fetch.more = false;
                        failure = Some(e);
                    }
                }
                continue;
            }
            // The checker answers every page it was sent.
            let Ok(page) = checked.recv() else { break };
            in_check -= 1;
            // What was fetched before a failure is still taken in.
            let taken = locked(access, |j| j.take_pulled(&page))??;
            report.pulled.applied += taken.outcome.applied;
            report.pulled.skipped += taken.outcome.skipped;
            report.pulled.quarantined += taken.outcome.quarantined;
            if let Some(seq) = page.last_seq() {
                progress(span.at(seq));
            }
            page.keep_logged(&taken, fresh);
        }
        failure.map_or(Ok(()), Err)
    })
}

/// What a pull has to fetch: the team's log after `after` up to `latest`,
/// the newest server seq the server's status gave.
#[derive(Clone, Copy)]
struct Span {
    after: i64,
    latest: i64,
}

impl Span {
    fn new(after: i64, latest: i64) -> Span {
        Span { after, latest }
    }

    /// Progress with the cursor at `seq`. Operations the team adds while
    /// the pull runs come along, so `done` can pass `latest`: it is held
    /// to `total` rather than the bar running over.
    fn at(self, seq: i64) -> SyncProgress {
        let total = u64::try_from(self.latest - self.after).unwrap_or(0);
        let done = u64::try_from(seq - self.after).unwrap_or(0);
        SyncProgress {
            phase: ProgressPhase::Pulling,
            done: done.min(total),
            total,
        }
    }
}

/// Where a pull stands: the cursor to ask after, and whether more follow.
struct Fetch {
    cursor: i64,
    more: bool,
}

impl Fetch {
    fn new(after: i64) -> Fetch {
        Fetch {
            cursor: after,
            more: true,
        }
    }

    /// After `page`: more follow only when it says so and moved the cursor
    /// (a server that repeats itself does not loop the round).
    fn next(&mut self, page: &PulledPage) {
        let last = page
            .ops
            .iter()
            .map(|(seq, _)| *seq)
            .max()
            .unwrap_or(self.cursor);
        self.more = page.more && last > self.cursor;
        self.cursor = self.cursor.max(last);
    }
}

/// What enrolment tells the therapist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Enrollment {
    pub server_url: String,
    pub user: String,
    pub team: String,
    pub device_id: String,
}

impl Journal {
    /// One sync round over `transport`, with this journal.
    pub fn sync(&mut self, transport: &dyn Transport) -> Result<SyncReport, SyncError> {
        self.sync_showing(transport, &|_| {})
    }

    /// One sync round over `transport`, telling `progress` how far it is.
    pub fn sync_showing(
        &mut self,
        transport: &dyn Transport,
        progress: Progress<'_>,
    ) -> Result<SyncReport, SyncError> {
        sync_detached(&access::Borrowed::new(self), transport, progress)
    }

    /// Registers this device with the server using an admin's one-time
    /// code, and remembers the server and its pinned certificate.
    pub fn enroll(
        &mut self,
        server_url: &str,
        code: &str,
        device_name: &str,
    ) -> Result<Enrollment, SyncError> {
        if let Some(existing) = state::get(&self.conn, state::SERVER_URL)? {
            return Err(SyncError::Local(crate::error::Error::not_allowed(
                ReasonCode::AlreadyEnrolled,
                format!("this device is already enrolled with {existing}"),
            )));
        }
        if !server_url.starts_with("https://") {
            return Err(SyncError::Local(crate::error::Error::invalid(
                ReasonCode::ServerUrlNotHttps,
                "the server address must start with https://",
            )));
        }
        let code: brygga_protocol::api::EnrollCode =
            code.parse()
                .map_err(|e: brygga_protocol::api::EnrollCodeError| {
                    SyncError::Local(crate::error::Error::invalid(
                        ReasonCode::ServerUrlInvalid,
                        e.to_string(),
                    ))
                })?;
        let (answer, key_pin) = http::enroll(
            server_url,
            &code,
            &brygga_protocol::api::EnrollRequest {
                code: code.to_string(),
                device_id: self.device.id,
                public_key_hex: hex::encode(self.device.public_key()),
                device_name: device_name.to_owned(),
            },
        )?;
        let tx = self.conn.transaction().map_err(crate::error::Error::from)?;
        state::set(&tx, state::SERVER_URL, server_url)?;
        state::set(&tx, state::SERVER_PIN, &key_pin)?;
        state::set(&tx, state::ENROLLED_USER, &answer.user)?;
        state::set(&tx, state::TEAM, &answer.team)?;
        if !answer.server_key_hex.is_empty() {
            state::set(&tx, state::SERVER_KEY, &answer.server_key_hex)?;
        }
        tx.commit().map_err(crate::error::Error::from)?;
        self.refresh_card()?;
        self.record_sync(format!(
            "enrolled as {} in team {}",
            answer.user, answer.team
        ))?;
        Ok(Enrollment {
            server_url: server_url.to_owned(),
            user: answer.user,
            team: answer.team,
            device_id: self.device.id.to_string(),
        })
    }

    /// Pins the server's key in place of what this device pinned before,
    /// once a connection proved they name the same server: an enrolment
    /// before ADR 0038 pinned the certificate's hash, which a renewed
    /// certificate would no longer match.
    pub(crate) fn keep_server_pin(&self, key_pin: &str) -> Result<()> {
        if state::get(&self.conn, state::SERVER_PIN)?.as_deref() != Some(key_pin) {
            state::set(&self.conn, state::SERVER_PIN, key_pin)?;
            self.record_sync(
                "the server's public key is pinned in place of its certificate".into(),
            )?;
        }
        Ok(())
    }

    /// The HTTPS transport to the server this device is enrolled with.
    pub fn server_transport(&self) -> Result<HttpTransport, SyncError> {
        let url = state::get(&self.conn, state::SERVER_URL)?.ok_or(SyncError::NotEnrolled)?;
        let pin = state::get(&self.conn, state::SERVER_PIN)?.ok_or(SyncError::NotEnrolled)?;
        HttpTransport::new(&url, &pin, self.device.clone())
    }

    /// One sync round with the enrolled server.
    pub fn sync_with_server(&mut self) -> Result<SyncReport, SyncError> {
        let transport = self.server_transport()?;
        self.sync(&transport)
    }
}

/// One sync round with the server the journal behind `access` is enrolled
/// with, holding it only while reading or writing it (the desktop app's
/// background sync).
pub fn sync_with_server_detached(
    access: &dyn JournalAccess,
    progress: Progress<'_>,
) -> Result<SyncReport, SyncError> {
    let transport = locked(access, |j| j.server_transport())??;
    sync_detached(access, &transport, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_progress_counts_from_the_cursor_and_never_runs_over() {
        let span = Span::new(100, 1100);
        let at = |seq| {
            let p = span.at(seq);
            (p.done, p.total)
        };
        assert_eq!(at(100), (0, 1000));
        assert_eq!(at(600), (500, 1000));
        // Operations added while the pull ran came along.
        assert_eq!(at(1300), (1000, 1000));
    }
}
