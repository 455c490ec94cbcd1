//! Extraction throughput on the seed articles repeated to 50 MB, on one core.
//!
//! `cargo bench -p chitieu-extract --bench throughput` (release build). Prints MB/s for the
//! whole 50 MB as one document and for the articles one by one, checks that the time grows
//! linearly (12.5 MB against 50 MB), and, when Python's underthesea is installed, times its
//! `ner` on the first 100 KB in a subprocess for comparison.
//!
//! The seeds are read from `$CHITIEU_SEEDS` or `../shared/corpus/seeds` beside the repository.

use chitieu_extract::{ExtractOptions, Extractor};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const TARGET_BYTES: usize = 50 * 1024 * 1024;

fn seeds_dir() -> PathBuf {
    if let Ok(d) = std::env::var("CHITIEU_SEEDS") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        let cand = up.join("shared/corpus/seeds");
        if cand.is_dir() {
            return cand;
        }
        let sibling = up.join("../shared/corpus/seeds");
        if sibling.is_dir() {
            return sibling;
        }
    }
    PathBuf::from("/work/shared/corpus/seeds")
}

fn load_seeds() -> Vec<String> {
    let dir = seeds_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "txt"));
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let seeds = load_seeds();
    if seeds.is_empty() {
        println!(
            "no seed articles found in {} (set CHITIEU_SEEDS)",
            seeds_dir().display()
        );
        return;
    }
    let extractor = Extractor::new(&ExtractOptions::default());

    // Articles one by one, until 50 MB have been read.
    let start = Instant::now();
    let (mut read, mut facts) = (0usize, 0usize);
    'outer: loop {
        for s in &seeds {
            facts += extractor.extract("seed", s).facts.len();
            read += s.len();
            if read >= TARGET_BYTES {
                break 'outer;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "articles one by one: {:.1} MB in {:.2} s = {:.1} MB/s ({} facts)",
        mb(read),
        secs,
        mb(read) / secs,
        facts
    );

    // One document of 50 MB, and one of 12.5 MB: linear time means equal MB/s.
    let mut big = String::with_capacity(TARGET_BYTES + 64 * 1024);
    while big.len() < TARGET_BYTES {
        for s in &seeds {
            big.push_str(s);
            big.push_str("\n\n");
        }
    }
    let quarter_end = (0..=big.len() / 4)
        .rev()
        .find(|&i| big.is_char_boundary(i))
        .unwrap_or(0);
    let quarter = &big[..quarter_end];
    let t = Instant::now();
    let n_quarter = extractor.extract("quarter", quarter).facts.len();
    let s_quarter = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let n_big = extractor.extract("big", &big).facts.len();
    let s_big = t.elapsed().as_secs_f64();
    println!(
        "one document: {:.1} MB in {:.2} s = {:.1} MB/s ({} facts); {:.1} MB in {:.2} s = {:.1} MB/s ({} facts); time ratio {:.2} for 4× the text",
        mb(big.len()),
        s_big,
        mb(big.len()) / s_big,
        n_big,
        mb(quarter.len()),
        s_quarter,
        mb(quarter.len()) / s_quarter,
        n_quarter,
        s_big / s_quarter
    );

    underthesea_comparison(&big, &extractor);
}

/// Times underthesea's `ner` on the first 100 KB, if it is installed.
fn underthesea_comparison(big: &str, extractor: &Extractor) {
    let cut = (0..=100 * 1024)
        .rev()
        .find(|&i| big.is_char_boundary(i))
        .unwrap_or(0);
    let sample = &big[..cut];
    let probe = Command::new("python3")
        .args(["-c", "import underthesea"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        println!("underthesea: not installed; `pip install underthesea` to compare with its ner");
        return;
    }
    let t = Instant::now();
    let ours = extractor.extract("sample", sample).facts.len();
    let our_secs = t.elapsed().as_secs_f64();
    let dir = std::env::temp_dir().join(format!("chitieu-bench-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        println!("underthesea: cannot create a temporary folder; skipped");
        return;
    }
    let input = dir.join("sample.txt");
    if std::fs::write(&input, sample).is_err() {
        println!("underthesea: cannot write the sample; skipped");
        return;
    }
    // The model loads before the clock starts; only `ner` over the lines is timed.
    let script = r#"
import sys, time
from underthesea import ner
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l.strip()]
ner("Khởi động.")
t = time.perf_counter()
n = 0
for l in lines:
    n += len(ner(l))
print(time.perf_counter() - t, n)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&input)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(out) = out else {
        println!("underthesea: could not run python3; skipped");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let theirs: Option<f64> = stdout
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok());
    match theirs {
        Some(secs) if out.status.success() => println!(
            "first 100 KB: chitieu {:.4} s ({} facts), underthesea ner {:.2} s: chitieu is {:.0}× faster",
            our_secs,
            ours,
            secs,
            secs / our_secs.max(1e-9)
        ),
        _ => println!(
            "underthesea: ner failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
    }
}
