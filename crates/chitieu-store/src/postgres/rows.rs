//! Converting PostgreSQL rows to domain values. Every column is read with `try_get`, so a
//! corrupt or unexpected value is an error, never a panic. Decimals are selected as `::text`
//! (the canonical form chitieu writes) and parsed exactly.

use crate::{Result, StoreError};
use chitieu_core::Decimal;
use chitieu_core::admin::{Level, OfficialCode, UnitId, UnitKind, UnitVersion};
use chitieu_core::figure::{FigureInput, FigureRevision};
use chitieu_core::indicator::{Indicator, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanSource, Target};
use chrono::NaiveDate;
use postgres::Row;
use postgres::types::FromSql;
use std::str::FromStr;

/// One column of a row, or the error that says which.
pub(crate) fn col<'a, T: FromSql<'a>>(r: &'a Row, i: usize) -> Result<T> {
    Ok(r.try_get(i)?)
}

/// A non-negative integer column that must fit a `u32`.
pub(crate) fn col_u32(r: &Row, i: usize, what: &str) -> Result<u32> {
    let v: i64 = col(r, i)?;
    u32::try_from(v).map_err(|e| StoreError::corrupt(what, format!("{v}: {e}")))
}

pub(crate) fn parse_date(s: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::corrupt(what, format!("'{s}': {e}")))
}

pub(crate) fn opt_date(s: Option<String>, what: &str) -> Result<Option<NaiveDate>> {
    s.map(|s| parse_date(&s, what)).transpose()
}

pub(crate) fn parse_decimal(s: &str, what: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::corrupt(what, format!("'{s}': {e}")))
}

pub(crate) fn parse_period(s: &str) -> Result<Period> {
    s.parse().map_err(|e| StoreError::corrupt("period", e))
}

pub(crate) const VERSION_COLS: &str =
    "v.unit_id, v.name, v.kind, v.level, v.code, v.parent_id, v.valid_from, v.valid_to";

pub(crate) fn row_to_version(r: &Row) -> Result<UnitVersion> {
    let kind: String = col(r, 2)?;
    let level: String = col(r, 3)?;
    Ok(UnitVersion {
        unit: UnitId(col(r, 0)?),
        name: col(r, 1)?,
        kind: UnitKind::from_key(&kind).ok_or_else(|| StoreError::corrupt("unit kind", &kind))?,
        level: Level::from_str(&level).map_err(|e| StoreError::corrupt("unit level", e))?,
        code: col::<Option<String>>(r, 4)?.map(OfficialCode),
        parent: col::<Option<i64>>(r, 5)?.map(UnitId),
        valid_from: opt_date(col(r, 6)?, "unit valid_from")?,
        valid_to: opt_date(col(r, 7)?, "unit valid_to")?,
    })
}

pub(crate) const INDICATOR_COLS: &str =
    "code, name_vi, unit, direction, grp, aggregation, temporal, counts_units, phrases";

pub(crate) fn row_to_indicator(r: &Row) -> Result<Indicator> {
    let code: String = col(r, 0)?;
    let direction: String = col(r, 3)?;
    let aggregation: String = col(r, 5)?;
    let temporal: String = col(r, 6)?;
    let counts: Option<String> = col(r, 7)?;
    let phrases: String = col(r, 8)?;
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt(&format!("indicator {code}"), e);
    Ok(Indicator {
        code: IndicatorCode::new(&code).map_err(|e| bad(&e))?,
        name_vi: col(r, 1)?,
        unit: col(r, 2)?,
        direction: direction.parse().map_err(|e| bad(&e))?,
        group: col(r, 4)?,
        aggregation: aggregation.parse().map_err(|e| bad(&e))?,
        temporal: temporal.parse().map_err(|e| bad(&e))?,
        phrases: serde_json::from_str(&phrases).map_err(|e| bad(&e))?,
        counts_units: counts
            .map(|c| Level::from_str(&c))
            .transpose()
            .map_err(|e| bad(&e))?,
    })
}

pub(crate) const PLAN_COLS: &str = "key, kind, title, unit_id, issued_on";

pub(crate) fn row_to_plan_source(r: &Row) -> Result<PlanSource> {
    let kind: String = col(r, 1)?;
    Ok(PlanSource {
        kind: kind
            .parse()
            .map_err(|e: String| StoreError::corrupt("plan kind", e))?,
        key: col(r, 0)?,
        title: col(r, 2)?,
        unit: UnitId(col(r, 3)?),
        issued_on: opt_date(col(r, 4)?, "plan issued_on")?,
    })
}

/// (op, value, max) as stored: decided once for both backends.
pub(crate) use crate::decide::comparator_parts;

pub(crate) const TARGET_COLS: &str =
    "indicator, unit_id, period, source_key, op, value::text, max_value::text";

pub(crate) fn row_to_target(r: &Row) -> Result<Target> {
    let indicator: String = col(r, 0)?;
    let period: String = col(r, 2)?;
    let op: String = col(r, 4)?;
    let value: String = col(r, 5)?;
    let max: Option<String> = col(r, 6)?;
    let value = parse_decimal(&value, "target value")?;
    let max = max.map(|m| parse_decimal(&m, "target max")).transpose()?;
    Ok(Target {
        indicator: IndicatorCode::new(&indicator)
            .map_err(|e| StoreError::corrupt("target indicator", e))?,
        unit: UnitId(col(r, 1)?),
        period: parse_period(&period)?,
        source: col(r, 3)?,
        comparator: Comparator::from_parts(&op, value, max)
            .map_err(|e| StoreError::corrupt("target comparator", e))?,
    })
}

pub(crate) const FIGURE_COLS: &str = "id, revision, indicator, unit_id, period, value::text, state, as_of, provenance, note, entered_by, entered_at, current";

pub(crate) fn row_to_figure(r: &Row) -> Result<FigureRevision> {
    let indicator: String = col(r, 2)?;
    let period: String = col(r, 4)?;
    let value: String = col(r, 5)?;
    let state: String = col(r, 6)?;
    let provenance: String = col(r, 8)?;
    let current: bool = col(r, 12)?;
    Ok(FigureRevision {
        id: col(r, 0)?,
        revision: col_u32(r, 1, "figure revision")?,
        input: FigureInput {
            indicator: IndicatorCode::new(&indicator)
                .map_err(|e| StoreError::corrupt("figure indicator", e))?,
            unit: UnitId(col(r, 3)?),
            period: parse_period(&period)?,
            value: parse_decimal(&value, "figure value")?,
            state: state
                .parse()
                .map_err(|e: String| StoreError::corrupt("figure state", e))?,
            as_of: opt_date(col(r, 7)?, "figure as_of")?,
            provenance: serde_json::from_str(&provenance)
                .map_err(|e| StoreError::corrupt("figure provenance", e))?,
            note: col(r, 9)?,
        },
        entered_by: col(r, 10)?,
        entered_at: col(r, 11)?,
        superseded: !current,
    })
}
