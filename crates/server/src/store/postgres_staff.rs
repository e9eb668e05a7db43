//! The PostgreSQL side of staff accounts and web sessions
//! ([`super::staff`]): the same statements as SQLite's, in PostgreSQL's
//! dialect.

use super::staff::{
    parse_roles, roles_text, LoginResult, NewStaff, Staff, StaffChange, WebSession,
};
use super::{AuditRecord, LastSync, Result, StoreError};
use deadpool_postgres::Pool;
use std::collections::HashMap;
use tokio_postgres::Row;
use uuid::Uuid;

const STAFF_COLUMNS: &str = "s.id, s.name, s.roles, s.password_hash, s.totp_secret, \
     s.created_at, s.disabled_at, s.failed_logins, s.last_failed_at, s.last_totp_step";

fn staff_row(r: &Row) -> Result<Staff> {
    Ok(Staff {
        id: r.get(0),
        name: r.get(1),
        roles: parse_roles(r.get(2))?,
        password_hash: r.get(3),
        totp_secret: r.get(4),
        created_at_ms: r.get(5),
        disabled_at_ms: r.get(6),
        failed_logins: r.get(7),
        last_failed_at_ms: r.get(8),
        last_totp_step: r.get(9),
    })
}

pub(super) async fn add(pool: &Pool, new: NewStaff, audit: AuditRecord) -> Result<Staff> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_one(
            "INSERT INTO staff (name, roles, password_hash, totp_secret, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[
                &new.name,
                &roles_text(&new.roles),
                &new.password_hash,
                &new.totp_secret,
                &audit.at_ms,
            ],
        )
        .await
        .map_err(|e| {
            if super::postgres::is_unique_violation(&e) {
                StoreError::AlreadyExists(format!("staff '{}'", new.name))
            } else {
                e.into()
            }
        })?;
    super::postgres::insert_audits(&tx, &[&audit]).await?;
    tx.commit().await?;
    Ok(new.stored(row.get(0), audit.at_ms))
}

pub(super) async fn by_name(pool: &Pool, name: &str) -> Result<Option<Staff>> {
    let client = pool.get().await?;
    client
        .query_opt(
            &format!("SELECT {STAFF_COLUMNS} FROM staff s WHERE s.name = $1"),
            &[&name],
        )
        .await?
        .as_ref()
        .map(staff_row)
        .transpose()
}

pub(super) async fn all(pool: &Pool) -> Result<Vec<Staff>> {
    let client = pool.get().await?;
    client
        .query(
            &format!("SELECT {STAFF_COLUMNS} FROM staff s ORDER BY s.name"),
            &[],
        )
        .await?
        .iter()
        .map(staff_row)
        .collect()
}

pub(super) async fn change(
    pool: &Pool,
    name: &str,
    change: StaffChange,
    audit: AuditRecord,
) -> Result<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let changed = match &change {
        StaffChange::TotpSecret(secret) => {
            tx.execute(
                "UPDATE staff SET totp_secret = $2, last_totp_step = NULL WHERE name = $1",
                &[&name, secret],
            )
            .await?
        }
        StaffChange::Password(hash) => {
            tx.execute(
                "UPDATE staff SET password_hash = $2 WHERE name = $1",
                &[&name, hash],
            )
            .await?
        }
        StaffChange::Disable => {
            tx.execute(
                "UPDATE staff SET disabled_at = coalesce(disabled_at, $2) WHERE name = $1",
                &[&name, &audit.at_ms],
            )
            .await?
        }
    };
    if changed == 0 {
        return Err(StoreError::NotFound(format!("staff '{name}'")));
    }
    tx.execute(
        "UPDATE staff_sessions SET ended_at = $2 WHERE ended_at IS NULL \
         AND staff_id = (SELECT id FROM staff WHERE name = $1)",
        &[&name, &audit.at_ms],
    )
    .await?;
    super::postgres::insert_audits(&tx, &[&audit]).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn record_login(
    pool: &Pool,
    staff_id: i64,
    result: LoginResult,
    audit: AuditRecord,
) -> Result<bool> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let recorded = match result {
        LoginResult::Failed => {
            tx.execute(
                "UPDATE staff SET failed_logins = failed_logins + 1, last_failed_at = $2 \
                 WHERE id = $1",
                &[&staff_id, &audit.at_ms],
            )
            .await?;
            true
        }
        LoginResult::Succeeded { totp_step, session } => {
            let fresh = tx
                .execute(
                    "UPDATE staff SET failed_logins = 0, last_failed_at = NULL, \
                     last_totp_step = $2 \
                     WHERE id = $1 AND (last_totp_step IS NULL OR last_totp_step < $2)",
                    &[&staff_id, &totp_step],
                )
                .await?
                == 1;
            if fresh {
                tx.execute(
                    "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, \
                     last_seen) VALUES ($1, $2, $3, $4, $4)",
                    &[
                        &session.token_hash,
                        &staff_id,
                        &session.csrf_token,
                        &audit.at_ms,
                    ],
                )
                .await?;
            }
            fresh
        }
    };
    super::postgres::insert_audits(&tx, &[&audit]).await?;
    tx.commit().await?;
    Ok(recorded)
}

pub(super) async fn session(pool: &Pool, token_hash: &str) -> Result<Option<WebSession>> {
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt(
            &format!(
                "SELECT {STAFF_COLUMNS}, w.csrf_token, w.created_at, w.last_seen, w.ended_at \
                 FROM staff_sessions w JOIN staff s ON s.id = w.staff_id \
                 WHERE w.token_hash = $1"
            ),
            &[&token_hash],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(WebSession {
        token_hash: token_hash.to_string(),
        staff: staff_row(&row)?,
        csrf_token: row.get(10),
        created_at_ms: row.get(11),
        last_seen_ms: row.get(12),
        ended_at_ms: row.get(13),
    }))
}

pub(super) async fn touch(pool: &Pool, token_hash: &str, at_ms: i64) -> Result<()> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE staff_sessions SET last_seen = greatest(last_seen, $2) WHERE token_hash = $1",
            &[&token_hash, &at_ms],
        )
        .await?;
    Ok(())
}

pub(super) async fn end(pool: &Pool, token_hash: &str, audit: AuditRecord) -> Result<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "UPDATE staff_sessions SET ended_at = coalesce(ended_at, $2) WHERE token_hash = $1",
        &[&token_hash, &audit.at_ms],
    )
    .await?;
    super::postgres::insert_audits(&tx, &[&audit]).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn devices_last_seen(pool: &Pool) -> Result<HashMap<Uuid, i64>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT actor, max(at) FROM audit WHERE actor LIKE 'device:%' GROUP BY actor",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let actor: &str = r.get(0);
            let id = Uuid::parse_str(actor.strip_prefix("device:")?).ok()?;
            Some((id, r.get::<_, i64>(1)))
        })
        .collect())
}

/// The newest `push` and `pull` audit row of each device: each found by
/// walking the actor's index (`audit_by_actor`) from its newest row.
pub(super) async fn devices_last_sync(pool: &Pool) -> Result<HashMap<Uuid, LastSync>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT d.id, \
               (SELECT at FROM audit WHERE actor = 'device:' || d.id::text AND action = 'push' ORDER BY at DESC LIMIT 1), \
               (SELECT at FROM audit WHERE actor = 'device:' || d.id::text AND action = 'pull' ORDER BY at DESC LIMIT 1) \
             FROM devices d",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let last = LastSync {
                push_ms: r.get(1),
                pull_ms: r.get(2),
            };
            (r.get::<_, Uuid>(0), last)
        })
        .filter(|(_, last)| *last != LastSync::default())
        .collect())
}
