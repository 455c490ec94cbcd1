//! Targets (chỉ tiêu kế hoạch) and the plans that set them.

use crate::admin::UnitId;
use crate::indicator::IndicatorCode;
use crate::period::Period;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of document set a target. One indicator may have several at once:
/// "đạt 60% kế hoạch tỉnh giao, đạt 58% kế hoạch HĐND huyện giao".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// The Party committee's resolution (nghị quyết Ban Chấp hành).
    PartyResolution,
    /// The estimate the province assigns (dự toán tỉnh giao).
    ProvinceEstimate,
    /// The People's Council's plan (kế hoạch/nghị quyết HĐND).
    CouncilPlan,
    /// The People's Committee's plan (kế hoạch UBND).
    CommitteePlan,
    /// Any other plan.
    Other,
}

impl PlanKind {
    pub const ALL: [PlanKind; 5] = [
        PlanKind::PartyResolution,
        PlanKind::ProvinceEstimate,
        PlanKind::CouncilPlan,
        PlanKind::CommitteePlan,
        PlanKind::Other,
    ];
    pub fn key(&self) -> &'static str {
        match self {
            PlanKind::PartyResolution => "party_resolution",
            PlanKind::ProvinceEstimate => "province_estimate",
            PlanKind::CouncilPlan => "council_plan",
            PlanKind::CommitteePlan => "committee_plan",
            PlanKind::Other => "other",
        }
    }
    /// How reports name the plan: "kế hoạch tỉnh giao", "Nghị quyết".
    pub fn vi(&self) -> &'static str {
        match self {
            PlanKind::PartyResolution => "Nghị quyết",
            PlanKind::ProvinceEstimate => "dự toán tỉnh giao",
            PlanKind::CouncilPlan => "kế hoạch HĐND giao",
            PlanKind::CommitteePlan => "kế hoạch UBND",
            PlanKind::Other => "kế hoạch",
        }
    }
}

impl FromStr for PlanKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PlanKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| {
                format!(
                    "loại kế hoạch '{s}' không hợp lệ (unknown plan kind): hãy ghi một trong party_resolution, province_estimate, council_plan, committee_plan, other"
                )
            })
    }
}

/// A document that sets targets: a resolution, an estimate, a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSource {
    /// A short key users type: "NQ-03-2020", "DT-2022".
    pub key: String,
    pub kind: PlanKind,
    /// Its title or number: "Nghị quyết số 03-NQ/HU về nhiệm vụ năm 2021".
    pub title: String,
    pub unit: UnitId,
    pub issued_on: Option<chrono::NaiveDate>,
}

/// How the actual figure is compared with the target value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Comparator {
    /// At least this value (đạt … trở lên).
    AtLeast { value: Decimal },
    /// At most this value (giảm còn dưới …).
    AtMost { value: Decimal },
    /// This value.
    Exactly { value: Decimal },
    /// Between two values, inclusive ("tăng 8 – 9%").
    Range { min: Decimal, max: Decimal },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComparatorError {
    #[error(
        "cách so sánh '{0}' không hợp lệ (unknown comparator): hãy ghi at_least, at_most, exactly hoặc range"
    )]
    Unknown(String),
    #[error(
        "khoảng chỉ tiêu có mức dưới {min} lớn hơn mức trên {max} (inverted range): hãy ghi mức dưới không lớn hơn mức trên"
    )]
    InvertedRange { min: Decimal, max: Decimal },
    #[error("khoảng chỉ tiêu cần cả mức dưới và mức trên (missing maximum): hãy ghi đủ hai mức")]
    MissingMax,
}

impl Comparator {
    /// Builds a comparator from its key and values, as stored or imported.
    pub fn from_parts(
        op: &str,
        value: Decimal,
        max: Option<Decimal>,
    ) -> Result<Comparator, ComparatorError> {
        Ok(match op.trim() {
            "at_least" | ">=" | "" => Comparator::AtLeast { value },
            "at_most" | "<=" => Comparator::AtMost { value },
            "exactly" | "=" => Comparator::Exactly { value },
            "range" => {
                let max = max.ok_or(ComparatorError::MissingMax)?;
                if value > max {
                    return Err(ComparatorError::InvertedRange { min: value, max });
                }
                Comparator::Range { min: value, max }
            }
            other => return Err(ComparatorError::Unknown(other.to_string())),
        })
    }

    pub fn key(&self) -> &'static str {
        match self {
            Comparator::AtLeast { .. } => "at_least",
            Comparator::AtMost { .. } => "at_most",
            Comparator::Exactly { .. } => "exactly",
            Comparator::Range { .. } => "range",
        }
    }

    /// The value a "% of plan" is computed against: the value, or a range's lower end.
    pub fn reference(&self) -> Decimal {
        match *self {
            Comparator::AtLeast { value }
            | Comparator::AtMost { value }
            | Comparator::Exactly { value } => value,
            Comparator::Range { min, .. } => min,
        }
    }

    /// The upper end of a range.
    pub fn max(&self) -> Option<Decimal> {
        match *self {
            Comparator::Range { max, .. } => Some(max),
            _ => None,
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparator::AtLeast { value } => write!(f, "≥ {value}"),
            Comparator::AtMost { value } => write!(f, "≤ {value}"),
            Comparator::Exactly { value } => write!(f, "= {value}"),
            Comparator::Range { min, max } => write!(f, "{min} – {max}"),
        }
    }
}

/// A target value for one indicator, unit and period, set by one plan source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorCode,
    pub unit: UnitId,
    pub period: Period,
    /// The key of the plan source that set it.
    pub source: String,
    pub comparator: Comparator,
}
