//! The unit manager pages' figures (docs/outcomes.md, ADR 0035): what the
//! devices synced, kept as facts without names or personnummer
//! ([`facts`]), brought up to date before a page is computed
//! ([`refresh`]) with each pupil's weeks of absence in one row
//! ([`weeks`]), and counted per team, school and period by the rules the
//! laptop's exports use (`brygga_outcomes`; [`views`]).

pub mod facts;
pub mod views;
pub mod weeks;

use crate::store::outcomes::{FactBatch, FactRow, WEEK};
use crate::store::{DynStore, Result};
use std::collections::BTreeSet;

/// Operations read per round of [`refresh`].
const REFRESH_PAGE: u32 = 5000;

/// Takes the facts of the operations stored since the last refresh, and
/// packs again the weeks of each pupil with a new week. The store's single
/// writer gives server_seqs in commit order, so the cursor never passes an
/// operation still to come.
pub async fn refresh(store: &DynStore) -> Result<()> {
    loop {
        let page = store.outcome_ops(REFRESH_PAGE).await?;
        let full = page.ops.len() == REFRESH_PAGE as usize;
        let cursor = match (full, page.ops.last()) {
            (true, Some(last)) => last.server_seq,
            _ => page.latest,
        };
        if cursor == page.cursor {
            return Ok(());
        }
        let facts: Vec<FactRow> = page.ops.iter().filter_map(facts::of).collect();
        let pupils: BTreeSet<(i64, String)> = facts
            .iter()
            .filter(|f| f.kind == WEEK)
            .map(|f| (f.team_id, f.subject.clone()))
            .collect();
        let stored = store
            .outcome_week_facts(pupils.into_iter().collect())
            .await?;
        let weeks = weeks::pack(stored.iter().chain(&facts));
        let batch = FactBatch {
            after: page.cursor,
            cursor,
            facts,
            weeks,
        };
        // Not stored: another refresh took these first; read on from its
        // cursor.
        if store.add_outcome_facts(batch).await? && !full {
            return Ok(());
        }
    }
}
