//! The deviations of one partner and category as both the laptop's summary
//! and the unit manager's page show them: the group's pupils, its
//! deviations and their last statuses, nothing of a group under
//! [`crate::MIN_GROUP`] pupils.

use crate::{count, count_in_group, Figure};
use std::collections::{BTreeMap, BTreeSet};

/// The counts of one group before suppression; `P` names a pupil.
#[derive(Debug)]
pub struct DeviationTally<'s, P> {
    pupils: BTreeSet<P>,
    deviations: u32,
    by_status: BTreeMap<&'s str, u32>,
}

impl<P> Default for DeviationTally<'_, P> {
    fn default() -> Self {
        DeviationTally {
            pupils: BTreeSet::new(),
            deviations: 0,
            by_status: BTreeMap::new(),
        }
    }
}

/// What a group shows: its pupils, and its deviations by last status
/// (`open`, `raised`, `mended`).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviationFigures {
    pub pupils: Figure,
    pub deviations: Figure,
    pub open: Figure,
    pub raised: Figure,
    pub mended: Figure,
}

impl<'s, P: Ord> DeviationTally<'s, P> {
    /// One deviation of `pupil`, whose last status is `status`.
    pub fn add(&mut self, pupil: P, status: &'s str) {
        self.pupils.insert(pupil);
        self.deviations += 1;
        *self.by_status.entry(status).or_default() += 1;
    }

    /// The group's figures, suppressed by its number of pupils.
    pub fn figures(&self) -> DeviationFigures {
        let pupils = self.pupils.len() as u32;
        let status = |s: &str| count_in_group(pupils, self.by_status.get(s).copied().unwrap_or(0));
        DeviationFigures {
            pupils: count(pupils),
            deviations: count_in_group(pupils, self.deviations),
            open: status("open"),
            raised: status("raised"),
            mended: status("mended"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_of_five_pupils_shows_its_counts_and_a_smaller_one_nothing() {
        let mut big = DeviationTally::default();
        for (pupil, status) in [
            (1, "open"),
            (2, "open"),
            (3, "raised"),
            (4, "mended"),
            (5, "open"),
            (5, "open"),
        ] {
            big.add(pupil, status);
        }
        assert_eq!(
            big.figures(),
            DeviationFigures {
                pupils: Figure::Count(5),
                deviations: Figure::Count(6),
                open: Figure::Suppressed,
                raised: Figure::Suppressed,
                mended: Figure::Suppressed,
            }
        );
        let mut small = DeviationTally::default();
        for pupil in 1..=4 {
            for _ in 0..2 {
                small.add(pupil, "open");
            }
        }
        let shown = small.figures();
        assert_eq!(
            (shown.pupils, shown.deviations, shown.open),
            (Figure::Suppressed, Figure::Suppressed, Figure::Suppressed)
        );
    }
}
