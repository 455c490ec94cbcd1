//! Dates as Vietnamese texts write them: `15/12/2020`, `15-12-2020`, `7/4` (the year left to
//! the reader), `ngày 26 tháng 6 năm 2020`, `26 tháng 6`.

use chrono::NaiveDate;

/// Parses a whole text as a date. `default_year` fills in a date written without its year
/// (`7/4`, `ngày 26 tháng 6`); without one such dates give `None`. A leading `ngày`, `sáng`,
/// `chiều`, `tối` or `hôm nay` is allowed, as are surrounding brackets and spaces.
pub fn parse_date_vi(text: &str, default_year: Option<i32>) -> Option<NaiveDate> {
    let folded = crate::normalize::fold(text);
    let mut s = folded
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '.'))
        .to_string();
    for lead in ["hôm nay", "sáng", "chiều", "trưa", "tối", "đêm", "ngày"] {
        if let Some(rest) = s.strip_prefix(lead) {
            s = rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
                .to_string();
        }
    }
    let s = s.trim_end_matches(')').trim();
    if s.contains("tháng") {
        return parse_long(s, default_year);
    }
    parse_numeric(s, default_year)
}

/// `15/12/2020`, `15-12-2020`, `15.12.2020`, `7/4`.
fn parse_numeric(s: &str, default_year: Option<i32>) -> Option<NaiveDate> {
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = s.split(sep).map(str::trim).collect();
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (d, m, y) = match parts.as_slice() {
        [d, m] => (num(d)?, num(m)?, default_year?),
        [d, m, y] if y.len() == 4 => (num(d)?, num(m)?, num(y)? as i32),
        _ => return None,
    };
    if parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// `26 tháng 6 năm 2020`, `26 tháng 6`, `26 tháng 06 năm 2020`.
fn parse_long(s: &str, default_year: Option<i32>) -> Option<NaiveDate> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    match words.as_slice() {
        [d, "tháng", m] => NaiveDate::from_ymd_opt(default_year?, num(m)?, num(d)?),
        [d, "tháng", m, "năm", y] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)
        }
        _ => None,
    }
}

/// Writes a date as `15/12/2020`.
pub fn format_date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Writes a date as `ngày 15 tháng 12 năm 2020`, the form of official documents.
pub fn format_date_long_vi(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("ngày {} tháng {} năm {}", d.day(), d.month(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_in_every_form() {
        let cases: &[(&str, Option<i32>, Option<NaiveDate>)] = &[
            ("15/12/2020", None, Some(ymd(2020, 12, 15))),
            ("15/6/2022", None, Some(ymd(2022, 6, 15))),
            ("05/01/2021", None, Some(ymd(2021, 1, 5))),
            ("15-12-2020", None, Some(ymd(2020, 12, 15))),
            ("15.12.2020", None, Some(ymd(2020, 12, 15))),
            ("Ngày 15/6/2022", None, Some(ymd(2022, 6, 15))),
            ("Sáng 15/12/2020", None, Some(ymd(2020, 12, 15))),
            ("7/4", Some(2023), Some(ymd(2023, 4, 7))),
            ("Ngày 7/4", Some(2023), Some(ymd(2023, 4, 7))),
            ("Hôm nay (21/7)", Some(2021), Some(ymd(2021, 7, 21))),
            ("7/4", None, None),
            ("ngày 26 tháng 6 năm 2020", None, Some(ymd(2020, 6, 26))),
            (
                "Sáng ngày 26 tháng 6 năm 2020",
                None,
                Some(ymd(2020, 6, 26)),
            ),
            ("26 tháng 06", Some(2020), Some(ymd(2020, 6, 26))),
            ("26 tháng 6", None, None),
            ("31/2/2020", None, None),
            ("32/1/2020", None, None),
            ("1/13/2020", None, None),
            ("11/36", Some(2022), None),
            ("2020", None, None),
            ("", None, None),
            ("abc", None, None),
        ];
        for (text, y, want) in cases {
            assert_eq!(parse_date_vi(text, *y), *want, "{text}");
        }
    }

    #[test]
    fn dates_are_written_both_ways() {
        assert_eq!(format_date_vi(ymd(2020, 12, 5)), "05/12/2020");
        assert_eq!(
            format_date_long_vi(ymd(2020, 6, 26)),
            "ngày 26 tháng 6 năm 2020"
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,30}", y in proptest::option::of(1900i32..2100)) {
            let _ = parse_date_vi(&s, y);
        }

        #[test]
        fn format_then_parse(days in 0i64..60_000) {
            let d = ymd(1950, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date_vi(&format_date_vi(d), None), Some(d));
            prop_assert_eq!(parse_date_vi(&format_date_long_vi(d), None), Some(d));
        }
    }
}
