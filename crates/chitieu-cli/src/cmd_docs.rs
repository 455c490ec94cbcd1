//! `chitieu ingest`, `documents`, `review`, `check` and `series`: documents in, facts reviewed,
//! figures traced back to their sentences.

use anyhow::{Context, Result, bail};
use chitieu_app::ingest::{Edits, check, decide, sentence_of};
use chitieu_app::present::amount_vi;
use chitieu_app::status::{parse_period, resolve_for_period};
use chitieu_app::task_ingest::{TaskEdits, context_of, ingest_with_tasks, review_task};
use chitieu_core::figure::FigureState;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::task::{Deadline, TaskField};
use chitieu_extract::{ExtractOptions, Extractor};
use chitieu_store::documents::{Decision, DocumentStore, ProposalState};
use chitieu_store::{Store, TaskStore};
use clap::Args;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Text files (UTF-8, any Unicode normalization): reports or news articles.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The unit the documents are about, for figures whose text names none.
    #[arg(long)]
    unit: Option<String>,
}

pub fn run_ingest(
    store: &mut (impl Store + DocumentStore + TaskStore),
    args: &IngestArgs,
    actor: &str,
) -> Result<()> {
    let extractor = Extractor::new(&ExtractOptions {
        catalog: Some(store.catalog()?),
        ..ExtractOptions::default()
    });
    for file in &args.files {
        let bytes = std::fs::read(file)
            .with_context(|| format!("{}: không đọc được tệp (cannot read)", file.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}: không phải văn bản UTF-8 (not UTF-8, byte {}): hãy lưu lại tệp dạng UTF-8",
                file.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| file.display().to_string());
        let (done, tasks) =
            ingest_with_tasks(store, &extractor, &name, &text, args.unit.as_deref(), actor)
                .with_context(|| format!("{}: chưa lưu gì (nothing was stored)", file.display()))?;
        if done.added.new {
            println!(
                "{}: văn bản #{} — {} số liệu đề xuất chờ duyệt (chitieu review --document {}).",
                file.display(),
                done.added.id,
                done.added.proposals,
                done.added.id
            );
            if tasks > 0 {
                println!(
                    "  {tasks} nhiệm vụ đề xuất chờ duyệt (chitieu review --tasks --document {}).",
                    done.added.id
                );
            } else {
                println!("  0 nhiệm vụ đề xuất.");
            }
        } else if tasks > 0 {
            // Stored before without task proposals: they are added now, once.
            println!(
                "{}: đã có (văn bản #{}), không nạp lại; thêm {tasks} nhiệm vụ đề xuất chờ duyệt (chitieu review --tasks --document {}).",
                file.display(),
                done.added.id,
                done.added.id
            );
        } else {
            println!(
                "{}: đã có (văn bản #{}), không nạp lại.",
                file.display(),
                done.added.id
            );
        }
        for u in &done.unresolved {
            println!("  chưa xác định được đơn vị: {u}");
        }
    }
    Ok(())
}

pub fn run_documents(store: &(impl Store + DocumentStore)) -> Result<()> {
    for d in store.documents()? {
        let props = store.proposals(Some(d.id), None)?;
        let pending = props
            .iter()
            .filter(|p| p.state == ProposalState::Proposed)
            .count();
        println!(
            "#{:<4} {:<40} ngày {:<10} {} số liệu, {} chờ duyệt  (nạp bởi {} lúc {})",
            d.id,
            d.name,
            d.document_date
                .map(|x| x.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "—".into()),
            props.len(),
            pending,
            d.ingested_by,
            d.ingested_at
        );
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// Only the proposals of this document.
    #[arg(long)]
    document: Option<i64>,
    /// Accept these proposals (ids from the listing).
    #[arg(long, num_args = 1..)]
    accept: Vec<i64>,
    /// Reject these proposals.
    #[arg(long, num_args = 1..)]
    reject: Vec<i64>,
    /// Accept every pending proposal that is complete (indicator, unit and period known).
    #[arg(long)]
    accept_all: bool,
    /// With one --accept: the corrected value, in the base unit (đồng, tấn, ha, %).
    #[arg(long)]
    value: Option<String>,
    /// With one --accept: the corrected period.
    #[arg(long)]
    period: Option<String>,
    /// With one --accept: the unit.
    #[arg(long)]
    unit: Option<String>,
    /// With one --accept: the indicator code.
    #[arg(long)]
    indicator: Option<String>,
    /// With one --accept: estimate or official.
    #[arg(long)]
    state: Option<String>,
    /// A note kept with the decision.
    #[arg(long)]
    note: Option<String>,
    /// List every proposal, not only the pending ones.
    #[arg(long)]
    all: bool,
    /// Review the key tasks proposed from documents instead of figures.
    #[arg(long)]
    tasks: bool,
    /// With --tasks and one --accept: the lead unit ("huyện Hữu Lũng"); default: the unit the
    /// text names or the document is about.
    #[arg(long, requires = "tasks")]
    lead: Option<String>,
    /// With --tasks and one --accept: the deadline (30/6/2023, quý II/2023); default: the end
    /// of the period the text names.
    #[arg(long, requires = "tasks")]
    deadline: Option<String>,
    /// With --tasks and one --accept: the field (kinh tế, văn hóa - xã hội, quốc phòng - an
    /// ninh, xây dựng Đảng); default: the guessed one.
    #[arg(long, requires = "tasks")]
    field: Option<String>,
    /// With --tasks and one --accept: the task's wording, corrected.
    #[arg(long, requires = "tasks")]
    text: Option<String>,
    /// With --tasks and one --accept: the resolution or conclusion that set the task.
    #[arg(long, requires = "tasks")]
    source: Option<String>,
}

pub fn run_review(
    store: &mut (impl Store + DocumentStore + TaskStore),
    args: &ReviewArgs,
    actor: &str,
) -> Result<()> {
    if args.tasks {
        return review_tasks(store, args, actor);
    }
    let catalog = store.catalog()?;
    let editing = args.value.is_some()
        || args.period.is_some()
        || args.unit.is_some()
        || args.indicator.is_some()
        || args.state.is_some();
    if editing && args.accept.len() != 1 {
        bail!(
            "--value, --period, --unit, --indicator và --state sửa một đề xuất: hãy dùng chúng với đúng một --accept ID"
        );
    }
    let mut ids: Vec<(i64, bool)> = args.accept.iter().map(|i| (*i, true)).collect();
    ids.extend(args.reject.iter().map(|i| (*i, false)));
    if args.accept_all {
        for p in store.proposals(args.document, Some(ProposalState::Proposed))? {
            ids.push((p.id, true));
        }
    }
    if ids.is_empty() {
        return list(store, args);
    }
    let (mut accepted, mut rejected, mut skipped) = (0, 0, 0);
    // Figures accepted in this run, so that two facts of one document for the same indicator,
    // unit and period ("1 nhà văn hóa xã, 19 nhà văn hóa thôn") are not silently taken as a
    // correction of each other.
    let mut taken: Vec<(
        String,
        chitieu_core::admin::UnitId,
        chitieu_core::period::Period,
        i64,
    )> = Vec::new();
    for (id, accept) in ids {
        let p = store.proposal(id)?;
        if args.accept_all && !args.accept.contains(&id) && p.state != ProposalState::Proposed {
            continue;
        }
        let doc = store.document(p.document)?;
        let decision = if accept {
            let mut edits = Edits::default();
            if let Some(v) = &args.value {
                edits.value = Some(
                    chitieu_text::number::parse_amount(v, chitieu_text::number::DecimalMark::Comma)
                        .map_err(|e| anyhow::anyhow!("--value: {e}"))?,
                );
            }
            if let Some(pd) = &args.period {
                edits.period = Some(parse_period(pd)?);
            }
            if let Some(i) = &args.indicator {
                edits.indicator = Some(IndicatorCode::from_str(i)?);
            }
            if let Some(s) = &args.state {
                edits.state = Some(FigureState::from_str(s).map_err(anyhow::Error::msg)?);
            }
            if let Some(u) = &args.unit {
                let period = edits
                    .period
                    .or(p.period)
                    .context("hãy ghi --period cùng với --unit")?;
                edits.unit = Some(resolve_for_period(store, u, &period)?.unit);
            }
            let siblings = store.proposals(Some(p.document), None)?;
            match decide(&catalog, &doc, &p, &siblings, &edits) {
                Ok(d) => d,
                Err(e) if args.accept_all && !args.accept.contains(&id) => {
                    println!("  bỏ qua #{id}: {e}");
                    skipped += 1;
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            Decision::Reject
        };
        if let Decision::AcceptFigure(f) = &decision {
            let key = (f.indicator.to_string(), f.unit, f.period, p.document);
            if taken.contains(&key) {
                println!(
                    "  bỏ qua #{id}: văn bản #{} đã có một số liệu {} cho cùng đơn vị và kỳ {}; hãy duyệt riêng (--accept {id} --indicator …)",
                    p.document, f.indicator, f.period
                );
                skipped += 1;
                continue;
            }
            taken.push(key);
        }
        store.review(id, &decision, args.note.as_deref(), actor)?;
        if accept {
            accepted += 1;
        } else {
            rejected += 1;
        }
    }
    println!("Đã nhận {accepted}, đã loại {rejected}, bỏ qua {skipped} (chưa đủ thông tin).");
    Ok(())
}

fn list(store: &(impl Store + DocumentStore), args: &ReviewArgs) -> Result<()> {
    let state = if args.all {
        None
    } else {
        Some(ProposalState::Proposed)
    };
    let props = store.proposals(args.document, state)?;
    if props.is_empty() {
        println!("Không có số liệu nào chờ duyệt.");
        return Ok(());
    }
    let mut current_doc = None;
    let mut original = String::new();
    for p in props {
        if current_doc != Some(p.document) {
            let d = store.document(p.document)?;
            println!("Văn bản #{} «{}»", d.id, d.name);
            original = d.original;
            current_doc = Some(p.document);
        }
        let (sentence, exact) = sentence_of(&original, p.span);
        let unit = p
            .unit
            .and_then(|u| store.unit_latest(u).ok())
            .map(|v| v.full_name())
            .unwrap_or_else(|| "? (--unit)".into());
        println!(
            "  [{}] #{:<5} {:<16} {:<36} {:<20} {:<8} {}",
            p.state.vi(),
            p.id,
            p.measure,
            p.indicator
                .clone()
                .unwrap_or_else(|| "? (--indicator)".into()),
            p.value.normalize(),
            p.period
                .map(|x| x.to_string())
                .unwrap_or_else(|| "?".into()),
            unit
        );
        println!("         «{exact}» trong: {sentence}");
    }
    Ok(())
}

pub fn run_check(store: &(impl Store + DocumentStore)) -> Result<()> {
    let findings = check(store)?;
    if findings.is_empty() {
        println!("Không phát hiện số liệu mâu thuẫn (no conflicts found).");
    }
    for f in &findings {
        let ids: Vec<String> = f.proposals.iter().map(|i| format!("#{i}")).collect();
        println!("[{}] {} — đề xuất {}", f.kind, f.message, ids.join(", "));
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct SeriesArgs {
    #[arg(long)]
    unit: String,
    #[arg(long)]
    indicator: String,
    /// First year shown.
    #[arg(long)]
    from: Option<i32>,
    /// Last year shown.
    #[arg(long)]
    to: Option<i32>,
    /// The date on which to find the unit (default: the end of --to, or today): a commune
    /// formed in 2025 is found with --on 2025-07-01 and shows its predecessors' figures.
    #[arg(long)]
    on: Option<chrono::NaiveDate>,
}

pub fn run_series(store: &(impl Store + DocumentStore), args: &SeriesArgs) -> Result<()> {
    use chitieu_app::series::{SeriesSource, series};
    let catalog = store.catalog()?;
    let Some(ind) = catalog.get(args.indicator.trim()) else {
        bail!(
            "không có chỉ tiêu mã '{}' (unknown indicator): xem các mã bằng `chitieu indicators`",
            args.indicator
        );
    };
    let (from, to) = (args.from.unwrap_or(i32::MIN), args.to.unwrap_or(i32::MAX));
    let unit = match (args.on, args.to) {
        (Some(on), _) => store.resolve_unit(&args.unit, on)?,
        (None, Some(y)) => resolve_for_period(store, &args.unit, &parse_period(&y.to_string())?)?,
        (None, None) => store.resolve_unit(&args.unit, chrono::Local::now().date_naive())?,
    };
    println!("{} — {}", ind.name_vi, unit.title());
    let points: Vec<_> = series(store, &unit, ind.code.as_str())?
        .into_iter()
        .filter(|p| (from..=to).contains(&p.period.year_of()))
        .collect();
    if points.is_empty() {
        println!("  Chưa có số liệu.");
    }
    for p in &points {
        let value = p
            .value
            .map(|v| amount_vi(v, &ind.unit))
            .unwrap_or_else(|| "—".into());
        let est = if p.is_estimate() { "ước " } else { "" };
        println!("  {:<9} {est}{value}", p.period.to_string());
        match &p.source {
            SeriesSource::Own(f) => {
                println!(
                    "            nguồn: {}",
                    chitieu_app::status::source_vi(store, f)
                )
            }
            SeriesSource::Carried {
                exact,
                from,
                partial,
            } => {
                let parts: Vec<String> = from
                    .iter()
                    .map(|(n, v)| match v {
                        Some(v) => format!("{n}: {}", amount_vi(*v, &ind.unit)),
                        None => format!("{n}: chưa có số liệu"),
                    })
                    .collect();
                println!(
                    "            chuyển từ các đơn vị cũ ({}): {}{}",
                    if *exact {
                        "chính xác"
                    } else {
                        "ước lượng, không chính xác"
                    },
                    parts.join("; "),
                    if partial.is_empty() {
                        String::new()
                    } else {
                        format!(" — chia tách một phần: {}", partial.join(", "))
                    }
                );
            }
        }
    }
    Ok(())
}

/// `chitieu review --tasks`: list, accept or reject the key tasks proposed from documents.
fn review_tasks(
    store: &mut (impl Store + DocumentStore + TaskStore),
    args: &ReviewArgs,
    actor: &str,
) -> Result<()> {
    let editing = args.lead.is_some()
        || args.deadline.is_some()
        || args.field.is_some()
        || args.text.is_some()
        || args.source.is_some()
        || args.period.is_some();
    // One --accept takes every edit; --accept-all takes those that fit many tasks (the same
    // lead unit, deadline, field, period or source), never one wording.
    let for_all = args.accept_all && args.accept.is_empty() && args.text.is_none();
    if editing && args.accept.len() != 1 && !for_all {
        bail!(
            "--lead, --deadline, --field, --text, --source và --period bổ sung cho một nhiệm vụ: hãy dùng chúng với đúng một --accept ID (hoặc, trừ --text, với --accept-all)"
        );
    }
    let mut ids: Vec<(i64, bool)> = args.accept.iter().map(|i| (*i, true)).collect();
    ids.extend(args.reject.iter().map(|i| (*i, false)));
    if args.accept_all {
        for p in store.task_proposals(args.document, Some(ProposalState::Proposed))? {
            ids.push((p.id, true));
        }
    }
    if ids.is_empty() {
        return list_tasks(store, args);
    }
    let mut edits = TaskEdits {
        text: args.text.clone(),
        source: args.source.clone(),
        ..TaskEdits::default()
    };
    if let Some(f) = &args.field {
        edits.field = Some(TaskField::from_str(f)?);
    }
    if let Some(d) = &args.deadline {
        edits.deadline = Some(Deadline::parse(d)?);
    }
    if let Some(pd) = &args.period {
        edits.period = Some(parse_period(pd)?);
    }
    let (mut accepted, mut rejected, mut skipped) = (0, 0, 0);
    for (id, accept) in ids {
        let chosen = args.accept.contains(&id) || args.reject.contains(&id);
        let mut edits = edits.clone();
        if let (Some(u), true) = (&args.lead, accept) {
            // The lead unit as it stood on the task's deadline (or the document's date).
            let p = store.task_proposal(id)?;
            let on = match edits.deadline.or(p.proposed.deadline) {
                Some(d) => d.date(),
                None => match edits.period.or(p.proposed.period) {
                    Some(pd) => pd.end_date(),
                    None => store
                        .document(p.document)?
                        .document_date
                        .unwrap_or_else(|| chrono::Local::now().date_naive()),
                },
            };
            edits.lead = Some(store.resolve_unit(u, on)?.unit);
        }
        let result = review_task(
            store,
            id,
            accept.then_some(&edits),
            args.note.as_deref(),
            actor,
        );
        match result {
            Ok(p) if accept => {
                accepted += 1;
                if let Some(t) = p.task {
                    println!("  #{id} → nhiệm vụ #{t}");
                }
            }
            Ok(_) => rejected += 1,
            Err(e) if args.accept_all && !chosen => {
                println!("  bỏ qua #{id}: {e}");
                skipped += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!(
        "Nhiệm vụ: đã nhận {accepted}, đã loại {rejected}, bỏ qua {skipped} (chưa đủ thông tin)."
    );
    Ok(())
}

fn list_tasks(store: &(impl Store + DocumentStore + TaskStore), args: &ReviewArgs) -> Result<()> {
    let state = if args.all {
        None
    } else {
        Some(ProposalState::Proposed)
    };
    let props = store.task_proposals(args.document, state)?;
    if props.is_empty() {
        println!("Không có nhiệm vụ nào chờ duyệt.");
        return Ok(());
    }
    let mut current_doc = None;
    let mut original = String::new();
    for p in props {
        if current_doc != Some(p.document) {
            let d = store.document(p.document)?;
            println!("Văn bản #{} «{}»", d.id, d.name);
            original = chitieu_text::nfc(&d.original);
            current_doc = Some(p.document);
        }
        let t = &p.proposed;
        println!(
            "  [{}] #{:<5} ký tự {}–{}  lĩnh vực: {}  kỳ: {}  thời hạn: {}{}",
            p.state.vi(),
            p.id,
            t.span.0,
            t.span.1,
            t.field.map(|f| f.vi()).unwrap_or("? (--field)"),
            t.period
                .map(|x| chitieu_core::period_vi::format_period_vi(&x))
                .unwrap_or_else(|| "?".into()),
            t.deadline
                .map(|d| d.vi())
                .unwrap_or_else(|| "? (--deadline)".into()),
            t.lead_name
                .as_deref()
                .map(|l| format!("  chủ trì: {l}"))
                .unwrap_or_default()
        );
        println!("         {}", context_of(&original, t.span));
    }
    Ok(())
}
