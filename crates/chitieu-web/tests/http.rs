//! HTTP tests: the real server (`chitieu_web::serve_on`) on a random loopback port over a
//! temporary database, driven by a small HTTP/1.1 client over plain sockets, as a browser or a
//! machine would: log-in, permissions (pages and API), anti-forgery tokens, entry and its
//! checks, submit → approve → lock, return with a comment, the approval hierarchy, reader
//! comments (moderation, rate limit, markup shown as text) and the API.
//!
//! One server serves every test; each test works on its own unit and period.

mod common;

use chitieu_core::Decimal;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::accounts::Role;
use chitieu_store::{Batch, NoProgress, SqliteStore, Store, WorkflowStore};
use common::{Client, PASSWORD, config, create_accounts, csrf_in, entry, review, serve};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::OnceLock;

struct Fixture {
    addr: SocketAddr,
    bac_son: i64,
    huu_lung: i64,
    /// A commune of Bắc Sơn on 2022-12-31.
    commune: i64,
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("web.db");
        let mut s = SqliteStore::open(&path).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
        let bac_son = s
            .resolve_unit("huyện Bắc Sơn, tỉnh Lạng Sơn", on)
            .unwrap()
            .unit;
        let huu_lung = s
            .resolve_unit("huyện Hữu Lũng, tỉnh Lạng Sơn", on)
            .unwrap()
            .unit;
        let end = chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap();
        let commune = s.children_on(bac_son, end).unwrap()[0].unit;
        let code = |c: &str| IndicatorCode::new(c).unwrap();
        let mut batch = Batch::default();
        for (u, key) in [(bac_son, "T-BS"), (huu_lung, "T-HL"), (commune, "T-XA")] {
            batch.plan_sources.push(PlanSource {
                key: key.into(),
                kind: PlanKind::PartyResolution,
                title: format!("Nghị quyết thử {key}"),
                unit: u,
                issued_on: None,
            });
            for year in [2021, 2022, 2023] {
                batch.targets.push(Target {
                    indicator: code("budget_revenue"),
                    unit: u,
                    period: Period::year(year).unwrap(),
                    source: key.into(),
                    comparator: Comparator::AtLeast {
                        value: d("40000000000"),
                    },
                });
            }
        }
        // Last year's figures, for the jump check and the published result.
        for (p, v) in [("2021", "42000000000"), ("2021-Q3", "10000000000")] {
            batch.figures.push(FigureInput {
                indicator: code("budget_revenue"),
                unit: bac_son,
                period: Period::from_str(p).unwrap(),
                value: d(v),
                state: FigureState::Official,
                as_of: None,
                provenance: Provenance::Manual,
                note: None,
            });
        }
        s.apply(&batch, "test").unwrap();
        s.mark_approved(bac_son, &Period::year(2021).unwrap(), "test")
            .unwrap();
        let mut accounts = Vec::new();
        for (name, role, scope) in [
            ("admin", Role::Admin, None),
            ("office", Role::Office, Some("tỉnh Lạng Sơn")),
            (
                "rep.bacson",
                Role::Reporter,
                Some("huyện Bắc Sơn, tỉnh Lạng Sơn"),
            ),
            (
                "rep.huulung",
                Role::Reporter,
                Some("huyện Hữu Lũng, tỉnh Lạng Sơn"),
            ),
            ("viewer", Role::Viewer, Some("tỉnh Lạng Sơn")),
            ("locked.out", Role::Viewer, Some("tỉnh Lạng Sơn")),
        ] {
            let scopes = match scope {
                Some(n) => vec![s.resolve_unit(n, on).unwrap().unit],
                None => vec![],
            };
            accounts.push((name, role, scopes));
        }
        create_accounts(&mut s, &accounts);
        drop(s);

        let addr = serve(config(path));
        Fixture {
            addr,
            bac_son: bac_son.0,
            huu_lung: huu_lung.0,
            commune: commune.0,
        }
    })
}

impl Client {
    /// A fresh browser talking to the fixture's server.
    fn new() -> Client {
        Client::at(fixture().addr)
    }

    fn login(user: &str) -> Client {
        Client::login_at(fixture().addr, user)
    }
}

// ----- tests -----

#[test]
fn log_in_log_out_and_wrong_passwords() {
    let mut c = Client::new();
    // Internal pages send an anonymous visitor to the log-in page.
    let r = c.get("/app");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));

    let token = c.csrf("/login");
    let r = c.post(
        "/login",
        &[
            ("_csrf", &token),
            ("username", "viewer"),
            ("password", "sai mật khẩu"),
        ],
    );
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Sai tên đăng nhập hoặc mật khẩu"));
    let r = c.post(
        "/login",
        &[
            ("_csrf", &token),
            ("username", "nobody"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.status, 401);

    let mut c = Client::login("viewer");
    let cookie = c.cookies.get("chitieu_session").cloned().unwrap();
    assert_eq!(cookie.len(), 64);
    let r = c.get("/app");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("viewer"));
    // The session cookie is HttpOnly and SameSite.
    let mut fresh = Client::new();
    let token = fresh.csrf("/login");
    let r = fresh.post(
        "/login",
        &[
            ("_csrf", &token),
            ("username", "viewer"),
            ("password", PASSWORD),
        ],
    );
    let set = r
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("chitieu_session="))
        .unwrap();
    assert!(
        set.1.contains("HttpOnly") && set.1.contains("SameSite=Lax"),
        "{}",
        set.1
    );

    let token = c.csrf("/app");
    let r = c.post("/logout", &[("_csrf", &token)]);
    assert_eq!(r.status, 303);
    // The old cookie no longer opens a session.
    let mut replay = Client::new();
    replay.cookies.insert("chitieu_session".into(), cookie);
    assert_eq!(replay.get("/app").status, 303);
}

#[test]
fn repeated_failures_lock_the_account() {
    let mut c = Client::new();
    let token = c.csrf("/login");
    for _ in 0..5 {
        let r = c.post(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "locked.out"),
                ("password", "wrong-wrong"),
            ],
        );
        assert_eq!(r.status, 401);
    }
    // Now even the right password is refused, with the reason.
    let r = c.post(
        "/login",
        &[
            ("_csrf", &token),
            ("username", "locked.out"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.status, 401);
    assert!(r.body.contains("tạm khóa"), "{}", r.body);
}

#[test]
fn forms_without_the_anti_forgery_token_are_refused() {
    let f = fixture();
    let mut c = Client::login("rep.bacson");
    let unit = f.bac_son.to_string();
    // No token.
    let r = c.post(
        "/app/entry",
        &[
            ("unit", &unit),
            ("period", "2023-Q1"),
            ("v_budget_revenue", "1"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 403);
    // Someone else's token.
    let other = Client::login("rep.bacson").csrf("/app");
    let r = c.post(
        "/app/entry",
        &[
            ("_csrf", &other),
            ("unit", &unit),
            ("period", "2023-Q1"),
            ("v_budget_revenue", "1"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 403);
    // The API with a session cookie needs the header too.
    let r = c.post_json(
        "/api/v1/entry",
        &serde_json::json!({"unit": f.bac_son, "period": "2023-Q1", "values": []}),
        None,
    );
    assert_eq!(r.status, 403);
    // The log-in form itself.
    let mut anon = Client::new();
    anon.get("/login");
    let r = anon.post("/login", &[("username", "viewer"), ("password", PASSWORD)]);
    assert_eq!(r.status, 403);
    // Nothing was stored.
    let page = c.get(&format!("/app/entry?unit={unit}&period=2023-Q1"));
    assert!(page.body.contains("chưa nhập"), "{}", page.body);
}

#[test]
fn a_reporter_cannot_write_another_units_figures() {
    let f = fixture();
    let mut c = Client::login("rep.huulung");
    // The page refuses, for reading and for writing.
    assert_eq!(
        c.get(&format!("/app/entry?unit={}&period=2023-Q2", f.bac_son))
            .status,
        403
    );
    let token = c.csrf("/app");
    let r = c.post(
        "/app/entry",
        &[
            ("_csrf", &token),
            ("unit", &f.bac_son.to_string()),
            ("period", "2023-Q2"),
            ("v_budget_revenue", "5"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 403);
    // And so does the API with a machine token.
    let token = c.api_token();
    let mut machine = Client::new();
    machine.bearer = Some(token);
    let me = machine.get("/api/v1/me");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "rep.huulung");
    let r = machine.post_json(
        "/api/v1/entry",
        &serde_json::json!({"unit": f.bac_son, "period": "2023-Q2", "values": [{"indicator": "budget_revenue", "value": "5"}], "submit": true}),
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // Its own unit works through the API.
    let r = machine.post_json(
        "/api/v1/entry",
        &serde_json::json!({"unit": f.huu_lung, "period": "2023-Q2", "values": [{"indicator": "budget_revenue", "value": "12,5"}]}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data_set"]["state"], "draft");
    // A reporter cannot approve, a viewer cannot enter.
    assert_eq!(
        machine
            .post_json(
                "/api/v1/review",
                &serde_json::json!({"unit": f.huu_lung, "period": "2023-Q2", "action": "approve"}),
                None
            )
            .status,
        403
    );
    let mut v = Client::login("viewer");
    assert_eq!(v.get("/app/entry").status, 403);
    // A bad token is refused.
    let mut bad = Client::new();
    bad.bearer = Some("0".repeat(64));
    assert_eq!(bad.get("/api/v1/me").status, 403);
}

#[test]
fn values_are_checked_and_errors_shown() {
    let f = fixture();
    let mut c = Client::login("rep.bacson");
    // Not a number: nothing saved, the error shown next to the field.
    let r = entry(
        &mut c,
        f.bac_son,
        "2022-Q1",
        &[("budget_revenue", "mười hai tỷ?", "")],
        "save",
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không phải là số"), "{}", r.body);
    // A unit that does not fit.
    let r = entry(
        &mut c,
        f.bac_son,
        "2022-Q1",
        &[("budget_revenue", "12 ha", "")],
        "save",
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không khớp"));
    // Negative.
    let r = entry(
        &mut c,
        f.bac_son,
        "2022-Q1",
        &[("budget_revenue", "-3", "")],
        "save",
    );
    assert_eq!(r.status, 422);
    // The live check (htmx) says the same, and accepts a good value.
    let r = c.get(&format!("/app/entry/check?unit={}&period=2022-Q1&indicator=budget_revenue&v_budget_revenue=1.234%2C5", f.bac_son));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("1.234,5 tỷ đồng"), "{}", r.body);
    // 2021-Q3 was 10 tỷ: 30 tỷ in 2022-Q3 is a large jump and needs a comment.
    let r = entry(
        &mut c,
        f.bac_son,
        "2022-Q3",
        &[("budget_revenue", "30", "")],
        "save",
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("cần ghi chú"), "{}", r.body);
    let r = entry(
        &mut c,
        f.bac_son,
        "2022-Q3",
        &[("budget_revenue", "30", "Thu tiền sử dụng đất một lần")],
        "save",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&format!("/app/entry?unit={}&period=2022-Q3", f.bac_son));
    assert!(page.body.contains("value=\"30\""), "{}", page.body);
    assert!(page.body.contains("đang nhập"));
}

#[test]
fn submit_approve_lock_and_reopen() {
    let f = fixture();
    let mut rep = Client::login("rep.bacson");
    let r = entry(
        &mut rep,
        f.bac_son,
        "2022",
        &[("budget_revenue", "43,248", "")],
        "submit",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The dashboard judges the new figure at once: 43,248 tỷ against 40 tỷ is green.
    let dash = rep.get(&format!("/app?unit={}&period=2022", f.bac_son));
    assert!(
        dash.body
            .contains("data-indicator=\"budget_revenue\" data-colour=\"green\""),
        "{}",
        dash.body
    );
    // Submitted: the reporter can no longer change it.
    let r = entry(
        &mut rep,
        f.bac_son,
        "2022",
        &[("budget_revenue", "50", "")],
        "save",
    );
    assert_eq!(r.status, 409, "{}", r.body);

    let mut office = Client::login("office");
    let queue = office.get("/app/review");
    assert!(
        queue.body.contains(&format!("ds-{}-2022\"", f.bac_son)),
        "{}",
        queue.body
    );
    let r = review(&mut office, f.bac_son, "2022", "approve", "");
    assert_eq!(r.status, 303, "{}", r.body);
    // Approved is locked.
    let page = rep.get(&format!("/app/entry?unit={}&period=2022", f.bac_son));
    assert!(page.body.contains("đã duyệt (khóa)"));
    assert!(page.body.contains(" disabled"));
    let r = entry(
        &mut rep,
        f.bac_son,
        "2022",
        &[("budget_revenue", "50", "")],
        "save",
    );
    assert_eq!(r.status, 409);
    // And published on the portal, with no log-in.
    let mut public = Client::new();
    let portal = public.get(&format!("/portal/unit/{}?period=2022", f.bac_son));
    assert_eq!(portal.status, 200);
    assert!(portal.body.contains("43,248 tỷ đồng"), "{}", portal.body);
    // A reporter cannot reopen; the office can, and the reporter may edit again.
    let mut rep_api = Client::new();
    rep_api.bearer = Some(rep.api_token());
    assert_eq!(
        rep_api
            .post_json(
                "/api/v1/review",
                &serde_json::json!({"unit": f.bac_son, "period": "2022", "action": "reopen"}),
                None
            )
            .status,
        403
    );
    let r = review(
        &mut office,
        f.bac_son,
        "2022",
        "reopen",
        "sửa số chính thức",
    );
    assert_eq!(r.status, 303);
    let r = entry(
        &mut rep,
        f.bac_son,
        "2022",
        &[("budget_revenue", "44", "")],
        "save",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The audit log, for the admin only, shows the whole path.
    let mut admin = Client::login("admin");
    let audit = admin.get("/app/audit");
    for action in [
        "data_set.submit",
        "data_set.approve",
        "data_set.reopen",
        "login",
    ] {
        assert!(audit.body.contains(action), "{action} missing");
    }
    assert_eq!(rep.get("/app/audit").status, 403);
}

#[test]
fn return_with_a_comment() {
    let f = fixture();
    let mut rep = Client::login("rep.bacson");
    let r = entry(
        &mut rep,
        f.bac_son,
        "2022-Q2",
        &[("budget_revenue", "9,5", "")],
        "submit",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mut office = Client::login("office");
    // A return needs a reason.
    let r = review(&mut office, f.bac_son, "2022-Q2", "return", "");
    assert_eq!(r.status, 409);
    let r = review(
        &mut office,
        f.bac_son,
        "2022-Q2",
        "return",
        "Số thu quý II chưa khớp báo cáo của Chi cục Thuế",
    );
    assert_eq!(r.status, 303);
    let page = rep.get(&format!("/app/entry?unit={}&period=2022-Q2", f.bac_son));
    assert!(page.body.contains("trả lại để sửa"));
    assert!(
        page.body
            .contains("Số thu quý II chưa khớp báo cáo của Chi cục Thuế")
    );
    // Editable again, and it can be submitted again.
    let r = entry(
        &mut rep,
        f.bac_son,
        "2022-Q2",
        &[("budget_revenue", "9,8", "")],
        "submit",
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn a_unit_is_approved_only_after_the_units_below() {
    let f = fixture();
    let mut admin = Client::login("admin");
    let mut api = Client::new();
    api.bearer = Some(admin.api_token());
    for unit in [f.commune, f.bac_son] {
        let r = api.post_json(
            "/api/v1/entry",
            &serde_json::json!({"unit": unit, "period": "2023-Q3", "values": [{"indicator": "budget_revenue", "value": "1"}], "submit": true}),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let approve = |api: &mut Client, unit: i64, action: &str| {
        api.post_json("/api/v1/review", &serde_json::json!({"unit": unit, "period": "2023-Q3", "action": action, "comment": "x"}), None)
    };
    let r = approve(&mut api, f.bac_son, "approve");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("cấp dưới"));
    assert_eq!(approve(&mut api, f.commune, "approve").status, 200);
    assert_eq!(approve(&mut api, f.bac_son, "approve").status, 200);
    // The commune cannot be reopened while the district is approved.
    assert_eq!(approve(&mut api, f.commune, "reopen").status, 409);
    assert_eq!(approve(&mut api, f.bac_son, "reopen").status, 200);
    assert_eq!(approve(&mut api, f.commune, "reopen").status, 200);
}

#[test]
fn reader_comments_are_held_moderated_shown_as_text_and_rate_limited() {
    let f = fixture();
    let page = format!("/portal/unit/{}?period=2021", f.bac_son);
    let mut reader = Client::new();
    let token = reader.csrf(&page);
    let action = format!("/portal/unit/{}/comments?period=2021", f.bac_son);
    let attack = "<script>alert('x')</script><img src=x onerror=alert(1)> <b>đậm</b>";
    let r = reader.post(
        &action,
        &[
            ("_csrf", &token),
            ("author", "Bạn đọc <i>A</i>"),
            ("body", attack),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // Held: not on the page yet.
    let before = reader.get(&page);
    assert!(!before.body.contains("onerror"), "shown before moderation");
    // The office publishes it.
    let mut office = Client::login("office");
    let mut api = Client::new();
    api.bearer = Some(office.api_token());
    let pending = api.get("/api/v1/comments?state=pending").json();
    let id = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"] == attack)
        .map(|c| c["id"].as_i64().unwrap())
        .expect("pending comment");
    let token = office.csrf("/app/comments");
    let r = office.post(
        &format!("/app/comments/{id}"),
        &[("_csrf", &token), ("state", "published")],
    );
    assert_eq!(r.status, 303);
    // Shown, as text: the markup arrives escaped, never as elements.
    let after = reader.get(&page);
    let escaped = |text: &str| {
        let a = text.replace('<', "&lt;").replace('>', "&gt;");
        let b = text.replace('<', "&#60;").replace('>', "&#62;");
        after.body.contains(&a) || after.body.contains(&b)
    };
    assert!(
        escaped("<script>alert(&#39;x&#39;)</script>"),
        "{}",
        after.body
    );
    assert!(escaped("<img src=x onerror=alert(1)>"));
    assert!(escaped("Bạn đọc <i>A</i>"));
    assert!(!after.body.contains("<script>alert"));
    assert!(!after.body.contains("<img src=x"));
    assert!(!after.body.contains("<b>đậm</b>"));
    assert!(!after.body.contains("<i>A</i>"));
    // The page forbids inline scripts anyway.
    assert!(
        after
            .header("content-security-policy")
            .unwrap()
            .contains("script-src 'self'")
    );
    reader_comments_are_rate_limited();
}

/// Every comment counts against the sender's address, so this runs after the other comment
/// test, in the same test: on loopback all clients share one address.
fn reader_comments_are_rate_limited() {
    let f = fixture();
    // Its own unit's published result: a period approved for this test.
    let mut admin = Client::login("admin");
    let mut api = Client::new();
    api.bearer = Some(admin.api_token());
    let r = api.post_json(
        "/api/v1/entry",
        &serde_json::json!({"unit": f.huu_lung, "period": "2021", "values": [{"indicator": "budget_revenue", "value": "41"}], "submit": true}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        api.post_json(
            "/api/v1/review",
            &serde_json::json!({"unit": f.huu_lung, "period": "2021", "action": "approve"}),
            None
        )
        .status,
        200
    );
    let page = format!("/portal/unit/{}?period=2021", f.huu_lung);
    let action = format!("/portal/unit/{}/comments?period=2021", f.huu_lung);
    let mut reader = Client::new();
    let token = reader.csrf(&page);
    // One comment was sent already from this address; the limit is three in ten minutes.
    let mut refused = false;
    for i in 0..3 {
        let r = reader.post(
            &action,
            &[
                ("_csrf", &token),
                ("author", "B"),
                ("body", &format!("ý kiến {i}")),
            ],
        );
        if r.status == 429 {
            refused = true;
            assert!(r.body.contains("thử lại sau"));
            break;
        }
        assert_eq!(r.status, 303);
    }
    assert!(refused, "never rate limited");
}

#[test]
fn api_and_openapi() {
    let f = fixture();
    let mut c = Client::new();
    let doc = c.get("/api/openapi.json");
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/api/v1/dashboard",
        "/api/v1/entry",
        "/api/v1/review",
        "/api/v1/portal/results",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing");
    }
    // Anonymous API calls that need an account are refused as JSON.
    let r = c.get("/api/v1/dashboard");
    assert_eq!(r.status, 401);
    assert!(r.json()["message"].is_string());
    let mut v = Client::login("viewer");
    let mut api = Client::new();
    api.bearer = Some(v.api_token());
    let d = api.get(&format!("/api/v1/dashboard?unit={}&period=2021", f.bac_son));
    assert_eq!(d.status, 200, "{}", d.body);
    let d = d.json();
    assert_eq!(d["fraction"], "1/1 chỉ tiêu đạt và vượt");
    assert_eq!(d["rows"][0]["colour"], "green");
    // Outside the viewer's scope (Hà Tĩnh).
    let r = api.get("/api/v1/dashboard?unit=1&period=2021");
    assert_eq!(r.status, 403);
    let results = c.get("/api/v1/portal/results").json();
    assert!(
        results
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["unit"] == f.bac_son && r["period"] == "2021")
    );
}

#[test]
fn pages_render_in_vietnamese_and_english() {
    let f = fixture();
    let mut c = Client::login("office");
    let vi = c.get(&format!("/app?unit={}&period=2021", f.bac_son));
    assert!(vi.body.contains("Đăng xuất"));
    assert!(vi.body.contains("1/1 chỉ tiêu đạt và vượt"));
    let r = c.get("/lang/en?back=/app");
    assert_eq!(r.status, 303);
    let en = c.get(&format!("/app?unit={}&period=2021", f.bac_son));
    assert!(en.body.contains("Log out"));
    assert!(en.body.contains("lang=\"en\""));
    for path in [
        "/app/review",
        "/app/documents",
        "/app/registers",
        "/app/reports",
        "/app/comments",
        "/app/explanations",
        &format!(
            "/app/indicator/budget_revenue?unit={}&period=2021",
            f.bac_son
        ),
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 200, "{path}");
    }
    // Static files are served from the binary.
    let mut anon = Client::new();
    let js = anon.get("/static/htmx.min.js");
    assert_eq!(js.status, 200);
    assert!(js.body.len() > 40_000);
}

#[test]
fn the_office_downloads_reports() {
    let f = fixture();
    let mut office = Client::login("office");
    let page = office.get(&format!("/app/reports?unit={}&period=2021", f.bac_son));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"dl-pdf\""), "{}", page.body);
    for (format, magic) in [
        ("pdf", &b"%PDF"[..]),
        ("docx", &b"PK"[..]),
        ("xlsx", &b"PK"[..]),
    ] {
        let r = office.get(&format!(
            "/app/reports/download?unit={}&period=2021&format={format}",
            f.bac_son
        ));
        assert_eq!(r.status, 200, "{format}: {}", r.body);
        assert!(r.bytes.starts_with(magic), "{format}");
        assert!(
            r.header("content-disposition")
                .unwrap()
                .contains("attachment")
        );
    }
    // Reporters do not issue reports.
    let mut rep = Client::login("rep.bacson");
    assert_eq!(rep.get("/app/reports").status, 403);
}

#[test]
fn the_office_edits_targets_in_the_register() {
    let f = fixture();
    let mut office = Client::login("office");
    let token = office.csrf("/app/registers");
    let unit = f.huu_lung.to_string();
    let r = office.post(
        "/app/registers/targets",
        &[
            ("_csrf", &token),
            ("plan", "NQ-THU-2024"),
            ("plan_title", "Nghị quyết thử về nhiệm vụ năm 2024"),
            ("plan_kind", "party_resolution"),
            ("unit", &unit),
            ("indicator", "budget_revenue"),
            ("period", "2024"),
            ("comparator", "at_least"),
            ("value", "55,5"),
            ("max", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = office.get("/app/registers");
    assert!(page.body.contains("Nghị quyết thử về nhiệm vụ năm 2024"));
    assert!(page.body.contains("≥ 55,5 tỷ đồng"), "{}", page.body);
    let dash = office.get(&format!("/app?unit={}&period=2024", f.huu_lung));
    assert!(
        dash.body
            .contains("data-indicator=\"budget_revenue\" data-colour=\"grey\"")
    );
    // A reporter cannot.
    let mut rep = Client::login("rep.huulung");
    let token = rep.csrf("/app");
    let r = rep.post(
        "/app/registers/targets",
        &[
            ("_csrf", &token),
            ("plan", "X"),
            ("plan_kind", "other"),
            ("unit", &unit),
            ("indicator", "budget_revenue"),
            ("period", "2024"),
            ("comparator", "at_least"),
            ("value", "1"),
        ],
    );
    assert_eq!(r.status, 403);
}

#[test]
fn explanation_requests_are_asked_answered_and_kept() {
    let f = fixture();
    let mut office = Client::login("office");
    let mut api = Client::new();
    api.bearer = Some(office.api_token());
    let r = api.post_json(
        "/api/v1/explanations",
        &serde_json::json!({"indicator": "budget_revenue", "unit": f.bac_son, "period": "2023", "question": "Vì sao thu ngân sách chậm so với kế hoạch?"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    // Another district's reporter does not see it, and cannot answer it.
    let mut other = Client::login("rep.huulung");
    assert!(
        !other
            .get("/app/explanations")
            .body
            .contains("Vì sao thu ngân sách chậm")
    );
    let token = other.csrf("/app/explanations");
    let r = other.post(
        &format!("/app/explanations/{id}/answer"),
        &[("_csrf", &token), ("answer", "x")],
    );
    assert_eq!(r.status, 403);
    // The unit answers in the system.
    let mut rep = Client::login("rep.bacson");
    let page = rep.get("/app/explanations");
    assert!(page.body.contains("Vì sao thu ngân sách chậm"));
    let token = csrf_in(&page.body).unwrap();
    let r = rep.post(
        &format!("/app/explanations/{id}/answer"),
        &[
            ("_csrf", &token),
            ("answer", "Hai dự án đấu giá đất lùi sang quý IV."),
        ],
    );
    assert_eq!(r.status, 303);
    // The exchange is kept, and a second answer is refused.
    let list = api.get("/api/v1/explanations").json();
    let e = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(e["answer"], "Hai dự án đấu giá đất lùi sang quý IV.");
    assert_eq!(e["answered_by"], "web:rep.bacson");
    let r = rep.post(
        &format!("/app/explanations/{id}/answer"),
        &[("_csrf", &token), ("answer", "lần hai")],
    );
    assert_eq!(r.status, 409);
}

#[test]
fn targets_and_reports_through_the_api() {
    let f = fixture();
    let mut office = Client::login("office");
    let mut api = Client::new();
    api.bearer = Some(office.api_token());
    let r = api.post_json(
        "/api/v1/targets",
        &serde_json::json!({"plan": "T-HL", "plan_kind": "other", "unit": f.huu_lung, "indicator": "budget_revenue", "period": "2025", "comparator": "range", "value": "40", "max": "45"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api.get(&format!(
        "/api/v1/reports?unit={}&period=2021&format=xlsx",
        f.bac_son
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.bytes.starts_with(b"PK"));
}

#[test]
fn documents_are_read_and_their_facts_accepted() {
    let mut office = Client::login("office");
    let mut api = Client::new();
    api.bearer = Some(office.api_token());
    let text = "Ngày 15/6/2022, Ban Chấp hành Đảng bộ huyện Bắc Sơn tổ chức Hội nghị lần thứ 9 triển khai nhiệm vụ 6 tháng cuối năm 2022. Thu ngân sách 6 tháng đầu năm đạt trên 25 tỷ đồng, đạt 80% dự toán tỉnh giao.";
    let r = api.post_json(
        "/api/v1/documents",
        &serde_json::json!({"name": "tin-thu.txt", "text": text, "unit": "huyện Bắc Sơn, tỉnh Lạng Sơn"}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()["added"]["id"].as_i64().unwrap();
    // The page highlights the facts in the text.
    let page = office.get(&format!("/app/documents/{id}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<mark class=\"proposed\""),
        "{}",
        page.body
    );
    let doc = api.get(&format!("/api/v1/documents/{id}")).json();
    let actual = doc["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["measure"] == "actual")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // Accepted with the period confirmed by the reviewer: a figure with its span.
    let token = csrf_in(&page.body).unwrap();
    let r = office.post(
        &format!("/app/documents/{id}/review"),
        &[
            ("_csrf", &token),
            ("proposal", &actual.to_string()),
            ("decision", "accept"),
            ("period", "2022-H1"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let doc = api.get(&format!("/api/v1/documents/{id}")).json();
    let p = doc["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == actual)
        .unwrap()
        .clone();
    assert_eq!(p["state"], "accepted");
    assert!(p["figure"].as_i64().is_some());
}
