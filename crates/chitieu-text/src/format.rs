//! Writing numbers and amounts the Vietnamese way: `.` between thousands, `,` before decimals.
//!
//! [`format_decimal_vi`] gives `43,248`, `6.000`, `18.017,35`; [`format_vnd`] gives amounts of
//! money in a chosen scale, `25,0 tỷ đồng`. What these write, [`crate::number`] reads back.

use rust_decimal::{Decimal, RoundingStrategy};

/// Formats `d` with exactly `decimals` digits after the decimal comma, rounding half away from
/// zero, and dots between groups of thousands: `format_decimal_vi(43.248, 3)` = `"43,248"`,
/// `format_decimal_vi(6000, 0)` = `"6.000"`, `format_decimal_vi(25, 1)` = `"25,0"`.
pub fn format_decimal_vi(d: Decimal, decimals: u32) -> String {
    let decimals = decimals.min(28);
    let rounded = d.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let plain = rounded.abs().to_string();
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let mut out = String::with_capacity(plain.len() + plain.len() / 3 + 2);
    if negative {
        out.push('-');
    }
    out.push_str(&group_thousands(int));
    if decimals > 0 {
        out.push(',');
        out.push_str(frac);
        for _ in frac.len()..decimals as usize {
            out.push('0');
        }
    }
    out
}

/// Formats `d` with as many decimals as it needs and no trailing zeros: `43,248`, `6.000`,
/// `14,3`, `100`.
pub fn format_number_vi(d: Decimal) -> String {
    let n = d.normalize();
    format_decimal_vi(n, n.scale())
}

/// Inserts `.` between groups of three digits of a string of ASCII digits.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    // Digits left before the next dot: the first group holds the remainder.
    let mut until_dot = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    for c in digits.chars() {
        if until_dot == 0 {
            out.push('.');
            until_dot = 3;
        }
        out.push(c);
        until_dot -= 1;
    }
    out
}

/// The scale an amount of money is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoneyScale {
    /// Plain đồng: `50.000.000 đồng`.
    Dong,
    /// `nghìn đồng`.
    Thousand,
    /// `triệu đồng`.
    Million,
    /// `tỷ đồng`.
    Billion,
    /// The largest scale that keeps at least 1 before the comma.
    Auto,
}

impl MoneyScale {
    fn resolve(self, d: Decimal) -> MoneyScale {
        if self != MoneyScale::Auto {
            return self;
        }
        let a = d.abs();
        if a >= Decimal::from(1_000_000_000u64) {
            MoneyScale::Billion
        } else if a >= Decimal::from(1_000_000u32) {
            MoneyScale::Million
        } else {
            MoneyScale::Dong
        }
    }

    fn factor_and_word(self) -> (Decimal, &'static str) {
        match self {
            MoneyScale::Dong | MoneyScale::Auto => (Decimal::ONE, "đồng"),
            MoneyScale::Thousand => (Decimal::from(1_000u32), "nghìn đồng"),
            MoneyScale::Million => (Decimal::from(1_000_000u32), "triệu đồng"),
            MoneyScale::Billion => (Decimal::from(1_000_000_000u64), "tỷ đồng"),
        }
    }
}

/// Formats an amount in đồng in the given scale with `decimals` digits:
/// `format_vnd(25_000_000_000, MoneyScale::Billion, 1)` = `"25,0 tỷ đồng"`,
/// `format_vnd(50_000_000, MoneyScale::Auto, 0)` = `"50 triệu đồng"`.
pub fn format_vnd(dong: Decimal, scale: MoneyScale, decimals: u32) -> String {
    let (factor, word) = scale.resolve(dong).factor_and_word();
    format!("{} {word}", format_decimal_vi(dong / factor, decimals))
}

/// Formats a percentage: `format_percent_vi(80.5, 1)` = `"80,5%"`.
pub fn format_percent_vi(d: Decimal, decimals: u32) -> String {
    format!("{}%", format_decimal_vi(d, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::{DecimalMark, parse_amount, parse_numeral};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_are_written_the_vietnamese_way() {
        let cases = [
            ("43.248", 3, "43,248"),
            ("6000", 0, "6.000"),
            ("18017.35", 2, "18.017,35"),
            ("25", 1, "25,0"),
            ("1234567.891", 2, "1.234.567,89"),
            ("0.5", 0, "1"),
            ("-0.5", 0, "-1"),
            ("-1234.5", 1, "-1.234,5"),
            ("0", 2, "0,00"),
            ("-0.001", 1, "0,0"),
            ("999", 0, "999"),
            ("1000", 0, "1.000"),
            ("100000", 0, "100.000"),
        ];
        for (v, k, want) in cases {
            assert_eq!(format_decimal_vi(d(v), k), want, "{v} {k}");
        }
        assert_eq!(format_number_vi(d("43.2480")), "43,248");
        assert_eq!(format_number_vi(d("6000")), "6.000");
        assert_eq!(format_number_vi(d("14.30")), "14,3");
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(
            format_vnd(d("25000000000"), MoneyScale::Billion, 1),
            "25,0 tỷ đồng"
        );
        assert_eq!(
            format_vnd(d("43248000000"), MoneyScale::Auto, 3),
            "43,248 tỷ đồng"
        );
        assert_eq!(
            format_vnd(d("50000000"), MoneyScale::Auto, 0),
            "50 triệu đồng"
        );
        assert_eq!(format_vnd(d("500000"), MoneyScale::Auto, 0), "500.000 đồng");
        assert_eq!(
            format_vnd(d("1500000"), MoneyScale::Thousand, 0),
            "1.500 nghìn đồng"
        );
        assert_eq!(format_percent_vi(d("131.5"), 1), "131,5%");
    }

    proptest! {
        #[test]
        fn format_then_parse_gives_the_value_back(
            mantissa in -10_000_000_000_000i64..10_000_000_000_000i64,
            scale in 0u32..6,
            decimals in 0u32..6,
        ) {
            let v = Decimal::new(mantissa, scale);
            let text = format_decimal_vi(v, decimals);
            let body = text.trim_start_matches('-');
            let mut back = parse_numeral(body, DecimalMark::Comma).unwrap();
            if text.starts_with('-') {
                back = -back;
            }
            let want = v.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(back, want);
        }

        #[test]
        fn money_round_trips_through_parse_amount(n in 0i64..1_000_000_000_000i64) {
            let v = Decimal::from(n) * Decimal::from(1000);
            let text = format_vnd(v, MoneyScale::Billion, 6);
            let amount = text.trim_end_matches(" đồng");
            prop_assert_eq!(parse_amount(amount, DecimalMark::Comma).unwrap(), v);
        }

        #[test]
        fn formatting_never_panics(m in any::<i64>(), scale in 0u32..29, k in 0u32..40) {
            let v = Decimal::new(m, scale.min(28));
            let _ = format_decimal_vi(v, k);
            let _ = format_number_vi(v);
            let _ = format_vnd(v, MoneyScale::Auto, k.min(10));
        }
    }
}
