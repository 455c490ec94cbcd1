//! Vietnamese text handling, as officials write it.
//!
//! This crate is pure: it does no I/O. Everything that reads Vietnamese text (period labels,
//! unit names, figures in articles) goes through [`normalize`] first, so that NFC and NFD input
//! behave the same. [`number`] reads figures (`43,248`, `6.000`, `hai trăm`, `17,2 nghìn`),
//! [`format`] writes them back, and [`date`] reads and writes dates.

pub mod date;
pub mod format;
pub mod normalize;
pub mod number;

pub use date::{format_date_long_vi, format_date_vi, parse_date_vi};
pub use format::{MoneyScale, format_decimal_vi, format_number_vi, format_percent_vi, format_vnd};
pub use normalize::{fold, fold_word, fold_word_cow, nfc, search_key};
pub use number::{
    DecimalMark, NumberError, NumberWord, detect_decimal_mark, number_word, parse_amount,
    parse_number_words, parse_numeral, scale_word,
};
