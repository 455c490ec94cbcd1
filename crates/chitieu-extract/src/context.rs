//! What the whole document tells about every figure in it: its own date, the meeting date,
//! the year to give year-less periods, the periods it mentions and the unit it is about.

use crate::lexicon::match_unit;
use crate::token::{Kind, Token};
use chitieu_core::period::Period;
use chitieu_text::{number_word, scale_word};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// How a period mention relates to figures near it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The period figures were achieved in: "Trong 6 tháng đầu năm".
    Actual,
    /// A period of plans or tasks: "nhiệm vụ năm 2021", "triển khai … quý II/2023".
    Plan,
    /// The period compared with: "so với cùng kỳ năm 2020".
    Comparison,
    /// A term naming a body or resolution ("đại biểu HĐND nhiệm kỳ 2021 – 2026"): not a
    /// period of figures.
    Label,
}

/// A period named in the text.
#[derive(Debug, Clone, Copy)]
pub struct PeriodMention {
    pub start: usize,
    pub end: usize,
    pub period: Period,
    pub role: Role,
}

/// A period mention before its year is known.
#[derive(Debug, Clone, Copy)]
struct RawMention {
    start: usize,
    end: usize,
    shape: Shape,
    year: Option<i32>,
    role: Role,
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Half(u32),
    NineMonths,
    Quarter(u32),
    Month(u32),
    Year,
    Term(i32, i32),
}

/// Document-level facts.
#[derive(Debug, Clone, Default)]
pub struct DocContext {
    /// The article's own date, from a header line ("Thứ ba, 19/01/2021", "21:27 27/06/2020").
    pub doc_date: Option<NaiveDate>,
    /// The token index where that header line ends (its tokens are not body text).
    pub header_tokens: Option<(usize, usize)>,
    /// The date of the meeting or visit reported, from the body.
    pub meeting_date: Option<NaiveDate>,
    /// Where the meeting date is written (token range).
    pub meeting_date_at: Option<(usize, usize)>,
    /// The date figures are reported at: the meeting date, else the document's.
    pub ref_date: Option<NaiveDate>,
    /// The year given to periods written without one.
    pub ref_year: Option<i32>,
    pub periods: Vec<PeriodMention>,
    /// The unit the article is about, as written: "huyện Bắc Sơn".
    pub subject_unit: Option<String>,
}

fn num_value(t: &Token) -> Option<u32> {
    if t.kind != Kind::Num || t.key.len() > 4 || !t.key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.key.parse().ok()
}

fn year_at(toks: &[Token], i: usize) -> Option<i32> {
    let t = toks.get(i)?;
    if t.key.len() != 4 {
        return None;
    }
    let y = num_value(t)? as i32;
    (1945..=2200).contains(&y).then_some(y)
}

/// A date written `d/m/yyyy` (or with `-`/`.`), `d/m`, or `ngày d tháng m [năm yyyy]` starting
/// at token `i`: (day, month, year if written, end token).
pub fn date_at(toks: &[Token], i: usize) -> Option<(u32, u32, Option<i32>, usize)> {
    let d = num_value(toks.get(i)?)?;
    let sep = toks.get(i + 1)?;
    if sep.kind == Kind::Punct && matches!(sep.k(), "/" | "-") && !sep.space_before {
        let m = num_value(toks.get(i + 2)?)?;
        if toks[i + 2].space_before || !(1..=31).contains(&d) || !(1..=12).contains(&m) {
            return None;
        }
        let same_sep = toks
            .get(i + 3)
            .is_some_and(|t| t.key == sep.key && !t.space_before);
        if same_sep {
            let y = year_at(toks, i + 4)?;
            return NaiveDate::from_ymd_opt(y, m, d).map(|_| (d, m, Some(y), i + 5));
        }
        return Some((d, m, None, i + 3));
    }
    if sep.is_word("tháng") {
        let m = num_value(toks.get(i + 2)?)?;
        if !(1..=31).contains(&d) || !(1..=12).contains(&m) {
            return None;
        }
        if toks.get(i + 3).is_some_and(|t| t.is_word("năm"))
            && let Some(y) = year_at(toks, i + 4)
        {
            return NaiveDate::from_ymd_opt(y, m, d).map(|_| (d, m, Some(y), i + 5));
        }
        return Some((d, m, None, i + 3));
    }
    None
}

/// Words a header date line may hold besides the date and time.
const HEADER_WORDS: &[&str] = &[
    "thứ", "hai", "ba", "tư", "năm", "sáu", "bảy", "chủ", "nhật", "cập", "ngày", "đăng", "lúc",
    "gmt", "giờ", "pm", "am",
];

impl DocContext {
    pub fn build(text: &str, toks: &[Token]) -> DocContext {
        let mut ctx = DocContext::default();
        ctx.find_doc_date(toks);
        let raw = scan_periods(toks);
        // A year the body names most is the year of its figures, unless it lies well before the
        // article's own date: then it is history ("Năm 2010, diện tích … chỉ khoảng …").
        let doc_year = ctx.doc_date.map(|d| d.year());
        let dominant = dominant_year(toks, &raw, ctx.header_tokens)
            .filter(|y| doc_year.is_none_or(|d| *y >= d - 1));
        ctx.find_meeting_date(toks, dominant.or(ctx.doc_date.map(|d| d.year())));
        ctx.ref_date = ctx.meeting_date.or(ctx.doc_date);
        ctx.ref_year = ctx
            .meeting_date
            .map(|d| d.year())
            .or(dominant)
            .or(ctx.doc_date.map(|d| d.year()));
        ctx.periods = raw
            .iter()
            .filter_map(|m| {
                let year = m.year.or(ctx.ref_year)?;
                let period = match m.shape {
                    Shape::Half(h) => Period::half(year, h),
                    Shape::NineMonths => Period::nine_months(year),
                    Shape::Quarter(q) => Period::quarter(year, q),
                    Shape::Month(mo) => Period::month(year, mo),
                    Shape::Year => Period::year(year),
                    Shape::Term(a, b) => Period::term(a, b),
                }
                .ok()?;
                let mut role = m.role;
                // A plan for a period already over is a review of it.
                if role == Role::Plan && ctx.ref_date.is_some_and(|r| period.end_date() < r) {
                    role = Role::Actual;
                }
                Some(PeriodMention {
                    start: m.start,
                    end: m.end,
                    period,
                    role,
                })
            })
            .collect();
        ctx.subject_unit = subject_unit(text, toks);
        ctx
    }

    /// Whether a period lies wholly after the reference date.
    pub fn is_future(&self, p: &Period) -> bool {
        self.ref_date.is_some_and(|r| p.start_date() > r)
    }

    fn find_doc_date(&mut self, toks: &[Token]) {
        let mut line_start = 0;
        let mut lines_seen = 0;
        for i in 0..=toks.len() {
            let boundary = i == toks.len() || (i > line_start && toks[i].line_start);
            if !boundary {
                continue;
            }
            lines_seen += 1;
            let line = &toks[line_start..i];
            if let Some(d) = header_date(line) {
                self.doc_date = Some(d);
                self.header_tokens = Some((line_start, i));
                return;
            }
            line_start = i;
            if lines_seen > 30 {
                return;
            }
        }
    }

    fn find_meeting_date(&mut self, toks: &[Token], year_hint: Option<i32>) {
        let mut sent_start = 0;
        for i in 0..toks.len() {
            let t = &toks[i];
            if t.line_start || (i > 0 && matches!(toks[i - 1].k(), "." | "!" | "?")) {
                sent_start = i;
            }
            if let Some((h0, h1)) = self.header_tokens
                && (h0..h1).contains(&i)
            {
                continue;
            }
            if t.kind != Kind::Num {
                continue;
            }
            let Some((d, m, y, end)) = date_at(toks, i) else {
                continue;
            };
            // Only a date that opens its sentence, or follows ngày/sáng/chiều/hôm nay.
            let lead = (sent_start..i).any(|k| {
                matches!(
                    toks[k].k(),
                    "ngày" | "sáng" | "chiều" | "tối" | "trưa" | "nay"
                )
            });
            let cutoff = (i.saturating_sub(3)..i)
                .any(|k| matches!(toks[k].k(), "đến" | "từ" | "tới" | "tính"));
            if i - sent_start > 6 || !lead || cutoff {
                continue;
            }
            // A date without its year is in the article's year (the year before when that
            // would put it after the article: a December meeting reported in January), else
            // in the year the text names most.
            let year = match (y, self.doc_date) {
                (Some(y), _) => y,
                (None, Some(doc)) => {
                    let after = NaiveDate::from_ymd_opt(doc.year(), m, d).is_some_and(|x| x > doc);
                    doc.year() - i32::from(after)
                }
                (None, None) => match year_hint {
                    Some(y) => y,
                    None => continue,
                },
            };
            if let Some(date) = NaiveDate::from_ymd_opt(year, m, d) {
                self.meeting_date = Some(date);
                self.meeting_date_at = Some((i, end));
                return;
            }
        }
    }
}

/// A header line's date: the line holds a full date and nothing else but weekday, time and
/// a few header words.
fn header_date(line: &[Token]) -> Option<NaiveDate> {
    if line.is_empty() || line.len() > 16 {
        return None;
    }
    let mut found = None;
    let mut i = 0;
    while i < line.len() {
        let t = &line[i];
        if t.kind == Kind::Num {
            if let Some((d, m, Some(y), end)) = date_at(line, i) {
                found = NaiveDate::from_ymd_opt(y, m, d);
                i = end;
                continue;
            }
            // A time: hh:mm
            if line.get(i + 1).is_some_and(|s| s.key == ":") {
                i += 3;
                continue;
            }
            if t.key.len() <= 2 {
                i += 1;
                continue;
            }
            return None;
        }
        let ok = match t.kind {
            Kind::Word => HEADER_WORDS.contains(&t.k()),
            _ => matches!(t.k(), "," | ":" | "|" | "-" | "+" | "(" | ")" | "/"),
        };
        if !ok {
            return None;
        }
        i += 1;
    }
    found
}

/// Words before a period that make it a plan or task period.
const PLAN_WORDS: &[&str] = &[
    "vụ",    // nhiệm vụ
    "tiêu",  // chỉ tiêu, mục tiêu
    "hoạch", // kế hoạch
    "hướng", // phương hướng, định hướng
    "khai",  // triển khai
    "đấu",   // phấn đấu
    "đến", "tới",
];

fn role_before(toks: &[Token], i: usize) -> Role {
    let lo = i.saturating_sub(6);
    let mut k = i;
    while k > lo {
        k -= 1;
        let t = &toks[k];
        if t.kind == Kind::Punct && matches!(t.k(), "," | ";" | "." | ":" | "(") {
            break;
        }
        // "so với năm 2023", "cùng kỳ năm 2023", "gấp 2 lần năm 2023"
        if t.is_word("so")
            || t.is_word("gấp")
            || (t.is_word("kỳ") && k > 0 && toks[k - 1].is_word("cùng"))
        {
            return Role::Comparison;
        }
        if t.is_word("với") && k > 0 && toks[k - 1].is_word("so") {
            return Role::Comparison;
        }
    }
    let mut k = i;
    while k > lo {
        k -= 1;
        let t = &toks[k];
        if t.kind == Kind::Punct && matches!(t.k(), "," | ";" | "." | ":" | "(") {
            break;
        }
        if t.kind == Kind::Word && PLAN_WORDS.contains(&t.k()) {
            // "vụ" alone is a crop season ("vụ Đông Xuân"); it needs "nhiệm" before it.
            if t.key == "vụ" && !(k > 0 && toks[k - 1].is_word("nhiệm")) {
                continue;
            }
            if t.key == "tiêu" && !(k > 0 && matches!(toks[k - 1].k(), "chỉ" | "mục")) {
                continue;
            }
            return Role::Plan;
        }
        // "triển khai nhiệm trọng tâm" (a slip for "nhiệm vụ"): "nhiệm" still marks a task.
        if t.is_word("nhiệm") && !toks.get(k + 1).is_some_and(|n| n.is_word("kỳ")) {
            return Role::Plan;
        }
    }
    Role::Actual
}

/// Reads an optional year after a period word: `/2023`, `năm 2023`, `- 2023`, ` 2023`.
fn trailing_year(toks: &[Token], j: usize) -> (Option<i32>, usize) {
    if let Some(y) = year_at(toks, j) {
        return (Some(y), j + 1);
    }
    if toks
        .get(j)
        .is_some_and(|t| t.is_punct("/") || t.is_dash() || t.is_word("năm"))
        && let Some(y) = year_at(toks, j + 1)
    {
        return (Some(y), j + 2);
    }
    (None, j)
}

fn roman_quarter(s: &str) -> Option<u32> {
    Some(match s {
        "i" | "1" => 1,
        "ii" | "2" => 2,
        "iii" | "3" => 3,
        "iv" | "4" => 4,
        _ => return None,
    })
}

/// "2 năm", "3 tháng": a number before the word on the same line makes it a duration; a
/// number ending the line before (a header date) does not.
fn after_number(toks: &[Token], i: usize) -> bool {
    i > 0 && toks[i - 1].kind == Kind::Num && !toks[i].line_start
}

fn scan_periods(toks: &[Token]) -> Vec<RawMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let key = t.k();
        let next = |k: usize| toks.get(i + k).map(|t| t.k()).unwrap_or("");
        let mut found: Option<(Shape, Option<i32>, usize)> = None;
        if matches!(key, "6" | "sáu") && next(1) == "tháng" {
            match (next(2), next(3)) {
                ("đầu", "năm") => {
                    let (y, e) = trailing_year(toks, i + 4);
                    found = Some((Shape::Half(1), y, e));
                }
                ("cuối", "năm") => {
                    let (y, e) = trailing_year(toks, i + 4);
                    found = Some((Shape::Half(2), y, e));
                }
                ("năm", _) => {
                    if let Some(y) = year_at(toks, i + 3) {
                        found = Some((Shape::Half(1), Some(y), i + 4));
                    }
                }
                _ => {}
            }
        } else if matches!(key, "9" | "chín") && next(1) == "tháng" {
            let mut j = i + 2;
            if next(2) == "đầu" && next(3) == "năm" {
                j = i + 4;
            }
            let (y, e) = trailing_year(toks, j);
            found = Some((Shape::NineMonths, y, e));
        } else if key == "quý" {
            if let Some(q) = toks.get(i + 1).and_then(|t| roman_quarter(&t.key)) {
                let (y, e) = trailing_year(toks, i + 2);
                found = Some((Shape::Quarter(q), y, e));
            }
        } else if key == "tháng" && !after_number(toks, i) {
            if let Some(m) = toks
                .get(i + 1)
                .and_then(num_value)
                .filter(|m| (1..=12).contains(m))
                && toks[i + 1].key.len() <= 2
            {
                let (y, e) = trailing_year(toks, i + 2);
                found = Some((Shape::Month(m), y, e));
            }
        } else if key == "năm" && !after_number(toks, i) {
            if let Some(y) = year_at(toks, i + 1) {
                // "năm 2022 – 2023" is a range, not one year.
                let range =
                    toks.get(i + 2).is_some_and(|t| t.is_dash()) && year_at(toks, i + 3).is_some();
                if !range {
                    found = Some((Shape::Year, Some(y), i + 2));
                }
            } else if i > 0 && toks[i - 1].is_word("cả") {
                found = Some((Shape::Year, None, i + 1));
            } else if toks.get(i + 1).is_some_and(|t| t.is_word("nay")) {
                // "năm nay": the year of the text.
                found = Some((Shape::Year, None, i + 2));
            }
        } else if key == "vụ" {
            // "vụ Xuân 2024", "vụ Hè Thu 2023": a crop season of that year.
            let mut j = i + 1;
            while toks
                .get(j)
                .is_some_and(|t| matches!(t.k(), "xuân" | "mùa" | "hè" | "thu" | "đông" | "chiêm"))
                && j < i + 3
            {
                j += 1;
            }
            let range = toks.get(j + 1).is_some_and(|t| t.is_dash());
            if j > i + 1
                && !range
                && let Some(y) = year_at(toks, j)
            {
                found = Some((Shape::Year, Some(y), j + 1));
            }
        } else if ((key == "kỳ" && i > 0 && toks[i - 1].is_word("nhiệm"))
            || (key == "đoạn" && i > 0 && toks[i - 1].is_word("giai")))
            && let (Some(a), true, Some(b)) = (
                year_at(toks, i + 1),
                toks.get(i + 2).is_some_and(|t| t.is_dash()),
                year_at(toks, i + 3),
            )
        {
            let before = if i >= 2 { toks[i - 2].k() } else { "" };
            let role = if key == "đoạn" || matches!(before, "trong" | "cả" | "toàn") {
                Role::Plan
            } else {
                Role::Label
            };
            out.push(RawMention {
                start: i - 1,
                end: i + 4,
                shape: Shape::Term(a, b),
                year: Some(b),
                role,
            });
            i += 4;
            continue;
        }
        if let Some((shape, year, end)) = found {
            out.push(RawMention {
                start: i,
                end,
                shape,
                year,
                role: role_before(toks, i),
            });
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The year the body names most often (periods with a year, full dates), ignoring
/// comparisons, terms and the header line.
fn dominant_year(
    toks: &[Token],
    raw: &[RawMention],
    header: Option<(usize, usize)>,
) -> Option<i32> {
    let mut counts: HashMap<i32, (usize, usize)> = HashMap::new();
    let mut bump = |y: i32, at: usize| {
        let e = counts.entry(y).or_insert((0, at));
        e.0 += 1;
    };
    for m in raw {
        if matches!(m.role, Role::Comparison | Role::Label) {
            continue;
        }
        if let (Some(y), false) = (m.year, matches!(m.shape, Shape::Term(..))) {
            bump(y, m.start);
        }
    }
    for i in 0..toks.len() {
        if header.is_some_and(|(a, b)| (a..b).contains(&i)) {
            continue;
        }
        if toks[i].kind == Kind::Num
            && !(i > 0 && toks[i - 1].is_punct("/"))
            && let Some((_, _, Some(y), _)) = date_at(toks, i)
        {
            bump(y, i);
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(y, _)| y)
}

/// Level words and the level they name. Party committees name their unit's level.
const LEVELS: &[(&[&str], &str)] = &[
    (&["huyện", "ủy"], "huyện"),
    (&["tỉnh", "ủy"], "tỉnh"),
    (&["thành", "ủy"], "thành phố"),
    (&["thị", "ủy"], "thị xã"),
    (&["thành", "phố"], "thành phố"),
    (&["thị", "xã"], "thị xã"),
    (&["thị", "trấn"], "thị trấn"),
    (&["huyện"], "huyện"),
    (&["tỉnh"], "tỉnh"),
    (&["quận"], "quận"),
    (&["xã"], "xã"),
    (&["phường"], "phường"),
];

/// Title words after which "Huyện ủy Trần Văn Kỳ" names a person, not a place.
const TITLE_HEADS: &[&str] = &["thư", "tịch", "trưởng", "viên", "đốc", "phó"];

/// Common family names, to tell a person's name from a place name.
pub const SURNAMES: &[&str] = &[
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ",
    "hồ", "ngô", "dương", "lý", "đinh", "lương", "trịnh", "mai", "đào", "cao", "lâm", "hà", "chu",
    "triệu", "nông", "lò", "vi", "hứa", "tô", "tạ", "la", "quách", "thân", "lưu", "kiều", "lục",
    "mạc", "tăng", "đoàn", "phùng", "trương", "đàm", "hầu", "mông", "sầm", "văn", "lã", "khổng",
    "giáp", "âu", "doãn", "lạc", "vương", "thái", "tống", "từ", "diệp", "ninh", "đồng", "kim",
];

/// Named administrative units, as written ("huyện Bắc Sơn"), with the token where each
/// mention starts.
pub fn unit_mentions(text: &str, toks: &[Token]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let first = toks[i].k();
        if toks[i].kind != Kind::Word
            || !matches!(
                first,
                "huyện" | "tỉnh" | "thành" | "thị" | "quận" | "xã" | "phường"
            )
        {
            i += 1;
            continue;
        }
        let mut hit = None;
        for (keys, level) in LEVELS {
            if keys
                .iter()
                .enumerate()
                .all(|(k, w)| toks.get(i + k).is_some_and(|t| t.is_word(w)))
            {
                hit = Some((keys.len(), *level));
                break;
            }
        }
        let Some((n, level)) = hit else {
            i += 1;
            continue;
        };
        let mut j = i + n;
        let mut name: Vec<&Token> = Vec::new();
        while let Some(t) = toks.get(j) {
            if t.kind == Kind::Word && t.upper && name.len() < 4 {
                name.push(t);
                j += 1;
            } else {
                break;
            }
        }
        // "xã Sơn Kim 1", "xã Kỳ Anh 2": a short number ends the name, unless it is a figure
        // or a time ("xã Sơn Kim 3 thôn", "huyện Cẩm Xuyên 6 tháng").
        let numbered = !name.is_empty()
            && toks.get(j).is_some_and(|t| {
                t.kind == Kind::Num
                    && t.space_before
                    && !t.line_start
                    && t.key.len() <= 2
                    && t.key.bytes().all(|b| b.is_ascii_digit())
            })
            && toks
                .get(j + 1)
                .is_none_or(|n| ends_numbered_name(toks, j + 1, n));
        let titled = (i.saturating_sub(3)..i).any(|k| TITLE_HEADS.contains(&toks[k].k()));
        let looks_personal =
            name.len() >= 2 && name.first().is_some_and(|t| SURNAMES.contains(&t.k()));
        if !(name.is_empty() || (titled && looks_personal)) {
            let mut words: Vec<&str> = name.iter().map(|t| &text[t.start..t.end]).collect();
            if numbered {
                words.push(&text[toks[j].start..toks[j].end]);
                j += 1;
            }
            out.push((i, format!("{level} {}", words.join(" "))));
        }
        i = j.max(i + 1);
    }
    out
}

/// Words after a number that make it a figure or a time, not the end of a unit's name.
const AFTER_NAME_NUMBER: &[&str] = &[
    "tháng", "năm", "quý", "ngày", "tuần", "giờ", "phút", "lần", "đợt", "kỳ", "vụ", "lượt",
];

/// Whether token `k` (`t`), right after a number that follows a unit's name, leaves the number
/// part of the name: a word that is no unit, time or number word, or a comma, semicolon,
/// stop, colon, bracket or spaced dash.
fn ends_numbered_name(toks: &[Token], k: usize, t: &Token) -> bool {
    match t.kind {
        Kind::Word => {
            !AFTER_NAME_NUMBER.contains(&t.k())
                && match_unit(toks, k, toks.len()).is_none()
                && scale_word(t.k()).is_none()
                && number_word(t.k()).is_none()
        }
        Kind::Punct => {
            matches!(t.k(), "," | ";" | "." | ")" | ":") || (t.space_before && t.is_dash())
        }
        Kind::Num => false,
    }
}

/// The unit named most often; ties go to the one named first.
fn subject_unit(text: &str, toks: &[Token]) -> Option<String> {
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (at, name) in unit_mentions(text, toks) {
        let e = counts.entry(name).or_insert((0, at));
        e.0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(n, _)| n)
}
