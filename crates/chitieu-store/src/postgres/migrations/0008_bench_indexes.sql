-- 0008: covering indexes for the dashboard and roll-up reads (measured by chitieu-bench), in
-- step with SQLite's 0008. The read columns ride along as INCLUDE columns, so an index-only
-- scan can answer a dashboard once the table is vacuumed. They replace the narrower indexes
-- on the same leading columns, so writes maintain no more indexes than before.
DROP INDEX IF EXISTS figure_unit;
CREATE INDEX figure_unit ON figure(unit_id, period) INCLUDE (current, indicator, value, state);
DROP INDEX IF EXISTS target_unit_period;
CREATE INDEX target_unit_period ON target(unit_id, period) INCLUDE (indicator, source_key, op, value, max_value);
