//! The bulk paths of the SQLite backend: bulk inserts, streaming a period's figures, and the
//! dashboard query. Correctness on small data only; their speed is measured by chitieu-bench.

mod backend;
mod common;

use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::period::Period;
use chitieu_core::target::Target;
use chitieu_store::sqlite::bulk::{BulkFigure, BulkOptions, parse_canonical_decimal};
use chitieu_store::{NoProgress, Store, StoreError};
use common::{bulk_options, code, dec, on, plan, province_and_communes, target};

fn opts() -> BulkOptions {
    bulk_options("test")
}

#[test]
fn bulk_figures_read_back_exactly_by_every_path() {
    let (_d, mut store) = backend::sqlite(true);
    let (_, communes) = province_and_communes(&store, 2);
    let (revenue, rate) = (code("budget_revenue"), code("poverty_rate"));
    let m1 = Period::month(2025, 1).unwrap();
    let m2 = Period::month(2025, 2).unwrap();
    let rows = [
        (&revenue, communes[0].unit, m1, "1234.500"),
        (&revenue, communes[1].unit, m1, "-0.001"),
        (&rate, communes[0].unit, m1, "3.25"),
        (
            &revenue,
            communes[0].unit,
            m2,
            "99999999999999999999.123456",
        ),
        (&rate, communes[1].unit, m2, "0"),
    ];
    let report = store
        .bulk_insert_figures(
            rows.iter().map(|&(indicator, unit, period, v)| BulkFigure {
                indicator,
                unit,
                period,
                value: dec(v),
            }),
            &opts(),
            &NoProgress,
        )
        .unwrap();
    assert_eq!((report.rows, report.transactions), (5, 2));
    assert_eq!(store.counts().unwrap().figures, 5);
    // One audit entry per transaction, not per figure.
    let audit = store.audit_log(10).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "figure.bulk_insert")
            .count(),
        2
    );

    for &(indicator, unit, period, v) in &rows {
        let f = store
            .current_figure(indicator.as_str(), unit, &period)
            .unwrap()
            .expect("stored");
        assert_eq!(f.input.value, dec(v));
        assert_eq!(f.revision, 1);
        assert_eq!(f.entered_by, "test");
    }

    let mut streamed = Vec::new();
    let n = store
        .for_each_current_figure(&m1, |i, u, v| streamed.push((i.to_string(), u, v)))
        .unwrap();
    assert_eq!(n, 3);
    streamed.sort();
    let mut expected: Vec<(String, UnitId, Decimal)> = rows
        .iter()
        .filter(|r| r.2 == m1)
        .map(|&(i, u, _, v)| (i.to_string(), u, dec(v)))
        .collect();
    expected.sort();
    assert_eq!(streamed, expected);

    // The 26-digit value is beyond the fast parser and still comes back exactly.
    let mut big = None;
    store
        .for_each_current_figure(&m2, |i, _, v| {
            if i == "budget_revenue" {
                big = Some(v);
            }
        })
        .unwrap();
    assert_eq!(big, Some(dec("99999999999999999999.123456")));
}

#[test]
fn bulk_figures_refuse_duplicates_and_unknowns() {
    let (_d, mut store) = backend::sqlite(true);
    let (_, communes) = province_and_communes(&store, 2);
    let revenue = code("budget_revenue");
    let m1 = Period::month(2025, 1).unwrap();
    let one = |indicator, unit| BulkFigure {
        indicator,
        unit,
        period: m1,
        value: dec("1"),
    };
    store
        .bulk_insert_figures([one(&revenue, communes[0].unit)], &opts(), &NoProgress)
        .unwrap();
    // A figure that already has a current revision is not bulk-inserted again.
    assert!(matches!(
        store.bulk_insert_figures([one(&revenue, communes[0].unit)], &opts(), &NoProgress),
        Err(StoreError::Sqlite(_))
    ));
    let unknown = code("no_such_indicator");
    assert!(matches!(
        store.bulk_insert_figures([one(&unknown, communes[0].unit)], &opts(), &NoProgress),
        Err(StoreError::UnknownIndicator(_))
    ));
    assert!(matches!(
        store.bulk_insert_figures([one(&revenue, UnitId(-5))], &opts(), &NoProgress),
        Err(StoreError::NoSuchUnit(_))
    ));
    // A failed transaction leaves nothing behind.
    assert_eq!(store.counts().unwrap().figures, 1);
}

#[test]
fn bulk_targets_and_the_dashboard() {
    let (_d, mut store) = backend::sqlite(true);
    let (province, communes) = province_and_communes(&store, 2);
    plan(&mut store, province.unit);
    let year = Period::year(2025).unwrap();
    let month = Period::month(2025, 9).unwrap();
    let other_year = Period::year(2024).unwrap();
    let targets = vec![
        target("budget_revenue", province.unit, year, "5000"),
        target("budget_revenue", communes[0].unit, year, "100.5"),
        target("budget_revenue", communes[1].unit, year, "200"),
        target("budget_revenue", communes[1].unit, month, "20"),
        target("budget_revenue", communes[1].unit, other_year, "150"),
    ];
    let report = store
        .bulk_insert_targets(targets.clone(), &opts(), &NoProgress)
        .unwrap();
    assert_eq!(report.rows, 5);
    assert_eq!(store.counts().unwrap().targets, 5);
    assert!(matches!(
        store.bulk_insert_targets(
            [Target {
                source: "NO-SUCH".into(),
                ..targets[0].clone()
            }],
            &opts(),
            &NoProgress
        ),
        Err(StoreError::UnknownPlanSource(_))
    ));

    let mut of_year = Vec::new();
    let units = [province.unit, communes[0].unit, communes[1].unit];
    store
        .for_each_target(&units, &year, |t| of_year.push(t))
        .unwrap();
    assert_eq!(of_year, targets[..3].to_vec());

    let revenue = code("budget_revenue");
    let figures = [
        (communes[0].unit, "10.25"),
        (communes[1].unit, "7"),
        (province.unit, "17.25"),
    ];
    store
        .bulk_insert_figures(
            figures.iter().map(|&(unit, v)| BulkFigure {
                indicator: &revenue,
                unit,
                period: month,
                value: dec(v),
            }),
            &opts(),
            &NoProgress,
        )
        .unwrap();
    // A figure of another month is not on the dashboard.
    store
        .bulk_insert_figures(
            [BulkFigure {
                indicator: &revenue,
                unit: communes[0].unit,
                period: Period::month(2025, 8).unwrap(),
                value: dec("1"),
            }],
            &opts(),
            &NoProgress,
        )
        .unwrap();

    let d = store.dashboard(province.unit, &month).unwrap();
    assert_eq!(d.unit.unit, province.unit);
    assert_eq!(d.children, store.children_on(province.unit, on()).unwrap());
    let got: Vec<(UnitId, Decimal)> = d.figures.iter().map(|f| (f.unit, f.value)).collect();
    assert_eq!(
        got,
        vec![
            (province.unit, dec("17.25")),
            (communes[0].unit, dec("10.25")),
            (communes[1].unit, dec("7")),
        ]
    );
    let first = &d.figures[0];
    let stored = store
        .current_figure("budget_revenue", province.unit, &month)
        .unwrap()
        .expect("stored");
    assert_eq!(
        (first.id, &first.indicator, first.state),
        (stored.id, &revenue, stored.input.state)
    );
    // The year's targets and the month's own, not another year's.
    let mut want = targets[..4].to_vec();
    want.sort_by_key(|t| (t.unit, t.period.to_string()));
    let mut have = d.targets.clone();
    have.sort_by_key(|t| (t.unit, t.period.to_string()));
    assert_eq!(have, want);
}

#[test]
fn the_fast_parser_agrees_with_the_general_one() {
    for s in ["0", "-1", "12.5", "0.001", "-123456789.123456789"] {
        assert_eq!(parse_canonical_decimal(s), Some(dec(s)), "{s}");
    }
    assert_eq!(parse_canonical_decimal("1e3"), None);
}
