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
    /// Starts the write task on the current tokio runtime.
    pub fn start(store: DynStore) -> Writer {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(store, rx));
        Writer { tx }
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
