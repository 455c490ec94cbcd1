//! Bulk paths of the PostgreSQL backend, the counterparts of [`crate::sqlite::bulk`]: loading
//! many new figures and targets at once with `COPY … FROM STDIN`, streaming the current figures
//! of a period with `COPY … TO STDOUT`, the targets of many units, and a dashboard (a unit and
//! the units directly below it) in one query for figures and one for targets.
//!
//! The same types and the same behaviour as the SQLite paths: figures are written as the same
//! canonical decimal text [`crate::Store::apply`] writes and read back exactly; each
//! transaction is all or nothing and appends one audit entry.

use super::rows::{comparator_parts, parse_decimal};
use super::{PgStore, audit, now};
use crate::sqlite::bulk::parse_canonical_decimal;
pub use crate::sqlite::bulk::{BulkFigure, BulkOptions, BulkReport, Dashboard, DashboardFigure};
use crate::{Progress, Result, Store, StoreError};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, Target};
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

/// Splits COPY text output into rows of fields (still escaped; see [`unescape`]).
fn copy_rows(data: &[u8]) -> impl Iterator<Item = Vec<&[u8]>> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.split(|&b| b == b'\t').collect())
}

/// A COPY text field as text: `\N` is NULL, backslash escapes are undone.
fn unescape<'a>(field: &'a [u8], what: &str) -> Result<Option<std::borrow::Cow<'a, str>>> {
    if field == b"\\N" {
        return Ok(None);
    }
    let text = std::str::from_utf8(field).map_err(|e| StoreError::corrupt(what, e))?;
    if !text.contains('\\') {
        return Ok(Some(std::borrow::Cow::Borrowed(text)));
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => {
                return Err(StoreError::corrupt(
                    what,
                    "a COPY field ends in a backslash",
                ));
            }
        }
    }
    Ok(Some(std::borrow::Cow::Owned(out)))
}

/// A field that must not be NULL.
fn field<'a>(row: &[&'a [u8]], i: usize, what: &str) -> Result<std::borrow::Cow<'a, str>> {
    let f = row
        .get(i)
        .ok_or_else(|| StoreError::corrupt(what, "missing column"))?;
    unescape(f, what)?.ok_or_else(|| StoreError::corrupt(what, "NULL"))
}

/// The change stamp from the newest audit id and the count of entries among the last 1024 ids
/// (see [`PgStore::change_stamp`]).
fn stamp_of(newest: i64, recent: i64) -> i64 {
    newest.wrapping_mul(2048).wrapping_add(recent)
}

fn decimal(text: &str, what: &str) -> Result<Decimal> {
    match parse_canonical_decimal(text) {
        Some(v) => Ok(v),
        None => parse_decimal(text, what),
    }
}

/// Turns the text of the columns indicator, unit_id, source_key, op, value, max_value (from
/// `first` on) into a target of `period`; indicator codes are checked once each.
struct TargetDecoder {
    codes: HashMap<String, IndicatorCode>,
}

impl TargetDecoder {
    fn new() -> Self {
        TargetDecoder {
            codes: HashMap::new(),
        }
    }

    fn code(&mut self, text: &str, what: &str) -> Result<IndicatorCode> {
        if let Some(c) = self.codes.get(text) {
            return Ok(c.clone());
        }
        let c = IndicatorCode::new(text).map_err(|e| StoreError::corrupt(what, e))?;
        self.codes.insert(text.to_string(), c.clone());
        Ok(c)
    }

    fn target(&mut self, row: &[&[u8]], first: usize, period: Period) -> Result<Target> {
        let value = decimal(&field(row, first + 4, "target value")?, "target value")?;
        let max = match row.get(first + 5) {
            Some(f) => unescape(f, "target max")?
                .map(|m| decimal(&m, "target max"))
                .transpose()?,
            None => None,
        };
        Ok(Target {
            indicator: self.code(&field(row, first, "target indicator")?, "target indicator")?,
            unit: UnitId(
                field(row, first + 1, "target unit")?
                    .parse()
                    .map_err(|e| StoreError::corrupt("target unit", e))?,
            ),
            period,
            source: field(row, first + 2, "target source")?.into_owned(),
            comparator: Comparator::from_parts(&field(row, first + 3, "target op")?, value, max)
                .map_err(|e| StoreError::corrupt("target comparator", e))?,
        })
    }
}

/// Quotes a text value for a statement that cannot take parameters (COPY).
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `'{1,2,3}'::bigint[]`.
fn id_array(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    format!("'{{{}}}'::bigint[]", list.join(","))
}

impl PgStore {
    /// Runs `COPY (query) TO STDOUT` and returns its text output.
    fn copy_out(&self, query: &str) -> Result<Vec<u8>> {
        let mut data = Vec::new();
        let mut c = self.lock();
        let mut reader = c.client.copy_out(&format!("COPY ({query}) TO STDOUT"))?;
        reader
            .read_to_end(&mut data)
            .map_err(|e| StoreError::Refused(format!("reading rows (COPY) failed: {e}")))?;
        Ok(data)
    }

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
            let value = decimal(text, "figure value")?;
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
        let data = self.copy_out(&format!(
            "SELECT indicator, unit_id, source_key, op, value, max_value FROM target
             WHERE unit_id = ANY({}) AND period = {} ORDER BY id",
            id_array(&ids),
            quote(&period.to_string())
        ))?;
        let mut decoder = TargetDecoder::new();
        let mut by_unit: HashMap<i64, Vec<Target>> = HashMap::new();
        for row in copy_rows(&data) {
            let t = decoder.target(&row, 0, *period)?;
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

        let rank = |u: i64| position.get(&u).copied().unwrap_or(usize::MAX);
        let mut decoder = TargetDecoder::new();

        let own: Period = period_text
            .parse()
            .map_err(|e| StoreError::corrupt("period", e))?;
        let of_year: Period = year_text
            .parse()
            .map_err(|e| StoreError::corrupt("period", e))?;

        // One COPY for the figures and the targets of all the units: one round trip and one
        // statement for the server to plan, and COPY's text rows cost far less to read than
        // the extended protocol's, row by row. Rows are (kind, id or period, indicator,
        // unit_id, state or source_key, op, value, max_value); kind is 'f' for a figure and
        // 't' for a target.
        let units = id_array(&ids);
        let data = self.copy_out(&format!(
            "SELECT 'f', id::text, indicator, unit_id, state, NULL::text, value, NULL::numeric
             FROM figure WHERE unit_id = ANY({units}) AND period = {period} AND current
             UNION ALL
             SELECT 't', period, indicator, unit_id, source_key, op, value, max_value
             FROM target WHERE unit_id = ANY({units}) AND period IN ({period}, {year})",
            period = quote(&period_text),
            year = quote(&year_text)
        ))?;
        let mut figures: Vec<(usize, DashboardFigure)> = Vec::with_capacity(ids.len() * 64);
        // (position of the unit, 0 for the year's targets and 1 for the period's own, target):
        // the year's text is a prefix of the period's, so this is the order of the text.
        let mut targets: Vec<(usize, u8, Target)> = Vec::with_capacity(ids.len() * 64);
        for row in copy_rows(&data) {
            match row.first().copied() {
                Some(b"f") => {
                    let unit: i64 = field(&row, 3, "figure unit")?
                        .parse()
                        .map_err(|e| StoreError::corrupt("figure unit", e))?;
                    figures.push((
                        rank(unit),
                        DashboardFigure {
                            id: field(&row, 1, "figure id")?
                                .parse()
                                .map_err(|e| StoreError::corrupt("figure id", e))?,
                            indicator: decoder
                                .code(&field(&row, 2, "figure indicator")?, "figure indicator")?,
                            unit: UnitId(unit),
                            value: decimal(&field(&row, 6, "figure value")?, "figure value")?,
                            state: field(&row, 4, "figure state")?
                                .parse()
                                .map_err(|e: String| StoreError::corrupt("figure state", e))?,
                        },
                    ));
                }
                Some(b"t") => {
                    let (r, p) = if field(&row, 1, "target period")? == year_text.as_str() {
                        (0, of_year)
                    } else {
                        (1, own)
                    };
                    let t = decoder.target(&row, 2, p)?;
                    targets.push((rank(t.unit.0), r, t));
                }
                _ => return Err(StoreError::corrupt("dashboard row", "unknown kind")),
            }
        }
        figures.sort_unstable_by(|(pa, a), (pb, b)| {
            (pa, a.indicator.as_str()).cmp(&(pb, b.indicator.as_str()))
        });
        targets.sort_unstable_by(|(pa, ra, a), (pb, rb, b)| {
            (pa, a.indicator.as_str(), ra, &a.source).cmp(&(
                pb,
                b.indicator.as_str(),
                rb,
                &b.source,
            ))
        });
        Ok(Dashboard {
            unit: me,
            children,
            figures: figures.into_iter().map(|(_, f)| f).collect(),
            targets: targets.into_iter().map(|(_, _, t)| t).collect(),
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

    /// A stamp that changes whenever a write commits (see [`crate::AnyStore::change_stamp`]).
    /// Concurrent transactions take audit ids first and commit later, in any order: a reader
    /// may see id 11 committed while id 10's transaction is still open, and the newest id does
    /// not move when 10 commits. The stamp therefore also counts the entries among the last
    /// 1024 ids, which changes when such a late transaction commits.
    pub fn change_stamp(&self) -> Result<i64> {
        let rows = self.query(
            "SELECT coalesce(max(id), 0)::bigint, count(*)::bigint FROM audit_log
             WHERE id > (SELECT coalesce(max(id), 0) FROM audit_log) - 1024",
            &[],
        )?;
        match rows.first() {
            Some(r) => Ok(stamp_of(r.try_get(0)?, r.try_get(1)?)),
            None => Ok(0),
        }
    }

    /// The digest of the audit entry with id `id` (see
    /// [`crate::snapshot::ChangeKey::entry_digest`]), when there is one.
    pub fn audit_entry_digest(&self, id: i64) -> Result<Option<[u8; 32]>> {
        let rows = self.query(
            "SELECT at, actor, action, entity, entity_key, detail FROM audit_log WHERE id = $1",
            &[&id],
        )?;
        match rows.first() {
            Some(r) => {
                let mut fields = [const { String::new() }; 6];
                for (i, f) in fields.iter_mut().enumerate() {
                    *f = r.try_get(i)?;
                }
                Ok(Some(crate::snapshot::ChangeKey::entry_digest(id, &fields)))
            }
            None => Ok(None),
        }
    }

    /// The transaction snapshot now: its xmax and the transactions in progress. Every figure
    /// row records the transaction that wrote it (migration 0009), and every transaction that
    /// commits after this has an id of at least xmax or is among those in progress (see
    /// [`crate::snapshot::CatchUpMark::Transactions`]).
    pub fn catch_up_mark(&self) -> Result<Option<crate::snapshot::CatchUpMark>> {
        let rows = self.query(
            "WITH q AS (SELECT pg_current_snapshot() AS s)
             SELECT pg_snapshot_xmax(s)::text::bigint,
                    ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x)
             FROM q",
            &[],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::corrupt("transaction snapshot", "no row"))?;
        Ok(Some(crate::snapshot::CatchUpMark::Transactions {
            xmax: row.try_get(0)?,
            in_progress: row.try_get(1)?,
        }))
    }

    /// Calls `each(indicator, unit, period, value)` for every current figure written after
    /// `mark`: by a transaction with an id of at least its xmax or in progress then (over the
    /// index of migration 0009). Returns how many.
    pub fn for_each_current_figure_since(
        &self,
        mark: &crate::snapshot::CatchUpMark,
        mut each: impl FnMut(&str, UnitId, &str, Decimal),
    ) -> Result<u64> {
        let crate::snapshot::CatchUpMark::Transactions { xmax, in_progress } = mark else {
            return Err(StoreError::corrupt(
                "snapshot catch-up mark",
                "a SQLite row-id mark given to PostgreSQL",
            ));
        };
        let rows = self.query(
            "SELECT indicator, unit_id, period, value::text FROM figure
             WHERE (txid >= $1 OR txid = ANY($2)) AND current",
            &[xmax, in_progress],
        )?;
        let mut n = 0u64;
        for r in &rows {
            let indicator: &str = r.try_get(0)?;
            let unit: i64 = r.try_get(1)?;
            let period: &str = r.try_get(2)?;
            let text: &str = r.try_get(3)?;
            let value = decimal(text, "figure value")?;
            each(indicator, UnitId(unit), period, value);
            n += 1;
        }
        Ok(n)
    }

    /// The change stamp and a digest of the newest audit entry, read in one query: what a
    /// snapshot saved on disk is checked against (see [`crate::snapshot::ChangeKey`]).
    pub fn change_key(&self) -> Result<crate::snapshot::ChangeKey> {
        let rows = self.query(
            "SELECT a.id, a.at, a.actor, a.action, a.entity, a.entity_key, a.detail,
                    (SELECT count(*)::bigint FROM audit_log WHERE id > a.id - 1024)
             FROM audit_log a ORDER BY a.id DESC LIMIT 1",
            &[],
        )?;
        match rows.first() {
            Some(r) => {
                let newest: i64 = r.try_get(0)?;
                let recent: i64 = r.try_get(7)?;
                let mut fields = [const { String::new() }; 6];
                for (i, f) in fields.iter_mut().enumerate() {
                    *f = r.try_get(i + 1)?;
                }
                Ok(crate::snapshot::ChangeKey::new(
                    stamp_of(newest, recent),
                    newest,
                    &fields,
                ))
            }
            None => Ok(crate::snapshot::ChangeKey::empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{copy_text, unescape};

    #[test]
    fn unescape_undoes_copy_text() {
        for input in ["KH-2025", "a\tb\\c", "dòng 1\ndòng 2\r", "\\N", ""] {
            let mut out = Vec::new();
            copy_text(&mut out, input);
            let back = unescape(&out, "test").unwrap().unwrap();
            assert_eq!(back, input);
        }
        assert_eq!(unescape(b"\\N", "test").unwrap(), None);
        assert!(unescape(b"bad\\", "test").is_err());
    }

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
