//! The key-task pages and API over HTTP against the real server on a temporary database:
//! who may enter a task, report its progress, confirm it; the anti-forgery token; the counts;
//! notifications belong to their account; who did what is shown by the account's display name
//! (the stored actor unchanged).

mod common;

use chitieu_core::indicator::Catalog;
use chitieu_core::task::{ProgressReport, TaskEvent, TaskStatus};
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::notifications::NewNotification;
use chitieu_store::{AccountStore, NoProgress, NotificationStore, SqliteStore, Store, TaskStore};
use common::{Client, Resp, config, create_accounts, serve};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;

struct Fixture {
    addr: SocketAddr,
    /// Two communes of Lạng Sơn after the 2025 reform.
    commune_a: i64,
    /// A commune of another province, outside every Lạng Sơn account's scope (its tasks
    /// change no count the other tests read).
    commune_c: i64,
    /// The database, for checks.
    path: std::path::PathBuf,
    accounts: HashMap<&'static str, i64>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("dir").keep();
        let path = dir.join("tasks.db");
        let mut s = SqliteStore::open(&path).expect("open");
        s.init(&Catalog::builtin(), &NoProgress).expect("init");
        let on = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("day");
        let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
        let communes = s.children_on(province, on).expect("communes");
        let (a, b) = (communes[0].unit, communes[1].unit);
        let other = s.resolve_unit("tỉnh Cao Bằng", on).expect("province").unit;
        let c = s.children_on(other, on).expect("communes")[0].unit;
        let accounts = create_accounts(
            &mut s,
            &[
                ("vanphong", Role::Office, vec![province]),
                ("xa.a", Role::Reporter, vec![a]),
                ("xa.b", Role::Reporter, vec![b]),
                ("nguoi.xem", Role::Viewer, vec![a]),
            ],
        );
        // Accounts whose display name is not their login.
        let hash = chitieu_web::auth::hash_password(common::PASSWORD).expect("hash");
        for (login, name, role, scopes) in [
            ("lan.xa.c", "Nguyễn Thị Lan", Role::Reporter, vec![c]),
            ("quantri", "Quản trị hệ thống", Role::Admin, vec![]),
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
        drop(s);
        let addr = serve(config(&path));
        Fixture {
            addr,
            commune_a: a.0,
            commune_c: c.0,
            path,
            accounts,
        }
    })
}

impl Client {
    fn login(user: &str) -> Client {
        Client::login_at(fixture().addr, user)
    }
}

fn new_task(c: &mut Client, text: &str) -> Resp {
    let token = c.csrf("/app/tasks");
    let lead = fixture().commune_a.to_string();
    c.post(
        "/app/tasks",
        &[
            ("_csrf", &token),
            ("text", text),
            ("field", "economy"),
            ("lead", &lead),
            ("deadline", "31/12/2099"),
            ("output", "công trình hoàn thành"),
            ("source", "Kết luận Hội nghị Ban Chấp hành lần thứ 9"),
        ],
    )
}

fn task_id(r: &Resp) -> String {
    r.location
        .as_deref()
        .and_then(|l| l.strip_prefix("/app/tasks/"))
        .unwrap_or_else(|| panic!("no task location: {} {}", r.status, r.body))
        .to_string()
}

#[test]
fn a_task_goes_from_entry_to_confirmed_completion_with_the_checks_on_the_server() {
    let mut office = Client::login("vanphong");
    let mut a = Client::login("xa.a");
    let mut b = Client::login("xa.b");
    let mut viewer = Client::login("nguoi.xem");

    // Only the office enters tasks, and only with the anti-forgery token.
    let token = a.csrf("/app/tasks");
    assert_eq!(
        a.post(
            "/app/tasks",
            &[
                ("_csrf", &token),
                ("text", "x"),
                ("field", "economy"),
                ("lead", "1"),
                ("deadline", "31/12/2099")
            ]
        )
        .status,
        403
    );
    let r = office.post(
        "/app/tasks",
        &[
            ("text", "Thiếu mã chống giả mạo"),
            ("field", "economy"),
            ("lead", "1"),
            ("deadline", "31/12/2099"),
        ],
    );
    assert_eq!(r.status, 403);
    let r = new_task(
        &mut office,
        "Xây dựng 3 phòng học trường mầm non <trung tâm>",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = task_id(&r);
    let page = office.get(&format!("/app/tasks/{id}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Xây dựng 3 phòng học trường mầm non")
            && !page.body.contains("<trung tâm>"),
        "the text is shown escaped"
    );
    assert!(page.body.contains("chưa triển khai"));

    // Another commune's reporter neither sees nor reports it; a viewer cannot report.
    assert_eq!(b.get(&format!("/app/tasks/{id}")).status, 403);
    let token = b.csrf("/app/tasks");
    let r = b.post(
        &format!("/app/tasks/{id}/progress"),
        &[("_csrf", &token), ("status", "in_progress")],
    );
    assert_eq!(r.status, 403);
    let token = viewer.csrf("/app/tasks");
    let r = viewer.post(
        &format!("/app/tasks/{id}/progress"),
        &[("_csrf", &token), ("status", "in_progress")],
    );
    assert_eq!(r.status, 403);
    assert!(!b.get("/app/tasks").body.contains("Xây dựng 3 phòng học"));

    // The lead unit reports: in progress, then completed; a future report date is refused.
    let token = a.csrf(&format!("/app/tasks/{id}"));
    let r = a.post(
        &format!("/app/tasks/{id}/progress"),
        &[
            ("_csrf", &token),
            ("status", "in_progress"),
            ("reported_on", "2099-01-01"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = a.post(
        &format!("/app/tasks/{id}/progress"),
        &[
            ("_csrf", &token),
            ("status", "in_progress"),
            ("note", "Đã khởi công"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        a.get(&format!("/app/tasks/{id}"))
            .body
            .contains("đang thực hiện")
    );
    // A review before a reported completion is refused.
    let token = office.csrf(&format!("/app/tasks/{id}"));
    let r = office.post(
        &format!("/app/tasks/{id}/review"),
        &[("_csrf", &token), ("decision", "confirm")],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let token = a.csrf(&format!("/app/tasks/{id}"));
    let r = a.post(
        &format!("/app/tasks/{id}/progress"),
        &[
            ("_csrf", &token),
            ("status", "completed"),
            ("note", "Đã bàn giao"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        a.get(&format!("/app/tasks/{id}"))
            .body
            .contains("chờ xác nhận")
    );

    // A reporter cannot confirm; the office must give a reason to return; then confirms.
    let token = a.csrf(&format!("/app/tasks/{id}"));
    let r = a.post(
        &format!("/app/tasks/{id}/review"),
        &[("_csrf", &token), ("decision", "confirm")],
    );
    assert_eq!(r.status, 403);
    let token = office.csrf(&format!("/app/tasks/{id}"));
    let r = office.post(
        &format!("/app/tasks/{id}/review"),
        &[("_csrf", &token), ("decision", "return"), ("note", " ")],
    );
    assert_eq!(r.status, 400);
    let r = office.post(
        &format!("/app/tasks/{id}/review"),
        &[("_csrf", &token), ("decision", "confirm")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = office.get(&format!("/app/tasks/{id}"));
    assert!(
        page.body.contains("hoàn thành (đã xác nhận)"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"progress\""),
        "nothing follows a confirmation"
    );

    // The list counts it; the API says the same.
    let list = office.get("/app/tasks");
    assert!(
        list.body.contains("hoàn thành 1/1 nhiệm vụ, đúng hạn 1"),
        "{}",
        list.body
    );
    let api = office.get("/api/v1/tasks");
    assert_eq!(api.status, 200);
    let v: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(v["summary"], "hoàn thành 1/1 nhiệm vụ, đúng hạn 1");
    assert_eq!(v["tasks"][0]["state"]["confirmed"], true);
    let v: serde_json::Value = serde_json::from_str(&b.get("/api/v1/tasks").body).expect("json");
    assert_eq!(v["tasks"].as_array().map(Vec::len), Some(0));
}

#[test]
fn notifications_belong_to_their_account() {
    let f = fixture();
    let (a_id, b_id) = (f.accounts["xa.a"], f.accounts["xa.b"]);
    let mut s = SqliteStore::open(&f.path).expect("open");
    let made = s
        .add_notifications(
            &[
                NewNotification {
                    account_id: a_id,
                    kind: "returned".into(),
                    dedupe_key: "test:a:1".into(),
                    title: "Số liệu bị trả lại <xã A>".into(),
                    body: "Thiếu số liệu.".into(),
                    link: Some("/app/entry".into()),
                },
                NewNotification {
                    account_id: b_id,
                    kind: "returned".into(),
                    dedupe_key: "test:b:1".into(),
                    title: "Thông báo của xã B".into(),
                    body: "Riêng xã B.".into(),
                    link: None,
                },
            ],
            chrono::Utc::now(),
        )
        .expect("add");
    let a_note = made.iter().find(|n| n.account_id == a_id).expect("a").id;
    let mut a = Client::login("xa.a");
    let mut b = Client::login("xa.b");
    let page = a.get("/app/notifications");
    assert!(page.body.contains("Số liệu bị trả lại") && !page.body.contains("<xã A>"));
    assert!(!page.body.contains("Thông báo của xã B"));
    assert!(
        a.get("/app/notifications/count")
            .body
            .contains("id=\"unread-count\">1<")
    );
    // b cannot mark a's notification read.
    let token = b.csrf("/app/notifications");
    let id = a_note.to_string();
    assert_eq!(
        b.post("/app/notifications/read", &[("_csrf", &token), ("id", &id)])
            .status,
        303
    );
    assert_eq!(s.unread_count(a_id).expect("count"), 1);
    let token = a.csrf("/app/notifications");
    assert_eq!(
        a.post("/app/notifications/read", &[("_csrf", &token), ("id", &id)])
            .status,
        303
    );
    assert_eq!(s.unread_count(a_id).expect("count"), 0);
    assert_eq!(a.get("/app/notifications/count").body, "");
    // The address for e-mail: checked, stored, removable.
    let r = a.post(
        "/app/notifications/email",
        &[("_csrf", &token), ("email", "sai địa chỉ")],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let r = a.post(
        "/app/notifications/email",
        &[("_csrf", &token), ("email", "xa.a@langson.gov.vn")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        s.email(a_id).expect("email").as_deref(),
        Some("xa.a@langson.gov.vn")
    );
    let r = a.post(
        "/app/notifications/email",
        &[("_csrf", &token), ("email", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(s.email(a_id).expect("email"), None);
}

#[test]
fn actors_are_shown_by_display_name_and_stored_as_actors() {
    let mut lan = Client::login("lan.xa.c");
    let mut admin = Client::login("quantri");
    let token = admin.csrf("/app/tasks");
    let lead = fixture().commune_c.to_string();
    let r = admin.post(
        "/app/tasks",
        &[
            ("_csrf", &token),
            ("text", "Nâng cấp nhà văn hóa thôn"),
            ("field", "culture_society"),
            ("lead", &lead),
            ("deadline", "31/12/2099"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = task_id(&r);
    let token = lan.csrf(&format!("/app/tasks/{id}"));
    let r = lan.post(
        &format!("/app/tasks/{id}/progress"),
        &[
            ("_csrf", &token),
            ("status", "in_progress"),
            ("note", "Đã chọn nhà thầu"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // A report recorded by something that is not a web account keeps its stored text.
    let mut s = SqliteStore::open(&fixture().path).expect("open");
    let n: i64 = id.parse().expect("id");
    s.add_task_event(
        n,
        &TaskEvent::Report(ProgressReport {
            reported_on: chrono::Utc::now().date_naive() - chrono::Duration::days(1),
            status: TaskStatus::InProgress,
            completed_on: None,
            note: "Nhập từ bảng tổng hợp".into(),
        }),
        None,
        "import:bao-cao-quy.xlsx",
    )
    .expect("event");

    // The task page names the reporter, with the login beside the name.
    let page = admin.get(&format!("/app/tasks/{id}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Nguyễn Thị Lan (lan.xa.c)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("web:lan.xa.c"), "{}", page.body);
    assert!(page.body.contains("import:bao-cao-quy.xlsx"));
    // The audit log page shows the name beside the stored actor; the store keeps the actor.
    let audit = admin.get("/app/audit");
    assert_eq!(audit.status, 200);
    assert!(
        audit.body.contains("Nguyễn Thị Lan (web:lan.xa.c)"),
        "{}",
        audit.body
    );
    let stored = s.task(n).expect("task");
    assert!(
        stored.events.iter().any(|e| e.by == "web:lan.xa.c"),
        "{:?}",
        stored.events
    );
    assert!(
        s.audit_log(50)
            .expect("audit")
            .iter()
            .any(|e| e.actor == "web:lan.xa.c"),
        "the audit log keeps the actor"
    );
}

/// "Quá hạn" is a fact of the calendar: a lead unit reporting it before the deadline is
/// refused, on the form (shown again with the message and what was typed) and in the API
/// (400 JSON); a report of that kind stored earlier reads as "đang thực hiện".
#[test]
fn overdue_before_the_deadline_is_refused_and_never_shown() {
    let mut lan = Client::login("lan.xa.c");
    let mut admin = Client::login("quantri");
    let token = admin.csrf("/app/tasks");
    let lead = fixture().commune_c.to_string();
    let r = admin.post(
        "/app/tasks",
        &[
            ("_csrf", &token),
            ("text", "Kiên cố hóa kênh mương nội đồng"),
            ("field", "economy"),
            ("lead", &lead),
            ("deadline", "31/12/2099"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = task_id(&r);
    let n: i64 = id.parse().expect("id");

    let token = lan.csrf(&format!("/app/tasks/{id}"));
    let r = lan.post(
        &format!("/app/tasks/{id}/progress"),
        &[
            ("_csrf", &token),
            ("status", "overdue"),
            ("note", "Chậm do mưa lũ"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains(&format!(
            "nhiệm vụ số {id} «Kiên cố hóa kênh mương nội đồng»: chưa đến hạn: thời hạn là 31/12/2099"
        )),
        "the message names the task and its deadline: {}",
        r.body
    );
    assert!(r.body.contains("class=\"error\""), "{}", r.body);
    assert!(
        r.body.contains("id=\"progress\"") && r.body.contains(">Chậm do mưa lũ</textarea>"),
        "the form is shown again as typed: {}",
        r.body
    );
    let s = SqliteStore::open(&fixture().path).expect("open");
    assert!(s.task(n).expect("task").events.is_empty(), "nothing stored");

    // The API answers 400 in the one JSON error shape.
    let token = lan.csrf(&format!("/app/tasks/{id}"));
    let r = lan.post_json(
        &format!("/api/v1/tasks/{id}/progress"),
        &serde_json::json!({"status": "quá hạn", "note": "x"}),
        Some(&token),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let v = r.json();
    assert_eq!(v["error"], "Bad Request");
    assert_eq!(v["status"], 400);
    let message = v["message"].as_str().expect("message");
    assert!(
        message.contains("chưa đến hạn: thời hạn là 31/12/2099"),
        "{message}"
    );
    assert!(s.task(n).expect("task").events.is_empty(), "nothing stored");

    // Stored before the rule (here straight into the store): read as in progress.
    let mut s = s;
    s.add_task_event(
        n,
        &TaskEvent::Report(ProgressReport {
            reported_on: chrono::Utc::now().date_naive() - chrono::Duration::days(1),
            status: TaskStatus::Overdue,
            completed_on: None,
            note: String::new(),
        }),
        None,
        "import:cu.xlsx",
    )
    .expect("event");
    let page = admin.get(&format!("/app/tasks/{id}"));
    assert!(
        page.body.contains("id=\"task-status\">đang thực hiện"),
        "{}",
        page.body
    );
    let v = admin.get("/api/v1/tasks").json();
    let t = v["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["id"] == n)
        .expect("the task");
    assert_eq!(t["status_vi"], "đang thực hiện");
    assert_eq!(t["state"]["status"], "in_progress");
    assert_eq!(v["counts"]["overdue"], 0, "{v}");

    // A refused confirmation shows the task page again with the reason (409).
    let token = admin.csrf(&format!("/app/tasks/{id}"));
    let r = admin.post(
        &format!("/app/tasks/{id}/review"),
        &[
            ("_csrf", &token),
            ("decision", "confirm"),
            ("note", "đã kiểm tra"),
        ],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("chưa có báo cáo hoàn thành để xác nhận"),
        "{}",
        r.body
    );
}
