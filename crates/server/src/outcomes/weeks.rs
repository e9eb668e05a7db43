//! Each pupil's weeks of absence in one row (ADR 0040): the last writer's
//! figures of each Monday, packed when the facts are taken
//! ([`super::refresh`]) and unpacked by a page, which so reads a row a
//! pupil where the facts have a row a week.
//!
//! Packed: `Monday scheduled valid invalid` (minutes) per week, oldest
//! first, separated by commas.

use super::views::day;
use crate::store::outcomes::{FactRow, PupilWeeks, WEEK};
use brygga_outcomes::absence::AbsenceWeek;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One week of a pupil: its Monday, and the scheduled, valid and invalid
/// minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub monday: NaiveDate,
    pub minutes: [u32; 3],
}

impl AbsenceWeek for Week {
    fn week_start(&self) -> NaiveDate {
        self.monday
    }
    fn scheduled_min(&self) -> u32 {
        self.minutes[0]
    }
    fn valid_min(&self) -> u32 {
        self.minutes[1]
    }
    fn invalid_min(&self) -> u32 {
        self.minutes[2]
    }
}

fn minutes(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The weeks of each (team, pupil) with a week among `facts`: for a week
/// recorded twice, the last writer's (the greatest order key).
pub fn pack<'f>(facts: impl IntoIterator<Item = &'f FactRow>) -> Vec<PupilWeeks> {
    type Written<'f> = BTreeMap<NaiveDate, (&'f str, [u32; 3])>;
    let mut pupils: BTreeMap<(i64, &str), Written<'f>> = BTreeMap::new();
    for f in facts {
        let Some(monday) = day(f).filter(|_| f.kind == WEEK) else {
            continue;
        };
        let m = f.n.map(minutes);
        let slot = pupils
            .entry((f.team_id, &f.subject))
            .or_default()
            .entry(monday)
            .or_insert((&f.order_key, m));
        if f.order_key.as_str() > slot.0 {
            *slot = (&f.order_key, m);
        }
    }
    pupils
        .into_iter()
        .map(|((team_id, pupil), weeks)| PupilWeeks {
            team_id,
            pupil: pupil.to_owned(),
            weeks: weeks
                .iter()
                .map(|(monday, (_, m))| format!("{monday} {} {} {}", m[0], m[1], m[2]))
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect()
}

/// The weeks [`pack`] packed, oldest first (none that does not parse).
pub fn unpack(packed: &str) -> impl Iterator<Item = Week> + '_ {
    packed.split(',').filter_map(|w| {
        let mut parts = w.split(' ');
        let monday = parts.next()?.parse().ok()?;
        let mut minutes = [0; 3];
        for m in &mut minutes {
            *m = parts.next()?.parse().ok()?;
        }
        Some(Week { monday, minutes })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(seq: i64, pupil: &str, monday: &str, key: &str, n: [i64; 3]) -> FactRow {
        FactRow {
            server_seq: seq,
            team_id: 1,
            kind: WEEK.to_owned(),
            case_id: None,
            subject: pupil.to_owned(),
            on_date: Some(monday.to_owned()),
            label: None,
            label2: None,
            n,
            order_key: key.to_owned(),
        }
    }

    /// A week recorded twice keeps the last writer's figures whatever
    /// order the server stored them in, and unpacks to what was packed.
    #[test]
    fn a_pupils_weeks_pack_with_the_last_writer_and_unpack() {
        let facts = [
            week(1, "p", "2025-09-08", "b", [1680, 0, 0]),
            week(2, "p", "2025-09-01", "c", [1680, 120, 45]),
            week(3, "p", "2025-09-08", "a", [1, 2, 3]),
            week(4, "q", "2025-09-01", "d", [1680, -1, 0]),
        ];
        let packed = pack(&facts);
        assert_eq!(
            packed.iter().map(|p| p.pupil.as_str()).collect::<Vec<_>>(),
            ["p", "q"]
        );
        assert_eq!(
            packed[0].weeks,
            "2025-09-01 1680 120 45,2025-09-08 1680 0 0"
        );
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert_eq!(
            unpack(&packed[0].weeks).collect::<Vec<_>>(),
            [
                Week {
                    monday: d("2025-09-01"),
                    minutes: [1680, 120, 45]
                },
                Week {
                    monday: d("2025-09-08"),
                    minutes: [1680, 0, 0]
                },
            ]
        );
        assert_eq!(
            unpack(&packed[1].weeks).next().map(|w| w.minutes),
            Some([1680, 0, 0])
        );
    }
}
