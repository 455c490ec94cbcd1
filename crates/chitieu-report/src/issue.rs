//! Issuing a report (a document number, and its figures frozen as issued) and comparing an
//! issued report with the current data.
//!
//! Numbers run per document type within a Party term, or per calendar year for State
//! documents ([`crate::Template::series`]). An issued report is stored whole (rows, figures,
//! texts, template) and rendered from what was stored: a later correction of a figure adds a
//! revision in the store but never changes the issued report. [`compare`] shows what changed.

use crate::amount::amount;
use crate::model::{DocNumber, Report, ReportRow};
use crate::template::DocStyle;
use crate::{ReportError, Result};
use chitieu_core::admin::UnitId;
use chitieu_core::evaluate::Status;
use chitieu_store::sqlite::{IssueRequest, IssuedReport, ReportStore};

/// Issues a report: gives it the next number of its series (at least `min_number`), stores
/// it frozen, and returns it with its number set.
pub fn issue(
    store: &mut impl ReportStore,
    report: &Report,
    unit: UnitId,
    min_number: u32,
    actor: &str,
) -> Result<(IssuedReport, Report)> {
    if report.number.is_some() {
        return Err(ReportError::BadInput(
            "this report has already been issued".into(),
        ));
    }
    let t = &report.template;
    let req = IssueRequest {
        series: t.series(report.date.format("%Y").to_string().parse().unwrap_or(0)),
        number_format: t.number_format.clone(),
        min_number,
        unit,
        period: report.period.to_string(),
        kind: report.kind.key().to_string(),
        style: match t.style {
            DocStyle::Party => "party".into(),
            DocStyle::State => "state".into(),
        },
        issued_on: report.date.to_string(),
        model: report.to_json()?,
    };
    let issued = store.issue_report(&req, actor)?;
    let frozen = load(&issued)?;
    Ok((issued, frozen))
}

/// The report as it was issued, with its number.
pub fn load(issued: &IssuedReport) -> Result<Report> {
    let mut r = Report::from_json(&issued.model)?;
    r.number = Some(DocNumber {
        number: issued.number,
        text: issued.number_text.clone(),
    });
    Ok(r)
}

/// One difference between an issued report and the current data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub indicator: String,
    pub name: String,
    pub plan: String,
    /// What changed, in Vietnamese: "số liệu: 25,0 tỷ đồng → 26,1 tỷ đồng".
    pub what: String,
}

fn key(r: &ReportRow) -> (String, String) {
    (r.indicator.clone(), r.plan_key.clone())
}

fn value_text(r: &ReportRow) -> String {
    match r.actual {
        Some(v) => {
            let mut s = amount(v, &r.unit);
            if r.estimate {
                s = format!("ước {s}");
            }
            s
        }
        None => "chưa có".into(),
    }
}

/// The differences between an issued report's rows and the same report built from today's
/// data: changed figures (value, estimate or official, revision), changed statuses, targets
/// added or removed.
pub fn compare(issued: &Report, current: &Report) -> Vec<Difference> {
    let mut out = Vec::new();
    for old in &issued.rows {
        match current.rows.iter().find(|r| key(r) == key(old)) {
            None => out.push(Difference {
                indicator: old.indicator.clone(),
                name: old.name.clone(),
                plan: old.plan_key.clone(),
                what: "chỉ tiêu không còn trong số liệu hiện tại".into(),
            }),
            Some(new) => {
                let mut what = Vec::new();
                if old.actual != new.actual || old.estimate != new.estimate {
                    what.push(format!(
                        "số liệu: {} → {}",
                        value_text(old),
                        value_text(new)
                    ));
                } else if old.figure != new.figure {
                    what.push("số liệu được nhập lại (cùng giá trị)".to_string());
                }
                if old.comparator != new.comparator {
                    what.push(format!(
                        "chỉ tiêu kế hoạch: {} → {}",
                        crate::narrative::target_text(&old.comparator, &old.unit),
                        crate::narrative::target_text(&new.comparator, &new.unit)
                    ));
                }
                if old.status() != new.status() {
                    what.push(format!(
                        "đánh giá: {} → {}",
                        old.status().vi(),
                        new.status().vi()
                    ));
                }
                if !what.is_empty() {
                    out.push(Difference {
                        indicator: old.indicator.clone(),
                        name: old.name.clone(),
                        plan: old.plan_key.clone(),
                        what: what.join("; "),
                    });
                }
            }
        }
    }
    for new in &current.rows {
        if !issued.rows.iter().any(|r| key(r) == key(new)) {
            out.push(Difference {
                indicator: new.indicator.clone(),
                name: new.name.clone(),
                plan: new.plan_key.clone(),
                what: format!(
                    "chỉ tiêu mới, chưa có trong báo cáo đã ban hành ({}, {})",
                    value_text(new),
                    if new.status() == Status::ChuaDuDuLieu {
                        "chưa đánh giá"
                    } else {
                        new.status().vi()
                    }
                ),
            });
        }
    }
    out
}
