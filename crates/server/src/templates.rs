//! The municipality's programme templates (docs/programmes.md,
//! docs/settings.md): a template file checked by the same rules the
//! laptops use, and signed into a `programme-template` notice to every
//! team. What is in force is the built-in templates and the newest notice
//! of each key (`brygga_protocol::programme::in_force`, as on the
//! laptops); the notices are the one record of them.

use crate::admin_log::AdminLog;
use crate::error::{Error, Result};
use crate::notice_key::NoticeKey;
use crate::settings::{bodies, tell_every_team};
use crate::store::plan::settings::template_notice;
use crate::store::Store;
use brygga_protocol::notice::{self, NoticeBody, SignedNotice};
use brygga_protocol::programme::{self, Template};
use std::path::Path;

/// The templates in force, built-in ones first, each with whether it is
/// the municipality's.
pub async fn in_force(store: &dyn Store) -> Result<Vec<(Template, bool)>> {
    let theirs = bodies(store, notice::PROGRAMME_TEMPLATE)
        .await?
        .into_iter()
        .filter_map(|body| match body {
            NoticeBody::ProgrammeTemplate { template } => Some(template),
            _ => None,
        });
    Ok(programme::in_force(theirs))
}

/// Signs `template` (valid by the file format) with `key()` into a notice
/// to every team. Refused as [`Error::Invalid`] with nothing written (not
/// even a first notice key) when it changes the template of its key
/// without raising the version; None when it is the municipality's
/// template in force already.
pub async fn add(
    store: &dyn Store,
    key: impl FnOnce() -> Result<NoticeKey>,
    log: &AdminLog,
    template: Template,
    now_ms: i64,
) -> Result<Option<SignedNotice>> {
    let in_force = in_force(store).await?;
    let current = in_force
        .iter()
        .find(|(t, _)| t.key == template.key)
        .map(|(t, theirs)| (t, *theirs));
    let body = template_notice(template, current).map_err(Error::Invalid)?;
    let told = tell_every_team(store, key, log, body.into_iter().collect(), now_ms).await?;
    Ok(told.into_iter().next())
}

/// The template of a file in the documented format, checked by
/// `Template::from_file_text` (a misspelt field is refused too).
pub fn read_file(file: &Path) -> Result<Template> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::Invalid(format!(
            "cannot read the template file {}: {e}",
            file.display()
        ))
    })?;
    Template::from_file_text(&text).map_err(|problem| {
        Error::Invalid(format!(
            "the template file {} is refused: {problem} (docs/programmes.md)",
            file.display()
        ))
    })
}
