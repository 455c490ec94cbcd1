//! Indicators (chỉ tiêu) and their catalog.
//!
//! The catalog starts from `shared/spec/indicators.csv`, extended with how each indicator
//! aggregates over units and over time. Users may add their own indicators.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An indicator code: lower-case ASCII letters, digits and `_`, 2 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndicatorCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error(
        "'{0}' không phải là mã chỉ tiêu hợp lệ (indicator code): dùng 2–64 ký tự gồm chữ thường không dấu, chữ số và '_', bắt đầu bằng một chữ cái"
    )]
    BadCode(String),
    #[error(
        "chiều đánh giá '{0}' không hợp lệ (direction): hãy ghi up (càng cao càng tốt), down (càng thấp càng tốt) hoặc none"
    )]
    BadDirection(String),
    #[error(
        "cách tổng hợp '{0}' không hợp lệ (aggregation): hãy ghi sum, mean, weighted_mean:<mã>, ratio:<tử số>/<mẫu số>[*hệ số] hoặc none"
    )]
    BadAggregation(String),
    #[error(
        "cách tính theo thời gian '{0}' không hợp lệ (temporal): hãy ghi cumulative (cộng dồn) hoặc level (giá trị tại thời điểm)"
    )]
    BadTemporal(String),
    /// A catalog file's bad line; `column` is empty when the whole line is at fault.
    #[error("danh mục chỉ tiêu, dòng {line}{}: {reason}", column_part(column))]
    Catalog {
        line: u64,
        column: String,
        reason: String,
    },
}

fn column_part(column: &str) -> String {
    if column.is_empty() {
        String::new()
    } else {
        format!(", cột '{column}'")
    }
}

impl IndicatorCode {
    pub fn new(s: &str) -> Result<Self, IndicatorError> {
        let ok = (2..=64).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(IndicatorCode(s.to_string()))
        } else {
            Err(IndicatorError::BadCode(s.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IndicatorCode {
    type Err = IndicatorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndicatorCode::new(s)
    }
}

impl TryFrom<String> for IndicatorCode {
    type Error = IndicatorError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IndicatorCode::new(&s)
    }
}

impl From<IndicatorCode> for String {
    fn from(c: IndicatorCode) -> String {
        c.0
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better (revenue, output).
    Up,
    /// Lower is better (poverty rate, accidents).
    Down,
    /// Neither (expenditure, a sector's share).
    None,
}

impl FromStr for Direction {
    type Err = IndicatorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "up" => Direction::Up,
            "down" => Direction::Down,
            "none" | "" => Direction::None,
            other => return Err(IndicatorError::BadDirection(other.to_string())),
        })
    }
}

impl Direction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::None => "none",
        }
    }
}

/// How the figures of the units below combine into the figure of the unit above.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Add the figures (revenue, hectares, counts).
    Sum,
    /// The plain mean over reporting units (criteria per commune).
    Mean,
    /// The mean weighted by another indicator's figures for the same units and period.
    WeightedMean { weight: IndicatorCode },
    /// Recompute from components: sum(numerator) / sum(denominator) × scale.
    Ratio {
        numerator: IndicatorCode,
        denominator: IndicatorCode,
        scale: rust_decimal::Decimal,
    },
    /// Not aggregated: only the unit's own figure counts.
    None,
}

impl FromStr for Aggregation {
    type Err = IndicatorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || IndicatorError::BadAggregation(s.to_string());
        let s = s.trim();
        Ok(match s {
            "sum" => Aggregation::Sum,
            "mean" => Aggregation::Mean,
            "none" | "" => Aggregation::None,
            _ => {
                if let Some(w) = s.strip_prefix("weighted_mean:") {
                    Aggregation::WeightedMean {
                        weight: IndicatorCode::new(w).map_err(|_| bad())?,
                    }
                } else if let Some(r) = s.strip_prefix("ratio:") {
                    let (frac, scale) = match r.split_once('*') {
                        Some((f, sc)) => (f, sc.parse().map_err(|_| bad())?),
                        None => (r, rust_decimal::Decimal::ONE),
                    };
                    let (n, d) = frac.split_once('/').ok_or_else(bad)?;
                    Aggregation::Ratio {
                        numerator: IndicatorCode::new(n).map_err(|_| bad())?,
                        denominator: IndicatorCode::new(d).map_err(|_| bad())?,
                        scale,
                    }
                } else {
                    return Err(bad());
                }
            }
        })
    }
}

impl fmt::Display for Aggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregation::Sum => f.write_str("sum"),
            Aggregation::Mean => f.write_str("mean"),
            Aggregation::None => f.write_str("none"),
            Aggregation::WeightedMean { weight } => write!(f, "weighted_mean:{weight}"),
            Aggregation::Ratio {
                numerator,
                denominator,
                scale,
            } => {
                if *scale == rust_decimal::Decimal::ONE {
                    write!(f, "ratio:{numerator}/{denominator}")
                } else {
                    write!(f, "ratio:{numerator}/{denominator}*{scale}")
                }
            }
        }
    }
}

/// How a period's figure relates to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Temporal {
    /// Accumulates from the start of the year: revenue so far, hectares sown so far.
    Cumulative,
    /// A level at a date: a rate, a count of communes meeting a standard.
    Level,
}

impl FromStr for Temporal {
    type Err = IndicatorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "cumulative" => Temporal::Cumulative,
            "level" | "" => Temporal::Level,
            other => return Err(IndicatorError::BadTemporal(other.to_string())),
        })
    }
}

impl Temporal {
    pub fn as_str(&self) -> &'static str {
        match self {
            Temporal::Cumulative => "cumulative",
            Temporal::Level => "level",
        }
    }
}

/// An indicator of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub name_vi: String,
    /// The unit of measure: `VND`, `%`, `ha`, `t`, `km`, `tạ/ha`, or a counted noun (`xã`).
    pub unit: String,
    pub direction: Direction,
    pub group: String,
    pub aggregation: Aggregation,
    pub temporal: Temporal,
    /// Phrases that name the indicator in text, used by extraction (synonyms users can extend).
    pub phrases: Vec<String>,
    /// For counts of units meeting a standard ("8/17 xã"): the level of unit counted. The total
    /// then comes from the units in force on the date.
    pub counts_units: Option<crate::admin::Level>,
}

impl Indicator {
    /// Whether the figure is a count of units out of the units in force ("8/17 xã").
    pub fn is_count_of_units(&self) -> bool {
        self.counts_units.is_some()
    }
}

/// The indicator catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub indicators: Vec<Indicator>,
}

/// The catalog shipped with chitieu: `data/indicators.csv`, which extends
/// `shared/spec/indicators.csv` with aggregation and temporal rules.
pub const BUILTIN_CATALOG_CSV: &str = include_str!("../../../data/indicators.csv");

impl Catalog {
    /// The built-in catalog. It is tested to parse, so this cannot fail at run time.
    pub fn builtin() -> Catalog {
        Catalog::from_csv(BUILTIN_CATALOG_CSV).unwrap_or_default()
    }

    /// Parses a catalog CSV with the header of `indicators.csv`
    /// (`code,name_vi,unit,better,group,typical_phrases`) and optional columns `aggregation`,
    /// `temporal` and `counts_units`. Missing rules default by unit: sums for money, areas,
    /// tonnes, lengths and counts; no aggregation for rates.
    pub fn from_csv(text: &str) -> Result<Catalog, IndicatorError> {
        let mut lines = crate::csv_line::CsvLines::new(text);
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| IndicatorError::Catalog {
                line: 1,
                column: String::new(),
                reason: crate::csv_line::reason(&e),
            })?
            .clone();
        let header_line = lines.at(headers.position());
        let col = |name: &str| headers.iter().position(|h| h == name);
        let need = |name: &str| {
            col(name).ok_or_else(|| IndicatorError::Catalog {
                line: header_line,
                column: String::new(),
                reason: format!("thiếu cột '{name}' (missing column)"),
            })
        };
        let (c_code, c_name, c_unit, c_better) = (
            need("code")?,
            need("name_vi")?,
            need("unit")?,
            need("better")?,
        );
        let (c_group, c_phr) = (col("group"), col("typical_phrases"));
        let (c_agg, c_temp, c_cnt) = (col("aggregation"), col("temporal"), col("counts_units"));
        let mut indicators = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let (line, reason) = lines.error(&e);
                IndicatorError::Catalog {
                    line: line.unwrap_or(0),
                    column: String::new(),
                    reason,
                }
            })?;
            let line = lines.at(rec.position());
            let at = |column: &'static str| {
                move |e: IndicatorError| IndicatorError::Catalog {
                    line,
                    column: column.to_string(),
                    reason: e.to_string(),
                }
            };
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").to_string();
            let code = IndicatorCode::new(&get(Some(c_code))).map_err(at("code"))?;
            let unit = get(Some(c_unit));
            let agg_text = get(c_agg);
            let aggregation = if agg_text.is_empty() {
                default_aggregation(&unit)
            } else {
                agg_text.parse().map_err(at("aggregation"))?
            };
            let temp_text = get(c_temp);
            let temporal = if temp_text.is_empty() {
                default_temporal(&unit)
            } else {
                temp_text.parse().map_err(at("temporal"))?
            };
            let counts_units = match get(c_cnt).as_str() {
                "" => None,
                s => Some(s.parse().map_err(|reason| IndicatorError::Catalog {
                    line,
                    column: "counts_units".into(),
                    reason,
                })?),
            };
            indicators.push(Indicator {
                code,
                name_vi: get(Some(c_name)),
                direction: get(Some(c_better)).parse().map_err(at("better"))?,
                group: get(c_group),
                phrases: get(c_phr)
                    .split('|')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect(),
                unit,
                aggregation,
                temporal,
                counts_units,
            });
        }
        Ok(Catalog { indicators })
    }

    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code.as_str() == code)
    }

    /// Adds or replaces an indicator.
    pub fn upsert(&mut self, ind: Indicator) {
        match self.indicators.iter_mut().find(|i| i.code == ind.code) {
            Some(slot) => *slot = ind,
            None => self.indicators.push(ind),
        }
    }
}

/// Money, areas, tonnes, lengths and counts add up; rates and ratios do not.
pub fn default_aggregation(unit: &str) -> Aggregation {
    match unit {
        "%" | "‰" | "tạ/ha" | "tiêu chí/xã" => Aggregation::None,
        _ => Aggregation::Sum,
    }
}

/// Rates are levels; flows of money and output accumulate over the year.
pub fn default_temporal(unit: &str) -> Temporal {
    match unit {
        "VND" | "USD" | "ha" | "t" | "km" => Temporal::Cumulative,
        _ => Temporal::Level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_whole() {
        let cat = Catalog::from_csv(BUILTIN_CATALOG_CSV).unwrap();
        assert!(cat.indicators.len() >= 61);
        assert_eq!(
            cat.get("rice_yield").unwrap().aggregation.to_string(),
            "ratio:grain_output/sown_area*10"
        );
        assert_eq!(
            cat.get("ntm_communes").unwrap().counts_units,
            Some(crate::admin::Level::Commune)
        );
        assert_eq!(Catalog::builtin(), cat);
    }

    #[test]
    fn codes_are_validated() {
        assert!(IndicatorCode::new("budget_revenue").is_ok());
        for bad in ["", "a", "Budget", "1abc", "thu ngân sách", "x-y"] {
            assert!(IndicatorCode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn aggregation_round_trips() {
        for s in [
            "sum",
            "mean",
            "none",
            "weighted_mean:crop_area",
            "ratio:grain_output/sown_area*10",
            "ratio:a_b/c_d",
        ] {
            let a: Aggregation = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        assert!("median".parse::<Aggregation>().is_err());
        assert!("ratio:x".parse::<Aggregation>().is_err());
    }

    #[test]
    fn catalog_parses_with_defaults_and_names_bad_lines() {
        let csv = "code,name_vi,unit,better,group,typical_phrases\n\
                   budget_revenue,Thu ngân sách,VND,up,economy,thu ngân sách|tổng thu ngân sách\n\
                   poverty_rate,Tỷ lệ hộ nghèo,%,down,social,tỷ lệ hộ nghèo\n";
        let cat = Catalog::from_csv(csv).unwrap();
        let b = cat.get("budget_revenue").unwrap();
        assert_eq!(b.aggregation, Aggregation::Sum);
        assert_eq!(b.temporal, Temporal::Cumulative);
        assert_eq!(b.phrases, vec!["thu ngân sách", "tổng thu ngân sách"]);
        let p = cat.get("poverty_rate").unwrap();
        assert_eq!(p.direction, Direction::Down);
        assert_eq!(p.temporal, Temporal::Level);

        let bad = "code,name_vi,unit,better\nok_code,A,VND,up\nBad Code,B,VND,up\n";
        let err = Catalog::from_csv(bad).unwrap_err().to_string();
        assert!(err.contains("dòng 3, cột 'code'"), "{err}");
    }

    /// The line an error names is the file's line, whatever the line ends, after a quoted
    /// phrase list running over two lines and a blank line.
    #[test]
    fn catalog_errors_name_the_files_line_with_any_line_ends() {
        let lf = "code,name_vi,unit,better,group,typical_phrases\n\
                  budget_revenue,Thu ngân sách,VND,up,economy,\"thu ngân sách|\ntổng thu\"\n\
                  \n\
                  poverty_rate,Tỷ lệ hộ nghèo,%,sideways,social,\n";
        for text in [lf.to_string(), lf.replace('\n', "\r\n")] {
            let err = Catalog::from_csv(&text).unwrap_err().to_string();
            assert!(
                err.starts_with(
                    "danh mục chỉ tiêu, dòng 5, cột 'better': chiều đánh giá 'sideways' không hợp lệ"
                ),
                "{err}"
            );
        }
        let ragged = "code,name_vi,unit,better\r\nok_code,A,VND,up\r\nother,B,VND\r\n";
        let err = Catalog::from_csv(ragged).unwrap_err().to_string();
        assert_eq!(
            err,
            "danh mục chỉ tiêu, dòng 3: dòng có 3 cột, nhưng các dòng trước có 4 cột (wrong column count): hãy kiểm tra dấu phẩy và dấu ngoặc kép"
        );
    }
}
