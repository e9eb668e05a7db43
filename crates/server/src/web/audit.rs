//! The auditor's page: the audit review (the devices' rows and the
//! server's own, [`crate::admin::audit_list`], as `audit list` shows
//! them) with its filters, and the breaks found in the devices' chains
//! as an alert above it.

use super::session::SignedIn;
use super::{failed, html, respond, url_param, WebState};
use crate::admin;
use crate::clock::rfc3339;
use crate::review::{format_cursor, parse_cursor, parse_time, DayEnd, ReviewRow};
use crate::staff::Role;
use crate::store::{AuditFilter, AuditSource};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use brygga_protocol::api::BreakKind;
use serde::Deserialize;
use std::num::NonZeroU64;

/// Rows per page.
const PAGE_ROWS: u64 = 100;
/// Days the review shows when opened without a filter.
const RECENT_DAYS: i64 = 7;

/// The filters as typed (every field may be empty).
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    user: String,
    #[serde(default)]
    pupil: String,
    #[serde(default)]
    device: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl Filters {
    /// The store's filter, or what is wrong with the typed one.
    fn filter(&self) -> Result<AuditFilter, String> {
        let device = given(&self.device)
            .map(|d| uuid::Uuid::parse_str(&d).map_err(|_| format!("”{d}” är inget enhets-id.")))
            .transpose()?;
        let time = |text: &str, end| {
            given(text)
                .map(|t| {
                    parse_time(&t, end).map_err(|_| format!("”{t}” är inget datum (ÅÅÅÅ-MM-DD)."))
                })
                .transpose()
        };
        Ok(AuditFilter {
            user: given(&self.user),
            pupil: given(&self.pupil),
            device,
            action: given(&self.action),
            from_ms: time(&self.from, DayEnd::Start)?,
            to_ms: time(&self.to, DayEnd::End)?,
        })
    }

    /// Without any filter, the last week's rows: the review is oldest
    /// first, and years of rows would otherwise open at the oldest. The
    /// date stands in the form, where it can be cleared.
    fn or_recent(self, now_ms: i64) -> Filters {
        if !self.pairs().is_empty() || given(&self.after).is_some() {
            return self;
        }
        let week_ago = chrono::DateTime::from_timestamp_millis(now_ms - RECENT_DAYS * 86_400_000)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        Filters {
            from: week_ago,
            ..self
        }
    }

    /// The filters as an audit row's detail and a link's query.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("user", &self.user),
            ("pupil", &self.pupil),
            ("device", &self.device),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k, v)))
        .collect()
    }

    fn form(&self) -> String {
        let field = |name: &str, label: &str, value: &str, kind: &str| {
            format!(
                r#"<label for="f-{name}">{label} <input id="f-{name}" name="{name}" type="{kind}" value="{}"></label>"#,
                html::esc(value)
            )
        };
        format!(
            r#"<form method="get" action="/audit" class="filters">
{}{}{}{}{}{}
<p><button type="submit">Visa</button></p>
</form>"#,
            field("user", "Användare", &self.user, "text"),
            field("pupil", "Elev-id", &self.pupil, "text"),
            field("device", "Enhets-id", &self.device, "text"),
            field("action", "Händelse", &self.action, "text"),
            field("from", "Från och med", &self.from, "date"),
            field("to", "Till och med", &self.to, "date"),
        )
    }
}

/// What a break means, in Swedish, with its code (as `audit breaks` and
/// docs/audit.md name it).
fn break_kind(kind: BreakKind) -> String {
    let words = match kind {
        BreakKind::Gap => "rader saknas före denna",
        BreakKind::Changed => "en tidigare rad har ändrats",
        BreakKind::WentBack => "loggen gick bakåt (återställd från en gammal kopia?)",
        BreakKind::Unlinked => "raden hänger inte ihop med raden före",
        BreakKind::BadHash => "radens hash stämmer inte",
    };
    format!("{words} ({})", kind.as_str())
}

fn breaks_section(breaks: &[crate::store::ChainBreak]) -> String {
    if breaks.is_empty() {
        return r#"<section aria-labelledby="breaks"><h2 id="breaks">Brott i loggkedjorna</h2><p>Inga brott i enheternas loggkedjor.</p></section>"#.into();
    }
    let rows: String = breaks
        .iter()
        .map(|b| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html::esc(&rfc3339(b.at_ms)),
                b.device_id,
                b.seq,
                break_kind(b.kind),
                html::esc(&b.detail)
            )
        })
        .collect();
    format!(
        r#"<section aria-labelledby="breaks" class="alert"><h2 id="breaks">Brott i loggkedjorna: {}</h2>
<p>En enhets logg stämmer inte med kedjan servern har. Rader efter ett brott är markerade i tabellen nedan.</p>
<table><caption>Funna brott</caption><thead><tr><th scope="col">Funnet</th><th scope="col">Enhet</th><th scope="col">Rad</th><th scope="col">Slag</th><th scope="col">Detalj</th></tr></thead>
<tbody>{rows}</tbody></table></section>"#,
        breaks.len()
    )
}

fn row_html(r: &ReviewRow) -> String {
    let opt = |v: &Option<String>| html::esc(v.as_deref().unwrap_or(""));
    format!(
        "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        if r.after_break { r#" class="after-break""# } else { "" },
        html::esc(&r.at),
        match r.source {
            AuditSource::Device => "enhet",
            AuditSource::Server => "server",
        },
        html::esc(&r.actor),
        opt(&r.user),
        r.device_id.map(|d| d.to_string()).unwrap_or_default(),
        html::esc(&r.action),
        opt(&r.object),
        opt(&r.pupil_id),
        html::esc(&r.detail),
        if r.after_break { "efter brott" } else { "" },
    )
}

pub async fn review(
    State(state): State<WebState>,
    who: SignedIn,
    Query(filters): Query<Filters>,
) -> Response {
    if let Err(forbidden) = who.require(&state, Role::Auditor, "/audit").await {
        return forbidden;
    }
    let filters = filters.or_recent(state.clock.now_ms());
    let detail: Vec<String> = filters
        .pairs()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    state
        .audit("web.view", &who.actor(), Some("/audit"), detail.join(" "))
        .await;
    let breaks = match admin::audit_breaks(state.store.as_ref()).await {
        Ok(b) => b,
        Err(e) => return failed(e),
    };
    let mut body = breaks_section(&breaks);
    body.push_str(r#"<h2>Loggen</h2>"#);
    body.push_str(&filters.form());
    let filter = match filters.filter() {
        Ok(f) => f,
        Err(problem) => {
            body.push_str(&format!(
                r#"<p class="alert" role="alert">{}</p>"#,
                html::esc(&problem)
            ));
            return respond(
                StatusCode::BAD_REQUEST,
                who.page("Granskning av loggen", &body),
            );
        }
    };
    let after = match given(&filters.after).map(|a| parse_cursor(&a)).transpose() {
        Ok(a) => a,
        Err(_) => {
            return respond(
                StatusCode::BAD_REQUEST,
                who.page("Granskning av loggen", "<p>Felaktig sidlänk.</p>"),
            )
        }
    };
    let mut rows = Vec::new();
    let next = admin::audit_list(
        state.store.as_ref(),
        &filter,
        after,
        NonZeroU64::new(PAGE_ROWS),
        |row| {
            rows.push(row);
            Ok(())
        },
    )
    .await;
    let next = match next {
        Ok(n) => n,
        Err(e) => return failed(e),
    };
    if rows.is_empty() {
        body.push_str("<p>Inga rader med de här filtren.</p>");
    } else {
        let trs: String = rows.iter().map(row_html).collect();
        body.push_str(&format!(
            r#"<table><caption>Rader, äldst först ({} st)</caption><thead><tr><th scope="col">Tid</th><th scope="col">Källa</th><th scope="col">Aktör</th><th scope="col">Användare</th><th scope="col">Enhet</th><th scope="col">Händelse</th><th scope="col">Objekt</th><th scope="col">Elev-id</th><th scope="col">Detalj</th><th scope="col">Kedja</th></tr></thead><tbody>{trs}</tbody></table>"#,
            rows.len()
        ));
    }
    if let Some(next) = next {
        let mut query: Vec<String> = filters
            .pairs()
            .iter()
            .map(|(k, v)| format!("{k}={}", url_param(v)))
            .collect();
        query.push(format!("after={}", url_param(&format_cursor(next))));
        body.push_str(&format!(
            r#"<p><a href="/audit?{}">Nästa sida</a></p>"#,
            html::esc(&query.join("&"))
        ));
    }
    respond(StatusCode::OK, who.page("Granskning av loggen", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_filter_the_review_opens_at_the_last_week() {
        // 2026-03-09T12:00:00Z.
        let now = 1_773_057_600_000;
        let opened = Filters::default().or_recent(now);
        assert_eq!(opened.from, "2026-03-02");
        assert_eq!(
            opened.filter().expect("filter").from_ms,
            Some(1_772_409_600_000)
        );
        let chosen = Filters {
            action: "read".into(),
            ..Filters::default()
        }
        .or_recent(now);
        assert_eq!((chosen.from.as_str(), chosen.action.as_str()), ("", "read"));
        let paging = Filters {
            after: "1:server:2".into(),
            ..Filters::default()
        }
        .or_recent(now);
        assert_eq!(paging.from, "");
    }
}
