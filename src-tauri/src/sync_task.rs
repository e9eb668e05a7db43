//! The handle of the background sync task: what the session keeps to
//! trigger a round or stop the loop ([`crate::sync_loop`] starts it).

use std::sync::Arc;
use tokio::sync::Notify;

/// The running task and its trigger.
pub struct SyncTask {
    pub(crate) trigger: Arc<Notify>,
    pub(crate) handle: tauri::async_runtime::JoinHandle<()>,
}

impl SyncTask {
    /// Asks for a round now (coalesced: several triggers make one round).
    pub fn trigger(&self) {
        self.trigger.notify_one();
    }

    pub fn stop(self) {
        self.handle.abort();
    }
}
