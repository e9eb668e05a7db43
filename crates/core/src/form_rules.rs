//! The rules of the case view's forms: consent, its withdrawal, the
//! collaboration plan and the report of concern.
//!
//! One table ([`rules`]) with two interpreters: [`check`] here, which the
//! core runs on every input before anything is written, and the UI's
//! (ui/src/lib/caseForms.ts), which reads the same table generated into
//! ui/src/lib/bindings/caseFormRules.ts and says what is wrong next to the
//! field before the shell is called. A rule changed here changes both.

use crate::error::{code_name, Error, ReasonCode, Result};
use crate::{clock, text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A form of the case view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    Consent,
    Withdrawal,
    Plan,
    Concern,
}

impl Form {
    pub const ALL: [Form; 4] = [Form::Consent, Form::Withdrawal, Form::Plan, Form::Concern];
}

/// What a field accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FieldCheck {
    /// Text, trimmed, of at most `max_chars` characters.
    Text { max_chars: u32 },
    /// One of the form's options; the core's types only hold options.
    Choice,
    /// A calendar date, YYYY-MM-DD; with `not_future` not after today,
    /// with `not_before` not before the date of that field (of the form,
    /// or of what the form is about, such as the consent withdrawn).
    Date {
        not_future: bool,
        not_before: Option<String>,
    },
    /// A date and time, not later than now plus `slack_seconds` (two
    /// clocks never agree to the second).
    Moment { slack_seconds: u32 },
    /// Texts, one an item; blank items are left out; at least `min`.
    Items { min: u32, max_chars: u32 },
    /// Rows of fields; a wholly blank row is left out.
    Rows { fields: Vec<FormField> },
}

/// One field of a form, named as in the core's input type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormField {
    pub key: String,
    pub required: bool,
    pub check: FieldCheck,
}

/// Every field of one form, in the order they are checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormRules {
    pub form: Form,
    pub fields: Vec<FormField>,
}

/// What is wrong with a field: the `problem` of a
/// [`ReasonCode::FormField`] and the UI's `form.problem_<problem>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FormProblem {
    Required,
    Choice,
    /// Not a date (only typed text can be; the core's dates are parsed).
    Date,
    /// Not a date and time.
    Datetime,
    Future,
    Before,
    TooLong,
    /// Fewer items than the minimum.
    Items,
    /// A row that is not blank lacks a required field.
    Row,
}

impl FormProblem {
    fn english(self) -> &'static str {
        match self {
            FormProblem::Required => "is empty",
            FormProblem::Choice => "is not chosen",
            FormProblem::Date => "is not a date",
            FormProblem::Datetime => "is not a date and time",
            FormProblem::Future => "is in the future",
            FormProblem::Before => "is before the date it follows",
            FormProblem::TooLong => "is too long",
            FormProblem::Items => "has too few items",
            FormProblem::Row => "has a row without a required field",
        }
    }
}

/// Two clocks never agree to the second: a report stamped a minute ahead
/// of this laptop's clock is not "in the future".
const CLOCK_SLACK_SECONDS: u32 = 60;

fn field(key: &str, required: bool, check: FieldCheck) -> FormField {
    FormField {
        key: key.to_owned(),
        required,
        check,
    }
}

fn text() -> FieldCheck {
    FieldCheck::Text {
        max_chars: max_chars(),
    }
}

fn max_chars() -> u32 {
    u32::try_from(text::MAX_CHARS).unwrap_or(u32::MAX)
}

fn date(not_future: bool, not_before: Option<&str>) -> FieldCheck {
    FieldCheck::Date {
        not_future,
        not_before: not_before.map(str::to_owned),
    }
}

/// One form's rules.
pub fn rules_of(form: Form) -> FormRules {
    let fields = match form {
        Form::Consent => vec![
            field("guardian_id", true, FieldCheck::Choice),
            field("scope", true, text()),
            field("recipient", true, text()),
            field("purpose", true, text()),
            field("form", true, FieldCheck::Choice),
            field("given_on", true, date(true, None)),
            field("valid_until", false, date(false, Some("given_on"))),
        ],
        Form::Withdrawal => vec![field("on", true, date(true, Some("given_on")))],
        Form::Plan => vec![
            field("needs", true, text()),
            field(
                "goals",
                true,
                FieldCheck::Items {
                    min: 1,
                    max_chars: max_chars(),
                },
            ),
            field("lead_party", true, text()),
            field("follow_up_on", true, date(false, None)),
            field(
                "actions",
                false,
                FieldCheck::Rows {
                    fields: vec![
                        field("who", true, text()),
                        field("what", true, text()),
                        field("due_on", false, date(false, None)),
                    ],
                },
            ),
        ],
        Form::Concern => vec![
            field(
                "reported_at",
                true,
                FieldCheck::Moment {
                    slack_seconds: CLOCK_SLACK_SECONDS,
                },
            ),
            field("to_whom", true, text()),
            field("by_whom", true, text()),
            field("summary", true, text()),
        ],
    };
    FormRules { form, fields }
}

/// Every form's rules, for the UI.
pub fn rules() -> Vec<FormRules> {
    Form::ALL.into_iter().map(rules_of).collect()
}

/// A value of a form as the core holds it: already parsed into its type,
/// so a date is a date and a choice one of its options.
#[derive(Clone, Debug)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    /// A choice the input's type has made (an enum, or None for "the
    /// pupil" as the giver of a consent).
    Chosen,
    Date(Option<NaiveDate>),
    Moment(DateTime<Utc>),
    Items(&'a [String]),
    Rows(Vec<Values<'a>>),
}

/// A form's values by field key; it may hold more than the form's fields
/// (what a `not_before` names).
pub(crate) type Values<'a> = Vec<(&'static str, Value<'a>)>;

/// Checks `values` against `form`'s rules; the first broken rule is the
/// error, naming the form, the field and the problem.
pub(crate) fn check(form: Form, values: &Values<'_>) -> Result<()> {
    check_fields(&rules_of(form).fields, values, values).map_err(|(key, problem)| {
        let form = code_name(form);
        Error::invalid(
            ReasonCode::FormField,
            format!("{form} {key} {}", problem.english()),
        )
        .with("form", form)
        .with("field", key)
        .with("problem", code_name(problem))
    })
}

fn find<'v, 'a>(values: &'v Values<'a>, key: &str) -> Option<&'v Value<'a>> {
    values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

fn date_of(values: &Values<'_>, key: &str) -> Option<NaiveDate> {
    match find(values, key) {
        Some(Value::Date(d)) => *d,
        _ => None,
    }
}

/// The first field of `fields` that breaks its rule, with the problem;
/// `all` is where a `not_before` looks (the whole form, also for a row).
fn check_fields(
    fields: &[FormField],
    values: &Values<'_>,
    all: &Values<'_>,
) -> std::result::Result<(), (String, FormProblem)> {
    for f in fields {
        // A field the input does not hold is a mistake in this module;
        // the test of every form's values catches it.
        let value = find(values, &f.key).unwrap_or(&Value::Chosen);
        if let Some(problem) = problem_of(f, value, all) {
            return Err((f.key.clone(), problem));
        }
    }
    Ok(())
}

fn problem_of(f: &FormField, value: &Value<'_>, all: &Values<'_>) -> Option<FormProblem> {
    let blank = |s: &str| s.trim().is_empty();
    let too_long = |s: &str, max: u32| s.trim().chars().count() > max as usize;
    match (&f.check, value) {
        (FieldCheck::Text { max_chars }, Value::Text(s)) => {
            if blank(s) {
                f.required.then_some(FormProblem::Required)
            } else {
                too_long(s, *max_chars).then_some(FormProblem::TooLong)
            }
        }
        (
            FieldCheck::Date {
                not_future,
                not_before,
            },
            Value::Date(d),
        ) => match d {
            None => f.required.then_some(FormProblem::Required),
            Some(d) if *not_future && *d > clock::today() => Some(FormProblem::Future),
            Some(d) => not_before
                .as_deref()
                .and_then(|other| date_of(all, other))
                .is_some_and(|other| *d < other)
                .then_some(FormProblem::Before),
        },
        (FieldCheck::Moment { slack_seconds }, Value::Moment(at)) => {
            let latest = clock::now() + chrono::Duration::seconds(i64::from(*slack_seconds));
            (*at > latest).then_some(FormProblem::Future)
        }
        (FieldCheck::Items { min, max_chars }, Value::Items(items)) => {
            let given: Vec<&String> = items.iter().filter(|s| !blank(s)).collect();
            if given.len() < *min as usize {
                Some(FormProblem::Items)
            } else {
                given
                    .iter()
                    .any(|s| too_long(s, *max_chars))
                    .then_some(FormProblem::TooLong)
            }
        }
        (FieldCheck::Rows { fields }, Value::Rows(rows)) => rows
            .iter()
            .filter(|row| !row_blank(row))
            .find_map(|row| match check_fields(fields, row, all) {
                Err((_, FormProblem::Required)) => Some(FormProblem::Row),
                Err((_, problem)) => Some(problem),
                Ok(()) => None,
            }),
        _ => None,
    }
}

/// A row with nothing in it, which the form leaves out.
pub(crate) fn row_blank(row: &Values<'_>) -> bool {
    row.iter().all(|(_, v)| match v {
        Value::Text(s) => s.trim().is_empty(),
        Value::Date(d) => d.is_none(),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consents::withdrawal_values;
    use crate::{NewAction, NewConcern, NewConsent, NewPlan};
    use brygga_protocol::op::ConsentForm;
    use uuid::Uuid;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn consent(given_on: NaiveDate, valid_until: Option<NaiveDate>) -> NewConsent {
        NewConsent {
            case_id: Uuid::nil(),
            guardian_id: None,
            scope: "närvaro".into(),
            recipient: "mentor".into(),
            purpose: "planera".into(),
            form: ConsentForm::Oral,
            given_on,
            valid_until,
        }
    }

    fn action(who: &str, what: &str) -> NewAction {
        NewAction {
            who: who.into(),
            what: what.into(),
            due_on: None,
            contact_id: None,
        }
    }

    fn plan(goals: &[&str], actions: Vec<NewAction>) -> NewPlan {
        NewPlan {
            case_id: Uuid::nil(),
            needs: "morgnar".into(),
            goals: goals.iter().map(|g| (*g).to_owned()).collect(),
            lead_party: "skolan".into(),
            follow_up_on: day("2027-01-15"),
            actions,
        }
    }

    fn concern(reported_at: DateTime<Utc>) -> NewConcern {
        NewConcern {
            case_id: Uuid::nil(),
            reported_at,
            to_whom: "mottagningen".into(),
            by_whom: "Fiktiv".into(),
            summary: "Oro.".into(),
        }
    }

    /// The field and problem a refusal names.
    fn problem(result: Result<()>) -> (String, String) {
        let p = result.expect_err("refused").params();
        assert_eq!(p["reason"], "form-field");
        (p["field"].clone(), p["problem"].clone())
    }

    fn named(field: &str, problem: &str) -> (String, String) {
        (field.to_owned(), problem.to_owned())
    }

    #[test]
    fn every_field_of_the_table_is_in_its_input() {
        let today = clock::today();
        let (consent, plan, concern) = (
            consent(today, None),
            plan(&["Närvaro"], vec![action("Mentor", "Möter")]),
            concern(clock::now()),
        );
        let inputs: [(Form, Values<'_>); 4] = [
            (Form::Consent, consent.form_values()),
            (Form::Withdrawal, withdrawal_values(today, Some(today))),
            (Form::Plan, plan.form_values()),
            (Form::Concern, concern.form_values()),
        ];
        for (form, values) in &inputs {
            for f in rules_of(*form).fields {
                assert!(find(values, &f.key).is_some(), "{form:?} {}", f.key);
            }
            check(*form, values).expect("filled in as the rules say");
        }
    }

    #[test]
    fn a_consent_is_not_given_in_the_future_nor_ends_before_it_was_given() {
        let today = clock::today();
        let tomorrow = today.succ_opt().expect("a day");
        assert_eq!(
            problem(check(Form::Consent, &consent(tomorrow, None).form_values())),
            named("given_on", "future")
        );
        let ends_early = consent(day("2026-01-02"), Some(day("2026-01-01")));
        assert_eq!(
            problem(check(Form::Consent, &ends_early.form_values())),
            named("valid_until", "before")
        );
        assert_eq!(
            problem(check(
                Form::Withdrawal,
                &withdrawal_values(day("2026-01-01"), Some(day("2026-01-02")))
            )),
            named("on", "before")
        );
    }

    #[test]
    fn blank_goals_and_rows_are_left_out_and_a_half_row_is_refused() {
        assert_eq!(
            problem(check(Form::Plan, &plan(&[" "], vec![]).form_values())),
            named("goals", "items")
        );
        let blank_row = plan(&["Närvaro", ""], vec![action(" ", "")]);
        check(Form::Plan, &blank_row.form_values()).expect("blanks are left out");
        assert_eq!(
            problem(check(
                Form::Plan,
                &plan(&["Närvaro"], vec![action("Mentor", "")]).form_values()
            )),
            named("actions", "row")
        );
    }

    #[test]
    fn a_concern_may_be_a_minute_ahead_of_this_clock_but_not_more() {
        let ahead = |s: i64| concern(clock::now() + chrono::Duration::seconds(s));
        check(Form::Concern, &ahead(30).form_values()).expect("within the slack");
        assert_eq!(
            problem(check(Form::Concern, &ahead(600).form_values())),
            named("reported_at", "future")
        );
    }

    #[test]
    fn overlong_text_is_refused_as_text_is_everywhere() {
        let mut long = concern(clock::now());
        long.summary = "a".repeat(text::MAX_CHARS + 1);
        assert_eq!(
            problem(check(Form::Concern, &long.form_values())),
            named("summary", "too_long")
        );
    }
}
