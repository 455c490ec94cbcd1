//! Reporting periods: month, quarter, half-year, 9 months, year and term.
//!
//! The compact forms are those of the extraction contract: `2022` (year), `2022-H1`,
//! `2023-Q2`, `2022-9M`, `2022-M05`, `2020-2025` (term). Vietnamese labels ("6 tháng đầu năm
//! 2022", "quý II/2023") are parsed and written by [`crate::period_vi`].

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A reporting period. Every variant except [`Period::Term`] lies within one calendar year and
/// starts on 1 January of it or later; all periods are cumulative from the start of their year,
/// except months and quarters, which cover only themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Half { year: i32, half: u32 },
    NineMonths { year: i32 },
    Year { year: i32 },
    Term { start: i32, end: i32 },
}

/// The kind of a period, without its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    NineMonths,
    Year,
    Term,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "'{0}' không phải là kỳ báo cáo (not a period): hãy viết dạng 2022, 2022-H1, 2023-Q2, 2022-9M, 2022-M05 hoặc 2020-2025"
    )]
    Syntax(String),
    /// The form is right but a number is not: `reason` says which and what is allowed.
    #[error("kỳ '{input}' không hợp lệ: {reason}")]
    OutOfRange { input: String, reason: &'static str },
}

pub const MIN_YEAR: i32 = 1945;
pub const MAX_YEAR: i32 = 2200;

impl Period {
    pub fn month(year: i32, month: u32) -> Result<Self, PeriodError> {
        check_year(year, &format!("{year}-M{month:02}"))?;
        if !(1..=12).contains(&month) {
            return Err(PeriodError::OutOfRange {
                input: format!("{year}-M{month:02}"),
                reason: "tháng chỉ từ 1 đến 12",
            });
        }
        Ok(Period::Month { year, month })
    }
    pub fn quarter(year: i32, quarter: u32) -> Result<Self, PeriodError> {
        check_year(year, &format!("{year}-Q{quarter}"))?;
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::OutOfRange {
                input: format!("{year}-Q{quarter}"),
                reason: "quý chỉ từ 1 đến 4",
            });
        }
        Ok(Period::Quarter { year, quarter })
    }
    pub fn half(year: i32, half: u32) -> Result<Self, PeriodError> {
        check_year(year, &format!("{year}-H{half}"))?;
        if !(1..=2).contains(&half) {
            return Err(PeriodError::OutOfRange {
                input: format!("{year}-H{half}"),
                reason: "nửa năm chỉ là 1 (6 tháng đầu năm) hoặc 2 (6 tháng cuối năm)",
            });
        }
        Ok(Period::Half { year, half })
    }
    pub fn nine_months(year: i32) -> Result<Self, PeriodError> {
        check_year(year, &format!("{year}-9M"))?;
        Ok(Period::NineMonths { year })
    }
    pub fn year(year: i32) -> Result<Self, PeriodError> {
        check_year(year, &format!("{year}"))?;
        Ok(Period::Year { year })
    }
    pub fn term(start: i32, end: i32) -> Result<Self, PeriodError> {
        let input = format!("{start}-{end}");
        check_year(start, &input)?;
        check_year(end, &input)?;
        if end <= start || end - start > 10 {
            return Err(PeriodError::OutOfRange {
                input,
                reason: "nhiệm kỳ phải kết thúc sau năm bắt đầu, trong vòng 10 năm",
            });
        }
        Ok(Period::Term { start, end })
    }

    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Half { .. } => PeriodKind::Half,
            Period::NineMonths { .. } => PeriodKind::NineMonths,
            Period::Year { .. } => PeriodKind::Year,
            Period::Term { .. } => PeriodKind::Term,
        }
    }

    /// The calendar year the period belongs to (for a term, its last year).
    pub fn year_of(&self) -> i32 {
        match *self {
            Period::Month { year, .. }
            | Period::Quarter { year, .. }
            | Period::Half { year, .. }
            | Period::NineMonths { year }
            | Period::Year { year } => year,
            Period::Term { end, .. } => end,
        }
    }

    /// First and last month (1-based, inclusive) within the year, for periods inside a year.
    fn month_range(&self) -> (u32, u32) {
        match *self {
            Period::Month { month, .. } => (month, month),
            Period::Quarter { quarter, .. } => (quarter * 3 - 2, quarter * 3),
            Period::Half { half: 1, .. } => (1, 6),
            Period::Half { .. } => (7, 12),
            Period::NineMonths { .. } => (1, 9),
            Period::Year { .. } | Period::Term { .. } => (1, 12),
        }
    }

    /// The first day of the period.
    pub fn start_date(&self) -> NaiveDate {
        let (y, m) = match *self {
            Period::Term { start, .. } => (start, 1),
            _ => (self.year_of(), self.month_range().0),
        };
        ymd(y, m, 1)
    }

    /// The last day of the period.
    pub fn end_date(&self) -> NaiveDate {
        let (y, m) = (self.year_of(), self.month_range().1);
        let first_next = if m == 12 {
            ymd(y + 1, 1, 1)
        } else {
            ymd(y, m + 1, 1)
        };
        first_next.pred_opt().unwrap_or(first_next)
    }

    /// Whether `date` falls within the period.
    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.start_date() <= date && date <= self.end_date()
    }

    /// Whether `other` lies wholly within `self`.
    pub fn covers(&self, other: &Period) -> bool {
        self.start_date() <= other.start_date() && other.end_date() <= self.end_date()
    }

    /// Number of months the period spans.
    pub fn months(&self) -> u32 {
        match *self {
            Period::Term { start, end } => ((end - start + 1) * 12) as u32,
            _ => {
                let (a, b) = self.month_range();
                b - a + 1
            }
        }
    }

    /// Months elapsed from 1 January of the period's year to its end: the share of the year a
    /// cumulative figure covers (6 for H1, 9 for 9M, 3 for Q1 but 6 for Q2).
    pub fn months_into_year(&self) -> u32 {
        self.month_range().1
    }

    /// The same period one year earlier ("cùng kỳ năm trước"). A term has none.
    pub fn same_period_last_year(&self) -> Option<Period> {
        Some(match *self {
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::Half { year, half } => Period::Half {
                year: year - 1,
                half,
            },
            Period::NineMonths { year } => Period::NineMonths { year: year - 1 },
            Period::Year { year } => Period::Year { year: year - 1 },
            Period::Term { .. } => return None,
        })
    }

    /// The whole year this period lies in. A term has none.
    pub fn containing_year(&self) -> Option<Period> {
        match self {
            Period::Term { .. } => None,
            _ => Some(Period::Year {
                year: self.year_of(),
            }),
        }
    }

    /// The period whose compact form has the given date inside it, of the given kind.
    pub fn of_kind_containing(kind: PeriodKind, date: NaiveDate) -> Option<Period> {
        let (y, m) = (date.year(), date.month());
        Some(match kind {
            PeriodKind::Month => Period::Month { year: y, month: m },
            PeriodKind::Quarter => Period::Quarter {
                year: y,
                quarter: (m - 1) / 3 + 1,
            },
            PeriodKind::Half => Period::Half {
                year: y,
                half: if m <= 6 { 1 } else { 2 },
            },
            PeriodKind::NineMonths => {
                if m > 9 {
                    return None;
                }
                Period::NineMonths { year: y }
            }
            PeriodKind::Year => Period::Year { year: y },
            PeriodKind::Term => return None,
        })
    }

    /// The compact form: `2022`, `2022-H1`, `2023-Q2`, `2022-9M`, `2022-M05`, `2020-2025`.
    pub fn compact(&self) -> String {
        self.to_string()
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Years are range-checked on construction, so this cannot fail for valid periods; fall
    // back to the minimum date instead of panicking if a caller built an out-of-range value.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn check_year(year: i32, input: &str) -> Result<(), PeriodError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(PeriodError::OutOfRange {
            input: input.to_string(),
            reason: "năm phải từ 1945 đến 2200",
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month { year, month } => write!(f, "{year}-M{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::Half { year, half } => write!(f, "{year}-H{half}"),
            Period::NineMonths { year } => write!(f, "{year}-9M"),
            Period::Year { year } => write!(f, "{year}"),
            Period::Term { start, end } => write!(f, "{start}-{end}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let syntax = || PeriodError::Syntax(s.to_string());
        let num = |x: &str| -> Result<i64, PeriodError> {
            if x.is_empty() || x.len() > 4 || !x.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            x.parse::<i64>().map_err(|_| syntax())
        };
        let year = |x: &str| -> Result<i32, PeriodError> {
            if x.len() != 4 {
                return Err(syntax());
            }
            Ok(num(x)? as i32)
        };
        match t.split_once('-') {
            None => Period::year(year(t)?),
            Some((y, rest)) => {
                let y = year(y)?;
                let upper = rest.to_ascii_uppercase();
                if let Some(h) = upper.strip_prefix('H') {
                    Period::half(y, num(h)? as u32)
                } else if let Some(q) = upper.strip_prefix('Q') {
                    Period::quarter(y, num(q)? as u32)
                } else if let Some(m) = upper.strip_prefix('M') {
                    Period::month(y, num(m)? as u32)
                } else if upper == "9M" {
                    Period::nine_months(y)
                } else if rest.len() == 4 {
                    Period::term(y, year(rest)?)
                } else {
                    Err(syntax())
                }
            }
        }
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_forms_round_trip() {
        for s in [
            "2022",
            "2022-H1",
            "2022-H2",
            "2023-Q2",
            "2022-9M",
            "2022-M05",
            "2020-2025",
        ] {
            let p: Period = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
    }

    #[test]
    fn bad_compact_forms_are_rejected() {
        for s in [
            "",
            "22",
            "2022-H3",
            "2023-Q5",
            "2022-M13",
            "2022-M00",
            "2025-2020",
            "abc",
            "2022-",
        ] {
            assert!(s.parse::<Period>().is_err(), "{s} should fail");
        }
    }

    /// Errors are Vietnamese first, name the text as given and say what to write.
    #[test]
    fn errors_name_the_input_and_what_to_write() {
        let e = "ky-la".parse::<Period>().unwrap_err().to_string();
        assert_eq!(
            e,
            "'ky-la' không phải là kỳ báo cáo (not a period): hãy viết dạng 2022, 2022-H1, 2023-Q2, 2022-9M, 2022-M05 hoặc 2020-2025"
        );
        let e = "2022-H3".parse::<Period>().unwrap_err().to_string();
        assert_eq!(
            e,
            "kỳ '2022-H3' không hợp lệ: nửa năm chỉ là 1 (6 tháng đầu năm) hoặc 2 (6 tháng cuối năm)"
        );
        let e = "1900".parse::<Period>().unwrap_err().to_string();
        assert_eq!(e, "kỳ '1900' không hợp lệ: năm phải từ 1945 đến 2200");
    }

    #[test]
    fn dates_and_lengths() {
        let h1: Period = "2022-H1".parse().unwrap();
        assert_eq!(
            h1.start_date(),
            NaiveDate::from_ymd_opt(2022, 1, 1).unwrap()
        );
        assert_eq!(h1.end_date(), NaiveDate::from_ymd_opt(2022, 6, 30).unwrap());
        assert_eq!(h1.months(), 6);
        let feb: Period = "2024-M02".parse().unwrap();
        assert_eq!(
            feb.end_date(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        let term: Period = "2020-2025".parse().unwrap();
        assert_eq!(
            term.start_date(),
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
        );
        assert_eq!(
            term.end_date(),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        assert_eq!(
            "2023-Q2".parse::<Period>().unwrap().same_period_last_year(),
            Some("2022-Q2".parse().unwrap())
        );
        assert!(Period::Year { year: 2022 }.covers(&h1));
        assert!(!h1.covers(&Period::Year { year: 2022 }));
    }
}
