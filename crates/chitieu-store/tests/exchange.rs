//! The DHIS2 exchange storage (`ExchangeStore`) on both backends: the mapping table (checked,
//! audited, all or nothing) and the DHIS2 side records kept with figure revisions.

#[macro_use]
mod backend;

use chitieu_core::Decimal;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_store::exchange::{Dhis2Figure, MappingKind, NewMapping};
use chitieu_store::{Batch, ExchangeStore, Store, StoreError};
use chrono::NaiveDate;
use std::str::FromStr;

for_each_backend!(
    mappings_are_checked_audited_and_stored_whole,
    an_import_keeps_the_dhis2_fields_with_each_revision,
);

fn mapping(kind: MappingKind, id: &str, coc: &str, key: &str) -> NewMapping {
    NewMapping {
        kind,
        dhis2_id: id.to_string(),
        category_option_combo: coc.to_string(),
        chitieu_key: key.to_string(),
        note: Some("Lạng Sơn".to_string()),
    }
}

fn bac_son<S: Store>(store: &S) -> i64 {
    store
        .resolve_unit(
            "huyện Bắc Sơn",
            NaiveDate::from_ymd_opt(2024, 12, 31).expect("date"),
        )
        .expect("Bắc Sơn")
        .unit
        .0
}

fn mappings_are_checked_audited_and_stored_whole<S: Store + ExchangeStore>(mut store: S) {
    let unit = bac_son(&store).to_string();
    let audit_before = store.counts().expect("counts").audit_entries;
    let report = store
        .put_dhis2_mappings(
            &[
                mapping(
                    MappingKind::DataElement,
                    "dxTnmKr8bQa",
                    "",
                    "budget_revenue",
                ),
                mapping(
                    MappingKind::DataElement,
                    "fCvR9aKp2Lm",
                    "HllvX50cXC0",
                    "forest_cover_rate",
                ),
                mapping(MappingKind::OrgUnit, "BsLs4Hn2Q8a", "", &unit),
                mapping(
                    MappingKind::CategoryOptionCombo,
                    "HllvX50cXC0",
                    "",
                    "mặc định",
                ),
            ],
            "tester",
        )
        .expect("put");
    assert_eq!((report.added, report.changed, report.unchanged), (4, 0, 0));
    assert_eq!(
        store.counts().expect("counts").audit_entries,
        audit_before + 4
    );

    // The same again changes nothing; a new note is a change.
    let mut again = mapping(
        MappingKind::DataElement,
        "dxTnmKr8bQa",
        "",
        "budget_revenue",
    );
    let r = store
        .put_dhis2_mappings(std::slice::from_ref(&again), "tester")
        .expect("put");
    assert_eq!((r.added, r.changed, r.unchanged), (0, 0, 1));
    again.note = Some("Thu ngân sách".into());
    let r = store.put_dhis2_mappings(&[again], "tester").expect("put");
    assert_eq!((r.added, r.changed, r.unchanged), (0, 1, 0));
    let log = store.audit_log(1).expect("audit");
    assert_eq!(log[0].action, "dhis2_mapping.change");
    assert_eq!(log[0].entity_key, "data_element/dxTnmKr8bQa");

    // One bad mapping stores none of the batch.
    let bad_batches: Vec<(Vec<NewMapping>, &str)> = vec![
        (
            vec![
                mapping(MappingKind::DataElement, "qLw3RtYu7Zc", "", "grain_output"),
                mapping(
                    MappingKind::DataElement,
                    "ZzUnknownDE",
                    "",
                    "no_such_indicator",
                ),
            ],
            "no_such_indicator",
        ),
        (
            vec![mapping(
                MappingKind::OrgUnit,
                "XxNoSuchOU1",
                "",
                "999999999",
            )],
            "999999999",
        ),
        (
            vec![mapping(MappingKind::OrgUnit, "XxNoSuchOU1", "", "Bắc Sơn")],
            "unit id",
        ),
        (
            vec![mapping(MappingKind::OrgUnit, "BsLs4Hn2Q8a", "COC", &unit)],
            "only a data element",
        ),
        (
            vec![mapping(
                MappingKind::DataElement,
                " spaced ",
                "",
                "grain_output",
            )],
            "spaces",
        ),
    ];
    for (batch, says) in bad_batches {
        let before = store.dhis2_mappings().expect("list");
        let e = store
            .put_dhis2_mappings(&batch, "tester")
            .expect_err("refused");
        assert!(e.to_string().contains(says), "{e}");
        assert_eq!(store.dhis2_mappings().expect("list"), before);
    }

    let all = store.dhis2_mappings().expect("list");
    let keys: Vec<(MappingKind, &str, &str, &str)> = all
        .iter()
        .map(|m| {
            (
                m.kind,
                m.dhis2_id.as_str(),
                m.category_option_combo.as_str(),
                m.chitieu_key.as_str(),
            )
        })
        .collect();
    assert!(keys.contains(&(MappingKind::OrgUnit, "BsLs4Hn2Q8a", "", unit.as_str())));
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|m| m.created_by == "tester"));

    let removed = store
        .remove_dhis2_mapping(MappingKind::OrgUnit, "BsLs4Hn2Q8a", "", "tester")
        .expect("remove");
    assert_eq!(removed.chitieu_key, unit);
    assert_eq!(store.dhis2_mappings().expect("list").len(), 3);
    assert_eq!(
        store.audit_log(1).expect("audit")[0].action,
        "dhis2_mapping.remove"
    );
    assert!(matches!(
        store.remove_dhis2_mapping(MappingKind::OrgUnit, "BsLs4Hn2Q8a", "", "tester"),
        Err(StoreError::NotFound { .. })
    ));
}

fn figure(unit: i64, period: &str, value: &str, note: Option<&str>, row: u64) -> FigureInput {
    FigureInput {
        indicator: IndicatorCode::new("budget_revenue").expect("code"),
        unit: chitieu_core::admin::UnitId(unit),
        period: Period::from_str(period).expect("period"),
        value: Decimal::from_str(value).expect("value"),
        state: FigureState::Official,
        as_of: None,
        provenance: Provenance::File {
            file: "bac_son_2024.json".into(),
            row,
            sha256: Some("ab".repeat(32)),
        },
        note: note.map(str::to_string),
    }
}

fn side(period: &str, stored_by: &str, followup: bool) -> Dhis2Figure {
    Dhis2Figure {
        data_element: "dxTnmKr8bQa".into(),
        period: period.into(),
        org_unit: "BsLs4Hn2Q8a".into(),
        category_option_combo: Some("HllvX50cXC0".into()),
        attribute_option_combo: None,
        stored_by: Some(stored_by.into()),
        created: Some("2025-01-10T08:15:00.000".into()),
        last_updated: Some("2025-01-12T09:30:00.000".into()),
        followup,
    }
}

fn an_import_keeps_the_dhis2_fields_with_each_revision<S: Store + ExchangeStore>(mut store: S) {
    let unit = bac_son(&store);
    let u = chitieu_core::admin::UnitId(unit);
    let year = Period::from_str("2024").expect("period");
    let batch = Batch {
        figures: vec![
            figure(unit, "2024", "152340000000", Some("Ước thực hiện"), 1),
            figure(unit, "2024-H1", "70125000000.50", None, 4),
        ],
        ..Batch::default()
    };
    let sides = [
        side("2024", "nguyen.thi.lan", false),
        side("2024S1", "nguyen.thi.lan", true),
    ];
    let r = store
        .import_dhis2(&batch, &sides, "tester")
        .expect("import");
    assert_eq!((r.figures.figures_added, r.dhis2_records), (2, 2));

    let current = store
        .current_figure("budget_revenue", u, &year)
        .expect("read")
        .expect("figure");
    assert_eq!(current.input.note.as_deref(), Some("Ước thực hiện"));
    let got = store.dhis2_figures(&[current.id]).expect("side");
    assert_eq!(got, vec![(current.id, sides[0].clone())]);
    let h1 = store
        .current_figure(
            "budget_revenue",
            u,
            &Period::from_str("2024-H1").expect("p"),
        )
        .expect("read")
        .expect("figure");
    assert_eq!(
        h1.input.value,
        Decimal::from_str("70125000000.5").expect("d")
    );
    assert!(store.dhis2_figures(&[h1.id]).expect("side")[0].1.followup);

    // The same file again changes nothing.
    let r = store.import_dhis2(&batch, &sides, "tester").expect("again");
    assert_eq!((r.figures.figures_unchanged, r.dhis2_records), (2, 0));

    // Only the follow-up flag changed: the revision stays, its side record changes, audited.
    let flagged = [side("2024", "nguyen.thi.lan", true), sides[1].clone()];
    let r = store
        .import_dhis2(&batch, &flagged, "tester")
        .expect("flag");
    assert_eq!((r.figures.figures_unchanged, r.dhis2_records), (2, 1));
    assert_eq!(
        store.audit_log(1).expect("audit")[0].action,
        "dhis2_figure.change"
    );
    assert!(
        store.dhis2_figures(&[current.id]).expect("side")[0]
            .1
            .followup
    );

    // A corrected value is a new revision with its own side record; the old one keeps its own.
    let corrected = Batch {
        figures: vec![figure(unit, "2024", "152400000000", None, 1)],
        ..Batch::default()
    };
    let r = store
        .import_dhis2(
            &corrected,
            &[side("2024", "hoang.van.duc", false)],
            "tester",
        )
        .expect("correct");
    assert_eq!(r.figures.figures_corrected, 1);
    let new = store
        .current_figure("budget_revenue", u, &year)
        .expect("read")
        .expect("figure");
    assert_eq!(new.revision, 2);
    let both = store.dhis2_figures(&[new.id, current.id]).expect("side");
    assert_eq!(both.len(), 2);
    let by = |id: i64| {
        both.iter()
            .find(|(i, _)| *i == id)
            .and_then(|(_, s)| s.stored_by.clone())
    };
    assert_eq!(by(new.id).as_deref(), Some("hoang.van.duc"));
    assert_eq!(by(current.id).as_deref(), Some("nguyen.thi.lan"));

    // Side records must match the figures one to one; a bad figure stores nothing.
    let before = store.counts().expect("counts");
    assert!(store.import_dhis2(&corrected, &[], "tester").is_err());
    let mut bad = corrected.clone();
    bad.figures.push(figure(999_999_999, "2024", "1", None, 9));
    assert!(
        store
            .import_dhis2(&bad, &[sides[0].clone(), sides[0].clone()], "tester")
            .is_err()
    );
    assert_eq!(store.counts().expect("counts"), before);
}
