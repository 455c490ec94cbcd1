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
//! are always compared; `total=`, `max=` likewise when either side has one; `period=` and
//! `cmp=` (compared_to) only when given.

use chitieu_extract::{ExtractOptions, Extractor, Fact};
use rust_decimal::Decimal;
use std::path::Path;
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
}

#[derive(Debug)]
struct Case {
    file: String,
    line: usize,
    prefix: String,
    text: String,
    expected: Vec<Expected>,
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
            _ => panic!("{at}: unknown key {k}"),
        }
    }
    e
}

fn load_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let content = std::fs::read_to_string(&path).expect("case file is UTF-8");
        let mut prefix = String::new();
        for (n, line) in content.lines().enumerate() {
            let at = format!("{name}:{}", n + 1);
            if let Some(p) = line.strip_prefix("@prefix") {
                prefix = p.trim().replace("\\n", "\n");
            } else if let Some(t) = line.strip_prefix('>') {
                cases.push(Case {
                    file: name.clone(),
                    line: n + 1,
                    prefix: prefix.clone(),
                    text: t.trim().to_string(),
                    expected: Vec::new(),
                });
            } else if let Some(e) = line.strip_prefix('=') {
                let case = cases
                    .last_mut()
                    .unwrap_or_else(|| panic!("{at}: '=' before any '>'"));
                case.expected.push(parse_expected(e.trim(), &at));
            }
        }
    }
    cases
}

fn snake(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
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
}

fn show(f: &Fact) -> String {
    format!(
        "{} | {} | {} | {} | approx={:?} total={:?} max={:?} period={} cmp={:?}",
        f.indicator,
        snake(&f.measure),
        f.value,
        f.unit,
        f.approx.as_ref().map(snake),
        f.total,
        f.value_max,
        f.period.map(|p| p.to_string()).unwrap_or_default(),
        f.compared_to
    )
}

#[test]
fn sentence_cases() {
    let cases = load_cases();
    let extractor = Extractor::new(&ExtractOptions::default());
    let mut failures = Vec::new();
    for case in &cases {
        let full = if case.prefix.is_empty() {
            case.text.clone()
        } else {
            format!("{}\n{}", case.prefix, case.text)
        };
        let offset = full.chars().count() - case.text.chars().count();
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
