//! A unit's standing against its targets for a period: the use case behind `chitieu status`,
//! the dashboards and the review reports.

use chitieu_core::Decimal;
use chitieu_core::admin::{UnitKind, UnitVersion};
use chitieu_core::evaluate::{EvalInput, Evaluation, Thresholds, evaluate};
use chitieu_core::figure::{FigureRevision, Provenance};
use chitieu_core::indicator::Indicator;
use chitieu_core::period::{Period, PeriodKind};
use chitieu_core::period_vi::{PeriodViError, parse_period_vi};
use chitieu_core::rollup::{FigureTable, UnitTree, rollup};
use chitieu_core::target::{PlanSource, Target};
use chitieu_store::{Store, StoreError};

/// Why a status could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The text is not a period; the message names it and says what to write (once).
    #[error(transparent)]
    BadPeriod(#[from] PeriodViError),
    #[error(
        "cài đặt '{key}' đã lưu không đọc được (invalid setting): {reason}; cần người quản trị đặt lại"
    )]
    BadSetting { key: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T, E = StatusError> = std::result::Result<T, E>;

/// The setting key under which the evaluation thresholds are kept.
pub const THRESHOLDS_KEY: &str = "evaluation.thresholds";

/// Reads a period in its compact form (`2022-H1`) or as a Vietnamese label
/// ("6 tháng đầu năm 2022").
pub fn parse_period(text: &str) -> Result<Period> {
    // `parse_period_vi` reads the compact forms too, and its error already names the text.
    Ok(parse_period_vi(text, None)?)
}

/// Finds the unit as it stood during the period (at its end, or its start).
pub fn resolve_for_period(store: &impl Store, name: &str, period: &Period) -> Result<UnitVersion> {
    match store.resolve_unit(name, period.end_date()) {
        Ok(v) => Ok(v),
        Err(first) => store
            .resolve_unit(name, period.start_date())
            .map_err(|_| StatusError::Store(first)),
    }
}

pub fn thresholds(store: &impl Store) -> Result<Thresholds> {
    match store.setting(THRESHOLDS_KEY)? {
        Some(json) => serde_json::from_str(&json).map_err(|e| StatusError::BadSetting {
            key: THRESHOLDS_KEY.to_string(),
            reason: e.to_string(),
        }),
        None => Ok(Thresholds::default()),
    }
}

/// One evaluated row of the status table.
pub struct StatusRow {
    pub indicator: Indicator,
    pub target: Target,
    pub plan: Option<PlanSource>,
    pub actual: Option<FigureRevision>,
    /// A value rolled up from the units below, when the unit has no figure of its own.
    pub rolled_up: Option<(Decimal, u32, u32)>,
    pub total_units: Option<u32>,
    pub evaluation: Evaluation,
}

/// Evaluates every target of a unit that applies to a period: targets for the period itself,
/// and annual targets when the period is part of the year.
pub fn evaluate_unit(
    store: &impl Store,
    unit: &UnitVersion,
    period: &Period,
) -> Result<Vec<StatusRow>> {
    let catalog = store.catalog()?;
    let th = thresholds(store)?;
    let plans = store.plan_sources()?;
    let mut targets: Vec<Target> = store
        .targets_for(unit.unit, period.year_of())?
        .into_iter()
        .filter(|t| {
            t.period == *period || (t.period.kind() == PeriodKind::Year && t.period.covers(period))
        })
        .collect();
    targets.sort_by_key(|t| {
        (
            catalog
                .indicators
                .iter()
                .position(|i| i.code == t.indicator)
                .unwrap_or(usize::MAX),
            t.source.clone(),
        )
    });
    let mut below: Option<(UnitTree, FigureTable)> = None;
    let mut rows = Vec::new();
    for t in targets {
        let Some(ind) = catalog.get(t.indicator.as_str()) else {
            continue;
        };
        let actual = store.current_figure(ind.code.as_str(), unit.unit, period)?;
        let rolled_up = if actual.is_none() {
            if below.is_none() {
                below = Some(load_below(store, unit, period)?);
            }
            match &below {
                Some((tree, figures)) => rollup(tree, &catalog, figures, &ind.code)
                    .ok()
                    .and_then(|m| m.get(&unit.unit).copied())
                    .and_then(|r| r.value.map(|v| (v, r.reporting, r.expected))),
                None => None,
            }
        } else {
            None
        };
        let value = actual
            .as_ref()
            .map(|f| f.input.value)
            .or(rolled_up.map(|r| r.0));
        let last_year = |p: Option<Period>| -> Result<Option<Decimal>> {
            Ok(match p {
                Some(p) => store
                    .current_figure(ind.code.as_str(), unit.unit, &p)?
                    .map(|f| f.input.value),
                None => None,
            })
        };
        let total_units = match ind.counts_units {
            Some(_) => {
                let kind = UnitKind::ALL.into_iter().find(|k| k.vi() == ind.unit);
                match kind {
                    Some(k) => Some(store.count_units(unit.unit, k, period.end_date())?),
                    None => None,
                }
            }
            None => None,
        };
        let mut input = EvalInput::for_target(ind, &t, value, *period);
        input.total_units = total_units;
        input.same_period_last_year = last_year(period.same_period_last_year())?;
        input.last_year_full = last_year(
            period
                .containing_year()
                .and_then(|y| y.same_period_last_year()),
        )?;
        let evaluation = evaluate(&input, &th);
        rows.push(StatusRow {
            plan: plans.iter().find(|p| p.key == t.source).cloned(),
            indicator: ind.clone(),
            target: t,
            actual,
            rolled_up,
            total_units,
            evaluation,
        });
    }
    Ok(rows)
}

fn load_below(
    store: &impl Store,
    unit: &UnitVersion,
    period: &Period,
) -> Result<(UnitTree, FigureTable)> {
    let on = period.end_date();
    let mut versions = store.descendants_on(unit.unit, on)?;
    let ids: Vec<_> = versions.iter().map(|v| v.unit).collect();
    versions.push(unit.clone());
    let tree = UnitTree::on(&versions, on);
    let table: FigureTable = store
        .current_figures(&ids, period)?
        .into_iter()
        .map(|f| ((f.input.indicator, f.input.unit), f.input.value))
        .collect();
    Ok((tree, table))
}

pub fn provenance_vi(f: &FigureRevision) -> String {
    let src = match &f.input.provenance {
        Provenance::Manual => "nhập tay".to_string(),
        Provenance::File { file, row, .. } => format!("tệp {file}, dòng {row}"),
        Provenance::Document {
            document,
            start,
            end,
            ..
        } => format!("văn bản #{document}, ký tự {start}–{end}"),
        Provenance::Generated { note } => note.clone(),
    };
    format!("{src}; {} nhập lúc {}", f.entered_by, f.entered_at)
}

/// Where a figure came from, with the sentence itself when it came from a stored document:
/// "văn bản #3 «…», ký tự 885–899: “tổng thu ngân sách … được 43,248 tỷ đồng …”".
pub fn source_vi(store: &impl chitieu_store::DocumentStore, f: &FigureRevision) -> String {
    match &f.input.provenance {
        Provenance::Document {
            document,
            start,
            end,
            ..
        } => match store.document(*document) {
            Ok(d) => {
                let (sentence, _) = crate::ingest::sentence_of(&d.original, (*start, *end));
                format!(
                    "văn bản #{document} «{}», ký tự {start}–{end}: “{sentence}”; {} duyệt lúc {}",
                    d.name, f.entered_by, f.entered_at
                )
            }
            Err(_) => provenance_vi(f),
        },
        _ => provenance_vi(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad period is said once, naming the text, in Vietnamese (it was said twice:
    /// "'ky-la' is not a period: 'ky-la' is not a period: …").
    #[test]
    fn a_bad_period_is_named_once() {
        let e = parse_period("ky-la").unwrap_err().to_string();
        assert!(
            e.starts_with("'ky-la' không phải là kỳ báo cáo (not a period)"),
            "{e}"
        );
        assert_eq!(e.matches("ky-la").count(), 1, "{e}");
        assert_eq!(
            parse_period("6 tháng đầu năm 2022").unwrap(),
            parse_period(" 2022-H1 ").unwrap()
        );
    }
}
