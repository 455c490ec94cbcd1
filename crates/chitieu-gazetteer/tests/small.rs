//! Tests of parsing and queries on small hand-made data.

use chitieu_core::admin::{Level, UnitId, UnitKind};
use chitieu_gazetteer::{GazetteerError, ResolveError, parse};
use chrono::NaiveDate;

const UNITS_HEADER: &str = "unit_id\tlevel\tkind\tname\tcode\tparent\tvalid_from\tvalid_to\n";
const SUCC_HEADER: &str = "from_unit\tto_unit\tdate\tpartial\n";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// A nation, one province, a district with three communes; on 2025-07-01 the district goes,
/// communes 10 and 11 merge into 20, and 12 continues under the province.
fn sample_units() -> String {
    let rows = [
        "1\tnation\tquoc_gia\tViệt Nam\t\t\t\t",
        "2\tprovince\ttinh\tLạng Sơn\t20\t1\t\t",
        "3\tdistrict\thuyen\tBắc Sơn\t185\t2\t\t2025-06-30",
        "10\tcommune\txa\tVũ Sơn\t06355\t3\t\t2025-06-30",
        "11\tcommune\txa\tĐồng Ý\t06337\t3\t\t2025-06-30",
        "12\tcommune\tthi_tran\tBắc Sơn\t06325\t3\t\t2025-06-30",
        "12\tcommune\tthi_tran\tBắc Sơn\t06325\t2\t2025-07-01\t",
        "20\tcommune\txa\tTân Tri\t06337\t2\t2025-07-01\t",
    ];
    format!("{UNITS_HEADER}{}\n", rows.join("\n"))
}

fn sample_successions() -> String {
    format!("{SUCC_HEADER}10\t20\t2025-07-01\tfalse\n11\t20\t2025-07-01\ttrue\n")
}

fn invalid(units: &str, succ: &str) -> (&'static str, usize, String) {
    match parse(units, succ) {
        Err(GazetteerError::Invalid { file, line, reason }) => (file, line, reason),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn small_data_answers_queries() {
    let g = parse(&sample_units(), &sample_successions()).expect("parses");
    assert_eq!(g.versions.len(), 8);
    assert_eq!(g.successions.len(), 2);
    let before = day(2022, 6, 15);
    let after = day(2025, 7, 1);
    assert_eq!(g.children_on(UnitId(3), before).len(), 3);
    assert_eq!(g.children_on(UnitId(2), before).len(), 1);
    let names: Vec<String> = g
        .descendants_on(UnitId(1), before)
        .iter()
        .map(|v| v.full_name())
        .collect();
    assert_eq!(
        names,
        [
            "tỉnh Lạng Sơn",
            "huyện Bắc Sơn",
            "xã Vũ Sơn",
            "xã Đồng Ý",
            "thị trấn Bắc Sơn"
        ]
    );
    let after_kids = g.children_on(UnitId(2), after);
    assert_eq!(after_kids.len(), 2);
    assert!(after_kids.iter().all(|v| v.level == Level::Commune));
    assert_eq!(g.versions_of(UnitId(12)).len(), 2);
    assert_eq!(g.versions_of(UnitId(99)).len(), 0);
    assert_eq!(g.predecessors(UnitId(20)).len(), 2);
    assert!(g.successors(UnitId(11))[0].partial);
    assert!(g.successors(UnitId(12)).is_empty());
    assert_eq!(g.ancestors_on(UnitId(10), before).len(), 3);
    assert_eq!(g.version_on(UnitId(3), after), None);
}

#[test]
fn small_data_resolves_names() {
    let g = parse(&sample_units(), &sample_successions()).expect("parses");
    let before = day(2022, 6, 15);
    let after = day(2025, 7, 1);
    assert_eq!(
        g.resolve("XÃ VŨ SƠN", before).map(|v| v.unit),
        Ok(UnitId(10))
    );
    assert_eq!(
        g.resolve("tt Bắc Sơn", after).map(|v| v.unit),
        Ok(UnitId(12))
    );
    // Bare "Bắc Sơn": the huyện and the thị trấn.
    let err = g.resolve("Bắc Sơn", before).expect_err("ambiguous");
    assert!(matches!(&err, ResolveError::Ambiguous { candidates, .. } if candidates.len() == 2));
    assert!(
        err.to_string().contains(
            "thị trấn Bắc Sơn (huyện Bắc Sơn, tỉnh Lạng Sơn; code 06325; until 2025-06-30)"
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("e.g. \"huyện Bắc Sơn, tỉnh Lạng Sơn\""),
        "{err}"
    );
    // After the reform only the thị trấn is left.
    assert_eq!(
        g.resolve("Bắc Sơn", after).map(|v| v.kind),
        Ok(UnitKind::ThiTran)
    );
    let err = g.resolve("huyện Bắc Sơn", after).expect_err("gone");
    assert!(matches!(
        err,
        ResolveError::NotFound {
            kind_absent: Some(UnitKind::Huyen),
            ..
        }
    ));
}

#[test]
fn errors_name_the_file_and_line() {
    let succ = sample_successions();
    let (file, line, reason) = invalid("id\tname\n", &succ);
    assert_eq!((file, line), ("units.tsv", 1));
    assert!(reason.contains("header"), "{reason}");

    let bad_kind = sample_units().replace("\thuyen\t", "\tvillage\t");
    let (file, line, reason) = invalid(&bad_kind, &succ);
    assert_eq!((file, line), ("units.tsv", 4));
    assert!(reason.contains("village"), "{reason}");

    let bad_date = sample_units().replace("\t2025-07-01\t\n", "\t2025-13-01\t\n");
    let (_, line, reason) = invalid(&bad_date, &succ);
    assert_eq!(line, 8);
    assert!(reason.contains("2025-13-01"), "{reason}");

    let short = format!("{UNITS_HEADER}1\tnation\tquoc_gia\n");
    let (_, line, reason) = invalid(&short, &succ);
    assert_eq!(line, 2);
    assert!(reason.contains("8 columns"), "{reason}");

    let err = parse(&bad_kind, &succ).expect_err("bad");
    assert!(err.to_string().starts_with("units.tsv:4: "), "{err}");
}

#[test]
fn cross_row_errors_are_caught() {
    let succ = sample_successions();
    let orphan = sample_units().replace("\t06355\t3\t", "\t06355\t77\t");
    let (_, line, reason) = invalid(&orphan, &succ);
    assert_eq!(line, 5);
    assert!(reason.contains("#77"), "{reason}");

    // A commune as the parent of a province: a level inversion (and a possible cycle).
    let inverted = sample_units().replace("\tLạng Sơn\t20\t1\t", "\tLạng Sơn\t20\t10\t");
    let (_, line, reason) = invalid(&inverted, &succ);
    assert_eq!(line, 3);
    assert!(reason.contains("parent"), "{reason}");

    let overlap = sample_units().replace("\t2\t2025-07-01\t\n20", "\t2\t2025-06-01\t\n20");
    let (_, line, reason) = invalid(&overlap, &succ);
    assert_eq!(line, 8);
    assert!(reason.contains("overlapping"), "{reason}");

    let backwards = sample_units().replace("\t\t2025-06-30\n10", "\t2026-01-01\t2025-06-30\n10");
    let (_, line, _) = invalid(&backwards, &succ);
    assert_eq!(line, 4);
}

#[test]
fn succession_errors_are_caught() {
    let units = sample_units();
    let unknown = format!("{SUCC_HEADER}10\t99\t2025-07-01\tfalse\n");
    let (file, line, reason) = invalid(&units, &unknown);
    assert_eq!((file, line), ("successions.tsv", 2));
    assert!(reason.contains("#99"), "{reason}");

    let flag = format!("{SUCC_HEADER}10\t20\t2025-07-01\tyes\n");
    let (_, _, reason) = invalid(&units, &flag);
    assert!(reason.contains("yes"), "{reason}");

    let no_date = format!("{SUCC_HEADER}\n10\t20\t\tfalse\n");
    let (_, line, _) = invalid(&units, &no_date);
    assert_eq!(line, 3, "blank lines are skipped but still counted");

    let (file, line, _) = invalid(&units, "");
    assert_eq!((file, line), ("successions.tsv", 1));
}
