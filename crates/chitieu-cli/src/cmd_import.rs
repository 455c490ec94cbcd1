//! `chitieu import FILE`: targets and figures from CSV or XLSX, all rows or none.

use anyhow::{Context, Result};
use chitieu_store::Store;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A .csv or .xlsx file. Columns: kind (target|figure), indicator, unit, period, value, and
    /// optionally measure_unit, state, as_of, plan, plan_kind, plan_title, comparator, max, note.
    file: PathBuf,
    /// The sheet to read from an XLSX file (the first one if left out).
    #[arg(long)]
    sheet: Option<String>,
    /// Check the file and report, but store nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(store: &mut impl Store, args: &ImportArgs, actor: &str) -> Result<()> {
    let catalog = store.catalog()?;
    let batch =
        chitieu_app::import::read_batch(store, &catalog, &args.file, args.sheet.as_deref())?;
    if args.dry_run {
        println!(
            "{}: hợp lệ — {} chỉ tiêu kế hoạch, {} số liệu (chưa lưu vì --dry-run).",
            args.file.display(),
            batch.targets.len(),
            batch.figures.len()
        );
        return Ok(());
    }
    let report = store
        .apply(&batch, actor)
        .with_context(|| format!("{}: chưa lưu gì (nothing was stored)", args.file.display()))?;
    println!(
        "{}: đã nhập {} kế hoạch mới, {} chỉ tiêu mới, {} chỉ tiêu sửa đổi, {} số liệu mới, {} số liệu điều chỉnh, {} không đổi.",
        args.file.display(),
        report.plan_sources,
        report.targets_added,
        report.targets_changed,
        report.figures_added,
        report.figures_corrected,
        report.figures_unchanged
    );
    Ok(())
}
