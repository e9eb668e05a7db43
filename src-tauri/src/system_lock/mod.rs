//! Lock the journal when the system suspends, the session is locked or
//! another user takes over the screen.
//!
//! Tauri 2 has no event for any of these, so each platform has its own
//! source of "lock now" signals behind [`LockSignals`]:
//!
//! - Linux: D-Bus, logind and the screen savers ([`dbus`]);
//! - Windows: session and power notifications to a message-only window
//!   (`windows`, docs/windows.md and ADR 0039);
//! - other platforms: none, so only the idle timer locks. It counts
//!   wall-clock time, so a laptop that slept longer than the idle time is
//!   locked the moment it wakes.

#[cfg(target_os = "linux")]
mod dbus;
// The workspace's one exception to `unsafe_code` (ADR 0039): Win32 calls
// that have no safe binding. Every `unsafe` block in it says why it holds.
#[cfg(windows)]
#[allow(unsafe_code)]
mod windows;
// Platform-free, so that its tests run on Linux too.
#[cfg(any(windows, test))]
mod windows_messages;

use crate::state::{AppState, LockReason};
use std::sync::Arc;
use tauri::{AppHandle, Manager, Runtime};

/// What a signal runs: lock the journal and tell the window.
type LockNow = Arc<dyn Fn() + Send + Sync>;

/// A platform's source of "lock now" signals.
trait LockSignals {
    /// Starts listening in the background and returns at once; a source
    /// that is missing (no bus in a container) says so once on stderr.
    fn listen(lock: LockNow);
}

#[cfg(target_os = "linux")]
type Platform = dbus::DBusSignals;

#[cfg(windows)]
type Platform = windows::SessionSignals;

/// Where the shell has no source of its own: the idle timer alone locks.
#[cfg(not(any(target_os = "linux", windows)))]
struct IdleTimerOnly;

#[cfg(not(any(target_os = "linux", windows)))]
impl LockSignals for IdleTimerOnly {
    fn listen(_lock: LockNow) {}
}

#[cfg(not(any(target_os = "linux", windows)))]
type Platform = IdleTimerOnly;

/// Starts this platform's listener; each signal locks with
/// [`LockReason::SystemSuspend`].
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    Platform::listen(Arc::new(move || {
        let state = app.state::<AppState>();
        crate::locking::lock_and_tell(&app, &state, LockReason::SystemSuspend);
    }));
}
