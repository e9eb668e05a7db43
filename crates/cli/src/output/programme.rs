//! Programmes as text.

use super::settings::source;
use super::{or_dash, pairs, table, Render};
use brygga_core::programme::TemplateInForce;
use brygga_core::ProgrammeView;

impl Render for Vec<TemplateInForce> {
    fn render(&self) -> String {
        table(
            ["TEMPLATE", "VERSION", "NAME", "SESSIONS", "FROM"],
            self.iter().map(|TemplateInForce { template: t, from }| {
                [
                    t.key.clone(),
                    t.version.to_string(),
                    t.name.clone(),
                    t.sessions.len().to_string(),
                    source(*from).to_owned(),
                ]
            }),
        )
    }
}

impl Render for Option<ProgrammeView> {
    fn render(&self) -> String {
        let Some(p) = self else {
            return "The case follows no programme.\n".to_owned();
        };
        let next = p.next.map(|n| n.to_string());
        let mut out = pairs(&[
            ("case", p.case_id.clone()),
            (
                "programme",
                format!(
                    "{} ({} version {})",
                    p.name, p.template_key, p.template_version
                ),
            ),
            ("started", format!("{} by {}", p.started_on, p.started_by)),
            ("return date", or_dash(p.return_date.as_deref())),
            ("next session", or_dash(next.as_deref())),
        ]);
        for c in &p.return_conflicts {
            out.push_str(&format!(
                "  conflict: {} planned {} at the same time\n",
                c.lost_author, c.lost_value
            ));
        }
        out.push('\n');
        out.push_str(&table(
            ["SESSION", "KIND", "TITLE", "DONE", "ENTRY"],
            p.sessions.iter().map(|s| {
                let title = if s.module {
                    format!("{} [module]", s.title)
                } else {
                    s.title.clone()
                };
                [
                    s.number.to_string(),
                    s.kind.as_str().to_owned(),
                    title,
                    or_dash(s.done.as_ref().map(|d| d.on.as_str())),
                    or_dash(s.done.as_ref().map(|d| d.entry_id.as_str())),
                ]
            }),
        ));
        if !p.modules.is_empty() {
            out.push_str("\nModules: ");
            let names: Vec<_> = p
                .modules
                .iter()
                .map(|m| format!("{} ({})", m.title, m.key))
                .collect();
            out.push_str(&names.join(", "));
            out.push('\n');
        }
        if !p.exposure_steps.is_empty() {
            out.push_str("\nExposure plan, easiest first:\n");
            for (i, step) in p.exposure_steps.iter().enumerate() {
                out.push_str(&format!("  {}. {step}\n", i + 1));
            }
        }
        out
    }
}
