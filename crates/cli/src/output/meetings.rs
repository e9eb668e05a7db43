//! A meeting's agenda and a plan's versions as text.

use super::{or_dash, pairs, table, Render};
use brygga_core::views::ActionView;
use brygga_core::{AgendaView, PlanVersionView};

/// The latest result the minutes recorded of an action.
fn last_result(a: &ActionView) -> String {
    or_dash(a.results.last().map(|r| r.result.as_str()))
}

impl Render for AgendaView {
    fn render(&self) -> String {
        let mut out = pairs(&[("case", self.case_id.clone()), ("day", self.day.clone())]);
        for p in &self.plans {
            out.push('\n');
            let due = if p.follow_up_due { " (due)" } else { "" };
            out.push_str(&pairs(&[
                (
                    "plan",
                    format!("{} (version {})", p.plan.id, p.plan.version),
                ),
                ("needs", p.plan.needs.clone()),
                ("follow-up", format!("{}{due}", p.plan.follow_up_on)),
            ]));
            if p.plan.actions.is_empty() {
                out.push_str("no open actions\n");
                continue;
            }
            out.push_str(&table(
                ["ACTION", "WHO", "WHAT", "DUE", "STATUS", "LAST RESULT"],
                p.plan.actions.iter().map(|a| {
                    [
                        a.id.clone(),
                        a.who.clone(),
                        a.what.clone(),
                        or_dash(a.due_on.as_deref()),
                        a.status.clone(),
                        last_result(a),
                    ]
                }),
            ));
        }
        if self.plans.is_empty() {
            out.push_str("\nno plans\n");
        }
        out.push_str(if self.followups.is_empty() {
            "\nfollow-ups due: none\n"
        } else {
            "\nfollow-ups due:\n"
        });
        if !self.followups.is_empty() {
            out.push_str(&table(
                ["FOLLOW-UP", "TASK", "DUE"],
                self.followups
                    .iter()
                    .map(|f| [f.id.clone(), f.task.clone(), f.due_on.clone()]),
            ));
        }
        out
    }
}

impl Render for Vec<PlanVersionView> {
    fn render(&self) -> String {
        self.iter()
            .map(|v| {
                let revises = match (v.revises, v.concurrent) {
                    (None, _) => "created".to_owned(),
                    (Some(n), false) => format!("revises version {n}"),
                    (Some(n), true) => format!(
                        "revises version {n}, made at the same time as version {}",
                        v.number - 1
                    ),
                };
                let mut out = pairs(&[
                    ("version", format!("{} — {revises}", v.number)),
                    ("written", format!("{} by {}", v.written_at, v.author)),
                    ("needs", v.needs.clone()),
                    ("goals", v.goals.join("; ")),
                    ("lead", v.lead_party.clone()),
                    ("follow-up", v.follow_up_on.clone()),
                ]);
                out.push_str(&table(
                    ["ACTION", "WHO", "WHAT", "DUE"],
                    v.actions.iter().map(|a| {
                        [
                            a.id.clone(),
                            a.who.clone(),
                            a.what.clone(),
                            or_dash(a.due_on.as_deref()),
                        ]
                    }),
                ));
                out
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
