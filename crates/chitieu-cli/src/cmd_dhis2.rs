//! `chitieu dhis2 …`: exchange figures with DHIS2 as data value sets (JSON or CSV), through a
//! mapping table of DHIS2 ids.

use anyhow::{Context, Result, bail};
use chitieu_app::exchange::{self, ExportFilter, ImportOptions, MappingRequest};
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_dhis2::Format;
use chitieu_store::exchange::MappingKind;
use chitieu_store::{ExchangeStore, Store};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct Dhis2Args {
    #[command(subcommand)]
    command: Dhis2Command,
}

#[derive(Subcommand, Debug)]
enum Dhis2Command {
    /// List, add or remove mappings of DHIS2 ids to indicators, units and combos, or load them
    /// from a CSV file.
    Map(MapArgs),
    /// Import a DHIS2 data value set (.json or .csv): every row checked, all stored or none.
    Import(ImportArgs),
    /// Export current figures as a DHIS2 data value set.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
struct MapArgs {
    #[command(subcommand)]
    command: MapCommand,
}

#[derive(Subcommand, Debug)]
enum MapCommand {
    /// List the mappings.
    List {
        /// Only this kind: data_element, org_unit, category_option_combo, attribute_option_combo.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Add a mapping, or change the one with the same kind, id (and combo).
    Add {
        /// data_element, org_unit, category_option_combo or attribute_option_combo.
        kind: String,
        /// The DHIS2 UID (11 characters) or code.
        dhis2_id: String,
        /// An indicator code (data_element); a unit name or id (org_unit); a label (combos).
        chitieu: String,
        /// For a data element: the category option combo this mapping is for (any accepted
        /// combo when left out).
        #[arg(long)]
        combo: Option<String>,
        /// The date a unit name is resolved on (units change: "huyện Bắc Sơn" existed until
        /// 30/06/2025). Default: today.
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Remove a mapping.
    Remove {
        kind: String,
        dhis2_id: String,
        #[arg(long)]
        combo: Option<String>,
    },
    /// Add or change the mappings of a CSV file (columns kind, dhis2_id, chitieu and optionally
    /// category_option_combo, on, note): all rows or none.
    Import {
        file: PathBuf,
        /// The date unit names are resolved on when a row has no `on`. Default: today.
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// A DHIS2 data value set: .json (`{"dataValues": […]}`) or .csv (DHIS2's columns).
    file: PathBuf,
    /// Store the good rows and list the bad ones, instead of storing nothing.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Check the file and report, but store nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// json or csv.
    #[arg(long, default_value = "json")]
    format: Format,
    /// Only these periods (repeatable): 2024, 2024S1 or 2024-H1, 2024Q2, 202401 or 2024-M01.
    #[arg(long)]
    period: Vec<String>,
    /// Only these units (repeatable): a name ("huyện Bắc Sơn") or a unit id.
    #[arg(long)]
    unit: Vec<String>,
    /// Only these indicators (repeatable).
    #[arg(long)]
    indicator: Vec<String>,
    /// The date unit names are resolved on. Default: the end of the first --period, or today.
    #[arg(long)]
    on: Option<NaiveDate>,
    /// The DHIS2 data set id to write in the file's header.
    #[arg(long)]
    data_set: Option<String>,
    /// The file to write.
    #[arg(short = 'o', long)]
    output: PathBuf,
}

pub fn run(store: &mut (impl Store + ExchangeStore), args: &Dhis2Args, actor: &str) -> Result<()> {
    match &args.command {
        Dhis2Command::Map(m) => run_map(store, &m.command, actor),
        Dhis2Command::Import(a) => run_import(store, a, actor),
        Dhis2Command::Export(a) => run_export(store, a),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn kind(s: &str) -> Result<MappingKind> {
    s.parse::<MappingKind>().map_err(anyhow::Error::msg)
}

fn run_map(store: &mut (impl Store + ExchangeStore), cmd: &MapCommand, actor: &str) -> Result<()> {
    match cmd {
        MapCommand::List { kind: only } => {
            let only = only.as_deref().map(kind).transpose()?;
            let catalog = store.catalog()?;
            let rows: Vec<Vec<String>> = store
                .dhis2_mappings()?
                .into_iter()
                .filter(|m| only.is_none_or(|k| k == m.kind))
                .map(|m| {
                    let meaning = match m.kind {
                        MappingKind::DataElement => catalog
                            .get(&m.chitieu_key)
                            .map(|i| i.name_vi.clone())
                            .unwrap_or_default(),
                        MappingKind::OrgUnit => m
                            .chitieu_key
                            .parse::<i64>()
                            .ok()
                            .and_then(|id| store.unit_latest(UnitId(id)).ok())
                            .map(|v| v.full_name())
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    vec![
                        m.kind.to_string(),
                        m.dhis2_id,
                        m.category_option_combo,
                        m.chitieu_key,
                        meaning,
                        m.note.unwrap_or_default(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!(
                    "Chưa có ánh xạ DHIS2 nào. Thêm bằng `chitieu dhis2 map add` hoặc `chitieu dhis2 map import FILE.csv`."
                );
            } else {
                crate::table::print_table(
                    &[
                        "loại",
                        "mã DHIS2",
                        "nhóm phân tổ",
                        "chitieu",
                        "tên",
                        "ghi chú",
                    ],
                    &rows,
                );
            }
            Ok(())
        }
        MapCommand::Add {
            kind: k,
            dhis2_id,
            chitieu,
            combo,
            on,
            note,
        } => {
            let catalog = store.catalog()?;
            let request = MappingRequest {
                kind: kind(k)?,
                dhis2_id: dhis2_id.clone(),
                category_option_combo: combo.clone().unwrap_or_default(),
                chitieu: chitieu.clone(),
                on: on.unwrap_or_else(today),
                note: note.clone(),
            };
            let mapping = exchange::new_mapping(store, &catalog, &request)
                .map_err(anyhow::Error::msg)
                .with_context(|| {
                    format!("ánh xạ {k} {dhis2_id}: chưa thay đổi gì (nothing was changed)")
                })?;
            let report = store.put_dhis2_mappings(std::slice::from_ref(&mapping), actor)?;
            let what = if report.added > 0 {
                "đã thêm"
            } else if report.changed > 0 {
                "đã sửa"
            } else {
                "không đổi"
            };
            println!(
                "Ánh xạ {} {} → {}: {what}.",
                mapping.kind, mapping.dhis2_id, mapping.chitieu_key
            );
            Ok(())
        }
        MapCommand::Remove {
            kind: k,
            dhis2_id,
            combo,
        } => {
            let removed = store.remove_dhis2_mapping(
                kind(k)?,
                dhis2_id,
                combo.as_deref().unwrap_or(""),
                actor,
            )?;
            println!(
                "Đã xoá ánh xạ {} {} → {}.",
                removed.kind, removed.dhis2_id, removed.chitieu_key
            );
            Ok(())
        }
        MapCommand::Import { file, on } => {
            let bytes = std::fs::read(file)
                .with_context(|| format!("không đọc được tệp {} (cannot read)", file.display()))?;
            let report = exchange::import_mappings(
                store,
                &file.display().to_string(),
                &bytes,
                on.unwrap_or_else(today),
                actor,
            )?;
            println!(
                "{}: {} ánh xạ mới, {} sửa đổi, {} không đổi.",
                file.display(),
                report.added,
                report.changed,
                report.unchanged
            );
            Ok(())
        }
    }
}

fn run_import(
    store: &mut (impl Store + ExchangeStore),
    args: &ImportArgs,
    actor: &str,
) -> Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("không đọc được tệp {} (cannot read)", args.file.display()))?;
    let name = args.file.display().to_string();
    let options = ImportOptions {
        skip_bad_rows: args.skip_bad_rows,
        dry_run: args.dry_run,
    };
    let outcome = exchange::import(store, &name, &bytes, options, actor)?;
    let plan = &outcome.plan;
    if !plan.errors.is_empty() {
        println!(
            "{name}: bỏ qua {} dòng lỗi (skipped bad rows):",
            plan.errors
                .iter()
                .map(|e| e.at)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
        for e in &plan.errors {
            println!("  {name}: {e}");
        }
    }
    match &outcome.stored {
        None if args.dry_run => println!(
            "{name}: {} giá trị DHIS2 ({}), {} hợp lệ — chưa lưu vì --dry-run.",
            plan.rows,
            plan.format.as_str(),
            plan.batch.figures.len()
        ),
        None => println!("{name}: không có giá trị hợp lệ nào để lưu."),
        Some(r) => println!(
            "{name}: {} giá trị DHIS2 ({}): {} số liệu mới, {} điều chỉnh, {} không đổi; {} bản ghi DHIS2 đã lưu.",
            plan.rows,
            plan.format.as_str(),
            r.figures.figures_added,
            r.figures.figures_corrected,
            r.figures.figures_unchanged,
            r.dhis2_records
        ),
    }
    Ok(())
}

fn parse_period(s: &str) -> Result<Period> {
    if let Ok(p) = chitieu_dhis2::period::parse(s) {
        return Ok(p);
    }
    if let Ok(p) = s.parse::<Period>() {
        return Ok(p);
    }
    chitieu_core::period_vi::parse_period_vi(s, None).map_err(|_| {
        anyhow::anyhow!(
            "'{s}' không phải là kỳ báo cáo (not a period): hãy viết ví dụ 2024, 2024S1, 2024Q2 hoặc 202401 (kiểu DHIS2), 2024-H1 hoặc \"6 tháng đầu năm 2024\""
        )
    })
}

fn run_export(store: &mut (impl Store + ExchangeStore), args: &ExportArgs) -> Result<()> {
    let periods = args
        .period
        .iter()
        .map(|p| parse_period(p))
        .collect::<Result<Vec<_>>>()?;
    let on = args
        .on
        .or_else(|| periods.first().map(|p| p.end_date()))
        .unwrap_or_else(today);
    let mut units = Vec::new();
    for u in &args.unit {
        let id = u.strip_prefix('#').unwrap_or(u);
        let unit = match id.parse::<i64>() {
            Ok(n) => UnitId(n),
            Err(_) => {
                store
                    .resolve_unit(u, on)
                    .with_context(|| format!("--unit '{u}' on {on}"))?
                    .unit
            }
        };
        units.push(unit);
    }
    let catalog = store.catalog()?;
    let mut indicators = Vec::new();
    for i in &args.indicator {
        match catalog.get(i.trim()) {
            Some(ind) => indicators.push(ind.code.clone()),
            None => bail!(
                "không có chỉ tiêu mã '{i}' (unknown indicator): xem các mã bằng `chitieu indicators`"
            ),
        }
    }
    let filter = ExportFilter {
        indicators: indicators.into_iter().collect::<Vec<IndicatorCode>>(),
        units,
        periods,
        data_set: args.data_set.clone(),
    };
    let set = exchange::export(store, &filter)?;
    let text = chitieu_dhis2::write(args.format, &set);
    std::fs::write(&args.output, text).with_context(|| {
        format!(
            "không ghi được tệp {} (cannot write)",
            args.output.display()
        )
    })?;
    println!(
        "{}: đã xuất {} giá trị DHIS2 ({}).",
        args.output.display(),
        set.data_values.len(),
        args.format.as_str()
    );
    Ok(())
}
