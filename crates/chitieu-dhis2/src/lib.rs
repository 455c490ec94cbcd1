//! DHIS2 data value sets for chitieu.
//!
//! DHIS2 (2.4x) exchanges aggregate data as *data value sets*: a list of data values, each one
//! number for a data element (with its category option combo), an organisation unit, a period
//! and an attribute option combo. This crate reads and writes the two text shapes DHIS2's
//! `/api/dataValueSets` takes and gives:
//!
//! - JSON (`{"dataSet":…,"period":…,"orgUnit":…,"dataValues":[{…}]}`), whose header-level
//!   `period`, `orgUnit` and `attributeOptionCombo` apply to values that leave them out;
//! - CSV with the header `dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,
//!   value,storedby,lastupdated,comment,followup,deleted` (DHIS2 reads the columns by position;
//!   the ten-column form without `deleted` is read too).
//!
//! It also turns DHIS2 period identifiers (`2024`, `2024S1`, `2024Q1`, `202401`) into chitieu
//! periods and back ([`period`]), and DHIS2 values into exact decimals ([`value`]). Nothing here
//! touches files, the clock or a database: callers pass text and get values back.

pub mod csv_format;
pub mod json_format;
pub mod period;
pub mod value;

use serde::{Deserialize, Serialize};
use std::fmt;

/// One data value, with the set's header defaults already applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataValue {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    pub category_option_combo: Option<String>,
    pub attribute_option_combo: Option<String>,
    /// The value exactly as written: DHIS2 values are strings ("1234.5").
    pub value: Option<String>,
    pub stored_by: Option<String>,
    pub created: Option<String>,
    pub last_updated: Option<String>,
    pub comment: Option<String>,
    pub followup: bool,
    pub deleted: bool,
}

/// A data value set: the data values of a file, with its header fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataValueSet {
    pub data_set: Option<String>,
    pub complete_date: Option<String>,
    pub data_values: Vec<DataValue>,
}

/// Where a data value sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "n", rename_all = "snake_case")]
pub enum Location {
    /// The 0-based index in a JSON file's `dataValues` array.
    Index(u64),
    /// The 1-based line of a CSV file, counting the header line.
    Row(u64),
}

impl Location {
    /// A 1-based number to record as a figure's row: the CSV line, or the JSON index + 1.
    pub fn row_number(&self) -> u64 {
        match *self {
            Location::Index(i) => i + 1,
            Location::Row(r) => r,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Index(i) => write!(f, "dataValues[{i}]"),
            Location::Row(r) => write!(f, "row {r}"),
        }
    }
}

/// A data value read from a file, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub at: Location,
    pub value: DataValue,
}

/// One problem with one data value, located for the person who has to fix the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub at: Location,
    /// The DHIS2 field name: `dataElement`, `period`, `orgUnit`, `value`…
    pub field: String,
    /// The text found there (empty when the field is missing).
    pub value: String,
    pub reason: String,
}

impl RowError {
    pub fn new(
        at: Location,
        field: &str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> RowError {
        RowError {
            at,
            field: field.to_string(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} '{}': {}",
            self.at, self.field, self.value, self.reason
        )
    }
}

/// What reading a file gave: the well-formed data values, and the entries that were not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub data_set: Option<String>,
    pub complete_date: Option<String>,
    pub records: Vec<Record>,
    pub errors: Vec<RowError>,
}

/// A file that cannot be read at all (not JSON, no `dataValues`, a CSV with the wrong columns).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not a DHIS2 JSON data value set: {0}")]
    Json(String),
    #[error("not a DHIS2 CSV data value set: {0}")]
    Csv(String),
    #[error(
        "cannot tell whether the file is JSON or CSV: name it .json or .csv, or start it with '{{' (JSON) or a CSV header"
    )]
    UnknownFormat,
}

/// The two file shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// The format a file name's extension names, or failing that the one its text starts like.
    pub fn detect(file_name: &str, text: &str) -> Result<Format, FormatError> {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            return Ok(Format::Json);
        }
        if lower.ends_with(".csv") {
            return Ok(Format::Csv);
        }
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with('{') {
            Ok(Format::Json)
        } else if start
            .get(..11)
            .is_some_and(|s| s.eq_ignore_ascii_case("dataelement"))
        {
            Ok(Format::Csv)
        } else {
            Err(FormatError::UnknownFormat)
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(format!("unknown format '{other}': expected json or csv")),
        }
    }
}

/// Reads a data value set in either shape.
pub fn read(format: Format, text: &str) -> Result<Parsed, FormatError> {
    match format {
        Format::Json => json_format::read(text),
        Format::Csv => csv_format::read(text),
    }
}

/// Writes a data value set in either shape.
pub fn write(format: Format, set: &DataValueSet) -> String {
    match format {
        Format::Json => json_format::write(set),
        Format::Csv => csv_format::write(set),
    }
}

/// Empty text is an absent field.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}
