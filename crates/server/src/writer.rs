//! Group commit: one task owns all writes of the HTTP layer and applies
//! whatever requests are waiting in one [`Store::write`] transaction, so
//! one commit (one fsync) serves many concurrent requests.
//!
//! A caller gets its answer only after the transaction committed. When the
//! transaction fails, every request in it gets the error and nothing of it
//! is stored.

use crate::store::{
    AuditRecord, DynStore, NonceRecord, PushBatch, Store, StoreError, StoredOutcome, WriteBatch,
};
use tokio::sync::{mpsc, oneshot};

/// Most requests grouped into one transaction.
const MAX_JOBS: usize = 256;
/// Most operations grouped into one transaction (a single larger push still
/// goes alone).
const MAX_OPS: usize = 4000;

enum Job {
    Nonce(NonceRecord),
    Push(PushBatch),
    Audit(AuditRecord),
}

enum Answer {
    Nonce(bool),
    Push(Vec<StoredOutcome>),
    Audit,
}

struct Request {
    job: Job,
    reply: oneshot::Sender<Result<Answer, StoreError>>,
}

/// The handle to the write task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Request>,
}

impl Writer {
    /// Starts the write task on the current tokio runtime.
    pub fn start(store: DynStore) -> Writer {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(store, rx));
        Writer { tx }
    }

    async fn send(&self, job: Job) -> Result<Answer, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Request { job, reply })
            .await
            .map_err(|_| StoreError::Database("the write task has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Database("the write task dropped a request".into()))?
    }

    /// Remembers a request nonce; false when it was seen before (a replay).
    pub async fn nonce(&self, nonce: NonceRecord) -> Result<bool, StoreError> {
        match self.send(Job::Nonce(nonce)).await? {
            Answer::Nonce(fresh) => Ok(fresh),
            _ => Err(StoreError::Database("mismatched write answer".into())),
        }
    }

    /// Stores the verified operations of one push request.
    pub async fn push(&self, batch: PushBatch) -> Result<Vec<StoredOutcome>, StoreError> {
        match self.send(Job::Push(batch)).await? {
            Answer::Push(outcomes) => Ok(outcomes),
            _ => Err(StoreError::Database("mismatched write answer".into())),
        }
    }

    /// Appends an audit row.
    pub async fn audit(&self, record: AuditRecord) -> Result<(), StoreError> {
        match self.send(Job::Audit(record)).await? {
            Answer::Audit => Ok(()),
            _ => Err(StoreError::Database("mismatched write answer".into())),
        }
    }
}

fn op_count(job: &Job) -> usize {
    match job {
        Job::Push(p) => p.ops.len(),
        _ => 1,
    }
}

async fn run(store: DynStore, mut rx: mpsc::Receiver<Request>) {
    while let Some(first) = rx.recv().await {
        let mut ops = op_count(&first.job);
        let mut requests = vec![first];
        while requests.len() < MAX_JOBS && ops < MAX_OPS {
            match rx.try_recv() {
                Ok(r) => {
                    ops += op_count(&r.job);
                    requests.push(r);
                }
                Err(_) => break,
            }
        }
        apply(store.as_ref(), requests).await;
    }
}

enum Slot {
    Nonce(usize),
    Push(usize),
    Audit,
}

async fn apply(store: &dyn Store, requests: Vec<Request>) {
    let mut batch = WriteBatch::default();
    let mut slots = Vec::with_capacity(requests.len());
    let mut replies = Vec::with_capacity(requests.len());
    for Request { job, reply } in requests {
        slots.push(match job {
            Job::Nonce(n) => {
                batch.nonces.push(n);
                Slot::Nonce(batch.nonces.len() - 1)
            }
            Job::Push(p) => {
                batch.pushes.push(p);
                Slot::Push(batch.pushes.len() - 1)
            }
            Job::Audit(a) => {
                batch.audits.push(a);
                Slot::Audit
            }
        });
        replies.push(reply);
    }
    let started = std::time::Instant::now();
    let (n_requests, n_ops) = (
        replies.len(),
        batch.pushes.iter().map(|p| p.ops.len()).sum::<usize>(),
    );
    match store.write(batch).await {
        Ok(mut result) => {
            tracing::debug!(
                requests = n_requests,
                ops = n_ops,
                elapsed_us = started.elapsed().as_micros() as u64,
                "write transaction committed"
            );
            for (slot, reply) in slots.into_iter().zip(replies) {
                let answer = match slot {
                    Slot::Nonce(i) => Answer::Nonce(result.nonces_fresh[i]),
                    Slot::Push(i) => Answer::Push(std::mem::take(&mut result.pushes[i])),
                    Slot::Audit => Answer::Audit,
                };
                // The requester may have gone away; its work is stored anyway.
                let _ = reply.send(Ok(answer));
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
