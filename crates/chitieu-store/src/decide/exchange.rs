//! The DHIS2 exchange's decisions both backends make the same way: a mapping's key, what
//! storing a mapping changes and the audit entry it leaves, the unit an org-unit mapping
//! names, and whether a figure's DHIS2 side record is new, changed or the same. Each backend
//! reads and writes the rows in its own SQL, under its own locks.

use super::Audit;
use crate::exchange::{Dhis2Figure, Mapping, MappingKind, MappingReport, NewMapping};
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use chitieu_core::figure::FigureInput;
use serde_json::json;

/// A mapping's key in the audit log and in "not found": "kind/id", or "kind/id/combo".
pub(crate) fn mapping_key(kind: MappingKind, id: &str, coc: &str) -> String {
    if coc.is_empty() {
        format!("{kind}/{id}")
    } else {
        format!("{kind}/{id}/{coc}")
    }
}

/// What a mapping must name: the indicator (data elements), the unit (org units, its id in
/// decimal, refused otherwise), or nothing to check (combos).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MappingTarget<'a> {
    Indicator(&'a str),
    Unit(UnitId),
    Nothing,
}

pub(crate) fn mapping_target(m: &NewMapping) -> Result<MappingTarget<'_>> {
    Ok(match m.kind {
        MappingKind::DataElement => MappingTarget::Indicator(&m.chitieu_key),
        MappingKind::OrgUnit => {
            let unit = m
                .chitieu_key
                .parse::<i64>()
                .map_err(|e| StoreError::Refused(format!("unit id '{}': {e}", m.chitieu_key)))?;
            MappingTarget::Unit(UnitId(unit))
        }
        MappingKind::CategoryOptionCombo | MappingKind::AttributeOptionCombo => {
            MappingTarget::Nothing
        }
    })
}

/// The stored mapping with the same kind, id and combo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMapping {
    pub id: i64,
    pub chitieu_key: String,
    pub note: Option<String>,
}

/// What to write for a mapping that is not unchanged.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MappingWrite {
    /// `Some(id)`: update that stored mapping; `None`: insert a new one.
    pub update: Option<i64>,
    pub audit: Audit,
}

/// Decides a mapping against the stored one, counting it in the report: unchanged (`None`)
/// when it names the same and has the same note; otherwise changed or added.
pub(crate) fn decide_mapping(
    report: &mut MappingReport,
    m: &NewMapping,
    stored: Option<StoredMapping>,
) -> Option<MappingWrite> {
    let key = mapping_key(m.kind, &m.dhis2_id, &m.category_option_combo);
    match stored {
        Some(s) if s.chitieu_key == m.chitieu_key && s.note == m.note => {
            report.unchanged += 1;
            None
        }
        Some(s) => {
            report.changed += 1;
            Some(MappingWrite {
                update: Some(s.id),
                audit: Audit {
                    action: "dhis2_mapping.change".to_string(),
                    entity: "dhis2_mapping",
                    key,
                    detail: json!({"before": {"chitieu": s.chitieu_key, "note": s.note},
                                   "after": {"chitieu": m.chitieu_key, "note": m.note}}),
                },
            })
        }
        None => {
            report.added += 1;
            Some(MappingWrite {
                update: None,
                audit: Audit {
                    action: "dhis2_mapping.add".to_string(),
                    entity: "dhis2_mapping",
                    key,
                    detail: json!({"chitieu": m.chitieu_key, "note": m.note}),
                },
            })
        }
    }
}

/// A mapping to remove that is not stored.
pub(crate) fn mapping_not_found(key: &str) -> StoreError {
    StoreError::NotFound {
        what: "DHIS2 mapping",
        key: key.to_string(),
    }
}

/// The audit entry of a mapping removed.
pub(crate) fn mapping_removed(key: &str, found: &Mapping) -> Audit {
    Audit {
        action: "dhis2_mapping.remove".to_string(),
        entity: "dhis2_mapping",
        key: key.to_string(),
        detail: json!({"chitieu": found.chitieu_key, "note": found.note}),
    }
}

/// An import gives one DHIS2 side record per figure; any other count is refused.
pub(crate) fn check_side_records(records: usize, figures: usize) -> Result<()> {
    if records == figures {
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "{records} DHIS2 records for {figures} figures"
    )))
}

/// A figure just applied that has no current revision: the store is inconsistent.
pub(crate) fn no_current_revision(indicator: &str, unit: UnitId, period: &str) -> StoreError {
    StoreError::corrupt(
        "figure",
        format!("{indicator}/{}/{period} has no current revision", unit.0),
    )
}

/// Decides a figure's DHIS2 side record against the stored one (`old`): nothing to write
/// (`None`) when it is the same; otherwise the audit entry of it added or changed.
pub(crate) fn decide_side(
    f: &FigureInput,
    figure_id: i64,
    old: Option<&Dhis2Figure>,
    side: &Dhis2Figure,
) -> Option<Audit> {
    if old == Some(side) {
        return None;
    }
    Some(Audit {
        action: if old.is_some() {
            "dhis2_figure.change"
        } else {
            "dhis2_figure.add"
        }
        .to_string(),
        entity: "dhis2_figure",
        key: format!("{}/{}/{}", f.indicator, f.unit.0, f.period),
        detail: json!({"figure_id": figure_id, "before": old, "after": side}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::figure::{FigureState, Provenance};
    use chitieu_core::indicator::IndicatorCode;
    use serde_json::Value;

    fn new_mapping(kind: MappingKind, coc: &str, key: &str, note: Option<&str>) -> NewMapping {
        NewMapping {
            kind,
            dhis2_id: "fbfJHSPpUQD".to_string(),
            category_option_combo: coc.to_string(),
            chitieu_key: key.to_string(),
            note: note.map(str::to_string),
        }
    }

    fn stored(key: &str, note: Option<&str>) -> StoredMapping {
        StoredMapping {
            id: 4,
            chitieu_key: key.to_string(),
            note: note.map(str::to_string),
        }
    }

    /// What was stored, what is put, and the action and audit detail expected (`None`:
    /// unchanged).
    type MappingCase = (
        Option<StoredMapping>,
        NewMapping,
        Option<(&'static str, &'static str, Value)>,
    );

    #[test]
    fn mappings_are_unchanged_changed_or_added() {
        use MappingKind::{DataElement, OrgUnit};
        let cases: Vec<MappingCase> = vec![
            (
                None,
                new_mapping(DataElement, "", "thu_ngan_sach", None),
                Some((
                    "dhis2_mapping.add",
                    "data_element/fbfJHSPpUQD",
                    json!({"chitieu": "thu_ngan_sach", "note": null}),
                )),
            ),
            (
                Some(stored("thu_ngan_sach", Some("thu NS"))),
                new_mapping(DataElement, "pq2XI5kz2BY", "thu_ngan_sach", Some("thu NS")),
                None,
            ),
            (
                Some(stored("12", None)),
                new_mapping(OrgUnit, "", "13", None),
                Some((
                    "dhis2_mapping.change",
                    "org_unit/fbfJHSPpUQD",
                    json!({"before": {"chitieu": "12", "note": null}, "after": {"chitieu": "13", "note": null}}),
                )),
            ),
            (
                Some(stored("thu_ngan_sach", None)),
                new_mapping(DataElement, "pq2XI5kz2BY", "thu_ngan_sach", Some("mới")),
                Some((
                    "dhis2_mapping.change",
                    "data_element/fbfJHSPpUQD/pq2XI5kz2BY",
                    json!({"before": {"chitieu": "thu_ngan_sach", "note": null}, "after": {"chitieu": "thu_ngan_sach", "note": "mới"}}),
                )),
            ),
        ];
        for (stored, m, expected) in cases {
            let was_stored = stored.is_some();
            let mut report = MappingReport::default();
            match (decide_mapping(&mut report, &m, stored), expected) {
                (None, None) => {
                    assert_eq!((report.added, report.changed, report.unchanged), (0, 0, 1))
                }
                (Some(w), Some((action, key, detail))) => {
                    assert_eq!(
                        (
                            w.audit.action.as_str(),
                            w.audit.entity,
                            w.audit.key.as_str(),
                            &w.audit.detail
                        ),
                        (action, "dhis2_mapping", key, &detail)
                    );
                    assert_eq!(w.update, was_stored.then_some(4));
                    let counted = if was_stored { (0, 1, 0) } else { (1, 0, 0) };
                    assert_eq!((report.added, report.changed, report.unchanged), counted);
                }
                (got, expected) => panic!("{m:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn a_mapping_names_an_indicator_a_unit_or_nothing() {
        use MappingKind::*;
        let m = new_mapping(DataElement, "", "thu_ngan_sach", None);
        assert_eq!(
            mapping_target(&m).expect("indicator"),
            MappingTarget::Indicator("thu_ngan_sach")
        );
        let m = new_mapping(OrgUnit, "", "204", None);
        assert_eq!(
            mapping_target(&m).expect("unit"),
            MappingTarget::Unit(UnitId(204))
        );
        let m = new_mapping(CategoryOptionCombo, "", "nam", None);
        assert_eq!(mapping_target(&m).expect("combo"), MappingTarget::Nothing);
        match mapping_target(&new_mapping(OrgUnit, "", "Bắc Sơn", None)) {
            Err(StoreError::Refused(m)) => assert!(m.starts_with("unit id 'Bắc Sơn': "), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn side_records_are_written_only_when_they_change() {
        let f = FigureInput {
            indicator: IndicatorCode::new("thu_ngan_sach").expect("code"),
            unit: UnitId(12),
            period: "2024-Q1".parse().expect("period"),
            value: 5.into(),
            state: FigureState::Official,
            as_of: None,
            provenance: Provenance::Manual,
            note: None,
        };
        let side = Dhis2Figure {
            data_element: "fbfJHSPpUQD".to_string(),
            period: "2024Q1".to_string(),
            org_unit: "DiszpKrYNg8".to_string(),
            stored_by: Some("admin".to_string()),
            ..Dhis2Figure::default()
        };
        let later = Dhis2Figure {
            followup: true,
            ..side.clone()
        };
        assert_eq!(decide_side(&f, 77, Some(&side), &side), None);
        let added = decide_side(&f, 77, None, &side).expect("added");
        assert_eq!(
            (added.action.as_str(), added.entity, added.key.as_str()),
            (
                "dhis2_figure.add",
                "dhis2_figure",
                "thu_ngan_sach/12/2024-Q1"
            )
        );
        assert_eq!(added.detail["before"], Value::Null);
        assert_eq!(added.detail["figure_id"], json!(77));
        let changed = decide_side(&f, 77, Some(&side), &later).expect("changed");
        assert_eq!(changed.action, "dhis2_figure.change");
        assert_eq!(changed.detail["before"], json!(side));
        assert_eq!(changed.detail["after"], json!(later));
    }

    #[test]
    fn refusals_and_keys() {
        check_side_records(3, 3).expect("one record a figure");
        match check_side_records(2, 3) {
            Err(StoreError::Refused(m)) => assert_eq!(m, "2 DHIS2 records for 3 figures"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            mapping_not_found("org_unit/x"),
            StoreError::NotFound { what: "DHIS2 mapping", key } if key == "org_unit/x"
        ));
        assert!(matches!(
            no_current_revision("thu_ngan_sach", UnitId(12), "2024-Q1"),
            StoreError::Corrupt { .. }
        ));
    }
}
