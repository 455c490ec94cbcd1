//! Several processes writing the same figures at once on PostgreSQL, as several `chitieu
//! serve` behind a load balancer would: no revision is lost, revisions of a figure are
//! strictly sequential, exactly one is current, and the audit log tells every change with the
//! value it really replaced. Each writer has its own connection (its own `PgStore`).
//!
//! The approvers' half (approval locking figures while writers correct them) is
//! `pg_workflow_concurrency.rs`.

mod backend;

use chitieu_core::Decimal;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_store::{Batch, NoProgress, PgStore, Store, StoreError};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

const WRITERS: usize = 16;
const ROUNDS: usize = 6;
const INDICATORS: [&str; 4] = [
    "budget_revenue",
    "rice_yield",
    "poverty_rate",
    "grdp_growth",
];

fn input(indicator: &str, unit: chitieu_core::admin::UnitId, value: Decimal) -> FigureInput {
    FigureInput {
        indicator: IndicatorCode::new(indicator).expect("code"),
        unit,
        period: Period::from_str("2024").expect("period"),
        value,
        state: FigureState::Official,
        as_of: None,
        provenance: Provenance::Manual,
        note: None,
    }
}

#[test]
fn concurrent_corrections_of_the_same_figures_lose_nothing() {
    let Some((schema, mut store)) = backend::postgres("concurrency", false) else {
        return;
    };
    store.init(&Catalog::builtin(), &NoProgress).expect("init");
    let catalog = store.catalog().expect("catalog");
    let indicators: Vec<&str> = INDICATORS
        .iter()
        .copied()
        .filter(|c| catalog.indicators.iter().any(|i| i.code.as_str() == *c))
        .collect();
    assert!(
        indicators.len() >= 2,
        "the catalog lacks the test indicators"
    );
    let unit = store
        .resolve_unit(
            "huyện Bắc Sơn",
            NaiveDate::from_ymd_opt(2024, 6, 30).expect("date"),
        )
        .expect("unit")
        .unit;
    let audit_before = store.counts().expect("counts").audit_entries;

    // Every writer corrects every figure in every round, in its own order (half the writers
    // take the figures backwards): a value no one else writes, so each write is a correction.
    let mut handles = Vec::new();
    for w in 0..WRITERS {
        let (url, name) = (schema.url.clone(), schema.name.clone());
        let indicators: Vec<String> = indicators.iter().map(|s| s.to_string()).collect();
        handles.push(std::thread::spawn(move || -> (usize, usize) {
            let mut s = PgStore::open_in_schema(&url, Some(&name)).expect("open");
            let mut conflicts = 0;
            let mut written = 0;
            for round in 0..ROUNDS {
                let mut order = indicators.clone();
                if w % 2 == 1 {
                    order.reverse();
                }
                let figures = order
                    .iter()
                    .map(|code| input(code, unit, Decimal::new((w * 1000 + round) as i64, 1)))
                    .collect();
                let batch = Batch {
                    figures,
                    ..Batch::default()
                };
                loop {
                    match s.apply(&batch, &format!("writer-{w}")) {
                        Ok(r) => {
                            written += (r.figures_added + r.figures_corrected) as usize;
                            break;
                        }
                        // The loser of a conflict is told so and tries again.
                        Err(StoreError::Conflict(_)) => conflicts += 1,
                        Err(e) => panic!("writer {w}: {e}"),
                    }
                }
            }
            (written, conflicts)
        }));
    }
    let mut written = 0;
    for h in handles {
        let (n, _conflicts) = h.join().expect("writer thread");
        written += n;
    }
    assert_eq!(written, WRITERS * ROUNDS * indicators.len());

    let period = Period::from_str("2024").expect("period");
    let audit = store.audit_log(100_000).expect("audit");
    for code in &indicators {
        let history = store.figure_history(code, unit, &period).expect("history");
        // No lost revision: one per write, numbered 1, 2, 3, … without gaps.
        assert_eq!(history.len(), WRITERS * ROUNDS, "{code}");
        let revisions: Vec<u32> = history.iter().map(|f| f.revision).collect();
        let expected: Vec<u32> = (1..=(WRITERS * ROUNDS) as u32).collect();
        assert_eq!(revisions, expected, "{code}");
        // Every value written is there exactly once.
        let values: BTreeSet<String> = history.iter().map(|f| f.input.value.to_string()).collect();
        assert_eq!(values.len(), WRITERS * ROUNDS, "{code}");
        // Exactly one current revision, the last.
        let current: Vec<u32> = history
            .iter()
            .filter(|f| !f.superseded)
            .map(|f| f.revision)
            .collect();
        assert_eq!(current, vec![(WRITERS * ROUNDS) as u32], "{code}");
        let now = store
            .current_figure(code, unit, &period)
            .expect("current")
            .expect("a current figure");
        assert_eq!(now.revision, (WRITERS * ROUNDS) as u32);

        // The audit log has one entry per revision, and each correction names as "before" the
        // revision and value it really replaced.
        let key = format!("{code}/{}/2024", unit.0);
        let by_rev: BTreeMap<u32, String> = history
            .iter()
            .map(|f| (f.revision, f.input.value.normalize().to_string()))
            .collect();
        let entries: Vec<_> = audit
            .iter()
            .filter(|e| e.entity == "figure" && e.entity_key == key)
            .collect();
        assert_eq!(entries.len(), WRITERS * ROUNDS, "{code}");
        let adds = entries.iter().filter(|e| e.action == "figure.add").count();
        assert_eq!(adds, 1, "{code}");
        for e in entries.iter().filter(|e| e.action == "figure.correct") {
            let before = e.detail["before"]["revision"].as_u64().expect("before") as u32;
            let after = e.detail["after"]["revision"].as_u64().expect("after") as u32;
            assert_eq!(after, before + 1, "{e:?}");
            assert_eq!(
                e.detail["before"]["value"].as_str(),
                by_rev.get(&before).map(String::as_str),
                "{e:?}"
            );
            assert_eq!(
                e.detail["after"]["value"].as_str(),
                by_rev.get(&after).map(String::as_str),
                "{e:?}"
            );
        }
    }
    let audit_after = store.counts().expect("counts").audit_entries;
    assert_eq!(
        audit_after - audit_before,
        (WRITERS * ROUNDS * indicators.len()) as u64
    );
}
