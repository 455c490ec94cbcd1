//! Amounts as review reports print them: money in tỷ đồng with one decimal at least
//! ("25,0 tỷ đồng", "43,248 tỷ đồng"), large tonnages in nghìn tấn ("17,2 nghìn tấn"),
//! hectares whole ("6.000 ha"), percentages of plan with one decimal ("80,0%").

use chitieu_core::Decimal;
use chitieu_text::format_decimal_vi;
use rust_decimal::RoundingStrategy;

/// Writes `d` with at least `min` and at most `max` decimals (trailing zeros beyond `min`
/// dropped), '.' between thousands and ',' before decimals.
pub fn number(d: Decimal, min: u32, max: u32) -> String {
    let r = d
        .round_dp_with_strategy(max, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    format_decimal_vi(r, r.scale().clamp(min, max))
}

/// The scale and unit a value is printed in: (divisor, unit words, min decimals, max decimals).
fn scale_of(value: Decimal, unit: &str) -> (Decimal, String, u32, u32) {
    let a = value.abs();
    let bn = Decimal::from(1_000_000_000);
    let mn = Decimal::from(1_000_000);
    match unit {
        "VND" if a >= bn => (
            bn,
            "tỷ đồng".into(),
            if a >= Decimal::from(1000) * bn { 0 } else { 1 },
            3,
        ),
        "VND" if a >= mn => (mn, "triệu đồng".into(), 0, 2),
        "VND" => (Decimal::ONE, "đồng".into(), 0, 0),
        "USD" if a >= mn => (mn, "triệu USD".into(), 1, 2),
        "USD" => (Decimal::ONE, "USD".into(), 0, 2),
        "t" if a >= Decimal::from(10_000) => (Decimal::from(1000), "nghìn tấn".into(), 1, 1),
        "t" => (Decimal::ONE, "tấn".into(), 0, 1),
        "ha" => (Decimal::ONE, "ha".into(), 0, 1),
        "%" => (Decimal::ONE, "%".into(), 0, 2),
        "‰" => (Decimal::ONE, "‰".into(), 0, 2),
        other => (Decimal::ONE, other.to_string(), 0, 2),
    }
}

/// A value with its unit: "25,0 tỷ đồng", "6.000 ha", "17,2 nghìn tấn", "12,3%", "8 xã".
pub fn amount(value: Decimal, unit: &str) -> String {
    let (div, words, min, max) = scale_of(value, unit);
    let n = number(value.checked_div(div).unwrap_or(value), min, max);
    if words == "%" || words == "‰" {
        format!("{n}{words}")
    } else {
        format!("{n} {words}")
    }
}

/// The number alone, in the same scale as [`amount`] would choose for `scale_by` (so a table
/// column can hold numbers with the unit in its header).
pub fn number_in_scale_of(value: Decimal, scale_by: Decimal, unit: &str) -> String {
    let (div, _, min, max) = scale_of(scale_by, unit);
    number(value.checked_div(div).unwrap_or(value), min, max)
}

/// The unit words [`amount`] would use for values like `scale_by`: "tỷ đồng", "nghìn tấn".
pub fn unit_words(scale_by: Decimal, unit: &str) -> String {
    scale_of(scale_by, unit).1
}

/// The divisor [`amount`] would use for values like `scale_by`.
pub fn divisor(scale_by: Decimal, unit: &str) -> Decimal {
    scale_of(scale_by, unit).0
}

/// A percentage with one decimal: "80,0%".
pub fn percent(p: Decimal) -> String {
    format!("{}%", number(p, 1, 1))
}

/// Percentage points with one decimal: "1,2 điểm phần trăm".
pub fn points(p: Decimal) -> String {
    format!("{} điểm phần trăm", number(p, 1, 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_as_officials_write_them() {
        let cases = [
            ("25000000000", "VND", "25,0 tỷ đồng"),
            ("43248000000", "VND", "43,248 tỷ đồng"),
            ("105500000000", "VND", "105,5 tỷ đồng"),
            ("3273000000000", "VND", "3.273 tỷ đồng"),
            ("50000000", "VND", "50 triệu đồng"),
            ("52500000", "VND", "52,5 triệu đồng"),
            ("6000", "ha", "6.000 ha"),
            ("17200", "t", "17,2 nghìn tấn"),
            ("17249", "t", "17,2 nghìn tấn"),
            ("850", "t", "850 tấn"),
            ("12.3", "%", "12,3%"),
            ("96.91", "%", "96,91%"),
            ("100", "%", "100%"),
            ("8", "xã", "8 xã"),
            ("14.3", "tiêu chí/xã", "14,3 tiêu chí/xã"),
            ("55.25", "tạ/ha", "55,25 tạ/ha"),
            ("1250000", "USD", "1,25 triệu USD"),
        ];
        for (v, u, want) in cases {
            assert_eq!(amount(d(v), u), want, "{v} {u}");
        }
    }

    #[test]
    fn percents_and_points() {
        assert_eq!(percent(d("80")), "80,0%");
        assert_eq!(percent(d("131.4963")), "131,5%");
        assert_eq!(percent(d("30.5555")), "30,6%");
        assert_eq!(points(d("1.2")), "1,2 điểm phần trăm");
        assert_eq!(number(d("1234.5"), 0, 2), "1.234,5");
        assert_eq!(number(d("-0.04"), 1, 1), "0,0");
    }
}
