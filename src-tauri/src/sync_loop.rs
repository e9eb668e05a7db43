//! Background sync: one tokio task per unlocked session.
//!
//! - started by `create_journal` / `unlock`, aborted by [`AppState::lock`]
//!   (and it ends by itself on the first round that finds the journal gone);
//! - a round runs `sync_with_server_detached` (blocking, ureq) on the
//!   blocking pool; it takes the journal mutex only to read what to send
//!   and to take in what came back, never while waiting for the server, so
//!   the window's commands run during a slow sync; no lock is ever held
//!   across an await;
//! - healthy: a round every [`HEALTHY_INTERVAL`]; right away when triggered
//!   (after each signed entry or check-in save, after enrolment);
//! - failing: exponential backoff from [`BACKOFF_START`] doubling to
//!   [`BACKOFF_MAX`], plus up to 25 % jitter so a school's laptops do not
//!   all retry in the same second;
//! - network return: while failing, every [`NETWORK_POLL`] the task tries a
//!   plain TCP connect (2 s timeout, no TLS, no data) to the server's host
//!   and port; when it succeeds the next round starts at once instead of
//!   waiting out the backoff;
//! - during a round its progress is emitted as [`PROGRESS_EVENT`] (after
//!   each pulled page and each few pupils placed), for a progress bar;
//! - after every round the new [`SyncStatus`] is emitted as
//!   [`SYNC_EVENT`]; when the server says the device was revoked the core
//!   has wiped the journal: the shell drops it and emits the lock event
//!   with reason `wiped`, and the UI returns to the first-run screen.
//!
//! Background rounds do not count as user activity: the idle lock still
//! locks a journal that only syncs.

use crate::locking::lock_and_tell;
use crate::state::{AppState, LockReason};
use crate::sync_task::SyncTask;
use brygga_core::sync::{SyncError, SyncProgress, SyncReport, SyncStatus};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;

/// The event carrying the new [`SyncStatus`] after each round.
pub const SYNC_EVENT: &str = "brygga://sync";
/// The event carrying a round's [`SyncProgress`] while it runs.
pub const PROGRESS_EVENT: &str = "brygga://sync-progress";
/// Between rounds while everything works.
pub const HEALTHY_INTERVAL: Duration = Duration::from_secs(3 * 60);
/// The first wait after a failed round; doubles on each further failure.
pub const BACKOFF_START: Duration = Duration::from_secs(5);
/// The longest wait between failed rounds.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5 * 60);
/// How often a failing loop checks whether the server is reachable again.
pub const NETWORK_POLL: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// What one round came to: the sync result and the status after it
/// (None when the journal was wiped).
pub type Round = (Result<SyncReport, SyncError>, Option<SyncStatus>);

/// One blocking round, telling the window how far it is, then the
/// status. None when the journal is locked.
pub fn round_blocking<R: Runtime>(app: &AppHandle<R>) -> Option<Round> {
    let state = app.state::<AppState>();
    let progress = |p: SyncProgress| {
        // No window means nothing to tell.
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    let result = brygga_core::sync::sync_with_server_detached(state.journal_access(), &progress);
    if matches!(result, Err(SyncError::Locked)) {
        return None;
    }
    let wiped = matches!(&result, Ok(r) if r.wiped);
    let status = if wiped {
        None
    } else {
        state.with_sync(|j| j.sync_status().ok()).flatten()
    };
    Some((result, status))
}

/// After a round: emit the status, or drop a wiped journal. Returns false
/// when the journal is gone.
pub fn publish<R: Runtime>(
    app: &AppHandle<R>,
    report: &Result<SyncReport, SyncError>,
    status: Option<SyncStatus>,
) -> bool {
    if matches!(report, Ok(r) if r.wiped) {
        let state = app.state::<AppState>();
        lock_and_tell(app, &state, LockReason::Wiped);
        return false;
    }
    if let Some(status) = status {
        // No window means nothing to tell.
        let _ = app.emit(SYNC_EVENT, status);
    }
    true
}

/// Starts the loop for a freshly unlocked journal (stopping any old one).
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let trigger = Arc::new(Notify::new());
    let handle = tauri::async_runtime::spawn(run(app.clone(), trigger.clone()));
    app.state::<AppState>()
        .set_sync_task(SyncTask { trigger, handle });
}

/// Adds up to 25 % to `d`, from the clock's nanoseconds (no RNG needed).
fn jitter(d: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 250) / 1000.0)
}

/// The next wait after a failure.
pub fn next_backoff(current: Option<Duration>) -> Duration {
    match current {
        None => BACKOFF_START,
        Some(d) => (d * 2).min(BACKOFF_MAX),
    }
}

/// `host:port` of an `https://` URL (port 443 unless given).
pub fn host_port(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() {
        return None;
    }
    let has_port = match authority.rfind(']') {
        Some(close) => authority[close..].contains(':'),
        None => authority.contains(':'),
    };
    Some(if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:443")
    })
}

async fn reachable(addr: &str) -> bool {
    matches!(
        tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

/// Waits `total`, but returns early on a trigger or, when `probe` is set,
/// as soon as that address accepts a TCP connection.
async fn wait(trigger: &Notify, total: Duration, probe: Option<&str>) {
    let deadline = tokio::time::Instant::now() + total;
    loop {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return;
        }
        let step = match probe {
            Some(_) => NETWORK_POLL.min(deadline - now),
            None => deadline - now,
        };
        tokio::select! {
            _ = trigger.notified() => return,
            _ = tokio::time::sleep(step) => {}
        }
        if let Some(addr) = probe {
            if reachable(addr).await {
                return;
            }
        }
    }
}

async fn run<R: Runtime>(app: AppHandle<R>, trigger: Arc<Notify>) {
    let mut backoff: Option<Duration> = None;
    loop {
        let for_round = app.clone();
        let round = tauri::async_runtime::spawn_blocking(move || round_blocking(&for_round)).await;
        let Ok(Some((result, status))) = round else {
            return; // locked (or the round panicked): end quietly
        };
        let server = status.as_ref().and_then(|s| s.server_url.clone());
        let failed = result.is_err();
        let not_enrolled = matches!(result, Err(SyncError::NotEnrolled));
        if !publish(&app, &result, status) {
            return;
        }
        if not_enrolled {
            // Nothing to do until enrolment triggers a round.
            backoff = None;
            trigger.notified().await;
        } else if failed {
            let next = next_backoff(backoff);
            backoff = Some(next);
            let probe = server.as_deref().and_then(host_port);
            wait(&trigger, jitter(next), probe.as_deref()).await;
        } else {
            backoff = None;
            wait(&trigger, HEALTHY_INTERVAL, None).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap() {
        let mut d = None;
        let mut seen = vec![];
        for _ in 0..8 {
            let next = next_backoff(d);
            seen.push(next.as_secs());
            d = Some(next);
        }
        assert_eq!(seen, [5, 10, 20, 40, 80, 160, 300, 300]);
        let j = jitter(Duration::from_secs(100));
        assert!(j >= Duration::from_secs(100) && j < Duration::from_secs(125));
    }

    #[test]
    fn host_port_of_server_urls() {
        assert_eq!(
            host_port("https://sync.example:8443/x").as_deref(),
            Some("sync.example:8443")
        );
        assert_eq!(
            host_port("https://sync.example").as_deref(),
            Some("sync.example:443")
        );
        assert_eq!(
            host_port("https://[::1]:9000/").as_deref(),
            Some("[::1]:9000")
        );
        assert_eq!(host_port("https://[::1]").as_deref(), Some("[::1]:443"));
        assert_eq!(host_port("http://x"), None);
    }
}
