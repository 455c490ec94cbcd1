//! The storage test suite. Each test is written once against the `Store` interface and run on
//! every backend (see `backend/mod.rs`): `sqlite::name` on a temporary file, `postgres::name`
//! in a schema of its own on the server at `CHITIEU_TEST_POSTGRES`.

#[macro_use]
mod backend;

use chitieu_core::Decimal;
use chitieu_core::admin::{Level, UnitKind};
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::documents::DocumentStore;
use chitieu_store::{Batch, NoProgress, Store, StoreError};
use chrono::NaiveDate;
use std::str::FromStr;

for_each_backend!(
    init_loads_the_national_list_once,
    communes_of_bac_son_on_2022_06_15,
    what_became_of_xa_vu_son,
    reused_codes_mean_different_units_on_different_dates,
    names_match_in_any_normalization_and_ambiguity_is_explained,
    a_batch_is_stored_whole_or_not_at_all,
    a_correction_keeps_the_history,
    decimals_are_stored_exactly,
    settings_are_audited,
    a_series_lists_the_current_figures_in_period_order;
    uninitialised: an_uninitialised_database_says_so,
);

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn figure(
    store: &impl Store,
    indicator: &str,
    unit: &str,
    period: &str,
    value: &str,
) -> FigureInput {
    let period = Period::from_str(period).expect("period");
    FigureInput {
        indicator: IndicatorCode::new(indicator).expect("code"),
        unit: store
            .resolve_unit(unit, period.end_date())
            .expect("unit")
            .unit,
        period,
        value: dec(value),
        state: FigureState::Official,
        as_of: None,
        provenance: Provenance::Manual,
        note: None,
    }
}

fn init_loads_the_national_list_once<S: Store + DocumentStore>(mut store: S) {
    let c = store.counts().unwrap();
    assert!(c.units > 13_000, "{c:?}");
    assert!(c.successions > 10_000, "{c:?}");
    assert!(c.indicators >= 61);
    let again = store.init(&Catalog::builtin(), &NoProgress).unwrap();
    assert_eq!(again.units_loaded, 0);
    assert_eq!(again.indicators_loaded, 0);
    assert_eq!(store.counts().unwrap(), c);
}

fn communes_of_bac_son_on_2022_06_15<S: Store + DocumentStore>(store: S) {
    let on = date("2022-06-15");
    let bac_son = store.resolve_unit("huyện Bắc Sơn", on).unwrap();
    assert_eq!(bac_son.level, Level::District);
    let children = store.children_on(bac_son.unit, on).unwrap();
    let xa = children.iter().filter(|v| v.kind == UnitKind::Xa).count();
    let tt = children
        .iter()
        .filter(|v| v.kind == UnitKind::ThiTran)
        .count();
    assert_eq!((xa, tt), (17, 1));
    assert_eq!(children[0].full_name(), "thị trấn Bắc Sơn");
    assert_eq!(
        store.count_units(bac_son.unit, UnitKind::Xa, on).unwrap(),
        17
    );
    // The district level no longer exists after the reform.
    let err = store
        .resolve_unit("huyện Bắc Sơn", date("2025-08-01"))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownUnit { .. }), "{err}");
    assert!(err.to_string().contains("30/06/2025"), "{err}");
}

fn what_became_of_xa_vu_son<S: Store + DocumentStore>(store: S) {
    let found = store.unit_history("xã Vũ Sơn").unwrap();
    let h = found
        .iter()
        .find(|h| h.parents.iter().flatten().any(|p| p.name == "Bắc Sơn"))
        .expect("Vũ Sơn of Bắc Sơn");
    assert_eq!(h.versions.len(), 1);
    assert_eq!(h.versions[0].valid_to, Some(date("2025-06-30")));
    assert_eq!(h.successors.len(), 1);
    let (s, to) = &h.successors[0];
    assert_eq!(to.full_name(), "xã Vũ Lễ");
    assert_eq!(s.date, date("2025-07-01"));
    assert!(!s.partial);
}

fn reused_codes_mean_different_units_on_different_dates<S: Store + DocumentStore>(store: S) {
    let before = store.resolve_unit("06337", date("2024-01-01")).unwrap();
    let after = store.resolve_unit("06337", date("2025-07-01")).unwrap();
    assert_eq!(before.full_name(), "xã Đồng Ý");
    assert_eq!(after.full_name(), "xã Tân Tri");
    assert_ne!(before.unit, after.unit);
}

fn names_match_in_any_normalization_and_ambiguity_is_explained<S: Store + DocumentStore>(store: S) {
    let on = date("2022-06-15");
    let nfd: String = unicode_nfd("huyện Bắc Sơn");
    assert_eq!(
        store.resolve_unit(&nfd, on).unwrap().unit,
        store.resolve_unit("HUYỆN BẮC SƠN", on).unwrap().unit
    );
    let err = store
        .resolve_unit("xã Tân Lập", on)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ambiguous") && err.contains("huyện Bắc Sơn"),
        "{err}"
    );
    let one = store.resolve_unit("xã Tân Lập, huyện Bắc Sơn", on).unwrap();
    assert_eq!(one.code.unwrap().0, "06352");
    let err = store.resolve_unit("xã Không Có", on).unwrap_err();
    assert!(matches!(err, StoreError::UnknownUnit { .. }));
}

fn unicode_nfd(s: &str) -> String {
    // Decompose through the text crate's folding counterpart: NFC of NFD is NFC, so compare by
    // building NFD by hand for the letters used.
    s.replace('ệ', "e\u{323}\u{302}")
        .replace('ắ', "a\u{306}\u{301}")
        .replace('ơ', "o\u{31b}")
}

fn a_batch_is_stored_whole_or_not_at_all<S: Store + DocumentStore>(mut store: S) {
    let bac_son = store
        .resolve_unit("huyện Bắc Sơn", date("2022-06-15"))
        .unwrap()
        .unit;
    let before = store.counts().unwrap();
    let mut batch = Batch {
        plan_sources: vec![PlanSource {
            key: "DT-2022".into(),
            kind: PlanKind::ProvinceEstimate,
            title: "Dự toán 2022".into(),
            unit: bac_son,
            issued_on: None,
        }],
        targets: vec![Target {
            indicator: IndicatorCode::new("budget_revenue").unwrap(),
            unit: bac_son,
            period: Period::from_str("2022").unwrap(),
            source: "DT-2022".into(),
            comparator: Comparator::AtLeast {
                value: dec("31250000000"),
            },
        }],
        figures: vec![figure(
            &store,
            "budget_revenue",
            "huyện Bắc Sơn",
            "2022-H1",
            "25000000000",
        )],
    };
    let mut bad = figure(&store, "budget_revenue", "huyện Bắc Sơn", "2022-Q1", "1");
    bad.indicator = IndicatorCode::new("no_such_indicator").unwrap();
    batch.figures.push(bad);
    let err = store.apply(&batch, "test").unwrap_err();
    assert!(matches!(err, StoreError::UnknownIndicator(_)), "{err}");
    assert_eq!(
        store.counts().unwrap(),
        before,
        "nothing may be half-written"
    );

    batch.figures.pop();
    let report = store.apply(&batch, "test").unwrap();
    assert_eq!(
        (
            report.plan_sources,
            report.targets_added,
            report.figures_added
        ),
        (1, 1, 1)
    );
    let after = store.counts().unwrap();
    assert_eq!(after.targets, before.targets + 1);
    assert_eq!(after.audit_entries, before.audit_entries + 3);
    // Applying the same batch again changes nothing and writes no audit entries.
    let again = store.apply(&batch, "test").unwrap();
    assert_eq!(again.figures_unchanged, 1);
    assert_eq!(store.counts().unwrap(), after);
    let targets = store.targets_for(bac_son, 2022).unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].comparator.reference(), dec("31250000000"));
}

fn a_correction_keeps_the_history<S: Store + DocumentStore>(mut store: S) {
    let first = figure(
        &store,
        "budget_revenue",
        "huyện Bắc Sơn",
        "2020",
        "43248000000",
    );
    store
        .apply(
            &Batch {
                figures: vec![first.clone()],
                ..Batch::default()
            },
            "alice",
        )
        .unwrap();
    let mut second = first.clone();
    second.value = dec("44500000000");
    second.state = FigureState::Official;
    second.note = Some("số liệu chính thức cả năm".into());
    let r = store
        .apply(
            &Batch {
                figures: vec![second.clone()],
                ..Batch::default()
            },
            "bob",
        )
        .unwrap();
    assert_eq!(r.figures_corrected, 1);
    let hist = store
        .figure_history("budget_revenue", first.unit, &first.period)
        .unwrap();
    assert_eq!(hist.len(), 2);
    assert_eq!(hist[0].input.value, dec("43248000000"));
    assert!(hist[0].superseded);
    assert_eq!(hist[0].entered_by, "alice");
    assert_eq!(hist[1].input.value, dec("44500000000"));
    assert!(!hist[1].superseded);
    assert_eq!(hist[1].entered_by, "bob");
    let current = store
        .current_figure("budget_revenue", first.unit, &first.period)
        .unwrap()
        .unwrap();
    assert_eq!(current.revision, 2);
    let audit = store.audit_log(1).unwrap();
    assert_eq!(audit[0].action, "figure.correct");
    assert_eq!(audit[0].actor, "bob");
    assert_eq!(audit[0].detail["before"]["value"], "43248000000");
}

fn decimals_are_stored_exactly<S: Store + DocumentStore>(mut store: S) {
    let f = figure(
        &store,
        "rice_yield",
        "huyện Bắc Sơn",
        "2022",
        "52.123456789012345678",
    );
    store
        .apply(
            &Batch {
                figures: vec![f.clone()],
                ..Batch::default()
            },
            "t",
        )
        .unwrap();
    let back = store
        .current_figure("rice_yield", f.unit, &f.period)
        .unwrap()
        .unwrap();
    assert_eq!(back.input.value.to_string(), "52.123456789012345678");
}

fn settings_are_audited<S: Store + DocumentStore>(mut store: S) {
    assert_eq!(store.setting("x").unwrap(), None);
    store.set_setting("x", "{\"a\":1}", "admin").unwrap();
    assert_eq!(store.setting("x").unwrap().as_deref(), Some("{\"a\":1}"));
    assert_eq!(store.audit_log(1).unwrap()[0].action, "setting.set");
}

fn an_uninitialised_database_says_so<S: Store + DocumentStore>(store: S) {
    let err = store
        .resolve_unit("huyện Bắc Sơn", date("2022-01-01"))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotInitialised));
}

mod documents {
    use super::*;
    use chitieu_store::documents::{Decision, NewDocument, NewProposal, ProposalState};

    for_each_backend!(
        a_document_is_kept_once_with_its_proposals,
        accepting_stores_the_figure_with_its_span_and_rejecting_does_not,
    );

    fn doc(store: &impl Store, text: &str) -> NewDocument {
        let unit = store
            .resolve_unit("huyện Bắc Sơn", date("2022-06-15"))
            .unwrap()
            .unit;
        NewDocument {
            name: "bai-bao.txt".into(),
            original: text.into(),
            document_date: Some(date("2022-06-15")),
            unit: Some(unit),
            extractor: "test 1".into(),
            extraction: serde_json::json!({"meetings": [], "people": []}),
            proposals: vec![
                NewProposal {
                    fact: serde_json::json!({"indicator": "budget_revenue", "value": 25000000000u64}),
                    indicator: Some("budget_revenue".into()),
                    measure: "actual".into(),
                    value: dec("25000000000"),
                    period: Some(Period::from_str("2022-H1").unwrap()),
                    unit: Some(unit),
                    span: (10, 30),
                },
                NewProposal {
                    fact: serde_json::json!({"measure": "percent_of_plan"}),
                    indicator: Some("budget_revenue".into()),
                    measure: "percent_of_plan".into(),
                    value: dec("80"),
                    period: Some(Period::from_str("2022-H1").unwrap()),
                    unit: Some(unit),
                    span: (32, 55),
                },
            ],
        }
    }

    fn a_document_is_kept_once_with_its_proposals<S: Store + DocumentStore>(mut store: S) {
        let text = "thu ngân sách đạt trên 25 tỷ đồng, đạt 80% dự toán tỉnh giao";
        let added = store.add_document(&doc(&store, text), "alice").unwrap();
        assert!(added.new);
        assert_eq!(added.proposals, 2);
        let again = store.add_document(&doc(&store, text), "alice").unwrap();
        assert_eq!((again.id, again.new), (added.id, false));
        let stored = store.document(added.id).unwrap();
        assert_eq!(stored.original, text);
        assert_eq!(stored.sha256.len(), 64);
        let props = store
            .proposals(Some(added.id), Some(ProposalState::Proposed))
            .unwrap();
        assert_eq!(props.len(), 2);
        assert_eq!(props[0].span, (10, 30));
        assert!(matches!(
            store.document(999).unwrap_err(),
            StoreError::NoSuchDocument(999)
        ));
    }

    fn accepting_stores_the_figure_with_its_span_and_rejecting_does_not<
        S: Store + DocumentStore,
    >(
        mut store: S,
    ) {
        let added = store.add_document(&doc(&store, "x"), "alice").unwrap();
        let props = store.proposals(Some(added.id), None).unwrap();
        let mut f = figure(
            &store,
            "budget_revenue",
            "huyện Bắc Sơn",
            "2022-H1",
            "25000000000",
        );
        f.provenance = Provenance::Document {
            document: added.id,
            start: 10,
            end: 30,
            extractor: "test 1".into(),
        };
        let accepted = store
            .review(props[0].id, &Decision::AcceptFigure(f.clone()), None, "bob")
            .unwrap();
        assert_eq!(accepted.state, ProposalState::Accepted);
        let fig = store
            .current_figure("budget_revenue", f.unit, &f.period)
            .unwrap()
            .unwrap();
        assert_eq!(accepted.figure, Some(fig.id));
        assert_eq!(fig.input.provenance, f.provenance);
        let err = store
            .review(props[0].id, &Decision::Reject, None, "bob")
            .unwrap_err();
        assert!(matches!(err, StoreError::AlreadyReviewed { .. }), "{err}");
        let rejected = store
            .review(props[1].id, &Decision::Reject, Some("trùng"), "bob")
            .unwrap();
        assert_eq!(rejected.state, ProposalState::Rejected);
        assert_eq!(rejected.review_note.as_deref(), Some("trùng"));
        assert_eq!(store.audit_log(1).unwrap()[0].action, "proposal.reject");
    }
}

fn a_series_lists_the_current_figures_in_period_order<S: Store + DocumentStore>(mut store: S) {
    let figures = vec![
        figure(&store, "budget_revenue", "huyện Bắc Sơn", "2022-H1", "25"),
        figure(&store, "budget_revenue", "huyện Bắc Sơn", "2020", "43.248"),
        figure(&store, "budget_revenue", "huyện Bắc Sơn", "2021-H1", "21"),
    ];
    let unit = figures[0].unit;
    store
        .apply(
            &Batch {
                figures,
                ..Batch::default()
            },
            "t",
        )
        .unwrap();
    let series = store.figure_series("budget_revenue", unit).unwrap();
    let periods: Vec<String> = series.iter().map(|f| f.input.period.to_string()).collect();
    assert_eq!(periods, ["2020", "2021-H1", "2022-H1"]);
}
