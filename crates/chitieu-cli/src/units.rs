//! `chitieu units`: the units below one on a date, or a unit's history.

use anyhow::{Result, bail};
use chitieu_core::admin::Level;
use chitieu_store::Store;
use chrono::NaiveDate;
use clap::Args;

#[derive(Args, Debug)]
pub struct UnitsArgs {
    /// List the units below this one ("huyện Bắc Sơn", "tỉnh Lạng Sơn").
    #[arg(long, conflicts_with = "history")]
    under: Option<String>,
    /// The date (YYYY-MM-DD); today if left out.
    #[arg(long)]
    on: Option<NaiveDate>,
    /// List every level below, not only the next one.
    #[arg(long)]
    all: bool,
    /// Show every version of the unit, with its predecessors and successors ("xã Vũ Sơn").
    #[arg(long)]
    history: Option<String>,
}

pub fn run(store: &impl Store, args: &UnitsArgs) -> Result<()> {
    let on = args.on.unwrap_or_else(|| chrono::Local::now().date_naive());
    if let Some(name) = &args.history {
        return history(store, name);
    }
    let Some(name) = &args.under else {
        bail!(
            "hãy nêu đơn vị: --under \"huyện Bắc Sơn\" (và --on NGÀY), hoặc --history \"xã Vũ Sơn\""
        );
    };
    let unit = store.resolve_unit(name, on)?;
    let list = if args.all {
        store.descendants_on(unit.unit, on)?
    } else {
        store.children_on(unit.unit, on)?
    };
    println!(
        "Các đơn vị trực thuộc {} ngày {}:",
        unit.full_name(),
        on.format("%d/%m/%Y")
    );
    for v in &list {
        let indent = if args.all && v.level == Level::Commune && unit.level == Level::Province {
            "    "
        } else {
            "  "
        };
        println!(
            "{indent}{:<28} mã {}",
            v.title(),
            v.code.as_ref().map(|c| c.0.as_str()).unwrap_or("—")
        );
    }
    let mut by_kind: Vec<(String, usize)> = Vec::new();
    for v in &list {
        match by_kind.iter_mut().find(|(k, _)| *k == v.kind.vi()) {
            Some((_, n)) => *n += 1,
            None => by_kind.push((v.kind.vi().to_string(), 1)),
        }
    }
    let summary: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    println!("Tổng: {} đơn vị ({}).", list.len(), summary.join(", "));
    Ok(())
}

fn span(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let f = from
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "trước khi có dữ liệu".into());
    let t = to
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "nay".into());
    format!("{f} – {t}")
}

fn history(store: &impl Store, name: &str) -> Result<()> {
    let found = store.unit_history(name)?;
    if found.is_empty() {
        bail!(
            "không có đơn vị nào tên '{name}' ở bất kỳ thời kỳ nào (unknown unit): hãy kiểm tra chính tả hoặc ghi thêm cấp (xã, huyện, …)"
        );
    }
    for h in &found {
        println!(
            "Lịch sử của {}:",
            h.versions.last().map(|v| v.full_name()).unwrap_or_default()
        );
        for (v, parent) in h.versions.iter().zip(&h.parents) {
            println!(
                "  {:<24} mã {:<6} thuộc {:<24} hiệu lực {}",
                v.title(),
                v.code.as_ref().map(|c| c.0.as_str()).unwrap_or("—"),
                parent
                    .as_ref()
                    .map(|p| p.full_name())
                    .unwrap_or_else(|| "—".into()),
                span(v.valid_from, v.valid_to),
            );
        }
        for (s, v) in &h.predecessors {
            println!(
                "  ← hình thành từ {} (từ {}){}",
                v.full_name(),
                s.date.format("%d/%m/%Y"),
                if s.partial { ", một phần" } else { "" }
            );
        }
        for (s, v) in &h.successors {
            println!(
                "  → {} vào {} (từ {}){}",
                if s.partial {
                    "một phần nhập"
                } else {
                    "nhập"
                },
                v.full_name(),
                s.date.format("%d/%m/%Y"),
                if s.partial {
                    " — xã bị chia, chỉ một phần địa giới"
                } else {
                    ""
                }
            );
        }
        println!();
    }
    Ok(())
}
