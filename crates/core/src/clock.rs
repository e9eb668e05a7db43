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
