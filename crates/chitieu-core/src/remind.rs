//! Reminders: which notifications are due on a given day.
//!
//! Pure: the caller passes the day (`today`, in the office's local time), the settings, and
//! what the database holds (tasks with deadlines, returned data sets, explanation requests);
//! [`due`] returns the notifications that should exist by then, each with a stable
//! **dedupe key**. Storage keeps one notification per account and key, so computing the same
//! list again — the next minute, or after a restart — creates nothing new.
//!
//! Catching up: a reminder is due from its day until the next one supersedes it. With
//! deadline offsets `[7, 1]`, a task 5 days from its deadline gets the 7-day reminder (even if
//! the server was down on the 7th day before); from 1 day before it gets the 1-day one; after
//! the deadline, one "overdue" notice. Events (a data set returned, an explanation asked) are
//! announced when they are at most `lookback_days` old, so a first run on an old database does
//! not announce its whole history.
//!
//! Who receives a notification is named here only as an [`Audience`]; the application
//! resolves it to accounts (roles and scopes live in storage).

use crate::admin::UnitId;
use crate::period::{Period, PeriodKind};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A task's deadline is near.
    DeadlineSoon,
    /// A task is past its deadline and not finished.
    Overdue,
    /// A data set was returned for correction.
    Returned,
    /// The office asked for an explanation of a lagging indicator.
    ExplanationRequested,
    /// Entry for a reporting period has opened.
    PeriodOpen,
    /// Entry for a reporting period closes soon.
    PeriodClosing,
    /// The lead unit reported a task done: the office is to confirm it.
    TaskCompletionReported,
    /// The office returned a reported completion to the lead unit.
    TaskReturned,
    /// The daily digest.
    Digest,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::DeadlineSoon,
        Kind::Overdue,
        Kind::Returned,
        Kind::ExplanationRequested,
        Kind::PeriodOpen,
        Kind::PeriodClosing,
        Kind::TaskCompletionReported,
        Kind::TaskReturned,
        Kind::Digest,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            Kind::DeadlineSoon => "deadline_soon",
            Kind::Overdue => "overdue",
            Kind::Returned => "returned",
            Kind::ExplanationRequested => "explanation_requested",
            Kind::PeriodOpen => "period_open",
            Kind::PeriodClosing => "period_closing",
            Kind::TaskCompletionReported => "task_completion_reported",
            Kind::TaskReturned => "task_returned",
            Kind::Digest => "digest",
        }
    }

    /// A short Vietnamese label for lists.
    pub fn vi(&self) -> &'static str {
        match self {
            Kind::DeadlineSoon => "sắp đến hạn",
            Kind::Overdue => "quá hạn",
            Kind::Returned => "số liệu bị trả lại",
            Kind::ExplanationRequested => "yêu cầu giải trình",
            Kind::PeriodOpen => "mở kỳ báo cáo",
            Kind::PeriodClosing => "sắp hết hạn báo cáo",
            Kind::TaskCompletionReported => "chờ xác nhận hoàn thành",
            Kind::TaskReturned => "nhiệm vụ bị trả lại",
            Kind::Digest => "tổng hợp hằng ngày",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// Who should receive a notification; resolved to accounts outside the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "of")]
pub enum Audience {
    /// The accounts that act for the unit: reporters whose scope covers it.
    Unit(UnitId),
    /// The office (and administrators) whose scope covers the unit, or everyone in the office
    /// when `None`.
    Office(Option<UnitId>),
    /// Every reporter.
    Reporters,
    /// The reporters of units that have not yet submitted their figures for the period.
    PendingReporters(Period),
}

/// The reminder settings (stored as the `reminders` setting, JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Days before a task's deadline to remind, e.g. `[7, 1]`.
    pub deadline_days: Vec<u32>,
    /// Days before a reporting period's entry closes to remind, e.g. `[3]`.
    pub closing_days: Vec<u32>,
    /// Entry for a period opens this many days before the period ends (the estimate for the
    /// last weeks is part of the report: "ước thực hiện").
    pub open_days_before_end: u32,
    /// Entry for a period closes this many days after it ends.
    pub close_days_after_end: u32,
    /// Which kinds of reporting period are announced.
    pub period_kinds: Vec<PeriodKind>,
    /// Events older than this many days are not announced.
    pub lookback_days: u32,
    /// The digest goes out at or after this hour (local time, 0–23).
    pub digest_hour: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            deadline_days: vec![7, 1],
            closing_days: vec![3],
            open_days_before_end: 15,
            close_days_after_end: 10,
            period_kinds: vec![PeriodKind::Half, PeriodKind::NineMonths, PeriodKind::Year],
            lookback_days: 14,
            digest_hour: 7,
        }
    }
}

/// The error of settings that make no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("reminders: {0}")]
    Invalid(String),
}

impl Settings {
    pub fn check(&self) -> Result<(), SettingsError> {
        if self.digest_hour > 23 {
            return Err(SettingsError::Invalid(format!(
                "digest_hour {} is not an hour (0–23)",
                self.digest_hour
            )));
        }
        if let Some(d) = self
            .deadline_days
            .iter()
            .chain(&self.closing_days)
            .find(|d| **d > 366)
        {
            return Err(SettingsError::Invalid(format!(
                "{d} days is more than a year ahead"
            )));
        }
        if self.open_days_before_end > 366 || self.close_days_after_end > 366 {
            return Err(SettingsError::Invalid(
                "a reporting window cannot reach more than a year".into(),
            ));
        }
        Ok(())
    }

    /// The offsets, largest first, without repeats.
    fn sorted(days: &[u32]) -> Vec<u32> {
        let mut v = days.to_vec();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.dedup();
        v
    }
}

/// A task with a deadline, as the reminders need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDeadline {
    pub id: i64,
    pub title: String,
    /// The lead unit.
    pub unit: UnitId,
    pub deadline: NaiveDate,
    /// Finished (reported done or confirmed): no more reminders.
    pub finished: bool,
}

/// A data set returned for correction (one workflow event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned {
    pub event_id: i64,
    pub unit: UnitId,
    pub unit_name: String,
    pub period: Period,
    pub on: NaiveDate,
    pub comment: Option<String>,
}

/// An explanation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplanationAsked {
    pub id: i64,
    pub indicator_name: String,
    pub unit: UnitId,
    pub unit_name: String,
    pub period: Period,
    pub on: NaiveDate,
    pub answered: bool,
}

/// A step in a task's review: a reported completion still awaiting the office, or the
/// office's return of one (the latest of each, as the caller finds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskReview {
    pub task_id: i64,
    /// The stored event's id.
    pub event_id: i64,
    pub title: String,
    pub unit: UnitId,
    pub unit_name: String,
    pub on: NaiveDate,
    /// `None`: completion reported; `Some(reason)`: returned.
    pub returned: Option<String>,
}

/// What the reminders are computed from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub tasks: Vec<TaskDeadline>,
    pub returned: Vec<Returned>,
    pub explanations: Vec<ExplanationAsked>,
    pub task_reviews: Vec<TaskReview>,
}

/// A notification that should exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub kind: Kind,
    /// Stable: the same event always gives the same key.
    pub key: String,
    pub title: String,
    pub body: String,
    /// A path in the web application.
    pub link: String,
    pub audience: Vec<Audience>,
}

/// When entry for a reporting period is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub period: Period,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

/// The reporting window of a period under the settings.
pub fn window(period: Period, settings: &Settings) -> Window {
    let end = period.end_date();
    Window {
        period,
        opens: end - Duration::days(i64::from(settings.open_days_before_end)),
        closes: end + Duration::days(i64::from(settings.close_days_after_end)),
    }
}

/// The reporting periods (of the configured kinds) whose window contains `today`.
pub fn open_windows(today: NaiveDate, settings: &Settings) -> Vec<Window> {
    let mut out = Vec::new();
    // A window reaches at most a year around its period's end: this year's and last year's
    // periods cover every window that can contain today.
    for year in [today.year() - 1, today.year()] {
        for kind in &settings.period_kinds {
            for period in periods_of(*kind, year) {
                let w = window(period, settings);
                if w.opens <= today && today <= w.closes && !out.contains(&w) {
                    out.push(w);
                }
            }
        }
    }
    out.sort_by_key(|w| (w.closes, w.period));
    out
}

fn periods_of(kind: PeriodKind, year: i32) -> Vec<Period> {
    let r = match kind {
        PeriodKind::Month => (1..=12).map(|m| Period::month(year, m)).collect(),
        PeriodKind::Quarter => (1..=4).map(|q| Period::quarter(year, q)).collect(),
        PeriodKind::Half => vec![Period::half(year, 1), Period::half(year, 2)],
        PeriodKind::NineMonths => vec![Period::nine_months(year)],
        PeriodKind::Year => vec![Period::year(year)],
        PeriodKind::Term => vec![],
    };
    r.into_iter().filter_map(Result::ok).collect()
}

/// The offset whose reminder is due when `left` days remain, if any: the smallest offset
/// that is at least `left` (a later offset supersedes an earlier one).
fn offset_due(left: i64, offsets: &[u32]) -> Option<u32> {
    if left < 0 {
        return None;
    }
    Settings::sorted(offsets)
        .into_iter()
        .rev()
        .find(|d| i64::from(*d) >= left)
}

fn date_vi(d: NaiveDate) -> String {
    chitieu_text::format_date_vi(d)
}

fn days_vi(left: i64) -> String {
    match left {
        0 => "hôm nay là hạn cuối".to_string(),
        n => format!("còn {n} ngày"),
    }
}

/// The notifications due on `today`.
pub fn due(today: NaiveDate, settings: &Settings, inputs: &Inputs) -> Vec<Due> {
    let mut out = Vec::new();
    for t in &inputs.tasks {
        if t.finished {
            continue;
        }
        let left = (t.deadline - today).num_days();
        let link = format!("/app/tasks/{}", t.id);
        if left < 0 {
            out.push(Due {
                kind: Kind::Overdue,
                key: format!("task:{}:overdue", t.id),
                title: format!("Nhiệm vụ quá hạn: {}", t.title),
                body: format!(
                    "Nhiệm vụ «{}» đã quá hạn {} ngày (hạn {}) mà chưa hoàn thành.",
                    t.title,
                    -left,
                    date_vi(t.deadline)
                ),
                link,
                audience: vec![Audience::Unit(t.unit), Audience::Office(Some(t.unit))],
            });
        } else if let Some(d) = offset_due(left, &settings.deadline_days) {
            out.push(Due {
                kind: Kind::DeadlineSoon,
                key: format!("task:{}:due-in:{d}d", t.id),
                title: format!("Sắp đến hạn ({}): {}", days_vi(left), t.title),
                body: format!(
                    "Nhiệm vụ «{}» có hạn hoàn thành {} ({}).",
                    t.title,
                    date_vi(t.deadline),
                    days_vi(left)
                ),
                link,
                audience: vec![Audience::Unit(t.unit)],
            });
        }
    }
    let oldest = today - Duration::days(i64::from(settings.lookback_days));
    for r in &inputs.returned {
        if r.on < oldest || r.on > today {
            continue;
        }
        let label = crate::period_vi::format_period_vi(&r.period);
        let comment = r
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| format!(" Ý kiến: {c}"))
            .unwrap_or_default();
        out.push(Due {
            kind: Kind::Returned,
            key: format!(
                "dataset:{}:{}:returned:{}",
                r.unit.0,
                r.period.compact(),
                r.event_id
            ),
            title: format!("Số liệu {label} của {} bị trả lại", r.unit_name),
            body: format!(
                "Số liệu {label} của {} đã bị trả lại để sửa ngày {}.{comment}",
                r.unit_name,
                date_vi(r.on)
            ),
            link: format!("/app/entry?unit={}&period={}", r.unit.0, r.period.compact()),
            audience: vec![Audience::Unit(r.unit)],
        });
    }
    for e in &inputs.explanations {
        if e.answered || e.on < oldest || e.on > today {
            continue;
        }
        let label = crate::period_vi::format_period_vi(&e.period);
        out.push(Due {
            kind: Kind::ExplanationRequested,
            key: format!("explanation:{}:asked", e.id),
            title: format!("Yêu cầu giải trình: {}", e.indicator_name),
            body: format!(
                "Văn phòng yêu cầu {} giải trình chỉ tiêu «{}» ({label}).",
                e.unit_name, e.indicator_name
            ),
            link: "/app/explanations".to_string(),
            audience: vec![Audience::Unit(e.unit)],
        });
    }
    for r in &inputs.task_reviews {
        if r.on < oldest || r.on > today {
            continue;
        }
        let link = format!("/app/tasks/{}", r.task_id);
        out.push(match &r.returned {
            None => Due {
                kind: Kind::TaskCompletionReported,
                key: format!("task:{}:reported-done:{}", r.task_id, r.event_id),
                title: format!("Chờ xác nhận hoàn thành: {}", r.title),
                body: format!(
                    "{} báo cáo đã hoàn thành nhiệm vụ «{}» ngày {}; đề nghị xác nhận hoặc trả lại.",
                    r.unit_name,
                    r.title,
                    date_vi(r.on)
                ),
                link,
                audience: vec![Audience::Office(Some(r.unit))],
            },
            Some(reason) => Due {
                kind: Kind::TaskReturned,
                key: format!("task:{}:returned:{}", r.task_id, r.event_id),
                title: format!("Nhiệm vụ bị trả lại: {}", r.title),
                body: format!(
                    "Văn phòng trả lại kết quả nhiệm vụ «{}» ngày {}. Lý do: {reason}",
                    r.title,
                    date_vi(r.on)
                ),
                link,
                audience: vec![Audience::Unit(r.unit)],
            },
        });
    }
    for w in open_windows(today, settings) {
        let label = crate::period_vi::format_period_vi(&w.period);
        let compact = w.period.compact();
        out.push(Due {
            kind: Kind::PeriodOpen,
            key: format!("period:{compact}:open"),
            title: format!("Mở kỳ báo cáo {label}"),
            body: format!(
                "Đã mở nhập số liệu kỳ {label}, hạn gửi {}.",
                date_vi(w.closes)
            ),
            link: format!("/app/entry?period={compact}"),
            audience: vec![Audience::Reporters],
        });
        let left = (w.closes - today).num_days();
        if let Some(d) = offset_due(left, &settings.closing_days) {
            out.push(Due {
                kind: Kind::PeriodClosing,
                key: format!("period:{compact}:closing:{d}d"),
                title: format!("Kỳ báo cáo {label} sắp hết hạn ({})", days_vi(left)),
                body: format!(
                    "Hạn gửi số liệu kỳ {label} là {} ({}).",
                    date_vi(w.closes),
                    days_vi(left)
                ),
                link: format!("/app/entry?period={compact}"),
                audience: vec![Audience::PendingReporters(w.period)],
            });
        }
    }
    out
}

/// The dedupe key of an account's digest for a day.
pub fn digest_key(day: NaiveDate) -> String {
    format!("digest:{}", day.format("%Y-%m-%d"))
}

/// The day whose digest is due at `now` (local time): today once the digest hour has come.
pub fn digest_day(now: chrono::NaiveDateTime, settings: &Settings) -> Option<NaiveDate> {
    use chrono::Timelike;
    (now.hour() >= settings.digest_hour).then(|| now.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(id: i64, deadline: &str, finished: bool) -> TaskDeadline {
        TaskDeadline {
            id,
            title: format!("Nhiệm vụ {id}"),
            unit: UnitId(7),
            deadline: d(deadline),
            finished,
        }
    }

    fn keys(today: &str, settings: &Settings, inputs: &Inputs) -> Vec<String> {
        due(d(today), settings, inputs)
            .into_iter()
            .map(|n| n.key)
            .collect()
    }

    fn no_periods() -> Settings {
        Settings {
            period_kinds: vec![],
            ..Settings::default()
        }
    }

    #[test]
    fn task_deadline_schedule() {
        // (today, deadline, finished, expected keys); offsets [7, 1].
        let cases: &[(&str, &str, bool, &[&str])] = &[
            ("2026-11-01", "2026-11-20", false, &[]),
            ("2026-11-12", "2026-11-20", false, &[]),
            ("2026-11-13", "2026-11-20", false, &["task:1:due-in:7d"]),
            // Caught up after a gap: 5 days left still gives the 7-day reminder.
            ("2026-11-15", "2026-11-20", false, &["task:1:due-in:7d"]),
            ("2026-11-18", "2026-11-20", false, &["task:1:due-in:7d"]),
            ("2026-11-19", "2026-11-20", false, &["task:1:due-in:1d"]),
            ("2026-11-20", "2026-11-20", false, &["task:1:due-in:1d"]),
            ("2026-11-21", "2026-11-20", false, &["task:1:overdue"]),
            ("2027-02-01", "2026-11-20", false, &["task:1:overdue"]),
            // Finished tasks get nothing, before or after the deadline.
            ("2026-11-19", "2026-11-20", true, &[]),
            ("2026-11-21", "2026-11-20", true, &[]),
        ];
        let s = no_periods();
        for (today, deadline, finished, want) in cases {
            let inputs = Inputs {
                tasks: vec![task(1, deadline, *finished)],
                ..Inputs::default()
            };
            assert_eq!(
                keys(today, &s, &inputs),
                want.to_vec(),
                "today {today}, deadline {deadline}, finished {finished}"
            );
        }
    }

    #[test]
    fn offsets_in_any_order_and_repeated() {
        let s = Settings {
            deadline_days: vec![1, 7, 7, 3],
            ..no_periods()
        };
        let inputs = Inputs {
            tasks: vec![task(9, "2026-11-20", false)],
            ..Inputs::default()
        };
        let cases = [
            ("2026-11-13", vec!["task:9:due-in:7d"]),
            ("2026-11-16", vec!["task:9:due-in:7d"]),
            ("2026-11-17", vec!["task:9:due-in:3d"]),
            ("2026-11-19", vec!["task:9:due-in:1d"]),
        ];
        for (today, want) in cases {
            assert_eq!(keys(today, &s, &inputs), want, "{today}");
        }
        // No offsets: only the overdue notice.
        let none = Settings {
            deadline_days: vec![],
            ..no_periods()
        };
        assert!(keys("2026-11-19", &none, &inputs).is_empty());
        assert_eq!(keys("2026-11-21", &none, &inputs), ["task:9:overdue"]);
    }

    #[test]
    fn the_same_day_gives_the_same_list() {
        let inputs = Inputs {
            tasks: vec![task(1, "2026-06-20", false), task(2, "2026-06-01", false)],
            ..Inputs::default()
        };
        let s = Settings::default();
        let a = due(d("2026-06-19"), &s, &inputs);
        let b = due(d("2026-06-19"), &s, &inputs);
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }

    #[test]
    fn events_within_the_lookback() {
        let returned = Returned {
            event_id: 31,
            unit: UnitId(12),
            unit_name: "xã Vũ Sơn".into(),
            period: Period::half(2026, 1).unwrap(),
            on: d("2026-07-05"),
            comment: Some("Thiếu số liệu thu ngân sách".into()),
        };
        let asked = ExplanationAsked {
            id: 4,
            indicator_name: "Thu ngân sách".into(),
            unit: UnitId(12),
            unit_name: "xã Vũ Sơn".into(),
            period: Period::half(2026, 1).unwrap(),
            on: d("2026-07-06"),
            answered: false,
        };
        let s = no_periods(); // lookback 14 days
        let cases: &[(&str, bool, &[&str])] = &[
            ("2026-07-04", false, &[]),
            (
                "2026-07-06",
                false,
                &["dataset:12:2026-H1:returned:31", "explanation:4:asked"],
            ),
            (
                "2026-07-19",
                false,
                &["dataset:12:2026-H1:returned:31", "explanation:4:asked"],
            ),
            ("2026-07-20", false, &["explanation:4:asked"]),
            ("2026-07-21", false, &[]),
            ("2026-07-10", true, &["dataset:12:2026-H1:returned:31"]),
        ];
        for (today, answered, want) in cases {
            let inputs = Inputs {
                returned: vec![returned.clone()],
                explanations: vec![ExplanationAsked {
                    answered: *answered,
                    ..asked.clone()
                }],
                ..Inputs::default()
            };
            assert_eq!(keys(today, &s, &inputs), want.to_vec(), "{today}");
        }
        let n = due(
            d("2026-07-06"),
            &s,
            &Inputs {
                returned: vec![returned],
                ..Inputs::default()
            },
        );
        assert_eq!(n[0].kind, Kind::Returned);
        assert_eq!(n[0].audience, vec![Audience::Unit(UnitId(12))]);
        assert!(
            n[0].body.contains("Thiếu số liệu thu ngân sách"),
            "{}",
            n[0].body
        );
        assert!(
            n[0].title.contains("6 tháng đầu năm 2026"),
            "{}",
            n[0].title
        );
    }

    #[test]
    fn reporting_periods_open_and_close() {
        // Defaults: halves, 9 months and years; open 15 days before the end, close 10 after;
        // remind 3 days before closing.
        let s = Settings::default();
        let cases: &[(&str, &[&str])] = &[
            ("2026-06-14", &[]),
            ("2026-06-15", &["period:2026-H1:open"]),
            ("2026-07-06", &["period:2026-H1:open"]),
            (
                "2026-07-07",
                &["period:2026-H1:open", "period:2026-H1:closing:3d"],
            ),
            (
                "2026-07-10",
                &["period:2026-H1:open", "period:2026-H1:closing:3d"],
            ),
            ("2026-07-11", &[]),
            ("2026-09-20", &["period:2026-9M:open"]),
            // The year and the second half end together.
            ("2026-12-20", &["period:2026-H2:open", "period:2026:open"]),
            // Early January: last year's windows are still open.
            (
                "2027-01-08",
                &[
                    "period:2026-H2:open",
                    "period:2026-H2:closing:3d",
                    "period:2026:open",
                    "period:2026:closing:3d",
                ],
            ),
        ];
        for (today, want) in cases {
            assert_eq!(
                keys(today, &s, &Inputs::default()),
                want.to_vec(),
                "{today}"
            );
        }
    }

    #[test]
    fn task_reviews_notify_the_office_then_the_lead_unit() {
        let review = |returned: Option<&str>| TaskReview {
            task_id: 5,
            event_id: 17,
            title: "Kế hoạch chuyển đổi số".into(),
            unit: UnitId(3),
            unit_name: "xã Vũ Sơn".into(),
            on: d("2026-11-20"),
            returned: returned.map(str::to_string),
        };
        let s = no_periods();
        let n = due(
            d("2026-11-21"),
            &s,
            &Inputs {
                task_reviews: vec![review(None)],
                ..Inputs::default()
            },
        );
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].key, "task:5:reported-done:17");
        assert_eq!(n[0].audience, vec![Audience::Office(Some(UnitId(3)))]);
        let n = due(
            d("2026-11-21"),
            &s,
            &Inputs {
                task_reviews: vec![review(Some("Chưa có văn bản ban hành"))],
                ..Inputs::default()
            },
        );
        assert_eq!(n[0].key, "task:5:returned:17");
        assert_eq!(n[0].kind, Kind::TaskReturned);
        assert_eq!(n[0].audience, vec![Audience::Unit(UnitId(3))]);
        assert!(
            n[0].body.ends_with("Lý do: Chưa có văn bản ban hành"),
            "{}",
            n[0].body
        );
        // Older than the lookback: nothing.
        let old = Inputs {
            task_reviews: vec![review(None)],
            ..Inputs::default()
        };
        assert!(due(d("2026-12-05"), &s, &old).is_empty());
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.key()), Some(k));
        }
    }

    #[test]
    fn closing_reminders_go_to_units_still_to_submit() {
        let n = due(d("2026-07-08"), &Settings::default(), &Inputs::default());
        let h1 = Period::half(2026, 1).unwrap();
        let audience = |key: &str| {
            n.iter()
                .find(|x| x.key == key)
                .map(|x| x.audience.clone())
                .unwrap()
        };
        assert_eq!(audience("period:2026-H1:open"), vec![Audience::Reporters]);
        assert_eq!(
            audience("period:2026-H1:closing:3d"),
            vec![Audience::PendingReporters(h1)]
        );
    }

    #[test]
    fn settings_checked() {
        assert!(Settings::default().check().is_ok());
        let bad = [
            Settings {
                digest_hour: 24,
                ..Settings::default()
            },
            Settings {
                deadline_days: vec![400],
                ..Settings::default()
            },
            Settings {
                close_days_after_end: 500,
                ..Settings::default()
            },
        ];
        for s in bad {
            assert!(s.check().is_err(), "{s:?}");
        }
    }

    #[test]
    fn digest_after_its_hour() {
        let s = Settings::default();
        let at = |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(digest_day(at("2026-11-25 06:59"), &s), None);
        assert_eq!(
            digest_day(at("2026-11-25 07:00"), &s),
            Some(d("2026-11-25"))
        );
        assert_eq!(
            digest_day(at("2026-11-25 23:30"), &s),
            Some(d("2026-11-25"))
        );
        assert_eq!(digest_key(d("2026-11-05")), "digest:2026-11-05");
    }
}
