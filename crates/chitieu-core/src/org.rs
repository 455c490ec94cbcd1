//! Organisations (Party committees, People's Councils, People's Committees) and their terms.

use crate::admin::UnitId;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// Đảng bộ (the Party organisation of a unit).
    DangBo,
    /// Ban Chấp hành Đảng bộ (the executive committee).
    BanChapHanh,
    /// Ban Thường vụ (the standing committee).
    BanThuongVu,
    /// Hội đồng nhân dân (People's Council).
    Hdnd,
    /// Ủy ban nhân dân (People's Committee).
    Ubnd,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        OrgKind::DangBo,
        OrgKind::BanChapHanh,
        OrgKind::BanThuongVu,
        OrgKind::Hdnd,
        OrgKind::Ubnd,
    ];
    pub fn key(&self) -> &'static str {
        match self {
            OrgKind::DangBo => "dang_bo",
            OrgKind::BanChapHanh => "ban_chap_hanh",
            OrgKind::BanThuongVu => "ban_thuong_vu",
            OrgKind::Hdnd => "hdnd",
            OrgKind::Ubnd => "ubnd",
        }
    }
    pub fn vi(&self) -> &'static str {
        match self {
            OrgKind::DangBo => "Đảng bộ",
            OrgKind::BanChapHanh => "Ban Chấp hành Đảng bộ",
            OrgKind::BanThuongVu => "Ban Thường vụ",
            OrgKind::Hdnd => "Hội đồng nhân dân",
            OrgKind::Ubnd => "Ủy ban nhân dân",
        }
    }
    /// Whether the organisation belongs to the Party (its documents follow Hướng dẫn 36-HD/VPTW)
    /// rather than the State (Nghị định 30/2020/NĐ-CP).
    pub fn is_party(&self) -> bool {
        matches!(
            self,
            OrgKind::DangBo | OrgKind::BanChapHanh | OrgKind::BanThuongVu
        )
    }
}

impl FromStr for OrgKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| format!("unknown organisation kind '{s}'"))
    }
}

/// A term of office: "khóa XXII, nhiệm kỳ 2020 – 2025".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// The term's number: 22 for khóa XXII.
    pub number: u32,
    pub start_year: i32,
    pub end_year: i32,
}

impl Term {
    /// "khóa XXII, nhiệm kỳ 2020 – 2025".
    pub fn label_vi(&self) -> String {
        format!(
            "khóa {}, nhiệm kỳ {} – {}",
            roman(self.number),
            self.start_year,
            self.end_year
        )
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_vi())
    }
}

/// An organisation attached to a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: i64,
    pub unit: UnitId,
    pub kind: OrgKind,
    /// "Huyện ủy Bắc Sơn", "UBND huyện Bắc Sơn".
    pub name: String,
    pub terms: Vec<Term>,
}

/// Roman numerals for term and session numbers (1 to 3999).
pub fn roman(mut n: u32) -> String {
    const T: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in T {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// Parses a Roman numeral ("XXII" → 22), case-insensitive. `None` if it is not one.
pub fn parse_roman(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_uppercase();
    if s.is_empty() {
        return None;
    }
    let val = |c| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let digits: Vec<u32> = s.chars().map(val).collect::<Option<_>>()?;
    let mut total = 0;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|next| next > d) {
            total -= *d as i64;
        } else {
            total += *d as i64;
        }
    }
    let n = u32::try_from(total).ok()?;
    (n > 0 && roman(n) == s).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals_round_trip() {
        for n in 1..200 {
            assert_eq!(parse_roman(&roman(n)), Some(n));
        }
        assert_eq!(roman(22), "XXII");
        assert_eq!(parse_roman("xvii"), Some(17));
        assert_eq!(parse_roman("IIII"), None);
        assert_eq!(parse_roman("ABC"), None);
    }

    #[test]
    fn term_label() {
        let t = Term {
            number: 22,
            start_year: 2020,
            end_year: 2025,
        };
        assert_eq!(t.label_vi(), "khóa XXII, nhiệm kỳ 2020 – 2025");
    }
}
