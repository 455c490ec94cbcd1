//! Figures (số liệu thực hiện): actual values per indicator, unit and period, with where they
//! came from. A correction never overwrites a figure: it adds a new revision.

use crate::admin::UnitId;
use crate::indicator::IndicatorCode;
use crate::period::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Whether a figure is an estimate ("ước", "ước đạt") or the official figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureState {
    Estimate,
    Official,
}

impl FigureState {
    pub fn key(&self) -> &'static str {
        match self {
            FigureState::Estimate => "estimate",
            FigureState::Official => "official",
        }
    }
    pub fn vi(&self) -> &'static str {
        match self {
            FigureState::Estimate => "ước",
            FigureState::Official => "chính thức",
        }
    }
}

impl FromStr for FigureState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "estimate" | "ước" | "uoc" | "" => Ok(FigureState::Estimate),
            "official" | "chính thức" | "chinh thuc" => Ok(FigureState::Official),
            other => Err(format!(
                "trạng thái số liệu '{other}' không hợp lệ (unknown state): hãy ghi ước (estimate) hoặc chính thức (official)"
            )),
        }
    }
}

/// Where a figure came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// Typed in by a person.
    Manual,
    /// A row of an imported file (CSV or XLSX).
    File {
        file: String,
        /// 1-based row number as the user sees it in the spreadsheet.
        row: u64,
        sha256: Option<String>,
    },
    /// Characters `[start, end)` (Unicode scalar values, after NFC) of a stored document.
    Document {
        document: i64,
        start: usize,
        end: usize,
        extractor: String,
    },
    /// Produced by chitieu itself (the demo's sample data, a carried-over series).
    Generated { note: String },
}

/// A figure as it is entered: one value for one indicator, unit and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureInput {
    pub indicator: IndicatorCode,
    pub unit: UnitId,
    pub period: Period,
    pub value: Decimal,
    pub state: FigureState,
    /// The cut-off date of the figure ("tính đến 10/12/2020"), when it is not the period's end.
    pub as_of: Option<NaiveDate>,
    pub provenance: Provenance,
    pub note: Option<String>,
}

/// A stored revision of a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureRevision {
    pub id: i64,
    pub revision: u32,
    pub input: FigureInput,
    pub entered_by: String,
    /// RFC 3339 timestamp of the write.
    pub entered_at: String,
    /// Whether a later revision replaced this one.
    pub superseded: bool,
}
