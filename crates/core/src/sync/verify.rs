//! Whose signature an operation carries, and whether it holds.
//!
//! The server hands out its team's device directory; this device pins a
//! device's public key the first time it sees it (`device_keys`), and a
//! later, different key for the same device id is refused: operations
//! signed with it fail their check. At revocation the server records the
//! device's last accepted seq; operations above it are refused here too (a
//! device's clock is only its own claim, its seq is what the server saw).

use crate::error::{Error, Result};
use crate::store;
use brygga_protocol::api::DirectoryEntry;
use brygga_protocol::op::SignedOperation;
use brygga_protocol::signing::{self, SignedMessage};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A pinned device key.
#[derive(Clone, Debug)]
pub(crate) struct Pinned {
    pub public_key: Vec<u8>,
    pub last_seq: Option<u64>,
}

/// Why a pulled operation is refused: a stable code and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub params: serde_json::Value,
    /// English, for logs and the CLI.
    pub reason: String,
}

impl Refusal {
    /// Codes whose cause can go away: a device this one has no key for
    /// yet (the next directory brings it), an operation of a newer build.
    pub(crate) fn retryable(code: &str) -> bool {
        matches!(code, "unknown-device" | "newer-format")
    }

    pub(crate) fn unknown_device(device: Uuid) -> Refusal {
        Refusal {
            code: "unknown-device",
            params: json!({ "device": device }),
            reason: format!("no key is known for device {device} yet"),
        }
    }

    fn bad_signature(device: Uuid) -> Refusal {
        Refusal {
            code: "bad-signature",
            params: json!({ "device": device }),
            reason: format!("the signature does not match device {device}"),
        }
    }

    fn after_revocation(device: Uuid, seq: u64, last: u64) -> Refusal {
        Refusal {
            code: "after-revocation",
            params: json!({ "device": device, "seq": seq, "last_seq": last }),
            reason: format!(
                "device {device} was revoked after its operation {last}; this is operation {seq}"
            ),
        }
    }

    pub(crate) fn newer_format(what: &str) -> Refusal {
        Refusal {
            code: "newer-format",
            params: json!({ "what": what }),
            reason: format!("written by a newer Brygga ({what}); kept until this one is updated"),
        }
    }
}

/// Pins the keys of the directory's devices this one has not seen yet,
/// and records revocations. A known device with another key keeps its
/// pinned key; the ids of such devices are returned.
pub(crate) fn pin_directory(
    conn: &Connection,
    own: Uuid,
    directory: &[DirectoryEntry],
    now: &str,
) -> Result<Vec<Uuid>> {
    let mut changed = Vec::new();
    for d in directory.iter().filter(|d| d.device_id != own) {
        let Some(key) = hex::decode(&d.public_key_hex)
            .ok()
            .filter(|k| k.len() == 32)
        else {
            changed.push(d.device_id);
            continue;
        };
        let pinned: Option<Vec<u8>> = store::row(
            conn,
            "SELECT public_key FROM device_keys WHERE device_id = ?1",
            [d.device_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
        match pinned {
            Some(p) if p != key => changed.push(d.device_id),
            _ => {}
        }
        // First sight pins; a revocation, once seen, is never undone.
        store::exec(conn,
            "INSERT INTO device_keys (device_id, public_key, user, pinned_at, revoked_at_ms, last_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (device_id) DO UPDATE SET
               revoked_at_ms = COALESCE(device_keys.revoked_at_ms, excluded.revoked_at_ms),
               last_seq = COALESCE(device_keys.last_seq, excluded.last_seq)",
            params![
                d.device_id.to_string(),
                key,
                d.user,
                now,
                d.revoked_at_ms,
                d.last_seq.map(|s| s as i64)
            ],
        )?;
    }
    Ok(changed)
}

/// The keys operations are checked against: this device's own and every
/// pinned one, read once, so that checking needs no journal (a pull
/// checks a page while the last one is logged).
#[derive(Clone, Debug)]
pub(crate) struct Keys {
    own: Uuid,
    pinned: HashMap<Uuid, Pinned>,
}

impl Keys {
    pub(crate) fn read(conn: &Connection, own: (Uuid, &[u8])) -> Result<Keys> {
        let mut pinned: HashMap<Uuid, Pinned> = conn
            .prepare_cached("SELECT device_id, public_key, last_seq FROM device_keys")?
            .query_map([], |r| {
                let id: String = r.get(0)?;
                Ok((
                    id,
                    Pinned {
                        public_key: r.get(1)?,
                        last_seq: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                    },
                ))
            })?
            .filter_map(|row| match row {
                Ok((id, key)) => Uuid::parse_str(&id).ok().map(|id| Ok((id, key))),
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?;
        pinned.insert(
            own.0,
            Pinned {
                public_key: own.1.to_vec(),
                last_seq: None,
            },
        );
        Ok(Keys { own: own.0, pinned })
    }

    pub(crate) fn own(&self) -> Uuid {
        self.own
    }
}

/// Checks each operation against its device's pinned key (all of one
/// device in one batch): None where it holds, else why not.
pub(crate) fn check(keys: &Keys, ops: &[&SignedOperation]) -> Vec<Option<Refusal>> {
    let mut verdicts: Vec<Option<Refusal>> = vec![None; ops.len()];
    let mut by_device: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (i, s) in ops.iter().enumerate() {
        by_device.entry(s.op.device_id).or_default().push(i);
    }
    for (device, indexes) in by_device {
        let Some(key) = keys.pinned.get(&device) else {
            for i in indexes {
                verdicts[i] = Some(Refusal::unknown_device(device));
            }
            continue;
        };
        let mut checked: Vec<usize> = Vec::with_capacity(indexes.len());
        let mut messages: Vec<SignedMessage> = Vec::with_capacity(indexes.len());
        for i in indexes {
            let s = ops[i];
            if let Some(last) = key.last_seq.filter(|last| s.op.seq > *last) {
                verdicts[i] = Some(Refusal::after_revocation(device, s.op.seq, last));
                continue;
            }
            match signing::signed_message(s) {
                Ok(m) => {
                    checked.push(i);
                    messages.push(m);
                }
                Err(_) => verdicts[i] = Some(Refusal::bad_signature(device)),
            }
        }
        let ok = signing::verify_messages(&key.public_key, &messages);
        for (i, ok) in checked.into_iter().zip(ok) {
            if !ok {
                verdicts[i] = Some(Refusal::bad_signature(device));
            }
        }
    }
    verdicts
}

/// Every operation in the log verifies with its author's pinned key (the
/// replay check, and `brygga audit verify`).
pub(crate) fn verify_logged(
    conn: &Connection,
    own: Uuid,
    own_key: &[u8],
    ops: &[SignedOperation],
) -> Result<()> {
    let refs: Vec<&SignedOperation> = ops.iter().collect();
    let verdicts = check(&Keys::read(conn, (own, own_key))?, &refs);
    match ops
        .iter()
        .zip(verdicts)
        .find_map(|(s, v)| v.map(|v| (s, v)))
    {
        None => Ok(()),
        Some((s, v)) => Err(Error::Damaged(format!(
            "operation {} fails its check: {}",
            s.op.id, v.reason
        ))),
    }
}
