//! Meetings ("Ban Chấp hành Đảng bộ huyện … lần thứ 12, khóa XXII") and people with their
//! titles ("đồng chí Nguyễn Quốc Đoàn, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy";
//! "Bí thư Huyện ủy Trần Văn Kỳ").

use crate::context::{DocContext, SURNAMES};
use crate::model::{Meeting, Person};
use crate::token::{Kind, Sentence, Token, sentences};

fn words_at(toks: &[Token], i: usize, keys: &[&str]) -> bool {
    keys.iter().enumerate().all(|(k, w)| {
        toks.get(i + k)
            .is_some_and(|t| t.kind == Kind::Word && t.key == *w)
    })
}

fn slice(text: &str, toks: &[Token], a: usize, b: usize) -> String {
    if a >= b || b > toks.len() {
        return String::new();
    }
    text[toks[a].start..toks[b - 1].end].to_string()
}

/// Bodies that meet, as key sequences; the level word after them is included when present.
const BODIES: &[&[&str]] = &[
    &["ban", "chấp", "hành", "đảng", "bộ"],
    &["ban", "thường", "vụ"],
    &["ban", "tổ", "chức"],
    &["ban", "tuyên", "giáo"],
    &["ban", "dân", "vận"],
    &["ban", "nội", "chính"],
    &["ủy", "ban", "kiểm", "tra"],
    &["thường", "trực"],
    &["hội", "đồng", "nhân", "dân"],
    &["hđnd"],
    &["ủy", "ban", "nhân", "dân"],
    &["ubnd"],
    &["đảng", "ủy"],
];

/// Party committees that hold meetings in their own name.
const COMMITTEES: &[&[&str]] = &[
    &["huyện", "ủy"],
    &["tỉnh", "ủy"],
    &["thành", "ủy"],
    &["thị", "ủy"],
];

const LEVEL_WORDS: &[&[&str]] = &[
    &["huyện", "ủy"],
    &["tỉnh", "ủy"],
    &["thành", "ủy"],
    &["thị", "ủy"],
    &["đảng", "ủy"],
    &["thành", "phố"],
    &["thị", "xã"],
    &["huyện"],
    &["tỉnh"],
    &["xã"],
];

const MEETING_WORDS: &[&[&str]] = &[
    &["hội", "nghị"],
    &["kỳ", "họp"],
    &["phiên", "họp"],
    &["làm", "việc"],
];

const PURPOSE_VERBS: &[&[&str]] = &[
    &["sơ", "kết"],
    &["tổng", "kết"],
    &["đánh", "giá"],
    &["kiểm", "tra"],
    &["triển", "khai"],
    &["thảo", "luận"],
    &["thông", "qua"],
    &["quán", "triệt"],
    &["bàn"],
    &["cho", "ý", "kiến"],
    &["xem", "xét"],
];

fn roman(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C'))
}

/// The meeting the text reports, if it names one.
pub fn find_meetings(text: &str, toks: &[Token], ctx: &DocContext) -> Vec<Meeting> {
    let sents = sentences(toks);
    let has_meeting_word =
        |s: &Sentence| (s.start..s.end).any(|i| MEETING_WORDS.iter().any(|w| words_at(toks, i, w)));
    let chosen = ctx
        .meeting_date_at
        .and_then(|(at, _)| sents.iter().find(|s| s.start <= at && at < s.end))
        .filter(|s| has_meeting_word(s))
        .or_else(|| sents.iter().find(|s| has_meeting_word(s)));
    let Some(s) = chosen else {
        return Vec::new();
    };
    let mut body = None;
    let mut session = None;
    let mut term = None;
    let mut purpose_at = None;
    for i in s.start..s.end {
        if body.is_none()
            && let Some(b) = BODIES.iter().find(|b| words_at(toks, i, b))
        {
            let mut end = i + b.len();
            if let Some(l) = LEVEL_WORDS.iter().find(|l| words_at(toks, end, l)) {
                end += l.len();
            }
            // "Thường trực" alone is not a body.
            if end > i + 2 || b.len() > 2 || b[0] != "thường" {
                body = Some(slice(text, toks, i, end));
            }
        }
        if session.is_none() && words_at(toks, i, &["lần", "thứ"]) {
            session = toks
                .get(i + 2)
                .filter(|t| t.kind == Kind::Num)
                .and_then(|t| t.key.parse::<u32>().ok());
        }
        if session.is_none() && words_at(toks, i, &["kỳ", "họp", "thứ"]) {
            session = toks
                .get(i + 3)
                .filter(|t| t.kind == Kind::Num)
                .and_then(|t| t.key.parse::<u32>().ok());
        }
        if term.is_none()
            && (toks[i].is_word("khóa"))
            && let Some(t) = toks.get(i + 1)
        {
            let raw = &text[t.start..t.end];
            if roman(raw) {
                term = Some(raw.to_string());
            }
        }
        if purpose_at.is_none() && PURPOSE_VERBS.iter().any(|v| words_at(toks, i, v)) {
            purpose_at = Some(i);
        }
    }
    let purpose = purpose_at.map(|a| {
        let mut end = s.end;
        while end > a && toks[end - 1].kind == Kind::Punct {
            end -= 1;
        }
        slice(text, toks, a, end)
    });
    // "Huyện ủy Văn Quan tổ chức hội nghị": the committee itself, when no body of it is named.
    let committee = || {
        (s.start..s.end).find_map(|i| {
            COMMITTEES
                .iter()
                .find(|w| words_at(toks, i, w))
                .map(|w| slice(text, toks, i, i + w.len()))
        })
    };
    let Some(body) = body.or_else(committee).or_else(|| {
        (s.start..s.end).find_map(|i| {
            MEETING_WORDS
                .iter()
                .find(|w| words_at(toks, i, w))
                .map(|w| slice(text, toks, i, i + w.len()))
        })
    }) else {
        return Vec::new();
    };
    vec![Meeting {
        body,
        unit: ctx.subject_unit.clone(),
        session,
        term,
        date: ctx.meeting_date,
        purpose,
    }]
}

/// Title heads.
const TITLES: &[&[&str]] = &[
    &["tỉnh", "ủy", "viên"],
    &["huyện", "ủy", "viên"],
    &["thành", "ủy", "viên"],
    &["đảng", "ủy", "viên"],
    &["phó", "bí", "thư"],
    &["bí", "thư"],
    &["phó", "chủ", "tịch"],
    &["chủ", "tịch"],
    &["ủy", "viên"],
    &["phó", "trưởng", "ban"],
    &["trưởng", "ban"],
    &["phó", "giám", "đốc"],
    &["giám", "đốc"],
    &["trưởng", "phòng"],
    &["phó", "chánh", "văn", "phòng"],
    &["chánh", "văn", "phòng"],
    &["phó", "trưởng", "phòng"],
    &["phó", "chánh", "thanh", "tra"],
    &["chánh", "thanh", "tra"],
    &["chỉ", "huy", "trưởng"],
    &["phó", "chủ", "nhiệm"],
    &["bộ", "trưởng"],
    &["thứ", "trưởng"],
    &["chủ", "nhiệm"],
    &["đại", "biểu", "quốc", "hội"],
];

/// Lower-case words that may stand inside a title ("Bí thư Huyện ủy", "Chủ tịch UBND huyện").
const TITLE_WORDS: &[&str] = &[
    "ủy",
    "ban",
    "thường",
    "vụ",
    "trực",
    "chấp",
    "hành",
    "tỉnh",
    "huyện",
    "xã",
    "thành",
    "phố",
    "thị",
    "trấn",
    "đảng",
    "bộ",
    "nhân",
    "dân",
    "hội",
    "đồng",
    "mặt",
    "trận",
    "tổ",
    "quốc",
    "trung",
    "ương",
    "kiểm",
    "tra",
    "tuyên",
    "giáo",
    "vận",
    "chức",
    "nội",
    "chính",
    "ubnd",
    "hđnd",
    "mttq",
    "ủy ban",
    "khóa",
    "phòng",
];

/// A person's name at `i`: 2–4 capitalised words starting with a family name (or any
/// capitalised words when `any_start`). Returns the end token.
fn name_at(toks: &[Token], i: usize, any_start: bool) -> Option<usize> {
    let first = toks.get(i)?;
    if first.kind != Kind::Word || !first.upper {
        return None;
    }
    if !any_start && !SURNAMES.contains(&first.k()) {
        return None;
    }
    let mut j = i;
    while j < toks.len() && j - i < 4 && toks[j].kind == Kind::Word && toks[j].upper {
        j += 1;
    }
    (j - i >= 2).then_some(j)
}

/// A title at `i`: a head, then title words, stopping before a name. Returns the end token.
fn title_at(toks: &[Token], i: usize) -> Option<usize> {
    // Cheap test on the first word before trying every title.
    let first = toks.get(i)?;
    if first.kind != Kind::Word || !TITLES.iter().any(|t| t[0] == first.k()) {
        return None;
    }
    let head = TITLES.iter().find(|t| words_at(toks, i, t))?;
    let mut j = i + head.len();
    while let Some(t) = toks.get(j) {
        if t.kind != Kind::Word {
            break;
        }
        if t.upper && name_at(toks, j, false).is_some() {
            break;
        }
        if t.upper || TITLE_WORDS.contains(&t.k()) {
            j += 1;
        } else {
            break;
        }
    }
    Some(j)
}

/// People named with titles.
pub fn find_people(text: &str, toks: &[Token]) -> Vec<Person> {
    let mut people: Vec<Person> = Vec::new();
    let mut add = |name: String, titles: Vec<String>| {
        if let Some(p) = people.iter_mut().find(|p| p.name == name) {
            for t in titles {
                if !p.titles.contains(&t) {
                    p.titles.push(t);
                }
            }
        } else {
            people.push(Person { name, titles });
        }
    };
    // Titles read so far that stand before a name: "Phó Bí thư Thường trực Huyện ủy, Chủ tịch
    // HĐND huyện Lê Văn Khánh".
    let mut pending: Vec<String> = Vec::new();
    // Reads "TITLE, TITLE" from `j` (at a separator): the titles and the token after them.
    let titles_from = |mut j: usize| {
        let mut titles = Vec::new();
        while toks.get(j).is_some_and(|t| t.is_punct(",") || t.is_dash()) {
            match title_at(toks, j + 1) {
                Some(e) => {
                    titles.push(slice(text, toks, j + 1, e));
                    j = e;
                }
                None => break,
            }
        }
        (titles, j)
    };
    let mut i = 0;
    while i < toks.len() {
        // "các đồng chí: NAME, TITLE; NAME, TITLE, TITLE"
        if words_at(toks, i, &["đồng", "chí"]) && toks.get(i + 2).is_some_and(|t| t.is_punct(":"))
        {
            let mut j = i + 3;
            while let Some(end) = name_at(toks, j, false) {
                let (titles, after) = titles_from(end);
                add(slice(text, toks, j, end), titles);
                j = after;
                if toks.get(j).is_some_and(|t| t.is_punct(";")) {
                    j += 1;
                } else {
                    break;
                }
            }
            i = j.max(i + 3);
            continue;
        }
        // "đồng chí NAME, TITLE, TITLE", "ông NAME - TITLE", "bà NAME, TITLE"
        let lead = if words_at(toks, i, &["đồng", "chí"]) {
            2
        } else if toks[i].is_word("ông") || toks[i].is_word("bà") {
            1
        } else {
            0
        };
        if lead > 0
            && let Some(end) = name_at(toks, i + lead, lead == 2)
        {
            let name = slice(text, toks, i + lead, end);
            let (titles, j) = titles_from(end);
            add(name, titles);
            pending.clear();
            i = j.max(i + 1);
            continue;
        }
        // "TITLE NAME", "TITLE, TITLE NAME"
        if let Some(e) = title_at(toks, i) {
            if let Some(ne) = name_at(toks, e, false) {
                let mut titles = std::mem::take(&mut pending);
                titles.push(slice(text, toks, i, e));
                add(slice(text, toks, e, ne), titles);
                i = ne;
                continue;
            }
            if toks.get(e).is_some_and(|t| t.is_punct(",")) {
                pending.push(slice(text, toks, i, e));
                i = e + 1;
            } else {
                pending.clear();
                i = e.max(i + 1);
            }
            continue;
        }
        pending.clear();
        i += 1;
    }
    people.retain(|p| !p.titles.is_empty());
    people
}
