//! Storage for data exchange with DHIS2: the mapping table users edit (which DHIS2 id stands
//! for which indicator, unit or combo), and what each imported DHIS2 data value carried that a
//! chitieu figure has no field for (its combos, `storedBy`, timestamps, follow-up flag), so that
//! an export gives back what was imported.

use crate::{ApplyReport, Batch, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a DHIS2 id is mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingKind {
    /// A data element (optionally with one category option combo) → an indicator code.
    DataElement,
    /// An organisation unit → a unit (its stable `UnitId`, never an official code).
    OrgUnit,
    /// A category option combo accepted on import → a label.
    CategoryOptionCombo,
    /// An attribute option combo accepted on import → a label.
    AttributeOptionCombo,
}

impl MappingKind {
    pub const ALL: [MappingKind; 4] = [
        MappingKind::DataElement,
        MappingKind::OrgUnit,
        MappingKind::CategoryOptionCombo,
        MappingKind::AttributeOptionCombo,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            MappingKind::DataElement => "data_element",
            MappingKind::OrgUnit => "org_unit",
            MappingKind::CategoryOptionCombo => "category_option_combo",
            MappingKind::AttributeOptionCombo => "attribute_option_combo",
        }
    }
}

impl fmt::Display for MappingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for MappingKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let k = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        match k.as_str() {
            "data_element" | "dataelement" | "de" => Ok(MappingKind::DataElement),
            "org_unit" | "orgunit" | "ou" => Ok(MappingKind::OrgUnit),
            "category_option_combo" | "categoryoptioncombo" | "coc" => {
                Ok(MappingKind::CategoryOptionCombo)
            }
            "attribute_option_combo" | "attributeoptioncombo" | "aoc" => {
                Ok(MappingKind::AttributeOptionCombo)
            }
            _ => Err(format!(
                "unknown mapping kind '{s}': expected data_element, org_unit, category_option_combo or attribute_option_combo"
            )),
        }
    }
}

/// A mapping to add or change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMapping {
    pub kind: MappingKind,
    /// The DHIS2 UID (11 characters) or code.
    pub dhis2_id: String,
    /// For a data element: the category option combo this mapping is for; empty for any
    /// accepted combo. Empty for every other kind.
    pub category_option_combo: String,
    /// An indicator code (data elements), a unit id in decimal (org units), or a label (combos).
    pub chitieu_key: String,
    pub note: Option<String>,
}

/// A stored mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub id: i64,
    pub kind: MappingKind,
    pub dhis2_id: String,
    pub category_option_combo: String,
    pub chitieu_key: String,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What storing mappings changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MappingReport {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// What a DHIS2 data value carried beyond indicator, unit, period, value and comment: kept per
/// figure revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dhis2Figure {
    /// The ids exactly as the file gave them (a UID or a code).
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    pub category_option_combo: Option<String>,
    pub attribute_option_combo: Option<String>,
    pub stored_by: Option<String>,
    pub created: Option<String>,
    pub last_updated: Option<String>,
    pub followup: bool,
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dhis2ImportReport {
    pub figures: ApplyReport,
    /// DHIS2 side records written or changed (one per figure whose DHIS2 data changed).
    pub dhis2_records: u64,
}

/// The storage of DHIS2 exchange. Every write is one transaction, audited.
pub trait ExchangeStore {
    /// Every mapping, by kind then DHIS2 id.
    fn dhis2_mappings(&self) -> Result<Vec<Mapping>>;

    /// Adds or changes mappings, all or none. A data element must map to a known indicator, an
    /// org unit to an existing unit id; only a data element mapping may name a combo.
    fn put_dhis2_mappings(&mut self, mappings: &[NewMapping], actor: &str)
    -> Result<MappingReport>;

    /// Removes one mapping and returns it; `NotFound` when there is none.
    fn remove_dhis2_mapping(
        &mut self,
        kind: MappingKind,
        dhis2_id: &str,
        category_option_combo: &str,
        actor: &str,
    ) -> Result<Mapping>;

    /// Stores the batch's figures and, for each, its DHIS2 side record (`dhis2[i]` goes with
    /// `batch.figures[i]`) in one transaction. A figure whose value is unchanged keeps its
    /// revision; its side record is updated if the DHIS2 data changed.
    fn import_dhis2(
        &mut self,
        batch: &Batch,
        dhis2: &[Dhis2Figure],
        actor: &str,
    ) -> Result<Dhis2ImportReport>;

    /// The DHIS2 side records of the given figure revisions (by figure id), where they have one.
    fn dhis2_figures(&self, figure_ids: &[i64]) -> Result<Vec<(i64, Dhis2Figure)>>;
}

/// Checks a mapping's shape before it is stored (the same rules on every backend).
pub(crate) fn check_mapping(m: &NewMapping) -> Result<()> {
    use crate::StoreError::Refused;
    let bad = |what: &str| {
        Err(Refused(format!(
            "mapping {} '{}': {what}",
            m.kind, m.dhis2_id
        )))
    };
    if m.dhis2_id.trim().is_empty() || m.dhis2_id.trim() != m.dhis2_id {
        return bad("the DHIS2 id is empty or has spaces around it");
    }
    if m.chitieu_key.trim().is_empty() {
        return bad("the chitieu side is empty");
    }
    if m.kind != MappingKind::DataElement && !m.category_option_combo.is_empty() {
        return bad("only a data element mapping can name a category option combo");
    }
    if m.category_option_combo.trim() != m.category_option_combo {
        return bad("the category option combo has spaces around it");
    }
    if m.kind == MappingKind::OrgUnit && m.chitieu_key.parse::<i64>().is_err() {
        return bad("an org unit maps to a unit id (a number)");
    }
    Ok(())
}
