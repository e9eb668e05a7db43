//! Swedish personal identity numbers (personnummer and samordningsnummer).
//!
//! Stored as 12 digits (YYYYMMDDNNNC), shown as YYMMDD-NNNC. The
//! `personnummer` crate parses the number and checks the date (including
//! the day + 60 of a samordningsnummer). Its Luhn check in 3.1.1 runs over
//! the real birth day rather than the digits as written, which rejects
//! every valid samordningsnummer, so the check digit is verified here over
//! the ten digits as written (docs/adr/0004-personnummer.md).

use crate::error::{Error, ReasonCode, Result};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Personnummer(String);

impl Personnummer {
    /// Parses 12-digit (`YYYYMMDDNNNC`, `YYYYMMDD-NNNC`) or 10-digit
    /// (`YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC`) input. A 10-digit
    /// number takes the latest century that does not put the birth date
    /// after `today`; `+` marks someone aged 100 or more.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Personnummer> {
        // The input is not echoed: error texts end up in logs.
        Personnummer::check(input, today).map_err(|why| {
            Error::invalid(
                ReasonCode::Personnummer,
                format!("personnummer: {}", why.explain()),
            )
            .with("flaw", why.code())
        })
    }

    /// As [`Personnummer::parse`], saying which rule the input breaks.
    pub(crate) fn check(input: &str, today: NaiveDate) -> std::result::Result<Personnummer, Flaw> {
        let trimmed: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let (digits, hundred_plus) = split_divider(&trimmed).ok_or(Flaw::Form)?;
        let twelve = match digits.len() {
            12 => digits,
            10 => with_century(&digits, hundred_plus, today).ok_or(Flaw::Date)?,
            _ => return Err(Flaw::Length),
        };
        let parsed = personnummer::Personnummer::parse(&twelve).map_err(|_| Flaw::Date)?;
        if parsed.serial() == 0 {
            return Err(Flaw::Serial);
        }
        if !luhn_ok(&twelve[2..]) {
            return Err(Flaw::CheckDigit);
        }
        Ok(Personnummer(twelve))
    }

    /// A made-up number for demo data, fixtures and benchmarks: the date
    /// and serial given, with the check digit computed. Whether it belongs
    /// to a real person is not checked, so callers keep serials in ranges
    /// and years that say "fictional" in context.
    pub fn fictional(birth: NaiveDate, serial: u16) -> Personnummer {
        let nine = format!(
            "{:02}{:02}{:02}{:03}",
            birth.year().rem_euclid(100),
            birth.month(),
            birth.day(),
            serial % 1000
        );
        let check = (10 - luhn_sum(&nine) % 10) % 10;
        Personnummer(format!("{:04}{}{check}", birth.year(), &nine[2..]))
    }

    /// The 12 stored digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// YYMMDD-NNNC, as Swedish forms show it.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[2..8], &self.0[8..])
    }

    /// True for a samordningsnummer (day of birth + 60).
    pub fn is_coordination_number(&self) -> bool {
        self.0[6..8].parse::<u32>().map(|d| d > 60).unwrap_or(false)
    }
}

impl fmt::Display for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl From<Personnummer> for String {
    fn from(p: Personnummer) -> String {
        p.0
    }
}

impl TryFrom<String> for Personnummer {
    type Error = Error;

    /// Only the stored 12-digit form; no century guessing on the way back in.
    fn try_from(s: String) -> Result<Self> {
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                ReasonCode::Personnummer,
                format!("stored personnummer '{s}' is not 12 digits"),
            ));
        }
        Ok(Personnummer(s))
    }
}

/// The rule a personnummer breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flaw {
    Form,
    Date,
    Length,
    Serial,
    CheckDigit,
}

impl Flaw {
    /// The stable name the UI words (`reason.personnummer.<flaw>`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Flaw::Form => "form",
            Flaw::Date => "date",
            Flaw::Length => "length",
            Flaw::Serial => "serial",
            Flaw::CheckDigit => "check-digit",
        }
    }

    pub(crate) fn explain(self) -> &'static str {
        match self {
            Flaw::Form => "expected YYYYMMDD-NNNC, YYMMDD-NNNC or 10/12 digits",
            Flaw::Date => "the date does not exist",
            Flaw::Length => "expected 10 or 12 digits",
            Flaw::Serial => "the serial number 000 is never issued",
            Flaw::CheckDigit => "the check digit is wrong (typo?)",
        }
    }
}

/// Returns the digits and whether the divider was `+`.
fn split_divider(s: &str) -> Option<(String, bool)> {
    let (digits, plus) = match s.len() {
        11 | 13 => {
            let at = s.len() - 5;
            let divider = s.as_bytes()[at];
            if divider != b'-' && divider != b'+' {
                return None;
            }
            (format!("{}{}", &s[..at], &s[at + 1..]), divider == b'+')
        }
        _ => (s.to_owned(), false),
    };
    digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then_some((digits, plus))
}

fn with_century(ten: &str, hundred_plus: bool, today: NaiveDate) -> Option<String> {
    let yy: i32 = ten[0..2].parse().ok()?;
    let mm: u32 = ten[2..4].parse().ok()?;
    let dd: u32 = ten[4..6].parse().ok()?;
    let day = if dd > 60 { dd - 60 } else { dd };
    let mut year = today.year() - today.year().rem_euclid(100) + yy;
    let born = |y: i32| NaiveDate::from_ymd_opt(y, mm, day);
    if born(year)? > today {
        year -= 100;
    }
    if hundred_plus {
        year -= 100;
    }
    Some(format!("{year:04}{}", &ten[2..]))
}

/// Luhn sum over digits as written: weights 2,1,2,1,… from the left.
fn luhn_sum(digits: &str) -> u32 {
    digits
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum()
}

/// True when YYMMDDNNNC has a valid check digit.
fn luhn_ok(ten: &str) -> bool {
    luhn_sum(ten) % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    fn parse(s: &str) -> Result<Personnummer> {
        Personnummer::parse(s, today())
    }

    // All numbers here are fictional test numbers.
    #[test]
    fn accepts_the_usual_forms_and_stores_twelve_digits() {
        for form in [
            "201204179939",
            "20120417-9939",
            "120417-9939",
            "1204179939",
            " 120417 - 9939 ",
        ] {
            let p = parse(form).unwrap_or_else(|e| panic!("{form}: {e}"));
            assert_eq!(p.as_str(), "201204179939");
            assert_eq!(p.display(), "120417-9939");
        }
    }

    #[test]
    fn accepts_a_samordningsnummer() {
        let p = parse("701063-2391").expect("coordination number");
        assert_eq!(p.as_str(), "197010632391");
        assert!(p.is_coordination_number());
    }

    #[test]
    fn fictional_numbers_get_a_valid_check_digit() {
        let birth = NaiveDate::from_ymd_opt(2012, 4, 17).expect("date");
        let p = Personnummer::fictional(birth, 993);
        assert_eq!(p.as_str(), "201204179939");
        assert_eq!(parse(p.as_str()).expect("valid"), p);
    }

    #[test]
    fn a_plus_divider_means_a_hundred_years_more() {
        assert_eq!(
            parse("121212+1212").expect("valid").as_str(),
            "191212121212"
        );
    }

    #[test]
    fn rejects_wrong_check_digits_dates_and_shapes() {
        for bad in [
            "201204179938",  // check digit
            "20121332-0000", // month 13
            "20120230-1234", // 30 February
            "201204170000",  // serial 000
            "12345",
            "abcdefghijkl",
            "2012-04-17-9939",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_error_says_what_is_wrong() {
        let e = parse("201204179938").expect_err("must fail").to_string();
        assert!(e.contains("check digit"), "{e}");
    }

    #[test]
    fn serde_round_trips_the_stored_form_only() {
        let p = parse("120417-9939").expect("valid");
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(json, "\"201204179939\"");
        assert_eq!(
            serde_json::from_str::<Personnummer>(&json).expect("back"),
            p
        );
        assert!(serde_json::from_str::<Personnummer>("\"120417-9939\"").is_err());
    }
}
