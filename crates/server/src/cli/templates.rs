//! `template add|list`: the programme templates in force, as text or
//! JSON.

use super::settings::from;
use super::{admin_log, notice_key, open_store, print_json, Cli, TemplateCommand};
use crate::error::{Error, Result};
use crate::templates::{add, in_force, read_file};
use brygga_protocol::programme::Template;
use std::path::Path;

pub(super) async fn run(cli: &Cli, dir: &Path, command: &TemplateCommand) -> Result<()> {
    match command {
        TemplateCommand::List { json } => {
            let store = open_store(cli, dir).await?;
            let templates = in_force(store.as_ref()).await?;
            if *json {
                print_json(&as_json(&templates)?)
            } else {
                print!("{}", as_text(&templates));
                Ok(())
            }
        }
        TemplateCommand::Add { file } => {
            // Read and checked before the database is opened: a refused
            // file writes nothing.
            let template = read_file(file)?;
            let store = open_store(cli, dir).await?;
            let now = crate::clock::now_ms();
            let key = || notice_key(cli, dir);
            match add(store.as_ref(), key, &admin_log(cli, dir), template, now).await? {
                Some(told) => println!(
                    "told every team: {} (notice {})",
                    told.notice.body.type_name(),
                    told.notice.id
                ),
                None => println!("nothing changed: that template is in force already"),
            }
            print!("{}", as_text(&in_force(store.as_ref()).await?));
            Ok(())
        }
    }
}

/// Each template whole, as in a template file, with `from`.
fn as_json(templates: &[(Template, bool)]) -> Result<serde_json::Value> {
    templates
        .iter()
        .map(|(template, theirs)| {
            let mut value = serde_json::to_value(template)
                .map_err(|e| Error::Usage(format!("JSON output: {e}")))?;
            value["from"] = from(*theirs).into();
            Ok(value)
        })
        .collect()
}

fn as_text(templates: &[(Template, bool)]) -> String {
    let mut out = format!(
        "{:<40}  {:>7}  {:>8}  {:<12}  NAME\n",
        "TEMPLATE", "VERSION", "SESSIONS", "FROM"
    );
    for (t, theirs) in templates {
        out.push_str(&format!(
            "{:<40}  {:>7}  {:>8}  {:<12}  {}\n",
            t.key,
            t.version,
            t.sessions.len(),
            from(*theirs),
            t.name
        ));
    }
    out
}
