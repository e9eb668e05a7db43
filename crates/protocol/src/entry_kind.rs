//! The kinds of journal entry (docs/entry-kinds.md).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// hembesök
    HomeVisit,
    /// morgonincheckning
    MorningCheckin,
    /// session i lägenheten (bryggan)
    ApartmentSession,
    /// konsultation med skolpersonal
    Consultation,
    /// samverkansmöte / SIP
    CollaborationMeeting,
    /// telefonsamtal
    PhoneCall,
    /// anteckning
    Note,
}

impl EntryKind {
    pub const ALL: [EntryKind; 7] = [
        EntryKind::HomeVisit,
        EntryKind::MorningCheckin,
        EntryKind::ApartmentSession,
        EntryKind::Consultation,
        EntryKind::CollaborationMeeting,
        EntryKind::PhoneCall,
        EntryKind::Note,
    ];

    /// The stable name used on the wire, in the database and on the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::HomeVisit => "home-visit",
            EntryKind::MorningCheckin => "morning-checkin",
            EntryKind::ApartmentSession => "apartment-session",
            EntryKind::Consultation => "consultation",
            EntryKind::CollaborationMeeting => "collaboration-meeting",
            EntryKind::PhoneCall => "phone-call",
            EntryKind::Note => "note",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entry kind '{0}' (expected one of: home-visit, morning-checkin, apartment-session, consultation, collaboration-meeting, phone-call, note)")]
pub struct UnknownKind(pub String);

impl FromStr for EntryKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntryKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for kind in EntryKind::ALL {
            assert_eq!(kind.as_str().parse::<EntryKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("serialize");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn unknown_kind_names_the_valid_ones() {
        let err = "visit".parse::<EntryKind>().expect_err("must fail");
        assert!(err.to_string().contains("home-visit"));
    }
}
