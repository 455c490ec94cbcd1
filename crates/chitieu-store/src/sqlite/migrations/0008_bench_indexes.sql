-- 0008: covering indexes for the dashboard and roll-up reads (measured by chitieu-bench).
-- A dashboard reads the current figures of one period for a unit and its children, and their
-- targets; with every column it reads in the index, SQLite answers from the index alone instead
-- of seeking each row in the table. They replace the narrower indexes on the same leading
-- columns, so writes maintain no more indexes than before.
DROP INDEX IF EXISTS figure_unit;
CREATE INDEX figure_unit ON figure(unit_id, period, current, indicator, value, state);
DROP INDEX IF EXISTS target_unit_period;
CREATE INDEX target_unit_period ON target(unit_id, period, indicator, source_key, op, value, max_value);
