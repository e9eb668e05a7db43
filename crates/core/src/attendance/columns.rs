//! Which column of an absence export holds what.
//!
//! School systems name their columns in their own words ("Anmäld
//! frånvaro (min)", "Giltig frånvaro, timmar", "Vecka", "Fr.o.m."). A
//! header is split into words (case, dots and spacing ignored) and
//! recognised by the Swedish and English words in
//! [`classify`]; its unit by "min"/"minuter" or "tim"/"timmar"/"h". A
//! [`ColumnMapping`] names the column for a role when the words are
//! unknown; the desktop app fills it in its mapping step, the CLI from
//! `--map ROLE=HEADER`.

use super::note::{Note, NoteCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Personnummer,
    /// A week number, with or without its year.
    Week,
    /// The year of a week number, when it stands in a column of its own.
    Year,
    /// The first day of the period (a date range instead of a week).
    From,
    /// The last day of the period.
    To,
    /// Time the school offered (schemalagd tid).
    Scheduled,
    /// Valid absence (giltig, anmäld).
    Valid,
    /// Invalid absence (ogiltig, oanmäld).
    Invalid,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Personnummer,
        Role::Week,
        Role::Year,
        Role::From,
        Role::To,
        Role::Scheduled,
        Role::Valid,
        Role::Invalid,
    ];

    /// The name used by `--map` and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Personnummer => "personnummer",
            Role::Week => "week",
            Role::Year => "year",
            Role::From => "from",
            Role::To => "to",
            Role::Scheduled => "scheduled",
            Role::Valid => "valid",
            Role::Invalid => "invalid",
        }
    }

    /// What the role is, for messages: English with the Swedish words.
    pub fn describe(self) -> &'static str {
        match self {
            Role::Personnummer => "personnummer",
            Role::Week => "week (vecka)",
            Role::Year => "year (år)",
            Role::From => "first day (från)",
            Role::To => "last day (till)",
            Role::Scheduled => "scheduled time (schemalagd tid)",
            Role::Valid => "valid absence (giltig/anmäld frånvaro)",
            Role::Invalid => "invalid absence (ogiltig/oanmäld frånvaro)",
        }
    }

    /// By its `--map` name, English or Swedish.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_lowercase();
        let swedish = [
            ("pnr", Role::Personnummer),
            ("vecka", Role::Week),
            ("år", Role::Year),
            ("från", Role::From),
            ("till", Role::To),
            ("schemalagd", Role::Scheduled),
            ("giltig", Role::Valid),
            ("anmäld", Role::Valid),
            ("ogiltig", Role::Invalid),
            ("oanmäld", Role::Invalid),
        ];
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .or_else(|| swedish.iter().find(|(n, _)| *n == s).map(|(_, r)| *r))
    }

    fn is_time(self) -> bool {
        matches!(self, Role::Scheduled | Role::Valid | Role::Invalid)
    }
}

/// The unit of a time column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    Minutes,
    Hours,
}

impl TimeUnit {
    pub fn minutes(self) -> u32 {
        match self {
            TimeUnit::Minutes => 1,
            TimeUnit::Hours => 60,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
        }
    }

    /// `min`, `minutes`, `minuter`, `tim`, `h`, `hours`, `timmar`.
    pub fn parse(s: &str) -> Option<TimeUnit> {
        unit_word(&s.trim().to_lowercase())
    }
}

/// Columns named by the user where the headers are not recognised, and
/// the unit of time columns whose header names none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnMapping {
    /// Role → the header as it stands in the file (compared without
    /// regard to case and spacing).
    #[serde(default)]
    pub columns: BTreeMap<Role, String>,
    #[serde(default)]
    pub unit: Option<TimeUnit>,
}

/// How one column is read, for the import report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnUse {
    pub role: Role,
    /// The header as it stands in the file.
    pub header: String,
    /// For time columns.
    pub unit: Option<TimeUnit>,
    /// False when the unit was not in the header but taken from the other
    /// time columns, the mapping, or the default (hours).
    pub unit_in_header: bool,
}

/// Where the period of a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Period {
    Week { week: usize, year: Option<usize> },
    Range { from: usize, to: Option<usize> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeColumn {
    pub index: usize,
    pub unit: TimeUnit,
}

/// The columns of a file, as the importer reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub width: usize,
    pub personnummer: usize,
    pub period: Period,
    pub scheduled: TimeColumn,
    pub valid: TimeColumn,
    pub invalid: TimeColumn,
    /// The column that surplus fields are joined back into (see
    /// `import::realign`): the pupil's name, else the first unused one.
    pub free_text: Option<usize>,
    pub uses: Vec<ColumnUse>,
}

/// Lower case, no dots ("fr.o.m." → "from"), words split at anything that
/// is not a letter or digit.
fn words(header: &str) -> Vec<String> {
    header
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace('.', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Header text compared as the mapping compares it.
fn normal(header: &str) -> String {
    words(header).join(" ")
}

fn unit_word(w: &str) -> Option<TimeUnit> {
    match w {
        "min" | "minut" | "minuter" | "minutes" | "minute" | "mins" => Some(TimeUnit::Minutes),
        "tim" | "timmar" | "timme" | "timmer" | "h" | "hours" | "hour" | "hrs" => {
            Some(TimeUnit::Hours)
        }
        _ => None,
    }
}

fn unit_of(header: &str) -> Option<TimeUnit> {
    words(header).iter().find_map(|w| unit_word(w))
}

/// The role a header's words name, if any. Order matters: "ogiltig"
/// contains "giltig", and "frånvaro" is a word of its own, not "från".
pub(crate) fn classify(header: &str) -> Option<Role> {
    let w = words(header);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    let starts = |list: &[&str]| w.iter().any(|x| list.iter().any(|p| x.starts_with(p)));
    if starts(&["personnum", "personnr", "persnr", "samordningsnum"]) || has(&["pnr", "ssn"]) {
        Some(Role::Personnummer)
    } else if starts(&["ogiltig", "oanm", "invalid", "unexcused", "unauthori"]) {
        Some(Role::Invalid)
    } else if starts(&["giltig", "anmäl", "anmal", "valid", "excused", "authori"]) || has(&["anm"])
    {
        Some(Role::Valid)
    } else if starts(&["schema", "erbjud", "scheduled", "offered"]) {
        Some(Role::Scheduled)
    } else if has(&["från", "fran", "from", "fom", "startdatum", "start"]) {
        Some(Role::From)
    } else if has(&["till", "to", "tom", "slutdatum", "slut", "end"]) {
        Some(Role::To)
    } else if starts(&["vecka", "veckonr", "veckonummer", "week"]) || has(&["v", "vnr"]) {
        Some(Role::Week)
    } else if has(&["år", "ar", "year", "årtal"]) && w.len() == 1 {
        Some(Role::Year)
    } else {
        None
    }
}

fn is_name(header: &str) -> bool {
    words(header).iter().any(|w| {
        [
            "namn",
            "elev",
            "elevnamn",
            "name",
            "pupil",
            "student",
            "förnamn",
            "efternamn",
        ]
        .contains(&w.as_str())
    })
}

/// Finds the column of every role. Every problem is returned at once, in
/// words that name the column (and what to pass to `--map`).
pub(crate) fn recognise(headers: &[String], mapping: &ColumnMapping) -> Result<Layout, Vec<Note>> {
    let mut problems = Vec::new();
    let all = headers.join(", ");
    let mut found: BTreeMap<Role, usize> = BTreeMap::new();
    for (role, wanted) in &mapping.columns {
        match headers.iter().position(|h| normal(h) == normal(wanted)) {
            Some(i) => {
                found.insert(*role, i);
            }
            None => problems.push(Note::new(
                NoteCode::MappedColumnMissing,
                [
                    ("header", wanted.clone()),
                    ("role", role.as_str().into()),
                    ("headers", all.clone()),
                ],
                format!(
                    "the mapping names '{wanted}' for {}, but the header has no such column (it has: {all})",
                    role.describe(),
                ),
            )),
        }
    }
    let mapped: Vec<usize> = found.values().copied().collect();
    let mut guessed: BTreeMap<Role, Vec<usize>> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if mapped.contains(&i) {
            continue;
        }
        if let Some(role) = classify(h).filter(|r| !found.contains_key(r)) {
            guessed.entry(role).or_default().push(i);
        }
    }
    for (role, indices) in guessed {
        if let [only] = indices.as_slice() {
            found.insert(role, *only);
        } else {
            let names: Vec<String> = indices
                .iter()
                .map(|i| format!("'{}'", headers[*i]))
                .collect();
            problems.push(Note::new(
                NoteCode::AmbiguousColumns,
                [
                    ("columns", names.join(", ")),
                    ("role", role.as_str().into()),
                ],
                format!(
                    "the columns {} all look like {}; choose one with --map {}=HEADER",
                    names.join(" and "),
                    role.describe(),
                    role.as_str()
                ),
            ));
        }
    }
    // A date range is more exact than a week number, unless the user
    // mapped the week and not the range.
    let week_mapped =
        mapping.columns.contains_key(&Role::Week) && !mapping.columns.contains_key(&Role::From);
    let from = found.get(&Role::From).filter(|_| !week_mapped);
    let period = match (from, found.get(&Role::Week)) {
        (Some(&from), _) => Some(Period::Range {
            from,
            to: found.get(&Role::To).copied(),
        }),
        (None, Some(&week)) => Some(Period::Week {
            week,
            year: found.get(&Role::Year).copied(),
        }),
        (None, None) => {
            problems.push(Note::new(
                NoteCode::NoWeekColumn,
                [("headers", all.clone())],
                format!(
                    "no column for the week: expected a week column ('Vecka') or a date range ('Från' and 'Till'); \
                     name it with --map week=HEADER or --map from=HEADER (the header has: {all})"
                ),
            ));
            None
        }
    };
    for role in [
        Role::Personnummer,
        Role::Scheduled,
        Role::Valid,
        Role::Invalid,
    ] {
        if !found.contains_key(&role) {
            problems.push(Note::new(
                NoteCode::NoColumn,
                [("role", role.as_str().into()), ("headers", all.clone())],
                format!(
                    "no column for {}; name it with --map {}=HEADER (the header has: {all})",
                    role.describe(),
                    role.as_str(),
                ),
            ));
        }
    }
    let (Some(period), true) = (period, problems.is_empty()) else {
        return Err(problems);
    };
    let stated: Vec<TimeUnit> = found
        .iter()
        .filter(|(r, _)| r.is_time())
        .filter_map(|(_, i)| unit_of(&headers[*i]))
        .collect();
    let sibling = match stated.as_slice() {
        [first, rest @ ..] if rest.iter().all(|u| u == first) => Some(*first),
        _ => None,
    };
    let time = |role: Role| {
        let index = found[&role];
        let unit = unit_of(&headers[index])
            .or(mapping.unit)
            .or(sibling)
            .unwrap_or(TimeUnit::Hours);
        TimeColumn { index, unit }
    };
    let uses = found
        .iter()
        .map(|(role, i)| ColumnUse {
            role: *role,
            header: headers[*i].trim_start_matches('\u{feff}').trim().to_owned(),
            unit: role.is_time().then(|| time(*role).unit),
            unit_in_header: role.is_time() && unit_of(&headers[*i]).is_some(),
        })
        .collect();
    let used: Vec<usize> = found.values().copied().collect();
    let unused = |i: &usize| !used.contains(i);
    let free_text = (0..headers.len())
        .filter(unused)
        .find(|i| is_name(&headers[*i]))
        .or_else(|| (0..headers.len()).find(unused));
    Ok(Layout {
        width: headers.len(),
        personnummer: found[&Role::Personnummer],
        period,
        scheduled: time(Role::Scheduled),
        valid: time(Role::Valid),
        invalid: time(Role::Invalid),
        free_text,
        uses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str, sep: char) -> Vec<String> {
        line.split(sep).map(str::to_owned).collect()
    }

    #[test]
    fn the_shared_sample_header_is_recognised() {
        let h = headers(
            "\u{feff}Elev,Personnummer,Från,Till,Schemalagd tid (min),Anmäld frånvaro (min),Oanmäld frånvaro (min)",
            ',',
        );
        let l = recognise(&h, &ColumnMapping::default()).expect("recognised");
        assert_eq!(l.personnummer, 1);
        assert_eq!(
            l.period,
            Period::Range {
                from: 2,
                to: Some(3)
            }
        );
        assert_eq!(
            l.scheduled,
            TimeColumn {
                index: 4,
                unit: TimeUnit::Minutes
            }
        );
        assert_eq!(l.valid.index, 5);
        assert_eq!(l.invalid.index, 6);
        assert_eq!(l.free_text, Some(0));
    }

    #[test]
    fn words_not_letters_decide() {
        assert_eq!(classify("Ogiltig frånvaro, tim"), Some(Role::Invalid));
        assert_eq!(classify("GILTIG  FRÅNVARO"), Some(Role::Valid));
        assert_eq!(classify("Fr.o.m."), Some(Role::From));
        assert_eq!(classify("T.o.m."), Some(Role::To));
        assert_eq!(classify("Frånvaro totalt"), None, "frånvaro is not från");
        assert_eq!(classify("Vecka"), Some(Role::Week));
        assert_eq!(classify("År"), Some(Role::Year));
        assert_eq!(classify("Elevens pnr"), Some(Role::Personnummer));
        assert_eq!(classify("Erbjuden tid (tim)"), Some(Role::Scheduled));
    }

    #[test]
    fn a_unit_in_one_header_is_the_unit_of_the_others() {
        let h = headers(
            "Personnummer;Vecka;Schemalagd tid (tim);Giltig frånvaro;Ogiltig frånvaro",
            ';',
        );
        let l = recognise(&h, &ColumnMapping::default()).expect("recognised");
        assert_eq!(l.valid.unit, TimeUnit::Hours);
        let h = headers("Personnummer;Vecka;Schemalagd minuter;Giltig;Ogiltig", ';');
        let l = recognise(&h, &ColumnMapping::default()).expect("recognised");
        assert_eq!(l.invalid.unit, TimeUnit::Minutes);
        assert!(
            !l.uses
                .iter()
                .find(|u| u.role == Role::Invalid)
                .expect("use")
                .unit_in_header
        );
    }

    #[test]
    fn without_any_unit_the_mapping_or_hours_decide() {
        let h = headers("Personnummer;Vecka;Schemalagd;Giltig;Ogiltig", ';');
        assert_eq!(
            recognise(&h, &ColumnMapping::default())
                .expect("ok")
                .scheduled
                .unit,
            TimeUnit::Hours
        );
        let m = ColumnMapping {
            unit: Some(TimeUnit::Minutes),
            ..Default::default()
        };
        assert_eq!(
            recognise(&h, &m).expect("ok").scheduled.unit,
            TimeUnit::Minutes
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let h = headers("Personnummer;Vecka;Schemalagd tid;Giltig frånvaro", ';');
        let problems = recognise(&h, &ColumnMapping::default()).expect_err("missing");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .message
                .contains("invalid absence (ogiltig/oanmäld frånvaro)"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].message.contains("--map invalid=HEADER"),
            "{}",
            problems[0].message
        );
        assert_eq!(problems[0].code, NoteCode::NoColumn);
        assert_eq!(problems[0].params["role"], "invalid");
    }

    #[test]
    fn a_mapping_names_unknown_headers() {
        let h = headers("Elevens ID;Period;Tid;G;O", ';');
        let mut m = ColumnMapping::default();
        for (role, header) in [
            (Role::Personnummer, "elevens  id"),
            (Role::Week, "Period"),
            (Role::Scheduled, "TID"),
            (Role::Valid, "g"),
            (Role::Invalid, "o"),
        ] {
            m.columns.insert(role, header.to_owned());
        }
        let l = recognise(&h, &m).expect("mapped");
        assert_eq!(l.personnummer, 0);
        assert_eq!(
            l.period,
            Period::Week {
                week: 1,
                year: None
            }
        );
        m.columns.insert(Role::Scheduled, "Saknas".into());
        let problems = recognise(&h, &m).expect_err("unknown header");
        assert!(problems[0].message.contains("'Saknas'"), "{problems:?}");
    }

    #[test]
    fn a_range_is_preferred_to_a_week_unless_the_week_is_mapped() {
        let h = headers("Personnummer;Vecka;Från;Schemalagd;Giltig;Ogiltig", ';');
        let auto = recognise(&h, &ColumnMapping::default()).expect("ok");
        assert_eq!(auto.period, Period::Range { from: 2, to: None });
        let mut m = ColumnMapping::default();
        m.columns.insert(Role::Week, "Vecka".into());
        let mapped = recognise(&h, &m).expect("ok");
        assert_eq!(
            mapped.period,
            Period::Week {
                week: 1,
                year: None
            }
        );
    }

    #[test]
    fn two_candidates_for_one_role_are_a_problem() {
        let h = headers(
            "Personnummer;Vecka;Schemalagd;Giltig;Ogiltig;Ogiltig frånvaro (tim)",
            ';',
        );
        let problems = recognise(&h, &ColumnMapping::default()).expect_err("ambiguous");
        assert!(
            problems[0].message.contains("--map invalid=HEADER"),
            "{problems:?}"
        );
    }
}
