//! Figures as Vietnamese reports write them: "43,248 tỷ đồng", "6.000 ha", "131,5%".

use chitieu_core::Decimal;
use rust_decimal::RoundingStrategy;

/// Writes a number as officials do ('.' between thousands, ',' before decimals), rounded to at
/// most `max_decimals` places with trailing zeros dropped: 6000 → "6.000", 43.248 → "43,248".
pub fn number_vi(d: Decimal, max_decimals: u32) -> String {
    chitieu_text::format::format_number_vi(
        d.round_dp_with_strategy(max_decimals, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// A value with its unit, scaled the way reports write it: money in tỷ or triệu đồng,
/// tonnes in nghìn tấn when large: "43,248 tỷ đồng", "6.000 ha", "17,2 nghìn tấn", "8 xã".
pub fn amount_vi(value: Decimal, unit: &str) -> String {
    let billion = Decimal::from(1_000_000_000);
    let million = Decimal::from(1_000_000);
    match unit {
        "VND" if value.abs() >= billion => format!("{} tỷ đồng", number_vi(value / billion, 3)),
        "VND" if value.abs() >= million => format!("{} triệu đồng", number_vi(value / million, 2)),
        "VND" => format!("{} đồng", number_vi(value, 0)),
        "USD" if value.abs() >= million => format!("{} triệu USD", number_vi(value / million, 2)),
        "USD" => format!("{} USD", number_vi(value, 2)),
        "t" if value.abs() >= Decimal::from(10_000) => {
            format!("{} nghìn tấn", number_vi(value / Decimal::from(1000), 1))
        }
        "t" => format!("{} tấn", number_vi(value, 2)),
        "%" => format!("{}%", number_vi(value, 2)),
        "‰" => format!("{}‰", number_vi(value, 2)),
        other => format!("{} {other}", number_vi(value, 2)),
    }
}

/// A percentage with one decimal: "131,5%".
pub fn percent_vi(p: Decimal) -> String {
    format!("{}%", number_vi(p, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_as_officials_write_them() {
        assert_eq!(number_vi(d("6000"), 2), "6.000");
        assert_eq!(number_vi(d("43.248"), 3), "43,248");
        assert_eq!(number_vi(d("1234.5"), 2), "1.234,5");
        assert_eq!(number_vi(d("131.4963"), 1), "131,5");
        assert_eq!(number_vi(d("-12.5"), 1), "-12,5");
        assert_eq!(number_vi(d("1000000"), 0), "1.000.000");
    }

    #[test]
    fn amounts_pick_the_report_scale() {
        assert_eq!(amount_vi(d("43248000000"), "VND"), "43,248 tỷ đồng");
        assert_eq!(amount_vi(d("50000000"), "VND"), "50 triệu đồng");
        assert_eq!(amount_vi(d("17200"), "t"), "17,2 nghìn tấn");
        assert_eq!(amount_vi(d("6000"), "ha"), "6.000 ha");
        assert_eq!(amount_vi(d("8"), "xã"), "8 xã");
        assert_eq!(amount_vi(d("96.91"), "%"), "96,91%");
    }
}
