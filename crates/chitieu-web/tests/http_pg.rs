//! Two real servers (`chitieu_web::serve_on`) on one PostgreSQL database, as two `chitieu
//! serve` behind nginx: a log-in on one is valid on the other, entry and approval go through
//! either, an approval made on one server is seen at once on the other (its dashboard cache is
//! keyed by the newest audit entry, which the other server's write moved on), and two
//! approvals of the same data set at the same moment on the two servers give one approval and
//! one clear refusal.
//!
//! PostgreSQL is found at `CHITIEU_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`); the test works in a schema of its own, dropped
//! afterwards. Without a server it prints why and passes; with `CHITIEU_REQUIRE_POSTGRES=1`
//! it fails instead.

use chitieu_core::Decimal;
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::{AccountStore, Batch, Location, NoProgress, PgStore, Store};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::str::FromStr;

const PASSWORD: &str = "mat-khau-thu-nghiem";

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
                "skipped the two-server test: no PostgreSQL server at {url} ({e}). Set CHITIEU_TEST_POSTGRES to run it."
            );
            None
        }
    }
}

/// Drops the test's schema at the end, passed or not.
struct Schema {
    url: String,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = PgStore::drop_schema(&self.url, &self.name);
    }
}

/// Starts a server on the database and returns its address.
fn start_server(database: &str) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let mut cfg = chitieu_web::Config::new(database);
    assert!(matches!(cfg.database, Location::Postgres(_)));
    cfg.secure_cookies = false;
    let app = chitieu_web::App::open(cfg).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            chitieu_web::serve_on(listener, app).await.unwrap();
        });
    });
    addr
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A browser: keeps its cookies, and may talk to either server (as behind a load balancer).
#[derive(Clone)]
struct Client {
    addr: SocketAddr,
    cookies: HashMap<String, String>,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = body.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..pos]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[pos + 2..pos + 2 + size]);
        body = &body[pos + 2 + size + 2..];
    }
    out
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: HashMap::new(),
        }
    }

    fn request(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Resp {
        let mut s = TcpStream::connect(self.addr).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        let body = form
            .map(|f| {
                f.iter()
                    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                    .collect::<Vec<_>>()
                    .join("&")
            })
            .unwrap_or_default();
        if form.is_some() {
            req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((name, value)) = v.split(';').next().and_then(|f| f.split_once('='))
            {
                if v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
        }
    }

    fn get(&mut self, path: &str) -> Resp {
        self.request("GET", path, None)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.request("POST", path, Some(form))
    }

    fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path);
        let marker = "name=\"_csrf\" value=\"";
        let i = page
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no token on {path}: {}", page.status))
            + marker.len();
        page.body[i..i + 64].to_string()
    }

    fn login(addr: SocketAddr, user: &str) -> Client {
        let mut c = Client::new(addr);
        let token = c.csrf("/login");
        let r = c.post(
            "/login",
            &[
                ("_csrf", &token),
                ("username", user),
                ("password", PASSWORD),
            ],
        );
        assert_eq!(r.status, 303, "log-in of {user}: {}", r.body);
        assert_eq!(r.header("location"), Some("/app"));
        c
    }

    /// The same browser, its next request routed to another server.
    fn via(&self, addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: self.cookies.clone(),
        }
    }

    fn entry(&mut self, unit: i64, period: &str, value: &str, action: &str) -> Resp {
        let token = self.csrf(&format!("/app/entry?unit={unit}&period={period}"));
        let unit = unit.to_string();
        self.post(
            "/app/entry",
            &[
                ("_csrf", &token),
                ("unit", &unit),
                ("period", period),
                ("action", action),
                ("v_budget_revenue", value),
                ("c_budget_revenue", ""),
            ],
        )
    }

    fn review(&mut self, unit: i64, period: &str, action: &str, comment: &str) -> Resp {
        let token = self.csrf("/app/review");
        self.post(
            "/app/review",
            &[
                ("_csrf", &token),
                ("unit", &unit.to_string()),
                ("period", period),
                ("action", action),
                ("comment", comment),
            ],
        )
    }
}

#[test]
fn two_servers_share_one_postgresql_database() {
    let Some(url) = postgres_url() else {
        return;
    };
    let name = format!(
        "t_http_two_servers_{}_{}",
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
    // The data: Bắc Sơn's revenue target, an office account and a reporter.
    let bac_son = {
        let mut s = PgStore::open_in_schema(&url, Some(&name)).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
        let bac_son = s
            .resolve_unit("huyện Bắc Sơn, tỉnh Lạng Sơn", on)
            .unwrap()
            .unit;
        let mut batch = Batch::default();
        batch.plan_sources.push(PlanSource {
            key: "NQ-BS".into(),
            kind: PlanKind::PartyResolution,
            title: "Nghị quyết thử".into(),
            unit: bac_son,
            issued_on: None,
        });
        batch.targets.push(Target {
            indicator: IndicatorCode::new("budget_revenue").unwrap(),
            unit: bac_son,
            period: Period::year(2022).unwrap(),
            source: "NQ-BS".into(),
            comparator: Comparator::AtLeast {
                value: Decimal::from_str("40000000000").unwrap(),
            },
        });
        s.apply(&batch, "test").unwrap();
        let hash = chitieu_web::auth::hash_password(PASSWORD).unwrap();
        for (user, role, scope) in [
            ("office", Role::Office, "tỉnh Lạng Sơn"),
            ("rep.bacson", Role::Reporter, "huyện Bắc Sơn, tỉnh Lạng Sơn"),
        ] {
            s.create_account(
                &NewAccount {
                    username: Username::new(user).unwrap(),
                    display_name: user.into(),
                    role,
                    scopes: vec![s.resolve_unit(scope, on).unwrap().unit],
                    password_hash: hash.clone(),
                },
                "test",
            )
            .unwrap();
        }
        bac_son.0
    };
    // Both servers open the schema through the URL, as `chitieu serve --database URL` would.
    let app_name = format!("chitieu_http_pg_{}", std::process::id());
    let database = format!("{url}?application_name={app_name}&options=-c%20search_path%3D{name}");
    let a = start_server(&database);
    let b = start_server(&database);

    // A log-in on server A is valid on server B: sessions live in the database.
    let mut rep_a = Client::login(a, "rep.bacson");
    let mut rep_b = rep_a.via(b);
    assert_eq!(rep_b.get("/app").status, 200);
    let r = rep_a.entry(bac_son, "2022", "43,248", "submit");
    assert_eq!(r.status, 303, "{}", r.body);

    // Server B builds (and caches) the dashboard while the data set is submitted.
    let mut office_b = Client::login(b, "office");
    let mut office_a = office_b.via(a);
    let dash = office_b.get(&format!("/app?unit={bac_son}&period=2022"));
    assert!(
        dash.body.contains("đã gửi, chờ duyệt"),
        "B shows the submission: {}",
        dash.body
    );
    // Approved on A ...
    let r = office_a.review(bac_son, "2022", "approve", "");
    assert_eq!(r.status, 303, "{}", r.body);
    // ... is seen on B at once: its cache key (the newest audit id) moved with A's write.
    let dash = office_b.get(&format!("/app?unit={bac_son}&period=2022"));
    assert!(
        dash.body.contains("đã duyệt (khóa)"),
        "B still shows the old state: {}",
        dash.body
    );
    assert!(!dash.body.contains("đã gửi, chờ duyệt"));
    // A second approval, on B, is refused with the reason.
    let r = office_b.review(bac_son, "2022", "approve", "");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("không thể duyệt") && r.body.contains("đã duyệt (khóa)"),
        "{}",
        r.body
    );
    // The figure is locked on both servers, and published on B's portal.
    let r = rep_b.entry(bac_son, "2022", "50", "save");
    assert_eq!(r.status, 409, "{}", r.body);
    let portal = Client::new(b).get(&format!("/portal/unit/{bac_son}?period=2022"));
    assert_eq!(portal.status, 200);
    assert!(portal.body.contains("43,248 tỷ đồng"), "{}", portal.body);

    // Two approvals at the same moment, one on each server: one wins, the other is told.
    for round in 0..4 {
        let period = format!("2022-Q{}", round + 1);
        let r = rep_a.entry(bac_son, &period, "9,5", "submit");
        assert_eq!(r.status, 303, "{}", r.body);
        let clients = [office_a.clone(), office_b.clone()];
        let handles: Vec<_> = clients
            .into_iter()
            .map(|mut c| {
                let period = period.clone();
                let token = c.csrf("/app/review");
                std::thread::spawn(move || {
                    c.post(
                        "/app/review",
                        &[
                            ("_csrf", &token),
                            ("unit", &bac_son.to_string()),
                            ("period", &period),
                            ("action", "approve"),
                            ("comment", ""),
                        ],
                    )
                })
            })
            .collect();
        let mut results: Vec<Resp> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        results.sort_by_key(|r| r.status);
        assert_eq!(
            results.iter().map(|r| r.status).collect::<Vec<_>>(),
            [303, 409],
            "{period}: {}",
            results[1].body
        );
        let loser = &results[1].body;
        assert!(
            loser.contains("không thể duyệt") || loser.contains("thử lại"),
            "{period}: the loser is told why: {loser}"
        );
    }
    // The database closes the servers' connections (a restart, a network cut): each handle
    // finds its connection closed before using it and opens a new one; no request fails.
    let s = PgStore::open_in_schema(&url, Some(&name)).unwrap();
    let closed = s
        .select(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t",
            &[&app_name],
        )
        .unwrap()[0]
        .get::<_, i64>(0);
    assert!(closed >= 2, "{closed} connections closed");
    for server in [a, b] {
        let mut c = office_b.via(server);
        let statuses: Vec<u16> = (0..8).map(|_| c.get("/app").status).collect();
        assert!(statuses.iter().all(|s| *s == 200), "{server}: {statuses:?}");
    }
    // The audit log (read on either server's database) has each approval once.
    let approvals = s
        .audit_log(1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "data_set.approve")
        .count();
    assert_eq!(approvals, 5);
}
