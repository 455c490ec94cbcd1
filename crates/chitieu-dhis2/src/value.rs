//! DHIS2 values as exact decimals.
//!
//! DHIS2 stores every value as a string; a number is written plainly: `1234.5`, `-3`, `0.25`.
//! chitieu reads only that form. A comma is refused rather than guessed: `1,234` may be one
//! thousand two hundred and thirty-four (an English thousands separator) or 1.234 (a
//! Vietnamese decimal comma). Exponents, spaces inside the number, and the booleans and texts
//! of DHIS2's other value types are refused with the reason.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a DHIS2 value is not a number chitieu can store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("the value is empty (chitieu does not delete figures by import)")]
    Empty,
    #[error(
        "'{0}' has a comma: DHIS2 numbers are written plainly (1234.5), and a comma could be a thousands separator (1,234 = 1234) or a decimal comma (1,234 = 1.234)"
    )]
    Comma(String),
    #[error("'{0}' is a yes/no value, not a number")]
    Boolean(String),
    #[error("'{0}' has an exponent: write the number in full (e.g. 150000, not 1.5E5)")]
    Exponent(String),
    #[error("'{0}' is not a number: DHIS2 numbers are written like 1234.5 or -3")]
    NotANumber(String),
    #[error("'{0}' has more digits than chitieu can hold exactly (28 significant digits)")]
    TooLong(String),
}

/// Reads a DHIS2 value as an exact decimal.
pub fn parse(text: &str) -> Result<Decimal, ValueError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ValueError::Empty);
    }
    if t.contains(',') {
        return Err(ValueError::Comma(text.to_string()));
    }
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), "true" | "false") {
        return Err(ValueError::Boolean(text.to_string()));
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = all_digits(int) && frac.is_none_or(all_digits);
    if !well_formed {
        if unsigned.contains(['e', 'E'])
            && unsigned
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'e' | b'E' | b'.' | b'-' | b'+'))
        {
            return Err(ValueError::Exponent(text.to_string()));
        }
        return Err(ValueError::NotANumber(text.to_string()));
    }
    // rust_decimal holds 28 significant digits and rounds past them: refuse rather than lose
    // a digit.
    let significant = int.trim_start_matches('0').len() + frac.map_or(0, str::len);
    if significant > 28 || frac.is_some_and(|f| f.len() > 28) {
        return Err(ValueError::TooLong(text.to_string()));
    }
    Decimal::from_str(t.strip_prefix('+').unwrap_or(t))
        .map_err(|_| ValueError::TooLong(text.to_string()))
}

/// Writes a decimal as DHIS2 writes numbers: plain, no exponent, no trailing zeros.
pub fn write(d: &Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_are_read_exactly() {
        let cases = [
            ("1234.5", "1234.5"),
            ("-3", "-3"),
            ("+7", "7"),
            ("0.25", "0.25"),
            ("152340000000", "152340000000"),
            (" 65.8 ", "65.8"),
            ("0007", "7"),
            ("1.10", "1.10"),
            ("0.0000000001", "0.0000000001"),
        ];
        for (text, want) in cases {
            let d = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(d, Decimal::from_str(want).expect("decimal"), "{text}");
        }
    }

    #[test]
    fn ambiguous_or_non_numeric_values_are_refused_with_the_reason() {
        type Check = fn(&ValueError) -> bool;
        let cases: [(&str, Check); 13] = [
            ("", |e| matches!(e, ValueError::Empty)),
            ("  ", |e| matches!(e, ValueError::Empty)),
            ("1,234", |e| matches!(e, ValueError::Comma(_))),
            ("1.234,5", |e| matches!(e, ValueError::Comma(_))),
            ("true", |e| matches!(e, ValueError::Boolean(_))),
            ("FALSE", |e| matches!(e, ValueError::Boolean(_))),
            ("1.5E5", |e| matches!(e, ValueError::Exponent(_))),
            ("2e-3", |e| matches!(e, ValueError::Exponent(_))),
            ("1 234", |e| matches!(e, ValueError::NotANumber(_))),
            (".5", |e| matches!(e, ValueError::NotANumber(_))),
            ("5.", |e| matches!(e, ValueError::NotANumber(_))),
            ("mười", |e| matches!(e, ValueError::NotANumber(_))),
            ("123456789012345678901234567890123", |e| {
                matches!(e, ValueError::TooLong(_))
            }),
        ];
        for (text, check) in cases {
            match parse(text) {
                Err(e) => assert!(check(&e), "{text}: {e:?}"),
                Ok(d) => panic!("{text} should fail, got {d}"),
            }
        }
    }

    #[test]
    fn writing_is_plain() {
        for (d, want) in [("1234.50", "1234.5"), ("1E+3", "1000"), ("-0.010", "-0.01")] {
            let d = Decimal::from_scientific(d)
                .or_else(|_| Decimal::from_str(d))
                .expect("decimal");
            assert_eq!(write(&d), want);
        }
    }

    proptest::proptest! {
        #[test]
        fn write_then_parse_gives_the_value_back(m in proptest::prelude::any::<i64>(), scale in 0u32..12) {
            let d = Decimal::new(m, scale);
            let back = parse(&write(&d)).expect("parse");
            proptest::prop_assert_eq!(back, d);
        }

        #[test]
        fn no_input_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }
    }
}
