//! Vietnamese text handling, as officials write it.
//!
//! This crate is pure: it does no I/O. Everything that reads Vietnamese text (period labels,
//! unit names, figures in articles) goes through [`normalize`] first, so that NFC and NFD input
//! behave the same.

pub mod normalize;

pub use normalize::{fold, nfc, search_key};
