//! `chitieu tasks` and `chitieu ntm` on the real binary and a temporary database.

mod common;

use common::Env;

const THU_NGAN_SACH: &str =
    "tập trung chỉ đạo, điều hành các giải pháp đẩy mạnh công tác thu ngân sách";

#[test]
fn a_task_is_reported_by_its_lead_confirmed_returned_and_counted() {
    let env = Env::new();
    let out = env.ok(&[
        "tasks",
        "add",
        "--text",
        THU_NGAN_SACH,
        "--field",
        "kinh tế",
        "--lead",
        "huyện Hữu Lũng",
        "--deadline",
        "quý II/2023",
        "--output-target",
        "thu_ngan_sach>=35",
    ]);
    assert!(out.contains("Đã thêm nhiệm vụ 1"), "{out}");
    env.ok(&[
        "tasks",
        "add",
        "--text",
        "thực hiện tốt công tác giáo dục chính trị tư tưởng trong đội ngũ cán bộ, đảng viên",
        "--field",
        "xây dựng Đảng",
        "--lead",
        "huyện Hữu Lũng",
        "--deadline",
        "30/06/2023",
        "--output-document",
        "báo cáo kết quả",
    ]);
    // Another unit may not report on Hữu Lũng's task; nothing is stored.
    let err = env.fails(&[
        "tasks",
        "report",
        "1",
        "--as-unit",
        "huyện Bắc Sơn",
        "--status",
        "đang thực hiện",
        "--on",
        "2023-05-02",
    ]);
    assert!(
        err.contains("do huyện Hữu Lũng chủ trì: chỉ đơn vị đó báo cáo tiến độ"),
        "{err}"
    );
    // "Quá hạn" before the deadline is refused, naming the task and its deadline.
    let err = env.fails(&[
        "tasks",
        "report",
        "1",
        "--as-unit",
        "huyện Hữu Lũng",
        "--status",
        "quá hạn",
        "--on",
        "2023-05-02",
    ]);
    assert!(
        err.contains(&format!(
            "nhiệm vụ số 1 «{THU_NGAN_SACH}»: chưa đến hạn: thời hạn là hết quý II/2023, báo cáo ngày 02/05/2023"
        )),
        "{err}"
    );
    // Confirming before a completion is refused.
    let err = env.fails(&["tasks", "confirm", "1", "--on", "2023-05-03"]);
    assert!(
        err.contains("chưa có báo cáo hoàn thành để xác nhận"),
        "{err}"
    );
    env.ok(&[
        "tasks",
        "report",
        "1",
        "--as-unit",
        "huyện Hữu Lũng",
        "--status",
        "hoàn thành",
        "--on",
        "2023-06-28",
    ]);
    env.ok(&["tasks", "confirm", "1", "--on", "2023-07-01"]);
    env.ok(&[
        "tasks",
        "report",
        "2",
        "--as-unit",
        "huyện Hữu Lũng",
        "--status",
        "hoàn thành",
        "--on",
        "2023-06-29",
    ]);
    let out = env.ok(&[
        "tasks",
        "return",
        "2",
        "--reason",
        "chưa có báo cáo",
        "--on",
        "2023-07-02",
    ]);
    assert!(out.contains("quá hạn"), "{out}");
    let list = env.ok(&["tasks", "list", "--today", "2023-07-05"]);
    assert!(list.contains("hoàn thành (đã xác nhận)"), "{list}");
    assert!(list.contains("quá hạn (bị trả lại)"), "{list}");
    let counts = env.ok(&[
        "tasks",
        "counts",
        "--period",
        "2023-Q2",
        "--today",
        "2023-07-05",
    ]);
    assert!(
        counts.contains("hoàn thành 1/2 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn"),
        "{counts}"
    );
    assert!(
        counts.contains("xây dựng Đảng và hệ thống chính trị"),
        "{counts}"
    );
    let json = env.ok(&[
        "tasks",
        "list",
        "--json",
        "--today",
        "2023-06-30",
        "--field",
        "kinh tế",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v.as_array().map(|a| a.len()), Some(1));
    assert_eq!(v[0]["state"]["status"], "completed");
    let audit = env.ok(&["audit", "--limit", "3"]);
    assert!(audit.contains("task.return"), "{audit}");
}

#[test]
fn bad_task_input_names_the_problem() {
    let env = Env::new();
    let base = [
        "tasks",
        "add",
        "--text",
        "x",
        "--lead",
        "huyện Hữu Lũng",
        "--output-project",
        "đường",
    ];
    let mut a = base.to_vec();
    a.extend(["--field", "thể thao", "--deadline", "2023-06-30"]);
    assert!(env.fails(&a).contains("lĩnh vực 'thể thao' không hợp lệ"));
    let mut a = base.to_vec();
    a.extend(["--field", "kinh tế", "--deadline", "sớm nhất"]);
    assert!(env.fails(&a).contains("không đọc được thời hạn 'sớm nhất'"));
    let err = env.fails(&[
        "tasks",
        "report",
        "7",
        "--as-unit",
        "huyện Hữu Lũng",
        "--status",
        "xong",
    ]);
    assert!(err.contains("tình trạng 'xong' không hợp lệ"), "{err}");
}

#[test]
fn ntm_import_summary_and_history() {
    let env = Env::new();
    let sets = env.ok(&["ntm", "sets"]);
    assert!(sets.contains("19 tiêu chí"), "{sets}");
    assert!(sets.contains("10 tiêu chí, 47 chỉ tiêu"), "{sets}");
    // Vũ Sơn meets all 19 criteria; Vũ Lăng 18 (short of 11).
    let mut csv = String::from("commune,year,set,level,criterion,met,evidence\n");
    for n in 1..=19 {
        csv.push_str(&format!("\"xã Vũ Sơn, huyện Bắc Sơn\",2022,,,{n},đạt,\n"));
        let met = if n == 11 { "chưa đạt" } else { "đạt" };
        csv.push_str(&format!(
            "\"xã Vũ Lăng, huyện Bắc Sơn\",2022,,,{n},{met},\n"
        ));
    }
    let file = env.dir.path().join("ntm.csv");
    let mut bad = csv.clone();
    bad.push_str("\"xã Vũ Lăng, huyện Bắc Sơn\",2022,,,3,có lẽ,\n");
    std::fs::write(&file, &bad).expect("write");
    let err = env.fails(&["ntm", "import", file.to_str().expect("path")]);
    assert!(err.contains("dòng 40, cột 'met'"), "{err}");
    std::fs::write(&file, &csv).expect("write");
    let out = env.ok(&["ntm", "import", file.to_str().expect("path")]);
    assert!(out.contains("38 trạng thái tiêu chí của 2 xã"), "{out}");
    let sum = env.ok(&[
        "ntm",
        "summary",
        "--unit",
        "huyện Bắc Sơn",
        "--year",
        "2022",
    ]);
    // 17 communes; 2 recorded (19 + 18 = 37 criteria): 37/17 = 2,18 → "2,2".
    assert!(
        sum.contains("1/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 2,2 tiêu chí"),
        "{sum}"
    );
    assert!(sum.contains("11. Nghèo đa chiều"), "{sum}");
    // A year without any record: no "0/17", no count of communes "counted as not meeting".
    let none = env.ok(&[
        "ntm",
        "summary",
        "--unit",
        "huyện Bắc Sơn",
        "--year",
        "2023",
    ]);
    assert!(
        none.contains("chưa có dữ liệu xã đạt chuẩn nông thôn mới năm 2023"),
        "{none}"
    );
    assert!(
        !none.contains("0/17") && !none.contains("tính là chưa đạt"),
        "{none}"
    );
    env.ok(&[
        "ntm",
        "set-state",
        "--commune",
        "xã Vũ Lễ",
        "--year",
        "2026",
        "--criterion",
        "6",
        "--met",
        "đạt",
        "--evidence",
        "tỷ lệ nghèo đa chiều dưới ngưỡng",
    ]);
    let h = env.ok(&[
        "ntm",
        "history",
        "--commune",
        "xã Vũ Lễ",
        "--on",
        "2026-06-30",
    ]);
    assert!(h.contains("51-2025"), "{h}");
    assert!(h.contains("Trước sắp xếp: Xã Vũ Sơn"), "{h}");
    assert!(h.contains("318-2021"), "{h}");
}

#[test]
fn the_demo_holds_the_seed_articles_tasks_and_bac_sons_ntm_picture() {
    let env = Env::empty();
    env.ok(&["demo", "--no-serve"]);
    let list = env.ok(&["tasks", "list", "--today", "2023-07-15", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    let tasks = v.as_array().expect("array");
    let texts: Vec<&str> = tasks.iter().filter_map(|t| t["text"].as_str()).collect();
    for t in [
        THU_NGAN_SACH,
        "đẩy nhanh tiến độ các công trình đầu tư công",
        "Triển khai phương án phòng chống lụt bão năm 2020",
    ] {
        assert!(texts.contains(&t), "{t} missing from {texts:?}");
    }
    assert!(
        tasks.iter().any(|t| t["state"]["status"] == "overdue"),
        "{list}"
    );
    let counts = env.ok(&[
        "tasks",
        "counts",
        "--period",
        "2023-Q2",
        "--today",
        "2023-07-15",
    ]);
    assert!(
        counts.contains("hoàn thành 3/5 nhiệm vụ, đúng hạn 2; 2 nhiệm vụ quá hạn"),
        "{counts}"
    );
    let sum = env.ok(&[
        "ntm",
        "summary",
        "--unit",
        "huyện Bắc Sơn",
        "--year",
        "2022",
    ]);
    assert!(
        sum.contains("8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí"),
        "{sum}"
    );
    let json = env.ok(&[
        "ntm",
        "summary",
        "--unit",
        "huyện Bắc Sơn",
        "--year",
        "2022",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["summary"]["criteria_met"], 243);
}
