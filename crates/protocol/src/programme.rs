//! Programme templates (docs/programmes.md): the planned sessions, modules
//! and graded exposure steps of a treatment programme such as Back2School.
//!
//! A template is plain data in one JSON format, whoever wrote it: the
//! built-in [`back2school`], or a municipality's own file that the server
//! checks with the same [`Template::validate`] before it signs it into a
//! notice (and a laptop checks again when it takes the notice in). Which
//! templates are in force is [`in_force`]'s to say, on the server and on
//! the laptop alike. A case that starts a programme carries a copy of the
//! template in its operation, so every laptop replays the same plan
//! whichever templates it knows.

use serde::{Deserialize, Serialize};

/// A programme: what a case that follows it plans to do, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Template {
    /// Stable key: lower-case letters, digits and hyphens (`back2school`).
    pub key: String,
    /// Raised by the author on every change; a case keeps the version it
    /// started with.
    pub version: u32,
    /// The programme's name as the therapist knows it.
    pub name: String,
    /// The planned sessions, numbered from 0 (an assessment) or 1, without
    /// gaps.
    pub sessions: Vec<TemplateSession>,
    /// What a session marked `module` may take up, chosen for the pupil.
    #[serde(default)]
    pub modules: Vec<Module>,
    /// The graded steps of exposure towards the return, easiest first.
    #[serde(default)]
    pub exposure_steps: Vec<String>,
}

/// One planned session of a programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateSession {
    /// 0 is the assessment; the rest count from 1.
    pub number: u32,
    pub kind: SessionKind,
    pub title: String,
    /// The session takes up one of the template's modules.
    #[serde(default)]
    pub module: bool,
}

/// Who a session is with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    /// Session 0: the school attendance problem, goals, a return date.
    Assessment,
    /// The pupil alone.
    Pupil,
    /// The parents (guardians) alone.
    Parent,
    /// The pupil and the parents together.
    Joint,
    /// A meeting with the school.
    SchoolMeeting,
    /// A follow-up some time after the last session.
    Booster,
}

impl SessionKind {
    pub const ALL: [SessionKind; 6] = [
        SessionKind::Assessment,
        SessionKind::Pupil,
        SessionKind::Parent,
        SessionKind::Joint,
        SessionKind::SchoolMeeting,
        SessionKind::Booster,
    ];

    /// The name in the file format.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Assessment => "assessment",
            SessionKind::Pupil => "pupil",
            SessionKind::Parent => "parent",
            SessionKind::Joint => "joint",
            SessionKind::SchoolMeeting => "school-meeting",
            SessionKind::Booster => "booster",
        }
    }
}

/// A module a session may take up (anxiety, low mood…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Module {
    pub key: String,
    pub title: String,
}

/// Why a template is refused: where (`sessions[3].title`) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct TemplateProblem {
    pub at: String,
    pub problem: String,
}

/// Most sessions, modules and exposure steps a template may plan.
pub const MAX_ITEMS: usize = 60;
/// Longest key, in characters.
pub const MAX_KEY_CHARS: usize = 40;
/// Longest name, title or step, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

fn problem(at: impl Into<String>, problem: impl Into<String>) -> TemplateProblem {
    TemplateProblem {
        at: at.into(),
        problem: problem.into(),
    }
}

/// Refuses a template key that is not well formed. Whether a template of
/// that key is in force is for whoever knows the municipality's templates
/// to say.
pub fn check_template_key(key: &str) -> Result<(), TemplateProblem> {
    check_key("key", key)
}

fn check_key(at: &str, key: &str) -> Result<(), TemplateProblem> {
    let well_formed = key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed || key.chars().count() > MAX_KEY_CHARS {
        return Err(problem(
            at,
            format!(
                "'{key}' is not a key: a lower-case letter, then letters, digits and hyphens, \
                 at most {MAX_KEY_CHARS}"
            ),
        ));
    }
    Ok(())
}

fn check_text(at: &str, text: &str) -> Result<(), TemplateProblem> {
    if text.trim().is_empty() {
        return Err(problem(at, "is empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(problem(
            at,
            format!("is longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_count(at: &str, n: usize) -> Result<(), TemplateProblem> {
    if n > MAX_ITEMS {
        return Err(problem(at, format!("more than {MAX_ITEMS}")));
    }
    Ok(())
}

impl Template {
    /// Reads a template file: JSON in the documented format, with no field
    /// the format does not have (a misspelt field is refused, not
    /// ignored), valid by [`Template::validate`].
    pub fn from_file_text(text: &str) -> Result<Template, TemplateProblem> {
        let raw: serde_json::Value =
            serde_json::from_str(text).map_err(|e| problem("file", e.to_string()))?;
        let template: Template =
            serde_json::from_value(raw.clone()).map_err(|e| problem("file", e.to_string()))?;
        let known = serde_json::to_value(&template).map_err(|e| problem("file", e.to_string()))?;
        unknown_field(&raw, &known, "")?;
        template.validate()?;
        Ok(template)
    }

    /// The rules every template keeps (docs/programmes.md): a key, a
    /// version from 1, a name; sessions numbered from 0 or 1 in order
    /// without gaps, the assessment only as session 0; modules with
    /// distinct keys, and a module session only when there are modules;
    /// no empty or overlong text.
    pub fn validate(&self) -> Result<(), TemplateProblem> {
        check_key("key", &self.key)?;
        if self.version == 0 {
            return Err(problem("version", "counts from 1"));
        }
        check_text("name", &self.name)?;
        self.check_sessions()?;
        self.check_modules()?;
        check_count("exposure_steps", self.exposure_steps.len())?;
        for (i, step) in self.exposure_steps.iter().enumerate() {
            check_text(&format!("exposure_steps[{i}]"), step)?;
        }
        Ok(())
    }

    fn check_sessions(&self) -> Result<(), TemplateProblem> {
        if self.sessions.is_empty() {
            return Err(problem(
                "sessions",
                "a programme plans at least one session",
            ));
        }
        check_count("sessions", self.sessions.len())?;
        let first = self.sessions[0].number.min(1);
        for (i, s) in self.sessions.iter().enumerate() {
            let at = format!("sessions[{i}]");
            if s.number != first + i as u32 {
                return Err(problem(
                    format!("{at}.number"),
                    format!(
                        "is {}, expected {}: sessions count from 0 or 1 in order, without gaps",
                        s.number,
                        first + i as u32
                    ),
                ));
            }
            if (s.number == 0) != (s.kind == SessionKind::Assessment) {
                return Err(problem(
                    format!("{at}.kind"),
                    "session 0 is the assessment, and only session 0",
                ));
            }
            check_text(&format!("{at}.title"), &s.title)?;
            if s.module && self.modules.is_empty() {
                return Err(problem(
                    format!("{at}.module"),
                    "a module session needs modules to choose from",
                ));
            }
        }
        Ok(())
    }

    fn check_modules(&self) -> Result<(), TemplateProblem> {
        check_count("modules", self.modules.len())?;
        for (i, m) in self.modules.iter().enumerate() {
            check_key(&format!("modules[{i}].key"), &m.key)?;
            check_text(&format!("modules[{i}].title"), &m.title)?;
            if self.modules[..i].iter().any(|o| o.key == m.key) {
                return Err(problem(
                    format!("modules[{i}].key"),
                    format!("'{}' appears twice", m.key),
                ));
            }
        }
        Ok(())
    }

    /// The planned session numbered `number`.
    pub fn session(&self, number: u32) -> Option<&TemplateSession> {
        self.sessions.iter().find(|s| s.number == number)
    }
}

/// The first field of `raw` (a file) that the format (`known`, the file
/// read and written again) does not have.
fn unknown_field(
    raw: &serde_json::Value,
    known: &serde_json::Value,
    at: &str,
) -> Result<(), TemplateProblem> {
    use serde_json::Value;
    match (raw, known) {
        (Value::Object(raw), Value::Object(known)) => {
            for (name, value) in raw {
                let here = if at.is_empty() {
                    name.clone()
                } else {
                    format!("{at}.{name}")
                };
                let Some(expected) = known.get(name) else {
                    return Err(problem(here, "is not a field of a template"));
                };
                unknown_field(value, expected, &here)?;
            }
            Ok(())
        }
        (Value::Array(raw), Value::Array(known)) => raw
            .iter()
            .zip(known)
            .enumerate()
            .try_for_each(|(i, (r, k))| unknown_field(r, k, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

/// The templates built into Brygga, in force until the municipality's
/// own replace them.
pub fn built_in() -> Vec<Template> {
    vec![back2school()]
}

/// The templates in force, given the municipality's own in the order
/// their notices were issued: the built-in ones in their order, each
/// replaced by the municipality's template of its key, then the
/// municipality's other keys in the order they first came. Of one key the
/// newest notice wins. Each template says whether it is the
/// municipality's (true) or built in.
pub fn in_force(municipality: impl IntoIterator<Item = Template>) -> Vec<(Template, bool)> {
    let mut templates: Vec<(Template, bool)> = built_in().into_iter().map(|t| (t, false)).collect();
    for template in municipality {
        match templates.iter_mut().find(|(t, _)| t.key == template.key) {
            Some(slot) => *slot = (template, true),
            None => templates.push((template, true)),
        }
    }
    templates
}

mod back2school;
pub use back2school::back2school;

#[cfg(test)]
mod tests;
