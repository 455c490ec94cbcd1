//! The review report's key-task and NTM parts on the demo data, through the real binary:
//! `chitieu demo --no-serve`, then `chitieu report` as Markdown and PDF (read back with
//! pdftotext), and that DOCX and XLSX are written.

mod common;

use common::Env;
use std::path::{Path, PathBuf};
use std::process::Command;

impl Env {
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

/// The count sentence of Bắc Sơn's 2022-H1 results on 15/6/2022, from the demo's sample
/// tasks: only the 7 tasks due by 15/6 are counted.
const BS_COUNTS: &str = "Trong 6 tháng đầu năm 2022, tính đến ngày 15/06/2022, huyện có 7 nhiệm vụ trọng tâm đã đến hạn hoàn thành; hoàn thành 6/7 nhiệm vụ, đúng hạn 5; 1 nhiệm vụ quá hạn.";
/// The 5 tasks due after 15/6 but within the half year: not yet due, none overdue.
const BS_NOT_YET_DUE: &str = "Ngoài ra, 5 nhiệm vụ có thời hạn sau ngày 15/06/2022 chưa đến hạn: 4 nhiệm vụ đã hoàn thành trước hạn; 1 nhiệm vụ chưa triển khai.";
const BS_BY_FIELD: &str = "Theo lĩnh vực: lĩnh vực kinh tế hoàn thành 3/4, đúng hạn 3; lĩnh vực văn hóa - xã hội hoàn thành 2/2, đúng hạn 1; lĩnh vực quốc phòng - an ninh hoàn thành 1/1, đúng hạn 1.";
/// The overdue task, named.
const BS_OVERDUE: &str = "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: hoàn thành giải phóng mặt bằng, khởi công các công trình khởi công mới năm 2022 theo kế hoạch (huyện Bắc Sơn, thời hạn 31/05/2022).";
/// Some of the tasks as the list prints them, with their status on 15/6/2022: one of each
/// status, and the one a commune leads.
const BS_TASKS: [(&str, &str); 5] = [
    (
        "Xây dựng kế hoạch hoàn thiện các tiêu chí nông thôn mới còn thiếu, phấn đấu đạt chuẩn nông thôn mới năm 2022 (xã Chiêu Vũ; thời hạn: 31/03/2022)",
        "hoàn thành ngày 25/03/2022",
    ),
    (
        "Tập trung các giải pháp thu ngân sách, phấn đấu thu 6 tháng đầu năm đạt trên 50% dự toán tỉnh giao (huyện Bắc Sơn; thời hạn: hết 6 tháng đầu năm 2022)",
        "hoàn thành ngày 10/06/2022",
    ),
    (
        "Tổng kết năm học 2021 – 2022; hoàn thành xét công nhận tốt nghiệp trung học cơ sở (huyện Bắc Sơn; thời hạn: 31/05/2022)",
        "hoàn thành quá hạn ngày 07/06/2022",
    ),
    (
        "Hoàn thành giải phóng mặt bằng, khởi công các công trình khởi công mới năm 2022 theo kế hoạch (huyện Bắc Sơn; thời hạn: 31/05/2022)",
        "quá hạn",
    ),
    (
        "Tổ chức học tập, quán triệt, triển khai Nghị quyết Hội nghị lần thứ năm Ban Chấp hành Trung ương Đảng khóa XIII (huyện Bắc Sơn; thời hạn: 30/06/2022)",
        "chưa triển khai, chưa đến hạn",
    ),
];

#[test]
fn demo_reports_show_tasks_and_ntm_in_every_format() {
    let env = Env::empty_named("demo.db");
    let summary = env.ok(&["demo", "--no-serve"]);
    // The summary says what the demo loaded: the 13 tasks quoted from the seed articles and
    // Bắc Sơn's 12 sample tasks of the first half of 2022, and the 17 communes' NTM criteria.
    assert!(summary.contains(", 25 nhiệm vụ trọng tâm,"), "{summary}");
    assert!(
        summary.contains("tiêu chí nông thôn mới của 17 xã."),
        "{summary}"
    );

    // Bắc Sơn, sơ kết 6 tháng đầu năm 2022 (the conference of 15/6/2022): the tasks due in
    // the first half with their results, the NTM figures from the communes' criteria, and the
    // tasks set for the second half of the year.
    let md = env.report(BAC_SON, "2022-H1", "so-ket", "2022-06-15", "bs.md");
    let md = std::fs::read_to_string(md).expect("markdown");
    assert!(md.contains(NTM), "{md}");
    assert!(md.contains("8/17"), "{md}");
    assert!(md.contains("14,3"), "{md}");
    assert!(md.contains("Các tiêu chí còn nhiều xã chưa đạt"), "{md}");
    // The results part comes after the figures and before the shortcomings, which move down.
    assert!(
        md.contains("### III. KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM"),
        "{md}"
    );
    assert!(md.contains("### IV. HẠN CHẾ VÀ NGUYÊN NHÂN"), "{md}");
    assert!(
        md.contains("### V. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022"),
        "{md}"
    );
    // 12 tasks due in the half year, as the demo's stories leave them on 15/6/2022: of the 7
    // due by then, 5 done on time, 1 done late, 1 overdue (in progress past 31/5); of the 5 due
    // later in June, 4 done early and 1 not started (due 30/6), which is not overdue.
    assert!(md.contains(BS_COUNTS), "{md}");
    assert!(md.contains(BS_NOT_YET_DUE), "{md}");
    assert!(md.contains(BS_BY_FIELD), "{md}");
    for (task, status) in BS_TASKS {
        let line = format!("{task}: {status}.");
        assert!(md.contains(&line), "{line} missing from\n{md}");
    }
    assert!(md.contains(BS_OVERDUE), "{md}");
    assert!(
        md.contains("Nhiệm vụ trọng tâm 6 tháng cuối năm 2022:"),
        "{md}"
    );
    assert!(
        md.contains("1. Tiếp tục tăng cường vận động Nhân dân chung tay xây dựng nông thôn mới"),
        "{md}"
    );

    let pdf = env.report(BAC_SON, "2022-H1", "so-ket", "2022-06-15", "bs.pdf");
    if let Some(text) = pdf_text(&pdf) {
        let text = flat(&text);
        assert!(
            text.contains("KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM"),
            "{text}"
        );
        assert!(text.contains(BS_COUNTS), "{text}");
        assert!(text.contains(BS_NOT_YET_DUE), "{text}");
        assert!(text.contains(BS_OVERDUE), "{text}");
        assert!(text.contains(NTM), "{text}");
        assert!(text.contains("8/17"), "{text}");
        assert!(text.contains("14,3"), "{text}");
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
        md.contains(" nhiệm vụ trọng tâm cần hoàn thành trong kỳ; hoàn thành "),
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
            text.contains("nhiệm vụ trọng tâm cần hoàn thành trong kỳ; hoàn thành"),
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
