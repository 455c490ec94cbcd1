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

mod common;

use chitieu_core::Decimal;
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::accounts::Role;
use chitieu_store::{Batch, Location, NoProgress, PgStore, Store};
use common::{Client, Resp, Schema, config, create_accounts, entry, postgres_url, review, serve};
use std::net::SocketAddr;
use std::str::FromStr;

/// Starts a server on the PostgreSQL database and returns its address.
fn start_server(database: &str) -> SocketAddr {
    let cfg = config(database);
    assert!(matches!(cfg.database, Location::Postgres(_)));
    serve(cfg)
}

#[test]
fn two_servers_share_one_postgresql_database() {
    let Some(url) = postgres_url("the two-server test") else {
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
        let mut accounts = Vec::new();
        for (user, role, scope) in [
            ("office", Role::Office, "tỉnh Lạng Sơn"),
            ("rep.bacson", Role::Reporter, "huyện Bắc Sơn, tỉnh Lạng Sơn"),
        ] {
            accounts.push((user, role, vec![s.resolve_unit(scope, on).unwrap().unit]));
        }
        create_accounts(&mut s, &accounts);
        bac_son.0
    };
    // Both servers open the schema through the URL, as `chitieu serve --database URL` would.
    let app_name = format!("chitieu_http_pg_{}", std::process::id());
    let database = format!("{url}?application_name={app_name}&options=-c%20search_path%3D{name}");
    let a = start_server(&database);
    let b = start_server(&database);

    // A log-in on server A is valid on server B: sessions live in the database.
    let mut rep_a = Client::login_at(a, "rep.bacson");
    let mut rep_b = rep_a.via(b);
    assert_eq!(rep_b.get("/app").status, 200);
    let r = entry(
        &mut rep_a,
        bac_son,
        "2022",
        &[("budget_revenue", "43,248", "")],
        "submit",
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // Server B builds (and caches) the dashboard while the data set is submitted.
    let mut office_b = Client::login_at(b, "office");
    let mut office_a = office_b.via(a);
    let dash = office_b.get(&format!("/app?unit={bac_son}&period=2022"));
    assert!(
        dash.body.contains("đã gửi, chờ duyệt"),
        "B shows the submission: {}",
        dash.body
    );
    // Approved on A ...
    let r = review(&mut office_a, bac_son, "2022", "approve", "");
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
    let r = review(&mut office_b, bac_son, "2022", "approve", "");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("không thể duyệt") && r.body.contains("đã duyệt (khóa)"),
        "{}",
        r.body
    );
    // The figure is locked on both servers, and published on B's portal.
    let r = entry(
        &mut rep_b,
        bac_son,
        "2022",
        &[("budget_revenue", "50", "")],
        "save",
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let portal = Client::at(b).get(&format!("/portal/unit/{bac_son}?period=2022"));
    assert_eq!(portal.status, 200);
    assert!(portal.body.contains("43,248 tỷ đồng"), "{}", portal.body);

    // Two approvals at the same moment, one on each server: one wins, the other is told.
    for round in 0..4 {
        let period = format!("2022-Q{}", round + 1);
        let r = entry(
            &mut rep_a,
            bac_son,
            &period,
            &[("budget_revenue", "9,5", "")],
            "submit",
        );
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
