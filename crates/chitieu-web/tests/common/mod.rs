//! Shared support for the HTTP integration tests: starting the real server
//! (`chitieu_web::serve_on`) on a database, creating accounts, a browser-like client over
//! plain sockets (cookies, anti-forgery tokens, forms, JSON), and the PostgreSQL schema set-up.
//!
//! Each test binary uses a part of it, hence the `dead_code` allowance (test support only).
#![allow(dead_code)]

use chitieu_core::admin::UnitId;
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::{AccountStore, PgStore};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// The password of every test account.
pub const PASSWORD: &str = "mat-khau-thu-nghiem";

/// The PostgreSQL server at `CHITIEU_TEST_POSTGRES` (default
/// `postgres://postgres@127.0.0.1:5432/test`), or None (with a message naming `what`) when
/// none answers; with `CHITIEU_REQUIRE_POSTGRES=1` a missing server fails the test instead.
pub fn postgres_url(what: &str) -> Option<String> {
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
                "skipped {what}: no PostgreSQL server at {url} ({e}). Set CHITIEU_TEST_POSTGRES to run it."
            );
            None
        }
    }
}

/// Drops the test's schema at the end, passed or not.
pub struct Schema {
    pub url: String,
    pub name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = PgStore::drop_schema(&self.url, &self.name);
    }
}

/// Opens the app on `cfg` (so an opening error fails the test here), serves it on a free
/// local port in a thread of its own, and returns the address.
pub fn serve(cfg: chitieu_web::Config) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    let app = chitieu_web::App::open(cfg).expect("app");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            chitieu_web::serve_on(listener, app).await.expect("serve");
        });
    });
    addr
}

/// The app's configuration for a test database: cookies without `Secure` (plain HTTP).
pub fn config(database: impl AsRef<std::path::Path>) -> chitieu_web::Config {
    let mut cfg = chitieu_web::Config::new(database.as_ref());
    cfg.secure_cookies = false;
    cfg
}

/// Creates the accounts (name, role, scopes), each with [`PASSWORD`]; returns their ids by name.
pub fn create_accounts<'a>(
    s: &mut impl AccountStore,
    accounts: &[(&'a str, Role, Vec<UnitId>)],
) -> HashMap<&'a str, i64> {
    let hash = chitieu_web::auth::hash_password(PASSWORD).expect("hash");
    accounts
        .iter()
        .map(|(name, role, scopes)| {
            let id = s
                .create_account(
                    &NewAccount {
                        username: Username::new(name).expect("name"),
                        display_name: name.to_string(),
                        role: *role,
                        scopes: scopes.clone(),
                        password_hash: hash.clone(),
                    },
                    "test",
                )
                .expect("account")
                .id;
            (*name, id)
        })
        .collect()
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The `Location` header, if any.
    pub location: Option<String>,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Percent-encodes a form field.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The body of a chunked response.
pub fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = body.windows(2).position(|w| w == b"\r\n") {
        let Ok(size) =
            usize::from_str_radix(std::str::from_utf8(&body[..pos]).unwrap_or("0").trim(), 16)
        else {
            break;
        };
        if size == 0 || body.len() < pos + 2 + size {
            break;
        }
        out.extend_from_slice(&body[pos + 2..pos + 2 + size]);
        body = &body[(pos + 4 + size).min(body.len())..];
    }
    out
}

/// The anti-forgery token in a page's form, if any.
pub fn csrf_in(body: &str) -> Option<String> {
    let i = body.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(body[i..i + 64].to_string())
}

/// A browser-like client: keeps its cookies (and an API token, if set), sends forms and JSON;
/// it may talk to any server (as behind a load balancer).
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookies: HashMap<String, String>,
    pub bearer: Option<String>,
}

impl Client {
    /// A fresh browser (no cookies) talking to the server at `addr`.
    pub fn at(addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: HashMap::new(),
            bearer: None,
        }
    }

    /// A browser logged in as `user` (with [`PASSWORD`]) on the server at `addr`; the log-in
    /// must redirect to `/app`.
    pub fn login_at(addr: SocketAddr, user: &str) -> Client {
        let mut c = Client::at(addr);
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

    /// The same browser, its next requests routed to another server.
    pub fn via(&self, addr: SocketAddr) -> Client {
        Client {
            addr,
            ..self.clone()
        }
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        ctype: Option<&str>,
        body: &str,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut s = TcpStream::connect(self.addr).expect("connect");
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
        if let Some(t) = &self.bearer {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(ct) = ctype {
            req.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        for (k, v) in extra {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).expect("write");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read");
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .expect("status");
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
        let location = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone());
        Resp {
            status,
            headers,
            location,
            body: String::from_utf8_lossy(&body).to_string(),
            bytes: body,
        }
    }

    pub fn get(&mut self, path: &str) -> Resp {
        self.request("GET", path, None, "", &[])
    }

    /// Posts a form.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.request(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            &form(fields),
            &[],
        )
    }

    pub fn post_json(&mut self, path: &str, body: &serde_json::Value, csrf: Option<&str>) -> Resp {
        let extra: Vec<(&str, &str)> = csrf.map(|c| vec![("X-CSRF-Token", c)]).unwrap_or_default();
        self.request(
            "POST",
            path,
            Some("application/json"),
            &body.to_string(),
            &extra,
        )
    }

    /// The anti-forgery token of the page at `path`.
    pub fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path);
        csrf_in(&page.body).unwrap_or_else(|| panic!("no token on {path}: {}", page.status))
    }

    /// A new API token made on the accounts page.
    pub fn api_token(&mut self) -> String {
        let token = self.csrf("/app/accounts");
        let r = self.post("/app/tokens", &[("_csrf", &token), ("name", "test")]);
        assert_eq!(r.status, 200);
        let start =
            r.body.find("id=\"new-token\">").expect("new token") + "id=\"new-token\">".len();
        r.body[start..start + 64].to_string()
    }
}

/// Posts the entry form of a unit and period: each value as (indicator code, value, comment),
/// and the action (`save`, `submit`).
pub fn entry(
    c: &mut Client,
    unit: i64,
    period: &str,
    values: &[(&str, &str, &str)],
    action: &str,
) -> Resp {
    let token = c.csrf(&format!("/app/entry?unit={unit}&period={period}"));
    let unit = unit.to_string();
    let mut fields: Vec<(String, String)> = vec![
        ("_csrf".into(), token),
        ("unit".into(), unit),
        ("period".into(), period.into()),
        ("action".into(), action.into()),
    ];
    for (code, v, comment) in values {
        fields.push((format!("v_{code}"), v.to_string()));
        fields.push((format!("c_{code}"), comment.to_string()));
    }
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    c.post("/app/entry", &f)
}

/// Posts the review form: approve, return or reopen a unit's data set, with a comment.
pub fn review(c: &mut Client, unit: i64, period: &str, action: &str, comment: &str) -> Resp {
    let token = c.csrf("/app/review");
    c.post(
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
