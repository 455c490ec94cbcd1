//! Finding the unit a name designates on a date.

use crate::Gazetteer;
use chitieu_core::admin::{OfficialCode, UnitId, UnitKind, UnitName, UnitVersion};
use chrono::NaiveDate;
use std::fmt;

/// How many candidates an error message lists before "and N more".
const SHOWN: usize = 12;

/// A unit that a name could designate, described for a person choosing between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub unit: UnitId,
    /// "xã Tân Lập".
    pub full_name: String,
    /// The units above it, nearest first, without the nation: ["huyện Bắc Sơn", "tỉnh Lạng Sơn"].
    pub within: Vec<String>,
    pub code: Option<OfficialCode>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl fmt::Display for Candidate {
    /// `xã Tân Lập (huyện Bắc Sơn, tỉnh Lạng Sơn; code 06352; until 2025-06-30)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (", self.full_name)?;
        let mut parts: Vec<String> = Vec::new();
        if !self.within.is_empty() {
            parts.push(self.within.join(", "));
        }
        if let Some(c) = &self.code {
            parts.push(format!("code {c}"));
        }
        match (self.valid_from, self.valid_to) {
            (None, None) => {}
            (Some(a), None) => parts.push(format!("from {a}")),
            (None, Some(b)) => parts.push(format!("until {b}")),
            (Some(a), Some(b)) => parts.push(format!("{a} to {b}")),
        }
        write!(f, "{})", parts.join("; "))
    }
}

/// Why a name did not designate exactly one unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing of that name (and kind, and within the units given) was in force on the date.
    #[error("no administrative unit \"{text}\" on {date}{}", not_found_detail(*.kind_absent, .other_dates))]
    NotFound {
        text: String,
        date: NaiveDate,
        /// Set when the name gives a kind of which no unit at all is in force on the date
        /// (e.g. any huyện after 1 July 2025).
        kind_absent: Option<UnitKind>,
        /// Units of that name (ignoring the units given after commas) at any date.
        other_dates: Vec<Candidate>,
    },
    /// Several units of that name were in force on the date.
    #[error(
        "\"{text}\" is ambiguous on {date}: {} units have that name: {}{}",
        .candidates.len(),
        list(.candidates),
        hint(.candidates)
    )]
    Ambiguous {
        text: String,
        date: NaiveDate,
        candidates: Vec<Candidate>,
    },
}

fn list(cs: &[Candidate]) -> String {
    let mut out: Vec<String> = cs.iter().take(SHOWN).map(|c| c.to_string()).collect();
    if cs.len() > SHOWN {
        out.push(format!("and {} more", cs.len() - SHOWN));
    }
    out.join("; ")
}

/// How to tell the candidates apart, using the first one as the example.
fn hint(cs: &[Candidate]) -> String {
    match cs.first() {
        Some(c) => match c.within.first() {
            Some(up) => format!(
                ". Give the kind and the unit above, e.g. \"{}, {up}\"",
                c.full_name
            ),
            None => format!(". Give the kind, e.g. \"{}\"", c.full_name),
        },
        None => String::new(),
    }
}

fn not_found_detail(kind_absent: Option<UnitKind>, other: &[Candidate]) -> String {
    let mut s = String::new();
    if let Some(k) = kind_absent {
        s.push_str(&format!(": there is no {} at all on that date", k.vi()));
    }
    if !other.is_empty() {
        s.push_str(&format!(
            "; with that name at other times or places: {}",
            list(other)
        ));
    }
    s
}

fn candidate(g: &Gazetteer, v: &UnitVersion, date: NaiveDate) -> Candidate {
    // Describe the version where it stood: at the query date if in force then, else at its end
    // (or start).
    let at = if v.valid_on(date) {
        date
    } else {
        v.valid_to.or(v.valid_from).unwrap_or(date)
    };
    Candidate {
        unit: v.unit,
        full_name: v.full_name(),
        within: g
            .ancestors_on(v.unit, at)
            .into_iter()
            .filter(|a| a.parent.is_some())
            .map(|a| a.full_name())
            .collect(),
        code: v.code.clone(),
        valid_from: v.valid_from,
        valid_to: v.valid_to,
    }
}

pub(crate) fn resolve<'g>(
    g: &'g Gazetteer,
    text: &str,
    date: NaiveDate,
) -> Result<&'g UnitVersion, ResolveError> {
    let mut parts = text.split(',').map(str::trim).filter(|p| !p.is_empty());
    let target = UnitName::parse(parts.next().unwrap_or_default());
    let within: Vec<UnitName> = parts.map(UnitName::parse).collect();

    let found: Vec<&UnitVersion> = g
        .named(&target)
        .filter(|v| v.valid_on(date))
        .filter(|v| {
            let mut qs = within.iter().peekable();
            for a in g.ancestors_on(v.unit, date) {
                if qs.peek().is_some_and(|q| q.matches(a)) {
                    qs.next();
                }
            }
            qs.peek().is_none()
        })
        .collect();
    match found[..] {
        [one] => Ok(one),
        [] => Err(ResolveError::NotFound {
            text: text.trim().to_string(),
            date,
            kind_absent: target
                .kind
                .filter(|&k| !g.versions.iter().any(|v| v.kind == k && v.valid_on(date))),
            other_dates: g.named(&target).map(|v| candidate(g, v, date)).collect(),
        }),
        _ => Err(ResolveError::Ambiguous {
            text: text.trim().to_string(),
            date,
            candidates: found.iter().map(|v| candidate(g, v, date)).collect(),
        }),
    }
}
