//! The bulk paths (bulk loads, streaming a period, targets of many units, the dashboard query)
//! and the in-memory figure snapshot, on both backends: SQLite's INSERT batches and
//! PostgreSQL's COPY must store and read back the same exact values in the same order.

#[macro_use]
mod backend;
mod common;

use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::period::Period;
use chitieu_core::target::{PlanKind, PlanSource, Target};
use chitieu_store::snapshot::{FigureSnapshot, FigureSource};
use chitieu_store::sqlite::bulk::{BulkFigure, BulkOptions, BulkReport, Dashboard};
use chitieu_store::{Batch, NoProgress, PgStore, Result, SqliteStore, Store, StoreError};
use common::{bulk_options, code, dec, on, plan, province_and_communes, target};

/// The bulk paths, which are inherent methods of each backend, behind one trait for the tests.
trait Bulk: Store + FigureSource {
    fn figures<'a>(&mut self, rows: Vec<BulkFigure<'a>>, o: &BulkOptions) -> Result<BulkReport>;
    fn targets(&mut self, rows: Vec<Target>, o: &BulkOptions) -> Result<BulkReport>;
    fn stream(&self, p: &Period) -> Result<Vec<(String, UnitId, Decimal)>>;
    fn targets_of(&self, units: &[UnitId], p: &Period) -> Result<Vec<Target>>;
    fn dash(&self, unit: UnitId, p: &Period) -> Result<Dashboard>;
    fn newest_audit_id(&self) -> Result<i64>;
}

macro_rules! impl_bulk {
    ($t:ty) => {
        impl Bulk for $t {
            fn figures<'a>(
                &mut self,
                rows: Vec<BulkFigure<'a>>,
                o: &BulkOptions,
            ) -> Result<BulkReport> {
                self.bulk_insert_figures(rows, o, &NoProgress)
            }
            fn targets(&mut self, rows: Vec<Target>, o: &BulkOptions) -> Result<BulkReport> {
                self.bulk_insert_targets(rows, o, &NoProgress)
            }
            fn newest_audit_id(&self) -> Result<i64> {
                <$t>::newest_audit_id(self)
            }
            fn stream(&self, p: &Period) -> Result<Vec<(String, UnitId, Decimal)>> {
                let mut out = Vec::new();
                self.for_each_current_figure(p, |i, u, v| out.push((i.to_string(), u, v)))?;
                out.sort();
                Ok(out)
            }
            fn targets_of(&self, units: &[UnitId], p: &Period) -> Result<Vec<Target>> {
                let mut out = Vec::new();
                self.for_each_target(units, p, |t| out.push(t))?;
                Ok(out)
            }
            fn dash(&self, unit: UnitId, p: &Period) -> Result<Dashboard> {
                self.dashboard(unit, p)
            }
        }
    };
}
impl_bulk!(SqliteStore);
impl_bulk!(PgStore);

for_each_backend!(
    bulk_rows_read_back_exactly_by_every_path,
    bulk_loads_refuse_duplicates_and_unknowns,
);

/// Bulk options whose actor holds a tab; it must read back exactly on both backends.
fn opts() -> BulkOptions {
    bulk_options("test\tloader")
}

fn bulk_rows_read_back_exactly_by_every_path<S: Bulk>(mut store: S) {
    let (province, c) = province_and_communes(&store, 3);
    let (revenue, rate) = (code("budget_revenue"), code("poverty_rate"));
    let m11 = Period::month(2025, 11).unwrap();
    let m12 = Period::month(2025, 12).unwrap();
    let rows = [
        (&revenue, c[2].unit, m12, "1234.500"),
        (&revenue, c[0].unit, m12, "-0.001"),
        (&rate, c[0].unit, m12, "3.25"),
        (&revenue, province.unit, m12, "99999999999999999999.123456"),
        (&rate, c[1].unit, m12, "0"),
        (&revenue, c[0].unit, m11, "7"),
    ];
    let report = store
        .figures(
            rows.iter()
                .map(|&(indicator, unit, period, v)| BulkFigure {
                    indicator,
                    unit,
                    period,
                    value: dec(v),
                })
                .collect(),
            &opts(),
        )
        .unwrap();
    assert_eq!((report.rows, report.transactions), (6, 2));
    assert_eq!(store.counts().unwrap().figures, 6);
    let audit = store.audit_log(10).unwrap();
    let bulk: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "figure.bulk_insert")
        .collect();
    assert_eq!(bulk.len(), 2);
    assert_eq!(bulk[0].actor, "test\tloader");

    // Every path gives back the exact values.
    for &(indicator, unit, period, v) in &rows {
        let f = store
            .current_figure(indicator.as_str(), unit, &period)
            .unwrap()
            .expect("stored");
        assert_eq!(f.input.value, dec(v));
        assert_eq!(f.input.value.to_string(), dec(v).normalize().to_string());
        assert_eq!((f.revision, f.entered_by.as_str()), (1, "test\tloader"));
    }
    let mut expected: Vec<(String, UnitId, Decimal)> = rows
        .iter()
        .filter(|r| r.2 == m12)
        .map(|&(i, u, _, v)| (i.to_string(), u, dec(v)))
        .collect();
    expected.sort();
    assert_eq!(store.stream(&m12).unwrap(), expected);

    // Targets of many units, unit by unit in the order asked.
    plan(&mut store, province.unit);
    let year = Period::year(2025).unwrap();
    let targets = vec![
        target("budget_revenue", c[1].unit, year, "200"),
        target("budget_revenue", province.unit, year, "5000"),
        target("poverty_rate", c[0].unit, year, "3.5"),
        target("budget_revenue", c[0].unit, year, "100.5"),
        target("budget_revenue", c[1].unit, m12, "20"),
        target(
            "budget_revenue",
            c[1].unit,
            Period::year(2024).unwrap(),
            "150",
        ),
    ];
    store.targets(targets.clone(), &opts()).unwrap();
    assert_eq!(store.counts().unwrap().targets, 6);
    let asked = [province.unit, c[0].unit, c[1].unit];
    assert_eq!(
        store.targets_of(&asked, &year).unwrap(),
        vec![
            targets[1].clone(),
            targets[2].clone(),
            targets[3].clone(),
            targets[0].clone()
        ]
    );

    // The dashboard: the unit first, then its children in official order, each by indicator
    // code; the targets of the month and of its year, not another year's.
    let d = store.dash(province.unit, &m12).unwrap();
    assert_eq!(d.unit.unit, province.unit);
    assert_eq!(d.children, store.children_on(province.unit, on()).unwrap());
    let rank = |u: UnitId| {
        std::iter::once(&d.unit)
            .chain(&d.children)
            .position(|v| v.unit == u)
            .unwrap()
    };
    let mut want: Vec<(UnitId, String, Decimal)> = rows
        .iter()
        .filter(|r| r.2 == m12)
        .map(|&(i, u, _, v)| (u, i.to_string(), dec(v)))
        .collect();
    want.sort_by_key(|(u, i, _)| (rank(*u), i.clone()));
    let got: Vec<(UnitId, String, Decimal)> = d
        .figures
        .iter()
        .map(|f| (f.unit, f.indicator.to_string(), f.value))
        .collect();
    assert_eq!(got, want);
    let stored = store
        .current_figure("budget_revenue", province.unit, &m12)
        .unwrap()
        .unwrap();
    assert_eq!(
        (d.figures[0].id, d.figures[0].state),
        (stored.id, FigureState::Official)
    );
    assert_eq!(
        d.targets,
        vec![
            targets[1].clone(),
            targets[3].clone(),
            targets[2].clone(),
            targets[0].clone(),
            targets[4].clone()
        ]
    );

    // A plan source key with characters COPY's text format escapes comes back as it was.
    let odd = "KH\\2025\tbổ sung";
    store
        .apply(
            &Batch {
                plan_sources: vec![PlanSource {
                    key: odd.into(),
                    kind: PlanKind::CouncilPlan,
                    title: "Kế hoạch bổ sung".into(),
                    unit: province.unit,
                    issued_on: None,
                }],
                ..Batch::default()
            },
            "test",
        )
        .expect("plan source");
    let extra = Target {
        source: odd.into(),
        ..target("poverty_rate", c[2].unit, year, "2.5")
    };
    store.targets(vec![extra.clone()], &opts()).unwrap();
    assert_eq!(
        store.targets_of(&[c[2].unit], &year).unwrap(),
        vec![extra.clone()]
    );
    let d = store.dash(province.unit, &m12).unwrap();
    assert_eq!(d.targets.last(), Some(&extra));

    // The snapshot holds the same figures, and knows when it is stale.
    let snap = FigureSnapshot::load(&store, &[m11, m12]).unwrap();
    assert_eq!(snap.figures(), 6);
    for &(indicator, unit, period, v) in &rows {
        assert_eq!(snap.value(indicator.as_str(), unit, &period), Some(dec(v)));
    }
    assert_eq!(snap.value("poverty_rate", c[2].unit, &m12), None);
    let col = snap.column(&m12, "budget_revenue").unwrap();
    assert_eq!(col.units.len(), 3);
    assert!(col.units.is_sorted());
    assert!(snap.is_current(&store).unwrap());
    let before = store.newest_audit_id().unwrap();
    assert_eq!(snap.stamp(), FigureSource::change_stamp(&store).unwrap());

    let mut fresh = snap.clone();
    assert!(!fresh.refresh(&store).unwrap());
    store
        .apply(
            &Batch {
                figures: vec![FigureInput {
                    indicator: rate.clone(),
                    unit: c[2].unit,
                    period: m12,
                    value: dec("4.5"),
                    state: FigureState::Estimate,
                    as_of: None,
                    provenance: Provenance::Generated {
                        note: "test".into(),
                    },
                    note: None,
                }],
                ..Batch::default()
            },
            "test",
        )
        .unwrap();
    assert!(store.newest_audit_id().unwrap() > before);
    assert!(!snap.is_current(&store).unwrap());
    assert!(fresh.refresh(&store).unwrap());
    assert_eq!(
        fresh.value("poverty_rate", c[2].unit, &m12),
        Some(dec("4.5"))
    );
    assert_eq!(fresh.figures(), 7);
}

fn bulk_loads_refuse_duplicates_and_unknowns<S: Bulk>(mut store: S) {
    let (province, c) = province_and_communes(&store, 3);
    let revenue = code("budget_revenue");
    let m1 = Period::month(2025, 1).unwrap();
    let one = |indicator, unit| BulkFigure {
        indicator,
        unit,
        period: m1,
        value: dec("1"),
    };
    store
        .figures(vec![one(&revenue, c[0].unit)], &opts())
        .unwrap();
    let audit_before = store.newest_audit_id().unwrap();
    // A figure that already has a current revision is not bulk-inserted again, and the
    // failed transaction leaves nothing behind (the other row of it included).
    assert!(
        store
            .figures(
                vec![one(&revenue, c[1].unit), one(&revenue, c[0].unit)],
                &opts()
            )
            .is_err()
    );
    let unknown = code("no_such_indicator");
    assert!(matches!(
        store.figures(vec![one(&unknown, c[0].unit)], &opts()),
        Err(StoreError::UnknownIndicator(_))
    ));
    assert!(matches!(
        store.figures(vec![one(&revenue, UnitId(-5))], &opts()),
        Err(StoreError::NoSuchUnit(_))
    ));
    assert_eq!(store.counts().unwrap().figures, 1);
    assert_eq!(store.newest_audit_id().unwrap(), audit_before);

    plan(&mut store, province.unit);
    let year = Period::year(2025).unwrap();
    assert!(matches!(
        store.targets(
            vec![Target {
                source: "NO-SUCH".into(),
                ..target("budget_revenue", c[0].unit, year, "1")
            }],
            &opts()
        ),
        Err(StoreError::UnknownPlanSource(_))
    ));
    assert!(matches!(
        store.targets(
            vec![target("no_such_indicator", c[0].unit, year, "1")],
            &opts()
        ),
        Err(StoreError::UnknownIndicator(_))
    ));
    assert_eq!(store.counts().unwrap().targets, 0);
}
