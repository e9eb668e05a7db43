//! The server pin of an enrolment code (ADR 0038): the SHA-256 of the
//! server's public key (the DER of the certificate's SubjectPublicKeyInfo),
//! so that a new certificate for the same key — renewed, or signed by the
//! municipality's CA — needs no laptop enrolled again.
//!
//! Laptops enrolled before ADR 0038 hold the SHA-256 of the certificate's
//! DER instead; a certificate that matches it is still the server's, and the
//! client then keeps the key's pin in its place.

use crate::auth::sha256_hex;

/// Why a certificate gave no pin.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a readable X.509 certificate: {0}")]
pub struct UnreadableCertificate(String);

/// Lowercase hex of the SHA-256 of the certificate's SubjectPublicKeyInfo.
pub fn key_pin(cert_der: &[u8]) -> Result<String, UnreadableCertificate> {
    let der = rustls_pki_types::CertificateDer::from(cert_der);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| UnreadableCertificate(format!("{e:?}")))?;
    Ok(sha256_hex(cert.subject_public_key_info().as_ref()))
}

/// How a certificate matched a pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinMatch {
    /// The certificate carries the pinned public key.
    Key,
    /// The certificate is the one whose DER hash a laptop enrolled before
    /// ADR 0038 pinned; `key_pin` is what that laptop pins from now on.
    Certificate { key_pin: String },
}

/// Whether the certificate is the server's by `pin_hex` (a key pin, or a
/// certificate hash of an older enrolment); None when it is not.
pub fn check(pin_hex: &str, cert_der: &[u8]) -> Option<PinMatch> {
    let key = key_pin(cert_der).ok()?;
    if key == pin_hex {
        Some(PinMatch::Key)
    } else if sha256_hex(cert_der) == pin_hex {
        Some(PinMatch::Certificate { key_pin: key })
    } else {
        None
    }
}
