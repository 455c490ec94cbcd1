mod common;

#[test]
fn writes_demo_outputs_for_inspection() {
    let r = common::bac_son_2022_h1();
    let dir = std::env::var("CHITIEU_REPORT_OUT").ok();
    let pdf = chitieu_report::render::pdf(&r).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let md = chitieu_report::render::markdown::markdown(&r);
    if let Some(dir) = dir {
        std::fs::write(format!("{dir}/smoke.pdf"), &pdf).unwrap();
        std::fs::write(format!("{dir}/smoke.md"), &md).unwrap();
        std::fs::write(
            format!("{dir}/smoke.typ"),
            chitieu_report::render::typst_src::typst_source(&r, &[]),
        )
        .unwrap();
    }
}
