//! Charts as SVG (plotters' SVG backend, no system fonts): progress against plan, and one
//! indicator over the same period of past years. The same SVG goes into the PDF and, later,
//! the web pages. Text is set in Tinos (Times New Roman metrics), the font the PDF embeds.

use crate::amount::{amount, number};
use crate::model::{Report, Series};
use crate::narrative::by_indicator;
use crate::{ReportError, Result};
use chitieu_core::Decimal;
use chitieu_core::evaluate::Status;
use chitieu_core::period::Period;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::prelude::ToPrimitive;

const FONT: &str = "Tinos";

fn status_color(s: Status) -> RGBColor {
    match s {
        Status::Vuot | Status::Dat => RGBColor(46, 125, 50),
        Status::CoBanDat => RGBColor(230, 160, 20),
        Status::KhongDat => RGBColor(198, 40, 40),
        Status::ChuaDuDuLieu => RGBColor(150, 150, 150),
    }
}

fn err<E: std::fmt::Debug>(e: E) -> ReportError {
    ReportError::Render(format!("chart: {e:?}"))
}

fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let cut: String = name.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Bars of % of plan per indicator (first plan of each), coloured by status, with the 100%
/// line and, for part of a year, the share of the year elapsed. `None` when no indicator has
/// a % of plan.
pub fn progress_svg(report: &Report) -> Result<Option<String>> {
    let items: Vec<(String, Decimal, Status)> = by_indicator(&report.rows)
        .iter()
        .filter_map(|g| g.first())
        // Lower-is-better targets have no meaningful "% of plan" bar (the verdict says it).
        .filter(|r| {
            r.direction != chitieu_core::indicator::Direction::Down
                && !matches!(
                    r.comparator,
                    chitieu_core::target::Comparator::AtMost { .. }
                )
        })
        .filter_map(|r| {
            r.evaluation
                .percent_of_plan
                .map(|p| (shorten(&r.name, 40), p, r.status()))
        })
        .collect();
    if items.is_empty() {
        return Ok(None);
    }
    let row_h = 26i32;
    let top = 40i32;
    let width = 680i32;
    let height = top + row_h * items.len() as i32 + 36;
    let (x0, x1) = (300i32, width - 60);
    let max_pct = items
        .iter()
        .map(|(_, p, _)| p.to_f64().unwrap_or(0.0))
        .fold(100.0f64, f64::max);
    let x_max = ((max_pct.min(200.0) / 20.0).ceil() * 20.0).max(120.0);
    let xpos = |p: f64| x0 + ((p.clamp(0.0, x_max) / x_max) * f64::from(x1 - x0)) as i32;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let title = (FONT, 19).into_font().style(FontStyle::Bold);
        root.draw(&Text::new(
            "Tiến độ thực hiện so với kế hoạch (%)",
            (width / 2, 14),
            title
                .into_text_style(&root)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
        let label = (FONT, 15).into_font();
        // Grid lines every 20%.
        let mut g = 0.0;
        while g <= x_max + 0.1 {
            let x = xpos(g);
            root.draw(&PathElement::new(
                vec![(x, top - 4), (x, top + row_h * items.len() as i32)],
                RGBColor(220, 220, 220).stroke_width(1),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format!("{}", g as i64),
                (x, top + row_h * items.len() as i32 + 14),
                label
                    .clone()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
            g += 20.0;
        }
        for (i, (name, pct, status)) in items.iter().enumerate() {
            let y = top + row_h * i as i32;
            let p = pct.to_f64().unwrap_or(0.0);
            root.draw(&Text::new(
                name.clone(),
                (x0 - 8, y + row_h / 2),
                label
                    .clone()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            root.draw(&Rectangle::new(
                [(x0, y + 5), (xpos(p).max(x0 + 1), y + row_h - 5)],
                status_color(*status).filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format!("{}%", number(*pct, 1, 1)),
                (xpos(p) + 5, y + row_h / 2),
                label
                    .clone()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let bottom = top + row_h * items.len() as i32;
        root.draw(&PathElement::new(
            vec![(xpos(100.0), top - 6), (xpos(100.0), bottom + 2)],
            RGBColor(40, 40, 40).stroke_width(2),
        ))
        .map_err(err)?;
        if report.is_part_year() {
            let months = report.period.months_into_year();
            let expected = f64::from(months) / 12.0 * 100.0;
            if expected < 100.0 {
                let x = xpos(expected);
                root.draw(&PathElement::new(
                    vec![(x, top - 6), (x, bottom + 2)],
                    RGBColor(90, 90, 200).stroke_width(2),
                ))
                .map_err(err)?;
                root.draw(&Text::new(
                    format!("tiến độ thời gian {}%", expected.round() as i64),
                    (x + 4, top - 10),
                    (FONT, 13)
                        .into_font()
                        .color(&RGBColor(90, 90, 200))
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(Some(svg))
}

/// "6T/2022", "9T/2022", "2022", "QII/2023".
pub fn short_period(p: &Period) -> String {
    match *p {
        Period::Half { year, half: 1 } => format!("6T đầu {year}"),
        Period::Half { year, .. } => format!("6T cuối {year}"),
        Period::NineMonths { year } => format!("9T/{year}"),
        Period::Quarter { year, quarter } => {
            format!("Q{}/{year}", chitieu_core::org::roman(quarter))
        }
        Period::Month { year, month } => format!("T{month}/{year}"),
        Period::Year { year } => year.to_string(),
        Period::Term { start, end } => format!("{start}–{end}"),
    }
}

/// Columns of one indicator over the same period of several years, each labelled with its
/// value.
pub fn series_svg(series: &Series) -> Result<String> {
    let width = 680i32;
    let height = 300i32;
    let (left, right, top, bottom) = (60i32, width - 40, 50i32, height - 50);
    let max = series
        .points
        .iter()
        .map(|(_, v)| v.to_f64().unwrap_or(0.0))
        .fold(0.0f64, f64::max);
    let max = if max <= 0.0 { 1.0 } else { max * 1.15 };
    let n = series.points.len().max(1) as i32;
    let slot = (right - left) / n;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let unit = series
            .points
            .last()
            .map(|(_, v)| crate::amount::unit_words(*v, &series.unit))
            .unwrap_or_default();
        root.draw(&Text::new(
            format!("{} ({unit})", series.name),
            (width / 2, 20),
            (FONT, 19)
                .into_font()
                .style(FontStyle::Bold)
                .into_text_style(&root)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
        root.draw(&PathElement::new(
            vec![(left, bottom), (right, bottom)],
            BLACK.stroke_width(1),
        ))
        .map_err(err)?;
        let label = (FONT, 15).into_font();
        for (i, (p, v)) in series.points.iter().enumerate() {
            let cx = left + slot * i as i32 + slot / 2;
            let h = ((v.to_f64().unwrap_or(0.0) / max) * f64::from(bottom - top)) as i32;
            let last = i + 1 == series.points.len();
            let color = if last {
                RGBColor(21, 101, 192)
            } else {
                RGBColor(144, 164, 174)
            };
            root.draw(&Rectangle::new(
                [(cx - slot / 4, bottom - h), (cx + slot / 4, bottom)],
                color.filled(),
            ))
            .map_err(err)?;
            let text = amount(*v, &series.unit);
            let value_only = text.split(' ').next().unwrap_or("").to_string();
            root.draw(&Text::new(
                value_only,
                (cx, bottom - h - 10),
                label
                    .clone()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                short_period(p),
                (cx, bottom + 16),
                label
                    .clone()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The charts of a report: (file name, caption, SVG).
pub fn charts(report: &Report) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    if let Some(svg) = progress_svg(report)? {
        out.push((
            "chart-progress.svg".to_string(),
            "Tiến độ thực hiện các chỉ tiêu so với kế hoạch".to_string(),
            svg,
        ));
    }
    for (i, s) in report.series.iter().enumerate() {
        out.push((
            format!("chart-series-{}.svg", i + 1),
            format!("{} qua các năm", s.name),
            series_svg(s)?,
        ));
    }
    Ok(out)
}
