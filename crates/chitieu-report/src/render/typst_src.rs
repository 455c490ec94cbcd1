//! The report as Typst markup. All text goes in as Typst string literals, so nothing a user
//! writes can be read as markup.

use crate::model::{Field, Report};
use crate::narrative::{self, capitalize, next_period_label};
use crate::table::{self, Line};
use crate::template::DocStyle;
use std::fmt::Write;

/// A Typst string literal.
pub fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push(' '),
            '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn pt(v: f64) -> String {
    format!("{v}pt")
}

/// The paragraphs of a text block: one per non-empty line.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// What an empty block shows, for the drafter to fill in.
pub const PLACEHOLDER: &str = "[Nội dung do cơ quan soạn thảo bổ sung.]";

/// Body paragraphs of the report, in order: (heading level or 0 for text, text). Shared by
/// the Typst, DOCX and Markdown renderers so they say the same thing.
pub fn body(report: &Report) -> Vec<(u8, String)> {
    let mut out: Vec<(u8, String)> = Vec::new();
    let texts = &report.texts;
    let unit_word = &report.unit.kind_word;
    for p in paragraphs(&texts.opening) {
        out.push((0, p));
    }
    // Part numbers: the task part appears only with tasks, so the parts after it shift.
    let mut part = 0usize;
    let mut heading = |title: &str| {
        part += 1;
        format!("{}. {title}", chitieu_core::org::roman(part as u32))
    };
    out.push((1, heading("KẾT QUẢ ĐẠT ĐƯỢC")));
    for (i, field) in Field::ALL.iter().enumerate() {
        out.push((2, format!("{}. {}", i + 1, field.heading_vi())));
        let mut sentences = narrative::field_sentences(report, *field);
        if *field == Field::KinhTe
            && let Some(n) = &report.ntm
        {
            sentences.extend(crate::tasks::ntm_paragraphs(n, unit_word));
        }
        let human = texts
            .fields
            .get(field)
            .map(|t| paragraphs(t))
            .unwrap_or_default();
        if sentences.is_empty() && human.is_empty() {
            out.push((0, PLACEHOLDER.into()));
        }
        for s in sentences {
            out.push((0, s));
        }
        for p in human {
            out.push((0, p));
        }
    }
    out.push((1, heading("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU")));
    out.push((0, narrative::summary_sentence(report)));
    out.push((9, String::new())); // the table goes here
    let task_results = report
        .tasks
        .as_ref()
        .map(|t| crate::tasks::result_paragraphs(t, &report.period, unit_word))
        .unwrap_or_default();
    if !task_results.is_empty() {
        out.push((1, heading("KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM")));
        for p in task_results {
            out.push((0, p));
        }
    }
    out.push((1, heading("HẠN CHẾ VÀ NGUYÊN NHÂN")));
    out.push((2, "1. Hạn chế".into()));
    push_block(&mut out, &texts.han_che);
    out.push((2, "2. Nguyên nhân".into()));
    push_block(&mut out, &texts.nguyen_nhan);
    out.push((
        1,
        heading(&format!(
            "PHƯƠNG HƯỚNG, NHIỆM VỤ {}",
            next_period_label(&report.period).to_uppercase()
        )),
    ));
    let next_tasks = report
        .tasks
        .as_ref()
        .map(crate::tasks::next_paragraphs)
        .unwrap_or_default();
    if next_tasks.is_empty() || !paragraphs(&texts.phuong_huong).is_empty() {
        push_block(&mut out, &texts.phuong_huong);
    }
    for p in next_tasks {
        out.push((0, p));
    }
    out.push((1, heading("KIẾN NGHỊ, ĐỀ XUẤT")));
    push_block(&mut out, &texts.kien_nghi);
    out
}

fn push_block(out: &mut Vec<(u8, String)>, text: &str) {
    let ps = paragraphs(text);
    if ps.is_empty() {
        out.push((0, PLACEHOLDER.into()));
    }
    for p in ps {
        out.push((0, p));
    }
}

/// The date line: "Bắc Sơn, ngày 15 tháng 6 năm 2022".
pub fn place_date(report: &Report) -> String {
    let d = chitieu_text::format_date_long_vi(report.date);
    if report.template.place.is_empty() {
        capitalize(&d)
    } else {
        format!("{}, {d}", report.template.place)
    }
}

/// The number line: "Số 12-BC/HU", or the blank draft form.
pub fn number_line(report: &Report) -> String {
    match &report.number {
        Some(n) => n.text.clone(),
        None => report.template.number_text(None),
    }
}

/// The whole report as Typst markup; `charts` are (file name, caption) of SVG files the
/// world provides.
pub fn typst_source(report: &Report, charts: &[(String, String)]) -> String {
    let t = &report.template;
    let s = &t.sizes;
    let m = &t.margins;
    let mut o = String::new();
    let paper = t.paper.to_lowercase();
    let first = if t.number_first_page { 0 } else { 1 };
    let page_no = format!(
        "context {{ let n = counter(page).get().first(); if n > {first} {{ align({}, text(size: {}, str(n))) }} }}",
        if t.page_number_top { "center" } else { "right" },
        pt(s.page_number)
    );
    let (header, footer) = if t.page_number_top {
        (page_no, "none".to_string())
    } else {
        ("none".to_string(), page_no)
    };
    let _ = writeln!(
        o,
        "#set document(title: {}, author: {}, date: none)",
        q(&format!("{} {}", t.doc_type, narrative::title(report))),
        q(&t.issuer_name)
    );
    let _ = writeln!(
        o,
        "#set page(paper: {}, margin: (top: {}mm, bottom: {}mm, left: {}mm, right: {}mm), header: {header}, footer: {footer})",
        q(&paper),
        m.top,
        m.bottom,
        m.left,
        m.right
    );
    let _ = writeln!(
        o,
        "#set text(font: {}, size: {}, lang: \"vi\", hyphenate: false)",
        q(super::pdf::FONT_FAMILY),
        pt(s.body)
    );
    o.push_str("#set par(justify: true, leading: 0.55em, spacing: 0.7em, first-line-indent: (amount: 1cm, all: true))\n");
    o.push_str("#set table(stroke: 0.5pt, inset: (x: 3pt, y: 3pt))\n");
    o.push_str("#show table: set par(justify: false, first-line-indent: 0pt, leading: 0.4em)\n");
    o.push_str("#show grid: set par(justify: false, first-line-indent: 0pt, leading: 0.4em)\n");

    // Header: issuer on the left, national line and date on the right.
    let mut left = String::new();
    if !t.superior.is_empty() {
        let _ = writeln!(
            left,
            "#text(size: {})[#{}] \\",
            pt(s.issuer),
            q(&t.superior)
        );
    }
    for line in &t.issuer {
        let _ = writeln!(
            left,
            "#text(size: {}, weight: \"bold\")[#{}] \\",
            pt(s.issuer),
            q(line)
        );
    }
    match t.style {
        DocStyle::Party => left.push_str("#text(size: 14pt)[\\*] \\\n"),
        DocStyle::State => {
            left.push_str("#v(-0.45em) #line(length: 35%, stroke: 0.5pt) #v(-0.2em)\n")
        }
    }
    let _ = write!(
        left,
        "#text(size: {})[#{}]",
        pt(s.number),
        q(&number_line(report))
    );
    let mut right = String::new();
    let _ = writeln!(
        right,
        "#text(size: {}, weight: \"bold\")[#{}] \\",
        pt(s.national),
        q(&t.national)
    );
    if !t.motto.is_empty() {
        let _ = writeln!(
            right,
            "#text(size: {}, weight: \"bold\")[#{}] \\",
            pt(s.motto),
            q(&t.motto)
        );
    }
    let rule = match t.style {
        DocStyle::Party => "80%",
        DocStyle::State => "52%",
    };
    let _ = write!(
        right,
        "#v(-0.45em) #line(length: {rule}, stroke: 0.5pt) #v(0.3em)\n#text(size: {}, style: \"italic\")[#{}]",
        pt(s.place_date),
        q(&place_date(report))
    );
    let cols = match t.style {
        DocStyle::Party => "(43%, 57%)",
        DocStyle::State => "(40%, 60%)",
    };
    let _ = writeln!(
        o,
        "#grid(columns: {cols}, align: (center + top, center + top),\n[{left}],\n[{right}])"
    );

    // Title.
    let _ = writeln!(
        o,
        "#v(1.2em)\n#align(center)[#set par(justify: false, first-line-indent: 0pt, leading: 0.45em)\n#text(size: {}, weight: \"bold\")[#{}] \\\n#text(size: {}, weight: \"bold\")[#{}] \\\n#v(-0.3em)#line(length: 18%, stroke: 0.5pt)]\n#v(0.6em)",
        pt(s.doc_type),
        q(&t.doc_type),
        pt(s.title),
        q(&narrative::title(report))
    );

    for (level, text) in body(report) {
        match level {
            1 => {
                let _ = writeln!(o, "\n#par[#strong[#{}]]", q(&text));
            }
            2 => {
                let _ = writeln!(o, "\n#par[#strong[#{}]]", q(&text));
            }
            9 => {
                table_markup(&mut o, report);
                for (i, (file, caption)) in charts.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "#align(center)[#image({}, width: 100%)]\n#align(center)[#text(size: {}, style: \"italic\")[#{}]]",
                        q(file),
                        pt(s.table),
                        q(&format!("Biểu đồ {}. {caption}", i + 1))
                    );
                }
            }
            _ => {
                let _ = writeln!(o, "\n#par[#{}]", q(&text));
            }
        }
    }

    // Signature block: recipients on the left, signer on the right.
    let mut rec = String::new();
    match t.style {
        DocStyle::Party => {
            let _ = writeln!(
                rec,
                "#text(size: {})[#underline[#\"Nơi nhận:\"]] \\",
                pt(s.recipients_heading)
            );
        }
        DocStyle::State => {
            let _ = writeln!(
                rec,
                "#text(size: {}, weight: \"bold\", style: \"italic\")[#\"Nơi nhận:\"] \\",
                pt(s.recipients_heading)
            );
        }
    }
    let list: Vec<String> = t
        .recipients
        .iter()
        .map(|r| {
            format!(
                "#text(size: {})[#{}]",
                pt(s.recipients),
                q(&format!("- {r}"))
            )
        })
        .collect();
    rec.push_str(&list.join(" \\\n"));
    let name = if t.signer.name.is_empty() {
        String::new()
    } else {
        format!(
            "#text(size: {}, weight: \"bold\")[#{}]",
            pt(s.signer),
            q(&t.signer.name)
        )
    };
    let _ = writeln!(
        o,
        "\n#v(0.8em)\n#block(breakable: false)[#grid(columns: (50%, 50%), align: (left + top, center + top),\n[{rec}],\n[#text(size: {sz}, weight: \"bold\")[#{}] \\\n#text(size: {sz}, weight: \"bold\")[#{}] \\\n#v(2.6cm)\n{name}])]",
        q(&t.signer.authority),
        q(&t.signer.position),
        sz = pt(s.signer)
    );

    if let Some(annex) = &report.annex {
        let _ = writeln!(
            o,
            "#pagebreak()\n#align(center)[#set par(first-line-indent: 0pt)\n#text(weight: \"bold\")[#\"PHỤ LỤC\"] \\\n#text(weight: \"bold\")[#{}] \\\n#text(style: \"italic\", size: {})[#{}]]\n#v(0.5em)",
            q(&annex.title),
            pt(s.table),
            q(&format!(
                "(Kèm theo Báo cáo {} ngày {} của {})",
                number_line(report)
                    .to_lowercase()
                    .replace("số: ", "số ")
                    .trim(),
                report.date.format("%d/%m/%Y"),
                t.issuer_name
            ))
        );
        let grid = table::annex_grid(annex);
        let mut cols = vec!["auto".to_string(), "1.6fr".to_string()];
        cols.extend((0..annex.columns.len()).map(|_| "1fr".to_string()));
        let _ = write!(
            o,
            "#text(size: {})[#table(columns: ({}), align: (x, y) => if y == 0 {{ center + horizon }} else if x == 1 {{ left }} else if x == 0 {{ center }} else {{ right }},\ntable.header(",
            pt(s.table),
            cols.join(", ")
        );
        let hs: Vec<String> = grid
            .headings
            .iter()
            .map(|h| format!("[*#{}*]", q(h)))
            .collect();
        let _ = writeln!(o, "{}),", hs.join(", "));
        for (no, name, values) in &grid.rows {
            let mut cells = vec![format!("[#{}]", q(no)), format!("[#{}]", q(name))];
            cells.extend(values.iter().map(|(t, _)| format!("[#{}]", q(t))));
            let _ = writeln!(o, "{},", cells.join(", "));
        }
        o.push_str(")]\n");
    }
    o
}

fn table_markup(o: &mut String, report: &Report) {
    let s = &report.template.sizes;
    let heads = table::headings(report);
    let _ = write!(
        o,
        "\n#text(size: {})[#table(columns: (8mm, 1fr, 17mm, 18mm, 20mm, 16mm, 16mm, 20mm), align: (x, y) => if y == 0 {{ center + horizon }} else if x == 1 {{ left + horizon }} else if x == 0 or x == 2 or x == 7 {{ center + horizon }} else {{ right + horizon }},\ntable.header(",
        pt(s.table)
    );
    let hs: Vec<String> = heads.iter().map(|h| format!("[*#{}*]", q(h))).collect();
    let _ = writeln!(o, "{}),", hs.join(", "));
    for line in table::lines(report) {
        match line {
            Line::Group { number, title } => {
                let _ = writeln!(
                    o,
                    "[*#{}*], table.cell(colspan: 7)[*#{}*],",
                    q(&number),
                    q(&title)
                );
            }
            Line::Item(it) => {
                let cells = [
                    it.number.clone(),
                    it.name.clone(),
                    it.unit.clone(),
                    it.plan.clone(),
                    it.actual.clone(),
                    table::pct_cell(it.percent_of_plan),
                    table::pct_cell(it.versus_last_year),
                    it.status_text.clone(),
                ];
                let cs: Vec<String> = cells.iter().map(|c| format!("[#{}]", q(c))).collect();
                let _ = writeln!(o, "{},", cs.join(", "));
            }
        }
    }
    o.push_str(")]\n");
}
