//! Locking the journal and telling the window why: from the lock button,
//! the idle timer, the system's suspend or screen lock, and a revoked
//! device's wipe.

use crate::state::{AppState, LockReason};
use tauri::{AppHandle, Emitter, Runtime};

/// The event the UI listens to: the journal was locked (payload: why).
pub const LOCKED_EVENT: &str = "brygga://locked";

/// Locks and tells the window why.
pub fn lock_and_tell<R: Runtime>(app: &AppHandle<R>, state: &AppState, reason: LockReason) {
    if state.lock(reason) || reason == LockReason::User {
        // If the event cannot be sent the window is gone; nothing to clear.
        let _ = app.emit(LOCKED_EVENT, reason);
    }
}
