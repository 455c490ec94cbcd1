//! Building a report from the store: the unit's evaluated targets
//! ([`chitieu_app::status::evaluate_unit`]), last year's figures, the figures of the units
//! below for the annex, and a few past periods for the trend chart.

use crate::model::{
    Annex, AnnexColumn, AnnexRow, Report, ReportKind, ReportRow, Series, TextBlocks, UnitInfo,
};
use crate::template::{DocStyle, Template};
use crate::{ReportError, Result};
use chitieu_app::status::evaluate_unit;
use chitieu_core::Decimal;
use chitieu_core::admin::{Level, UnitKind, UnitVersion};
use chitieu_core::org::OrgKind;
use chitieu_core::period::Period;
use chitieu_store::{NtmStore, Store, TaskStore};
use chrono::NaiveDate;
use std::collections::HashMap;

/// What a report is made of besides the data.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub kind: ReportKind,
    pub template: Template,
    pub texts: TextBlocks,
    /// The date printed on the report.
    pub date: NaiveDate,
    /// How many earlier years the trend chart goes back.
    pub series_years: u32,
}

/// The template an office starts from, filled in from the unit, its province and its Party
/// committee's term: "ĐẢNG BỘ TỈNH LẠNG SƠN" / "HUYỆN ỦY BẮC SƠN", "Số …-BC/HU".
pub fn default_template(
    store: &impl Store,
    unit: &UnitVersion,
    style: DocStyle,
    on: NaiveDate,
) -> Result<Template> {
    let parent = match unit.parent {
        Some(p) => store.unit_on(p, on).ok(),
        None => None,
    };
    let name_up = unit.name.to_uppercase();
    let place = unit.name.clone();
    let mut t = match style {
        DocStyle::Party => {
            let (committee, symbol) = match unit.kind {
                UnitKind::Tinh => ("TỈNH ỦY".to_string(), "BC/TU"),
                UnitKind::ThanhPho if unit.level == Level::Province => {
                    ("THÀNH ỦY".to_string(), "BC/TU")
                }
                UnitKind::ThanhPho => ("THÀNH ỦY".to_string(), "BC/ThU"),
                UnitKind::ThiXa => ("THỊ ỦY".to_string(), "BC/TXU"),
                UnitKind::Quan => ("QUẬN ỦY".to_string(), "BC/QU"),
                UnitKind::Huyen => ("HUYỆN ỦY".to_string(), "BC/HU"),
                _ => (
                    format!("ĐẢNG ỦY {}", unit.kind.vi().to_uppercase()),
                    "BC/ĐU",
                ),
            };
            let superior = match &parent {
                Some(p) if p.level != Level::Nation => {
                    format!("ĐẢNG BỘ {}", p.full_name().to_uppercase())
                }
                _ => String::new(),
            };
            let mut t =
                Template::party(&superior, &format!("{committee} {name_up}"), symbol, &place);
            t.issuer_name = format!(
                "{} {}",
                crate::narrative::capitalize(&committee.to_lowercase()),
                unit.name
            );
            let year = on.format("%Y").to_string().parse::<i32>().unwrap_or(0);
            t.term = store
                .organisations(unit.unit)?
                .iter()
                .filter(|o| o.kind == OrgKind::BanChapHanh || o.kind == OrgKind::DangBo)
                .flat_map(|o| o.terms.iter())
                .find(|term| term.start_year <= year && year <= term.end_year)
                .map(|term| (term.start_year, term.end_year));
            t
        }
        DocStyle::State => {
            let second = unit.full_name().to_uppercase();
            let mut t = Template::state(&["ỦY BAN NHÂN DÂN", &second], "BC-UBND", &place);
            t.issuer_name = format!("UBND {}", unit.full_name());
            t
        }
    };
    if unit.level == Level::Commune {
        t.recipients = match style {
            DocStyle::Party => vec![
                "Ban Thường vụ cấp ủy cấp trên (b/c),".into(),
                "Các đồng chí đảng ủy viên,".into(),
                "Các chi bộ trực thuộc,".into(),
                "Lưu Văn phòng.".into(),
            ],
            DocStyle::State => vec!["UBND cấp trên (b/c);".into(), "Lưu: VT.".into()],
        };
    }
    Ok(t)
}

fn year_back(p: &Period, years: u32) -> Option<Period> {
    let mut q = *p;
    for _ in 0..years {
        q = q.same_period_last_year()?;
    }
    Some(q)
}

/// Builds the report of a unit for a period from the current data, with the key tasks and
/// NTM figures when there are any ([`crate::tasks`]; task statuses as of the report's date).
pub fn build_report(
    store: &(impl Store + TaskStore + NtmStore),
    unit: &UnitVersion,
    period: &Period,
    opts: &BuildOptions,
) -> Result<Report> {
    opts.kind.check_period(period)?;
    let status = evaluate_unit(store, unit, period)?;
    let last_year = period.same_period_last_year();
    let mut rows = Vec::with_capacity(status.len());
    for s in &status {
        let previous = match last_year {
            Some(ly) => store
                .current_figure(s.indicator.code.as_str(), unit.unit, &ly)?
                .map(|f| f.input.value),
            None => None,
        };
        rows.push(ReportRow::from_status(s, previous));
    }
    let annex = build_annex(store, unit, period, &rows)?;
    let series = build_series(store, unit, period, &rows, opts.series_years)?;
    let (tasks, ntm) = crate::tasks::gather(store, unit, period, opts.date)?;
    Ok(Report {
        kind: opts.kind,
        period: *period,
        unit: UnitInfo {
            full_name: unit.full_name(),
            name: unit.name.clone(),
            kind_word: unit.kind.vi().to_string(),
        },
        template: opts.template.clone(),
        number: None,
        date: opts.date,
        rows,
        annex,
        series,
        texts: opts.texts.clone(),
        tasks,
        ntm,
    })
}

/// The figures of the units directly below, for the indicators of the report that any of
/// them reported. `None` when none did.
fn build_annex(
    store: &impl Store,
    unit: &UnitVersion,
    period: &Period,
    rows: &[ReportRow],
) -> Result<Option<Annex>> {
    let children = store.children_on(unit.unit, period.end_date())?;
    if children.is_empty() {
        return Ok(None);
    }
    let ids: Vec<_> = children.iter().map(|c| c.unit).collect();
    let figures = store.current_figures(&ids, period)?;
    let mut by_key: HashMap<(String, i64), Decimal> = HashMap::new();
    for f in &figures {
        by_key.insert(
            (f.input.indicator.to_string(), f.input.unit.0),
            f.input.value,
        );
    }
    let mut columns: Vec<AnnexColumn> = Vec::new();
    for r in rows {
        if columns.iter().any(|c| c.indicator == r.indicator) {
            continue;
        }
        if figures
            .iter()
            .any(|f| f.input.indicator.as_str() == r.indicator)
        {
            columns.push(AnnexColumn {
                indicator: r.indicator.clone(),
                name: r.name.clone(),
                unit: r.unit.clone(),
            });
        }
    }
    if columns.is_empty() {
        return Ok(None);
    }
    let annex_rows = children
        .iter()
        .map(|c| AnnexRow {
            unit: c.title(),
            values: columns
                .iter()
                .map(|col| by_key.get(&(col.indicator.clone(), c.unit.0)).copied())
                .collect(),
        })
        .collect();
    Ok(Some(Annex {
        title: format!(
            "Kết quả thực hiện một số chỉ tiêu của các {} {}",
            children.first().map(|c| c.kind.vi()).unwrap_or("đơn vị"),
            chitieu_core::period_vi::format_period_vi(period)
        ),
        columns,
        rows: annex_rows,
    }))
}

/// The same period over earlier years, for the first flow indicator with a figure (money
/// first): the trend chart.
fn build_series(
    store: &impl Store,
    unit: &UnitVersion,
    period: &Period,
    rows: &[ReportRow],
    years: u32,
) -> Result<Vec<Series>> {
    let pick = rows
        .iter()
        .find(|r| r.actual.is_some() && r.unit == "VND" && r.cumulative)
        .or_else(|| rows.iter().find(|r| r.actual.is_some() && r.cumulative));
    let Some(row) = pick else {
        return Ok(Vec::new());
    };
    let mut points = Vec::new();
    for back in (0..=years).rev() {
        let Some(p) = year_back(period, back) else {
            continue;
        };
        if let Some(f) = store.current_figure(&row.indicator, unit.unit, &p)? {
            points.push((p, f.input.value));
        }
    }
    if points.len() < 2 {
        return Ok(Vec::new());
    }
    Ok(vec![Series {
        indicator: row.indicator.clone(),
        name: row.name.clone(),
        unit: row.unit.clone(),
        points,
    }])
}

/// Reads `--date`-style input: "2022-06-15" or "15/6/2022".
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .or_else(|| chitieu_text::parse_date_vi(t, None))
        .ok_or_else(|| ReportError::BadInput(format!("'{t}' is not a date: write 2022-06-15")))
}
