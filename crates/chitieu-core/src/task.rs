//! Key tasks (nhiệm vụ trọng tâm): what a resolution or a conference conclusion asks a unit to
//! do, by when, with what result, and where it stands.
//!
//! A task has a lead unit that reports progress, and an office that confirms a completion or
//! returns the task. Its status is derived from those events and a date passed in (`today`):
//! nothing here reads a clock, so "quá hạn" is always relative to the date the caller gives.

use crate::admin::UnitId;
use crate::figure::Provenance;
use crate::indicator::IndicatorCode;
use crate::period::Period;
use crate::period_vi::format_period_vi;
use crate::target::Comparator;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The four fields (lĩnh vực) reports group tasks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskField {
    /// Kinh tế.
    Economy,
    /// Văn hóa - xã hội.
    CultureSociety,
    /// Quốc phòng - an ninh.
    DefenceSecurity,
    /// Xây dựng Đảng và hệ thống chính trị.
    PartyBuilding,
}

impl TaskField {
    pub const ALL: [TaskField; 4] = [
        TaskField::Economy,
        TaskField::CultureSociety,
        TaskField::DefenceSecurity,
        TaskField::PartyBuilding,
    ];

    /// The stable key stored in databases and files.
    pub fn key(&self) -> &'static str {
        match self {
            TaskField::Economy => "economy",
            TaskField::CultureSociety => "culture_society",
            TaskField::DefenceSecurity => "defence_security",
            TaskField::PartyBuilding => "party_building",
        }
    }

    /// The Vietnamese label as reports write it.
    pub fn vi(&self) -> &'static str {
        match self {
            TaskField::Economy => "kinh tế",
            TaskField::CultureSociety => "văn hóa - xã hội",
            TaskField::DefenceSecurity => "quốc phòng - an ninh",
            TaskField::PartyBuilding => "xây dựng Đảng và hệ thống chính trị",
        }
    }

    /// Reads a key or a Vietnamese label in any case, tone placement or dash:
    /// "economy", "kinh tế", "Văn hoá – xã hội", "quốc phòng, an ninh", "xây dựng Đảng".
    pub fn parse(text: &str) -> Option<TaskField> {
        let t = text.trim();
        if let Some(f) = TaskField::ALL.iter().find(|f| f.key() == t) {
            return Some(*f);
        }
        let folded: String = chitieu_text::search_key(t)
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let is = |label: &str| folded == chitieu_text::search_key(label);
        if is("kinh tế") || is("kt") {
            Some(TaskField::Economy)
        } else if is("văn hóa xã hội") || is("vhxh") {
            Some(TaskField::CultureSociety)
        } else if is("quốc phòng an ninh") || is("an ninh quốc phòng") || is("qpan") {
            Some(TaskField::DefenceSecurity)
        } else if is("xây dựng đảng và hệ thống chính trị")
            || is("xây dựng đảng")
            || is("xây dựng hệ thống chính trị")
            || is("xdd")
        {
            Some(TaskField::PartyBuilding)
        } else {
            None
        }
    }
}

impl fmt::Display for TaskField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.vi())
    }
}

impl FromStr for TaskField {
    type Err = TaskError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskField::parse(s).ok_or_else(|| TaskError::UnknownField(s.to_string()))
    }
}

/// By when a task must be done: a date, or the end of a period ("trong quý II/2023").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deadline {
    Date { date: NaiveDate },
    PeriodEnd { period: Period },
}

impl Deadline {
    /// The last day on which completing the task is on time.
    pub fn date(&self) -> NaiveDate {
        match self {
            Deadline::Date { date } => *date,
            Deadline::PeriodEnd { period } => period.end_date(),
        }
    }

    /// The deadline as a report writes it: "30/06/2023", "hết quý II/2023".
    pub fn vi(&self) -> String {
        match self {
            Deadline::Date { date } => chitieu_text::format_date_vi(*date),
            Deadline::PeriodEnd { period } => format!("hết {}", format_period_vi(period)),
        }
    }

    /// Reads `2023-06-30`, `30/6/2023` or a period (`2023-Q2`, `quý II/2023`, `năm 2022`).
    pub fn parse(text: &str) -> Result<Deadline, TaskError> {
        let t = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Deadline::Date { date });
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%d/%m/%Y") {
            return Ok(Deadline::Date { date });
        }
        if let Ok(period) = t.parse::<Period>() {
            return Ok(Deadline::PeriodEnd { period });
        }
        if let Ok(period) = crate::period_vi::parse_period_vi(t, None) {
            return Ok(Deadline::PeriodEnd { period });
        }
        Err(TaskError::BadDeadline(t.to_string()))
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vi())
    }
}

/// What a task must produce, so that "done" can be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExpectedOutput {
    /// A document issued: "kế hoạch triển khai", "báo cáo sơ kết".
    Document { title: String },
    /// An indicator reaching a target: thu ngân sách ≥ 35 tỷ đồng.
    FigureTarget {
        indicator: IndicatorCode,
        comparator: Comparator,
    },
    /// A project or work completed: "đường Bắc Sơn – Vũ Lăng".
    Project { name: String },
}

impl ExpectedOutput {
    pub fn kind_key(&self) -> &'static str {
        match self {
            ExpectedOutput::Document { .. } => "document",
            ExpectedOutput::FigureTarget { .. } => "figure_target",
            ExpectedOutput::Project { .. } => "project",
        }
    }

    /// A short Vietnamese description: "văn bản: kế hoạch …", "chỉ tiêu thu_ngan_sach ≥ 35",
    /// "công trình: …".
    pub fn vi(&self) -> String {
        match self {
            ExpectedOutput::Document { title } => format!("văn bản: {title}"),
            ExpectedOutput::FigureTarget {
                indicator,
                comparator,
            } => format!("chỉ tiêu {indicator} {comparator}"),
            ExpectedOutput::Project { name } => format!("công trình: {name}"),
        }
    }
}

/// A key task as decided by a resolution or conference conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The task as written: "tập trung chỉ đạo, điều hành các giải pháp đẩy mạnh công tác thu
    /// ngân sách". NFC.
    pub text: String,
    pub field: TaskField,
    /// The unit whose committee leads the task and reports on it.
    pub lead: UnitId,
    /// Cooperating units (phối hợp).
    pub cooperating: Vec<UnitId>,
    pub deadline: Deadline,
    pub output: ExpectedOutput,
    /// The resolution or conclusion that set it: "Kết luận Hội nghị BCH Đảng bộ huyện lần thứ
    /// 15". Free text; may be empty.
    pub source: String,
    /// The period the task belongs to ("nhiệm vụ trọng tâm quý II/2023"), for counting.
    pub period: Option<Period>,
    /// Where the task came from: typed in, an imported row, a document span, or sample data.
    pub provenance: Provenance,
}

/// A task as text proposes it, before anyone reviewed it: the extractor knows the words and
/// perhaps the field or a deadline, rarely the lead unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedTask {
    pub text: String,
    pub field: Option<TaskField>,
    /// A unit name as written, resolved on review.
    pub lead_name: Option<String>,
    pub deadline: Option<Deadline>,
    pub period: Option<Period>,
    /// Characters `[start, end)` of the document's NFC text.
    pub span: (usize, usize),
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Chưa triển khai.
    NotStarted,
    /// Đang thực hiện.
    InProgress,
    /// Hoàn thành (on time).
    Completed,
    /// Hoàn thành quá hạn.
    CompletedLate,
    /// Quá hạn (not done, deadline passed).
    Overdue,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::CompletedLate,
        TaskStatus::Overdue,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Completed => "completed",
            TaskStatus::CompletedLate => "completed_late",
            TaskStatus::Overdue => "overdue",
        }
    }

    pub fn vi(&self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "chưa triển khai",
            TaskStatus::InProgress => "đang thực hiện",
            TaskStatus::Completed => "hoàn thành",
            TaskStatus::CompletedLate => "hoàn thành quá hạn",
            TaskStatus::Overdue => "quá hạn",
        }
    }

    pub fn is_completed(&self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::CompletedLate)
    }

    /// Reads a key or a Vietnamese label ("hoàn thành quá hạn", "dang thuc hien").
    pub fn parse(text: &str) -> Option<TaskStatus> {
        let t = text.trim();
        let folded = chitieu_text::search_key(t);
        TaskStatus::ALL
            .into_iter()
            .find(|s| s.key() == t || chitieu_text::search_key(s.vi()) == folded)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.vi())
    }
}

impl FromStr for TaskStatus {
    type Err = TaskError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskStatus::parse(s).ok_or_else(|| TaskError::UnknownStatus(s.to_string()))
    }
}

/// A progress report from the lead unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// The day the report speaks for.
    pub reported_on: NaiveDate,
    /// The status the unit reports. A completion is re-labelled against the deadline when
    /// derived (a "hoàn thành" after the deadline counts as "hoàn thành quá hạn").
    pub status: TaskStatus,
    /// The day the work was finished, for a completion; the report's date when not given.
    pub completed_on: Option<NaiveDate>,
    pub note: String,
}

/// The office's decision on a reported completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Review {
    /// Completion confirmed (xác nhận hoàn thành).
    Confirm { on: NaiveDate, note: String },
    /// Returned to the lead unit (trả lại): the completion does not count.
    Return { on: NaiveDate, reason: String },
}

impl Review {
    pub fn on(&self) -> NaiveDate {
        match self {
            Review::Confirm { on, .. } | Review::Return { on, .. } => *on,
        }
    }
}

/// One event in a task's life, in the order it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TaskEvent {
    Report(ProgressReport),
    Review(Review),
}

/// Why a task event is refused. Messages are in Vietnamese, as the people entering tasks read
/// them, with the English gist in parentheses for logs and scripts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error(
        "lĩnh vực '{0}' không hợp lệ: chọn kinh tế, văn hóa - xã hội, quốc phòng - an ninh hoặc xây dựng Đảng (unknown field)"
    )]
    UnknownField(String),
    #[error(
        "tình trạng '{0}' không hợp lệ: chọn chưa triển khai, đang thực hiện, hoàn thành, hoàn thành quá hạn hoặc quá hạn (unknown status)"
    )]
    UnknownStatus(String),
    #[error(
        "không đọc được thời hạn '{0}': ghi một ngày (30/6/2023) hoặc một kỳ (quý II/2023) (cannot read deadline '{0}')"
    )]
    BadDeadline(String),
    #[error("nội dung nhiệm vụ còn trống (the task text is empty)")]
    EmptyText,
    #[error(
        "chưa có báo cáo hoàn thành để {what_vi}: đơn vị chủ trì chưa báo cáo đã hoàn thành nhiệm vụ (no reported completion to {what})",
        what = .0,
        what_vi = review_vi(.0)
    )]
    NothingToReview(&'static str),
    #[error(
        "kết quả hoàn thành đã được xác nhận ngày {} (the completion was already confirmed)",
        chitieu_text::format_date_vi(*.0)
    )]
    AlreadyConfirmed(NaiveDate),
    #[error(
        "nhiệm vụ đã được xác nhận hoàn thành ngày {}: không nhận thêm báo cáo tiến độ (the task is closed)",
        chitieu_text::format_date_vi(*.0)
    )]
    Closed(NaiveDate),
    #[error(
        "ngày {} của ý kiến xác nhận/trả lại trước ngày báo cáo hoàn thành {} (the review is dated before the report)",
        chitieu_text::format_date_vi(*.review),
        chitieu_text::format_date_vi(*.reported)
    )]
    ReviewBeforeReport {
        review: NaiveDate,
        reported: NaiveDate,
    },
    #[error(
        "ngày hoàn thành {} sau ngày báo cáo {} (the completion date is after the report's date)",
        chitieu_text::format_date_vi(*.completed),
        chitieu_text::format_date_vi(*.reported)
    )]
    CompletedAfterReport {
        completed: NaiveDate,
        reported: NaiveDate,
    },
    /// "Quá hạn" is a fact of the calendar, not a status a unit declares: a report dated on or
    /// before the deadline may not say it.
    #[error(
        "chưa đến hạn: thời hạn là {deadline}, báo cáo ngày {}; không báo cáo «quá hạn» trước thời hạn — chọn «đang thực hiện» hoặc «chưa triển khai» (a task is not overdue before its deadline)",
        chitieu_text::format_date_vi(*.reported)
    )]
    OverdueBeforeDeadline {
        deadline: String,
        reported: NaiveDate,
    },
}

/// "confirm" / "return" as the refusal says it.
fn review_vi(what: &str) -> &'static str {
    match what {
        "return" => "trả lại",
        _ => "xác nhận",
    }
}

impl Task {
    /// Checks what a task must have before it is stored.
    pub fn validate(&self) -> Result<(), TaskError> {
        if self.text.trim().is_empty() {
            return Err(TaskError::EmptyText);
        }
        Ok(())
    }
}

/// A task's derived state on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    pub status: TaskStatus,
    /// When it was finished, for a (pending or confirmed) completion.
    pub completed_on: Option<NaiveDate>,
    /// The office confirmed the completion.
    pub confirmed: bool,
    /// The lead unit reported it done and the office has not yet decided.
    pub awaiting_confirmation: bool,
    /// The last decision was a return; its reason.
    pub returned: Option<String>,
    /// The date of the latest progress report.
    pub last_report: Option<NaiveDate>,
}

/// Derives a task's state from its events (in recorded order) as of `today`.
///
/// - No report: chưa triển khai (quá hạn once `today` is after the deadline).
/// - A reported completion stands until the office returns it; it is "hoàn thành" when
///   finished on or before the deadline and "hoàn thành quá hạn" after it, whatever label the
///   unit used.
/// - A return sets the completion aside: the task is in progress again (or overdue).
/// - Otherwise the latest report's status, and quá hạn from the day after the deadline.
///   "Quá hạn" comes from the calendar only: a report that called the task "quá hạn" before
///   its deadline (no longer accepted, [`check_report`], but possibly stored earlier) reads as
///   đang thực hiện until the deadline has passed.
///
/// Events dated after `today` are ignored, so a state can be asked for any past day.
pub fn derive_state(deadline: &Deadline, events: &[TaskEvent], today: NaiveDate) -> TaskState {
    let due = deadline.date();
    let mut reported: Option<TaskStatus> = None;
    let mut completed_on: Option<NaiveDate> = None;
    let mut confirmed = false;
    let mut returned: Option<String> = None;
    let mut last_report = None;
    for e in events {
        match e {
            TaskEvent::Report(r) => {
                if r.reported_on > today {
                    continue;
                }
                last_report = Some(r.reported_on);
                if r.status.is_completed() {
                    completed_on = Some(r.completed_on.unwrap_or(r.reported_on));
                } else {
                    completed_on = None;
                    confirmed = false;
                }
                reported = Some(r.status);
                returned = None;
            }
            TaskEvent::Review(Review::Confirm { on, .. }) => {
                if *on <= today && completed_on.is_some() {
                    confirmed = true;
                    returned = None;
                }
            }
            TaskEvent::Review(Review::Return { on, reason }) => {
                if *on <= today && completed_on.is_some() {
                    completed_on = None;
                    confirmed = false;
                    reported = Some(TaskStatus::InProgress);
                    returned = Some(reason.clone());
                }
            }
        }
    }
    let status = match completed_on {
        Some(done) if done <= due => TaskStatus::Completed,
        Some(_) => TaskStatus::CompletedLate,
        None if today > due => TaskStatus::Overdue,
        None => match reported {
            None | Some(TaskStatus::NotStarted) => TaskStatus::NotStarted,
            Some(_) => TaskStatus::InProgress,
        },
    };
    TaskState {
        status,
        completed_on,
        confirmed,
        awaiting_confirmation: completed_on.is_some() && !confirmed,
        returned,
        last_report,
    }
}

/// Checks what a unit reports, at entry: "quá hạn" only after the deadline has passed (from
/// the day after it), since before then the task is not overdue whatever the unit thinks.
///
/// Kept apart from [`check_event`] (the storage's life-cycle rule) so that reports stored
/// before this rule still load; [`derive_state`] reads those as đang thực hiện.
pub fn check_report(deadline: &Deadline, report: &ProgressReport) -> Result<(), TaskError> {
    if report.status == TaskStatus::Overdue && report.reported_on <= deadline.date() {
        return Err(TaskError::OverdueBeforeDeadline {
            deadline: deadline.vi(),
            reported: report.reported_on,
        });
    }
    Ok(())
}

/// Checks that a new event may follow the recorded ones (as of the event's own date).
pub fn check_event(
    deadline: &Deadline,
    events: &[TaskEvent],
    new: &TaskEvent,
) -> Result<(), TaskError> {
    match new {
        TaskEvent::Report(r) => {
            if let Some(done) = r.completed_on
                && done > r.reported_on
            {
                return Err(TaskError::CompletedAfterReport {
                    completed: done,
                    reported: r.reported_on,
                });
            }
            let state = derive_state(deadline, events, NaiveDate::MAX);
            if state.confirmed {
                return Err(TaskError::Closed(
                    confirmed_on(events).unwrap_or(r.reported_on),
                ));
            }
            Ok(())
        }
        TaskEvent::Review(review) => {
            let state = derive_state(deadline, events, NaiveDate::MAX);
            let what = match review {
                Review::Confirm { .. } => "confirm",
                Review::Return { .. } => "return",
            };
            if state.confirmed {
                return Err(TaskError::AlreadyConfirmed(
                    confirmed_on(events).unwrap_or(review.on()),
                ));
            }
            if state.completed_on.is_none() {
                return Err(TaskError::NothingToReview(what));
            }
            if let Some(reported) = state.last_report
                && review.on() < reported
            {
                return Err(TaskError::ReviewBeforeReport {
                    review: review.on(),
                    reported,
                });
            }
            Ok(())
        }
    }
}

fn confirmed_on(events: &[TaskEvent]) -> Option<NaiveDate> {
    events.iter().rev().find_map(|e| match e {
        TaskEvent::Review(Review::Confirm { on, .. }) => Some(*on),
        _ => None,
    })
}

/// Tasks counted by status, as reports use them: "hoàn thành 45/52 nhiệm vụ, đúng hạn 40".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    pub total: u32,
    pub not_started: u32,
    pub in_progress: u32,
    /// Completed on time.
    pub completed: u32,
    pub completed_late: u32,
    pub overdue: u32,
    /// Completions the office has confirmed (of `completed + completed_late`).
    pub confirmed: u32,
}

impl TaskCounts {
    /// Counts one task.
    pub fn add(&mut self, state: &TaskState) {
        self.total += 1;
        match state.status {
            TaskStatus::NotStarted => self.not_started += 1,
            TaskStatus::InProgress => self.in_progress += 1,
            TaskStatus::Completed => self.completed += 1,
            TaskStatus::CompletedLate => self.completed_late += 1,
            TaskStatus::Overdue => self.overdue += 1,
        }
        if state.confirmed {
            self.confirmed += 1;
        }
    }

    pub fn tally<'a>(states: impl IntoIterator<Item = &'a TaskState>) -> TaskCounts {
        let mut c = TaskCounts::default();
        for s in states {
            c.add(s);
        }
        c
    }

    /// Completed, on time or late.
    pub fn done(&self) -> u32 {
        self.completed + self.completed_late
    }

    /// Completed on or before the deadline.
    pub fn on_time(&self) -> u32 {
        self.completed
    }

    pub fn merge(&mut self, other: &TaskCounts) {
        self.total += other.total;
        self.not_started += other.not_started;
        self.in_progress += other.in_progress;
        self.completed += other.completed;
        self.completed_late += other.completed_late;
        self.overdue += other.overdue;
        self.confirmed += other.confirmed;
    }

    /// "hoàn thành 45/52 nhiệm vụ, đúng hạn 40"; with overdue tasks, "…; 3 nhiệm vụ quá hạn".
    pub fn summary_vi(&self) -> String {
        let mut s = format!(
            "hoàn thành {}/{} nhiệm vụ, đúng hạn {}",
            self.done(),
            self.total,
            self.on_time()
        );
        if self.overdue > 0 {
            s.push_str(&format!("; {} nhiệm vụ quá hạn", self.overdue));
        }
        s
    }
}

/// The day up to which a report on `period` dated `report_date` counts tasks as due: the
/// report's date, or the period's last day when the report comes after the period.
///
/// A report issued on 20/6 for "6 tháng đầu năm" reviews what was due by 20/6. A task whose
/// deadline falls after the cut-off, still within the period (30/6), is "chưa đến hạn": it is
/// not among the tasks the report counts as due (the Y of "hoàn thành X/Y"), and it is never
/// overdue, whatever its progress.
pub fn report_cut_off(period: &Period, report_date: NaiveDate) -> NaiveDate {
    report_date.min(period.end_date())
}

/// Whether a task with this deadline is due by the cut-off day (see [`report_cut_off`]).
pub fn due_by(deadline: &Deadline, cut_off: NaiveDate) -> bool {
    deadline.date() <= cut_off
}

impl TaskState {
    /// The state as a report shows a task that is not yet due on its cut-off day: never
    /// "quá hạn" (the state may be asked for a later day, when the deadline has passed),
    /// but in progress.
    pub fn not_yet_due(mut self) -> TaskState {
        if self.status == TaskStatus::Overdue {
            self.status = TaskStatus::InProgress;
        }
        self
    }
}

/// Counts grouped by a key (a unit, a field): `count_by(items, |t| t.field)`.
pub fn count_by<T, K: Ord>(
    items: impl IntoIterator<Item = (T, TaskState)>,
    key: impl Fn(&T) -> K,
) -> BTreeMap<K, TaskCounts> {
    let mut out: BTreeMap<K, TaskCounts> = BTreeMap::new();
    for (item, state) in items {
        out.entry(key(&item)).or_default().add(&state);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn report(on: &str, status: TaskStatus, done: Option<&str>) -> TaskEvent {
        TaskEvent::Report(ProgressReport {
            reported_on: d(on),
            status,
            completed_on: done.map(d),
            note: String::new(),
        })
    }

    fn confirm(on: &str) -> TaskEvent {
        TaskEvent::Review(Review::Confirm {
            on: d(on),
            note: String::new(),
        })
    }

    fn ret(on: &str) -> TaskEvent {
        TaskEvent::Review(Review::Return {
            on: d(on),
            reason: "chưa có văn bản".into(),
        })
    }

    #[test]
    fn life_cycle_table() {
        use TaskStatus::*;
        let deadline = Deadline::Date {
            date: d("2023-06-30"),
        };
        // (events, today, status, confirmed, awaiting)
        let cases: Vec<(Vec<TaskEvent>, &str, TaskStatus, bool, bool)> = vec![
            (vec![], "2023-04-10", NotStarted, false, false),
            (vec![], "2023-06-30", NotStarted, false, false),
            (vec![], "2023-07-01", Overdue, false, false),
            (
                vec![report("2023-05-01", InProgress, None)],
                "2023-05-02",
                InProgress,
                false,
                false,
            ),
            (
                vec![report("2023-05-01", InProgress, None)],
                "2023-07-01",
                Overdue,
                false,
                false,
            ),
            (
                vec![
                    report("2023-05-01", InProgress, None),
                    report("2023-06-20", Completed, Some("2023-06-18")),
                ],
                "2023-06-21",
                Completed,
                false,
                true,
            ),
            (
                vec![
                    report("2023-06-20", Completed, Some("2023-06-18")),
                    confirm("2023-06-25"),
                ],
                "2023-08-01",
                Completed,
                true,
                false,
            ),
            // completed after the deadline, whatever the unit called it
            (
                vec![report("2023-07-10", Completed, Some("2023-07-05"))],
                "2023-07-11",
                CompletedLate,
                false,
                true,
            ),
            // returned: back in progress, then overdue after the deadline
            (
                vec![report("2023-06-20", Completed, None), ret("2023-06-22")],
                "2023-06-23",
                InProgress,
                false,
                false,
            ),
            (
                vec![report("2023-06-20", Completed, None), ret("2023-06-22")],
                "2023-07-01",
                Overdue,
                false,
                false,
            ),
            // events after `today` do not count yet
            (
                vec![report("2023-06-20", Completed, None)],
                "2023-06-19",
                NotStarted,
                false,
                false,
            ),
        ];
        for (i, (events, today, status, confirmed, awaiting)) in cases.into_iter().enumerate() {
            let s = derive_state(&deadline, &events, d(today));
            assert_eq!(s.status, status, "case {i}");
            assert_eq!(s.confirmed, confirmed, "case {i}");
            assert_eq!(s.awaiting_confirmation, awaiting, "case {i}");
        }
    }

    #[test]
    fn period_end_deadline() {
        let dl = Deadline::parse("quý II/2023").unwrap();
        assert_eq!(dl.date(), d("2023-06-30"));
        assert_eq!(dl.vi(), "hết quý II/2023");
        assert_eq!(
            Deadline::parse("30/6/2023").unwrap().vi(),
            "30/06/2023".to_string()
        );
        assert_eq!(Deadline::parse("2023-Q2").unwrap(), dl);
        assert!(Deadline::parse("sớm").is_err());
        let s = derive_state(&dl, &[], d("2023-07-01"));
        assert_eq!(s.status, TaskStatus::Overdue);
    }

    #[test]
    fn events_checked() {
        let dl = Deadline::Date {
            date: d("2023-06-30"),
        };
        assert_eq!(
            check_event(&dl, &[], &confirm("2023-06-01")),
            Err(TaskError::NothingToReview("confirm"))
        );
        let done = vec![report("2023-06-20", TaskStatus::Completed, None)];
        assert!(check_event(&dl, &done, &confirm("2023-06-21")).is_ok());
        assert!(check_event(&dl, &done, &ret("2023-06-21")).is_ok());
        assert!(matches!(
            check_event(&dl, &done, &confirm("2023-06-19")),
            Err(TaskError::ReviewBeforeReport { .. })
        ));
        let closed = vec![done[0].clone(), confirm("2023-06-21")];
        assert!(matches!(
            check_event(
                &dl,
                &closed,
                &report("2023-06-25", TaskStatus::InProgress, None)
            ),
            Err(TaskError::Closed(_))
        ));
        assert!(matches!(
            check_event(&dl, &closed, &confirm("2023-06-25")),
            Err(TaskError::AlreadyConfirmed(_))
        ));
        assert!(matches!(
            check_event(
                &dl,
                &[],
                &report("2023-06-20", TaskStatus::Completed, Some("2023-06-21"))
            ),
            Err(TaskError::CompletedAfterReport { .. })
        ));
    }

    /// "Quá hạn" comes from the calendar: a report saying so before the deadline is refused at
    /// entry, naming the deadline; one stored earlier reads as đang thực hiện until the
    /// deadline has passed, then the task is overdue like any unfinished one.
    #[test]
    fn overdue_is_not_something_a_unit_declares() {
        use TaskStatus::*;
        let dl = Deadline::Date {
            date: d("2023-06-30"),
        };
        let early = ProgressReport {
            reported_on: d("2023-06-10"),
            status: Overdue,
            completed_on: None,
            note: String::new(),
        };
        let err = check_report(&dl, &early).unwrap_err();
        assert_eq!(
            err,
            TaskError::OverdueBeforeDeadline {
                deadline: "30/06/2023".into(),
                reported: d("2023-06-10"),
            }
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("chưa đến hạn: thời hạn là 30/06/2023, báo cáo ngày 10/06/2023"),
            "{msg}"
        );
        assert!(msg.contains("«đang thực hiện»"), "{msg}");
        // On the deadline itself the task is still on time.
        let on_the_day = ProgressReport {
            reported_on: d("2023-06-30"),
            ..early.clone()
        };
        assert!(check_report(&dl, &on_the_day).is_err());
        let after = ProgressReport {
            reported_on: d("2023-07-01"),
            ..early.clone()
        };
        assert_eq!(check_report(&dl, &after), Ok(()));
        // A period-end deadline is named as reports write it.
        let q2 = Deadline::parse("quý II/2023").unwrap();
        assert!(
            check_report(&q2, &early)
                .unwrap_err()
                .to_string()
                .contains("thời hạn là hết quý II/2023")
        );
        for status in [NotStarted, InProgress, Completed, CompletedLate] {
            let r = ProgressReport {
                status,
                ..early.clone()
            };
            assert_eq!(check_report(&dl, &r), Ok(()), "{status:?}");
        }
        // Stored before the rule: in progress until the deadline, overdue after it.
        let stored = [TaskEvent::Report(early)];
        for (today, status) in [
            ("2023-06-10", InProgress),
            ("2023-06-30", InProgress),
            ("2023-07-01", Overdue),
        ] {
            assert_eq!(
                derive_state(&dl, &stored, d(today)).status,
                status,
                "{today}"
            );
        }
    }

    /// Refusals reach people as Vietnamese sentences with the dates as they write them.
    #[test]
    fn refusals_are_worded_in_vietnamese() {
        let dl = Deadline::Date {
            date: d("2023-06-30"),
        };
        let msg = |e: TaskEvent, events: &[TaskEvent]| {
            check_event(&dl, events, &e).unwrap_err().to_string()
        };
        assert_eq!(
            msg(confirm("2023-06-01"), &[]),
            "chưa có báo cáo hoàn thành để xác nhận: đơn vị chủ trì chưa báo cáo đã hoàn thành nhiệm vụ (no reported completion to confirm)"
        );
        assert!(msg(ret("2023-06-01"), &[]).starts_with("chưa có báo cáo hoàn thành để trả lại:"));
        let closed = [
            report("2023-06-20", TaskStatus::Completed, None),
            confirm("2023-06-21"),
        ];
        assert!(
            msg(report("2023-06-25", TaskStatus::InProgress, None), &closed)
                .starts_with("nhiệm vụ đã được xác nhận hoàn thành ngày 21/06/2023: không nhận thêm báo cáo tiến độ")
        );
        assert!(
            msg(confirm("2023-06-25"), &closed)
                .starts_with("kết quả hoàn thành đã được xác nhận ngày 21/06/2023")
        );
        assert!(msg(confirm("2023-06-19"), &closed[..1]).starts_with(
            "ngày 19/06/2023 của ý kiến xác nhận/trả lại trước ngày báo cáo hoàn thành 20/06/2023"
        ));
        assert!(
            msg(
                report("2023-06-20", TaskStatus::Completed, Some("2023-06-21")),
                &[]
            )
            .starts_with("ngày hoàn thành 21/06/2023 sau ngày báo cáo 20/06/2023")
        );
        assert!(
            Deadline::parse("sớm")
                .unwrap_err()
                .to_string()
                .starts_with("không đọc được thời hạn 'sớm'")
        );
    }

    #[test]
    fn counts_summary() {
        let mut c = TaskCounts::default();
        let mk = |status| TaskState {
            status,
            completed_on: None,
            confirmed: false,
            awaiting_confirmation: false,
            returned: None,
            last_report: None,
        };
        for _ in 0..40 {
            c.add(&mk(TaskStatus::Completed));
        }
        for _ in 0..5 {
            c.add(&mk(TaskStatus::CompletedLate));
        }
        for _ in 0..7 {
            c.add(&mk(TaskStatus::InProgress));
        }
        assert_eq!(c.summary_vi(), "hoàn thành 45/52 nhiệm vụ, đúng hạn 40");
        c.add(&mk(TaskStatus::Overdue));
        assert_eq!(
            c.summary_vi(),
            "hoàn thành 45/53 nhiệm vụ, đúng hạn 40; 1 nhiệm vụ quá hạn"
        );
        let by = count_by(
            vec![
                (TaskField::Economy, mk(TaskStatus::Completed)),
                (TaskField::Economy, mk(TaskStatus::Overdue)),
                (TaskField::PartyBuilding, mk(TaskStatus::NotStarted)),
            ],
            |f| *f,
        );
        assert_eq!(by[&TaskField::Economy].total, 2);
        assert_eq!(by[&TaskField::PartyBuilding].not_started, 1);
    }

    #[test]
    fn labels_parse_back() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.vi()), Some(s));
            assert_eq!(TaskStatus::parse(s.key()), Some(s));
        }
        for f in TaskField::ALL {
            assert_eq!(TaskField::parse(f.vi()), Some(f));
            assert_eq!(TaskField::parse(f.key()), Some(f));
        }
        assert_eq!(
            TaskField::parse("Văn hoá – xã hội"),
            Some(TaskField::CultureSociety)
        );
        assert_eq!(
            TaskField::parse("xây dựng Đảng"),
            Some(TaskField::PartyBuilding)
        );
        assert_eq!(TaskField::parse("thể thao"), None);
        assert_eq!(
            TaskStatus::parse("dang thuc hien"),
            Some(TaskStatus::InProgress)
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn any_status() -> impl Strategy<Value = TaskStatus> {
            (0usize..5).prop_map(|i| TaskStatus::ALL[i])
        }

        proptest! {
            #[test]
            fn parsing_never_panics(s in "\\PC{0,40}") {
                let _ = Deadline::parse(&s);
                let _ = TaskField::parse(&s);
                let _ = TaskStatus::parse(&s);
            }

            /// Whatever the reports say, a task is never "hoàn thành" on time after a
            /// completion dated past its deadline, and never "quá hạn" on or before it.
            #[test]
            fn status_respects_the_deadline(
                due in 0i64..60,
                reports in proptest::collection::vec((0i64..120, any_status()), 0..6),
                today in 0i64..150,
            ) {
                let base = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
                let day = |n: i64| base + chrono::Duration::days(n);
                let deadline = Deadline::Date { date: day(due) };
                let mut rs = reports.clone();
                rs.sort_by_key(|r| r.0);
                let events: Vec<TaskEvent> = rs
                    .iter()
                    .map(|(d, st)| TaskEvent::Report(ProgressReport {
                        reported_on: day(*d),
                        status: *st,
                        completed_on: None,
                        note: String::new(),
                    }))
                    .collect();
                let s = derive_state(&deadline, &events, day(today));
                if let Some(done) = s.completed_on {
                    prop_assert_eq!(s.status == TaskStatus::Completed, done <= day(due));
                    prop_assert!(done <= day(today));
                }
                if today <= due {
                    prop_assert!(s.status != TaskStatus::Overdue);
                }
            }
        }
    }

    /// A report dated before the period's end counts as due only what was due by its date;
    /// afterwards, everything due in the period.
    #[test]
    fn the_report_cut_off_splits_due_from_not_yet_due() {
        let h1: Period = "2022-H1".parse().unwrap();
        assert_eq!(report_cut_off(&h1, d("2022-06-20")), d("2022-06-20"));
        assert_eq!(report_cut_off(&h1, d("2022-07-05")), d("2022-06-30"));
        let end_of_half = Deadline::parse("2022-H1").unwrap();
        let june_20 = Deadline::Date {
            date: d("2022-06-20"),
        };
        assert!(due_by(&june_20, d("2022-06-20")));
        assert!(!due_by(&end_of_half, d("2022-06-20")));
        assert!(due_by(&end_of_half, report_cut_off(&h1, d("2022-07-05"))));
        // A unit that reported its task "quá hạn" before the deadline: not overdue yet.
        let events = [report("2022-06-10", TaskStatus::Overdue, None)];
        let state = derive_state(&end_of_half, &events, d("2022-06-20"));
        assert_eq!(state.status, TaskStatus::InProgress);
        assert_eq!(state.clone().not_yet_due(), state);
        // Asked on a day after the cut-off but before the deadline, a task not yet due on
        // the cut-off is shown in progress, never overdue.
        let state = derive_state(&end_of_half, &[], d("2022-07-01"));
        assert_eq!(state.status, TaskStatus::Overdue);
        assert_eq!(state.not_yet_due().status, TaskStatus::InProgress);
        let done = [report(
            "2022-06-10",
            TaskStatus::Completed,
            Some("2022-06-10"),
        )];
        let state = derive_state(&end_of_half, &done, d("2022-06-20"));
        assert_eq!(state.clone().not_yet_due(), state);
    }
}
