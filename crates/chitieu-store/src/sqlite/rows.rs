//! Converting between rows and domain values. Each `row_to_*` returns the row error outside
//! and the decoding error inside, so a corrupt value is reported as such, not as a panic.

use crate::{Result, StoreError};
use chitieu_core::Decimal;
use chitieu_core::admin::{Level, OfficialCode, UnitId, UnitKind, UnitVersion};
use chitieu_core::figure::{FigureInput, FigureRevision};
use chitieu_core::indicator::{Indicator, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanSource, Target};
use chrono::NaiveDate;
use rusqlite::Row;
use std::str::FromStr;

pub(crate) const VERSION_COLS: &str =
    "v.unit_id, v.name, v.kind, v.level, v.code, v.parent_id, v.valid_from, v.valid_to";

pub(crate) fn parse_date(s: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::corrupt(what, format!("'{s}': {e}")))
}

fn opt_date(s: Option<String>, what: &str) -> Result<Option<NaiveDate>> {
    s.map(|s| parse_date(&s, what)).transpose()
}

pub(crate) fn parse_decimal(s: &str, what: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::corrupt(what, format!("'{s}': {e}")))
}

pub(crate) fn parse_period(s: &str) -> Result<Period> {
    s.parse().map_err(|e| StoreError::corrupt("period", e))
}

pub(crate) fn row_to_version(r: &Row<'_>) -> rusqlite::Result<Result<UnitVersion>> {
    let unit: i64 = r.get(0)?;
    let name: String = r.get(1)?;
    let kind: String = r.get(2)?;
    let level: String = r.get(3)?;
    let code: Option<String> = r.get(4)?;
    let parent: Option<i64> = r.get(5)?;
    let from: Option<String> = r.get(6)?;
    let to: Option<String> = r.get(7)?;
    Ok((|| {
        Ok(UnitVersion {
            unit: UnitId(unit),
            name,
            kind: UnitKind::from_key(&kind)
                .ok_or_else(|| StoreError::corrupt("unit kind", &kind))?,
            level: Level::from_str(&level).map_err(|e| StoreError::corrupt("unit level", e))?,
            code: code.map(OfficialCode),
            parent: parent.map(UnitId),
            valid_from: opt_date(from, "unit valid_from")?,
            valid_to: opt_date(to, "unit valid_to")?,
        })
    })())
}

pub(crate) fn row_to_indicator(r: &Row<'_>) -> rusqlite::Result<Result<Indicator>> {
    let code: String = r.get(0)?;
    let name_vi: String = r.get(1)?;
    let unit: String = r.get(2)?;
    let direction: String = r.get(3)?;
    let group: String = r.get(4)?;
    let aggregation: String = r.get(5)?;
    let temporal: String = r.get(6)?;
    let counts: Option<String> = r.get(7)?;
    let phrases: String = r.get(8)?;
    Ok((|| {
        let bad = |e: &dyn std::fmt::Display| StoreError::corrupt(&format!("indicator {code}"), e);
        Ok(Indicator {
            code: IndicatorCode::new(&code).map_err(|e| bad(&e))?,
            name_vi,
            unit,
            direction: direction.parse().map_err(|e| bad(&e))?,
            group,
            aggregation: aggregation.parse().map_err(|e| bad(&e))?,
            temporal: temporal.parse().map_err(|e| bad(&e))?,
            phrases: serde_json::from_str(&phrases).map_err(|e| bad(&e))?,
            counts_units: counts
                .map(|c| Level::from_str(&c))
                .transpose()
                .map_err(|e| bad(&e))?,
        })
    })())
}

pub(crate) fn row_to_plan_source(r: &Row<'_>) -> rusqlite::Result<Result<PlanSource>> {
    let key: String = r.get(0)?;
    let kind: String = r.get(1)?;
    let title: String = r.get(2)?;
    let unit: i64 = r.get(3)?;
    let issued: Option<String> = r.get(4)?;
    Ok((|| {
        Ok(PlanSource {
            kind: kind
                .parse()
                .map_err(|e: String| StoreError::corrupt("plan kind", e))?,
            key,
            title,
            unit: UnitId(unit),
            issued_on: opt_date(issued, "plan issued_on")?,
        })
    })())
}

/// (op, value, max) as stored: decided once for both backends.
pub(crate) use crate::decide::comparator_parts;

pub(crate) fn row_to_target(r: &Row<'_>) -> rusqlite::Result<Result<Target>> {
    let indicator: String = r.get(0)?;
    let unit: i64 = r.get(1)?;
    let period: String = r.get(2)?;
    let source: String = r.get(3)?;
    let op: String = r.get(4)?;
    let value: String = r.get(5)?;
    let max: Option<String> = r.get(6)?;
    Ok((|| {
        let value = parse_decimal(&value, "target value")?;
        let max = max.map(|m| parse_decimal(&m, "target max")).transpose()?;
        Ok(Target {
            indicator: IndicatorCode::new(&indicator)
                .map_err(|e| StoreError::corrupt("target indicator", e))?,
            unit: UnitId(unit),
            period: parse_period(&period)?,
            source,
            comparator: Comparator::from_parts(&op, value, max)
                .map_err(|e| StoreError::corrupt("target comparator", e))?,
        })
    })())
}

pub(crate) const FIGURE_COLS: &str = "id, revision, indicator, unit_id, period, value, state, as_of, provenance, note, entered_by, entered_at, current";

pub(crate) fn row_to_figure(r: &Row<'_>) -> rusqlite::Result<Result<FigureRevision>> {
    let id: i64 = r.get(0)?;
    let revision: u32 = r.get(1)?;
    let indicator: String = r.get(2)?;
    let unit: i64 = r.get(3)?;
    let period: String = r.get(4)?;
    let value: String = r.get(5)?;
    let state: String = r.get(6)?;
    let as_of: Option<String> = r.get(7)?;
    let provenance: String = r.get(8)?;
    let note: Option<String> = r.get(9)?;
    let entered_by: String = r.get(10)?;
    let entered_at: String = r.get(11)?;
    let current: bool = r.get(12)?;
    Ok((|| {
        Ok(FigureRevision {
            id,
            revision,
            input: FigureInput {
                indicator: IndicatorCode::new(&indicator)
                    .map_err(|e| StoreError::corrupt("figure indicator", e))?,
                unit: UnitId(unit),
                period: parse_period(&period)?,
                value: parse_decimal(&value, "figure value")?,
                state: state
                    .parse()
                    .map_err(|e: String| StoreError::corrupt("figure state", e))?,
                as_of: opt_date(as_of, "figure as_of")?,
                provenance: serde_json::from_str(&provenance)
                    .map_err(|e| StoreError::corrupt("figure provenance", e))?,
                note,
            },
            entered_by,
            entered_at,
            superseded: !current,
        })
    })())
}
