//! The team's deviations in collaboration in aggregate, by partner and
//! category (docs/deviations.md): what to take up with each partner.
//!
//! Aggregate only and suppressed as the follow-up statistics are
//! (`brygga_outcomes`): a group of fewer than [`MIN_GROUP`] pupils shows
//! every figure as "<5", and any count of 1 to 4 is "<5". No text, case,
//! pupil, date or author leaves: only the partner's kind of organisation,
//! the category and counts.

use super::csv_out::csv_bytes;
use super::pdf::{Document, Style};
use crate::audit::{Action, Event};
use crate::clock;
use crate::deviations::{OBJECT, STATUS_FIELD};
use crate::error::Result;
use crate::journal::Journal;
use brygga_outcomes::deviations::{DeviationFigures, DeviationTally};
use brygga_outcomes::labels::{category_label, partner_label, DEVIATION_COLUMNS};
use brygga_outcomes::{Figure, MIN_GROUP};
use brygga_protocol::op::{DeviationCategory, DeviationStatus, OrgKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// The deviations of one partner and category.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviationGroup {
    /// The partner's kind of organisation (`bup`, `school`…).
    pub partner: String,
    /// The category's stable name (`late-contact`…).
    pub category: String,
    /// Pupils with a deviation in the group.
    pub pupils: Figure,
    pub deviations: Figure,
    pub open: Figure,
    pub raised: Figure,
    pub mended: Figure,
}

/// The team's deviations by partner and category.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviationSummary {
    /// YYYY-MM-DD.
    pub generated_on: String,
    pub min_group: u32,
    /// By partner, then category, in the order the lists have them.
    pub groups: Vec<DeviationGroup>,
}

/// The group of `partner` and `category` with its figures.
fn group(
    partner: OrgKind,
    category: DeviationCategory,
    tally: &DeviationTally<'_, String>,
) -> DeviationGroup {
    let DeviationFigures {
        pupils,
        deviations,
        open,
        raised,
        mended,
    } = tally.figures();
    DeviationGroup {
        partner: partner.as_str().to_owned(),
        category: category.as_str().to_owned(),
        pupils,
        deviations,
        open,
        raised,
        mended,
    }
}

impl DeviationSummary {
    /// A header and one row per group, for the CSV and the PDF.
    pub fn table(&self) -> Vec<Vec<String>> {
        std::iter::once(DEVIATION_COLUMNS.map(str::to_owned).to_vec())
            .chain(self.groups.iter().map(|g| {
                vec![
                    partner_label(&g.partner).to_owned(),
                    category_label(&g.category).to_owned(),
                    g.pupils.text(),
                    g.deviations.text(),
                    g.open.text(),
                    g.raised.text(),
                    g.mended.text(),
                ]
            }))
            .collect()
    }
}

impl Journal {
    /// Computes the summary without recording anything.
    fn compute_deviation_summary(&self) -> Result<DeviationSummary> {
        let mut stmt = self.conn.prepare(
            "SELECT d.partner, d.category, c.pupil_id, COALESCE(m.value, ?1)
             FROM deviations d JOIN cases c ON c.id = d.case_id
             LEFT JOIN mutable_fields m
               ON m.object_type = ?2 AND m.object_id = d.id AND m.field = ?3",
        )?;
        let rows = stmt
            .query_map(
                rusqlite::params![DeviationStatus::Open.as_str(), OBJECT, STATUS_FIELD],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut tallies: BTreeMap<(usize, usize), DeviationTally<'_, String>> = BTreeMap::new();
        for (partner, category, pupil, status) in rows {
            // Only what this build knows reaches the table (newer-format
            // waits), so an unknown key here is skipped, never guessed.
            let (Some(p), Some(c), Some(s)) = (
                OrgKind::ALL.iter().position(|k| k.as_str() == partner),
                DeviationCategory::ALL
                    .iter()
                    .position(|k| k.as_str() == category),
                DeviationStatus::parse(&status),
            ) else {
                continue;
            };
            tallies.entry((p, c)).or_default().add(pupil, s.as_str());
        }
        Ok(DeviationSummary {
            generated_on: clock::today().to_string(),
            min_group: MIN_GROUP,
            groups: tallies
                .iter()
                .map(|(&(p, c), t)| group(OrgKind::ALL[p], DeviationCategory::ALL[c], t))
                .collect(),
        })
    }

    fn record_deviation_summary(&self, action: Action, format: &str) -> Result<()> {
        self.record(Event {
            action,
            object_type: "deviation-summary",
            object_id: None,
            pupil_id: None,
            detail: format!("{format}aggregate, groups under {MIN_GROUP} suppressed"),
        })
    }

    /// The team's deviations by partner and category, for a screen.
    pub fn deviation_summary(&self) -> Result<DeviationSummary> {
        let summary = self.compute_deviation_summary()?;
        self.record_deviation_summary(Action::Read, "")?;
        Ok(summary)
    }

    /// The summary as CSV.
    pub fn export_deviations_csv(&self) -> Result<Vec<u8>> {
        let bytes = csv_bytes(&self.compute_deviation_summary()?.table())?;
        self.record_deviation_summary(Action::Export, "CSV, ")?;
        Ok(bytes)
    }

    /// The summary as PDF, with what it counts.
    pub fn export_deviations_pdf(&self) -> Result<Vec<u8>> {
        let summary = self.compute_deviation_summary()?;
        let title = "Avvikelser i samverkan";
        let mut doc = Document::new(title);
        doc.text(title, Style::TITLE);
        doc.text(
            &format!("Sammanställd {}", summary.generated_on),
            Style::SMALL,
        );
        doc.gap(8.0);
        doc.text(
            &format!(
                "Teamets avvikelser i samverkan per samverkanspart och kategori, med var de står: öppna, \
                 lyfta med parten, åtgärdade. Endast sammanräknade uppgifter. Grupper med färre än {n} \
                 elever och antal under {n} visas som \"<{n}\".",
                n = summary.min_group
            ),
            Style::BODY,
        );
        doc.gap(4.0);
        if summary.groups.is_empty() {
            doc.text("Inga avvikelser är registrerade.", Style::BODY);
        } else {
            doc.table(
                &[0.2, 0.28, 0.1, 0.1, 0.1, 0.12, 0.1],
                &summary.table(),
                Style::SMALL,
            );
        }
        let bytes = doc.finish();
        self.record_deviation_summary(Action::Export, "PDF, ")?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::journal;
    use crate::{NewDeviation, NewPupil, Personnummer};
    use chrono::NaiveDate;
    use uuid::Uuid;

    /// A fictional pupil with an open case; the case.
    fn case(j: &mut Journal, serial: u16) -> Uuid {
        let pnr =
            Personnummer::fictional(NaiveDate::from_ymd_opt(2012, 5, 2).expect("date"), serial);
        let pupil = j
            .add_pupil(NewPupil {
                name: format!("Fiktiv Elev {serial}"),
                personnummer: pnr.as_str().into(),
                school: "Fiktiva skolan".into(),
                grade: 8,
                protected_identity: false,
            })
            .expect("pupil");
        j.open_case(pupil).expect("case")
    }

    fn deviation(j: &mut Journal, case_id: Uuid, partner: &str, category: &str) -> Uuid {
        j.add_deviation(NewDeviation {
            case_id,
            action_id: None,
            partner: partner.into(),
            category: category.into(),
            text: "Hemlig detalj om Fiktiv Elev".into(),
        })
        .expect("deviation")
    }

    /// Six pupils with a late contact from BUP (one raised with BUP, the
    /// first pupil twice); two with an agreed action the school did not do.
    fn team(j: &mut Journal) {
        for serial in 1..=6 {
            let c = case(j, serial);
            let d = deviation(j, c, "bup", "late-contact");
            if serial == 1 {
                j.set_deviation_status(d, "raised").expect("raised");
                deviation(j, c, "bup", "late-contact");
            }
            if serial <= 2 {
                deviation(j, c, "school", "action-not-done");
            }
        }
    }

    #[test]
    fn groups_of_five_pupils_or_more_show_their_counts_and_smaller_ones_nothing() {
        let (_dir, mut j) = journal();
        team(&mut j);
        let s = j.deviation_summary().expect("summary");
        assert_eq!(s.min_group, 5);
        let keys: Vec<_> = s
            .groups
            .iter()
            .map(|g| (g.partner.as_str(), g.category.as_str()))
            .collect();
        assert_eq!(
            keys,
            [("school", "action-not-done"), ("bup", "late-contact")]
        );
        let school = &s.groups[0];
        for figure in [
            school.pupils,
            school.deviations,
            school.open,
            school.raised,
            school.mended,
        ] {
            assert_eq!(figure, Figure::Suppressed, "two pupils show nothing");
        }
        let bup = &s.groups[1];
        assert_eq!(bup.pupils, Figure::Count(6));
        assert_eq!(bup.deviations, Figure::Count(7));
        assert_eq!(bup.open, Figure::Count(6));
        assert_eq!(bup.raised, Figure::Suppressed, "one is under five");
        assert_eq!(bup.mended, Figure::Count(0));
    }

    #[test]
    fn the_csv_and_pdf_hold_no_personal_data_and_are_audited_as_aggregates() {
        let (_dir, mut j) = journal();
        team(&mut j);
        let csv = String::from_utf8(j.export_deviations_csv().expect("csv")).expect("utf-8");
        assert_eq!(
            csv,
            "\u{feff}Samverkanspart;Kategori;Elever;Avvikelser;Öppna;Lyfta med parten;Åtgärdade\r\n\
             Skolan;Överenskommen insats inte gjord;<5;<5;<5;<5;<5\r\n\
             BUP;Sen kontakt;6;7;6;<5;0\r\n"
        );
        for personal in ["Fiktiv", "2012", "Hemlig", "Handläggare"] {
            assert!(!csv.contains(personal), "{personal} in {csv}");
        }
        let pdf = j.export_deviations_pdf().expect("pdf");
        assert!(pdf.starts_with(b"%PDF"));
        let rows = crate::fixtures::audited(&j, "deviation-summary");
        assert_eq!(rows.len(), 2);
        assert!(rows
            .iter()
            .all(|r| r.action == "export" && r.pupil_id.is_none()));
        assert_eq!(rows[0].detail, "CSV, aggregate, groups under 5 suppressed");
    }

    #[test]
    fn no_deviations_is_an_empty_summary() {
        let (_dir, j) = journal();
        assert!(j.deviation_summary().expect("summary").groups.is_empty());
        assert!(j.export_deviations_pdf().expect("pdf").starts_with(b"%PDF"));
    }
}
