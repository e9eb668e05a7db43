//! Deviations in collaboration as text: a case's, and the team's summary.

use super::{cell, conflicts, or_dash, table, Render};
use brygga_core::export::DeviationSummary;
use brygga_core::DeviationView;

impl Render for Vec<DeviationView> {
    fn render(&self) -> String {
        if self.is_empty() {
            return "No deviations.\n".to_owned();
        }
        let mut out = table(
            [
                "ID", "NOTED", "PARTNER", "CATEGORY", "STATUS", "ACTION", "TEXT",
            ],
            self.iter().map(|d| {
                [
                    d.id.clone(),
                    d.noted_on.clone(),
                    d.partner.clone(),
                    d.category.clone(),
                    d.status.clone(),
                    or_dash(d.action_what.as_deref()),
                    cell(&d.text),
                ]
            }),
        );
        for d in self {
            out.push_str(&conflicts(&d.conflicts));
        }
        out
    }
}

impl Render for DeviationSummary {
    fn render(&self) -> String {
        if self.groups.is_empty() {
            return "No deviations.\n".to_owned();
        }
        let mut out = table(
            [
                "PARTNER",
                "CATEGORY",
                "PUPILS",
                "DEVIATIONS",
                "OPEN",
                "RAISED",
                "MENDED",
            ],
            self.groups.iter().map(|g| {
                [
                    g.partner.clone(),
                    g.category.clone(),
                    g.pupils.text(),
                    g.deviations.text(),
                    g.open.text(),
                    g.raised.text(),
                    g.mended.text(),
                ]
            }),
        );
        out.push_str(&format!(
            "Groups of fewer than {n} pupils and counts under {n} are shown as <{n}.\n",
            n = self.min_group
        ));
        out
    }
}
