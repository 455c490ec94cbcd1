//! Administrative units as they really were on each date.
//!
//! A unit (tỉnh, huyện, xã, …) has a stable internal [`UnitId`] and one or more
//! [`UnitVersion`]s, each valid over a date range, with its name, kind, official code and
//! parent. Official codes are *not* keys: after the 1 July 2025 reorganisation codes were reused
//! with new meanings (06337 was Xã Đồng Ý and is now Xã Tân Tri). Mergers and splits are
//! [`Succession`]s between units, many-to-many, flagged when only part of a unit moved.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The stable internal id of a unit. Never reused, never shown as an official code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnitId(pub i64);

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The official code of a unit (mã đơn vị hành chính), as text: leading zeros matter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OfficialCode(pub String);

impl fmt::Display for OfficialCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The level of a unit in the hierarchy. Since 1 July 2025 there is no district level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Nation,
    Province,
    District,
    Commune,
}

impl Level {
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Nation => "nation",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "nation" => Level::Nation,
            "province" => Level::Province,
            "district" => Level::District,
            "commune" => Level::Commune,
            _ => return Err(format!("unknown level '{s}'")),
        })
    }
}

/// The kind of a unit, as the law names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The whole country: the root of the hierarchy.
    QuocGia,
    Tinh,
    /// Thành phố: a centrally-run city at province level, or a provincial city at district level.
    ThanhPho,
    Huyen,
    ThiXa,
    Quan,
    Xa,
    Phuong,
    ThiTran,
    DacKhu,
}

impl UnitKind {
    pub const ALL: [UnitKind; 10] = [
        UnitKind::QuocGia,
        UnitKind::Tinh,
        UnitKind::ThanhPho,
        UnitKind::Huyen,
        UnitKind::ThiXa,
        UnitKind::Quan,
        UnitKind::Xa,
        UnitKind::Phuong,
        UnitKind::ThiTran,
        UnitKind::DacKhu,
    ];

    /// The Vietnamese word, lower case: `huyện`, `thị trấn`.
    pub fn vi(&self) -> &'static str {
        match self {
            UnitKind::QuocGia => "quốc gia",
            UnitKind::Tinh => "tỉnh",
            UnitKind::ThanhPho => "thành phố",
            UnitKind::Huyen => "huyện",
            UnitKind::ThiXa => "thị xã",
            UnitKind::Quan => "quận",
            UnitKind::Xa => "xã",
            UnitKind::Phuong => "phường",
            UnitKind::ThiTran => "thị trấn",
            UnitKind::DacKhu => "đặc khu",
        }
    }

    /// A stable ASCII key used in storage and data files.
    pub fn key(&self) -> &'static str {
        match self {
            UnitKind::QuocGia => "quoc_gia",
            UnitKind::Tinh => "tinh",
            UnitKind::ThanhPho => "thanh_pho",
            UnitKind::Huyen => "huyen",
            UnitKind::ThiXa => "thi_xa",
            UnitKind::Quan => "quan",
            UnitKind::Xa => "xa",
            UnitKind::Phuong => "phuong",
            UnitKind::ThiTran => "thi_tran",
            UnitKind::DacKhu => "dac_khu",
        }
    }

    pub fn from_key(key: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Recognises a kind word at the start of a folded name, with common abbreviations
    /// ("tp", "tx", "tt"). Returns the kind and the rest of the name.
    pub fn strip_prefix(folded: &str) -> Option<(UnitKind, &str)> {
        const WORDS: &[(&str, UnitKind)] = &[
            ("thành phố ", UnitKind::ThanhPho),
            ("tp. ", UnitKind::ThanhPho),
            ("tp.", UnitKind::ThanhPho),
            ("tp ", UnitKind::ThanhPho),
            ("thị trấn ", UnitKind::ThiTran),
            ("tt. ", UnitKind::ThiTran),
            ("tt ", UnitKind::ThiTran),
            ("thị xã ", UnitKind::ThiXa),
            ("tx. ", UnitKind::ThiXa),
            ("tx ", UnitKind::ThiXa),
            ("đặc khu ", UnitKind::DacKhu),
            ("tỉnh ", UnitKind::Tinh),
            ("huyện ", UnitKind::Huyen),
            ("quận ", UnitKind::Quan),
            ("phường ", UnitKind::Phuong),
            ("xã ", UnitKind::Xa),
        ];
        WORDS
            .iter()
            .find_map(|(w, k)| folded.strip_prefix(w).map(|rest| (*k, rest.trim())))
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.vi())
    }
}

/// One version of a unit: what it was called, what it was, and where it sat, over a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitVersion {
    pub unit: UnitId,
    /// The proper name without the kind word: "Bắc Sơn".
    pub name: String,
    pub kind: UnitKind,
    pub level: Level,
    pub code: Option<OfficialCode>,
    pub parent: Option<UnitId>,
    /// First day in force; `None` when the unit predates the records.
    pub valid_from: Option<NaiveDate>,
    /// Last day in force; `None` while still in force.
    pub valid_to: Option<NaiveDate>,
}

impl UnitVersion {
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    /// Whether the version was in force at any time between `from` and `to`, inclusive.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= to) && self.valid_to.is_none_or(|t| from <= t)
    }

    /// The full name as written in documents: "huyện Bắc Sơn", "xã Vũ Sơn".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.kind.vi(), self.name)
    }

    /// The full name with a capital letter, as a heading: "Huyện Bắc Sơn".
    pub fn title(&self) -> String {
        let full = self.full_name();
        let mut cs = full.chars();
        match cs.next() {
            Some(c) => c.to_uppercase().chain(cs).collect(),
            None => full,
        }
    }
}

/// A unit that took over all or part of another: a merger, a split or an absorption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    pub from: UnitId,
    pub to: UnitId,
    /// The first day of the successor's responsibility.
    pub date: NaiveDate,
    /// True when only part of `from` went to `to` (the old unit was divided).
    pub partial: bool,
}

/// A unit name as people write it, split into an optional kind and the proper name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName {
    pub kind: Option<UnitKind>,
    /// Folded (lower case, NFC, modern tone placement) proper name.
    pub folded_name: String,
}

impl UnitName {
    /// Parses "huyện Bắc Sơn", "Xã Vũ Sơn", "TP. Lạng Sơn" or a bare "Bắc Sơn".
    pub fn parse(text: &str) -> UnitName {
        let folded = chitieu_text::fold(text);
        match UnitKind::strip_prefix(&folded) {
            Some((kind, rest)) => UnitName {
                kind: Some(kind),
                folded_name: rest.to_string(),
            },
            None => UnitName {
                kind: None,
                folded_name: folded,
            },
        }
    }

    pub fn matches(&self, v: &UnitVersion) -> bool {
        self.kind.is_none_or(|k| k == v.kind) && chitieu_text::fold(&v.name) == self.folded_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(name: &str, kind: UnitKind) -> UnitVersion {
        UnitVersion {
            unit: UnitId(1),
            name: name.into(),
            kind,
            level: Level::Commune,
            code: Some(OfficialCode("06355".into())),
            parent: None,
            valid_from: None,
            valid_to: NaiveDate::from_ymd_opt(2025, 6, 30),
        }
    }

    #[test]
    fn names_parse_with_and_without_kind() {
        let n = UnitName::parse("huyện  Bắc Sơn");
        assert_eq!(n.kind, Some(UnitKind::Huyen));
        assert_eq!(n.folded_name, "bắc sơn");
        assert_eq!(
            UnitName::parse("TP. Lạng Sơn").kind,
            Some(UnitKind::ThanhPho)
        );
        assert_eq!(
            UnitName::parse("Thị trấn Bắc Sơn").kind,
            Some(UnitKind::ThiTran)
        );
        assert_eq!(UnitName::parse("Bắc Sơn").kind, None);
    }

    #[test]
    fn name_matching_ignores_case_and_normalization() {
        let v = version("Vũ Sơn", UnitKind::Xa);
        assert!(UnitName::parse("xã Vũ Sơn").matches(&v));
        assert!(UnitName::parse("XÃ VŨ SƠN").matches(&v));
        assert!(!UnitName::parse("huyện Vũ Sơn").matches(&v));
        assert!(UnitName::parse("Vũ Sơn").matches(&v));
    }

    #[test]
    fn validity() {
        let v = version("Vũ Sơn", UnitKind::Xa);
        assert!(v.valid_on(NaiveDate::from_ymd_opt(2022, 6, 15).unwrap()));
        assert!(v.valid_on(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()));
        assert!(!v.valid_on(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()));
        assert_eq!(v.full_name(), "xã Vũ Sơn");
        assert_eq!(v.title(), "Xã Vũ Sơn");
    }
}
