//! Evaluating an actual figure against its target: "đạt 131,5% dự toán tỉnh giao", the status
//! (vượt, đạt, cơ bản đạt, không đạt), the change on the same period last year, a year-end
//! projection for figures of part of a year, and the summary line of a review
//! ("trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt").
//!
//! Everything is exact decimal arithmetic. Operations that would divide by zero or overflow
//! yield `None` (or a status decided without a ratio) rather than panicking.
//!
//! # The rules
//!
//! *Achievement* is a percentage oriented so that 100 means "exactly on target" and more is
//! better, whatever the direction of the indicator:
//!
//! - higher is better (an `up` or `none` indicator with an [`Comparator::AtLeast`] target, or an
//!   `up` indicator with an [`Comparator::Exactly`] or [`Comparator::Range`] target):
//!   actual ÷ target × 100;
//! - lower is better (any [`Comparator::AtMost`] target, a `down` indicator with an
//!   [`Comparator::AtLeast`], [`Comparator::Exactly`] or [`Comparator::Range`] target):
//!   target ÷ actual × 100, and an actual of 0 against a positive target counts as exceeding it;
//! - closer is better (a `none` indicator with an [`Comparator::Exactly`] or
//!   [`Comparator::Range`] target): 100 − |actual − target| ÷ |target| × 100; it can never be
//!   exceeded.
//!
//! For a range the target is its nearer bound, and anything inside the range is exactly on
//! target (achievement 100).
//!
//! The status follows from the achievement and the [`Thresholds`]:
//!
//! | achievement                               | status         |
//! |-------------------------------------------|----------------|
//! | ≥ 100 and strictly above `vuot_from`      | vượt           |
//! | ≥ 100 otherwise                           | đạt            |
//! | ≥ `co_ban_dat_from` (and below 100)       | cơ bản đạt     |
//! | below `co_ban_dat_from`                   | không đạt      |
//!
//! When no ratio can be formed (a target of zero or below, a negative actual with a
//! lower-is-better target) the status falls back to a plain comparison: better than the target
//! is vượt, equal is đạt, worse is không đạt.
//!
//! # Parts of a year
//!
//! When the target is for a year and the figure for part of it (a month, a quarter, H1, 9M),
//! `percent_of_plan` is still the actual over the annual target, as reports write it at
//! mid-year, but the *status* is judged on a year-end [`Projection`]:
//!
//! - cumulative indicators: seasonal, actual × last year's full-year value ÷ last year's value
//!   for the same period, when both are known and the latter is positive; otherwise linear,
//!   actual × 12 ÷ the number of months the figure covers ([`Period::months`]: 6 for H1, 9 for
//!   9M, and 3 for any quarter, since a quarter's figure covers only that quarter);
//! - level indicators: the latest value itself.
//!
//! The same holds for any target period inside a year (a half-year target with a Q1 figure):
//! "full-year" then means the target's period, and linear scaling uses its months.
//!
//! A target for a term (2020–2025) with a figure for a year inside it is judged the same way
//! for level indicators (the latest value); a cumulative indicator cannot be projected over a
//! term from one year's flow, so its status is [`Status::ChuaDuDuLieu`].
//!
//! A figure whose period does not lie within the target's period (a 2023 figure against a 2022
//! target) is not judged: [`Status::ChuaDuDuLieu`].
//!
//! # At risk
//!
//! `at_risk` is true exactly when the status was judged on a projection and that projected
//! status is not met, i.e. it is [`Status::CoBanDat`] or [`Status::KhongDat`]: if the year
//! continues as it went so far, the target will be missed. A figure for the whole target period
//! is never "at risk": it is simply judged.

use crate::indicator::{Direction, Indicator, Temporal};
use crate::period::{Period, PeriodKind};
use crate::target::{Comparator, Target};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The percentages that separate the statuses. See the module documentation for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// From this achievement (inclusive) up to 100 the status is "cơ bản đạt". Default 90.
    pub co_ban_dat_from: Decimal,
    /// An achievement strictly above this (and at least 100) is "vượt". Default 100, so any
    /// figure better than its target is "vượt" and only a figure exactly on target is "đạt".
    /// Set it to e.g. 105 to call figures up to 105% of target merely "đạt".
    pub vuot_from: Decimal,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            co_ban_dat_from: Decimal::from(90),
            vuot_from: Decimal::ONE_HUNDRED,
        }
    }
}

impl Thresholds {
    /// The status for an achievement percentage.
    pub fn status_for(&self, achievement: Decimal) -> Status {
        if achievement >= Decimal::ONE_HUNDRED {
            if achievement > self.vuot_from {
                Status::Vuot
            } else {
                Status::Dat
            }
        } else if achievement >= self.co_ban_dat_from {
            Status::CoBanDat
        } else {
            Status::KhongDat
        }
    }
}

/// The outcome of an indicator against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Vượt: better than the target.
    Vuot,
    /// Đạt: on target.
    Dat,
    /// Cơ bản đạt: close to the target (from [`Thresholds::co_ban_dat_from`]).
    CoBanDat,
    /// Không đạt: short of the target.
    KhongDat,
    /// Chưa đủ dữ liệu: no figure, or one that cannot be judged against this target.
    ChuaDuDuLieu,
}

impl Status {
    /// Every status, best first.
    pub const ALL: [Status; 5] = [
        Status::Vuot,
        Status::Dat,
        Status::CoBanDat,
        Status::KhongDat,
        Status::ChuaDuDuLieu,
    ];

    /// How reports name the status: "vượt", "đạt", "cơ bản đạt", "không đạt",
    /// "chưa đủ dữ liệu".
    pub fn vi(&self) -> &'static str {
        match self {
            Status::Vuot => "vượt",
            Status::Dat => "đạt",
            Status::CoBanDat => "cơ bản đạt",
            Status::KhongDat => "không đạt",
            Status::ChuaDuDuLieu => "chưa đủ dữ liệu",
        }
    }

    /// A stable ASCII key, the same as the serde form.
    pub fn key(&self) -> &'static str {
        match self {
            Status::Vuot => "vuot",
            Status::Dat => "dat",
            Status::CoBanDat => "co_ban_dat",
            Status::KhongDat => "khong_dat",
            Status::ChuaDuDuLieu => "chua_du_du_lieu",
        }
    }

    /// Whether the target is met: vượt or đạt ("đạt và vượt").
    pub fn is_met(&self) -> bool {
        matches!(self, Status::Vuot | Status::Dat)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.vi())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Status::ALL
            .into_iter()
            .find(|st| st.key() == s || st.vi() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status '{s}': expected vuot, dat, co_ban_dat, khong_dat or chua_du_du_lieu"
                )
            })
    }
}

/// What a count-of-units target counts in ("10 xã" or "60% số xã").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetBasis {
    /// The target is in the indicator's own unit (10 xã, 43 tỷ đồng).
    #[default]
    Value,
    /// The target is a percentage of the units in force ("60% số xã đạt chuẩn"): the share of
    /// total is compared with it. Only meaningful for counts of units with a known total.
    ShareOfTotal,
}

/// Everything needed to evaluate one figure against one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalInput {
    /// Which way is better for the indicator.
    pub direction: Direction,
    /// Whether the indicator accumulates over the year or is a level.
    pub temporal: Temporal,
    /// Whether the figure is a count of units meeting a standard ("8/17 xã").
    pub counts_units: bool,
    /// For counts of units: how many units were in force on the figure's date (17 xã).
    pub total_units: Option<u32>,
    /// Whether the target is a count or a share of the units in force.
    pub target_basis: TargetBasis,
    /// The target.
    pub comparator: Comparator,
    /// The period the target is for.
    pub target_period: Period,
    /// The actual figure, if there is one.
    pub actual: Option<Decimal>,
    /// The period the actual figure is for.
    pub actual_period: Period,
    /// The figure for the same period one year earlier ("cùng kỳ năm trước").
    pub same_period_last_year: Option<Decimal>,
    /// Last year's figure for the whole target period (the whole year, usually), for a
    /// seasonal projection.
    pub last_year_full: Option<Decimal>,
}

impl EvalInput {
    /// An input with only the essentials: no counts, no last-year figures.
    pub fn new(
        direction: Direction,
        temporal: Temporal,
        comparator: Comparator,
        target_period: Period,
        actual: Option<Decimal>,
        actual_period: Period,
    ) -> EvalInput {
        EvalInput {
            direction,
            temporal,
            counts_units: false,
            total_units: None,
            target_basis: TargetBasis::Value,
            comparator,
            target_period,
            actual,
            actual_period,
            same_period_last_year: None,
            last_year_full: None,
        }
    }

    /// An input for an indicator of the catalog and one of its targets. The caller adds the
    /// units in force, the target basis and last year's figures when it has them.
    pub fn for_target(
        indicator: &Indicator,
        target: &Target,
        actual: Option<Decimal>,
        actual_period: Period,
    ) -> EvalInput {
        EvalInput {
            counts_units: indicator.is_count_of_units(),
            ..EvalInput::new(
                indicator.direction,
                indicator.temporal,
                target.comparator,
                target.period,
                actual,
                actual_period,
            )
        }
    }
}

/// How a year-end value was projected from part of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionMethod {
    /// Scaled by last year's full-year ÷ same-period ratio.
    Seasonal,
    /// Scaled by 12 ÷ months covered.
    Linear,
    /// A level indicator: the latest value stands.
    Latest,
}

/// A projected value for the end of the target period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    /// The projected value, in the same terms as the compared figure (a share of total when the
    /// target is one).
    pub value: Decimal,
    pub method: ProjectionMethod,
}

/// The evaluation of one figure against one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The compared figure ÷ the target's reference value × 100, as reports write it ("đạt
    /// 131,5% dự toán"). For a figure of part of the year it is over the annual target. For a
    /// range, the reference is the lower end.
    pub percent_of_plan: Option<Decimal>,
    /// The direction-aware achievement (100 = on target, more is better) of the judged value:
    /// the projection when there is one, otherwise the actual.
    pub achievement: Option<Decimal>,
    /// Change on the same period last year, in percent: (actual − last) ÷ |last| × 100.
    pub percent_change: Option<Decimal>,
    pub status: Status,
    /// The year-end projection, when the figure covers only part of the target period.
    pub projection: Option<Projection>,
    /// Whether the projection says the target will be missed (see the module documentation).
    pub at_risk: bool,
    /// For counts of units: actual ÷ units in force × 100 (8/17 → 47.06…).
    pub share_of_total: Option<Decimal>,
}

/// Evaluates one figure against its target. See the module documentation for the rules.
pub fn evaluate(input: &EvalInput, th: &Thresholds) -> Evaluation {
    let share_of_total = match (input.counts_units, input.actual, input.total_units) {
        (true, Some(actual), Some(total)) => percent_of(actual, Decimal::from(total)),
        _ => None,
    };
    let percent_change = match (input.actual, input.same_period_last_year) {
        (Some(actual), Some(last)) => percent_change(actual, last),
        _ => None,
    };
    let mut eval = Evaluation {
        percent_of_plan: None,
        achievement: None,
        percent_change,
        status: Status::ChuaDuDuLieu,
        projection: None,
        at_risk: false,
        share_of_total,
    };

    // The value compared with the target: the count itself, or its share of the units in force.
    let compared = match input.target_basis {
        TargetBasis::Value => input.actual,
        TargetBasis::ShareOfTotal => share_of_total,
    };
    let Some(compared) = compared else {
        return eval;
    };
    eval.percent_of_plan = percent_of(compared, input.comparator.reference());

    if !input.target_period.covers(&input.actual_period) {
        return eval;
    }
    let partial = input.actual_period != input.target_period;
    let judged = if partial {
        match project(input, compared) {
            Some(p) => {
                eval.projection = Some(p);
                p.value
            }
            None => return eval,
        }
    } else {
        compared
    };

    let (status, achievement) = judge(input.direction, &input.comparator, judged, th);
    eval.status = status;
    eval.achievement = achievement;
    eval.at_risk =
        eval.projection.is_some() && matches!(status, Status::CoBanDat | Status::KhongDat);
    eval
}

/// The year-end (or term-end) value of a figure for part of the target period, or `None` when
/// it cannot be projected.
fn project(input: &EvalInput, compared: Decimal) -> Option<Projection> {
    if input.temporal == Temporal::Level {
        return Some(Projection {
            value: compared,
            method: ProjectionMethod::Latest,
        });
    }
    // A cumulative flow projects only within a year: a term's total is not one year's flow.
    if input.target_period.kind() == PeriodKind::Term {
        return None;
    }
    if let (Some(same), Some(full)) = (input.same_period_last_year, input.last_year_full)
        && same > Decimal::ZERO
        && let Some(value) = full
            .checked_div(same)
            .and_then(|factor| compared.checked_mul(factor))
    {
        return Some(Projection {
            value,
            method: ProjectionMethod::Seasonal,
        });
    }
    let months = input.actual_period.months();
    if months == 0 {
        return None;
    }
    let value = compared
        .checked_mul(Decimal::from(input.target_period.months()))?
        .checked_div(Decimal::from(months))?;
    Some(Projection {
        value,
        method: ProjectionMethod::Linear,
    })
}

/// Which way is better for a comparison, from the indicator's direction and the comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sense {
    Higher,
    Lower,
    Closer,
}

fn sense(direction: Direction, comparator: &Comparator) -> Sense {
    match (comparator, direction) {
        (Comparator::AtMost { .. }, _) => Sense::Lower,
        (_, Direction::Down) => Sense::Lower,
        (Comparator::AtLeast { .. }, _) | (_, Direction::Up) => Sense::Higher,
        (_, Direction::None) => Sense::Closer,
    }
}

/// The status and achievement of `value` against the comparator.
fn judge(
    direction: Direction,
    comparator: &Comparator,
    value: Decimal,
    th: &Thresholds,
) -> (Status, Option<Decimal>) {
    let sense = sense(direction, comparator);
    // The bound the value is measured against: the value itself, or a range's nearer bound.
    let bound = match *comparator {
        Comparator::AtLeast { value: v }
        | Comparator::AtMost { value: v }
        | Comparator::Exactly { value: v } => v,
        Comparator::Range { min, max } => {
            if min <= value && value <= max {
                return (Status::Dat, Some(Decimal::ONE_HUNDRED));
            }
            if value < min { min } else { max }
        }
    };
    let achievement = match sense {
        Sense::Higher => (bound > Decimal::ZERO)
            .then(|| percent_of(value, bound))
            .flatten(),
        Sense::Lower => {
            if value > Decimal::ZERO && bound >= Decimal::ZERO {
                percent_of(bound, value)
            } else {
                None
            }
        }
        Sense::Closer => {
            if bound.is_zero() {
                None
            } else {
                percent_of((value - bound).abs(), bound.abs()).map(|off| Decimal::ONE_HUNDRED - off)
            }
        }
    };
    let status = match achievement {
        Some(a) => {
            let st = th.status_for(a);
            // Closeness can reach the target but never exceed it.
            if sense == Sense::Closer && st == Status::Vuot {
                Status::Dat
            } else {
                st
            }
        }
        None => {
            let better = match sense {
                Sense::Higher => value > bound,
                Sense::Lower => value < bound,
                Sense::Closer => false,
            };
            if value == bound {
                Status::Dat
            } else if better {
                Status::Vuot
            } else {
                Status::KhongDat
            }
        }
    };
    (status, achievement)
}

/// `part` ÷ `whole` × 100, or `None` when `whole` is zero or the result overflows.
fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_div(whole)?.checked_mul(Decimal::ONE_HUNDRED)
}

/// (now − before) ÷ |before| × 100, or `None` when `before` is zero. Dividing by the magnitude
/// keeps the sign meaning "up" or "down" even from a negative base; for positive bases it is
/// the usual (a − b) ÷ b × 100.
fn percent_change(now: Decimal, before: Decimal) -> Option<Decimal> {
    percent_of(now.checked_sub(before)?, before.abs())
}

/// How many indicators ended in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub vuot: u32,
    pub dat: u32,
    pub co_ban_dat: u32,
    pub khong_dat: u32,
    pub chua_du_du_lieu: u32,
}

impl Summary {
    /// Counts the statuses of some evaluations.
    pub fn of<'a>(evals: impl IntoIterator<Item = &'a Evaluation>) -> Summary {
        Summary::of_statuses(evals.into_iter().map(|e| e.status))
    }

    /// Counts some statuses.
    pub fn of_statuses(statuses: impl IntoIterator<Item = Status>) -> Summary {
        let mut s = Summary::default();
        for st in statuses {
            let slot = match st {
                Status::Vuot => &mut s.vuot,
                Status::Dat => &mut s.dat,
                Status::CoBanDat => &mut s.co_ban_dat,
                Status::KhongDat => &mut s.khong_dat,
                Status::ChuaDuDuLieu => &mut s.chua_du_du_lieu,
            };
            *slot = slot.saturating_add(1);
        }
        s
    }

    /// How many indicators have the given status.
    pub fn count(&self, status: Status) -> u32 {
        match status {
            Status::Vuot => self.vuot,
            Status::Dat => self.dat,
            Status::CoBanDat => self.co_ban_dat,
            Status::KhongDat => self.khong_dat,
            Status::ChuaDuDuLieu => self.chua_du_du_lieu,
        }
    }

    /// All indicators counted.
    pub fn total(&self) -> u32 {
        Status::ALL
            .into_iter()
            .fold(0u32, |acc, st| acc.saturating_add(self.count(st)))
    }

    /// Indicators met: vượt and đạt.
    pub fn met(&self) -> u32 {
        self.vuot.saturating_add(self.dat)
    }

    /// The line of the reports: "trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt".
    /// With none met: "trong 20 chỉ tiêu chủ yếu, chưa có chỉ tiêu nào đạt và vượt".
    pub fn summary_vi(&self) -> String {
        if self.met() == 0 {
            format!(
                "trong {} chỉ tiêu chủ yếu, chưa có chỉ tiêu nào đạt và vượt",
                self.total()
            )
        } else {
            format!(
                "trong {} chỉ tiêu chủ yếu, có {} chỉ tiêu đạt và vượt",
                self.total(),
                self.met()
            )
        }
    }

    /// The line followed by the other statuses that occur: "trong 20 chỉ tiêu chủ yếu, có 18 chỉ
    /// tiêu đạt và vượt; 1 chỉ tiêu cơ bản đạt; 1 chỉ tiêu không đạt" (then "; n chỉ tiêu chưa
    /// đủ dữ liệu").
    pub fn summary_vi_detailed(&self) -> String {
        let mut line = self.summary_vi();
        for st in [Status::CoBanDat, Status::KhongDat, Status::ChuaDuDuLieu] {
            let n = self.count(st);
            if n > 0 {
                line.push_str(&format!("; {n} chỉ tiêu {}", st.vi()));
            }
        }
        line
    }

    /// The compact form: "18/20 chỉ tiêu đạt và vượt".
    pub fn fraction_vi(&self) -> String {
        format!("{}/{} chỉ tiêu đạt và vượt", self.met(), self.total())
    }
}
