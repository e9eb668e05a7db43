//! The team's key persons as text.

use super::{conflicts, or_dash, table, Render};
use brygga_core::ContactView;

impl Render for Vec<ContactView> {
    fn render(&self) -> String {
        if self.is_empty() {
            return "No key persons.\n".to_owned();
        }
        let mut out = table(
            [
                "ID",
                "ORG",
                "ORGANISATION",
                "ROLE",
                "NAME",
                "PHONE",
                "EMAIL",
                "LEFT",
            ],
            self.iter().map(|c| {
                [
                    c.id.clone(),
                    c.org_kind.clone(),
                    or_dash(Some(c.org_name.as_str()).filter(|n| !n.is_empty())),
                    c.role.clone(),
                    c.name.clone(),
                    or_dash(c.phone.as_deref()),
                    or_dash(c.email.as_deref()),
                    or_dash(c.left_on.as_deref()),
                ]
            }),
        );
        for c in self {
            out.push_str(&conflicts(&c.conflicts));
        }
        out
    }
}
