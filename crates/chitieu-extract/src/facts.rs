//! Giving figures their meaning: measure, qualifier, comparison, indicator and period.

use crate::context::{DocContext, PeriodMention, Role};
use crate::figures::{Figure, find_figures};
use crate::lexicon::{UnitKind, match_unit};
use crate::model::{Approx, Fact, Measure};
use crate::phrases::{PhraseIndex, PhraseMatch};
use crate::token::{Kind, Sentence, Token, sentences};
use chitieu_core::period::Period;
use chitieu_text::DecimalMark;
use rust_decimal::Decimal;

/// Everything the fact finder reads.
pub struct Doc<'a> {
    pub text: &'a str,
    pub toks: &'a [Token<'a>],
    pub index: &'a PhraseIndex,
    pub ctx: &'a DocContext,
    pub mark: DecimalMark,
}

/// What the words before a figure say.
#[derive(Debug, Default)]
struct Before {
    approx: Option<Approx>,
    /// The nearest verb and its token.
    verb: Option<(&'static str, usize)>,
    /// "trong 20 chỉ tiêu": the figure frames a count, it is not one.
    framing: bool,
    /// "tại 4 xã": a place, not a result.
    location: bool,
    /// Token where the qualifier words start.
    start: usize,
    /// "vượt kế hoạch 15%": what the figure is measured against, named before it.
    plan: Option<&'static str>,
}

const VERBS: &[&str] = &[
    "tăng", "giảm", "vượt", "bằng", "còn", "lên", "chiếm", "đạt", "được", "là",
];
const FILLERS: &[&str] = &[
    "thêm", "mới", "bình", "quân", "có", "thực", "hiện", "tính", "sẽ", "chỉ", "mức", "hết", "tổng",
    "cộng", "ở", "xuống", "gấp", "tương", "đương", "với", "từ", "lên", "nay", "đã",
];

fn read_before(toks: &[Token], start: usize, lo: usize) -> Before {
    let mut b = Before {
        start,
        ..Before::default()
    };
    let mut k = start;
    let floor = lo.max(start.saturating_sub(7));
    while k > floor {
        k -= 1;
        let t = &toks[k];
        if t.kind != Kind::Word {
            break;
        }
        let key = t.k();
        let prev = if k > 0 { toks[k - 1].k() } else { "" };
        let q = match key {
            "trên" | "hơn" => Some(Approx::Above),
            "gần" | "dưới" => Some(Approx::Below),
            "khoảng" | "chừng" => Some(Approx::About),
            "xỉ" if prev == "xấp" => Some(Approx::About),
            // "ước", "ước tính", "dự ước", "dự kiến": a figure not yet final.
            "ước" => Some(Approx::Estimated),
            "kiến" if prev == "dự" => Some(Approx::Estimated),
            _ => None,
        };
        if let Some(q) = q {
            b.approx.get_or_insert(q);
            if key == "kiến" {
                k -= 1;
            }
            b.start = k;
            continue;
        }
        if key == "xấp" {
            b.start = k;
            continue;
        }
        // "vượt kế hoạch 15%", "vượt dự toán 20%": the plan between the verb and the figure.
        let plan = match (prev, key) {
            ("kế", "hoạch") => Some("plan"),
            ("dự", "toán") => Some("estimate"),
            ("chỉ", "tiêu") => Some("target"),
            _ => None,
        };
        if let Some(p) = plan
            && b.verb.is_none()
            && b.plan.is_none()
            && k >= 2
            && k - 1 > floor
            && matches!(toks[k - 2].k(), "vượt" | "đạt")
        {
            b.plan = Some(p);
            k -= 1;
            continue;
        }
        if let Some(v) = VERBS.iter().find(|v| **v == key) {
            if b.verb.is_none() {
                b.verb = Some((v, k));
            }
            continue;
        }
        if key == "trong" && b.verb.is_none() {
            b.framing = true;
            break;
        }
        if matches!(key, "tại" | "ở") && b.verb.is_none() && b.approx.is_none() {
            b.location = true;
            break;
        }
        // "ước thực hiện cả năm đạt 125 tỷ".
        if FILLERS.contains(&key) || key == "cả" || (key == "năm" && prev == "cả") {
            continue;
        }
        break;
    }
    b
}

/// What the words after a figure compare it with.
#[derive(Debug, Default)]
struct After {
    /// `plan`, `province_estimate`, `estimate`, `target`.
    plan: Option<&'static str>,
    /// `same_period_last_year`, `previous_period`, or a year.
    comparison: Option<String>,
}

fn read_after(toks: &[Token], from: usize, to: usize, period: Option<&Period>) -> After {
    let mut a = After::default();
    let mut k = from;
    let hi = to.min(from + 8);
    let key = |k: usize| toks.get(k).filter(|_| k < hi).map(|t| t.k()).unwrap_or("");
    let mut said_so_sanh = false;
    // "so với", "so", "với"
    while matches!(key(k), "so" | "với") {
        said_so_sanh = true;
        k += 1;
    }
    match (key(k), key(k + 1)) {
        ("kế", "hoạch") | ("kh", _) => a.plan = Some("plan"),
        ("dự", "toán") => {
            let provincial = (k + 2..hi.min(k + 6)).any(|j| key(j) == "tỉnh");
            a.plan = Some(if provincial {
                "province_estimate"
            } else {
                "estimate"
            });
        }
        ("chỉ", "tiêu") | ("mục", "tiêu") | ("nghị", "quyết") | ("nq", _) => {
            a.plan = Some("target")
        }
        ("cùng", "kỳ") => a.comparison = Some("same_period_last_year".into()),
        ("năm", "trước") | ("năm", "ngoái") => {
            a.comparison = period.map(|p| (p.year_of() - 1).to_string())
        }
        ("tháng", "trước") | ("quý", "trước") | ("kỳ", "trước") => {
            a.comparison = Some("previous_period".into())
        }
        ("năm", y) if said_so_sanh && y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
            a.comparison = Some(y.to_string())
        }
        (y, _) if said_so_sanh && y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
            a.comparison = Some(y.to_string())
        }
        _ => {}
    }
    a
}

/// Where target language starts in a sentence: "phấn đấu", "mục tiêu", "sẽ đạt", "đề ra"
/// (unless it follows "đạt"/"vượt"/"so với", as in "đạt kế hoạch đề ra"), "kế hoạch giao"
/// (unless it follows "đạt"/"bằng", as in "bằng 58% dự toán tỉnh giao").
fn target_cue(toks: &[Token], s: &Sentence) -> Option<usize> {
    for k in s.start..s.end {
        let t = &toks[k];
        let next = toks.get(k + 1).map(|t| t.k()).unwrap_or("");
        let cue = match t.k() {
            "phấn" => next == "đấu",
            "mục" => next == "tiêu",
            "sẽ" => true,
            "đề" if next == "ra" => !(k.saturating_sub(5).max(s.start)..k)
                .any(|j| matches!(toks[j].k(), "đạt" | "vượt" | "so" | "thành")),
            "giao" => {
                let lo = k.saturating_sub(6).max(s.start);
                let planned = (lo..k).any(|j| {
                    j + 1 < k
                        && matches!(
                            (toks[j].k(), toks[j + 1].k()),
                            ("kế", "hoạch") | ("chỉ", "tiêu") | ("dự", "toán")
                        )
                });
                let measured = (lo..k).any(|j| {
                    toks[j].kind == Kind::Punct
                        || matches!(
                            toks[j].k(),
                            "đạt" | "vượt" | "so" | "bằng" | "thành" | "với"
                        )
                });
                planned && !measured
            }
            _ => false,
        };
        if cue && t.kind == Kind::Word {
            return Some(k);
        }
    }
    None
}

/// Where a target cue stops applying: a later clause that reports what was done ("…, đến
/// nay đã trồng được 1.620 ha", "…, kết quả đạt …", "…; ước thực hiện cả năm …").
fn cue_scope_end(toks: &[Token], cue: usize, s: &Sentence) -> usize {
    for k in cue + 1..s.end {
        if !(toks[k].is_punct(",") || toks[k].is_punct(";")) {
            continue;
        }
        let w = &toks[k + 1..(k + 5).min(s.end)];
        let done = w.iter().enumerate().any(|(j, t)| {
            let prev = if j > 0 { w[j - 1].k() } else { "" };
            (t.is_word("đã") && !w.get(j + 1).is_some_and(|n| n.is_word("đề")))
                || (t.is_word("nay") && matches!(prev, "đến" | "hiện"))
                || (t.is_word("quả") && prev == "kết")
                || t.is_word("ước")
        });
        if done {
            return k;
        }
    }
    s.end
}

/// The state carried from sentence to sentence.
#[derive(Default)]
struct Running {
    actual: Option<Period>,
    target: Option<Period>,
    /// The last sentence opened a list of targets (it had a cue and ended with ':').
    target_list: bool,
}

/// Finds every fact in the document.
pub fn find_facts(doc: &Doc) -> Vec<Fact> {
    let toks = doc.toks;
    let matches = doc.index.find_all(toks);
    let mut facts = Vec::new();
    let mut run = Running::default();
    let (mut mi, mut pi) = (0usize, 0usize);
    // The last sentence was a list item's number alone ("1.").
    let mut numbered = false;
    for s in sentences(toks) {
        if doc
            .ctx
            .header_tokens
            .is_some_and(|(a, b)| s.start >= a && s.end <= b)
        {
            continue;
        }
        while mi < matches.len() && matches[mi].start < s.start {
            mi += 1;
        }
        let mut mj = mi;
        while mj < matches.len() && matches[mj].start < s.end {
            mj += 1;
        }
        while pi < doc.ctx.periods.len() && doc.ctx.periods[pi].start < s.start {
            pi += 1;
        }
        let mut pj = pi;
        while pj < doc.ctx.periods.len() && doc.ctx.periods[pj].start < s.end {
            pj += 1;
        }
        let sent_matches = &matches[mi..mj];
        let mentions = &doc.ctx.periods[pi..pj];
        // "1." opening a line: the number of the list item the next sentence is.
        let first = &toks[s.start];
        if s.end - s.start == 2
            && first.line_start
            && first.kind == Kind::Num
            && toks[s.start + 1].is_punct(".")
        {
            numbered = true;
            continue;
        }
        // "a)", "1)" opening a line number an item too.
        let lettered = first.line_start
            && toks.get(s.start + 1).is_some_and(|t| t.is_punct(")"))
            && (first.kind == Kind::Num
                || (first.kind == Kind::Word && first.k().chars().count() == 1));
        let bullet = (first.kind == Kind::Punct && matches!(first.k(), "-" | "+" | "•" | "*"))
            || lettered
            || std::mem::take(&mut numbered);
        let carried_target = run.target_list && bullet;
        let cue = target_cue(toks, &s);
        let figs = find_figures(toks, s.start, s.end, doc.mark);
        if !figs.is_empty() {
            sentence_facts(
                doc,
                &s,
                &figs,
                sent_matches,
                mentions,
                &run,
                cue,
                carried_target,
                &mut facts,
            );
        }
        // Carry periods and the target list on.
        for m in mentions {
            match m.role {
                Role::Actual if !doc.ctx.is_future(&m.period) => run.actual = Some(m.period),
                Role::Actual | Role::Plan => run.target = Some(m.period),
                _ => {}
            }
        }
        let ends_with_colon = toks[s.end - 1].is_punct(":");
        // "Các chỉ tiêu chủ yếu năm 2025 như sau:": a list of targets opened by a period to
        // come; "Các chỉ tiêu về xây dựng Đảng:" by targets named while a period to come is
        // under way, unless it reports results.
        let future_intro = mentions
            .iter()
            .any(|m| matches!(m.role, Role::Plan | Role::Actual) && doc.ctx.is_future(&m.period));
        let words = |a: &str, b: &str| {
            (s.start..s.end.saturating_sub(1)).any(|k| toks[k].is_word(a) && toks[k + 1].is_word(b))
        };
        let targets_named = run.target.is_some_and(|p| doc.ctx.is_future(&p))
            && (words("chỉ", "tiêu") || words("mục", "tiêu"))
            && !words("kết", "quả")
            && !words("thực", "hiện")
            && !(s.start..s.end).any(|k| toks[k].is_word("đạt") || toks[k].is_word("được"));
        if ends_with_colon && (cue.is_some() || future_intro || targets_named) {
            run.target_list = true;
        } else if !carried_target {
            run.target_list = false;
        }
    }
    facts
}

#[allow(clippy::too_many_arguments)]
fn sentence_facts(
    doc: &Doc,
    s: &Sentence,
    figs: &[Figure],
    matches: &[PhraseMatch],
    mentions: &[PeriodMention],
    run: &Running,
    cue: Option<usize>,
    carried_target: bool,
    out: &mut Vec<Fact>,
) {
    let toks = doc.toks;
    // Totals named by framing figures: "trong 20 chỉ tiêu …, có 18 chỉ tiêu".
    let mut frame_total: Option<(Decimal, &'static str)> = None;
    let mut skip_next = false;
    // The indicator of the last fact that had one, the clause it stood in and where it ended.
    let mut last: Option<(usize, usize, usize)> = None;
    for (n, fig) in figs.iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        let (cs, ce) = clause_bounds(toks, s, fig);
        let before = read_before(toks, fig.start, cs);
        if before.framing && fig.kind == UnitKind::Count && fig.total.is_none() {
            frame_total = Some((fig.value, fig.unit));
            continue;
        }
        if before.location && fig.kind == UnitKind::Count {
            continue;
        }
        // "xếp thứ 3/12 xã": a rank, not a count; "trên 1 ha", "mỗi ha": per unit, not a figure.
        let prev = |k: usize| if k > 0 { toks[k - 1].k() } else { "" };
        if (fig.total.is_some() && prev(fig.start) == "thứ")
            || (matches!(prev(fig.start), "trên" | "mỗi")
                && matches!(toks[fig.start].k(), "1" | "01" | "một")
                && fig.unit_start == fig.start + 1)
        {
            continue;
        }
        // "giảm từ 9,5% xuống còn 7,2%": the level it started from is not a result.
        if from_level(toks, fig, ce) && figs.get(n + 1).is_some_and(|f| f.unit == fig.unit) {
            continue;
        }
        let mut fig = fig.clone();
        // "M trên tổng số N xã", "M/tổng số N xã".
        if fig.kind == UnitKind::Count && fig.total.is_none() {
            if let Some(next) = figs.get(n + 1).filter(|f| f.unit == fig.unit) {
                let between: Vec<&str> = toks[fig.end.min(next.start)..next.start]
                    .iter()
                    .map(|t| t.k())
                    .collect();
                let no_break = !toks[fig.end.min(next.start)..next.start]
                    .iter()
                    .any(|t| t.kind != Kind::Word);
                let joins = no_break
                    && (between.ends_with(&["trên", "tổng", "số"])
                        || between.ends_with(&["trong", "tổng", "số"])
                        || between.ends_with(&["trong", "số"])
                        || between == ["trên"]);
                if joins && fig.value <= next.value {
                    fig.total = Some(next.value);
                    skip_next = true;
                }
            }
            if fig.total.is_none()
                && let Some((total, _)) =
                    frame_total.filter(|(t, u)| *u == fig.unit && fig.value <= *t)
            {
                fig.total = Some(total);
                frame_total = None;
            }
        }
        let in_target = carried_target
            || cue.is_some_and(|c| c < fig.start && fig.start < cue_scope_end(toks, c, s));
        let period = period_for(doc, &fig, cs, ce, s, mentions, run, in_target);
        let after = read_after(toks, fig.end, ce, period.as_ref());
        // "So với cùng kỳ, thu ngân sách tăng 12%": a rise or fall compared with what is named
        // before the figure.
        let cmp_before = (cs..fig.start)
            .find(|&k| toks[k].is_word("so") && toks.get(k + 1).is_some_and(|t| t.is_word("với")))
            .and_then(|k| read_after(toks, k, fig.start, period.as_ref()).comparison);
        // A verb that ends an indicator phrase ("tỷ lệ hộ nghèo giảm", "GRDP tăng") belongs to
        // the indicator, not to the figure, when that indicator measures in the figure's unit.
        let consumed = before.verb.is_some_and(|(_, k)| {
            matches.iter().any(|m| {
                m.end == k + 1
                    && m.start < k
                    && unit_fits(&doc.index.indicators[m.indicator].unit, fig.unit)
            })
        });
        let verb_key = before
            .verb
            .filter(|_| !consumed)
            .map(|(v, _)| v)
            .unwrap_or("");
        let mut value = fig.value;
        let mut value_max = fig.value_max;
        let mut compared_to: Option<String> = None;
        let negate = |v: Decimal| -v;
        let measure = if fig.total.is_some() {
            Measure::CountOfTotal
        } else if consumed {
            Measure::Actual
        } else if fig.kind == UnitKind::Percent {
            if verb_key == "vượt" {
                value += Decimal::ONE_HUNDRED;
                value_max = value_max.map(|v| v + Decimal::ONE_HUNDRED);
                compared_to = Some(after.plan.or(before.plan).unwrap_or("plan").to_string());
                Measure::PercentOfPlan
            } else if let Some(p) = after.plan.or(before.plan) {
                compared_to = Some(p.to_string());
                Measure::PercentOfPlan
            } else if verb_key == "tăng" || verb_key == "giảm" {
                if verb_key == "giảm" {
                    value = negate(value);
                    value_max = value_max.map(negate);
                }
                compared_to = after.comparison.clone().or(cmp_before.clone());
                Measure::PercentChange
            } else if after.comparison.is_some() && fig.unit == "%" {
                value -= Decimal::ONE_HUNDRED;
                value_max = value_max.map(|v| v - Decimal::ONE_HUNDRED);
                compared_to = after.comparison.clone();
                Measure::PercentChange
            } else if fig.unit == "%" && verb_key != "chiếm" && flow_subject(doc, &fig, cs, matches)
            {
                // "giải ngân đạt 60%", "thu ngân sách đạt 80%": a share of what was planned.
                compared_to = Some("plan".to_string());
                Measure::PercentOfPlan
            } else {
                Measure::Actual
            }
        } else if verb_key == "tăng" || verb_key == "giảm" {
            if verb_key == "giảm" {
                value = negate(value);
                value_max = value_max.map(negate);
            }
            compared_to = after.comparison.clone().or(cmp_before.clone());
            Measure::Change
        } else {
            Measure::Actual
        };
        if matches!(measure, Measure::PercentChange | Measure::Change) && compared_to.is_none() {
            compared_to = Some(match period {
                Some(Period::Year { year }) => (year - 1).to_string(),
                _ => "same_period_last_year".to_string(),
            });
        }
        let is_target = measure == Measure::Actual
            && (in_target || period.is_some_and(|p| doc.ctx.is_future(&p)));
        let measure = if is_target { Measure::Target } else { measure };
        // "Nghị quyết đề ra 22 chỉ tiêu chủ yếu": how many targets were set is no figure.
        if measure == Measure::Target && fig.unit == "chỉ tiêu" {
            continue;
        }
        let approx = before
            .approx
            .or_else(|| estimated_subject(toks, &before, cs, matches))
            // "Ước cả năm 2024, tổng giá trị sản xuất đạt …": an estimate for the whole clause.
            .or_else(|| {
                let mut words = toks[cs..fig.start].iter().filter(|t| t.kind == Kind::Word);
                let opens = match (words.next(), words.next()) {
                    (Some(a), _) if a.is_word("ước") => true,
                    // "Dự kiến cả năm 2024, …", "Dự ước năm 2024, …".
                    (Some(a), Some(b)) => {
                        a.is_word("dự") && (b.is_word("kiến") || b.is_word("ước"))
                    }
                    _ => false,
                };
                (opens && matches!(measure, Measure::Actual | Measure::Target))
                    .then_some(Approx::Estimated)
            })
            .or(fig.at_least.then_some(Approx::AtLeast));
        let raw_verb = before.verb.map(|(v, _)| v).unwrap_or("");
        // "giảm tỷ lệ hộ nghèo xuống dưới 4%": a level, as after "còn".
        let raw_verb = if (cs.max(fig.start.saturating_sub(3))..fig.start)
            .any(|k| toks[k].is_word("xuống"))
        {
            "còn"
        } else {
            raw_verb
        };
        let chosen =
            choose_indicator(doc, &fig, measure, cs, ce, matches, raw_verb).or_else(|| {
                // No phrase at all in the clause: a figure listed after another one of the same
                // clause ("…, đến nay đã trồng được 1.620 ha, vượt 8% kế hoạch") is about the same.
                last.filter(|(i, at, end)| {
                    (*at == cs || no_subject(toks, cs) || listed_after_colon(toks, s, cs))
                        && !new_subject_between(toks, *end, fig.start)
                        && (matches!(
                            measure,
                            Measure::PercentOfPlan | Measure::PercentChange | Measure::Change
                        ) || unit_fits(&doc.index.indicators[*i].unit, fig.unit))
                })
                .map(|(i, _, _)| Choice::Carried(i))
            });
        let (indicator, label, label_start) = match chosen {
            Some(Choice::Phrase(m)) => (
                doc.index.indicators[m.indicator].code.clone(),
                slice(doc, m.start, m.end),
                m.start.min(fig.start),
            ),
            Some(Choice::Joined(i, start)) => (
                doc.index.indicators[i].code.clone(),
                format!(
                    "{} {}",
                    slice(doc, start, fig.start),
                    slice(doc, fig.unit_start, fig.unit_end)
                ),
                start,
            ),
            Some(Choice::Split(i, start, end)) => (
                doc.index.indicators[i].code.clone(),
                format!(
                    "{} {}",
                    slice(doc, start, fig.start),
                    slice(doc, fig.end, end)
                ),
                start,
            ),
            Some(Choice::Rate(i, m)) => (
                doc.index.indicators[i].code.clone(),
                slice(doc, m.start, m.end),
                m.start.min(fig.start),
            ),
            Some(Choice::ByUnit(code)) => {
                (code, slice(doc, fig.unit_start, fig.unit_end), fig.start)
            }
            Some(Choice::Words(i, a, b)) => {
                (doc.index.indicators[i].code.clone(), slice(doc, a, b), a)
            }
            Some(Choice::Carried(i)) => (
                doc.index.indicators[i].code.clone(),
                other_label(doc, &fig, cs),
                fig.start,
            ),
            Some(Choice::Part) | None => {
                ("other".to_string(), other_label(doc, &fig, cs), fig.start)
            }
        };
        // A figure no indicator names (victims after accidents) does not end the subject.
        if let Some(i) = doc
            .index
            .indicators
            .iter()
            .position(|i| i.code == indicator)
        {
            last = Some((i, cs, fig.end));
        }
        out.push(Fact {
            indicator,
            label,
            measure,
            value: value.normalize(),
            unit: fig.unit.to_string(),
            total: fig.total,
            value_max: value_max.map(|v| v.normalize()),
            approx,
            compared_to,
            period,
            unit_scope: doc.ctx.subject_unit.clone(),
            span: [
                toks[before.start.min(fig.start)].cstart,
                toks[fig.end - 1].cend,
            ],
            text: slice(doc, label_start.min(before.start), fig.end),
        });
    }
}

/// "ước thu ngân sách đạt 135 tỷ": "ước" before the indicator phrase that the figure's verb
/// follows makes the figure an estimate.
fn estimated_subject(
    toks: &[Token],
    before: &Before,
    cs: usize,
    matches: &[PhraseMatch],
) -> Option<Approx> {
    let (_, verb_at) = before.verb?;
    matches
        .iter()
        .filter(|m| m.start > cs && m.end <= verb_at && verb_at - m.end <= 2)
        .any(|m| {
            let k = m.start - 1;
            toks[k].is_word("ước")
                || (toks[k].is_word("tính") && k > cs && toks[k - 1].is_word("ước"))
                || (toks[k].is_word("kiến") && k > cs && toks[k - 1].is_word("dự"))
        })
        .then_some(Approx::Estimated)
}

fn slice(doc: &Doc, a: usize, b: usize) -> String {
    if a >= b || b > doc.toks.len() {
        return String::new();
    }
    doc.text[doc.toks[a].start..doc.toks[b - 1].end].to_string()
}

/// A label for a figure no phrase names: the counted noun and what qualifies it, or the words
/// before the figure.
fn other_label(doc: &Doc, fig: &Figure, cs: usize) -> String {
    if fig.kind == UnitKind::Count {
        let end = after_limit(doc.toks, fig, usize::MAX).max(fig.unit_end);
        return slice(doc, fig.unit_start, end);
    }
    let mut a = fig.start;
    while a > cs && a + 6 > fig.start && doc.toks[a - 1].kind == Kind::Word {
        a -= 1;
    }
    slice(doc, a, fig.start)
}

/// The clause around a figure: between `;` (or the sentence ends).
fn clause_bounds(toks: &[Token], s: &Sentence, fig: &Figure) -> (usize, usize) {
    let mut cs = fig.start;
    while cs > s.start && !toks[cs - 1].is_punct(";") {
        cs -= 1;
    }
    let mut ce = fig.end;
    while ce < s.end && !toks[ce].is_punct(";") {
        ce += 1;
    }
    (cs, ce)
}

#[allow(clippy::too_many_arguments)]
fn period_for(
    doc: &Doc,
    fig: &Figure,
    cs: usize,
    ce: usize,
    s: &Sentence,
    mentions: &[PeriodMention],
    run: &Running,
    target: bool,
) -> Option<Period> {
    // "Nếu năm 2012 … thì đến nay đã có 14/17 xã": "đến nay", "hiện nay" bring the text back
    // to its own time; periods named before them are not the figure's.
    let now = (s.start + 1..fig.start)
        .rev()
        .find(|&k| toks_now(doc.toks, k))
        .unwrap_or(s.start);
    let usable =
        |m: &&PeriodMention| !matches!(m.role, Role::Comparison | Role::Label) && m.start >= now;
    // In the clause: the nearest before, else the first after.
    if let Some(m) = mentions
        .iter()
        .filter(usable)
        .rfind(|m| m.start >= cs && m.end <= fig.start)
    {
        return Some(m.period);
    }
    if let Some(m) = mentions
        .iter()
        .filter(usable)
        .find(|m| m.start >= fig.end && m.end <= ce)
    {
        return Some(m.period);
    }
    // Earlier in the sentence.
    if let Some(m) = mentions
        .iter()
        .filter(usable)
        .filter(|m| m.end <= cs && m.start >= s.start)
        .rfind(|m| target || (m.role == Role::Actual && !doc.ctx.is_future(&m.period)))
    {
        return Some(m.period);
    }
    let carried = if target {
        run.target.or(run.actual)
    } else {
        run.actual
    };
    carried.or_else(|| doc.ctx.ref_year.and_then(|y| Period::year(y).ok()))
}

/// "đến nay", "hiện nay": the time of the text, at token `k` (the "nay").
fn toks_now(toks: &[Token], k: usize) -> bool {
    toks[k].is_word("nay") && k > 0 && matches!(toks[k - 1].k(), "đến" | "hiện")
}

enum Choice<'a> {
    Phrase(&'a PhraseMatch),
    /// A phrase split by the figure: the indicator and the token where the phrase starts.
    Joined(usize, usize),
    /// A phrase around the figure: the indicator, where its words start before the figure
    /// and where they end after it.
    Split(usize, usize, usize),
    /// The indicator and the words naming it (token range), when they are not one phrase.
    Words(usize, usize, usize),
    /// A part of what the phrase names ("…, trong đó …"): no indicator of its own.
    Part,
    /// The indicator of the figure before it in the clause.
    Carried(usize),
    /// The rate of what a phrase counts: "1.245 hộ nghèo, chiếm 3,85%" is "tỷ lệ hộ nghèo".
    Rate(usize, &'a PhraseMatch),
    ByUnit(String),
}

/// Words that end the noun phrase after a figure.
const AFTER_STOPS: &[&str] = &[
    "và", "với", "so", "bằng", "tăng", "giảm", "của", "trong", "được", "chiếm", "trên", "tại", "ở",
    "cho", "là", "vượt",
];

fn after_limit(toks: &[Token], fig: &Figure, ce: usize) -> usize {
    let mut k = fig.unit_end;
    // What a percentage is of may run longer, passive included: "85,6% tổ chức cơ sở đảng
    // được xếp loại hoàn thành tốt nhiệm vụ".
    let percent = fig.kind == UnitKind::Percent;
    let hi = ce
        .min(fig.unit_end + if percent { 12 } else { 8 })
        .min(toks.len());
    while k < hi {
        let t = &toks[k];
        // "12/17 xã, thị trấn đạt chuẩn": units of the same level listed with a comma.
        if t.is_punct(",")
            && let Some(u) = match_unit(toks, k + 1, hi)
            && u.kind == UnitKind::Count
            && ADMIN_NOUNS.contains(&u.unit)
            && ADMIN_NOUNS.contains(&fig.unit)
        {
            k = u.end;
            continue;
        }
        let stop = match t.kind {
            Kind::Punct => !t.is_dash(),
            Kind::Num => true,
            Kind::Word => {
                (AFTER_STOPS.contains(&t.k())
                    && !(t.key == "được" && (percent || passive_recognition(toks, k))))
                    || (t.key == "đạt" && fig.kind != UnitKind::Count)
            }
        };
        if stop {
            break;
        }
        k += 1;
    }
    k
}

/// "5 xã được công nhận đạt chuẩn": recognition in the passive, not a new subject.
fn passive_recognition(toks: &[Token], k: usize) -> bool {
    toks.get(k + 1).is_some_and(|t| t.is_word("công"))
        && toks.get(k + 2).is_some_and(|t| t.is_word("nhận"))
}

/// Counted units of one level that reports list together ("xã, phường, thị trấn").
const ADMIN_NOUNS: &[&str] = &[
    "xã",
    "phường",
    "thị trấn",
    "thôn",
    "bản",
    "tổ dân phố",
    "khu dân cư",
    "làng",
    "xóm",
];

/// "3 chỉ tiêu không đạt", "2 xã chưa đạt chuẩn": the noun phrase after the figure is negated,
/// so the phrase it holds does not name the figure.
fn negated_after(toks: &[Token], fig: &Figure, ce: usize) -> bool {
    toks[fig.unit_end..ce.min(fig.unit_end + 3)]
        .iter()
        .take_while(|t| t.kind == Kind::Word)
        .any(|t| matches!(t.k(), "không" | "chưa"))
}

/// Whether two units name the same kind of thing for choosing an indicator.
fn unit_fits(indicator_unit: &str, fig_unit: &str) -> bool {
    indicator_unit.is_empty()
        || indicator_unit == fig_unit
        || matches!(
            (indicator_unit, fig_unit),
            ("người", "lao động")
                | ("lao động", "người")
                | ("nhà", "căn")
                | ("lượt khách", "lượt")
                | ("thôn", "bản" | "tổ dân phố" | "khu dân cư" | "làng" | "xóm")
        )
}

/// Words that open a new subject after a comma.
const SUBJECT_STARTS: &[&str] = &[
    "tỷ", "tổng", "giá", "thu", "chi", "sản", "diện", "số", "năng", "kim", "vốn", "doanh", "tốc",
    "đàn", "riêng", "hộ",
];

/// Whether a clause opens with a verb or a time word and so goes on about the subject of the
/// clause before it ("…; ước thực hiện cả năm đạt 125 tỷ đồng", "…; dự kiến cả năm …").
fn no_subject(toks: &[Token], cs: usize) -> bool {
    let estimate = toks.get(cs).is_some_and(|t| t.is_word("dự"))
        && toks
            .get(cs + 1)
            .is_some_and(|t| t.is_word("kiến") || t.is_word("ước"));
    estimate
        || toks.get(cs).is_some_and(|t| {
            t.kind == Kind::Word
                && matches!(
                    t.k(),
                    "ước"
                        | "đạt"
                        | "thực"
                        | "đã"
                        | "đến"
                        | "hiện"
                        | "so"
                        | "kết"
                        | "tăng"
                        | "giảm"
                        | "vượt"
                        | "bằng"
                )
        })
}

/// "Cơ cấu kinh tế: nông, lâm nghiệp chiếm 38,5%; công nghiệp - xây dựng chiếm 24,2%": the
/// clause is an item of a list the sentence opened with a colon.
fn listed_after_colon(toks: &[Token], s: &Sentence, cs: usize) -> bool {
    (s.start..cs).any(|k| toks[k].is_punct(":"))
}

/// Whether token `k` is a comma with a new subject after it.
fn subject_after_comma(toks: &[Token], k: usize) -> bool {
    toks[k].is_punct(",")
        && toks
            .get(k + 1)
            .is_some_and(|t| t.kind == Kind::Word && SUBJECT_STARTS.contains(&t.k()))
}

/// Whether a comma with a new subject after it stands between tokens `a` and `b`.
fn new_subject_between(toks: &[Token], a: usize, b: usize) -> bool {
    (a..b).any(|k| subject_after_comma(toks, k))
}

/// Counted nouns too general to name an indicator by themselves.
const GENERIC_NOUNS: &[&str] = &[
    "hộ",
    "người",
    "lao động",
    "xã",
    "thôn",
    "nhà",
    "con",
    "vụ",
    "cơ sở",
    "trường",
    "đảng viên",
    "công trình",
    "học sinh",
    "lượt",
    "cán bộ",
    "dự án",
];

/// The nearest phrase before a figure, of any unit.
fn nearest_before<'a>(
    fig: &Figure,
    cs: usize,
    matches: &'a [PhraseMatch],
) -> Option<&'a PhraseMatch> {
    matches
        .iter()
        .filter(|m| m.start >= cs && m.end <= fig.start)
        .max_by_key(|m| (m.end, m.words))
}

/// Whether the figure's subject is a flow of money or output (revenue, area, tonnes), so that a
/// bare percentage of it is a share of the plan.
fn flow_subject(doc: &Doc, fig: &Figure, cs: usize, matches: &[PhraseMatch]) -> bool {
    // A rate named before the figure ("Tốc độ tăng trưởng kinh tế (GRDP) đạt 7%") wins.
    let rate_named = matches.iter().any(|m| {
        m.start >= cs && m.end <= fig.start && doc.index.indicators[m.indicator].unit == "%"
    });
    if rate_named {
        return false;
    }
    nearest_before(fig, cs, matches).is_some_and(|m| {
        matches!(
            doc.index.indicators[m.indicator].unit.as_str(),
            "VND" | "USD" | "ha" | "t" | "km"
        ) && !rate_word_before(doc.toks, m.start, cs)
            || doc.toks[m.start..m.end].iter().any(|t| t.key == "giải")
    })
}

/// Whether "tỷ lệ" stands before token `at` in the clause.
fn rate_word_before(toks: &[Token], at: usize, cs: usize) -> bool {
    (cs..at.min(toks.len())).any(|k| toks[k].is_word("lệ") && k > 0 && toks[k - 1].is_word("tỷ"))
        || (at + 1 < toks.len() && toks[at].is_word("tỷ") && toks[at + 1].is_word("lệ"))
}

/// "phấn đấu 100% xã đạt chuẩn nông thôn mới": a percent followed by the noun an indicator
/// counts, then (within a few words) the indicator's phrase, is the share of those units — unless a phrase of
/// another indicator begins inside the match and goes on past it ("100% xã đạt chuẩn quốc
/// gia về y tế").
fn share_of_counted(
    toks: &[Token],
    fig: &Figure,
    m: &PhraseMatch,
    unit: &str,
    matches: &[PhraseMatch],
) -> bool {
    let noun: Vec<&str> = unit.split(' ').collect();
    // "100% số xã", "100% các xã".
    let mut after = fig.end;
    if toks
        .get(after)
        .is_some_and(|t| t.is_word("số") || t.is_word("các"))
    {
        after += 1;
    }
    let names_noun = noun.len() <= toks.len().saturating_sub(after)
        && noun
            .iter()
            .zip(&toks[after..])
            .all(|(w, t)| t.kind == Kind::Word && t.k() == *w);
    // The phrase may start a few words on: "100% xã, thị trấn đạt chuẩn nông thôn mới".
    names_noun
        && (after..=after + noun.len() + 3).contains(&m.start)
        && !matches.iter().any(|o| {
            o.indicator != m.indicator && o.start >= m.start && o.start < m.end && o.end > m.end
        })
}

fn choose_indicator<'a>(
    doc: &Doc,
    fig: &Figure,
    measure: Measure,
    cs: usize,
    ce: usize,
    matches: &'a [PhraseMatch],
    verb: &str,
) -> Option<Choice<'a>> {
    let index = doc.index;
    let toks = doc.toks;
    let level_verb = verb == "còn";
    let fits = |m: &PhraseMatch| {
        let unit = index.indicators[m.indicator].unit.as_str();
        // "còn 4,2%" is a level: not the phrase "tỷ lệ hộ nghèo giảm" or "giảm tỷ lệ hộ nghèo".
        let changes = |t: &Token| t.kind == Kind::Word && matches!(t.k(), "giảm" | "tăng");
        if level_verb && (changes(&toks[m.end - 1]) || changes(&toks[m.start])) {
            return false;
        }
        match measure {
            Measure::PercentOfPlan | Measure::PercentChange => true,
            // "Tỷ lệ trường đạt chuẩn quốc gia đạt 85%": the rate of a counted indicator.
            Measure::Actual | Measure::Target
                if fig.unit == "%"
                    && !matches!(unit, "VND" | "USD" | "ha" | "t" | "km" | "tạ/ha")
                    && (verb == "chiếm"
                        || rate_word_before(toks, m.start, cs)
                        // "42/48 trường đạt chuẩn quốc gia, đạt tỷ lệ 87,5%"
                        || rate_word_before(toks, fig.start, m.end)
                        || share_of_counted(toks, fig, m, unit, matches)) =>
            {
                true
            }
            _ => unit_fits(unit, fig.unit),
        }
    };
    // The noun phrase after the figure: "8/17 xã đạt chuẩn NTM", "14km rãnh thoát nước",
    // "98% tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ".
    if negated_after(toks, fig, ce) {
        return Some(Choice::Part);
    }
    let limit = after_limit(toks, fig, ce);
    let best = matches
        .iter()
        .filter(|m| m.start >= fig.unit_start && m.start < limit && m.end <= ce && fits(m))
        .max_by_key(|m| (m.end, m.words));
    if let Some(m) = best {
        return Some(rate_or_phrase(doc, fig, measure, m));
    }
    // The words before the figure and its counted noun, read together: "hoàn thành 12 công
    // trình" is "hoàn thành công trình", "kết nạp 15 đảng viên" is "kết nạp đảng viên".
    if fig.kind == UnitKind::Count {
        let mut a = fig.start;
        while a > cs && a + 4 > fig.start && toks[a - 1].kind == Kind::Word {
            a -= 1;
        }
        let mut words: Vec<&str> = toks[a..fig.start].iter().map(|t| t.k()).collect();
        words.extend(toks[fig.unit_start..fig.unit_end].iter().map(|t| t.k()));
        let n_before = fig.start - a;
        for from in 0..n_before {
            if let Some(i) = index.lookup(&words[from..])
                && unit_fits(&index.indicators[i].unit, fig.unit)
            {
                return Some(Choice::Joined(i, a + from));
            }
        }
    }
    // A comma followed by a new subject ("…, tỷ lệ hộ cận nghèo còn 5,1%") starts a new
    // subject: phrases before it name something else.
    let mut subject_start = cs;
    for k in (cs..fig.start).rev() {
        if subject_after_comma(toks, k) {
            subject_start = k + 1;
            break;
        }
    }
    // "giá trị sản xuất nông nghiệp đạt 2.310 tỷ đồng, công nghiệp - xây dựng 6.870 tỷ đồng":
    // the words after a comma complete the head of the phrase before it.
    if let Some(choice) = shared_head(doc, fig, cs, matches) {
        return Some(choice);
    }
    let cs = subject_start;
    // A phrase split by the figure and its unit ("phấn đấu trồng 600 ha rừng" is "trồng
    // rừng") is nearer than any phrase before it.
    if let Some(choice) = split_phrase(doc, fig, cs, ce) {
        return Some(choice);
    }
    // The nearest phrase before it in the clause, unless "trong đó" (of which) comes between:
    // then the figure is a part the catalog does not name.
    // A phrase inside brackets closed before the figure names a part, not its subject.
    let best = matches
        .iter()
        .filter(|m| {
            m.start >= cs && m.end <= fig.start && fits(m) && !closed_aside(toks, m.end, fig.start)
        })
        .max_by_key(|m| (m.end, m.words));
    if let Some(m) = best {
        let of_which = (m.end..fig.start).any(|k| {
            toks[k].is_word("đó")
                && k > 0
                && toks[k - 1].is_word("trong")
                && !closed_aside(toks, k, fig.start)
        });
        return if of_which {
            Some(Choice::Part)
        } else {
            Some(rate_or_phrase(doc, fig, measure, m))
        };
    }
    // A counted noun or a ratio unit only one indicator counts: "2 HTX", "19 phòng học",
    // "năng suất 58,5 tạ/ha".
    if ((fig.kind == UnitKind::Count && !GENERIC_NOUNS.contains(&fig.unit))
        || fig.kind == UnitKind::Ratio)
        && matches!(measure, Measure::Actual | Measure::Target)
    {
        let mut it = index.indicators.iter().filter(|i| i.unit == fig.unit);
        if let (Some(only), None) = (it.next(), it.next()) {
            return Some(Choice::ByUnit(only.code.clone()));
        }
    }
    None
}

/// The words right before a figure joined with the words right after its unit, when together
/// they are one of the catalog's phrases of the figure's unit: "trồng 500 ha rừng" reads as
/// "trồng rừng". Returns the indicator and the token where its words start.
fn split_phrase<'a>(doc: &Doc, fig: &Figure, cs: usize, ce: usize) -> Option<Choice<'a>> {
    let toks = doc.toks;
    let mut a = fig.start;
    while a > cs && a + 5 > fig.start && toks[a - 1].kind == Kind::Word {
        a -= 1;
    }
    let mut b = fig.end;
    while b < ce && b < fig.end + 3 && toks[b].kind == Kind::Word {
        b += 1;
    }
    // "trồng được trên 300 ha rừng": auxiliaries and qualifiers are not part of the phrase.
    let aside = |t: &&Token| {
        !matches!(
            t.k(),
            "được" | "đã" | "đạt" | "trên" | "hơn" | "gần" | "khoảng" | "ước" | "từ"
        )
    };
    for from in a..fig.start {
        for to in (fig.end + 1..=b).rev() {
            let mut words: Vec<&str> = toks[from..fig.start]
                .iter()
                .filter(aside)
                .map(|t| t.k())
                .collect();
            if words.is_empty() {
                continue;
            }
            words.extend(toks[fig.end..to].iter().map(|t| t.k()));
            if let Some(i) = doc.index.lookup(&words)
                && unit_fits(&doc.index.indicators[i].unit, fig.unit)
            {
                return Some(Choice::Split(i, from, to));
            }
        }
    }
    None
}

/// Whether brackets opened before `at` close between `at` and `until`: what stands at `at`
/// is inside an aside the text has left by `until`.
fn closed_aside(toks: &[Token], at: usize, until: usize) -> bool {
    let mut depth = 0i32;
    for t in &toks[at..until] {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
            if depth < 0 {
                return true;
            }
        }
    }
    false
}

/// "từ 9,5% xuống còn 7,2%", "tăng từ 45 lên 52 triệu đồng": the figure is the level a change
/// started from.
fn from_level(toks: &[Token], fig: &Figure, ce: usize) -> bool {
    fig.start > 0
        && toks[fig.start - 1].is_word("từ")
        && fig.end < ce
        && (toks[fig.end].is_word("xuống") || toks[fig.end].is_word("lên"))
}

/// A percentage whose nearest phrase counts something ("1.245 hộ nghèo, chiếm 3,85%") is the
/// rate of it when the catalog names that rate ("tỷ lệ hộ nghèo").
fn rate_or_phrase<'a>(doc: &Doc, fig: &Figure, measure: Measure, m: &'a PhraseMatch) -> Choice<'a> {
    let unit = doc.index.indicators[m.indicator].unit.as_str();
    if fig.unit != "%" || unit == "%" || !matches!(measure, Measure::Actual | Measure::Target) {
        return Choice::Phrase(m);
    }
    let mut words = vec!["tỷ", "lệ"];
    words.extend(
        doc.toks[m.start..m.end]
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.k()),
    );
    match doc.index.lookup(&words) {
        Some(i) if doc.index.indicators[i].unit == "%" => Choice::Rate(i, m),
        _ => Choice::Phrase(m),
    }
}

/// A list that shares the head of its first phrase: "giá trị sản xuất nông nghiệp đạt 2.310 tỷ
/// đồng, công nghiệp - xây dựng 6.870 tỷ đồng" — the words after the last comma, put after
/// the first words of the phrase before it, make a catalog phrase of the figure's unit.
fn shared_head<'a>(
    doc: &Doc,
    fig: &Figure,
    cs: usize,
    matches: &[PhraseMatch],
) -> Option<Choice<'a>> {
    let toks = doc.toks;
    let comma = (cs..fig.start).rev().find(|&k| toks[k].is_punct(","))?;
    let mut w_end = comma + 1;
    while w_end < fig.start
        && (toks[w_end].is_dash()
            || (toks[w_end].kind == Kind::Word
                && !VERBS.contains(&toks[w_end].k())
                && !matches!(
                    toks[w_end].k(),
                    "ước" | "trên" | "hơn" | "gần" | "khoảng" | "xấp"
                )))
    {
        w_end += 1;
    }
    // Only verbs and qualifiers may stand between those words and the figure.
    if toks[w_end..fig.start].iter().any(|t| t.kind != Kind::Word) {
        return None;
    }
    let words: Vec<&str> = toks[comma + 1..w_end]
        .iter()
        .filter(|t| t.kind == Kind::Word)
        .map(|t| t.k())
        .collect();
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    let head = matches
        .iter()
        .filter(|m| m.start >= cs && m.end <= comma)
        .max_by_key(|m| (m.end, m.words))?;
    let head_words: Vec<&str> = toks[head.start..head.end]
        .iter()
        .filter(|t| t.kind == Kind::Word)
        .map(|t| t.k())
        .collect();
    // The head's first words then the item ("giá trị sản xuất" + "dịch vụ"), or the item then
    // the head's last words ("khách du lịch …, doanh thu …": "doanh thu" + "du lịch").
    for n in (1..head_words.len()).rev() {
        let mut before = head_words[..n].to_vec();
        before.extend(&words);
        let mut after = words.clone();
        after.extend(&head_words[head_words.len() - n..]);
        for cand in [before, after] {
            if let Some(i) = doc.index.lookup(&cand)
                && unit_fits(&doc.index.indicators[i].unit, fig.unit)
            {
                return Some(Choice::Words(i, comma + 1, w_end));
            }
        }
    }
    // An amount of money for a sibling item the catalog does not name ("…, xuất khẩu 2,8 tỷ
    // USD, nhập khẩu 2,4 tỷ USD"): not the head's indicator. (Counted items, as in "Tổng đàn
    // trâu 12.500 con, bò 8.300 con", stay the head's.)
    let named = matches.iter().any(|m| m.start > comma && m.start < w_end);
    // Words that go on about the head ("…, kết quả thực hiện đạt …") are no item.
    (fig.kind == UnitKind::Money && !named && !no_subject(toks, comma + 1)).then_some(Choice::Part)
}
