//! Finding figures: a number (numeral or words, with scale words), a range or a fraction,
//! and the unit after it.

use crate::context::date_at;
use crate::lexicon::{UnitKind, UnitMatch, match_unit};
use crate::token::{Kind, Token};
use chitieu_text::{DecimalMark, number_word, parse_number_words, parse_numeral, scale_word};
use rust_decimal::Decimal;

/// A number with its unit, before it is given a meaning.
#[derive(Debug, Clone)]
pub struct Figure {
    /// First token of the number (`từ` of a range is not included).
    pub start: usize,
    /// One past the unit (and `trở lên`, `/người/năm` after it).
    pub end: usize,
    /// In the base unit (đồng, tấn, km…).
    pub value: Decimal,
    pub value_max: Option<Decimal>,
    /// The Y of "X/Y".
    pub total: Option<Decimal>,
    pub unit: &'static str,
    pub kind: UnitKind,
    /// Token range of the unit words.
    pub unit_start: usize,
    pub unit_end: usize,
    /// `trở lên` follows.
    pub at_least: bool,
}

/// Words before a one-word number word ("một", "năm") that make it a count ("thêm một xã").
const NUMBER_WORD_LEADS: &[&str] = &["thêm", "có", "được", "đạt", "mới", "gồm", "với", "và"];

/// Reads a number at `i`: a numeral or number words, then any scale words. Returns the value,
/// the token after it, and whether a scale word was used (with its factor).
fn amount_at(
    toks: &[Token],
    i: usize,
    limit: usize,
    mark: DecimalMark,
) -> Option<(Decimal, usize, Option<Decimal>)> {
    let t = toks.get(i).filter(|_| i < limit)?;
    let (mut value, mut j, mut scale) = match t.kind {
        Kind::Num => match spaced_numeral(toks, i, limit) {
            Some((joined, next)) => (parse_numeral(&joined, mark).ok()?, next, None),
            None => (parse_numeral(&t.key, mark).ok()?, i + 1, None),
        },
        Kind::Word => {
            number_word(&t.key)?;
            let words: Vec<&str> = toks[i..limit.min(i + 10)]
                .iter()
                .take_while(|t| t.kind == Kind::Word)
                .map(|t| t.k())
                .collect();
            let (v, used) = parse_number_words(&words)?;
            if used == 1 {
                // "năm 2020", "một số": a lone number word counts only after a lead word.
                let lead = i > 0 && NUMBER_WORD_LEADS.contains(&toks[i - 1].k());
                if !lead || t.key == "năm" {
                    return None;
                }
            }
            let scaled = words[..used].iter().any(|w| scale_word(w).is_some());
            (v, i + used, scaled.then_some(Decimal::ONE))
        }
        Kind::Punct => return None,
    };
    // Scale words after a numeral: "17,2 nghìn", "3 nghìn tỷ".
    while j < limit {
        let Some(s) = scale_word(&toks[j].key).filter(|_| toks[j].kind == Kind::Word) else {
            break;
        };
        // "52 tr.đồng": the abbreviation and its currency are one unit (see `match_unit`).
        if toks[j].key == "tr"
            && toks
                .get(j + 1)
                .is_some_and(|t| t.is_punct(".") && !t.space_before)
            && toks
                .get(j + 2)
                .is_some_and(|t| !t.space_before && matches!(t.k(), "đ" | "đồng"))
        {
            break;
        }
        value = value.checked_mul(s)?;
        scale = Some(scale.unwrap_or(Decimal::ONE) * s);
        j += 1;
    }
    // "1 tỷ 200 triệu": a smaller scaled numeral right after adds on.
    if let Some(last) = scale
        && toks.get(j).is_some_and(|t| t.kind == Kind::Num)
        && j + 1 < limit
        && let (Ok(v2), Some(s2)) = (
            parse_numeral(&toks[j].key, mark),
            scale_word(&toks[j + 1].key),
        )
        && s2 < last
    {
        value = value.checked_add(v2.checked_mul(s2)?)?;
        j += 2;
    }
    Some((value, j, scale))
}

/// Words after which a short numeral names a day, a month, an ordinal or a number in a name
/// ("tháng 6 100 hộ"), so the numeral after it is not a further digit group.
#[rustfmt::skip]
const NOT_GROUP_HEADS: &[&str] = &[
    "ngày", "tháng", "quý", "năm", "thứ", "số", "lần", "kỳ", "khóa", "khoá", "phường", "xã",
    "thôn", "tổ", "khu", "đội", "xóm", "lô", "phòng", "tầng", "đợt", "lớp", "khối", "cụm", "ấp",
    "bản", "làng", "khóm", "điểm", "mục", "bước",
];

/// "12 500 ha", "1 250 tỷ đồng": digits grouped by single spaces (plain, non-breaking or thin)
/// instead of dots. The head has one to three digits; every later group exactly three (the
/// last may carry a decimal part, "1 250,5"). Returns the numeral without its spaces and the
/// token after it.
fn spaced_numeral(toks: &[Token], i: usize, limit: usize) -> Option<(String, usize)> {
    let head = toks.get(i)?;
    if !(1..=3).contains(&head.key.len()) || !head.key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if i > 0 && toks[i - 1].kind == Kind::Word && NOT_GROUP_HEADS.contains(&toks[i - 1].k()) {
        return None;
    }
    let mut joined = head.key.to_string();
    let mut j = i + 1;
    while j < limit {
        let (prev, t) = (&toks[j - 1], &toks[j]);
        let group = t.kind == Kind::Num
            && !t.line_start
            && t.cstart == prev.cend + 1
            && t.key.len() >= 3
            && t.key.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && (t.key.len() == 3 || matches!(t.key.as_bytes()[3], b'.' | b','));
        // Only the last group may go on past its three digits (a decimal part).
        if !group || joined.len() > head.key.len() + 3 * (j - i - 1) {
            break;
        }
        joined.push_str(&t.key);
        j += 1;
    }
    (j > i + 1).then_some((joined, j))
}

/// Finds the figures of tokens `[from, to)`.
pub fn find_figures(toks: &[Token], from: usize, to: usize, mark: DecimalMark) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        let t = &toks[i];
        let starts_number = match t.kind {
            Kind::Num => true,
            Kind::Word => number_word(&t.key).is_some() && !matches!(t.k(), "không"),
            Kind::Punct => false,
        };
        if !starts_number {
            i += 1;
            continue;
        }
        // Part of a date, a time or a fraction already read; or glued to a word before it, as
        // in "m2", "m3", "km2": an exponent or a code, not a figure.
        if i > from
            && !t.space_before
            && (matches!(toks[i - 1].k(), "/" | ":" | "-") || toks[i - 1].kind == Kind::Word)
        {
            i += 1;
            continue;
        }
        if t.kind == Kind::Num {
            if let Some(skip) = skip_non_figure(toks, i, to) {
                i = skip;
                continue;
            }
            if let Some(f) = fraction_at(toks, i, to, mark) {
                i = f.end;
                out.push(f);
                continue;
            }
        }
        match figure_at(toks, i, to, mark) {
            Some(f) => {
                i = f.end;
                out.push(f);
            }
            None => i += 1,
        }
    }
    out
}

/// Dates (`15/6/2022`, `7/4` with no counted noun), times (`21:27`) and years after `năm`:
/// returns the token to resume at.
fn skip_non_figure(toks: &[Token], i: usize, to: usize) -> Option<usize> {
    if let Some((_, _, y, end)) = date_at(toks, i) {
        if y.is_some() {
            return Some(end);
        }
        // d/m without a year is a fraction when a counted noun follows.
        let noun = match_unit(toks, end, to).is_some_and(|u| u.kind == UnitKind::Count);
        if !noun && toks.get(i + 1).is_some_and(|t| t.is_punct("/")) {
            return Some(end);
        }
    }
    if toks
        .get(i + 1)
        .is_some_and(|t| t.is_punct(":") && !t.space_before)
        && toks
            .get(i + 2)
            .is_some_and(|t| t.kind == Kind::Num && !t.space_before)
    {
        return Some(i + 3);
    }
    if i > 0 && toks[i - 1].is_word("năm") && toks[i].key.len() == 4 {
        return Some(i + 1);
    }
    None
}

/// "8/17 xã", "11/36 công trình".
fn fraction_at(toks: &[Token], i: usize, to: usize, mark: DecimalMark) -> Option<Figure> {
    let slash = toks.get(i + 1)?;
    let den = toks.get(i + 2)?;
    if !slash.is_punct("/") || den.kind != Kind::Num || i + 3 > to {
        return None;
    }
    if toks.get(i + 3).is_some_and(|t| t.is_punct("/")) {
        return None;
    }
    let unit = match_unit(toks, i + 3, to)?;
    if unit.kind != UnitKind::Count {
        return None;
    }
    let value = parse_numeral(&toks[i].key, mark).ok()?;
    let total = parse_numeral(&den.key, mark).ok()?;
    if value > total || value.fract() != Decimal::ZERO || total.fract() != Decimal::ZERO {
        return None;
    }
    Some(Figure {
        start: i,
        end: unit.end,
        value,
        value_max: None,
        total: Some(total),
        unit: unit.unit,
        kind: unit.kind,
        unit_start: i + 3,
        unit_end: unit.end,
        at_least: false,
    })
}

fn is_range_joint(t: &Token) -> bool {
    t.is_dash() || t.is_word("đến") || t.is_word("tới")
}

/// A number, an optional range, and a unit.
fn figure_at(toks: &[Token], i: usize, to: usize, mark: DecimalMark) -> Option<Figure> {
    let (v1, j1, s1) = amount_at(toks, i, to, mark)?;
    let u1 = match_unit(toks, j1, to);
    let after1 = u1.as_ref().map(|u| u.end).unwrap_or(j1);
    // A range: "8 – 9%", "từ 10 đến 15 tỷ đồng", "10 tỷ - 15 tỷ đồng".
    let mut value = v1;
    let mut value_max = None;
    let mut unit: Option<UnitMatch> = u1.clone();
    let mut end = after1;
    let mut unit_start = j1;
    if toks.get(after1).is_some_and(is_range_joint)
        && after1 + 1 < to
        && let Some((v2, j2, s2)) = amount_at(toks, after1 + 1, to, mark)
    {
        let u2 = match_unit(toks, j2, to);
        let same_unit = match (&u1, &u2) {
            (Some(a), Some(b)) => a.unit == b.unit,
            (None, Some(_)) => true,
            _ => false,
        };
        if same_unit {
            let v1_scaled = match (s1, s2) {
                (None, Some(s)) if u1.is_none() => v1 * s,
                _ => v1,
            };
            if v1_scaled < v2 {
                value = v1_scaled;
                value_max = Some(v2);
                unit = u2.clone();
                end = u2.as_ref().map(|u| u.end).unwrap_or(j2);
                unit_start = j2;
            }
        }
    }
    let unit = unit?;
    let factor = unit.factor;
    let mut fig = Figure {
        start: i,
        end,
        value: value * factor,
        value_max: value_max.map(|v| v * factor),
        total: None,
        unit: unit.unit,
        kind: unit.kind,
        unit_start,
        unit_end: unit.end,
        at_least: false,
    };
    // After the unit: "/người/năm", "trở lên".
    let mut k = fig.end;
    while k + 1 < to && toks[k].is_punct("/") && toks[k + 1].kind == Kind::Word {
        k += 2;
    }
    // "trở lên" right after the unit, or after a word or two ("150 đảng viên mới trở lên").
    for gap in 0..3 {
        let at = k + gap;
        if at + 1 >= to || (gap > 0 && toks[at - 1].kind != Kind::Word) {
            break;
        }
        if toks[at].is_word("trở") && toks[at + 1].is_word("lên") {
            fig.at_least = true;
            if gap == 0 {
                k += 2;
            }
            break;
        }
    }
    fig.end = k;
    Some(fig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tokenize;
    use std::str::FromStr;

    fn figs(text: &str) -> Vec<(String, String, Option<String>, Option<String>)> {
        let toks = tokenize(text);
        find_figures(&toks, 0, toks.len(), DecimalMark::Comma)
            .into_iter()
            .map(|f| {
                (
                    f.value.normalize().to_string(),
                    f.unit.to_string(),
                    f.value_max.map(|v| v.normalize().to_string()),
                    f.total.map(|v| v.normalize().to_string()),
                )
            })
            .collect()
    }

    fn one(v: &str, u: &str) -> (String, String, Option<String>, Option<String>) {
        (
            Decimal::from_str(v).unwrap().normalize().to_string(),
            u.to_string(),
            None,
            None,
        )
    }

    #[test]
    fn figures_with_units() {
        assert_eq!(figs("đạt trên 25 tỷ đồng"), vec![one("25000000000", "VND")]);
        assert_eq!(figs("17,2 nghìn tấn"), vec![one("17200", "t")]);
        assert_eq!(figs("gần 6.000 ha"), vec![one("6000", "ha")]);
        assert_eq!(figs("14km rãnh"), vec![one("14", "km")]);
        assert_eq!(figs("108,7%KH"), vec![one("108.7", "%")]);
        assert_eq!(
            figs("2 HTX, 18 DN"),
            vec![one("2", "hợp tác xã"), one("18", "doanh nghiệp")]
        );
        assert_eq!(figs("hai trăm đảng viên"), vec![one("200", "đảng viên")]);
        assert_eq!(figs("1 tỷ 200 triệu đồng"), vec![one("1200000000", "VND")]);
        assert_eq!(
            figs("50 triệu đồng/người/năm"),
            vec![one("50000000", "VND")]
        );
        assert_eq!(figs("12 500 ha"), vec![one("12500", "ha")]);
        assert_eq!(
            figs("1\u{a0}250 tỷ đồng"),
            vec![one("1250000000000", "VND")]
        );
        assert_eq!(
            figs("2\u{2009}345\u{202f}600 tấn"),
            vec![one("2345600", "t")]
        );
        assert_eq!(figs("1 250,5 tỷ đồng"), vec![one("1250500000000", "VND")]);
        assert_eq!(figs("52 tr.đồng"), vec![one("52000000", "VND")]);
        assert_eq!(figs("49,5 tr đồng"), vec![one("49500000", "VND")]);
        assert_eq!(figs("7 tr.đ"), vec![one("7000000", "VND")]);
    }

    #[test]
    fn spaced_groups_need_three_digits() {
        assert_eq!(
            figs("tháng 6 100 hộ"),
            vec![one("100", "hộ")],
            "a month is no digit group"
        );
        assert_eq!(figs("2025 100%"), vec![one("100", "%")]);
        assert_eq!(figs("có 12 50 hộ"), vec![one("50", "hộ")]);
        assert_eq!(figs("đợt 1 120 hộ"), vec![one("120", "hộ")]);
        assert_eq!(figs("có 12 5000 hộ"), vec![one("5000", "hộ")]);
        assert_eq!(figs("1 250,5 500 tấn"), vec![one("500", "t")]);
    }

    #[test]
    fn non_figures_are_skipped() {
        assert!(figs("Ngày 15/6/2022, hội nghị lần thứ 12").is_empty());
        assert!(figs("Ngày 7/4, Ban").is_empty());
        assert!(figs("21:27 27/06/2020").is_empty());
        assert!(figs("năm 2020 xã").is_empty());
        assert!(figs("4 nhóm nhiệm vụ").is_empty());
        assert!(figs("một số báo cáo").is_empty());
        assert!(figs("2 đồng chí").is_empty());
        assert!(figs("2.500 m2 nhà, 12.000 m3 gỗ").is_empty());
    }

    #[test]
    fn fractions_and_ranges() {
        let f = figs("8/17 xã đạt chuẩn");
        assert_eq!(f[0].3.as_deref(), Some("17"));
        let r = figs("tăng 8 – 9%");
        assert_eq!((r[0].0.as_str(), r[0].2.as_deref()), ("8", Some("9")));
        let r = figs("từ 10 đến 15 tỷ đồng");
        assert_eq!(r[0].0, "10000000000");
        assert_eq!(r[0].2.as_deref(), Some("15000000000"));
        let r = figs("nhiệm kỳ 2020 – 2025");
        assert!(r.is_empty());
    }
}
