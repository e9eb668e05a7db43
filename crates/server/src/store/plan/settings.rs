//! The municipality's settings (docs/settings.md): what a change asks for
//! is checked, and each setting it gives that is not the one in force is
//! told to every team in a notice of its own; so is a programme template
//! that is not the one in force of its key.

use brygga_protocol::notice::NoticeBody;
use brygga_protocol::programme::Template;
use brygga_protocol::settings::{check_absence_thresholds, check_ladder_steps, LadderStep};

/// The settings a notice has set; None: the built-in ones are in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InForce {
    pub ladder_steps: Option<Vec<LadderStep>>,
    pub absence_thresholds: Option<[u8; 3]>,
}

/// The settings to change; None keeps the one in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub ladder_steps: Option<Vec<LadderStep>>,
    pub absence_thresholds: Option<[u8; 3]>,
}

/// Refuses a change that gives nothing or breaks a rule of
/// `brygga_protocol::settings`; the English message says which.
pub fn check(change: &Change) -> Result<(), String> {
    if change.ladder_steps.is_none() && change.absence_thresholds.is_none() {
        return Err("give --ladder-steps FILE or --absence-thresholds P1,P2,P3".into());
    }
    if let Some(steps) = &change.ladder_steps {
        check_ladder_steps(steps)?;
    }
    if let Some(levels) = change.absence_thresholds {
        check_absence_thresholds(levels)?;
    }
    Ok(())
}

/// The bodies of the notices to issue, in a fixed order: each setting of
/// `change` that a notice has not set already. Giving the built-in values
/// still issues one: from then on they are the municipality's, read-only
/// on the laptops.
pub fn notices(in_force: &InForce, change: Change) -> Vec<NoticeBody> {
    let steps = change
        .ladder_steps
        .filter(|s| in_force.ladder_steps.as_ref() != Some(s))
        .map(|steps| NoticeBody::LadderSteps { steps });
    let thresholds = change
        .absence_thresholds
        .filter(|t| in_force.absence_thresholds != Some(*t))
        .map(|warning_pcts| NoticeBody::AbsenceThresholds { warning_pcts });
    steps.into_iter().chain(thresholds).collect()
}

/// The notice that adds `template` (valid by the file format), given the
/// template of its key in force and whether that one is the
/// municipality's: None when it is the municipality's already (nothing
/// changed). Like a setting, a copy of a built-in template is told: from
/// then on it is the municipality's, whatever a later build of Brygga
/// builds in. A template that differs from the one in force must raise
/// its version, since a case shows the version it started with and two
/// plans must never share one; the English message says so.
pub fn template_notice(
    template: Template,
    in_force: Option<(&Template, bool)>,
) -> Result<Option<NoticeBody>, String> {
    match in_force {
        Some((current, true)) if *current == template => return Ok(None),
        Some((current, theirs)) if *current != template && template.version <= current.version => {
            return Err(format!(
                "the template '{}' in force ({}) is version {}; a changed template needs a \
                 higher version (the file says {})",
                template.key,
                if theirs {
                    "the municipality's"
                } else {
                    "built in"
                },
                current.version,
                template.version
            ))
        }
        _ => {}
    }
    Ok(Some(NoticeBody::ProgrammeTemplate { template }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_protocol::programme::back2school;
    use brygga_protocol::settings::default_ladder_steps;

    #[test]
    fn a_template_is_told_unless_it_is_the_municipalitys_in_force() {
        let built_in = back2school();
        let told = |t: Template, in_force| template_notice(t, in_force).expect("allowed");
        assert!(told(built_in.clone(), None).is_some(), "a new key");
        assert!(
            told(built_in.clone(), Some((&built_in, false))).is_some(),
            "the built-in one made the municipality's"
        );
        assert_eq!(
            told(built_in.clone(), Some((&built_in, true))),
            None,
            "nothing changed"
        );
        let mut theirs = back2school();
        theirs.sessions.truncate(4);
        let refused = template_notice(theirs.clone(), Some((&built_in, false)))
            .expect_err("a change without a new version");
        assert!(refused.contains("higher version"), "{refused}");
        theirs.version = 2;
        assert_eq!(
            told(theirs.clone(), Some((&built_in, false))),
            Some(NoticeBody::ProgrammeTemplate { template: theirs })
        );
    }

    #[test]
    fn only_what_is_new_is_told() {
        let change = Change {
            ladder_steps: Some(default_ladder_steps()),
            absence_thresholds: Some([10, 15, 20]),
        };
        let first = notices(&InForce::default(), change.clone());
        assert_eq!(
            first.len(),
            2,
            "the built-in values set by the municipality"
        );
        let in_force = InForce {
            ladder_steps: Some(default_ladder_steps()),
            absence_thresholds: Some([10, 15, 20]),
        };
        assert!(notices(&in_force, change).is_empty(), "nothing changed");
        let thresholds = Change {
            ladder_steps: None,
            absence_thresholds: Some([5, 10, 15]),
        };
        assert_eq!(
            notices(&in_force, thresholds),
            [NoticeBody::AbsenceThresholds {
                warning_pcts: [5, 10, 15]
            }]
        );
    }

    #[test]
    fn a_change_must_give_something_and_keep_the_rules() {
        assert!(check(&Change::default()).is_err());
        let empty = Change {
            ladder_steps: Some(Vec::new()),
            absence_thresholds: None,
        };
        assert!(check(&empty)
            .expect_err("empty")
            .contains("at least one step"));
        let falling = Change {
            ladder_steps: None,
            absence_thresholds: Some([20, 15, 10]),
        };
        assert!(check(&falling).expect_err("falling").contains("ascending"));
    }
}
