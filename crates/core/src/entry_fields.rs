//! The fields each kind of journal entry carries (docs/entry-kinds.md).
//!
//! Fields are checked when a draft is written, so what is signed is always
//! complete for its kind. Unknown keys are refused rather than stored: a
//! typo in a field name must not become a silently ignored fact.
//!
//! [`rules`] hands the same table to the UI (generated into
//! ui/src/lib/bindings/entryRules.ts), so that the entry form asks for and
//! checks exactly what this module will accept.

use crate::error::{Error, ReasonCode, Result};
use crate::ladder::{self, LadderStep};
use crate::programme;
use brygga_protocol::entry_kind::EntryKind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The minutes a session may last.
const MINUTES: RangeInclusive<u32> = 1..=600;

#[derive(Clone, Copy, Debug)]
enum Check {
    /// A few words.
    Text,
    /// Free text of a paragraph or more; checked as [`Check::Text`], asked
    /// for in a larger box.
    Paragraph,
    OneOf(&'static [&'static str]),
    /// Whole minutes, within [`MINUTES`].
    Minutes,
    /// HH:MM, 24-hour clock.
    TimeOfDay,
    /// A step of the return ladder in force
    /// ([`crate::Journal::ladder_steps`]).
    LadderStep,
}

impl Check {
    fn input(self, steps: &[LadderStep]) -> FieldInput {
        match self {
            Check::Text => FieldInput::Text,
            Check::Paragraph => FieldInput::Longtext,
            Check::OneOf(options) => FieldInput::Choice {
                options: options.iter().map(|o| (*o).to_owned()).collect(),
            },
            Check::Minutes => FieldInput::Minutes {
                min: *MINUTES.start(),
                max: *MINUTES.end(),
            },
            Check::TimeOfDay => FieldInput::Time,
            Check::LadderStep => FieldInput::Choice {
                options: steps.iter().map(|s| s.key.clone()).collect(),
            },
        }
    }
}

/// How a field is asked for and what it accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum FieldInput {
    Text,
    Longtext,
    Choice {
        options: Vec<String>,
    },
    /// Whole minutes from `min` to `max`.
    Minutes {
        min: u32,
        max: u32,
    },
    /// HH:MM, 24-hour clock.
    Time,
}

/// One field of a kind of entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldRule {
    pub key: String,
    pub required: bool,
    pub input: FieldInput,
}

/// What an entry of one kind needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KindRules {
    pub kind: EntryKind,
    pub text_required: bool,
    pub fields: Vec<FieldRule>,
}

/// Every kind's fields, in [`EntryKind::ALL`] order: what [`validate`]
/// checks with the same ladder `steps`, as data for the UI.
pub fn rules(steps: &[LadderStep]) -> Vec<KindRules> {
    EntryKind::ALL
        .into_iter()
        .map(|kind| KindRules {
            kind,
            text_required: text_required(kind),
            fields: specs(kind)
                .iter()
                .map(|s| FieldRule {
                    key: s.key.to_owned(),
                    required: s.required,
                    input: s.check.input(steps),
                })
                .collect(),
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct FieldSpec {
    key: &'static str,
    required: bool,
    check: Check,
}

const fn req(key: &'static str, check: Check) -> FieldSpec {
    FieldSpec {
        key,
        required: true,
        check,
    }
}

const fn opt(key: &'static str, check: Check) -> FieldSpec {
    FieldSpec {
        key,
        required: false,
        check,
    }
}

const YES_NO: &[&str] = &["yes", "no"];
/// Morning check-in outcomes, as on the check-in board.
pub const ARRIVAL: &[&str] = &["arrived", "late", "not-seen"];
const STAFF: &[&str] = &[
    "teacher",
    "mentor",
    "nurse",
    "counsellor",
    "principal",
    "other",
];
const DIRECTION: &[&str] = &["incoming", "outgoing"];

/// Names the programme session an entry records (docs/programmes.md).
/// Which sessions there are depends on the case's programme, which the
/// rules of a kind do not know: the case checks the number
/// ([`crate::Journal::draft_entry`]) and the form offers its sessions.
const PROGRAMME_SESSION: FieldSpec = opt(programme::SESSION_FIELD, Check::Text);

const HOME_VISIT: &[FieldSpec] = &[
    req("place", Check::Text),
    req("purpose", Check::Text),
    opt("agreed", Check::Paragraph),
    PROGRAMME_SESSION,
];
const MORNING_CHECKIN: &[FieldSpec] = &[
    req("arrival", Check::OneOf(ARRIVAL)),
    opt("time", Check::TimeOfDay),
    opt("mood", Check::Text),
];
const APARTMENT_SESSION: &[FieldSpec] = &[
    req("teacher_present", Check::OneOf(YES_NO)),
    req("step", Check::LadderStep),
    req("duration_min", Check::Minutes),
    PROGRAMME_SESSION,
];
const CONSULTATION: &[FieldSpec] = &[
    req("staff_role", Check::OneOf(STAFF)),
    opt("topic", Check::Text),
    PROGRAMME_SESSION,
];
const COLLABORATION_MEETING: &[FieldSpec] = &[
    req("parties", Check::Text),
    opt("outcome", Check::Paragraph),
    PROGRAMME_SESSION,
];
const PHONE_CALL: &[FieldSpec] = &[
    req("with_whom", Check::Text),
    opt("direction", Check::OneOf(DIRECTION)),
    PROGRAMME_SESSION,
];

fn specs(kind: EntryKind) -> &'static [FieldSpec] {
    match kind {
        EntryKind::HomeVisit => HOME_VISIT,
        EntryKind::MorningCheckin => MORNING_CHECKIN,
        EntryKind::ApartmentSession => APARTMENT_SESSION,
        EntryKind::Consultation => CONSULTATION,
        EntryKind::CollaborationMeeting => COLLABORATION_MEETING,
        EntryKind::PhoneCall => PHONE_CALL,
        EntryKind::Note => &[PROGRAMME_SESSION],
    }
}

/// Whether an entry of this kind may have empty text. A morning check-in
/// records its facts in fields; every other kind needs words.
pub fn text_required(kind: EntryKind) -> bool {
    kind != EntryKind::MorningCheckin
}

fn check_value(key: &str, value: &str, check: Check, steps: &[LadderStep]) -> Result<()> {
    let ok = match check {
        Check::Text | Check::Paragraph => !value.trim().is_empty(),
        Check::OneOf(allowed) => allowed.contains(&value),
        Check::Minutes => value.parse::<u32>().is_ok_and(|m| MINUTES.contains(&m)),
        Check::TimeOfDay => chrono::NaiveTime::parse_from_str(value, "%H:%M").is_ok(),
        Check::LadderStep => ladder::check_step(steps, value).is_ok(),
    };
    if ok {
        return Ok(());
    }
    let expected = match check {
        Check::Text | Check::Paragraph => "some text".to_owned(),
        Check::OneOf(allowed) => format!("one of {}", allowed.join(", ")),
        Check::Minutes => format!(
            "whole minutes from {} to {}",
            MINUTES.start(),
            MINUTES.end()
        ),
        Check::TimeOfDay => "a time as HH:MM".to_owned(),
        Check::LadderStep => format!(
            "a step of the ladder: {}",
            steps
                .iter()
                .map(|s| s.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Err(Error::invalid(
        ReasonCode::FieldValue,
        format!("field '{key}' is '{value}', expected {expected}"),
    )
    .with("field", key))
}

/// The minutes of a collaboration meeting record what each plan action
/// came to under `result:<action id>` (docs/adr/0032-well-prepared-meetings.md):
/// part of the signed content, so the signature names them.
pub const RESULT_PREFIX: &str = "result:";

/// The field that holds the result of `action_id` in the minutes.
pub fn result_key(action_id: &uuid::Uuid) -> String {
    format!("{RESULT_PREFIX}{action_id}")
}

/// The action a field of the minutes records the result of, if it is one.
pub fn result_action(kind: EntryKind, key: &str) -> Option<uuid::Uuid> {
    if kind != EntryKind::CollaborationMeeting {
        return None;
    }
    key.strip_prefix(RESULT_PREFIX)
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
}

/// Checks `fields` against what `kind` requires and allows; a ladder step
/// must be one of `steps`, those in force.
pub fn validate(
    kind: EntryKind,
    fields: &BTreeMap<String, String>,
    steps: &[LadderStep],
) -> Result<()> {
    let specs = specs(kind);
    for (key, value) in fields
        .iter()
        .filter(|(k, _)| result_action(kind, k).is_some())
    {
        check_value(key, value, Check::Paragraph, steps)?;
    }
    if let Some(unknown) = fields
        .keys()
        .find(|k| !specs.iter().any(|s| s.key == *k) && result_action(kind, k).is_none())
    {
        let allowed: Vec<_> = specs.iter().map(|s| s.key).collect();
        return Err(Error::invalid(
            ReasonCode::FieldUnknown,
            format!(
                "field '{unknown}' does not belong to a {kind} entry (allowed: {})",
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                }
            ),
        )
        .with("field", unknown));
    }
    for spec in specs {
        match fields.get(spec.key) {
            Some(value) => check_value(spec.key, value, spec.check, steps)?,
            None if spec.required => {
                return Err(Error::invalid(
                    ReasonCode::FieldMissing,
                    format!("a {kind} entry needs the field '{}'", spec.key),
                )
                .with("field", spec.key))
            }
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder::default_ladder_steps;

    /// Validates with the built-in ladder steps.
    fn check(kind: EntryKind, fields: &BTreeMap<String, String>) -> Result<()> {
        validate(kind, fields, &default_ladder_steps())
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_complete_home_visit_passes() {
        check(
            EntryKind::HomeVisit,
            &fields(&[("place", "hemmet"), ("purpose", "motivation")]),
        )
        .expect("valid");
    }

    #[test]
    fn missing_required_field_is_named() {
        let e =
            check(EntryKind::HomeVisit, &fields(&[("place", "hemmet")])).expect_err("must fail");
        assert!(e.to_string().contains("purpose"), "{e}");
    }

    #[test]
    fn unknown_field_lists_the_allowed_ones() {
        let e = check(EntryKind::Note, &fields(&[("place", "x")])).expect_err("must fail");
        assert!(e.to_string().contains("allowed: programme_session"), "{e}");
    }

    #[test]
    fn values_are_checked_by_type() {
        let apartment = |d: &str| {
            check(
                EntryKind::ApartmentSession,
                &fields(&[
                    ("teacher_present", "yes"),
                    ("step", "calmer-unit"),
                    ("duration_min", d),
                ]),
            )
        };
        assert!(apartment("45").is_ok());
        assert!(apartment("0").is_err());
        assert!(apartment("fyrtio").is_err());
        let step = |s: &str| {
            check(
                EntryKind::ApartmentSession,
                &fields(&[
                    ("teacher_present", "no"),
                    ("step", s),
                    ("duration_min", "45"),
                ]),
            )
        };
        assert!(step("transition-apartment").is_ok());
        let e = step("2").expect_err("a session names a step of the ladder");
        assert!(e.to_string().contains("home-visits"), "{e}");
        let checkin = |a: &str, t: &str| {
            check(
                EntryKind::MorningCheckin,
                &fields(&[("arrival", a), ("time", t)]),
            )
        };
        assert!(checkin("late", "08:20").is_ok());
        assert!(checkin("maybe", "08:20").is_err());
        assert!(checkin("late", "25:00").is_err());
    }

    #[test]
    fn the_rules_for_the_ui_are_the_table_validate_checks() {
        for rules in rules(&default_ladder_steps()) {
            let all: BTreeMap<String, String> = rules
                .fields
                .iter()
                .map(|f| {
                    let value = match &f.input {
                        FieldInput::Choice { options } => options[0].clone(),
                        FieldInput::Minutes { max, .. } => max.to_string(),
                        FieldInput::Time => "23:59".to_owned(),
                        FieldInput::Text | FieldInput::Longtext => "något".to_owned(),
                    };
                    (f.key.clone(), value)
                })
                .collect();
            check(rules.kind, &all).expect("every field filled as its rule says");
            for field in rules.fields.iter().filter(|f| f.required) {
                let mut without = all.clone();
                without.remove(&field.key);
                assert!(check(rules.kind, &without).is_err(), "{}", field.key);
            }
        }
    }

    #[test]
    fn minutes_may_record_a_result_of_an_action_and_nothing_else_may() {
        let action = uuid::Uuid::from_u128(7);
        let with = |kind, value: &str| {
            let mut f = fields(&[("parties", "Skolan, BUP")]);
            f.insert(result_key(&action), value.to_owned());
            check(kind, &f)
        };
        with(
            EntryKind::CollaborationMeeting,
            "Mentorn möter eleven varje morgon",
        )
        .expect("a result in the minutes");
        let blank = with(EntryKind::CollaborationMeeting, "  ").expect_err("a blank result");
        assert!(blank.to_string().contains("result:"), "{blank}");
        let note = check(EntryKind::Note, &fields(&[(&result_key(&action), "Gjort")]))
            .expect_err("only minutes record results");
        assert!(note.to_string().contains("does not belong"), "{note}");
        let not_an_id = check(
            EntryKind::CollaborationMeeting,
            &fields(&[("parties", "Skolan"), ("result:mentorn", "Gjort")]),
        )
        .expect_err("a result names an action by its id");
        assert!(
            not_an_id.to_string().contains("result:mentorn"),
            "{not_an_id}"
        );
    }

    #[test]
    fn only_checkins_may_have_empty_text() {
        let optional: Vec<_> = EntryKind::ALL
            .into_iter()
            .filter(|k| !text_required(*k))
            .collect();
        assert_eq!(optional, vec![EntryKind::MorningCheckin]);
    }
}
