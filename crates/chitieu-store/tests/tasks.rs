//! Storage of key tasks and NTM criterion states, on every backend (see `backend/mod.rs`).

#[macro_use]
mod backend;

use chitieu_core::admin::UnitId;
use chitieu_core::figure::Provenance;
use chitieu_core::ntm::{CommuneCriteria, CriterionState, Evidence, NtmLevel};
use chitieu_core::period::Period;
use chitieu_core::task::{
    Deadline, ExpectedOutput, ProgressReport, ProposedTask, Review, Task, TaskEvent, TaskField,
    TaskStatus,
};
use chitieu_store::documents::{DocumentStore, NewDocument, ProposalState};
use chitieu_store::tasks::{NewTaskProposal, StoredTask, TaskDecision, TaskFilter};
use chitieu_store::{NtmStore, Store, StoreError, TaskStore};
use chrono::NaiveDate;
use std::str::FromStr;

for_each_backend!(
    a_task_goes_from_report_to_confirmation,
    a_review_needs_a_completion_and_a_return_reopens,
    tasks_are_listed_by_lead_field_and_deadline,
    proposed_tasks_are_accepted_or_rejected_once,
    ntm_states_are_replaced_audited_and_stored_whole,
    a_new_commune_reads_its_predecessors_records,
);

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn unit(store: &impl Store, name: &str, on: &str) -> UnitId {
    store.resolve_unit(name, date(on)).expect("unit").unit
}

fn task(lead: UnitId, text: &str, field: TaskField, deadline: &str) -> Task {
    Task {
        text: text.into(),
        field,
        lead,
        cooperating: vec![],
        deadline: Deadline::parse(deadline).expect("deadline"),
        output: ExpectedOutput::Document {
            title: "báo cáo kết quả".into(),
        },
        source: "Kết luận Hội nghị BCH Đảng bộ huyện lần thứ 15".into(),
        period: Some(Period::from_str("2023-Q2").expect("period")),
        provenance: Provenance::Manual,
    }
}

fn report(on: &str, status: TaskStatus) -> TaskEvent {
    TaskEvent::Report(ProgressReport {
        reported_on: date(on),
        status,
        completed_on: None,
        note: "đã triển khai".into(),
    })
}

/// The lead unit's progress report on `on`, sent by its official `tc`.
fn report_as_lead<S: TaskStore>(
    store: &mut S,
    id: i64,
    lead: UnitId,
    on: &str,
    status: TaskStatus,
) -> chitieu_store::Result<StoredTask> {
    store.add_task_event(id, &report(on, status), Some(lead), "tc")
}

/// The office's (`vp`) review of a reported completion.
fn review_as_office<S: TaskStore>(
    store: &mut S,
    id: i64,
    review: Review,
) -> chitieu_store::Result<StoredTask> {
    store.add_task_event(id, &TaskEvent::Review(review), None, "vp")
}

fn a_task_goes_from_report_to_confirmation<S: Store + TaskStore>(mut store: S) {
    let lead = unit(&store, "huyện Hữu Lũng", "2023-04-07");
    let id = store
        .add_task(
            &task(
                lead,
                "đẩy mạnh công tác thu ngân sách",
                TaskField::Economy,
                "2023-06-30",
            ),
            "vp",
        )
        .unwrap();
    let t = report_as_lead(&mut store, id, lead, "2023-05-02", TaskStatus::InProgress).unwrap();
    assert_eq!(t.state(date("2023-05-03")).status, TaskStatus::InProgress);
    report_as_lead(&mut store, id, lead, "2023-06-28", TaskStatus::Completed).unwrap();
    let t = review_as_office(
        &mut store,
        id,
        Review::Confirm {
            on: date("2023-07-02"),
            note: String::new(),
        },
    )
    .unwrap();
    let s = t.state(date("2023-07-10"));
    assert_eq!(s.status, TaskStatus::Completed);
    assert!(s.confirmed);
    assert_eq!(t.events.len(), 3);
    assert_eq!(t.events[0].unit, Some(lead));
    // Nothing follows a confirmation, and a refused event stores nothing.
    let err =
        report_as_lead(&mut store, id, lead, "2023-07-05", TaskStatus::InProgress).unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert_eq!(store.task(id).unwrap().events.len(), 3);
    let log = store.audit_log(10).unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        &actions[..4],
        &["task.confirm", "task.report", "task.report", "task.add"]
    );
    assert_eq!(store.task(id).unwrap(), t);
}

fn a_review_needs_a_completion_and_a_return_reopens<S: Store + TaskStore>(mut store: S) {
    let lead = unit(&store, "huyện Hữu Lũng", "2023-04-07");
    let id = store
        .add_task(
            &task(
                lead,
                "giải phóng mặt bằng",
                TaskField::Economy,
                "quý II/2023",
            ),
            "vp",
        )
        .unwrap();
    let confirm = Review::Confirm {
        on: date("2023-05-01"),
        note: String::new(),
    };
    let err = review_as_office(&mut store, id, confirm).unwrap_err();
    assert!(err.to_string().contains("no reported completion"), "{err}");
    report_as_lead(&mut store, id, lead, "2023-06-20", TaskStatus::Completed).unwrap();
    let t = review_as_office(
        &mut store,
        id,
        Review::Return {
            on: date("2023-06-22"),
            reason: "chưa bàn giao mặt bằng".into(),
        },
    )
    .unwrap();
    let s = t.state(date("2023-06-23"));
    assert_eq!(s.status, TaskStatus::InProgress);
    assert_eq!(s.returned.as_deref(), Some("chưa bàn giao mặt bằng"));
    assert_eq!(t.state(date("2023-07-01")).status, TaskStatus::Overdue);
    assert!(matches!(
        store.task(9999).unwrap_err(),
        StoreError::NotFound { .. }
    ));
}

fn tasks_are_listed_by_lead_field_and_deadline<S: Store + TaskStore>(mut store: S) {
    let huu_lung = unit(&store, "huyện Hữu Lũng", "2023-04-07");
    let bac_son = unit(&store, "huyện Bắc Sơn", "2022-06-15");
    store
        .add_task(
            &task(huu_lung, "thu ngân sách", TaskField::Economy, "2023-06-30"),
            "vp",
        )
        .unwrap();
    store
        .add_task(
            &task(
                huu_lung,
                "giáo dục chính trị tư tưởng",
                TaskField::PartyBuilding,
                "2023-12-31",
            ),
            "vp",
        )
        .unwrap();
    let mut t = task(
        bac_son,
        "xây dựng nông thôn mới",
        TaskField::Economy,
        "2022-12-31",
    );
    t.cooperating = vec![huu_lung];
    store.add_task(&t, "vp").unwrap();
    let all = store.tasks(&TaskFilter::default()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].task.cooperating, vec![huu_lung]);
    let by_lead = store
        .tasks(&TaskFilter {
            lead: Some(huu_lung),
            ..TaskFilter::default()
        })
        .unwrap();
    assert_eq!(by_lead.len(), 2);
    let econ_2023 = store
        .tasks(&TaskFilter {
            field: Some(TaskField::Economy),
            due_from: Some(date("2023-01-01")),
            due_to: Some(date("2023-12-31")),
            ..TaskFilter::default()
        })
        .unwrap();
    assert_eq!(econ_2023.len(), 1);
    assert_eq!(econ_2023[0].task.text, "thu ngân sách");
    // A task whose lead unit does not exist is refused.
    let err = store
        .add_task(
            &task(UnitId(-5), "x", TaskField::Economy, "2023-06-30"),
            "vp",
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NoSuchUnit(_)), "{err}");
    let err = store
        .add_task(
            &task(huu_lung, "  ", TaskField::Economy, "2023-06-30"),
            "vp",
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert_eq!(store.tasks(&TaskFilter::default()).unwrap().len(), 3);
}

fn proposed_tasks_are_accepted_or_rejected_once<S: Store + DocumentStore + TaskStore>(
    mut store: S,
) {
    let text =
        "Các đại biểu thống nhất nhiệm vụ: tập trung chỉ đạo thu ngân sách; giải phóng mặt bằng.";
    let doc = store
        .add_document(
            &NewDocument {
                name: "hl.txt".into(),
                original: text.into(),
                document_date: Some(date("2023-04-07")),
                unit: None,
                extractor: "test".into(),
                extraction: serde_json::json!({}),
                proposals: vec![],
            },
            "vp",
        )
        .unwrap()
        .id;
    let span = |needle: &str| {
        let start = text.find(needle).expect("needle");
        let s = text[..start].chars().count();
        (s, s + needle.chars().count())
    };
    let propose = |t: &str| NewTaskProposal {
        document: doc,
        extractor: "tasks-v1".into(),
        proposed: ProposedTask {
            text: t.into(),
            field: Some(TaskField::Economy),
            lead_name: None,
            deadline: None,
            period: None,
            span: span(t),
        },
    };
    let a = store
        .propose_task(&propose("tập trung chỉ đạo thu ngân sách"), "ingest")
        .unwrap();
    let b = store
        .propose_task(&propose("giải phóng mặt bằng"), "ingest")
        .unwrap();
    let mut bad = propose("giải phóng mặt bằng");
    bad.proposed.span = (80, 500);
    assert!(matches!(
        store.propose_task(&bad, "ingest").unwrap_err(),
        StoreError::Refused(_)
    ));
    let pending = store
        .task_proposals(Some(doc), Some(ProposalState::Proposed))
        .unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].proposed.text, "tập trung chỉ đạo thu ngân sách");

    let lead = unit(&store, "huyện Hữu Lũng", "2023-04-07");
    let accepted = store
        .review_task_proposal(
            a,
            &TaskDecision::Accept(task(
                lead,
                "tập trung chỉ đạo thu ngân sách",
                TaskField::Economy,
                "quý II/2023",
            )),
            Some("ok"),
            "vp",
        )
        .unwrap();
    assert_eq!(accepted.state, ProposalState::Accepted);
    let t = store.task(accepted.task.expect("task id")).unwrap();
    assert_eq!(
        t.task.provenance,
        Provenance::Document {
            document: doc,
            start: span("tập trung chỉ đạo thu ngân sách").0,
            end: span("tập trung chỉ đạo thu ngân sách").1,
            extractor: "tasks-v1".into(),
        }
    );
    let from_doc = store
        .tasks(&TaskFilter {
            document: Some(doc),
            ..TaskFilter::default()
        })
        .unwrap();
    assert_eq!(from_doc.len(), 1);
    let err = store
        .review_task_proposal(a, &TaskDecision::Reject, None, "vp")
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyReviewed { .. }), "{err}");
    let rejected = store
        .review_task_proposal(b, &TaskDecision::Reject, Some("trùng"), "vp")
        .unwrap();
    assert_eq!(rejected.state, ProposalState::Rejected);
    assert_eq!(rejected.task, None);
    assert_eq!(store.task_proposal(b).unwrap(), rejected);
}

fn record(commune: UnitId, year: i32, met: &[(u32, bool)]) -> CommuneCriteria {
    CommuneCriteria {
        commune,
        year,
        set: "318-2021".into(),
        level: NtmLevel::Standard,
        states: met
            .iter()
            .map(|&(criterion, met)| CriterionState {
                criterion,
                met,
                evidence: Evidence {
                    text: format!("tiêu chí {criterion}"),
                    document: None,
                    figure: None,
                },
            })
            .collect(),
    }
}

fn ntm_states_are_replaced_audited_and_stored_whole<S: Store + NtmStore>(mut store: S) {
    let vu_son = unit(&store, "xã Vũ Sơn, huyện Bắc Sơn", "2022-06-15");
    let n = store
        .set_ntm_states(
            &[record(vu_son, 2022, &[(1, true), (2, false), (3, true)])],
            "ntm",
        )
        .unwrap();
    assert_eq!(n, 3);
    store
        .set_ntm_states(&[record(vu_son, 2022, &[(2, true)])], "ntm")
        .unwrap();
    let recs = store
        .ntm_records(&[vu_son], Some(2022), None, None)
        .unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].met_count(), 3);
    assert_eq!(recs[0].states[1].evidence.text, "tiêu chí 2");
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "ntm.set");
    assert_eq!(log[0].detail["before"], serde_json::json!(false));
    // One unknown commune: nothing of the batch is stored.
    let err = store
        .set_ntm_states(
            &[
                record(vu_son, 2023, &[(1, true)]),
                record(UnitId(-1), 2023, &[(1, true)]),
            ],
            "ntm",
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NoSuchUnit(_)), "{err}");
    assert!(
        store
            .ntm_records(&[vu_son], Some(2023), None, None)
            .unwrap()
            .is_empty()
    );
}

fn a_new_commune_reads_its_predecessors_records<S: Store + NtmStore>(mut store: S) {
    // xã Vũ Sơn (Bắc Sơn) became part of xã Vũ Lễ on 1 July 2025.
    let vu_son = unit(&store, "xã Vũ Sơn, huyện Bắc Sơn", "2022-06-15");
    let vu_le = unit(&store, "xã Vũ Lễ", "2025-07-01");
    assert_ne!(vu_son, vu_le);
    store
        .set_ntm_states(&[record(vu_son, 2024, &[(1, true), (2, true)])], "ntm")
        .unwrap();
    store
        .set_ntm_states(&[record(vu_le, 2025, &[(1, false)])], "ntm")
        .unwrap();
    let preds = store.predecessors(vu_le).unwrap();
    assert!(preds.iter().any(|s| s.from == vu_son), "{preds:?}");
    assert!(preds.iter().all(|s| s.date == date("2025-07-01")));
    let from: Vec<UnitId> = preds.iter().map(|s| s.from).collect();
    let old = store.ntm_records(&from, None, None, None).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].commune, vu_son);
    assert_eq!(old[0].met_count(), 2);
    // The new commune's own history starts apart.
    let own = store.ntm_records(&[vu_le], None, None, None).unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].year, 2025);
}

/// Tasks, their events and NTM states copy to PostgreSQL and back row for row (the tables are
/// in `transfer`'s list), and read back the same through the interfaces.
#[test]
fn tasks_and_ntm_states_survive_a_copy_between_backends() {
    use chitieu_store::AnyStore;
    use chitieu_store::transfer::{checksums, copy};
    let Some((_schema, pg)) = backend::postgres("tasks_transfer", false) else {
        return;
    };
    let (_d, mut src) = backend::sqlite(true);
    let lead = unit(&src, "huyện Hữu Lũng", "2023-04-07");
    let id = src
        .add_task(
            &task(lead, "thu ngân sách", TaskField::Economy, "2023-06-30"),
            "vp",
        )
        .unwrap();
    report_as_lead(&mut src, id, lead, "2023-06-20", TaskStatus::Completed).unwrap();
    let vu_son = unit(&src, "xã Vũ Sơn, huyện Bắc Sơn", "2022-06-15");
    src.set_ntm_states(&[record(vu_son, 2022, &[(1, true), (2, false)])], "ntm")
        .unwrap();
    let src = AnyStore::Sqlite(src);
    let mut pg = AnyStore::Postgres(Box::new(pg));
    let report = copy(&src, &mut pg, &mut |_, _| {}).expect("copy");
    assert_eq!(report.tables, checksums(&src).expect("sums"));
    for (table, rows) in [("task", 1), ("task_event", 1), ("ntm_state", 2)] {
        let t = report
            .tables
            .iter()
            .find(|t| t.table == table)
            .unwrap_or_else(|| panic!("{table} is not copied"));
        assert_eq!(t.rows, rows, "{table}");
    }
    assert_eq!(pg.task(id).unwrap(), src.task(id).unwrap());
    assert_eq!(
        pg.ntm_records(&[vu_son], None, None, None).unwrap(),
        src.ntm_records(&[vu_son], None, None, None).unwrap()
    );
}

/// Several offices reviewing the same reported completion at once on PostgreSQL, each on its
/// own connection: the task's row lock orders them, exactly one decision is stored, and the
/// others are refused with the reason (or told to retry), never both a confirmation and a
/// return.
#[test]
fn concurrent_reviews_of_one_task_store_exactly_one_on_postgres() {
    use chitieu_store::PgStore;
    let Some((schema, mut store)) = backend::postgres("tasks_concurrent", true) else {
        return;
    };
    let lead = unit(&store, "huyện Hữu Lũng", "2023-04-07");
    let id = store
        .add_task(
            &task(lead, "thu ngân sách", TaskField::Economy, "2023-06-30"),
            "vp",
        )
        .unwrap();
    report_as_lead(&mut store, id, lead, "2023-06-20", TaskStatus::Completed).unwrap();
    const REVIEWERS: usize = 8;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(REVIEWERS));
    let handles: Vec<_> = (0..REVIEWERS)
        .map(|i| {
            let (url, name) = (schema.url.clone(), schema.name.clone());
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut s = PgStore::open_in_schema(&url, Some(&name)).expect("open");
                let review = if i % 2 == 0 {
                    Review::Confirm {
                        on: date("2023-06-25"),
                        note: format!("office {i}"),
                    }
                } else {
                    Review::Return {
                        on: date("2023-06-25"),
                        reason: format!("office {i}"),
                    }
                };
                barrier.wait();
                s.add_task_event(id, &TaskEvent::Review(review), None, &format!("office-{i}"))
                    .map(|_| ())
            })
        })
        .collect();
    let mut ok = 0;
    for h in handles {
        match h.join().expect("reviewer thread") {
            Ok(()) => ok += 1,
            Err(StoreError::Refused(_)) | Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one review is stored");
    let t = store.task(id).unwrap();
    assert_eq!(t.events.len(), 2);
}
