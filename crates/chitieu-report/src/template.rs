//! Document formats: the header lines, type sizes, margins, numbering and signer block of a
//! Party document (Hướng dẫn 36-HD/VPTW, 2018) or a State document (Nghị định 30/2020/NĐ-CP).
//!
//! The presets follow those rules; an office adjusts them (the 2026 Party rules, Quy định
//! 399-QĐ/TW, changed some details) by saving a template as TOML or JSON, editing it and
//! passing it back: every field has a default, so a file may hold only what it changes.

use crate::{ReportError, Result};
use serde::{Deserialize, Serialize};

/// Which family of rules the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStyle {
    /// A Party document: "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 12-BC/HU", "T/M BAN THƯỜNG VỤ".
    #[default]
    Party,
    /// A State document: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 15/BC-UBND", "TM. ỦY BAN
    /// NHÂN DÂN".
    State,
}

impl std::str::FromStr for DocStyle {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "party" | "dang" | "đảng" => Ok(DocStyle::Party),
            "state" | "nha-nuoc" | "ubnd" | "nhà nước" => Ok(DocStyle::State),
            other => Err(ReportError::Template(format!(
                "unknown style '{other}': expected party or state"
            ))),
        }
    }
}

/// How document numbers run: from 1 in each Party term, or from 1 each calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberingScope {
    /// Per document type within a Party committee's term (Hướng dẫn 36-HD/VPTW).
    Term,
    /// Per calendar year (Nghị định 30/2020/NĐ-CP).
    Year,
}

/// Type sizes in points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sizes {
    /// "ĐẢNG CỘNG SẢN VIỆT NAM" or "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
    pub national: f64,
    /// "Độc lập - Tự do - Hạnh phúc".
    pub motto: f64,
    /// The issuing body and its superior.
    pub issuer: f64,
    /// "Số 12-BC/HU".
    pub number: f64,
    /// "Bắc Sơn, ngày 15 tháng 6 năm 2022".
    pub place_date: f64,
    /// "BÁO CÁO".
    pub doc_type: f64,
    /// The summary line under "BÁO CÁO".
    pub title: f64,
    pub body: f64,
    /// Tables in the body and the annex.
    pub table: f64,
    /// "T/M BAN THƯỜNG VỤ", "BÍ THƯ", the signer's name.
    pub signer: f64,
    /// "Nơi nhận:".
    pub recipients_heading: f64,
    /// The list of recipients.
    pub recipients: f64,
    pub page_number: f64,
}

impl Sizes {
    fn party() -> Sizes {
        Sizes {
            national: 15.0,
            motto: 14.0,
            issuer: 14.0,
            number: 14.0,
            place_date: 14.0,
            doc_type: 16.0,
            title: 14.0,
            body: 14.0,
            table: 12.0,
            signer: 14.0,
            recipients_heading: 14.0,
            recipients: 12.0,
            page_number: 14.0,
        }
    }
    fn state() -> Sizes {
        Sizes {
            national: 13.0,
            motto: 14.0,
            issuer: 13.0,
            number: 13.0,
            place_date: 14.0,
            doc_type: 14.0,
            title: 14.0,
            body: 14.0,
            table: 12.0,
            signer: 14.0,
            recipients_heading: 12.0,
            recipients: 11.0,
            page_number: 13.0,
        }
    }
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes::party()
    }
}

/// Page margins in millimetres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Margins {
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
}

impl Default for Margins {
    /// Both rules allow top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; these are the
    /// lower ends, which most offices use.
    fn default() -> Self {
        Margins {
            top: 20.0,
            bottom: 20.0,
            left: 30.0,
            right: 15.0,
        }
    }
}

/// The signature block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Signer {
    /// "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN".
    pub authority: String,
    /// "BÍ THƯ", "CHỦ TỊCH".
    pub position: String,
    /// The signer's name; empty leaves the space blank.
    pub name: String,
}

/// A document format. See the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Template {
    pub style: DocStyle,
    /// The national line: "ĐẢNG CỘNG SẢN VIỆT NAM".
    pub national: String,
    /// The motto under it (State documents): "Độc lập - Tự do - Hạnh phúc".
    pub motto: String,
    /// The superior body, if printed: "ĐẢNG BỘ TỈNH LẠNG SƠN".
    pub superior: String,
    /// The issuing body, one or more lines: ["HUYỆN ỦY BẮC SƠN"].
    pub issuer: Vec<String>,
    /// The issuing body as sentences name it: "Huyện ủy Bắc Sơn", "UBND huyện Bắc Sơn".
    pub issuer_name: String,
    /// How the number is printed, `{n}` standing for it: "Số {n}-BC/HU", "Số: {n}/BC-UBND".
    pub number_format: String,
    pub numbering: NumberingScope,
    /// For term numbering: the term's first and last year.
    pub term: Option<(i32, i32)>,
    /// The place in the date line: "Bắc Sơn".
    pub place: String,
    /// "BÁO CÁO".
    pub doc_type: String,
    pub signer: Signer,
    /// "Nơi nhận" (recipients), one per line without the leading dash.
    pub recipients: Vec<String>,
    pub sizes: Sizes,
    pub margins: Margins,
    /// "A4".
    pub paper: String,
    /// The body font family. The PDF embeds Tinos (Times New Roman metrics); DOCX names
    /// this family and lets Word or LibreOffice substitute.
    pub font: String,
    /// Whether the first page carries a page number (neither rule wants one).
    pub number_first_page: bool,
    /// Page numbers at the top centre (true) or the bottom right (false).
    pub page_number_top: bool,
}

impl Default for Template {
    fn default() -> Self {
        Template::party("ĐẢNG BỘ TỈNH", "HUYỆN ỦY", "BC/HU", "")
    }
}

impl Template {
    /// A Party template: `superior` "ĐẢNG BỘ TỈNH LẠNG SƠN", `issuer` "HUYỆN ỦY BẮC SƠN",
    /// `symbol` "BC/HU", `place` "Bắc Sơn".
    pub fn party(superior: &str, issuer: &str, symbol: &str, place: &str) -> Template {
        Template {
            style: DocStyle::Party,
            national: "ĐẢNG CỘNG SẢN VIỆT NAM".into(),
            motto: String::new(),
            superior: superior.into(),
            issuer: vec![issuer.into()],
            issuer_name: String::new(),
            number_format: format!("Số {{n}}-{symbol}"),
            numbering: NumberingScope::Term,
            term: None,
            place: place.into(),
            doc_type: "BÁO CÁO".into(),
            signer: Signer {
                authority: "T/M BAN THƯỜNG VỤ".into(),
                position: "BÍ THƯ".into(),
                name: String::new(),
            },
            recipients: vec![
                "Ban Thường vụ Tỉnh ủy (b/c),".into(),
                "Văn phòng Tỉnh ủy (b/c),".into(),
                "Các đồng chí Huyện ủy viên,".into(),
                "Các chi, đảng bộ trực thuộc,".into(),
                "Lưu Văn phòng Huyện ủy.".into(),
            ],
            sizes: Sizes::party(),
            margins: Margins::default(),
            paper: "A4".into(),
            font: "Times New Roman".into(),
            number_first_page: false,
            page_number_top: true,
        }
    }

    /// A State template: `issuer` ["ỦY BAN NHÂN DÂN", "HUYỆN BẮC SƠN"], `symbol` "BC-UBND".
    pub fn state(issuer: &[&str], symbol: &str, place: &str) -> Template {
        Template {
            style: DocStyle::State,
            national: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
            motto: "Độc lập - Tự do - Hạnh phúc".into(),
            superior: String::new(),
            issuer: issuer.iter().map(|s| s.to_string()).collect(),
            issuer_name: String::new(),
            number_format: format!("Số: {{n}}/{symbol}"),
            numbering: NumberingScope::Year,
            term: None,
            place: place.into(),
            doc_type: "BÁO CÁO".into(),
            signer: Signer {
                authority: "TM. ỦY BAN NHÂN DÂN".into(),
                position: "CHỦ TỊCH".into(),
                name: String::new(),
            },
            recipients: vec![
                "UBND tỉnh (b/c);".into(),
                "Thường trực Huyện ủy;".into(),
                "Thường trực HĐND huyện;".into(),
                "Chủ tịch, các PCT UBND huyện;".into(),
                "Các cơ quan, đơn vị thuộc huyện;".into(),
                "UBND các xã, thị trấn;".into(),
                "Lưu: VT.".into(),
            ],
            sizes: Sizes::state(),
            margins: Margins::default(),
            paper: "A4".into(),
            font: "Times New Roman".into(),
            number_first_page: false,
            page_number_top: true,
        }
    }

    /// The printed number: "Số 12-BC/HU"; before issue, the number's place is left blank
    /// ("Số    -BC/HU") as drafts do.
    pub fn number_text(&self, number: Option<u32>) -> String {
        match number {
            Some(n) => self.number_format.replace("{n}", &n.to_string()),
            None => self.number_format.replace("{n}", "     "),
        }
    }

    /// The series a document number belongs to: per type within the Party term, or per
    /// year. Two reports share a number sequence exactly when their series are equal.
    pub fn series(&self, year: i32) -> String {
        let issuer = self.issuer.join(" ");
        let symbol = self.number_format.replace("{n}", "#");
        match (self.numbering, self.term) {
            (NumberingScope::Term, Some((a, b))) => format!("{issuer}|{symbol}|term {a}-{b}"),
            // Without a known term, fall back to the year rather than never resetting.
            _ => format!("{issuer}|{symbol}|year {year}"),
        }
    }

    /// Reads a template from TOML or JSON (by the first non-blank character). Missing fields
    /// take their defaults.
    pub fn parse(text: &str) -> Result<Template> {
        if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| ReportError::Template(e.to_string()))
        } else {
            toml::from_str(text).map_err(|e| ReportError::Template(e.to_string()))
        }
    }

    /// The template as JSON, for an office to save and edit.
    pub fn to_json_pretty(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| ReportError::Json(e.to_string()))
    }
}
