//! Text for the attendance view models.

use super::{cell, or_dash, pairs, table, Render};
use brygga_core::attendance::{
    AbsenceChart, AbsenceFigures, AbsenceOverviewItem, ImportReport, InterventionKind, Thresholds,
    Warning, WeekStatus,
};

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.1} %")).unwrap_or_else(|| "-".into())
}

fn warning(w: &Warning) -> String {
    match w.threshold_pct {
        Some(t) => format!("≥ {t} % (level {})", w.level),
        None => "-".into(),
    }
}

impl Render for Thresholds {
    fn render(&self) -> String {
        let [a, b, c] = self.0;
        format!("absence warnings at {a} %, {b} % and {c} % of scheduled time\n")
    }
}

impl Render for ImportReport {
    fn render(&self) -> String {
        let mut out = pairs(&[
            ("file", self.source.clone()),
            (
                "read as",
                format!(
                    "{}, separator {}",
                    self.encoding,
                    match self.separator.as_deref() {
                        Some("\t") => "tab".to_owned(),
                        Some(s) => format!("'{s}'"),
                        None => "-".to_owned(),
                    }
                ),
            ),
        ]);
        for c in &self.columns {
            let unit = match (c.unit, c.unit_in_header) {
                (Some(u), true) => format!(" ({})", u.as_str()),
                (Some(u), false) => format!(" ({}, not in the header)", u.as_str()),
                (None, _) => String::new(),
            };
            out.push_str(&format!(
                "column {}: '{}'{unit}\n",
                c.role.as_str(),
                cell(&c.header)
            ));
        }
        if !self.weeks.is_empty() {
            out.push('\n');
            out.push_str(&table(
                [
                    "LINE",
                    "PUPIL",
                    "WEEK",
                    "SCHEDULED",
                    "VALID",
                    "INVALID",
                    "STATUS",
                ],
                self.weeks.iter().map(|w| {
                    let f = w.figures;
                    [
                        w.line.to_string(),
                        w.pupil_name.clone(),
                        w.week.clone(),
                        format!("{} min", f.scheduled_min),
                        format!("{} min", f.valid_min),
                        format!("{} min", f.invalid_min),
                        match (w.status, w.previous) {
                            (WeekStatus::Updated, Some(p)) => format!(
                                "updated (was {}/{}/{})",
                                p.scheduled_min, p.valid_min, p.invalid_min
                            ),
                            (WeekStatus::New, _) => "new".into(),
                            (WeekStatus::Unchanged, _) => "unchanged".into(),
                            (WeekStatus::Updated, None) => "updated".into(),
                        },
                    ]
                }),
            ));
        }
        for n in &self.notes {
            out.push_str(&format!(
                "note, line {}: {}\n",
                n.line,
                cell(&n.note.message)
            ));
        }
        for s in &self.skipped {
            out.push_str(&format!(
                "skipped, line {}: no pupil with personnummer {} on this device\n",
                s.line, s.personnummer
            ));
        }
        for p in &self.problems {
            out.push_str(&format!(
                "PROBLEM, line {}: {}\n",
                p.line,
                cell(&p.note.message)
            ));
        }
        let counts = format!(
            "{} new, {} updated, {} unchanged, {} skipped",
            self.created,
            self.updated,
            self.unchanged,
            self.skipped.len()
        );
        out.push_str(&if !self.problems.is_empty() {
            format!("\nNOTHING IMPORTED: {} problem(s)\n", self.problems.len())
        } else if self.dry_run {
            format!("\ndry run, nothing written: would be {counts}\n")
        } else {
            format!("\nimported: {counts}\n")
        });
        out
    }
}

impl Render for AbsenceFigures {
    fn render(&self) -> String {
        if self.weeks.is_empty() {
            return "no absence recorded for this pupil; import the school's export with `brygga attendance import FILE`\n".into();
        }
        let mut out = table(
            [
                "WEEK",
                "MONDAY",
                "SCHEDULED",
                "VALID",
                "INVALID",
                "TOTAL",
                "4 WEEKS",
            ],
            self.weeks.iter().map(|w| {
                [
                    w.week.clone(),
                    w.week_start.clone(),
                    format!("{} min", w.scheduled_min),
                    pct(w.valid_pct),
                    pct(w.invalid_pct),
                    pct(w.total_pct),
                    pct(w.rolling4_total_pct),
                ]
            }),
        );
        out.push('\n');
        out.push_str(&table(
            [
                "WINDOW", "WEEKS", "FROM", "TO", "VALID", "INVALID", "TOTAL", "WARNING",
            ],
            self.windows.iter().map(|w| {
                [
                    w.label.clone(),
                    w.weeks_with_data.to_string(),
                    w.first_week.clone(),
                    w.last_week.clone(),
                    pct(w.valid_pct),
                    pct(w.invalid_pct),
                    pct(w.total_pct),
                    warning(&w.warning),
                ]
            }),
        ));
        out.push_str(&format!(
            "\nwarning (last 4 weeks): {}\n",
            warning(&self.warning)
        ));
        out.push_str(&self.thresholds.render());
        out
    }
}

impl Render for AbsenceChart {
    fn render(&self) -> String {
        let mut out = self.figures.render();
        out.push('\n');
        out.push_str(&table(
            ["DATE", "WEEK OF", "INTERVENTION", "ID"],
            self.interventions.iter().map(|i| {
                let what = match (i.kind, i.entry_kind) {
                    (InterventionKind::Entry, Some(k)) if i.signed => k.to_string(),
                    (InterventionKind::Entry, Some(k)) => format!("{k} (draft)"),
                    (InterventionKind::Entry, None) => "entry".into(),
                    (InterventionKind::CaseOpened, _) => "case opened".into(),
                    (InterventionKind::PlanStart, _) => "plan made".into(),
                    (InterventionKind::FollowUp, _) => "plan follow-up".into(),
                    (InterventionKind::LadderStep, _) => {
                        format!("ladder: {}", or_dash(i.ladder_step.as_deref()))
                    }
                };
                [i.date.clone(), i.week_start.clone(), what, i.id.clone()]
            }),
        ));
        out
    }
}

impl Render for Vec<AbsenceOverviewItem> {
    fn render(&self) -> String {
        table(
            [
                "PUPIL",
                "LATEST WEEK",
                "LAST 4",
                "VALID",
                "INVALID",
                "4 BEFORE",
                "TREND",
                "WARNING",
            ],
            self.iter().map(|o| {
                [
                    o.pupil_id.clone(),
                    o.latest_week.clone(),
                    pct(o.last4_total_pct),
                    pct(o.last4_valid_pct),
                    pct(o.last4_invalid_pct),
                    pct(o.previous4_total_pct),
                    or_dash(o.trend_pct_points.map(|t| format!("{t:+.1} pp")).as_deref()),
                    warning(&o.warning),
                ]
            }),
        )
    }
}
