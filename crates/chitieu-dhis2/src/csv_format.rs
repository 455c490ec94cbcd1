//! The CSV shape of a data value set, as DHIS2 writes it and reads it back.
//!
//! DHIS2 2.4x writes the header
//! `dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted`
//! and reads the columns by position, the first line being a header. chitieu writes the same.
//! When reading, a header line (its first cell `dataelement`, in any case) places the columns by
//! name, so files with the ten-column header (no `deleted`) or camel-case names also read;
//! without one, the columns are taken in DHIS2's order.

use chitieu_core::csv_line::CsvLines;

use crate::{DataValue, DataValueSet, FormatError, Location, Parsed, Record, RowError, non_empty};

/// DHIS2's columns, in its order.
pub const HEADER: [&str; 11] = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
];

/// The DHIS2 JSON name of each column, used in error messages so that both shapes speak alike.
const FIELD: [&str; 11] = [
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
    "storedBy",
    "lastUpdated",
    "comment",
    "followup",
    "deleted",
];

/// The column a header cell names, if any.
fn column_of(name: &str) -> Option<usize> {
    let key: String = name
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let key = match key.as_str() {
        "catoptcombo" => "categoryoptioncombo",
        "attroptcombo" => "attributeoptioncombo",
        "timestamp" => "lastupdated",
        k => k,
    };
    HEADER.iter().position(|h| *h == key)
}

/// Reads a CSV data value set. Rows are located by the line of the file they start on (the
/// header is line 1), counted by [`chitieu_core::csv_line`], not by the csv crate.
pub fn read(text: &str) -> Result<Parsed, FormatError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Parsed::default();
    // Which column of the file holds each of DHIS2's fields.
    let mut columns: [Option<usize>; 11] = std::array::from_fn(Some);
    let mut first = true;
    let mut lines = CsvLines::new(text);
    for result in reader.records() {
        let record = result.map_err(|e| match lines.error(&e) {
            (Some(line), reason) => FormatError::Csv(format!("line {line}: {reason}")),
            (None, reason) => FormatError::Csv(reason),
        })?;
        let line = lines.at(record.position());
        let at = Location::Row(line);
        if first {
            first = false;
            if record.get(0).and_then(column_of).is_some_and(|c| c == 0) {
                columns = [None; 11];
                for (i, cell) in record.iter().enumerate() {
                    match column_of(cell) {
                        Some(c) if columns[c].is_none() => columns[c] = Some(i),
                        Some(_) => {
                            return Err(FormatError::Csv(format!(
                                "line {line}: column '{cell}' appears twice in the header"
                            )));
                        }
                        None if cell.trim().is_empty() => {}
                        None => {
                            return Err(FormatError::Csv(format!(
                                "line {line}: unknown column '{cell}'; DHIS2's columns are {}",
                                HEADER.join(",")
                            )));
                        }
                    }
                }
                for required in [0, 1, 2, 5] {
                    if columns[required].is_none() {
                        return Err(FormatError::Csv(format!(
                            "line {line}: the header has no '{}' column",
                            HEADER[required]
                        )));
                    }
                }
                continue;
            }
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: usize| -> Option<String> {
            columns[c].and_then(|i| record.get(i)).map(str::to_string)
        };
        let mut errors = Vec::new();
        let mut id = |c: usize| -> String {
            match non_empty(cell(c).map(|s| s.trim().to_string())) {
                Some(s) => s,
                None => {
                    errors.push(RowError::new(at, FIELD[c], "", "missing"));
                    String::new()
                }
            }
        };
        let data_element = id(0);
        let period = id(1);
        let org_unit = id(2);
        let mut flag = |c: usize| -> bool {
            let raw = cell(c).unwrap_or_default();
            match raw.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" | "" | "null" => false,
                _ => {
                    errors.push(RowError::new(at, FIELD[c], raw, "should be true or false"));
                    false
                }
            }
        };
        let followup = flag(9);
        let deleted = flag(10);
        if !errors.is_empty() {
            out.errors.append(&mut errors);
            continue;
        }
        let trimmed = |c: usize| non_empty(cell(c).map(|s| s.trim().to_string()));
        out.records.push(Record {
            at,
            value: DataValue {
                data_element,
                period,
                org_unit,
                category_option_combo: trimmed(3),
                attribute_option_combo: trimmed(4),
                value: non_empty(cell(5)),
                stored_by: non_empty(cell(6)),
                created: None,
                last_updated: trimmed(7),
                comment: non_empty(cell(8)),
                followup,
                deleted,
            },
        });
    }
    Ok(out)
}

/// Writes a data value set as DHIS2 writes CSV: its header, then one line per value.
pub fn write(set: &DataValueSet) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail; a failure would only drop lines, never panic.
    let _ = w.write_record(HEADER);
    for v in &set.data_values {
        let o = |s: &Option<String>| s.clone().unwrap_or_default();
        let _ = w.write_record([
            v.data_element.clone(),
            v.period.clone(),
            v.org_unit.clone(),
            o(&v.category_option_combo),
            o(&v.attribute_option_combo),
            o(&v.value),
            o(&v.stored_by),
            o(&v.last_updated),
            o(&v.comment),
            v.followup.to_string(),
            v.deleted.to_string(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_places_columns_by_name() {
        let text = "dataElement,period,orgUnit,value,comment\nDE1,2024,OU1,5,ghi chú\n";
        let p = read(text).expect("read");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let v = &p.records[0].value;
        assert_eq!(v.value.as_deref(), Some("5"));
        assert_eq!(v.comment.as_deref(), Some("ghi chú"));
        assert_eq!(p.records[0].at, Location::Row(2));
    }

    #[test]
    fn without_header_columns_are_positional() {
        let text = "DE1,202401,OU1,COC1,AOC1,12,nguyen.van.a,2024-02-01T00:00:00.000,,true,false\n";
        let p = read(text).expect("read");
        let v = &p.records[0].value;
        assert_eq!(p.records[0].at, Location::Row(1));
        assert_eq!(v.category_option_combo.as_deref(), Some("COC1"));
        assert_eq!(v.stored_by.as_deref(), Some("nguyen.van.a"));
        assert!(v.followup);
        assert!(!v.deleted);
    }

    #[test]
    fn bad_rows_are_located_by_line() {
        let text = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n\
                    DE1,2024,OU1,,,5,,,,false\n\
                    ,2024,OU1,,,5,,,,false\n\
                    DE1,2024,OU1,,,5,,,,maybe\n";
        let p = read(text).expect("read");
        assert_eq!(p.records.len(), 1);
        let got: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            got,
            vec![
                "row 3, dataElement '': missing".to_string(),
                "row 4, followup 'maybe': should be true or false".to_string(),
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_and_windows_line_ends_are_read() {
        let text = "\u{feff}dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\r\n\
                    DE1,2024Q1,OU1,,,5\r\n\r\nDE2,2024Q2,OU1,,,6\r\n";
        let p = read(text).expect("read");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let got: Vec<(Location, &str)> = p
            .records
            .iter()
            .map(|r| (r.at, r.value.data_element.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(Location::Row(2), "DE1"), (Location::Row(4), "DE2")]
        );
    }

    /// A comment quoted over lines does not shift the lines of the rows after it, with Unix
    /// or Windows line ends.
    #[test]
    fn rows_after_a_quoted_multi_line_comment_keep_their_lines() {
        let lf = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n\
                  DE1,2024,OU1,,,5,,,\"dòng một\ndòng hai\ndòng ba\",false\n\
                  \n\
                  DE2,2024,OU1,,,6,,,,maybe\n\
                  DE3,2024,,,,7,,,,false\n";
        for text in [lf.to_string(), lf.replace('\n', "\r\n")] {
            let p = read(&text).expect("read");
            assert_eq!(p.records.len(), 1);
            assert_eq!(p.records[0].at, Location::Row(2));
            let got: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
            assert_eq!(
                got,
                vec![
                    "row 6, followup 'maybe': should be true or false".to_string(),
                    "row 7, orgUnit '': missing".to_string(),
                ]
            );
        }
    }

    #[test]
    fn wrong_headers_are_format_errors() {
        assert!(read("dataelement,period,bogus\n").is_err());
        assert!(read("dataelement,period,orgunit\n").is_err()); // no value column
        assert!(read("dataelement,period,period,orgunit,value\n").is_err());
    }
}
