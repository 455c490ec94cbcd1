//! Word lists: units of measure, counted nouns and their abbreviations.

use crate::token::{Kind, Token};
use rust_decimal::Decimal;

/// What kind of quantity a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Money,
    Percent,
    Area,
    Mass,
    Length,
    /// `tạ/ha`, `tiêu chí/xã`: a ratio with a unit of its own.
    Ratio,
    /// A counted noun: `xã`, `hộ`, `công trình`.
    Count,
}

/// A unit found after a figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitMatch {
    /// The unit as the contract writes it: `VND`, `%`, `ha`, `t`, `km`, `tạ/ha`, or the
    /// counted noun in full (`hợp tác xã` for `HTX`).
    pub unit: &'static str,
    /// Multiply the figure by this to get the base unit (`tạ` → 0.1 t).
    pub factor: Decimal,
    /// One past the last token of the unit.
    pub end: usize,
    pub kind: UnitKind,
}

/// (token keys, unit, factor as (mantissa, scale), kind). Longer entries first where one is
/// a prefix of another.
type Entry = (&'static [&'static str], &'static str, (i64, u32), UnitKind);

const MEASURES: &[Entry] = &[
    (&["tạ", "/", "ha"], "tạ/ha", (1, 0), UnitKind::Ratio),
    (&["đồng"], "VND", (1, 0), UnitKind::Money),
    (&["đ"], "VND", (1, 0), UnitKind::Money),
    (&["vnđ"], "VND", (1, 0), UnitKind::Money),
    (&["vnd"], "VND", (1, 0), UnitKind::Money),
    (&["trđ"], "VND", (1_000_000, 0), UnitKind::Money),
    (&["tr", ".", "đồng"], "VND", (1_000_000, 0), UnitKind::Money),
    (&["tr", ".", "đ"], "VND", (1_000_000, 0), UnitKind::Money),
    (&["usd"], "USD", (1, 0), UnitKind::Money),
    (&["đô", "la", "mỹ"], "USD", (1, 0), UnitKind::Money),
    (&["đô", "la"], "USD", (1, 0), UnitKind::Money),
    (&["%"], "%", (1, 0), UnitKind::Percent),
    (&["phần", "trăm"], "%", (1, 0), UnitKind::Percent),
    (&["‰"], "‰", (1, 0), UnitKind::Percent),
    (&["ha"], "ha", (1, 0), UnitKind::Area),
    (&["héc", "-", "ta"], "ha", (1, 0), UnitKind::Area),
    (&["héc", "ta"], "ha", (1, 0), UnitKind::Area),
    (&["hécta"], "ha", (1, 0), UnitKind::Area),
    (&["hecta"], "ha", (1, 0), UnitKind::Area),
    (&["tấn"], "t", (1, 0), UnitKind::Mass),
    (&["tạ"], "t", (1, 1), UnitKind::Mass),
    (&["kg"], "t", (1, 3), UnitKind::Mass),
    (&["km"], "km", (1, 0), UnitKind::Length),
    (&["ki", "lô", "mét"], "km", (1, 0), UnitKind::Length),
    (&["m"], "km", (1, 3), UnitKind::Length),
    (&["mét"], "km", (1, 3), UnitKind::Length),
];

/// Counted nouns: (token keys, the noun in full).
const COUNTS: &[(&[&str], &str)] = &[
    (&["hợp", "tác", "xã"], "hợp tác xã"),
    (&["htx"], "hợp tác xã"),
    (&["tổ", "hợp", "tác"], "tổ hợp tác"),
    (&["tht"], "tổ hợp tác"),
    (&["doanh", "nghiệp"], "doanh nghiệp"),
    (&["dn"], "doanh nghiệp"),
    (&["nhà", "văn", "hóa"], "nhà văn hóa"),
    (&["nvh"], "nhà văn hóa"),
    (&["nhà", "ở"], "nhà"),
    (&["căn", "nhà"], "nhà"),
    (&["ngôi", "nhà"], "nhà"),
    (&["căn"], "nhà"),
    (&["nhà"], "nhà"),
    (&["phòng", "học"], "phòng học"),
    (&["công", "trình"], "công trình"),
    (&["dự", "án"], "dự án"),
    (&["đảng", "viên"], "đảng viên"),
    (&["chi", "bộ"], "chi bộ"),
    (&["đảng", "bộ"], "đảng bộ"),
    (&["tổ", "chức", "cơ", "sở", "đảng"], "tổ chức cơ sở đảng"),
    (&["tccsđ"], "tổ chức cơ sở đảng"),
    (&["tổ", "chức", "đảng"], "tổ chức đảng"),
    (&["mô", "hình"], "mô hình"),
    (&["sản", "phẩm"], "sản phẩm"),
    (&["cơ", "sở"], "cơ sở"),
    (&["chỉ", "tiêu"], "chỉ tiêu"),
    (&["tiêu", "chí"], "tiêu chí"),
    (&["xã"], "xã"),
    (&["phường"], "phường"),
    (&["thị", "trấn"], "thị trấn"),
    (&["thôn"], "thôn"),
    (&["bản"], "bản"),
    (&["tổ", "dân", "phố"], "tổ dân phố"),
    (&["khu", "dân", "cư"], "khu dân cư"),
    (&["làng"], "làng"),
    (&["xóm"], "xóm"),
    (&["hộ", "gia", "đình"], "hộ"),
    (&["hộ"], "hộ"),
    (&["người"], "người"),
    (&["lao", "động"], "lao động"),
    (&["học", "sinh"], "học sinh"),
    (&["sinh", "viên"], "sinh viên"),
    (&["cháu"], "cháu"),
    (&["con"], "con"),
    (&["vụ"], "vụ"),
    (&["lượt", "khách"], "lượt khách"),
    (&["lượt", "người"], "lượt người"),
    (&["lượt"], "lượt"),
    (&["trường", "học"], "trường"),
    (&["trường"], "trường"),
    (&["cuộc"], "cuộc"),
    (&["hồ", "sơ"], "hồ sơ"),
    (&["thủ", "tục"], "thủ tục"),
    (&["lớp"], "lớp"),
    (&["hội", "viên"], "hội viên"),
    (&["đoàn", "viên"], "đoàn viên"),
    (&["thanh", "niên"], "thanh niên"),
    (&["cán", "bộ"], "cán bộ"),
    (&["ca"], "ca"),
];

/// Crops whose area reports give as "diện tích <crop>"; each is a phrase of `crop_area`.
const CROPS: &[&str] = &[
    "lạc",
    "đậu",
    "đậu tương",
    "sắn",
    "khoai",
    "khoai lang",
    "rau",
    "rau màu",
    "rau các loại",
    "chè",
    "mía",
    "cam",
    "bưởi",
    "vải",
    "nhãn",
    "thanh long",
    "cà phê",
    "cao su",
    "hồ tiêu",
    "điều",
    "thuốc lá",
    "cây màu",
    "cây công nghiệp",
    "cây dược liệu",
];

/// Phrases the extractor adds to the catalog's (indicator code, phrase): "diện tích lạc",
/// "diện tích chè" … for `crop_area`.
pub fn extra_phrases() -> impl Iterator<Item = (String, String)> {
    CROPS
        .iter()
        .map(|c| ("crop_area".to_string(), format!("diện tích {c}")))
}

/// Whether the tokens from `i` spell `keys`, each token right after the previous one.
fn matches_at(toks: &[Token], i: usize, keys: &[&str], limit: usize) -> bool {
    if i + keys.len() > limit {
        return false;
    }
    keys.iter().zip(&toks[i..]).all(|(k, t)| t.key == *k)
}

/// The unit starting at token `i` (before `limit`), if any.
pub fn match_unit(toks: &[Token], i: usize, limit: usize) -> Option<UnitMatch> {
    let t = toks.get(i).filter(|_| i < limit)?;
    if t.kind == Kind::Num {
        return None;
    }
    // tiêu chí/xã, tiêu chí/01 xã, tiêu chí/1 xã
    if matches_at(toks, i, &["tiêu", "chí", "/"], limit) {
        let mut j = i + 3;
        if toks.get(j).is_some_and(|t| t.kind == Kind::Num) {
            j += 1;
        }
        if j < limit && toks[j].is_word("xã") {
            return Some(UnitMatch {
                unit: "tiêu chí/xã",
                factor: Decimal::ONE,
                end: j + 1,
                kind: UnitKind::Ratio,
            });
        }
    }
    for (keys, unit, (m, s), kind) in MEASURES {
        if matches_at(toks, i, keys, limit) {
            let end = i + keys.len();
            if !unit_is_plausible(toks, i, end, unit) {
                continue;
            }
            return Some(UnitMatch {
                unit,
                factor: Decimal::new(*m, *s),
                end,
                kind: *kind,
            });
        }
    }
    for (keys, unit) in COUNTS {
        if matches_at(toks, i, keys, limit) {
            let end = i + keys.len();
            if !unit_is_plausible(toks, i, end, unit) {
                continue;
            }
            return Some(UnitMatch {
                unit,
                factor: Decimal::ONE,
                end,
                kind: UnitKind::Count,
            });
        }
    }
    None
}

/// Rules out look-alikes: `đồng chí`, `m2`, `km²`, a noun glued to the next word.
fn unit_is_plausible(toks: &[Token], start: usize, end: usize, unit: &str) -> bool {
    let next = toks.get(end);
    let glued_digit = next
        .is_some_and(|n| !n.space_before && (n.kind == Kind::Num || matches!(n.k(), "²" | "³")));
    match unit {
        "VND" if toks[start].key == "đồng" => !next.is_some_and(|n| {
            n.kind == Kind::Word && matches!(n.k(), "chí" | "bào" | "thời" | "bằng")
        }),
        "km" | "ha" => !glued_digit,
        // A counted noun written as one capitalised word is a name: "xã Bản Lầu".
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tokenize;

    fn unit_of(text: &str) -> Option<(&'static str, usize)> {
        let toks = tokenize(text);
        match_unit(&toks, 0, toks.len()).map(|u| (u.unit, u.end))
    }

    #[test]
    fn units() {
        assert_eq!(unit_of("đồng"), Some(("VND", 1)));
        assert_eq!(unit_of("đồng chí"), None);
        assert_eq!(unit_of("HTX"), Some(("hợp tác xã", 1)));
        assert_eq!(unit_of("nhà văn hoá xã"), Some(("nhà văn hóa", 3)));
        assert_eq!(unit_of("tiêu chí/01 xã"), Some(("tiêu chí/xã", 5)));
        assert_eq!(unit_of("tiêu chí/xã"), Some(("tiêu chí/xã", 4)));
        assert_eq!(unit_of("tiêu chí"), Some(("tiêu chí", 2)));
        assert_eq!(unit_of("tạ/ha"), Some(("tạ/ha", 3)));
        assert_eq!(unit_of("m2"), None);
        assert_eq!(unit_of("%KH"), Some(("%", 1)));
        assert_eq!(unit_of("gia đình"), None);
        assert_eq!(unit_of("nhóm"), None);
    }
}
