//! The extraction result, in the shape of `shared/spec/extraction.md`.
//!
//! Values are exact [`Decimal`]s in Rust and JSON numbers on the wire: integers when the value
//! is whole, otherwise the shortest decimal that reads back as the same `f64`.

use chitieu_core::period::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything extracted from one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The name of the input (its file name for the command line).
    pub source: String,
    pub meetings: Vec<Meeting>,
    pub people: Vec<Person>,
    pub facts: Vec<Fact>,
    /// Key tasks the text proposes ("thống nhất các nhiệm vụ trọng tâm … với các nội dung: …").
    /// Not part of the extraction contract's scored fields; absent in older results.
    #[serde(default)]
    pub tasks: Vec<crate::tasks::ProposedTask>,
    /// The date of the article itself (its header line), when it shows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date: Option<NaiveDate>,
    /// The version of the extractor that produced this.
    #[serde(default)]
    pub extractor_version: String,
}

/// A meeting the text reports on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The body that met, as written: "Ban Chấp hành Đảng bộ huyện".
    pub body: String,
    /// The administrative unit: "huyện Bắc Sơn".
    pub unit: Option<String>,
    /// "lần thứ 12" → 12.
    pub session: Option<u32>,
    /// "khóa XXII" → "XXII".
    pub term: Option<String>,
    pub date: Option<NaiveDate>,
    /// What the meeting did: "sơ kết …, triển khai …".
    pub purpose: Option<String>,
}

/// A person named with their titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub titles: Vec<String>,
}

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Actual,
    Target,
    PercentOfPlan,
    PercentChange,
    Change,
    CountOfTotal,
}

/// How exact a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approx {
    /// trên, hơn
    Above,
    /// gần, dưới
    Below,
    /// khoảng, xấp xỉ
    About,
    /// ước, ước đạt, ước tính
    Estimated,
    /// trở lên
    AtLeast,
}

/// One figure found in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// A catalog code, or `other`.
    pub indicator: String,
    /// The indicator phrase as written.
    pub label: String,
    pub measure: Measure,
    /// In the base unit: đồng, tấn, ha, km, percent 0–100.
    #[serde(with = "json_number")]
    pub value: Decimal,
    pub unit: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_json_number"
    )]
    pub total: Option<Decimal>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_json_number"
    )]
    pub value_max: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approx: Option<Approx>,
    /// `plan`, `province_estimate`, `estimate`, `target`, `same_period_last_year`,
    /// `previous_period`, or a year such as `"2019"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_scope: Option<String>,
    /// `[start, end)` in chars of the NFC text, covering the number and its unit.
    pub span: [usize; 2],
    /// The text from the label to the unit, for people checking the result.
    #[serde(default)]
    pub text: String,
}

/// Serializes a [`Decimal`] as a JSON number.
pub mod json_number {
    use rust_decimal::Decimal;
    use rust_decimal::prelude::ToPrimitive;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;
    use std::str::FromStr;

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let n = d.normalize();
        if n.scale() == 0
            && let Some(i) = n.to_i64()
        {
            return s.serialize_i64(i);
        }
        match n.to_f64() {
            Some(f) => s.serialize_f64(f),
            None => Err(serde::ser::Error::custom(format!(
                "{d} does not fit a JSON number"
            ))),
        }
    }

    struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            // Through the shortest decimal text, so 96.91 stays 96.91.
            Decimal::from_str(&v.to_string())
                .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
                .map_err(E::custom)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            Decimal::from_str(v).map_err(E::custom)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

/// [`json_number`] for optional values.
pub mod opt_json_number {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::json_number::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    struct Wrap(#[serde(with = "super::json_number")] Decimal);

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}
