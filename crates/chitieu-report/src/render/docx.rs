//! The report as DOCX (docx-rs): the same text as the PDF, with real Word tables for the
//! header, the table of targets, the signature block and the annex, so an office can edit it
//! in Word or LibreOffice. The font is named (Times New Roman by default); the application
//! substitutes a metric-compatible one where it is missing.

use super::typst_src::{body, number_line, place_date};
use crate::model::Report;
use crate::table::{self, Line};
use crate::template::DocStyle;
use crate::{ReportError, Result, narrative};
use docx_rs::{
    AlignmentType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph, Run, RunFonts,
    SpecialIndentType, Table, TableCell, TableRow, VAlignType, WidthType,
};

/// Twips per millimetre.
const TWIP_PER_MM: f64 = 56.692_913;
/// A4 in twips.
const A4: (u32, u32) = (11_906, 16_838);

fn half_points(pt: f64) -> usize {
    (pt * 2.0).round().max(2.0) as usize
}

fn mm(v: f64) -> i32 {
    (v * TWIP_PER_MM).round() as i32
}

struct Style {
    size: usize,
    bold: bool,
    italic: bool,
    underline: bool,
}

fn run(text: &str, st: &Style) -> Run {
    let mut r = Run::new().add_text(text).size(st.size);
    if st.bold {
        r = r.bold();
    }
    if st.italic {
        r = r.italic();
    }
    if st.underline {
        r = r.underline("single");
    }
    r
}

fn plain(size: f64) -> Style {
    Style {
        size: half_points(size),
        bold: false,
        italic: false,
        underline: false,
    }
}

fn bold(size: f64) -> Style {
    Style {
        bold: true,
        ..plain(size)
    }
}

fn tight() -> LineSpacing {
    LineSpacing::new().before(0).after(0)
}

fn centered(text: &str, st: &Style) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, st))
        .align(AlignmentType::Center)
        .line_spacing(tight())
}

fn body_par(text: &str, st: &Style) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, st))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(mm(10.0))),
            None,
            None,
        )
        .line_spacing(LineSpacing::new().before(0).after(120).line(276))
}

fn cell(paragraphs: Vec<Paragraph>, width: i32) -> TableCell {
    let mut c = TableCell::new()
        .width(width.max(0) as usize, WidthType::Dxa)
        .vertical_align(VAlignType::Center);
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

fn text_cell(text: &str, st: &Style, align: AlignmentType, width: i32) -> TableCell {
    cell(
        vec![
            Paragraph::new()
                .add_run(run(text, st))
                .align(align)
                .line_spacing(tight()),
        ],
        width,
    )
}

/// The report as DOCX bytes.
pub fn docx(report: &Report) -> Result<Vec<u8>> {
    let t = &report.template;
    let s = &t.sizes;
    let m = &t.margins;
    let text_width = A4.0 as i32 - mm(m.left) - mm(m.right);
    let font = RunFonts::new()
        .ascii(&t.font)
        .hi_ansi(&t.font)
        .cs(&t.font)
        .east_asia(&t.font);

    let page_number = Paragraph::new()
        .add_run(Run::new().size(half_points(s.page_number)))
        .add_page_num(PageNum::new())
        .align(if t.page_number_top {
            AlignmentType::Center
        } else {
            AlignmentType::Right
        });
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(mm(m.top))
                .bottom(mm(m.bottom))
                .left(mm(m.left))
                .right(mm(m.right))
                .header(mm(m.top / 2.0))
                .footer(mm(m.bottom / 2.0)),
        )
        .default_fonts(font)
        .default_size(half_points(s.body))
        .created_at(&format!("{}T00:00:00Z", report.date))
        .updated_at(&format!("{}T00:00:00Z", report.date));
    if t.page_number_top {
        doc = doc.header(Header::new().add_paragraph(page_number));
    } else {
        doc = doc.footer(docx_rs::Footer::new().add_paragraph(page_number));
    }
    if !t.number_first_page {
        doc = doc.first_header(Header::new()).title_pg();
    }

    // Header table: issuer left, national line and date right.
    let (lw, rw) = match t.style {
        DocStyle::Party => (text_width * 43 / 100, text_width * 57 / 100),
        DocStyle::State => (text_width * 40 / 100, text_width * 60 / 100),
    };
    let mut left = Vec::new();
    if !t.superior.is_empty() {
        left.push(centered(&t.superior, &plain(s.issuer)));
    }
    for l in &t.issuer {
        left.push(centered(l, &bold(s.issuer)));
    }
    if t.style == DocStyle::Party {
        left.push(centered("*", &plain(s.issuer)));
    }
    left.push(centered(&number_line(report), &plain(s.number)));
    let mut right = Vec::new();
    let national_rule = t.motto.is_empty();
    right.push(centered(
        &t.national,
        &Style {
            underline: national_rule,
            ..bold(s.national)
        },
    ));
    if !t.motto.is_empty() {
        right.push(centered(
            &t.motto,
            &Style {
                underline: true,
                ..bold(s.motto)
            },
        ));
    }
    right.push(centered("", &plain(s.place_date)));
    right.push(centered(
        &place_date(report),
        &Style {
            italic: true,
            ..plain(s.place_date)
        },
    ));
    doc = doc.add_table(
        Table::without_borders(vec![TableRow::new(vec![
            cell(left, lw).vertical_align(VAlignType::Top),
            cell(right, rw).vertical_align(VAlignType::Top),
        ])])
        .set_grid(vec![lw as usize, rw as usize])
        .width(text_width as usize, WidthType::Dxa),
    );

    doc = doc
        .add_paragraph(centered("", &plain(s.body)))
        .add_paragraph(centered(&t.doc_type, &bold(s.doc_type)))
        .add_paragraph(centered(&narrative::title(report), &bold(s.title)))
        .add_paragraph(centered("-----", &plain(s.title)))
        .add_paragraph(centered("", &plain(s.body)));

    for (level, text) in body(report) {
        doc = match level {
            1 | 2 => doc.add_paragraph(body_par(&text, &bold(s.body)).keep_next(true)),
            9 => {
                let mut d = doc.add_table(targets_table(report, text_width));
                d = d.add_paragraph(centered("", &plain(s.body)));
                d
            }
            _ => doc.add_paragraph(body_par(&text, &plain(s.body))),
        };
    }

    // Signature block.
    let half = text_width / 2;
    let mut rec = vec![
        Paragraph::new()
            .add_run(run(
                "Nơi nhận:",
                &match t.style {
                    DocStyle::Party => Style {
                        underline: true,
                        ..plain(s.recipients_heading)
                    },
                    DocStyle::State => Style {
                        italic: true,
                        ..bold(s.recipients_heading)
                    },
                },
            ))
            .line_spacing(tight()),
    ];
    for r in &t.recipients {
        rec.push(
            Paragraph::new()
                .add_run(run(&format!("- {r}"), &plain(s.recipients)))
                .line_spacing(tight()),
        );
    }
    let mut sign = vec![
        centered(&t.signer.authority, &bold(s.signer)),
        centered(&t.signer.position, &bold(s.signer)),
    ];
    for _ in 0..4 {
        sign.push(centered("", &plain(s.signer)));
    }
    sign.push(centered(&t.signer.name, &bold(s.signer)));
    doc = doc.add_table(
        Table::without_borders(vec![TableRow::new(vec![
            cell(rec, half).vertical_align(VAlignType::Top),
            cell(sign, half).vertical_align(VAlignType::Top),
        ])])
        .set_grid(vec![half as usize, half as usize])
        .width(text_width as usize, WidthType::Dxa),
    );

    if let Some(annex) = &report.annex {
        doc = doc
            .add_paragraph(centered("PHỤ LỤC", &bold(s.body)).page_break_before(true))
            .add_paragraph(centered(&annex.title, &bold(s.body)))
            .add_paragraph(centered(
                &format!(
                    "(Kèm theo Báo cáo {} ngày {} của {})",
                    number_line(report).to_lowercase().replace("số: ", "số "),
                    report.date.format("%d/%m/%Y"),
                    t.issuer_name
                ),
                &Style {
                    italic: true,
                    ..plain(s.table)
                },
            ))
            .add_paragraph(centered("", &plain(s.table)));
        let n = annex.columns.len() as i32;
        let first = mm(10.0);
        let name_w = text_width * 30 / 100;
        let col_w = if n > 0 {
            (text_width - first - name_w) / n
        } else {
            0
        };
        let st = plain(s.table);
        let hd = bold(s.table);
        let ag = table::annex_grid(annex);
        let widths = |i: usize| match i {
            0 => first,
            1 => name_w,
            _ => col_w,
        };
        let mut rows = vec![TableRow::new(
            ag.headings
                .iter()
                .enumerate()
                .map(|(i, h)| text_cell(h, &hd, AlignmentType::Center, widths(i)))
                .collect(),
        )];
        for (no, name, values) in &ag.rows {
            let mut cells = vec![
                text_cell(no, &st, AlignmentType::Center, first),
                text_cell(name, &st, AlignmentType::Left, name_w),
            ];
            for (t, _) in values {
                cells.push(text_cell(t, &st, AlignmentType::Right, col_w));
            }
            rows.push(TableRow::new(cells));
        }
        let mut grid = vec![first as usize, name_w as usize];
        grid.extend((0..n).map(|_| col_w as usize));
        doc = doc.add_table(
            Table::new(rows)
                .set_grid(grid)
                .width(text_width as usize, WidthType::Dxa),
        );
    }

    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| ReportError::Render(format!("docx: {e}")))?;
    Ok(buf.into_inner())
}

fn targets_table(report: &Report, text_width: i32) -> Table {
    let s = &report.template.sizes;
    let widths_mm = [9.0, 0.0, 17.0, 18.0, 20.0, 16.0, 16.0, 20.0];
    let fixed: i32 = widths_mm.iter().map(|w| mm(*w)).sum();
    let widths: Vec<i32> = widths_mm
        .iter()
        .map(|w| {
            if *w == 0.0 {
                text_width - fixed
            } else {
                mm(*w)
            }
        })
        .collect();
    let hd = bold(s.table);
    let st = plain(s.table);
    let w = |i: usize| widths.get(i).copied().unwrap_or(0);
    let mut rows = vec![TableRow::new(
        table::headings(report)
            .iter()
            .enumerate()
            .map(|(i, h)| text_cell(h, &hd, AlignmentType::Center, w(i)))
            .collect(),
    )];
    for line in table::lines(report) {
        match line {
            Line::Group { number, title } => rows.push(TableRow::new(vec![
                text_cell(&number, &hd, AlignmentType::Center, w(0)),
                text_cell(&title, &hd, AlignmentType::Left, text_width - w(0)).grid_span(7),
            ])),
            Line::Item(it) => {
                let cells = [
                    (it.number.clone(), AlignmentType::Center),
                    (it.name.clone(), AlignmentType::Left),
                    (it.unit.clone(), AlignmentType::Center),
                    (it.plan.clone(), AlignmentType::Right),
                    (it.actual.clone(), AlignmentType::Right),
                    (table::pct_cell(it.percent_of_plan), AlignmentType::Right),
                    (table::pct_cell(it.versus_last_year), AlignmentType::Right),
                    (it.status_text.clone(), AlignmentType::Center),
                ];
                rows.push(TableRow::new(
                    cells
                        .iter()
                        .enumerate()
                        .map(|(i, (text, a))| text_cell(text, &st, *a, w(i)))
                        .collect(),
                ));
            }
        }
    }
    Table::new(rows)
        .set_grid(widths.iter().map(|w| (*w).max(0) as usize).collect())
        .width(text_width as usize, WidthType::Dxa)
}
