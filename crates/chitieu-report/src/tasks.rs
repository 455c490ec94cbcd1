//! The review report's key-task and new-countryside (NTM) parts:
//!
//! - "kết quả thực hiện nhiệm vụ trọng tâm": the tasks due in the report period (lead unit the
//!   report's unit or a unit below it), counted as reports count them ("hoàn thành 45/52 nhiệm
//!   vụ, đúng hạn 40"), by field, each with its status, the overdue ones named. A report dated
//!   before the period ends counts as due only the tasks due by its date (the cut-off,
//!   [`chitieu_core::task::report_cut_off`]); those due later in the period are "chưa đến hạn",
//!   listed and counted apart, never overdue;
//! - the next period's task list ("nhiệm vụ trọng tâm 6 tháng cuối năm 2022"): tasks whose
//!   deadline falls in the next period;
//! - the NTM figures of the communes below ("8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã
//!   đạt 14,3 tiêu chí") and the criteria most communes still miss.
//!
//! The sections are plain data kept in the [`Report`](crate::Report) (so an issued report
//! keeps them as issued); [`gather`] fills them from the store, and the sentences here are
//! pure. A section is absent when there is nothing to say.

use crate::Result;
use crate::narrative::capitalize;
use chitieu_core::Decimal;
use chitieu_core::admin::{UnitId, UnitKind, UnitVersion};
use chitieu_core::ntm::{NtmLevel, NtmSummary, builtin_set};
use chitieu_core::period::Period;
use chitieu_core::period_vi::format_period_vi;
use chitieu_core::task::{TaskCounts, TaskField, TaskStatus, due_by, report_cut_off};
use chitieu_store::tasks::TaskFilter;
use chitieu_store::{NtmStore, Store, TaskStore};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// One task as the report prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLine {
    pub text: String,
    pub field: TaskField,
    /// The lead unit's name: "huyện Bắc Sơn", "xã Vũ Lăng".
    pub lead: String,
    /// As written: "hết quý II/2023", "30/6/2022".
    pub deadline: String,
    pub deadline_date: NaiveDate,
    pub status: TaskStatus,
    pub completed_on: Option<NaiveDate>,
}

/// The key tasks of the report period and of the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSection {
    /// Tasks of the report period due by its cut-off (the whole period when the report comes
    /// after it), with their status on the report's date.
    pub tasks: Vec<TaskLine>,
    pub counts: TaskCounts,
    /// Counts per field, in the order of [`TaskField::ALL`]; fields without tasks left out.
    pub by_field: Vec<(TaskField, TaskCounts)>,
    /// The report's date when it comes before the period's end: tasks due after it are in
    /// `not_yet_due`. `None` when the whole period is over.
    #[serde(default)]
    pub cut_off: Option<NaiveDate>,
    /// Tasks due after the cut-off but within the period: "chưa đến hạn", never overdue
    /// (status as of the report's date; done early, in progress or not started).
    #[serde(default)]
    pub not_yet_due: Vec<TaskLine>,
    /// "6 tháng cuối năm 2022".
    pub next_label: String,
    /// Tasks due in the next period.
    pub next: Vec<TaskLine>,
}

/// A criterion and the communes still short of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtmShortfall {
    pub number: u32,
    pub name: String,
    pub communes: Vec<String>,
}

/// The NTM figures of the communes below the report's unit for the report's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtmSection {
    pub year: i32,
    /// The criteria set: "318-2021".
    pub set: String,
    pub level: NtmLevel,
    /// The communes counted (the 17 of "8/17 xã").
    pub communes: u32,
    /// Communes meeting every criterion (the 8).
    pub meeting: u32,
    /// Criteria met per commune, exact.
    pub average: Decimal,
    /// The criteria communes are short of, most communes first.
    pub shortfall: Vec<NtmShortfall>,
    /// Communes with no record for the year (counted as meeting nothing).
    pub unrecorded: Vec<String>,
}

/// The period after `p`: 2022-H1 → 2022-H2, 2022-9M → 2022-Q4, 2022 → 2023, …
pub fn next_period(p: &Period) -> Option<Period> {
    match *p {
        Period::Half { year, half: 1 } => Period::half(year, 2).ok(),
        Period::Half { year, .. } => Period::year(year + 1).ok(),
        Period::NineMonths { year } => Period::quarter(year, 4).ok(),
        Period::Year { year } => Period::year(year + 1).ok(),
        Period::Quarter { year, quarter } if quarter < 4 => Period::quarter(year, quarter + 1).ok(),
        Period::Quarter { year, .. } => Period::quarter(year + 1, 1).ok(),
        Period::Month { year, month } if month < 12 => Period::month(year, month + 1).ok(),
        Period::Month { year, .. } => Period::month(year + 1, 1).ok(),
        Period::Term { start, end } => Period::term(end, end + (end - start)).ok(),
    }
}

fn subtree(store: &impl Store, unit: UnitId, on: NaiveDate) -> Result<HashSet<UnitId>> {
    let mut out = HashSet::from([unit]);
    let mut todo = vec![unit];
    while let Some(u) = todo.pop() {
        for c in store.children_on(u, on)? {
            if out.insert(c.unit) {
                todo.push(c.unit);
            }
        }
    }
    Ok(out)
}

fn unit_name(store: &impl Store, unit: UnitId, on: NaiveDate) -> String {
    store
        .unit_on(unit, on)
        .or_else(|_| store.unit_latest(unit))
        .map(|v| v.full_name())
        .unwrap_or_else(|_| format!("đơn vị {unit}"))
}

/// The tasks due in `period` led in `scope`, with their state on `today`, split on `cut_off`:
/// those due by it, and those due after it (not yet due, so never overdue). Without a cut-off
/// every task is in the first list.
fn lines_due(
    store: &(impl Store + TaskStore),
    scope: &HashSet<UnitId>,
    period: &Period,
    today: NaiveDate,
    cut_off: Option<NaiveDate>,
) -> Result<(Vec<TaskLine>, Vec<TaskLine>)> {
    let tasks = store.tasks(&TaskFilter {
        due_from: Some(period.start_date()),
        due_to: Some(period.end_date()),
        ..TaskFilter::default()
    })?;
    let (mut due, mut later) = (Vec::new(), Vec::new());
    for t in tasks.iter().filter(|t| scope.contains(&t.task.lead)) {
        let is_due = cut_off.is_none_or(|c| due_by(&t.task.deadline, c));
        let state = if is_due {
            t.state(today)
        } else {
            t.state(today).not_yet_due()
        };
        let line = TaskLine {
            text: t.task.text.clone(),
            field: t.task.field,
            lead: unit_name(store, t.task.lead, period.end_date()),
            deadline: t.task.deadline.vi(),
            deadline_date: t.task.deadline.date(),
            status: state.status,
            completed_on: state.completed_on,
        };
        if is_due {
            due.push(line);
        } else {
            later.push(line);
        }
    }
    due.sort_by_key(|l| (l.field, l.deadline_date));
    later.sort_by_key(|l| (l.field, l.deadline_date));
    Ok((due, later))
}

/// Counts of task lines (by the status each already carries).
fn count(lines: &[TaskLine]) -> TaskCounts {
    let mut c = TaskCounts {
        total: lines.len() as u32,
        ..TaskCounts::default()
    };
    for l in lines {
        match l.status {
            TaskStatus::NotStarted => c.not_started += 1,
            TaskStatus::InProgress => c.in_progress += 1,
            TaskStatus::Completed => c.completed += 1,
            TaskStatus::CompletedLate => c.completed_late += 1,
            TaskStatus::Overdue => c.overdue += 1,
        }
    }
    c
}

/// The task section for `unit` (and the units below it) over `period`, statuses as of
/// `today` (the report's date). `None` when no task is due in the period or the next.
///
/// Tasks due by the cut-off ([`report_cut_off`]: the report's date, or the period's end) are
/// counted; those due after it within the period are kept apart as not yet due.
pub fn task_section(
    store: &(impl Store + TaskStore),
    unit: &UnitVersion,
    period: &Period,
    today: NaiveDate,
) -> Result<Option<TaskSection>> {
    let scope = subtree(store, unit.unit, period.end_date())?;
    let cut_off = report_cut_off(period, today);
    let (tasks, not_yet_due) = lines_due(store, &scope, period, today, Some(cut_off))?;
    let (next_label, next) = match next_period(period) {
        Some(np) => (
            format_period_vi_next(period, &np),
            lines_due(store, &scope, &np, today, None)?.0,
        ),
        None => (String::new(), Vec::new()),
    };
    if tasks.is_empty() && not_yet_due.is_empty() && next.is_empty() {
        return Ok(None);
    }
    let counts = count(&tasks);
    let by_field = TaskField::ALL
        .iter()
        .filter_map(|f| {
            let of: Vec<TaskLine> = tasks.iter().filter(|t| t.field == *f).cloned().collect();
            (!of.is_empty()).then(|| (*f, count(&of)))
        })
        .collect();
    Ok(Some(TaskSection {
        tasks,
        counts,
        by_field,
        cut_off: (cut_off < period.end_date()).then_some(cut_off),
        not_yet_due,
        next_label,
        next,
    }))
}

/// The next period as the section heading names it: "6 tháng cuối năm 2022".
fn format_period_vi_next(period: &Period, next: &Period) -> String {
    match period {
        Period::NineMonths { year } => format!("quý IV/{year}"),
        _ => format_period_vi(next),
    }
}

/// The NTM section for the communes (xã) directly below `unit` in the report's year. `None`
/// when none of them has a record for the year.
pub fn ntm_section(
    store: &(impl Store + NtmStore),
    unit: &UnitVersion,
    period: &Period,
) -> Result<Option<NtmSection>> {
    let on = period.end_date();
    let year = on.year();
    let communes: Vec<UnitVersion> = store
        .children_on(unit.unit, on)?
        .into_iter()
        .filter(|c| c.kind == UnitKind::Xa)
        .collect();
    if communes.is_empty() {
        return Ok(None);
    }
    let ids: Vec<UnitId> = communes.iter().map(|c| c.unit).collect();
    let records = store.ntm_records(&ids, Some(year), None, Some(NtmLevel::Standard))?;
    // The set most records use.
    let mut sets: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &records {
        *sets.entry(r.set.as_str()).or_default() += 1;
    }
    let Some(set_id) = sets.iter().max_by_key(|(_, n)| **n).map(|(s, _)| *s) else {
        return Ok(None);
    };
    let Ok(set) = builtin_set(set_id) else {
        return Ok(None);
    };
    let summary = NtmSummary::derive(&set, NtmLevel::Standard, year, &ids, &records);
    let name_of = |u: &UnitId| {
        communes
            .iter()
            .find(|c| c.unit == *u)
            .map(|c| c.full_name())
            .unwrap_or_default()
    };
    let mut shortfall: Vec<NtmShortfall> = summary
        .shortfall
        .iter()
        .filter(|(_, us)| !us.is_empty())
        .map(|(n, us)| NtmShortfall {
            number: *n,
            name: set
                .criterion(NtmLevel::Standard, *n)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            communes: us
                .iter()
                .filter(|u| !summary.unrecorded.contains(u))
                .map(name_of)
                .collect(),
        })
        .filter(|s| !s.communes.is_empty())
        .collect();
    shortfall.sort_by_key(|s| (std::cmp::Reverse(s.communes.len()), s.number));
    Ok(Some(NtmSection {
        year,
        set: set.id.clone(),
        level: NtmLevel::Standard,
        communes: summary.communes.len() as u32,
        meeting: summary.meeting.len() as u32,
        average: summary.average,
        shortfall,
        unrecorded: summary.unrecorded.iter().map(name_of).collect(),
    }))
}

/// Both sections, for the report builder.
pub fn gather(
    store: &(impl Store + TaskStore + NtmStore),
    unit: &UnitVersion,
    period: &Period,
    today: NaiveDate,
) -> Result<(Option<TaskSection>, Option<NtmSection>)> {
    Ok((
        task_section(store, unit, period, today)?,
        ntm_section(store, unit, period)?,
    ))
}

// ----- sentences -----

/// "hoàn thành 45/52 nhiệm vụ, đúng hạn 40; 3 nhiệm vụ quá hạn; 3 nhiệm vụ đang thực hiện;
/// 1 nhiệm vụ chưa triển khai" — a task not started is not called "in progress".
pub fn counts_phrase(c: &TaskCounts) -> String {
    let mut s = c.summary_vi();
    if c.in_progress > 0 {
        s.push_str(&format!("; {} nhiệm vụ đang thực hiện", c.in_progress));
    }
    if c.not_started > 0 {
        s.push_str(&format!("; {} nhiệm vụ chưa triển khai", c.not_started));
    }
    s
}

/// The task line as a list item: "Tập trung … (huyện Bắc Sơn; thời hạn: hết quý II/2023)".
fn item(t: &TaskLine) -> String {
    let text = capitalize(t.text.trim().trim_end_matches(['.', ';', ',']));
    format!("{text} ({}; thời hạn: {})", t.lead, t.deadline)
}

/// The status as the list prints it: "hoàn thành", "hoàn thành quá hạn (ngày 5/7/2022)".
fn status_words(t: &TaskLine) -> String {
    match (t.status, t.completed_on) {
        (TaskStatus::Completed | TaskStatus::CompletedLate, Some(d)) => format!(
            "{} ngày {}",
            t.status.vi().to_lowercase(),
            chitieu_text::format_date_vi(d)
        ),
        (s, _) => s.vi().to_lowercase(),
    }
}

/// The status of a task not yet due, as the list prints it: "đang thực hiện, chưa đến hạn",
/// "chưa triển khai, chưa đến hạn", or "hoàn thành ngày 10/06/2022" for one done early.
pub fn not_yet_due_words(t: &TaskLine) -> String {
    match t.status {
        TaskStatus::Completed | TaskStatus::CompletedLate => status_words(t),
        TaskStatus::NotStarted => "chưa triển khai, chưa đến hạn".into(),
        TaskStatus::InProgress | TaskStatus::Overdue => "đang thực hiện, chưa đến hạn".into(),
    }
}

/// "Ngoài ra, 2 nhiệm vụ có thời hạn sau ngày 20/06/2022 chưa đến hạn: 1 nhiệm vụ đã hoàn
/// thành trước hạn; 1 nhiệm vụ đang thực hiện." — `None` without such tasks.
pub fn not_yet_due_sentence(s: &TaskSection) -> Option<String> {
    let cut_off = s.cut_off?;
    if s.not_yet_due.is_empty() {
        return None;
    }
    let c = count(&s.not_yet_due);
    let mut parts = Vec::new();
    if c.done() > 0 {
        parts.push(format!("{} nhiệm vụ đã hoàn thành trước hạn", c.done()));
    }
    // Not due: a unit's own "quá hạn" counts as in progress.
    let in_progress = c.in_progress + c.overdue;
    if in_progress > 0 {
        parts.push(format!("{in_progress} nhiệm vụ đang thực hiện"));
    }
    if c.not_started > 0 {
        parts.push(format!("{} nhiệm vụ chưa triển khai", c.not_started));
    }
    Some(format!(
        "{} {} nhiệm vụ có thời hạn sau ngày {} chưa đến hạn: {}.",
        if s.tasks.is_empty() {
            "Có"
        } else {
            "Ngoài ra,"
        },
        s.not_yet_due.len(),
        chitieu_text::format_date_vi(cut_off),
        parts.join("; ")
    ))
}

/// The paragraphs of "kết quả thực hiện nhiệm vụ trọng tâm": the count, by field, each task
/// with its status, and the overdue ones named. In a report dated before the period's end,
/// the count covers the tasks due by that date, and the tasks due later in the period follow
/// as not yet due.
pub fn result_paragraphs(s: &TaskSection, period: &Period, unit_word: &str) -> Vec<String> {
    if s.tasks.is_empty() && s.not_yet_due.is_empty() {
        return Vec::new();
    }
    let p = format_period_vi(period);
    let mut out = vec![match s.cut_off {
        None => format!(
            "Trong {p}, {unit_word} có {} nhiệm vụ trọng tâm cần hoàn thành trong kỳ; {}.",
            s.counts.total,
            counts_phrase(&s.counts)
        ),
        Some(d) if s.tasks.is_empty() => format!(
            "Trong {p}, tính đến ngày {}, {unit_word} chưa có nhiệm vụ trọng tâm nào đến hạn hoàn thành.",
            chitieu_text::format_date_vi(d)
        ),
        Some(d) => format!(
            "Trong {p}, tính đến ngày {}, {unit_word} có {} nhiệm vụ trọng tâm đã đến hạn hoàn thành; {}.",
            chitieu_text::format_date_vi(d),
            s.counts.total,
            counts_phrase(&s.counts)
        ),
    }];
    out.extend(not_yet_due_sentence(s));
    if s.by_field.len() > 1 {
        let parts: Vec<String> = s
            .by_field
            .iter()
            .map(|(f, c)| {
                format!(
                    "lĩnh vực {} hoàn thành {}/{}, đúng hạn {}",
                    f.vi(),
                    c.done(),
                    c.total,
                    c.on_time()
                )
            })
            .collect();
        out.push(format!("Theo lĩnh vực: {}.", parts.join("; ")));
    }
    for (i, t) in s.tasks.iter().enumerate() {
        out.push(format!("{}. {}: {}.", i + 1, item(t), status_words(t)));
    }
    for (i, t) in s.not_yet_due.iter().enumerate() {
        out.push(format!(
            "{}. {}: {}.",
            s.tasks.len() + i + 1,
            item(t),
            not_yet_due_words(t)
        ));
    }
    let overdue: Vec<&TaskLine> = s
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Overdue)
        .collect();
    if !overdue.is_empty() {
        let names: Vec<String> = overdue
            .iter()
            .map(|t| {
                format!(
                    "{} ({}, thời hạn {})",
                    crate::narrative::decapitalize(t.text.trim_end_matches(['.', ';'])),
                    t.lead,
                    t.deadline
                )
            })
            .collect();
        out.push(format!(
            "Còn {} nhiệm vụ quá hạn chưa hoàn thành: {}.",
            overdue.len(),
            names.join("; ")
        ));
    }
    out
}

/// The next period's list: "Nhiệm vụ trọng tâm 6 tháng cuối năm 2022:" then numbered items.
pub fn next_paragraphs(s: &TaskSection) -> Vec<String> {
    if s.next.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!("Nhiệm vụ trọng tâm {}:", s.next_label)];
    for (i, t) in s.next.iter().enumerate() {
        out.push(format!("{}. {}.", i + 1, item(t)));
    }
    out
}

/// "Kết quả rà soát tiêu chí nông thôn mới năm 2022: toàn huyện có 8/17 xã đạt chuẩn nông thôn
/// mới; bình quân mỗi xã đạt 14,3 tiêu chí." (from the communes' criterion states, beside any
/// reported NTM figures), then the criteria most communes miss (at most five).
pub fn ntm_paragraphs(n: &NtmSection, unit_word: &str) -> Vec<String> {
    let mut out = vec![format!(
        "Kết quả rà soát tiêu chí nông thôn mới năm {}: toàn {unit_word} có {}/{} xã {}; bình quân mỗi xã đạt {} tiêu chí.",
        n.year,
        n.meeting,
        n.communes,
        n.level.vi(),
        chitieu_text::format_decimal_vi(n.average, 1)
    )];
    if n.meeting < n.communes && !n.shortfall.is_empty() {
        let parts: Vec<String> = n
            .shortfall
            .iter()
            .take(5)
            .map(|s| {
                if s.name.is_empty() {
                    format!("tiêu chí số {}: {} xã", s.number, s.communes.len())
                } else {
                    format!(
                        "tiêu chí số {} ({}): {} xã",
                        s.number,
                        s.name,
                        s.communes.len()
                    )
                }
            })
            .collect();
        out.push(format!(
            "Các tiêu chí còn nhiều xã chưa đạt: {}.",
            parts.join("; ")
        ));
    }
    if !n.unrecorded.is_empty() {
        out.push(format!(
            "Chưa có số liệu tiêu chí năm {} của {} xã: {}.",
            n.year,
            n.unrecorded.len(),
            n.unrecorded.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn line(text: &str, field: TaskField, status: TaskStatus, done: Option<&str>) -> TaskLine {
        TaskLine {
            text: text.into(),
            field,
            lead: "huyện Bắc Sơn".into(),
            deadline: "hết 6 tháng đầu năm 2022".into(),
            deadline_date: d("2022-06-30"),
            status,
            completed_on: done.map(d),
        }
    }

    fn section(tasks: Vec<TaskLine>, next: Vec<TaskLine>) -> TaskSection {
        let counts = count(&tasks);
        let by_field = TaskField::ALL
            .iter()
            .filter_map(|f| {
                let of: Vec<TaskLine> = tasks.iter().filter(|t| t.field == *f).cloned().collect();
                (!of.is_empty()).then(|| (*f, count(&of)))
            })
            .collect();
        TaskSection {
            tasks,
            counts,
            by_field,
            cut_off: None,
            not_yet_due: vec![],
            next_label: "6 tháng cuối năm 2022".into(),
            next,
        }
    }

    #[test]
    fn task_results_count_name_and_list() {
        let s = section(
            vec![
                line(
                    "đẩy nhanh tiến độ các công trình đầu tư công",
                    TaskField::Economy,
                    TaskStatus::Completed,
                    Some("2022-06-20"),
                ),
                line(
                    "tập trung chỉ đạo thu ngân sách",
                    TaskField::Economy,
                    TaskStatus::Overdue,
                    None,
                ),
                line(
                    "thực hiện tốt công tác giáo dục chính trị tư tưởng",
                    TaskField::PartyBuilding,
                    TaskStatus::CompletedLate,
                    Some("2022-07-05"),
                ),
            ],
            vec![],
        );
        let h1 = Period::from_str("2022-H1").unwrap();
        let ps = result_paragraphs(&s, &h1, "huyện");
        assert_eq!(
            ps[0],
            "Trong 6 tháng đầu năm 2022, huyện có 3 nhiệm vụ trọng tâm cần hoàn thành trong kỳ; hoàn thành 2/3 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn."
        );
        assert_eq!(
            ps[1],
            "Theo lĩnh vực: lĩnh vực kinh tế hoàn thành 1/2, đúng hạn 1; lĩnh vực xây dựng Đảng và hệ thống chính trị hoàn thành 1/1, đúng hạn 0."
        );
        assert_eq!(
            ps[2],
            "1. Đẩy nhanh tiến độ các công trình đầu tư công (huyện Bắc Sơn; thời hạn: hết 6 tháng đầu năm 2022): hoàn thành ngày 20/06/2022."
        );
        assert!(
            ps[4].contains("hoàn thành quá hạn ngày 05/07/2022"),
            "{}",
            ps[4]
        );
        assert_eq!(
            ps[5],
            "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: tập trung chỉ đạo thu ngân sách (huyện Bắc Sơn, thời hạn hết 6 tháng đầu năm 2022)."
        );
        assert!(next_paragraphs(&s).is_empty());
    }

    #[test]
    fn tasks_not_started_are_not_called_in_progress() {
        let c = TaskCounts {
            total: 5,
            completed: 2,
            in_progress: 2,
            not_started: 1,
            ..TaskCounts::default()
        };
        assert_eq!(
            counts_phrase(&c),
            "hoàn thành 2/5 nhiệm vụ, đúng hạn 2; 2 nhiệm vụ đang thực hiện; 1 nhiệm vụ chưa triển khai"
        );
    }

    #[test]
    fn open_tasks_are_counted_and_next_period_listed() {
        let s = section(
            vec![line(
                "làm tốt công tác tuyển quân",
                TaskField::DefenceSecurity,
                TaskStatus::InProgress,
                None,
            )],
            vec![line(
                "chuẩn bị tốt các điều kiện cho năm học mới",
                TaskField::CultureSociety,
                TaskStatus::NotStarted,
                None,
            )],
        );
        assert_eq!(
            counts_phrase(&s.counts),
            "hoàn thành 0/1 nhiệm vụ, đúng hạn 0; 1 nhiệm vụ đang thực hiện"
        );
        // One field only: no line by field.
        let ps = result_paragraphs(&s, &Period::from_str("2022-H1").unwrap(), "huyện");
        assert!(!ps[1].starts_with("Theo lĩnh vực"));
        let next = next_paragraphs(&s);
        assert_eq!(next[0], "Nhiệm vụ trọng tâm 6 tháng cuối năm 2022:");
        assert_eq!(
            next[1],
            "1. Chuẩn bị tốt các điều kiện cho năm học mới (huyện Bắc Sơn; thời hạn: hết 6 tháng đầu năm 2022)."
        );
    }

    #[test]
    fn ntm_sentence_writes_the_average_with_a_comma() {
        let n = NtmSection {
            year: 2022,
            set: "318-2021".into(),
            level: NtmLevel::Standard,
            communes: 17,
            meeting: 8,
            // 243 criteria over 17 communes: 14,294… → 14,3
            average: Decimal::from(243) / Decimal::from(17),
            shortfall: vec![
                NtmShortfall {
                    number: 13,
                    name: "Tổ chức sản xuất và phát triển kinh tế nông thôn".into(),
                    communes: vec!["xã Vũ Lăng".into(), "xã Tân Tri".into()],
                },
                NtmShortfall {
                    number: 10,
                    name: String::new(),
                    communes: vec!["xã Vũ Lăng".into()],
                },
            ],
            unrecorded: vec![],
        };
        let ps = ntm_paragraphs(&n, "huyện");
        assert_eq!(
            ps[0],
            "Kết quả rà soát tiêu chí nông thôn mới năm 2022: toàn huyện có 8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí."
        );
        assert_eq!(
            ps[1],
            "Các tiêu chí còn nhiều xã chưa đạt: tiêu chí số 13 (Tổ chức sản xuất và phát triển kinh tế nông thôn): 2 xã; tiêu chí số 10: 1 xã."
        );
        assert_eq!(ps.len(), 2);
    }

    /// A report dated 20/6/2022 on the first half counts as due only the tasks due by 20/6;
    /// those due later in June are not yet due — never overdue, listed apart, one done early
    /// credited as such. The same tasks in a report of 5/7/2022 are all due.
    #[test]
    fn a_report_before_the_period_ends_counts_only_tasks_due_by_its_date() {
        use chitieu_core::figure::Provenance;
        use chitieu_core::indicator::Catalog;
        use chitieu_core::task::{Deadline, ExpectedOutput, ProgressReport, Task, TaskEvent};
        use chitieu_store::{NoProgress, SqliteStore};

        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        let bac_son = s.resolve_unit("huyện Bắc Sơn", d("2022-06-30")).unwrap();
        let mut add = |text: &str, deadline: &str, reports: &[(&str, TaskStatus, Option<&str>)]| {
            let id = s
                .add_task(
                    &Task {
                        text: text.into(),
                        field: TaskField::Economy,
                        lead: bac_son.unit,
                        cooperating: vec![],
                        deadline: Deadline::parse(deadline).unwrap(),
                        output: ExpectedOutput::Project { name: text.into() },
                        source: String::new(),
                        period: None,
                        provenance: Provenance::Manual,
                    },
                    "vp",
                )
                .unwrap();
            for (on, status, done) in reports {
                let event = TaskEvent::Report(ProgressReport {
                    reported_on: d(on),
                    status: *status,
                    completed_on: done.map(d),
                    note: String::new(),
                });
                s.add_task_event(id, &event, Some(bac_son.unit), "bac_son")
                    .unwrap();
            }
        };
        add(
            "hoàn thành quy hoạch",
            "2022-05-31",
            &[("2022-05-20", TaskStatus::Completed, Some("2022-05-20"))],
        );
        add("khởi công cầu", "2022-06-15", &[]);
        add(
            "thu ngân sách",
            "2022-H1",
            &[("2022-06-10", TaskStatus::InProgress, None)],
        );
        // The unit called it "quá hạn" before its deadline: still not overdue on 20/6.
        add(
            "giải ngân vốn",
            "2022-06-30",
            &[("2022-06-18", TaskStatus::Overdue, None)],
        );
        add(
            "tổng kết năm học",
            "2022-06-25",
            &[("2022-06-12", TaskStatus::Completed, Some("2022-06-12"))],
        );
        add("tuyển quân đợt 2", "2022-06-28", &[]);
        let h1: Period = "2022-H1".parse().unwrap();

        let sec = task_section(&s, &bac_son, &h1, d("2022-06-20"))
            .unwrap()
            .unwrap();
        assert_eq!(sec.cut_off, Some(d("2022-06-20")));
        let texts = |ls: &[TaskLine]| ls.iter().map(|l| l.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&sec.tasks), ["hoàn thành quy hoạch", "khởi công cầu"]);
        assert_eq!(
            texts(&sec.not_yet_due),
            [
                "tổng kết năm học",
                "tuyển quân đợt 2",
                "thu ngân sách",
                "giải ngân vốn"
            ]
        );
        assert!(
            sec.not_yet_due
                .iter()
                .all(|l| l.status != TaskStatus::Overdue)
        );
        assert_eq!(
            (sec.counts.total, sec.counts.done(), sec.counts.overdue),
            (2, 1, 1)
        );
        let ps = result_paragraphs(&sec, &h1, "huyện");
        assert_eq!(
            ps[0],
            "Trong 6 tháng đầu năm 2022, tính đến ngày 20/06/2022, huyện có 2 nhiệm vụ trọng tâm đã đến hạn hoàn thành; hoàn thành 1/2 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn."
        );
        assert_eq!(
            ps[1],
            "Ngoài ra, 4 nhiệm vụ có thời hạn sau ngày 20/06/2022 chưa đến hạn: 1 nhiệm vụ đã hoàn thành trước hạn; 2 nhiệm vụ đang thực hiện; 1 nhiệm vụ chưa triển khai."
        );
        assert_eq!(
            &ps[2..],
            [
                "1. Hoàn thành quy hoạch (huyện Bắc Sơn; thời hạn: 31/05/2022): hoàn thành ngày 20/05/2022.",
                "2. Khởi công cầu (huyện Bắc Sơn; thời hạn: 15/06/2022): quá hạn.",
                "3. Tổng kết năm học (huyện Bắc Sơn; thời hạn: 25/06/2022): hoàn thành ngày 12/06/2022.",
                "4. Tuyển quân đợt 2 (huyện Bắc Sơn; thời hạn: 28/06/2022): chưa triển khai, chưa đến hạn.",
                "5. Thu ngân sách (huyện Bắc Sơn; thời hạn: hết 6 tháng đầu năm 2022): đang thực hiện, chưa đến hạn.",
                "6. Giải ngân vốn (huyện Bắc Sơn; thời hạn: 30/06/2022): đang thực hiện, chưa đến hạn.",
                "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: khởi công cầu (huyện Bắc Sơn, thời hạn 15/06/2022).",
            ]
        );

        // On 10/5 nothing was due yet.
        let sec = task_section(&s, &bac_son, &h1, d("2022-05-10"))
            .unwrap()
            .unwrap();
        assert!(sec.tasks.is_empty());
        assert_eq!(sec.not_yet_due.len(), 6);
        let ps = result_paragraphs(&sec, &h1, "huyện");
        assert_eq!(
            ps[0],
            "Trong 6 tháng đầu năm 2022, tính đến ngày 10/05/2022, huyện chưa có nhiệm vụ trọng tâm nào đến hạn hoàn thành."
        );
        assert_eq!(
            ps[1],
            "Có 6 nhiệm vụ có thời hạn sau ngày 10/05/2022 chưa đến hạn: 6 nhiệm vụ chưa triển khai."
        );

        // After the period: every task of the half year is due; the late ones are overdue.
        let sec = task_section(&s, &bac_son, &h1, d("2022-07-05"))
            .unwrap()
            .unwrap();
        assert_eq!(sec.cut_off, None);
        assert!(sec.not_yet_due.is_empty());
        let ps = result_paragraphs(&sec, &h1, "huyện");
        assert_eq!(
            ps[0],
            "Trong 6 tháng đầu năm 2022, huyện có 6 nhiệm vụ trọng tâm cần hoàn thành trong kỳ; hoàn thành 2/6 nhiệm vụ, đúng hạn 2; 4 nhiệm vụ quá hạn."
        );
    }

    #[test]
    fn next_periods() {
        let next = |s: &str| {
            next_period(&Period::from_str(s).unwrap())
                .map(|p| p.to_string())
                .unwrap_or_default()
        };
        assert_eq!(next("2022-H1"), "2022-H2");
        assert_eq!(next("2022-H2"), "2023");
        assert_eq!(next("2022-9M"), "2022-Q4");
        assert_eq!(next("2022"), "2023");
        assert_eq!(next("2023-Q4"), "2024-Q1");
        assert_eq!(next("2020-2025"), "2025-2030");
    }
}
