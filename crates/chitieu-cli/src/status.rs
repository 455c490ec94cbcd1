//! `chitieu status` (where a unit stands against its targets) and `chitieu history` (every
//! revision of one figure).

use crate::table::print_table;
use anyhow::{Result, bail};
use chitieu_app::present::{amount_vi, percent_vi};
use chitieu_app::status::{evaluate_unit, parse_period, resolve_for_period, source_vi};
use chitieu_core::evaluate::{Evaluation, Status, Summary};
use chitieu_core::figure::FigureState;
use chitieu_core::indicator::{Catalog, Indicator};
use chitieu_core::period::PeriodKind;
use chitieu_core::target::Target;
use chitieu_store::Store;
use clap::Args;

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

fn status_cell(e: &Evaluation) -> String {
    let mut s = e.status.vi().to_string();
    if e.at_risk {
        s.push_str(" ⚠ nguy cơ không đạt");
    }
    s
}

pub fn run(store: &(impl Store + chitieu_store::DocumentStore), args: &StatusArgs) -> Result<()> {
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
                let line = source_vi(store, f);
                let n = match notes.iter().position(|x| *x == line) {
                    Some(i) => i + 1,
                    None => {
                        notes.push(line);
                        notes.len()
                    }
                };
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
                format!("{est}{count}{asof} [{n}]")
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
        for (i, n) in notes.iter().enumerate() {
            println!("  [{}] {n}", i + 1);
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

pub fn history(
    store: &(impl Store + chitieu_store::DocumentStore),
    args: &HistoryArgs,
) -> Result<()> {
    let period = parse_period(&args.period)?;
    let unit = resolve_for_period(store, &args.unit, &period)?;
    let catalog: Catalog = store.catalog()?;
    let Some(ind) = catalog.get(args.indicator.trim()) else {
        bail!(
            "không có chỉ tiêu mã '{}' (unknown indicator): xem các mã bằng `chitieu indicators`",
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
            source_vi(store, f),
            f.input
                .note
                .as_ref()
                .map(|n| format!(" — ghi chú: {n}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
