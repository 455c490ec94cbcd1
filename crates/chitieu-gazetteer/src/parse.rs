//! Parsing the gazetteer's tab-separated data files.
//!
//! `units.tsv` has one row per version of a unit:
//! `unit_id level kind name code parent valid_from valid_to` (empty code, parent or date = none).
//! `successions.tsv` has `from_unit to_unit date partial` with `partial` = `true` or `false`.
//! Both start with exactly that header line. Dates are ISO (`2025-07-01`).

use chitieu_core::admin::{Level, OfficialCode, Succession, UnitId, UnitKind, UnitVersion};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Why the data could not be loaded. Every variant names the file, and the line where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GazetteerError {
    /// The embedded file is not valid gzip or not UTF-8.
    #[error("{file}: cannot read: {reason}")]
    Unreadable { file: &'static str, reason: String },
    /// A line is malformed or inconsistent with the rest of the data.
    #[error("{file}:{line}: {reason}")]
    Invalid {
        file: &'static str,
        /// 1-based line number; the header is line 1.
        line: usize,
        reason: String,
    },
}

pub(crate) const UNITS_FILE: &str = "units.tsv";
pub(crate) const SUCCESSIONS_FILE: &str = "successions.tsv";

const UNITS_HEADER: [&str; 8] = [
    "unit_id",
    "level",
    "kind",
    "name",
    "code",
    "parent",
    "valid_from",
    "valid_to",
];
/// Versions, and the positions of each unit's versions.
pub(crate) type UnitsAndIndex = (Vec<UnitVersion>, HashMap<UnitId, Vec<usize>>);

const SUCCESSIONS_HEADER: [&str; 4] = ["from_unit", "to_unit", "date", "partial"];

fn invalid(file: &'static str, line: usize, reason: impl Into<String>) -> GazetteerError {
    GazetteerError::Invalid {
        file,
        line,
        reason: reason.into(),
    }
}

/// Splits `text` into numbered, non-empty lines after checking the header.
fn rows<'a>(
    file: &'static str,
    text: &'a str,
    header: &[&str],
) -> Result<impl Iterator<Item = (usize, Vec<&'a str>)>, GazetteerError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let first = lines.next().map(|(_, l)| l).unwrap_or_default();
    let found: Vec<&str> = first.split('\t').collect();
    if found != header {
        return Err(invalid(
            file,
            1,
            format!(
                "expected the header '{}', found '{}'",
                header.join("\\t"),
                first.replace('\t', "\\t")
            ),
        ));
    }
    Ok(lines
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n, l.split('\t').collect())))
}

fn unit_id(
    file: &'static str,
    line: usize,
    column: &str,
    s: &str,
) -> Result<UnitId, GazetteerError> {
    s.parse::<i64>()
        .map(UnitId)
        .map_err(|_| invalid(file, line, format!("{column}: '{s}' is not a unit id")))
}

fn date(
    file: &'static str,
    line: usize,
    column: &str,
    s: &str,
) -> Result<Option<NaiveDate>, GazetteerError> {
    if s.is_empty() {
        return Ok(None);
    }
    iso_date(s).map(Some).ok_or_else(|| {
        invalid(
            file,
            line,
            format!("{column}: '{s}' is not a date (YYYY-MM-DD)"),
        )
    })
}

/// Parses exactly `YYYY-MM-DD`. Hand-written because it runs tens of thousands of times per
/// load and `NaiveDate::parse_from_str` is slow in debug builds.
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// Parses `units.tsv`, checking each row on its own and then the rows together: parents exist
/// and sit at a higher level (so there are no cycles), a unit keeps one level, and the versions
/// of one unit do not overlap.
///
/// Returns the versions and, for each unit, the positions of its versions in file order.
pub(crate) fn parse_units(text: &str) -> Result<UnitsAndIndex, GazetteerError> {
    const F: &str = UNITS_FILE;
    let mut versions = Vec::new();
    let mut lines = Vec::new();
    for (n, cells) in rows(F, text, &UNITS_HEADER)? {
        let [id, level, kind, name, code, parent, from, to] = cells[..] else {
            return Err(invalid(
                F,
                n,
                format!("expected 8 columns, found {}", cells.len()),
            ));
        };
        let level: Level = level.parse().map_err(|e: String| invalid(F, n, e))?;
        let kind = UnitKind::from_key(kind)
            .ok_or_else(|| invalid(F, n, format!("unknown kind '{kind}'")))?;
        // Stored as given: the converter writes NFC; matching folds anyway.
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(invalid(F, n, "empty name"));
        }
        let v = UnitVersion {
            unit: unit_id(F, n, "unit_id", id)?,
            name,
            kind,
            level,
            code: (!code.is_empty()).then(|| OfficialCode(code.to_string())),
            parent: if parent.is_empty() {
                None
            } else {
                Some(unit_id(F, n, "parent", parent)?)
            },
            valid_from: date(F, n, "valid_from", from)?,
            valid_to: date(F, n, "valid_to", to)?,
        };
        if let (Some(f), Some(t)) = (v.valid_from, v.valid_to)
            && f > t
        {
            return Err(invalid(
                F,
                n,
                format!("valid_from {f} is after valid_to {t}"),
            ));
        }
        versions.push(v);
        lines.push(n);
    }

    // Cross-row checks.
    let mut by_unit: HashMap<UnitId, Vec<usize>> = HashMap::new();
    for (i, v) in versions.iter().enumerate() {
        by_unit.entry(v.unit).or_default().push(i);
    }
    for idx in by_unit.values() {
        let first = &versions[idx[0]];
        for &i in idx {
            let v = &versions[i];
            if v.level != first.level {
                return Err(invalid(
                    F,
                    lines[i],
                    format!(
                        "unit {} changes level from {} to {}",
                        v.unit,
                        first.level.as_str(),
                        v.level.as_str()
                    ),
                ));
            }
        }
        for (a, &i) in idx.iter().enumerate() {
            for &j in &idx[a + 1..] {
                let (vi, vj) = (&versions[i], &versions[j]);
                let overlap = vi
                    .valid_from
                    .is_none_or(|f| vj.valid_to.is_none_or(|t| f <= t))
                    && vj
                        .valid_from
                        .is_none_or(|f| vi.valid_to.is_none_or(|t| f <= t));
                if overlap {
                    return Err(invalid(
                        F,
                        lines[j],
                        format!(
                            "unit {} has overlapping versions (see line {})",
                            vj.unit, lines[i]
                        ),
                    ));
                }
            }
        }
    }
    for (i, v) in versions.iter().enumerate() {
        let Some(p) = v.parent else { continue };
        let Some(pidx) = by_unit.get(&p) else {
            return Err(invalid(
                F,
                lines[i],
                format!("parent {p} is not a known unit"),
            ));
        };
        let plevel = versions[pidx[0]].level;
        if plevel >= v.level {
            return Err(invalid(
                F,
                lines[i],
                format!(
                    "parent {p} is a {} but the unit is a {}",
                    plevel.as_str(),
                    v.level.as_str()
                ),
            ));
        }
    }
    Ok((versions, by_unit))
}

/// Parses `successions.tsv`; every unit named must be one of `known`.
pub(crate) fn parse_successions(
    text: &str,
    known: &dyn Fn(UnitId) -> bool,
) -> Result<Vec<Succession>, GazetteerError> {
    const F: &str = SUCCESSIONS_FILE;
    let mut successions = Vec::new();
    for (n, cells) in rows(F, text, &SUCCESSIONS_HEADER)? {
        let [from, to, day, partial] = cells[..] else {
            return Err(invalid(
                F,
                n,
                format!("expected 4 columns, found {}", cells.len()),
            ));
        };
        let from = unit_id(F, n, "from_unit", from)?;
        let to = unit_id(F, n, "to_unit", to)?;
        for u in [from, to] {
            if !known(u) {
                return Err(invalid(F, n, format!("unit {u} is not in {UNITS_FILE}")));
            }
        }
        if from == to {
            return Err(invalid(F, n, format!("unit {from} succeeds itself")));
        }
        let date = date(F, n, "date", day)?.ok_or_else(|| invalid(F, n, "date: empty"))?;
        let partial = match partial {
            "true" => true,
            "false" => false,
            other => {
                return Err(invalid(
                    F,
                    n,
                    format!("partial: '{other}' is not true or false"),
                ));
            }
        };
        successions.push(Succession {
            from,
            to,
            date,
            partial,
        });
    }
    Ok(successions)
}
