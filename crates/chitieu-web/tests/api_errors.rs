//! Every `/api/v1` error is JSON in one shape — `{"error": <HTTP reason>, "status": <code>,
//! "message": <Vietnamese (English)>}` with `Content-Type: application/json` — with the right
//! status and a message naming the field, id or value at fault: the older task routes
//! (`POST /api/v1/tasks`, `POST /api/v1/tasks/{id}/progress`), bodies, ids and queries the
//! routes cannot read, unknown routes and methods. A task proposal decided twice, through the
//! API or the page's form, is a 409 naming who decided it (by display name) and when.
//!
//! Against the real server on a temporary SQLite database and, when a server answers, on
//! PostgreSQL (a schema of its own, dropped afterwards).

mod common;

use chitieu_core::admin::UnitId;
use chitieu_core::indicator::Catalog;
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::{AccountStore, NoProgress, PgStore, SqliteStore, Store};
use common::{Client, Resp, Schema, config, csrf_in, postgres_url, serve};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// A conference article of Hữu Lũng with two key tasks for quý II/2023.
const ARTICLE: &str = "Ngày 7/4/2023, Huyện ủy Hữu Lũng tổ chức hội nghị sơ kết quý I/2023.\nCác đại biểu thống nhất các nhiệm vụ trọng tâm quý II/2023 với các nội dung: tập trung đẩy mạnh thu ngân sách; thực hiện tốt công tác giáo dục chính trị tư tưởng cho đảng viên.\n";

/// The office's display name, shown instead of `web:vanphong`.
const OFFICE_NAME: &str = "Nguyễn Thị Lan";

/// The units the accounts act on.
struct Units {
    /// Two communes of Lạng Sơn after the 2025 reform.
    commune_a: UnitId,
    commune_b: UnitId,
}

/// The catalog, the unit list and the accounts, each with its display name.
fn seed(s: &mut (impl Store + AccountStore)) -> Units {
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("day");
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    let communes = s.children_on(province, on).expect("communes");
    let (a, b) = (communes[0].unit, communes[1].unit);
    let hash = chitieu_web::auth::hash_password(common::PASSWORD).expect("hash");
    for (login, name, role, scopes) in [
        ("vanphong", OFFICE_NAME, Role::Office, vec![province]),
        ("vanphong.b", "Trần Văn Nam", Role::Office, vec![b]),
        ("xa.a", "Hoàng Văn Bình", Role::Reporter, vec![a]),
        ("xa.b", "Lò Thị Mai", Role::Reporter, vec![b]),
        ("nguoi.xem", "Người xem", Role::Viewer, vec![a]),
    ] {
        s.create_account(
            &NewAccount {
                username: Username::new(login).expect("login"),
                display_name: name.to_string(),
                role,
                scopes,
                password_hash: hash.clone(),
            },
            "test",
        )
        .expect("account");
    }
    Units {
        commune_a: a,
        commune_b: b,
    }
}

/// A client that calls the API with a token made by `user`.
fn api_client(addr: SocketAddr, user: &str) -> Client {
    let mut browser = Client::login_at(addr, user);
    let mut api = Client::at(addr);
    api.bearer = Some(browser.api_token());
    api
}

/// Asserts that `r` is the JSON error of `status` whose message holds every one of `words`;
/// returns the message.
#[track_caller]
fn json_error(r: &Resp, status: u16, words: &[&str]) -> String {
    assert_eq!(r.status, status, "{}", r.body);
    let ctype = r.header("content-type").unwrap_or_default();
    assert!(
        ctype.starts_with("application/json"),
        "{status}: Content-Type {ctype}: {}",
        r.body
    );
    let v = r.json();
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        other => panic!("no reason phrase for {other} in the test"),
    };
    assert_eq!(v["error"], reason, "{v}");
    assert_eq!(v["status"], status, "{v}");
    let message = v["message"].as_str().unwrap_or_default().to_string();
    for w in words {
        assert!(message.contains(w), "{status}: «{w}» not in «{message}»");
    }
    message
}

fn raw_post(c: &mut Client, path: &str, ctype: &str, body: &str) -> Resp {
    c.request("POST", path, Some(ctype), body, &[])
}

/// The whole check, on a server at `addr` over the seeded database.
fn errors_are_json(addr: SocketAddr, units: &Units) {
    let mut office = api_client(addr, "vanphong");
    let mut office_b = api_client(addr, "vanphong.b");
    let mut reporter_a = api_client(addr, "xa.a");
    let mut reporter_b = api_client(addr, "xa.b");
    let mut viewer = api_client(addr, "nguoi.xem");
    let mut anonymous = Client::at(addr);
    let lead = units.commune_a.0;
    let task = json!({
        "text": "Hoàn thành đường giao thông liên xã",
        "field": "economy",
        "lead": lead,
        "deadline": "31/12/2099",
        "output": "công trình hoàn thành",
    });
    let with = |key: &str, value: Value| {
        let mut t = task.clone();
        t[key] = value;
        t
    };

    // ----- POST /api/v1/tasks -----
    // Who: no log-in (401, not the log-in page), a role that may not, a scope that does not
    // hold the lead unit, a browser session without the anti-forgery header.
    json_error(&anonymous.get("/api/v1/tasks"), 401, &["đăng nhập"]);
    json_error(&anonymous.get("/api/v1/notifications"), 401, &["đăng nhập"]);
    json_error(
        &reporter_a.post_json("/api/v1/tasks", &task, None),
        403,
        &["vai trò"],
    );
    json_error(
        &office_b.post_json("/api/v1/tasks", &task, None),
        403,
        &["ngoài phạm vi"],
    );
    let mut browser = Client::login_at(addr, "vanphong");
    json_error(
        &browser.post_json("/api/v1/tasks", &task, None),
        403,
        &["CSRF"],
    );
    // Bad input names the field.
    let mut missing = task.clone();
    missing.as_object_mut().expect("object").remove("text");
    let cases = [
        (missing, 400, vec!["«text»"]),
        (with("text", json!("  ")), 400, vec!["«text»"]),
        (with("lead", json!("abc")), 400, vec!["«lead»"]),
        (
            with("field", json!("thể thao")),
            400,
            vec!["«field»", "thể thao"],
        ),
        (
            with("deadline", json!("sang năm")),
            400,
            vec!["«deadline»", "sang năm"],
        ),
        // An unknown id is a 404 naming it.
        (
            with("lead", json!(999_999_999)),
            404,
            vec!["999999999", "«lead»"],
        ),
    ];
    for (body, status, words) in &cases {
        json_error(
            &office.post_json("/api/v1/tasks", body, None),
            *status,
            words,
        );
    }
    json_error(
        &raw_post(
            &mut office,
            "/api/v1/tasks",
            "application/json",
            "{\"text\": ",
        ),
        400,
        &["JSON"],
    );
    json_error(
        &raw_post(
            &mut office,
            "/api/v1/tasks",
            "text/plain",
            &task.to_string(),
        ),
        415,
        &["Content-Type: application/json"],
    );
    // Nothing was stored by the refusals.
    let list = office.get("/api/v1/tasks").json();
    assert_eq!(list["tasks"].as_array().map(Vec::len), Some(0), "{list}");
    let r = office.post_json("/api/v1/tasks", &task, None);
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("task id");

    // ----- POST /api/v1/tasks/{id}/progress -----
    let progress = format!("/api/v1/tasks/{id}/progress");
    let started = json!({"status": "in_progress", "note": "Đã khởi công"});
    json_error(
        &reporter_a.post_json("/api/v1/tasks/999999999/progress", &started, None),
        404,
        &["999999999", "nhiệm vụ"],
    );
    json_error(
        &reporter_a.post_json("/api/v1/tasks/abc/progress", &started, None),
        400,
        &["abc"],
    );
    json_error(&reporter_b.post_json(&progress, &started, None), 403, &[]);
    json_error(
        &viewer.post_json(&progress, &started, None),
        403,
        &["vai trò"],
    );
    for (body, words) in [
        (json!({"note": "thiếu trạng thái"}), vec!["«status»"]),
        (json!({"status": "xong"}), vec!["«status»", "xong"]),
        (json!({"status": 3}), vec!["«status»"]),
        (
            json!({"status": "in_progress", "reported_on": "2099-01-01"}),
            vec!["«reported_on»"],
        ),
        (
            json!({"status": "in_progress", "reported_on": "hôm qua"}),
            vec!["«reported_on»", "hôm qua"],
        ),
        (
            json!({"status": "completed", "completed_on": "sắp xong"}),
            vec!["«completed_on»", "sắp xong"],
        ),
    ] {
        json_error(&reporter_a.post_json(&progress, &body, None), 400, &words);
    }
    let r = reporter_a.post_json(&progress, &started, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = reporter_a.post_json(&progress, &json!({"status": "completed"}), None);
    assert_eq!(r.status, 200, "{}", r.body);
    // Confirmed on the page; nothing follows a confirmation: 409.
    let token = browser.csrf(&format!("/app/tasks/{id}"));
    let r = browser.post(
        &format!("/app/tasks/{id}/review"),
        &[("_csrf", &token), ("decision", "confirm")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    json_error(&reporter_a.post_json(&progress, &started, None), 409, &[]);

    // ----- other routes, unknown routes and methods -----
    json_error(&office.get("/api/v1/khong-co"), 404, &["/api/v1/khong-co"]);
    json_error(
        &office.request("PUT", "/api/v1/tasks", Some("application/json"), "{}", &[]),
        405,
        &["PUT", "/api/v1/tasks"],
    );
    json_error(&office.get("/api/v1/documents/abc"), 400, &["abc"]);
    json_error(
        &office.get("/api/v1/documents/999999999"),
        404,
        &["999999999"],
    );
    json_error(
        &reporter_a.post_json(
            "/api/v1/entry",
            &json!({"unit": units.commune_a.0, "values": []}),
            None,
        ),
        400,
        &["«period»"],
    );
    json_error(
        &office.get(&format!(
            "/api/v1/dashboard?unit={}&period=ky-la",
            units.commune_b.0
        )),
        400,
        &["ky-la"],
    );
    json_error(
        &office.get("/api/v1/dashboard?unit=abc&period=2026"),
        400,
        &["«unit»"],
    );

    // ----- a task proposal decided twice: 409 with who and when -----
    let r = office.post_json(
        "/api/v1/documents",
        &json!({"name": "hl.txt", "text": ARTICLE, "unit": "huyện Hữu Lũng, tỉnh Lạng Sơn"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = r.json()["added"]["id"].as_i64().expect("document id");
    let list = office.get(&format!("/api/v1/documents/{doc}/tasks")).json();
    let ids: Vec<i64> = list["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert_eq!(ids.len(), 2, "{list}");
    let decide = |p: i64| format!("/api/v1/documents/{doc}/tasks/{p}");
    let r = office.post_json(
        &decide(ids[1]),
        &json!({"decision": "reject", "note": "trùng"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // The stored decision keeps the actor as the audit log does.
    assert_eq!(r.json()["reviewed_by"], "web:vanphong");
    let by = format!("{OFFICE_NAME} (vanphong)");
    for decision in ["accept", "reject"] {
        let m = json_error(
            &office.post_json(&decide(ids[1]), &json!({"decision": decision}), None),
            409,
            &["đã được quyết định", "đã loại", &by, " lúc "],
        );
        assert!(!m.contains("web:vanphong"), "{m}");
    }
    json_error(
        &office.post_json(&decide(ids[1]), &json!({"decision": "maybe"}), None),
        400,
        &["«decision»", "maybe"],
    );
    json_error(
        &office.post_json(
            &format!("/api/v1/documents/{doc}/tasks/abc"),
            &json!({"decision": "reject"}),
            None,
        ),
        400,
        &["abc"],
    );
    json_error(
        &office.post_json(
            &format!("/api/v1/documents/{}/tasks/{}", doc + 1000, ids[0]),
            &json!({"decision": "reject"}),
            None,
        ),
        404,
        &[&(doc + 1000).to_string()],
    );
    // The page's form: the same 409, as a page.
    let page = browser.get(&format!("/app/documents/{doc}/tasks"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&by),
        "the decider by name: {}",
        page.body
    );
    let token = csrf_in(&page.body).expect("token");
    let r = browser.post(
        &format!("/app/documents/{doc}/tasks/{}", ids[1]),
        &[("_csrf", &token), ("decision", "accept")],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.headers
    );
    assert!(
        r.body.contains("đã được quyết định") && r.body.contains(&by),
        "{}",
        r.body
    );
    // The first one is still open, and is accepted once.
    let r = office.post_json(
        &decide(ids[0]),
        &json!({"decision": "accept", "field": "economy", "deadline": "30/6/2023"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    json_error(
        &office.post_json(&decide(ids[0]), &json!({"decision": "accept"}), None),
        409,
        &["đã được quyết định", "đã nhận", &by],
    );
}

#[test]
fn api_errors_are_json_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("api_errors.db");
    let mut s = SqliteStore::open(&path).expect("open");
    let units = seed(&mut s);
    drop(s);
    errors_are_json(serve(config(&path)), &units);
}

#[test]
fn api_errors_are_json_on_postgresql() {
    let Some(url) = postgres_url("the API errors on PostgreSQL") else {
        return;
    };
    let name = format!(
        "t_api_errors_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let _schema = Schema {
        url: url.clone(),
        name: name.clone(),
    };
    let units = {
        let mut s = PgStore::open_in_schema(&url, Some(&name)).expect("open");
        seed(&mut s)
    };
    let database = format!("{url}?options=-c%20search_path%3D{name}");
    errors_are_json(serve(config(&database)), &units);
}
