//! The one error type of the server, and its mapping to HTTP answers
//! (`{code, message}`, see `brygga_protocol::api::codes`).

use crate::store::StoreError;
use crate::tls::TlsError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use brygga_protocol::api::{codes, ErrorBody};
use brygga_protocol::auth::AuthError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("device {0} is not enrolled on this server")]
    UnknownDevice(uuid::Uuid),
    #[error("this device was revoked; wipe the local journal")]
    DeviceRevoked,
    #[error("this request was seen before (replayed nonce)")]
    Replayed,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("no such route")]
    NotFound,
    #[error("no case {0} in this team")]
    NoSuchCase(uuid::Uuid),
    #[error("case {0} was purged")]
    CasePurged(uuid::Uuid),
    #[error("{0}")]
    Usage(String),
    /// An admin command's input breaks a rule: nothing was written (exit
    /// code 2).
    #[error("{0}")]
    Invalid(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// HTTP status and `code` of the answer for this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Error::Store(StoreError::InvalidCode(_)) => (S::UNAUTHORIZED, codes::INVALID_CODE),
            Error::Store(StoreError::AlreadyExists(_)) => (S::CONFLICT, codes::DEVICE_EXISTS),
            Error::Store(_) | Error::Tls(_) | Error::Io { .. } | Error::Usage(_) => {
                (S::INTERNAL_SERVER_ERROR, codes::INTERNAL)
            }
            Error::Auth(e) => (S::UNAUTHORIZED, e.code()),
            Error::UnknownDevice(_) => (S::UNAUTHORIZED, codes::UNKNOWN_DEVICE),
            Error::DeviceRevoked => (S::FORBIDDEN, codes::DEVICE_REVOKED),
            Error::Replayed => (S::UNAUTHORIZED, codes::REPLAYED_REQUEST),
            Error::BadRequest(_) | Error::Invalid(_) => (S::BAD_REQUEST, codes::BAD_REQUEST),
            Error::TooLarge(_) => (S::PAYLOAD_TOO_LARGE, codes::BATCH_TOO_LARGE),
            Error::NotFound | Error::NoSuchCase(_) => (S::NOT_FOUND, codes::NOT_FOUND),
            Error::CasePurged(_) => (S::GONE, codes::CASE_PURGED),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The detail goes to the log, not to the client.
            tracing::error!(error = %self, "internal error");
            "internal server error; try again later".to_string()
        } else {
            self.to_string()
        };
        (
            status,
            Json(ErrorBody {
                code: code.to_string(),
                message,
            }),
        )
            .into_response()
    }
}
