//! Follow-ups of key tasks on the real binary and a temporary database: `chitieu ingest` says
//! how many task proposals it added (also for a text stored before without any), and
//! `chitieu tasks list` shows where each task came from.

mod common;

use chitieu_store::SqliteStore;
use chitieu_store::documents::{DocumentStore, NewDocument};
use common::Env;
use std::path::Path;

impl Env {
    /// Writes `text` to the file `name` in the test's directory; its path.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write text");
        path.to_string_lossy().to_string()
    }
}

/// A conference article with two key tasks for quý II/2023.
const WITH_TASKS: &str = "Ngày 7/4/2023, Huyện ủy Hữu Lũng tổ chức hội nghị sơ kết quý I/2023.\nCác đại biểu thống nhất các nhiệm vụ trọng tâm quý II/2023 với các nội dung: tập trung đẩy mạnh thu ngân sách; thực hiện tốt công tác giáo dục chính trị tư tưởng cho đảng viên.\n";

/// A short report with no task in it.
const WITHOUT_TASKS: &str =
    "Ngày 10/4/2023, huyện Hữu Lũng tổ chức lễ phát động Tết trồng cây tại xã Minh Sơn.\n";

/// The ids of the pending task proposals in `chitieu review --tasks`.
fn pending(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter(|l| l.contains("[chờ duyệt]"))
        .filter_map(|l| Some(l.split('#').nth(1)?.split_whitespace().next()?.to_string()))
        .collect()
}

/// Stores `text` as a document the way an older chitieu did: with no task proposals.
fn store_without_tasks(db: &Path, name: &str, text: &str) -> i64 {
    let mut store = SqliteStore::open(db).expect("open database");
    let added = store
        .add_document(
            &NewDocument {
                name: name.into(),
                original: text.into(),
                document_date: None,
                unit: None,
                extractor: "older".into(),
                extraction: serde_json::Value::Null,
                proposals: vec![],
            },
            "older",
        )
        .expect("store the document");
    assert!(added.new && added.tasks == 0);
    added.id
}

#[test]
fn ingest_says_how_many_task_proposals_it_added() {
    let env = Env::new();
    // A new document: its figures and its tasks are counted.
    let hl = env.file("hl.txt", WITH_TASKS);
    let out = env.ok(&["ingest", &hl]);
    assert!(out.contains("hl.txt: văn bản #1 — "), "{out}");
    assert!(
        out.contains("2 nhiệm vụ đề xuất chờ duyệt (chitieu review --tasks --document 1)"),
        "{out}"
    );
    // A new document without tasks says so too.
    let tree = env.file("cay.txt", WITHOUT_TASKS);
    let out = env.ok(&["ingest", &tree]);
    assert!(out.contains("cay.txt: văn bản #2 — "), "{out}");
    assert!(out.contains("  0 nhiệm vụ đề xuất."), "{out}");
    // The same text again: nothing is added, and the message says only that.
    let out = env.ok(&["ingest", &hl]);
    assert!(out.contains("đã có (văn bản #1), không nạp lại."), "{out}");
    assert!(!out.contains("nhiệm vụ đề xuất"), "{out}");
    assert_eq!(pending(&env.ok(&["review", "--tasks"])).len(), 2);
}

#[test]
fn ingest_adds_late_task_proposals_once_and_counts_them() {
    let env = Env::new();
    let id = store_without_tasks(&env.db(), "bc.txt", WITH_TASKS);
    assert!(pending(&env.ok(&["review", "--tasks"])).is_empty());

    let bc = env.file("bc.txt", WITH_TASKS);
    let out = env.ok(&["ingest", &bc]);
    assert!(
        out.contains(&format!(
            "đã có (văn bản #{id}), không nạp lại; thêm 2 nhiệm vụ đề xuất chờ duyệt (chitieu review --tasks --document {id})."
        )),
        "{out}"
    );
    assert_eq!(pending(&env.ok(&["review", "--tasks"])).len(), 2);
    // Once: ingesting again adds nothing more.
    let out = env.ok(&["ingest", &bc]);
    assert!(
        out.contains(&format!("đã có (văn bản #{id}), không nạp lại.")),
        "{out}"
    );
    assert!(!out.contains("thêm"), "{out}");
    assert_eq!(pending(&env.ok(&["review", "--tasks"])).len(), 2);
}

#[test]
fn tasks_list_shows_where_each_task_came_from() {
    let env = Env::new();
    let hl = env.file("hl.txt", WITH_TASKS);
    env.ok(&["ingest", &hl]);
    let ids = pending(&env.ok(&["review", "--tasks"]));
    assert_eq!(ids.len(), 2);
    env.ok(&[
        "review",
        "--tasks",
        "--accept",
        &ids[0],
        "--lead",
        "huyện Hữu Lũng",
        "--deadline",
        "30/6/2023",
    ]);
    // The span of the accepted proposal, from the document's text.
    let chars: Vec<char> = WITH_TASKS.chars().collect();
    let item = "tập trung đẩy mạnh thu ngân sách";
    let start = (0..chars.len())
        .find(|&i| {
            chars[i..]
                .iter()
                .take(item.chars().count())
                .collect::<String>()
                == item
        })
        .expect("item in the text");
    let end = start + item.chars().count();

    let long_source = "Kết luận số 125-KL/HU ngày 12/4/2023 của Ban Chấp hành Đảng bộ huyện về nhiệm vụ trọng tâm quý II/2023";
    env.ok(&[
        "tasks",
        "add",
        "--text",
        "rà soát, hoàn thiện hồ sơ xã nông thôn mới",
        "--field",
        "kinh tế",
        "--lead",
        "huyện Hữu Lũng",
        "--deadline",
        "30/06/2023",
        "--output-document",
        "báo cáo kết quả",
        "--source",
        long_source,
    ]);
    env.ok(&[
        "tasks",
        "add",
        "--text",
        "tổ chức hội nghị sơ kết",
        "--field",
        "xây dựng Đảng",
        "--lead",
        "huyện Hữu Lũng",
        "--deadline",
        "30/06/2023",
        "--output-document",
        "báo cáo sơ kết",
    ]);

    let table = env.ok(&["tasks", "list", "--today", "2023-05-01"]);
    let header = table.lines().next().expect("header");
    assert!(header.ends_with("│ nguồn"), "{table}");
    let row = |text: &str| {
        table
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("no row for «{text}»:\n{table}"))
            .to_string()
    };
    // From the document: its file name and characters.
    assert!(
        row(item).ends_with(&format!("│ hl.txt, ký tự {start}–{end}")),
        "{table}"
    );
    // Typed in: the source text, cut short on a word so the table stays readable.
    let typed = row("rà soát, hoàn thiện hồ sơ");
    let cell = typed.rsplit("│ ").next().expect("source cell");
    assert!(cell.ends_with('…'), "{table}");
    assert!(cell.chars().count() <= 48, "{table}");
    assert!(
        long_source.starts_with(cell.trim_end_matches('…')),
        "{table}"
    );
    // No source at all: a dash.
    assert!(row("tổ chức hội nghị sơ kết").ends_with("│ —"), "{table}");
}
