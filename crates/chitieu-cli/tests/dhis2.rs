//! `chitieu dhis2 …` end to end: the real binary on temporary SQLite databases, with the
//! DHIS2-shaped sample files of `crates/chitieu-dhis2/tests/data/` (Lạng Sơn figures).

mod common;

use chitieu_store::Store;
use common::Env;

fn data(name: &str) -> String {
    format!(
        "{}/../chitieu-dhis2/tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

impl Env {
    /// A new database, initialised, with the sample mappings loaded.
    fn mapped() -> Env {
        let db = Env::new();
        let out = db.ok(&["dhis2", "map", "import", &data("mappings.csv")]);
        assert!(out.contains("8 ánh xạ mới"), "{out}");
        db
    }
    fn file(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
    fn figures(&self) -> u64 {
        self.store().counts().expect("counts").figures
    }
    /// Every current figure as (indicator, unit, period, value, note), sorted.
    fn current_figures(&self) -> Vec<(String, i64, String, String, Option<String>)> {
        let store = self.store();
        let mut stmt = store
            .connection()
            .prepare(
                "SELECT indicator, unit_id, period, value, note FROM figure WHERE current = 1 ORDER BY indicator, unit_id, period",
            )
            .expect("prepare");
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows")
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn mappings_are_listed_added_removed_and_loaded_all_or_nothing() {
    let db = Env::mapped();
    let list = db.ok(&["dhis2", "map", "list"]);
    for want in [
        "dxTnmKr8bQa",
        "budget_revenue",
        "huyện Bắc Sơn",
        "huyện Hữu Lũng",
        "HllvX50cXC0",
    ] {
        assert!(list.contains(want), "{want} missing:\n{list}");
    }
    // A unit name is resolved on the date given: Bắc Sơn was a district until 30/06/2025.
    let err = db.fails(&[
        "dhis2",
        "map",
        "add",
        "org_unit",
        "BsLs4Hn2Q8b",
        "huyện Bắc Sơn",
        "--on",
        "2026-01-01",
    ]);
    assert!(err.contains("Bắc Sơn"), "{err}");
    let out = db.ok(&[
        "dhis2",
        "map",
        "add",
        "org_unit",
        "BsLs4Hn2Q8b",
        "huyện Bắc Sơn",
        "--on",
        "2024-06-30",
    ]);
    assert!(out.contains("đã thêm"), "{out}");
    let err = db.fails(&[
        "dhis2",
        "map",
        "add",
        "data_element",
        "AbCdEfGhIj1",
        "no_such",
    ]);
    assert!(
        err.contains("không có chỉ tiêu mã 'no_such' (unknown indicator)"),
        "{err}"
    );
    let out = db.ok(&["dhis2", "map", "remove", "org_unit", "BsLs4Hn2Q8b"]);
    assert!(out.contains("Đã xoá"), "{out}");
    let err = db.fails(&["dhis2", "map", "remove", "org_unit", "BsLs4Hn2Q8b"]);
    assert!(
        err.contains("không tìm thấy ánh xạ DHIS2") && err.contains("BsLs4Hn2Q8b"),
        "{err}"
    );

    // One bad row in a mapping file changes no mapping.
    let bad = db.file("bad_mappings.csv");
    std::fs::write(
        &bad,
        "kind,dhis2_id,chitieu,on\n\
         data_element,NewDe000001,grain_output,\n\
         data_element,NewDe000002,not_an_indicator,\n\
         org_unit,NewOu000001,xã Không Có,2024-01-01\n\
         colour,NewXx000001,đỏ,\n",
    )
    .expect("write");
    let before = db.ok(&["dhis2", "map", "list"]);
    let err = db.fails(&["dhis2", "map", "import", &bad]);
    for want in [
        "dòng 3",
        "not_an_indicator",
        "dòng 4",
        "Không Có",
        "dòng 5",
        "colour",
    ] {
        assert!(err.contains(want), "{want} missing:\n{err}");
    }
    assert_eq!(db.ok(&["dhis2", "map", "list"]), before);
    // The same file again changes nothing.
    let out = db.ok(&["dhis2", "map", "import", &data("mappings.csv")]);
    assert!(
        out.contains("0 ánh xạ mới, 0 sửa đổi, 8 không đổi"),
        "{out}"
    );
}

#[test]
fn a_file_with_bad_rows_stores_nothing_and_names_each_one() {
    let db = Env::mapped();
    let json = data("bad_rows.json");
    let err = db.fails(&["dhis2", "import", &json]);
    assert!(
        err.contains("7 giá trị lỗi, chưa nhập gì (nothing was imported)"),
        "{err}"
    );
    for (at, field, value) in [
        ("dataValues[1]", "dataElement", "ZzUnknownDE"),
        ("dataValues[2]", "period", "2024W1"),
        ("dataValues[3]", "value", "1,234"),
        ("dataValues[4]", "orgUnit", "XxNoSuchOU1"),
        ("dataValues[5]", "value", "-20"),
        ("dataValues[6]", "orgUnit", "BsLs4Hn2Q8a"),
        ("dataValues[7]", "categoryOptionCombo", ""),
    ] {
        let line = format!("{json}: {at}, {field} '{value}'");
        assert!(err.contains(&line), "{line} missing:\n{err}");
    }
    assert!(err.contains("weekly"), "{err}");
    assert!(
        err.contains("không có hiệu lực trong kỳ 2026 (not in force)"),
        "{err}"
    );
    assert_eq!(db.figures(), 0);

    let csv = data("bad_rows.csv");
    let err = db.fails(&["dhis2", "import", &csv]);
    for (row, field) in [
        ("row 3", "categoryOptionCombo 'Xy9NoSuchCC'"),
        ("row 4", "value '1.2E10'"),
        ("row 5", "period '2024AprilS1'"),
        ("row 6", "value '1500'"),
        ("row 7", "deleted 'true'"),
    ] {
        let line = format!("{csv}: {row}, {field}");
        assert!(err.contains(&line), "{line} missing:\n{err}");
    }
    assert_eq!(db.figures(), 0);

    // A dry run checks a good file and stores nothing.
    let out = db.ok(&["dhis2", "import", &data("bac_son_2024.json"), "--dry-run"]);
    assert!(out.contains("5 hợp lệ"), "{out}");
    assert_eq!(db.figures(), 0);

    // Forced: the good rows are stored, the bad ones reported.
    let out = db.ok(&["dhis2", "import", &json, "--skip-bad-rows"]);
    assert!(out.contains("bỏ qua 7 dòng lỗi"), "{out}");
    assert!(out.contains("dataValues[2], period '2024W1'"), "{out}");
    assert!(out.contains("1 số liệu mới"), "{out}");
    let out = db.ok(&["dhis2", "import", &csv, "--skip-bad-rows"]);
    assert!(out.contains("bỏ qua 5 dòng lỗi"), "{out}");
    assert!(out.contains("2 số liệu mới"), "{out}");
    assert_eq!(db.figures(), 3);
    let figures = db.current_figures();
    assert!(
        figures
            .iter()
            .any(|f| f.0 == "budget_revenue" && f.2 == "2024-Q3" && f.3 == "40500000000"),
        "{figures:?}"
    );
}

#[test]
fn export_then_import_into_a_fresh_database_loses_nothing() {
    let a = Env::mapped();
    let out = a.ok(&["dhis2", "import", &data("bac_son_2024.json")]);
    assert!(out.contains("5 số liệu mới"), "{out}");
    let out = a.ok(&["dhis2", "import", &data("huu_lung_2024_months.csv")]);
    assert!(out.contains("5 số liệu mới"), "{out}");
    // Importing the same file again changes nothing.
    let out = a.ok(&["dhis2", "import", &data("bac_son_2024.json")]);
    assert!(out.contains("5 không đổi; 0 bản ghi DHIS2"), "{out}");

    let json_a = a.file("export.json");
    let csv_a = a.file("export.csv");
    a.ok(&[
        "dhis2",
        "export",
        "--data-set",
        "LsKtXh2024a",
        "-o",
        &json_a,
    ]);
    a.ok(&["dhis2", "export", "--format", "csv", "-o", &csv_a]);

    // The exports have DHIS2's shape and keep what DHIS2 gave.
    let json: serde_json::Value = serde_json::from_str(&read(&json_a)).expect("json");
    assert_eq!(json["dataSet"], "LsKtXh2024a");
    let values = json["dataValues"].as_array().expect("dataValues");
    assert_eq!(values.len(), 10);
    let forest = values
        .iter()
        .find(|v| v["dataElement"] == "fCvR9aKp2Lm" && v["orgUnit"] == "BsLs4Hn2Q8a")
        .expect("forest cover of Bắc Sơn");
    assert_eq!(forest["period"], "2024");
    assert_eq!(forest["value"], "65.8");
    assert_eq!(forest["storedBy"], "hoang.van.duc");
    assert_eq!(forest["created"], "2025-01-11T14:02:31.000");
    assert_eq!(forest["followup"], true);
    assert_eq!(forest["categoryOptionCombo"], "HllvX50cXC0");
    assert_eq!(forest["attributeOptionCombo"], "HllvX50cXC0");
    assert_eq!(
        forest["comment"],
        "Cần đối chiếu với số liệu kiểm kê rừng của Hạt Kiểm lâm"
    );
    let csv = read(&csv_a);
    assert_eq!(
        csv.lines().next(),
        Some(
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted"
        )
    );
    assert!(
        csv.contains("dxTnmKr8bQa,202403,HlLs7Vt3K1m,HllvX50cXC0,HllvX50cXC0,14210000000.5,tran.minh.quan,2024-04-03T08:45:00.000,\"Gồm khoản thu \"\"tiền sử dụng đất\"\" của dự án khu dân cư\",true,false"),
        "{csv}"
    );
    for format in [chitieu_dhis2::Format::Json, chitieu_dhis2::Format::Csv] {
        let path = if format == chitieu_dhis2::Format::Json {
            &json_a
        } else {
            &csv_a
        };
        let parsed = chitieu_dhis2::read(format, &read(path)).expect("DHIS2 shape");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.records.len(), 10);
    }

    // Into fresh databases: the same figures, and exporting again gives the same files.
    for (export, format) in [(&json_a, "json"), (&csv_a, "csv")] {
        let b = Env::mapped();
        let out = b.ok(&["dhis2", "import", export]);
        assert!(out.contains("10 số liệu mới"), "{out}");
        assert_eq!(b.current_figures(), a.current_figures(), "{format}");
        let again = b.file(&format!("again.{format}"));
        let mut args = vec!["dhis2", "export", "--format", format, "-o", &again];
        if format == "json" {
            args.extend(["--data-set", "LsKtXh2024a"]);
        }
        b.ok(&args);
        assert_eq!(read(&again), read(export), "{format} round trip");
    }

    // Filters, and what cannot be exported is named.
    let one = a.file("one.csv");
    let out = a.ok(&[
        "dhis2",
        "export",
        "--format",
        "csv",
        "--unit",
        "huyện Hữu Lũng",
        "--period",
        "2024Q1",
        "-o",
        &one,
    ]);
    assert!(out.contains("1 giá trị"), "{out}");
    assert!(read(&one).contains("hSdGt4LmN2p,2024Q1,HlLs7Vt3K1m"));
    let err = a.fails(&["dhis2", "export", "--indicator", "rice_yield", "-o", &one]);
    assert!(
        err.contains("chỉ tiêu rice_yield chưa có data element DHIS2"),
        "{err}"
    );
    let nine = a.file("nine.csv");
    std::fs::write(
        &nine,
        "kind,indicator,unit,period,value\nfigure,budget_revenue,huyện Bắc Sơn,2024-9M,98000000000\n",
    )
    .expect("write");
    a.ok(&["import", &nine]);
    let err = a.fails(&["dhis2", "export", "-o", &one]);
    assert!(err.contains("budget_revenue của huyện Bắc Sơn"), "{err}");
    assert!(err.contains("2024-9M has no DHIS2 period type"), "{err}");
}
