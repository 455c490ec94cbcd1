//! Key tasks (nhiệm vụ trọng tâm) proposed from conference text.
//!
//! A conference article states what is to be done next in a few recognisable shapes:
//!
//! - an introducer ending in a colon, then items separated by `;` up to the end of the
//!   sentence: "Các đại biểu thống nhất các nhiệm vụ trọng tâm thực hiện trong quý II/2023 với
//!   các nội dung: tập trung …; tiếp tục …; …", "… nhấn mạnh: Huyện cần …; …";
//! - the same introducer with the items on their own lines after it, with or without bullets
//!   (`- `, `+ `, `•`, `1.`, `a)`, `(1)`, "Một là, …");
//! - a subject and "cần" before the items: "Cùng với đó, huyện cần tiếp tục …; tăng cường …";
//! - a speaker and a directive verb: "Đồng chí Bí thư yêu cầu các ngành, địa phương tập trung
//!   …", optionally followed by further sentences that open with an action verb
//!   ("Tiếp tục làm tốt …. Đẩy mạnh …");
//! - a noun of tasks and "là": "nhiệm vụ trọng tâm thời gian tới là tiếp tục …; …";
//! - a sentence that opens with a coming period and lists actions: "Thời gian tới, huyện tập
//!   trung …; đẩy mạnh …".
//!
//! Each item becomes a [`ProposedTask`]: its text as written (whitespace collapsed), its span
//! in chars of the NFC text (the convention of facts), the period named in the introducer, a
//! guessed field from keyword lexicons, a guessed lead unit ("giao UBND huyện chủ trì"), and a
//! confidence. Items that report results ("đã hoàn thành …", "… được giữ vững") are not tasks.
//!
//! Field lexicon choices worth knowing: disaster prevention ("phòng chống lụt bão", "thiên
//! tai") counts as **kinh tế**, because district reports put it with agricultural production
//! and the agriculture office is its standing agency; traffic order ("trật tự an toàn giao
//! thông") counts as quốc phòng - an ninh, while roads and works ("giao thông nông thôn") are
//! kinh tế; administrative reform and the investment climate are kinh tế; political education
//! ("giáo dục chính trị tư tưởng") is xây dựng Đảng, ahead of the plain "giáo dục" of văn hóa -
//! xã hội (the longest phrase wins).

use crate::context::{DocContext, Role};
use crate::token::{Kind, Token};
use chitieu_core::period::Period;
use chitieu_core::task::TaskField;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One task proposed from the text, to be accepted or rejected by a reviewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedTask {
    /// The item as written, white space collapsed, without bullets or trailing punctuation.
    pub text: String,
    /// `[start, end)` in chars of the NFC text: exactly the characters of `text`.
    pub span: [usize; 2],
    /// The period the tasks are for, when the introducer names one ("quý II/2023").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The field guessed from the item's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<TaskField>,
    /// The unit named to lead it, as written ("UBND huyện").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_unit: Option<String>,
    /// How sure the reader is that this is a task: 0.5–0.95, in hundredths.
    pub confidence: f64,
}

/// Folded word sequences, built once from the lexicons below.
struct Lexicons {
    verbs: Vec<Vec<String>>,
    /// Indexes into `verbs` by first word, longest phrase first.
    verbs_by_first: std::collections::HashMap<String, Vec<usize>>,
    fields: Vec<(Vec<String>, TaskField)>,
}

fn words(phrase: &str) -> Vec<String> {
    chitieu_text::fold(phrase)
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn lexicons() -> &'static Lexicons {
    static LEX: OnceLock<Lexicons> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut verbs: Vec<Vec<String>> = ACTION_VERBS.iter().map(|p| words(p)).collect();
        verbs.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut fields: Vec<(Vec<String>, TaskField)> = Vec::new();
        for (list, field) in [
            (ECONOMY, TaskField::Economy),
            (CULTURE_SOCIETY, TaskField::CultureSociety),
            (DEFENCE_SECURITY, TaskField::DefenceSecurity),
            (PARTY_BUILDING, TaskField::PartyBuilding),
        ] {
            fields.extend(list.iter().map(|p| (words(p), field)));
        }
        fields.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        let mut verbs_by_first: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (k, v) in verbs.iter().enumerate() {
            if let Some(first) = v.first() {
                verbs_by_first.entry(first.clone()).or_default().push(k);
            }
        }
        Lexicons {
            verbs,
            verbs_by_first,
            fields,
        }
    })
}

/// Words an item of a task list opens with (after any subject and "cần").
const ACTION_VERBS: &[&str] = &[
    "tiếp tục",
    "tập trung",
    "đẩy mạnh",
    "đẩy nhanh",
    "tăng cường",
    "nâng cao",
    "thực hiện",
    "triển khai",
    "chỉ đạo",
    "lãnh đạo",
    "tổ chức",
    "xây dựng",
    "hoàn thành",
    "hoàn thiện",
    "phấn đấu",
    "rà soát",
    "bám sát",
    "phát huy",
    "khai thác",
    "huy động",
    "nhân rộng",
    "quan tâm",
    "chú trọng",
    "chú ý",
    "làm tốt",
    "giải quyết",
    "đảm bảo",
    "bảo đảm",
    "duy trì",
    "kiểm tra",
    "giám sát",
    "tuyên truyền",
    "quán triệt",
    "đôn đốc",
    "củng cố",
    "kiện toàn",
    "tháo gỡ",
    "giải phóng",
    "thu hút",
    "phát triển",
    "đổi mới",
    "cải thiện",
    "cải cách",
    "phòng",
    "phòng chống",
    "phòng ngừa",
    "chống",
    "khắc phục",
    "chuẩn bị",
    "chủ động",
    "theo dõi",
    "nắm chắc",
    "nắm bắt",
    "nắm",
    "làm rõ",
    "xử lý",
    "tổng kết",
    "sơ kết",
    "đánh giá",
    "ban hành",
    "vận động",
    "hướng dẫn",
    "hỗ trợ",
    "mở rộng",
    "thúc đẩy",
    "ưu tiên",
    "siết chặt",
    "quản lý",
    "đầu tư",
    "giải ngân",
    "thu",
    "kiểm soát",
    "ngăn chặn",
    "trấn áp",
    "tuần tra",
    "bảo vệ",
    "phối hợp",
    "tham mưu",
    "chăm lo",
    "chăm sóc",
    "giữ vững",
    "ổn định",
    "quyết liệt",
    "khẩn trương",
    "tích cực",
    "sớm",
    "kịp thời",
    "đề cao",
    "phát động",
    "chuyển đổi",
    "sắp xếp",
    "tiến hành",
    "đưa",
    "làm",
    "tạo",
    "gắn",
    "lập",
    "điều chỉnh",
    "bổ sung",
    "tranh thủ",
    "nghiên cứu",
    "đề xuất",
    "tăng",
    "giảm",
    "mở",
    "hoàn",
    "kết nạp",
    "cứng hóa",
    "kiên cố hóa",
    "tu sửa",
    "nâng cấp",
    "sửa chữa",
    "trồng",
    "tiêm",
    "vận hành",
    "số hóa",
    "ứng dụng",
    "học tập",
    "nghiêm túc",
    "thường xuyên",
    "đặc biệt",
    "nhất là",
    "cùng với đó",
    "chỉ",
];

const ECONOMY: &[&str] = &[
    "kinh tế",
    "thu ngân sách",
    "ngân sách",
    "thuế",
    "nợ thuế",
    "thu chi ngân sách",
    "đầu tư công",
    "vốn đầu tư",
    "giải ngân",
    "giải phóng mặt bằng",
    "mặt bằng",
    "đầu tư xây dựng",
    "xây dựng cơ bản",
    "công trình",
    "dự án",
    "sản xuất",
    "nông nghiệp",
    "nông lâm nghiệp",
    "lâm nghiệp",
    "cây trồng",
    "vụ đông xuân",
    "vụ hè thu",
    "vụ mùa",
    "sâu bệnh",
    "chống hạn",
    "chăn nuôi",
    "dịch bệnh gia súc",
    "bảo vệ rừng",
    "trồng rừng",
    "phòng cháy chữa cháy rừng",
    "nông thôn mới",
    "ntm",
    "ocop",
    "tái cơ cấu",
    "công nghiệp",
    "tiểu thủ công nghiệp",
    "thương mại",
    "dịch vụ",
    "du lịch",
    "doanh nghiệp",
    "hợp tác xã",
    "kinh doanh",
    "môi trường đầu tư",
    "thủ tục hành chính",
    "cải cách hành chính",
    "chuyển đổi số",
    "hạ tầng",
    "giao thông nông thôn",
    "đường giao thông",
    "thủy lợi",
    "quy hoạch",
    "đất đai",
    "tài nguyên",
    "khoáng sản",
    "môi trường",
    "lụt bão",
    "phòng chống lụt bão",
    "thiên tai",
    "phòng chống thiên tai",
    "tăng trưởng",
    "thu nhập",
    "tín dụng",
    "chương trình mục tiêu quốc gia",
    "thị trường",
    "giao thông",
    "nông thôn",
    "điện",
    "nước sạch",
    "xuất khẩu",
    "cửa khẩu",
    "kinh tế tập thể",
];

const CULTURE_SOCIETY: &[&str] = &[
    "văn hóa",
    "xã hội",
    "văn hóa xã hội",
    "văn hóa - xã hội",
    "năm học",
    "giáo dục",
    "giáo dục và đào tạo",
    "trường học",
    "trường",
    "phòng học",
    "học sinh",
    "y tế",
    "khám chữa bệnh",
    "khám bệnh",
    "chăm sóc sức khỏe",
    "dịch bệnh",
    "phòng chống dịch",
    "covid",
    "tiêm chủng",
    "an sinh xã hội",
    "an sinh",
    "giảm nghèo",
    "hộ nghèo",
    "chính sách xã hội",
    "người có công",
    "gia đình chính sách",
    "việc làm",
    "lao động",
    "đào tạo nghề",
    "thể dục thể thao",
    "thể thao",
    "gia đình",
    "trẻ em",
    "bảo hiểm y tế",
    "bảo hiểm xã hội",
    "phúc lợi",
    "di tích",
    "lễ hội",
    "thông tin truyền thông",
    "dân số",
];

const DEFENCE_SECURITY: &[&str] = &[
    "quốc phòng",
    "an ninh",
    "quốc phòng - an ninh",
    "an ninh chính trị",
    "quân sự",
    "tuyển quân",
    "giao quân",
    "tuyển chọn và gọi công dân nhập ngũ",
    "nhập ngũ",
    "dân quân",
    "dân quân tự vệ",
    "diễn tập",
    "trật tự an toàn xã hội",
    "trật tự xã hội",
    "tội phạm",
    "ma túy",
    "tệ nạn",
    "tệ nạn xã hội",
    "trật tự an toàn giao thông",
    "an toàn giao thông",
    "atgt",
    "antt",
    "tuần tra",
    "tuần tra kiểm soát",
    "phòng cháy chữa cháy",
    "pccc",
    "biên giới",
    "an ninh nông thôn",
    "khiếu nại tố cáo",
    "tiếp công dân",
];

const PARTY_BUILDING: &[&str] = &[
    "xây dựng đảng",
    "chỉnh đốn đảng",
    "hệ thống chính trị",
    "xây dựng hệ thống chính trị",
    "giáo dục chính trị tư tưởng",
    "chính trị tư tưởng",
    "tư tưởng",
    "tổ chức cơ sở đảng",
    "tổ chức đảng",
    "cơ sở đảng",
    "đảng viên",
    "phát triển đảng viên",
    "kết nạp đảng viên",
    "cấp ủy",
    "chi bộ",
    "đảng bộ",
    "kiểm tra giám sát",
    "kiểm tra, giám sát",
    "công tác kiểm tra",
    "nghị quyết đại hội",
    "nghị quyết",
    "chỉ thị",
    "quán triệt",
    "học tập và làm theo",
    "tư tưởng đạo đức phong cách hồ chí minh",
    "cán bộ",
    "công tác cán bộ",
    "tổ chức cán bộ",
    "quy hoạch cán bộ",
    "dân vận",
    "mặt trận",
    "đoàn thể",
    "thi đua",
    "phong trào thi đua",
    "bầu cử",
    "tuyên truyền",
    "năng lực lãnh đạo",
    "sức chiến đấu",
    "tinh giản biên chế",
    "bộ máy",
];

/// Words after which a colon opens a task list.
const INTRO_CUES: &[&str] = &[
    "nhiệm vụ",
    "giải pháp",
    "phương hướng",
    "nhấn mạnh",
    "đề nghị",
    "yêu cầu",
    "lưu ý",
    "chỉ đạo",
    "cần",
    "phải",
    "thời gian tới",
    "sắp tới",
    "việc cần làm",
    "kết luận",
    "giao",
];

/// Words in an introducer that make its list something other than tasks, unless it also
/// names tasks or solutions ("nhiệm vụ", "giải pháp").
const INTRO_NEGATIVE: &[&str] = &[
    "tồn tại",
    "hạn chế",
    "khó khăn",
    "vướng mắc",
    "kết quả",
    "chỉ tiêu",
    "nguyên nhân",
    "bất cập",
    "thành tựu",
    "đạt được",
];

/// Words in an introducer that make its list something other than tasks even when it names
/// tasks: "Một số nhiệm vụ còn chậm tiến độ như: …".
const STRONG_NEGATIVE: &[&str] = &[
    "chậm tiến độ",
    "còn chậm",
    "chưa hoàn thành",
    "chưa đạt",
    "chưa thực hiện",
    "đã hoàn thành",
];

/// Words that name a speaker before a directive verb.
const SPEAKERS: &[&str] = &[
    "đồng chí",
    "bí thư",
    "chủ tịch",
    "phó chủ tịch",
    "trưởng ban",
    "hội nghị",
    "thường trực",
    "ban thường vụ",
    "lãnh đạo",
    "ông",
    "bà",
    "tỉnh ủy",
    "huyện ủy",
    "thành ủy",
    "đảng ủy",
    "ubnd",
    "ủy ban",
    "kết luận",
];

/// Directive verbs after a speaker. ("chỉ đạo" is left out: "lãnh đạo, chỉ đạo thực hiện …"
/// mostly reports what was done; "chỉ đạo:" with a colon still opens a list.)
const DIRECTIVES: &[&str] = &["yêu cầu", "đề nghị", "nhấn mạnh", "lưu ý", "giao"];

/// Words a lead unit may open with.
const UNIT_HEADS: &[&str] = &[
    "ubnd",
    "ủy ban",
    "phòng",
    "ban",
    "sở",
    "công an",
    "văn phòng",
    "mặt trận",
    "hội",
    "huyện đoàn",
    "đoàn",
    "trung tâm",
    "đảng ủy",
    "chi cục",
    "kho bạc",
    "huyện ủy",
    "tỉnh ủy",
    "thành ủy",
    "ban chỉ huy",
    "bộ chỉ huy",
    "hđnd",
    "liên đoàn",
    "cơ quan",
    "các cơ quan",
    "các phòng",
    "các ban",
];

/// A phrase of folded words at token `i` (words only): its length in tokens.
fn phrase_at(toks: &[Token], i: usize, phrase: &[String]) -> bool {
    phrase.iter().enumerate().all(|(k, w)| {
        toks.get(i + k)
            .is_some_and(|t| t.kind == Kind::Word && t.key == w.as_str())
    })
}

fn any_phrase_at(toks: &[Token], i: usize, list: &[&str]) -> Option<usize> {
    let first = match toks.get(i) {
        Some(t) if t.kind == Kind::Word => t.k(),
        _ => return None,
    };
    list.iter().find_map(|p| {
        // Most phrases differ in their first word: reject them without splitting.
        let rest = p.strip_prefix(first)?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        let mut n = 0;
        for (k, w) in p.split_whitespace().enumerate() {
            if !toks
                .get(i + k)
                .is_some_and(|t| t.kind == Kind::Word && t.key == w)
            {
                return None;
            }
            n += 1;
        }
        Some(n)
    })
}

/// Whether any phrase of `list` occurs in `toks[a..b]`.
fn contains_any(toks: &[Token], a: usize, b: usize, list: &[&str]) -> bool {
    (a..b).any(|i| any_phrase_at(toks, i, list).is_some_and(|n| i + n <= b))
}

/// The length of the action verb at `i`, if one starts there.
fn verb_at(toks: &[Token], i: usize) -> Option<usize> {
    let t = toks.get(i)?;
    if t.kind != Kind::Word {
        return None;
    }
    let lex = lexicons();
    let candidates = lex.verbs_by_first.get(t.k())?;
    candidates
        .iter()
        .map(|&k| &lex.verbs[k])
        .find(|v| phrase_at(toks, i, v))
        .map(|v| v.len())
}

fn is_word(toks: &[Token], i: usize, w: &str) -> bool {
    toks.get(i).is_some_and(|t| t.is_word(w))
}

fn is_sentence_end(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.k(), "." | "!" | "?" | "...")
}

/// A line: a token range that starts at a line break.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// The paragraphs of the text. A line that opens with a lower-case word after a line that did
/// not end a sentence or a list item continues it (text wrapped at a fixed width).
fn lines(toks: &[Token]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        let wrapped = t.kind == Kind::Word
            && !t.upper
            && !matches!(
                toks[i.saturating_sub(1)].k(),
                "." | ":" | ";" | "!" | "?" | "..."
            )
            && marker_at(toks, i) == 0;
        if i > start && t.line_start && !wrapped {
            out.push(Line { start, end: i });
            start = i;
        }
    }
    if start < toks.len() {
        out.push(Line {
            start,
            end: toks.len(),
        });
    }
    out
}

/// Ordinal words of "Một là, … Hai là, …".
const ORDINALS: &[&str] = &[
    "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười",
];

/// The length of a list marker at token `i`: `-`, `+`, `•`, `*`, `1.`, `1)`, `a)`, `(1)`,
/// `Một là,`, `Thứ nhất,`. Zero when there is none.
fn marker_at(toks: &[Token], i: usize) -> usize {
    let Some(t) = toks.get(i) else { return 0 };
    let next = |k: usize| toks.get(i + k);
    let comma_after = |k: usize| usize::from(next(k).is_some_and(|t| t.is_punct(",")));
    match t.kind {
        Kind::Punct if matches!(t.k(), "-" | "+" | "•" | "*" | "·" | "▪" | "–" | "●") => 1,
        Kind::Punct if t.k() == "(" => {
            let inner = next(1).is_some_and(|n| {
                (n.kind == Kind::Num && n.k().len() <= 2)
                    || (n.kind == Kind::Word && n.k().chars().count() == 1)
            });
            if inner && next(2).is_some_and(|c| c.is_punct(")")) {
                3
            } else {
                0
            }
        }
        Kind::Num
            if t.k().len() <= 2
                && t.k().bytes().all(|b| b.is_ascii_digit())
                && next(1).is_some_and(|p| {
                    p.is_punct(".") || p.is_punct(")") || (p.is_dash() && !p.space_before)
                })
                && next(2).is_some_and(|w| w.kind == Kind::Word) =>
        {
            2
        }
        Kind::Word => {
            if ORDINALS.contains(&t.k()) && is_word(toks, i + 1, "là") {
                2 + comma_after(2)
            } else if t.k() == "thứ"
                && next(1).is_some_and(|n| matches!(n.k(), "nhất" | "hai" | "ba" | "tư" | "năm"))
                && next(2).is_some_and(|c| c.is_punct(","))
            {
                3
            } else if t.k().chars().count() == 1
                && next(1).is_some_and(|p| p.is_punct(")"))
                && !next(1).is_some_and(|p| p.space_before)
            {
                2
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Connectives an item may open with that are not part of the task.
const LEADING_CONNECTIVES: &[&str] = &[
    "đồng thời",
    "cùng với đó",
    "bên cạnh đó",
    "ngoài ra",
    "trong đó",
    "và",
    "cuối cùng",
];

/// How an item list was introduced.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Trigger {
    /// A colon (or "là") after a noun of tasks or solutions.
    TaskNoun,
    /// A colon after another cue ("nhấn mạnh:", "cần:").
    Colon,
    /// A speaker's directive verb.
    Directive,
    /// "… cần …".
    Need,
    /// A sentence opening with a coming period.
    Coming,
    /// Sentences that follow a list and open with an action verb.
    Continuation,
}

impl Trigger {
    fn base_confidence(self) -> f64 {
        match self {
            Trigger::TaskNoun => 0.9,
            Trigger::Colon | Trigger::Directive => 0.85,
            Trigger::Need => 0.8,
            Trigger::Continuation => 0.75,
            Trigger::Coming => 0.65,
        }
    }
}

/// What the list's introducer tells about all of its items.
#[derive(Debug, Clone)]
struct ListCtx {
    trigger: Trigger,
    period: Option<Period>,
    lead_unit: Option<String>,
}

struct Finder<'a, 't> {
    text: &'a str,
    toks: &'a [Token<'t>],
    ctx: &'a DocContext,
    out: Vec<ProposedTask>,
}

/// Finds the tasks proposed in a text. `text` must be the NFC text `toks` were made from.
pub fn find_tasks(text: &str, toks: &[Token], ctx: &DocContext) -> Vec<ProposedTask> {
    let mut f = Finder {
        text,
        toks,
        ctx,
        out: Vec::new(),
    };
    let lines = lines(toks);
    let skip_header = ctx.header_tokens;
    let mut li = 0;
    while li < lines.len() {
        let line = lines[li];
        if skip_header.is_some_and(|(a, _)| a == line.start) {
            li += 1;
            continue;
        }
        li = f.line(&lines, li);
    }
    f.out.sort_by_key(|t| t.span[0]);
    f.out.dedup_by_key(|t| t.span);
    f.out
}

impl Finder<'_, '_> {
    /// Reads line `li` (a paragraph); returns the next line to read (past any bullet lines the
    /// paragraph introduced).
    fn line(&mut self, lines: &[Line], li: usize) -> usize {
        let toks = self.toks;
        let line = lines[li];
        let mut active: Option<ListCtx> = None;
        let mut s = line.start;
        while s < line.end {
            // The sentence [s, e): up to and including its end mark(s).
            let mut e = s;
            while e < line.end && !is_sentence_end(&toks[e]) {
                // A number's list marker "1." at the start of a sentence does not end it.
                e += 1;
            }
            if e < line.end && e == s + 1 && marker_at(toks, s) == 2 {
                e += 1;
                while e < line.end && !is_sentence_end(&toks[e]) {
                    e += 1;
                }
            }
            let body_end = e;
            while e < line.end && is_sentence_end(&toks[e]) {
                e += 1;
            }
            let ended_by_ellipsis =
                toks[body_end..e].iter().any(|t| t.k() == "...") || e - body_end >= 2;
            if let Some(ctx) = active.clone() {
                let start = self.item_start(s, body_end);
                let ok = start.is_some_and(|st| verb_at(toks, st).is_some() || st > s);
                if ok && !self.reports_result(s, body_end) {
                    let ctx = ListCtx {
                        trigger: Trigger::Continuation,
                        ..ctx
                    };
                    self.items(s, body_end, &ctx);
                    s = e;
                    if ended_by_ellipsis {
                        active = None;
                    }
                    continue;
                }
                active = None;
            }
            // "… các nhiệm vụ trọng tâm như sau." ending the line: the items are the lines below.
            if e == line.end
                && body_end > s
                && toks[body_end - 1].is_word("sau")
                && contains_any(toks, s, body_end, &["nhiệm vụ", "giải pháp"])
                && !contains_any(toks, s, body_end, STRONG_NEGATIVE)
                && !self.past_intro(s, body_end)
            {
                let ctx = ListCtx {
                    trigger: Trigger::TaskNoun,
                    period: self.period_in(s, body_end),
                    lead_unit: self.lead_unit_in(s, body_end),
                };
                return self.bullet_lines(lines, li + 1, &ctx);
            }
            match self.trigger(s, body_end) {
                Some((items_at, ctx)) => {
                    if items_at >= body_end {
                        // "…: " ends the line: the items are the lines below.
                        if body_end == line.end && e == line.end {
                            return self.bullet_lines(lines, li + 1, &ctx);
                        }
                    } else {
                        self.items(items_at, body_end, &ctx);
                        if !ended_by_ellipsis {
                            active = Some(ctx);
                        }
                    }
                }
                None => active = None,
            }
            s = e;
        }
        li + 1
    }

    /// Lines after an introducer ending in a colon: each line with a list marker, or opening
    /// with an action verb, is one task; the first other line ends the list.
    fn bullet_lines(&mut self, lines: &[Line], mut li: usize, ctx: &ListCtx) -> usize {
        let toks = self.toks;
        while li < lines.len() {
            let line = lines[li];
            let m = marker_at(toks, line.start);
            let after_subject = self.skip_subject(line.start + m, line.end);
            let opens_with_verb = verb_at(toks, after_subject).is_some();
            if m == 0 && !opens_with_verb {
                break;
            }
            // "- Huyện cần tập trung …" reads as "tập trung …", as in a list on one line.
            let start = if opens_with_verb {
                after_subject
            } else {
                line.start + m
            };
            if self.reports_result(start, line.end) {
                break;
            }
            let mut end = line.end;
            while end > start && matches!(toks[end - 1].k(), "." | ";" | "," | "..." | ":") {
                end -= 1;
            }
            self.push_item(start, end, ctx, true);
            li += 1;
        }
        li
    }

    /// Where a sentence's items start when it continues a list: after a marker, connective,
    /// subject and "cần".
    fn item_start(&self, a: usize, b: usize) -> Option<usize> {
        let toks = self.toks;
        let mut i = a + marker_at(toks, a);
        if let Some(n) = any_phrase_at(toks, i, LEADING_CONNECTIVES) {
            i += n;
            if toks.get(i).is_some_and(|t| t.is_punct(",")) {
                i += 1;
            }
        }
        let i = self.skip_subject(i, b);
        (i < b && verb_at(toks, i).is_some()).then_some(i)
    }

    /// Skips "Huyện Bắc Sơn cần", "các cấp, các ngành cần phải" before an action verb.
    fn skip_subject(&self, a: usize, b: usize) -> usize {
        let toks = self.toks;
        if verb_at(toks, a).is_some() && !is_word(toks, a, "phòng") {
            return a;
        }
        let lim = (a + 10).min(b);
        for k in a..lim {
            if toks[k].kind == Kind::Punct && matches!(toks[k].k(), ";" | ":" | "." | "(") {
                break;
            }
            if toks[k].is_word("cần") || (toks[k].is_word("phải") && k > a) {
                let mut j = k + 1;
                if is_word(toks, j, "phải") {
                    j += 1;
                }
                if verb_at(toks, j).is_some() {
                    return j;
                }
            }
        }
        a
    }

    /// Whether `[a, b)` opens with a short subject and then an action verb: "các xã tăng cường
    /// …", "Công an huyện chủ trì mở đợt …".
    fn subject_then_verb(&self, a: usize, b: usize) -> bool {
        let toks = self.toks;
        let subject_word = |t: &Token| {
            t.upper
                || matches!(
                    t.k(),
                    "các"
                        | "xã"
                        | "huyện"
                        | "ngành"
                        | "cấp"
                        | "địa"
                        | "phương"
                        | "đơn"
                        | "vị"
                        | "cơ"
                        | "quan"
                        | "thị"
                        | "trấn"
                        | "thôn"
                        | "ủy"
                        | "ban"
                        | "mỗi"
                        | "từng"
                        | "chính"
                        | "quyền"
                        | "tổ"
                        | "chức"
                        | "đoàn"
                        | "thể"
                        | "trường"
                )
        };
        let lim = b.min(a + 7);
        let Some(v) = (a + 1..lim).find(|&k| {
            toks[k].kind == Kind::Word && !toks[k].upper && verb_at(toks, k).is_some()
                || any_phrase_at(toks, k, &["chủ trì"]).is_some()
        }) else {
            return false;
        };
        // A named office ("Công an huyện", "Phòng Tài chính - Kế hoạch") may hold any words.
        let named = toks[a].upper || any_phrase_at(toks, a, UNIT_HEADS).is_some();
        (a..v).all(|k| {
            (toks[k].kind == Kind::Word && (named || subject_word(&toks[k])))
                || toks[k].is_punct(",")
                || toks[k].is_dash()
        })
    }

    /// Whether a stretch reports what was done rather than what is to be done: "đã …",
    /// "… được …" near its start, or a result figure.
    fn reports_result(&self, a: usize, b: usize) -> bool {
        let toks = self.toks;
        let head = (a..b.min(a + 6)).any(|k| {
            toks[k].is_word("đã")
                || (toks[k].is_word("được") && !is_word(toks, k + 1, "giao"))
                || toks[k].is_word("vừa")
        });
        head || contains_any(toks, a, b, &["đạt được", "đã đạt"])
    }

    /// Finds an introducer in sentence `[a, b)`: where its items start, and the list context.
    fn trigger(&self, a: usize, b: usize) -> Option<(usize, ListCtx)> {
        let toks = self.toks;
        // A colon (or "là") after a cue.
        for c in a..b {
            let colon = toks[c].is_punct(":");
            let la = toks[c].is_word("là")
                && c > a
                && contains_any(
                    toks,
                    a.max(c.saturating_sub(10)),
                    c,
                    &["nhiệm vụ", "giải pháp"],
                )
                && verb_at(toks, c + 1).is_some();
            if !(colon || la) {
                continue;
            }
            let task_noun = contains_any(toks, a, c, &["nhiệm vụ", "giải pháp", "phương hướng"]);
            // "tập trung:" introduces only right before the colon ("tập trung thảo luận,
            // làm rõ: …" does not).
            let focus = c >= a + 2 && toks[c - 2].is_word("tập") && toks[c - 1].is_word("trung");
            let cue = task_noun || focus || contains_any(toks, a, c, INTRO_CUES);
            let negative = (contains_any(toks, a, c, INTRO_NEGATIVE) && !task_noun)
                || contains_any(toks, a, c, STRONG_NEGATIVE);
            let past = self.past_intro(a, c);
            if !cue || negative || past {
                // Only the first colon of a sentence introduces.
                if colon {
                    return None;
                }
                continue;
            }
            let trigger = if task_noun {
                Trigger::TaskNoun
            } else {
                Trigger::Colon
            };
            let ctx = ListCtx {
                trigger,
                period: self.period_in(a, c),
                lead_unit: self.lead_unit_in(a, c),
            };
            return Some((c + 1, ctx));
        }
        // A speaker's directive: "Đồng chí … yêu cầu các ngành, địa phương tập trung …".
        for d in a..b {
            let Some(n) = any_phrase_at(toks, d, DIRECTIVES) else {
                continue;
            };
            let before = |w: &str| d > a && toks[d - 1].is_word(w);
            if before("theo") || before("các") || before("những") || before("được") {
                continue;
            }
            // The speaker in the same clause.
            let clause_start = (a..d)
                .rev()
                .find(|&i| toks[i].is_punct(";"))
                .map(|i| i + 1)
                .unwrap_or(a);
            if !contains_any(toks, clause_start, d, SPEAKERS) || self.past_intro(a, d) {
                continue;
            }
            // The addressee, then the first action verb.
            let mut v = d + n;
            if is_word(toks, v, "cho") {
                v += 1;
            }
            let addressee_start = v;
            // A verb inside a capitalised name ("Phòng Nông nghiệp và Phát triển nông thôn") is
            // part of the addressee.
            while v < b && (verb_at(toks, v).is_none() || toks[v].upper) {
                if toks[v].kind == Kind::Punct && matches!(toks[v].k(), ";" | ":") {
                    break;
                }
                v += 1;
            }
            if v >= b
                || v - addressee_start > 12
                || toks[v].kind == Kind::Punct
                || toks[addressee_start..v].iter().any(|t| t.kind == Kind::Num)
            {
                continue;
            }
            let lead = self.unit_phrase(addressee_start, v);
            let ctx = ListCtx {
                trigger: Trigger::Directive,
                period: self.period_in(a, b.min(v + 40)),
                lead_unit: lead,
            };
            let v = self.skip_subject(v, b);
            return Some((v, ctx));
        }
        // "… cần …": a short subject, then "cần" and an action verb.
        for k in a..b.min(a + 14) {
            if !toks[k].is_word("cần") {
                continue;
            }
            let clause_start = (a..k)
                .rev()
                .find(|&i| toks[i].is_punct(",") || toks[i].is_punct(";"))
                .map(|i| i + 1)
                .unwrap_or(a);
            if k == clause_start
                || contains_any(
                    toks,
                    clause_start,
                    k,
                    &[
                        "nhiệm vụ",
                        "giải pháp",
                        "mục tiêu",
                        "việc",
                        "vấn đề",
                        "nội dung",
                        "đã",
                        "những",
                        "trọng tâm",
                    ],
                )
            {
                continue;
            }
            let mut j = k + 1;
            if is_word(toks, j, "phải") {
                j += 1;
            }
            if verb_at(toks, j).is_none() || b - j < 4 {
                continue;
            }
            let ctx = ListCtx {
                trigger: Trigger::Need,
                period: self.period_in(a, k),
                lead_unit: None,
            };
            return Some((j, ctx));
        }
        // A coming period first, then actions: "Thời gian tới, huyện tập trung …; …".
        let first_comma = (a..b.min(a + 12)).find(|&i| toks[i].is_punct(","))?;
        let coming = contains_any(
            toks,
            a,
            first_comma,
            &["thời gian tới", "sắp tới", "tới đây"],
        ) || self.periods_within(a, first_comma).iter().any(|m| {
            !matches!(m.role, Role::Comparison | Role::Label) && self.ctx.is_future(&m.period)
        });
        if !coming {
            return None;
        }
        let semis = (first_comma..b).filter(|&i| toks[i].is_punct(";")).count();
        let start = self.skip_subject_loose(first_comma + 1, b)?;
        if semis == 0 {
            return None;
        }
        let ctx = ListCtx {
            trigger: Trigger::Coming,
            period: self.period_in(a, first_comma),
            lead_unit: None,
        };
        Some((start, ctx))
    }

    /// After a coming period: "huyện tập trung …", "các cấp, các ngành cần …" → the verb.
    fn skip_subject_loose(&self, a: usize, b: usize) -> Option<usize> {
        let toks = self.toks;
        let s = self.skip_subject(a, b);
        if verb_at(toks, s).is_some() && !is_word(toks, s, "phòng") {
            return Some(s);
        }
        (a..b.min(a + 6)).find(|&i| {
            verb_at(toks, i).is_some() && toks[i].kind == Kind::Word && !is_word(toks, i, "phòng")
        })
    }

    /// Whether an introducer tells of the past: "đã" with no decision or coming time.
    fn past_intro(&self, a: usize, c: usize) -> bool {
        let toks = self.toks;
        let has_da = (a..c).any(|k| toks[k].is_word("đã"));
        // "Trong 6 tháng đầu năm, huyện tập trung chỉ đạo: …" reviews the period under way.
        let reviewed_period = self
            .periods_within(a, c)
            .iter()
            .any(|m| m.role == Role::Actual && !self.ctx.is_future(&m.period))
            || contains_any(
                toks,
                a,
                c,
                &[
                    "đầu năm",
                    "thời gian qua",
                    "vừa qua",
                    "năm qua",
                    "tháng qua",
                ],
            );
        if !has_da && !reviewed_period {
            return false;
        }
        let decided = contains_any(
            toks,
            a,
            c,
            &[
                "thống nhất",
                "thảo luận",
                "đề ra",
                "nhấn mạnh",
                "đề nghị",
                "yêu cầu",
                "xác định",
                "bàn",
                "thông qua",
                "kết luận",
                "thời gian tới",
                "sắp tới",
                "cuối năm",
            ],
        );
        let coming = self
            .periods_within(a, c)
            .iter()
            .any(|m| self.ctx.is_future(&m.period));
        !(decided || coming)
    }

    /// The period mentions lying within tokens `[a, b)`. The mentions are in text order, so
    /// this is a binary search: a long document stays linear.
    fn periods_within(&self, a: usize, b: usize) -> &[crate::context::PeriodMention] {
        let ps = &self.ctx.periods;
        let lo = ps.partition_point(|m| m.start < a);
        let hi = ps.partition_point(|m| m.start < b);
        let within = &ps[lo..hi.max(lo)];
        let keep = within.iter().take_while(|m| m.end <= b).count();
        &within[..keep]
    }

    /// The period named in `[a, b)`, other than a comparison or a label.
    fn period_in(&self, a: usize, b: usize) -> Option<Period> {
        self.periods_within(a, b)
            .iter()
            .filter(|m| !matches!(m.role, Role::Comparison | Role::Label))
            .map(|m| m.period)
            .next_back()
    }

    /// A lead unit named in `[a, b)`: "giao UBND huyện chủ trì", "UBND huyện chủ trì, phối hợp".
    fn lead_unit_in(&self, a: usize, b: usize) -> Option<String> {
        let toks = self.toks;
        for k in a..b {
            if toks[k].is_word("giao") {
                let mut s = k + 1;
                if is_word(toks, s, "cho") {
                    s += 1;
                }
                let mut e = s;
                while e < b
                    && (toks[e].kind != Kind::Punct || toks[e].is_dash())
                    && (verb_at(toks, e).is_none() || toks[e].upper)
                {
                    e += 1;
                }
                if let Some(u) = self.unit_phrase(s, e) {
                    return Some(u);
                }
            }
            if toks[k].is_word("chủ") && is_word(toks, k + 1, "trì") {
                let s = (a..k)
                    .rev()
                    .find(|&i| {
                        toks[i].kind == Kind::Punct
                            || matches!(toks[i].k(), "giao" | "do" | "cho" | "đề" | "nghị")
                    })
                    .map(|i| i + 1)
                    .unwrap_or(a);
                if let Some(u) = self.unit_phrase(s, k) {
                    return Some(u);
                }
            }
        }
        None
    }

    /// `[a, b)` as a unit's name when it opens with a unit's head word ("UBND huyện",
    /// "Phòng Tài chính - Kế hoạch", "Công an huyện").
    fn unit_phrase(&self, a: usize, b: usize) -> Option<String> {
        let toks = self.toks;
        if a >= b || b > toks.len() {
            return None;
        }
        any_phrase_at(toks, a, UNIT_HEADS)?;
        // The name ends before what the unit is asked to do.
        let mut e = (a + 1..b)
            .find(|&k| {
                any_phrase_at(toks, k, &["chủ trì", "phối hợp", "tham mưu", "thực hiện"]).is_some()
            })
            .unwrap_or(b);
        while e > a && toks[e - 1].kind == Kind::Punct {
            e -= 1;
        }
        if e == a || e - a > 10 {
            return None;
        }
        Some(collapse(&self.text[toks[a].start..toks[e - 1].end]))
    }

    /// Splits `[a, b)` at `;` and records each item that reads as a task.
    fn items(&mut self, a: usize, b: usize, ctx: &ListCtx) {
        let toks = self.toks;
        let mut s = a;
        for k in a..=b {
            if toks.get(k).is_none_or(|t| k == b || t.is_punct(";")) {
                if k > s {
                    self.clause(s, k, ctx);
                }
                s = k + 1;
            }
        }
    }

    /// One `;`-separated clause: cleaned, checked, recorded.
    fn clause(&mut self, a: usize, b: usize, ctx: &ListCtx) {
        let toks = self.toks;
        let mut s = a;
        // Markers and connectives.
        loop {
            let m = marker_at(toks, s);
            if m > 0 {
                s += m;
                continue;
            }
            if let Some(n) = any_phrase_at(toks, s, LEADING_CONNECTIVES) {
                // "cùng với đó" is a connective; a verb after "và" is the task.
                s += n;
                if toks.get(s).is_some_and(|t| t.is_punct(",")) {
                    s += 1;
                }
                continue;
            }
            break;
        }
        let s = self.skip_subject(s, b);
        let mut e = b;
        while e > s && matches!(toks[e - 1].k(), "." | "," | "..." | ":" | "!" | "?") {
            e -= 1;
        }
        if e <= s {
            return;
        }
        let opens_with_verb = verb_at(toks, s).is_some() || self.subject_then_verb(s, e);
        self.push_item(s, e, ctx, opens_with_verb);
    }

    /// Records `[a, b)` as a task if it reads as one. Returns whether it did.
    fn push_item(&mut self, a: usize, b: usize, ctx: &ListCtx, opens_with_verb: bool) -> bool {
        let toks = self.toks;
        let words = (a..b).filter(|&k| toks[k].kind == Kind::Word).count();
        if words < 3 || self.reports_result(a, b) {
            return false;
        }
        // An item that opens with no action verb is taken only from a list the introducer
        // calls tasks or solutions, and not when it names results, shortcomings or causes.
        if !opens_with_verb
            && (ctx.trigger != Trigger::TaskNoun
                || words < 4
                || any_phrase_at(
                    toks,
                    a,
                    &[
                        "những",
                        "kết quả",
                        "tình hình",
                        "nguyên nhân",
                        "tồn tại",
                        "hạn chế",
                    ],
                )
                .is_some())
        {
            return false;
        }
        let mut confidence = ctx.trigger.base_confidence();
        if !opens_with_verb {
            confidence -= 0.25;
        }
        if words < 5 {
            confidence -= 0.1;
        }
        let text = collapse(&self.text[toks[a].start..toks[b - 1].end]);
        let lead_unit = self.lead_unit_in(a, b).or_else(|| ctx.lead_unit.clone());
        self.out.push(ProposedTask {
            field: guess_field(toks, a, b),
            text,
            span: [toks[a].cstart, toks[b - 1].cend],
            period: ctx.period,
            lead_unit,
            confidence: (confidence * 100.0).round() / 100.0,
        });
        true
    }
}

/// White space collapsed to single spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field whose lexicon phrases cover the most words of `[a, b)`, longest phrase first;
/// on a tie, the field named first in the item.
fn guess_field(toks: &[Token], a: usize, b: usize) -> Option<TaskField> {
    let lex = lexicons();
    let mut score: [(usize, usize); 4] = [(0, usize::MAX); 4];
    let mut i = a;
    while i < b {
        let hit = lex
            .fields
            .iter()
            .find(|(w, _)| i + w.len() <= b && phrase_at(toks, i, w));
        match hit {
            Some((w, f)) => {
                let slot = TaskField::ALL.iter().position(|x| x == f).unwrap_or(0);
                score[slot].0 += w.len();
                score[slot].1 = score[slot].1.min(i);
                i += w.len();
            }
            None => i += 1,
        }
    }
    TaskField::ALL
        .iter()
        .zip(score)
        .filter(|(_, (n, _))| *n > 0)
        .max_by(|(_, (n1, at1)), (_, (n2, at2))| n1.cmp(n2).then(at2.cmp(at1)))
        .map(|(f, _)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::DocContext;
    use crate::token::tokenize;

    fn run(text: &str) -> Vec<ProposedTask> {
        let text = chitieu_text::nfc(text);
        let toks = tokenize(&text);
        let ctx = DocContext::build(&text, &toks);
        find_tasks(&text, &toks, &ctx)
    }

    #[test]
    fn spans_cover_the_text() {
        let text = "Ngày 7/4/2023, hội nghị diễn ra.\nCác đại biểu thống nhất các nhiệm vụ trọng tâm quý II/2023 với các nội dung: tập trung đẩy mạnh thu ngân sách; thực hiện tốt công tác giáo dục chính trị tư tưởng cho đảng viên…";
        let got = run(text);
        assert_eq!(got.len(), 2, "{got:#?}");
        let chars: Vec<char> = text.chars().collect();
        for t in &got {
            let s: String = chars[t.span[0]..t.span[1]].iter().collect();
            assert_eq!(s, t.text);
        }
        assert_eq!(got[0].field, Some(TaskField::Economy));
        assert_eq!(got[1].field, Some(TaskField::PartyBuilding));
        assert_eq!(
            got[0].period.map(|p| p.to_string()).as_deref(),
            Some("2023-Q2")
        );
    }

    #[test]
    fn disaster_prevention_is_economy() {
        let lex = lexicons();
        let f = lex
            .fields
            .iter()
            .find(|(w, _)| w.join(" ") == "phòng chống lụt bão")
            .map(|(_, f)| *f);
        assert_eq!(f, Some(TaskField::Economy));
    }
}
