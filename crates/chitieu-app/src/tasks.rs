//! Key tasks (nhiệm vụ trọng tâm): create, report progress (the lead unit only), confirm or
//! return (the office only), list with their status on a date, and count as reports do
//! ("hoàn thành 45/52 nhiệm vụ, đúng hạn 40") per unit and per field. Counted for a period on
//! a day before its end, only the tasks due by that day are in the count; those due later in
//! the period are "chưa đến hạn", counted apart and never overdue
//! ([`chitieu_core::task::report_cut_off`]).
//!
//! "Today" is always passed in: the command line gives the local date, tests a fixed one.

use chitieu_core::admin::{UnitId, UnitVersion};
use chitieu_core::period::Period;
use chitieu_core::task::{
    ProgressReport, Review, Task, TaskCounts, TaskError, TaskEvent, TaskField, TaskState, due_by,
    report_cut_off,
};
use chitieu_store::tasks::{StoredTask, TaskFilter};
use chitieu_store::{Store, StoreError, TaskStore};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a task use case was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaskUseError {
    #[error(
        "nhiệm vụ số {task} do {lead} chủ trì: chỉ đơn vị đó báo cáo tiến độ (bạn thực hiện cho {acting}) (task {task}: only that unit reports its progress)"
    )]
    NotLead {
        task: i64,
        lead: String,
        acting: String,
    },
    #[error(
        "chỉ văn phòng xác nhận hoặc trả lại nhiệm vụ (only the office confirms or returns a task)"
    )]
    NotOffice,
    #[error(transparent)]
    Task(#[from] TaskError),
    /// The task's rules refuse this report or review; names the task, and the rule says why
    /// (its deadline, the confirmation that closed it, …).
    #[error("nhiệm vụ số {task} «{text}»: {error}")]
    Refused {
        task: i64,
        /// The task's text, shortened.
        text: String,
        error: TaskError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T, E = TaskUseError> = std::result::Result<T, E>;

/// Who is acting: the units the person reports for, and whether they act for the office that
/// confirms tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub units: Vec<UnitId>,
    pub office: bool,
}

/// Stores a new task after checking it.
pub fn create_task(store: &mut (impl Store + TaskStore), task: &Task, actor: &str) -> Result<i64> {
    task.validate()?;
    let mut t = task.clone();
    t.text = chitieu_text::nfc(t.text.trim());
    Ok(store.add_task(&t, actor)?)
}

/// Records a progress report; only the lead unit may report.
pub fn report_progress(
    store: &mut (impl Store + TaskStore),
    id: i64,
    actor: &Actor,
    report: ProgressReport,
) -> Result<StoredTask> {
    let task = store.task(id)?;
    if !actor.units.contains(&task.task.lead) {
        let lead = unit_name(store, task.task.lead);
        let acting = if actor.units.is_empty() {
            "không đơn vị nào".to_string()
        } else {
            actor
                .units
                .iter()
                .map(|u| unit_name(store, *u))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(TaskUseError::NotLead {
            task: id,
            lead,
            acting,
        });
    }
    // "Quá hạn" before the deadline is refused here, at entry; the life-cycle rule is checked
    // here for a message naming the task, and again by the store inside its transaction.
    chitieu_core::task::check_report(&task.task.deadline, &report)
        .map_err(|e| refused(&task, e))?;
    let event = TaskEvent::Report(report);
    check_life_cycle(&task, &event)?;
    Ok(store.add_task_event(id, &event, Some(task.task.lead), &actor.name)?)
}

fn refused(task: &StoredTask, error: TaskError) -> TaskUseError {
    let text = task.task.text.trim();
    let text = if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>().trim_end())
    } else {
        text.to_string()
    };
    TaskUseError::Refused {
        task: task.id,
        text,
        error,
    }
}

fn check_life_cycle(task: &StoredTask, event: &TaskEvent) -> Result<()> {
    let events: Vec<TaskEvent> = task.events.iter().map(|e| e.event.clone()).collect();
    chitieu_core::task::check_event(&task.task.deadline, &events, event)
        .map_err(|e| refused(task, e))
}

/// Confirms a reported completion or returns the task; only the office may.
pub fn review_task(
    store: &mut (impl Store + TaskStore),
    id: i64,
    actor: &Actor,
    review: Review,
) -> Result<StoredTask> {
    if !actor.office {
        return Err(TaskUseError::NotOffice);
    }
    let task = store.task(id)?;
    let event = TaskEvent::Review(review);
    check_life_cycle(&task, &event)?;
    Ok(store.add_task_event(id, &event, None, &actor.name)?)
}

/// A task as lists show it, with its state on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub id: i64,
    pub text: String,
    pub field: TaskField,
    pub lead: UnitId,
    pub lead_name: String,
    pub deadline: String,
    pub deadline_date: NaiveDate,
    pub output: String,
    pub state: TaskState,
    pub status_vi: &'static str,
    pub source: String,
    /// Where the task came from (a document's characters when proposed from one).
    pub provenance: chitieu_core::figure::Provenance,
}

fn unit_name(store: &impl Store, unit: UnitId) -> String {
    store
        .unit_latest(unit)
        .map(|v| v.full_name())
        .unwrap_or_else(|_| format!("đơn vị {unit}"))
}

pub fn view(store: &impl Store, t: &StoredTask, today: NaiveDate) -> TaskView {
    view_named(t, unit_name(store, t.task.lead), today)
}

/// [`view`] with the lead unit's name already looked up.
fn view_named(t: &StoredTask, lead_name: String, today: NaiveDate) -> TaskView {
    let state = t.state(today);
    TaskView {
        id: t.id,
        text: t.task.text.clone(),
        field: t.task.field,
        lead: t.task.lead,
        lead_name,
        deadline: t.task.deadline.vi(),
        deadline_date: t.task.deadline.date(),
        output: t.task.output.vi(),
        status_vi: state.status.vi(),
        state,
        source: t.task.source.clone(),
        provenance: t.task.provenance.clone(),
    }
}

/// Which tasks a list or a count covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskScope {
    pub lead: Option<UnitId>,
    pub field: Option<TaskField>,
    /// Tasks due within the period (their deadline falls in it).
    pub period: Option<Period>,
}

impl TaskScope {
    fn filter(&self) -> TaskFilter {
        TaskFilter {
            lead: self.lead,
            field: self.field,
            due_from: self.period.map(|p| p.start_date()),
            due_to: self.period.map(|p| p.end_date()),
            document: None,
        }
    }
}

/// Tasks in scope with their state on `today`, by id.
pub fn list_tasks(
    store: &(impl Store + TaskStore),
    scope: &TaskScope,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    // The tasks and their events come in one query; lead units' names once per unit.
    let mut names: BTreeMap<UnitId, String> = BTreeMap::new();
    Ok(store
        .tasks(&scope.filter())?
        .iter()
        .map(|t| {
            let name = names
                .entry(t.task.lead)
                .or_insert_with(|| unit_name(store, t.task.lead))
                .clone();
            view_named(t, name, today)
        })
        .collect())
}

/// Counts as reports use them: overall, per lead unit and per field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskCountsView {
    pub total: TaskCounts,
    pub by_unit: Vec<(UnitVersion, TaskCounts)>,
    pub by_field: Vec<(TaskField, TaskCounts)>,
    /// With a period and a day before its end: the period's tasks due after that day, not in
    /// the counts above (none is overdue; some may be done early).
    pub not_yet_due: TaskCounts,
    /// "hoàn thành 3/5 nhiệm vụ, đúng hạn 2; 2 nhiệm vụ quá hạn; 4 nhiệm vụ chưa đến hạn".
    pub summary_vi: String,
}

pub fn count_tasks(
    store: &(impl Store + TaskStore),
    scope: &TaskScope,
    today: NaiveDate,
) -> Result<TaskCountsView> {
    let tasks = store.tasks(&scope.filter())?;
    let cut_off = scope.period.map(|p| report_cut_off(&p, today));
    let mut total = TaskCounts::default();
    let mut not_yet_due = TaskCounts::default();
    let mut by_unit: BTreeMap<UnitId, TaskCounts> = BTreeMap::new();
    let mut by_field: BTreeMap<TaskField, TaskCounts> = BTreeMap::new();
    for t in &tasks {
        if cut_off.is_some_and(|c| !due_by(&t.task.deadline, c)) {
            not_yet_due.add(&t.state(today).not_yet_due());
            continue;
        }
        let s = t.state(today);
        total.add(&s);
        by_unit.entry(t.task.lead).or_default().add(&s);
        by_field.entry(t.task.field).or_default().add(&s);
    }
    let mut units = Vec::new();
    for (u, c) in by_unit {
        units.push((store.unit_latest(u)?, c));
    }
    units.sort_by_key(|a| a.0.full_name());
    let mut summary_vi = total.summary_vi();
    if not_yet_due.total > 0 {
        summary_vi.push_str(&format!("; {} nhiệm vụ chưa đến hạn", not_yet_due.total));
    }
    Ok(TaskCountsView {
        summary_vi,
        total,
        by_unit: units,
        by_field: by_field.into_iter().collect(),
        not_yet_due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::figure::Provenance;
    use chitieu_core::indicator::Catalog;
    use chitieu_core::task::{Deadline, ExpectedOutput, TaskStatus};
    use chitieu_store::{NoProgress, SqliteStore};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        (dir, s)
    }

    fn task(lead: UnitId, deadline: &str, field: TaskField) -> Task {
        Task {
            text: "đẩy nhanh tiến độ các công trình đầu tư công".into(),
            field,
            lead,
            cooperating: vec![],
            deadline: Deadline::parse(deadline).unwrap(),
            output: ExpectedOutput::Project {
                name: "công trình đầu tư công".into(),
            },
            source: String::new(),
            period: None,
            provenance: Provenance::Manual,
        }
    }

    fn report(on: &str, status: TaskStatus, done: Option<&str>) -> ProgressReport {
        ProgressReport {
            reported_on: d(on),
            status,
            completed_on: done.map(d),
            note: String::new(),
        }
    }

    #[test]
    fn life_cycle_with_a_fixed_clock() {
        let (_dir, mut s) = store();
        let lead = s
            .resolve_unit("huyện Bắc Sơn", d("2022-06-15"))
            .unwrap()
            .unit;
        let other = s
            .resolve_unit("huyện Hữu Lũng", d("2022-06-15"))
            .unwrap()
            .unit;
        let unit_actor = Actor {
            name: "bac_son".into(),
            units: vec![lead],
            office: false,
        };
        let office = Actor {
            name: "van_phong".into(),
            units: vec![],
            office: true,
        };
        let id = create_task(&mut s, &task(lead, "2022-12-31", TaskField::Economy), "vp").unwrap();
        // Nothing to confirm yet: refused in Vietnamese, naming the task.
        let err = review_task(
            &mut s,
            id,
            &office,
            Review::Confirm {
                on: d("2022-07-01"),
                note: String::new(),
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "nhiệm vụ số {id} «đẩy nhanh tiến độ các công trình đầu tư công»: chưa có báo cáo hoàn thành để xác nhận: đơn vị chủ trì chưa báo cáo đã hoàn thành nhiệm vụ (no reported completion to confirm)"
            )
        );
        // Another unit may not report.
        let err = report_progress(
            &mut s,
            id,
            &Actor {
                name: "huu_lung".into(),
                units: vec![other],
                office: false,
            },
            report("2022-07-01", TaskStatus::InProgress, None),
        )
        .unwrap_err();
        assert!(err.to_string().contains("huyện Bắc Sơn"), "{err}");
        // The unit may not confirm its own task.
        report_progress(
            &mut s,
            id,
            &unit_actor,
            report("2022-07-01", TaskStatus::InProgress, None),
        )
        .unwrap();
        report_progress(
            &mut s,
            id,
            &unit_actor,
            report("2022-12-20", TaskStatus::Completed, Some("2022-12-15")),
        )
        .unwrap();
        let err = review_task(
            &mut s,
            id,
            &unit_actor,
            Review::Confirm {
                on: d("2022-12-21"),
                note: String::new(),
            },
        )
        .unwrap_err();
        assert!(matches!(err, TaskUseError::NotOffice));
        let t = review_task(
            &mut s,
            id,
            &office,
            Review::Confirm {
                on: d("2022-12-21"),
                note: String::new(),
            },
        )
        .unwrap();
        let v = view(&s, &t, d("2023-01-05"));
        assert_eq!(v.status_vi, "hoàn thành");
        assert!(v.state.confirmed);

        // A second task returned, then overdue the day after its deadline, then completed late.
        let id2 = create_task(&mut s, &task(lead, "2022-09-30", TaskField::Economy), "vp").unwrap();
        report_progress(
            &mut s,
            id2,
            &unit_actor,
            report("2022-09-20", TaskStatus::Completed, None),
        )
        .unwrap();
        review_task(
            &mut s,
            id2,
            &office,
            Review::Return {
                on: d("2022-09-22"),
                reason: "chưa đủ hồ sơ".into(),
            },
        )
        .unwrap();
        let list = list_tasks(&s, &TaskScope::default(), d("2022-09-30")).unwrap();
        assert_eq!(list[1].state.status, TaskStatus::InProgress);
        let list = list_tasks(&s, &TaskScope::default(), d("2022-10-01")).unwrap();
        assert_eq!(list[1].state.status, TaskStatus::Overdue);
        report_progress(
            &mut s,
            id2,
            &unit_actor,
            report("2022-10-10", TaskStatus::Completed, None),
        )
        .unwrap();
        let list = list_tasks(&s, &TaskScope::default(), d("2022-10-11")).unwrap();
        assert_eq!(list[1].state.status, TaskStatus::CompletedLate);

        // A third task, not started, party building.
        create_task(
            &mut s,
            &task(other, "2022-12-31", TaskField::PartyBuilding),
            "vp",
        )
        .unwrap();
        let c = count_tasks(
            &s,
            &TaskScope {
                period: Some("2022".parse().unwrap()),
                ..TaskScope::default()
            },
            d("2023-01-05"),
        )
        .unwrap();
        assert_eq!(
            c.summary_vi,
            "hoàn thành 2/3 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn"
        );
        assert_eq!(c.by_unit.len(), 2);
        assert_eq!(c.by_unit[0].0.full_name(), "huyện Bắc Sơn");
        assert_eq!(c.by_unit[0].1.done(), 2);
        assert_eq!(
            c.by_field[0],
            (
                TaskField::Economy,
                TaskCounts {
                    total: 2,
                    completed: 1,
                    completed_late: 1,
                    confirmed: 1,
                    ..TaskCounts::default()
                }
            )
        );
        // Out of the period: nothing.
        let c = count_tasks(
            &s,
            &TaskScope {
                period: Some("2023".parse().unwrap()),
                ..TaskScope::default()
            },
            d("2023-01-05"),
        )
        .unwrap();
        assert_eq!(c.total.total, 0);
    }

    /// Counted for the first half on 20/6/2022, a task due 30/6 is not yet due: not in the
    /// count, not overdue; on 5/7 it is due, and overdue when unfinished.
    #[test]
    fn counts_for_a_period_before_its_end_leave_out_tasks_not_yet_due() {
        let (_dir, mut s) = store();
        let lead = s
            .resolve_unit("huyện Bắc Sơn", d("2022-06-15"))
            .unwrap()
            .unit;
        let unit_actor = Actor {
            name: "bac_son".into(),
            units: vec![lead],
            office: false,
        };
        let early =
            create_task(&mut s, &task(lead, "2022-05-31", TaskField::Economy), "vp").unwrap();
        report_progress(
            &mut s,
            early,
            &unit_actor,
            report("2022-05-30", TaskStatus::Completed, Some("2022-05-30")),
        )
        .unwrap();
        create_task(&mut s, &task(lead, "2022-06-10", TaskField::Economy), "vp").unwrap();
        create_task(&mut s, &task(lead, "2022-H1", TaskField::Economy), "vp").unwrap();
        let late = create_task(
            &mut s,
            &task(lead, "2022-06-30", TaskField::CultureSociety),
            "vp",
        )
        .unwrap();
        // "Quá hạn" before the deadline is refused at entry, naming the task and its deadline;
        // nothing is stored.
        let err = report_progress(
            &mut s,
            late,
            &unit_actor,
            report("2022-06-18", TaskStatus::Overdue, None),
        )
        .unwrap_err();
        assert!(
            matches!(
                &err,
                TaskUseError::Refused {
                    error: TaskError::OverdueBeforeDeadline { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "nhiệm vụ số {late} «đẩy nhanh tiến độ các công trình đầu tư công»: chưa đến hạn: thời hạn là 30/06/2022, báo cáo ngày 18/06/2022; không báo cáo «quá hạn» trước thời hạn — chọn «đang thực hiện» hoặc «chưa triển khai» (a task is not overdue before its deadline)"
            )
        );
        assert!(s.task(late).unwrap().events.is_empty());
        report_progress(
            &mut s,
            late,
            &unit_actor,
            report("2022-06-18", TaskStatus::InProgress, None),
        )
        .unwrap();
        // After the deadline the unit may say so; the task is overdue anyway.
        let t = report_progress(
            &mut s,
            late,
            &unit_actor,
            report("2022-07-01", TaskStatus::Overdue, None),
        )
        .unwrap();
        assert_eq!(t.state(d("2022-07-01")).status, TaskStatus::Overdue);
        let h1 = TaskScope {
            period: Some("2022-H1".parse().unwrap()),
            ..TaskScope::default()
        };
        let c = count_tasks(&s, &h1, d("2022-06-20")).unwrap();
        assert_eq!(
            c.summary_vi,
            "hoàn thành 1/2 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn; 2 nhiệm vụ chưa đến hạn"
        );
        assert_eq!(
            c.not_yet_due,
            TaskCounts {
                total: 2,
                not_started: 1,
                in_progress: 1,
                ..TaskCounts::default()
            }
        );
        assert_eq!(c.by_field.len(), 1, "{:?}", c.by_field);
        let c = count_tasks(&s, &h1, d("2022-07-05")).unwrap();
        assert_eq!(
            c.summary_vi,
            "hoàn thành 1/4 nhiệm vụ, đúng hạn 1; 3 nhiệm vụ quá hạn"
        );
        assert_eq!(c.not_yet_due.total, 0);
        // Without a period, every task counts, as before.
        let c = count_tasks(&s, &TaskScope::default(), d("2022-06-20")).unwrap();
        assert_eq!(c.total.total, 4);
    }
}
