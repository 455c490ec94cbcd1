//! The report as Markdown: for review in a terminal or a pull request, and the web later.

use super::typst_src::{body, number_line, place_date};
use crate::model::Report;
use crate::narrative;
use crate::table::{self, Line};

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The report as Markdown, with the table of targets as a Markdown table.
pub fn markdown(report: &Report) -> String {
    let t = &report.template;
    let mut o = String::new();
    if !t.superior.is_empty() {
        o.push_str(&format!("{}  \n", t.superior));
    }
    for l in &t.issuer {
        o.push_str(&format!("**{l}**  \n"));
    }
    o.push_str(&format!("{}\n\n", number_line(report)));
    o.push_str(&format!("**{}**  \n", t.national));
    if !t.motto.is_empty() {
        o.push_str(&format!("**{}**  \n", t.motto));
    }
    o.push_str(&format!("*{}*\n\n", place_date(report)));
    o.push_str(&format!(
        "## {}\n\n**{}**\n\n",
        t.doc_type,
        narrative::title(report)
    ));
    for (level, text) in body(report) {
        match level {
            1 => o.push_str(&format!("### {text}\n\n")),
            2 => o.push_str(&format!("#### {text}\n\n")),
            9 => {
                let heads = table::headings(report);
                o.push_str(&format!(
                    "| {} |\n",
                    heads
                        .iter()
                        .map(|h| cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
                o.push_str(&format!("|{}\n", "---|".repeat(heads.len())));
                for line in table::lines(report) {
                    match line {
                        Line::Group { number, title } => {
                            o.push_str(&format!(
                                "| **{number}** | **{}** |{}\n",
                                cell(&title),
                                " |".repeat(heads.len() - 2)
                            ));
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
                            o.push_str(&format!(
                                "| {} |\n",
                                cells
                                    .iter()
                                    .map(|c| cell(c))
                                    .collect::<Vec<_>>()
                                    .join(" | ")
                            ));
                        }
                    }
                }
                o.push('\n');
            }
            _ => o.push_str(&format!("{text}\n\n")),
        }
    }
    o.push_str(&format!(
        "**{}**  \n**{}**\n\n",
        t.signer.authority, t.signer.position
    ));
    if !t.signer.name.is_empty() {
        o.push_str(&format!("**{}**\n\n", t.signer.name));
    }
    o.push_str("*Nơi nhận:*\n\n");
    for r in &t.recipients {
        o.push_str(&format!("- {r}\n"));
    }
    if let Some(annex) = &report.annex {
        o.push_str(&format!("\n## PHỤ LỤC\n\n**{}**\n\n", annex.title));
        let grid = table::annex_grid(annex);
        o.push_str(&format!(
            "| {} |\n",
            grid.headings
                .iter()
                .map(|h| cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        o.push_str(&format!("|{}\n", "---|".repeat(grid.headings.len())));
        for (no, name, values) in &grid.rows {
            let vs: Vec<String> = values.iter().map(|(t, _)| t.clone()).collect();
            o.push_str(&format!("| {no} | {} | {} |\n", cell(name), vs.join(" | ")));
        }
    }
    o
}
