//! A device's audit row as it is kept on the laptop and sent to the server,
//! and the hash that chains the rows (docs/adr/0005-audit-hash-chain.md).
//!
//! The hash lives here, not in the client, because the server recomputes
//! it for every row it is sent (docs/adr/0018-audit-log-on-the-server.md):
//! both sides must agree on it to the byte, for every row ever written.

use ring::digest;
use serde::{Deserialize, Serialize};

/// The `prev_hash` of a device's first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of a device's audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// 1, 2, 3, … on each device, without gaps.
    pub seq: i64,
    /// RFC 3339 UTC with milliseconds, e.g. `2026-01-02T03:04:05.678Z`.
    pub at: String,
    pub actor: String,
    pub device_id: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub pupil_id: Option<String>,
    pub detail: String,
    /// The `hash` of the row before, [`GENESIS`] for the first.
    pub prev_hash: String,
    /// [`AuditRow::compute_hash`] of this row.
    pub hash: String,
}

impl AuditRow {
    /// SHA-256 (hex) over the canonical JSON of every field but `hash`, in
    /// a fixed order. Never change it: rows written by every earlier build
    /// must still verify.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::to_vec(&(
            self.seq,
            &self.at,
            &self.actor,
            &self.device_id,
            &self.action,
            &self.object_type,
            &self.object_id,
            &self.pupil_id,
            &self.detail,
            &self.prev_hash,
        ))
        .expect("audit row serialises");
        hex::encode(digest::digest(&digest::SHA256, &canonical))
    }

    /// Whether `hash` is what the other fields hash to.
    pub fn hash_is_valid(&self) -> bool {
        self.compute_hash() == self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row as every build since the first has hashed it (fictional).
    fn row() -> AuditRow {
        AuditRow {
            seq: 3,
            at: "2026-01-02T03:04:05.678Z".into(),
            actor: "Fiktiv Handläggare".into(),
            device_id: "00000000-0000-0000-0000-000000000001".into(),
            action: "read".into(),
            object_type: "entry".into(),
            object_id: Some("e1".into()),
            pupil_id: None,
            detail: String::new(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn the_hash_of_a_row_is_pinned() {
        assert_eq!(
            row().compute_hash(),
            "1e4277dd317a384b22536e59090308044519b978583eb1593d426389b0abfd15"
        );
    }

    #[test]
    fn any_changed_field_changes_the_hash() {
        let mut r = row();
        r.hash = r.compute_hash();
        assert!(r.hash_is_valid());
        let mut changed = r.clone();
        changed.pupil_id = Some("p1".into());
        assert!(!changed.hash_is_valid());
        let mut relinked = r;
        relinked.prev_hash = "1".repeat(64);
        assert!(!relinked.hash_is_valid());
    }
}
