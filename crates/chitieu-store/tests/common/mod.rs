//! Shared data for the bulk-path tests (`bulk.rs` on SQLite, `bulk_backends.rs` on both
//! backends): the day the units are read on, exact decimals and indicator codes, bulk options,
//! Lạng Sơn and its first communes, and a plan source with targets under it.
//!
//! Each test binary uses a part of it, hence the `dead_code` allowance (test support only).
#![allow(dead_code)]

use chitieu_core::Decimal;
use chitieu_core::admin::{Level, UnitId, UnitVersion};
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::sqlite::bulk::BulkOptions;
use chitieu_store::{Batch, Store};
use chrono::NaiveDate;
use std::str::FromStr;

/// The day the units are read on: the end of 2025, after the reform.
pub fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).expect("date")
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

pub fn code(s: &str) -> IndicatorCode {
    IndicatorCode::new(s).expect("code")
}

/// Bulk options written as `actor`, three rows a transaction (so that loads span several).
pub fn bulk_options(actor: &str) -> BulkOptions {
    BulkOptions {
        actor: actor.into(),
        rows_per_transaction: 3,
        ..BulkOptions::default()
    }
}

/// The province Lạng Sơn in force on [`on`] and its first `n` communes.
pub fn province_and_communes<S: Store>(store: &S, n: usize) -> (UnitVersion, Vec<UnitVersion>) {
    let province = store.resolve_unit("tỉnh Lạng Sơn", on()).expect("Lạng Sơn");
    assert_eq!(province.level, Level::Province);
    let communes: Vec<UnitVersion> = store
        .children_on(province.unit, on())
        .expect("children")
        .into_iter()
        .take(n)
        .collect();
    assert_eq!(communes.len(), n);
    (province, communes)
}

/// The council's 2025 plan of `unit` (key `KH-2025`), which [`target`]s cite.
pub fn plan<S: Store>(store: &mut S, unit: UnitId) {
    store
        .apply(
            &Batch {
                plan_sources: vec![PlanSource {
                    key: "KH-2025".into(),
                    kind: PlanKind::CouncilPlan,
                    title: "Kế hoạch năm 2025".into(),
                    unit,
                    issued_on: None,
                }],
                ..Batch::default()
            },
            "test",
        )
        .expect("plan source");
}

/// An at-least target of the plan `KH-2025`.
pub fn target(indicator: &str, unit: UnitId, period: Period, value: &str) -> Target {
    Target {
        indicator: code(indicator),
        unit,
        period,
        source: "KH-2025".into(),
        comparator: Comparator::AtLeast { value: dec(value) },
    }
}
