//! Reviewing the key tasks proposed from a document over HTTP, against the real server on a
//! temporary SQLite database: seed 003 uploaded on the documents page proposes its six tasks;
//! the office accepts one (it becomes a task with the article as its source) and rejects one;
//! a reporter, an office outside the unit's scope and a request without the anti-forgery
//! token are refused.

mod common;

use chitieu_core::indicator::Catalog;
use chitieu_store::accounts::Role;
use chitieu_store::documents::ProposalState;
use chitieu_store::{NoProgress, SqliteStore, Store, TaskStore};
use common::{Client, Resp, config, create_accounts, serve};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Fixture {
    addr: SocketAddr,
    path: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("dir").keep();
        let path = dir.join("task_review.db");
        let mut s = SqliteStore::open(&path).expect("open");
        s.init(&Catalog::builtin(), &NoProgress).expect("init");
        let on = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("day");
        let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
        let commune = s.children_on(province, on).expect("communes")[0].unit;
        create_accounts(
            &mut s,
            &[
                ("vanphong", Role::Office, vec![province]),
                ("vanphong.xa", Role::Office, vec![commune]),
                ("xa.a", Role::Reporter, vec![commune]),
            ],
        );
        drop(s);
        let addr = serve(config(&path));
        Fixture { addr, path }
    })
}

impl Client {
    fn login(user: &str) -> Client {
        Client::login_at(fixture().addr, user)
    }
}

/// Seed 003 (Hữu Lũng, quý II/2023) from the development corpus beside the repository.
fn seed_003() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/seeds");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("003_"))
        })
}

/// Uploads a text file on the documents page (multipart, the token in the query as a
/// browser's form would send it in the body); returns the response.
fn upload(c: &mut Client, file_name: &str, text: &str) -> Resp {
    let token = c.csrf("/app/documents");
    let boundary = "----chitieu-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    );
    c.request(
        "POST",
        &format!("/app/documents?_csrf={token}"),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        &body,
        &[],
    )
}

/// The pending proposals' ids on the review page, from their forms, in page order.
fn pending_ids(page: &str, doc: i64) -> Vec<i64> {
    let key = format!("action=\"/app/documents/{doc}/tasks/");
    page.match_indices(&key)
        .filter_map(|(i, _)| {
            let rest = &page[i + key.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

fn store() -> SqliteStore {
    SqliteStore::open(&fixture().path).expect("open")
}

#[test]
fn proposed_tasks_of_seed_003_are_reviewed_on_the_web() {
    let Some(seed) = seed_003() else {
        eprintln!("skipped: ../shared/corpus/seeds is not beside the repository");
        return;
    };
    let text = std::fs::read_to_string(&seed).expect("seed");
    let file_name = seed
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .expect("file name");
    let mut office = Client::login("vanphong");
    let mut office_elsewhere = Client::login("vanphong.xa");
    let mut reporter = Client::login("xa.a");

    // Uploading proposes the figures and the key tasks together; uploading again adds nothing.
    let r = upload(&mut office, &file_name, &text);
    assert_eq!(r.status, 303, "{}", r.body);
    let doc: i64 = r
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/app/documents/"))
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("no document location: {:?}", r.location));
    assert_eq!(
        upload(&mut office, &file_name, &text).location.as_deref(),
        Some(format!("/app/documents/{doc}").as_str())
    );
    let proposals = store().task_proposals(Some(doc), None).expect("proposals");
    assert_eq!(proposals.len(), 6);
    assert!(
        office
            .get(&format!("/app/documents/{doc}"))
            .body
            .contains(&format!("/app/documents/{doc}/tasks"))
    );

    // The review page shows the six, each marked in the text and with its guesses.
    let page = office.get(&format!("/app/documents/{doc}/tasks"));
    assert_eq!(page.status, 200, "{}", page.body);
    let ids = pending_ids(&page.body, doc);
    assert_eq!(ids, proposals.iter().map(|p| p.id).collect::<Vec<_>>());
    assert_eq!(page.body.matches("<mark class=\"proposed\"").count(), 6);
    assert!(page.body.contains("Nhiệm vụ đề xuất"));
    assert!(
        page.body.contains("quý II/2023"),
        "the guessed period is shown"
    );
    assert!(
        page.body.contains("huyện Hữu Lũng"),
        "the guessed lead unit is shown"
    );

    // A reporter may neither see nor decide; no token, no decision; an office whose scope
    // does not hold the lead unit may not accept.
    assert_eq!(
        reporter.get(&format!("/app/documents/{doc}/tasks")).status,
        403
    );
    let token = reporter.csrf("/app/tasks");
    let r = reporter.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[0]),
        &[("_csrf", &token), ("decision", "accept")],
    );
    assert_eq!(r.status, 403);
    let r = office.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[0]),
        &[("decision", "accept")],
    );
    assert_eq!(r.status, 403);
    let token = office_elsewhere.csrf(&format!("/app/documents/{doc}/tasks"));
    let r = office_elsewhere.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[0]),
        &[("_csrf", &token), ("decision", "accept")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = office_elsewhere.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[1]),
        &[("_csrf", &token), ("decision", "reject")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        store()
            .task_proposals(Some(doc), Some(ProposalState::Proposed))
            .expect("pending")
            .len()
            == 6,
        "nothing was decided by the refused requests"
    );

    // The office accepts the first with a corrected deadline and a bad one first.
    let token = office.csrf(&format!("/app/documents/{doc}/tasks"));
    let r = office.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[0]),
        &[
            ("_csrf", &token),
            ("decision", "accept"),
            ("deadline", "ngày mai"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = office.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[0]),
        &[
            ("_csrf", &token),
            ("decision", "accept"),
            ("field", "economy"),
            ("deadline", "31/12/2023"),
            ("lead", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let accepted = store().task_proposal(ids[0]).expect("proposal");
    assert_eq!(accepted.state, ProposalState::Accepted);
    let task_id = accepted.task.expect("the task made");
    let task = store().task(task_id).expect("task");
    assert_eq!(task.task.deadline.date().to_string(), "2023-12-31");
    let (a, b) = accepted.proposed.span;
    assert_eq!(task.task.source, format!("{file_name}, ký tự {a}–{b}"));
    assert_eq!(task.task.text, accepted.proposed.text);

    // It is on the tasks page, and its page names the article as its source.
    let words: String = task.task.text.chars().take(24).collect();
    let list = office.get("/app/tasks");
    assert!(list.body.contains(&format!("/app/tasks/{task_id}")));
    assert!(list.body.contains(&words), "{words}");
    let one = office.get(&format!("/app/tasks/{task_id}"));
    assert!(one.body.contains(&format!("{file_name}, ký tự {a}–{b}")));

    // The office rejects the second; a decided proposal is not decided again.
    let r = office.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[1]),
        &[("_csrf", &token), ("decision", "reject"), ("note", "trùng")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let rejected = store().task_proposal(ids[1]).expect("proposal");
    assert_eq!(rejected.state, ProposalState::Rejected);
    assert_eq!(rejected.review_note.as_deref(), Some("trùng"));
    let r = office.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[1]),
        &[("_csrf", &token), ("decision", "accept")],
    );
    assert!(r.status >= 400, "{}", r.status);

    // The page now shows four pending, one accepted (linked to its task), one rejected.
    let page = office.get(&format!("/app/documents/{doc}/tasks"));
    assert_eq!(pending_ids(&page.body, doc), ids[2..].to_vec());
    assert_eq!(page.body.matches("<mark class=\"accepted\"").count(), 1);
    assert_eq!(page.body.matches("<mark class=\"rejected\"").count(), 1);
    assert!(
        page.body
            .contains(&format!("href=\"/app/tasks/{task_id}\""))
    );
    // Audited.
    let actions: Vec<String> = store()
        .audit_log(100)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "task.propose").count(), 6);
    assert!(actions.iter().any(|a| a == "document.add"));
}
