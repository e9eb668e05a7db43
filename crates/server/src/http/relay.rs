//! Operations a device pushes for other devices of its team. After the
//! server was restored from a backup each laptop pushes again every
//! operation it holds, so a laptop that is gone since (wiped, revoked,
//! lost) does not take its work with it. Each such operation is checked
//! against its author's key, as every laptop checks what it pulls, and a
//! revoked author's only up to its revocation.

use super::handlers::prepare;
use super::AppState;
use crate::error::Result;
use crate::store::{Device, PreparedOp};
use brygga_protocol::op::SignedOperation;
use brygga_protocol::signing;
use std::collections::hash_map::{Entry, HashMap};
use uuid::Uuid;

/// The outcome of checking one operation of a push.
pub(super) type CheckedOp = std::result::Result<PreparedOp, String>;

/// One operation of a push, checked or still to check.
pub(super) enum Checked {
    Done(CheckedOp),
    /// Another device's operation: checked by [`settle`].
    Relayed,
}

/// Checks the relayed operations of a push from `requester` against their
/// authors, looked up once per author.
pub(super) async fn settle(
    state: &AppState,
    requester: &Device,
    ops: &[SignedOperation],
    checked: Vec<Checked>,
) -> Result<Vec<CheckedOp>> {
    let mut authors: HashMap<Uuid, Option<Device>> = HashMap::new();
    let mut settled = Vec::with_capacity(checked.len());
    for (signed, c) in ops.iter().zip(checked) {
        settled.push(match c {
            Checked::Done(done) => done,
            Checked::Relayed => {
                let id = signed.op.device_id;
                let author = match authors.entry(id) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(new) => new.insert(state.store.device(id).await?),
                };
                check(requester, author.as_ref(), signed)
            }
        });
    }
    Ok(settled)
}

/// One relayed operation: its author must be of the requester's team, the
/// operation signed by the author's key and, for a revoked author, not
/// above the last seq recorded at its revocation.
fn check(requester: &Device, author: Option<&Device>, signed: &SignedOperation) -> CheckedOp {
    let op = &signed.op;
    let author = author
        .filter(|a| a.team.id == requester.team.id)
        .ok_or_else(|| format!("device {} is not of this team", op.device_id))?;
    if let Some(last) = author.last_seq_at_revocation {
        if i64::try_from(op.seq).map_or(true, |seq| seq > last) {
            return Err(format!(
                "seq {} of device {} is after its revocation (last seq {last})",
                op.seq, op.device_id
            ));
        }
    }
    prepare(signed, signing::verify(signed, &author.public_key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Team;
    use brygga_protocol::hlc::Hlc;
    use brygga_protocol::op::{Operation, Payload};
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn key() -> Ed25519KeyPair {
        let pkcs8 =
            Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("pkcs8");
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("key")
    }

    fn device(n: u128, team: i64, key: &Ed25519KeyPair) -> Device {
        Device {
            id: Uuid::from_u128(n),
            user: "fiktiv".into(),
            team: Team {
                id: team,
                name: format!("team {team}"),
            },
            public_key: key.public_key().as_ref().to_vec(),
            name: "laptop".into(),
            enrolled_at_ms: 0,
            revoked_at_ms: None,
            last_seq_at_revocation: None,
        }
    }

    fn op(author: &Device, seq: u64, key: &Ed25519KeyPair) -> SignedOperation {
        signing::sign(
            Operation {
                version: brygga_protocol::PROTOCOL_VERSION,
                id: Uuid::now_v7(),
                device_id: author.id,
                seq,
                hlc: Hlc {
                    wall_ms: 1,
                    counter: 0,
                },
                author: "Fiktiv Handläggare".into(),
                payload: Payload::PupilRegistered {
                    pupil_id: Uuid::now_v7(),
                    name: "Fiktiv Elev".into(),
                    personnummer: "201204179939".into(),
                    school: "Fiktiva skolan".into(),
                    grade: 8,
                    protected_identity: false,
                },
            },
            key,
        )
    }

    #[test]
    fn an_operation_of_a_team_mate_is_taken_when_its_author_signed_it() {
        let (k1, k2) = (key(), key());
        let requester = device(1, 7, &k1);
        let author = device(2, 7, &k2);
        let relayed = check(&requester, Some(&author), &op(&author, 3, &k2));
        assert_eq!(relayed.map(|p| (p.device_id, p.seq)), Ok((author.id, 3)));
        assert!(
            check(&requester, Some(&author), &op(&author, 3, &k1)).is_err(),
            "signed by the requester, not by its author"
        );
    }

    #[test]
    fn another_team_unknown_authors_and_seqs_after_a_revocation_are_refused() {
        let (k1, k2) = (key(), key());
        let requester = device(1, 7, &k1);
        let stranger = device(2, 8, &k2);
        assert!(check(&requester, Some(&stranger), &op(&stranger, 1, &k2)).is_err());
        assert!(check(&requester, None, &op(&stranger, 1, &k2)).is_err());
        let revoked = Device {
            revoked_at_ms: Some(5),
            last_seq_at_revocation: Some(4),
            ..device(3, 7, &k2)
        };
        assert!(check(&requester, Some(&revoked), &op(&revoked, 4, &k2)).is_ok());
        assert!(check(&requester, Some(&revoked), &op(&revoked, 5, &k2)).is_err());
    }
}
