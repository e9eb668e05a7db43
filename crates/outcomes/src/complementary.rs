//! Complementary suppression: a view's counts shown beside their total
//! must not give a suppressed count back by subtraction.
//!
//! A count of 1 to 4 is suppressed ("<5", [`Cell::Small`]). When a view's
//! counts are shown with their total (pupils followed per school, and all
//! of them), one suppressed count is the total minus the shown ones; so
//! another count is withheld too ([`Cell::Withheld`], "–"), the smallest
//! one that is not zero (a withheld zero would give the suppressed count
//! back as well). The reader is assumed to know the rule: that a "<5" is 1
//! to 4 and a "–" is at least 5. More counts are withheld until no
//! suppressed one has a single possible value; when none is left to
//! withhold, the total is withheld.
//!
//! The views of a page are partitions of the same pupils with the same
//! total (by school, with or without a plan); a partition's counts tell
//! nothing of another's, so each is protected on its own. Cross-tables
//! (two partitions at once) are not shown.

use crate::figure::{too_small, MIN_GROUP};

/// A count of a view as it may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Shown(u32),
    /// 1 to 4: shown as "<5".
    Small,
    /// Withheld so that a small count cannot be computed: shown as "–".
    Withheld,
}

impl Cell {
    /// As the pages, the CSV and the PDF print it.
    pub fn text(&self) -> String {
        match self {
            Cell::Shown(n) => n.to_string(),
            Cell::Small => format!("<{MIN_GROUP}"),
            Cell::Withheld => "–".to_owned(),
        }
    }

    /// The values a reader who knows the rule can tell a cell holds, in a
    /// view whose total is `total`.
    fn range(&self, total: u32) -> (u32, u32) {
        match *self {
            Cell::Shown(n) => (n, n),
            Cell::Small => (1, MIN_GROUP - 1),
            Cell::Withheld => (MIN_GROUP, total),
        }
    }
}

/// A view's counts and their total, as they may be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    pub cells: Vec<Cell>,
    pub total: Cell,
}

/// Whether some hidden cell of `cells` has one possible value given the
/// shown ones and the shown `total`.
fn some_hidden_cell_is_known(cells: &[Cell], total: u32) -> bool {
    let ranges: Vec<(u32, u32)> = cells.iter().map(|c| c.range(total)).collect();
    let (lo, hi) = ranges.iter().fold((0u64, 0u64), |(l, h), r| {
        (l + u64::from(r.0), h + u64::from(r.1))
    });
    cells.iter().zip(&ranges).any(|(cell, &(cl, ch))| {
        if matches!(cell, Cell::Shown(_)) {
            return false;
        }
        // The others sum to total - x; sums of integer ranges are ranges.
        let (others_lo, others_hi) = (lo - u64::from(cl), hi - u64::from(ch));
        let t = u64::from(total);
        let low = u64::from(cl).max(t.saturating_sub(others_hi));
        let high = u64::from(ch).min(t.saturating_sub(others_lo));
        low >= high
    })
}

/// Protects `counts`, shown with their sum as the total.
pub fn protect(counts: &[u32]) -> Protected {
    let total: u32 = counts.iter().sum();
    let mut cells: Vec<Cell> = counts
        .iter()
        .map(|&n| {
            if too_small(n) {
                Cell::Small
            } else {
                Cell::Shown(n)
            }
        })
        .collect();
    if too_small(total) {
        return Protected {
            cells,
            total: Cell::Small,
        };
    }
    while some_hidden_cell_is_known(&cells, total) {
        let next = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Cell::Shown(n) if *n > 0 => Some((*n, i)),
                _ => None,
            })
            .min();
        match next {
            Some((_, i)) => cells[i] = Cell::Withheld,
            None => {
                return Protected {
                    cells,
                    total: Cell::Withheld,
                }
            }
        }
    }
    Protected {
        cells,
        total: Cell::Shown(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_small_count_beside_a_total_withholds_the_next_smallest() {
        let p = protect(&[12, 3, 7, 0]);
        assert_eq!(
            p.cells,
            [Cell::Shown(12), Cell::Small, Cell::Withheld, Cell::Shown(0)]
        );
        assert_eq!(p.total, Cell::Shown(22));
        assert_eq!(
            p.cells.iter().map(Cell::text).collect::<Vec<_>>(),
            ["12", "<5", "–", "0"]
        );
    }

    #[test]
    fn nothing_small_is_all_shown() {
        let p = protect(&[5, 9, 0]);
        assert_eq!(p.cells, [Cell::Shown(5), Cell::Shown(9), Cell::Shown(0)]);
        assert_eq!(p.total, Cell::Shown(14));
    }

    #[test]
    fn a_one_beside_a_five_is_known_from_their_six_so_a_third_is_withheld() {
        // 1 + 5 = 6 hidden: only 1 + 5 fits "<5" and "at least 5".
        let p = protect(&[1, 5, 9]);
        assert_eq!(p.cells, [Cell::Small, Cell::Withheld, Cell::Withheld]);
        assert_eq!(p.total, Cell::Shown(15));
    }

    #[test]
    fn a_small_count_alone_withholds_the_total() {
        assert_eq!(
            protect(&[3, 0]),
            Protected {
                cells: vec![Cell::Small, Cell::Shown(0)],
                total: Cell::Small
            }
        );
        let p = protect(&[4, 0, 0]);
        assert_eq!(p.total, Cell::Small);
        let p = protect(&[4, 6]);
        assert_eq!(p.cells, [Cell::Small, Cell::Withheld]);
        assert_eq!(p.total, Cell::Shown(10));
    }

    /// Every value a hidden cell can hold given what is shown, found by
    /// trying them all (not by the ranges [`protect`] reasons with).
    fn possible_values(cells: &[Cell], total: u32, i: usize) -> Vec<u32> {
        let shown: u32 = cells
            .iter()
            .map(|c| if let Cell::Shown(n) = c { *n } else { 0 })
            .sum();
        let rest = (total - shown) as usize;
        // reachable[s]: the other hidden cells can sum to s.
        let mut reachable = vec![false; rest + 1];
        reachable[0] = true;
        for (j, c) in cells.iter().enumerate() {
            if j == i || matches!(c, Cell::Shown(_)) {
                continue;
            }
            let (lo, hi) = c.range(total);
            let mut next = vec![false; rest + 1];
            for s in 0..=rest {
                if reachable[s] {
                    for v in lo..=hi {
                        if s + v as usize <= rest {
                            next[s + v as usize] = true;
                        }
                    }
                }
            }
            reachable = next;
        }
        let (lo, hi) = cells[i].range(total);
        (lo..=hi)
            .filter(|&x| (x as usize) <= rest && reachable[rest - x as usize])
            .collect()
    }

    proptest! {
        #[test]
        fn no_hidden_count_can_be_computed_from_the_shown_ones_and_the_total(
            counts in proptest::collection::vec(
                prop_oneof![0u32..5, 0u32..12, 0u32..60], 1..7)
        ) {
            let p = protect(&counts);
            let total: u32 = counts.iter().sum();
            for (cell, &n) in p.cells.iter().zip(&counts) {
                match cell {
                    Cell::Shown(v) => prop_assert_eq!(*v, n),
                    Cell::Small => prop_assert!(too_small(n)),
                    Cell::Withheld => prop_assert!(n >= MIN_GROUP),
                }
            }
            if let Cell::Shown(t) = p.total {
                prop_assert_eq!(t, total);
                for i in 0..p.cells.len() {
                    if !matches!(p.cells[i], Cell::Shown(_)) {
                        let values = possible_values(&p.cells, total, i);
                        prop_assert!(values.contains(&counts[i]));
                        prop_assert!(values.len() >= 2, "{:?} -> {:?}: cell {} is {:?}", counts, p, i, values);
                    }
                }
            } else {
                prop_assert!(p.cells.iter().any(|c| !matches!(c, Cell::Shown(_))) || too_small(total));
            }
        }
    }
}
