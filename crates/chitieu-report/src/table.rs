//! The table of targets (biểu chỉ tiêu), shared by every format: the same cells, as text for
//! documents and as numbers for spreadsheets.

use crate::amount::{divisor, number, unit_words};
use crate::model::{Field, Report, ReportRow};
use crate::narrative::by_indicator;
use chitieu_core::Decimal;
use chitieu_core::evaluate::Status;
use chitieu_core::period_vi::format_period_vi;
use chitieu_core::target::Comparator;

/// The column headings.
pub fn headings(report: &Report) -> Vec<String> {
    let target_period = report
        .rows
        .first()
        .map(|r| format_period_vi(&r.target_period))
        .unwrap_or_else(|| format_period_vi(&report.period));
    vec![
        "TT".into(),
        "Chỉ tiêu".into(),
        "Đơn vị tính".into(),
        format!("Kế hoạch {target_period}"),
        format!("Thực hiện {}", format_period_vi(&report.period)),
        "So với kế hoạch (%)".into(),
        "So với cùng kỳ (%)".into(),
        if report.is_part_year() {
            "Đánh giá (theo tiến độ)".into()
        } else {
            "Đánh giá".into()
        },
    ]
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A field's heading line: "I", "Kinh tế".
    Group { number: String, title: String },
    /// A target.
    Item(Item),
}

/// A target's cells, as text and (where they are numbers) as numbers in the printed scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub number: String,
    pub name: String,
    pub unit: String,
    pub plan: String,
    pub plan_value: Option<Decimal>,
    pub actual: String,
    pub actual_value: Option<Decimal>,
    pub percent_of_plan: Option<Decimal>,
    pub versus_last_year: Option<Decimal>,
    pub status: Status,
    pub status_text: String,
}

const ROMAN: [&str; 5] = ["I", "II", "III", "IV", "V"];

fn fmt_opt(d: Option<Decimal>, min: u32, max: u32) -> String {
    d.map(|v| number(v, min, max)).unwrap_or_else(|| "-".into())
}

fn item(no: usize, row: &ReportRow, plan_label: Option<&str>) -> Item {
    let reference = row.comparator.reference();
    let scale_by = if reference.is_zero() {
        row.actual.unwrap_or(reference)
    } else {
        reference
    };
    let div = divisor(scale_by, &row.unit);
    let scaled = |v: Decimal| v.checked_div(div).unwrap_or(v);
    let (min, max) = match row.unit.as_str() {
        "VND" if div > Decimal::ONE => (1, 3),
        "t" if div > Decimal::ONE => (1, 1),
        _ => (0, 2),
    };
    let plan = match row.comparator {
        Comparator::AtLeast { value } | Comparator::Exactly { value } => {
            number(scaled(value), min, max)
        }
        Comparator::AtMost { value } => format!("≤ {}", number(scaled(value), min, max)),
        Comparator::Range { min: a, max: b } => format!(
            "{} – {}",
            number(scaled(a), min, max),
            number(scaled(b), min, max)
        ),
    };
    let plan = match plan_label {
        Some(l) => format!("{plan} ({l})"),
        None => plan,
    };
    let actual_value = row.actual.map(scaled);
    let mut actual = fmt_opt(actual_value, min, max);
    if row.estimate && row.actual.is_some() {
        actual = format!("{actual} (ước)");
    }
    if let (true, Some(total), Some(_)) = (row.counts_units, row.total_units, row.actual) {
        actual = format!("{actual}/{total}");
    }
    let versus = match (row.actual, row.previous) {
        (Some(a), Some(p)) if p > Decimal::ZERO => a
            .checked_div(p)
            .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED)),
        _ => None,
    };
    let mut status_text = crate::narrative::capitalize(row.status().vi());
    if row.evaluation.at_risk {
        status_text.push_str(" (nguy cơ)");
    }
    Item {
        number: no.to_string(),
        name: row.name.clone(),
        unit: unit_words(scale_by, &row.unit),
        plan,
        plan_value: Some(scaled(reference)),
        actual,
        actual_value,
        // For lower-is-better targets actual ÷ target reads backwards; the verdict says it.
        percent_of_plan: if row.direction == chitieu_core::indicator::Direction::Down
            || matches!(row.comparator, Comparator::AtMost { .. })
        {
            None
        } else {
            row.evaluation.percent_of_plan
        },
        versus_last_year: versus,
        status: row.status(),
        status_text,
    }
}

/// The lines of the table: each field's heading, then its targets numbered 1, 2, … across
/// the table. An indicator with targets from several plans gets one line per plan, the plan
/// named after the value.
pub fn lines(report: &Report) -> Vec<Line> {
    let mut out = Vec::new();
    let mut no = 0;
    let mut group_no = 0;
    for field in Field::ALL {
        let groups = by_indicator(report.rows_of(field));
        if groups.is_empty() {
            continue;
        }
        out.push(Line::Group {
            number: ROMAN.get(group_no).copied().unwrap_or("").to_string(),
            title: field.table_vi().to_string(),
        });
        group_no += 1;
        for g in groups {
            no += 1;
            let several = g.len() > 1;
            for r in g {
                let label = several
                    .then(|| crate::narrative::plan_phrase(r.plan_kind, false))
                    .map(|s| plan_short(&s));
                out.push(Line::Item(item(no, r, label.as_deref())));
            }
        }
    }
    out
}

fn plan_short(phrase: &str) -> String {
    match phrase {
        "dự toán tỉnh giao" => "dự toán".into(),
        "chỉ tiêu Nghị quyết" => "NQ".into(),
        other => other.to_string(),
    }
}

/// Text of a percentage cell: "80,0", or "-".
pub fn pct_cell(p: Option<Decimal>) -> String {
    fmt_opt(p, 1, 1)
}

/// The annex as a grid: headings ("TT", "Đơn vị", "Name (unit words)") and, per unit, its
/// number, name and values in the scale of the column (as text and as numbers).
pub struct AnnexGrid {
    pub headings: Vec<String>,
    pub rows: Vec<AnnexLine>,
}

/// One unit's line of the annex: number, name, and each value as text and as a number.
pub type AnnexLine = (String, String, Vec<(String, Option<Decimal>)>);

pub fn annex_grid(annex: &crate::model::Annex) -> AnnexGrid {
    let n = annex.columns.len();
    let scales: Vec<Decimal> = (0..n)
        .map(|j| {
            annex
                .rows
                .iter()
                .filter_map(|r| r.values.get(j).copied().flatten())
                .next()
                .unwrap_or_default()
        })
        .collect();
    let mut headings = vec!["TT".to_string(), "Đơn vị".to_string()];
    headings.extend(
        annex
            .columns
            .iter()
            .zip(&scales)
            .map(|(c, sc)| format!("{} ({})", c.name, unit_words(*sc, &c.unit))),
    );
    let rows = annex
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .values
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    let sc = scales.get(j).copied().unwrap_or_default();
                    let unit = annex.columns.get(j).map(|c| c.unit.as_str()).unwrap_or("");
                    let div = divisor(sc, unit);
                    let scaled = v.map(|v| v.checked_div(div).unwrap_or(v));
                    (
                        v.map(|v| crate::amount::number_in_scale_of(v, sc, unit))
                            .unwrap_or_else(|| "-".into()),
                        scaled,
                    )
                })
                .collect();
            ((i + 1).to_string(), r.unit.clone(), cells)
        })
        .collect();
    AnnexGrid { headings, rows }
}
