//! The review report's key-task and NTM parts on the demo data, through the real binary:
//! `chitieu demo --no-serve`, then `chitieu report` as Markdown and PDF (read back with
//! pdftotext), and that DOCX and XLSX are written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .arg("--database")
            .arg(self.path("demo.db"))
            .args(args)
            .env("CHITIEU_USER", "tester")
            .output()
            .expect("run chitieu")
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "chitieu {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
    fn report(&self, unit: &str, period: &str, kind: &str, date: &str, file: &str) -> PathBuf {
        let out = self.path(file);
        self.ok(&[
            "report",
            "--unit",
            unit,
            "--period",
            period,
            "--kind",
            kind,
            "--date",
            date,
            "--output",
            &out.to_string_lossy(),
        ]);
        out
    }
}

/// pdftotext's text of a PDF, or `None` (with a message) when the tool is missing; with
/// CHITIEU_REQUIRE_TOOLS=1 a missing tool fails the test.
fn pdf_text(pdf: &Path) -> Option<String> {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).to_string()),
        _ => {
            if std::env::var("CHITIEU_REQUIRE_TOOLS").as_deref() == Ok("1") {
                panic!("pdftotext is required (CHITIEU_REQUIRE_TOOLS=1) but did not run");
            }
            eprintln!("SKIPPED the PDF check: pdftotext is not installed (poppler-utils)");
            None
        }
    }
}

/// Collapses white space, so text broken across PDF lines compares as one line.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const BAC_SON: &str = "huyện Bắc Sơn, tỉnh Lạng Sơn";
const HUU_LUNG: &str = "huyện Hữu Lũng, tỉnh Lạng Sơn";
const NTM: &str = "8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí";

#[test]
fn demo_reports_show_tasks_and_ntm_in_every_format() {
    let env = Env::new();
    env.ok(&["demo", "--no-serve"]);

    // Bắc Sơn, sơ kết 6 tháng đầu năm 2022: the NTM figures from the communes' criteria, and
    // the tasks set for the second half of the year.
    let md = env.report(BAC_SON, "2022-H1", "so-ket", "2022-06-15", "bs.md");
    let md = std::fs::read_to_string(md).expect("markdown");
    assert!(md.contains(NTM), "{md}");
    assert!(md.contains("Các tiêu chí còn nhiều xã chưa đạt"), "{md}");
    assert!(
        md.contains("PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022"),
        "{md}"
    );
    assert!(
        md.contains("Nhiệm vụ trọng tâm 6 tháng cuối năm 2022:"),
        "{md}"
    );
    assert!(
        md.contains("1. Tiếp tục tăng cường vận động Nhân dân chung tay xây dựng nông thôn mới"),
        "{md}"
    );
    // No task was due in the first half: no results part, and the parts keep their numbers.
    assert!(!md.contains("KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM"), "{md}");
    assert!(md.contains("### III. HẠN CHẾ VÀ NGUYÊN NHÂN"), "{md}");

    let pdf = env.report(BAC_SON, "2022-H1", "so-ket", "2022-06-15", "bs.pdf");
    if let Some(text) = pdf_text(&pdf) {
        let text = flat(&text);
        assert!(text.contains(NTM), "{text}");
        assert!(
            text.contains("Nhiệm vụ trọng tâm 6 tháng cuối năm 2022:"),
            "{text}"
        );
    }

    // Hữu Lũng, quý II/2023, reviewed on 15/7/2023: the tasks due in the quarter with their
    // results, counted, by field, the overdue ones named.
    let md = env.report(HUU_LUNG, "2023-Q2", "quy", "2023-07-15", "hl.md");
    let md = std::fs::read_to_string(md).expect("markdown");
    assert!(
        md.contains("### III. KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM"),
        "{md}"
    );
    assert!(md.contains("### IV. HẠN CHẾ VÀ NGUYÊN NHÂN"), "{md}");
    assert!(md.contains("Trong quý II/2023, huyện có "), "{md}");
    assert!(
        md.contains(" nhiệm vụ trọng tâm đến hạn; hoàn thành "),
        "{md}"
    );
    assert!(md.contains("Theo lĩnh vực: lĩnh vực "), "{md}");
    assert!(
        md.contains("Chỉ đạo triển khai thực hiện tốt nhiệm vụ năm học 2022 – 2023 (huyện Hữu Lũng; thời hạn: hết quý II/2023): hoàn thành"),
        "{md}"
    );
    assert!(md.contains("nhiệm vụ quá hạn chưa hoàn thành: "), "{md}");
    let pdf = env.report(HUU_LUNG, "2023-Q2", "quy", "2023-07-15", "hl.pdf");
    if let Some(text) = pdf_text(&pdf) {
        let text = flat(&text);
        assert!(
            text.contains("KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM"),
            "{text}"
        );
        assert!(
            text.contains("nhiệm vụ trọng tâm đến hạn; hoàn thành"),
            "{text}"
        );
    }

    // DOCX and XLSX are written too (their content is checked in chitieu-report's tests).
    for file in ["hl.docx", "bs.xlsx"] {
        let (unit, period, kind, date) = if file.starts_with("hl") {
            (HUU_LUNG, "2023-Q2", "quy", "2023-07-15")
        } else {
            (BAC_SON, "2022-H1", "so-ket", "2022-06-15")
        };
        let bytes = std::fs::read(env.report(unit, period, kind, date, file)).expect("written");
        assert!(bytes.starts_with(b"PK"), "{file} is a zip file");
    }
}
