//! `chitieu status` (where a unit stands against its targets) and `chitieu history` (every
//! revision of one figure).

use crate::display::{amount_vi, percent_vi, print_table};
use anyhow::{Context, Result, bail};
use chitieu_core::Decimal;
use chitieu_core::admin::{UnitKind, UnitVersion};
use chitieu_core::evaluate::{EvalInput, Evaluation, Status, Summary, Thresholds, evaluate};
use chitieu_core::figure::{FigureRevision, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, Indicator};
use chitieu_core::period::{Period, PeriodKind};
use chitieu_core::rollup::{FigureTable, UnitTree, rollup};
use chitieu_core::target::{PlanSource, Target};
use chitieu_store::Store;
use clap::Args;

/// The setting key under which the evaluation thresholds are kept.
pub const THRESHOLDS_KEY: &str = "evaluation.thresholds";

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The unit: "huyện Bắc Sơn", "xã Vũ Sơn, huyện Bắc Sơn".
    #[arg(long)]
    unit: String,
    /// The period: 2022-H1, 2023-Q1, 2020, or "6 tháng đầu năm 2022".
    #[arg(long)]
    period: String,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The indicator code (see `chitieu indicators`).
    #[arg(long)]
    indicator: String,
    #[arg(long)]
    unit: String,
    #[arg(long)]
    period: String,
}

pub fn parse_period(text: &str) -> Result<Period> {
    text.trim()
        .parse::<Period>()
        .or_else(|_| chitieu_core::period_vi::parse_period_vi(text, None))
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("'{text}' is not a period"))
}

/// Finds the unit as it stood during the period (at its end, or its start).
pub fn resolve_for_period(store: &impl Store, name: &str, period: &Period) -> Result<UnitVersion> {
    match store.resolve_unit(name, period.end_date()) {
        Ok(v) => Ok(v),
        Err(first) => store
            .resolve_unit(name, period.start_date())
            .map_err(|_| anyhow::anyhow!(first)),
    }
}

pub fn thresholds(store: &impl Store) -> Result<Thresholds> {
    match store.setting(THRESHOLDS_KEY)? {
        Some(json) => serde_json::from_str(&json)
            .with_context(|| format!("the stored setting {THRESHOLDS_KEY} is not valid")),
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

fn status_cell(e: &Evaluation) -> String {
    let mut s = e.status.vi().to_string();
    if e.at_risk {
        s.push_str(" ⚠ nguy cơ không đạt");
    }
    s
}

pub fn run(store: &impl Store, args: &StatusArgs) -> Result<()> {
    let period = parse_period(&args.period)?;
    let unit = resolve_for_period(store, &args.unit, &period)?;
    let rows = evaluate_unit(store, &unit, &period)?;
    println!(
        "Kết quả thực hiện các chỉ tiêu — {} — {}",
        unit.title(),
        chitieu_core::period_vi::format_period_vi(&period)
    );
    println!();
    if rows.is_empty() {
        println!(
            "Chưa có chỉ tiêu kế hoạch nào cho {} trong {}. Nhập bằng `chitieu import`.",
            unit.full_name(),
            period
        );
    }
    if rows.is_empty() {
        return Ok(());
    }
    let mut notes: Vec<String> = Vec::new();
    let mut table = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let e = &r.evaluation;
        let plan_name = r
            .plan
            .as_ref()
            .map(|p| p.kind.vi().to_string())
            .unwrap_or_else(|| r.target.source.clone());
        let actual = match (&r.actual, r.rolled_up) {
            (Some(f), _) => {
                notes.push(format!("[{}] {}", notes.len() + 1, provenance_vi(f)));
                let est = if f.input.state == FigureState::Estimate {
                    "ước "
                } else {
                    ""
                };
                let asof = f
                    .input
                    .as_of
                    .map(|d| format!(" (tính đến {})", d.format("%d/%m/%Y")))
                    .unwrap_or_default();
                let count = match r.total_units {
                    Some(t) => format!("{}/{t} {}", f.input.value.normalize(), r.indicator.unit),
                    None => amount_vi(f.input.value, &r.indicator.unit),
                };
                format!("{est}{count}{asof} [{}]", notes.len())
            }
            (None, Some((v, n, of))) => format!(
                "{} (tổng hợp {n}/{of} đơn vị)",
                amount_vi(v, &r.indicator.unit)
            ),
            (None, None) => "—".into(),
        };
        table.push(vec![
            (i + 1).to_string(),
            r.indicator.name_vi.clone(),
            format!("{} ({plan_name})", target_text(&r.target, &r.indicator)),
            actual,
            e.percent_of_plan
                .map(percent_vi)
                .unwrap_or_else(|| "—".into()),
            e.percent_change
                .map(|p| {
                    if p.is_sign_negative() {
                        format!("giảm {}", percent_vi(-p))
                    } else {
                        format!("tăng {}", percent_vi(p))
                    }
                })
                .unwrap_or_else(|| "—".into()),
            e.projection
                .map(|p| amount_vi(p.value, &r.indicator.unit))
                .unwrap_or_else(|| "—".into()),
            status_cell(e),
        ]);
    }
    print_table(
        &[
            "TT",
            "Chỉ tiêu",
            "Kế hoạch",
            "Thực hiện",
            "% KH",
            "So cùng kỳ",
            "Dự báo cả năm",
            "Đánh giá",
        ],
        &table,
    );
    if !rows.is_empty() {
        let summary = Summary::of(rows.iter().map(|r| &r.evaluation));
        println!();
        println!("Tổng hợp: {}.", capitalise(&summary.summary_vi_detailed()));
        let at_risk = rows.iter().filter(|r| r.evaluation.at_risk).count();
        if at_risk > 0 {
            println!("Cảnh báo: {at_risk} chỉ tiêu có nguy cơ không đạt kế hoạch cả năm.");
        }
        if rows
            .iter()
            .any(|r| r.evaluation.status == Status::ChuaDuDuLieu)
        {
            println!("(“chưa đủ dữ liệu”: chưa có số liệu của kỳ này.)");
        }
    }
    if !notes.is_empty() {
        println!();
        println!("Nguồn số liệu:");
        for n in notes {
            println!("  {n}");
        }
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn target_text(t: &Target, ind: &Indicator) -> String {
    use chitieu_core::target::Comparator::*;
    let a = |v| amount_vi(v, &ind.unit);
    let period = if t.period.kind() == PeriodKind::Year {
        String::new()
    } else {
        format!(" {}", t.period)
    };
    match t.comparator {
        AtLeast { value } => format!("{}{period}", a(value)),
        AtMost { value } => format!("≤ {}{period}", a(value)),
        Exactly { value } => format!("= {}{period}", a(value)),
        Range { min, max } => format!("{} – {}{period}", a(min), a(max)),
    }
}

pub fn history(store: &impl Store, args: &HistoryArgs) -> Result<()> {
    let period = parse_period(&args.period)?;
    let unit = resolve_for_period(store, &args.unit, &period)?;
    let catalog: Catalog = store.catalog()?;
    let Some(ind) = catalog.get(args.indicator.trim()) else {
        bail!(
            "unknown indicator '{}': see `chitieu indicators`",
            args.indicator
        );
    };
    let revs = store.figure_history(ind.code.as_str(), unit.unit, &period)?;
    println!(
        "Lịch sử số liệu: {} — {} — {}",
        ind.name_vi,
        unit.title(),
        period
    );
    if revs.is_empty() {
        println!("Chưa có số liệu.");
        return Ok(());
    }
    for f in &revs {
        println!(
            "  lần {}{}: {} ({}){} — {}{}",
            f.revision,
            if f.superseded { "" } else { " (hiện hành)" },
            amount_vi(f.input.value, &ind.unit),
            f.input.state.vi(),
            f.input
                .as_of
                .map(|d| format!(", tính đến {}", d.format("%d/%m/%Y")))
                .unwrap_or_default(),
            provenance_vi(f),
            f.input
                .note
                .as_ref()
                .map(|n| format!(" — ghi chú: {n}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
