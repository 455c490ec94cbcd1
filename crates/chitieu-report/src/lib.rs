//! chitieu review reports: báo cáo sơ kết 6 tháng, 9 tháng, tổng kết năm, quarterly and term
//! reviews, in the Party format (Hướng dẫn 36-HD/VPTW) or the State format (Nghị định
//! 30/2020/NĐ-CP).
//!
//! - [`model`]: the report (unit, period, kind, template, rows as evaluated, text blocks);
//! - [`build`]: building it from the store;
//! - [`narrative`]: Vietnamese sentences from the figures, and a news article of the meeting;
//! - [`template`]: header lines, sizes, margins, signer, numbering — loadable from TOML/JSON;
//! - [`render`]: PDF (Typst, embedded Tinos fonts), DOCX, XLSX and Markdown; [`chart`]: SVG;
//! - [`tasks`]: the key-task results, the next period's tasks and the NTM figures;
//! - [`issue`]: issuing (numbering, freezing) and comparing an issued report with the data.
//!
//! Rendering is deterministic: the same report gives the same bytes.

pub mod amount;
pub mod build;
pub mod chart;
pub mod issue;
pub mod model;
pub mod narrative;
pub mod render;
pub mod table;
pub mod tasks;
pub mod template;

pub use build::{BuildOptions, build_report, default_template};
pub use model::{Field, Report, ReportKind, ReportRow, TextBlocks};
pub use render::{Format, render};
pub use template::{DocStyle, Template};

/// What can go wrong making a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("unknown report kind '{0}': expected so-ket, tong-ket, quy or nhiem-ky")]
    UnknownKind(String),
    #[error(
        "a '{kind}' report does not fit the period {period}: so-ket is for 2022-H1 or 2022-9M, tong-ket for a year, quy for a quarter, nhiem-ky for a term"
    )]
    KindPeriod { kind: String, period: String },
    #[error("unknown format '{0}': expected pdf, docx, xlsx or md")]
    UnknownFormat(String),
    #[error("the template is not valid: {0}")]
    Template(String),
    #[error("the text blocks are not valid: {0}")]
    Texts(String),
    #[error("{0}")]
    BadInput(String),
    #[error("stored report data is not valid: {0}")]
    Json(String),
    #[error("rendering failed: {0}")]
    Render(String),
    #[error(transparent)]
    Status(#[from] chitieu_app::status::StatusError),
    #[error(transparent)]
    Store(#[from] chitieu_store::StoreError),
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;
