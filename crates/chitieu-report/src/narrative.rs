//! Vietnamese sentences from the figures, in the style of the reports and the provincial
//! press: "Thu ngân sách nhà nước trên địa bàn ước đạt 25,0 tỷ đồng, bằng 80,0% dự toán tỉnh
//! giao, tăng 12,5% so với cùng kỳ năm 2021, vượt tiến độ kế hoạch năm."
//!
//! Everything here is pure: a sentence depends only on the rows and the report period.
//!
//! # How a sentence is built
//!
//! 1. *The figure.* Counts of units meeting a standard: "Toàn huyện có 8/17 xã đạt chuẩn nông
//!    thôn mới". Counts of things ("Số công trình …"): "Toàn huyện có 11 công trình …". Rates
//!    where lower is better: "Tỷ lệ hộ nghèo giảm còn 12,3%" (or "tăng lên", or "còn" when
//!    last year's rate is unknown). Anything else: "{name} đạt {amount}". An estimate says
//!    "ước": "ước đạt", "ước có", "ước giảm còn".
//! 2. *Against the plan.* Flows where more is better (revenue, output): ", bằng 80,0% dự
//!    toán tỉnh giao" (several plans: "… và 71,4% chỉ tiêu Nghị quyết"). Levels, rates, counts
//!    of units and lower-is-better targets give the target instead: " (chỉ tiêu năm 2022: 9
//!    xã)".
//! 3. *Against last year.* ", tăng 12,5% so với cùng kỳ năm 2021" (for a year: "so với năm
//!    2021"); rates change in percentage points, counts in units ("tăng 1 xã").
//! 4. *The verdict.* For the whole target period: ", vượt / đạt / cơ bản đạt / không đạt chỉ
//!    tiêu đề ra". For part of the year, flows are judged on their projection ("vượt tiến độ
//!    kế hoạch năm", "đảm bảo tiến độ …", "chậm so với tiến độ …, có nguy cơ không đạt chỉ
//!    tiêu") and levels on where they stand ("đã đạt chỉ tiêu năm", "chưa đạt chỉ tiêu năm").

use crate::amount::{amount, percent, points};
use crate::model::{Field, Report, ReportKind, ReportRow};
use chitieu_core::Decimal;
use chitieu_core::evaluate::{Status, Summary};
use chitieu_core::indicator::Direction;
use chitieu_core::period::Period;
use chitieu_core::period_vi::format_period_vi;
use chitieu_core::target::{Comparator, PlanKind};

/// Upper-cases the first letter: "toàn huyện" → "Toàn huyện".
pub fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// Lower-cases the first letter unless the first word looks like an acronym or a proper
/// name kept capitalised in running text ("GRDP", "Nghị quyết").
pub fn decapitalize(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let acronym = first_word.chars().filter(|c| c.is_uppercase()).count() > 1;
    if acronym {
        return s.to_string();
    }
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_lowercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// How a plan is named after "bằng 80,0%": "dự toán tỉnh giao", "chỉ tiêu Nghị quyết".
pub fn plan_phrase(kind: Option<PlanKind>, part_year: bool) -> String {
    match kind {
        Some(PlanKind::ProvinceEstimate) => "dự toán tỉnh giao".into(),
        Some(PlanKind::PartyResolution) => "chỉ tiêu Nghị quyết".into(),
        Some(PlanKind::CouncilPlan) => "kế hoạch HĐND giao".into(),
        Some(PlanKind::CommitteePlan) => "kế hoạch UBND giao".into(),
        Some(PlanKind::Other) | None => {
            if part_year {
                "kế hoạch năm".into()
            } else {
                "kế hoạch".into()
            }
        }
    }
}

/// The target as a reader reads it: "9 xã", "không quá 12%", "8 – 9%", "35,0 tỷ đồng".
pub fn target_text(c: &Comparator, unit: &str) -> String {
    match *c {
        Comparator::AtLeast { value } | Comparator::Exactly { value } => amount(value, unit),
        Comparator::AtMost { value } => format!("không quá {}", amount(value, unit)),
        Comparator::Range { min, max } => {
            let lo = amount(min, unit);
            let hi = amount(max, unit);
            // "8 – 9%" rather than "8% – 9%" when the unit is a symbol.
            match lo.strip_suffix('%') {
                Some(n) => format!("{n} – {hi}"),
                None => format!("{lo} – {hi}"),
            }
        }
    }
}

/// The target period as the verdict names it: "năm", "nhiệm kỳ", "6 tháng".
fn scope_word(p: &Period) -> &'static str {
    match p {
        Period::Year { .. } => "năm",
        Period::Term { .. } => "nhiệm kỳ",
        Period::Half { .. } => "6 tháng",
        Period::NineMonths { .. } => "9 tháng",
        Period::Quarter { .. } => "quý",
        Period::Month { .. } => "tháng",
    }
}

/// "so với cùng kỳ năm 2021", or "so với năm 2021" for a year.
pub fn compared_with(period: &Period) -> String {
    match period {
        Period::Year { year } => format!("so với năm {}", year - 1),
        Period::Term { start, end } => format!("so với nhiệm kỳ {} – {}", start - 5, end - 5),
        p => format!("so với cùng kỳ năm {}", p.year_of() - 1),
    }
}

/// For a count noun indicator ("Số công trình đầu tư công khởi công mới" in "công trình"):
/// what follows the unit ("đầu tư công khởi công mới").
fn count_predicate(row: &ReportRow) -> Option<String> {
    let rest = row.name.strip_prefix("Số ")?;
    let rest = rest.strip_prefix(row.unit.as_str())?;
    let rest = rest.strip_prefix(' ')?;
    Some(rest.to_string())
}

fn is_rate(unit: &str) -> bool {
    unit == "%" || unit == "‰"
}

/// Whether the sentence compares with the plan as a percentage (flows where more is better).
fn uses_percent_of_plan(row: &ReportRow) -> bool {
    row.cumulative
        && !row.counts_units
        && !is_rate(&row.unit)
        && row.direction != Direction::Down
        && matches!(
            row.comparator,
            Comparator::AtLeast { .. } | Comparator::Exactly { .. }
        )
        && row.evaluation.percent_of_plan.is_some()
}

/// The first clause: what the figure is.
fn head(row: &ReportRow, value: Decimal, unit_word: &str) -> String {
    let uoc = if row.estimate { "ước " } else { "" };
    let as_of = row
        .as_of
        .map(|d| format!(" (tính đến ngày {})", d.format("%d/%m/%Y")))
        .unwrap_or_default();
    let rolled = row
        .rolled_up
        .map(|(n, of)| format!(" (tổng hợp từ {n}/{of} đơn vị)"))
        .unwrap_or_default();
    let suffix = format!("{as_of}{rolled}");
    if row.counts_units {
        let n = chitieu_text::format_number_vi(value.normalize());
        let count = match row.total_units {
            Some(total) => format!("{n}/{total} {}", row.unit),
            None => format!("{n} {}", row.unit),
        };
        return match count_predicate(row) {
            Some(pred) => format!("Toàn {unit_word} {uoc}có {count} {pred}{suffix}"),
            None => format!("{} {uoc}đạt {count}{suffix}", row.name),
        };
    }
    if let Some(pred) = count_predicate(row) {
        return format!(
            "Toàn {unit_word} {uoc}có {} {pred}{suffix}",
            amount(value, &row.unit)
        );
    }
    if is_rate(&row.unit) && row.direction == Direction::Down {
        let verb = match row.previous {
            Some(prev) if value < prev => "giảm còn",
            Some(prev) if value > prev => "tăng lên",
            Some(_) => "giữ ở mức",
            None => "còn",
        };
        return format!(
            "{} {uoc}{verb} {}{suffix}",
            row.name,
            amount(value, &row.unit)
        );
    }
    format!("{} {uoc}đạt {}{suffix}", row.name, amount(value, &row.unit))
}

/// ", tăng 12,5% so với cùng kỳ năm 2021", or "" when last year's figure is unknown.
fn change_clause(row: &ReportRow, value: Decimal, period: &Period) -> String {
    let Some(prev) = row.previous else {
        return String::new();
    };
    let with = compared_with(period);
    let diff = value - prev;
    if diff.is_zero() {
        return format!(", bằng {}", with.trim_start_matches("so với "));
    }
    let verb = if diff > Decimal::ZERO {
        "tăng"
    } else {
        "giảm"
    };
    let size = if is_rate(&row.unit) {
        points(diff.abs())
    } else if row.counts_units || count_predicate(row).is_some() {
        amount(diff.abs(), &row.unit)
    } else {
        match row.evaluation.percent_change {
            Some(pc) => percent(pc.abs()),
            None => return String::new(),
        }
    };
    format!(", {verb} {size} {with}")
}

/// ", vượt tiến độ kế hoạch năm", ", đạt chỉ tiêu đề ra", …
fn verdict(row: &ReportRow, period: &Period) -> String {
    let st = row.status();
    if st == Status::ChuaDuDuLieu {
        return ", chưa đủ cơ sở để đánh giá".into();
    }
    if row.target_period == *period {
        return format!(", {} chỉ tiêu đề ra", st.vi());
    }
    let scope = scope_word(&row.target_period);
    if row.cumulative {
        match st {
            Status::Vuot => format!(", vượt tiến độ kế hoạch {scope}"),
            Status::Dat => format!(", đảm bảo tiến độ kế hoạch {scope}"),
            Status::CoBanDat => format!(", chậm so với tiến độ kế hoạch {scope}"),
            _ => format!(", chậm so với tiến độ kế hoạch {scope}, có nguy cơ không đạt chỉ tiêu"),
        }
    } else {
        match st {
            Status::Vuot => format!(", đã vượt chỉ tiêu {scope}"),
            Status::Dat => format!(", đã đạt chỉ tiêu {scope}"),
            Status::CoBanDat => format!(", cơ bản đạt chỉ tiêu {scope}"),
            _ => format!(", chưa đạt chỉ tiêu {scope}"),
        }
    }
}

/// The sentence for one indicator, from its rows (one per plan that set a target for it),
/// ending with a full stop. `unit_word` names the area in "Toàn huyện có …".
pub fn indicator_sentence(rows: &[&ReportRow], period: &Period, unit_word: &str) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let Some(value) = first.actual else {
        return format!(
            "{}: chưa có số liệu {} (chỉ tiêu {}: {}).",
            first.name,
            format_period_vi(period),
            format_period_vi(&first.target_period),
            target_text(&first.comparator, &first.unit)
        );
    };
    let mut s = head(first, value, unit_word);
    let part_year = first.target_period != *period;
    if uses_percent_of_plan(first) {
        let parts: Vec<String> = rows
            .iter()
            .filter_map(|r| {
                r.evaluation
                    .percent_of_plan
                    .map(|p| format!("{} {}", percent(p), plan_phrase(r.plan_kind, part_year)))
            })
            .collect();
        s.push_str(&format!(", bằng {}", parts.join(" và ")));
    } else {
        s.push_str(&format!(
            " (chỉ tiêu {}: {})",
            format_period_vi(&first.target_period),
            target_text(&first.comparator, &first.unit)
        ));
    }
    s.push_str(&change_clause(first, value, period));
    s.push_str(&verdict(first, period));
    s.push('.');
    s
}

/// Groups consecutive rows of the same indicator.
pub fn by_indicator<'a>(rows: impl IntoIterator<Item = &'a ReportRow>) -> Vec<Vec<&'a ReportRow>> {
    let mut out: Vec<Vec<&ReportRow>> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(g) if g.first().is_some_and(|f| f.indicator == r.indicator) => g.push(r),
            _ => out.push(vec![r]),
        }
    }
    out
}

/// The statuses counted once per indicator (its first plan), for the summary line.
pub fn summary(report: &Report) -> Summary {
    Summary::of_statuses(
        by_indicator(&report.rows)
            .iter()
            .filter_map(|g| g.first().map(|r| r.status())),
    )
}

/// "Trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt; 2 chỉ tiêu không đạt." With
/// figures for part of the year, the judgement is on progress and says so.
pub fn summary_sentence(report: &Report) -> String {
    let s = summary(report);
    if s.total() == 0 {
        return "Chưa có chỉ tiêu nào được giao cho kỳ báo cáo.".into();
    }
    let line = s.summary_vi_detailed();
    if report.is_part_year() {
        format!(
            "Đánh giá theo tiến độ thực hiện đến hết {}, {line}.",
            format_period_vi(&report.period)
        )
    } else {
        format!("{}.", capitalize(&line))
    }
}

/// The sentences written from the data for one field, one per indicator.
pub fn field_sentences(report: &Report, field: Field) -> Vec<String> {
    by_indicator(report.rows_of(field))
        .iter()
        .map(|g| indicator_sentence(g, &report.period, &report.unit.kind_word))
        .collect()
}

/// The next period, for "phương hướng, nhiệm vụ 6 tháng cuối năm 2022".
pub fn next_period_label(period: &Period) -> String {
    match *period {
        Period::Half { year, half: 1 } => format!("6 tháng cuối năm {year}"),
        Period::Half { year, .. } => format!("năm {}", year + 1),
        Period::NineMonths { year } => format!("quý IV năm {year}"),
        Period::Year { year } => format!("năm {}", year + 1),
        Period::Quarter { year, quarter } if quarter < 4 => {
            format!("quý {}/{year}", chitieu_core::org::roman(quarter + 1))
        }
        Period::Quarter { year, .. } => format!("quý I/{}", year + 1),
        Period::Month { year, month } if month < 12 => format!("tháng {}/{year}", month + 1),
        Period::Month { year, .. } => format!("tháng 1/{}", year + 1),
        Period::Term { start, end } => {
            format!("nhiệm kỳ {} – {}", end, end + (end - start))
        }
    }
}

/// What the period was, in a title: "6 tháng đầu năm", "9 tháng đầu năm", "năm 2022", "quý I".
fn period_in_title(period: &Period) -> String {
    match *period {
        Period::Half { half: 1, .. } => "6 tháng đầu năm".into(),
        Period::NineMonths { .. } => "9 tháng đầu năm".into(),
        Period::Quarter { quarter, .. } => format!("quý {}", chitieu_core::org::roman(quarter)),
        ref p => format_period_vi(p),
    }
}

/// The summary line under "BÁO CÁO" (trích yếu). Party documents start it in lower case.
pub fn title(report: &Report) -> String {
    let p = &report.period;
    let next = next_period_label(p);
    let party = report.template.style == crate::template::DocStyle::Party;
    let what = if party {
        "công tác lãnh đạo, chỉ đạo"
    } else {
        "tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, bảo đảm quốc phòng - an ninh"
    };
    let t = match report.kind {
        ReportKind::NhiemKy => format!(
            "đánh giá kết quả thực hiện các chỉ tiêu {}",
            format_period_vi(p)
        ),
        ReportKind::TongKet if party => {
            format!(
                "tổng kết {what} {}, phương hướng, nhiệm vụ {next}",
                format_period_vi(p)
            )
        }
        ReportKind::SoKet if party => {
            format!(
                "sơ kết {what} {}, phương hướng, nhiệm vụ {next}",
                period_in_title(p)
            )
        }
        _ if party => format!(
            "kết quả {what} {}, phương hướng, nhiệm vụ {next}",
            period_in_title(p)
        ),
        ReportKind::TongKet => format!(
            "{what} {}; phương hướng, nhiệm vụ {next}",
            format_period_vi(p)
        ),
        _ => format!(
            "{what} {}; phương hướng, nhiệm vụ {next}",
            period_in_title(p)
        ),
    };
    if party { t } else { capitalize(&t) }
}

/// A short news article about the conference, like those of the provincial press, for the
/// portal. `conference_date` is when the meeting took place.
pub fn news_article(report: &Report) -> (String, String) {
    let t = &report.template;
    let p = &report.period;
    let date = report.date.format("%-d/%-m/%Y").to_string();
    let who = if t.issuer_name.is_empty() {
        capitalize(&report.unit.full_name)
    } else {
        t.issuer_name.clone()
    };
    let next = next_period_label(p);
    let (headline, lead) = match report.kind {
        ReportKind::TongKet => (
            format!("{who} tổng kết công tác {}", format_period_vi(p)),
            format!(
                "Ngày {date}, {who} tổ chức hội nghị tổng kết công tác {}, bàn nhiệm vụ trọng tâm {next}.",
                format_period_vi(p)
            ),
        ),
        _ => (
            format!("{who} đánh giá kết quả {}", format_period_vi(p)),
            format!(
                "Ngày {date}, {who} tổ chức hội nghị đánh giá kết quả thực hiện nhiệm vụ {}, triển khai nhiệm vụ trọng tâm {next}.",
                period_in_title(p)
            ),
        ),
    };
    let mut body = vec![lead];
    let s = summary(report);
    let mut para = format!(
        "Theo báo cáo tại hội nghị, {}",
        decapitalize(summary_sentence(report).trim_end_matches('.'))
    );
    if s.total() == 0 {
        para = "Theo báo cáo tại hội nghị, các mặt công tác được triển khai theo kế hoạch".into();
    }
    let highlights: Vec<String> = Field::ALL
        .iter()
        .flat_map(|f| field_sentences(report, *f))
        .filter(|x| !x.contains("chưa có số liệu"))
        .take(4)
        .map(|x| decapitalize(x.trim_end_matches('.')))
        .collect();
    if highlights.is_empty() {
        para.push('.');
    } else {
        para.push_str(&format!(". Trong đó, {}.", highlights.join("; ")));
    }
    body.push(para);
    if let Some(first) = first_sentence(&report.texts.han_che) {
        body.push(format!(
            "Bên cạnh những kết quả đạt được, hội nghị cũng chỉ ra một số hạn chế: {}",
            decapitalize(&first)
        ));
    }
    if let Some(first) = first_sentence(&report.texts.phuong_huong) {
        body.push(format!(
            "Về nhiệm vụ {next}, hội nghị thống nhất: {}",
            decapitalize(&first)
        ));
    }
    (headline, body.join("\n\n"))
}

/// The first sentence of a text block, with its full stop.
fn first_sentence(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let end = t.find(". ").map(|i| i + 1).unwrap_or(t.len());
    let s = t[..end].trim().trim_start_matches(['-', '+', '•']).trim();
    if s.ends_with('.') {
        Some(s.to_string())
    } else {
        Some(format!("{s}."))
    }
}
