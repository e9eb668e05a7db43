//! Request authentication: the `Authed` extractor checks the signature,
//! clock, revocation and nonce of a request before any handler runs.

use super::AppState;
use crate::error::Error;
use crate::store::{Device, NonceRecord};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use brygga_protocol::auth::{verify_request, AuthHeaders};

/// An authenticated request: the active device that sent it and the body.
pub struct Authed {
    pub device: Device,
    pub body: Bytes,
}

impl FromRequest<AppState> for Authed {
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
        // The claimed id, for the request log line (checked below).
        tracing::Span::current().record("device", tracing::field::display(headers.device_id));
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::TooLarge(format!("request body: {e}")))?;

        let device = state
            .store
            .device(headers.device_id)
            .await?
            .ok_or(Error::UnknownDevice(headers.device_id))?;
        let now = crate::clock::now_ms();
        verify_request(
            &headers,
            &device.public_key,
            &method,
            &path_and_query,
            &body,
            now,
            state.max_skew_ms,
        )?;
        // Only the device itself learns that it was revoked.
        if device.revoked_at_ms.is_some() {
            return Err(Error::DeviceRevoked);
        }
        let fresh = state
            .writer
            .nonce(NonceRecord {
                device_id: device.id,
                nonce: headers.nonce.clone(),
                expires_at_ms: headers.time_ms.max(now) + state.max_skew_ms,
            })
            .await?;
        if !fresh {
            return Err(Error::Replayed);
        }
        Ok(Authed { device, body })
    }
}
