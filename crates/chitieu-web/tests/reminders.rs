//! The reminder scheduler on a temporary database with a fixed clock: a task due in 7 days
//! gets exactly one notification however many passes run and however often the server
//! restarts; the 1-day reminder and the overdue notice follow; a returned data set and an
//! explanation request notify the unit; the digest comes once a day; an e-mail claimed by a
//! server that died before settling is sent after the claim's lease, once; and a real server
//! (`serve_on` with the scheduler on) started twice stores each reminder once.

mod common;

use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::figure::Provenance;
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::task::{Deadline, ExpectedOutput, Task, TaskField};
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::workflow::DraftEntry;
use chitieu_store::{
    AccountStore, NoProgress, NotificationStore, SqliteStore, Store, TaskStore, WorkflowStore,
};
use chitieu_web::scheduler::{self, FixedClock, SchedulerConfig};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A moment on a local (UTC+7) day and hour.
fn at(s: &str, hour: u32) -> DateTime<Utc> {
    day(s)
        .and_hms_opt(hour, 0, 0)
        .expect("time")
        .and_local_timezone(scheduler::vietnam())
        .single()
        .expect("offset")
        .with_timezone(&Utc)
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bac_son: UnitId,
    reporter: i64,
    office: i64,
    other_reporter: i64,
}

fn account(s: &mut SqliteStore, name: &str, role: Role, scopes: Vec<UnitId>) -> i64 {
    s.create_account(
        &NewAccount {
            username: Username::new(name).expect("name"),
            display_name: name.into(),
            role,
            scopes,
            password_hash: "$argon2id$not-checked-here".into(),
        },
        "test",
    )
    .expect("account")
    .id
}

/// A database with Bắc Sơn's reporter, the office, and a reporter elsewhere. Only task and
/// event reminders are on (no reporting windows), and the digest waits until 18:00.
fn db() -> Db {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.db");
    let mut s = SqliteStore::open(&path).expect("open");
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = day("2026-11-01");
    // Two communes of Lạng Sơn as they stand after the 2025 reform.
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    let communes = s.children_on(province, on).expect("communes");
    let (bac_son, huu_lung) = (communes[0].unit, communes[1].unit);
    let reporter = account(&mut s, "bacson.baocao", Role::Reporter, vec![bac_son]);
    let office = account(&mut s, "van.phong", Role::Office, vec![]);
    let other_reporter = account(&mut s, "huulung.baocao", Role::Reporter, vec![huu_lung]);
    s.set_setting(
        scheduler::SETTINGS_KEY,
        r#"{"deadline_days":[7,1],"period_kinds":[],"digest_hour":18}"#,
        "test",
    )
    .expect("settings");
    Db {
        _dir: dir,
        path,
        bac_son,
        reporter,
        office,
        other_reporter,
    }
}

fn add_task(s: &mut SqliteStore, lead: UnitId, text: &str, deadline: &str) -> i64 {
    s.add_task(
        &Task {
            text: text.into(),
            field: TaskField::Economy,
            lead,
            cooperating: vec![],
            deadline: Deadline::Date {
                date: day(deadline),
            },
            output: ExpectedOutput::Project { name: text.into() },
            source: "Kết luận Hội nghị Ban Chấp hành lần thứ 15".into(),
            period: None,
            provenance: Provenance::Manual,
        },
        "test",
    )
    .expect("task")
}

fn keys(s: &SqliteStore, account: i64) -> Vec<String> {
    let mut k: Vec<String> = s
        .notifications(account, false, 100)
        .expect("list")
        .into_iter()
        .map(|n| n.dedupe_key)
        .collect();
    k.sort();
    k
}

#[test]
fn a_task_due_in_seven_days_is_reminded_once_across_passes_and_restarts() {
    let db = db();
    let mut s = SqliteStore::open(&db.path).expect("open");
    let id = add_task(
        &mut s,
        db.bac_son,
        "Cứng hóa 12 km đường giao thông nông thôn",
        "2026-12-02",
    );

    // 8 days before: nothing yet.
    let r = scheduler::pass(&mut s, at("2026-11-24", 9), None).expect("pass");
    assert_eq!(r.created, 0);
    assert!(keys(&s, db.reporter).is_empty());

    // 7 days before: one reminder, to the lead unit's reporter only.
    let r = scheduler::pass(&mut s, at("2026-11-25", 9), None).expect("pass");
    assert_eq!(r.created, 1);
    let seven = format!("task:{id}:due-in:7d");
    assert_eq!(keys(&s, db.reporter), vec![seven.clone()]);
    assert!(keys(&s, db.office).is_empty());
    assert!(keys(&s, db.other_reporter).is_empty());
    let n = &s.notifications(db.reporter, false, 1).expect("one")[0];
    assert_eq!(n.kind, "deadline_soon");
    assert!(n.title.contains("còn 7 ngày"), "{}", n.title);
    assert!(n.body.contains("02/12/2026"), "{}", n.body);
    assert_eq!(n.link.as_deref(), Some(format!("/app/tasks/{id}").as_str()));

    // The same day again, and the next days: still one.
    for (d, h) in [("2026-11-25", 10), ("2026-11-26", 9), ("2026-11-30", 9)] {
        let r = scheduler::pass(&mut s, at(d, h), None).expect("pass");
        assert_eq!(r.created, 0, "{d}");
    }
    // Restart: a new store on the same file, as a restarted server opens.
    drop(s);
    let mut s = SqliteStore::open(&db.path).expect("reopen");
    let r = scheduler::pass(&mut s, at("2026-11-26", 9), None).expect("pass");
    assert_eq!(r.created, 0);
    assert_eq!(keys(&s, db.reporter), vec![seven.clone()]);

    // 1 day before: the second reminder; after the deadline: overdue, to the office too.
    scheduler::pass(&mut s, at("2026-12-01", 9), None).expect("pass");
    let one = format!("task:{id}:due-in:1d");
    assert_eq!(keys(&s, db.reporter), vec![one.clone(), seven.clone()]);
    scheduler::pass(&mut s, at("2026-12-03", 9), None).expect("pass");
    scheduler::pass(&mut s, at("2026-12-04", 9), None).expect("pass");
    let overdue = format!("task:{id}:overdue");
    assert_eq!(keys(&s, db.reporter), vec![one, seven, overdue.clone()]);
    assert_eq!(keys(&s, db.office), vec![overdue]);
}

#[test]
fn a_returned_data_set_and_an_explanation_request_notify_the_unit() {
    let db = db();
    let mut s = SqliteStore::open(&db.path).expect("open");
    let period = Period::half(2026, 1).expect("period");
    let code = IndicatorCode::new("budget_revenue").expect("code");
    s.save_draft(
        db.bac_son,
        &period,
        &[DraftEntry {
            indicator: code.clone(),
            value: Decimal::new(43_248, 0),
            comment: None,
        }],
        "web:bacson.baocao",
    )
    .expect("draft");
    s.submit(db.bac_son, &period, "web:bacson.baocao")
        .expect("submit");
    s.return_for_correction(
        db.bac_son,
        &period,
        "Thiếu số liệu thu ngân sách xã",
        "web:van.phong",
    )
    .expect("return");
    s.ask_explanation(
        &code,
        db.bac_son,
        &period,
        "Vì sao thu ngân sách đạt thấp?",
        "web:van.phong",
    )
    .expect("ask");
    // The events carry today's real date: run the pass on that day.
    let now = Utc::now();
    let r = scheduler::pass(&mut s, now, None).expect("pass");
    let list = s.notifications(db.reporter, false, 10).expect("list");
    assert_eq!(r.created, 2, "{list:#?}");
    let kinds: Vec<&str> = list.iter().map(|n| n.kind.as_str()).collect();
    assert!(kinds.contains(&"returned"), "{kinds:?}");
    assert!(kinds.contains(&"explanation_requested"), "{kinds:?}");
    let returned = list
        .iter()
        .find(|n| n.kind == "returned")
        .expect("returned");
    assert!(
        returned
            .dedupe_key
            .starts_with(&format!("dataset:{}:2026-H1:returned:", db.bac_son.0))
    );
    assert!(
        returned.body.contains("Thiếu số liệu thu ngân sách xã"),
        "{}",
        returned.body
    );
    assert!(
        returned.title.contains("6 tháng đầu năm 2026"),
        "{}",
        returned.title
    );
    assert!(keys(&s, db.other_reporter).is_empty());
    assert_eq!(
        scheduler::pass(&mut s, now, None).expect("again").created,
        0
    );
    // Answered: no new notice; the old one stays.
    let id = s.explanations().expect("list")[0].id;
    s.answer_explanation(
        id,
        "Do giá đất giảm, thu tiền sử dụng đất thấp.",
        "web:bacson.baocao",
    )
    .expect("answer");
    assert_eq!(
        scheduler::pass(&mut s, now, None).expect("after").created,
        0
    );
    assert_eq!(keys(&s, db.reporter).len(), 2);
}

#[test]
fn the_digest_comes_once_a_day_after_its_hour() {
    let db = db();
    let mut s = SqliteStore::open(&db.path).expect("open");
    add_task(
        &mut s,
        db.bac_son,
        "Hoàn thành kế hoạch chuyển đổi số",
        "2026-12-02",
    );
    let r = scheduler::pass(&mut s, at("2026-11-25", 9), None).expect("morning");
    assert_eq!((r.created, r.digests), (1, 0), "before 18:00 no digest");
    let r = scheduler::pass(&mut s, at("2026-11-25", 18), None).expect("evening");
    assert_eq!(r.digests, 1, "only the reporter has something unread");
    let r = scheduler::pass(&mut s, at("2026-11-25", 21), None).expect("later");
    assert_eq!(r.digests, 0);
    drop(s);
    let mut s = SqliteStore::open(&db.path).expect("restart");
    assert_eq!(
        scheduler::pass(&mut s, at("2026-11-25", 22), None)
            .expect("restart")
            .digests,
        0
    );
    let digest: Vec<_> = s
        .notifications(db.reporter, false, 10)
        .expect("list")
        .into_iter()
        .filter(|n| n.kind == "digest")
        .collect();
    assert_eq!(digest.len(), 1);
    assert_eq!(digest[0].dedupe_key, "digest:2026-11-25");
    assert!(
        digest[0].title.contains("1 thông báo chưa đọc"),
        "{}",
        digest[0].title
    );
    assert!(
        digest[0].body.contains("Hoàn thành kế hoạch chuyển đổi số"),
        "{}",
        digest[0].body
    );
    // The next day, with everything read, there is nothing to digest.
    s.mark_read(db.reporter, None, Utc::now()).expect("read");
    assert_eq!(
        scheduler::pass(&mut s, at("2026-11-26", 19), None)
            .expect("next")
            .digests,
        0
    );
}

/// Starts the real server with the scheduler on a fixed clock, waits until `ready` holds for
/// the database, and stops it.
fn serve_until(path: &Path, now: DateTime<Utc>, ready: impl Fn(&SqliteStore) -> bool) {
    let mut cfg = chitieu_web::Config::new(path);
    let mut reminders = SchedulerConfig::new(std::time::Duration::from_millis(200));
    reminders.clock = Arc::new(FixedClock::new(now));
    cfg.reminders = Some(reminders);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let app = chitieu_web::App::open(cfg).expect("app");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let server = rt.spawn(chitieu_web::serve_on(listener, app));
    let check = SqliteStore::open(path).expect("check");
    // Bounded wait for the scheduler's first passes (not a timing assertion: generous).
    let mut ok = false;
    for _ in 0..600 {
        if ready(&check) {
            ok = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    server.abort();
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
    assert!(ok, "the scheduler did not make the expected notifications");
}

#[test]
fn a_restarted_server_does_not_remind_twice() {
    let db = db();
    let mut s = SqliteStore::open(&db.path).expect("open");
    let first = add_task(
        &mut s,
        db.bac_son,
        "Xây dựng trường mầm non xã Vũ Sơn",
        "2026-12-02",
    );
    let reporter = db.reporter;
    serve_until(&db.path, at("2026-11-25", 9), |s| {
        s.unread_count(reporter).unwrap_or(0) >= 1
    });
    assert_eq!(keys(&s, reporter), vec![format!("task:{first}:due-in:7d")]);
    // A second task while the server is down; after the restart its reminder proves that a
    // pass ran, and the first task still has its one reminder.
    let second = add_task(
        &mut s,
        db.bac_son,
        "Sửa chữa nhà văn hóa thôn",
        "2026-11-27",
    );
    serve_until(&db.path, at("2026-11-25", 9), |s| {
        s.unread_count(reporter).unwrap_or(0) >= 2
    });
    let mut want = vec![
        format!("task:{first}:due-in:7d"),
        format!("task:{second}:due-in:7d"),
    ];
    want.sort();
    assert_eq!(keys(&s, reporter), want);
}

#[test]
fn a_reported_completion_notifies_the_office_and_a_return_the_lead_unit() {
    use chitieu_core::task::{ProgressReport, Review, TaskEvent, TaskStatus};
    let db = db();
    let mut s = SqliteStore::open(&db.path).expect("open");
    let id = add_task(
        &mut s,
        db.bac_son,
        "Ban hành kế hoạch chuyển đổi số",
        "2027-06-30",
    );
    s.add_task_event(
        id,
        &TaskEvent::Report(ProgressReport {
            reported_on: day("2026-11-20"),
            status: TaskStatus::Completed,
            completed_on: None,
            note: "Đã ban hành".into(),
        }),
        Some(db.bac_son),
        "web:bacson.baocao",
    )
    .expect("report");
    scheduler::pass(&mut s, at("2026-11-21", 9), None).expect("pass");
    let office = s.notifications(db.office, false, 10).expect("office");
    assert_eq!(office.len(), 1);
    assert_eq!(office[0].kind, "task_completion_reported");
    assert!(
        office[0]
            .dedupe_key
            .starts_with(&format!("task:{id}:reported-done:"))
    );
    assert!(keys(&s, db.reporter).is_empty());
    s.add_task_event(
        id,
        &TaskEvent::Review(Review::Return {
            on: day("2026-11-22"),
            reason: "Chưa có văn bản kèm theo".into(),
        }),
        None,
        "web:van.phong",
    )
    .expect("return");
    scheduler::pass(&mut s, at("2026-11-22", 9), None).expect("pass");
    scheduler::pass(&mut s, at("2026-11-23", 9), None).expect("again");
    let lead = s.notifications(db.reporter, false, 10).expect("lead");
    assert_eq!(lead.len(), 1, "{lead:?}");
    assert_eq!(lead[0].kind, "task_returned");
    assert!(
        lead[0].body.contains("Chưa có văn bản kèm theo"),
        "{}",
        lead[0].body
    );
    assert_eq!(
        s.notifications(db.office, false, 10).expect("office").len(),
        1
    );
}

#[test]
fn a_closing_period_reminds_only_the_units_that_have_not_submitted() {
    let db = db();
    let mut s = SqliteStore::open(&db.path).expect("open");
    s.set_setting(
        scheduler::SETTINGS_KEY,
        r#"{"period_kinds":["half"],"closing_days":[3],"digest_hour":23}"#,
        "test",
    )
    .expect("settings");
    let period = Period::half(2026, 1).expect("period");
    s.save_draft(
        db.bac_son,
        &period,
        &[DraftEntry {
            indicator: IndicatorCode::new("budget_revenue").expect("code"),
            value: Decimal::new(25, 0),
            comment: None,
        }],
        "web:bacson.baocao",
    )
    .expect("draft");
    s.submit(db.bac_son, &period, "web:bacson.baocao")
        .expect("submit");
    // Entry for 2026-H1 closes on 10/07/2026; three days before, only the unit that has not
    // submitted is reminded; both were told when it opened.
    scheduler::pass(&mut s, at("2026-07-08", 9), None).expect("pass");
    assert_eq!(
        keys(&s, db.reporter),
        vec!["period:2026-H1:open".to_string()]
    );
    assert_eq!(
        keys(&s, db.other_reporter),
        vec![
            "period:2026-H1:closing:3d".to_string(),
            "period:2026-H1:open".to_string()
        ]
    );
    assert!(keys(&s, db.office).is_empty());
    let n = s.notifications(db.other_reporter, false, 10).expect("list");
    let closing = n
        .iter()
        .find(|n| n.kind == "period_closing")
        .expect("closing");
    assert_eq!(
        closing.title,
        "Kỳ báo cáo 6 tháng đầu năm 2026 sắp hết hạn (còn 2 ngày)"
    );
    assert!(closing.body.contains("10/07/2026"), "{}", closing.body);
}

/// Two `chitieu serve` processes on one PostgreSQL database run their passes at the same
/// moment: each reminder is stored once. Skipped when no server answers at
/// CHITIEU_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test), failing instead
/// with CHITIEU_REQUIRE_POSTGRES=1.
#[test]
fn two_servers_on_postgresql_remind_once() {
    use chitieu_store::PgStore;
    let Some(url) = common::postgres_url("two_servers_on_postgresql_remind_once") else {
        return;
    };
    let schema = format!("t_remind_two_{}", std::process::id());
    let _guard = common::Schema {
        url: url.clone(),
        name: schema.clone(),
    };
    let mut s = PgStore::open_in_schema(&url, Some(&schema)).expect("open");
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = day("2026-11-01");
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    let commune = s.children_on(province, on).expect("communes")[0].unit;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            s.create_account(
                &NewAccount {
                    username: Username::new(&format!("xa.{i}")).expect("name"),
                    display_name: format!("xã {i}"),
                    role: Role::Reporter,
                    scopes: vec![commune],
                    password_hash: "$argon2id$not-checked-here".into(),
                },
                "test",
            )
            .expect("account")
            .id,
        );
    }
    for k in 0..5 {
        s.add_task(
            &Task {
                text: format!("Nhiệm vụ số {k}"),
                field: TaskField::Economy,
                lead: commune,
                cooperating: vec![],
                deadline: Deadline::Date {
                    date: day("2026-12-02"),
                },
                output: ExpectedOutput::Project {
                    name: "công trình".into(),
                },
                source: String::new(),
                period: None,
                provenance: Provenance::Manual,
            },
            "test",
        )
        .expect("task");
    }
    s.set_setting(scheduler::SETTINGS_KEY, r#"{"period_kinds":[]}"#, "test")
        .expect("settings");
    let now = at("2026-11-25", 9);
    let servers: Vec<_> = (0..2)
        .map(|_| {
            let (url, schema) = (url.clone(), schema.clone());
            std::thread::spawn(move || {
                let mut s = PgStore::open_in_schema(&url, Some(&schema)).expect("open");
                let mut created = 0;
                for _ in 0..3 {
                    created += scheduler::pass(&mut s, now, None).expect("pass").created;
                }
                created
            })
        })
        .collect();
    let created: u32 = servers.into_iter().map(|h| h.join().expect("server")).sum();
    assert_eq!(
        created, 15,
        "5 reminders for each of 3 accounts, made once in all"
    );
    // Past 07:00 the digest comes too: once per account, whichever server made it.
    for a in ids {
        let n = s.notifications(a, false, 20).expect("list");
        assert_eq!(n.len(), 6, "{n:#?}");
        assert_eq!(n.iter().filter(|n| n.kind == "digest").count(), 1);
    }
}

/// A mail server that answers only when told: it accepts one connection, runs `meanwhile`
/// before its greeting — so while the sender waits on it —, then takes one message. Returns
/// what `meanwhile` returned and the message's DATA (empty when the sender had given up).
fn held_smtp<T: Send + 'static>(
    listener: std::net::TcpListener,
    meanwhile: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<(T, String)> {
    use std::io::{BufRead, BufReader, Write};
    std::thread::spawn(move || {
        let (conn, _) = listener.accept().expect("the scheduler connects");
        let out = meanwhile();
        let mut data = String::new();
        let mut w = conn.try_clone().expect("clone");
        let mut r = BufReader::new(conn);
        let say = |w: &mut std::net::TcpStream, line: &str| {
            w.write_all(format!("{line}\r\n").as_bytes()).is_ok()
        };
        if !say(&mut w, "220 held.test ESMTP") {
            return (out, data);
        }
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let ok = match verb.as_str() {
                "EHLO" | "HELO" => say(&mut w, "250 held.test"),
                "DATA" => {
                    if !say(&mut w, "354 end with .") {
                        break;
                    }
                    loop {
                        line.clear();
                        if r.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                            break;
                        }
                        data.push_str(&line);
                    }
                    say(&mut w, "250 queued")
                }
                "QUIT" => {
                    say(&mut w, "221 bye");
                    break;
                }
                _ => say(&mut w, "250 ok"),
            };
            if !ok {
                break;
            }
        }
        (out, data)
    })
}

/// What the slow-mail test needs in a database: a commune's reporter with an e-mail address
/// (and the test password, to log in) and a task of the commune due in 7 days.
fn seed_for_mail<S: Store + AccountStore + NotificationStore + TaskStore>(s: &mut S) -> i64 {
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = day("2026-11-01");
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    let commune = s.children_on(province, on).expect("communes")[0].unit;
    let reporter =
        common::create_accounts(s, &[("xa.thu", Role::Reporter, vec![commune])])["xa.thu"];
    s.set_email(reporter, Some("thu.lt@langson.gov.vn"), "test")
        .expect("email");
    s.set_setting(
        scheduler::SETTINGS_KEY,
        r#"{"period_kinds":[],"digest_hour":18}"#,
        "test",
    )
    .expect("settings");
    s.add_task(
        &Task {
            text: "Hoàn thành kè chống sạt lở bờ sông".into(),
            field: TaskField::Economy,
            lead: commune,
            cooperating: vec![],
            deadline: Deadline::Date {
                date: day("2026-12-02"),
            },
            output: ExpectedOutput::Project {
                name: "kè bờ sông".into(),
            },
            source: String::new(),
            period: None,
            provenance: Provenance::Manual,
        },
        "test",
    )
    .expect("task");
    reporter
}

/// The server's scheduler holds no database handle while it talks to the mail server: with
/// a pool of one handle and a mail server that does not answer until a log-in and a page
/// read from the database have been served, the page is served (it could not be if the
/// scheduler kept the handle, since the mail server would wait for it — the send would fail
/// on the mailer's timeout instead), then the e-mail goes through and the pass is recorded.
fn a_slow_mail_server_leaves_the_pool_free(database: &str, store: &impl NotificationStore) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut cfg = common::config(database);
    cfg.connections = 1;
    let mut reminders = SchedulerConfig::new(std::time::Duration::from_secs(24 * 3600));
    reminders.clock = Arc::new(FixedClock::new(at("2026-11-25", 9)));
    reminders.mail = Some(
        chitieu_web::mail::MailConfig::parse(
            &format!("smtp://127.0.0.1:{port}"),
            "Văn phòng UBND <vanphong@langson.gov.vn>",
        )
        .expect("mail config"),
    );
    cfg.reminders = Some(reminders);
    let addr = common::serve(cfg);
    let smtp = held_smtp(listener, move || {
        let mut c = common::Client::login_at(addr, "xa.thu");
        let page = c.get("/app/notifications");
        (page.status, page.body)
    });
    let ((status, body), data) = smtp.join().expect("mail server");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Hoàn thành kè chống sạt lở bờ sông"),
        "the reminder was stored before mailing began: {body}"
    );
    assert!(
        data.contains("thu.lt@langson.gov.vn"),
        "the e-mail went through once the mail server answered: {data:?}"
    );
    // The pass is recorded in the last step, with the handle taken again.
    let run = (0..600)
        .find_map(|_| {
            let runs = store.runs(5).expect("runs");
            if runs.is_empty() {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            runs.into_iter().next()
        })
        .expect("the pass was recorded");
    assert_eq!((run.created, run.emailed), (1, 1), "{run:?}");
    assert_eq!(run.error, None);
}

#[test]
fn a_slow_mail_server_leaves_the_pool_free_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("slow-mail.db");
    let mut s = SqliteStore::open(&path).expect("open");
    let reporter = seed_for_mail(&mut s);
    a_slow_mail_server_leaves_the_pool_free(path.to_str().expect("path"), &s);
    assert!(
        s.notifications(reporter, false, 10)
            .expect("list")
            .iter()
            .all(|n| n.emailed_at.is_some())
    );
}

#[test]
fn a_slow_mail_server_leaves_the_pool_free_postgresql() {
    use chitieu_store::PgStore;
    let Some(url) = common::postgres_url("a_slow_mail_server_leaves_the_pool_free_postgresql")
    else {
        return;
    };
    let schema = format!("t_remind_slow_mail_{}", std::process::id());
    let _guard = common::Schema {
        url: url.clone(),
        name: schema.clone(),
    };
    let mut s = PgStore::open_in_schema(&url, Some(&schema)).expect("open");
    let reporter = seed_for_mail(&mut s);
    let database = format!("{url}?options=-c%20search_path%3D{schema}");
    a_slow_mail_server_leaves_the_pool_free(&database, &s);
    assert!(
        s.notifications(reporter, false, 10)
            .expect("list")
            .iter()
            .all(|n| n.emailed_at.is_some())
    );
}

/// A server that claimed an e-mail and died before sending it or settling (no `settle`): a
/// pass within the claim's lease, on this or another server, leaves it alone; the first pass
/// after the lease claims it (a second server's pass at the same moment does not) and sends
/// it once; once recorded as sent it is never claimed again. A send that failed is given back
/// and taken by the very next pass. The clock is the pass's `now`, nothing waits.
fn an_unsettled_claim_is_sent_after_its_lease<S>(s: &mut S)
where
    S: Store + AccountStore + WorkflowStore + NotificationStore + TaskStore,
{
    let lease = chrono::Duration::minutes(30);
    let reporter = seed_for_mail(s);
    let start = at("2026-11-25", 9);
    let claimed = |p: &scheduler::Prepared| -> Vec<i64> {
        p.outgoing.iter().map(|o| o.notification.id).collect()
    };

    let died = scheduler::prepare(s, start, true, lease).expect("first pass");
    assert_eq!(died.report.created, 1);
    let [id] = claimed(&died)[..] else {
        panic!("one e-mail claimed: {:?}", claimed(&died));
    };
    drop(died); // the process ends here: nothing sent, nothing given back

    for minutes in [10, 30] {
        let p = scheduler::prepare(s, start + chrono::Duration::minutes(minutes), true, lease)
            .expect("within the lease");
        assert!(claimed(&p).is_empty(), "{minutes} min: {:?}", claimed(&p));
    }

    let later = start + chrono::Duration::minutes(31);
    let p = scheduler::prepare(s, later, true, lease).expect("after the lease");
    assert_eq!(claimed(&p), vec![id]);
    let other = scheduler::prepare(s, later, true, lease).expect("another server");
    assert!(claimed(&other).is_empty(), "{:?}", claimed(&other));
    let r = scheduler::settle(s, p, vec![Ok(())]).expect("settle");
    assert_eq!(
        (r.emailed, r.email_errors.len()),
        (1, 0),
        "{:?}",
        r.email_errors
    );

    // Sent: never claimed again, however long after.
    for hours in [1, 5, 30] {
        let p = scheduler::prepare(s, later + chrono::Duration::hours(hours), true, lease)
            .expect("after sending");
        assert!(claimed(&p).is_empty(), "{hours} h: {:?}", claimed(&p));
    }
    let n = s.notifications(reporter, false, 10).expect("list");
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].emailed_at.is_some());

    // A failed send is given back at once (no lease to wait for).
    let day2 = at("2026-11-26", 9);
    s.add_notifications(
        &[chitieu_store::notifications::NewNotification {
            account_id: reporter,
            kind: "deadline_soon".into(),
            dedupe_key: "test:lease".into(),
            title: "Thử".into(),
            body: String::new(),
            link: None,
        }],
        day2,
    )
    .expect("add");
    let p = scheduler::prepare(s, day2, true, lease).expect("claim");
    let [fresh] = claimed(&p)[..] else {
        panic!("one e-mail claimed: {:?}", claimed(&p));
    };
    let r = scheduler::settle(s, p, vec![Err("421 thử lại sau".into())]).expect("settle");
    assert_eq!(r.emailed, 0);
    let p = scheduler::prepare(s, day2 + chrono::Duration::minutes(1), true, lease).expect("retry");
    assert_eq!(claimed(&p), vec![fresh]);
    scheduler::settle(s, p, vec![Ok(())]).expect("settle");
    let p =
        scheduler::prepare(s, day2 + chrono::Duration::days(1), true, lease).expect("nothing left");
    assert!(claimed(&p).is_empty(), "{:?}", claimed(&p));
}

/// A server whose send fails only after its claim's lease ran out, while another server has
/// claimed the e-mail again: settling the failure keeps the other server's claim (no third
/// pass takes it), and that server's send is recorded once. The clock is the pass's `now`.
fn a_late_failure_keeps_another_servers_claim<S>(s: &mut S)
where
    S: Store + AccountStore + WorkflowStore + NotificationStore + TaskStore,
{
    let lease = chrono::Duration::minutes(30);
    let reporter = seed_for_mail(s);
    let start = at("2026-11-25", 9);
    let claimed = |p: &scheduler::Prepared| -> Vec<i64> {
        p.outgoing.iter().map(|o| o.notification.id).collect()
    };
    let slow = scheduler::prepare(s, start, true, lease).expect("slow server");
    let [id] = claimed(&slow)[..] else {
        panic!("one e-mail claimed: {:?}", claimed(&slow));
    };
    let later = start + chrono::Duration::minutes(31);
    let other = scheduler::prepare(s, later, true, lease).expect("other server");
    assert_eq!(claimed(&other), vec![id]);

    let r = scheduler::settle(s, slow, vec![Err("timed out".into())]).expect("late failure");
    assert_eq!(
        (r.emailed, r.email_errors.len()),
        (0, 1),
        "{:?}",
        r.email_errors
    );
    let third = scheduler::prepare(s, later + chrono::Duration::minutes(1), true, lease)
        .expect("a third pass");
    assert!(claimed(&third).is_empty(), "{:?}", claimed(&third));

    let r = scheduler::settle(s, other, vec![Ok(())]).expect("other settles");
    assert_eq!(
        (r.emailed, r.email_errors.len()),
        (1, 0),
        "{:?}",
        r.email_errors
    );
    let p = scheduler::prepare(s, later + chrono::Duration::hours(2), true, lease)
        .expect("after sending");
    assert!(claimed(&p).is_empty(), "{:?}", claimed(&p));
    let n = s.notifications(reporter, false, 10).expect("list");
    assert_eq!(n.len(), 1, "{n:?}");
    let audit = s.audit_log(200).expect("audit");
    let count = |action: &str| audit.iter().filter(|e| e.action == action).count();
    assert_eq!(
        (
            count("notification.email"),
            count("notification.email_failed"),
            count("notification.email_sent")
        ),
        (2, 0, 1)
    );
}

/// Runs a test body written against the stores on a SQLite file and in a PostgreSQL schema of
/// its own (skipped with a message when no server answers, unless required).
macro_rules! on_both_backends {
    ($($body:ident => $schema:literal),* $(,)?) => {
        mod both_backends {
            $(
                pub mod $body {
                    #[test]
                    fn sqlite() {
                        let dir = tempfile::tempdir().expect("dir");
                        let mut s = chitieu_store::SqliteStore::open(&dir.path().join("test.db"))
                            .expect("open");
                        super::super::$body(&mut s);
                    }

                    #[test]
                    fn postgresql() {
                        let Some(url) = crate::common::postgres_url(concat!(stringify!($body), "_postgresql"))
                        else {
                            return;
                        };
                        let schema = format!(concat!($schema, "_{}"), std::process::id());
                        let _guard = crate::common::Schema {
                            url: url.clone(),
                            name: schema.clone(),
                        };
                        let mut s = chitieu_store::PgStore::open_in_schema(&url, Some(&schema))
                            .expect("open");
                        super::super::$body(&mut s);
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    a_late_failure_keeps_another_servers_claim => "t_remind_late",
    an_unsettled_claim_is_sent_after_its_lease => "t_remind_lease",
);
