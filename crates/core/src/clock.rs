//! The one source of time in the core.

use chrono::{DateTime, Local, NaiveDate, Utc};

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today's date where the therapist is: consent end dates and follow-ups
/// are calendar dates in local time, not UTC.
pub(crate) fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The local calendar date of a stored UTC time (RFC 3339): an entry
/// written at 00:30 Swedish time belongs to that day, not the UTC one.
pub(crate) fn local_date(stored: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|t| t.with_timezone(&Local).date_naive())
}

/// A stored UTC time as the reader's local time with its offset,
/// `2025-03-14 08:15 (+01:00)`, or the stored text if it does not parse.
pub(crate) fn local_text(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M (%:z)")
                .to_string()
        })
        .unwrap_or_else(|_| stored.to_owned())
}
