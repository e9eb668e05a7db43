//! Request authentication: the `Authed` extractor checks the signature and
//! clock of a request before any handler runs (a push handler takes a
//! [`SignedRequest`] and checks the request's signature in one batch with
//! those of its operations); the handler then *admits*
//! it ([`Authed::admit`]): the device's revocation and the nonce are
//! checked inside the one write transaction that also stores the request's
//! push or audit row.
//!
//! The hot path reads nothing from the database: the enrolled devices'
//! keys and teams (which never change) are kept in a [`DeviceCache`];
//! revocation (done by the admin CLI, in another process) is read inside
//! the write transaction, so it is exact, never stale.

use super::AppState;
use crate::error::{Error, Result};
use crate::store::{
    Admission, AuditRecord, Device, NonceRecord, PushBatch, RequestWrite, Store, StoredOutcome,
};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use brygga_protocol::auth::{check_clock, request_to_verify, AuthError, AuthHeaders};
use brygga_protocol::signing::{verify_messages, SignedMessage};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use uuid::Uuid;

/// The enrolled devices seen so far: id, key, user and team never change
/// once a device is enrolled, so an entry never goes stale. Revocation is
/// not taken from here but checked in the write transaction of each
/// request (a revoked entry only refuses early). Unknown ids are not kept.
#[derive(Default)]
pub struct DeviceCache {
    devices: RwLock<HashMap<Uuid, Arc<Device>>>,
}

impl DeviceCache {
    /// The device, from memory or else from the store.
    pub async fn get(&self, store: &dyn Store, id: Uuid) -> Result<Option<Arc<Device>>> {
        if let Some(d) = self.read().get(&id) {
            return Ok(Some(Arc::clone(d)));
        }
        let Some(device) = store.device(id).await? else {
            return Ok(None);
        };
        let device = Arc::new(device);
        self.write().insert(id, Arc::clone(&device));
        Ok(Some(device))
    }

    /// Forgets a device (it was found revoked: the next lookup reads it
    /// again, with its revocation time, and refuses it early).
    pub fn forget(&self, id: Uuid) {
        self.write().remove(&id);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Uuid, Arc<Device>>> {
        self.devices.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Uuid, Arc<Device>>> {
        self.devices.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A request with a valid signature of an enrolled device, not yet
/// admitted: every handler must call [`Authed::admit`] before it answers
/// with anything but an error.
pub struct Authed {
    pub device: Arc<Device>,
    pub body: Bytes,
    nonce: NonceRecord,
}

impl Authed {
    /// Admits the request and stores `push` and `audit` with it, in one
    /// write transaction: `DeviceRevoked` when the device is revoked,
    /// `Replayed` when the nonce was seen before (then nothing is stored);
    /// else the outcome of each operation of `push`.
    pub async fn admit(
        &self,
        state: &AppState,
        push: Option<PushBatch>,
        audit: Option<AuditRecord>,
    ) -> Result<Vec<StoredOutcome>> {
        let admission = state
            .writer
            .request(RequestWrite {
                nonce: self.nonce.clone(),
                push,
                audit,
            })
            .await?;
        match admission {
            Admission::Admitted(outcomes) => Ok(outcomes),
            Admission::Replayed => Err(Error::Replayed),
            Admission::Revoked => {
                state.devices.forget(self.device.id);
                Err(Error::DeviceRevoked)
            }
            Admission::UnknownDevice => Err(Error::UnknownDevice(self.device.id)),
        }
    }

    /// For a request that fails with `error` before it could be admitted:
    /// the nonce is still checked and remembered (and the device's
    /// revocation), so a refusal comes first, as for any request.
    pub async fn refuse(&self, state: &AppState, error: Error) -> Error {
        match self.admit(state, None, None).await {
            Ok(_) => error,
            Err(refused) => refused,
        }
    }
}

/// A request from an enrolled device whose signature is not checked yet:
/// [`SignedRequest::verify`] makes it an [`Authed`], checking its signature
/// in one batch with those of what it carries (a push's operations).
pub struct SignedRequest {
    pub device: Arc<Device>,
    pub body: Bytes,
    headers: AuthHeaders,
    message: SignedMessage,
}

impl SignedRequest {
    /// Checks the request's signature and `more` messages signed with the
    /// same device key, in one batch verification: the authenticated
    /// request, and for each of `more` whether it verified. Refuses a bad
    /// request signature, a request outside the allowed clock skew and a
    /// device known to be revoked.
    pub fn verify(self, state: &AppState, more: Vec<SignedMessage>) -> Result<(Authed, Vec<bool>)> {
        let mut messages = Vec::with_capacity(1 + more.len());
        messages.push(self.message);
        messages.extend(more);
        let mut verified = verify_messages(&self.device.public_key, &messages);
        if !verified.remove(0) {
            return Err(AuthError::BadSignature.into());
        }
        let now = crate::clock::now_ms();
        check_clock(self.headers.time_ms, now, state.max_skew_ms)?;
        // Only the device itself learns that it was revoked. (A revocation
        // this process has not seen yet is caught by `admit`.)
        if self.device.revoked_at_ms.is_some() {
            return Err(Error::DeviceRevoked);
        }
        let nonce = NonceRecord {
            device_id: self.device.id,
            nonce: self.headers.nonce,
            expires_at_ms: self.headers.time_ms.max(now) + state.max_skew_ms,
        };
        let authed = Authed {
            device: self.device,
            body: self.body,
            nonce,
        };
        Ok((authed, verified))
    }
}

impl FromRequest<AppState> for SignedRequest {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let method = req.method().as_str().to_string();
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| req.uri().path().to_string());
        let headers = {
            let h = req.headers();
            AuthHeaders::from_lookup(|name| h.get(name).and_then(|v| v.to_str().ok()))?
        };
        // The claimed id, for the request log line (checked by `verify`).
        tracing::Span::current().record("device", tracing::field::display(headers.device_id));
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::TooLarge(format!("request body: {e}")))?;

        let device = state
            .devices
            .get(state.store.as_ref(), headers.device_id)
            .await?
            .ok_or(Error::UnknownDevice(headers.device_id))?;
        let message = request_to_verify(&headers, &method, &path_and_query, &body)?;
        Ok(SignedRequest {
            device,
            body,
            headers,
            message,
        })
    }
}

impl FromRequest<AppState> for Authed {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let signed = SignedRequest::from_request(req, state).await?;
        Ok(signed.verify(state, Vec::new())?.0)
    }
}
