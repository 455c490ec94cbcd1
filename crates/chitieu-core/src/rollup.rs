//! Rolling figures up the administrative hierarchy as it stood on a date, and carrying the
//! series of old units onto the units that succeeded them.
//!
//! # Roll-up
//!
//! A [`UnitTree`] is the hierarchy in force on one date. [`rollup`] walks it bottom-up once
//! (children before parents) and, for every unit, combines the figures of its children by the
//! indicator's [`Aggregation`]:
//!
//! - [`Aggregation::Sum`]: the sum over the children that have a figure;
//! - [`Aggregation::Mean`]: the plain mean over the children that have a figure;
//! - [`Aggregation::WeightedMean`]: Σ value × weight ÷ Σ weight over the children that have both
//!   a figure and a weight (the weight indicator's figure, itself rolled up);
//! - [`Aggregation::Ratio`]: Σ numerator ÷ Σ denominator × scale over the children that have
//!   both components (each component rolled up by its own rule). A unit none of whose children
//!   has both components falls back to its own components, so a commune that reported grain
//!   output and sown area gets a yield;
//! - [`Aggregation::None`]: the unit's own figure only.
//!
//! The figure a child contributes is its *own reported* figure when it has one, otherwise the
//! value computed from its own children. A unit's reported figure is never overwritten:
//! [`Rolled`] keeps both, so callers can show the reported one and flag a mismatch.
//!
//! # Carry-over
//!
//! [`carry_over`] maps a series of old units onto their successors (the 2025 merger of
//! communes): a successor's value is the sum over its predecessors, marked exact only when
//! every predecessor merged whole and had a value.

use crate::admin::{Level, Succession, UnitId, UnitVersion};
use crate::indicator::{Aggregation, Catalog, IndicatorCode};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The hierarchy of units in force on one date.
///
/// Units are held by dense index internally; every query is a hash lookup or a slice walk, and
/// a roll-up visits each unit once.
#[derive(Debug, Clone)]
pub struct UnitTree {
    date: NaiveDate,
    ids: Vec<UnitId>,
    levels: Vec<Level>,
    index: HashMap<UnitId, usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// Every reachable unit, children before their parent.
    bottom_up: Vec<usize>,
    roots: Vec<usize>,
    detached: Vec<UnitId>,
}

impl UnitTree {
    /// Builds the tree from unit versions, keeping those valid on `date`.
    ///
    /// A unit whose parent is not in force on the date (or has none) becomes a root. If two
    /// versions of one unit are valid on the same date (bad data), the first wins. Units caught
    /// in a parent cycle cannot be placed and are listed by [`UnitTree::detached`].
    pub fn on(versions: &[UnitVersion], date: NaiveDate) -> UnitTree {
        let mut ids = Vec::new();
        let mut levels = Vec::new();
        let mut parent_ids = Vec::new();
        let mut index = HashMap::new();
        for v in versions.iter().filter(|v| v.valid_on(date)) {
            if index.contains_key(&v.unit) {
                continue;
            }
            index.insert(v.unit, ids.len());
            ids.push(v.unit);
            levels.push(v.level);
            parent_ids.push(v.parent);
        }
        let parent: Vec<Option<usize>> = parent_ids
            .iter()
            .enumerate()
            .map(|(i, p)| p.and_then(|p| index.get(&p).copied()).filter(|&pi| pi != i))
            .collect();
        let mut children = vec![Vec::new(); ids.len()];
        let mut roots = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[*p].push(i),
                None => roots.push(i),
            }
        }
        // Post-order without recursion: a unit is emitted after all its children.
        let mut bottom_up = Vec::with_capacity(ids.len());
        let mut stack: Vec<(usize, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
        while let Some((u, expanded)) = stack.pop() {
            if expanded {
                bottom_up.push(u);
            } else {
                stack.push((u, true));
                stack.extend(children[u].iter().rev().map(|&c| (c, false)));
            }
        }
        let mut placed = vec![false; ids.len()];
        for &u in &bottom_up {
            placed[u] = true;
        }
        let detached = (0..ids.len())
            .filter(|&i| !placed[i])
            .map(|i| ids[i])
            .collect();
        UnitTree {
            date,
            ids,
            levels,
            index,
            parent,
            children,
            bottom_up,
            roots,
            detached,
        }
    }

    /// The date the tree stands on.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// How many units are in force on the date.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no unit is in force.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether the unit is in force on the date.
    pub fn contains(&self, unit: UnitId) -> bool {
        self.index.contains_key(&unit)
    }

    /// The units at the top: those without a parent in force.
    pub fn roots(&self) -> impl Iterator<Item = UnitId> + '_ {
        self.roots.iter().map(|&i| self.ids[i])
    }

    /// The parent of a unit on the date.
    pub fn parent(&self, unit: UnitId) -> Option<UnitId> {
        let i = *self.index.get(&unit)?;
        self.parent[i].map(|p| self.ids[p])
    }

    /// The children of a unit in force on the date (empty for an unknown unit).
    pub fn children(&self, unit: UnitId) -> impl Iterator<Item = UnitId> + '_ {
        let kids: &[usize] = match self.index.get(&unit) {
            Some(&i) => &self.children[i],
            None => &[],
        };
        kids.iter().map(|&c| self.ids[c])
    }

    /// The level of a unit in force on the date.
    pub fn level(&self, unit: UnitId) -> Option<Level> {
        self.index.get(&unit).map(|&i| self.levels[i])
    }

    /// How many units of `level` lie under `unit` (at any depth) on the date: the total of a
    /// count-of-units indicator ("8/17 xã").
    pub fn count_below(&self, unit: UnitId, level: Level) -> u32 {
        let Some(&start) = self.index.get(&unit) else {
            return 0;
        };
        let mut count = 0u32;
        let mut stack: Vec<usize> = self.children[start].clone();
        while let Some(u) = stack.pop() {
            if self.levels[u] == level {
                count = count.saturating_add(1);
            }
            stack.extend_from_slice(&self.children[u]);
        }
        count
    }

    /// Units that could not be placed because their parents form a cycle.
    pub fn detached(&self) -> &[UnitId] {
        &self.detached
    }
}

/// Figures for one period, indexed by indicator then unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureTable {
    by_indicator: HashMap<IndicatorCode, HashMap<UnitId, Decimal>>,
}

impl FigureTable {
    pub fn new() -> FigureTable {
        FigureTable::default()
    }

    /// Sets the figure of an indicator for a unit, replacing any previous one.
    pub fn insert(&mut self, indicator: IndicatorCode, unit: UnitId, value: Decimal) {
        self.by_indicator
            .entry(indicator)
            .or_default()
            .insert(unit, value);
    }

    /// The figure of an indicator for a unit.
    pub fn get(&self, indicator: &IndicatorCode, unit: UnitId) -> Option<Decimal> {
        self.by_indicator.get(indicator)?.get(&unit).copied()
    }

    /// All figures of one indicator.
    pub fn of_indicator(&self, indicator: &IndicatorCode) -> Option<&HashMap<UnitId, Decimal>> {
        self.by_indicator.get(indicator)
    }
}

impl FromIterator<((IndicatorCode, UnitId), Decimal)> for FigureTable {
    fn from_iter<T: IntoIterator<Item = ((IndicatorCode, UnitId), Decimal)>>(iter: T) -> Self {
        let mut table = FigureTable::new();
        for ((code, unit), value) in iter {
            table.insert(code, unit, value);
        }
        table
    }
}

impl From<&HashMap<(IndicatorCode, UnitId), Decimal>> for FigureTable {
    fn from(map: &HashMap<(IndicatorCode, UnitId), Decimal>) -> Self {
        map.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

impl From<HashMap<(IndicatorCode, UnitId), Decimal>> for FigureTable {
    fn from(map: HashMap<(IndicatorCode, UnitId), Decimal>) -> Self {
        map.into_iter().collect()
    }
}

/// One unit's rolled-up figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rolled {
    /// The value computed from the children (for [`Aggregation::None`], the own figure; for a
    /// ratio without children's components, the ratio of the unit's own components).
    pub value: Option<Decimal>,
    /// The unit's own reported figure.
    pub reported: Option<Decimal>,
    /// Children in force that contributed to `value`.
    pub reporting: u32,
    /// Children in force.
    pub expected: u32,
}

impl Rolled {
    /// The figure to show: the reported one when there is one, otherwise the computed one.
    pub fn effective(&self) -> Option<Decimal> {
        self.reported.or(self.value)
    }

    /// Whether the unit reported a figure that differs from the one computed from below.
    pub fn mismatch(&self) -> bool {
        matches!((self.reported, self.value), (Some(r), Some(v)) if r != v)
    }

    /// Whether every child in force contributed.
    pub fn complete(&self) -> bool {
        self.reporting == self.expected
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    #[error("indicator '{0}' is not in the catalog")]
    UnknownIndicator(IndicatorCode),
    #[error("indicator '{0}' is defined in terms of itself (through weights or ratio components)")]
    Cyclic(IndicatorCode),
}

/// Rolls one indicator up the tree. Returns a [`Rolled`] for every unit in force (leaves have
/// `expected` 0 and only their reported figure, except ratios computed from own components).
pub fn rollup(
    tree: &UnitTree,
    catalog: &Catalog,
    figures: &FigureTable,
    indicator: &IndicatorCode,
) -> Result<HashMap<UnitId, Rolled>, RollupError> {
    let mut engine = Engine::new(tree, catalog, figures);
    let rolled = engine.roll(indicator)?;
    Ok(engine.to_map(&rolled))
}

/// Rolls every indicator of the catalog up the tree, sharing the work for ratio components and
/// weights. Indicators that cannot be rolled (cyclic definitions) are left out and listed in
/// the second element.
pub fn rollup_all(
    tree: &UnitTree,
    catalog: &Catalog,
    figures: &FigureTable,
) -> (
    HashMap<IndicatorCode, HashMap<UnitId, Rolled>>,
    Vec<RollupError>,
) {
    let mut engine = Engine::new(tree, catalog, figures);
    let mut out = HashMap::with_capacity(catalog.indicators.len());
    let mut errors = Vec::new();
    for ind in &catalog.indicators {
        match engine.roll(&ind.code) {
            Ok(rolled) => {
                out.insert(ind.code.clone(), engine.to_map(&rolled));
            }
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

/// Rolled figures by dense unit index.
type Column = std::rc::Rc<Vec<Rolled>>;

struct Engine<'a> {
    tree: &'a UnitTree,
    catalog: &'a Catalog,
    figures: &'a FigureTable,
    done: HashMap<IndicatorCode, Column>,
    in_progress: HashSet<IndicatorCode>,
}

impl<'a> Engine<'a> {
    fn new(tree: &'a UnitTree, catalog: &'a Catalog, figures: &'a FigureTable) -> Self {
        Engine {
            tree,
            catalog,
            figures,
            done: HashMap::new(),
            in_progress: HashSet::new(),
        }
    }

    fn to_map(&self, column: &[Rolled]) -> HashMap<UnitId, Rolled> {
        self.tree
            .ids
            .iter()
            .copied()
            .zip(column.iter().copied())
            .collect()
    }

    /// The reported figures of an indicator by dense unit index.
    fn reported(&self, code: &IndicatorCode) -> Vec<Option<Decimal>> {
        match self.figures.of_indicator(code) {
            Some(by_unit) => self
                .tree
                .ids
                .iter()
                .map(|u| by_unit.get(u).copied())
                .collect(),
            None => vec![None; self.tree.ids.len()],
        }
    }

    /// Rolls up an indicator, rolling up its weight or components first.
    fn roll(&mut self, code: &IndicatorCode) -> Result<Column, RollupError> {
        if let Some(done) = self.done.get(code) {
            return Ok(done.clone());
        }
        let aggregation = self
            .catalog
            .get(code.as_str())
            .map(|i| i.aggregation.clone())
            .ok_or_else(|| RollupError::UnknownIndicator(code.clone()))?;
        if !self.in_progress.insert(code.clone()) {
            return Err(RollupError::Cyclic(code.clone()));
        }
        let result = self.compute(code, &aggregation);
        self.in_progress.remove(code);
        let column = std::rc::Rc::new(result?);
        self.done.insert(code.clone(), column.clone());
        Ok(column)
    }

    /// Rolls up a component (weight, numerator, denominator). A component missing from the
    /// catalog still has figures; it is summed.
    fn component(&mut self, code: &IndicatorCode) -> Result<Column, RollupError> {
        if self.catalog.get(code.as_str()).is_some() {
            return self.roll(code);
        }
        if let Some(done) = self.done.get(code) {
            return Ok(done.clone());
        }
        let column = std::rc::Rc::new(self.compute(code, &Aggregation::Sum)?);
        self.done.insert(code.clone(), column.clone());
        Ok(column)
    }

    fn compute(
        &mut self,
        code: &IndicatorCode,
        aggregation: &Aggregation,
    ) -> Result<Vec<Rolled>, RollupError> {
        let reported = self.reported(code);
        let n = self.tree.ids.len();
        let mut out: Vec<Rolled> = reported
            .iter()
            .enumerate()
            .map(|(i, r)| Rolled {
                value: None,
                reported: *r,
                reporting: 0,
                expected: count_u32(self.tree.children[i].len()),
            })
            .collect();
        match aggregation {
            Aggregation::None => {
                for (i, slot) in out.iter_mut().enumerate() {
                    slot.value = reported[i];
                    slot.reporting = count_u32(
                        self.tree.children[i]
                            .iter()
                            .filter(|&&c| reported[c].is_some())
                            .count(),
                    );
                }
            }
            Aggregation::Sum | Aggregation::Mean => {
                let mean = matches!(aggregation, Aggregation::Mean);
                for &u in &self.tree.bottom_up {
                    let mut total = Some(Decimal::ZERO);
                    let mut k = 0u32;
                    for &c in &self.tree.children[u] {
                        if let Some(v) = out[c].effective() {
                            total = total.and_then(|t| t.checked_add(v));
                            k += 1;
                        }
                    }
                    out[u].reporting = k;
                    out[u].value = if k == 0 {
                        None
                    } else if mean {
                        total.and_then(|t| t.checked_div(Decimal::from(k)))
                    } else {
                        total
                    };
                }
            }
            Aggregation::WeightedMean { weight } => {
                let weights = self.component(weight)?;
                for &u in &self.tree.bottom_up {
                    let mut num = Some(Decimal::ZERO);
                    let mut den = Some(Decimal::ZERO);
                    let mut k = 0u32;
                    for &c in &self.tree.children[u] {
                        if let (Some(v), Some(w)) = (out[c].effective(), weights[c].effective()) {
                            num = num.and_then(|s| s.checked_add(v.checked_mul(w)?));
                            den = den.and_then(|s| s.checked_add(w));
                            k += 1;
                        }
                    }
                    out[u].reporting = k;
                    out[u].value = if k == 0 { None } else { divide(num, den) };
                }
            }
            Aggregation::Ratio {
                numerator,
                denominator,
                scale,
            } => {
                let nums = self.component(numerator)?;
                let dens = self.component(denominator)?;
                for u in 0..n {
                    let mut num = Some(Decimal::ZERO);
                    let mut den = Some(Decimal::ZERO);
                    let mut k = 0u32;
                    for &c in &self.tree.children[u] {
                        if let (Some(a), Some(b)) = (nums[c].effective(), dens[c].effective()) {
                            num = num.and_then(|s| s.checked_add(a));
                            den = den.and_then(|s| s.checked_add(b));
                            k += 1;
                        }
                    }
                    out[u].reporting = k;
                    let ratio = if k > 0 {
                        divide(num, den)
                    } else {
                        divide(nums[u].effective(), dens[u].effective())
                    };
                    out[u].value = ratio.and_then(|r| r.checked_mul(*scale));
                }
            }
        }
        Ok(out)
    }
}

fn divide(num: Option<Decimal>, den: Option<Decimal>) -> Option<Decimal> {
    let (num, den) = (num?, den?);
    if den.is_zero() {
        None
    } else {
        num.checked_div(den)
    }
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A value carried from old units onto the unit that succeeded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    /// The carried value, when it can be formed.
    pub value: Option<Decimal>,
    /// True only when every predecessor merged whole, every one had a value and the value is a
    /// true sum (or a single whole predecessor's value, for any aggregation).
    pub exact: bool,
    /// The predecessors, sorted.
    pub predecessors: Vec<UnitId>,
    /// Predecessors only part of which went to this unit.
    pub partial: Vec<UnitId>,
    /// Predecessors without a value.
    pub missing: Vec<UnitId>,
}

/// Carries the values of old units onto their successors, one entry per successor.
///
/// Predecessors are the `from` side of the successions naming the successor. A successor that
/// absorbed others while keeping its own id (an absorption) and has an old value of its own
/// counts itself as a whole predecessor too. Only direct successions are followed: chain
/// several reforms by carrying step by step.
///
/// - [`Aggregation::Sum`]: the sum over the predecessors that have a value. A predecessor that
///   was divided (`partial`) is counted whole, since the share that moved is not known; the
///   value is then an upper bound and not exact. A predecessor without a value makes it a
///   lower bound, not exact. Without any value, the value is `None`.
/// - Any other aggregation: a single whole predecessor's value carries over unchanged and
///   exactly (a renaming); otherwise the value is `None` (a mean or rate of merged units must be
///   recomputed from its components, see [`carry_over_ratio`]).
pub fn carry_over(
    successions: &[Succession],
    old_values: &HashMap<UnitId, Decimal>,
    aggregation: &Aggregation,
) -> HashMap<UnitId, Carried> {
    predecessors_by_successor(successions, old_values)
        .into_iter()
        .map(|(to, preds)| {
            let mut carried = describe(&preds, old_values);
            let whole = carried.partial.is_empty() && carried.missing.is_empty();
            match aggregation {
                Aggregation::Sum => {
                    carried.value = sum_present(&preds, old_values);
                    carried.exact = whole && carried.value.is_some();
                }
                _ => {
                    if whole && preds.len() == 1 {
                        carried.value = old_values.get(&preds[0].0).copied();
                        carried.exact = carried.value.is_some();
                    }
                }
            }
            (to, carried)
        })
        .collect()
}

/// Carries a ratio indicator (a yield, a rate) by summing its components over the predecessors
/// and dividing: Σ numerator ÷ Σ denominator × scale. Exact when both components carry exactly.
pub fn carry_over_ratio(
    successions: &[Succession],
    numerators: &HashMap<UnitId, Decimal>,
    denominators: &HashMap<UnitId, Decimal>,
    scale: Decimal,
) -> HashMap<UnitId, Carried> {
    let nums = carry_over(successions, numerators, &Aggregation::Sum);
    let dens = carry_over(successions, denominators, &Aggregation::Sum);
    let mut out = HashMap::with_capacity(nums.len());
    for (to, num) in nums {
        let Some(den) = dens.get(&to) else { continue };
        let value = divide(num.value, den.value).and_then(|r| r.checked_mul(scale));
        let mut missing = num.missing.clone();
        for m in &den.missing {
            if !missing.contains(m) {
                missing.push(*m);
            }
        }
        missing.sort();
        let mut predecessors = num.predecessors.clone();
        for p in &den.predecessors {
            if !predecessors.contains(p) {
                predecessors.push(*p);
            }
        }
        predecessors.sort();
        out.insert(
            to,
            Carried {
                exact: num.exact && den.exact && value.is_some(),
                value,
                predecessors,
                partial: num.partial,
                missing,
            },
        );
    }
    out
}

/// For each successor, its predecessors with whether each merged only partly. Sorted, without
/// duplicates (a predecessor listed twice counts as partial if either listing says so).
fn predecessors_by_successor(
    successions: &[Succession],
    old_values: &HashMap<UnitId, Decimal>,
) -> HashMap<UnitId, Vec<(UnitId, bool)>> {
    let mut by_to: HashMap<UnitId, Vec<(UnitId, bool)>> = HashMap::new();
    for s in successions {
        by_to.entry(s.to).or_default().push((s.from, s.partial));
    }
    for (to, preds) in by_to.iter_mut() {
        if old_values.contains_key(to) && !preds.iter().any(|(p, _)| p == to) {
            preds.push((*to, false));
        }
        preds.sort();
        // After sorting, a duplicate with `partial` true follows the one with false.
        let mut merged: Vec<(UnitId, bool)> = Vec::with_capacity(preds.len());
        for &(p, partial) in preds.iter() {
            match merged.last_mut() {
                Some(last) if last.0 == p => last.1 |= partial,
                _ => merged.push((p, partial)),
            }
        }
        *preds = merged;
    }
    by_to
}

fn describe(preds: &[(UnitId, bool)], old_values: &HashMap<UnitId, Decimal>) -> Carried {
    Carried {
        value: None,
        exact: false,
        predecessors: preds.iter().map(|&(p, _)| p).collect(),
        partial: preds.iter().filter(|p| p.1).map(|&(p, _)| p).collect(),
        missing: preds
            .iter()
            .filter(|(p, _)| !old_values.contains_key(p))
            .map(|&(p, _)| p)
            .collect(),
    }
}

fn sum_present(preds: &[(UnitId, bool)], old_values: &HashMap<UnitId, Decimal>) -> Option<Decimal> {
    let mut values = preds
        .iter()
        .filter_map(|(p, _)| old_values.get(p))
        .peekable();
    values.peek()?;
    values.try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v))
}
