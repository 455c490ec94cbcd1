//! What the pages and the API show, computed from the store on each request (figures are
//! always fresh): a unit's dashboard for a period, its drill-down, an indicator's series and
//! values by unit, and the checks on a value being entered.
//!
//! Dashboards are cached by the newest audit log entry: every write appends to the audit log
//! in its own transaction, so a cached dashboard is served only while nothing has changed.

use crate::WebError;
use chitieu_app::present::{amount_vi, number_vi, percent_vi};
use chitieu_app::status::{StatusRow, evaluate_unit, source_vi};
use chitieu_core::Decimal;
use chitieu_core::admin::{UnitId, UnitVersion};
use chitieu_core::evaluate::{Evaluation, Status, Summary};
use chitieu_core::indicator::Indicator;
use chitieu_core::period::Period;
use chitieu_core::period_vi::format_period_vi;
use chitieu_core::target::Comparator;
use chitieu_store::{AccountStore, AnyStore, Store, WorkflowStore};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Who did something, as the pages show it. The store records a web account as
/// `web:<login>` (the audit log keeps that, unchanged); a page shows the account's display
/// name with the login in parentheses, "Nguyễn Thị Lan (vanphong)" — the name alone when it
/// is the login. Actors that are not web accounts (`cli:…`, `import:…`, `test`) and logins no
/// longer known are shown as stored.
#[derive(Debug, Clone, Default)]
pub struct Actors {
    /// Display name by login.
    names: HashMap<String, String>,
}

impl Actors {
    /// The accounts' display names, read once for a page.
    pub fn load(store: &impl AccountStore) -> Result<Actors, WebError> {
        Ok(Actors {
            names: store
                .accounts()?
                .into_iter()
                .map(|a| (a.username.as_str().to_string(), a.display_name))
                .collect(),
        })
    }

    /// `actor` (as stored) for a reader.
    pub fn show(&self, actor: &str) -> String {
        let Some(login) = actor.strip_prefix("web:") else {
            return actor.to_string();
        };
        match self.names.get(login).map(|n| n.trim()) {
            Some(name) if !name.is_empty() && name != login => format!("{name} ({login})"),
            Some(_) => login.to_string(),
            None => actor.to_string(),
        }
    }

    /// `actor` for the audit log page: the display name with the stored actor itself in
    /// parentheses, "Nguyễn Thị Lan (web:vanphong)"; other actors as stored.
    pub fn show_stored(&self, actor: &str) -> String {
        match actor
            .strip_prefix("web:")
            .and_then(|login| self.names.get(login))
            .map(|n| n.trim())
        {
            Some(name) if !name.is_empty() => format!("{name} ({actor})"),
            _ => actor.to_string(),
        }
    }
}

/// The dashboard colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Not met (or projected not to be met): at risk.
    Red,
    /// Close (cơ bản đạt): developing.
    Orange,
    /// Met or exceeded: on track.
    Green,
    /// Not judged yet (an annual target with no usable figure).
    Grey,
}

impl Colour {
    pub fn of(e: &Evaluation) -> Colour {
        match e.status {
            Status::Vuot | Status::Dat => Colour::Green,
            Status::CoBanDat => Colour::Orange,
            Status::KhongDat => Colour::Red,
            Status::ChuaDuDuLieu => Colour::Grey,
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Orange => "orange",
            Colour::Green => "green",
            Colour::Grey => "grey",
        }
    }

    pub fn vi(&self) -> &'static str {
        match self {
            Colour::Red => "nguy cơ không đạt",
            Colour::Orange => "đang tiến triển",
            Colour::Green => "đúng tiến độ",
            Colour::Grey => "chưa đánh giá",
        }
    }
}

/// One row of a dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub code: String,
    pub name: String,
    pub unit_of_measure: String,
    pub target: String,
    pub plan: Option<String>,
    pub actual: Option<String>,
    pub actual_value: Option<Decimal>,
    /// "tổng hợp từ 3/5 đơn vị" when the value was rolled up from the units below.
    pub rolled_up: Option<String>,
    pub percent_of_plan: Option<String>,
    pub percent_of_plan_value: Option<Decimal>,
    /// Width of the progress bar, 0–100.
    pub bar: u32,
    pub change: Option<String>,
    pub projection: Option<String>,
    pub status: Status,
    pub status_vi: String,
    pub colour: Colour,
    pub at_risk: bool,
    pub source: Option<String>,
}

/// A unit below, with its own summary.
#[derive(Debug, Clone, Serialize)]
pub struct ChildRow {
    pub unit: i64,
    pub name: String,
    pub met: u32,
    pub total: u32,
    pub red: u32,
    pub orange: u32,
    pub green: u32,
    pub grey: u32,
    pub state: Option<String>,
}

/// A unit's standing for a period.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub unit: i64,
    pub unit_name: String,
    pub period: String,
    pub period_vi: String,
    pub rows: Vec<Row>,
    pub met: u32,
    pub total: u32,
    /// "18/20 chỉ tiêu đạt và vượt".
    pub fraction: String,
    /// "trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt; …".
    pub summary: String,
    pub children: Vec<ChildRow>,
    /// Units below with neither targets nor a data set for the period (not listed).
    pub children_without_targets: usize,
    pub data_set_state: Option<String>,
    pub data_set_state_vi: Option<String>,
}

pub fn comparator_vi(c: &Comparator, unit: &str) -> String {
    match *c {
        Comparator::AtLeast { value } => format!("≥ {}", amount_vi(value, unit)),
        Comparator::AtMost { value } => format!("≤ {}", amount_vi(value, unit)),
        Comparator::Exactly { value } => amount_vi(value, unit),
        Comparator::Range { min, max } => {
            format!("{} – {}", amount_vi(min, unit), amount_vi(max, unit))
        }
    }
}

fn signed_percent(p: Decimal) -> String {
    if p > Decimal::ZERO {
        format!("+{}", percent_vi(p))
    } else {
        percent_vi(p)
    }
}

fn row_of(store: &AnyStore, actors: &Actors, r: &StatusRow) -> Row {
    let e = &r.evaluation;
    let unit = r.indicator.unit.as_str();
    let value = r
        .actual
        .as_ref()
        .map(|f| f.input.value)
        .or(r.rolled_up.map(|x| x.0));
    let bar = e
        .percent_of_plan
        .map(|p| p.round().clamp(Decimal::ZERO, Decimal::ONE_HUNDRED))
        .and_then(|p| p.to_string().parse::<u32>().ok())
        .unwrap_or(0);
    Row {
        code: r.indicator.code.as_str().to_string(),
        name: r.indicator.name_vi.clone(),
        unit_of_measure: unit.to_string(),
        target: comparator_vi(&r.target.comparator, unit),
        plan: r.plan.as_ref().map(|p| p.title.clone()),
        actual: value.map(|v| amount_vi(v, unit)),
        actual_value: value,
        rolled_up: r
            .rolled_up
            .map(|(_, n, of)| format!("tổng hợp từ {n}/{of} đơn vị cấp dưới")),
        percent_of_plan: e.percent_of_plan.map(percent_vi),
        percent_of_plan_value: e.percent_of_plan,
        bar,
        change: e.percent_change.map(signed_percent),
        projection: e.projection.map(|p| amount_vi(p.value, unit)),
        status: e.status,
        status_vi: if e.at_risk {
            format!("{} (dự báo)", e.status.vi())
        } else {
            e.status.vi().to_string()
        },
        colour: Colour::of(e),
        at_risk: e.at_risk,
        // Who entered or accepted the figure, by name (the stored revision keeps the actor).
        source: r.actual.as_ref().map(|f| {
            let mut f = f.clone();
            f.entered_by = actors.show(&f.entered_by);
            source_vi(store, &f)
        }),
    }
}

/// Builds a unit's dashboard for a period, with the units below as the tree stood at the
/// period's end.
pub fn dashboard(
    store: &AnyStore,
    unit: &UnitVersion,
    period: &Period,
    with_children: bool,
) -> Result<Dashboard, WebError> {
    let rows = evaluate_unit(store, unit, period)?;
    let actors = Actors::load(store)?;
    let summary = Summary::of(rows.iter().map(|r| &r.evaluation));
    let mut children = Vec::new();
    if with_children {
        for c in store.children_on(unit.unit, period.end_date())? {
            let rows = evaluate_unit(store, &c, period)?;
            let s = Summary::of(rows.iter().map(|r| &r.evaluation));
            let mut counts = [0u32; 4];
            for r in &rows {
                counts[Colour::of(&r.evaluation) as usize] += 1;
            }
            let state = store.data_set(c.unit, period)?;
            children.push(ChildRow {
                unit: c.unit.0,
                name: c.full_name(),
                met: s.met(),
                total: s.total(),
                red: counts[Colour::Red as usize],
                orange: counts[Colour::Orange as usize],
                green: counts[Colour::Green as usize],
                grey: counts[Colour::Grey as usize],
                state: state.map(|d| d.state.vi().to_string()),
            });
        }
    }
    let ds = store.data_set(unit.unit, period)?;
    Ok(Dashboard {
        unit: unit.unit.0,
        unit_name: unit.title(),
        period: period.to_string(),
        period_vi: format_period_vi(period),
        rows: rows.iter().map(|r| row_of(store, &actors, r)).collect(),
        met: summary.met(),
        total: summary.total(),
        fraction: summary.fraction_vi(),
        summary: summary.summary_vi_detailed(),
        children_without_targets: children
            .iter()
            .filter(|c| c.total == 0 && c.state.is_none())
            .count(),
        children,
        data_set_state: ds.as_ref().map(|d| d.state.key().to_string()),
        data_set_state_vi: ds.as_ref().map(|d| d.state.vi().to_string()),
    })
}

/// A stamp of the database's state (from the audit log): it changes with every write that
/// commits, by this process or another one on the same database (see
/// `AnyStore::change_stamp`).
pub fn generation(store: &AnyStore) -> Result<i64, WebError> {
    Ok(store.change_stamp()?)
}

type CacheKey = (i64, String, bool);

/// Dashboards by (unit, period, children), valid for one generation.
#[derive(Default)]
pub struct Cache {
    map: Mutex<HashMap<CacheKey, (i64, Arc<Dashboard>)>>,
}

impl Cache {
    pub fn get_or_build(
        &self,
        store: &AnyStore,
        unit: &UnitVersion,
        period: &Period,
        with_children: bool,
    ) -> Result<Arc<Dashboard>, WebError> {
        let generation = generation(store)?;
        let key = (unit.unit.0, period.to_string(), with_children);
        if let Ok(map) = self.map.lock()
            && let Some((g, d)) = map.get(&key)
            && *g == generation
        {
            return Ok(d.clone());
        }
        let d = Arc::new(dashboard(store, unit, period, with_children)?);
        if let Ok(mut map) = self.map.lock() {
            if map.len() > 2000 {
                map.clear();
            }
            map.insert(key, (generation, d.clone()));
        }
        Ok(d)
    }
}

/// One point of an indicator's series.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub period: String,
    pub period_vi: String,
    pub value: Decimal,
    pub text: String,
}

/// An indicator's figures for a unit over all periods, oldest first.
pub fn series(
    store: &AnyStore,
    indicator: &Indicator,
    unit: UnitId,
) -> Result<Vec<Point>, WebError> {
    let mut pts: Vec<Point> = store
        .figure_series(indicator.code.as_str(), unit)?
        .into_iter()
        .map(|f| Point {
            period: f.input.period.to_string(),
            period_vi: format_period_vi(&f.input.period),
            value: f.input.value,
            text: amount_vi(f.input.value, &indicator.unit),
        })
        .collect();
    pts.sort_by_key(|p| {
        p.period
            .parse::<Period>()
            .map(|q| (q.end_date(), q.start_date()))
            .ok()
    });
    Ok(pts)
}

/// An indicator's value for each unit below, for a period.
#[derive(Debug, Clone, Serialize)]
pub struct UnitValue {
    pub unit: i64,
    pub name: String,
    pub value: Option<Decimal>,
    pub text: Option<String>,
}

pub fn values_by_unit(
    store: &AnyStore,
    indicator: &Indicator,
    unit: UnitId,
    period: &Period,
) -> Result<Vec<UnitValue>, WebError> {
    let children = store.children_on(unit, period.end_date())?;
    let ids: Vec<UnitId> = children.iter().map(|c| c.unit).collect();
    let figures = store.current_figures(&ids, period)?;
    Ok(children
        .iter()
        .map(|c| {
            let v = figures
                .iter()
                .find(|f| f.input.unit == c.unit && f.input.indicator == indicator.code)
                .map(|f| f.input.value);
            UnitValue {
                unit: c.unit.0,
                name: c.full_name(),
                value: v,
                text: v.map(|v| amount_vi(v, &indicator.unit)),
            }
        })
        .collect())
}

// ----- data entry -----

/// The unit in which a value is typed on the form, with its factor to the base unit: money in
/// tỷ đồng, everything else in the indicator's own unit.
pub fn entry_scale(unit: &str) -> (&str, Decimal) {
    match unit {
        "VND" => ("tỷ đồng", Decimal::from(1_000_000_000)),
        "USD" => ("triệu USD", Decimal::from(1_000_000)),
        "t" => ("tấn", Decimal::ONE),
        other => (other, Decimal::ONE),
    }
}

/// A value as the form shows it, in the entry unit: 43248000000 VND → "43,248".
pub fn entry_text(value: Decimal, unit: &str) -> String {
    let (_, factor) = entry_scale(unit);
    number_vi(value / factor, 6)
}

/// The result of checking a typed value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Check {
    /// The value in the indicator's base unit.
    pub value: Option<Decimal>,
    /// Refusals: the value cannot be saved.
    pub errors: Vec<String>,
    /// Warnings: the value can be saved with a comment.
    pub warnings: Vec<String>,
    /// Whether a comment is required (a large jump).
    pub needs_comment: bool,
}

/// Units of measure a reporter might type after a number, as the base unit they mean and the
/// factor to it.
fn typed_unit(word: &str) -> Option<(&'static str, Decimal)> {
    let w = chitieu_text::fold(word);
    let units: &[(&str, &str, i64)] = &[
        ("tỷ đồng", "VND", 1_000_000_000),
        ("tỉ đồng", "VND", 1_000_000_000),
        ("triệu đồng", "VND", 1_000_000),
        ("nghìn đồng", "VND", 1_000),
        ("đồng", "VND", 1),
        ("triệu usd", "USD", 1_000_000),
        ("usd", "USD", 1),
        ("nghìn tấn", "t", 1_000),
        ("tấn", "t", 1),
        ("ha", "ha", 1),
        ("km", "km", 1),
        ("%", "%", 1),
    ];
    units
        .iter()
        .find(|(k, _, _)| chitieu_text::fold(k) == w)
        .map(|(_, b, f)| (*b, Decimal::from(*f)))
}

/// Checks a value typed in Vietnamese format ("1.234,5", "43,2 tỷ đồng") for an indicator:
/// it must be a number, in the indicator's unit, within the indicator's range; a large jump
/// against the same period last year asks for a comment.
pub fn check_value(text: &str, indicator: &Indicator, last: Option<Decimal>) -> Check {
    let mut c = Check::default();
    let t = chitieu_text::nfc(text.trim());
    if t.is_empty() {
        return c;
    }
    // Split off a unit written after the number.
    let (num, factor) = {
        let split = t.find(|ch: char| {
            !(ch.is_ascii_digit() || ch == '.' || ch == ',' || ch == '-' || ch == ' ')
        });
        match split {
            Some(i) if i > 0 => {
                let (n, u) = t.split_at(i);
                match typed_unit(u.trim()) {
                    Some((base, f)) if base == indicator.unit => (n.trim().to_string(), f),
                    Some(_) | None => {
                        // Maybe scale words ("25 tỷ"): let the amount parser try.
                        match chitieu_text::number::parse_amount(
                            &t,
                            chitieu_text::number::DecimalMark::Comma,
                        ) {
                            Ok(v) => {
                                return finish(c, v, indicator, last);
                            }
                            Err(_) => {
                                c.errors.push(format!(
                                    "đơn vị «{}» không khớp với đơn vị của chỉ tiêu ({}) — unit does not match",
                                    u.trim(),
                                    entry_scale(&indicator.unit).0
                                ));
                                return c;
                            }
                        }
                    }
                }
            }
            _ => (t.clone(), entry_scale(&indicator.unit).1),
        }
    };
    let (negative, digits) = match num.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, num.as_str()),
    };
    match chitieu_text::number::parse_numeral(
        &digits.replace(' ', ""),
        chitieu_text::number::DecimalMark::Comma,
    ) {
        Ok(v) => {
            let v = if negative { -v } else { v };
            match v.checked_mul(factor) {
                Some(v) => finish(c, v, indicator, last),
                None => {
                    c.errors.push("số quá lớn (too large)".into());
                    c
                }
            }
        }
        Err(_) => {
            c.errors.push(format!(
                "«{t}» không phải là số viết theo kiểu Việt Nam, ví dụ 1.234,5 (not a number)"
            ));
            c
        }
    }
}

fn finish(mut c: Check, v: Decimal, indicator: &Indicator, last: Option<Decimal>) -> Check {
    c.value = Some(v);
    let unit = indicator.unit.as_str();
    if v < Decimal::ZERO && unit != "%" {
        c.errors
            .push("giá trị không được âm (must not be negative)".into());
    }
    if (unit == "%" || unit == "‰") && v > Decimal::from(if unit == "%" { 100 } else { 1000 }) {
        c.warnings.push(format!(
            "tỷ lệ vượt quá 100{unit}: kiểm tra lại (above 100{unit})"
        ));
        c.needs_comment = true;
    }
    if indicator.is_count_of_units() && v.fract() != Decimal::ZERO {
        c.errors
            .push("số đơn vị phải là số nguyên (a count must be whole)".into());
    }
    if let Some(last) = last
        && last != Decimal::ZERO
        && let Some(change) = (v - last)
            .checked_div(last.abs())
            .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
        && change.abs() > Decimal::from(50)
    {
        c.warnings.push(format!(
            "thay đổi {} so với cùng kỳ năm trước ({}): cần ghi chú giải thích (large jump: a comment is required)",
            signed_percent(change),
            amount_vi(last, unit)
        ));
        c.needs_comment = true;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::indicator::Catalog;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn values_typed_in_vietnamese_format() {
        let cat = Catalog::builtin();
        let budget = cat.get("budget_revenue").unwrap();
        let c = check_value("43,248", budget, None);
        assert_eq!(c.value, Some(d("43248000000")));
        assert!(c.errors.is_empty());
        let c = check_value("1.234,5 tỷ đồng", budget, None);
        assert_eq!(c.value, Some(d("1234500000000")));
        let c = check_value("500 triệu đồng", budget, None);
        assert_eq!(c.value, Some(d("500000000")));
        let c = check_value("12 ha", budget, None);
        assert!(!c.errors.is_empty(), "{c:?}");
        let c = check_value("abc", budget, None);
        assert!(!c.errors.is_empty());
        let c = check_value("-5", budget, None);
        assert!(!c.errors.is_empty());
        let c = check_value("100", budget, Some(d("40000000000")));
        assert!(c.needs_comment, "{c:?}");
        let c = check_value("41", budget, Some(d("40000000000")));
        assert!(!c.needs_comment && c.warnings.is_empty(), "{c:?}");
    }
}
