//! The municipality's settings that reach every device (docs/settings.md):
//! the ladder's steps and the absence thresholds, and how every such
//! notice (programme templates too: crate::templates) is issued. What is
//! in force is the newest notice of each type the server signed (the
//! built-in values until there is one), so the notices are the one record
//! of them; a change is one notice per setting that changed, stored with
//! its audit row in one transaction and logged for `restore`.

use crate::admin::audit;
use crate::admin_log::{AdminAction, AdminLog};
use crate::error::{Error, Result};
use crate::notice_key::NoticeKey;
use crate::retention::notice_row;
use crate::store::plan::settings::{self as plan, Change, InForce};
use crate::store::{AuditRecord, Store, StoreError};
use brygga_protocol::notice::{self, Notice, NoticeBody, SignedNotice};
use brygga_protocol::settings::LadderStep;
use brygga_protocol::PROTOCOL_VERSION;
use std::path::Path;
use uuid::Uuid;

/// The settings notices have set, the built-in ones left as None.
pub async fn in_force(store: &dyn Store) -> Result<InForce> {
    let ladder_steps = match newest(store, notice::LADDER_STEPS).await? {
        Some(NoticeBody::LadderSteps { steps }) => Some(steps),
        _ => None,
    };
    let absence_thresholds = match newest(store, notice::ABSENCE_THRESHOLDS).await? {
        Some(NoticeBody::AbsenceThresholds { warning_pcts }) => Some(warning_pcts),
        _ => None,
    };
    Ok(InForce {
        ladder_steps,
        absence_thresholds,
    })
}

async fn newest(store: &dyn Store, type_name: &str) -> Result<Option<NoticeBody>> {
    Ok(bodies(store, type_name).await?.pop())
}

/// The bodies of every notice of `type_name` the server issued to every
/// team, oldest first.
pub async fn bodies(store: &dyn Store, type_name: &str) -> Result<Vec<NoticeBody>> {
    store
        .notices_of_type(type_name)
        .await?
        .iter()
        .map(|json| {
            serde_json::from_str::<SignedNotice>(json)
                .map(|s| s.notice.body)
                .map_err(|e| {
                    StoreError::Database(format!("a stored {type_name} notice: {e}")).into()
                })
        })
        .collect()
}

/// Checks `change` (refused as [`Error::Invalid`], nothing written, not
/// even a first notice key), then signs with `key()` a notice to every
/// team for each setting that changed. Returns the notices issued: none
/// when nothing changed.
pub async fn set(
    store: &dyn Store,
    key: impl FnOnce() -> Result<NoticeKey>,
    log: &AdminLog,
    change: Change,
    now_ms: i64,
) -> Result<Vec<SignedNotice>> {
    plan::check(&change).map_err(Error::Invalid)?;
    let bodies = plan::notices(&in_force(store).await?, change);
    tell_every_team(store, key, log, bodies, now_ms).await
}

/// Signs `bodies` with `key()` into notices to every team, stores them
/// with their audit row ([`audit_row`]) in one transaction and logs them
/// (`settings-notices`) for `restore`. With no bodies nothing is written,
/// not even a first notice key. Returns the notices issued.
pub async fn tell_every_team(
    store: &dyn Store,
    key: impl FnOnce() -> Result<NoticeKey>,
    log: &AdminLog,
    bodies: Vec<NoticeBody>,
    now_ms: i64,
) -> Result<Vec<SignedNotice>> {
    if bodies.is_empty() {
        return Ok(Vec::new());
    }
    let key = key()?;
    let notices: Vec<SignedNotice> = bodies
        .into_iter()
        .map(|body| {
            key.sign(Notice {
                version: PROTOCOL_VERSION,
                id: Uuid::now_v7(),
                issued_at_ms: now_ms,
                team: None,
                body,
            })
        })
        .collect();
    store
        .add_notices(rows(&notices)?, audit_row(&notices, None))
        .await?;
    log.append(
        now_ms,
        AdminAction::SettingsNotices {
            notices: notices.clone(),
        },
    )?;
    Ok(notices)
}

/// The rows that store `notices`, each for every team.
pub fn rows(notices: &[SignedNotice]) -> Result<Vec<crate::store::retention::NoticeRow>> {
    notices.iter().map(|n| notice_row(n, None)).collect()
}

/// The server audit row of issuing `notices` (again, when `then` says
/// why): `template.add` on the template's key for a programme template,
/// which is issued alone; `settings.set` on `settings` for the others. The
/// detail names the notices by type and id. A restore re-applying the
/// admin log writes the same row as the command did.
pub fn audit_row(notices: &[SignedNotice], then: Option<&str>) -> AuditRecord {
    let (action, subject) = match notices.first().map(|n| &n.notice.body) {
        Some(NoticeBody::ProgrammeTemplate { template }) => ("template.add", template.key.as_str()),
        _ => ("settings.set", "settings"),
    };
    let named = notices
        .iter()
        .map(|n| format!("{} {}", n.notice.body.type_name(), n.notice.id))
        .collect::<Vec<_>>()
        .join(", ");
    let detail = match then {
        Some(why) => format!("{named}; {why}"),
        None => named,
    };
    audit(action, subject, detail)
}

/// The ladder's steps of `--ladder-steps FILE`: a JSON array of
/// `{"key", "name_sv", "name_en"}` in order (docs/settings.md).
pub fn read_steps(file: &Path) -> Result<Vec<LadderStep>> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::Invalid(format!(
            "cannot read the steps file {}: {e}",
            file.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Invalid(format!(
            "the steps file {} is not a JSON array of {{\"key\", \"name_sv\", \"name_en\"}}: {e}",
            file.display()
        ))
    })
}

/// `10,15,20`: three whole percentages (whether they ascend is
/// [`plan::check`]'s).
pub fn parse_thresholds(s: &str) -> Result<[u8; 3], String> {
    let bad = || format!("'{s}' is not three whole percentages such as 10,15,20");
    let parts = s
        .split(',')
        .map(|p| p.trim().trim_end_matches('%').trim().parse::<u8>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad())?;
    parts.try_into().map_err(|_| bad())
}
