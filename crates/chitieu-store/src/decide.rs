//! The decisions both storage backends make the same way, written once: what a batch's plan
//! source, target or figure changes and the audit entry it leaves (`apply`), and which unit a
//! name means on a date and what a unit's history holds (`resolve_unit`, `unit_history`).
//!
//! Nothing here speaks SQL or holds a transaction. A backend reads the stored row, asks the
//! decision here what to do, then does it in its own SQL inside its own transaction; for units
//! it answers the few look-ups of [`UnitLookup`] and lets the shared functions do the rest.
//! The other stores' decisions are in the submodules: `workflow` (data set transitions,
//! submissions, refusals), `tasks` (key tasks, proposals, NTM states), `exchange` (DHIS2
//! mappings and side records), `accounts` (accounts, sessions, failed log-ins, tokens) and
//! `notifications` (notifications, e-mail and digest claims, scheduler runs). A change to what
//! a write decides or audits is made here, once, for both backends.

pub(crate) mod accounts;
pub(crate) mod exchange;
pub(crate) mod notifications;
pub(crate) mod tasks;
pub(crate) mod workflow;

use crate::{ApplyReport, Result, StoreError, UnitHistory};
use chitieu_core::admin::{Level, Succession, UnitId, UnitName, UnitVersion};
use chitieu_core::figure::FigureInput;
use chitieu_core::target::{Comparator, PlanSource, Target};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// An audit entry to append: the action, the entity and its key, and the detail as JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Audit {
    pub action: String,
    pub entity: &'static str,
    pub key: String,
    pub detail: Value,
}

/// A plan source the store inserted or changed (the backend's upsert reported a row): counted,
/// and audited with its kind, title and unit.
pub(crate) fn plan_source_upserted(report: &mut ApplyReport, ps: &PlanSource) -> Audit {
    report.plan_sources += 1;
    Audit {
        action: "plan_source.upsert".to_string(),
        entity: "plan_source",
        key: ps.key.clone(),
        detail: json!({"kind": ps.kind.key(), "title": ps.title, "unit": ps.unit.0}),
    }
}

/// A comparator as both backends store it: its operator key, its value and its upper bound
/// (a range's) as canonical decimal text ("1.50" is stored "1.5").
pub(crate) fn comparator_parts(c: &Comparator) -> (&'static str, String, Option<String>) {
    (
        c.key(),
        c.reference().normalize().to_string(),
        c.max().map(|m| m.normalize().to_string()),
    )
}

/// A target as it is written: its period as text, the comparator's parts (operator, value and
/// upper bound as canonical decimal text) and its audit key "indicator/unit/period/source".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetRow {
    pub period: String,
    pub op: &'static str,
    pub value: String,
    pub max: Option<String>,
    pub key: String,
}

impl TargetRow {
    /// `parts` are the comparator's operator, value and upper bound as the backend stores them.
    pub fn new(t: &Target, parts: (&'static str, String, Option<String>)) -> TargetRow {
        let period = t.period.to_string();
        let key = format!("{}/{}/{}/{}", t.indicator, t.unit.0, period, t.source);
        let (op, value, max) = parts;
        TargetRow {
            period,
            op,
            value,
            max,
            key,
        }
    }
}

/// The stored target with the same indicator, unit, period and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredTarget {
    pub id: i64,
    pub op: String,
    pub value: String,
    pub max: Option<String>,
}

/// What to write for a target that is not unchanged.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetWrite {
    /// `Some(id)`: update that stored target in place; `None`: insert a new one.
    pub update: Option<i64>,
    pub audit: Audit,
}

/// Decides a target against the stored one: unchanged (`None`), changed or added, counting it
/// in the report.
pub(crate) fn decide_target(
    report: &mut ApplyReport,
    row: &TargetRow,
    stored: Option<StoredTarget>,
) -> Option<TargetWrite> {
    let after = json!({"op": row.op, "value": row.value, "max": row.max});
    match stored {
        Some(s) if s.op == row.op && s.value == row.value && s.max == row.max => None,
        Some(s) => {
            report.targets_changed += 1;
            Some(TargetWrite {
                update: Some(s.id),
                audit: Audit {
                    action: "target.change".to_string(),
                    entity: "target",
                    key: row.key.clone(),
                    detail: json!({"before": {"op": s.op, "value": s.value, "max": s.max}, "after": after}),
                },
            })
        }
        None => {
            report.targets_added += 1;
            Some(TargetWrite {
                update: None,
                audit: Audit {
                    action: "target.add".to_string(),
                    entity: "target",
                    key: row.key.clone(),
                    detail: after,
                },
            })
        }
    }
}

/// A figure as it is written: period, value as canonical decimal text, state key, cut-off
/// date, provenance as JSON text, and its audit key "indicator/unit/period".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FigureRow<'a> {
    pub input: &'a FigureInput,
    pub period: String,
    pub value: String,
    pub state: &'static str,
    pub as_of: Option<String>,
    pub provenance: String,
    pub key: String,
}

impl<'a> FigureRow<'a> {
    pub fn new(f: &'a FigureInput) -> Result<FigureRow<'a>> {
        let period = f.period.to_string();
        let provenance = serde_json::to_string(&f.provenance)
            .map_err(|e| StoreError::corrupt("figure provenance", e))?;
        let key = format!("{}/{}/{}", f.indicator, f.unit.0, period);
        Ok(FigureRow {
            input: f,
            period,
            value: f.value.normalize().to_string(),
            state: f.state.key(),
            as_of: f.as_of.map(|d| d.to_string()),
            provenance,
            key,
        })
    }
}

/// The current stored revision of the same figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredFigure {
    pub id: i64,
    pub revision: i64,
    pub value: String,
    pub state: String,
    pub as_of: Option<String>,
    pub note: Option<String>,
}

/// What to write for a figure that is not unchanged.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FigureWrite {
    /// The stored revision to mark no longer current first, when this corrects one.
    pub supersede: Option<i64>,
    /// The new revision's number.
    pub revision: i64,
    pub audit: Audit,
}

/// Decides a figure against its current revision, counting it in the report: unchanged
/// (`None`) when value, state, cut-off date and note are all the same; otherwise a correction
/// (the next revision, superseding the current one) or, with none stored, revision 1.
pub(crate) fn decide_figure(
    report: &mut ApplyReport,
    row: &FigureRow<'_>,
    current: Option<StoredFigure>,
) -> Option<FigureWrite> {
    let f = row.input;
    match current {
        Some(c)
            if c.value == row.value
                && c.state == row.state
                && c.as_of == row.as_of
                && c.note == f.note =>
        {
            report.figures_unchanged += 1;
            None
        }
        Some(c) => {
            report.figures_corrected += 1;
            let revision = c.revision + 1;
            Some(FigureWrite {
                supersede: Some(c.id),
                revision,
                audit: Audit {
                    action: "figure.correct".to_string(),
                    entity: "figure",
                    key: row.key.clone(),
                    detail: json!({"before": {"value": c.value, "state": c.state, "revision": c.revision},
                                   "after": {"value": row.value, "state": row.state, "revision": revision},
                                   "provenance": f.provenance}),
                },
            })
        }
        None => {
            report.figures_added += 1;
            Some(FigureWrite {
                supersede: None,
                revision: 1,
                audit: Audit {
                    action: "figure.add".to_string(),
                    entity: "figure",
                    key: row.key.clone(),
                    detail: json!({"value": row.value, "state": row.state, "provenance": f.provenance}),
                },
            })
        }
    }
}

/// The look-ups of units a backend answers in its own SQL, for the shared name resolution and
/// history. Each returns the rows in the backend's own stable order.
pub(crate) trait UnitLookup {
    /// Versions with this official code in force on `on`.
    fn versions_coded_on(&self, code: &str, on: NaiveDate) -> Result<Vec<UnitVersion>>;
    /// Versions whose folded proper name is `folded`, in force on `on`.
    fn versions_named_on(&self, folded: &str, on: NaiveDate) -> Result<Vec<UnitVersion>>;
    /// Versions whose folded proper name is `folded`, at any time.
    fn versions_named(&self, folded: &str) -> Result<Vec<UnitVersion>>;
    /// All versions of a unit, oldest first.
    fn versions_of(&self, unit: UnitId) -> Result<Vec<UnitVersion>>;
    /// The unit's version in force on `on` (`StoreError::NoSuchUnit` when none).
    fn version_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion>;
    /// The unit's newest version (`StoreError::NoSuchUnit` when none).
    fn latest_version(&self, unit: UnitId) -> Result<UnitVersion>;
    /// Successions into the unit, by predecessor.
    fn successions_into(&self, unit: UnitId) -> Result<Vec<Succession>>;
    /// Successions out of the unit, by successor.
    fn successions_out_of(&self, unit: UnitId) -> Result<Vec<Succession>>;
}

/// The chain of ancestors of a unit on a date, nearest first.
pub(crate) fn ancestors_on(
    l: &impl UnitLookup,
    unit: &UnitVersion,
    on: NaiveDate,
) -> Result<Vec<UnitVersion>> {
    let mut out: Vec<UnitVersion> = Vec::new();
    let mut next = unit.parent;
    while let Some(p) = next {
        if out.len() > 8 {
            break; // a cycle would be corrupt data; stop rather than loop
        }
        match l.version_on(p, on) {
            Ok(v) => {
                next = v.parent;
                out.push(v);
            }
            Err(StoreError::NoSuchUnit(_)) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// "xã Tân Lập (huyện Bắc Sơn, tỉnh Lạng Sơn)".
pub(crate) fn describe_on(l: &impl UnitLookup, v: &UnitVersion, on: NaiveDate) -> Result<String> {
    let anc = ancestors_on(l, v, on)?;
    let names: Vec<String> = anc
        .iter()
        .filter(|a| a.level != Level::Nation)
        .map(|a| a.full_name())
        .collect();
    Ok(if names.is_empty() {
        v.full_name()
    } else {
        format!("{} ({})", v.full_name(), names.join(", "))
    })
}

/// The unit a name means on a date: "Bắc Sơn", "huyện Bắc Sơn", an official code, or a name
/// followed by comma-separated units above it ("Tân Lập, Bắc Sơn"). None: `UnknownUnit`, with
/// a hint when the name was in force at another time; several: `AmbiguousUnit`, naming up to
/// six with their units above and an example to write instead.
pub(crate) fn resolve_unit(l: &impl UnitLookup, name: &str, on: NaiveDate) -> Result<UnitVersion> {
    let date = on.to_string();
    let mut parts = name.split(',').map(str::trim).filter(|p| !p.is_empty());
    let first = parts.next().unwrap_or("");
    let qualifiers: Vec<UnitName> = parts.map(UnitName::parse).collect();
    let unknown = |hint: String| StoreError::UnknownUnit {
        name: name.trim().to_string(),
        date: date.clone(),
        hint,
    };
    if first.is_empty() {
        return Err(unknown(String::new()));
    }
    let candidates: Vec<UnitVersion> = if first.bytes().all(|b| b.is_ascii_digit()) {
        l.versions_coded_on(first, on)?
    } else {
        let wanted = UnitName::parse(first);
        l.versions_named_on(&wanted.folded_name, on)?
            .into_iter()
            .filter(|v| wanted.matches(v))
            .collect()
    };
    let mut matching = Vec::new();
    for v in candidates {
        if qualifiers.is_empty() {
            matching.push(v);
            continue;
        }
        let anc = ancestors_on(l, &v, on)?;
        if qualifiers.iter().all(|q| anc.iter().any(|a| q.matches(a))) {
            matching.push(v);
        }
    }
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => {
            // Say when the name did exist, at another time.
            let wanted = UnitName::parse(first);
            let other: Vec<UnitVersion> = l
                .versions_named(&wanted.folded_name)?
                .into_iter()
                .filter(|v| wanted.matches(v))
                .collect();
            Err(unknown(
                other
                    .first()
                    .map_or_else(String::new, |v| not_in_force_hint(v, on)),
            ))
        }
        _ => {
            let mut described = Vec::new();
            for v in matching.iter().take(6) {
                described.push(describe_on(l, v, on)?);
            }
            if matching.len() > 6 {
                described.push(format!("… ({} in all)", matching.len()));
            }
            let example = match matching.first() {
                Some(v) => match ancestors_on(l, v, on)?.first() {
                    Some(p) => format!("{}, {}", v.full_name(), p.full_name()),
                    None => v.full_name(),
                },
                None => name.to_string(),
            };
            Err(StoreError::AmbiguousUnit {
                name: name.trim().to_string(),
                date,
                candidates: described.join("; "),
                example,
            })
        }
    }
}

/// The hint an unknown name gets when a version of that name was in force at another time:
/// until a day before `on`, or from a day after it; empty otherwise.
fn not_in_force_hint(v: &UnitVersion, on: NaiveDate) -> String {
    match (v.valid_from, v.valid_to) {
        (_, Some(to)) if to < on => format!(
            " ({} chỉ có hiệu lực đến ngày {}; xem lịch sử bằng `chitieu units --history \"{}\"`)",
            v.full_name(),
            to.format("%d/%m/%Y"),
            v.full_name()
        ),
        (Some(from), _) if on < from => format!(
            " ({} có hiệu lực từ ngày {})",
            v.full_name(),
            from.format("%d/%m/%Y")
        ),
        _ => String::new(),
    }
}

/// Every unit ever named `name` ("Bắc Sơn", or "Bắc Sơn, Lạng Sơn" to keep only units with a
/// parent of that name at some time), each with its versions, the parent of each version (as
/// it stood when the version ended, or began, or its newest), and its predecessors and
/// successors (each as its newest version).
pub(crate) fn unit_history(l: &impl UnitLookup, name: &str) -> Result<Vec<UnitHistory>> {
    let (first, qualifiers) = match name.split_once(',') {
        Some((a, b)) => (a, Some(UnitName::parse(b))),
        None => (name, None),
    };
    let wanted = UnitName::parse(first);
    let mut units: Vec<UnitId> = l
        .versions_named(&wanted.folded_name)?
        .into_iter()
        .filter(|v| wanted.matches(v))
        .map(|v| v.unit)
        .collect();
    units.sort();
    units.dedup();
    let mut out = Vec::new();
    for u in units {
        let versions = l.versions_of(u)?;
        let mut parents = Vec::new();
        for v in &versions {
            parents.push(match v.parent {
                Some(p) => {
                    let on = v.valid_to.or(v.valid_from).unwrap_or(NaiveDate::MAX);
                    l.version_on(p, on).or_else(|_| l.latest_version(p)).ok()
                }
                None => None,
            });
        }
        if let Some(q) = &qualifiers
            && !parents.iter().flatten().any(|p| q.matches(p))
        {
            continue;
        }
        let linked = |links: Vec<Succession>| -> Result<Vec<(Succession, UnitVersion)>> {
            let mut v = Vec::new();
            for s in links {
                let other = if s.from == u { s.to } else { s.from };
                let version = l.latest_version(other)?;
                v.push((s, version));
            }
            Ok(v)
        };
        out.push(UnitHistory {
            predecessors: linked(l.successions_into(u)?)?,
            successors: linked(l.successions_out_of(u)?)?,
            versions,
            parents,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::admin::{OfficialCode, UnitKind};
    use chitieu_core::figure::{FigureState, Provenance};
    use chitieu_core::indicator::IndicatorCode;
    use chitieu_core::target::PlanKind;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn comparators_are_stored_as_operator_and_canonical_decimals() {
        let cases = [
            (
                Comparator::AtLeast { value: dec("1.50") },
                ("at_least", "1.5", None),
            ),
            (
                Comparator::AtMost { value: dec("2000") },
                ("at_most", "2000", None),
            ),
            (
                Comparator::from_parts("range", dec("95.0"), Some(dec("100.00"))).expect("range"),
                ("range", "95", Some("100")),
            ),
        ];
        for (c, (op, value, max)) in cases {
            let (o, v, m) = comparator_parts(&c);
            assert_eq!((o, v.as_str(), m.as_deref()), (op, value, max), "{c:?}");
            let back =
                Comparator::from_parts(o, dec(&v), m.as_deref().map(dec)).expect("read back");
            assert_eq!(back, c);
        }
    }

    fn figure(
        value: &str,
        state: FigureState,
        as_of: Option<&str>,
        note: Option<&str>,
    ) -> FigureInput {
        FigureInput {
            indicator: IndicatorCode::new("thu_ngan_sach").expect("code"),
            unit: UnitId(7),
            period: "2022-H1".parse().expect("period"),
            value: dec(value),
            state,
            as_of: as_of.map(day),
            provenance: Provenance::Manual,
            note: note.map(str::to_string),
        }
    }

    fn stored_figure(
        revision: i64,
        value: &str,
        state: &str,
        as_of: Option<&str>,
        note: Option<&str>,
    ) -> StoredFigure {
        StoredFigure {
            id: 40 + revision,
            revision,
            value: value.to_string(),
            state: state.to_string(),
            as_of: as_of.map(str::to_string),
            note: note.map(str::to_string),
        }
    }

    /// What was stored, what is entered, and the action and new revision expected (`None`:
    /// unchanged).
    type FigureCase = (
        &'static str,
        Option<StoredFigure>,
        FigureInput,
        Option<(&'static str, i64)>,
    );

    #[test]
    fn figures_are_unchanged_corrected_or_added() {
        use FigureState::{Estimate, Official};
        let cases: Vec<FigureCase> = vec![
            (
                "nothing stored",
                None,
                figure("12.5", Official, None, None),
                Some(("figure.add", 1)),
            ),
            (
                "same value written another way",
                Some(stored_figure(1, "12.5", "official", None, None)),
                figure("12.50", Official, None, None),
                None,
            ),
            (
                "same with cut-off date and note",
                Some(stored_figure(
                    3,
                    "7",
                    "estimate",
                    Some("2022-06-20"),
                    Some("ước"),
                )),
                figure("7.000", Estimate, Some("2022-06-20"), Some("ước")),
                None,
            ),
            (
                "another value",
                Some(stored_figure(1, "12.5", "official", None, None)),
                figure("13", Official, None, None),
                Some(("figure.correct", 2)),
            ),
            (
                "estimate becomes official",
                Some(stored_figure(2, "12.5", "estimate", None, None)),
                figure("12.5", Official, None, None),
                Some(("figure.correct", 3)),
            ),
            (
                "another cut-off date",
                Some(stored_figure(
                    1,
                    "12.5",
                    "official",
                    Some("2022-06-15"),
                    None,
                )),
                figure("12.5", Official, Some("2022-06-20"), None),
                Some(("figure.correct", 2)),
            ),
            (
                "a note added",
                Some(stored_figure(1, "12.5", "official", None, None)),
                figure("12.5", Official, None, Some("đã rà soát")),
                Some(("figure.correct", 2)),
            ),
        ];
        for (what, stored, input, expected) in cases {
            let row = FigureRow::new(&input).expect("row");
            let superseded = stored.as_ref().map(|s| s.id);
            let mut report = ApplyReport::default();
            let got = decide_figure(&mut report, &row, stored);
            match (got, expected) {
                (None, None) => assert_eq!(report.figures_unchanged, 1, "{what}"),
                (Some(w), Some((action, revision))) => {
                    assert_eq!(w.audit.action, action, "{what}");
                    assert_eq!(w.revision, revision, "{what}");
                    assert_eq!(
                        w.supersede,
                        if revision == 1 { None } else { superseded },
                        "{what}"
                    );
                    assert_eq!(
                        (w.audit.entity, w.audit.key.as_str()),
                        ("figure", "thu_ngan_sach/7/2022-H1"),
                        "{what}"
                    );
                    let counted = if revision == 1 {
                        report.figures_added
                    } else {
                        report.figures_corrected
                    };
                    assert_eq!(counted, 1, "{what}");
                }
                (got, expected) => panic!("{what}: got {got:?}, expected {expected:?}"),
            }
            let total = report.figures_added + report.figures_corrected + report.figures_unchanged;
            assert_eq!(total, 1, "{what}: counted once");
        }
    }

    #[test]
    fn figure_audit_detail_is_what_both_backends_wrote() {
        let input = figure("13.0", FigureState::Official, None, None);
        let row = FigureRow::new(&input).expect("row");
        assert_eq!(row.value, "13");
        assert_eq!(row.provenance, r#"{"kind":"manual"}"#);
        let mut report = ApplyReport::default();
        let w = decide_figure(
            &mut report,
            &row,
            Some(stored_figure(2, "12.5", "estimate", None, None)),
        )
        .expect("a correction");
        assert_eq!(
            w.audit.detail,
            json!({"before": {"value": "12.5", "state": "estimate", "revision": 2},
                   "after": {"value": "13", "state": "official", "revision": 3},
                   "provenance": {"kind": "manual"}})
        );
        let w = decide_figure(&mut report, &row, None).expect("an addition");
        assert_eq!(
            w.audit.detail,
            json!({"value": "13", "state": "official", "provenance": {"kind": "manual"}})
        );
    }

    fn target(
        parts: (&'static str, &str, Option<&str>),
    ) -> (Target, (&'static str, String, Option<String>)) {
        let t = Target {
            indicator: IndicatorCode::new("thu_ngan_sach").expect("code"),
            unit: UnitId(7),
            period: "2022".parse().expect("period"),
            source: "NQ-03".to_string(),
            comparator: chitieu_core::target::Comparator::AtLeast { value: dec("1") },
        };
        (
            t,
            (parts.0, parts.1.to_string(), parts.2.map(str::to_string)),
        )
    }

    fn stored_target(op: &str, value: &str, max: Option<&str>) -> StoredTarget {
        StoredTarget {
            id: 9,
            op: op.to_string(),
            value: value.to_string(),
            max: max.map(str::to_string),
        }
    }

    /// What was stored, the comparator parts entered, and the action and audit detail
    /// expected (`None`: unchanged).
    type TargetCase = (
        &'static str,
        Option<StoredTarget>,
        (&'static str, &'static str, Option<&'static str>),
        Option<(&'static str, Value)>,
    );

    #[test]
    fn targets_are_unchanged_changed_or_added() {
        let cases: Vec<TargetCase> = vec![
            (
                "nothing stored",
                None,
                ("at_least", "100", None),
                Some((
                    "target.add",
                    json!({"op": "at_least", "value": "100", "max": null}),
                )),
            ),
            (
                "the same",
                Some(stored_target("range", "8", Some("9"))),
                ("range", "8", Some("9")),
                None,
            ),
            (
                "another value",
                Some(stored_target("at_least", "100", None)),
                ("at_least", "120", None),
                Some((
                    "target.change",
                    json!({"before": {"op": "at_least", "value": "100", "max": null},
                           "after": {"op": "at_least", "value": "120", "max": null}}),
                )),
            ),
            (
                "another upper bound",
                Some(stored_target("range", "8", Some("9"))),
                ("range", "8", Some("10")),
                Some((
                    "target.change",
                    json!({"before": {"op": "range", "value": "8", "max": "9"},
                           "after": {"op": "range", "value": "8", "max": "10"}}),
                )),
            ),
            (
                "another comparator",
                Some(stored_target("at_least", "5", None)),
                ("at_most", "5", None),
                Some((
                    "target.change",
                    json!({"before": {"op": "at_least", "value": "5", "max": null},
                           "after": {"op": "at_most", "value": "5", "max": null}}),
                )),
            ),
        ];
        for (what, stored, parts, expected) in cases {
            let (t, parts) = target(parts);
            let row = TargetRow::new(&t, parts);
            assert_eq!(row.key, "thu_ngan_sach/7/2022/NQ-03", "{what}");
            let was_stored = stored.is_some();
            let mut report = ApplyReport::default();
            match (decide_target(&mut report, &row, stored), expected) {
                (None, None) => assert_eq!(report, ApplyReport::default(), "{what}"),
                (Some(w), Some((action, detail))) => {
                    assert_eq!(w.audit.action, action, "{what}");
                    assert_eq!(w.audit.detail, detail, "{what}");
                    assert_eq!(w.update, was_stored.then_some(9), "{what}");
                    assert_eq!(
                        (report.targets_added, report.targets_changed),
                        if was_stored { (0, 1) } else { (1, 0) },
                        "{what}"
                    );
                }
                (got, expected) => panic!("{what}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn a_plan_source_upserted_is_counted_and_audited() {
        let ps = PlanSource {
            key: "NQ-03".to_string(),
            kind: PlanKind::PartyResolution,
            title: "Nghị quyết số 03-NQ/HU".to_string(),
            unit: UnitId(7),
            issued_on: None,
        };
        let mut report = ApplyReport::default();
        let a = plan_source_upserted(&mut report, &ps);
        assert_eq!(report.plan_sources, 1);
        assert_eq!(
            (a.action.as_str(), a.entity, a.key.as_str()),
            ("plan_source.upsert", "plan_source", "NQ-03")
        );
        assert_eq!(
            a.detail,
            json!({"kind": "party_resolution", "title": "Nghị quyết số 03-NQ/HU", "unit": 7})
        );
    }

    /// Units in memory, answering the look-ups as a backend's SQL would.
    struct Units {
        versions: Vec<UnitVersion>,
        successions: Vec<Succession>,
    }

    fn version(
        unit: i64,
        kind: UnitKind,
        level: Level,
        name: &str,
        parent: Option<i64>,
        code: &str,
        valid: (Option<&str>, Option<&str>),
    ) -> UnitVersion {
        UnitVersion {
            unit: UnitId(unit),
            name: name.to_string(),
            kind,
            level,
            code: Some(OfficialCode(code.to_string())),
            parent: parent.map(UnitId),
            valid_from: valid.0.map(day),
            valid_to: valid.1.map(day),
        }
    }

    /// Lạng Sơn with two districts that each have a xã Tân Lập, a xã Long Đống that ended
    /// on 30/6/2025 and was taken into a xã Bắc Sơn that began on 1/7/2025.
    fn units() -> Units {
        use Level::*;
        use UnitKind::*;
        let always = (None, None);
        Units {
            versions: vec![
                version(1, QuocGia, Nation, "Việt Nam", None, "0", always),
                version(2, Tinh, Province, "Lạng Sơn", Some(1), "20", always),
                version(3, Huyen, District, "Bắc Sơn", Some(2), "181", always),
                version(4, Huyen, District, "Hữu Lũng", Some(2), "185", always),
                version(5, Xa, Commune, "Tân Lập", Some(3), "06100", always),
                version(6, Xa, Commune, "Tân Lập", Some(4), "06200", always),
                version(
                    7,
                    Xa,
                    Commune,
                    "Long Đống",
                    Some(3),
                    "06110",
                    (None, Some("2025-06-30")),
                ),
                version(
                    8,
                    Xa,
                    Commune,
                    "Bắc Sơn",
                    Some(2),
                    "06120",
                    (Some("2025-07-01"), None),
                ),
            ],
            successions: vec![Succession {
                from: UnitId(7),
                to: UnitId(8),
                date: day("2025-07-01"),
                partial: false,
            }],
        }
    }

    impl UnitLookup for Units {
        fn versions_coded_on(&self, code: &str, on: NaiveDate) -> Result<Vec<UnitVersion>> {
            Ok(self
                .versions
                .iter()
                .filter(|v| v.code.as_ref().is_some_and(|c| c.0 == code) && v.valid_on(on))
                .cloned()
                .collect())
        }
        fn versions_named_on(&self, folded: &str, on: NaiveDate) -> Result<Vec<UnitVersion>> {
            Ok(self
                .versions_named(folded)?
                .into_iter()
                .filter(|v| v.valid_on(on))
                .collect())
        }
        fn versions_named(&self, folded: &str) -> Result<Vec<UnitVersion>> {
            Ok(self
                .versions
                .iter()
                .filter(|v| chitieu_text::fold(&v.name) == folded)
                .cloned()
                .collect())
        }
        fn versions_of(&self, unit: UnitId) -> Result<Vec<UnitVersion>> {
            Ok(self
                .versions
                .iter()
                .filter(|v| v.unit == unit)
                .cloned()
                .collect())
        }
        fn version_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion> {
            self.versions
                .iter()
                .find(|v| v.unit == unit && v.valid_on(on))
                .cloned()
                .ok_or_else(|| StoreError::NoSuchUnit(format!("{unit} on {on}")))
        }
        fn latest_version(&self, unit: UnitId) -> Result<UnitVersion> {
            self.versions
                .iter()
                .rfind(|v| v.unit == unit)
                .cloned()
                .ok_or_else(|| StoreError::NoSuchUnit(unit.to_string()))
        }
        fn successions_into(&self, unit: UnitId) -> Result<Vec<Succession>> {
            Ok(self
                .successions
                .iter()
                .filter(|s| s.to == unit)
                .cloned()
                .collect())
        }
        fn successions_out_of(&self, unit: UnitId) -> Result<Vec<Succession>> {
            Ok(self
                .successions
                .iter()
                .filter(|s| s.from == unit)
                .cloned()
                .collect())
        }
    }

    /// What resolving a name on a day gives.
    #[derive(Debug, PartialEq)]
    enum Resolved {
        Unit(i64),
        Unknown(String),
        Ambiguous(String, String),
    }

    fn unknown(hint: &str) -> Resolved {
        Resolved::Unknown(hint.to_string())
    }

    fn ambiguous(candidates: &str, example: &str) -> Resolved {
        Resolved::Ambiguous(candidates.to_string(), example.to_string())
    }

    #[test]
    fn names_resolve_to_one_unit_or_say_why_not() {
        use Resolved::Unit;
        let cases: Vec<(&str, &str, Resolved)> = vec![
            ("huyện Bắc Sơn", "2024-01-01", Unit(3)),
            ("181", "2024-01-01", Unit(3)),
            ("Tân Lập, Hữu Lũng", "2024-01-01", Unit(6)),
            (
                "xã Tân Lập , huyện Bắc Sơn, Lạng Sơn",
                "2024-01-01",
                Unit(5),
            ),
            (
                "Tân Lập",
                "2024-01-01",
                ambiguous(
                    "xã Tân Lập (huyện Bắc Sơn, tỉnh Lạng Sơn); xã Tân Lập (huyện Hữu Lũng, tỉnh Lạng Sơn)",
                    "xã Tân Lập, huyện Bắc Sơn",
                ),
            ),
            ("Bắc Sơn", "2024-01-01", Unit(3)),
            (
                "Bắc Sơn",
                "2025-08-01",
                ambiguous(
                    "huyện Bắc Sơn (tỉnh Lạng Sơn); xã Bắc Sơn (tỉnh Lạng Sơn)",
                    "huyện Bắc Sơn, tỉnh Lạng Sơn",
                ),
            ),
            ("xã Bắc Sơn", "2025-08-01", Unit(8)),
            ("Long Đống", "2025-06-30", Unit(7)),
            (
                "Long Đống",
                "2025-07-01",
                unknown(
                    " (xã Long Đống chỉ có hiệu lực đến ngày 30/06/2025; xem lịch sử bằng `chitieu units --history \"xã Long Đống\"`)",
                ),
            ),
            (
                "xã Bắc Sơn",
                "2025-06-30",
                unknown(" (xã Bắc Sơn có hiệu lực từ ngày 01/07/2025)"),
            ),
            ("Tân Lập, Bắc Giang", "2024-01-01", unknown("")),
            ("Đồng Đăng", "2024-01-01", unknown("")),
            (" , ", "2024-01-01", unknown("")),
            ("99999", "2024-01-01", unknown("")),
        ];
        let l = units();
        for (name, on, expected) in cases {
            let got = match resolve_unit(&l, name, day(on)) {
                Ok(v) => Unit(v.unit.0),
                Err(StoreError::UnknownUnit {
                    name: n,
                    date,
                    hint,
                }) => {
                    assert_eq!(
                        (n.as_str(), date.as_str()),
                        (name.trim(), on),
                        "{name} on {on}"
                    );
                    Resolved::Unknown(hint)
                }
                Err(StoreError::AmbiguousUnit {
                    candidates,
                    example,
                    ..
                }) => Resolved::Ambiguous(candidates, example),
                Err(e) => panic!("{name} on {on}: {e}"),
            };
            assert_eq!(got, expected, "{name} on {on}");
        }
    }

    #[test]
    fn a_history_holds_versions_parents_and_successions() {
        let l = units();
        let long_dong = unit_history(&l, "Long Đống").expect("history");
        assert_eq!(long_dong.len(), 1);
        assert_eq!(long_dong[0].parents, vec![Some(l.versions[2].clone())]);
        assert!(long_dong[0].predecessors.is_empty());
        assert_eq!(
            long_dong[0].successors,
            vec![(l.successions[0].clone(), l.versions[7].clone())]
        );

        let bac_son = unit_history(&l, "xã Bắc Sơn").expect("history");
        assert_eq!(bac_son.len(), 1);
        assert_eq!(bac_son[0].versions, vec![l.versions[7].clone()]);
        assert_eq!(
            bac_son[0].predecessors,
            vec![(l.successions[0].clone(), l.versions[6].clone())]
        );

        let tan_lap: Vec<i64> = unit_history(&l, "Tân Lập")
            .expect("history")
            .iter()
            .map(|h| h.versions[0].unit.0)
            .collect();
        assert_eq!(tan_lap, vec![5, 6]);
        let qualified = unit_history(&l, "Tân Lập, huyện Hữu Lũng").expect("history");
        assert_eq!(qualified.len(), 1);
        assert_eq!(qualified[0].versions[0].unit, UnitId(6));
    }
}
