//! Bulk paths of the SQLite backend, outside the [`crate::Store`] interface: loading many new
//! figures and targets at once, streaming the current figures of a period, and the figures and
//! targets of a unit and the units directly below it (a dashboard).
//!
//! Values stay exact: figures are written as the same canonical decimal text as
//! [`crate::Store::apply`] writes, and read back with a parser that handles that text without
//! going through a float (falling back to the general decimal parser for anything else).

use super::rows::{comparator_parts, parse_decimal, parse_period};
use super::{SqliteStore, audit, now};
use crate::{Progress, Result, Store, StoreError};
use chitieu_core::Decimal;
use chitieu_core::admin::{UnitId, UnitVersion};
use chitieu_core::figure::{FigureState, Provenance};
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, Target};
use rusqlite::params;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// One new figure for [`SqliteStore::bulk_insert_figures`].
#[derive(Debug, Clone, Copy)]
pub struct BulkFigure<'a> {
    pub indicator: &'a IndicatorCode,
    pub unit: UnitId,
    pub period: Period,
    pub value: Decimal,
}

/// How a bulk load stamps what it writes.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Who loads the rows (the `entered_by` of figures, the actor of the audit entry).
    pub actor: String,
    /// The state of every figure loaded.
    pub state: FigureState,
    /// The provenance of every figure loaded.
    pub provenance: Provenance,
    /// Rows written per transaction. Each transaction is all or nothing; a failure keeps the
    /// transactions committed before it (the report of the error says how many rows).
    pub rows_per_transaction: u64,
    /// Rows expected, for the progress bar only.
    pub expected_rows: u64,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            actor: "bulk".to_string(),
            state: FigureState::Official,
            provenance: Provenance::Generated {
                note: "bulk load".to_string(),
            },
            rows_per_transaction: 1_000_000,
            expected_rows: 0,
        }
    }
}

/// What a bulk load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkReport {
    pub rows: u64,
    pub transactions: u64,
}

/// The figures and targets of a unit and of the units directly below it, for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The unit as it stood at the end of the period.
    pub unit: UnitVersion,
    /// The units directly below it at the end of the period, in the order of official lists.
    pub children: Vec<UnitVersion>,
    /// The current figures of the period, of the unit and of its children, by unit in the
    /// order above (the unit first), then by indicator code.
    pub figures: Vec<DashboardFigure>,
    /// Targets of the unit and its children set for the period itself or for its whole year.
    pub targets: Vec<Target>,
}

/// A current figure as a dashboard shows it: its provenance and history are one
/// [`crate::Store::current_figure`] or [`crate::Store::figure_history`] away (by `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardFigure {
    /// The stored revision's id.
    pub id: i64,
    pub indicator: IndicatorCode,
    pub unit: UnitId,
    pub value: Decimal,
    pub state: FigureState,
}

/// The page cache used while bulk loading, in KiB (SQLite's negative `cache_size`): large
/// enough that index pages touched by a load stay in memory.
const BULK_CACHE_KIB: i64 = 1_048_576;

impl SqliteStore {
    /// Inserts new figures (revision 1, current) in a few large transactions, with one audit
    /// entry per transaction instead of one per figure. Meant for first loads and migrations
    /// of history: a figure that already has a current revision is an error (use
    /// [`crate::Store::apply`] to correct figures). Indicators and units are checked before any
    /// row of a transaction is written.
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
        let stamp = now();
        let per_tx = opts.rows_per_transaction.max(1);
        let mut report = BulkReport::default();
        let old_cache = self.set_cache_size(-BULK_CACHE_KIB)?;
        progress.start("Nạp số liệu", opts.expected_rows);
        let result = (|| -> Result<()> {
            let mut iter = figures.into_iter().peekable();
            while iter.peek().is_some() {
                let tx = self.write_tx()?;
                let mut n = 0u64;
                {
                    let mut stmt = tx.prepare_cached(
                        "INSERT INTO figure (indicator, unit_id, period, revision, value, state, as_of, provenance, note, entered_by, entered_at, current)
                         VALUES (?1, ?2, ?3, 1, ?4, ?5, NULL, ?6, NULL, ?7, ?8, 1)",
                    )?;
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
                        stmt.execute(params![
                            f.indicator.as_str(),
                            f.unit.0,
                            period_text.1,
                            f.value.normalize().to_string(),
                            opts.state.key(),
                            provenance,
                            opts.actor,
                            stamp,
                        ])?;
                        n += 1;
                        if n.is_multiple_of(10_000) {
                            progress.advance(10_000);
                        }
                        if n == per_tx {
                            break;
                        }
                    }
                }
                audit(
                    &tx,
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
        self.set_cache_size(old_cache)?;
        result.map(|()| report)
    }

    /// Inserts new targets in a few large transactions, with one audit entry per transaction.
    /// A target that already exists (same indicator, unit, period and plan source) is an error;
    /// plan sources must exist already (add them with [`crate::Store::apply`]).
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
        let sources: HashSet<String> = {
            let mut stmt = self.conn.prepare("SELECT key FROM plan_source")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let per_tx = opts.rows_per_transaction.max(1);
        let mut report = BulkReport::default();
        let old_cache = self.set_cache_size(-BULK_CACHE_KIB)?;
        progress.start("Nạp chỉ tiêu kế hoạch", opts.expected_rows);
        let result = (|| -> Result<()> {
            let mut iter = targets.into_iter().peekable();
            while iter.peek().is_some() {
                let tx = self.write_tx()?;
                let mut n = 0u64;
                {
                    let mut stmt = tx.prepare_cached(
                        "INSERT INTO target (indicator, unit_id, period, source_key, op, value, max_value)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?;
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
                        stmt.execute(params![
                            t.indicator.as_str(),
                            t.unit.0,
                            t.period.to_string(),
                            t.source,
                            op,
                            value,
                            max
                        ])?;
                        n += 1;
                        if n.is_multiple_of(10_000) {
                            progress.advance(10_000);
                        }
                        if n == per_tx {
                            break;
                        }
                    }
                }
                audit(
                    &tx,
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
        self.set_cache_size(old_cache)?;
        result.map(|()| report)
    }

    /// Calls `each(indicator, unit, value)` for every current figure of a period, in storage
    /// order, without building a [`FigureRevision`](chitieu_core::figure::FigureRevision) per
    /// row. Returns the number of figures.
    pub fn for_each_current_figure(
        &self,
        period: &Period,
        mut each: impl FnMut(&str, UnitId, Decimal),
    ) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT indicator, unit_id, value FROM figure WHERE period = ?1 AND current = 1",
        )?;
        let mut rows = stmt.query([period.to_string()])?;
        let mut n = 0u64;
        while let Some(row) = rows.next()? {
            let indicator = row
                .get_ref(0)?
                .as_str()
                .map_err(|e| StoreError::corrupt("figure indicator", e))?;
            let unit: i64 = row.get(1)?;
            let text = row
                .get_ref(2)?
                .as_str()
                .map_err(|e| StoreError::corrupt("figure value", e))?;
            let value = decimal(text, "figure value")?;
            each(indicator, UnitId(unit), value);
            n += 1;
        }
        Ok(n)
    }

    /// Calls `each` for every target of the given units set for exactly `period`, unit by
    /// unit in the order given. Returns the number of targets.
    pub fn for_each_target(
        &self,
        units: &[UnitId],
        period: &Period,
        mut each: impl FnMut(Target),
    ) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT indicator, unit_id, period, source_key, op, value, max_value FROM target
             WHERE unit_id = ?1 AND period = ?2 ORDER BY id",
        )?;
        let period_text = period.to_string();
        let mut decoder = Decoder::default();
        let mut n = 0u64;
        for u in units {
            let mut rows = stmt.query(params![u.0, period_text])?;
            while let Some(row) = rows.next()? {
                each(decoder.target(row, 0, *period)?);
                n += 1;
            }
        }
        Ok(n)
    }

    /// The figures and targets of a unit and of the units directly below it for one period
    /// (see [`Dashboard`]). The units are those in force at the end of the period.
    ///
    /// One query for the figures of all the units and one for their targets: the unit ids go
    /// in as a JSON array, walked first (CROSS JOIN keeps SQLite from scanning the whole
    /// period instead), each looked up by the `(unit_id, period)` indexes. The order is made
    /// here rather than by an ORDER BY, which would sort through a temporary B-tree.
    pub fn dashboard(&self, unit: UnitId, period: &Period) -> Result<Dashboard> {
        let on = period.end_date();
        let me = self.unit_on(unit, on)?;
        let children = self.children_on(unit, on)?;
        let ids = std::iter::once(&me)
            .chain(children.iter())
            .map(|u| u.unit.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let ids = format!("[{ids}]");
        let period_text = period.to_string();
        let year_text = period.containing_year().map(|y| y.to_string());
        let year = year_text.as_deref().unwrap_or(&period_text);
        let n_units = children.len() + 1;

        let mut decoder = Decoder::default();

        // (position of the unit, figure)
        let mut figures: Vec<(i64, DashboardFigure)> = Vec::with_capacity(n_units * 64);
        let mut fig = self.conn.prepare_cached(
            "SELECT u.key, f.id, f.indicator, f.unit_id, f.value, f.state
             FROM json_each(?1) AS u CROSS JOIN figure AS f
             WHERE f.unit_id = u.value AND f.period = ?2 AND f.current = 1",
        )?;
        let mut rows = fig.query(params![ids, period_text])?;
        while let Some(row) = rows.next()? {
            let text = |i: usize, what: &str| -> Result<&str> {
                row.get_ref(i)?
                    .as_str()
                    .map_err(|e| StoreError::corrupt(what, e))
            };
            figures.push((
                row.get(0)?,
                DashboardFigure {
                    id: row.get(1)?,
                    indicator: decoder.code(text(2, "figure indicator")?, "figure indicator")?,
                    unit: UnitId(row.get(3)?),
                    value: decimal(text(4, "figure value")?, "figure value")?,
                    state: text(5, "figure state")?
                        .parse()
                        .map_err(|e: String| StoreError::corrupt("figure state", e))?,
                },
            ));
        }
        figures.sort_unstable_by(|(pa, a), (pb, b)| {
            (pa, a.indicator.as_str()).cmp(&(pb, b.indicator.as_str()))
        });

        // (position of the unit, 0 for the year's targets and 1 for the period's own, target):
        // the year's text is a prefix of the period's, so this is the order of the text.
        let mut targets: Vec<(i64, u8, Target)> = Vec::with_capacity(n_units * 64);
        let mut tgt = self.conn.prepare_cached(
            "SELECT u.key, t.indicator, t.unit_id, t.period, t.source_key, t.op, t.value, t.max_value
             FROM json_each(?1) AS u CROSS JOIN target AS t
             WHERE t.unit_id = u.value AND t.period IN (?2, ?3)",
        )?;
        let own = parse_period(&period_text)?;
        let of_year = parse_period(year)?;
        let mut rows = tgt.query(params![ids, period_text, year])?;
        while let Some(row) = rows.next()? {
            let text = |i: usize, what: &str| -> Result<&str> {
                row.get_ref(i)?
                    .as_str()
                    .map_err(|e| StoreError::corrupt(what, e))
            };
            let (rank, period) = if text(3, "target period")? == year {
                (0, of_year)
            } else {
                (1, own)
            };
            targets.push((row.get(0)?, rank, decoder.target(row, 1, period)?));
        }
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
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })?)
    }

    /// A stamp that changes whenever a write commits (see [`crate::AnyStore::change_stamp`]).
    /// SQLite commits writers one at a time in the order of their audit ids, so the newest id
    /// is enough.
    pub fn change_stamp(&self) -> Result<i64> {
        self.newest_audit_id()
    }

    /// The digest of the audit entry with id `id` (see
    /// [`crate::snapshot::ChangeKey::entry_digest`]), when there is one.
    pub fn audit_entry_digest(&self, id: i64) -> Result<Option<[u8; 32]>> {
        use rusqlite::OptionalExtension;
        let fields = self
            .conn
            .query_row(
                "SELECT at, actor, action, entity, entity_key, detail FROM audit_log WHERE id = ?1",
                [id],
                |r| {
                    let mut fields = [const { String::new() }; 6];
                    for (i, f) in fields.iter_mut().enumerate() {
                        *f = r.get(i)?;
                    }
                    Ok(fields)
                },
            )
            .optional()?;
        Ok(fields.map(|f| crate::snapshot::ChangeKey::entry_digest(id, &f)))
    }

    /// The newest figure row id (0 when there is none). SQLite commits writers one at a time
    /// and figure rows are only appended, so every figure written after this id was read has
    /// a larger one (see [`crate::snapshot::CatchUpMark::RowId`]).
    pub fn catch_up_mark(&self) -> Result<Option<crate::snapshot::CatchUpMark>> {
        Ok(Some(crate::snapshot::CatchUpMark::RowId(
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM figure", [], |r| r.get(0))?,
        )))
    }

    /// Calls `each(indicator, unit, period, value)` for every current figure written after
    /// `mark`: the rows with a larger id (a range of the primary key: only the new rows are
    /// read). Returns how many.
    pub fn for_each_current_figure_since(
        &self,
        mark: &crate::snapshot::CatchUpMark,
        mut each: impl FnMut(&str, UnitId, &str, Decimal),
    ) -> Result<u64> {
        let crate::snapshot::CatchUpMark::RowId(after) = *mark else {
            return Err(StoreError::corrupt(
                "snapshot catch-up mark",
                "a PostgreSQL transaction mark given to SQLite",
            ));
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT indicator, unit_id, period, value FROM figure WHERE id > ?1 AND current = 1",
        )?;
        let mut rows = stmt.query([after])?;
        let mut n = 0u64;
        while let Some(row) = rows.next()? {
            let text = |i: usize, what: &str| -> Result<&str> {
                row.get_ref(i)?
                    .as_str()
                    .map_err(|e| StoreError::corrupt(what, e))
            };
            let value = text(3, "figure value")?;
            let value = decimal(value, "figure value")?;
            each(
                text(0, "figure indicator")?,
                UnitId(row.get(1)?),
                text(2, "figure period")?,
                value,
            );
            n += 1;
        }
        Ok(n)
    }

    /// The change stamp and a digest of the newest audit entry, read in one query: what a
    /// snapshot saved on disk is checked against (see [`crate::snapshot::ChangeKey`]).
    pub fn change_key(&self) -> Result<crate::snapshot::ChangeKey> {
        use rusqlite::OptionalExtension;
        let newest = self
            .conn
            .query_row(
                "SELECT id, at, actor, action, entity, entity_key, detail FROM audit_log
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    let mut fields = [const { String::new() }; 6];
                    for (i, f) in fields.iter_mut().enumerate() {
                        *f = r.get(i + 1)?;
                    }
                    Ok((r.get::<_, i64>(0)?, fields))
                },
            )
            .optional()?;
        Ok(match newest {
            Some((id, fields)) => crate::snapshot::ChangeKey::new(id, id, &fields),
            None => crate::snapshot::ChangeKey::empty(),
        })
    }

    fn indicator_codes(&self) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT code FROM indicator")?;
        let codes = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(codes)
    }

    fn unit_ids(&self) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare("SELECT id FROM unit")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Sets SQLite's `cache_size` (negative: KiB; positive: pages) and returns the previous
    /// value, to restore it afterwards.
    fn set_cache_size(&self, value: i64) -> Result<i64> {
        let old: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {value}"))?;
        Ok(old)
    }
}

/// Decodes figure and target columns without a String per column: indicator codes repeat,
/// so each distinct one is checked once and cloned after; decimals take the fast parser.
#[derive(Default)]
struct Decoder {
    codes: HashMap<String, IndicatorCode>,
}

impl Decoder {
    fn code(&mut self, text: &str, what: &str) -> Result<IndicatorCode> {
        if let Some(c) = self.codes.get(text) {
            return Ok(c.clone());
        }
        let c = IndicatorCode::new(text).map_err(|e| StoreError::corrupt(what, e))?;
        self.codes.insert(text.to_string(), c.clone());
        Ok(c)
    }

    /// A target from the columns indicator, unit_id, period, source_key, op, value, max_value
    /// starting at `first`; `period` is the period those rows were selected for (the text
    /// column is not parsed again).
    fn target(&mut self, row: &rusqlite::Row<'_>, first: usize, period: Period) -> Result<Target> {
        let text = |i: usize, what: &str| -> Result<&str> {
            row.get_ref(first + i)?
                .as_str()
                .map_err(|e| StoreError::corrupt(what, e))
        };
        let value = decimal(text(5, "target value")?, "target value")?;
        let max = match row.get_ref(first + 6)? {
            rusqlite::types::ValueRef::Null => None,
            v => Some(decimal(
                v.as_str()
                    .map_err(|e| StoreError::corrupt("target max", e))?,
                "target max",
            )?),
        };
        Ok(Target {
            indicator: self.code(text(0, "target indicator")?, "target indicator")?,
            unit: UnitId(row.get(first + 1)?),
            period,
            source: text(3, "target source")?.to_string(),
            comparator: Comparator::from_parts(text(4, "target op")?, value, max)
                .map_err(|e| StoreError::corrupt("target comparator", e))?,
        })
    }
}

/// A stored decimal: the fast parser for the canonical text, the general one otherwise.
fn decimal(text: &str, what: &str) -> Result<Decimal> {
    match parse_canonical_decimal(text) {
        Some(v) => Ok(v),
        None => parse_decimal(text, what),
    }
}

/// Parses the canonical decimal text chitieu writes (`-12.50`, `7`, `0.125`) exactly, without
/// the general parser's generality. Returns `None` for anything else (an exponent, a leading
/// `+`, more than 18 significant digits), which callers hand to the general parser.
pub fn parse_canonical_decimal(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut count = 0u32;
    let mut scale: Option<u32> = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                // Leading zeros do not count: 18 significant digits always fit an i64.
                if mantissa != 0 || b != b'0' {
                    count += 1;
                }
                if count > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(b - b'0');
            }
            b'.' if scale.is_none() && i > 0 && i + 1 < digits.len() => {
                scale = Some(u32::try_from(digits.len() - i - 1).ok()?);
            }
            _ => return None,
        }
    }
    let scale = scale.unwrap_or(0);
    if scale > 28 {
        return None;
    }
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale,
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_canonical_decimal;
    use chitieu_core::Decimal;
    use std::str::FromStr;

    #[test]
    fn canonical_parse_matches_the_general_parser() {
        for s in [
            "0",
            "7",
            "-7",
            "12.5",
            "-12.50",
            "0.125",
            "-0.001",
            "123456789012345678",
            "12345678.9012345678",
            "0.000000000000000001",
        ] {
            let fast = parse_canonical_decimal(s).unwrap();
            let general = Decimal::from_str(s).unwrap();
            assert_eq!(fast, general, "{s}");
            assert_eq!(fast.to_string(), general.to_string(), "{s}");
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let d = Decimal::new(
                (x % 2_000_000_000_000) as i64 - 1_000_000_000_000,
                (x % 9) as u32,
            );
            let s = d.normalize().to_string();
            assert_eq!(parse_canonical_decimal(&s), Some(d.normalize()), "{s}");
        }
    }

    #[test]
    fn other_forms_fall_back() {
        for s in [
            "",
            "-",
            ".5",
            "5.",
            "+5",
            "1e5",
            "1.2.3",
            "1,5",
            " 1",
            "1234567890123456789",
        ] {
            assert_eq!(parse_canonical_decimal(s), None, "{s}");
        }
    }
}
