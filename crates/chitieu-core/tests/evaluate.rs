//! Evaluation rules, as tables of cases.

use chitieu_core::Decimal;
use chitieu_core::evaluate::{
    EvalInput, ProjectionMethod, Status, Summary, TargetBasis, Thresholds, evaluate,
};
use chitieu_core::indicator::{Direction, Temporal};
use chitieu_core::period::Period;
use chitieu_core::target::Comparator;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

fn at_least(v: &str) -> Comparator {
    Comparator::AtLeast { value: d(v) }
}
fn at_most(v: &str) -> Comparator {
    Comparator::AtMost { value: d(v) }
}
fn exactly(v: &str) -> Comparator {
    Comparator::Exactly { value: d(v) }
}
fn range(min: &str, max: &str) -> Comparator {
    Comparator::Range {
        min: d(min),
        max: d(max),
    }
}

/// A whole-year figure against a whole-year target.
fn year_input(direction: Direction, comparator: Comparator, actual: Option<&str>) -> EvalInput {
    EvalInput::new(
        direction,
        Temporal::Level,
        comparator,
        p("2022"),
        actual.map(d),
        p("2022"),
    )
}

#[test]
fn statuses_for_every_comparator_and_direction() {
    use Direction::{Down, None as Neither, Up};
    use Status::*;
    // (case, direction, comparator, actual, expected status)
    let cases: Vec<(&str, Direction, Comparator, Option<&str>, Status)> = vec![
        // Up, at least: compared by achievement.
        ("up above", Up, at_least("100"), Some("101"), Vuot),
        ("up equal", Up, at_least("100"), Some("100"), Dat),
        ("up 95%", Up, at_least("100"), Some("95"), CoBanDat),
        ("up exactly 90%", Up, at_least("100"), Some("90"), CoBanDat),
        ("up 89.99%", Up, at_least("100"), Some("89.99"), KhongDat),
        ("up missing", Up, at_least("100"), None, ChuaDuDuLieu),
        (
            "none-direction at least",
            Neither,
            at_least("8"),
            Some("8.5"),
            Vuot,
        ),
        // Lower is better: at-most targets and down indicators.
        ("at most below", Up, at_most("3"), Some("2.5"), Vuot),
        ("at most equal", Up, at_most("3"), Some("3"), Dat),
        (
            "at most 3 vs 3.2 (93.75%)",
            Up,
            at_most("3"),
            Some("3.2"),
            CoBanDat,
        ),
        (
            "at most 3 vs 4 (75%)",
            Up,
            at_most("3"),
            Some("4"),
            KhongDat,
        ),
        ("down below", Down, at_least("3"), Some("2.9"), Vuot),
        ("down equal", Down, at_most("3"), Some("3"), Dat),
        (
            "down slightly above",
            Down,
            at_most("3"),
            Some("3.3"),
            CoBanDat,
        ),
        ("down far above", Down, at_most("3"), Some("5"), KhongDat),
        (
            "down zero actual exceeds",
            Down,
            at_most("5"),
            Some("0"),
            Vuot,
        ),
        (
            "down zero target met by zero",
            Down,
            at_most("0"),
            Some("0"),
            Dat,
        ),
        (
            "down zero target missed",
            Down,
            at_most("0"),
            Some("1"),
            KhongDat,
        ),
        ("down missing", Down, at_most("3"), None, ChuaDuDuLieu),
        // Exactly: equal is đạt; an up indicator can exceed it.
        ("exactly equal", Up, exactly("100"), Some("100"), Dat),
        ("exactly up above", Up, exactly("100"), Some("100.5"), Vuot),
        ("exactly up 92%", Up, exactly("100"), Some("92"), CoBanDat),
        ("exactly up 50%", Up, exactly("100"), Some("50"), KhongDat),
        ("exactly down below", Down, exactly("10"), Some("9"), Vuot),
        (
            "exactly neither off by 5%",
            Neither,
            exactly("20"),
            Some("21"),
            CoBanDat,
        ),
        (
            "exactly neither off by 50%",
            Neither,
            exactly("20"),
            Some("30"),
            KhongDat,
        ),
        (
            "exactly neither equal",
            Neither,
            exactly("20"),
            Some("20"),
            Dat,
        ),
        ("exactly missing", Up, exactly("20"), None, ChuaDuDuLieu),
        // Range: inside is đạt, beyond the better end vượt, outside the worse end by achievement.
        ("range inside", Up, range("8", "9"), Some("8.5"), Dat),
        ("range at min", Up, range("8", "9"), Some("8"), Dat),
        ("range at max", Up, range("8", "9"), Some("9"), Dat),
        ("range up above max", Up, range("8", "9"), Some("9.2"), Vuot),
        (
            "range up just below min",
            Up,
            range("8", "9"),
            Some("7.5"),
            CoBanDat,
        ),
        (
            "range up far below min",
            Up,
            range("8", "9"),
            Some("6"),
            KhongDat,
        ),
        (
            "range down below min",
            Down,
            range("2", "3"),
            Some("1.5"),
            Vuot,
        ),
        (
            "range down just above max",
            Down,
            range("2", "3"),
            Some("3.2"),
            CoBanDat,
        ),
        (
            "range down far above max",
            Down,
            range("2", "3"),
            Some("4"),
            KhongDat,
        ),
        (
            "range neither above max",
            Neither,
            range("8", "9"),
            Some("9.5"),
            CoBanDat,
        ),
        (
            "range neither far below",
            Neither,
            range("8", "9"),
            Some("4"),
            KhongDat,
        ),
        ("range missing", Up, range("8", "9"), None, ChuaDuDuLieu),
    ];
    let th = Thresholds::default();
    for (name, direction, comparator, actual, expected) in cases {
        let e = evaluate(&year_input(direction, comparator, actual), &th);
        assert_eq!(e.status, expected, "{name}: {e:?}");
        assert!(e.projection.is_none() && !e.at_risk, "{name}");
    }
}

#[test]
fn achievement_is_direction_aware() {
    let th = Thresholds::default();
    // (direction, comparator, actual, achievement rounded to 2 places)
    let cases = [
        (Direction::Up, at_least("200"), "250", Some("125.00")),
        (Direction::Down, at_most("3"), "2", Some("150.00")),
        (Direction::Down, at_most("3"), "4", Some("75.00")),
        (Direction::Down, at_most("3"), "0", None),
        (Direction::None, exactly("20"), "21", Some("95.00")),
        (Direction::Up, range("8", "9"), "8.7", Some("100.00")),
        (Direction::Up, at_least("0"), "5", None),
    ];
    for (direction, comparator, actual, expected) in cases {
        let e = evaluate(&year_input(direction, comparator, Some(actual)), &th);
        assert_eq!(
            e.achievement.map(|a| a.round_dp(2)),
            expected.map(d),
            "{direction:?} {comparator} {actual}"
        );
    }
}

#[test]
fn thresholds_are_configurable() {
    let th = Thresholds {
        co_ban_dat_from: d("95"),
        vuot_from: d("105"),
    };
    let cases = [
        ("106", Status::Vuot),
        ("105", Status::Dat),
        ("100", Status::Dat),
        ("96", Status::CoBanDat),
        ("94", Status::KhongDat),
    ];
    for (actual, expected) in cases {
        let e = evaluate(
            &year_input(Direction::Up, at_least("100"), Some(actual)),
            &th,
        );
        assert_eq!(e.status, expected, "{actual}");
    }
    // Missing fields take their defaults when deserialised.
    let parsed = thresholds_from_map(&[("co_ban_dat_from", "80")]);
    assert_eq!(parsed.co_ban_dat_from, d("80"));
    assert_eq!(parsed.vuot_from, d("100"));
}

/// Deserialises thresholds from string pairs through serde's own value types (this crate has
/// no JSON dependency).
fn thresholds_from_map(entries: &[(&'static str, &'static str)]) -> Thresholds {
    use serde::Deserialize;
    use serde::de::value::{Error, MapDeserializer, StrDeserializer};
    let de: MapDeserializer<'_, _, Error> = MapDeserializer::new(
        entries
            .iter()
            .map(|&(k, v)| (StrDeserializer::new(k), StrDeserializer::new(v))),
    );
    Thresholds::deserialize(de).unwrap()
}

#[test]
fn bac_son_2020_budget_revenue() {
    // "thu ngân sách đạt 43,248 tỷ đồng, đạt 131,5% dự toán tỉnh giao"
    let mut input = year_input(Direction::Up, at_least("32888000000"), Some("43248000000"));
    input.target_period = p("2020");
    input.actual_period = p("2020");
    let e = evaluate(&input, &Thresholds::default());
    assert_eq!(e.percent_of_plan.unwrap().round_dp(1), d("131.5"));
    assert_eq!(e.status, Status::Vuot);
}

#[test]
fn percent_change_on_same_period_last_year() {
    let cases = [
        (Some("110"), Some("100"), Some("10.0")),
        (Some("90"), Some("100"), Some("-10.0")),
        (Some("90"), Some("0"), None),
        (Some("90"), None, None),
        (None, Some("100"), None),
        (Some("-5"), Some("-10"), Some("50.0")),
    ];
    for (actual, last, expected) in cases {
        let mut input = year_input(Direction::Up, at_least("100"), actual);
        input.same_period_last_year = last.map(d);
        let e = evaluate(&input, &Thresholds::default());
        assert_eq!(
            e.percent_change.map(|c| c.round_dp(1)),
            expected.map(d),
            "{actual:?} vs {last:?}"
        );
    }
}

#[test]
fn counts_of_units_against_a_count_and_a_share() {
    // 8 of 17 communes meet the new-rural standard.
    let base = EvalInput {
        counts_units: true,
        total_units: Some(17),
        ..year_input(Direction::Up, at_least("10"), Some("8"))
    };
    // (case, target basis, comparator, status, percent of plan to 1 place)
    let cases = [
        (
            "10 xã",
            TargetBasis::Value,
            at_least("10"),
            Status::KhongDat,
            "80.0",
        ),
        (
            "8 xã",
            TargetBasis::Value,
            at_least("8"),
            Status::Dat,
            "100.0",
        ),
        (
            "45% số xã",
            TargetBasis::ShareOfTotal,
            at_least("45"),
            Status::Vuot,
            "104.6",
        ),
        (
            "50% số xã",
            TargetBasis::ShareOfTotal,
            at_least("50"),
            Status::CoBanDat,
            "94.1",
        ),
        (
            "60% số xã",
            TargetBasis::ShareOfTotal,
            at_least("60"),
            Status::KhongDat,
            "78.4",
        ),
    ];
    for (name, basis, comparator, status, pct) in cases {
        let input = EvalInput {
            target_basis: basis,
            comparator,
            ..base.clone()
        };
        let e = evaluate(&input, &Thresholds::default());
        assert_eq!(e.share_of_total.unwrap().round_dp(2), d("47.06"), "{name}");
        assert_eq!(e.status, status, "{name}");
        assert_eq!(e.percent_of_plan.unwrap().round_dp(1), d(pct), "{name}");
    }
    // Without a total, a share target cannot be judged.
    let unknown_total = EvalInput {
        total_units: None,
        target_basis: TargetBasis::ShareOfTotal,
        ..base
    };
    let e = evaluate(&unknown_total, &Thresholds::default());
    assert_eq!(e.status, Status::ChuaDuDuLieu);
    assert_eq!(e.share_of_total, None);
}

#[test]
fn part_year_figures_are_judged_on_their_projection() {
    struct Case {
        name: &'static str,
        temporal: Temporal,
        period: &'static str,
        actual: &'static str,
        same_last_year: Option<&'static str>,
        last_year_full: Option<&'static str>,
        projected: &'static str,
        method: ProjectionMethod,
        status: Status,
        at_risk: bool,
    }
    // Annual target 100 (at least).
    let cases = [
        Case {
            name: "H1 linear on track",
            temporal: Temporal::Cumulative,
            period: "2022-H1",
            actual: "50",
            same_last_year: None,
            last_year_full: None,
            projected: "100",
            method: ProjectionMethod::Linear,
            status: Status::Dat,
            at_risk: false,
        },
        Case {
            name: "9M linear behind",
            temporal: Temporal::Cumulative,
            period: "2022-9M",
            actual: "60",
            same_last_year: None,
            last_year_full: None,
            projected: "80",
            method: ProjectionMethod::Linear,
            status: Status::KhongDat,
            at_risk: true,
        },
        Case {
            name: "Q1 linear, slightly behind",
            temporal: Temporal::Cumulative,
            period: "2022-Q1",
            actual: "23.5",
            same_last_year: None,
            last_year_full: None,
            projected: "94",
            method: ProjectionMethod::Linear,
            status: Status::CoBanDat,
            at_risk: true,
        },
        Case {
            name: "H1 seasonal: last year's first half was 40% of the year",
            temporal: Temporal::Cumulative,
            period: "2022-H1",
            actual: "44",
            same_last_year: Some("36"),
            last_year_full: Some("90"),
            projected: "110",
            method: ProjectionMethod::Seasonal,
            status: Status::Vuot,
            at_risk: false,
        },
        Case {
            name: "seasonal needs both last-year values",
            temporal: Temporal::Cumulative,
            period: "2022-H1",
            actual: "44",
            same_last_year: Some("36"),
            last_year_full: None,
            projected: "88",
            method: ProjectionMethod::Linear,
            status: Status::KhongDat,
            at_risk: true,
        },
        Case {
            name: "level indicator keeps its latest value",
            temporal: Temporal::Level,
            period: "2022-H1",
            actual: "97",
            same_last_year: Some("80"),
            last_year_full: Some("90"),
            projected: "97",
            method: ProjectionMethod::Latest,
            status: Status::CoBanDat,
            at_risk: true,
        },
    ];
    for c in cases {
        let input = EvalInput {
            same_period_last_year: c.same_last_year.map(d),
            last_year_full: c.last_year_full.map(d),
            ..EvalInput::new(
                Direction::Up,
                c.temporal,
                at_least("100"),
                p("2022"),
                Some(d(c.actual)),
                p(c.period),
            )
        };
        let e = evaluate(&input, &Thresholds::default());
        let proj = e
            .projection
            .unwrap_or_else(|| panic!("{}: no projection", c.name));
        assert_eq!(proj.value, d(c.projected), "{}", c.name);
        assert_eq!(proj.method, c.method, "{}", c.name);
        assert_eq!(e.status, c.status, "{}", c.name);
        assert_eq!(e.at_risk, c.at_risk, "{}", c.name);
        // Percent of plan stays actual over the annual target, as written at mid-year.
        assert_eq!(e.percent_of_plan, Some(d(c.actual)), "{}", c.name);
    }
}

#[test]
fn mid_year_budget_percent_of_plan_is_against_the_annual_estimate() {
    // "6 tháng đầu năm thu ngân sách đạt 80% dự toán tỉnh giao"
    let input = EvalInput::new(
        Direction::Up,
        Temporal::Cumulative,
        at_least("50000000000"),
        p("2022"),
        Some(d("40000000000")),
        p("2022-H1"),
    );
    let e = evaluate(&input, &Thresholds::default());
    assert_eq!(e.percent_of_plan, Some(d("80")));
    assert_eq!(e.status, Status::Vuot); // projected 80 bn against 50 bn
    assert!(!e.at_risk);
}

#[test]
fn periods_that_do_not_nest_are_not_judged() {
    let cases = [
        // (target period, figure period, temporal, status)
        ("2022", "2023", Temporal::Level, Status::ChuaDuDuLieu),
        (
            "2022",
            "2023-H1",
            Temporal::Cumulative,
            Status::ChuaDuDuLieu,
        ),
        (
            "2020-2025",
            "2023",
            Temporal::Cumulative,
            Status::ChuaDuDuLieu,
        ),
        ("2020-2025", "2023", Temporal::Level, Status::Vuot),
        ("2022-H1", "2022-Q1", Temporal::Cumulative, Status::Vuot),
    ];
    for (target, figure, temporal, status) in cases {
        let input = EvalInput::new(
            Direction::Up,
            temporal,
            at_least("10"),
            p(target),
            Some(d("12")),
            p(figure),
        );
        let e = evaluate(&input, &Thresholds::default());
        assert_eq!(e.status, status, "{target} vs {figure} ({temporal:?})");
        assert!(e.percent_of_plan.is_some());
    }
}

#[test]
fn extreme_values_do_not_panic() {
    let cases = [
        (at_least("0.0000000000000000000000000001"), Decimal::MAX),
        (at_most("1"), Decimal::MIN),
        (at_least("-5"), d("-3")),
        (exactly("0"), d("1")),
    ];
    for (comparator, actual) in cases {
        let mut input = year_input(Direction::Up, comparator, None);
        input.actual = Some(actual);
        input.same_period_last_year = Some(d("0.0000000000000000000000000001"));
        let _ = evaluate(&input, &Thresholds::default());
        input.actual_period = p("2022-M01");
        input.temporal = Temporal::Cumulative;
        let _ = evaluate(&input, &Thresholds::default());
    }
}

#[test]
fn summary_lines() {
    use Status::*;
    let statuses = [vec![Vuot; 12], vec![Dat; 6], vec![CoBanDat], vec![KhongDat]].concat();
    let s = Summary::of_statuses(statuses);
    assert_eq!((s.total(), s.met()), (20, 18));
    assert_eq!(
        s.summary_vi(),
        "trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt"
    );
    assert_eq!(
        s.summary_vi_detailed(),
        "trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt; 1 chỉ tiêu cơ bản đạt; 1 chỉ tiêu không đạt"
    );
    assert_eq!(s.fraction_vi(), "18/20 chỉ tiêu đạt và vượt");

    let all_met = Summary::of_statuses([Vuot, Dat, Dat]);
    assert_eq!(all_met.summary_vi_detailed(), all_met.summary_vi());

    let with_missing = Summary::of_statuses([Vuot, ChuaDuDuLieu, ChuaDuDuLieu]);
    assert_eq!(
        with_missing.summary_vi_detailed(),
        "trong 3 chỉ tiêu chủ yếu, có 1 chỉ tiêu đạt và vượt; 2 chỉ tiêu chưa đủ dữ liệu"
    );

    // Summary::of reads the statuses of evaluations.
    let th = Thresholds::default();
    let evals = [
        evaluate(&year_input(Direction::Up, at_least("10"), Some("11")), &th),
        evaluate(&year_input(Direction::Up, at_least("10"), Some("5")), &th),
    ];
    let s = Summary::of(&evals);
    assert_eq!((s.vuot, s.khong_dat, s.total(), s.met()), (1, 1, 2, 1));
}

#[test]
fn status_labels_and_keys() {
    let cases = [
        (Status::Vuot, "vượt", "vuot", true),
        (Status::Dat, "đạt", "dat", true),
        (Status::CoBanDat, "cơ bản đạt", "co_ban_dat", false),
        (Status::KhongDat, "không đạt", "khong_dat", false),
        (
            Status::ChuaDuDuLieu,
            "chưa đủ dữ liệu",
            "chua_du_du_lieu",
            false,
        ),
    ];
    for (status, vi, key, met) in cases {
        assert_eq!(status.vi(), vi);
        assert_eq!(status.key(), key);
        assert_eq!(status.is_met(), met);
        assert_eq!(key.parse::<Status>().unwrap(), status);
        assert_eq!(vi.parse::<Status>().unwrap(), status);
    }
}
