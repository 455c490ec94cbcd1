-- 0009: the transaction that wrote each figure row, for catching up a saved figure snapshot
-- (chitieu_store::snapshot). PostgreSQL transactions take row ids before they commit, in any
-- order, so "rows with a larger id" misses a transaction that commits late; the writing
-- transaction's id, compared with the snapshot taken when the copy was made (its xmax and the
-- transactions then in progress), does not. Rows written before this migration keep NULL:
-- they were committed before any snapshot that uses the column.
-- The default is set after the column is added, so existing rows are not rewritten.
ALTER TABLE figure ADD COLUMN txid BIGINT;
ALTER TABLE figure ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX figure_txid ON figure(txid) WHERE txid IS NOT NULL;
