//! A document, its proposed facts and its proposed key tasks are stored in one transaction on
//! every backend (see `backend/mod.rs`): all of them, or none when one task is refused.

#[macro_use]
mod backend;

use chitieu_core::Decimal;
use chitieu_core::task::{ProposedTask, TaskField};
use chitieu_store::documents::{DocumentStore, NewDocument, NewDocumentTask, NewProposal};
use chitieu_store::{Store, StoreError, TaskStore};
use std::str::FromStr;

for_each_backend!(
    a_document_and_its_tasks_are_stored_together_once,
    a_refused_task_leaves_neither_the_document_nor_any_proposal,
    a_document_stored_before_tasks_gets_them_once,
);

const TEXT: &str = "Năm 2023, thu ngân sách đạt 120 tỷ đồng. Các đại biểu thống nhất nhiệm vụ: tập trung chỉ đạo thu ngân sách; giải phóng mặt bằng.";

fn span(needle: &str) -> (usize, usize) {
    let start = TEXT.find(needle).expect("needle");
    let s = TEXT[..start].chars().count();
    (s, s + needle.chars().count())
}

fn doc() -> NewDocument {
    NewDocument {
        name: "hl.txt".into(),
        original: TEXT.into(),
        document_date: None,
        unit: None,
        extractor: "test".into(),
        extraction: serde_json::json!({}),
        proposals: vec![NewProposal {
            fact: serde_json::json!({"text": "120 tỷ đồng"}),
            indicator: None,
            measure: "actual".into(),
            value: Decimal::from_str("120").expect("decimal"),
            period: None,
            unit: None,
            span: span("120 tỷ đồng"),
        }],
    }
}

fn task(text: &str, span: (usize, usize)) -> NewDocumentTask {
    NewDocumentTask {
        extractor: "tasks-v1".into(),
        proposed: ProposedTask {
            text: text.into(),
            field: Some(TaskField::Economy),
            lead_name: None,
            deadline: None,
            period: None,
            span,
        },
    }
}

fn good_tasks() -> Vec<NewDocumentTask> {
    ["tập trung chỉ đạo thu ngân sách", "giải phóng mặt bằng"]
        .iter()
        .map(|t| task(t, span(t)))
        .collect()
}

fn audit_actions(store: &impl Store) -> Vec<String> {
    let mut a: Vec<String> = store
        .audit_log(1000)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    a.sort();
    a
}

fn a_document_and_its_tasks_are_stored_together_once<S: Store + DocumentStore + TaskStore>(
    mut store: S,
) {
    let before = audit_actions(&store);
    let added = store
        .add_document_with_tasks(&doc(), &good_tasks(), "ingest")
        .unwrap();
    assert!(added.new);
    assert_eq!((added.proposals, added.tasks), (1, 2));
    let props = store.task_proposals(Some(added.id), None).unwrap();
    let texts: Vec<&str> = props.iter().map(|p| p.proposed.text.as_str()).collect();
    assert_eq!(
        texts,
        ["tập trung chỉ đạo thu ngân sách", "giải phóng mặt bằng"]
    );
    assert_eq!(store.proposals(Some(added.id), None).unwrap().len(), 1);
    // Audited: the document and each task proposal.
    let mut expected = before.clone();
    expected.extend(["document.add", "task.propose", "task.propose"].map(String::from));
    expected.sort();
    assert_eq!(audit_actions(&store), expected);
    // The same text again (in another normalization too) adds nothing.
    let decomposed: String = unicode_nfd(TEXT);
    for original in [TEXT.to_string(), decomposed] {
        let again = store
            .add_document_with_tasks(&NewDocument { original, ..doc() }, &good_tasks(), "ingest")
            .unwrap();
        assert_eq!(
            (again.id, again.new, again.proposals, again.tasks),
            (added.id, false, 0, 0)
        );
    }
    assert_eq!(store.task_proposals(None, None).unwrap().len(), 2);
    assert_eq!(store.documents().unwrap().len(), 1);
    assert_eq!(audit_actions(&store), expected);
}

/// A decomposed form of the text (Vietnamese letters with their marks apart).
fn unicode_nfd(s: &str) -> String {
    s.replace('ố', "o\u{302}\u{301}").replace('ạ', "a\u{323}")
}

fn a_refused_task_leaves_neither_the_document_nor_any_proposal<
    S: Store + DocumentStore + TaskStore,
>(
    mut store: S,
) {
    let len = TEXT.chars().count();
    // (the bad second task, what the error says)
    let cases: [(NewDocumentTask, &str); 3] = [
        (
            task("giải phóng mặt bằng", (len - 5, len + 10)),
            "nằm ngoài văn bản",
        ),
        (task("giải phóng mặt bằng", (40, 30)), "đoạn ký tự 40..30"),
        (task("   ", (10, 12)), "cần có nội dung"),
    ];
    let before = audit_actions(&store);
    for (bad, says) in cases {
        let tasks = vec![good_tasks().remove(0), bad.clone()];
        let err = store
            .add_document_with_tasks(&doc(), &tasks, "ingest")
            .unwrap_err();
        assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("nhiệm vụ đề xuất thứ 2"), "{msg}");
        assert!(msg.contains(bad.proposed.text.trim()), "{msg}");
        assert!(msg.contains(says), "{msg}");
        assert!(store.documents().unwrap().is_empty());
        assert!(store.proposals(None, None).unwrap().is_empty());
        assert!(store.task_proposals(None, None).unwrap().is_empty());
        assert_eq!(audit_actions(&store), before);
    }
    // Ingesting again with good tasks stores everything.
    let added = store
        .add_document_with_tasks(&doc(), &good_tasks(), "ingest")
        .unwrap();
    assert!(added.new);
    assert_eq!(store.task_proposals(Some(added.id), None).unwrap().len(), 2);
}

fn a_document_stored_before_tasks_gets_them_once<S: Store + DocumentStore + TaskStore>(
    mut store: S,
) {
    let first = store.add_document(&doc(), "ingest").unwrap();
    assert_eq!((first.new, first.tasks), (true, 0));
    let again = store
        .add_document_with_tasks(&doc(), &good_tasks(), "ingest")
        .unwrap();
    assert_eq!((again.id, again.new, again.tasks), (first.id, false, 2));
    // Its facts were not proposed twice, and the tasks only once.
    assert_eq!(store.proposals(None, None).unwrap().len(), 1);
    let third = store
        .add_document_with_tasks(&doc(), &good_tasks(), "ingest")
        .unwrap();
    assert_eq!(third.tasks, 0);
    assert_eq!(store.task_proposals(None, None).unwrap().len(), 2);
}
