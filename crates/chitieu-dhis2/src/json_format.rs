//! The JSON shape of a data value set, as DHIS2's `/api/dataValueSets.json` gives and takes it.
//!
//! The set may carry `period`, `orgUnit` and `attributeOptionCombo` once for all its values;
//! a value's own field wins. Values are strings in DHIS2's own exports; a JSON integer is read
//! too, but a JSON number with a fraction is refused, since it would pass through binary
//! floating point before chitieu saw it.

use crate::{DataValue, DataValueSet, FormatError, Location, Parsed, Record, RowError, non_empty};
use serde::Serialize;
use serde_json::{Map, Value};

/// Reads a JSON data value set. A file that is not a JSON object with a `dataValues` array is
/// a [`FormatError`]; a value with a missing or mistyped field is a [`RowError`] at its index.
pub fn read(text: &str) -> Result<Parsed, FormatError> {
    let text = text.trim_start_matches('\u{feff}');
    let root: Value = serde_json::from_str(text).map_err(|e| FormatError::Json(e.to_string()))?;
    let Value::Object(root) = root else {
        return Err(FormatError::Json(
            "the file is not a JSON object ({\"dataValues\": [...]})".into(),
        ));
    };
    let header = |key: &str| -> Result<Option<String>, FormatError> {
        match root.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(Some(s.trim().to_string()))),
            Some(other) => Err(FormatError::Json(format!(
                "the set's \"{key}\" should be a string, not {other}"
            ))),
        }
    };
    let data_set = header("dataSet")?;
    let complete_date = header("completeDate")?;
    let period = header("period")?;
    let org_unit = header("orgUnit")?;
    let aoc = header("attributeOptionCombo")?;
    let values = match root.get("dataValues") {
        Some(Value::Array(a)) => a.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => {
            return Err(FormatError::Json(
                "\"dataValues\" should be an array".into(),
            ));
        }
    };
    let mut out = Parsed {
        data_set,
        complete_date,
        ..Parsed::default()
    };
    for (i, entry) in values.iter().enumerate() {
        let at = Location::Index(i as u64);
        let Value::Object(map) = entry else {
            out.errors.push(RowError::new(
                at,
                "dataValue",
                entry.to_string(),
                "each data value should be a JSON object",
            ));
            continue;
        };
        match read_value(
            at,
            map,
            period.as_deref(),
            org_unit.as_deref(),
            aoc.as_deref(),
        ) {
            Ok(value) => out.records.push(Record { at, value }),
            Err(mut errs) => out.errors.append(&mut errs),
        }
    }
    Ok(out)
}

fn read_value(
    at: Location,
    map: &Map<String, Value>,
    period: Option<&str>,
    org_unit: Option<&str>,
    aoc: Option<&str>,
) -> Result<DataValue, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut text = |key: &str, trim: bool| -> Option<String> {
        match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let s = if trim {
                    s.trim().to_string()
                } else {
                    s.clone()
                };
                non_empty(Some(s))
            }
            Some(Value::Number(n)) if key == "value" => {
                if n.is_i64() || n.is_u64() {
                    Some(n.to_string())
                } else {
                    errors.push(RowError::new(
                        at,
                        key,
                        n.to_string(),
                        "a number with a fraction must be written as a string (\"1234.5\") to be read exactly",
                    ));
                    None
                }
            }
            Some(other) => {
                errors.push(RowError::new(
                    at,
                    key,
                    other.to_string(),
                    "should be a string",
                ));
                None
            }
        }
    };
    let data_element = text("dataElement", true);
    let own_period = text("period", true);
    let own_org_unit = text("orgUnit", true);
    let coc = text("categoryOptionCombo", true);
    let own_aoc = text("attributeOptionCombo", true);
    let value = text("value", false);
    let stored_by = text("storedBy", false);
    let created = text("created", true);
    let last_updated = text("lastUpdated", true);
    let comment = text("comment", false);
    let mut flag = |key: &str, alias: &str| -> bool {
        match map.get(key).or_else(|| map.get(alias)) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") || s.is_empty() => false,
            Some(other) => {
                errors.push(RowError::new(
                    at,
                    key,
                    other.to_string(),
                    "should be true or false",
                ));
                false
            }
        }
    };
    let followup = flag("followup", "followUp");
    let deleted = flag("deleted", "deleted");
    let mut required = |field: &str, v: Option<String>, header: Option<&str>| -> String {
        match v.or_else(|| header.map(str::to_string)) {
            Some(s) => s,
            None => {
                errors.push(RowError::new(
                    at,
                    field,
                    "",
                    "missing (give it on the data value or once for the whole set)",
                ));
                String::new()
            }
        }
    };
    let data_element = match data_element {
        Some(d) => d,
        None => required("dataElement", None, None),
    };
    let period = required("period", own_period, period);
    let org_unit = required("orgUnit", own_org_unit, org_unit);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DataValue {
        data_element,
        period,
        org_unit,
        category_option_combo: coc,
        attribute_option_combo: own_aoc.or_else(|| aoc.map(str::to_string)),
        value,
        stored_by,
        created,
        last_updated,
        comment,
        followup,
        deleted,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data_set: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    complete_date: Option<&'a str>,
    data_values: Vec<ValueOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValueOut<'a> {
    data_element: &'a str,
    period: &'a str,
    org_unit: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    category_option_combo: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribute_option_combo: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stored_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    followup: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
}

/// Writes a data value set as DHIS2 exports it: every value with its own period and org unit.
pub fn write(set: &DataValueSet) -> String {
    let out = SetOut {
        data_set: set.data_set.as_deref(),
        complete_date: set.complete_date.as_deref(),
        data_values: set
            .data_values
            .iter()
            .map(|v| ValueOut {
                data_element: &v.data_element,
                period: &v.period,
                org_unit: &v.org_unit,
                category_option_combo: v.category_option_combo.as_deref(),
                attribute_option_combo: v.attribute_option_combo.as_deref(),
                value: v.value.as_deref(),
                stored_by: v.stored_by.as_deref(),
                created: v.created.as_deref(),
                last_updated: v.last_updated.as_deref(),
                comment: v.comment.as_deref(),
                followup: v.followup,
                deleted: v.deleted,
            })
            .collect(),
    };
    // Serialising plain strings and booleans cannot fail.
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_defaults_apply_and_own_fields_win() {
        let text = r#"{"dataSet":"ds1","period":"2024","orgUnit":"OU1","attributeOptionCombo":"AOC",
            "dataValues":[{"dataElement":"DE1","value":"5"},
                          {"dataElement":"DE2","period":"2024Q1","orgUnit":"OU2","value":7,"followup":true}]}"#;
        let p = read(text).expect("read");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.data_set.as_deref(), Some("ds1"));
        let a = &p.records[0].value;
        assert_eq!((a.period.as_str(), a.org_unit.as_str()), ("2024", "OU1"));
        assert_eq!(a.attribute_option_combo.as_deref(), Some("AOC"));
        let b = &p.records[1].value;
        assert_eq!(
            (b.period.as_str(), b.org_unit.as_str(), b.value.as_deref()),
            ("2024Q1", "OU2", Some("7"))
        );
        assert!(b.followup);
    }

    #[test]
    fn bad_entries_are_located_by_index() {
        let text = r#"{"dataValues":[
            {"dataElement":"DE1","period":"2024","orgUnit":"OU1","value":"1"},
            {"period":"2024","orgUnit":"OU1","value":"1"},
            {"dataElement":"DE1","orgUnit":"OU1","value":12.5},
            "nonsense",
            {"dataElement":"DE1","period":"2024","orgUnit":"OU1","followup":"perhaps"}]}"#;
        let p = read(text).expect("read");
        assert_eq!(p.records.len(), 1);
        let got: Vec<(String, &str)> = p
            .errors
            .iter()
            .map(|e| (e.at.to_string(), e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("dataValues[1]".to_string(), "dataElement"),
                ("dataValues[2]".to_string(), "value"),
                ("dataValues[2]".to_string(), "period"),
                ("dataValues[3]".to_string(), "dataValue"),
                ("dataValues[4]".to_string(), "followup"),
            ]
        );
    }

    #[test]
    fn files_that_are_not_sets_are_format_errors() {
        for text in [
            "",
            "[1,2]",
            "{\"dataValues\": 3}",
            "{\"period\": 2024}",
            "{oops",
        ] {
            assert!(read(text).is_err(), "{text}");
        }
        assert!(read("{}").expect("empty set").records.is_empty());
    }
}
