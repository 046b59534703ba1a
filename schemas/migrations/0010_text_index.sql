-- expand
-- Text search moves from the bigram column (search_bigrams, GIN) to a Xapian index each petitiond keeps on
-- its own disk (server/search). search_xid is the transaction that last changed what the index holds of a
-- petition: new rows take it from the default, changed rows from the trigger petitions_search_changed.
-- Additive: an older binary neither reads nor writes it. Rows from before stay NULL (a new index is built
-- from every row). The older binary's own search still reads search_bigrams, which this release no longer
-- fills: during a rolling upgrade it does not find petitions the newer one registered. The column and its
-- index are dropped by the release after this one.
ALTER TABLE petitions ADD COLUMN search_xid xid8;
ALTER TABLE petitions ALTER COLUMN search_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX petitions_search_xid ON petitions (search_xid, id) WHERE search_xid IS NOT NULL;
