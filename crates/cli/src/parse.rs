//! Parsers for values on the command line. They run inside clap, so bad
//! input is refused (exit 2) before the passphrase is asked for, and each
//! message shows the form that was expected.

use brygga_core::attendance::{Role, Thresholds, TimeUnit};
use brygga_core::{
    contacts, deviations, ActionStatus, ConsentForm, ContactField, DeviationCategory,
    DeviationStatus, EntryKind, NewAction, OrgKind,
};
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use uuid::Uuid;

pub const TIME_FORMAT: &str =
    "expected RFC 3339 with a UTC offset, e.g. 2025-03-14T08:15:00+01:00 or 2025-03-14T07:15:00Z";
pub const DATE_FORMAT: &str = "expected YYYY-MM-DD, e.g. 2025-03-14";

/// An id as the list commands print it.
pub fn id(s: &str) -> Result<Uuid, String> {
    Uuid::parse_str(s.trim()).map_err(|_| {
        format!("'{s}' is not an id; ids look like 0195b4c2-7e1a-7d3e-9f00-2b6c1d0e4f5a (the list commands show them)")
    })
}

/// A weekday as `mon` … `sun` (`--days mon,wed` gives two; the core
/// orders them and drops repeats).
pub fn weekday(s: &str) -> Result<Weekday, String> {
    let day = s.trim().to_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .contains(&day.as_str())
        .then(|| day.parse::<Weekday>().ok())
        .flatten()
        .ok_or_else(|| {
            format!("'{s}' is not a weekday; expected mon, tue, wed, thu, fri, sat or sun, e.g. --days mon,wed")
        })
}

/// A local time of day, HH:MM.
pub fn time_of_day(s: &str) -> Result<String, String> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map(|t| t.format("%H:%M").to_string())
        .map_err(|_| format!("'{s}' is not a time of day; expected HH:MM, e.g. 08:10"))
}

/// A step key of the return ladder (`home-visits`, …). Whether it is a
/// step in force is the journal's to say: the municipality's steps are
/// read from it once it is unlocked.
pub fn ladder_step(s: &str) -> Result<String, String> {
    let key = s.trim();
    brygga_core::ladder::check_step_key(key).map(|()| key.to_owned())
}

/// A programme template's key (`back2school`, …). Whether a template of
/// that key is in force is the journal's to say: the municipality's
/// templates are read from it once it is unlocked.
pub fn programme_template(s: &str) -> Result<String, String> {
    let key = s.trim();
    brygga_core::programme::check_template_key(key)
        .map(|()| key.to_owned())
        .map_err(|e| e.problem)
}

/// A kind of organisation of the key persons' directory.
pub fn org_kind(s: &str) -> Result<OrgKind, String> {
    contacts::org_kind(s).map_err(|e| e.to_string())
}

/// A category of deviation in collaboration.
pub fn deviation_category(s: &str) -> Result<DeviationCategory, String> {
    deviations::category(s).map_err(|e| e.to_string())
}

/// A status of a deviation in collaboration.
pub fn deviation_status(s: &str) -> Result<DeviationStatus, String> {
    deviations::status(s).map_err(|e| e.to_string())
}

/// A key person's phone, checked as the core will.
pub fn contact_phone(s: &str) -> Result<String, String> {
    contacts::check_field(ContactField::Phone, s).map_err(|e| e.to_string())
}

/// A key person's e-mail, checked as the core will.
pub fn contact_email(s: &str) -> Result<String, String> {
    contacts::check_field(ContactField::Email, s).map_err(|e| e.to_string())
}

/// A planned return date: YYYY-MM-DD, not in the past.
pub fn return_date(s: &str) -> Result<NaiveDate, String> {
    let on = date(s)?;
    brygga_core::programme::check_return_date(on).map_err(|e| e.to_string())?;
    Ok(on)
}

/// An entry kind by its command-line name (`home-visit`, `note`, …).
pub fn kind(s: &str) -> Result<EntryKind, String> {
    s.parse::<EntryKind>().map_err(|e| e.to_string())
}

/// A point in time, RFC 3339 with an offset, kept in UTC.
pub fn time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{s}' is not a time; {TIME_FORMAT}"))
}

/// A calendar date, YYYY-MM-DD.
pub fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date; {DATE_FORMAT}"))
}

/// `key=value`; the value may be empty and may itself contain `=`.
pub fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("'{s}' is not key=value, e.g. place=hemmet")),
    }
}

/// A plan action, `who|what` or `who|what|YYYY-MM-DD`; `who` is a name
/// or a key person's id.
pub fn action(s: &str) -> Result<NewAction, String> {
    let parts: Vec<&str> = s.split('|').collect();
    let (who, what, due) = match parts.as_slice() {
        [who, what] => (who, what, None),
        [who, what, due] => (who, what, Some(due.trim())),
        _ => {
            return Err(format!(
            "'{s}' is not an action; expected \"who|what|YYYY-MM-DD\" (the date may be left out)"
        ))
        }
    };
    // An id names a key person of the team; anything else is typed.
    let contact_id = Uuid::parse_str(who.trim()).ok();
    Ok(NewAction {
        who: if contact_id.is_some() {
            String::new()
        } else {
            who.trim().to_owned()
        },
        what: what.trim().to_owned(),
        due_on: due.filter(|d| !d.is_empty()).map(date).transpose()?,
        contact_id,
    })
}

/// A changed plan action, `ID=who|what|YYYY-MM-DD` (the date may be left
/// out).
pub fn changed_action(s: &str) -> Result<(Uuid, NewAction), String> {
    let (id, rest) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not ID=who|what|YYYY-MM-DD"))?;
    Ok((self::id(id.trim())?, action(rest)?))
}

/// The result of a plan action in the minutes, `ACTION=TEXT`.
pub fn action_result(s: &str) -> Result<(Uuid, String), String> {
    match s.split_once('=') {
        Some((id, text)) if !text.trim().is_empty() => Ok((self::id(id.trim())?, text.to_owned())),
        _ => Err(format!(
            "'{s}' is not ACTION=TEXT: the action's id, '=', and what it came to"
        )),
    }
}

fn one_of<T: Copy>(what: &str, s: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            format!(
                "unknown {what} '{s}' (expected one of: {})",
                names.join(", ")
            )
        })
}

/// How a consent was given: `oral` or `written`.
pub fn form(s: &str) -> Result<ConsentForm, String> {
    one_of(
        "consent form",
        s,
        &[
            ("oral", ConsentForm::Oral),
            ("written", ConsentForm::Written),
        ],
    )
}

/// A plan action's status: `planned`, `ongoing`, `done` or `cancelled`.
pub fn status(s: &str) -> Result<ActionStatus, String> {
    let all = [
        ActionStatus::Planned,
        ActionStatus::Ongoing,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ];
    let choices: Vec<(&str, ActionStatus)> = all.iter().map(|s| (s.as_str(), *s)).collect();
    one_of("action status", s, &choices)
}

/// `ROLE=HEADER` of `attendance import --map`: the file's column for a
/// role, e.g. `personnummer=Elevens pnr`.
pub fn column_map(s: &str) -> Result<(Role, String), String> {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let (role, header) = key_value(s)
        .map_err(|_| format!("'{s}' is not ROLE=HEADER, e.g. personnummer=Elevens pnr"))?;
    let role = Role::parse(&role).ok_or_else(|| {
        format!(
            "unknown column role '{role}' (expected one of: {})",
            roles.join(", ")
        )
    })?;
    if header.trim().is_empty() {
        return Err(format!("--map {s}: the header after '=' is empty"));
    }
    Ok((role, header))
}

/// A unit of time: `min` or `tim` (also minutes, minuter, h, hours, timmar).
pub fn unit(s: &str) -> Result<TimeUnit, String> {
    TimeUnit::parse(s).ok_or_else(|| format!("unknown unit '{s}' (expected min or tim)"))
}

/// Three ascending percentages, `10,15,20`.
pub fn thresholds(s: &str) -> Result<Thresholds, String> {
    Thresholds::parse(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_need_an_offset_and_are_kept_in_utc() {
        let t = time("2025-03-14T08:15:00+01:00").expect("valid");
        assert_eq!(t.to_rfc3339(), "2025-03-14T07:15:00+00:00");
        let err = time("2025-03-14 08:15").expect_err("no offset");
        assert!(err.contains("RFC 3339"), "{err}");
    }

    #[test]
    fn dates_show_the_expected_form() {
        assert!(date("2025-03-14").is_ok());
        assert!(date("14/3/2025").expect_err("bad").contains("YYYY-MM-DD"));
    }

    #[test]
    fn key_value_splits_at_the_first_equals_sign() {
        assert_eq!(
            key_value("agreed=a=b").expect("valid"),
            ("agreed".to_owned(), "a=b".to_owned())
        );
        assert!(key_value("place").is_err());
        assert!(key_value("=x").is_err());
    }

    #[test]
    fn actions_take_an_optional_date() {
        let a = action("mentor|ringer hem|2025-04-01").expect("valid");
        assert_eq!((a.who.as_str(), a.what.as_str()), ("mentor", "ringer hem"));
        assert_eq!(a.due_on, NaiveDate::from_ymd_opt(2025, 4, 1));
        assert_eq!(action("mentor|ringer hem").expect("valid").due_on, None);
        assert!(action("mentor").is_err());
        assert!(action("a|b|not-a-date").is_err());
    }

    #[test]
    fn an_actions_owner_that_is_an_id_is_a_key_person() {
        let id = "0195b4c2-7e1a-7d3e-9f00-2b6c1d0e4f5a";
        let a = action(&format!(" {id} |ringer hem")).expect("valid");
        assert_eq!(a.contact_id, Uuid::parse_str(id).ok());
        assert_eq!(a.who, "", "the name is the directory's");
        let typed = action("mentor|ringer hem").expect("valid");
        assert_eq!(typed.contact_id, None);
    }

    #[test]
    fn column_maps_units_and_thresholds() {
        assert_eq!(
            column_map("personnummer=Elevens pnr"),
            Ok((Role::Personnummer, "Elevens pnr".to_owned()))
        );
        assert_eq!(
            column_map("scheduled=Tid (h)"),
            Ok((Role::Scheduled, "Tid (h)".to_owned()))
        );
        assert_eq!(column_map("ogiltig=O").map(|m| m.0), Ok(Role::Invalid));
        assert!(column_map("weekday=V")
            .expect_err("bad")
            .contains("scheduled"));
        assert!(column_map("week=").is_err());
        assert_eq!(unit("tim"), Ok(TimeUnit::Hours));
        assert_eq!(unit("MIN"), Ok(TimeUnit::Minutes));
        assert!(unit("sekunder").is_err());
        assert_eq!(thresholds("5,10,15"), Ok(Thresholds([5, 10, 15])));
        assert!(thresholds("15,10,5").is_err());
    }

    #[test]
    fn kinds_forms_and_statuses_name_the_valid_values() {
        assert_eq!(kind("home-visit"), Ok(EntryKind::HomeVisit));
        assert!(kind("visit").expect_err("bad").contains("morning-checkin"));
        assert_eq!(form("oral"), Ok(ConsentForm::Oral));
        assert!(form("muntlig").expect_err("bad").contains("written"));
        assert_eq!(status("done"), Ok(ActionStatus::Done));
        assert!(status("klar").expect_err("bad").contains("cancelled"));
    }
}
