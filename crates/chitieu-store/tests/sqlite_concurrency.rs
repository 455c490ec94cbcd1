//! Several processes (the web server's request handlers, a CLI beside it) write to one SQLite
//! file at once: each write waits for the others instead of failing with "database is locked",
//! and no revision is lost.

use chitieu_core::Decimal;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_store::{Batch, NoProgress, SqliteStore, Store};
use std::str::FromStr;

#[test]
fn concurrent_corrections_of_one_figure_all_land_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let (unit, period) = {
        let mut s = SqliteStore::open(&path).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        let period = Period::from_str("2022-H1").unwrap();
        let unit = s
            .resolve_unit("huyện Bắc Sơn", period.end_date())
            .unwrap()
            .unit;
        (unit, period)
    };
    const WRITERS: usize = 6;
    const EACH: usize = 15;
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).unwrap();
                for i in 0..EACH {
                    let value = Decimal::from((w * 1000 + i + 1) as u64);
                    let batch = Batch {
                        figures: vec![FigureInput {
                            indicator: IndicatorCode::new("budget_revenue").unwrap(),
                            unit,
                            period,
                            value,
                            state: FigureState::Official,
                            as_of: None,
                            provenance: Provenance::Manual,
                            note: None,
                        }],
                        ..Batch::default()
                    };
                    store
                        .apply(&batch, &format!("writer-{w}"))
                        .expect("a concurrent write waits for the lock instead of failing");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let history = store
        .figure_history("budget_revenue", unit, &period)
        .unwrap();
    assert_eq!(history.len(), WRITERS * EACH, "no revision is lost");
    for (i, rev) in history.iter().enumerate() {
        assert_eq!(rev.revision as usize, i + 1);
        assert_eq!(rev.superseded, i + 1 < history.len());
    }
    let corrections = store
        .audit_log(10_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "figure.add" || e.action == "figure.correct")
        .count();
    assert_eq!(corrections, WRITERS * EACH, "every write is audited");
}
