//! The admin's retention actions behind `brygga-server retention`: list
//! the closed cases, keep one, purge what is due, change the settings.
//! Each change writes the server's audit row (in the store's transaction)
//! and an admin-log line, so a restore does not undo it (ADR 0021).

use crate::admin::{audit, audit_as};
use crate::admin_log::{AdminAction, AdminLog};
use crate::error::{Error, Result};
use crate::notice_key::NoticeKey;
use crate::store::plan::retention::{self as decide, Judged};
use crate::store::retention::{CasePurge, Keep, NoticeRow, OldAudit, Purged, Settings};
use crate::store::Store;
use brygga_protocol::notice::{Notice, NoticeBody, SignedNotice};
use brygga_protocol::PROTOCOL_VERSION;
use std::collections::HashMap;
use uuid::Uuid;

/// A closed case, judged, with its team's name.
#[derive(Debug, Clone)]
pub struct Listed {
    pub case: Judged,
    pub team: String,
}

/// Every closed case judged at `now_ms` (only the due ones with `due`).
pub async fn list(store: &dyn Store, now_ms: i64, due: bool) -> Result<Vec<Listed>> {
    let settings = store.retention_settings().await?;
    let teams: HashMap<i64, String> = store
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut listed = Vec::new();
    for candidate in store.retention_candidates().await? {
        let case = decide::judge(candidate, &settings, now_ms).map_err(Error::Usage)?;
        if case.closed && (case.due || !due) {
            let team = teams.get(&case.team_id).cloned().unwrap_or_default();
            listed.push(Listed { case, team });
        }
    }
    Ok(listed)
}

/// Sets the keep flag of a case (`reason`) or lifts it (None); false when
/// it was so already. `actor` is who asked, for the audit row; an empty
/// reason is [`Error::Usage`], a case the server does not hold `NotFound`.
pub async fn keep(
    store: &dyn Store,
    log: &AdminLog,
    actor: &str,
    case_id: Uuid,
    reason: Option<String>,
    now_ms: i64,
) -> Result<bool> {
    let reason = reason.map(|r| r.trim().to_string());
    if reason.as_deref().is_some_and(str::is_empty) {
        return Err(Error::Usage("give a reason to keep the case".into()));
    }
    let (action, detail) = match &reason {
        Some(r) => (
            "retention.keep",
            format!("reason_chars={}", r.chars().count()),
        ),
        None => ("retention.keep-clear", String::new()),
    };
    let keep = reason.clone().map(|reason| Keep {
        reason,
        set_at_ms: now_ms,
    });
    let changed = store
        .set_case_keep(
            case_id,
            keep,
            audit_as(actor, action, &case_id.to_string(), detail),
        )
        .await?;
    if changed {
        log.append(now_ms, AdminAction::CaseKeep { case_id, reason })?;
    }
    Ok(changed)
}

/// What a purge run did, or would do.
#[derive(Debug, Clone)]
pub struct PurgeRun {
    /// The due cases, with what became of each (None on a dry run).
    pub cases: Vec<(Listed, Option<Purged>)>,
    /// Audit rows older than this were purged (or would be).
    pub audit_before_ms: i64,
    pub audit: OldAudit,
}

/// Purges every due case and the audit rows older than the settings keep
/// them; with `dry_run`, only says what it would purge.
pub async fn purge(
    store: &dyn Store,
    key: &NoticeKey,
    log: &AdminLog,
    dry_run: bool,
    now_ms: i64,
) -> Result<PurgeRun> {
    let settings = store.retention_settings().await?;
    let audit_before_ms = decide::years_before(now_ms, settings.audit_years)
        .ok_or_else(|| Error::Usage("audit_years is out of range".into()))?;
    let due = list(store, now_ms, true).await?;
    if dry_run {
        return Ok(PurgeRun {
            cases: due.into_iter().map(|c| (c, None)).collect(),
            audit_before_ms,
            audit: store.old_audit(audit_before_ms).await?,
        });
    }
    let mut cases = Vec::with_capacity(due.len());
    for listed in due {
        let signed = key.sign(Notice {
            version: PROTOCOL_VERSION,
            id: Uuid::now_v7(),
            issued_at_ms: now_ms,
            team: Some(listed.team.clone()),
            body: NoticeBody::CasePurged {
                case_id: listed.case.case_id,
            },
        });
        let purge = case_purge(
            &listed.case.case_id,
            listed.case.team_id,
            &signed,
            purge_detail(&listed.case),
        )?;
        let purged = store.purge_case(purge).await?;
        if let Purged::Now { .. } = purged {
            log.append(
                now_ms,
                AdminAction::CasePurge {
                    case_id: listed.case.case_id,
                    team: listed.team.clone(),
                    notice: signed,
                },
            )?;
        }
        cases.push((listed, Some(purged)));
    }
    let audit = store.purge_old_audit(audit_before_ms, now_ms).await?;
    Ok(PurgeRun {
        cases,
        audit_before_ms,
        audit,
    })
}

/// The dates of a purge, for its audit row.
fn purge_detail(case: &Judged) -> String {
    format!(
        "last_op={} purge_date={}",
        crate::clock::rfc3339(case.last_received_at_ms),
        case.purge_at_ms.map_or("-".into(), crate::clock::rfc3339)
    )
}

/// The store's purge of `case_id` of team `team_id`, told by `signed`
/// (issued when the purge was made: a restore re-applies it as it was).
pub fn case_purge(
    case_id: &Uuid,
    team_id: i64,
    signed: &SignedNotice,
    detail: String,
) -> Result<CasePurge> {
    Ok(CasePurge {
        case_id: *case_id,
        team_id,
        purged_at_ms: signed.notice.issued_at_ms,
        notice: notice_row(signed, Some(team_id))?,
        detail,
    })
}

/// A signed notice as the store keeps it.
pub fn notice_row(signed: &SignedNotice, team_id: Option<i64>) -> Result<NoticeRow> {
    Ok(NoticeRow {
        notice_id: signed.notice.id,
        team_id,
        body: serde_json::to_string(signed)
            .map_err(|e| Error::Usage(format!("notice {}: {e}", signed.notice.id)))?,
        issued_at_ms: signed.notice.issued_at_ms,
    })
}

/// The settings to change; None keeps the current value.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsChange {
    pub case_years: Option<u32>,
    pub audit_years: Option<u32>,
    pub case_leaves_laptop_after_days: Option<u32>,
}

/// Applies `change` to the settings; a new number of days is told to every
/// team in a signed notice. Returns the settings now in force.
pub async fn settings(
    store: &dyn Store,
    key: &NoticeKey,
    log: &AdminLog,
    change: SettingsChange,
    now_ms: i64,
) -> Result<Settings> {
    let current = store.retention_settings().await?;
    let next = Settings {
        case_years: change.case_years.unwrap_or(current.case_years),
        audit_years: change.audit_years.unwrap_or(current.audit_years),
        case_leaves_laptop_after_days: change
            .case_leaves_laptop_after_days
            .unwrap_or(current.case_leaves_laptop_after_days),
    };
    if next == current {
        return Ok(current);
    }
    let notice = (next.case_leaves_laptop_after_days != current.case_leaves_laptop_after_days)
        .then(|| {
            key.sign(Notice {
                version: PROTOCOL_VERSION,
                id: Uuid::now_v7(),
                issued_at_ms: now_ms,
                team: None,
                body: NoticeBody::RetentionSettings {
                    case_leaves_laptop_after_days: next.case_leaves_laptop_after_days,
                },
            })
        });
    let row = notice.as_ref().map(|n| notice_row(n, None)).transpose()?;
    store
        .set_retention_settings(
            next,
            row,
            audit("retention.settings", "retention", settings_detail(&next)),
        )
        .await?;
    log.append(
        now_ms,
        AdminAction::RetentionSettings {
            case_years: next.case_years,
            audit_years: next.audit_years,
            case_leaves_laptop_after_days: next.case_leaves_laptop_after_days,
            notice,
        },
    )?;
    Ok(next)
}

/// The settings, for an audit row.
pub fn settings_detail(s: &Settings) -> String {
    format!(
        "case_years={} audit_years={} case_leaves_laptop_after_days={}",
        s.case_years, s.audit_years, s.case_leaves_laptop_after_days
    )
}
