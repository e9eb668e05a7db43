//! Signing rules: what bytes a device signs, and how a peer checks them.
//!
//! The canonical bytes are a domain-separation prefix followed by the
//! operation serialised as JSON. serde_json writes struct fields in
//! declaration order and the payload uses only ordered maps, so the same
//! operation always gives the same bytes; a peer re-serialises what it
//! received and verifies against that, never against the raw request body.

use crate::op::{Operation, SignedOperation};
use crate::PROTOCOL_VERSION;
pub use ed25519_zebra::Signature;
use ed25519_zebra::{batch, VerificationKey, VerificationKeyBytes};
use ring::signature::Ed25519KeyPair;

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
    domain_bytes(DOMAIN, op)
}

/// A domain prefix and `value` as JSON: what is signed, for operations
/// and for the server's notices alike.
pub(crate) fn domain_bytes<T: serde::Serialize>(domain: &[u8], value: &T) -> Vec<u8> {
    let mut bytes = domain.to_vec();
    // Serialising plain data types into a Vec cannot fail.
    serde_json::to_writer(&mut bytes, value).expect("plain data serialises");
    bytes
}

/// The hex Ed25519 signature of `message`.
pub(crate) fn sign_hex(message: &[u8], key: &Ed25519KeyPair) -> String {
    hex::encode(key.sign(message).as_ref())
}

pub fn sign(op: Operation, key: &Ed25519KeyPair) -> SignedOperation {
    let signature = sign_hex(&canonical_bytes(&op), key);
    SignedOperation { op, signature }
}

/// Checks `signed` against the device's raw 32-byte Ed25519 public key.
pub fn verify(signed: &SignedOperation, public_key: &[u8]) -> Result<(), VerifyError> {
    let key = verifying_key(public_key).ok_or(VerifyError::BadSignature)?;
    let m = signed_message(signed)?;
    key.verify(&m.signature, &m.message)
        .map_err(|_| VerifyError::BadSignature)
}

/// A message and the signature a device made over it, parsed, not yet
/// checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMessage {
    pub message: Vec<u8>,
    pub signature: Signature,
}

/// Checks each of `messages` against one device's key: true where the
/// signature matches. All are checked in one batch verification, a third
/// of the CPU of checking them one by one (ADR 0009); only when the batch
/// fails is each checked alone, to tell which. Batch and single checks
/// follow the same rules (ZIP 215), so they never disagree.
pub fn verify_messages(public_key: &[u8], messages: &[SignedMessage]) -> Vec<bool> {
    let Some(key) = verifying_key(public_key) else {
        return vec![false; messages.len()];
    };
    let mut batch = batch::Verifier::new();
    for m in messages {
        batch.queue((VerificationKeyBytes::from(key), m.signature, &m.message));
    }
    if batch.verify(rand::thread_rng()).is_ok() {
        return vec![true; messages.len()];
    }
    messages
        .iter()
        .map(|m| key.verify(&m.signature, &m.message).is_ok())
        .collect()
}

/// An operation as a message to check: its canonical bytes and signature.
pub fn signed_message(signed: &SignedOperation) -> Result<SignedMessage, VerifyError> {
    if signed.op.version != PROTOCOL_VERSION {
        return Err(VerifyError::UnsupportedVersion(signed.op.version));
    }
    let signature = signature_from_hex(&signed.signature).ok_or(VerifyError::MalformedSignature)?;
    Ok(SignedMessage {
        message: canonical_bytes(&signed.op),
        signature,
    })
}

/// A raw 32-byte public key as a point on the curve; None when it is not
/// one.
pub(crate) fn verifying_key(public_key: &[u8]) -> Option<VerificationKey> {
    let bytes: [u8; 32] = public_key.try_into().ok()?;
    VerificationKey::try_from(bytes).ok()
}

/// A signature from its hex form; None unless it is 64 bytes.
pub fn signature_from_hex(hex_signature: &str) -> Option<Signature> {
    let bytes: [u8; 64] = hex::decode(hex_signature).ok()?.try_into().ok()?;
    Some(Signature::from_bytes(&bytes))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::op::Payload;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair;
    use uuid::Uuid;

    pub(crate) fn keypair() -> Ed25519KeyPair {
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

    #[test]
    fn a_batch_names_exactly_the_messages_that_do_not_verify() {
        let key = keypair();
        let mut ops: Vec<SignedOperation> = (0..6).map(|_| sign(op(), &key)).collect();
        ops[1].op.seq = 99;
        ops[4].signature = "00".into();
        assert_eq!(
            signed_message(&ops[4]),
            Err(VerifyError::MalformedSignature)
        );
        ops.remove(4);
        let messages: Vec<SignedMessage> = ops
            .iter()
            .map(|o| signed_message(o).expect("well-formed"))
            .collect();
        let pk = key.public_key().as_ref();
        assert_eq!(
            verify_messages(pk, &messages),
            vec![true, false, true, true, true]
        );
        messages.iter().zip(&ops).for_each(|(m, o)| {
            assert_eq!(
                verify_messages(pk, std::slice::from_ref(m))[0],
                verify(o, pk).is_ok()
            );
        });
        assert_eq!(
            verify_messages(keypair().public_key().as_ref(), &messages),
            vec![false; 5]
        );
        assert_eq!(verify_messages(pk, &[]), Vec::<bool>::new());
    }
}
