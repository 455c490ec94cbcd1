//! The DHIS2 import and export use case on an in-memory database: what each kind of data value
//! becomes or why it is refused (table-driven), combos mapped to different indicators, and the
//! export's choice of ids.

use chitieu_app::exchange::{self, ExportFilter, ImportOptions, MappingRequest};
use chitieu_core::indicator::Catalog;
use chitieu_store::exchange::MappingKind;
use chitieu_store::{ExchangeStore, NoProgress, SqliteStore, Store};
use chrono::NaiveDate;

const BAC_SON: &str = "BsLs4Hn2Q8a";

fn store() -> SqliteStore {
    let mut store = SqliteStore::open_in_memory().expect("open");
    store.init(&Catalog::builtin(), &NoProgress).expect("init");
    let catalog = store.catalog().expect("catalog");
    let on = NaiveDate::from_ymd_opt(2024, 12, 31).expect("date");
    let rows: [(MappingKind, &str, &str, &str); 7] = [
        (
            MappingKind::DataElement,
            "dxTnmKr8bQa",
            "",
            "budget_revenue",
        ),
        // One data element, two disaggregations, two indicators.
        (
            MappingKind::DataElement,
            "NtmDe000001",
            "NtmCocStd01",
            "ntm_communes",
        ),
        (
            MappingKind::DataElement,
            "NtmDe000001",
            "NtmCocAdv01",
            "ntm_advanced_communes",
        ),
        (MappingKind::OrgUnit, BAC_SON, "", "huyện Bắc Sơn"),
        (
            MappingKind::CategoryOptionCombo,
            "HllvX50cXC0",
            "",
            "mặc định",
        ),
        (
            MappingKind::AttributeOptionCombo,
            "HllvX50cXC0",
            "",
            "mặc định",
        ),
        (
            MappingKind::DataElement,
            "fCvR9aKp2Lm",
            "",
            "forest_cover_rate",
        ),
    ];
    let mappings: Vec<_> = rows
        .iter()
        .map(|(kind, id, coc, chitieu)| {
            let request = MappingRequest {
                kind: *kind,
                dhis2_id: id.to_string(),
                category_option_combo: coc.to_string(),
                chitieu: chitieu.to_string(),
                on,
                note: None,
            };
            exchange::new_mapping(&store, &catalog, &request).expect("mapping")
        })
        .collect();
    store.put_dhis2_mappings(&mappings, "tester").expect("put");
    store
}

fn set(values: &str) -> String {
    format!(r#"{{"orgUnit":"{BAC_SON}","period":"2024","dataValues":[{values}]}}"#)
}

#[test]
fn each_data_value_is_stored_or_refused_with_its_field() {
    let store = store();
    // (data value, Ok(indicator, period, value) or Err(field, words of the reason))
    type Want = Result<(&'static str, &'static str, &'static str), (&'static str, &'static str)>;
    let cases: Vec<(&str, Want)> = vec![
        (
            r#"{"dataElement":"dxTnmKr8bQa","value":"152340000000"}"#,
            Ok(("budget_revenue", "2024", "152340000000")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","period":"2024-07","value":12}"#,
            Ok(("budget_revenue", "2024-M07", "12")),
        ),
        (
            r#"{"dataElement":"NtmDe000001","categoryOptionCombo":"NtmCocStd01","value":"14"}"#,
            Ok(("ntm_communes", "2024", "14")),
        ),
        (
            r#"{"dataElement":"NtmDe000001","categoryOptionCombo":"NtmCocAdv01","period":"2024S1","value":"3"}"#,
            Ok(("ntm_advanced_communes", "2024-H1", "3")),
        ),
        (
            r#"{"dataElement":"NtmDe000001","categoryOptionCombo":"HllvX50cXC0","value":"3"}"#,
            Err(("categoryOptionCombo", "chỉ được ánh xạ với")),
        ),
        (
            r#"{"dataElement":"NtmDe000001","categoryOptionCombo":"NtmCocStd01","value":"14.5"}"#,
            Err(("value", "số nguyên")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","categoryOptionCombo":"Unknown0001","value":"1"}"#,
            Err((
                "categoryOptionCombo",
                "category option combo này chưa được khai báo",
            )),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","attributeOptionCombo":"Unknown0002","value":"1"}"#,
            Err((
                "attributeOptionCombo",
                "attribute option combo này chưa được khai báo",
            )),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","value":""}"#,
            Err(("value", "empty")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","value":"true"}"#,
            Err(("value", "yes/no")),
        ),
        (
            r#"{"dataElement":"fCvR9aKp2Lm","value":"2000"}"#,
            Err(("value", "không phải là tỷ lệ hợp lý")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","period":"20240115","value":"1"}"#,
            Err(("period", "daily")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","period":"2024BiW3","value":"1"}"#,
            Err(("period", "bi-weekly")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","period":"2025S2","value":"1"}"#,
            Err(("orgUnit", "không có hiệu lực trong kỳ 2025-H2")),
        ),
        (
            r#"{"dataElement":"dxTnmKr8bQa","value":"1","deleted":true}"#,
            Err(("deleted", "không xoá số liệu")),
        ),
    ];
    for (value, want) in cases {
        let text = set(value);
        let plan = exchange::plan_import(&store, "case.json", text.as_bytes())
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        match want {
            Ok((indicator, period, v)) => {
                assert!(plan.errors.is_empty(), "{value}: {:?}", plan.errors);
                let f = &plan.batch.figures[0];
                assert_eq!(
                    (
                        f.indicator.as_str(),
                        f.period.to_string(),
                        f.value.to_string()
                    ),
                    (indicator, period.to_string(), v.to_string()),
                    "{value}"
                );
            }
            Err((field, words)) => {
                assert!(plan.batch.figures.is_empty(), "{value}");
                assert_eq!(plan.errors.len(), 1, "{value}: {:?}", plan.errors);
                let e = &plan.errors[0];
                assert_eq!(e.field, field, "{value}: {e}");
                assert!(e.reason.contains(words), "{value}: {e}");
                assert_eq!(e.at.to_string(), "dataValues[0]");
            }
        }
    }
}

#[test]
fn the_same_figure_twice_in_a_file_is_refused_at_the_second() {
    let mut store = store();
    let text = set(concat!(
        r#"{"dataElement":"dxTnmKr8bQa","value":"1"},"#,
        r#"{"dataElement":"dxTnmKr8bQa","value":"2","attributeOptionCombo":"HllvX50cXC0"}"#
    ));
    let err = exchange::import(
        &mut store,
        "twice.json",
        text.as_bytes(),
        ImportOptions::default(),
        "tester",
    )
    .expect_err("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("twice.json: dataValues[1], dataElement 'dxTnmKr8bQa': trùng số liệu"),
        "{msg}"
    );
    assert!(msg.contains("với dataValues[0] (the same figure)"), "{msg}");
    assert_eq!(store.counts().expect("counts").figures, 0);
}

#[test]
fn export_writes_the_combo_of_each_disaggregation_and_refuses_unmapped_filters() {
    let mut store = store();
    let text = set(concat!(
        r#"{"dataElement":"NtmDe000001","categoryOptionCombo":"NtmCocStd01","value":"14"},"#,
        r#"{"dataElement":"NtmDe000001","categoryOptionCombo":"NtmCocAdv01","value":"3"}"#
    ));
    exchange::import(
        &mut store,
        "ntm.json",
        text.as_bytes(),
        ImportOptions::default(),
        "tester",
    )
    .expect("import");
    let out = exchange::export(&store, &ExportFilter::default()).expect("export");
    let got: Vec<(&str, Option<&str>, Option<&str>)> = out
        .data_values
        .iter()
        .map(|v| {
            (
                v.data_element.as_str(),
                v.category_option_combo.as_deref(),
                v.value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("NtmDe000001", Some("NtmCocAdv01"), Some("3")),
            ("NtmDe000001", Some("NtmCocStd01"), Some("14")),
        ]
    );
    let err = exchange::export(
        &store,
        &ExportFilter {
            indicators: vec!["rice_yield".parse().expect("code")],
            units: vec![chitieu_core::admin::UnitId(1)],
            ..ExportFilter::default()
        },
    )
    .expect_err("unmapped");
    let msg = err.to_string();
    assert!(msg.contains("2 vấn đề, chưa xuất gì"), "{msg}");
    assert!(
        msg.contains("chỉ tiêu rice_yield chưa có data element DHIS2"),
        "{msg}"
    );
    assert!(msg.contains("chưa có org unit DHIS2"), "{msg}");
}
