//! Renderers: one report, four formats with the same content.

pub mod docx;
pub mod markdown;
pub mod pdf;
pub mod typst_src;
pub mod xlsx;

use crate::model::Report;
use crate::{ReportError, Result};
use std::str::FromStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
    Markdown,
}

impl Format {
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Markdown => "md",
        }
    }
}

impl FromStr for Format {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "docx" | "word" => Ok(Format::Docx),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            "md" | "markdown" => Ok(Format::Markdown),
            other => Err(ReportError::UnknownFormat(other.to_string())),
        }
    }
}

/// The PDF of a report: Typst markup compiled with the embedded fonts, charts as SVG.
pub fn pdf(report: &Report) -> Result<Vec<u8>> {
    let charts = crate::chart::charts(report)?;
    let names: Vec<(String, String)> = charts
        .iter()
        .map(|(f, c, _)| (f.clone(), c.clone()))
        .collect();
    let files: Vec<(String, Vec<u8>)> = charts
        .into_iter()
        .map(|(f, _, svg)| (f, svg.into_bytes()))
        .collect();
    pdf::compile_pdf(&typst_src::typst_source(report, &names), &files)
}

/// Renders a report in a format.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Pdf => pdf(report),
        Format::Docx => docx::docx(report),
        Format::Xlsx => xlsx::xlsx(report),
        Format::Markdown => Ok(markdown::markdown(report).into_bytes()),
    }
}
