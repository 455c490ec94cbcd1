//! The `chitieu` binary on PostgreSQL: `demo` into an empty database, `report` from it, a
//! second `demo` refused (a server's database is never emptied), and two `chitieu serve`
//! processes on the same database answering at once.
//!
//! PostgreSQL is found at `CHITIEU_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`); the test works in a schema of its own (chosen
//! through the URL's `search_path` option), dropped afterwards. Without a server it prints
//! why and passes; with `CHITIEU_REQUIRE_POSTGRES=1` it fails instead.

use chitieu_store::PgStore;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

fn postgres_url() -> Option<String> {
    let url = std::env::var("CHITIEU_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
    match PgStore::check_server(&url) {
        Ok(()) => Some(url),
        Err(e) if std::env::var("CHITIEU_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("CHITIEU_REQUIRE_POSTGRES=1 but no PostgreSQL server answers at {url}: {e}")
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "skipped the CLI test on PostgreSQL: no server at {url} ({e}). Set CHITIEU_TEST_POSTGRES to run it."
            );
            None
        }
    }
}

/// Drops the schema and stops the servers at the end, passed or not.
struct Cleanup {
    url: String,
    schema: String,
    servers: Vec<Child>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for s in &mut self.servers {
            let _ = s.kill();
            let _ = s.wait();
        }
        let _ = PgStore::drop_schema(&self.url, &self.schema);
    }
}

fn chitieu(database: &str, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .arg("--database")
        .arg(database)
        .args(args)
        .current_dir(dir)
        .env("CHITIEU_USER", "tester")
        .env("CHITIEU_PASSWORD", "mat-khau-thu-nghiem-pg")
        .output()
        .expect("run chitieu")
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn demo_report_and_two_servers_on_postgresql() {
    let Some(url) = postgres_url() else {
        return;
    };
    let schema = format!("t_cli_pg_{}", std::process::id());
    // Creates the schema (empty: no units, no figures) for the binary to fill.
    PgStore::open_in_schema(&url, Some(&schema)).expect("schema");
    let mut cleanup = Cleanup {
        url: url.clone(),
        schema: schema.clone(),
        servers: Vec::new(),
    };
    let database = format!("{url}?options=-c%20search_path%3D{schema}");
    let dir = tempfile::tempdir().expect("temp dir");

    let out = chitieu(&database, dir.path(), &["demo", "--no-serve"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Tài khoản mẫu"), "{stdout}");
    // The demo's report files go to the current directory.
    assert!(
        dir.path()
            .join("chitieu-demo-bao-cao-so-ket-2022-H1-bac-son.pdf")
            .exists()
    );
    // A second demo would overwrite a server's data: refused, with the reason.
    let again = chitieu(&database, dir.path(), &["demo", "--no-serve"]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("needs an empty database"), "{err}");
    // `report` reads the same database.
    let list = chitieu(
        &database,
        dir.path(),
        &[
            "report",
            "--unit",
            "huyện Bắc Sơn",
            "--period",
            "2022-H1",
            "--list",
        ],
    );
    let list_out = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{list_out}");
    assert!(list_out.contains("12-BC/HU"), "{list_out}");

    // Accounts and publication work there too.
    for args in [
        &[
            "account",
            "--username",
            "pg.office",
            "--role",
            "office",
            "--scope",
            "tỉnh Lạng Sơn",
        ][..],
        &["publish", "--unit", "huyện Hữu Lũng", "--period", "2023-Q1"][..],
    ] {
        let out = chitieu(&database, dir.path(), args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let s = PgStore::open_in_schema(&url, Some(&schema)).expect("open");
    use chitieu_store::{AccountStore, Store};
    assert!(s.account_by_username("pg.office").expect("read").is_some());
    let actions: Vec<String> = s
        .audit_log(20)
        .expect("audit")
        .into_iter()
        .map(|e| format!("{} {}", e.actor, e.action))
        .collect();
    assert!(
        actions.contains(&"cli:tester data_set.mark_approved".to_string())
            && actions.contains(&"cli:tester account.create".to_string()),
        "{actions:?}"
    );

    // Two servers on the one database, as behind nginx.
    let mut addrs = Vec::new();
    let mut outputs = Vec::new();
    for _ in 0..2 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .args([
                "--database",
                &database,
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--no-reminders",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start chitieu serve");
        let stdout = child.stdout.take().expect("stdout");
        cleanup.servers.push(child);
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut line)
            .expect("the server's first line");
        // Kept open, so that the server's later output never meets a closed pipe.
        outputs.push(reader);
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        addrs.push(addr);
    }
    for addr in &addrs {
        let (status, body) = get(addr, "/portal");
        assert_eq!(status, 200, "{addr}: {body}");
        assert!(body.contains("Bắc Sơn"), "{addr}");
        let (status, _) = get(addr, "/login");
        assert_eq!(status, 200, "{addr}");
    }
    drop(cleanup);
}
