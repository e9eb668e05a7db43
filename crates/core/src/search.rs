//! Full-text search over entry and correction text (FTS5, inside the
//! encrypted database).

use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::views::SearchHit;
use rusqlite::params;

/// Turns what the user typed into an FTS5 query: every word must occur,
/// as a prefix ("hembes" finds "hembesök"). Quoting each word keeps FTS5
/// operators and punctuation in user input from being interpreted.
/// Public with `bench-plaintext` only: the benchmark runs the same query
/// on a plain FTS5 table beside the journal's.
pub fn to_fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Journal {
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let fts = to_fts_query(query).ok_or_else(|| {
            Error::invalid(ReasonCode::SearchEmpty, "the search has no words in it")
        })?;
        // Newest text first, limited inside the index: the join and the
        // snippets are made only for the rows shown. Ranking every match by
        // relevance first costs a scan of all matches, which at 100k entries
        // is hundreds of milliseconds for common words (ADR 0008).
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.case_id, p.name, e.kind, e.status, e.event_at, h.snip, h.corr
             FROM (SELECT entry_id, correction_id IS NOT NULL AS corr,
                          snippet(search_index, 0, '[', ']', '…', 12) AS snip, rowid AS written
                   FROM search_index WHERE search_index MATCH ?1
                   ORDER BY rowid DESC LIMIT ?2) h
             JOIN entries e ON e.id = h.entry_id
             JOIN cases c ON c.id = e.case_id
             JOIN pupils p ON p.id = c.pupil_id
             ORDER BY h.written DESC",
        )?;
        let hits = stmt
            .query_map(params![fts, limit], |r| {
                let kind: String = r.get(3)?;
                Ok(SearchHit {
                    entry_id: r.get(0)?,
                    case_id: r.get(1)?,
                    pupil_name: r.get(2)?,
                    kind: kind
                        .parse()
                        .map_err(|e: brygga_protocol::entry_kind::UnknownKind| {
                            rusqlite::Error::FromSqlConversionFailure(
                                3,
                                rusqlite::types::Type::Text,
                                e.to_string().into(),
                            )
                        })?,
                    status: r.get(4)?,
                    event_at: r.get(5)?,
                    snippet: r.get(6)?,
                    in_correction: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // The query itself is not logged: it may hold words about a child.
        self.record(Event {
            action: Action::Search,
            object_type: "entry",
            object_id: None,
            pupil_id: None,
            detail: format!(
                "{} hits: {}",
                hits.len(),
                hits.iter()
                    .map(|h| h.entry_id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        })?;
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_words_become_quoted_prefix_terms() {
        assert_eq!(
            to_fts_query("Hembesök  mamma").as_deref(),
            Some("\"hembesök\"* \"mamma\"*")
        );
    }

    #[test]
    fn fts_operators_in_input_are_not_interpreted() {
        assert_eq!(
            to_fts_query("NEAR(\"x\" OR y)*").as_deref(),
            Some("\"near\"* \"x\"* \"or\"* \"y\"*")
        );
        assert_eq!(to_fts_query(" -*\"() "), None);
    }
}
