//! The disclosure register, replayed (docs/disclosures.md): each line
//! written once. Whether a consent was active is the writer's check when
//! the information was shared; the replay records what was shared and on
//! which ground, as it happened.

use super::{ensure_exists, op_time};
use crate::store;
use brygga_protocol::op::{DisclosureGround, Operation, Payload};
use rusqlite::{params, Connection};

pub(super) fn apply(conn: &Connection, op: &Operation) -> crate::error::Result<()> {
    let Payload::DisclosureRecorded {
        disclosure_id,
        case_id,
        recipient,
        what,
        ground,
        disclosed_on,
    } = &op.payload
    else {
        return Ok(());
    };
    ensure_exists(conn, "cases", "case", case_id)?;
    let (consent, named) = match ground {
        DisclosureGround::Consent { consent_id } => {
            ensure_exists(conn, "consents", "consent", consent_id)?;
            (Some(consent_id.to_string()), None)
        }
        DisclosureGround::Other { ground } => (None, Some(ground)),
    };
    store::exec(
        conn,
        "INSERT INTO disclosures (id, case_id, recipient, what, consent_id, ground, disclosed_on,
                                  recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            disclosure_id.to_string(),
            case_id.to_string(),
            recipient,
            what,
            consent,
            named,
            disclosed_on.to_string(),
            op_time(op.hlc),
            op.author
        ],
    )?;
    Ok(())
}
