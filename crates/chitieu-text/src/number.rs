//! Numbers as Vietnamese officials write them.
//!
//! Vietnamese writes `.` between thousands and `,` before decimals (`18.017,35`), but texts
//! copied from spreadsheets or English sources sometimes swap them (`1.5 triệu`). A numeral
//! with one separator followed by exactly three digits (`43,248`, `6.000`) is ambiguous; every
//! other shape decides itself. [`detect_decimal_mark`] votes over a whole text to settle the
//! ambiguous ones.
//!
//! Amounts combine numerals, number words and scale words: `17,2 nghìn`, `1 tỷ 200 triệu`,
//! `hai trăm`, `mười lăm`, `3 nghìn tỷ`. Values are exact [`Decimal`]s, never floats.

use rust_decimal::Decimal;

/// Which character separates the decimals from the integer part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum DecimalMark {
    /// `18.017,35`: the Vietnamese convention.
    #[default]
    Comma,
    /// `18,017.35`: the English convention, seen in texts copied from elsewhere.
    Point,
}

impl DecimalMark {
    /// The decimal separator character.
    pub fn as_char(self) -> char {
        match self {
            DecimalMark::Comma => ',',
            DecimalMark::Point => '.',
        }
    }
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error(
        "'{0}' không phải là số (not a number): hãy viết như 1.234,5 hoặc 43,248 (dấu phẩy là dấu thập phân)"
    )]
    NotANumber(String),
    #[error("'{0}' quá lớn, không giữ được chính xác (too large): hãy kiểm tra lại số đã ghi")]
    Overflow(String),
}

/// Parses a numeral made of ASCII digits with optional `.`/`,` separators: `6.000`,
/// `43,248`, `18.017,35`, `1.5`, `1,234,567`. `mark` decides only the ambiguous shape of one
/// separator followed by exactly three digits.
pub fn parse_numeral(s: &str, mark: DecimalMark) -> Result<Decimal, NumberError> {
    let err = || NumberError::NotANumber(s.to_string());
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return Err(err());
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',')
    {
        return Err(err());
    }
    let dots = b.iter().filter(|c| **c == b'.').count();
    let commas = b.iter().filter(|c| **c == b',').count();
    let (int_part, frac_part): (String, &str) = match (dots, commas) {
        (0, 0) => (s.to_string(), ""),
        (d, c) if d > 0 && c > 0 => {
            // Both present: the last one is the decimal mark and appears once.
            let last_dot = s.rfind('.').unwrap_or(0);
            let last_comma = s.rfind(',').unwrap_or(0);
            let (dec, group) = if last_dot > last_comma {
                ('.', ',')
            } else {
                (',', '.')
            };
            let (int, frac) = s.rsplit_once(dec).ok_or_else(err)?;
            if int.contains(dec) {
                return Err(err());
            }
            (ungroup(int, group).ok_or_else(err)?, frac)
        }
        (d, c) => {
            let n = d + c;
            let sep = if dots > 0 { '.' } else { ',' };
            if n > 1 {
                (ungroup(s, sep).ok_or_else(err)?, "")
            } else {
                let (int, frac) = s.split_once(sep).ok_or_else(err)?;
                let grouping_possible = frac.len() == 3 && int.len() <= 3 && int != "0";
                let is_decimal = !grouping_possible || sep == mark.as_char();
                if is_decimal {
                    (int.to_string(), frac)
                } else {
                    (format!("{int}{frac}"), "")
                }
            }
        }
    };
    let text = if frac_part.is_empty() {
        int_part
    } else {
        format!("{int_part}.{frac_part}")
    };
    // 28 significant digits fit a Decimal; longer strings are not figures anyone writes.
    if text.len() > 29 {
        return Err(NumberError::Overflow(s.to_string()));
    }
    text.parse::<Decimal>()
        .map_err(|_| NumberError::Overflow(s.to_string()))
}

/// Removes group separators, checking that every group after the first has three digits.
fn ungroup(s: &str, sep: char) -> Option<String> {
    let mut parts = s.split(sep);
    let first = parts.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut out = first.to_string();
    for p in parts {
        if p.len() != 3 {
            return None;
        }
        out.push_str(p);
    }
    Some(out)
}

/// Votes over every numeral in `text` for the decimal mark it uses. Shapes that decide
/// themselves vote: `14,3` and `1.234,5` for the comma, `1.5` and `1,234.5` for the point,
/// `1.234.567` for the comma (dots group) and `1,234,567` for the point. Ties and texts
/// without evidence give the Vietnamese [`DecimalMark::Comma`].
pub fn detect_decimal_mark(text: &str) -> DecimalMark {
    let (mut comma, mut point) = (0u32, 0u32);
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len()
            && (b[i].is_ascii_digit()
                || ((b[i] == b'.' || b[i] == b',') && i + 1 < b.len() && b[i + 1].is_ascii_digit()))
        {
            i += 1;
        }
        // `text` is sliced at ASCII bytes only, so this is always a char boundary.
        let numeral = &text[start..i];
        match vote(numeral) {
            Some(DecimalMark::Comma) => comma += 1,
            Some(DecimalMark::Point) => point += 1,
            None => {}
        }
    }
    if point > comma {
        DecimalMark::Point
    } else {
        DecimalMark::Comma
    }
}

/// The decimal mark a numeral's shape proves, if any.
fn vote(n: &str) -> Option<DecimalMark> {
    let dots = n.matches('.').count();
    let commas = n.matches(',').count();
    match (dots, commas) {
        (0, 0) => None,
        (d, c) if d > 0 && c > 0 => {
            if n.rfind(',') > n.rfind('.') {
                Some(DecimalMark::Comma)
            } else {
                Some(DecimalMark::Point)
            }
        }
        (d, 0) if d > 1 => Some(DecimalMark::Comma),
        (0, c) if c > 1 => Some(DecimalMark::Point),
        _ => {
            let sep = if dots == 1 { '.' } else { ',' };
            let (int, frac) = n.split_once(sep)?;
            if frac.len() == 3 && int.len() <= 3 && int != "0" {
                None
            } else if sep == ',' {
                Some(DecimalMark::Comma)
            } else {
                Some(DecimalMark::Point)
            }
        }
    }
}

/// The multiplier of a scale word (`nghìn`, `ngàn`, `vạn`, `triệu`, `tỷ`, `tỉ`), given the
/// word lower-cased and in NFC. `trăm` is not a scale here: it belongs to number words.
pub fn scale_word(word: &str) -> Option<Decimal> {
    Some(match word {
        "nghìn" | "ngàn" | "ngh" => Decimal::from(1_000u32),
        "vạn" => Decimal::from(10_000u32),
        "triệu" | "tr" => Decimal::from(1_000_000u32),
        "tỷ" | "tỉ" => Decimal::from(1_000_000_000u64),
        _ => return None,
    })
}

/// The value of one Vietnamese number word, lower-cased and in NFC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberWord {
    /// `không` … `chín`, with the variants `mốt`, `tư`, `lăm`, `nhăm`, `bẩy`.
    Digit(u32),
    /// `mười`: ten, as the first word of 10–19.
    Ten,
    /// `mươi`: times ten (`hai mươi`).
    Tens,
    /// `trăm`: times a hundred.
    Hundred,
    /// `linh`, `lẻ`: an empty tens place (`một trăm linh năm`).
    Zero,
    /// `rưỡi`: and a half of the scale before it.
    Half,
    /// A scale word: `nghìn`, `triệu`, `tỷ`…
    Scale(Decimal),
}

/// Classifies one number word. Words such as `năm` (five, but also "year") are returned as
/// numbers here; the caller decides from context.
pub fn number_word(word: &str) -> Option<NumberWord> {
    use NumberWord::*;
    Some(match word {
        "không" => Digit(0),
        "một" | "mốt" => Digit(1),
        "hai" => Digit(2),
        "ba" => Digit(3),
        "bốn" | "tư" => Digit(4),
        "năm" | "lăm" | "nhăm" => Digit(5),
        "sáu" => Digit(6),
        "bảy" | "bẩy" => Digit(7),
        "tám" => Digit(8),
        "chín" => Digit(9),
        "mười" => Ten,
        "mươi" => Tens,
        "trăm" => Hundred,
        "linh" | "lẻ" => Zero,
        "rưỡi" => Half,
        w => Scale(scale_word(w)?),
    })
}

/// Parses the longest prefix of `words` (lower-cased, NFC) that spells a number in words:
/// `["hai", "trăm"]` → 200, `["mười", "lăm"]` → 15, `["một", "tỷ"]` → 10⁹,
/// `["hai", "mươi", "mốt"]` → 21. Returns the value and how many words it used, or `None`
/// when the first word starts no number.
pub fn parse_number_words<S: AsRef<str>>(words: &[S]) -> Option<(Decimal, usize)> {
    let mut acc = Decimal::ZERO; // completed scale sections
    let mut cur = Decimal::ZERO; // the group below the next scale word
    let mut last_digit: Option<Decimal> = None;
    let mut last_scale: Option<Decimal> = None;
    let mut used = 0;
    let mut prev: Option<NumberWord> = None;
    for w in words {
        let Some(nw) = number_word(w.as_ref()) else {
            break;
        };
        match nw {
            NumberWord::Digit(d) => {
                let d = Decimal::from(d);
                // Two digits in a row ("hai ba") do not make one number.
                if matches!(prev, Some(NumberWord::Digit(_))) {
                    break;
                }
                // `mốt`, `tư`, `lăm` only follow tens; `năm` alone at the start is fine.
                if matches!(w.as_ref(), "mốt" | "lăm" | "nhăm")
                    && !matches!(prev, Some(NumberWord::Tens | NumberWord::Ten))
                {
                    break;
                }
                cur += d;
                last_digit = Some(d);
            }
            NumberWord::Ten => {
                if matches!(prev, Some(NumberWord::Digit(_) | NumberWord::Ten)) {
                    break;
                }
                cur += Decimal::TEN;
                last_digit = None;
            }
            NumberWord::Tens => {
                let Some(d) = last_digit.filter(|_| matches!(prev, Some(NumberWord::Digit(_))))
                else {
                    break;
                };
                cur += d * Decimal::from(9u32);
                last_digit = None;
            }
            NumberWord::Hundred => {
                let Some(d) = last_digit.filter(|_| matches!(prev, Some(NumberWord::Digit(_))))
                else {
                    break;
                };
                cur += d * Decimal::from(99u32);
                last_digit = None;
            }
            NumberWord::Zero => {
                if !matches!(prev, Some(NumberWord::Hundred)) {
                    break;
                }
            }
            NumberWord::Half => {
                let Some(s) = last_scale.filter(|_| matches!(prev, Some(NumberWord::Scale(_))))
                else {
                    break;
                };
                acc += s / Decimal::TWO;
            }
            NumberWord::Scale(s) => {
                if prev.is_none() {
                    break;
                }
                if matches!(prev, Some(NumberWord::Scale(_))) || (acc > Decimal::ZERO && acc < s) {
                    acc = (acc + cur).checked_mul(s)?;
                } else {
                    acc += cur.checked_mul(s)?;
                }
                cur = Decimal::ZERO;
                last_digit = None;
                last_scale = Some(s);
            }
        }
        prev = Some(nw);
        used += 1;
    }
    // A number cannot end on a connector ("hai trăm linh").
    if matches!(prev, Some(NumberWord::Zero)) {
        used -= 1;
    }
    if used == 0 {
        return None;
    }
    Some((acc + cur, used))
}

/// Parses an amount written with numerals, number words and scale words, as one string:
/// `"25 tỷ"`, `"17,2 nghìn"`, `"1 tỷ 200 triệu"`, `"hai trăm"`, `"3.273"`, `"3 nghìn tỷ"`.
/// Case and Unicode normalization do not matter. The whole text must be the amount.
pub fn parse_amount(s: &str, mark: DecimalMark) -> Result<Decimal, NumberError> {
    let err = || NumberError::NotANumber(s.to_string());
    let folded = crate::normalize::fold(s);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(err());
    }
    let mut total = Decimal::ZERO;
    let mut i = 0;
    while i < words.len() {
        let (mut value, used) = if words[i].starts_with(|c: char| c.is_ascii_digit()) {
            (parse_numeral(words[i], mark)?, 1)
        } else {
            parse_number_words(&words[i..]).ok_or_else(err)?
        };
        i += used;
        // Scale words after a numeral ("17,2 nghìn", "3 nghìn tỷ").
        while let Some(scale) = words.get(i).and_then(|w| scale_word(w)) {
            value = value
                .checked_mul(scale)
                .ok_or_else(|| NumberError::Overflow(s.to_string()))?;
            i += 1;
        }
        total = total
            .checked_add(value)
            .ok_or_else(|| NumberError::Overflow(s.to_string()))?;
    }
    Ok(total.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numerals_in_the_vietnamese_convention() {
        let cases = [
            ("25", "25"),
            ("43,248", "43.248"),
            ("6.000", "6000"),
            ("18.017,35", "18017.35"),
            ("14,3", "14.3"),
            ("105,5", "105.5"),
            ("96,91", "96.91"),
            ("3.273", "3273"),
            ("1.234.567", "1234567"),
            ("1.234.567,89", "1234567.89"),
            ("1.5", "1.5"),
            ("0,125", "0.125"),
            ("0.125", "0.125"),
            ("1234,567", "1234.567"),
            ("05", "5"),
            ("100", "100"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_numeral(input, DecimalMark::Comma).unwrap(),
                d(want),
                "{input}"
            );
        }
    }

    #[test]
    fn numerals_in_the_english_convention() {
        let cases = [
            ("43,248", "43248"),
            ("6.000", "6.000"),
            ("18,017.35", "18017.35"),
            ("1.5", "1.5"),
            ("1,234,567", "1234567"),
            ("14,3", "14.3"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_numeral(input, DecimalMark::Point).unwrap(),
                d(want),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_numerals_are_rejected() {
        for bad in [
            "",
            ".5",
            "5.",
            "1..2",
            "1.23.4",
            "1,2,3",
            "1.234,5,6",
            "abc",
            "12a",
            "1.2,3.4",
            "１２",
        ] {
            assert!(parse_numeral(bad, DecimalMark::Comma).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_numeral(&"9".repeat(40), DecimalMark::Comma),
            Err(NumberError::Overflow(_))
        ));
    }

    #[test]
    fn decimal_mark_is_detected_from_the_text() {
        let vi = "thu ngân sách đạt 43,248 tỷ đồng, diện tích 6.000 ha, năng suất 55,2 tạ/ha";
        assert_eq!(detect_decimal_mark(vi), DecimalMark::Comma);
        let en = "revenue 1.5 million, output 2.75 tonnes, area 1,234,567 ha";
        assert_eq!(detect_decimal_mark(en), DecimalMark::Point);
        assert_eq!(detect_decimal_mark("6.000 ha"), DecimalMark::Comma);
        assert_eq!(detect_decimal_mark(""), DecimalMark::Comma);
        // One stray point in a text that otherwise uses commas: the commas win.
        let mixed = "đạt 14,3 tiêu chí, 105,5 tỷ đồng và 1.5 triệu";
        assert_eq!(detect_decimal_mark(mixed), DecimalMark::Comma);
    }

    #[test]
    fn number_words() {
        let cases: &[(&str, &str, usize)] = &[
            ("hai trăm", "200", 2),
            ("một tỷ", "1000000000", 2),
            ("mười lăm", "15", 2),
            ("mười", "10", 1),
            ("hai mươi mốt", "21", 3),
            ("hai mươi tư", "24", 3),
            ("ba mươi lăm", "35", 3),
            ("một trăm linh năm", "105", 4),
            ("một trăm lẻ một", "101", 4),
            ("chín trăm chín mươi chín", "999", 5),
            ("hai nghìn", "2000", 2),
            ("ba nghìn tỷ", "3000000000000", 3),
            ("hai triệu ba trăm nghìn", "2300000", 5),
            ("một triệu rưỡi", "1500000", 3),
            ("năm", "5", 1),
            ("bảy xã", "7", 1),
            ("hai trăm đảng viên", "200", 2),
        ];
        for (text, want, n) in cases {
            let words: Vec<&str> = text.split(' ').collect();
            let got = parse_number_words(&words);
            assert_eq!(got, Some((d(want), *n)), "{text}");
        }
        for not in ["xã", "mươi", "lăm", "trăm", "tỷ", "linh"] {
            assert_eq!(parse_number_words(&[not]), None, "{not}");
        }
        // Two digits in a row stop after the first.
        assert_eq!(parse_number_words(&["hai", "ba"]), Some((d("2"), 1)));
        assert_eq!(
            parse_number_words(&["hai", "trăm", "linh"]),
            Some((d("200"), 2))
        );
    }

    #[test]
    fn amounts() {
        let cases = [
            ("25 tỷ", "25000000000"),
            ("17,2 nghìn", "17200"),
            ("17,2 ngàn", "17200"),
            ("1 tỷ 200 triệu", "1200000000"),
            ("3.273 tỷ", "3273000000000"),
            ("3 nghìn tỷ", "3000000000000"),
            ("hai trăm", "200"),
            ("Một Tỷ", "1000000000"),
            ("1,5 vạn", "15000"),
            ("43,248 tỉ", "43248000000"),
            ("50 triệu", "50000000"),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_amount(text, DecimalMark::Comma).unwrap(),
                d(want),
                "{text}"
            );
        }
        assert_eq!(
            parse_amount("1.5 triệu", DecimalMark::Comma).unwrap(),
            d("1500000")
        );
        for bad in ["", "tỷ", "xã", "25 xã"] {
            assert!(parse_amount(bad, DecimalMark::Comma).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn numerals_never_panic(s in "[0-9.,]{0,40}") {
            let _ = parse_numeral(&s, DecimalMark::Comma);
            let _ = parse_numeral(&s, DecimalMark::Point);
            let _ = detect_decimal_mark(&s);
        }

        #[test]
        fn amounts_never_panic(s in "\\PC{0,40}") {
            let _ = parse_amount(&s, DecimalMark::Comma);
            let _ = detect_decimal_mark(&s);
        }

        #[test]
        fn words_never_panic(ws in proptest::collection::vec(
            prop_oneof![Just("một"), Just("hai"), Just("mươi"), Just("mười"), Just("trăm"),
                Just("linh"), Just("nghìn"), Just("tỷ"), Just("rưỡi"), Just("lăm"), Just("xã")],
            0..12)) {
            let _ = parse_number_words(&ws);
        }
    }
}
