//! Runs the task cases in `tests/tasks/*.txt`: key tasks proposed from conference text.
//!
//! Format, one item per line:
//!
//! ```text
//! # a comment
//! @prefix Thứ tư, 06/12/2023\nNgày 7/4, hội nghị …   (text put before every later case; `\n`
//!                                                    is a line break)
//! > a text to read (`\n` is a line break)
//! = the task's text | period=2023-Q2 field=economy lead=UBND huyện
//! ```
//!
//! Every `=` line under a `>` line is one expected task, in text order; a case with none
//! expects no task. The tasks found in the case's own text (not its prefix) must be exactly
//! these. The text is always compared; `period=`, `field=` and `lead=` only when given, with
//! `-` for "none". `lead=` takes the rest of the line.

mod common;

use chitieu_extract::{ExtractOptions, Extractor, ProposedTask};
use common::{load_cases, serde_name};
use std::path::Path;

#[derive(Debug)]
struct Expected {
    text: String,
    period: Option<String>,
    field: Option<String>,
    lead: Option<String>,
}

fn parse_expected(line: &str, at: &str) -> Expected {
    let (text, rest) = line.split_once('|').unwrap_or((line, ""));
    let mut e = Expected {
        text: text.trim().to_string(),
        period: None,
        field: None,
        lead: None,
    };
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (kv, tail) = if rest.starts_with("lead=") {
            (rest, "")
        } else {
            rest.split_once(' ').unwrap_or((rest, ""))
        };
        let (k, v) = kv
            .split_once('=')
            .unwrap_or_else(|| panic!("{at}: '{kv}' is not key=value"));
        let v = v.trim().to_string();
        match k {
            "period" => e.period = Some(v),
            "field" => e.field = Some(v),
            "lead" => e.lead = Some(v),
            _ => panic!("{at}: unknown key {k}"),
        }
        rest = tail.trim();
    }
    e
}

fn key(v: &impl serde::Serialize) -> String {
    serde_name(v).unwrap_or_else(|| "-".into())
}

fn agrees(e: &Expected, t: &ProposedTask) -> bool {
    let period = t
        .period
        .map(|p| p.to_string())
        .unwrap_or_else(|| "-".into());
    let field = t.field.as_ref().map(key).unwrap_or_else(|| "-".into());
    let lead = t.lead_unit.clone().unwrap_or_else(|| "-".into());
    e.text == t.text
        && e.period.as_ref().is_none_or(|p| *p == period)
        && e.field.as_ref().is_none_or(|f| *f == field)
        && e.lead.as_ref().is_none_or(|l| *l == lead)
}

fn show(t: &ProposedTask) -> String {
    format!(
        "{} | period={} field={} lead={} ({})",
        t.text,
        t.period
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into()),
        t.field.as_ref().map(key).unwrap_or_else(|| "-".into()),
        t.lead_unit.clone().unwrap_or_else(|| "-".into()),
        t.confidence
    )
}

#[test]
fn task_cases() {
    let cases = load_cases("tasks", true, parse_expected);
    let extractor = Extractor::new(&ExtractOptions::default());
    let mut failures = Vec::new();
    let (mut positive, mut negative) = (0, 0);
    for case in &cases {
        if case.expected.is_empty() {
            negative += 1;
        } else {
            positive += 1;
        }
        let (full, offset) = case.full_text();
        let x = extractor.extract("case", &full);
        let nfc: Vec<char> = chitieu_text::nfc(&full).chars().collect();
        let got: Vec<&ProposedTask> = x.tasks.iter().filter(|t| t.span[0] >= offset).collect();
        // Every span covers exactly the task's text.
        for t in &got {
            let s: String = nfc[t.span[0]..t.span[1]].iter().collect();
            let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if collapsed != t.text {
                failures.push(format!(
                    "{}:{}: span {:?} reads '{s}', text is '{}'",
                    case.file, case.line, t.span, t.text
                ));
            }
            if !(0.0..=1.0).contains(&t.confidence) {
                failures.push(format!(
                    "{}:{}: confidence {}",
                    case.file, case.line, t.confidence
                ));
            }
        }
        let ok = got.len() == case.expected.len()
            && got.iter().zip(&case.expected).all(|(t, e)| agrees(e, t));
        if !ok {
            failures.push(format!(
                "{}:{} > {}\n  expected:\n{}\n  got:\n{}",
                case.file,
                case.line,
                case.text,
                case.expected
                    .iter()
                    .map(|e| format!("    {e:?}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                got.iter()
                    .map(|t| format!("    {}", show(t)))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    let failed = failures.len();
    println!(
        "{} of {} task cases pass ({positive} with tasks, {negative} without)",
        cases.len() - failed.min(cases.len()),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{failed} problems:\n{}",
        failures.join("\n")
    );
    assert!(
        positive >= 30 && negative >= 15,
        "too few cases: {positive} with tasks, {negative} without"
    );
}

/// The task fields reach the JSON output beside the contract's fields, and the contract's
/// shape is unchanged: `tasks` is one more top-level key.
#[test]
fn tasks_in_json() {
    let text = "Ngày 7/4/2023, Ban Chấp hành Đảng bộ huyện Hữu Lũng tổ chức kỳ họp lần thứ 15.\nCác đại biểu thống nhất các nhiệm vụ trọng tâm thực hiện trong quý II/2023 với các nội dung: tập trung chỉ đạo các giải pháp đẩy mạnh công tác thu ngân sách; giao UBND huyện chủ trì tháo gỡ vướng mắc trong giải phóng mặt bằng.";
    let x = chitieu_extract::extract("a.txt", text, &ExtractOptions::default());
    let v = serde_json::to_value(&x).expect("serializes");
    for k in ["source", "meetings", "people", "facts", "tasks"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let tasks = v["tasks"].as_array().expect("tasks is an array");
    assert_eq!(tasks.len(), 2, "{tasks:#?}");
    assert_eq!(tasks[0]["period"], "2023-Q2");
    assert_eq!(tasks[0]["field"], "economy");
    assert_eq!(tasks[1]["lead_unit"], "UBND huyện");
    let back: chitieu_extract::Extraction = serde_json::from_value(v).expect("reads back");
    assert_eq!(back, x);
    // An extraction written before tasks existed still reads.
    let old = serde_json::json!({"source": "a.txt", "meetings": [], "people": [], "facts": []});
    let old: chitieu_extract::Extraction = serde_json::from_value(old).expect("old shape reads");
    assert!(old.tasks.is_empty());
}

/// The development seeds (`shared/corpus/seeds`, beside the repository): how many tasks each
/// conference article proposes and for which period. Skipped with a message when the seeds
/// are not there.
#[test]
fn seed_articles() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/seeds");
    if !dir.is_dir() {
        println!("skipped: no seeds at {}", dir.display());
        return;
    }
    let extractor = Extractor::new(&ExtractOptions::default());
    // (file prefix, tasks, period of every task, first task's text)
    let expected: &[(&str, usize, Option<&str>, &str)] = &[
        (
            "000_",
            4,
            Some("2022-H2"),
            "Tiếp tục tăng cường vận động Nhân dân chung tay xây dựng nông thôn mới",
        ),
        (
            "001_",
            13,
            None,
            "rà soát lại các mục tiêu, chỉ tiêu để đề ra giải pháp thực hiện, đảm bảo hoàn thành các nhiệm vụ năm 2021",
        ),
        ("002_", 0, None, ""),
        (
            "003_",
            6,
            Some("2023-Q2"),
            "tập trung chỉ đạo, điều hành các giải pháp đẩy mạnh công tác thu ngân sách",
        ),
        (
            "004_",
            10,
            Some("2020-H2"),
            "tập trung chỉ đạo thực hiện các giải pháp quyết liệt, phấn đấu hoàn thành ở mức cao nhất các chỉ tiêu phát triển kinh tế - xã hội 6 tháng cuối năm",
        ),
    ];
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seeds readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for (prefix, count, period, first) in expected {
        let Some(path) = files.iter().find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        }) else {
            panic!("no seed {prefix}*");
        };
        let text = std::fs::read_to_string(path).expect("seed is UTF-8");
        let x = extractor.extract("seed", &text);
        let shown: Vec<String> = x.tasks.iter().map(show).collect();
        assert_eq!(x.tasks.len(), *count, "{prefix}: {shown:#?}");
        for t in &x.tasks {
            assert_eq!(
                t.period.map(|p| p.to_string()).as_deref(),
                *period,
                "{prefix}: {}",
                show(t)
            );
        }
        if let Some(t) = x.tasks.first() {
            assert_eq!(t.text, *first);
        }
    }
}
