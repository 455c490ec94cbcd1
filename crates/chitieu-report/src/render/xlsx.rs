//! The report's tables as XLSX: the table of targets, the annex and the series, with numbers
//! stored as numbers (in the unit the heading names) so offices can compute with them.

use crate::model::Report;
use crate::table::{self, Line};
use crate::{ReportError, Result, narrative};
use chitieu_core::Decimal;
use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

fn err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Render(format!("xlsx: {e}"))
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The report's tables as XLSX bytes.
pub fn xlsx(report: &Report) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(report.date.year()).unwrap_or(2000),
        report.date.month() as u8,
        report.date.day() as u8,
    )
    .map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("BÁO CÁO {}", narrative::title(report)))
            .set_author(report.template.issuer_name.clone())
            .set_creation_datetime(&created),
    );
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let group = Format::new().set_bold().set_border(FormatBorder::Thin);
    let number = Format::new()
        .set_num_format("#,##0.###")
        .set_border(FormatBorder::Thin);
    let pct = Format::new()
        .set_num_format("0.0")
        .set_border(FormatBorder::Thin);

    // Sheet 1: the table of targets.
    {
        let ws = wb.add_worksheet();
        ws.set_name("Chỉ tiêu").map_err(err)?;
        let t = &report.template;
        ws.write_string_with_format(0, 0, t.issuer.join(" "), &title)
            .map_err(err)?;
        ws.write_string_with_format(
            1,
            0,
            format!("{} {}", t.doc_type, narrative::title(report)),
            &title,
        )
        .map_err(err)?;
        ws.write_string(2, 0, narrative::summary_sentence(report))
            .map_err(err)?;
        let heads = table::headings(report);
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(4, c as u16, h, &head)
                .map_err(err)?;
        }
        let widths = [5.0, 48.0, 12.0, 14.0, 16.0, 12.0, 12.0, 18.0];
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(err)?;
        }
        for (row, line) in (5u32..).zip(table::lines(report)) {
            match line {
                Line::Group { number: n, title } => {
                    ws.write_string_with_format(row, 0, n, &group)
                        .map_err(err)?;
                    ws.write_string_with_format(row, 1, title, &group)
                        .map_err(err)?;
                }
                Line::Item(it) => {
                    ws.write_number_with_format(
                        row,
                        0,
                        it.number.parse::<f64>().unwrap_or(0.0),
                        &text,
                    )
                    .map_err(err)?;
                    ws.write_string_with_format(row, 1, &it.name, &text)
                        .map_err(err)?;
                    ws.write_string_with_format(row, 2, &it.unit, &text)
                        .map_err(err)?;
                    match it.plan_value {
                        Some(v) if !it.plan.starts_with('≤') && !it.plan.contains('–') => {
                            ws.write_number_with_format(row, 3, num(v), &number)
                                .map_err(err)?;
                        }
                        _ => {
                            ws.write_string_with_format(row, 3, &it.plan, &text)
                                .map_err(err)?;
                        }
                    }
                    match it.actual_value {
                        Some(v) => {
                            ws.write_number_with_format(row, 4, num(v), &number)
                                .map_err(err)?;
                        }
                        None => {
                            ws.write_string_with_format(row, 4, "-", &text)
                                .map_err(err)?;
                        }
                    }
                    for (c, v) in [(5u16, it.percent_of_plan), (6, it.versus_last_year)] {
                        match v {
                            Some(v) => ws
                                .write_number_with_format(row, c, num(v.round_dp(1)), &pct)
                                .map_err(err)?,
                            None => ws
                                .write_string_with_format(row, c, "-", &text)
                                .map_err(err)?,
                        };
                    }
                    ws.write_string_with_format(row, 7, &it.status_text, &text)
                        .map_err(err)?;
                }
            }
        }
    }

    // Sheet 2: the annex.
    if let Some(annex) = &report.annex {
        let ws = wb.add_worksheet();
        ws.set_name("Phụ lục").map_err(err)?;
        ws.write_string_with_format(0, 0, &annex.title, &title)
            .map_err(err)?;
        let grid = table::annex_grid(annex);
        for (c, h) in grid.headings.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, h, &head)
                .map_err(err)?;
        }
        ws.set_column_width(1, 28.0).map_err(err)?;
        for (i, (no, name, values)) in grid.rows.iter().enumerate() {
            let r = 3 + i as u32;
            ws.write_number_with_format(r, 0, no.parse::<f64>().unwrap_or(0.0), &text)
                .map_err(err)?;
            ws.write_string_with_format(r, 1, name, &text)
                .map_err(err)?;
            for (j, (_, v)) in values.iter().enumerate() {
                let c = 2 + j as u16;
                match v {
                    Some(v) => ws.write_number_with_format(r, c, num(*v), &number),
                    None => ws.write_string_with_format(r, c, "-", &text),
                }
                .map_err(err)?;
            }
        }
    }

    // Sheet 3: the series.
    if !report.series.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("Chuỗi số liệu").map_err(err)?;
        ws.set_column_width(0, 40.0).map_err(err)?;
        let mut r = 0u32;
        for s in &report.series {
            let scale_by = s.points.last().map(|p| p.1).unwrap_or_default();
            let div = crate::amount::divisor(scale_by, &s.unit);
            ws.write_string_with_format(
                r,
                0,
                format!(
                    "{} ({})",
                    s.name,
                    crate::amount::unit_words(scale_by, &s.unit)
                ),
                &title,
            )
            .map_err(err)?;
            r += 1;
            for (p, v) in &s.points {
                ws.write_string_with_format(
                    r,
                    0,
                    chitieu_core::period_vi::format_period_vi(p),
                    &text,
                )
                .map_err(err)?;
                ws.write_number_with_format(r, 1, num(v.checked_div(div).unwrap_or(*v)), &number)
                    .map_err(err)?;
                r += 1;
            }
            r += 1;
        }
    }
    // Sheet 4: key tasks, of the period and of the next one.
    if let Some(ts) = &report.tasks {
        let ws = wb.add_worksheet();
        ws.set_name("Nhiệm vụ").map_err(err)?;
        let widths = [5.0, 60.0, 22.0, 24.0, 22.0, 20.0];
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(err)?;
        }
        let heads = [
            "STT",
            "Nhiệm vụ",
            "Lĩnh vực",
            "Đơn vị chủ trì",
            "Thời hạn",
            "Tình trạng",
        ];
        let mut r = 0u32;
        let block = |ws: &mut rust_xlsxwriter::Worksheet,
                     r: &mut u32,
                     caption: String,
                     lines: &[crate::tasks::TaskLine],
                     status: Option<fn(&crate::tasks::TaskLine) -> String>|
         -> Result<()> {
            ws.write_string_with_format(*r, 0, caption, &title)
                .map_err(err)?;
            *r += 1;
            let n = if status.is_some() { 6 } else { 5 };
            for (c, h) in heads.iter().take(n).enumerate() {
                ws.write_string_with_format(*r, c as u16, *h, &head)
                    .map_err(err)?;
            }
            *r += 1;
            for (i, t) in lines.iter().enumerate() {
                ws.write_number_with_format(*r, 0, (i + 1) as f64, &text)
                    .map_err(err)?;
                ws.write_string_with_format(*r, 1, narrative::capitalize(&t.text), &text)
                    .map_err(err)?;
                ws.write_string_with_format(*r, 2, narrative::capitalize(t.field.vi()), &text)
                    .map_err(err)?;
                ws.write_string_with_format(*r, 3, &t.lead, &text)
                    .map_err(err)?;
                ws.write_string_with_format(*r, 4, &t.deadline, &text)
                    .map_err(err)?;
                if let Some(status) = status {
                    ws.write_string_with_format(*r, 5, narrative::capitalize(&status(t)), &text)
                        .map_err(err)?;
                }
                *r += 1;
            }
            *r += 1;
            Ok(())
        };
        let period_vi = chitieu_core::period_vi::format_period_vi(&report.period);
        if !ts.tasks.is_empty() {
            let caption = match ts.cut_off {
                None => format!(
                    "Kết quả thực hiện nhiệm vụ trọng tâm {period_vi}: {}",
                    crate::tasks::counts_phrase(&ts.counts)
                ),
                Some(d) => format!(
                    "Kết quả thực hiện nhiệm vụ trọng tâm {period_vi}, nhiệm vụ đến hạn tính đến ngày {}: {}",
                    chitieu_text::format_date_vi(d),
                    crate::tasks::counts_phrase(&ts.counts)
                ),
            };
            block(
                ws,
                &mut r,
                caption,
                &ts.tasks,
                Some(|t| t.status.vi().to_string()),
            )?;
        }
        if let Some(d) = ts.cut_off.filter(|_| !ts.not_yet_due.is_empty()) {
            block(
                ws,
                &mut r,
                format!(
                    "Nhiệm vụ trọng tâm {period_vi} chưa đến hạn (thời hạn sau ngày {})",
                    chitieu_text::format_date_vi(d)
                ),
                &ts.not_yet_due,
                Some(crate::tasks::not_yet_due_words),
            )?;
        }
        if !ts.next.is_empty() {
            block(
                ws,
                &mut r,
                format!("Nhiệm vụ trọng tâm {}", ts.next_label),
                &ts.next,
                None,
            )?;
        }
    }

    // Sheet 5: NTM figures, numbers as numbers.
    if let Some(n) = &report.ntm {
        let ws = wb.add_worksheet();
        ws.set_name("Nông thôn mới").map_err(err)?;
        ws.set_column_width(0, 50.0).map_err(err)?;
        ws.set_column_width(1, 14.0).map_err(err)?;
        ws.write_string_with_format(
            0,
            0,
            format!("Xây dựng nông thôn mới năm {}", n.year),
            &title,
        )
        .map_err(err)?;
        let rows: [(&str, f64); 3] = [
            ("Số xã", f64::from(n.communes)),
            ("Số xã đạt chuẩn nông thôn mới", f64::from(n.meeting)),
            (
                "Bình quân số tiêu chí đạt mỗi xã",
                num(n.average.round_dp(1)),
            ),
        ];
        for (i, (label, v)) in rows.iter().enumerate() {
            let r = 1 + i as u32;
            ws.write_string_with_format(r, 0, *label, &text)
                .map_err(err)?;
            ws.write_number_with_format(r, 1, *v, &number)
                .map_err(err)?;
        }
        if !n.shortfall.is_empty() {
            ws.write_string_with_format(5, 0, "Tiêu chí", &head)
                .map_err(err)?;
            ws.write_string_with_format(5, 1, "Số xã chưa đạt", &head)
                .map_err(err)?;
            ws.write_string_with_format(5, 2, "Các xã chưa đạt", &head)
                .map_err(err)?;
            ws.set_column_width(2, 60.0).map_err(err)?;
            for (i, sf) in n.shortfall.iter().enumerate() {
                let r = 6 + i as u32;
                let label = if sf.name.is_empty() {
                    format!("Tiêu chí số {}", sf.number)
                } else {
                    format!("Tiêu chí số {}: {}", sf.number, sf.name)
                };
                ws.write_string_with_format(r, 0, label, &text)
                    .map_err(err)?;
                ws.write_number_with_format(r, 1, sf.communes.len() as f64, &number)
                    .map_err(err)?;
                ws.write_string_with_format(r, 2, sf.communes.join(", "), &text)
                    .map_err(err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}
