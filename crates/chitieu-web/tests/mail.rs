//! Real e-mail: a local SMTP server (Python's `aiosmtpd`, writing a Maildir) started by the
//! test, a reminder and a daily digest sent through the real mail code by a scheduler pass,
//! and the mailbox read back by Python's `email` package (an independent decoder): recipient,
//! sender, the UTF-8 Vietnamese subject (sent as RFC 2047 encoded words), and the body.
//!
//! Skipped with a message when `aiosmtpd` is not installed (`python3 -m pip install
//! aiosmtpd`); failing instead when CHITIEU_REQUIRE_TOOLS=1, as in CI.

use chitieu_core::admin::UnitId;
use chitieu_core::figure::Provenance;
use chitieu_core::indicator::Catalog;
use chitieu_core::task::{Deadline, ExpectedOutput, Task, TaskField};
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::{AccountStore, NoProgress, NotificationStore, SqliteStore, Store, TaskStore};
use chitieu_web::mail::{MailConfig, Mailer};
use chitieu_web::scheduler;
use chrono::{DateTime, NaiveDate, Utc};
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn tools_required() -> bool {
    std::env::var("CHITIEU_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

fn have_aiosmtpd() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The SMTP server, stopped when dropped.
struct Smtpd(Child);

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn start_smtpd(maildir: &Path) -> (Smtpd, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start aiosmtpd");
    let server = Smtpd(child);
    // Wait (bounded) until it accepts connections.
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (server, port);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("aiosmtpd did not start on port {port}");
}

/// Every message in the Maildir, decoded by Python's email package.
fn read_maildir(maildir: &Path) -> Vec<serde_json::Value> {
    let script = r#"
import json, mailbox, sys
from email import policy
from email.parser import BytesParser
out = []
for key, msg in mailbox.Maildir(sys.argv[1], factory=None).items():
    raw = msg.as_bytes()
    m = BytesParser(policy=policy.default).parsebytes(raw)
    raw_subject = [l for l in raw.decode("ascii", "replace").splitlines() if l.lower().startswith("subject:")]
    out.append({
        "to": str(m["To"]),
        "from": str(m["From"]),
        "subject": str(m["Subject"]),
        "raw_subject": raw_subject[0] if raw_subject else "",
        "content_type": m.get_content_type(),
        "charset": m.get_content_charset(),
        "body": m.get_content(),
    })
out.sort(key=lambda m: m["subject"])
json.dump(out, sys.stdout, ensure_ascii=False)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(maildir)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "reading the Maildir: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).expect("json")
}

fn at(day: &str, hour: u32) -> DateTime<Utc> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .expect("day")
        .and_hms_opt(hour, 0, 0)
        .expect("time")
        .and_local_timezone(scheduler::vietnam())
        .single()
        .expect("offset")
        .with_timezone(&Utc)
}

#[test]
fn a_reminder_and_a_digest_arrive_by_email() {
    if !have_aiosmtpd() {
        assert!(
            !tools_required(),
            "CHITIEU_REQUIRE_TOOLS=1 but Python's aiosmtpd is not installed (python3 -m pip install aiosmtpd)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipped a_reminder_and_a_digest_arrive_by_email: aiosmtpd is not installed (python3 -m pip install aiosmtpd)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let maildir = dir.path().join("maildir");
    let (_smtpd, port) = start_smtpd(&maildir);

    let mut s = SqliteStore::open(&dir.path().join("m.db")).expect("open");
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = NaiveDate::from_ymd_opt(2026, 11, 1).expect("day");
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    let commune: UnitId = s.children_on(province, on).expect("communes")[0].unit;
    let reporter = s
        .create_account(
            &NewAccount {
                username: Username::new("xa.baocao").expect("name"),
                display_name: "Nguyễn Thị Hoa".into(),
                role: Role::Reporter,
                scopes: vec![commune],
                password_hash: "$argon2id$not-checked-here".into(),
            },
            "test",
        )
        .expect("account")
        .id;
    s.set_email(reporter, Some("hoa.nt@langson.gov.vn"), "test")
        .expect("email");
    s.set_setting(
        scheduler::SETTINGS_KEY,
        r#"{"period_kinds":[],"digest_hour":18}"#,
        "test",
    )
    .expect("settings");
    let id = s
        .add_task(
            &Task {
                text: "Hoàn thành cứng hóa đường trục xã".into(),
                field: TaskField::Economy,
                lead: commune,
                cooperating: vec![],
                deadline: Deadline::Date {
                    date: NaiveDate::from_ymd_opt(2026, 12, 2).expect("day"),
                },
                output: ExpectedOutput::Project {
                    name: "đường trục xã".into(),
                },
                source: String::new(),
                period: None,
                provenance: Provenance::Manual,
            },
            "test",
        )
        .expect("task");

    let mut cfg = MailConfig::parse(
        &format!("smtp://127.0.0.1:{port}"),
        "Văn phòng Tỉnh ủy <vanphong@langson.gov.vn>",
    )
    .expect("config");
    cfg.base_url = Some("https://chitieu.langson.gov.vn".into());
    let mailer = Mailer::new(&cfg).expect("mailer");

    let r = scheduler::pass(&mut s, at("2026-11-25", 9), Some(&mailer)).expect("morning");
    assert_eq!((r.created, r.emailed), (1, 1), "{:?}", r.email_errors);
    let r = scheduler::pass(&mut s, at("2026-11-25", 18), Some(&mailer)).expect("evening");
    assert_eq!((r.digests, r.emailed), (1, 1), "{:?}", r.email_errors);
    // Nothing is sent twice.
    let r = scheduler::pass(&mut s, at("2026-11-25", 19), Some(&mailer)).expect("again");
    assert_eq!((r.created, r.emailed, r.digests), (0, 0, 0));
    assert!(
        s.notifications(reporter, false, 10)
            .expect("list")
            .iter()
            .all(|n| n.emailed_at.is_some())
    );

    let mails = read_maildir(&maildir);
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let reminder = &mails[0];
    let digest = &mails[1];
    for m in &mails {
        assert_eq!(m["to"], "Nguyễn Thị Hoa <hoa.nt@langson.gov.vn>");
        assert_eq!(m["from"], "Văn phòng Tỉnh ủy <vanphong@langson.gov.vn>");
        assert_eq!(m["content_type"], "text/plain");
        assert_eq!(m["charset"], "utf-8");
        let raw = m["raw_subject"].as_str().expect("raw").to_lowercase();
        assert!(
            raw.contains("=?utf-8?"),
            "the subject is RFC 2047 encoded: {raw}"
        );
    }
    assert_eq!(
        reminder["subject"],
        "[Theo dõi chỉ tiêu] Sắp đến hạn (còn 7 ngày): Hoàn thành cứng hóa đường trục xã"
    );
    let body = reminder["body"].as_str().expect("body");
    assert!(
        body.contains("Nhiệm vụ «Hoàn thành cứng hóa đường trục xã» có hạn hoàn thành 02/12/2026"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "Xem chi tiết: https://chitieu.langson.gov.vn/app/tasks/{id}"
        )),
        "{body}"
    );
    assert_eq!(
        digest["subject"],
        "[Theo dõi chỉ tiêu] Tổng hợp ngày 25/11/2026: 1 thông báo chưa đọc"
    );
    let body = digest["body"].as_str().expect("body");
    assert!(body.contains("Kính gửi Nguyễn Thị Hoa"), "{body}");
    assert!(
        body.contains("- Sắp đến hạn (còn 7 ngày): Hoàn thành cứng hóa đường trục xã"),
        "{body}"
    );
}
