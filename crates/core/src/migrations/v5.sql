-- Version 5: where each entry's shown text is in the search index.
--
-- An entry's indexed text is replaced at every edit and signature. A
-- condition on an UNINDEXED column of an FTS5 table reads the whole index,
-- so deleting the old text by entry_id cost a scan of every entry for each
-- operation replayed; by its rowid it is one lookup. Corrections are not
-- listed: their text is never replaced.
CREATE TABLE search_rows (
    entry_id  TEXT PRIMARY KEY,
    fts_rowid INTEGER NOT NULL
) STRICT;

INSERT INTO search_rows (entry_id, fts_rowid)
SELECT entry_id, max(rowid) FROM search_index
WHERE correction_id IS NULL GROUP BY entry_id;

-- An entry's signature moves every conflict kept for it; find them by
-- object instead of reading them all.
CREATE INDEX field_conflicts_object ON field_conflicts (object_type, object_id);
