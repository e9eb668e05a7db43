//! The admin actions behind the CLI; each leaves an audit row.

use crate::admin_log::{AdminAction, AdminLog};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::review::{ReviewRow, Users};
use crate::store::plan::Revocation;
use crate::store::{
    AuditCursor, AuditFilter, AuditRecord, ChainBreak, Device, LastSync, Revoked, Store, Team, User,
};
use brygga_protocol::api::EnrollCode;
use brygga_protocol::auth::sha256_hex;
use std::collections::HashMap;
use std::num::NonZeroU64;
use uuid::Uuid;

/// The actor of the admin commands' audit rows.
pub const ACTOR: &str = "admin";

/// The audit row of an admin command on `subject`.
pub(crate) fn audit(action: &str, subject: &str, detail: String) -> AuditRecord {
    audit_as(ACTOR, action, subject, detail)
}

/// The audit row of an admin action by `actor` (the CLI's [`ACTOR`], or
/// a staff member on the web pages) on `subject`.
pub(crate) fn audit_as(actor: &str, action: &str, subject: &str, detail: String) -> AuditRecord {
    AuditRecord {
        at_ms: now_ms(),
        actor: actor.into(),
        action: action.into(),
        subject: Some(subject.into()),
        detail,
    }
}

fn valid_name(kind: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(Error::Usage(format!(
            "a {kind} name is 1 to 200 printable characters"
        )));
    }
    Ok(name.to_string())
}

/// Adds a team; `actor` is who asked, for the audit row. A name taken
/// already is `AlreadyExists`, a bad one [`Error::Usage`].
pub async fn add_team(store: &dyn Store, log: &AdminLog, actor: &str, name: &str) -> Result<Team> {
    let name = valid_name("team", name)?;
    let team = store
        .add_team(&name, audit_as(actor, "team.add", &name, String::new()))
        .await?;
    log.append(
        now_ms(),
        AdminAction::TeamAdd {
            name: team.name.clone(),
        },
    )?;
    Ok(team)
}

/// Adds a user to `team`; `actor` is who asked, for the audit row. A name
/// taken already is `AlreadyExists`, an unknown team `NotFound`, a bad
/// name [`Error::Usage`].
pub async fn add_user(
    store: &dyn Store,
    log: &AdminLog,
    actor: &str,
    name: &str,
    team: &str,
) -> Result<User> {
    let name = valid_name("user", name)?;
    let user = store
        .add_user(
            &name,
            team,
            audit_as(actor, "user.add", &name, format!("team={team}")),
        )
        .await?;
    log.append(
        now_ms(),
        AdminAction::UserAdd {
            name: user.name.clone(),
            team: user.team.name.clone(),
        },
    )?;
    Ok(user)
}

/// Issues a one-time code for `user`, valid `valid_minutes` minutes (0: it
/// is expired at once, for tests), pinning the certificate `server_pin`;
/// `actor` is who asked, for the audit row.
pub async fn enroll_code(
    store: &dyn Store,
    actor: &str,
    user: &str,
    valid_minutes: u32,
    server_pin: &str,
) -> Result<(EnrollCode, i64)> {
    let secret = crate::staff::random_bytes::<20>()?;
    let code = EnrollCode {
        secret: crate::staff::totp::base32(&secret),
        server_pin: server_pin.to_string(),
    };
    let expires_at = now_ms() + i64::from(valid_minutes) * 60_000;
    store
        .add_enroll_code(
            user,
            &sha256_hex(code.secret.as_bytes()),
            expires_at,
            audit_as(
                actor,
                "device.enroll-code",
                user,
                format!("valid_minutes={valid_minutes}"),
            ),
        )
        .await?;
    Ok((code, expires_at))
}

pub async fn devices(store: &dyn Store) -> Result<Vec<Device>> {
    Ok(store.devices().await?)
}

/// When each device last pushed and pulled, by device.
pub async fn devices_last_sync(store: &dyn Store) -> Result<HashMap<Uuid, LastSync>> {
    Ok(store.devices_last_sync().await?)
}

/// A team with its users, and each user's devices.
#[derive(Debug, Clone)]
pub struct TeamUsers {
    pub team: Team,
    /// (user, active devices, revoked devices), by name.
    pub users: Vec<(User, usize, usize)>,
}

/// Every team with its users and how many devices each has.
pub async fn teams(store: &dyn Store) -> Result<Vec<TeamUsers>> {
    let devices = store.devices().await?;
    let users = store.users().await?;
    Ok(store
        .teams()
        .await?
        .into_iter()
        .map(|team| {
            let users = users
                .iter()
                .filter(|u| u.team.id == team.id)
                .map(|u| {
                    let own = devices.iter().filter(|d| d.user == u.name);
                    let revoked = own.clone().filter(|d| d.revoked_at_ms.is_some()).count();
                    (u.clone(), own.count() - revoked, revoked)
                })
                .collect();
            TeamUsers { team, users }
        })
        .collect())
}

/// Revokes the device and logs it, with the seq the server recorded (also
/// when it was revoked already: the log may have missed it then); `actor`
/// is who asked, for the audit row.
pub async fn revoke_device(
    store: &dyn Store,
    log: &AdminLog,
    actor: &str,
    id: Uuid,
) -> Result<Revoked> {
    let now = now_ms();
    let revoked = store
        .revoke_device(
            id,
            Revocation::now(now),
            audit_as(actor, "device.revoke", &id.to_string(), String::new()),
        )
        .await?;
    let device = store.device(id).await?;
    log.append(
        device.as_ref().and_then(|d| d.revoked_at_ms).unwrap_or(now),
        AdminAction::DeviceRevoke {
            device_id: id,
            last_seq: device.and_then(|d| d.last_seq_at_revocation).unwrap_or(0),
        },
    )?;
    Ok(revoked)
}

/// Rows of the review read from the store at a time: what `audit list`
/// holds in memory, however long the log.
const REVIEW_PAGE: u32 = 500;

/// The devices' audit rows and the server's own that `filter` selects,
/// oldest first, after `after` and at most `limit` of them, each handed to
/// `show` as soon as its page is read. Returns the cursor of the last row
/// shown when `limit` stopped the list before its end.
pub async fn audit_list(
    store: &dyn Store,
    filter: &AuditFilter,
    mut after: Option<AuditCursor>,
    limit: Option<NonZeroU64>,
    mut show: impl FnMut(ReviewRow) -> Result<()>,
) -> Result<Option<AuditCursor>> {
    let users = Users::of(&store.devices().await?);
    let mut left = limit.map(NonZeroU64::get);
    loop {
        let size = left.map_or(REVIEW_PAGE, |l| {
            u32::try_from(l).map_or(REVIEW_PAGE, |l| l.min(REVIEW_PAGE))
        });
        let page = store.audit_page(filter, after, size).await?;
        for entry in page.rows {
            show(ReviewRow::of(entry, &users))?;
        }
        let Some(next) = page.next else {
            return Ok(None);
        };
        after = Some(next);
        if let Some(l) = left.as_mut() {
            // A page with rows after it is full.
            *l -= u64::from(size);
            if *l == 0 {
                return Ok(Some(next));
            }
        }
    }
}

/// The breaks found in the devices' audit chains, oldest first.
pub async fn audit_breaks(store: &dyn Store) -> Result<Vec<ChainBreak>> {
    Ok(store.audit_breaks().await?)
}
