//! A case's disclosure register as text.

use super::{cell, table, Render};
use brygga_core::DisclosureView;

impl Render for Vec<DisclosureView> {
    fn render(&self) -> String {
        if self.is_empty() {
            return "No disclosures.\n".to_owned();
        }
        table(
            ["ID", "ON", "RECIPIENT", "GROUND", "WHAT"],
            self.iter().map(|d| {
                let ground = match (&d.consent_id, &d.ground) {
                    (Some(consent), _) => format!(
                        "consent {consent} ({})",
                        d.consent_scope.as_deref().unwrap_or_default()
                    ),
                    (None, named) => named.clone().unwrap_or_default(),
                };
                [
                    d.id.clone(),
                    d.disclosed_on.clone(),
                    cell(&d.recipient),
                    cell(&ground),
                    cell(&d.what),
                ]
            }),
        )
    }
}
