//! The municipality's settings as text.

use super::{pairs, Render};
use brygga_core::{MunicipalitySettings, SettingSource};

pub(super) fn source(from: SettingSource) -> &'static str {
    match from {
        SettingSource::BuiltIn => "built-in",
        SettingSource::ThisLaptop => "set on this laptop",
        SettingSource::Municipality => "the municipality's",
    }
}

impl Render for MunicipalitySettings {
    fn render(&self) -> String {
        let [a, b, c] = self.absence_thresholds.0;
        let mut out = pairs(&[
            (
                "absence thresholds",
                format!(
                    "{a} %, {b} %, {c} % ({})",
                    source(self.absence_thresholds_from)
                ),
            ),
            (
                "closed cases leave after",
                format!("{} days", self.case_leaves_laptop_after_days),
            ),
            (
                "ladder steps",
                format!(
                    "{} ({})",
                    self.ladder_steps.len(),
                    source(self.ladder_steps_from)
                ),
            ),
        ]);
        out.push('\n');
        out.push_str(&self.ladder_steps.render());
        out
    }
}
