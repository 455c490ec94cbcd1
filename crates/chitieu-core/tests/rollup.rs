//! Roll-up over the unit tree in force on a date, and carrying old units onto new ones.

use chitieu_core::Decimal;
use chitieu_core::admin::{Level, Succession, UnitId, UnitKind, UnitVersion};
use chitieu_core::indicator::{Aggregation, Catalog, IndicatorCode};
use chitieu_core::rollup::{
    Carried, FigureTable, RollupError, UnitTree, carry_over, carry_over_ratio, rollup, rollup_all,
};
use chrono::NaiveDate;
use std::collections::HashMap;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn code(s: &str) -> IndicatorCode {
    IndicatorCode::new(s).unwrap()
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn unit(
    id: i64,
    level: Level,
    parent: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> UnitVersion {
    let kind = match level {
        Level::Nation => UnitKind::QuocGia,
        Level::Province => UnitKind::Tinh,
        Level::District => UnitKind::Huyen,
        Level::Commune => UnitKind::Xa,
    };
    UnitVersion {
        unit: UnitId(id),
        name: format!("Đơn vị {id}"),
        kind,
        level,
        code: None,
        parent: parent.map(UnitId),
        valid_from: from,
        valid_to: to,
    }
}

/// Province 1 → districts 10, 20 → communes 11, 12, 13 under 10 and 21, 22 under 20.
/// Commune 23 under 20 comes into force on 1 January 2023.
fn two_level_tree() -> Vec<UnitVersion> {
    vec![
        unit(1, Level::Province, None, None, None),
        unit(10, Level::District, Some(1), None, None),
        unit(20, Level::District, Some(1), None, None),
        unit(11, Level::Commune, Some(10), None, None),
        unit(12, Level::Commune, Some(10), None, None),
        unit(13, Level::Commune, Some(10), None, None),
        unit(21, Level::Commune, Some(20), None, None),
        unit(22, Level::Commune, Some(20), None, None),
        unit(23, Level::Commune, Some(20), Some(date(2023, 1, 1)), None),
    ]
}

fn catalog() -> Catalog {
    Catalog::builtin()
}

fn table(rows: &[(&str, i64, &str)]) -> FigureTable {
    rows.iter()
        .map(|&(c, u, v)| ((code(c), UnitId(u)), d(v)))
        .collect()
}

fn get(
    map: &HashMap<UnitId, chitieu_core::rollup::Rolled>,
    id: i64,
) -> (Option<Decimal>, u32, u32) {
    let r = map[&UnitId(id)];
    (r.value, r.reporting, r.expected)
}

#[test]
fn sum_over_two_levels_with_a_missing_child() {
    let tree = UnitTree::on(&two_level_tree(), date(2022, 12, 31));
    // Commune 13 has not reported; district 20 reported its own total, which differs.
    let figures = table(&[
        ("sown_area", 11, "100"),
        ("sown_area", 12, "150.5"),
        ("sown_area", 21, "200"),
        ("sown_area", 22, "300"),
        ("sown_area", 20, "510"),
    ]);
    let rolled = rollup(&tree, &catalog(), &figures, &code("sown_area")).unwrap();
    // (unit, value, reporting, expected)
    let expected = [
        (10, Some("250.5"), 2, 3),
        (20, Some("500"), 2, 2),
        // The province adds district 20's reported 510, not its computed 500.
        (1, Some("760.5"), 2, 2),
        (11, None, 0, 0),
    ];
    for (id, value, reporting, exp) in expected {
        assert_eq!(
            get(&rolled, id),
            (value.map(d), reporting, exp),
            "unit {id}"
        );
    }
    let district20 = rolled[&UnitId(20)];
    assert_eq!(district20.reported, Some(d("510")));
    assert!(district20.mismatch());
    assert!(!rolled[&UnitId(10)].complete());
    assert_eq!(rolled[&UnitId(11)].reported, Some(d("100")));
}

#[test]
fn hierarchy_as_of_a_date() {
    let versions = two_level_tree();
    let figures = table(&[
        ("sown_area", 21, "200"),
        ("sown_area", 22, "300"),
        ("sown_area", 23, "50"),
    ]);
    // (date, value of district 20, expected children, communes of the province)
    let cases = [
        (date(2022, 12, 31), "500", 2, 5),
        (date(2023, 1, 1), "550", 3, 6),
    ];
    for (on, value, expected, communes) in cases {
        let tree = UnitTree::on(&versions, on);
        assert_eq!(tree.contains(UnitId(23)), on >= date(2023, 1, 1));
        let rolled = rollup(&tree, &catalog(), &figures, &code("sown_area")).unwrap();
        assert_eq!(rolled[&UnitId(20)].value, Some(d(value)), "{on}");
        assert_eq!(rolled[&UnitId(20)].expected, expected, "{on}");
        assert_eq!(tree.count_below(UnitId(1), Level::Commune), communes);
        assert_eq!(rolled.contains_key(&UnitId(23)), on >= date(2023, 1, 1));
    }
}

#[test]
fn a_unit_moving_between_parents_counts_where_it_stood() {
    // Commune 30 belonged to district 10 until 30 June 2025, then to district 20.
    let versions = vec![
        unit(10, Level::District, None, None, None),
        unit(20, Level::District, None, None, None),
        unit(30, Level::Commune, Some(10), None, Some(date(2025, 6, 30))),
        unit(30, Level::Commune, Some(20), Some(date(2025, 7, 1)), None),
    ];
    let figures = table(&[("sown_area", 30, "7")]);
    for (on, in_10, in_20) in [
        (date(2025, 6, 30), Some("7"), None),
        (date(2025, 7, 1), None, Some("7")),
    ] {
        let tree = UnitTree::on(&versions, on);
        let rolled = rollup(&tree, &catalog(), &figures, &code("sown_area")).unwrap();
        assert_eq!(rolled[&UnitId(10)].value, in_10.map(d), "{on}");
        assert_eq!(rolled[&UnitId(20)].value, in_20.map(d), "{on}");
        assert_eq!(
            tree.parent(UnitId(30)),
            Some(UnitId(if in_10.is_some() { 10 } else { 20 }))
        );
    }
}

#[test]
fn mean_weighted_mean_ratio_and_none() {
    let tree = UnitTree::on(&two_level_tree(), date(2022, 12, 31));
    let mut cat = catalog();
    // A weighted mean of criteria per commune, weighted by sown area (for the test's sake).
    let mut weighted = cat.get("ntm_avg_criteria").unwrap().clone();
    weighted.code = code("criteria_weighted");
    weighted.aggregation = Aggregation::WeightedMean {
        weight: code("sown_area"),
    };
    cat.upsert(weighted);
    let figures = table(&[
        // Criteria met per commune (mean): district 10 → (19 + 15 + 17) / 3 = 17.
        ("ntm_avg_criteria", 11, "19"),
        ("ntm_avg_criteria", 12, "15"),
        ("ntm_avg_criteria", 13, "17"),
        ("ntm_avg_criteria", 21, "10"),
        ("criteria_weighted", 11, "19"),
        ("criteria_weighted", 12, "15"),
        ("criteria_weighted", 13, "17"),
        // Weights: 13 has none, so it is left out of the weighted mean.
        ("sown_area", 11, "100"),
        ("sown_area", 12, "300"),
        ("sown_area", 21, "50"),
        ("sown_area", 22, "50"),
        // Grain output in tonnes; yield in tạ/ha = t / ha × 10.
        ("grain_output", 11, "600"),
        ("grain_output", 12, "1500"),
        ("grain_output", 21, "250"),
        ("grain_output", 22, "300"),
        // Rates are not aggregated.
        ("poverty_rate", 10, "3.5"),
        ("poverty_rate", 11, "2.1"),
    ]);
    let cat = &cat;
    let run = |c: &str| rollup(&tree, cat, &figures, &code(c)).unwrap();

    let mean = run("ntm_avg_criteria");
    assert_eq!(get(&mean, 10), (Some(d("17")), 3, 3));
    assert_eq!(get(&mean, 20), (Some(d("10")), 1, 2));
    // The province takes the mean of its districts' figures: (17 + 10) / 2.
    assert_eq!(get(&mean, 1), (Some(d("13.5")), 2, 2));

    let weighted = run("criteria_weighted");
    // (19 × 100 + 15 × 300) / 400 = 16.
    assert_eq!(get(&weighted, 10), (Some(d("16")), 2, 3));

    let yield_ = run("rice_yield");
    // District 10: (600 + 1500) / (100 + 300) × 10 = 52.5 tạ/ha.
    assert_eq!(get(&yield_, 10), (Some(d("52.5")), 2, 3));
    // District 20: 550 / 100 × 10 = 55.
    assert_eq!(get(&yield_, 20), (Some(d("55")), 2, 2));
    // Province: 2650 / 500 × 10 = 53, from summed components, not a mean of yields.
    assert_eq!(get(&yield_, 1), (Some(d("53")), 2, 2));
    // A commune gets its yield from its own components: 600 / 100 × 10.
    assert_eq!(get(&yield_, 11), (Some(d("60")), 0, 0));

    let rate = run("poverty_rate");
    assert_eq!(get(&rate, 10), (Some(d("3.5")), 1, 3));
    // The province has no figure of its own; one district of two reported one.
    assert_eq!(get(&rate, 1), (None, 1, 2));
    assert_eq!(get(&rate, 11), (Some(d("2.1")), 0, 0));
}

#[test]
fn unknown_and_cyclic_indicators_are_errors() {
    let tree = UnitTree::on(&two_level_tree(), date(2022, 12, 31));
    let figures = FigureTable::new();
    let mut cat = catalog();
    assert_eq!(
        rollup(&tree, &cat, &figures, &code("no_such_indicator")),
        Err(RollupError::UnknownIndicator(code("no_such_indicator")))
    );
    let mut a = cat.get("ntm_avg_criteria").unwrap().clone();
    a.code = code("cyc_a");
    a.aggregation = Aggregation::WeightedMean {
        weight: code("cyc_b"),
    };
    let mut b = a.clone();
    b.code = code("cyc_b");
    b.aggregation = Aggregation::WeightedMean {
        weight: code("cyc_a"),
    };
    cat.upsert(a);
    cat.upsert(b);
    assert!(matches!(
        rollup(&tree, &cat, &figures, &code("cyc_a")),
        Err(RollupError::Cyclic(_))
    ));
    let (all, errors) = rollup_all(&tree, &cat, &figures);
    assert_eq!(errors.len(), 2);
    assert!(all.contains_key(&code("sown_area")));
}

#[test]
fn parent_cycles_do_not_hang() {
    let versions = vec![
        unit(1, Level::Province, None, None, None),
        unit(2, Level::District, Some(3), None, None),
        unit(3, Level::District, Some(2), None, None),
        unit(4, Level::Commune, Some(4), None, None),
    ];
    let tree = UnitTree::on(&versions, date(2022, 1, 1));
    assert_eq!(tree.detached(), &[UnitId(2), UnitId(3)]);
    // A unit naming itself as parent is treated as a root.
    assert!(tree.roots().any(|r| r == UnitId(4)));
    let figures = table(&[("sown_area", 2, "1")]);
    let rolled = rollup(&tree, &catalog(), &figures, &code("sown_area")).unwrap();
    assert_eq!(rolled[&UnitId(2)].reported, Some(d("1")));
}

fn succ(from: i64, to: i64, partial: bool) -> Succession {
    Succession {
        from: UnitId(from),
        to: UnitId(to),
        date: date(2025, 7, 1),
        partial,
    }
}

fn values(rows: &[(i64, &str)]) -> HashMap<UnitId, Decimal> {
    rows.iter().map(|&(u, v)| (UnitId(u), d(v))).collect()
}

#[test]
fn carry_over_onto_merged_communes() {
    // 101 + 102 + 103 merged whole into 201; 104 was divided between 202 and 203, and 202 also
    // took 105 whole; 106 (no value) went whole into 204; 107 was renamed 205.
    let successions = [
        succ(101, 201, false),
        succ(102, 201, false),
        succ(103, 201, false),
        succ(104, 202, true),
        succ(105, 202, false),
        succ(104, 203, true),
        succ(106, 204, false),
        succ(107, 205, false),
    ];
    let old = values(&[
        (101, "10"),
        (102, "20"),
        (103, "30.5"),
        (104, "40"),
        (105, "5"),
        (107, "17"),
    ]);
    let sums = carry_over(&successions, &old, &Aggregation::Sum);
    // (successor, value, exact)
    let cases = [
        (201, Some("60.5"), true),
        (202, Some("45"), false),
        (203, Some("40"), false),
        (204, None, false),
        (205, Some("17"), true),
    ];
    for (to, value, exact) in cases {
        let c: &Carried = &sums[&UnitId(to)];
        assert_eq!((c.value, c.exact), (value.map(d), exact), "successor {to}");
    }
    assert_eq!(sums[&UnitId(202)].partial, vec![UnitId(104)]);
    assert_eq!(sums[&UnitId(204)].missing, vec![UnitId(106)]);
    assert_eq!(
        sums[&UnitId(201)].predecessors,
        vec![UnitId(101), UnitId(102), UnitId(103)]
    );

    // A rate cannot be summed: only a renaming carries it.
    let rates = carry_over(&successions, &old, &Aggregation::None);
    let cases = [
        (201, None, false),
        (202, None, false),
        (205, Some("17"), true),
    ];
    for (to, value, exact) in cases {
        let c = &rates[&UnitId(to)];
        assert_eq!(
            (c.value, c.exact),
            (value.map(d), exact),
            "rate successor {to}"
        );
    }
}

#[test]
fn carry_over_counts_the_absorbing_unit() {
    // 301 absorbed 302 and keeps its id.
    let successions = [succ(302, 301, false)];
    let old = values(&[(301, "8"), (302, "2")]);
    let c = &carry_over(&successions, &old, &Aggregation::Sum)[&UnitId(301)];
    assert_eq!((c.value, c.exact), (Some(d("10")), true));
    assert_eq!(c.predecessors, vec![UnitId(301), UnitId(302)]);
}

#[test]
fn carry_over_a_ratio_through_its_components() {
    let successions = [succ(101, 201, false), succ(102, 201, false)];
    let grain = values(&[(101, "600"), (102, "1500")]);
    let area = values(&[(101, "100"), (102, "300")]);
    let c = &carry_over_ratio(&successions, &grain, &area, d("10"))[&UnitId(201)];
    assert_eq!((c.value, c.exact), (Some(d("52.5")), true));
}

/// A national tree: 1 nation, 34 provinces, 3,321 communes (as after July 2025), with every
/// indicator of the built-in catalog reported by every commune. Checks the national totals;
/// its speed is measured by the `chitieu-bench` benchmark, never by a timed test.
#[test]
fn national_rollup_totals() {
    let mut versions = vec![unit(0, Level::Nation, None, None, None)];
    let mut next = 1_000;
    for p in 1..=34 {
        versions.push(unit(p, Level::Province, Some(0), None, None));
        let communes = if p <= 23 { 98 } else { 97 };
        for _ in 0..communes {
            versions.push(unit(next, Level::Commune, Some(p), None, None));
            next += 1;
        }
    }
    let cat = catalog();
    let mut figures = FigureTable::new();
    let mut expected_sum = Decimal::ZERO;
    let sown = code("sown_area");
    for (i, ind) in cat.indicators.iter().enumerate() {
        for v in versions.iter().filter(|v| v.level == Level::Commune) {
            let value = Decimal::new(v.unit.0 * 7 + i as i64 + 1, 1);
            if ind.code == sown {
                expected_sum += value;
            }
            figures.insert(ind.code.clone(), v.unit, value);
        }
    }
    let tree = UnitTree::on(&versions, date(2025, 7, 1));
    assert_eq!(tree.len(), 1 + 34 + 3_321);
    let (all, errors) = rollup_all(&tree, &cat, &figures);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(all.len(), cat.indicators.len());
    let nation = all[&sown][&UnitId(0)];
    assert_eq!((nation.reporting, nation.expected), (34, 34));
    assert_eq!(nation.value, Some(expected_sum));
}
