//! The JSON API for reviewing the key tasks proposed from a document, against the real server
//! on a temporary SQLite database: `GET /api/v1/documents/{id}/tasks` and
//! `POST /api/v1/documents/{id}/tasks/{proposal}` with a bearer token; the page's roles and
//! scope rules; errors as JSON; listed in the OpenAPI document.

mod common;

use chitieu_core::figure::Provenance;
use chitieu_core::indicator::Catalog;
use chitieu_core::task::TaskField;
use chitieu_store::accounts::Role;
use chitieu_store::documents::ProposalState;
use chitieu_store::{NoProgress, SqliteStore, Store, TaskStore};
use common::{Client, Resp, config, create_accounts, serve};
use serde_json::json;

/// A conference article of Hữu Lũng with two key tasks for quý II/2023.
const ARTICLE: &str = "Ngày 7/4/2023, Huyện ủy Hữu Lũng tổ chức hội nghị sơ kết quý I/2023.\nCác đại biểu thống nhất các nhiệm vụ trọng tâm quý II/2023 với các nội dung: tập trung đẩy mạnh thu ngân sách; thực hiện tốt công tác giáo dục chính trị tư tưởng cho đảng viên.\n";

/// A client that calls the API with a token made by `user`.
fn api_client(addr: std::net::SocketAddr, user: &str) -> Client {
    let mut browser = Client::login_at(addr, user);
    let mut api = Client::at(addr);
    api.bearer = Some(browser.api_token());
    api
}

fn message(r: &Resp) -> String {
    r.json()["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn task_proposals_are_reviewed_through_the_api() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("task_review_api.db");
    let mut s = SqliteStore::open(&path).expect("open");
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = chrono::NaiveDate::from_ymd_opt(2023, 4, 7).expect("day");
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    let huu_lung = s
        .resolve_unit("huyện Hữu Lũng, tỉnh Lạng Sơn", on)
        .expect("district")
        .unit;
    let bac_son = s
        .resolve_unit("huyện Bắc Sơn, tỉnh Lạng Sơn", on)
        .expect("district")
        .unit;
    create_accounts(
        &mut s,
        &[
            ("vanphong", Role::Office, vec![province]),
            ("vanphong.bs", Role::Office, vec![bac_son]),
            ("baocao.hl", Role::Reporter, vec![huu_lung]),
        ],
    );
    drop(s);
    let addr = serve(config(&path));
    let mut office = api_client(addr, "vanphong");
    let mut elsewhere = api_client(addr, "vanphong.bs");
    let mut reporter = api_client(addr, "baocao.hl");

    // The OpenAPI document lists both operations.
    let doc = Client::at(addr).get("/api/openapi.json").json();
    assert!(doc["paths"]["/api/v1/documents/{id}/tasks"]["get"].is_object());
    let post = &doc["paths"]["/api/v1/documents/{id}/tasks/{proposal}"]["post"];
    assert!(post.is_object(), "{doc}");
    assert_eq!(post["parameters"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["example"]["decision"],
        "accept"
    );

    // The office stores the article; its two tasks are proposed.
    let r = office.post_json(
        "/api/v1/documents",
        &json!({"name": "hl.txt", "text": ARTICLE, "unit": "huyện Hữu Lũng, tỉnh Lạng Sơn"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let added = r.json();
    assert_eq!(added["added"]["tasks"], 2, "{added}");
    let id = added["added"]["id"].as_i64().expect("document id");
    let list_url = format!("/api/v1/documents/{id}/tasks");

    let r = office.get(&list_url);
    assert_eq!(r.status, 200, "{}", r.body);
    let list = r.json();
    assert_eq!(list["document"]["name"], "hl.txt");
    assert_eq!(list["pending"], 2);
    let props = list["proposals"].as_array().expect("proposals").clone();
    assert_eq!(props.len(), 2, "{list}");
    assert_eq!(
        props[0]["proposed"]["text"],
        "tập trung đẩy mạnh thu ngân sách"
    );
    assert_eq!(props[0]["state"], "proposed");
    assert_eq!(props[0]["state_vi"], ProposalState::Proposed.vi());
    assert_eq!(props[0]["proposed"]["field"], "economy");
    assert_eq!(props[0]["lead_guess"]["id"], huu_lung.0, "{list}");
    let first = props[0]["id"].as_i64().expect("id");
    let second = props[1]["id"].as_i64().expect("id");
    let decide = |p: i64| format!("/api/v1/documents/{id}/tasks/{p}");

    // Who may not: no token, a reporter, a browser session without the anti-forgery header,
    // an office whose scope does not hold the lead unit or the document's unit.
    let r = Client::at(addr).get(&list_url);
    assert_eq!(r.status, 401);
    assert!(!message(&r).is_empty());
    let r = reporter.get(&list_url);
    assert_eq!(r.status, 403, "{}", r.body);
    let r = reporter.post_json(&decide(first), &json!({"decision": "accept"}), None);
    assert_eq!(r.status, 403, "{}", r.body);
    let mut browser = Client::login_at(addr, "vanphong");
    let r = browser.post_json(&decide(first), &json!({"decision": "reject"}), None);
    assert_eq!(r.status, 403, "{}", r.body);
    for decision in ["accept", "reject"] {
        let r = elsewhere.post_json(&decide(first), &json!({"decision": decision}), None);
        assert_eq!(r.status, 403, "{decision}: {}", r.body);
        assert!(message(&r).contains("ngoài phạm vi"), "{}", r.body);
    }
    // Bad requests, answered as JSON and storing nothing.
    let cases = [
        (json!({"decision": "maybe"}), 400, "'maybe'"),
        (
            json!({"decision": "accept", "field": "thể thao"}),
            400,
            "lĩnh vực",
        ),
        (
            json!({"decision": "accept", "deadline": "sang năm"}),
            400,
            "thời hạn",
        ),
        (
            json!({"decision": "accept", "lead": 999999999}),
            404,
            "999999999",
        ),
    ];
    for (body, status, words) in &cases {
        let r = office.post_json(&decide(first), body, None);
        assert_eq!(r.status, *status, "{body}: {}", r.body);
        assert!(message(&r).contains(words), "{body}: {}", r.body);
    }
    let r = office.post_json(
        &format!("/api/v1/documents/{}/tasks/{first}", id + 1000),
        &json!({"decision": "reject"}),
        None,
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(office.get(&list_url).json()["pending"], 2);

    // Accept the first with corrections; it becomes a task citing the article's characters.
    let r = office.post_json(
        &decide(first),
        &json!({
            "decision": "accept",
            "text": "tập trung đẩy mạnh thu ngân sách nhà nước",
            "field": "kinh tế",
            "lead": huu_lung.0,
            "deadline": "30/6/2023",
            "note": "đã sửa lời văn",
        }),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let accepted = r.json();
    assert_eq!(accepted["state"], "accepted", "{accepted}");
    assert_eq!(accepted["reviewed_by"], "web:vanphong");
    assert_eq!(accepted["review_note"], "đã sửa lời văn");
    let task_id = accepted["task"].as_i64().expect("task id");
    assert_eq!(accepted["created_task"]["id"], task_id);
    assert_eq!(
        accepted["created_task"]["text"],
        "tập trung đẩy mạnh thu ngân sách nhà nước"
    );
    let stored = SqliteStore::open(&path)
        .expect("open")
        .task(task_id)
        .expect("task");
    assert_eq!(stored.task.lead, huu_lung);
    assert_eq!(stored.task.field, TaskField::Economy);
    assert_eq!(stored.task.deadline.date().to_string(), "2023-06-30");
    let span = (
        props[0]["proposed"]["span"][0].as_u64().expect("start") as usize,
        props[0]["proposed"]["span"][1].as_u64().expect("end") as usize,
    );
    assert!(
        matches!(stored.task.provenance, Provenance::Document { document, start, end, .. }
            if document == id && (start, end) == span),
        "{:?}",
        stored.task.provenance
    );

    // Reject the second; deciding it again is a conflict (409) naming who decided it.
    let r = office.post_json(
        &decide(second),
        &json!({"decision": "reject", "note": "không phải nhiệm vụ của huyện"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["state"], "rejected");
    assert!(r.json()["task"].is_null());
    for decision in ["accept", "reject"] {
        let r = office.post_json(&decide(second), &json!({"decision": decision}), None);
        assert_eq!(r.status, 409, "{decision}: {}", r.body);
        let m = message(&r);
        assert!(
            m.contains("đã được quyết định") && m.contains("đã loại") && m.contains("vanphong"),
            "{}",
            r.body
        );
    }

    let list = office.get(&list_url).json();
    assert_eq!(list["pending"], 0);
    let states: Vec<&str> = list["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .map(|p| p["state"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(states, ["accepted", "rejected"]);
}
