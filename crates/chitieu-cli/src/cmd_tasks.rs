//! `chitieu tasks`: key tasks (nhiệm vụ trọng tâm) — add, list with their status, report
//! progress as the lead unit, confirm or return as the office, count as reports do.

use crate::table::print_table;
use anyhow::{Context, Result, bail};
use chitieu_app::tasks::{
    Actor, TaskScope, TaskView, count_tasks, create_task, list_tasks, report_progress, review_task,
};
use chitieu_core::figure::Provenance;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::target::Comparator;
use chitieu_core::task::{
    Deadline, ExpectedOutput, ProgressReport, Review, Task, TaskField, TaskStatus,
};
use chitieu_store::documents::DocumentStore;
use chitieu_store::{AnyStore, Store, TaskStore};
use chrono::NaiveDate;
use std::collections::HashMap;

#[derive(Debug, Clone, clap::Args)]
pub struct TasksArgs {
    #[command(subcommand)]
    pub command: TasksCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TasksCommand {
    /// Add a task decided by a resolution or conference conclusion.
    Add(AddArgs),
    /// List tasks with their status on a date.
    List(ScopeArgs),
    /// Report progress, as the lead unit (--as-unit must be the task's lead unit).
    Report(ReportArgs),
    /// Confirm a reported completion (the office).
    Confirm(ConfirmArgs),
    /// Return a reported completion to the lead unit (the office).
    Return(ReturnArgs),
    /// Count tasks by status, per lead unit and per field: "hoàn thành 45/52 nhiệm vụ, đúng
    /// hạn 40".
    Counts(ScopeArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// The task as written.
    #[arg(long)]
    pub text: String,
    /// kinh tế | văn hóa - xã hội | quốc phòng - an ninh | xây dựng Đảng
    #[arg(long)]
    pub field: String,
    /// The lead unit: "huyện Hữu Lũng".
    #[arg(long)]
    pub lead: String,
    /// A cooperating unit (repeatable).
    #[arg(long = "cooperate")]
    pub cooperate: Vec<String>,
    /// A date (30/6/2023, 2023-06-30) or a period whose end is the deadline (quý II/2023, 2023-Q2).
    #[arg(long)]
    pub deadline: String,
    /// The expected output is a document with this title.
    #[arg(long, conflicts_with_all = ["output_project", "output_target"])]
    pub output_document: Option<String>,
    /// The expected output is a completed project.
    #[arg(long, conflicts_with = "output_target")]
    pub output_project: Option<String>,
    /// The expected output is an indicator reaching a target: CODE>=VALUE or CODE<=VALUE.
    #[arg(long)]
    pub output_target: Option<String>,
    /// The resolution or conclusion that set the task.
    #[arg(long, default_value = "")]
    pub source: String,
    /// The period the task belongs to (2023-Q2, quý II/2023).
    #[arg(long)]
    pub period: Option<String>,
    /// The day unit names are resolved on (default: the deadline).
    #[arg(long)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ScopeArgs {
    /// Only tasks led by this unit.
    #[arg(long)]
    pub lead: Option<String>,
    /// Only tasks of this field.
    #[arg(long)]
    pub field: Option<String>,
    /// Only tasks due within this period (2022, 2023-Q2, 6 tháng đầu năm 2022).
    #[arg(long)]
    pub period: Option<String>,
    /// The day statuses are computed for (default: today). A task is "quá hạn" from the day
    /// after its deadline.
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    pub id: i64,
    /// The unit reporting; must be the task's lead unit.
    #[arg(long = "as-unit")]
    pub as_unit: String,
    /// chưa triển khai | đang thực hiện | hoàn thành | hoàn thành quá hạn | quá hạn
    #[arg(long)]
    pub status: String,
    /// The day the report speaks for (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// For a completion: the day the work was finished (default: the report's day).
    #[arg(long)]
    pub completed_on: Option<NaiveDate>,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ConfirmArgs {
    pub id: i64,
    #[arg(long)]
    pub on: Option<NaiveDate>,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReturnArgs {
    pub id: i64,
    /// Why the completion is not accepted.
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub on: Option<NaiveDate>,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn field(text: &str) -> Result<TaskField> {
    Ok(text.parse::<TaskField>()?)
}

fn output_target(text: &str) -> Result<ExpectedOutput> {
    let (code, op, value) = if let Some((c, v)) = text.split_once(">=") {
        (c, "at_least", v)
    } else if let Some((c, v)) = text.split_once("<=") {
        (c, "at_most", v)
    } else if let Some((c, v)) = text.split_once('=') {
        (c, "exactly", v)
    } else {
        bail!(
            "--output-target '{text}': hãy viết dạng MÃ>=GIÁ_TRỊ, MÃ<=GIÁ_TRỊ hoặc MÃ=GIÁ_TRỊ (CODE>=VALUE)"
        );
    };
    let value = chitieu_text::parse_numeral(value.trim(), chitieu_text::DecimalMark::Comma)
        .with_context(|| {
            format!(
                "--output-target '{text}': '{}' không phải là số",
                value.trim()
            )
        })?;
    Ok(ExpectedOutput::FigureTarget {
        indicator: IndicatorCode::new(code.trim())
            .with_context(|| format!("--output-target '{text}'"))?,
        comparator: Comparator::from_parts(op, value, None)?,
    })
}

pub fn run(store: &mut AnyStore, args: &TasksArgs, actor: &str) -> Result<()> {
    match &args.command {
        TasksCommand::Add(a) => add(store, a, actor),
        TasksCommand::List(s) => list(store, s),
        TasksCommand::Counts(s) => counts(store, s),
        TasksCommand::Report(r) => {
            let on = r.on.unwrap_or_else(today);
            let status = r.status.parse::<TaskStatus>()?;
            // The unit as it stood on the report's day, or else on the task's deadline (a
            // unit dissolved since still reports on its old tasks).
            let unit = match store.resolve_unit(&r.as_unit, on) {
                Ok(u) => u,
                Err(first) => {
                    let due = store.task(r.id)?.task.deadline.date();
                    store
                        .resolve_unit(&r.as_unit, due)
                        .map_err(|_| first)
                        .with_context(|| format!("--as-unit '{}'", r.as_unit))?
                }
            };
            let t = report_progress(
                store,
                r.id,
                &Actor {
                    name: actor.to_string(),
                    units: vec![unit.unit],
                    office: false,
                },
                ProgressReport {
                    reported_on: on,
                    status,
                    completed_on: r.completed_on,
                    note: chitieu_text::nfc(&r.note),
                },
            )?;
            let s = t.state(on);
            println!(
                "Nhiệm vụ {}: {} báo cáo ngày {} — {}{}.",
                t.id,
                unit.full_name(),
                chitieu_text::format_date_vi(on),
                s.status.vi(),
                if s.awaiting_confirmation {
                    " (chờ văn phòng xác nhận)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        TasksCommand::Confirm(c) => {
            let on = c.on.unwrap_or_else(today);
            let t = review_task(
                store,
                c.id,
                &office(actor),
                Review::Confirm {
                    on,
                    note: chitieu_text::nfc(&c.note),
                },
            )?;
            println!(
                "Nhiệm vụ {}: đã xác nhận {} ngày {}.",
                t.id,
                t.state(on).status.vi(),
                chitieu_text::format_date_vi(on)
            );
            Ok(())
        }
        TasksCommand::Return(r) => {
            let on = r.on.unwrap_or_else(today);
            let t = review_task(
                store,
                r.id,
                &office(actor),
                Review::Return {
                    on,
                    reason: chitieu_text::nfc(&r.reason),
                },
            )?;
            println!(
                "Nhiệm vụ {}: đã trả lại ngày {} ({}); trạng thái: {}.",
                t.id,
                chitieu_text::format_date_vi(on),
                r.reason,
                t.state(on).status.vi()
            );
            Ok(())
        }
    }
}

/// Confirming and returning are the office's: the command line acts for it.
fn office(actor: &str) -> Actor {
    Actor {
        name: actor.to_string(),
        units: vec![],
        office: true,
    }
}

fn add(store: &mut AnyStore, a: &AddArgs, actor: &str) -> Result<()> {
    let deadline = Deadline::parse(&a.deadline)?;
    let on = a.on.unwrap_or(deadline.date());
    let lead = store
        .resolve_unit(&a.lead, on)
        .with_context(|| format!("--lead '{}'", a.lead))?;
    let mut cooperating = Vec::new();
    for c in &a.cooperate {
        cooperating.push(
            store
                .resolve_unit(c, on)
                .with_context(|| format!("--cooperate '{c}'"))?
                .unit,
        );
    }
    let output = match (&a.output_document, &a.output_project, &a.output_target) {
        (Some(t), _, _) => ExpectedOutput::Document {
            title: chitieu_text::nfc(t),
        },
        (_, Some(p), _) => ExpectedOutput::Project {
            name: chitieu_text::nfc(p),
        },
        (_, _, Some(t)) => output_target(t)?,
        _ => bail!(
            "hãy ghi kết quả nhiệm vụ phải đạt: --output-document TÊN_VĂN_BẢN, --output-project TÊN_DỰ_ÁN hoặc --output-target MÃ>=GIÁ_TRỊ"
        ),
    };
    let period = a
        .period
        .as_deref()
        .map(chitieu_app::status::parse_period)
        .transpose()?;
    let task = Task {
        text: a.text.clone(),
        field: field(&a.field)?,
        lead: lead.unit,
        cooperating,
        deadline,
        output,
        source: chitieu_text::nfc(&a.source),
        period,
        provenance: Provenance::Manual,
    };
    let id = create_task(store, &task, actor)?;
    println!(
        "Đã thêm nhiệm vụ {id}: {} — chủ trì: {}, hạn {}.",
        task.field.vi(),
        lead.full_name(),
        task.deadline.vi()
    );
    Ok(())
}

fn scope(store: &AnyStore, s: &ScopeArgs) -> Result<TaskScope> {
    let period = s
        .period
        .as_deref()
        .map(chitieu_app::status::parse_period)
        .transpose()?;
    let on = period.map(|p| p.end_date()).unwrap_or_else(today);
    let lead = match &s.lead {
        Some(name) => Some(
            store
                .resolve_unit(name, on)
                .with_context(|| format!("--lead '{name}'"))?
                .unit,
        ),
        None => None,
    };
    Ok(TaskScope {
        lead,
        field: s.field.as_deref().map(field).transpose()?,
        period,
    })
}

fn list(store: &AnyStore, s: &ScopeArgs) -> Result<()> {
    let today = s.today.unwrap_or_else(today);
    let rows = list_tasks(store, &scope(store, s)?, today)?;
    if s.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let mut names: HashMap<i64, String> = HashMap::new();
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            let origin = origin(store, &mut names, t);
            let mut status = t.status_vi.to_string();
            if t.state.confirmed {
                status.push_str(" (đã xác nhận)");
            } else if t.state.awaiting_confirmation {
                status.push_str(" (chờ xác nhận)");
            } else if t.state.returned.is_some() {
                status.push_str(" (bị trả lại)");
            }
            vec![
                t.id.to_string(),
                t.text.clone(),
                t.field.vi().to_string(),
                t.lead_name.clone(),
                t.deadline.clone(),
                status,
                origin,
            ]
        })
        .collect();
    print_table(
        &[
            "#",
            "nhiệm vụ",
            "lĩnh vực",
            "chủ trì",
            "thời hạn",
            "tình trạng",
            "nguồn",
        ],
        &table,
    );
    println!(
        "(tình trạng tính đến ngày {})",
        chitieu_text::format_date_vi(today)
    );
    Ok(())
}

/// The longest a source text is shown in the list before it is cut with "…".
const SOURCE_WIDTH: usize = 48;

/// Where a listed task came from: the document's file name and characters when it was
/// proposed from a document (names looked up once per document), its source text otherwise,
/// shortened so the table stays readable.
fn origin(store: &AnyStore, names: &mut HashMap<i64, String>, t: &TaskView) -> String {
    if let Provenance::Document {
        document,
        start,
        end,
        ..
    } = &t.provenance
    {
        let name = names.entry(*document).or_insert_with(|| {
            store
                .document(*document)
                .map(|d| d.name)
                .unwrap_or_else(|_| format!("văn bản #{document}"))
        });
        return format!("{}, ký tự {start}–{end}", shorten(name, SOURCE_WIDTH));
    }
    if t.source.trim().is_empty() {
        return "—".into();
    }
    shorten(&t.source, SOURCE_WIDTH)
}

/// `text` cut to at most `max` characters (the last one "…"), on a word boundary when one is
/// near.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if cut[..i].chars().count() > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';']))
}

fn counts(store: &AnyStore, s: &ScopeArgs) -> Result<()> {
    let today = s.today.unwrap_or_else(today);
    let c = count_tasks(store, &scope(store, s)?, today)?;
    if s.json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(());
    }
    println!("Tổng: {}", c.summary_vi);
    let row = |name: String, k: &chitieu_core::task::TaskCounts| {
        vec![
            name,
            k.total.to_string(),
            k.done().to_string(),
            k.on_time().to_string(),
            k.completed_late.to_string(),
            k.in_progress.to_string(),
            k.not_started.to_string(),
            k.overdue.to_string(),
        ]
    };
    let header = [
        "",
        "tổng",
        "hoàn thành",
        "đúng hạn",
        "quá hạn (đã xong)",
        "đang thực hiện",
        "chưa triển khai",
        "quá hạn",
    ];
    println!();
    let mut header_unit = header;
    header_unit[0] = "đơn vị chủ trì";
    print_table(
        &header_unit,
        &c.by_unit
            .iter()
            .map(|(u, k)| row(u.full_name(), k))
            .collect::<Vec<_>>(),
    );
    println!();
    let mut header_field = header;
    header_field[0] = "lĩnh vực";
    print_table(
        &header_field,
        &c.by_field
            .iter()
            .map(|(f, k)| row(f.vi().to_string(), k))
            .collect::<Vec<_>>(),
    );
    println!(
        "(tình trạng tính đến ngày {})",
        chitieu_text::format_date_vi(today)
    );
    Ok(())
}
