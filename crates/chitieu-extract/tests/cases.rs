//! Runs the sentence cases in `tests/cases/*.txt`.
//!
//! Format, one item per line:
//!
//! ```text
//! # a comment
//! @prefix Ngày 20/6/2022, Huyện ủy X tổ chức hội nghị.   (text put before every later case)
//! > a sentence to extract from
//! = indicator | measure | value | unit | key=value ...
//! ```
//!
//! Every `=` line under a `>` line is one expected fact; a case with none expects no fact.
//! The expected facts must be exactly the facts found in the case's own text (facts from the
//! prefix are ignored). `indicator`, `measure`, `value`, `unit` and `approx` (absent = exact)
//! are always compared; `total=`, `max=` likewise when either side has one; `period=`,
//! `cmp=` (compared_to) and `scope=` (unit_scope, spaces written as `_`) only when given.

mod common;

use chitieu_extract::{ExtractOptions, Extractor, Fact};
use common::{load_cases, serde_name};
use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Debug)]
struct Expected {
    indicator: String,
    measure: String,
    value: Decimal,
    unit: String,
    approx: Option<String>,
    total: Option<Decimal>,
    max: Option<Decimal>,
    period: Option<String>,
    cmp: Option<String>,
    scope: Option<String>,
}

fn parse_expected(line: &str, at: &str) -> Expected {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    assert!(
        parts.len() >= 4,
        "{at}: need indicator | measure | value | unit"
    );
    let mut e = Expected {
        indicator: parts[0].to_string(),
        measure: parts[1].to_string(),
        value: Decimal::from_str(parts[2]).unwrap_or_else(|_| panic!("{at}: bad value")),
        unit: parts[3].to_string(),
        approx: None,
        total: None,
        max: None,
        period: None,
        cmp: None,
        scope: None,
    };
    for kv in parts.get(4).copied().unwrap_or("").split_whitespace() {
        let (k, v) = kv
            .split_once('=')
            .unwrap_or_else(|| panic!("{at}: '{kv}' is not key=value"));
        let dec = || Decimal::from_str(v).unwrap_or_else(|_| panic!("{at}: bad {k}"));
        match k {
            "approx" => e.approx = Some(v.to_string()),
            "total" => e.total = Some(dec()),
            "max" => e.max = Some(dec()),
            "period" => e.period = Some(v.to_string()),
            "cmp" => e.cmp = Some(v.to_string()),
            "scope" => e.scope = Some(v.replace('_', " ")),
            _ => panic!("{at}: unknown key {k}"),
        }
    }
    e
}

fn snake(v: &impl serde::Serialize) -> String {
    serde_name(v).unwrap_or_default()
}

fn agrees(e: &Expected, f: &Fact) -> bool {
    let close = |a: Decimal, b: Decimal| (a - b).abs() <= b.abs() * Decimal::new(5, 3);
    f.indicator == e.indicator
        && snake(&f.measure) == e.measure
        && f.unit == e.unit
        && close(f.value, e.value)
        && f.approx.as_ref().map(snake) == e.approx
        && f.total == e.total
        && match (f.value_max, e.max) {
            (None, None) => true,
            (Some(a), Some(b)) => close(a, b),
            _ => false,
        }
        && e.period
            .as_ref()
            .is_none_or(|p| f.period.map(|x| x.to_string()).as_ref() == Some(p))
        && e.cmp
            .as_ref()
            .is_none_or(|c| f.compared_to.as_ref() == Some(c))
        && e.scope
            .as_ref()
            .is_none_or(|u| f.unit_scope.as_ref() == Some(u))
}

fn show(f: &Fact) -> String {
    format!(
        "{} | {} | {} | {} | approx={:?} total={:?} max={:?} period={} cmp={:?} scope={:?}",
        f.indicator,
        snake(&f.measure),
        f.value,
        f.unit,
        f.approx.as_ref().map(snake),
        f.total,
        f.value_max,
        f.period.map(|p| p.to_string()).unwrap_or_default(),
        f.compared_to,
        f.unit_scope
    )
}

#[test]
fn sentence_cases() {
    let cases = load_cases("cases", false, parse_expected);
    let extractor = Extractor::new(&ExtractOptions::default());
    let mut failures = Vec::new();
    for case in &cases {
        let (full, offset) = case.full_text();
        let got: Vec<Fact> = extractor
            .extract("case", &full)
            .facts
            .into_iter()
            .filter(|f| f.span[0] >= offset)
            .collect();
        let mut used = vec![false; got.len()];
        let mut missing = Vec::new();
        for e in &case.expected {
            match (0..got.len()).find(|&i| !used[i] && agrees(e, &got[i])) {
                Some(i) => used[i] = true,
                None => missing.push(format!("{e:?}")),
            }
        }
        let extra: Vec<String> = (0..got.len())
            .filter(|&i| !used[i])
            .map(|i| show(&got[i]))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{}:{} > {}\n  missing: {:#?}\n  got instead: {:#?}",
                case.file, case.line, case.text, missing, extra
            ));
        }
    }
    let passed = cases.len() - failures.len();
    println!("{passed} of {} sentence cases pass", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 300, "only {} cases", cases.len());
}
