//! An indicator's series for one unit over time, including the years before the unit existed:
//! a commune formed on 1 July 2025 carries the figures of the communes it was formed from,
//! marked exact only where the mapping is (every predecessor merged whole and reported).

use chitieu_core::Decimal;
use chitieu_core::admin::{Succession, UnitVersion};
use chitieu_core::figure::{FigureRevision, FigureState};
use chitieu_core::period::Period;
use chitieu_core::rollup::carry_over;
use chitieu_store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One period of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    pub period: Period,
    pub value: Option<Decimal>,
    pub source: SeriesSource,
}

/// Where a point of a series comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SeriesSource {
    /// The unit's own figure.
    Own(Box<FigureRevision>),
    /// Carried from the units this one succeeded.
    Carried {
        /// True when every predecessor merged whole and had a figure (for sums), or the unit is
        /// a single predecessor renamed.
        exact: bool,
        /// Each predecessor's full name and its figure for the period, if any.
        from: Vec<(String, Option<Decimal>)>,
        /// Predecessors only part of which became this unit.
        partial: Vec<String>,
    },
}

impl SeriesPoint {
    pub fn is_estimate(&self) -> bool {
        matches!(&self.source, SeriesSource::Own(f) if f.input.state == FigureState::Estimate)
    }
}

/// The series of one indicator for one unit: its own figures, and for periods that ended
/// before the unit came into force, the figures carried from its predecessors.
pub fn series(
    store: &impl Store,
    unit: &UnitVersion,
    indicator: &str,
) -> Result<Vec<SeriesPoint>, StoreError> {
    let catalog = store.catalog()?;
    let Some(ind) = catalog.get(indicator) else {
        return Err(StoreError::UnknownIndicator(indicator.to_string()));
    };
    let mut points: BTreeMap<(chrono::NaiveDate, chrono::NaiveDate), SeriesPoint> = BTreeMap::new();
    for f in store.figure_series(indicator, unit.unit)? {
        let period = f.input.period;
        points.insert(
            (period.start_date(), period.end_date()),
            SeriesPoint {
                period,
                value: Some(f.input.value),
                source: SeriesSource::Own(Box::new(f)),
            },
        );
    }
    let successions = predecessors(store, unit)?;
    if let Some(first) = successions.first() {
        let since = first.date;
        // Every period some predecessor reported for, that ended before this unit began.
        let mut by_period: HashMap<Period, HashMap<chitieu_core::admin::UnitId, Decimal>> =
            HashMap::new();
        for s in &successions {
            for f in store.figure_series(indicator, s.from)? {
                if f.input.period.end_date() < since {
                    by_period
                        .entry(f.input.period)
                        .or_default()
                        .insert(s.from, f.input.value);
                }
            }
        }
        let mut names = HashMap::new();
        for s in &successions {
            names.insert(s.from, store.unit_latest(s.from)?.full_name());
        }
        for (period, values) in by_period {
            let key = (period.start_date(), period.end_date());
            if points.contains_key(&key) {
                continue; // the unit's own figure wins
            }
            let carried = carry_over(&successions, &values, &ind.aggregation);
            let Some(c) = carried.get(&unit.unit) else {
                continue;
            };
            points.insert(
                key,
                SeriesPoint {
                    period,
                    value: c.value,
                    source: SeriesSource::Carried {
                        exact: c.exact,
                        from: c
                            .predecessors
                            .iter()
                            .map(|p| {
                                (
                                    names.get(p).cloned().unwrap_or_else(|| p.to_string()),
                                    values.get(p).copied(),
                                )
                            })
                            .collect(),
                        partial: c
                            .partial
                            .iter()
                            .map(|p| names.get(p).cloned().unwrap_or_else(|| p.to_string()))
                            .collect(),
                    },
                },
            );
        }
    }
    Ok(points.into_values().collect())
}

/// The successions that formed `unit`, found through its history.
fn predecessors(store: &impl Store, unit: &UnitVersion) -> Result<Vec<Succession>, StoreError> {
    let histories = store.unit_history(&unit.full_name())?;
    Ok(histories
        .into_iter()
        .find(|h| h.versions.iter().any(|v| v.unit == unit.unit))
        .map(|h| h.predecessors.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default())
}
