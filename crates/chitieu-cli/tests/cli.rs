//! End-to-end tests of the `chitieu` binary on temporary databases.

mod common;

use common::Env;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn demo_status_shows_the_seed_articles_figures() {
    let env = Env::empty();
    let out = env.ok(&["demo", "--no-serve"]);
    assert!(out.contains("Thử tiếp"), "{out}");
    let status = env.ok(&["status", "--unit", "huyện Bắc Sơn", "--period", "2020"]);
    assert!(status.contains("43,248 tỷ đồng"), "{status}");
    assert!(status.contains("131,5%"), "{status}");
    assert!(status.contains("tính đến 10/12/2020"), "{status}");
    assert!(
        status.contains("Tổng giá trị") || status.contains("Thu ngân sách"),
        "{status}"
    );
    // The provenance of each figure is listed.
    assert!(status.contains("Báo Lạng Sơn, 19/01/2021"), "{status}");

    let h1 = env.ok(&[
        "status",
        "--unit",
        "huyện Bắc Sơn",
        "--period",
        "6 tháng đầu năm 2022",
    ]);
    assert!(h1.contains("8/17 xã"), "{h1}");
    assert!(h1.contains("80%"), "{h1}");
    assert!(h1.contains("chỉ tiêu đạt và vượt"), "{h1}");

    // A second demo on the same file is refused unless forced.
    let err = env.fails(&["demo", "--no-serve"]);
    assert!(err.contains("--force"), "{err}");
    env.ok(&["demo", "--force", "--no-serve"]);
}

#[test]
fn units_on_a_date_and_a_units_history() {
    let env = Env::empty();
    env.ok(&["init"]);
    let out = env.ok(&["units", "--under", "huyện Bắc Sơn", "--on", "2022-06-15"]);
    assert!(out.contains("18 đơn vị (1 thị trấn, 17 xã)"), "{out}");
    let hist = env.ok(&["units", "--history", "xã Vũ Sơn, huyện Bắc Sơn"]);
    assert!(hist.contains("nhập vào xã Vũ Lễ"), "{hist}");
    let err = env.fails(&["units", "--under", "huyện Bắc Sơn", "--on", "2025-08-01"]);
    assert!(
        err.contains("huyện Bắc Sơn") && err.contains("30/06/2025"),
        "{err}"
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write file");
}

/// 600 figure rows for one unit, one per month from January 1975 (the district ended in 2025).
fn figure_rows(bad_row: Option<usize>) -> String {
    let mut csv = String::from("kind,indicator,unit,period,value,measure_unit\n");
    for i in 0..600 {
        let (y, m) = (1975 + i / 12, i % 12 + 1);
        let value = if Some(i + 1) == bad_row {
            "12,3,4".to_string()
        } else {
            format!("{},{}", i + 1, i % 10)
        };
        csv.push_str(&format!(
            "figure,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",{y}-M{m:02},\"{value}\",tỷ đồng\n"
        ));
    }
    csv
}

#[test]
fn a_bad_500th_row_leaves_the_database_unchanged() {
    let env = Env::empty();
    env.ok(&["init"]);
    let before = env.counts();
    let file = env.path("figures.csv");
    write(&file, &figure_rows(Some(500)));
    let err = env.fails(&["import", file.to_str().unwrap()]);
    // Data row 500 is line 501 of the file, after the header.
    assert!(
        err.contains("dòng 501, cột 'value': '12,3,4' không phải là số"),
        "{err}"
    );
    assert!(err.contains("figures.csv"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(env.counts(), before);

    write(&file, &figure_rows(None));
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("600 số liệu mới"), "{out}");
    assert_eq!(env.counts().figures, before.figures + 600);
}

#[test]
fn import_names_each_bad_cell() {
    let env = Env::empty();
    env.ok(&["init"]);
    let file = env.path("bad.csv");
    write(
        &file,
        "kind,indicator,unit,period,value\n\
         figure,budget_revenue,huyện Bắc Sơn,2022-H3,1\n\
         figure,no_such_thing,huyện Bắc Sơn,2022,1\n\
         figure,budget_revenue,huyện Không Có,2022,1\n\
         target,budget_revenue,huyện Bắc Sơn,2022,1\n\
         figure,poverty_rate,huyện Bắc Sơn,2022,5000\n",
    );
    let err = env.fails(&["import", file.to_str().unwrap()]);
    for expected in [
        "dòng 2, cột 'period'",
        "dòng 3, cột 'indicator'",
        "dòng 4, cột 'unit'",
        "dòng 5, cột 'plan'",
        "dòng 6, cột 'value'",
    ] {
        assert!(err.contains(expected), "missing «{expected}» in:\n{err}");
    }
    let missing = env.path("missing.csv");
    write(&missing, "indicator,unit,period,value\n");
    let err = env.fails(&["import", missing.to_str().unwrap()]);
    assert!(
        err.contains("thiếu cột 'loại' hoặc 'kind' (missing column)"),
        "{err}"
    );
}

#[test]
fn xlsx_targets_and_figures_with_a_correction_and_its_history() {
    let env = Env::empty();
    env.ok(&["init"]);
    let file = env.path("plan.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "loại",
        "chỉ tiêu",
        "đơn vị",
        "kỳ",
        "giá trị",
        "đơn vị tính",
        "kế hoạch",
        "loại kế hoạch",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, f64, &str); 2] = [
        ("kế hoạch", "năm 2020", 32.888, "DT-2020"),
        ("thực hiện", "2020", 43.248, ""),
    ];
    for (r, (kind, period, value, plan)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *kind).unwrap();
        ws.write_string(r, 1, "budget_revenue").unwrap();
        ws.write_string(r, 2, "huyện Bắc Sơn").unwrap();
        ws.write_string(r, 3, *period).unwrap();
        ws.write_number(r, 4, *value).unwrap();
        ws.write_string(r, 5, "tỷ đồng").unwrap();
        ws.write_string(r, 6, *plan).unwrap();
        ws.write_string(
            r,
            7,
            if plan.is_empty() {
                ""
            } else {
                "province_estimate"
            },
        )
        .unwrap();
    }
    wb.save(&file).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    let status = env.ok(&["status", "--unit", "huyện Bắc Sơn", "--period", "2020"]);
    assert!(status.contains("43,248 tỷ đồng"), "{status}");
    assert!(status.contains("131,5%"), "{status}");
    assert!(status.contains("plan.xlsx, dòng 3"), "{status}");

    let fix = env.path("fix.csv");
    write(
        &fix,
        "kind,indicator,unit,period,value,measure_unit,state,note\n\
         figure,budget_revenue,huyện Bắc Sơn,2020,\"44,5\",tỷ đồng,official,số liệu cả năm\n",
    );
    let out = env.ok(&["import", fix.to_str().unwrap()]);
    assert!(out.contains("1 số liệu điều chỉnh"), "{out}");
    let hist = env.ok(&[
        "history",
        "--indicator",
        "budget_revenue",
        "--unit",
        "huyện Bắc Sơn",
        "--period",
        "2020",
    ]);
    assert!(hist.contains("lần 1: 43,248 tỷ đồng"), "{hist}");
    assert!(hist.contains("lần 2 (hiện hành): 44,5 tỷ đồng"), "{hist}");
    assert!(hist.contains("cli:tester"), "{hist}");
    let audit = env.ok(&["audit", "--limit", "3"]);
    assert!(audit.contains("figure.correct"), "{audit}");
}

#[test]
fn an_unreachable_postgres_server_is_reported_clearly() {
    // Port 1: nothing listens there, on any machine.
    let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .args(["--database", "postgres://localhost:1/test", "init"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PostgreSQL"));
}

#[test]
fn thresholds_are_configurable_and_change_the_status() {
    let env = Env::empty();
    env.ok(&["demo", "--no-serve"]);
    let status = env.ok(&["status", "--unit", "huyện Bắc Sơn", "--period", "2020"]);
    // 18 of 20 key targets is 90%: "cơ bản đạt" with the default threshold of 90.
    assert!(status.contains("1 chỉ tiêu cơ bản đạt"), "{status}");
    env.ok(&["thresholds", "--co-ban-dat-from", "95"]);
    let status = env.ok(&["status", "--unit", "huyện Bắc Sơn", "--period", "2020"]);
    assert!(status.contains("1 chỉ tiêu không đạt"), "{status}");
    let err = env.fails(&["thresholds", "--vuot-from", "80"]);
    assert!(err.contains("vuot-from"), "{err}");
    assert!(env.ok(&["audit", "--limit", "1"]).contains("setting.set"));

    // A damaged setting: shown as such, and replaced when both thresholds are given.
    chitieu_store::Store::set_setting(
        &mut env.store(),
        chitieu_app::status::THRESHOLDS_KEY,
        "{not json",
        "test",
    )
    .expect("damage");
    let err = env.fails(&["thresholds"]);
    assert!(
        err.contains("--co-ban-dat-from 90 --vuot-from 100"),
        "{err}"
    );
    let err = env.fails(&["thresholds", "--vuot-from", "105"]);
    assert!(err.contains("Đặt lại cả hai ngưỡng"), "{err}");
    let out = env.ok(&[
        "thresholds",
        "--co-ban-dat-from",
        "85",
        "--vuot-from",
        "105",
    ]);
    assert!(
        out.contains("cơ bản đạt từ 85% · vượt khi trên 105%"),
        "{out}"
    );
    assert!(env.ok(&["thresholds"]).contains("từ 85%"));
}

#[test]
fn users_add_their_own_indicators() {
    let env = Env::empty();
    env.ok(&["init"]);
    let file = env.path("mine.csv");
    write(
        &file,
        "code,name_vi,unit,better,group,typical_phrases,aggregation,temporal\n\
         digital_households,Số hộ dùng chữ ký số,hộ,up,social,chữ ký số,sum,level\n",
    );
    env.ok(&["indicators", "--import", file.to_str().unwrap()]);
    let list = env.ok(&["indicators"]);
    assert!(
        list.contains("digital_households") && list.contains("Số hộ dùng chữ ký số"),
        "{list}"
    );
    let bad = env.path("bad.csv");
    write(&bad, "code,name_vi,unit,better\nBad Code,x,hộ,up\n");
    let err = env.fails(&["indicators", "--import", bad.to_str().unwrap()]);
    assert!(
        err.contains("danh mục chỉ tiêu, dòng 2, cột 'code'"),
        "{err}"
    );
}

/// The development corpus beside the repository (`../shared/corpus/seeds`), when present.
fn seeds() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Some(files).filter(|f| f.len() == 5)
}

#[test]
fn seed_articles_ingested_and_reviewed_give_bac_sons_revenue_series() {
    let Some(files) = seeds() else {
        eprintln!("skipped: ../shared/corpus/seeds is not beside the repository");
        return;
    };
    let env = Env::empty();
    env.ok(&["init"]);
    let mut args: Vec<&str> = vec!["ingest"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = env.ok(&args);
    assert_eq!(out.matches("số liệu đề xuất").count(), 5, "{out}");
    env.ok(&["review", "--accept-all"]);
    let series = env.ok(&[
        "series",
        "--unit",
        "huyện Bắc Sơn",
        "--indicator",
        "budget_revenue",
        "--from",
        "2020",
        "--to",
        "2022",
    ]);
    for (period, amount, quote) in [
        ("2020", "43,248 tỷ đồng", "được 43,248 tỷ đồng"),
        ("2021-H1", "21 tỷ đồng", "đạt gần 21 tỷ đồng"),
        ("2022-H1", "25 tỷ đồng", "đạt trên 25 tỷ đồng"),
    ] {
        let line = series
            .lines()
            .position(|l| l.trim_start().starts_with(period) && l.contains(amount))
            .unwrap_or_else(|| panic!("{period} {amount} missing:\n{series}"));
        let source = series.lines().nth(line + 1).unwrap_or_default();
        assert!(
            source.contains(quote) && source.contains("ký tự"),
            "{source}"
        );
    }
    let status = env.ok(&["status", "--unit", "huyện Bắc Sơn", "--period", "2020"]);
    assert!(status.contains("131,5%"), "{status}");
    assert!(status.contains("văn bản #3"), "{status}");
}

#[test]
fn a_new_commune_carries_its_predecessors_series() {
    let env = Env::empty();
    env.ok(&["init"]);
    // Xã Tân Tri (from 1 July 2025) was formed whole from xã Đồng Ý, xã Vạn Thủy and the old
    // xã Tân Tri of huyện Bắc Sơn.
    let file = env.path("old.csv");
    write(
        &file,
        "kind,indicator,unit,period,value\n\
         figure,sown_area,\"xã Đồng Ý, huyện Bắc Sơn\",2024,\"1.200\"\n\
         figure,sown_area,\"xã Vạn Thủy, huyện Bắc Sơn\",2024,800\n\
         figure,sown_area,\"xã Tân Tri, huyện Bắc Sơn\",2024,\"1.000,5\"\n\
         figure,sown_area,\"xã Đồng Ý, huyện Bắc Sơn\",2023,\"1.100\"\n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    let out = env.ok(&[
        "series",
        "--unit",
        "xã Tân Tri",
        "--indicator",
        "sown_area",
        "--on",
        "2025-07-01",
    ]);
    let y2024 = out
        .lines()
        .position(|l| l.trim_start().starts_with("2024"))
        .expect(&out);
    assert!(
        out.lines().nth(y2024).unwrap().contains("3.000,5 ha"),
        "{out}"
    );
    assert!(
        out.lines().nth(y2024 + 1).unwrap().contains("(chính xác)"),
        "{out}"
    );
    let y2023 = out
        .lines()
        .position(|l| l.trim_start().starts_with("2023"))
        .expect(&out);
    assert!(
        out.lines()
            .nth(y2023 + 1)
            .unwrap()
            .contains("không chính xác"),
        "{out}"
    );
    assert!(out.contains("xã Vạn Thủy: chưa có số liệu"), "{out}");
}

/// The errors an office user meets on the command line are Vietnamese and say each thing once:
/// a bad period names the text once (it was "'ky-la' is not a period: 'ky-la' is not a period:
/// …"), an unknown unit names the name and the day as 30/06/2022.
#[test]
fn errors_are_vietnamese_and_said_once() {
    let env = Env::new();
    let err = env.fails(&["status", "--unit", "huyện Bắc Sơn", "--period", "ky-la"]);
    assert!(
        err.starts_with(
            "lỗi (error): 'ky-la' không phải là kỳ báo cáo (not a period): hãy viết như"
        ),
        "{err}"
    );
    assert_eq!(err.matches("ky-la").count(), 1, "{err}");
    let err = env.fails(&["status", "--unit", "huyện Không Có", "--period", "2022-H1"]);
    assert!(
        err.contains("không có đơn vị 'huyện Không Có' (unknown unit) còn hiệu lực ngày"),
        "{err}"
    );
}
