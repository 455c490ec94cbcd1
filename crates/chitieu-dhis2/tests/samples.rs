//! The sample files in `tests/data/` (DHIS2-shaped data value sets with Lạng Sơn figures):
//! what reading them gives, what their bad rows say, and that writing then reading gives the
//! same data values back in both shapes.

use chitieu_dhis2::{DataValueSet, Format, Location, Parsed, period, read, value, write};

fn sample(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str) -> Parsed {
    let text = sample(name);
    let format = Format::detect(name, &text).expect("format");
    read(format, &text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_json_sample_reads_with_header_defaults() {
    let p = parse("bac_son_2024.json");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.data_set.as_deref(), Some("LsKtXh2024a"));
    assert_eq!(p.complete_date.as_deref(), Some("2025-01-15"));
    assert_eq!(p.records.len(), 5);
    let first = &p.records[0];
    assert_eq!(first.at, Location::Index(0));
    assert_eq!(
        (
            first.value.period.as_str(),
            first.value.org_unit.as_str(),
            first.value.attribute_option_combo.as_deref()
        ),
        ("2024", "BsLs4Hn2Q8a", Some("HllvX50cXC0"))
    );
    assert_eq!(
        first.value.comment.as_deref(),
        Some("Ước thực hiện đến 31/12/2024, theo báo cáo của Chi cục Thuế khu vực")
    );
    let last = &p.records[4].value;
    assert_eq!(
        (last.period.as_str(), last.org_unit.as_str()),
        ("2024Q2", "HlLs7Vt3K1m")
    );
    assert!(p.records[2].value.followup);
    // Every period and value of the sample is one chitieu can hold, exactly.
    let periods: Vec<String> = p
        .records
        .iter()
        .map(|r| period::parse(&r.value.period).expect("period").to_string())
        .collect();
    assert_eq!(periods, ["2024", "2024", "2024", "2024-H1", "2024-Q2"]);
    let values: Vec<String> = p
        .records
        .iter()
        .map(|r| {
            value::parse(r.value.value.as_deref().unwrap_or(""))
                .expect("value")
                .to_string()
        })
        .collect();
    assert_eq!(
        values,
        [
            "152340000000",
            "11250.5",
            "65.80",
            "70125000000",
            "18420.75"
        ]
    );
}

#[test]
fn the_csv_sample_reads_quoted_vietnamese_comments() {
    let p = parse("huu_lung_2024_months.csv");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.records.len(), 5);
    assert_eq!(p.records[0].at, Location::Row(2));
    let march = &p.records[2].value;
    assert_eq!(
        march.comment.as_deref(),
        Some("Gồm khoản thu \"tiền sử dụng đất\" của dự án khu dân cư")
    );
    assert!(march.followup);
    assert_eq!(march.value.as_deref(), Some("14210000000.5"));
    assert_eq!(march.stored_by.as_deref(), Some("tran.minh.quan"));
    assert_eq!(
        march.last_updated.as_deref(),
        Some("2024-04-03T08:45:00.000")
    );
    assert_eq!(
        p.records[1].value.comment.as_deref(),
        Some("Tháng Tết, thu giảm so với tháng 1")
    );
}

#[test]
fn the_bad_samples_name_each_bad_field() {
    // Format-level checks only: ids and mappings are checked by chitieu-app.
    let json = parse("bad_rows.json");
    assert!(json.errors.is_empty(), "{:?}", json.errors);
    let mut problems = Vec::new();
    for r in &json.records {
        if let Err(e) = period::parse(&r.value.period) {
            problems.push(format!("{}: period: {e}", r.at));
        }
        if let Err(e) = value::parse(r.value.value.as_deref().unwrap_or("")) {
            problems.push(format!("{}: value: {e}", r.at));
        }
    }
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("dataValues[2]: period:") && problems[0].contains("weekly"));
    assert!(problems[1].starts_with("dataValues[3]: value:") && problems[1].contains("comma"));

    let csv = parse("bad_rows.csv");
    let mut problems = Vec::new();
    for r in &csv.records {
        if let Err(e) = period::parse(&r.value.period) {
            problems.push(format!("{}: {e}", r.at));
        }
        if let Err(e) = value::parse(r.value.value.as_deref().unwrap_or("")) {
            problems.push(format!("{}: {e}", r.at));
        }
    }
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("row 4:") && problems[0].contains("exponent"));
    assert!(problems[1].starts_with("row 5:") && problems[1].contains("six-monthly (April)"));
    assert!(
        csv.records
            .iter()
            .any(|r| r.value.deleted && r.at == Location::Row(7))
    );
}

#[test]
fn writing_then_reading_gives_the_same_values_in_both_shapes() {
    for name in [
        "bac_son_2024.json",
        "huu_lung_2024_months.csv",
        "bad_rows.json",
        "bad_rows.csv",
    ] {
        let p = parse(name);
        let set = DataValueSet {
            data_set: p.data_set.clone(),
            complete_date: p.complete_date.clone(),
            data_values: p.records.iter().map(|r| r.value.clone()).collect(),
        };
        for format in [Format::Json, Format::Csv] {
            let text = write(format, &set);
            let back = read(format, &text).unwrap_or_else(|e| panic!("{name} {format:?}: {e}"));
            assert!(
                back.errors.is_empty(),
                "{name} {format:?}: {:?}",
                back.errors
            );
            let mut want = set.data_values.clone();
            if format == Format::Csv {
                // DHIS2's CSV has no `created` column.
                for v in &mut want {
                    v.created = None;
                }
            }
            let got: Vec<_> = back.records.into_iter().map(|r| r.value).collect();
            assert_eq!(got, want, "{name} as {format:?}:\n{text}");
        }
    }
}

#[test]
fn written_csv_has_dhis2_header_and_written_json_has_dhis2_fields() {
    let p = parse("bac_son_2024.json");
    let set = DataValueSet {
        data_set: None,
        complete_date: None,
        data_values: p.records.iter().map(|r| r.value.clone()).collect(),
    };
    let csv = write(Format::Csv, &set);
    assert_eq!(
        csv.lines().next(),
        Some(
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted"
        )
    );
    let json: serde_json::Value = serde_json::from_str(&write(Format::Json, &set)).expect("json");
    let first = &json["dataValues"][0];
    for field in [
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
        "storedBy",
        "created",
        "lastUpdated",
        "comment",
        "followup",
    ] {
        assert!(first.get(field).is_some(), "{field} missing in {first}");
    }
    assert!(first["value"].is_string());
    assert!(first["followup"].is_boolean());
}

fn id() -> impl proptest::strategy::Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9]{10}"
}

fn text() -> impl proptest::strategy::Strategy<Value = Option<String>> {
    proptest::option::of(
        "[a-zA-Z0-9ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ ,;\"'\n.-]{0,15}[a-zđơư0-9]",
    )
}

fn data_value() -> impl proptest::strategy::Strategy<Value = chitieu_dhis2::DataValue> {
    use proptest::prelude::*;
    (
        (id(), "20[0-9]{2}(S[12]|Q[1-4]|0[1-9]|1[0-2])?", id()),
        (proptest::option::of(id()), proptest::option::of(id())),
        (any::<i64>(), 0u32..8),
        (text(), text(), text(), text()),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |((de, pe, ou), (coc, aoc), (m, scale), (by, created, updated, comment), (f, d))| {
                chitieu_dhis2::DataValue {
                    data_element: de,
                    period: pe,
                    org_unit: ou,
                    category_option_combo: coc,
                    attribute_option_combo: aoc,
                    value: Some(value::write(&rust_decimal::Decimal::new(m, scale))),
                    stored_by: by,
                    created: created
                        .map(|c| c.trim().to_string())
                        .filter(|c| !c.is_empty()),
                    last_updated: updated
                        .map(|u| u.trim().to_string())
                        .filter(|u| !u.is_empty()),
                    comment,
                    followup: f,
                    deleted: d,
                }
            },
        )
}

proptest::proptest! {
    #[test]
    fn any_set_written_then_read_gives_the_same_values(values in proptest::collection::vec(data_value(), 0..8)) {
        let set = DataValueSet { data_set: Some("LsKtXh2024a".into()), complete_date: None, data_values: values };
        for format in [Format::Json, Format::Csv] {
            let back = read(format, &write(format, &set)).expect("read");
            proptest::prop_assert!(back.errors.is_empty(), "{:?}", back.errors);
            let mut want = set.data_values.clone();
            if format == Format::Csv {
                for v in &mut want {
                    v.created = None;
                }
            }
            let got: Vec<_> = back.records.into_iter().map(|r| r.value).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
