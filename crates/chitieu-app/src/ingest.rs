//! Reading documents into the database: extraction, unit resolution, proposals, review and the
//! consistency check.
//!
//! `ingest` stores a document unchanged and its extracted facts as *proposed*; `decide` turns a
//! proposal (possibly edited by a reviewer) into a decision that the store applies in one
//! transaction; `check` lists figures that disagree with each other.

use chitieu_core::Decimal;
use chitieu_core::admin::{UnitId, UnitKind};
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, Direction, IndicatorCode, Temporal};
use chitieu_core::period::{Period, PeriodKind};
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_extract::{Approx, Extraction, Extractor, Measure};
use chitieu_store::documents::{
    Decision, DocumentAdded, DocumentStore, NewDocument, NewProposal, Proposal, ProposalState,
    StoredDocument,
};
use chitieu_store::{Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("đề xuất số {id}: {reason}")]
    Incomplete { id: i64, reason: String },
}

type Result<T, E = IngestError> = std::result::Result<T, E>;

/// What ingesting one document did.
#[derive(Debug, Clone, Serialize)]
pub struct Ingested {
    pub added: DocumentAdded,
    pub extraction: Extraction,
    /// Unit names in the text that could not be resolved, with the reason.
    pub unresolved: Vec<String>,
}

/// The date a document speaks from: its first meeting's date, else its own header date.
fn reference_date(ex: &Extraction) -> Option<NaiveDate> {
    ex.meetings.iter().find_map(|m| m.date).or(ex.document_date)
}

fn measure_key(m: Measure) -> &'static str {
    match m {
        Measure::Actual => "actual",
        Measure::Target => "target",
        Measure::PercentOfPlan => "percent_of_plan",
        Measure::PercentChange => "percent_change",
        Measure::Change => "change",
        Measure::CountOfTotal => "count_of_total",
    }
}

/// Extracts facts from `text`, resolves the units it names as they stood on the document's
/// date, and stores the document with its facts as proposals. `default_unit` is used for facts
/// whose text names no unit (many articles say only "trên địa bàn huyện").
pub fn ingest(
    store: &mut (impl Store + DocumentStore),
    extractor: &Extractor,
    name: &str,
    text: &str,
    default_unit: Option<&str>,
    actor: &str,
) -> Result<Ingested> {
    let (doc, extraction, unresolved) = prepare(store, extractor, name, text, default_unit)?;
    let added = store.add_document(&doc, actor)?;
    Ok(Ingested {
        added,
        extraction,
        unresolved,
    })
}

/// What [`ingest`] stores, before storing it: the document with its facts as proposals, the
/// extraction, and the unit names that could not be resolved (sorted, once each).
pub(crate) fn prepare(
    store: &impl Store,
    extractor: &Extractor,
    name: &str,
    text: &str,
    default_unit: Option<&str>,
) -> Result<(NewDocument, Extraction, Vec<String>)> {
    let extraction = extractor.extract(name, text);
    let date = reference_date(&extraction);
    let mut unresolved = Vec::new();
    let mut cache: HashMap<String, Option<UnitId>> = HashMap::new();
    let mut resolve = |name: &str, on: NaiveDate, unresolved: &mut Vec<String>| -> Option<UnitId> {
        if let Some(hit) = cache.get(name) {
            return *hit;
        }
        let found = match store.resolve_unit(name, on) {
            Ok(v) => Some(v.unit),
            Err(e) => {
                unresolved.push(e.to_string());
                None
            }
        };
        cache.insert(name.to_string(), found);
        found
    };
    let default = match default_unit {
        Some(u) => {
            let on = date.unwrap_or_else(|| chrono::Local::now().date_naive());
            Some(store.resolve_unit(u, on)?.unit)
        }
        None => None,
    };
    let doc_unit = extraction
        .meetings
        .iter()
        .find_map(|m| m.unit.as_deref())
        .and_then(|u| date.and_then(|d| resolve(u, d, &mut unresolved)))
        .or(default);
    let mut proposals = Vec::new();
    for f in &extraction.facts {
        let on = date
            .or(f.period.map(|p| p.end_date()))
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let unit = match &f.unit_scope {
            Some(scope) => resolve(scope, on, &mut unresolved).or(default),
            None => default.or(doc_unit),
        };
        proposals.push(NewProposal {
            fact: serde_json::to_value(f).unwrap_or_default(),
            indicator: Some(f.indicator.clone()).filter(|i| i != "other"),
            measure: measure_key(f.measure).to_string(),
            value: f.value,
            period: f.period,
            unit,
            span: (f.span[0], f.span[1]),
        });
    }
    let doc = NewDocument {
        name: name.to_string(),
        original: text.to_string(),
        document_date: date,
        unit: doc_unit,
        extractor: format!("chitieu-extract {}", chitieu_extract::EXTRACTOR_VERSION),
        extraction: serde_json::json!({
            "meetings": extraction.meetings,
            "people": extraction.people,
            "document_date": extraction.document_date,
        }),
        proposals,
    };
    unresolved.sort();
    unresolved.dedup();
    Ok((doc, extraction, unresolved))
}

/// A reviewer's corrections to a proposal before accepting it.
#[derive(Debug, Clone, Default)]
pub struct Edits {
    pub indicator: Option<IndicatorCode>,
    pub unit: Option<UnitId>,
    pub period: Option<Period>,
    pub value: Option<Decimal>,
    pub state: Option<FigureState>,
}

fn approx_of(p: &Proposal) -> Option<Approx> {
    p.fact
        .get("approx")
        .and_then(|a| serde_json::from_value(a.clone()).ok())
}

/// The plan a "% of plan" refers to, by the extraction contract's `compared_to`.
fn plan_kind_of(compared_to: Option<&str>) -> (PlanKind, &'static str) {
    match compared_to {
        Some("province_estimate") => (PlanKind::ProvinceEstimate, "dự toán tỉnh giao"),
        Some("estimate") => (PlanKind::Other, "dự toán giao"),
        Some("target") => (PlanKind::PartyResolution, "chỉ tiêu nghị quyết"),
        _ => (PlanKind::Other, "kế hoạch"),
    }
}

/// For a "% of plan" next to the amount it qualifies ("43,248 tỷ đồng, đạt 131,5% dự toán tỉnh
/// giao"), the annual plan value the text implies: amount ÷ percentage, rounded to a million
/// đồng (or two decimals for other units). `None` when the amount is not in the same document.
fn implied_plan(
    p: &Proposal,
    siblings: &[Proposal],
    unit_of_measure: &str,
) -> Option<(Decimal, Decimal)> {
    if p.value <= Decimal::ZERO {
        return None;
    }
    let amount = siblings
        .iter()
        .filter(|q| q.document == p.document && q.measure == "actual")
        .filter(|q| q.indicator == p.indicator && q.period == p.period)
        .min_by_key(|q| q.span.0.abs_diff(p.span.0))?
        .value;
    let raw = amount
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(p.value)?;
    let rounded = if unit_of_measure == "VND" {
        (raw / Decimal::from(1_000_000)).round() * Decimal::from(1_000_000)
    } else {
        raw.round_dp(2)
    };
    Some((amount, rounded))
}

/// What accepting a proposal means: a figure for achieved values and counts; a target for
/// planned values; for a "% of plan" next to its amount, the plan it implies, as a target
/// marked as derived; and an acknowledgement for changes, which check figures rather than
/// being figures. `siblings` are the other proposals of the same document. Fails when
/// something needed is missing, saying what.
pub fn decide(
    catalog: &Catalog,
    doc: &StoredDocument,
    p: &Proposal,
    siblings: &[Proposal],
    edits: &Edits,
) -> Result<Decision> {
    let incomplete = |reason: &str| IngestError::Incomplete {
        id: p.id,
        reason: reason.to_string(),
    };
    match p.measure.as_str() {
        "percent_change" | "change" => return Ok(Decision::Acknowledge),
        "percent_of_plan" => {
            let derived = (|| {
                let code = IndicatorCode::new(p.indicator.as_deref()?).ok()?;
                let indicator = catalog.get(code.as_str())?;
                let unit = edits.unit.or(p.unit)?;
                let period = edits.period.or(p.period)?;
                let year = period.containing_year()?;
                let (amount, plan_value) = implied_plan(p, siblings, &indicator.unit)?;
                let compared_to = p.fact.get("compared_to").and_then(|c| c.as_str());
                let (kind, name) = plan_kind_of(compared_to);
                let plan = PlanSource {
                    key: format!("DOC-{}-{}", doc.id, compared_to.unwrap_or("plan")),
                    kind,
                    title: format!(
                        "{name} năm {} (suy ra từ văn bản #{}: {} ÷ {}%)",
                        year.year_of(),
                        doc.id,
                        amount.normalize(),
                        p.value.normalize()
                    ),
                    unit,
                    issued_on: None,
                };
                Some(Decision::AcceptTarget {
                    target: Target {
                        indicator: code,
                        unit,
                        period: year,
                        source: plan.key.clone(),
                        comparator: Comparator::AtLeast { value: plan_value },
                    },
                    plan,
                })
            })();
            return Ok(derived.unwrap_or(Decision::Acknowledge));
        }
        "actual" | "count_of_total" | "target" => {}
        other => {
            return Err(incomplete(&format!(
                "loại số liệu '{other}' không rõ (unknown measure): hãy từ chối đề xuất này hoặc nhập số liệu bằng tay"
            )));
        }
    }
    let code = match (&edits.indicator, &p.indicator) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => IndicatorCode::new(c).map_err(|e| incomplete(&e.to_string()))?,
        (None, None) => {
            return Err(incomplete(
                "không có chỉ tiêu nào trong danh mục khớp với số liệu này (no indicator): hãy chọn chỉ tiêu (--indicator)",
            ));
        }
    };
    let indicator = catalog
        .get(code.as_str())
        .ok_or_else(|| incomplete(&format!(
            "không có chỉ tiêu mã '{code}' (unknown indicator): xem các mã bằng `chitieu indicators`"
        )))?;
    let unit = edits.unit.or(p.unit).ok_or_else(|| {
        incomplete("chưa rõ số liệu của đơn vị nào (no unit): hãy chọn đơn vị (--unit)")
    })?;
    let period = edits.period.or(p.period).ok_or_else(|| {
        incomplete(
            "chưa rõ số liệu của kỳ nào (no period): hãy ghi kỳ báo cáo, ví dụ 2022-H1 (--period)",
        )
    })?;
    let value = edits.value.unwrap_or(p.value);
    let approx = approx_of(p);
    if p.measure == "target" {
        let comparator = match (approx, indicator.direction) {
            (Some(Approx::AtLeast), _) | (_, Direction::Up) => Comparator::AtLeast { value },
            (_, Direction::Down) => Comparator::AtMost { value },
            (_, Direction::None) => Comparator::Exactly { value },
        };
        let plan = PlanSource {
            key: format!("DOC-{}", doc.id),
            kind: PlanKind::PartyResolution,
            title: format!("Chỉ tiêu nêu trong văn bản #{} «{}»", doc.id, doc.name),
            unit,
            issued_on: doc.document_date,
        };
        return Ok(Decision::AcceptTarget {
            target: Target {
                indicator: code,
                unit,
                period,
                source: plan.key.clone(),
                comparator,
            },
            plan,
        });
    }
    let state = edits.state.unwrap_or(match approx {
        Some(Approx::Estimated) => FigureState::Estimate,
        _ => FigureState::Official,
    });
    let qualifier = match approx {
        Some(Approx::Above) => Some("trên (above)"),
        Some(Approx::Below) => Some("gần (below)"),
        Some(Approx::About) => Some("khoảng (about)"),
        Some(Approx::AtLeast) => Some("trở lên (at least)"),
        Some(Approx::Estimated) | None => None,
    };
    Ok(Decision::AcceptFigure(FigureInput {
        indicator: code,
        unit,
        period,
        value,
        state,
        as_of: None,
        provenance: Provenance::Document {
            document: doc.id,
            start: p.span.0,
            end: p.span.1,
            extractor: doc.extractor.clone(),
        },
        note: qualifier.map(|q| format!("văn bản ghi: {q}")),
    }))
}

/// The sentence of a document around a span, and the span's own text: what a reviewer reads.
pub fn sentence_of(original: &str, span: (usize, usize)) -> (String, String) {
    let text: Vec<char> = chitieu_text::nfc(original).chars().collect();
    let (s, e) = (span.0.min(text.len()), span.1.min(text.len()));
    let is_end = |c: char| matches!(c, '.' | ';' | '\n' | '!' | '?');
    let mut a = s;
    while a > 0 && !is_end(text[a - 1]) {
        a -= 1;
    }
    let mut b = e;
    while b < text.len() && !is_end(text[b]) {
        b += 1;
    }
    let sentence: String = text[a..b].iter().collect();
    let exact: String = text[s..e].iter().collect();
    (sentence.trim().to_string(), exact)
}

/// A disagreement found by [`check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: &'static str,
    pub message: String,
    pub proposals: Vec<i64>,
}

/// Tolerance for comparing a figure written with a qualifier ("trên 25 tỷ", "gần 21 tỷ").
fn tolerance(approx: Option<Approx>) -> Decimal {
    match approx {
        None => Decimal::new(5, 3),    // 0.5 %: rounding in the text
        Some(_) => Decimal::new(5, 2), // 5 %: "trên", "gần", "khoảng", "ước"
    }
}

fn differs(a: Decimal, b: Decimal, tol: Decimal) -> bool {
    if b.is_zero() {
        return !a.is_zero();
    }
    ((a - b) / b).abs() > tol
}

/// Lists every accepted or proposed figure that conflicts with a stored one or with another
/// document, part-year figures larger than their year's, "% of plan" that does not match
/// amount ÷ plan, and counts whose total differs from the units in force.
pub fn check(store: &(impl Store + DocumentStore)) -> Result<Vec<Finding>> {
    let catalog = store.catalog()?;
    let mut findings = Vec::new();
    let props: Vec<Proposal> = store
        .proposals(None, None)?
        .into_iter()
        .filter(|p| p.state != ProposalState::Rejected)
        .collect();
    let key = |p: &Proposal| -> Option<(String, UnitId, Period)> {
        Some((p.indicator.clone()?, p.unit?, p.period?))
    };
    let figure_like = |p: &Proposal| matches!(p.measure.as_str(), "actual" | "count_of_total");
    let unit_name = |u: UnitId| {
        store
            .unit_latest(u)
            .map(|v| v.full_name())
            .unwrap_or_else(|_| u.to_string())
    };
    // 1. Against the stored figure, unless that figure came from this very proposal.
    for p in props.iter().filter(|p| figure_like(p)) {
        let Some((ind, unit, period)) = key(p) else {
            continue;
        };
        if let Some(f) = store.current_figure(&ind, unit, &period)?
            && p.figure != Some(f.id)
            && differs(p.value, f.input.value, tolerance(approx_of(p)))
        {
            findings.push(Finding {
                kind: "stored",
                message: format!(
                    "{ind}, {}, {period}: văn bản #{} ghi {} nhưng số liệu đã lưu là {} (the document and the stored figure disagree)",
                    unit_name(unit),
                    p.document,
                    p.value.normalize(),
                    f.input.value.normalize()
                ),
                proposals: vec![p.id],
            });
        }
    }
    // 2. Across documents.
    let mut by_key: HashMap<(String, UnitId, Period), Vec<&Proposal>> = HashMap::new();
    for p in props.iter().filter(|p| figure_like(p)) {
        if let Some(k) = key(p) {
            by_key.entry(k).or_default().push(p);
        }
    }
    let mut keys: Vec<_> = by_key.keys().cloned().collect();
    keys.sort_by(|a, b| (a.0.as_str(), a.1, a.2).cmp(&(b.0.as_str(), b.1, b.2)));
    for k in &keys {
        let group = &by_key[k];
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let tol = tolerance(approx_of(a)).max(tolerance(approx_of(b)));
                if a.document != b.document && differs(a.value, b.value, tol) {
                    findings.push(Finding {
                        kind: "documents",
                        message: format!(
                            "{}, {}, {}: văn bản #{} ghi {} nhưng văn bản #{} ghi {} (two documents disagree)",
                            k.0,
                            unit_name(k.1),
                            k.2,
                            a.document,
                            a.value.normalize(),
                            b.document,
                            b.value.normalize()
                        ),
                        proposals: vec![a.id, b.id],
                    });
                }
            }
        }
    }
    // 3. A part of the year larger than the whole year, for cumulative indicators.
    let value_of = |ind: &str, unit: UnitId, period: &Period| -> Result<Option<Decimal>> {
        if let Some(f) = store.current_figure(ind, unit, period)? {
            return Ok(Some(f.input.value));
        }
        Ok(by_key
            .get(&(ind.to_string(), unit, *period))
            .and_then(|g| g.first())
            .map(|p| p.value))
    };
    for k in &keys {
        let (ind, unit, period) = k;
        let cumulative = catalog
            .get(ind)
            .is_some_and(|i| i.temporal == Temporal::Cumulative);
        if !cumulative || matches!(period.kind(), PeriodKind::Year | PeriodKind::Term) {
            continue;
        }
        let Some(year) = period.containing_year() else {
            continue;
        };
        let (Some(part), Some(whole)) =
            (value_of(ind, *unit, period)?, value_of(ind, *unit, &year)?)
        else {
            continue;
        };
        if part > whole {
            findings.push(Finding {
                kind: "part_exceeds_year",
                message: format!(
                    "{ind}, {}: kỳ {period} ({}) lớn hơn cả năm {year} ({}) (a part of the year exceeds the year)",
                    unit_name(*unit),
                    part.normalize(),
                    whole.normalize()
                ),
                proposals: by_key[k].iter().map(|p| p.id).collect(),
            });
        }
    }
    // 4. "% of plan" against amount ÷ the stored target.
    for p in props.iter().filter(|p| p.measure == "percent_of_plan") {
        let Some((ind, unit, period)) = key(p) else {
            continue;
        };
        let Some(amount) = props
            .iter()
            .find(|q| q.document == p.document && q.measure == "actual" && key(q) == key(p))
            .map(|q| q.value)
            .or(store
                .current_figure(&ind, unit, &period)?
                .map(|f| f.input.value))
        else {
            continue;
        };
        let targets = store.targets_for(unit, period.year_of())?;
        let (kind, _) = plan_kind_of(p.fact.get("compared_to").and_then(|c| c.as_str()));
        let sources = store.plan_sources()?;
        let plans: Vec<Decimal> = targets
            .iter()
            .filter(|t| t.indicator.as_str() == ind && t.period.covers(&period))
            .filter(|t| sources.iter().any(|s| s.key == t.source && s.kind == kind))
            .map(|t| t.comparator.reference())
            .filter(|r| !r.is_zero())
            .collect();
        if plans.is_empty() {
            continue;
        }
        let matches_one = plans.iter().any(|plan| {
            let pct = amount / plan * Decimal::ONE_HUNDRED;
            (pct - p.value).abs() <= Decimal::ONE.max(p.value * tolerance(approx_of(p)))
        });
        if !matches_one {
            let implied = p.value / Decimal::ONE_HUNDRED;
            findings.push(Finding {
                kind: "percent_of_plan",
                message: format!(
                    "{ind}, {}, {period}: văn bản #{} ghi {}% kế hoạch, nhưng {} ÷ kế hoạch ({}) = {}% (the percentage does not match amount ÷ plan; the text implies a plan of {})",
                    unit_name(unit),
                    p.document,
                    p.value.normalize(),
                    amount.normalize(),
                    plans.iter().map(|x| x.normalize().to_string()).collect::<Vec<_>>().join(", "),
                    (amount / plans[0] * Decimal::ONE_HUNDRED).round_dp(1),
                    if implied.is_zero() { Decimal::ZERO } else { (amount / implied).round_dp(0) }
                ),
                proposals: vec![p.id],
            });
        }
    }
    // 5. "X/Y xã": Y against the units in force on the date.
    for p in props.iter().filter(|p| p.measure == "count_of_total") {
        let Some((ind, unit, period)) = key(p) else {
            continue;
        };
        let Some(total) = p.fact.get("total").and_then(|t| t.as_u64()) else {
            continue;
        };
        let Some(indicator) = catalog.get(&ind) else {
            continue;
        };
        let Some(kind) = UnitKind::ALL.into_iter().find(|k| k.vi() == indicator.unit) else {
            continue;
        };
        // Counted on the period's last day, or the unit's own last day if it ended earlier.
        let last = store.unit_latest(unit)?.valid_to;
        let on = last.map_or(period.end_date(), |t| t.min(period.end_date()));
        let in_force = store.count_units(unit, kind, on)?;
        if in_force > 0 && u64::from(in_force) != total {
            findings.push(Finding {
                kind: "count_total",
                message: format!(
                    "{ind}, {}, {period}: văn bản #{} ghi tổng {total} {}, nhưng có {in_force} {} đang hoạt động (the total differs from the units in force)",
                    unit_name(unit),
                    p.document,
                    indicator.unit,
                    indicator.unit
                ),
                proposals: vec![p.id],
            });
        }
    }
    Ok(findings)
}
