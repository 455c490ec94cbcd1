//! `chitieu report`: review reports (báo cáo sơ kết, tổng kết) in PDF, DOCX, XLSX or Markdown;
//! issuing them (a document number, figures frozen) and comparing an issued report with the
//! current data.

use anyhow::{Context, Result, bail};
use chitieu_app::status::{parse_period, resolve_for_period};
use chitieu_report::issue::{compare, issue, load};
use chitieu_report::render::Format;
use chitieu_report::{BuildOptions, DocStyle, ReportKind, Template, TextBlocks};
use chitieu_store::sqlite::ReportStore;
use chitieu_store::{AnyStore, Store};
use clap::Args;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The unit: "huyện Bắc Sơn".
    #[arg(long)]
    unit: Option<String>,
    /// The period: 2022-H1, 2022-9M, 2022, 2023-Q1, 2020-2025.
    #[arg(long)]
    period: Option<String>,
    /// so-ket (6 or 9 months), tong-ket (year), quy (quarter), nhiem-ky (term).
    #[arg(long, default_value = "so-ket")]
    kind: String,
    /// pdf, docx, xlsx or md; by default from the output file's extension.
    #[arg(long)]
    format: Option<String>,
    /// Where to write the report.
    #[arg(long)]
    output: Option<PathBuf>,
    /// party (Hướng dẫn 36-HD/VPTW) or state (Nghị định 30/2020/NĐ-CP).
    #[arg(long, default_value = "party")]
    style: String,
    /// A template file (TOML or JSON) with the header lines, sizes, margins, signer and
    /// recipients; fields left out keep the defaults. See --print-template.
    #[arg(long)]
    template: Option<PathBuf>,
    /// Print the default template for the unit as JSON (to save, edit and pass back).
    #[arg(long)]
    print_template: bool,
    /// The text blocks people write (TOML or JSON): opening, fields.*, han_che,
    /// nguyen_nhan, phuong_huong, kien_nghi.
    #[arg(long)]
    texts: Option<PathBuf>,
    /// The date on the report (2022-06-15); default today.
    #[arg(long)]
    date: Option<String>,
    /// Issue the report: give it the next document number and freeze its figures.
    #[arg(long)]
    issue: bool,
    /// With --issue: the lowest number to use (to continue an office's own sequence).
    #[arg(long, default_value_t = 1)]
    first_number: u32,
    /// Render an issued report (by id) exactly as issued.
    #[arg(long)]
    issued: Option<i64>,
    /// Compare an issued report (by id) with the current data.
    #[arg(long)]
    compare: Option<i64>,
    /// List the unit's issued reports.
    #[arg(long)]
    list: bool,
    /// Also print a short news article of the conference, for the portal.
    #[arg(long)]
    news: bool,
}

fn write_output(report: &chitieu_report::Report, args: &ReportArgs) -> Result<()> {
    let Some(out) = &args.output else {
        return match args.format.as_deref() {
            None | Some("md") | Some("markdown") => {
                print!("{}", chitieu_report::render::markdown::markdown(report));
                Ok(())
            }
            Some(f) => bail!("định dạng {f} cần --output TỆP để ghi ra"),
        };
    };
    let format = match &args.format {
        Some(f) => Format::from_str(f)?,
        None => Format::from_str(out.extension().and_then(|e| e.to_str()).unwrap_or("md"))?,
    };
    let bytes = chitieu_report::render(report, format)?;
    std::fs::write(out, bytes)
        .with_context(|| format!("không ghi được tệp {} (cannot write)", out.display()))?;
    println!("Đã ghi {} ({})", out.display(), format.extension());
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("{}: không đọc được tệp (cannot read)", path.display()))
}

pub fn run(store: &mut AnyStore, args: &ReportArgs, actor: &str) -> Result<()> {
    if let Some(id) = args.issued.or(args.compare) {
        let issued = store.issued_report(id)?.with_context(|| {
            format!("không có báo cáo đã ban hành số {id} (no issued report): xem bằng --list")
        })?;
        let frozen = load(&issued)?;
        if args.compare.is_some() {
            let unit = store.unit_on(issued.unit, frozen.period.end_date())?;
            let opts = BuildOptions {
                kind: frozen.kind,
                template: frozen.template.clone(),
                texts: frozen.texts.clone(),
                date: frozen.date,
                series_years: 4,
            };
            let current = chitieu_report::build_report(store, &unit, &frozen.period, &opts)?;
            let diffs = compare(&frozen, &current);
            println!(
                "{} ngày {} so với số liệu hiện tại:",
                issued.number_text,
                frozen.date.format("%d/%m/%Y")
            );
            if diffs.is_empty() {
                println!("  không có khác biệt.");
            }
            for d in diffs {
                println!("  - {} [{}]: {}", d.name, d.plan, d.what);
            }
            return Ok(());
        }
        return write_output(&frozen, args);
    }
    let (Some(unit_name), Some(period_text)) = (&args.unit, &args.period) else {
        if args.list {
            bail!(
                "--list cần --unit và --period (kỳ báo cáo giúp tìm đúng đơn vị tại thời điểm đó)"
            );
        }
        bail!("hãy ghi --unit và --period (hoặc --issued ID / --compare ID)");
    };
    let period = parse_period(period_text)?;
    let unit = resolve_for_period(store, unit_name, &period)?;
    if args.list {
        for r in store.issued_reports(unit.unit)? {
            println!(
                "#{:<4} {:<18} {:<8} {:<9} ngày {}  ({}, {})",
                r.id, r.number_text, r.period, r.kind, r.issued_on, r.issued_by, r.issued_at
            );
        }
        return Ok(());
    }
    let date = match &args.date {
        Some(d) => chitieu_report::build::parse_date(d)?,
        None => chrono::Local::now().date_naive(),
    };
    let style = DocStyle::from_str(&args.style)?;
    let mut template = chitieu_report::default_template(store, &unit, style, date)?;
    if let Some(path) = &args.template {
        let base = serde_json::to_value(&template)?;
        let over: serde_json::Value = if read(path)?.trim_start().starts_with('{') {
            serde_json::from_str(&read(path)?)?
        } else {
            serde_json::to_value(Template::parse(&read(path)?)?)?
        };
        // A JSON file overrides only the fields it names; a TOML file is read whole with
        // defaults for what it leaves out.
        template = serde_json::from_value(merge(base, over))?;
    }
    if args.print_template {
        println!("{}", template.to_json_pretty()?);
        return Ok(());
    }
    let texts = match &args.texts {
        Some(p) => TextBlocks::parse(&read(p)?)?,
        None => TextBlocks::default(),
    };
    let opts = BuildOptions {
        kind: ReportKind::from_str(&args.kind)?,
        template,
        texts,
        date,
        series_years: 4,
    };
    let mut report = chitieu_report::build_report(store, &unit, &period, &opts)?;
    if args.issue {
        let (issued, frozen) = issue(store, &report, unit.unit, args.first_number, actor)?;
        println!(
            "Đã ban hành {} (mã lưu #{}); số liệu của báo cáo được giữ nguyên như khi ban hành.",
            issued.number_text, issued.id
        );
        report = frozen;
    }
    if args.news {
        let (headline, body) = chitieu_report::narrative::news_article(&report);
        println!("{headline}\n\n{body}\n");
    }
    write_output(&report, args)
}

fn merge(base: serde_json::Value, over: serde_json::Value) -> serde_json::Value {
    match (base, over) {
        (serde_json::Value::Object(mut b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                let merged = match b.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            serde_json::Value::Object(b)
        }
        (_, o) => o,
    }
}

/// The demo's report: the 2022 H1 sơ kết of Huyện ủy Bắc Sơn, issued as "Số 12-BC/HU" and
/// written as PDF, DOCX and XLSX next to the database. Returns the files written.
pub fn demo(store: &mut AnyStore, database: &Path) -> Result<Vec<PathBuf>> {
    let period = parse_period("2022-H1")?;
    let unit = resolve_for_period(store, "huyện Bắc Sơn, tỉnh Lạng Sơn", &period)?;
    let date = chitieu_report::build::parse_date("2022-06-15")?;
    let texts = TextBlocks::parse(include_str!(
        "../../chitieu-report/templates/demo-bac-son-2022-h1.toml"
    ))?;
    let opts = BuildOptions {
        kind: ReportKind::SoKet,
        template: chitieu_report::default_template(store, &unit, DocStyle::Party, date)?,
        texts,
        date,
        series_years: 4,
    };
    let report = chitieu_report::build_report(store, &unit, &period, &opts)?;
    let (_, frozen) = issue(store, &report, unit.unit, 12, "demo")?;
    let stem = database
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "chitieu".into());
    let dir = database.parent().unwrap_or(Path::new("."));
    let mut written = Vec::new();
    for format in [Format::Pdf, Format::Docx, Format::Xlsx] {
        let path = dir.join(format!(
            "{stem}-bao-cao-so-ket-2022-H1-bac-son.{}",
            format.extension()
        ));
        std::fs::write(&path, chitieu_report::render(&frozen, format)?)
            .with_context(|| format!("không ghi được tệp {} (cannot write)", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
