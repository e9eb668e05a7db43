//! The municipality's settings that reach every device (docs/settings.md):
//! the ladder's steps and the absence thresholds. What is in force is the
//! newest notice of each type the server signed (the built-in values
//! until there is one), so the notices are the one record of them; a
//! change is one notice per setting that changed, stored with its audit
//! row in one transaction and logged for `restore`.

use crate::admin::audit;
use crate::admin_log::{AdminAction, AdminLog};
use crate::error::{Error, Result};
use crate::notice_key::NoticeKey;
use crate::retention::notice_row;
use crate::store::plan::settings::{self as plan, Change, InForce};
use crate::store::{Store, StoreError};
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
    store
        .newest_notice(type_name)
        .await?
        .map(|json| {
            serde_json::from_str::<SignedNotice>(&json)
                .map(|s| s.notice.body)
                .map_err(|e| {
                    StoreError::Database(format!("a stored {type_name} notice: {e}")).into()
                })
        })
        .transpose()
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
        .add_notices(
            rows(&notices)?,
            audit("settings.set", "settings", detail(&notices)),
        )
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

/// The notices by type and id, for an audit row.
pub fn detail(notices: &[SignedNotice]) -> String {
    notices
        .iter()
        .map(|n| format!("{} {}", n.notice.body.type_name(), n.notice.id))
        .collect::<Vec<_>>()
        .join(", ")
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
