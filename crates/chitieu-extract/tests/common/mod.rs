//! Shared support for the case-file runners (`cases.rs`: sentence facts in `tests/cases/`;
//! `tasks.rs`: key tasks in `tests/tasks/`). Both read the same line format:
//!
//! ```text
//! # a comment
//! @prefix text put before every later case (`\n` is a line break)
//! > a case's text
//! = one expected result (its syntax is the runner's own)
//! ```
//!
//! Each test binary uses a part of it, hence the `dead_code` allowance (test support only).
#![allow(dead_code)]

use std::path::Path;

/// One `>` case with the `=` lines under it, and where it stands.
#[derive(Debug)]
pub struct Case<E> {
    pub file: String,
    pub line: usize,
    pub prefix: String,
    pub text: String,
    pub expected: Vec<E>,
}

impl<E> Case<E> {
    /// The text given to the extractor (the prefix, a line break, the case's text) and the
    /// character offset where the case's own text starts in it.
    pub fn full_text(&self) -> (String, usize) {
        let full = if self.prefix.is_empty() {
            self.text.clone()
        } else {
            format!("{}\n{}", self.prefix, self.text)
        };
        let offset = full.chars().count() - self.text.chars().count();
        (full, offset)
    }
}

/// The cases of every `*.txt` file in `tests/<folder>`, in file-name order. Each `=` line is
/// read with `parse_expected(line, "file:line")`. With `line_breaks_in_text`, a `\n` in a
/// `>` line is a line break too (it always is in `@prefix`).
pub fn load_cases<E>(
    folder: &str,
    line_breaks_in_text: bool,
    parse_expected: impl Fn(&str, &str) -> E,
) -> Vec<Case<E>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("tests/{folder} exists: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut cases: Vec<Case<E>> = Vec::new();
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
                let text = if line_breaks_in_text {
                    t.trim().replace("\\n", "\n")
                } else {
                    t.trim().to_string()
                };
                cases.push(Case {
                    file: name.clone(),
                    line: n + 1,
                    prefix: prefix.clone(),
                    text,
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

/// The serialised name of an enum value (`economy`, `approximately`, …), if it is a string.
pub fn serde_name(v: &impl serde::Serialize) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
}
