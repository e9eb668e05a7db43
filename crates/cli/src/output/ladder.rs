//! The return ladder as text.

use super::{or_dash, pairs, table, Render};
use brygga_core::{LadderStep, LadderView};

impl Render for Vec<LadderStep> {
    fn render(&self) -> String {
        table(
            ["STEP", "ENGLISH", "SWEDISH"],
            self.iter()
                .map(|s| [s.key.clone(), s.name_en.clone(), s.name_sv.clone()]),
        )
    }
}

impl Render for LadderView {
    fn render(&self) -> String {
        let next = self
            .next
            .as_ref()
            .map(|n| format!("{} on {}", n.step, n.on));
        let mut out = pairs(&[
            ("case", self.case_id.clone()),
            ("current step", or_dash(self.current.as_deref())),
            ("planned next", or_dash(next.as_deref())),
        ]);
        for c in &self.next_conflicts {
            out.push_str(&format!(
                "  conflict: {} planned {} at the same time\n",
                c.lost_author, c.lost_value
            ));
        }
        if !self.history.is_empty() {
            out.push('\n');
            out.push_str(&table(
                ["DECIDED", "STEP", "BY", "NOTE"],
                self.history.iter().map(|r| {
                    [
                        r.decided_on.clone(),
                        r.step.clone(),
                        r.decided_by.clone(),
                        r.note.clone(),
                    ]
                }),
            ));
        }
        out
    }
}
