//! The unit manager's pages (docs/outcomes.md): the figures of a team (or
//! every team), a school (or all) and a period, computed from what the
//! devices synced ([`crate::outcomes`]) by the rules the laptop's exports
//! use; a chart of absence before and after; each view as CSV and PDF.
//! Aggregates only: no name, personnummer or pupil id reaches a page or a
//! file. Only the role unit manager opens them.

use super::session::SignedIn;
use super::{failed, html, respond, WebState};
use crate::outcomes::refresh;
use crate::outcomes::views::{compute_page, Filter, Views};
use crate::staff::Role;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use brygga_outcomes::csv_out::csv_bytes;
use brygga_outcomes::labels::DEVIATION_COLUMNS;
use brygga_outcomes::pdf::{Document, Style};
use brygga_outcomes::{Figure, MIN_GROUP};
use chrono::{DateTime, Duration, NaiveDate};
use serde::Deserialize;

const TITLE: &str = "Utfall per team, skola och period";
const PATH: &str = "/outcomes";

/// The form's fields, as given in the query.
#[derive(Debug, Default, Deserialize)]
pub struct Choice {
    #[serde(default)]
    team: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// A choice read: the team (None: every team) and the filter.
struct Chosen {
    team: Option<i64>,
    team_name: String,
    filter: Filter,
}

impl Choice {
    fn read(&self, state: &WebState, teams: &[crate::store::Team]) -> Result<Chosen, String> {
        let today = today(state);
        let date = |s: &str, default: NaiveDate| -> Result<NaiveDate, String> {
            if s.trim().is_empty() {
                Ok(default)
            } else {
                s.trim()
                    .parse()
                    .map_err(|_| format!("Datumet {s} ska skrivas ÅÅÅÅ-MM-DD."))
            }
        };
        let from = date(&self.from, today - Duration::days(365))?;
        let to = date(&self.to, today)?;
        if from > to {
            return Err("Periodens början ligger efter dess slut.".into());
        }
        let (team, team_name) = match self.team.trim() {
            "" => (None, "Alla team".to_owned()),
            id => {
                let team = teams
                    .iter()
                    .find(|t| t.id.to_string() == id)
                    .ok_or("Det finns inget sådant team.")?;
                (Some(team.id), team.name.clone())
            }
        };
        let school = Some(self.school.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Chosen {
            team,
            team_name,
            filter: Filter { school, from, to },
        })
    }

    /// The query string of this choice, for the download links.
    fn query(&self) -> String {
        [
            ("team", &self.team),
            ("school", &self.school),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", super::url_param(v)))
        .collect::<Vec<_>>()
        .join("&amp;")
    }
}

fn today(state: &WebState) -> NaiveDate {
    DateTime::from_timestamp_millis(state.clock.now_ms())
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The views of a choice, with the facts brought up to date first.
async fn views_of(
    state: &WebState,
    choice: &Choice,
) -> crate::error::Result<Result<(Chosen, Views, Vec<crate::store::Team>), String>> {
    let teams = state.store.teams().await?;
    let chosen = match choice.read(state, &teams) {
        Ok(c) => c,
        Err(problem) => return Ok(Err(problem)),
    };
    refresh(&state.store).await?;
    let rows = state.store.outcome_rows(chosen.team).await?;
    let views = compute_page(&rows.facts, &rows.weeks, &chosen.filter, today(state));
    Ok(Ok((chosen, views, teams)))
}

/// The views a page shows and a file holds: (key, title).
const VIEWS: [(&str, &str); 6] = [
    ("followed", "Elever som följs, per skola"),
    ("plans", "Elever med och utan samverkansplan"),
    ("absence", "Frånvaro före och efter första insatsen"),
    ("ladder", "Elever per steg på återgångstrappan"),
    ("deviations", "Avvikelser i samverkan"),
    ("esf", "ESF-deltagare"),
];

const LEGEND: &str = "<p class=\"legend\"><strong>&lt;5</strong>: färre än fem elever, visas inte. \
     <strong>–</strong>: dold så att en liten grupp inte kan räknas fram ur totalen (eller inget att visa).</p>";

/// The rows of a view, a header first, for the tables, the CSV and the PDF.
fn table(views: &Views, key: &str) -> Vec<Vec<String>> {
    match key {
        "followed" => views.followed.table("Skola"),
        "plans" => views.plans.table("Grupp"),
        "absence" => views.outcomes.table(),
        "ladder" => views.ladder.table("Steg"),
        "deviations" => std::iter::once(DEVIATION_COLUMNS.map(str::to_owned).to_vec())
            .chain(views.deviations.iter().map(|d| {
                vec![
                    d.partner.clone(),
                    d.category.clone(),
                    d.figures.pupils.text(),
                    d.figures.deviations.text(),
                    d.figures.open.text(),
                    d.figures.raised.text(),
                    d.figures.mended.text(),
                ]
            }))
            .collect(),
        _ => vec![
            vec!["Mått".to_owned(), "Antal".to_owned()],
            vec![
                "Ärenden som började under perioden".to_owned(),
                views.esf_started.text(),
            ],
            vec![
                "Ärenden som avslutades under perioden".to_owned(),
                views.esf_ended.text(),
            ],
        ],
    }
}

fn html_table(title: &str, rows: &[Vec<String>]) -> String {
    let Some((head, body)) = rows.split_first() else {
        return String::new();
    };
    let head: String = head
        .iter()
        .map(|h| format!(r#"<th scope="col">{}</th>"#, html::esc(h)))
        .collect();
    let body: String = body
        .iter()
        .map(|r| {
            let cells: String = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        format!(r#"<th scope="row">{}</th>"#, html::esc(c))
                    } else {
                        format!("<td>{}</td>", html::esc(c))
                    }
                })
                .collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    format!(
        "<table><caption>{}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        html::esc(title)
    )
}

/// Bars of absence before and after, per group, drawn on the server as
/// SVG (classes of web.css, no style attribute); a suppressed group gets
/// no bar but its "<5".
fn chart(views: &Views) -> String {
    let scale = |f: &Figure| match f {
        Figure::Percent(p) => Some(p.clamp(0.0, 100.0)),
        _ => None,
    };
    let max = views
        .outcomes
        .groups
        .iter()
        .flat_map(|g| [scale(&g.before_total_pct), scale(&g.after_total_pct)])
        .flatten()
        .fold(10.0f64, f64::max);
    let mut bars = String::new();
    for (i, g) in views.outcomes.groups.iter().enumerate() {
        let y0 = 30 + i as i32 * 70;
        bars.push_str(&format!(
            r#"<text x="0" y="{}" class="chart-label">{}</text>"#,
            y0 + 12,
            html::esc(&g.label)
        ));
        for (j, (name, fig, class)) in [
            ("före", &g.before_total_pct, "bar-before"),
            ("efter", &g.after_total_pct, "bar-after"),
        ]
        .into_iter()
        .enumerate()
        {
            let y = y0 + 18 + j as i32 * 22;
            let width = scale(fig).map_or(0.0, |p| p / max * 380.0);
            bars.push_str(&format!(
                r#"<text x="0" y="{ty}" class="chart-text">{name}</text><rect x="60" y="{y}" width="{width:.1}" height="16" class="{class}"/><text x="{tx:.1}" y="{ty}" class="chart-text">{value}</text>"#,
                ty = y + 12,
                tx = 66.0 + width,
                value = html::esc(&fig.text()),
            ));
        }
    }
    format!(
        r#"<figure><svg role="img" aria-labelledby="chart-title" viewBox="0 0 520 170" width="520" height="170" class="chart"><title id="chart-title">Frånvaro i procent före och efter första insatsen, med och utan samverkansplan</title>{bars}</svg><figcaption>Frånvaro i procent av schemalagd tid, medelvärde per elev. Grupper med färre än {MIN_GROUP} elever ritas inte.</figcaption></figure>"#
    )
}

/// A select's options: "all" (the empty value) first, then each
/// (value, label), the one equal to `current` selected.
fn options<'a>(all: &str, current: &str, items: impl Iterator<Item = (String, &'a str)>) -> String {
    let option = |value: &str, label: &str| {
        let selected = if value == current { " selected" } else { "" };
        format!(
            r#"<option value="{}"{selected}>{}</option>"#,
            html::esc(value),
            html::esc(label)
        )
    };
    std::iter::once(option("", all))
        .chain(items.map(|(value, label)| option(&value, label)))
        .collect()
}

fn form(
    choice: &Choice,
    chosen: Option<&Chosen>,
    teams: &[crate::store::Team],
    schools: &[String],
) -> String {
    let team_options = options(
        "Alla team",
        &choice.team,
        teams.iter().map(|t| (t.id.to_string(), t.name.as_str())),
    );
    let school_options = options(
        "Alla skolor",
        &choice.school,
        schools.iter().map(|s| (s.clone(), s.as_str())),
    );
    let (from, to) = chosen
        .map(|c| (c.filter.from.to_string(), c.filter.to.to_string()))
        .unwrap_or_else(|| (choice.from.clone(), choice.to.clone()));
    format!(
        r#"<form method="get" action="{PATH}" class="filters">
<label for="team">Team <select id="team" name="team">{team_options}</select></label>
<label for="school">Skola <select id="school" name="school">{school_options}</select></label>
<label for="from">Från <input id="from" name="from" type="date" value="{from}"></label>
<label for="to">Till <input id="to" name="to" type="date" value="{to}"></label>
<p><button type="submit">Visa</button></p>
</form>"#,
        from = html::esc(&from),
        to = html::esc(&to),
    )
}

fn described(choice: &Chosen) -> String {
    format!(
        "team={} school={} from={} to={}",
        choice.team.map_or("all".to_owned(), |t| t.to_string()),
        if choice.filter.school.is_some() {
            "one"
        } else {
            "all"
        },
        choice.filter.from,
        choice.filter.to
    )
}

pub async fn page(
    State(state): State<WebState>,
    who: SignedIn,
    Query(choice): Query<Choice>,
) -> Response {
    if let Err(forbidden) = who.require(&state, Role::UnitManager, PATH).await {
        return forbidden;
    }
    let (chosen, views, teams) = match views_of(&state, &choice).await {
        Ok(Ok(v)) => v,
        Ok(Err(problem)) => {
            let teams = state.store.teams().await.unwrap_or_default();
            let body = format!(
                r#"{}<p class="alert" role="alert">{}</p>"#,
                form(&choice, None, &teams, &[]),
                html::esc(&problem)
            );
            return respond(StatusCode::BAD_REQUEST, who.page(TITLE, &body));
        }
        Err(e) => return failed(e),
    };
    state
        .audit("web.view", &who.actor(), Some(PATH), described(&chosen))
        .await;
    let query = choice.query();
    let mut body = form(&choice, Some(&chosen), &teams, &views.schools);
    body.push_str(&format!(
        r#"<p>{} · {} · {} – {}. Endast sammanräknade uppgifter. Elever med skyddade personuppgifter räknas aldrig under en skola.</p>{LEGEND}"#,
        html::esc(&chosen.team_name),
        html::esc(chosen.filter.school.as_deref().unwrap_or("Alla skolor")),
        chosen.filter.from,
        chosen.filter.to,
    ));
    for (key, title) in VIEWS {
        body.push_str(&format!(
            r#"<section aria-labelledby="h-{key}"><h2 id="h-{key}">{title}</h2>"#
        ));
        if key == "absence" {
            body.push_str(&chart(&views));
        }
        body.push_str(&html_table(title, &table(&views, key)));
        body.push_str(&format!(
            r#"<p class="downloads"><a href="{PATH}/{key}.csv?{query}">Ladda ner {t} som CSV</a> <a href="{PATH}/{key}.pdf?{query}">Ladda ner {t} som PDF</a></p></section>"#,
            t = html::esc(&title.to_lowercase()),
        ));
    }
    respond(StatusCode::OK, who.page(TITLE, &body))
}

/// One view as a file: `/outcomes/{view}.csv` or `.pdf`.
pub async fn download(
    State(state): State<WebState>,
    who: SignedIn,
    Path(file): Path<String>,
    Query(choice): Query<Choice>,
) -> Response {
    if let Err(forbidden) = who.require(&state, Role::UnitManager, PATH).await {
        return forbidden;
    }
    let Some((key, format)) = file.rsplit_once('.') else {
        return respond(
            StatusCode::NOT_FOUND,
            who.page("Finns inte", "<p>Ingen sådan fil.</p>"),
        );
    };
    let Some((_, title)) = VIEWS.iter().find(|(k, _)| *k == key) else {
        return respond(
            StatusCode::NOT_FOUND,
            who.page("Finns inte", "<p>Ingen sådan fil.</p>"),
        );
    };
    if format != "csv" && format != "pdf" {
        return respond(
            StatusCode::NOT_FOUND,
            who.page("Finns inte", "<p>Ingen sådan fil.</p>"),
        );
    }
    let (chosen, views, _) = match views_of(&state, &choice).await {
        Ok(Ok(v)) => v,
        Ok(Err(problem)) => {
            return respond(
                StatusCode::BAD_REQUEST,
                who.page(
                    TITLE,
                    &format!(
                        r#"<p class="alert" role="alert">{}</p>"#,
                        html::esc(&problem)
                    ),
                ),
            )
        }
        Err(e) => return failed(e),
    };
    let rows = table(&views, key);
    let (bytes, mime) = if format == "csv" {
        match csv_bytes(&rows) {
            Ok(b) => (b, "text/csv; charset=utf-8"),
            Err(e) => return failed(e),
        }
    } else {
        (pdf(title, &chosen, &views, &rows), "application/pdf")
    };
    state
        .audit(
            "web.export",
            &who.actor(),
            Some(&format!("{PATH}/{key}.{format}")),
            format!(
                "{}, aggregate, groups under {MIN_GROUP} suppressed",
                described(&chosen)
            ),
        )
        .await;
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    r#"attachment; filename="brygga-{key}-{}-{}.{format}""#,
                    chosen.filter.from, chosen.filter.to
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn pdf(title: &str, chosen: &Chosen, views: &Views, rows: &[Vec<String>]) -> Vec<u8> {
    let mut doc = Document::new(title);
    doc.text(title, Style::TITLE);
    doc.text(
        &format!(
            "{} · {} · {} – {} · sammanställd {}",
            chosen.team_name,
            chosen.filter.school.as_deref().unwrap_or("Alla skolor"),
            chosen.filter.from,
            chosen.filter.to,
            views.outcomes.generated_on
        ),
        Style::SMALL,
    );
    doc.gap(8.0);
    for para in views.outcomes.method() {
        doc.text(&para, Style::BODY);
        doc.gap(4.0);
    }
    doc.text(
        "\"–\" är en uppgift som döljs så att en liten grupp inte kan räknas fram ur totalen. \
         Elever med skyddade personuppgifter räknas aldrig under en skola.",
        Style::BODY,
    );
    doc.gap(4.0);
    let columns = rows.first().map_or(1, Vec::len).max(1);
    let first = if columns > 2 { 0.34 } else { 0.6 };
    let rest = (1.0 - first) / (columns - 1).max(1) as f32;
    let fractions: Vec<f32> = std::iter::once(first)
        .chain(std::iter::repeat_n(rest, columns - 1))
        .collect();
    doc.table(&fractions, rows, Style::SMALL);
    doc.finish()
}
