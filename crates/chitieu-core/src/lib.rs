//! The chitieu domain core.
//!
//! Pure logic with no I/O: storage, web, reports and the command line depend on this crate,
//! never the reverse. Figures are exact decimals ([`rust_decimal::Decimal`]), never floats.

pub mod admin;
pub mod csv_line;
pub mod evaluate;
pub mod figure;
pub mod indicator;
pub mod ntm;
pub mod org;
pub mod period;
pub mod period_vi;
pub mod remind;
pub mod rollup;
pub mod target;
pub mod task;

pub use rust_decimal::Decimal;
