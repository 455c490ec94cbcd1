//! Header fields, templates, number formatting and the external checks of the outputs: the
//! PDF's text read back by pdftotext and its pages drawn by pdftoppm (poppler-utils), the
//! DOCX opened and converted by LibreOffice. Those checks skip with a message when the tool is
//! missing, unless CHITIEU_REQUIRE_TOOLS=1 (CI), where they fail.

mod common;
use chitieu_report::model::DocNumber;
use chitieu_report::render::{Format, markdown::markdown, typst_src::typst_source};
use chitieu_report::{Template, render};
use std::path::Path;
use std::process::Command;

fn issued_party() -> chitieu_report::Report {
    let mut r = common::bac_son_2022_h1();
    r.number = Some(DocNumber {
        number: 12,
        text: r.template.number_text(Some(12)),
    });
    r
}

fn issued_state() -> chitieu_report::Report {
    let mut r = common::bac_son_2022_h1();
    let mut t = Template::state(&["ỦY BAN NHÂN DÂN", "HUYỆN BẮC SƠN"], "BC-UBND", "Bắc Sơn");
    t.issuer_name = "UBND huyện Bắc Sơn".into();
    r.template = t;
    r.number = Some(DocNumber {
        number: 15,
        text: r.template.number_text(Some(15)),
    });
    r
}

#[test]
fn party_header_fields() {
    let md = markdown(&issued_party());
    for want in [
        "ĐẢNG BỘ TỈNH LẠNG SƠN",
        "**HUYỆN ỦY BẮC SƠN**",
        "Số 12-BC/HU",
        "**ĐẢNG CỘNG SẢN VIỆT NAM**",
        "*Bắc Sơn, ngày 15 tháng 6 năm 2022*",
        "**T/M BAN THƯỜNG VỤ**",
        "**BÍ THƯ**",
        "*Nơi nhận:*",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
    let typ = typst_source(&issued_party(), &[]);
    assert!(
        typ.contains("paper: \"a4\", margin: (top: 20mm, bottom: 20mm, left: 30mm, right: 15mm)")
    );
    assert!(typ.contains("#text(size: 15pt, weight: \"bold\")[#\"ĐẢNG CỘNG SẢN VIỆT NAM\"]"));
    assert!(
        typ.contains(
            "#text(size: 14pt, style: \"italic\")[#\"Bắc Sơn, ngày 15 tháng 6 năm 2022\"]"
        )
    );
    assert!(typ.contains("[\\*]"), "the star under the issuer");
    // No page number on the first page, at the top centre after.
    assert!(typ.contains("if n > 1 { align(center"));
}

#[test]
fn state_header_fields() {
    let md = markdown(&issued_state());
    for want in [
        "**ỦY BAN NHÂN DÂN**",
        "**HUYỆN BẮC SƠN**",
        "Số: 15/BC-UBND",
        "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**",
        "**Độc lập - Tự do - Hạnh phúc**",
        "**TM. ỦY BAN NHÂN DÂN**",
        "**CHỦ TỊCH**",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
}

#[test]
fn draft_number_is_blank_and_template_loads_from_toml_and_json() {
    let r = common::bac_son_2022_h1();
    assert!(markdown(&r).contains("Số      -BC/HU"));
    let t = Template::parse(
        r#"
style = "state"
issuer = ["ỦY BAN NHÂN DÂN", "XÃ VŨ SƠN"]
number_format = "Số: {n}/BC-UBND"
[margins]
left = 35.0
[signer]
authority = "TM. ỦY BAN NHÂN DÂN"
position = "PHÓ CHỦ TỊCH"
name = "Nguyễn Văn A"
"#,
    )
    .unwrap();
    assert_eq!(t.issuer[1], "XÃ VŨ SƠN");
    assert_eq!(t.margins.left, 35.0);
    assert_eq!(t.margins.top, 20.0, "fields left out keep their defaults");
    assert_eq!(t.number_text(Some(3)), "Số: 3/BC-UBND");
    let back = Template::parse(&t.to_json_pretty().unwrap()).unwrap();
    assert_eq!(back, t);
    assert!(Template::parse("style = 3").is_err());
}

#[test]
fn numbering_series_per_term_or_year() {
    let party = common::bac_son_template();
    assert_eq!(
        party.series(2022),
        party.series(2024),
        "one sequence for the term"
    );
    let state = Template::state(&["ỦY BAN NHÂN DÂN", "HUYỆN BẮC SƠN"], "BC-UBND", "Bắc Sơn");
    assert_ne!(
        state.series(2022),
        state.series(2023),
        "a new sequence each year"
    );
    assert_ne!(party.series(2022), state.series(2022));
}

#[test]
fn renders_are_deterministic() {
    let r = issued_party();
    for f in [Format::Pdf, Format::Docx, Format::Xlsx, Format::Markdown] {
        assert_eq!(render(&r, f).unwrap(), render(&r, f).unwrap(), "{f:?}");
    }
}

#[test]
fn xlsx_keeps_numbers_as_numbers() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = render(&issued_party(), Format::Xlsx).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("Chỉ tiêu").unwrap();
    let row = range
        .rows()
        .find(|r| r.get(1) == Some(&Data::String("Thu ngân sách nhà nước trên địa bàn".into())))
        .expect("the budget line");
    assert_eq!(row[2], Data::String("tỷ đồng".into()));
    assert_eq!(row[3], Data::Float(31.25), "the plan is a number");
    assert_eq!(row[4], Data::Float(25.0), "the actual is a number");
    assert_eq!(row[5], Data::Float(80.0), "% of plan is a number");
    let series = wb.worksheet_range("Chuỗi số liệu").unwrap();
    assert!(series.rows().any(|r| r.get(1) == Some(&Data::Float(21.0))));
}

fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("CHITIEU_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("{name} is required (CHITIEU_REQUIRE_TOOLS=1) but not installed");
        }
        eprintln!(
            "SKIPPED: {name} is not installed (Debian: poppler-utils / libreoffice-writer-nogui)"
        );
    }
    found
}

#[test]
fn pdf_text_keeps_its_diacritics_and_pages_render() {
    if !tool("pdftotext") || !tool("pdftoppm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("r.pdf");
    let mut report = issued_party();
    report.texts.han_che =
        "Ứng dụng công nghệ thông tin còn hạn chế; tiến độ giải ngân chậm.".into();
    std::fs::write(&pdf, render(&report, Format::Pdf).unwrap()).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "ĐẢNG BỘ TỈNH LẠNG SƠN",
        "HUYỆN ỦY BẮC SƠN",
        "Số 12-BC/HU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Bắc Sơn, ngày 15 tháng 6 năm 2022",
        "BÁO CÁO",
        "ước đạt 25,0 tỷ đồng, bằng 80,0% dự toán tỉnh giao",
        "8/17 xã đạt chuẩn nông thôn mới",
        "Tỷ lệ hộ nghèo ước giảm còn 12,3%",
        "Ứng dụng công nghệ thông tin còn hạn chế",
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
    ] {
        assert!(
            flat.contains(want),
            "missing {want:?} in the PDF text:\n{text}"
        );
    }
    let st = Command::new("pdftoppm")
        .args(["-r", "40", "-png"])
        .arg(&pdf)
        .arg(dir.path().join("page"))
        .status()
        .unwrap();
    assert!(st.success());
    let pages = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .map(|e| e.file_name().to_string_lossy().ends_with(".png"))
                .unwrap_or(false)
        })
        .count();
    assert!(pages >= 2, "{pages} pages");
}

#[test]
fn libreoffice_opens_and_converts_the_docx() {
    if !tool("soffice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("bao-cao.docx");
    std::fs::write(&docx, render(&issued_state(), Format::Docx).unwrap()).unwrap();
    let profile = dir.path().join("profile");
    let st = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    let pdf = dir.path().join("bao-cao.pdf");
    assert!(Path::new(&pdf).exists(), "LibreOffice wrote no PDF: {st:?}");
    if tool("pdftotext") {
        let out = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for want in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số: 15/BC-UBND",
            "TM. ỦY BAN NHÂN DÂN",
            "Thu ngân sách nhà nước trên địa bàn",
        ] {
            assert!(flat.contains(want), "missing {want:?}:\n{text}");
        }
    }
}

#[test]
fn charts_are_svg_with_vietnamese_labels() {
    let r = common::bac_son_2022_h1();
    let charts = chitieu_report::chart::charts(&r).unwrap();
    assert_eq!(charts.len(), 2);
    let (name, caption, svg) = &charts[0];
    assert_eq!(name, "chart-progress.svg");
    assert_eq!(caption, "Tiến độ thực hiện các chỉ tiêu so với kế hoạch");
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("Thu ngân sách nhà nước trên địa bàn"));
    assert!(svg.contains("80,0%"));
    assert!(
        !svg.contains("Tỷ lệ hộ nghèo"),
        "no % of plan bar for a lower-is-better target"
    );
    let (_, _, series) = &charts[1];
    assert!(series.contains("6T đầu 2020") && series.contains("25,0"));
    assert_eq!(chitieu_report::chart::charts(&r).unwrap(), charts);
}
