//! The morning as text: who is expected, the follow-ups.

use super::{table, Render};
use brygga_core::{ExpectedPupil, FollowupView};

impl Render for Vec<ExpectedPupil> {
    fn render(&self) -> String {
        table(
            ["TIME", "PUPIL", "CASE", "ACTION"],
            self.iter().map(|e| {
                [
                    e.time.clone(),
                    e.pupil_name.clone(),
                    e.case_id.clone(),
                    e.what.clone(),
                ]
            }),
        )
    }
}

impl Render for Vec<FollowupView> {
    fn render(&self) -> String {
        table(
            ["ID", "DUE", "TASK", "PUPIL", "CASE"],
            self.iter().map(|f| {
                [
                    f.id.clone(),
                    f.due_on.clone(),
                    f.task.clone(),
                    f.pupil_name.clone(),
                    f.case_id.clone(),
                ]
            }),
        )
    }
}
