//! Signing rules: what bytes a device signs, and how a peer checks them.
//!
//! The canonical bytes are a domain-separation prefix followed by the
//! operation serialised as JSON. serde_json writes struct fields in
//! declaration order and the payload uses only ordered maps, so the same
//! operation always gives the same bytes; a peer re-serialises what it
//! received and verifies against that, never against the raw request body.

use crate::op::{Operation, SignedOperation};
use crate::PROTOCOL_VERSION;
use ring::signature::{Ed25519KeyPair, UnparsedPublicKey, ED25519};

const DOMAIN: &[u8] = b"brygga/op/v1\0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("operation version {0} is not supported (this build knows {PROTOCOL_VERSION})")]
    UnsupportedVersion(u16),
    #[error("signature is not valid hex of 64 bytes")]
    MalformedSignature,
    #[error("signature does not match the operation and the device key")]
    BadSignature,
}

pub fn canonical_bytes(op: &Operation) -> Vec<u8> {
    let mut bytes = DOMAIN.to_vec();
    // Serialising plain data types into a Vec cannot fail.
    serde_json::to_writer(&mut bytes, op).expect("operation serialises");
    bytes
}

pub fn sign(op: Operation, key: &Ed25519KeyPair) -> SignedOperation {
    let signature = hex::encode(key.sign(&canonical_bytes(&op)).as_ref());
    SignedOperation { op, signature }
}

/// Checks `signed` against the device's raw 32-byte Ed25519 public key.
pub fn verify(signed: &SignedOperation, public_key: &[u8]) -> Result<(), VerifyError> {
    if signed.op.version != PROTOCOL_VERSION {
        return Err(VerifyError::UnsupportedVersion(signed.op.version));
    }
    let sig = hex::decode(&signed.signature).map_err(|_| VerifyError::MalformedSignature)?;
    if sig.len() != 64 {
        return Err(VerifyError::MalformedSignature);
    }
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(&canonical_bytes(&signed.op), &sig)
        .map_err(|_| VerifyError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::op::Payload;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair;
    use uuid::Uuid;

    fn keypair() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("keygen");
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("parse")
    }

    fn op() -> Operation {
        Operation {
            version: PROTOCOL_VERSION,
            id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            seq: 1,
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
            },
            author: "Fiktiv Handläggare".into(),
            payload: Payload::CaseClosed {
                case_id: Uuid::nil(),
            },
        }
    }

    #[test]
    fn a_signed_operation_verifies_with_its_device_key() {
        let key = keypair();
        let signed = sign(op(), &key);
        assert_eq!(verify(&signed, key.public_key().as_ref()), Ok(()));
    }

    #[test]
    fn any_change_to_the_operation_breaks_the_signature() {
        let key = keypair();
        let mut signed = sign(op(), &key);
        signed.op.seq = 2;
        assert_eq!(
            verify(&signed, key.public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn another_device_key_does_not_verify() {
        let signed = sign(op(), &keypair());
        assert_eq!(
            verify(&signed, keypair().public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn unknown_versions_and_garbage_signatures_are_refused() {
        let key = keypair();
        let mut signed = sign(op(), &key);
        signed.signature = "zz".into();
        assert_eq!(
            verify(&signed, key.public_key().as_ref()),
            Err(VerifyError::MalformedSignature)
        );
        let mut newer = op();
        newer.version = PROTOCOL_VERSION + 1;
        let signed = sign(newer, &key);
        assert_eq!(
            verify(&signed, key.public_key().as_ref()),
            Err(VerifyError::UnsupportedVersion(PROTOCOL_VERSION + 1))
        );
    }
}
