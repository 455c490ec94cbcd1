//! DHIS2 period identifiers and chitieu periods.
//!
//! chitieu keeps years, half-years, quarters and months (and 9 months and terms, which DHIS2
//! has no period type for). DHIS2 writes them `2024`, `2024S1`, `2024Q1` and `202401` (it also
//! reads `2024-01` for a month). Every other DHIS2 period type (days, weeks, bi-weeks,
//! bi-months, financial years, six-months starting in April or November) is recognised and
//! refused with its name, since chitieu cannot hold a figure for it.

use chitieu_core::period::Period;

/// Why a DHIS2 period cannot become a chitieu period, or the reverse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "'{0}' is not a DHIS2 period: expected e.g. 2024 (year), 2024S1 (six-month), 2024Q1 (quarter) or 202401 (month)"
    )]
    Syntax(String),
    #[error(
        "'{id}' is a DHIS2 {kind} period, which chitieu cannot hold: it keeps years (2024), six-months from January (2024S1), quarters (2024Q1) and months (202401)"
    )]
    Unsupported { id: String, kind: &'static str },
    #[error("'{id}': {reason}")]
    OutOfRange { id: String, reason: String },
    #[error(
        "chitieu period {0} has no DHIS2 period type: DHIS2 has years, six-months, quarters and months, but no 9 months or terms"
    )]
    NoDhis2Type(String),
}

/// Splits a leading 4-digit year off an identifier.
fn split_year(id: &str) -> Option<(i32, &str)> {
    let head = id.get(..4)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &id[4..]))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The DHIS2 period types chitieu recognises but cannot hold, by what follows the year.
fn unsupported_kind(rest: &str) -> Option<&'static str> {
    let weekly_starts = [
        ("BiW", "bi-weekly"),
        ("WedW", "weekly (Wednesday)"),
        ("ThuW", "weekly (Thursday)"),
        ("SatW", "weekly (Saturday)"),
        ("SunW", "weekly (Sunday)"),
        ("W", "weekly"),
    ];
    for (prefix, kind) in weekly_starts {
        if let Some(n) = rest.strip_prefix(prefix)
            && digits(n).is_some()
        {
            return Some(kind);
        }
    }
    if let Some(n) = rest
        .strip_prefix("AprilS")
        .or_else(|| rest.strip_prefix("NovS"))
        && digits(n).is_some()
    {
        return Some(if rest.starts_with('A') {
            "six-monthly (April)"
        } else {
            "six-monthly (November)"
        });
    }
    if let Some(n) = rest.strip_prefix("NovQ")
        && digits(n).is_some()
    {
        return Some("quarterly (November)");
    }
    match rest {
        "April" => return Some("financial year (April)"),
        "July" => return Some("financial year (July)"),
        "Oct" => return Some("financial year (October)"),
        "Nov" => return Some("financial year (November)"),
        _ => {}
    }
    // 202401B: bi-monthly; 20240115: daily.
    if rest.len() == 3 && rest.ends_with('B') && digits(&rest[..2]).is_some() {
        return Some("bi-monthly");
    }
    if rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit()) {
        return Some("daily");
    }
    None
}

/// Reads a DHIS2 period identifier as a chitieu period.
pub fn parse(id: &str) -> Result<Period, PeriodError> {
    let t = id.trim();
    let syntax = || PeriodError::Syntax(id.to_string());
    let (year, rest) = split_year(t).ok_or_else(syntax)?;
    let range = |e: chitieu_core::period::PeriodError| {
        let reason = match e {
            chitieu_core::period::PeriodError::OutOfRange { reason, .. } => reason.to_string(),
            other => other.to_string(),
        };
        PeriodError::OutOfRange {
            id: id.to_string(),
            reason,
        }
    };
    if rest.is_empty() {
        return Period::year(year).map_err(range);
    }
    if let Some(h) = rest.strip_prefix('S')
        && let Some(n) = digits(h)
    {
        return Period::half(year, n).map_err(range);
    }
    if let Some(q) = rest.strip_prefix('Q')
        && let Some(n) = digits(q)
    {
        return Period::quarter(year, n).map_err(range);
    }
    let month = rest.strip_prefix('-').unwrap_or(rest);
    if month.len() == 2
        && let Some(m) = digits(month)
    {
        return Period::month(year, m).map_err(range);
    }
    match unsupported_kind(rest) {
        Some(kind) => Err(PeriodError::Unsupported {
            id: id.to_string(),
            kind,
        }),
        None => Err(syntax()),
    }
}

/// The DHIS2 identifier of a chitieu period: `2024`, `2024S1`, `2024Q1`, `202401`.
pub fn to_dhis2(p: &Period) -> Result<String, PeriodError> {
    match *p {
        Period::Year { year } => Ok(format!("{year}")),
        Period::Half { year, half } => Ok(format!("{year}S{half}")),
        Period::Quarter { year, quarter } => Ok(format!("{year}Q{quarter}")),
        Period::Month { year, month } => Ok(format!("{year}{month:02}")),
        Period::NineMonths { .. } | Period::Term { .. } => {
            Err(PeriodError::NoDhis2Type(p.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_forms_map_to_chitieu_periods() {
        let cases = [
            ("2024", "2024"),
            ("2024S1", "2024-H1"),
            ("2024S2", "2024-H2"),
            ("2024Q1", "2024-Q1"),
            ("2024Q4", "2024-Q4"),
            ("202401", "2024-M01"),
            ("202412", "2024-M12"),
            ("2024-03", "2024-M03"),
            (" 2025Q2 ", "2025-Q2"),
        ];
        for (id, compact) in cases {
            let p = parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(p.to_string(), compact, "{id}");
        }
    }

    #[test]
    fn writing_gives_the_canonical_identifier_back() {
        for id in ["2024", "2024S1", "2024S2", "2024Q3", "202401", "202411"] {
            let p = parse(id).expect("parse");
            assert_eq!(to_dhis2(&p).expect("write"), id);
        }
    }

    #[test]
    fn other_dhis2_types_are_named_and_refused() {
        let cases = [
            ("2024W1", "weekly"),
            ("2024W53", "weekly"),
            ("2024BiW1", "bi-weekly"),
            ("2024WedW5", "weekly (Wednesday)"),
            ("2024SunW2", "weekly (Sunday)"),
            ("20240115", "daily"),
            ("202401B", "bi-monthly"),
            ("2024AprilS1", "six-monthly (April)"),
            ("2024NovS2", "six-monthly (November)"),
            ("2024April", "financial year (April)"),
            ("2024July", "financial year (July)"),
            ("2024Oct", "financial year (October)"),
            ("2024Nov", "financial year (November)"),
            ("2024NovQ1", "quarterly (November)"),
        ];
        for (id, kind) in cases {
            match parse(id) {
                Err(PeriodError::Unsupported { kind: k, .. }) => assert_eq!(k, kind, "{id}"),
                other => panic!("{id}: {other:?}"),
            }
        }
    }

    #[test]
    fn bad_identifiers_are_syntax_or_range_errors() {
        for id in [
            "", "24", "abc", "2024H1", "2024-H1", "2024Q", "2024M01", "2024x",
        ] {
            assert!(
                matches!(parse(id), Err(PeriodError::Syntax(_))),
                "{id}: {:?}",
                parse(id)
            );
        }
        for id in ["2024S3", "2024Q5", "202413", "202400", "1800"] {
            assert!(
                matches!(parse(id), Err(PeriodError::OutOfRange { .. })),
                "{id}: {:?}",
                parse(id)
            );
        }
    }

    #[test]
    fn nine_months_and_terms_have_no_dhis2_identifier() {
        for compact in ["2024-9M", "2020-2025"] {
            let p: Period = compact.parse().expect("period");
            let e = to_dhis2(&p).expect_err("no DHIS2 type");
            assert!(e.to_string().contains(compact), "{e}");
        }
    }
}
