//! Bulk paths of the PostgreSQL backend, the counterparts of [`crate::sqlite::bulk`]: loading
//! many new figures and targets at once with `COPY … FROM STDIN`, streaming the current figures
//! of a period with `COPY … TO STDOUT`, the targets of many units, and a dashboard (a unit and
//! the units directly below it) in one query for figures and one for targets.
//!
//! The same types and the same behaviour as the SQLite paths: figures are written as the same
//! canonical decimal text [`crate::Store::apply`] writes and read back exactly; each
//! transaction is all or nothing and appends one audit entry.

use super::rows::{TARGET_COLS, comparator_parts, parse_decimal, row_to_target};
use super::{PgStore, audit, now};
use crate::sqlite::bulk::parse_canonical_decimal;
pub use crate::sqlite::bulk::{BulkFigure, BulkOptions, BulkReport, Dashboard, DashboardFigure};
use crate::{Progress, Result, Store, StoreError};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_core::target::Target;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

/// Rows buffered before they are handed to the COPY stream.
const COPY_CHUNK: usize = 1 << 20;

/// Appends `s` to a COPY text-format line, escaping what the format reserves.
fn copy_text(out: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

fn copy_failed(e: std::io::Error) -> StoreError {
    StoreError::Refused(format!("writing rows to PostgreSQL (COPY) failed: {e}"))
}

impl PgStore {
    fn indicator_codes(&self) -> Result<HashSet<String>> {
        self.query("SELECT code FROM indicator", &[])?
            .iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    fn unit_ids(&self) -> Result<HashSet<i64>> {
        self.query("SELECT id FROM unit", &[])?
            .iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    /// Inserts new figures (revision 1, current) with `COPY`, in a few large transactions with
    /// one audit entry each. As [`crate::SqliteStore::bulk_insert_figures`]: a figure that
    /// already has a current revision is an error, and indicators and units are checked before
    /// any row of a transaction is written.
    pub fn bulk_insert_figures<'a, I>(
        &mut self,
        figures: I,
        opts: &BulkOptions,
        progress: &dyn Progress,
    ) -> Result<BulkReport>
    where
        I: IntoIterator<Item = BulkFigure<'a>>,
    {
        self.require_init()?;
        let indicators = self.indicator_codes()?;
        let units = self.unit_ids()?;
        let provenance = serde_json::to_string(&opts.provenance)
            .map_err(|e| StoreError::corrupt("figure provenance", e))?;
        // The columns every row shares, escaped once: state, as_of, provenance, note,
        // entered_by, entered_at, current.
        let mut tail = Vec::new();
        tail.push(b'\t');
        copy_text(&mut tail, opts.state.key());
        tail.extend_from_slice(b"\t\\N\t");
        copy_text(&mut tail, &provenance);
        tail.extend_from_slice(b"\t\\N\t");
        copy_text(&mut tail, &opts.actor);
        tail.push(b'\t');
        copy_text(&mut tail, &now());
        tail.extend_from_slice(b"\tt\n");
        let per_tx = opts.rows_per_transaction.max(1);
        let mut report = BulkReport::default();
        progress.start("Nạp số liệu", opts.expected_rows);
        let result = (|| -> Result<()> {
            let mut iter = figures.into_iter().peekable();
            while iter.peek().is_some() {
                let mut tx = self.conn_mut().client.transaction()?;
                let mut n = 0u64;
                {
                    let mut w = tx.copy_in(
                        "COPY figure (indicator, unit_id, period, revision, value, state, as_of, provenance, note, entered_by, entered_at, current) FROM STDIN",
                    )?;
                    let mut buf = Vec::with_capacity(COPY_CHUNK + 4096);
                    let mut period_text = (None::<Period>, String::new());
                    for f in iter.by_ref() {
                        if !indicators.contains(f.indicator.as_str()) {
                            return Err(StoreError::UnknownIndicator(f.indicator.to_string()));
                        }
                        if !units.contains(&f.unit.0) {
                            return Err(StoreError::NoSuchUnit(f.unit.to_string()));
                        }
                        if period_text.0 != Some(f.period) {
                            period_text = (Some(f.period), f.period.to_string());
                        }
                        copy_text(&mut buf, f.indicator.as_str());
                        // Integers, periods and canonical decimals need no escaping.
                        let _ = write!(
                            buf,
                            "\t{}\t{}\t1\t{}",
                            f.unit.0,
                            period_text.1,
                            f.value.normalize()
                        );
                        buf.extend_from_slice(&tail);
                        n += 1;
                        if buf.len() >= COPY_CHUNK {
                            w.write_all(&buf).map_err(copy_failed)?;
                            buf.clear();
                        }
                        if n.is_multiple_of(10_000) {
                            progress.advance(10_000);
                        }
                        if n == per_tx {
                            break;
                        }
                    }
                    w.write_all(&buf).map_err(copy_failed)?;
                    w.finish()?;
                }
                audit(
                    &mut tx,
                    &opts.actor,
                    "figure.bulk_insert",
                    "figure",
                    "",
                    json!({"rows": n, "state": opts.state.key(), "provenance": opts.provenance}),
                )?;
                tx.commit()?;
                progress.advance(n % 10_000);
                report.rows += n;
                report.transactions += 1;
            }
            Ok(())
        })();
        progress.finish();
        result.map(|()| report)
    }

    /// Inserts new targets with `COPY`, as [`crate::SqliteStore::bulk_insert_targets`].
    pub fn bulk_insert_targets<I>(
        &mut self,
        targets: I,
        opts: &BulkOptions,
        progress: &dyn Progress,
    ) -> Result<BulkReport>
    where
        I: IntoIterator<Item = Target>,
    {
        self.require_init()?;
        let indicators = self.indicator_codes()?;
        let units = self.unit_ids()?;
        let sources: HashSet<String> = self
            .query("SELECT key FROM plan_source", &[])?
            .iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect::<Result<_>>()?;
        let per_tx = opts.rows_per_transaction.max(1);
        let mut report = BulkReport::default();
        progress.start("Nạp chỉ tiêu kế hoạch", opts.expected_rows);
        let result = (|| -> Result<()> {
            let mut iter = targets.into_iter().peekable();
            while iter.peek().is_some() {
                let mut tx = self.conn_mut().client.transaction()?;
                let mut n = 0u64;
                {
                    let mut w = tx.copy_in(
                        "COPY target (indicator, unit_id, period, source_key, op, value, max_value) FROM STDIN",
                    )?;
                    let mut buf = Vec::with_capacity(COPY_CHUNK + 4096);
                    for t in iter.by_ref() {
                        if !indicators.contains(t.indicator.as_str()) {
                            return Err(StoreError::UnknownIndicator(t.indicator.to_string()));
                        }
                        if !units.contains(&t.unit.0) {
                            return Err(StoreError::NoSuchUnit(t.unit.to_string()));
                        }
                        if !sources.contains(&t.source) {
                            return Err(StoreError::UnknownPlanSource(t.source.clone()));
                        }
                        let (op, value, max) = comparator_parts(&t.comparator);
                        copy_text(&mut buf, t.indicator.as_str());
                        let _ = write!(buf, "\t{}\t{}\t", t.unit.0, t.period);
                        copy_text(&mut buf, &t.source);
                        buf.push(b'\t');
                        copy_text(&mut buf, op);
                        buf.push(b'\t');
                        copy_text(&mut buf, &value);
                        buf.push(b'\t');
                        match &max {
                            Some(m) => copy_text(&mut buf, m),
                            None => buf.extend_from_slice(b"\\N"),
                        }
                        buf.push(b'\n');
                        n += 1;
                        if buf.len() >= COPY_CHUNK {
                            w.write_all(&buf).map_err(copy_failed)?;
                            buf.clear();
                        }
                        if n.is_multiple_of(10_000) {
                            progress.advance(10_000);
                        }
                        if n == per_tx {
                            break;
                        }
                    }
                    w.write_all(&buf).map_err(copy_failed)?;
                    w.finish()?;
                }
                audit(
                    &mut tx,
                    &opts.actor,
                    "target.bulk_insert",
                    "target",
                    "",
                    json!({"rows": n}),
                )?;
                tx.commit()?;
                progress.advance(n % 10_000);
                report.rows += n;
                report.transactions += 1;
            }
            Ok(())
        })();
        progress.finish();
        result.map(|()| report)
    }

    /// Calls `each(indicator, unit, value)` for every current figure of a period, streamed
    /// with `COPY … TO STDOUT` in text form. Returns the number of figures.
    pub fn for_each_current_figure(
        &self,
        period: &Period,
        mut each: impl FnMut(&str, UnitId, Decimal),
    ) -> Result<u64> {
        // A period's text is digits, '-' and a letter; quoting is belt and braces.
        let period_text = period.to_string().replace('\'', "''");
        let mut data = Vec::new();
        {
            let mut c = self.lock();
            let mut reader = c.client.copy_out(&format!(
                "COPY (SELECT indicator, unit_id, value FROM figure WHERE period = '{period_text}' AND current) TO STDOUT"
            ))?;
            reader
                .read_to_end(&mut data)
                .map_err(|e| StoreError::Refused(format!("reading figures (COPY) failed: {e}")))?;
        }
        let mut n = 0u64;
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let mut cols = line.splitn(3, |&b| b == b'\t');
            let (Some(ind), Some(unit), Some(value)) = (cols.next(), cols.next(), cols.next())
            else {
                return Err(StoreError::corrupt(
                    "figure row",
                    String::from_utf8_lossy(line),
                ));
            };
            // Indicator codes are lower-case ASCII, so COPY never escapes them.
            let ind =
                std::str::from_utf8(ind).map_err(|e| StoreError::corrupt("figure indicator", e))?;
            let unit = std::str::from_utf8(unit)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| StoreError::corrupt("figure unit", String::from_utf8_lossy(unit)))?;
            let text =
                std::str::from_utf8(value).map_err(|e| StoreError::corrupt("figure value", e))?;
            let value = match parse_canonical_decimal(text) {
                Some(v) => v,
                None => parse_decimal(text, "figure value")?,
            };
            each(ind, UnitId(unit), value);
            n += 1;
        }
        Ok(n)
    }

    /// Calls `each` for every target of the given units set for exactly `period`, unit by
    /// unit in the order given (in the order they were stored within a unit). Returns the
    /// number of targets.
    pub fn for_each_target(
        &self,
        units: &[UnitId],
        period: &Period,
        mut each: impl FnMut(Target),
    ) -> Result<u64> {
        let ids: Vec<i64> = units.iter().map(|u| u.0).collect();
        let sql = format!(
            "SELECT {TARGET_COLS} FROM target WHERE unit_id = ANY($1) AND period = $2 ORDER BY id"
        );
        let mut by_unit: HashMap<i64, Vec<Target>> = HashMap::new();
        for r in self.query(&sql, &[&ids, &period.to_string()])? {
            let t = row_to_target(&r)?;
            by_unit.entry(t.unit.0).or_default().push(t);
        }
        let mut n = 0u64;
        for u in units {
            for t in by_unit.remove(&u.0).unwrap_or_default() {
                each(t);
                n += 1;
            }
        }
        Ok(n)
    }

    /// The figures and targets of a unit and of the units directly below it for one period,
    /// as [`crate::SqliteStore::dashboard`]: one query for the figures of all the units and
    /// one for their targets.
    pub fn dashboard(&self, unit: UnitId, period: &Period) -> Result<Dashboard> {
        let on = period.end_date();
        let me = self.unit_on(unit, on)?;
        let children = self.children_on(unit, on)?;
        let ids: Vec<i64> = std::iter::once(me.unit.0)
            .chain(children.iter().map(|c| c.unit.0))
            .collect();
        let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let period_text = period.to_string();
        let year_text = period
            .containing_year()
            .map(|y| y.to_string())
            .unwrap_or_else(|| period_text.clone());

        let mut figures = Vec::with_capacity(ids.len() * 64);
        for r in self.query(
            "SELECT id, indicator, unit_id, value::text, state FROM figure
             WHERE unit_id = ANY($1) AND period = $2 AND current",
            &[&ids, &period_text],
        )? {
            let indicator: &str = r.try_get(1)?;
            let value: &str = r.try_get(3)?;
            let state: &str = r.try_get(4)?;
            figures.push(DashboardFigure {
                id: r.try_get(0)?,
                indicator: IndicatorCode::new(indicator)
                    .map_err(|e| StoreError::corrupt("figure indicator", e))?,
                unit: UnitId(r.try_get(2)?),
                value: match parse_canonical_decimal(value) {
                    Some(v) => v,
                    None => parse_decimal(value, "figure value")?,
                },
                state: state
                    .parse()
                    .map_err(|e: String| StoreError::corrupt("figure state", e))?,
            });
        }
        let rank = |u: UnitId| position.get(&u.0).copied().unwrap_or(usize::MAX);
        figures.sort_unstable_by(|a, b| {
            (rank(a.unit), a.indicator.as_str()).cmp(&(rank(b.unit), b.indicator.as_str()))
        });

        let mut targets = Vec::with_capacity(ids.len() * 64);
        let sql = format!(
            "SELECT {TARGET_COLS} FROM target WHERE unit_id = ANY($1) AND period IN ($2, $3)"
        );
        for r in self.query(&sql, &[&ids, &period_text, &year_text])? {
            let text: String = r.try_get(2)?;
            targets.push((text, row_to_target(&r)?));
        }
        targets.sort_unstable_by(|(pa, a), (pb, b)| {
            (rank(a.unit), a.indicator.as_str(), pa, &a.source).cmp(&(
                rank(b.unit),
                b.indicator.as_str(),
                pb,
                &b.source,
            ))
        });
        Ok(Dashboard {
            unit: me,
            children,
            figures,
            targets: targets.into_iter().map(|(_, t)| t).collect(),
        })
    }

    /// The id of the newest audit entry (0 when there is none): every write appends one, so
    /// a copy of the data made at this id is current as long as the id has not moved.
    pub fn newest_audit_id(&self) -> Result<i64> {
        let rows = self.query("SELECT coalesce(max(id), 0)::bigint FROM audit_log", &[])?;
        match rows.first() {
            Some(r) => Ok(r.try_get(0)?),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::copy_text;

    #[test]
    fn copy_text_escapes_what_the_format_reserves() {
        for (input, want) in [
            ("plain", "plain"),
            ("a\tb", "a\\tb"),
            ("line\nnext", "line\\nnext"),
            ("cr\rx", "cr\\rx"),
            ("back\\slash", "back\\\\slash"),
            ("Tiếng Việt", "Tiếng Việt"),
        ] {
            let mut out = Vec::new();
            copy_text(&mut out, input);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{input}");
        }
    }
}
