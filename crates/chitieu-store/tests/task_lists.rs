//! Task lists read tasks and their events in one query (not one query per task): a long list
//! reads back exactly what the per-task reads give, on every backend (see `backend/mod.rs`).

#[macro_use]
mod backend;

use chitieu_core::admin::UnitId;
use chitieu_core::figure::Provenance;
use chitieu_core::task::{
    Deadline, ExpectedOutput, ProgressReport, Review, Task, TaskEvent, TaskField, TaskStatus,
};
use chitieu_store::tasks::TaskFilter;
use chitieu_store::{Store, TaskStore};
use chrono::NaiveDate;
use std::str::FromStr;

for_each_backend!(a_long_task_list_reads_back_as_the_per_task_reads);

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn report(on: &str, status: TaskStatus, note: &str) -> TaskEvent {
    TaskEvent::Report(ProgressReport {
        reported_on: date(on),
        status,
        completed_on: None,
        note: note.into(),
    })
}

const FIELDS: [TaskField; 3] = [
    TaskField::Economy,
    TaskField::CultureSociety,
    TaskField::DefenceSecurity,
];

fn a_long_task_list_reads_back_as_the_per_task_reads<S: Store + TaskStore>(mut store: S) {
    let on = date("2023-04-07");
    let leads: Vec<UnitId> = ["huyện Hữu Lũng", "huyện Chi Lăng", "thành phố Lạng Sơn"]
        .iter()
        .map(|n| store.resolve_unit(n, on).expect("unit").unit)
        .collect();
    // 300 tasks; task i gets i % 5 events (none, a report, two reports, a completion and its
    // confirmation, a completion returned), so tasks with and without events interleave.
    let mut ids = Vec::new();
    for i in 0..300usize {
        let lead = leads[i % leads.len()];
        let deadline = if i % 2 == 0 {
            "2023-06-30"
        } else {
            "2023-12-31"
        };
        let id = store
            .add_task(
                &Task {
                    text: format!("nhiệm vụ số {i}: đẩy mạnh thu ngân sách"),
                    field: FIELDS[i % FIELDS.len()],
                    lead,
                    cooperating: if i % 3 == 0 { vec![leads[0]] } else { vec![] },
                    deadline: Deadline::parse(deadline).expect("deadline"),
                    output: ExpectedOutput::Document {
                        title: "báo cáo kết quả".into(),
                    },
                    source: "Kết luận Hội nghị BCH Đảng bộ huyện lần thứ 15".into(),
                    period: None,
                    provenance: Provenance::Manual,
                },
                "vp",
            )
            .expect("add task");
        let events: Vec<TaskEvent> = match i % 5 {
            0 => vec![],
            1 => vec![report("2023-05-02", TaskStatus::InProgress, "đang làm")],
            2 => vec![
                report("2023-05-02", TaskStatus::InProgress, "đang làm"),
                report("2023-05-20", TaskStatus::InProgress, "đã đạt một nửa"),
            ],
            3 => vec![
                report("2023-06-20", TaskStatus::Completed, "xong"),
                TaskEvent::Review(Review::Confirm {
                    on: date("2023-06-25"),
                    note: "đạt".into(),
                }),
            ],
            _ => vec![
                report("2023-06-20", TaskStatus::Completed, "xong"),
                TaskEvent::Review(Review::Return {
                    on: date("2023-06-25"),
                    reason: "thiếu hồ sơ".into(),
                }),
            ],
        };
        for e in &events {
            store
                .add_task_event(id, e, Some(lead), "tc")
                .expect("add event");
        }
        ids.push(id);
    }

    let per_task: Vec<_> = ids
        .iter()
        .map(|id| store.task(*id).expect("task"))
        .collect();
    let all = store.tasks(&TaskFilter::default()).expect("tasks");
    assert_eq!(all.len(), 300);
    assert_eq!(all, per_task);
    let with_events = all.iter().filter(|t| !t.events.is_empty()).count();
    assert_eq!(with_events, 240);
    assert_eq!(all.iter().map(|t| t.events.len()).sum::<usize>(), 420);

    // A filtered list is the same tasks as filtering the per-task reads.
    let filter = TaskFilter {
        lead: Some(leads[1]),
        due_to: Some(date("2023-06-30")),
        ..TaskFilter::default()
    };
    let some = store.tasks(&filter).expect("filtered tasks");
    let expected: Vec<_> = per_task
        .iter()
        .filter(|t| t.task.lead == leads[1] && t.task.deadline.date() <= date("2023-06-30"))
        .cloned()
        .collect();
    assert_eq!(some.len(), 50);
    assert_eq!(some, expected);
}
