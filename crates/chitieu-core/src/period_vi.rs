//! Vietnamese period labels: "6 tháng đầu năm 2022", "quý II/2023", "9 tháng", "năm 2021",
//! "tháng 5/2022", "nhiệm kỳ 2020 – 2025", and the cut-off dates of running figures
//! ("tính đến 10/12/2020").
//!
//! [`parse_period_vi`] also accepts the compact forms of [`Period`] (`2022-H1`), so a user may
//! type either. [`format_period_vi`] writes the label reports print; parsing it gives the
//! period back.

use crate::period::{Period, PeriodError};
use chrono::NaiveDate;

/// Why a text is not a period label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodViError {
    #[error(
        "'{0}' không phải là kỳ báo cáo (not a period): hãy viết như \"6 tháng đầu năm 2022\", \"quý II/2023\", \"9 tháng năm 2022\", \"năm 2021\", \"tháng 5/2022\", \"nhiệm kỳ 2020 – 2025\" hoặc dạng gọn 2022-H1"
    )]
    NotAPeriod(String),
    #[error(
        "'{0}' chưa ghi năm (no year): hãy ghi thêm năm, ví dụ \"6 tháng đầu năm 2022\", \"quý II/2023\""
    )]
    NoYear(String),
    /// The label has the right form, but a number in it is not allowed (`quý V/2023`).
    #[error("kỳ '{text}' không hợp lệ: {reason}")]
    OutOfRange { text: String, reason: &'static str },
}

impl PeriodViError {
    /// The period's own error, said of the text the user wrote.
    fn of(text: &str, e: PeriodError) -> PeriodViError {
        match e {
            PeriodError::OutOfRange { reason, .. } => PeriodViError::OutOfRange {
                text: text.to_string(),
                reason,
            },
            PeriodError::Syntax(_) => PeriodViError::NotAPeriod(text.to_string()),
        }
    }
}

/// Parses a Vietnamese period label, or a compact one (`2022-H1`). `default_year` fills in a
/// label that leaves the year to the reader ("6 tháng đầu năm", "quý II", "9 tháng").
/// Case, Unicode normalization, old-style tone marks and the dash in terms do not matter.
pub fn parse_period_vi(text: &str, default_year: Option<i32>) -> Result<Period, PeriodViError> {
    match text.trim().parse::<Period>() {
        Ok(p) => return Ok(p),
        // A compact form with a number out of range (`2022-H3`): say which, rather than
        // that it is no period at all.
        Err(e @ PeriodError::OutOfRange { .. }) => return Err(PeriodViError::of(text, e)),
        Err(PeriodError::Syntax(_)) => {}
    }
    let not = || PeriodViError::NotAPeriod(text.to_string());
    let words = words_of(text);
    let mut w: &[String] = &words;
    // Leading words that do not change the period.
    while let Some(first) = w.first() {
        if matches!(
            first.as_str(),
            "trong" | "cả" | "của" | "kỳ" | "kết" | "quả"
        ) {
            w = &w[1..];
        } else {
            break;
        }
    }
    let out_of_range = |e| PeriodViError::of(text, e);
    let year_or_default = |rest: &[&str]| -> Result<i32, PeriodViError> {
        match trailing_year(rest) {
            Some(Some(y)) => Ok(y),
            Some(None) => default_year.ok_or_else(|| PeriodViError::NoYear(text.to_string())),
            None => Err(not()),
        }
    };
    let strs: Vec<&str> = w.iter().map(String::as_str).collect();
    match strs.as_slice() {
        // nhiệm kỳ / giai đoạn 2020 – 2025
        ["nhiệm", "kỳ", a, "-", b] | ["giai", "đoạn", a, "-", b] | [a, "-", b]
            if is_year(a) && is_year(b) =>
        {
            Period::term(year(a), year(b)).map_err(out_of_range)
        }
        // quý II/2023, quý 2 năm 2023, quý II
        ["quý", q, rest @ ..] => {
            let q = roman_or_number(q).ok_or_else(not)?;
            let y = year_or_default(rest)?;
            Period::quarter(y, q).map_err(out_of_range)
        }
        // 6 tháng đầu năm 2022, 6 tháng cuối năm, 9 tháng, 9 tháng đầu năm 2022
        [n, "tháng", rest @ ..] if matches!(*n, "6" | "sáu" | "9" | "chín") => {
            let nine = matches!(*n, "9" | "chín");
            let (half, tail) = match rest {
                ["đầu", "năm", tail @ ..] => (1, tail),
                ["cuối", "năm", tail @ ..] => (2, tail),
                // "6 tháng năm 2022", "9 tháng/2022", "9 tháng"
                _ => (1, rest),
            };
            let y = year_or_default(tail)?;
            match (nine, half) {
                (true, 1) => Period::nine_months(y).map_err(out_of_range),
                (true, _) => Err(not()),
                (false, h) => Period::half(y, h).map_err(out_of_range),
            }
        }
        // tháng 5/2022, tháng 5 năm 2022, tháng 5
        ["tháng", m, rest @ ..] => {
            let m = small_number(m).ok_or_else(not)?;
            let y = year_or_default(rest)?;
            Period::month(y, m).map_err(out_of_range)
        }
        // năm 2021
        ["năm", y] if is_year(y) => Period::year(year(y)).map_err(out_of_range),
        [y] if is_year(y) => Period::year(year(y)).map_err(out_of_range),
        _ => Err(not()),
    }
}

/// Lower-cased, folded words, with `/` and dashes as words of their own.
fn words_of(text: &str) -> Vec<String> {
    let folded = chitieu_text::fold(text);
    let mut spaced = String::with_capacity(folded.len() + 8);
    for c in folded.chars() {
        match c {
            '/' => spaced.push_str(" / "),
            '-' | '–' | '—' | '‐' | '‑' => spaced.push_str(" - "),
            '(' | ')' | ',' | ':' | ';' => spaced.push(' '),
            _ => spaced.push(c),
        }
    }
    spaced.split_whitespace().map(String::from).collect()
}

/// Reads what follows the main part of a label: nothing (`Some(None)`), `/2023`, `năm 2023`,
/// `- 2023`. `None` when something else follows.
fn trailing_year(rest: &[&str]) -> Option<Option<i32>> {
    match rest {
        [] | ["năm"] => Some(None),
        ["/", y] | ["năm", y] | ["-", y] | [y] if is_year(y) => Some(Some(year(y))),
        _ => None,
    }
}

fn is_year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

fn year(s: &str) -> i32 {
    s.parse().unwrap_or(0)
}

fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A quarter number as `I`–`IV` or `1`–`4`.
fn roman_or_number(s: &str) -> Option<u32> {
    Some(match s {
        "i" | "1" => 1,
        "ii" | "2" => 2,
        "iii" | "3" => 3,
        "iv" | "4" => 4,
        _ => return None,
    })
}

/// The quarter number in Roman numerals.
fn roman(q: u32) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

/// Writes the label reports print: "6 tháng đầu năm 2022", "6 tháng cuối năm 2022",
/// "quý II/2023", "9 tháng năm 2022", "năm 2021", "tháng 5/2022", "nhiệm kỳ 2020 – 2025".
pub fn format_period_vi(p: &Period) -> String {
    match *p {
        Period::Month { year, month } => format!("tháng {month}/{year}"),
        Period::Quarter { year, quarter } => format!("quý {}/{year}", roman(quarter)),
        Period::Half { year, half: 1 } => format!("6 tháng đầu năm {year}"),
        Period::Half { year, .. } => format!("6 tháng cuối năm {year}"),
        Period::NineMonths { year } => format!("9 tháng năm {year}"),
        Period::Year { year } => format!("năm {year}"),
        Period::Term { start, end } => format!("nhiệm kỳ {start} – {end}"),
    }
}

/// The cut-off date of a running figure: "tính đến 10/12/2020", "tính đến ngày 10/12/2020",
/// "(tính đến hết ngày 10/12/2020)", "đến ngày 26 tháng 6 năm 2020". `None` when the text
/// holds no such phrase with a full date.
pub fn parse_cutoff_vi(text: &str) -> Option<NaiveDate> {
    let folded = chitieu_text::fold(text);
    let at = folded.find("đến")?;
    let mut rest = folded[at + "đến".len()..].trim_start();
    for filler in ["hết", "ngày"] {
        if let Some(r) = rest.strip_prefix(filler) {
            rest = r.trim_start();
        }
    }
    // The date runs up to the first character that cannot be part of it.
    let end = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '/' | '-' | '.')))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let numeric = rest[..end].trim_end_matches(['.', '-']);
    if let Some(d) = chitieu_text::parse_date_vi(numeric, None) {
        return Some(d);
    }
    // "26 tháng 6 năm 2020": take five words.
    let long: Vec<&str> = rest.split_whitespace().take(5).collect();
    chitieu_text::parse_date_vi(&long.join(" ").replace([')', ','], ""), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_parses() {
        let cases: &[(&str, Option<i32>, &str)] = &[
            ("6 tháng đầu năm 2022", None, "2022-H1"),
            ("6 tháng cuối năm 2022", None, "2022-H2"),
            ("6 tháng cuối năm", Some(2022), "2022-H2"),
            ("6 tháng đầu năm", Some(2020), "2020-H1"),
            ("sáu tháng đầu năm 2021", None, "2021-H1"),
            ("6 tháng năm 2022", None, "2022-H1"),
            ("Trong 6 tháng đầu năm 2021", None, "2021-H1"),
            ("quý II/2023", None, "2023-Q2"),
            ("Quý I/2023", None, "2023-Q1"),
            ("quý 2 năm 2023", None, "2023-Q2"),
            ("quý IV - 2023", None, "2023-Q4"),
            ("quý III", Some(2024), "2024-Q3"),
            ("9 tháng", Some(2022), "2022-9M"),
            ("9 tháng đầu năm 2022", None, "2022-9M"),
            ("9 tháng năm 2022", None, "2022-9M"),
            ("chín tháng đầu năm", Some(2019), "2019-9M"),
            ("năm 2021", None, "2021"),
            ("cả năm 2021", None, "2021"),
            ("2021", None, "2021"),
            ("tháng 5/2022", None, "2022-M05"),
            ("tháng 05/2022", None, "2022-M05"),
            ("tháng 5 năm 2022", None, "2022-M05"),
            ("tháng 12", Some(2020), "2020-M12"),
            ("nhiệm kỳ 2020 – 2025", None, "2020-2025"),
            ("nhiệm kỳ 2020-2025", None, "2020-2025"),
            ("Nhiệm kỳ 2020 - 2025", None, "2020-2025"),
            ("giai đoạn 2021–2025", None, "2021-2025"),
            ("2022-H1", None, "2022-H1"),
            ("2023-Q2", None, "2023-Q2"),
            ("2022-9M", None, "2022-9M"),
            ("2022-M05", None, "2022-M05"),
            ("2020-2025", None, "2020-2025"),
        ];
        for (text, y, want) in cases {
            assert_eq!(parse_period_vi(text, *y).unwrap(), p(want), "{text}");
        }
    }

    #[test]
    fn nfd_and_old_tone_marks_parse_too() {
        // Written decomposed by hand: "6 tháng đầu năm 2022", "quý II/2023", "Quý".
        let nfd_half = "6 tha\u{301}ng \u{111}a\u{302}\u{300}u na\u{306}m 2022";
        assert_eq!(parse_period_vi(nfd_half, None).unwrap(), p("2022-H1"));
        let nfd_quarter = "quy\u{301} II/2023";
        assert_eq!(parse_period_vi(nfd_quarter, None).unwrap(), p("2023-Q2"));
        assert_eq!(parse_period_vi("QUÝ II/2023", None).unwrap(), p("2023-Q2"));
    }

    #[test]
    fn errors_name_the_text() {
        let e = parse_period_vi("6 tháng đầu năm", None).unwrap_err();
        assert!(matches!(e, PeriodViError::NoYear(_)));
        assert!(e.to_string().contains("6 tháng đầu năm"));
        for bad in [
            "",
            "hôm qua",
            "quý V/2023",
            "tháng 13/2022",
            "nhiệm kỳ 2025 – 2020",
            "năm 20",
            "7 tháng",
            "9 tháng cuối năm 2022",
            "quý II/2023 và quý III",
        ] {
            let e = parse_period_vi(bad, Some(2022)).unwrap_err();
            assert!(e.to_string().contains(bad), "{bad}: {e}");
        }
    }

    /// Each message is said once, in Vietnamese, of the text as written, with what to write.
    #[test]
    fn errors_are_vietnamese_and_said_once() {
        let msg = |t: &str| parse_period_vi(t, None).unwrap_err().to_string();
        assert_eq!(
            msg("tháng 13/2022"),
            "kỳ 'tháng 13/2022' không hợp lệ: tháng chỉ từ 1 đến 12"
        );
        // A compact form out of range says which number, not that it is no period.
        assert_eq!(
            msg("2022-H3"),
            "kỳ '2022-H3' không hợp lệ: nửa năm chỉ là 1 (6 tháng đầu năm) hoặc 2 (6 tháng cuối năm)"
        );
        let e = msg("ky-la");
        assert!(
            e.starts_with("'ky-la' không phải là kỳ báo cáo (not a period): hãy viết như"),
            "{e}"
        );
        assert_eq!(e.matches("ky-la").count(), 1, "{e}");
        assert!(msg("quý II").starts_with("'quý II' chưa ghi năm (no year)"));
    }

    #[test]
    fn labels_are_written() {
        let cases = [
            ("2022-H1", "6 tháng đầu năm 2022"),
            ("2022-H2", "6 tháng cuối năm 2022"),
            ("2023-Q2", "quý II/2023"),
            ("2022-9M", "9 tháng năm 2022"),
            ("2021", "năm 2021"),
            ("2022-M05", "tháng 5/2022"),
            ("2020-2025", "nhiệm kỳ 2020 – 2025"),
        ];
        for (compact, label) in cases {
            assert_eq!(format_period_vi(&p(compact)), label);
        }
    }

    #[test]
    fn cutoffs() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(parse_cutoff_vi("tính đến 10/12/2020"), d(2020, 12, 10));
        assert_eq!(parse_cutoff_vi("(tính đến 10/12/2020)"), d(2020, 12, 10));
        assert_eq!(parse_cutoff_vi("tính đến ngày 10/12/2020"), d(2020, 12, 10));
        assert_eq!(
            parse_cutoff_vi("tính đến hết ngày 30/6/2022."),
            d(2022, 6, 30)
        );
        assert_eq!(
            parse_cutoff_vi("tính đến ngày 26 tháng 6 năm 2020, toàn huyện"),
            d(2020, 6, 26)
        );
        assert_eq!(parse_cutoff_vi("tính đến nay"), None);
        assert_eq!(parse_cutoff_vi("không có"), None);
    }

    fn any_period() -> impl Strategy<Value = Period> {
        let y = 1945i32..2200;
        prop_oneof![
            (y.clone(), 1u32..=12).prop_map(|(year, month)| Period::Month { year, month }),
            (y.clone(), 1u32..=4).prop_map(|(year, quarter)| Period::Quarter { year, quarter }),
            (y.clone(), 1u32..=2).prop_map(|(year, half)| Period::Half { year, half }),
            y.clone().prop_map(|year| Period::NineMonths { year }),
            y.clone().prop_map(|year| Period::Year { year }),
            (1945i32..2190, 1i32..=10).prop_map(|(start, n)| Period::Term {
                start,
                end: start + n
            }),
        ]
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(period in any_period()) {
            let label = format_period_vi(&period);
            prop_assert_eq!(parse_period_vi(&label, None).unwrap(), period);
        }

        #[test]
        fn nothing_panics(s in "\\PC{0,40}", y in proptest::option::of(-5000i32..5000)) {
            let _ = parse_period_vi(&s, y);
            let _ = parse_cutoff_vi(&s);
        }
    }
}
