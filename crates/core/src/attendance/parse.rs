//! Reading an absence export into rows, without the journal.
//!
//! Decoding, the separator, the header and every row are checked here and
//! every problem is collected with its line number, so one run of the
//! importer lists all that is wrong with a file instead of the first.
//!
//! ## Rows with more fields than the header
//!
//! School systems write a pupil's name as "Efternamn, Förnamn" without
//! quoting it, in comma-separated files. A proper CSV reader (quotes are
//! honoured) then sees one field too many. The rule: when a row has `k`
//! more fields than the header, and the header has a column Brygga does
//! not read (the pupil's name — a header with "namn", "elev" or "name" —
//! else the first unread column) to the LEFT of the personnummer column,
//! that column and the `k` fields after it are joined back into one, with
//! the separator between them, and the row is read as usual; the report
//! notes it. Because that column lies left of the personnummer, surplus
//! that came from anywhere else shifts a wrong value into the personnummer
//! or date columns, and the row is reported as a problem instead of being
//! silently misread. In any other case a row with surplus fields is a
//! problem.

use super::columns::{recognise, ColumnMapping, ColumnUse, Layout, Period, TimeColumn};
use super::decode::decode;
use super::note::{Note, NoteCode};
use super::values::{self, monday_of, MAX_SCHEDULED_MIN_PER_WEEK};
use crate::personnummer::{Flaw, Personnummer};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A problem, or a note, about one line of the file (1 is the first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LineNote {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    #[serde(flatten)]
    pub note: Note,
}

/// One week's figures, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeekMinutes {
    pub scheduled_min: u32,
    pub valid_min: u32,
    pub invalid_min: u32,
}

/// A row that reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub line: u64,
    pub personnummer: Personnummer,
    pub week_start: NaiveDate,
    pub figures: WeekMinutes,
}

/// What the file holds, and what is wrong with it.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub encoding: String,
    pub separator: Option<char>,
    pub columns: Vec<ColumnUse>,
    pub rows: Vec<Row>,
    pub notes: Vec<LineNote>,
    pub problems: Vec<LineNote>,
}

/// The separator is the one of `;`, tab and `,` that the header line has
/// most of, outside quotes; a tie goes to `;` (Swedish Excel, where the
/// comma is the decimal sign), then tab.
fn separator(header_line: &str) -> Option<char> {
    let mut quoted = false;
    let mut counts = [(';', 0usize), ('\t', 0), (',', 0)];
    for c in header_line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == c) {
                slot.1 += 1;
            }
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    counts
        .iter()
        .find(|(_, n)| *n == best && best > 0)
        .map(|(s, _)| *s)
}

/// The line (1 is the first) a record starts on, from its byte offset.
/// Counted here rather than taken from the CSV reader's line counter,
/// which may still stand on the line break before the record.
fn line_at(text: &str, byte: u64) -> u64 {
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    let bytes = text.as_bytes();
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    bytes[..start].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(|f| f.trim().is_empty())
}

/// Joins surplus fields back into the free-text column (see the module
/// documentation), or says why the row cannot be read.
fn realign(
    fields: Vec<String>,
    headers: &[String],
    layout: &Layout,
    sep: char,
) -> Result<(Vec<String>, Option<Note>), Note> {
    let surplus = fields.len().saturating_sub(layout.width);
    let counts = || {
        [
            ("fields", fields.len().to_string()),
            ("columns", layout.width.to_string()),
        ]
    };
    let said = format!(
        "the line has {} fields but the header has {} columns",
        fields.len(),
        layout.width
    );
    if fields.len() < layout.width {
        return Err(Note::new(NoteCode::TooFewFields, counts(), said));
    }
    if surplus == 0 {
        return Ok((fields, None));
    }
    let Some(k) = layout.free_text.filter(|k| *k < layout.personnummer) else {
        return Err(Note::new(
            NoteCode::TooManyFields,
            counts(),
            format!("{said}; put quotes around a value that contains the separator"),
        ));
    };
    let mut out = fields;
    let joined: Vec<String> = out.drain(k..=k + surplus).collect();
    out.insert(k, joined.join(&sep.to_string()));
    let note = Note::new(
        NoteCode::JoinedFields,
        [("surplus", surplus.to_string()), ("separator", sep.to_string())],
        format!(
            "{surplus} more field(s) than the header has columns: the unquoted '{sep}' was read as part of its text"
        ),
    )
    .in_column(header_text(&headers[k]));
    Ok((out, Some(note)))
}

/// A header as the user wrote it, without a byte-order mark.
fn header_text(header: &str) -> &str {
    header.trim_start_matches('\u{feff}').trim()
}

struct RowReader<'a> {
    layout: &'a Layout,
    headers: &'a [String],
    today: NaiveDate,
}

impl RowReader<'_> {
    fn cell<'f>(&self, fields: &'f [String], index: usize) -> &'f str {
        fields[index].trim()
    }

    fn at(&self, index: usize, note: Note) -> Note {
        note.in_column(header_text(&self.headers[index]))
    }

    fn week_start(&self, fields: &[String]) -> Result<NaiveDate, Note> {
        match self.layout.period {
            Period::Week { week, year } => {
                let year = match year {
                    Some(y) if !self.cell(fields, y).is_empty() => {
                        let raw = self.cell(fields, y);
                        Some(raw.parse::<i32>().map_err(|_| {
                            let note = Note::new(
                                NoteCode::NotAYear,
                                [("value", raw.to_owned())],
                                format!("'{raw}' is not a year"),
                            );
                            self.at(y, note)
                        })?)
                    }
                    _ => None,
                };
                values::week(self.cell(fields, week), year, self.today)
                    .map_err(|e| self.at(week, e))
            }
            Period::Range { from, to } => {
                let first = values::date(self.cell(fields, from)).map_err(|e| self.at(from, e))?;
                if let Some(to) = to {
                    let last = values::date(self.cell(fields, to)).map_err(|e| self.at(to, e))?;
                    if last < first || monday_of(last) != monday_of(first) {
                        return Err(Note::new(
                            NoteCode::PeriodOverWeeks,
                            [("from", first.to_string()), ("to", last.to_string())],
                            format!(
                                "the period {first} – {last} is not within one week; Brygga keeps weekly figures"
                            ),
                        ));
                    }
                }
                Ok(monday_of(first))
            }
        }
    }

    /// Minutes in a time column; an empty absence cell is no absence, an
    /// empty scheduled time is a problem.
    fn minutes(
        &self,
        fields: &[String],
        col: TimeColumn,
        empty_is_zero: bool,
    ) -> Result<u32, Note> {
        let raw = self.cell(fields, col.index);
        if raw.is_empty() && empty_is_zero {
            return Ok(0);
        }
        values::minutes(raw, col.unit).map_err(|e| self.at(col.index, e))
    }

    /// Every problem of one row, or the row.
    fn read(&self, line: u64, fields: &[String]) -> Result<Row, Vec<Note>> {
        let mut problems = Vec::new();
        let pnr = Personnummer::check(self.cell(fields, self.layout.personnummer), self.today)
            .map_err(|flaw| self.at(self.layout.personnummer, personnummer_note(flaw)));
        let week = self.week_start(fields);
        let scheduled = self.minutes(fields, self.layout.scheduled, false);
        let valid = self.minutes(fields, self.layout.valid, true);
        let invalid = self.minutes(fields, self.layout.invalid, true);
        let (Ok(personnummer), Ok(week_start), Ok(scheduled), Ok(valid), Ok(invalid)) =
            (&pnr, &week, &scheduled, &valid, &invalid)
        else {
            for e in [
                pnr.err(),
                week.err(),
                scheduled.err(),
                valid.err(),
                invalid.err(),
            ]
            .into_iter()
            .flatten()
            {
                problems.push(e);
            }
            return Err(problems);
        };
        if *scheduled > MAX_SCHEDULED_MIN_PER_WEEK {
            let unit = self.layout.scheduled.unit;
            let amount = f64::from(*scheduled) / f64::from(unit.minutes());
            let note = Note::new(
                NoteCode::ScheduledTooLarge,
                [("amount", amount.to_string()), ("unit", unit.as_str().into())],
                format!(
                    "{amount} {} scheduled in one week cannot be right; is the column in another unit? \
                     Name the unit in the header, e.g. '(min)', or pass --unit",
                    unit.as_str()
                ),
            );
            problems.push(self.at(self.layout.scheduled.index, note));
        }
        if valid + invalid > *scheduled {
            problems.push(Note::new(
                NoteCode::AbsenceOverScheduled,
                [
                    ("valid", valid.to_string()),
                    ("invalid", invalid.to_string()),
                    ("scheduled", scheduled.to_string()),
                ],
                format!(
                    "the absence ({valid} min valid + {invalid} min invalid) is more than the scheduled time ({scheduled} min)"
                ),
            ));
        }
        if *week_start > monday_of(self.today) {
            problems.push(Note::new(
                NoteCode::WeekNotBegun,
                [("week", values::iso_week_label(*week_start))],
                format!("the week of {week_start} has not begun yet"),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Row {
            line,
            personnummer: personnummer.clone(),
            week_start: *week_start,
            figures: WeekMinutes {
                scheduled_min: *scheduled,
                valid_min: *valid,
                invalid_min: *invalid,
            },
        })
    }
}

/// What is wrong with a personnummer in a row (the number itself is not
/// repeated: the line says where it is).
fn personnummer_note(flaw: Flaw) -> Note {
    let code = match flaw {
        Flaw::Form => NoteCode::PersonnummerForm,
        Flaw::Date => NoteCode::PersonnummerDate,
        Flaw::Length => NoteCode::PersonnummerLength,
        Flaw::Serial => NoteCode::PersonnummerSerial,
        Flaw::CheckDigit => NoteCode::PersonnummerCheckDigit,
    };
    Note::new(code, [], flaw.explain().to_owned())
}

/// Reads a whole file. `today` places weeks written without a year and
/// 10-digit personnummer.
pub(crate) fn parse(bytes: &[u8], mapping: &ColumnMapping, today: NaiveDate) -> Parsed {
    let decoded = decode(bytes);
    let mut parsed = Parsed {
        encoding: decoded.encoding,
        ..Parsed::default()
    };
    let problem = |line: u64, note: Note| LineNote { line, note };
    let plain = |line: u64, code: NoteCode, message: &str| {
        problem(line, Note::new(code, [], message.into()))
    };
    let Some((header_index, header_line)) = decoded
        .text
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
    else {
        parsed
            .problems
            .push(plain(1, NoteCode::EmptyFile, "the file is empty"));
        return parsed;
    };
    let Some(sep) = separator(header_line) else {
        parsed.problems.push(plain(
            header_index as u64 + 1,
            NoteCode::NoSeparator,
            "the header line has no ';', ',' or tab between its columns",
        ));
        return parsed;
    };
    parsed.separator = Some(sep);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep as u8)
        .from_reader(decoded.text.as_bytes());
    let mut header: Option<(u64, Vec<String>, Layout)> = None;
    let mut seen: HashMap<(String, NaiveDate), u64> = HashMap::new();
    for next in reader.records() {
        let record = match next {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| line_at(&decoded.text, p.byte()))
                    .unwrap_or(0);
                let note = Note::new(
                    NoteCode::UnreadableLine,
                    [("detail", e.to_string())],
                    format!("the line cannot be read: {e}"),
                );
                parsed.problems.push(problem(line, note));
                continue;
            }
        };
        let line = record
            .position()
            .map(|p| line_at(&decoded.text, p.byte()))
            .unwrap_or(0);
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        if is_blank(&fields) {
            continue;
        }
        let Some((_, headers, layout)) = &header else {
            match recognise(&fields, mapping) {
                Ok(layout) => {
                    parsed.columns = layout.uses.clone();
                    header = Some((line, fields, layout));
                }
                Err(problems) => {
                    parsed
                        .problems
                        .extend(problems.into_iter().map(|m| problem(line, m)));
                    return parsed;
                }
            }
            continue;
        };
        let fields = match realign(fields, headers, layout, sep) {
            Ok((fields, note)) => {
                if let Some(note) = note {
                    parsed.notes.push(problem(line, note));
                }
                fields
            }
            Err(e) => {
                parsed.problems.push(problem(line, e));
                continue;
            }
        };
        let reader = RowReader {
            layout,
            headers,
            today,
        };
        match reader.read(line, &fields) {
            Ok(row) => {
                let key = (row.personnummer.as_str().to_owned(), row.week_start);
                if let Some(first) = seen.get(&key) {
                    let week = values::iso_week_label(row.week_start);
                    let note = Note::new(
                        NoteCode::DuplicateRow,
                        [("week", week.clone()), ("first_line", first.to_string())],
                        format!("the same pupil and week ({week}) is also on line {first}; keep one of them"),
                    );
                    parsed.problems.push(problem(line, note));
                } else {
                    seen.insert(key, line);
                    parsed.rows.push(row);
                }
            }
            Err(problems) => parsed
                .problems
                .extend(problems.into_iter().map(|m| problem(line, m))),
        }
    }
    if header.is_none() {
        parsed
            .problems
            .push(plain(1, NoteCode::NoHeader, "the file has no header line"));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    fn parse_str(text: &str) -> Parsed {
        parse(text.as_bytes(), &ColumnMapping::default(), today())
    }

    // All personnummer here are fictional test numbers.
    #[test]
    fn the_shared_sample_reads_with_the_unquoted_names_joined_back() {
        let sample = include_bytes!("../../tests/fixtures/attendance/franvaro-export-exempel.csv");
        let p = parse(sample, &ColumnMapping::default(), today());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.encoding, "UTF-8 with BOM");
        assert_eq!(p.separator, Some(','));
        assert_eq!(p.rows.len(), 4);
        assert_eq!(p.notes.len(), 4, "every row had its name joined back");
        let joined = &p.notes[0].note;
        assert_eq!(joined.code, NoteCode::JoinedFields);
        assert_eq!(joined.params["column"], "Elev");
        assert!(
            joined.message.starts_with("column 'Elev': 1 more field(s)"),
            "{}",
            joined.message
        );
        let first = &p.rows[0];
        assert_eq!(
            (first.line, first.personnummer.as_str()),
            (2, "201204179939")
        );
        assert_eq!(
            first.week_start,
            NaiveDate::from_ymd_opt(2026, 10, 5).expect("date")
        );
        assert_eq!(
            first.figures,
            WeekMinutes {
                scheduled_min: 1680,
                valid_min: 120,
                invalid_min: 45
            }
        );
    }

    #[test]
    fn semicolons_hours_and_decimal_commas() {
        let p = parse_str(
            "Personnummer;Vecka;Schemalagd tid (tim);Giltig frånvaro (tim);Ogiltig frånvaro (tim)\n\
             120417-9939;41;28;2,5;0,75\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.separator, Some(';'));
        assert_eq!(
            p.rows[0].figures,
            WeekMinutes {
                scheduled_min: 1680,
                valid_min: 150,
                invalid_min: 45
            }
        );
    }

    #[test]
    fn a_quoted_name_with_the_separator_needs_no_recovery() {
        let p = parse_str(
            "Namn,Personnummer,Vecka,Schemalagd (min),Giltig (min),Ogiltig (min)\n\
             \"Fiktiv, Nora\",201204179939,2026-W41,1680,\"12,5\",0\n",
        );
        assert!(
            p.problems.is_empty() && p.notes.is_empty(),
            "{:?} {:?}",
            p.problems,
            p.notes
        );
        assert_eq!(p.rows[0].figures.valid_min, 13);
    }

    #[test]
    fn a_surplus_field_elsewhere_is_a_problem_not_a_misreading() {
        // An unquoted decimal comma in the valid column: joining the name
        // would move a date into the personnummer column, so it fails.
        let p = parse_str(
            "Elev,Personnummer,Vecka,Schemalagd (min),Giltig (min),Ogiltig (min)\n\
             Nora,201204179939,41,1680,12,5,0\n",
        );
        assert!(p.rows.is_empty());
        assert!(p.problems.iter().all(|n| n.line == 2), "{:?}", p.problems);
        assert!(
            p.problems[0].note.message.contains("Personnummer"),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_line() {
        let p = parse_str(
            "Personnummer;Vecka;Schemalagd (min);Giltig (min);Ogiltig (min)\n\
             201204179939;40;1680;0;0\n\
             201204179938;41;abc;0;0\n\
             201204179939;40;1680;0;0\n\
             201210089882;41;100;80;30\n\
             201210089882;42;100\n",
        );
        let lines: Vec<u64> = p.problems.iter().map(|n| n.line).collect();
        assert_eq!(lines, vec![3, 3, 4, 5, 6], "{:?}", p.problems);
        assert!(p.problems[0].note.message.contains("check digit"));
        assert!(p.problems[1].note.message.contains("'abc' is not a number"));
        assert!(p.problems[2].note.message.contains("also on line 2"));
        assert!(p.problems[3]
            .note
            .message
            .contains("more than the scheduled time"));
        assert!(p.problems[4].note.message.contains("3 fields"));
        let codes: Vec<NoteCode> = p.problems.iter().map(|n| n.note.code).collect();
        assert_eq!(
            codes,
            [
                NoteCode::PersonnummerCheckDigit,
                NoteCode::NotANumber,
                NoteCode::DuplicateRow,
                NoteCode::AbsenceOverScheduled,
                NoteCode::TooFewFields
            ]
        );
        let abc = &p.problems[1].note.params;
        assert_eq!(
            (abc["column"].as_str(), abc["value"].as_str()),
            ("Schemalagd (min)", "abc")
        );
        assert_eq!(p.problems[2].note.params["first_line"], "2");
    }

    #[test]
    fn hours_that_must_be_minutes_are_caught() {
        let p = parse_str(
            "Personnummer;Vecka;Schemalagd;Giltig;Ogiltig\n201204179939;41;1680;120;45\n",
        );
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert!(
            p.problems[0].note.message.contains("another unit"),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn a_date_range_must_stay_within_a_week_and_in_the_past() {
        let p = parse_str(
            "Personnummer;Från;Till;Schemalagd (min);Giltig (min);Ogiltig (min)\n\
             201204179939;2026-10-05;2026-10-13;1680;0;0\n\
             201204179939;2026-12-07;2026-12-11;1680;0;0\n",
        );
        assert!(
            p.problems[0].note.message.contains("not within one week"),
            "{:?}",
            p.problems
        );
        assert!(
            p.problems[1].note.message.contains("has not begun"),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn blank_lines_and_empty_absence_cells() {
        let p = parse_str(
            "\n;;;;\nPersonnummer;Vecka;Schemalagd (min);Giltig (min);Ogiltig (min)\r\n\
             201204179939;41;1680;;\r\n;;;;\r\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].line, 4);
        assert_eq!(p.rows[0].figures.valid_min, 0);
    }

    #[test]
    fn no_separator_or_no_header() {
        assert!(parse_str("").problems[0].note.message.contains("empty"));
        assert!(parse_str("bara text\n").problems[0]
            .note
            .message
            .contains("no ';'"));
    }
}
