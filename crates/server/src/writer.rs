//! Group commit: one task owns all writes of the HTTP layer and applies
//! whatever requests are waiting in one [`Store::write`] transaction, so
//! one commit (one fsync) serves many concurrent requests.
//!
//! Each authenticated request is one job ([`RequestWrite`]: its nonce and
//! its push or audit row), admitted or refused inside that same
//! transaction: a request costs one commit, and a refused one (replayed
//! nonce, revoked device) stores nothing.
//!
//! A caller gets its answer only after the transaction committed. When the
//! transaction fails, every request in it gets the error and nothing of it
//! is stored.
//!
//! The task runs on a thread and runtime of its own, not among the request
//! handlers. A group transaction waits on the database several times (with
//! PostgreSQL, each round trip wakes the write task and the connection's
//! task); on the handlers' runtime each wake-up queued behind the requests
//! whose signatures were being checked, so under 200 devices pushing at
//! once a group of one request took 20 ms and everyone else waited behind
//! it. On its own thread the operating system schedules the writer beside
//! the handlers instead (ADR 0041).

use crate::store::{Admission, DynStore, RequestWrite, Store, StoreError, WriteBatch};
use tokio::sync::{mpsc, oneshot};

/// Most requests grouped into one transaction.
const MAX_JOBS: usize = 256;
/// Most operations grouped into one transaction (a single larger push still
/// goes alone).
const MAX_OPS: usize = 4000;

struct Job {
    write: RequestWrite,
    reply: oneshot::Sender<Result<Admission, StoreError>>,
}

/// The handle to the write task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the write task on a thread of its own, with a runtime of its
    /// own; the thread ends when the last handle is dropped.
    pub fn start(store: DynStore) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel(1024);
        // The runtime is made on the thread, and dropped there: a runtime
        // may not be dropped on the caller's, which is async.
        let (started, ready) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("brygga-writer".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => {
                        let _ = started.send(Ok(()));
                        runtime.block_on(run(store, rx));
                    }
                    Err(e) => {
                        let _ = started.send(Err(e));
                    }
                }
            })?;
        ready
            .recv()
            .map_err(|_| std::io::Error::other("the write thread ended before it started"))??;
        Ok(Writer { tx })
    }

    /// Admits one authenticated request and stores what it carries, in the
    /// next group transaction; answers once that transaction committed.
    pub async fn request(&self, write: RequestWrite) -> Result<Admission, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { write, reply })
            .await
            .map_err(|_| StoreError::Database("the write task has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Database("the write task dropped a request".into()))?
    }
}

fn op_count(job: &Job) -> usize {
    job.write.push.as_ref().map_or(1, |p| p.ops.len().max(1))
}

async fn run(store: DynStore, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut ops = op_count(&first);
        let mut jobs = vec![first];
        while jobs.len() < MAX_JOBS && ops < MAX_OPS {
            match rx.try_recv() {
                Ok(job) => {
                    ops += op_count(&job);
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        apply(store.as_ref(), jobs).await;
    }
}

async fn apply(store: &dyn Store, jobs: Vec<Job>) {
    let mut batch = WriteBatch::default();
    let mut replies = Vec::with_capacity(jobs.len());
    for Job { write, reply } in jobs {
        batch.requests.push(write);
        replies.push(reply);
    }
    let started = std::time::Instant::now();
    let (n_requests, n_ops) = (
        replies.len(),
        batch
            .requests
            .iter()
            .filter_map(|r| r.push.as_ref())
            .map(|p| p.ops.len())
            .sum::<usize>(),
    );
    match store.write(batch).await {
        Ok(result) => {
            tracing::debug!(
                requests = n_requests,
                ops = n_ops,
                elapsed_us = started.elapsed().as_micros() as u64,
                "write transaction committed"
            );
            debug_assert_eq!(result.requests.len(), replies.len());
            for (admission, reply) in result.requests.into_iter().zip(replies) {
                // The requester may have gone away; its work is stored anyway.
                let _ = reply.send(Ok(admission));
            }
        }
        Err(e) => {
            tracing::error!(requests = n_requests, ops = n_ops, error = %e, "write transaction failed");
            for reply in replies {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::NonceRecord;
    use std::sync::Arc;

    /// The write task does not run on the runtime that started it: a
    /// request is answered while that runtime is stalled (here: not driven
    /// at all, as when every handler thread is busy checking signatures).
    #[test]
    fn a_request_is_answered_while_the_starting_runtime_is_stalled() {
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let handlers = runtime();
        let writer = handlers.block_on(async {
            let store = SqliteStore::open(&dir.path().join("server.db"))
                .await
                .expect("open store");
            Writer::start(Arc::new(store)).expect("start writer")
        });
        // `handlers` is not driven from here on.
        let (answered, answer) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let write = RequestWrite {
                nonce: NonceRecord {
                    device_id: uuid::Uuid::now_v7(),
                    nonce: "n1".into(),
                    expires_at_ms: i64::MAX,
                },
                push: None,
                audit: None,
            };
            let _ = answered.send(runtime().block_on(writer.request(write)));
        });
        // A deadline only so that a write task stuck on the stalled runtime
        // fails the test instead of hanging it.
        let answer = answer
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("no answer while the starting runtime was stalled");
        assert_eq!(answer, Ok(Admission::UnknownDevice));
        drop(handlers);
    }
}
