//! The report model: what a review report says, independent of its format.
//!
//! A [`Report`] is plain data (serde), so an issued report can be stored as JSON and rendered
//! again years later exactly as it was issued, whatever happened to the figures since.

use crate::template::Template;
use crate::{ReportError, Result};
use chitieu_app::status::StatusRow;
use chitieu_core::Decimal;
use chitieu_core::evaluate::{Evaluation, Status};
use chitieu_core::indicator::Direction;
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The kind of review: sơ kết (6 or 9 months), tổng kết năm, quarterly, term review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// Báo cáo sơ kết 6 tháng (period `YYYY-H1`) or 9 tháng (`YYYY-9M`).
    SoKet,
    /// Báo cáo tổng kết năm (period `YYYY`).
    TongKet,
    /// Báo cáo quý (period `YYYY-Qn`).
    Quy,
    /// Báo cáo đánh giá giữa hoặc cuối nhiệm kỳ (period `2020-2025`).
    NhiemKy,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::SoKet,
        ReportKind::TongKet,
        ReportKind::Quy,
        ReportKind::NhiemKy,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            ReportKind::SoKet => "so-ket",
            ReportKind::TongKet => "tong-ket",
            ReportKind::Quy => "quy",
            ReportKind::NhiemKy => "nhiem-ky",
        }
    }

    /// Whether the kind fits the period: sơ kết for H1 or 9 months, tổng kết for a year,
    /// quarterly for a quarter, term review for a term.
    pub fn check_period(&self, period: &Period) -> Result<()> {
        let ok = matches!(
            (self, period),
            (ReportKind::SoKet, Period::Half { half: 1, .. })
                | (ReportKind::SoKet, Period::NineMonths { .. })
                | (ReportKind::TongKet, Period::Year { .. })
                | (ReportKind::Quy, Period::Quarter { .. })
                | (ReportKind::NhiemKy, Period::Term { .. })
        );
        if ok {
            Ok(())
        } else {
            Err(ReportError::KindPeriod {
                kind: self.key().to_string(),
                period: period.to_string(),
            })
        }
    }
}

impl FromStr for ReportKind {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim() {
            "so-ket" | "so-ket-6-thang" | "so-ket-9-thang" | "sơ kết" => ReportKind::SoKet,
            "tong-ket" | "tong-ket-nam" | "tổng kết" => ReportKind::TongKet,
            "quy" | "quarter" | "quý" => ReportKind::Quy,
            "nhiem-ky" | "term" | "nhiệm kỳ" => ReportKind::NhiemKy,
            other => return Err(ReportError::UnknownKind(other.to_string())),
        })
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The fields a review reports on, in the order reports take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Kinh tế (with agriculture, infrastructure, new countryside).
    KinhTe,
    /// Văn hóa - xã hội.
    VanHoaXaHoi,
    /// Quốc phòng - an ninh.
    QuocPhongAnNinh,
    /// Xây dựng Đảng, hệ thống chính trị.
    XayDungDang,
}

impl Field {
    pub const ALL: [Field; 4] = [
        Field::KinhTe,
        Field::VanHoaXaHoi,
        Field::QuocPhongAnNinh,
        Field::XayDungDang,
    ];

    /// The field of an indicator group of the catalog. Unknown groups count as economy.
    pub fn of_group(group: &str) -> Field {
        match group {
            "social" | "culture" | "education" | "health" => Field::VanHoaXaHoi,
            "security" | "defence" | "defense" => Field::QuocPhongAnNinh,
            "party" | "politics" => Field::XayDungDang,
            _ => Field::KinhTe,
        }
    }

    /// The heading of the field's part of the results: "Về phát triển kinh tế".
    pub fn heading_vi(&self) -> &'static str {
        match self {
            Field::KinhTe => "Về phát triển kinh tế",
            Field::VanHoaXaHoi => "Về văn hóa - xã hội",
            Field::QuocPhongAnNinh => "Về quốc phòng - an ninh",
            Field::XayDungDang => "Về công tác xây dựng Đảng, xây dựng hệ thống chính trị",
        }
    }

    /// The group title in the table of targets: "Kinh tế".
    pub fn table_vi(&self) -> &'static str {
        match self {
            Field::KinhTe => "Kinh tế",
            Field::VanHoaXaHoi => "Văn hóa - xã hội",
            Field::QuocPhongAnNinh => "Quốc phòng - an ninh",
            Field::XayDungDang => "Xây dựng Đảng, hệ thống chính trị",
        }
    }
}

/// One target of the report with its figure and evaluation, as it stood when the report was
/// made. This is what an issued report freezes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub indicator: String,
    pub name: String,
    /// Unit of measure as in the catalog: `VND`, `%`, `ha`, `t`, `xã`, …
    pub unit: String,
    pub direction: Direction,
    pub field: Field,
    /// Whether the indicator accumulates over the year (revenue) rather than being a level.
    pub cumulative: bool,
    pub plan_key: String,
    pub plan_kind: Option<PlanKind>,
    pub comparator: Comparator,
    pub target_period: Period,
    /// The figure, its own or rolled up from the units below.
    pub actual: Option<Decimal>,
    /// The figure is an estimate ("ước").
    pub estimate: bool,
    /// The figure was rolled up from `reporting` of `expected` units below.
    pub rolled_up: Option<(u32, u32)>,
    pub as_of: Option<NaiveDate>,
    /// The stored figure's id and revision, to tell later corrections apart.
    pub figure: Option<(i64, u32)>,
    /// For counts of units: the units in force (the 17 of "8/17 xã").
    pub total_units: Option<u32>,
    pub counts_units: bool,
    /// The figure for the same period a year before.
    pub previous: Option<Decimal>,
    pub evaluation: Evaluation,
}

impl ReportRow {
    /// A row from an evaluated status row and last year's figure for the same period.
    pub fn from_status(row: &StatusRow, previous: Option<Decimal>) -> ReportRow {
        let actual = row
            .actual
            .as_ref()
            .map(|f| f.input.value)
            .or(row.rolled_up.map(|r| r.0));
        ReportRow {
            indicator: row.indicator.code.to_string(),
            name: row.indicator.name_vi.clone(),
            unit: row.indicator.unit.clone(),
            direction: row.indicator.direction,
            field: Field::of_group(&row.indicator.group),
            cumulative: row.indicator.temporal == chitieu_core::indicator::Temporal::Cumulative,
            plan_key: row.target.source.clone(),
            plan_kind: row.plan.as_ref().map(|p| p.kind),
            comparator: row.target.comparator,
            target_period: row.target.period,
            actual,
            estimate: row
                .actual
                .as_ref()
                .is_some_and(|f| f.input.state == chitieu_core::figure::FigureState::Estimate),
            rolled_up: match (&row.actual, row.rolled_up) {
                (None, Some((_, n, of))) => Some((n, of)),
                _ => None,
            },
            as_of: row.actual.as_ref().and_then(|f| f.input.as_of),
            figure: row.actual.as_ref().map(|f| (f.id, f.revision)),
            total_units: row.total_units,
            counts_units: row.indicator.is_count_of_units(),
            previous,
            evaluation: row.evaluation.clone(),
        }
    }

    pub fn status(&self) -> Status {
        self.evaluation.status
    }
}

/// One column of the annex table: an indicator reported by every commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnexColumn {
    pub indicator: String,
    pub name: String,
    pub unit: String,
}

/// One commune's line of the annex table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnexRow {
    /// "Xã Vũ Sơn".
    pub unit: String,
    pub values: Vec<Option<Decimal>>,
}

/// The annex: the figures of the units below, one line each ("Phụ lục: kết quả của 17 xã").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annex {
    pub title: String,
    pub columns: Vec<AnnexColumn>,
    pub rows: Vec<AnnexRow>,
}

/// A series of one indicator over periods (for the chart of the trend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    /// (period, value), oldest first.
    pub points: Vec<(Period, Decimal)>,
}

/// The parts people write, kept with the report: what the data cannot say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextBlocks {
    /// An opening paragraph on the general situation, before the results.
    pub opening: String,
    /// Further paragraphs for each field, after the sentences written from the data.
    pub fields: BTreeMap<Field, String>,
    /// Hạn chế (shortcomings).
    pub han_che: String,
    /// Nguyên nhân (their causes).
    pub nguyen_nhan: String,
    /// Phương hướng, nhiệm vụ for the next period.
    pub phuong_huong: String,
    /// Kiến nghị, đề xuất.
    pub kien_nghi: String,
}

impl TextBlocks {
    /// Reads the blocks from TOML or JSON (chosen by the first non-blank character).
    pub fn parse(text: &str) -> Result<TextBlocks> {
        if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| ReportError::Texts(e.to_string()))
        } else {
            toml::from_str(text).map_err(|e| ReportError::Texts(e.to_string()))
        }
    }
}

/// The document number: "12" and its full symbol "Số 12-BC/HU".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocNumber {
    pub number: u32,
    /// As printed: "Số 12-BC/HU", "Số: 15/BC-UBND".
    pub text: String,
}

/// The unit a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInfo {
    /// "huyện Bắc Sơn".
    pub full_name: String,
    /// "Bắc Sơn".
    pub name: String,
    /// The word for the unit in sentences: "huyện", "xã", "tỉnh".
    pub kind_word: String,
}

/// A review report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub kind: ReportKind,
    pub period: Period,
    pub unit: UnitInfo,
    /// The format: header lines, sizes, margins, signer. Kept with the report so an issued
    /// report renders as issued even after the office changes its template.
    pub template: Template,
    /// Set when the report is issued.
    pub number: Option<DocNumber>,
    /// The date printed on the report.
    pub date: NaiveDate,
    pub rows: Vec<ReportRow>,
    pub annex: Option<Annex>,
    pub series: Vec<Series>,
    pub texts: TextBlocks,
    /// Key tasks due in the period and in the next one; absent when there are none (and in
    /// reports issued before tasks were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<crate::tasks::TaskSection>,
    /// The NTM figures of the communes below; absent when none has a record for the year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntm: Option<crate::tasks::NtmSection>,
}

impl Report {
    /// The rows of one field.
    pub fn rows_of(&self, field: Field) -> impl Iterator<Item = &ReportRow> {
        self.rows.iter().filter(move |r| r.field == field)
    }

    /// Whether the figures cover only part of the target period (a sơ kết against annual
    /// targets).
    pub fn is_part_year(&self) -> bool {
        self.rows.iter().any(|r| r.target_period != self.period)
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| ReportError::Json(e.to_string()))
    }

    pub fn from_json(text: &str) -> Result<Report> {
        serde_json::from_str(text).map_err(|e| ReportError::Json(e.to_string()))
    }
}
