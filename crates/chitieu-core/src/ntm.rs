//! The new-rural programme (chương trình xây dựng nông thôn mới, NTM): national criteria sets,
//! the state of each criterion per commune and year, and what reports derive from them
//! ("8/17 xã đạt chuẩn", "bình quân 14,3 tiêu chí/xã", the communes still short per criterion).
//!
//! Criteria sets are data (`data/ntm/*.csv`, embedded), versioned by programme phase:
//! Quyết định 318/QĐ-TTg (2021–2025, 19 criteria, thresholds by region) and Quyết định
//! 51/2025/QĐ-TTg (2026–2030, 10 criteria and 47 indicators, thresholds by commune group).
//! A set may describe several levels (đạt chuẩn, nâng cao, kiểu mẫu, hiện đại).

use crate::admin::UnitId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A level of recognition a criteria set describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NtmLevel {
    /// Xã đạt chuẩn nông thôn mới.
    Standard,
    /// Xã nông thôn mới nâng cao.
    Advanced,
    /// Xã nông thôn mới kiểu mẫu.
    Model,
    /// Xã nông thôn mới hiện đại (2026–2030).
    Modern,
}

impl NtmLevel {
    pub const ALL: [NtmLevel; 4] = [
        NtmLevel::Standard,
        NtmLevel::Advanced,
        NtmLevel::Model,
        NtmLevel::Modern,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            NtmLevel::Standard => "standard",
            NtmLevel::Advanced => "advanced",
            NtmLevel::Model => "model",
            NtmLevel::Modern => "modern",
        }
    }

    /// "đạt chuẩn nông thôn mới", "đạt chuẩn nông thôn mới nâng cao", …
    pub fn vi(&self) -> &'static str {
        match self {
            NtmLevel::Standard => "đạt chuẩn nông thôn mới",
            NtmLevel::Advanced => "đạt chuẩn nông thôn mới nâng cao",
            NtmLevel::Model => "đạt chuẩn nông thôn mới kiểu mẫu",
            NtmLevel::Modern => "đạt chuẩn nông thôn mới hiện đại",
        }
    }

    /// Reads a key or a short label: "standard", "đạt chuẩn", "nâng cao", "kiểu mẫu", "hiện đại".
    pub fn parse(text: &str) -> Option<NtmLevel> {
        let t = text.trim();
        if let Some(l) = NtmLevel::ALL.iter().find(|l| l.key() == t) {
            return Some(*l);
        }
        let f = chitieu_text::search_key(t);
        if f.contains("nang cao") {
            Some(NtmLevel::Advanced)
        } else if f.contains("kieu mau") {
            Some(NtmLevel::Model)
        } else if f.contains("hien dai") {
            Some(NtmLevel::Modern)
        } else if f.contains("dat chuan") || f == "ntm" || f.contains("nong thon moi") {
            Some(NtmLevel::Standard)
        } else {
            None
        }
    }
}

impl fmt::Display for NtmLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.vi())
    }
}

/// What a set's thresholds vary by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// Socio-economic regions (vùng): Trung du miền núi phía Bắc, Đồng bằng sông Hồng, …
    Region,
    /// Commune groups (nhóm xã) defined by the set.
    CommuneGroup,
}

/// One indicator (chỉ tiêu) of a criterion, with its threshold per area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionIndicator {
    /// "6.1", or the criterion number when it has one indicator.
    pub code: String,
    pub name: String,
    /// Threshold per area, in the order of [`CriteriaSet::areas`] ("≥ 90%", "Đạt").
    pub thresholds: Vec<String>,
}

/// One criterion (tiêu chí) of a set at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub level: NtmLevel,
    pub number: u32,
    pub name: String,
    pub indicators: Vec<CriterionIndicator>,
}

/// A national criteria set for one programme phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriteriaSet {
    /// Stable key: "318-2021", "51-2025".
    pub id: String,
    /// "Quyết định số 318/QĐ-TTg ngày 08/3/2022".
    pub decision: String,
    pub title: String,
    pub from_year: i32,
    pub to_year: i32,
    pub area_kind: AreaKind,
    pub areas: Vec<String>,
    pub criteria: Vec<Criterion>,
}

impl CriteriaSet {
    /// The levels this set describes, lowest first.
    pub fn levels(&self) -> Vec<NtmLevel> {
        let set: BTreeSet<NtmLevel> = self.criteria.iter().map(|c| c.level).collect();
        set.into_iter().collect()
    }

    /// The criteria of one level, by number.
    pub fn criteria_at(&self, level: NtmLevel) -> Vec<&Criterion> {
        self.criteria.iter().filter(|c| c.level == level).collect()
    }

    pub fn criterion(&self, level: NtmLevel, number: u32) -> Option<&Criterion> {
        self.criteria
            .iter()
            .find(|c| c.level == level && c.number == number)
    }

    /// Number of indicators at one level.
    pub fn indicator_count(&self, level: NtmLevel) -> usize {
        self.criteria_at(level)
            .iter()
            .map(|c| c.indicators.len())
            .sum()
    }

    /// Whether the set applies to a year (its programme phase).
    pub fn covers_year(&self, year: i32) -> bool {
        self.from_year <= year && year <= self.to_year
    }

    /// The index of an area by name, ignoring case and spacing ("trung du miền núi phía bắc"),
    /// or, when no name matches with its diacritics, without them ("trung du mien nui phia bac").
    pub fn area_index(&self, name: &str) -> Option<usize> {
        let f = chitieu_text::fold(name);
        if let Some(i) = self.areas.iter().position(|a| chitieu_text::fold(a) == f) {
            return Some(i);
        }
        let k = chitieu_text::search_key(name);
        self.areas
            .iter()
            .position(|a| chitieu_text::search_key(a) == k)
    }
}

/// Why a criteria file or a state is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NtmError {
    #[error("{file}, dòng {line}, cột '{column}': {reason}")]
    Csv {
        file: String,
        line: u64,
        column: String,
        reason: String,
    },
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error(
        "không có bộ tiêu chí '{0}' (unknown criteria set): xem các bộ bằng `chitieu ntm sets`"
    )]
    UnknownSet(String),
    #[error(
        "bộ tiêu chí {set} không có tiêu chí số {number} ở mức '{level}' (unknown criterion): hãy kiểm tra số tiêu chí và mức"
    )]
    UnknownCriterion {
        set: String,
        level: String,
        number: u32,
    },
    #[error(
        "mức nông thôn mới '{0}' không hợp lệ (unknown level): hãy ghi đạt chuẩn, nâng cao, kiểu mẫu hoặc hiện đại"
    )]
    UnknownLevel(String),
}

struct Builtin {
    id: &'static str,
    decision: &'static str,
    title: &'static str,
    from_year: i32,
    to_year: i32,
    area_kind: AreaKind,
    file: &'static str,
    csv: &'static str,
}

const BUILTIN: &[Builtin] = &[
    Builtin {
        id: "318-2021",
        decision: "Quyết định số 318/QĐ-TTg ngày 08/3/2022 của Thủ tướng Chính phủ (xã kiểu mẫu: Quyết định số 319/QĐ-TTg cùng ngày)",
        title: "Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn 2021 - 2025 và điều kiện xã nông thôn mới kiểu mẫu",
        from_year: 2021,
        to_year: 2025,
        area_kind: AreaKind::Region,
        file: "data/ntm/318-2021.csv",
        csv: include_str!("../../../data/ntm/318-2021.csv"),
    },
    Builtin {
        id: "51-2025",
        decision: "Quyết định số 51/2025/QĐ-TTg của Thủ tướng Chính phủ",
        title: "Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn 2026 - 2030",
        from_year: 2026,
        to_year: 2030,
        area_kind: AreaKind::CommuneGroup,
        file: "data/ntm/51-2025.csv",
        csv: include_str!("../../../data/ntm/51-2025.csv"),
    },
];

/// The built-in criteria sets, oldest first.
pub fn builtin_sets() -> Result<Vec<CriteriaSet>, NtmError> {
    BUILTIN
        .iter()
        .map(|b| {
            let (areas, criteria) = parse_criteria_csv(b.file, b.csv)?;
            Ok(CriteriaSet {
                id: b.id.to_string(),
                decision: b.decision.to_string(),
                title: b.title.to_string(),
                from_year: b.from_year,
                to_year: b.to_year,
                area_kind: b.area_kind,
                areas,
                criteria,
            })
        })
        .collect()
}

/// One built-in set by id ("318-2021"), or the set whose phase covers a year ("2022").
pub fn builtin_set(id_or_year: &str) -> Result<CriteriaSet, NtmError> {
    let sets = builtin_sets()?;
    let wanted = id_or_year.trim();
    if let Some(s) = sets.iter().find(|s| s.id == wanted) {
        return Ok(s.clone());
    }
    if let Ok(year) = wanted.parse::<i32>()
        && let Some(s) = sets.iter().find(|s| s.covers_year(year))
    {
        return Ok(s.clone());
    }
    Err(NtmError::UnknownSet(wanted.to_string()))
}

/// Reads a criteria file: `level,criterion,criterion_name,indicator,indicator_name,<area>…`,
/// one row per indicator, `#` comments. The area columns name the regions or commune groups.
pub fn parse_criteria_csv(
    file: &str,
    text: &str,
) -> Result<(Vec<String>, Vec<Criterion>), NtmError> {
    const FIXED: [&str; 5] = [
        "level",
        "criterion",
        "criterion_name",
        "indicator",
        "indicator_name",
    ];
    let mut lines = crate::csv_line::CsvLines::new(text).with_comment(b'#');
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| NtmError::File {
            file: file.into(),
            reason: crate::csv_line::reason(&e),
        })?
        .clone();
    let header_line = lines.at(headers.position());
    for (i, want) in FIXED.iter().enumerate() {
        if headers.get(i) != Some(*want) {
            return Err(NtmError::Csv {
                file: file.into(),
                line: header_line,
                column: headers.get(i).unwrap_or("").to_string(),
                reason: format!(
                    "cột thứ {} phải là '{want}' (header): hãy sửa dòng tiêu đề",
                    i + 1
                ),
            });
        }
    }
    let areas: Vec<String> = headers
        .iter()
        .skip(FIXED.len())
        .map(chitieu_text::nfc)
        .collect();
    if areas.is_empty() {
        return Err(NtmError::File {
            file: file.into(),
            reason: "không có cột vùng hoặc nhóm xã nào sau cột indicator_name (no area columns): hãy thêm ít nhất một cột".into(),
        });
    }
    let mut criteria: Vec<Criterion> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| match lines.error(&e) {
            (Some(line), reason) => NtmError::Csv {
                file: file.into(),
                line,
                column: String::new(),
                reason,
            },
            (None, reason) => NtmError::File {
                file: file.into(),
                reason,
            },
        })?;
        let line = lines.at(rec.position());
        let err = |column: &str, reason: String| NtmError::Csv {
            file: file.into(),
            line,
            column: column.into(),
            reason,
        };
        let field = |i: usize| rec.get(i).unwrap_or("");
        let level = NtmLevel::parse(field(0))
            .ok_or_else(|| err(
                "level",
                format!(
                    "mức '{}' không hợp lệ (unknown level): hãy ghi đạt chuẩn, nâng cao, kiểu mẫu hoặc hiện đại (standard, advanced, model, modern)",
                    field(0)
                ),
            ))?;
        let number: u32 = field(1).parse().map_err(|_| {
            err(
                "criterion",
                format!(
                    "'{}' không phải là số tiêu chí (not a number): hãy ghi số nguyên, ví dụ 2",
                    field(1)
                ),
            )
        })?;
        let name = chitieu_text::nfc(field(2));
        if name.is_empty() {
            return Err(err(
                "criterion_name",
                "ô trống (empty): hãy ghi tên tiêu chí".into(),
            ));
        }
        let code = field(3).to_string();
        if code.is_empty() {
            return Err(err(
                "indicator",
                "ô trống (empty): hãy ghi mã chỉ tiêu, ví dụ 2.1".into(),
            ));
        }
        let ind_name = chitieu_text::nfc(field(4));
        if ind_name.is_empty() {
            return Err(err(
                "indicator_name",
                "ô trống (empty): hãy ghi tên chỉ tiêu".into(),
            ));
        }
        if rec.len() != FIXED.len() + areas.len() {
            return Err(err(
                "",
                format!(
                    "dòng có {} cột, nhưng tệp cần {} cột (wrong column count)",
                    rec.len(),
                    FIXED.len() + areas.len()
                ),
            ));
        }
        let thresholds: Vec<String> = (FIXED.len()..rec.len())
            .map(|i| chitieu_text::nfc(field(i)))
            .collect();
        if let Some(i) = thresholds.iter().position(|t| t.is_empty()) {
            return Err(err(
                &areas[i],
                "ngưỡng để trống (empty threshold): nếu không có, hãy ghi '-'".into(),
            ));
        }
        let indicator = CriterionIndicator {
            code,
            name: ind_name,
            thresholds,
        };
        match criteria
            .iter_mut()
            .find(|c| c.level == level && c.number == number)
        {
            Some(c) => {
                if c.name != name {
                    return Err(err(
                        "criterion_name",
                        format!(
                            "tiêu chí {number} ở các dòng trên đã có tên '{}' (name differs): hãy ghi cùng một tên",
                            c.name
                        ),
                    ));
                }
                if c.indicators.iter().any(|i| i.code == indicator.code) {
                    return Err(err(
                        "indicator",
                        format!(
                            "chỉ tiêu {} của tiêu chí này ghi hai lần (duplicate): hãy bỏ một dòng",
                            indicator.code
                        ),
                    ));
                }
                c.indicators.push(indicator);
            }
            None => criteria.push(Criterion {
                level,
                number,
                name,
                indicators: vec![indicator],
            }),
        }
    }
    criteria.sort_by_key(|c| (c.level, c.number));
    Ok((areas, criteria))
}

/// Evidence for a criterion's state: a sentence, and optionally the document or figure it
/// rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub document: Option<i64>,
    pub figure: Option<i64>,
}

/// The state of one criterion for one commune in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionState {
    pub criterion: u32,
    /// Đạt (true) or chưa đạt (false).
    pub met: bool,
    pub evidence: Evidence,
}

/// A commune's criteria in one year against one set and level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneCriteria {
    pub commune: UnitId,
    pub year: i32,
    pub set: String,
    pub level: NtmLevel,
    pub states: Vec<CriterionState>,
}

impl CommuneCriteria {
    /// Criteria met.
    pub fn met_count(&self) -> u32 {
        self.states.iter().filter(|s| s.met).count() as u32
    }

    /// Met when every criterion of the level is recorded as met.
    pub fn meets(&self, set: &CriteriaSet) -> bool {
        let met: BTreeSet<u32> = self
            .states
            .iter()
            .filter(|s| s.met)
            .map(|s| s.criterion)
            .collect();
        let all = set.criteria_at(self.level);
        !all.is_empty() && all.iter().all(|c| met.contains(&c.number))
    }

    /// Criteria of the level not recorded as met (missing records count as not met).
    pub fn short(&self, set: &CriteriaSet) -> Vec<u32> {
        set.criteria_at(self.level)
            .iter()
            .filter(|c| !self.states.iter().any(|s| s.criterion == c.number && s.met))
            .map(|c| c.number)
            .collect()
    }
}

/// What a count of communes says when no commune has a record: "chưa có dữ liệu".
pub const NO_DATA_VI: &str = "chưa có dữ liệu";

/// What reports say about a district's communes in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtmSummary {
    pub set: String,
    pub level: NtmLevel,
    pub year: i32,
    /// The communes counted (the Y of X/Y).
    pub communes: Vec<UnitId>,
    /// Communes meeting every criterion (the X).
    pub meeting: Vec<UnitId>,
    /// Criteria met, summed over the communes.
    pub criteria_met: u32,
    /// Criteria met per commune, exact (`criteria_met / communes`).
    pub average: Decimal,
    /// Per criterion number, the communes still short.
    pub shortfall: BTreeMap<u32, Vec<UnitId>>,
    /// Communes with no record for the year (counted as meeting nothing).
    pub unrecorded: Vec<UnitId>,
}

impl NtmSummary {
    /// Derives the summary over `communes` (as the district stood) from their records.
    /// Records of other communes, years, sets or levels are ignored.
    pub fn derive(
        set: &CriteriaSet,
        level: NtmLevel,
        year: i32,
        communes: &[UnitId],
        records: &[CommuneCriteria],
    ) -> NtmSummary {
        let mut meeting = Vec::new();
        let mut total = 0u32;
        let mut unrecorded = Vec::new();
        let mut shortfall: BTreeMap<u32, Vec<UnitId>> = set
            .criteria_at(level)
            .iter()
            .map(|c| (c.number, Vec::new()))
            .collect();
        for &u in communes {
            let rec = records
                .iter()
                .find(|r| r.commune == u && r.year == year && r.set == set.id && r.level == level);
            match rec {
                Some(r) => {
                    let known: BTreeSet<u32> = shortfall.keys().copied().collect();
                    total += r
                        .states
                        .iter()
                        .filter(|s| s.met && known.contains(&s.criterion))
                        .count() as u32;
                    if r.meets(set) {
                        meeting.push(u);
                    }
                    for n in r.short(set) {
                        shortfall.entry(n).or_default().push(u);
                    }
                }
                None => {
                    unrecorded.push(u);
                    for v in shortfall.values_mut() {
                        v.push(u);
                    }
                }
            }
        }
        let average = if communes.is_empty() {
            Decimal::ZERO
        } else {
            Decimal::from(total) / Decimal::from(communes.len() as u64)
        };
        NtmSummary {
            set: set.id.clone(),
            level,
            year,
            communes: communes.to_vec(),
            meeting,
            criteria_met: total,
            average,
            shortfall,
            unrecorded,
        }
    }

    /// Whether any commune has a record for the year, set and level. Without one there is
    /// nothing to count: "0/17" would claim that 17 communes were assessed and none met the
    /// standard, so the texts below say there is no data instead.
    pub fn has_data(&self) -> bool {
        self.unrecorded.len() < self.communes.len()
    }

    /// "8/17"; "chưa có dữ liệu" when no commune has a record.
    pub fn ratio_vi(&self) -> String {
        if !self.has_data() {
            return NO_DATA_VI.to_string();
        }
        format!("{}/{}", self.meeting.len(), self.communes.len())
    }

    /// The average with one decimal and a comma: "14,3"; "–" when no commune has a record.
    pub fn average_vi(&self) -> String {
        if !self.has_data() {
            return "–".to_string();
        }
        chitieu_text::format_decimal_vi(self.average, 1)
    }

    /// "8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí"; without any
    /// record, "chưa có dữ liệu xã đạt chuẩn nông thôn mới nâng cao năm 2024".
    pub fn summary_vi(&self) -> String {
        if !self.has_data() {
            return format!("{NO_DATA_VI} xã {} năm {}", self.level.vi(), self.year);
        }
        format!(
            "{} xã {}; bình quân mỗi xã đạt {} tiêu chí",
            self.ratio_vi(),
            self.level.vi(),
            self.average_vi()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_sets_have_the_published_shape() {
        let s318 = builtin_set("318-2021").unwrap();
        assert_eq!(s318.criteria_at(NtmLevel::Standard).len(), 19);
        assert_eq!(s318.area_kind, AreaKind::Region);
        assert_eq!(s318.areas.len(), 7);
        assert!(s318.area_index("Trung du miền núi phía Bắc").is_some());
        assert_eq!(
            s318.levels(),
            vec![NtmLevel::Standard, NtmLevel::Advanced, NtmLevel::Model]
        );
        let s51 = builtin_set("51-2025").unwrap();
        assert_eq!(s51.criteria_at(NtmLevel::Standard).len(), 10);
        assert_eq!(s51.indicator_count(NtmLevel::Standard), 47);
        assert_eq!(s51.area_kind, AreaKind::CommuneGroup);
        // by year
        assert_eq!(builtin_set("2022").unwrap().id, "318-2021");
        assert_eq!(builtin_set("2027").unwrap().id, "51-2025");
        assert!(matches!(builtin_set("1999"), Err(NtmError::UnknownSet(_))));
        // every threshold row has one value per area
        for set in [&s318, &s51] {
            for c in &set.criteria {
                for i in &c.indicators {
                    assert_eq!(i.thresholds.len(), set.areas.len(), "{} {}", set.id, i.code);
                }
            }
        }
    }

    /// Phụ lục II of Quyết định 318/QĐ-TTg: 19 criteria of the nâng cao level, numbered 1 to 19,
    /// where criteria 5, 6 and 14–18 differ from the đạt chuẩn level.
    #[test]
    fn advanced_level_of_318_has_nineteen_criteria() {
        let s = builtin_set("318-2021").unwrap();
        let adv = s.criteria_at(NtmLevel::Advanced);
        assert_eq!(adv.len(), 19);
        let numbers: Vec<u32> = adv.iter().map(|c| c.number).collect();
        assert_eq!(numbers, (1..=19).collect::<Vec<_>>());
        assert!(adv.iter().all(|c| !c.indicators.is_empty()));
        let cases = [
            (NtmLevel::Standard, 5, "Trường học"),
            (NtmLevel::Advanced, 5, "Giáo dục"),
            (NtmLevel::Advanced, 6, "Văn hóa"),
            (NtmLevel::Standard, 10, "Thu nhập"),
            (NtmLevel::Advanced, 10, "Thu nhập"),
            (NtmLevel::Advanced, 11, "Nghèo đa chiều"),
            (NtmLevel::Advanced, 14, "Y tế"),
            (NtmLevel::Advanced, 15, "Hành chính công"),
            (NtmLevel::Advanced, 16, "Tiếp cận pháp luật"),
            (NtmLevel::Advanced, 18, "Chất lượng môi trường sống"),
            (NtmLevel::Standard, 19, "Quốc phòng và An ninh"),
            (NtmLevel::Advanced, 19, "Quốc phòng và An ninh"),
        ];
        for (level, number, name) in cases {
            let c = s.criterion(level, number).unwrap();
            assert_eq!(c.name, name, "{level:?} {number}");
        }
        // A district summary at the nâng cao level counts against its own 19 criteria.
        let rec = CommuneCriteria {
            commune: UnitId(1),
            year: 2024,
            set: s.id.clone(),
            level: NtmLevel::Advanced,
            states: (1..=18)
                .map(|n| CriterionState {
                    criterion: n,
                    met: true,
                    evidence: Evidence::default(),
                })
                .collect(),
        };
        let sum = NtmSummary::derive(&s, NtmLevel::Advanced, 2024, &[UnitId(1)], &[rec]);
        assert_eq!(sum.ratio_vi(), "0/1");
        assert_eq!(sum.shortfall.len(), 19);
        assert_eq!(sum.shortfall[&19], vec![UnitId(1)]);
        assert_eq!(
            sum.summary_vi(),
            "0/1 xã đạt chuẩn nông thôn mới nâng cao; bình quân mỗi xã đạt 18,0 tiêu chí"
        );
    }

    /// Thresholds read per region: the area columns come in the decision's order, and the
    /// income and multidimensional-poverty thresholds of the đạt chuẩn level are one bound per
    /// region in the form officials write ("≥ 39", "≤ 6%"). The values themselves are as
    /// transcribed (see NOTICE: not yet checked against Phụ lục I).
    #[test]
    fn region_thresholds_of_318_are_read_per_region() {
        let s = builtin_set("318-2021").unwrap();
        assert_eq!(
            s.areas,
            [
                "Trung du miền núi phía Bắc",
                "Đồng bằng sông Hồng",
                "Bắc Trung Bộ",
                "Duyên hải Nam Trung Bộ",
                "Tây Nguyên",
                "Đông Nam Bộ",
                "Đồng bằng sông Cửu Long",
            ]
        );
        let bound = |text: &str, op: &str, unit: &str| -> Option<Decimal> {
            let rest = text.strip_prefix(op)?.trim();
            rest.strip_suffix(unit)?
                .trim()
                .replace(',', ".")
                .parse()
                .ok()
        };
        let income = &s.criterion(NtmLevel::Standard, 10).unwrap().indicators[0];
        let poverty = &s.criterion(NtmLevel::Standard, 11).unwrap().indicators[0];
        let incomes: Vec<Decimal> = income
            .thresholds
            .iter()
            .map(|t| bound(t, "≥", "").unwrap_or_else(|| panic!("income '{t}'")))
            .collect();
        let poverty_rates: Vec<Decimal> = poverty
            .thresholds
            .iter()
            .map(|t| bound(t, "≤", "%").unwrap_or_else(|| panic!("poverty '{t}'")))
            .collect();
        assert_eq!(incomes.len(), 7);
        assert_eq!(poverty_rates.len(), 7);
        // One column per region, reachable by name (folded) as the CLI's --area does.
        let dbsh = s.area_index("dong bang song hong").unwrap();
        let tdmn = s.area_index("Trung du miền núi phía Bắc").unwrap();
        // The richer delta asks more income and less poverty than the northern mountains.
        assert!(incomes[dbsh] > incomes[tdmn]);
        assert!(poverty_rates[dbsh] < poverty_rates[tdmn]);
        // Plausibility against a verified fact: the 2016 - 2020 set (Quyết định 1980/QĐ-TTg)
        // asked, for 2020, at least 36, 50, 36, 41, 41, 59 and 50 triệu đồng/người in these
        // regions; the 2022 thresholds of the new phase must not be lower in any region.
        let income_2020 = [36, 50, 36, 41, 41, 59, 50].map(Decimal::from);
        for (k, (new, old)) in incomes.iter().zip(income_2020).enumerate() {
            assert!(*new >= old, "{}: {new} < {old}", s.areas[k]);
        }
        // The nâng cao level has a threshold in every region for every indicator.
        for c in s.criteria_at(NtmLevel::Advanced) {
            for i in &c.indicators {
                assert_eq!(i.thresholds.len(), 7, "{}", i.code);
                assert!(i.thresholds.iter().all(|t| !t.is_empty()), "{}", i.code);
            }
        }
    }

    /// Quyết định 51/2025/QĐ-TTg, Phụ lục I: the 10 criteria as published (checked against the
    /// reports named in NOTICE), 47 indicators, three commune groups.
    #[test]
    fn criteria_of_51_2025_are_the_published_ten() {
        let s = builtin_set("51-2025").unwrap();
        let names: Vec<&str> = s
            .criteria_at(NtmLevel::Standard)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Quy hoạch",
                "Hạ tầng kinh tế - xã hội",
                "Phát triển kinh tế nông thôn",
                "Đào tạo nguồn nhân lực nông thôn",
                "Văn hóa, giáo dục, y tế",
                "Giảm nghèo và an sinh xã hội",
                "Khoa học công nghệ và chuyển đổi số",
                "Môi trường và cảnh quan nông thôn",
                "Xây dựng hệ thống chính trị và hành chính công",
                "Tiếp cận pháp luật và an ninh, quốc phòng",
            ]
        );
        assert_eq!(s.areas, ["Xã nhóm 1", "Xã nhóm 2", "Xã nhóm 3"]);
        assert_eq!(s.indicator_count(NtmLevel::Standard), 47);
        assert!(s.criteria_at(NtmLevel::Advanced).is_empty());
    }

    /// The line named is the file's line with Unix or Windows line ends, after comment lines,
    /// a blank line and an indicator name quoted over two lines.
    #[test]
    fn criteria_errors_name_the_files_line_with_any_line_ends() {
        let lf = "# Bộ tiêu chí thử\n\
                  level,criterion,criterion_name,indicator,indicator_name,A\n\
                  # Tiêu chí 1\n\
                  standard,1,Quy hoạch,1.1,\"Có quy hoạch chung\nxây dựng xã\",Đạt\n\
                  \n\
                  standard,x,Giao thông,2.1,Đường xã,Đạt\n";
        for text in [lf.to_string(), lf.replace('\n', "\r\n")] {
            let e = parse_criteria_csv("t.csv", &text).unwrap_err().to_string();
            assert_eq!(
                e,
                "t.csv, dòng 7, cột 'criterion': 'x' không phải là số tiêu chí (not a number): hãy ghi số nguyên, ví dụ 2"
            );
        }
        let bad_header = "# đầu\r\n\r\nlevel,criterion,name,indicator,indicator_name,A\r\n";
        let e = parse_criteria_csv("t.csv", bad_header)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.csv, dòng 3, cột 'name'"), "{e}");
        let ragged = "level,criterion,criterion_name,indicator,indicator_name,A\r\n\
                      standard,1,Tên,1,X,Đạt\r\n# c\r\nstandard,2,Tên\r\n";
        let e = parse_criteria_csv("t.csv", ragged).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv, dòng 4, cột '': dòng có 3 cột, nhưng các dòng trước có 6 cột (wrong column count): hãy kiểm tra dấu phẩy và dấu ngoặc kép"
        );
    }

    #[test]
    fn bad_criteria_files_name_the_place() {
        let cases = [
            (
                "level,criterion,criterion_name,indicator,indicator_name,A\nstandard,x,Tên,1,Chỉ tiêu,Đạt\n",
                "dòng 2, cột 'criterion'",
            ),
            (
                "level,criterion,criterion_name,indicator,indicator_name,A\nbogus,1,Tên,1,Chỉ tiêu,Đạt\n",
                "cột 'level'",
            ),
            (
                "level,criterion,criterion_name,indicator,indicator_name,A\nstandard,1,Tên,1,Chỉ tiêu,\n",
                "cột 'A'",
            ),
            (
                "level,criterion,name,indicator,indicator_name,A\n",
                "dòng 1, cột 'name'",
            ),
            (
                "level,criterion,criterion_name,indicator,indicator_name,A\nstandard,1,Tên,1,X,Đạt\nstandard,1,Khác,2,Y,Đạt\n",
                "dòng 3, cột 'criterion_name'",
            ),
        ];
        for (text, want) in cases {
            let e = parse_criteria_csv("t.csv", text).unwrap_err().to_string();
            assert!(e.contains(want), "{e} should contain {want}");
            assert!(e.starts_with("t.csv"), "{e}");
        }
    }

    fn record(set: &CriteriaSet, commune: i64, met: u32) -> CommuneCriteria {
        CommuneCriteria {
            commune: UnitId(commune),
            year: 2022,
            set: set.id.clone(),
            level: NtmLevel::Standard,
            states: set
                .criteria_at(NtmLevel::Standard)
                .iter()
                .map(|c| CriterionState {
                    criterion: c.number,
                    met: c.number <= met,
                    evidence: Evidence::default(),
                })
                .collect(),
        }
    }

    #[test]
    fn district_summary_318() {
        let set = builtin_set("318-2021").unwrap();
        // 17 communes: 8 meet all 19, the rest eight with 10 and one with 11 → 152 + 91 = 243.
        let counts = [
            19, 19, 19, 19, 19, 19, 19, 19, 10, 10, 10, 10, 10, 10, 10, 10, 11,
        ];
        let records: Vec<_> = counts
            .iter()
            .enumerate()
            .map(|(i, &n)| record(&set, i as i64 + 1, n))
            .collect();
        let communes: Vec<UnitId> = (1..=17).map(UnitId).collect();
        let s = NtmSummary::derive(&set, NtmLevel::Standard, 2022, &communes, &records);
        assert_eq!(s.ratio_vi(), "8/17");
        assert_eq!(s.criteria_met, 243);
        assert_eq!(s.average_vi(), "14,3");
        assert_eq!(
            s.summary_vi(),
            "8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí"
        );
        // criterion 11 is short in the eight communes with 10 criteria
        assert_eq!(s.shortfall[&11].len(), 8);
        assert_eq!(s.shortfall[&12].len(), 9);
        assert_eq!(s.shortfall[&1].len(), 0);
    }

    /// A level (or year) with no record at all is not "0/3": nobody assessed the communes.
    #[test]
    fn a_level_without_records_has_no_data_rather_than_zero_of_n() {
        let set = builtin_set("318-2021").unwrap();
        let standard = vec![record(&set, 1, 19)];
        let communes = [UnitId(1), UnitId(2), UnitId(3)];
        let s = NtmSummary::derive(&set, NtmLevel::Advanced, 2022, &communes, &standard);
        assert!(!s.has_data());
        assert_eq!(s.unrecorded.len(), 3);
        assert_eq!(s.ratio_vi(), "chưa có dữ liệu");
        assert_eq!(s.average_vi(), "–");
        assert_eq!(
            s.summary_vi(),
            "chưa có dữ liệu xã đạt chuẩn nông thôn mới nâng cao năm 2022"
        );
        // No commune at all: no data either.
        let s = NtmSummary::derive(&set, NtmLevel::Standard, 2022, &[], &standard);
        assert!(!s.has_data());
        assert_eq!(s.ratio_vi(), "chưa có dữ liệu");
        // One record is data: the others count as not meeting the standard.
        let s = NtmSummary::derive(&set, NtmLevel::Standard, 2022, &communes, &standard);
        assert!(s.has_data());
        assert_eq!(s.ratio_vi(), "1/3");
        assert_eq!(s.average_vi(), "6,3");
    }

    #[test]
    fn district_summary_51_with_an_unrecorded_commune() {
        let set = builtin_set("51-2025").unwrap();
        let records = vec![record(&set, 1, 10), record(&set, 2, 7)];
        let communes = [UnitId(1), UnitId(2), UnitId(3)];
        let s = NtmSummary::derive(&set, NtmLevel::Standard, 2022, &communes, &records);
        assert_eq!(s.ratio_vi(), "1/3");
        assert_eq!(s.criteria_met, 17);
        assert_eq!(s.average_vi(), "5,7");
        assert_eq!(s.unrecorded, vec![UnitId(3)]);
        assert_eq!(s.shortfall[&8], vec![UnitId(2), UnitId(3)]);
        assert_eq!(s.shortfall[&1], vec![UnitId(3)]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn reading_never_panics(s in "\\PC{0,200}") {
                let _ = parse_criteria_csv("p.csv", &s);
                let _ = NtmLevel::parse(&s);
                let _ = builtin_set(&s);
            }

            /// X never exceeds Y, the average never exceeds the number of criteria, and each
            /// commune is short of a criterion exactly when it does not meet it.
            #[test]
            fn summary_is_consistent(counts in proptest::collection::vec(0u32..=19, 0..20)) {
                let set = builtin_set("318-2021").unwrap();
                let records: Vec<_> = counts
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| record(&set, i as i64, n))
                    .collect();
                let communes: Vec<UnitId> = (0..counts.len() as i64).map(UnitId).collect();
                let s = NtmSummary::derive(&set, NtmLevel::Standard, 2022, &communes, &records);
                prop_assert!(s.meeting.len() <= s.communes.len());
                prop_assert!(s.average <= Decimal::from(19));
                prop_assert_eq!(s.criteria_met, counts.iter().sum::<u32>());
                prop_assert_eq!(s.meeting.len(), counts.iter().filter(|&&n| n == 19).count());
                for (n, short) in &s.shortfall {
                    prop_assert_eq!(short.len(), counts.iter().filter(|&&c| c < *n).count());
                }
            }
        }
    }
}
