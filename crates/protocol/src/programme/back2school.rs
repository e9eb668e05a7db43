//! Back2School, built in: the cognitive behavioural programme for school
//! attendance problems (Thastum, Lomholt and colleagues, Aarhus
//! University), as a municipality runs it before it writes its own
//! template. An assessment (session 0), ten sessions with the pupil, the
//! parents or both, two meetings with the school, modules chosen for the
//! pupil from session 7, and a booster session after the end; the
//! exposure steps are graded from home to a full school day.
//!
//! The titles are in Swedish, the language of the therapists who follow
//! the programme; a municipality's own template is written in its own.

use super::{Module, SessionKind, Template, TemplateSession};

const SESSIONS: &[(SessionKind, &str, bool)] = &[
    (
        SessionKind::Assessment,
        "Bedömning: skolfrånvaron, mål och planerat återgångsdatum",
        false,
    ),
    (
        SessionKind::Joint,
        "Elev och föräldrar: om skolfrånvaro, mål för återgången",
        false,
    ),
    (
        SessionKind::SchoolMeeting,
        "Skolmöte: plan för återgången och anpassningar i skolan",
        false,
    ),
    (
        SessionKind::Pupil,
        "Eleven: tankar och känslor kring skolan, exponeringsplanen",
        false,
    ),
    (
        SessionKind::Parent,
        "Föräldrar: morgonrutiner, tydliga uppmaningar och beröm",
        false,
    ),
    (
        SessionKind::Pupil,
        "Eleven: de första stegen i exponeringsplanen",
        false,
    ),
    (
        SessionKind::Parent,
        "Föräldrar: stöd vid motstånd, belöningar",
        false,
    ),
    (SessionKind::Joint, "Modul vald för eleven", true),
    (
        SessionKind::Joint,
        "Modul vald för eleven, fortsättning",
        true,
    ),
    (
        SessionKind::SchoolMeeting,
        "Skolmöte: uppföljning av återgången",
        false,
    ),
    (
        SessionKind::Joint,
        "Avslutning: behålla framstegen, förebygga återfall",
        false,
    ),
    (
        SessionKind::Booster,
        "Boostersession: uppföljning efter programmet",
        false,
    ),
];

const MODULES: &[(&str, &str)] = &[
    ("anxiety", "Oro och ängslan"),
    ("low-mood", "Nedstämdhet"),
    ("social-skills", "Sociala färdigheter"),
];

const EXPOSURE_STEPS: &[&str] = &[
    "Åka förbi skolan med en förälder",
    "Gå in på skolgården efter skoltid",
    "Träffa en trygg vuxen i skolan efter skoltid",
    "En lektion med en trygg vuxen nära",
    "Halva skoldagen",
    "Hela skoldagen enligt schemat",
];

/// The built-in Back2School template.
pub fn back2school() -> Template {
    Template {
        key: "back2school".into(),
        version: 1,
        name: "Back2School".into(),
        sessions: SESSIONS
            .iter()
            .zip(0..)
            .map(|(&(kind, title, module), number)| TemplateSession {
                number,
                kind,
                title: title.into(),
                module,
            })
            .collect(),
        modules: MODULES
            .iter()
            .map(|&(key, title)| Module {
                key: key.into(),
                title: title.into(),
            })
            .collect(),
        exposure_steps: EXPOSURE_STEPS.iter().map(|&s| s.into()).collect(),
    }
}
