//! One figure as it may be shown, and the rule of small groups: no group
//! or count of 1 to 4 pupils (under [`MIN_GROUP`]) is shown.

use crate::csv_out::decimal_sv;
use serde::Serialize;

/// Groups and counts below this are suppressed.
pub const MIN_GROUP: u32 = 5;

/// One cell of the statistics.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Figure {
    Count(u32),
    /// Percent, or percentage points for a change.
    Percent(f64),
    /// Fewer than [`MIN_GROUP`] pupils: shown as "<5".
    Suppressed,
    /// Nothing to show (no pupils with figures).
    NotAvailable,
}

impl Figure {
    /// As the CSV and the PDF print it (decimal comma).
    pub fn text(&self) -> String {
        match self {
            Figure::Count(n) => n.to_string(),
            Figure::Percent(x) => decimal_sv(*x),
            Figure::Suppressed => format!("<{MIN_GROUP}"),
            Figure::NotAvailable => "–".to_owned(),
        }
    }
}

/// A group of 1 to 4 pupils (under [`MIN_GROUP`]): too small to show at all.
pub fn too_small(pupils: u32) -> bool {
    pupils > 0 && pupils < MIN_GROUP
}

/// A count as it may be shown: 1 to 4 (under [`MIN_GROUP`]) is suppressed.
pub fn count(n: u32) -> Figure {
    if too_small(n) {
        Figure::Suppressed
    } else {
        Figure::Count(n)
    }
}

/// A count about a group of `pupils` pupils: nothing of a group too small
/// to show, and otherwise the count as [`count`] shows it.
pub fn count_in_group(pupils: u32, n: u32) -> Figure {
    if too_small(pupils) {
        Figure::Suppressed
    } else {
        count(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_four_is_suppressed_and_zero_is_shown() {
        assert_eq!(count(0), Figure::Count(0));
        for n in 1..MIN_GROUP {
            assert_eq!(count(n), Figure::Suppressed);
        }
        assert_eq!(count(5), Figure::Count(5));
        assert_eq!(count_in_group(3, 0), Figure::Suppressed);
        assert_eq!(count_in_group(7, 0), Figure::Count(0));
        assert_eq!(Figure::Suppressed.text(), "<5");
        assert_eq!(Figure::Percent(12.3).text(), "12,3");
    }
}
