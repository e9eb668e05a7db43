//! Notices: what the server itself says to the devices, signed by the
//! server's own Ed25519 key.
//!
//! A device writes operations; the server writes only notices (a case
//! purged, the municipality's retention settings, ladder steps, absence
//! thresholds and programme templates). A device pins the
//! server's public key at enrolment ([`crate::api::EnrollResponse`]) and
//! refuses a notice that does not verify against it, exactly as it refuses
//! an operation that does not verify against its author device's key. So
//! a server that is not the one the device enrolled with, or someone who
//! can write to the server's database but does not hold its key file,
//! cannot make a laptop remove a case.

use crate::programme::Template;
use crate::settings::LadderStep;
use crate::signing::{domain_bytes, sign_hex, signature_from_hex, verifying_key, VerifyError};
use crate::PROTOCOL_VERSION;
use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Domain separation: a notice's bytes can never be taken for an
/// operation's, nor the other way round.
const DOMAIN: &[u8] = b"brygga/notice/v1\0";

/// The type name of [`NoticeBody::LadderSteps`].
pub const LADDER_STEPS: &str = "ladder-steps";
/// The type name of [`NoticeBody::AbsenceThresholds`].
pub const ABSENCE_THRESHOLDS: &str = "absence-thresholds";
/// The type name of [`NoticeBody::ProgrammeTemplate`].
pub const PROGRAMME_TEMPLATE: &str = "programme-template";

/// One thing the server says, before signing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub version: u16,
    /// UUIDv7: a device applies a notice once, by this id.
    pub id: Uuid,
    /// When the server issued it, unix milliseconds (the server's clock).
    pub issued_at_ms: i64,
    /// The team it is for; None for every team of the server.
    pub team: Option<String>,
    pub body: NoticeBody,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum NoticeBody {
    /// The case's retention time has run out and the server removed its
    /// operations: every device removes the case too, and the server
    /// refuses any operation of it from now on.
    CasePurged { case_id: Uuid },
    /// The municipality's retention settings that devices act on.
    RetentionSettings {
        /// How many days after its last operation a closed case leaves a
        /// laptop (once the server holds all of its operations).
        case_leaves_laptop_after_days: u32,
    },
    /// The municipality's steps of the return ladder, in order: from now
    /// on the only steps a laptop records (docs/settings.md).
    LadderSteps { steps: Vec<LadderStep> },
    /// The municipality's absence thresholds, three ascending percentages
    /// of the scheduled time that warn.
    AbsenceThresholds { warning_pcts: [u8; 3] },
    /// One of the municipality's programme templates: from now on the
    /// template of its key that a case starts with (docs/programmes.md).
    /// The newest notice of a key replaces the ones before it and a
    /// built-in template of that key; a case that started keeps its copy.
    ProgrammeTemplate { template: Template },
}

impl NoticeBody {
    /// The stable name of the body type, as serialised in `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            NoticeBody::CasePurged { .. } => "case-purged",
            NoticeBody::RetentionSettings { .. } => "retention-settings",
            NoticeBody::LadderSteps { .. } => LADDER_STEPS,
            NoticeBody::AbsenceThresholds { .. } => ABSENCE_THRESHOLDS,
            NoticeBody::ProgrammeTemplate { .. } => PROGRAMME_TEMPLATE,
        }
    }
}

/// A notice with the server's signature over its canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedNotice {
    pub notice: Notice,
    /// Hex-encoded 64-byte Ed25519 signature.
    pub signature: String,
}

/// The bytes the server signs: a domain prefix and the notice as JSON
/// (fields in declaration order, so always the same bytes).
pub fn canonical_bytes(notice: &Notice) -> Vec<u8> {
    domain_bytes(DOMAIN, notice)
}

pub fn sign(notice: Notice, key: &Ed25519KeyPair) -> SignedNotice {
    let signature = sign_hex(&canonical_bytes(&notice), key);
    SignedNotice { notice, signature }
}

/// Checks a notice against the server's raw 32-byte public key.
pub fn verify(signed: &SignedNotice, server_key: &[u8]) -> Result<(), VerifyError> {
    if signed.notice.version != PROTOCOL_VERSION {
        return Err(VerifyError::UnsupportedVersion(signed.notice.version));
    }
    let signature = signature_from_hex(&signed.signature).ok_or(VerifyError::MalformedSignature)?;
    let key = verifying_key(server_key).ok_or(VerifyError::BadSignature)?;
    key.verify(&signature, &canonical_bytes(&signed.notice))
        .map_err(|_| VerifyError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::op::{Operation, Payload};
    use crate::signing::tests::keypair;
    use ring::signature::KeyPair;

    fn purge() -> Notice {
        Notice {
            version: PROTOCOL_VERSION,
            id: Uuid::now_v7(),
            issued_at_ms: 1,
            team: Some("Team Norr".into()),
            body: NoticeBody::CasePurged {
                case_id: Uuid::from_u128(7),
            },
        }
    }

    #[test]
    fn a_notice_verifies_with_the_server_key_only() {
        let server = keypair();
        let signed = sign(purge(), &server);
        assert_eq!(verify(&signed, server.public_key().as_ref()), Ok(()));
        assert_eq!(
            verify(&signed, keypair().public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let server = keypair();
        let mut signed = sign(purge(), &server);
        signed.notice.body = NoticeBody::CasePurged {
            case_id: Uuid::from_u128(8),
        };
        assert_eq!(
            verify(&signed, server.public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
        let mut other_team = sign(purge(), &server);
        other_team.notice.team = None;
        assert_eq!(
            verify(&other_team, server.public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn an_operation_signature_is_no_notice_signature() {
        // The same key signing an operation gives bytes under another
        // domain: they never verify as a notice.
        let key = keypair();
        let op = crate::signing::sign(
            Operation {
                version: PROTOCOL_VERSION,
                id: Uuid::now_v7(),
                device_id: Uuid::now_v7(),
                seq: 1,
                hlc: Hlc {
                    wall_ms: 1,
                    counter: 0,
                },
                author: "x".into(),
                payload: Payload::CaseClosed {
                    case_id: Uuid::from_u128(7),
                },
            },
            &key,
        );
        let forged = SignedNotice {
            notice: purge(),
            signature: op.signature,
        };
        assert_eq!(
            verify(&forged, key.public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn a_body_serialises_with_its_type_name() {
        let body = NoticeBody::RetentionSettings {
            case_leaves_laptop_after_days: 30,
        };
        let v = serde_json::to_value(&body).expect("serialise");
        assert_eq!(v["type"], body.type_name());
        assert_eq!(v["case_leaves_laptop_after_days"], 30);
        let settings = [
            NoticeBody::LadderSteps {
                steps: crate::settings::default_ladder_steps(),
            },
            NoticeBody::AbsenceThresholds {
                warning_pcts: [5, 10, 15],
            },
            NoticeBody::ProgrammeTemplate {
                template: crate::programme::back2school(),
            },
        ];
        for body in settings {
            let v = serde_json::to_value(&body).expect("serialise");
            assert_eq!(v["type"], body.type_name());
            assert_eq!(serde_json::from_value::<NoticeBody>(v).ok(), Some(body));
        }
    }

    #[test]
    fn a_template_notice_round_trips_signed_and_names_its_template() {
        let server = keypair();
        let mut template = crate::programme::back2school();
        template.key = "egen-modell".into();
        let notice = Notice {
            team: None,
            body: NoticeBody::ProgrammeTemplate {
                template: template.clone(),
            },
            ..purge()
        };
        let signed = sign(notice, &server);
        let json = serde_json::to_string(&signed).expect("serialise");
        let back: SignedNotice = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, signed);
        assert_eq!(verify(&back, server.public_key().as_ref()), Ok(()));
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["notice"]["body"]["type"], PROGRAMME_TEMPLATE);
        assert_eq!(v["notice"]["body"]["template"]["key"], "egen-modell");

        // A session slipped into the template after signing is caught.
        let mut altered = back;
        if let NoticeBody::ProgrammeTemplate { template } = &mut altered.notice.body {
            template.sessions[3].title = "Något annat".into();
        }
        assert_eq!(
            verify(&altered, server.public_key().as_ref()),
            Err(VerifyError::BadSignature)
        );
    }
}
