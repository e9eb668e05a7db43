//! The municipality's settings that reach every device in the server's
//! signed notices (docs/settings.md): the steps of the return ladder and
//! the absence thresholds, their built-in defaults, and the rules a new
//! setting must keep. The server checks them before it signs; a laptop
//! checks nothing again but the signature.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One step of the return ladder: a stable key (in operations, entries
/// and the CLI) and its names in Swedish and English, carried with it so
/// that a step the municipality made up is worded too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LadderStep {
    pub key: String,
    pub name_sv: String,
    pub name_en: String,
}

/// The built-in steps, from home to class, until the municipality says.
pub fn default_ladder_steps() -> Vec<LadderStep> {
    [
        ("home-visits", "Hembesök", "Home visits"),
        (
            "transition-apartment",
            "Övergångslägenhet",
            "Transition apartment",
        ),
        ("calmer-unit", "Slussen", "Calmer unit (Slussen)"),
        ("part-time-class", "Delvis i klass", "Part time in class"),
        ("full-time-class", "Heltid i klass", "Full time in class"),
    ]
    .into_iter()
    .map(|(key, sv, en)| LadderStep {
        key: key.into(),
        name_sv: sv.into(),
        name_en: en.into(),
    })
    .collect()
}

/// The built-in absence thresholds, in percent of the scheduled time: the
/// common practice of Swedish schools (there is no statutory one).
pub const DEFAULT_ABSENCE_THRESHOLDS: [u8; 3] = [10, 15, 20];

/// The most steps a ladder may have: a ladder is a handful of steps.
pub const MAX_LADDER_STEPS: usize = 20;

/// The longest key or name of a step, in characters.
pub const MAX_STEP_TEXT: usize = 60;

/// Refuses a ladder that is empty, too long, or has a key that is not
/// lowercase a–z, 0–9 and `-`, a key twice, or a name missing or too
/// long. The English message says which.
pub fn check_ladder_steps(steps: &[LadderStep]) -> Result<(), String> {
    if steps.is_empty() {
        return Err("the ladder needs at least one step".into());
    }
    if steps.len() > MAX_LADDER_STEPS {
        return Err(format!(
            "the ladder has {} steps; at most {MAX_LADDER_STEPS}",
            steps.len()
        ));
    }
    let mut keys = BTreeSet::new();
    for step in steps {
        check_step_key(&step.key)?;
        if !keys.insert(step.key.as_str()) {
            return Err(format!("the step key '{}' is there twice", step.key));
        }
        for (what, name) in [("name_sv", &step.name_sv), ("name_en", &step.name_en)] {
            let length = name.trim().chars().count();
            if length == 0 || length > MAX_STEP_TEXT {
                return Err(format!(
                    "step '{}' needs a {what} of 1 to {MAX_STEP_TEXT} characters",
                    step.key
                ));
            }
        }
    }
    Ok(())
}

/// Refuses a step key that is not 1 to [`MAX_STEP_TEXT`] of a–z, 0–9
/// and `-` (not first).
pub fn check_step_key(key: &str) -> Result<(), String> {
    let well_formed = !key.is_empty()
        && key.len() <= MAX_STEP_TEXT
        && !key.starts_with('-')
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "'{key}' is not a step key: 1 to {MAX_STEP_TEXT} of a-z, 0-9 and '-', e.g. home-visits"
        ))
    }
}

/// Refuses thresholds that are not three strictly ascending percentages
/// within 1–100.
pub fn check_absence_thresholds(levels: [u8; 3]) -> Result<(), String> {
    let ascending = levels.windows(2).all(|w| w[0] < w[1]);
    if ascending && levels[0] >= 1 && levels[2] <= 100 {
        return Ok(());
    }
    Err(format!(
        "absence thresholds must be three ascending percentages between 1 and 100, e.g. 10,15,20 (got {},{},{})",
        levels[0], levels[1], levels[2]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(key: &str) -> LadderStep {
        LadderStep {
            key: key.into(),
            name_sv: "Steg".into(),
            name_en: "Step".into(),
        }
    }

    #[test]
    fn the_defaults_keep_the_rules() {
        assert_eq!(check_ladder_steps(&default_ladder_steps()), Ok(()));
        assert_eq!(check_absence_thresholds(DEFAULT_ABSENCE_THRESHOLDS), Ok(()));
    }

    #[test]
    fn a_ladder_that_breaks_a_rule_is_refused_with_why() {
        let refused = |steps: &[LadderStep]| check_ladder_steps(steps).expect_err("refused");
        assert!(refused(&[]).contains("at least one step"));
        assert!(refused(&[step("home"), step("home")]).contains("twice"));
        assert!(refused(&[step("Home visits")]).contains("not a step key"));
        assert!(refused(&[step("-x")]).contains("not a step key"));
        let mut unnamed = step("home");
        unnamed.name_sv = "  ".into();
        assert!(refused(&[unnamed]).contains("name_sv"));
        let many: Vec<_> = (0..=MAX_LADDER_STEPS)
            .map(|i| step(&format!("s{i}")))
            .collect();
        assert!(refused(&many).contains("at most"));
    }

    #[test]
    fn thresholds_ascend_within_one_to_a_hundred() {
        assert_eq!(check_absence_thresholds([1, 50, 100]), Ok(()));
        for bad in [[10, 10, 20], [0, 10, 20], [10, 20, 101], [20, 15, 10]] {
            assert!(check_absence_thresholds(bad).is_err(), "{bad:?}");
        }
    }
}
