//! Time to render the PDF of a report with 40 indicators and a 17-commune annex, against
//! LibreOffice converting the DOCX of the same report to PDF (when `soffice` is installed).
//!
//! `cargo bench -p chitieu-report` (release). Goal: under 1 s, and at least 10× faster.

#[path = "../tests/common/mod.rs"]
mod common;

use chitieu_report::render::Format;
use std::process::Command;
use std::time::{Duration, Instant};

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("n > 0"))
}

fn main() {
    let report = common::large_report();
    // The first render also parses the fonts and builds Typst's library: time it apart.
    let t = Instant::now();
    let first = chitieu_report::render(&report, Format::Pdf).expect("pdf");
    let cold = t.elapsed();
    // Each timed run starts with Typst's memoization cleared, as a new report would.
    let (pdf_time, pdf) = best_of(5, || {
        chitieu_report::render::pdf::clear_cache();
        chitieu_report::render(&report, Format::Pdf).expect("pdf")
    });
    assert_eq!(first, pdf);
    let (warm_time, _) = best_of(5, || {
        chitieu_report::render(&report, Format::Pdf).expect("pdf")
    });
    let (docx_time, docx) = best_of(5, || {
        chitieu_report::render(&report, Format::Docx).expect("docx")
    });
    println!(
        "report: {} indicators, annex of {} communes; PDF {} bytes, DOCX {} bytes",
        report.rows.len(),
        report.annex.as_ref().map(|a| a.rows.len()).unwrap_or(0),
        pdf.len(),
        docx.len()
    );
    println!(
        "chitieu PDF (Typst, embedded): {:>8.1} ms (first run, with font loading: {:.1} ms; the same report again, memoized: {:.1} ms)",
        ms(pdf_time),
        ms(cold),
        ms(warm_time)
    );
    println!("chitieu DOCX:                  {:>8.1} ms", ms(docx_time));
    let have_soffice = Command::new("sh")
        .args(["-c", "command -v soffice"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have_soffice {
        println!("LibreOffice: not installed (Debian: libreoffice-writer-nogui); no comparison");
        return;
    }
    let dir = std::env::temp_dir().join(format!("chitieu-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("report.docx");
    std::fs::write(&input, &docx).expect("write docx");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    // One warm-up run creates LibreOffice's profile.
    let convert = || {
        let st = Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&dir)
            .arg(&input)
            .output()
            .expect("run soffice");
        assert!(st.status.success(), "soffice failed: {st:?}");
    };
    convert();
    let (lo_time, ()) = best_of(3, convert);
    println!("LibreOffice DOCX → PDF:        {:>8.1} ms", ms(lo_time));
    println!(
        "ratio: chitieu is {:.1}× faster (goal ≥ 10×, and under 1 s: {})",
        lo_time.as_secs_f64() / pdf_time.as_secs_f64().max(1e-9),
        if pdf_time < Duration::from_secs(1) {
            "yes"
        } else {
            "no"
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
