//! Issuing against a real store: numbers per Party term and per State year, the frozen-figure
//! rule (a later correction does not change an issued report) and the comparison with today's
//! data.

use chitieu_app::status::resolve_for_period;
use chitieu_core::Decimal;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_report::issue::{compare, issue, load};
use chitieu_report::{
    BuildOptions, DocStyle, ReportKind, TextBlocks, build_report, default_template,
};
use chitieu_store::sqlite::ReportStore;
use chitieu_store::{Batch, NoProgress, SqliteStore, Store};
use chrono::NaiveDate;
use std::str::FromStr;

fn ty(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap() * Decimal::from(1_000_000_000)
}

fn figure(unit: chitieu_core::admin::UnitId, period: &str, value: Decimal) -> FigureInput {
    FigureInput {
        indicator: IndicatorCode::new("budget_revenue").unwrap(),
        unit,
        period: Period::from_str(period).unwrap(),
        value,
        state: FigureState::Estimate,
        as_of: None,
        provenance: Provenance::Manual,
        note: None,
    }
}

fn setup() -> (SqliteStore, chitieu_core::admin::UnitVersion) {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.init(&Catalog::builtin(), &NoProgress).unwrap();
    let period = Period::from_str("2022-H1").unwrap();
    let unit = resolve_for_period(&store, "huyện Bắc Sơn, tỉnh Lạng Sơn", &period).unwrap();
    let mut b = Batch::default();
    b.plan_sources.push(PlanSource {
        key: "DT-2022".into(),
        kind: PlanKind::ProvinceEstimate,
        title: "Dự toán 2022".into(),
        unit: unit.unit,
        issued_on: None,
    });
    b.targets.push(Target {
        indicator: IndicatorCode::new("budget_revenue").unwrap(),
        unit: unit.unit,
        period: Period::from_str("2022").unwrap(),
        source: "DT-2022".into(),
        comparator: Comparator::AtLeast { value: ty("31.25") },
    });
    b.figures.push(figure(unit.unit, "2022-H1", ty("25")));
    store.apply(&b, "test").unwrap();
    (store, unit)
}

fn options(
    store: &SqliteStore,
    unit: &chitieu_core::admin::UnitVersion,
    style: DocStyle,
    date: NaiveDate,
) -> BuildOptions {
    BuildOptions {
        kind: ReportKind::SoKet,
        template: default_template(store, unit, style, date).unwrap(),
        texts: TextBlocks::default(),
        date,
        series_years: 2,
    }
}

#[test]
fn the_default_templates_name_the_issuer() {
    let (store, unit) = setup();
    let date = NaiveDate::from_ymd_opt(2022, 6, 15).unwrap();
    let party = default_template(&store, &unit, DocStyle::Party, date).unwrap();
    assert_eq!(party.superior, "ĐẢNG BỘ TỈNH LẠNG SƠN");
    assert_eq!(party.issuer, vec!["HUYỆN ỦY BẮC SƠN".to_string()]);
    assert_eq!(party.issuer_name, "Huyện ủy Bắc Sơn");
    assert_eq!(party.number_text(Some(12)), "Số 12-BC/HU");
    assert_eq!(party.place, "Bắc Sơn");
    let state = default_template(&store, &unit, DocStyle::State, date).unwrap();
    assert_eq!(
        state.issuer,
        vec!["ỦY BAN NHÂN DÂN".to_string(), "HUYỆN BẮC SƠN".to_string()]
    );
    assert_eq!(state.number_text(Some(15)), "Số: 15/BC-UBND");
}

#[test]
fn issued_figures_stay_frozen_and_the_comparison_shows_the_correction() {
    let (mut store, unit) = setup();
    let period = Period::from_str("2022-H1").unwrap();
    let date = NaiveDate::from_ymd_opt(2022, 6, 15).unwrap();
    let opts = options(&store, &unit, DocStyle::Party, date);
    let report = build_report(&store, &unit, &period, &opts).unwrap();
    let (issued, frozen) = issue(&mut store, &report, unit.unit, 12, "test").unwrap();
    assert_eq!(issued.number, 12);
    assert_eq!(issued.number_text, "Số 12-BC/HU");
    assert_eq!(frozen.rows[0].actual, Some(ty("25")));

    // A correction: 25 → 26,1 tỷ đồng, official now.
    let mut fix = figure(unit.unit, "2022-H1", ty("26.1"));
    fix.state = FigureState::Official;
    store
        .apply(
            &Batch {
                figures: vec![fix],
                ..Batch::default()
            },
            "test",
        )
        .unwrap();

    let again = load(&store.issued_report(issued.id).unwrap().unwrap()).unwrap();
    assert_eq!(again, frozen, "the issued report is as it was issued");
    let text = String::from_utf8(
        chitieu_report::render(&again, chitieu_report::render::Format::Markdown).unwrap(),
    )
    .unwrap();
    assert!(text.contains("ước đạt 25,0 tỷ đồng"), "{text}");
    assert!(text.contains("Số 12-BC/HU"));

    let current = build_report(&store, &unit, &period, &opts).unwrap();
    assert_eq!(current.rows[0].actual, Some(ty("26.1")));
    let diffs = compare(&again, &current);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(diffs[0].what, "số liệu: ước 25,0 tỷ đồng → 26,1 tỷ đồng");
    let audit = store.audit_log(5).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "issue_report" && a.entity_key == issued.id.to_string())
    );
}

#[test]
fn numbers_run_per_term_for_the_party_and_per_year_for_the_state() {
    let (mut store, unit) = setup();
    let h1 = Period::from_str("2022-H1").unwrap();
    let d22 = NaiveDate::from_ymd_opt(2022, 6, 15).unwrap();
    let mut party = options(&store, &unit, DocStyle::Party, d22);
    party.template.term = Some((2020, 2025));
    let r = build_report(&store, &unit, &h1, &party).unwrap();
    assert_eq!(
        issue(&mut store, &r, unit.unit, 1, "t").unwrap().0.number,
        1
    );
    assert_eq!(
        issue(&mut store, &r, unit.unit, 1, "t").unwrap().0.number,
        2
    );
    // The next year, same term: the sequence goes on.
    let mut r23 = r.clone();
    r23.date = NaiveDate::from_ymd_opt(2023, 1, 10).unwrap();
    assert_eq!(
        issue(&mut store, &r23, unit.unit, 1, "t").unwrap().0.number,
        3
    );
    // A new term starts again from 1.
    let mut next_term = r.clone();
    next_term.template.term = Some((2025, 2030));
    assert_eq!(
        issue(&mut store, &next_term, unit.unit, 1, "t")
            .unwrap()
            .0
            .number,
        1
    );

    // State documents: per year.
    let state = options(&store, &unit, DocStyle::State, d22);
    let s = build_report(&store, &unit, &h1, &state).unwrap();
    assert_eq!(
        issue(&mut store, &s, unit.unit, 15, "t").unwrap().0.number,
        15
    );
    assert_eq!(
        issue(&mut store, &s, unit.unit, 1, "t").unwrap().0.number,
        16
    );
    let mut s23 = s.clone();
    s23.date = NaiveDate::from_ymd_opt(2023, 1, 5).unwrap();
    let (i, frozen) = issue(&mut store, &s23, unit.unit, 1, "t").unwrap();
    assert_eq!(i.number, 1);
    assert_eq!(i.number_text, "Số: 1/BC-UBND");
    assert!(
        issue(&mut store, &frozen, unit.unit, 1, "t").is_err(),
        "an issued report is not issued twice"
    );
    assert_eq!(store.issued_reports(unit.unit).unwrap().len(), 7);
}
