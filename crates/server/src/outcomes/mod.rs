//! The unit manager pages' figures (docs/outcomes.md, ADR 0035): what the
//! devices synced, kept as facts without names or personnummer
//! ([`facts`]), brought up to date before a page is computed
//! ([`refresh`]), and counted per team, school and period by the rules
//! the laptop's exports use (`brygga_outcomes`; [`views`]).

pub mod facts;
pub mod views;

use crate::store::{DynStore, Result};

/// Operations read per round of [`refresh`].
const REFRESH_PAGE: u32 = 5000;

/// Takes the facts of the operations stored since the last refresh. The
/// store's single writer gives server_seqs in commit order, so the cursor
/// never passes an operation still to come.
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
        let rows = page.ops.iter().filter_map(facts::of).collect();
        store.add_outcome_facts(rows, cursor).await?;
        if !full {
            return Ok(());
        }
    }
}
