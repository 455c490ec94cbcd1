//! [`FigureSnapshot`]: the current figures of some periods held in memory as columns, for
//! reads that touch most of the database at once (a national roll-up of a year) and must not
//! pay for reading millions of rows out of the database every time.
//!
//! A snapshot is a copy, never the truth: it records the store's change stamp when it was
//! taken ([`crate::AnyStore::change_stamp`], one implementation per backend, the same the web's
//! caches use). Every write appends to the audit log in its own transaction, and the stamp
//! moves whenever such a transaction commits — on PostgreSQL also when a transaction that took
//! an older audit id commits after a newer one, which the newest audit id alone would miss. So
//! the snapshot is current exactly as long as the stamp has not moved
//! ([`FigureSnapshot::is_current`]); a caller checks that before using it and reloads
//! ([`FigureSnapshot::refresh`]) when it moved.
//!
//! Layout: per period, per indicator, one column of (unit position, exact value) pairs, sorted
//! by unit position. Unit positions index [`FigureSnapshot::units`].

use crate::{AnyStore, PgStore, Result, SqliteStore};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use std::collections::HashMap;

/// Where a snapshot reads from: a backend's streaming read of a period's current figures and
/// its change stamp.
pub trait FigureSource {
    /// Calls `each(indicator, unit, value)` for every current figure of `period`; returns how
    /// many.
    fn stream_current_figures(
        &self,
        period: &Period,
        each: &mut dyn FnMut(&str, UnitId, Decimal),
    ) -> Result<u64>;

    /// A stamp that moves whenever a write commits (see [`crate::AnyStore::change_stamp`]):
    /// what decides whether a snapshot is current.
    fn change_stamp(&self) -> Result<i64>;
}

impl FigureSource for SqliteStore {
    fn stream_current_figures(
        &self,
        period: &Period,
        each: &mut dyn FnMut(&str, UnitId, Decimal),
    ) -> Result<u64> {
        self.for_each_current_figure(period, each)
    }
    fn change_stamp(&self) -> Result<i64> {
        SqliteStore::change_stamp(self)
    }
}

impl FigureSource for PgStore {
    fn stream_current_figures(
        &self,
        period: &Period,
        each: &mut dyn FnMut(&str, UnitId, Decimal),
    ) -> Result<u64> {
        self.for_each_current_figure(period, each)
    }
    fn change_stamp(&self) -> Result<i64> {
        PgStore::change_stamp(self)
    }
}

impl FigureSource for AnyStore {
    fn stream_current_figures(
        &self,
        period: &Period,
        each: &mut dyn FnMut(&str, UnitId, Decimal),
    ) -> Result<u64> {
        match self {
            AnyStore::Sqlite(s) => s.for_each_current_figure(period, each),
            AnyStore::Postgres(s) => s.for_each_current_figure(period, each),
        }
    }
    fn change_stamp(&self) -> Result<i64> {
        AnyStore::change_stamp(self)
    }
}

/// The current figures of one indicator in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// Positions in [`FigureSnapshot::units`], ascending.
    pub units: Vec<u32>,
    /// The value of each unit in `units`, at the same index.
    pub values: Vec<Decimal>,
}

/// The current figures of some periods, in memory (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct FigureSnapshot {
    periods: Vec<Period>,
    indicators: Vec<IndicatorCode>,
    indicator_index: HashMap<String, usize>,
    units: Vec<UnitId>,
    unit_index: HashMap<i64, u32>,
    /// `columns[p][i]`: period `periods[p]`, indicator `indicators[i]`.
    columns: Vec<Vec<Column>>,
    figures: u64,
    stamp: i64,
}

impl FigureSnapshot {
    /// Reads the current figures of `periods` from `source`.
    pub fn load(source: &dyn FigureSource, periods: &[Period]) -> Result<FigureSnapshot> {
        let mut s = FigureSnapshot {
            periods: periods.to_vec(),
            // Taken before reading: a write that commits while reading makes the snapshot stale
            // rather than silently half-included.
            stamp: source.change_stamp()?,
            ..FigureSnapshot::default()
        };
        for period in periods {
            let mut by_indicator: Vec<Column> = vec![Column::default(); s.indicators.len()];
            let mut bad_code = None;
            s.figures += source.stream_current_figures(period, &mut |code, unit, value| {
                let i = match s.indicator_index.get(code) {
                    Some(&i) => i,
                    None => match IndicatorCode::new(code) {
                        Ok(c) => {
                            s.indicators.push(c);
                            s.indicator_index
                                .insert(code.to_string(), s.indicators.len() - 1);
                            s.indicators.len() - 1
                        }
                        Err(e) => {
                            bad_code = Some(format!("{code}: {e}"));
                            return;
                        }
                    },
                };
                let u = *s.unit_index.entry(unit.0).or_insert_with(|| {
                    s.units.push(unit);
                    u32::try_from(s.units.len() - 1).unwrap_or(u32::MAX)
                });
                if by_indicator.len() <= i {
                    by_indicator.resize_with(i + 1, Column::default);
                }
                let col = &mut by_indicator[i];
                col.units.push(u);
                col.values.push(value);
            })?;
            if let Some(detail) = bad_code {
                return Err(crate::StoreError::corrupt("figure indicator", detail));
            }
            for col in &mut by_indicator {
                if !col.units.is_sorted() {
                    let mut pairs: Vec<(u32, Decimal)> = col
                        .units
                        .iter()
                        .copied()
                        .zip(col.values.iter().copied())
                        .collect();
                    pairs.sort_unstable_by_key(|p| p.0);
                    (col.units, col.values) = pairs.into_iter().unzip();
                }
            }
            s.columns.push(by_indicator);
        }
        Ok(s)
    }

    /// Whether nothing was committed to `source` since the snapshot was taken: its change
    /// stamp has not moved (one cheap query).
    pub fn is_current(&self, source: &dyn FigureSource) -> Result<bool> {
        Ok(source.change_stamp()? == self.stamp)
    }

    /// Reloads the snapshot when something was written since it was taken. Returns whether it
    /// reloaded.
    pub fn refresh(&mut self, source: &dyn FigureSource) -> Result<bool> {
        if self.is_current(source)? {
            return Ok(false);
        }
        *self = FigureSnapshot::load(source, &self.periods)?;
        Ok(true)
    }

    /// The change stamp the snapshot was taken at.
    pub fn stamp(&self) -> i64 {
        self.stamp
    }

    /// The periods held.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The indicators seen, in the order first seen; positions index columns.
    pub fn indicators(&self) -> &[IndicatorCode] {
        &self.indicators
    }

    /// The units seen; positions are the values of [`Column::units`].
    pub fn units(&self) -> &[UnitId] {
        &self.units
    }

    /// The number of figures held.
    pub fn figures(&self) -> u64 {
        self.figures
    }

    /// The column of one indicator in one period, when it has figures.
    pub fn column(&self, period: &Period, indicator: &str) -> Option<&Column> {
        let p = self.periods.iter().position(|q| q == period)?;
        let i = *self.indicator_index.get(indicator)?;
        self.columns.get(p)?.get(i).filter(|c| !c.units.is_empty())
    }

    /// The current value of one figure, when the snapshot holds it.
    pub fn value(&self, indicator: &str, unit: UnitId, period: &Period) -> Option<Decimal> {
        let col = self.column(period, indicator)?;
        let u = *self.unit_index.get(&unit.0)?;
        let k = col.units.binary_search(&u).ok()?;
        col.values.get(k).copied()
    }
}
