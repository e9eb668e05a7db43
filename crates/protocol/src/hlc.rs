//! Hybrid logical clock timestamps.
//!
//! A timestamp is wall-clock milliseconds plus a counter that breaks ties
//! and absorbs clock skew between laptops: a device never issues a stamp
//! lower than one it has issued or seen, even if its own clock goes back.
//! Ties between devices are broken by device id where operations are
//! ordered (see [`crate::op::Operation::order_key`]).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch.
    pub wall_ms: i64,
    pub counter: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc {
        wall_ms: 0,
        counter: 0,
    };

    /// The next stamp after `last` at physical time `now_ms`.
    pub fn tick(last: Hlc, now_ms: i64) -> Hlc {
        if now_ms > last.wall_ms {
            Hlc {
                wall_ms: now_ms,
                counter: 0,
            }
        } else {
            Hlc {
                wall_ms: last.wall_ms,
                counter: last.counter.saturating_add(1),
            }
        }
    }

    /// The local clock after receiving `remote`, so that later local stamps
    /// sort after everything this device has seen.
    pub fn observe(last: Hlc, remote: Hlc) -> Hlc {
        last.max(remote)
    }

    /// A fixed-width text form that sorts like the timestamp itself, for
    /// storing in SQL columns.
    pub fn to_sortable(&self) -> String {
        format!("{:015}-{:010}", self.wall_ms, self.counter)
    }

    pub fn from_sortable(s: &str) -> Option<Hlc> {
        let (wall, counter) = s.split_once('-')?;
        Some(Hlc {
            wall_ms: wall.parse().ok()?,
            counter: counter.parse().ok()?,
        })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sortable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_is_monotonic_when_the_wall_clock_goes_back() {
        let a = Hlc::tick(Hlc::ZERO, 1_000);
        let b = Hlc::tick(a, 900);
        let c = Hlc::tick(b, 900);
        assert!(a < b && b < c);
        assert_eq!(b.wall_ms, 1_000);
        assert_eq!(c.counter, 2);
    }

    #[test]
    fn tick_resets_counter_when_time_advances() {
        let a = Hlc {
            wall_ms: 5,
            counter: 7,
        };
        assert_eq!(
            Hlc::tick(a, 6),
            Hlc {
                wall_ms: 6,
                counter: 0
            }
        );
    }

    #[test]
    fn observe_moves_past_remote_stamps() {
        let local = Hlc {
            wall_ms: 10,
            counter: 0,
        };
        let remote = Hlc {
            wall_ms: 20,
            counter: 3,
        };
        let seen = Hlc::observe(local, remote);
        assert!(Hlc::tick(seen, 15) > remote);
    }

    #[test]
    fn sortable_form_round_trips_and_sorts() {
        let a = Hlc {
            wall_ms: 9,
            counter: 10,
        };
        let b = Hlc {
            wall_ms: 10,
            counter: 0,
        };
        assert!(a.to_sortable() < b.to_sortable());
        assert_eq!(Hlc::from_sortable(&a.to_sortable()), Some(a));
        assert_eq!(Hlc::from_sortable("garbage"), None);
    }
}
