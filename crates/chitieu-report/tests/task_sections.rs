//! The key-task and NTM parts of a report in each format: Markdown and Typst (the same body
//! the DOCX renderer writes), XLSX sheets with numbers as numbers, and the stored JSON.

mod common;
use chitieu_core::Decimal;
use chitieu_core::ntm::NtmLevel;
use chitieu_core::task::{TaskField, TaskStatus};
use chitieu_report::render::{Format, markdown::markdown, typst_src::typst_source};
use chitieu_report::tasks::{NtmSection, NtmShortfall, TaskLine, TaskSection};
use chitieu_report::{Report, render};
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn line(text: &str, field: TaskField, deadline: &str, status: TaskStatus) -> TaskLine {
    TaskLine {
        text: text.into(),
        field,
        lead: "huyện Bắc Sơn".into(),
        deadline: format!("hết {deadline}"),
        deadline_date: day("2022-06-30"),
        status,
        completed_on: status.is_completed().then(|| day("2022-06-20")),
    }
}

fn with_sections() -> Report {
    let mut r = common::bac_son_2022_h1();
    let tasks = vec![
        line(
            "đẩy nhanh tiến độ các công trình đầu tư công",
            TaskField::Economy,
            "6 tháng đầu năm 2022",
            TaskStatus::Completed,
        ),
        line(
            "rà soát, bổ sung quy hoạch cán bộ",
            TaskField::PartyBuilding,
            "6 tháng đầu năm 2022",
            TaskStatus::Overdue,
        ),
    ];
    r.tasks = Some(TaskSection {
        counts: chitieu_core::task::TaskCounts {
            total: 2,
            completed: 1,
            overdue: 1,
            ..Default::default()
        },
        by_field: vec![
            (
                TaskField::Economy,
                chitieu_core::task::TaskCounts {
                    total: 1,
                    completed: 1,
                    ..Default::default()
                },
            ),
            (
                TaskField::PartyBuilding,
                chitieu_core::task::TaskCounts {
                    total: 1,
                    overdue: 1,
                    ..Default::default()
                },
            ),
        ],
        tasks,
        cut_off: None,
        not_yet_due: vec![],
        next_label: "6 tháng cuối năm 2022".into(),
        next: vec![line(
            "đẩy mạnh chuyển đổi số",
            TaskField::Economy,
            "6 tháng cuối năm 2022",
            TaskStatus::NotStarted,
        )],
    });
    r.ntm = Some(NtmSection {
        year: 2022,
        set: "318-2021".into(),
        level: NtmLevel::Standard,
        communes: 17,
        meeting: 8,
        average: Decimal::from(243) / Decimal::from(17),
        shortfall: vec![NtmShortfall {
            number: 13,
            name: "Tổ chức sản xuất và phát triển kinh tế nông thôn".into(),
            communes: vec!["xã Vũ Lăng".into(), "xã Tân Tri".into()],
        }],
        unrecorded: vec![],
    });
    r
}

#[test]
fn markdown_and_typst_carry_the_parts_and_renumber() {
    let r = with_sections();
    let md = markdown(&r);
    for want in [
        "### III. KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM",
        "### IV. HẠN CHẾ VÀ NGUYÊN NHÂN",
        "### V. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022",
        "### VI. KIẾN NGHỊ, ĐỀ XUẤT",
        "Trong 6 tháng đầu năm 2022, huyện có 2 nhiệm vụ trọng tâm cần hoàn thành trong kỳ; hoàn thành 1/2 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn.",
        "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: rà soát, bổ sung quy hoạch cán bộ",
        "Nhiệm vụ trọng tâm 6 tháng cuối năm 2022:",
        "1. Đẩy mạnh chuyển đổi số (huyện Bắc Sơn; thời hạn: hết 6 tháng cuối năm 2022).",
        "toàn huyện có 8/17 xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt 14,3 tiêu chí.",
    ] {
        assert!(md.contains(want), "missing «{want}» in:\n{md}");
    }
    // The NTM sentence sits in the economy part, before the social one.
    let ntm_at = md
        .find("8/17 xã đạt chuẩn nông thôn mới; bình quân")
        .unwrap();
    let social_at = md.find("2. Về văn hóa - xã hội").unwrap();
    assert!(ntm_at < social_at);
    // With the next period's tasks listed, the empty "phương hướng" block shows no placeholder.
    let next_part = &md[md.find("### V.").unwrap()..md.find("### VI.").unwrap()];
    assert!(!next_part.contains("[Nội dung"), "{next_part}");
    let typ = typst_source(&r, &[]);
    assert!(typ.contains("III. KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM"));
    assert!(typ.contains("bình quân mỗi xã đạt 14,3 tiêu chí"));
}

#[test]
fn without_tasks_the_parts_keep_their_numbers() {
    let r = common::bac_son_2022_h1();
    let md = markdown(&r);
    assert!(md.contains("### III. HẠN CHẾ VÀ NGUYÊN NHÂN"), "{md}");
    assert!(!md.contains("NHIỆM VỤ TRỌNG TÂM"), "{md}");
    assert!(!md.contains("rà soát tiêu chí"), "{md}");
}

#[test]
fn xlsx_has_task_and_ntm_sheets() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = render(&with_sections(), Format::Xlsx).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let tasks = wb.worksheet_range("Nhiệm vụ").unwrap();
    let row = tasks
        .rows()
        .find(|r| r.get(1) == Some(&Data::String("Rà soát, bổ sung quy hoạch cán bộ".into())))
        .expect("the overdue task");
    assert_eq!(
        row[2],
        Data::String("Xây dựng Đảng và hệ thống chính trị".into())
    );
    assert_eq!(row[5], Data::String("Quá hạn".into()));
    assert!(tasks.rows().any(|r| r.first()
        == Some(&Data::String(
            "Nhiệm vụ trọng tâm 6 tháng cuối năm 2022".into()
        ))));
    let ntm = wb.worksheet_range("Nông thôn mới").unwrap();
    let val = |label: &str| {
        ntm.rows()
            .find(|r| r.first() == Some(&Data::String(label.into())))
            .map(|r| r[1].clone())
    };
    assert_eq!(val("Số xã"), Some(Data::Float(17.0)));
    assert_eq!(val("Số xã đạt chuẩn nông thôn mới"), Some(Data::Float(8.0)));
    assert_eq!(
        val("Bình quân số tiêu chí đạt mỗi xã"),
        Some(Data::Float(14.3))
    );
}

#[test]
fn the_parts_are_kept_in_the_stored_json() {
    let r = with_sections();
    let back = Report::from_json(&r.to_json().unwrap()).unwrap();
    assert_eq!(back, r);
    // A report stored before these parts existed still reads, without them.
    let mut old: serde_json::Value =
        serde_json::from_str(&common::bac_son_2022_h1().to_json().unwrap()).unwrap();
    let obj = old.as_object_mut().unwrap();
    assert!(!obj.contains_key("tasks") && !obj.contains_key("ntm"));
    obj.remove("tasks");
    let back = Report::from_json(&old.to_string()).unwrap();
    assert!(back.tasks.is_none() && back.ntm.is_none());
}

/// A report dated before the period's end: the tasks due later in the period are not yet
/// due, in Markdown (their own sentence and status) and in XLSX (their own block), and kept in
/// the stored JSON; a task section stored before the cut-off existed still reads.
#[test]
fn tasks_not_yet_due_are_shown_apart_in_each_format() {
    use calamine::{Data, Reader, Xlsx};
    let mut r = with_sections();
    let mut later = line(
        "tổ chức hội nghị sơ kết",
        TaskField::PartyBuilding,
        "6 tháng đầu năm 2022",
        TaskStatus::InProgress,
    );
    later.deadline_date = day("2022-06-30");
    if let Some(ts) = r.tasks.as_mut() {
        ts.cut_off = Some(day("2022-06-20"));
        ts.not_yet_due = vec![later];
    }
    let md = markdown(&r);
    for want in [
        "Trong 6 tháng đầu năm 2022, tính đến ngày 20/06/2022, huyện có 2 nhiệm vụ trọng tâm đã đến hạn hoàn thành; hoàn thành 1/2 nhiệm vụ, đúng hạn 1; 1 nhiệm vụ quá hạn.",
        "Ngoài ra, 1 nhiệm vụ có thời hạn sau ngày 20/06/2022 chưa đến hạn: 1 nhiệm vụ đang thực hiện.",
        "3. Tổ chức hội nghị sơ kết (huyện Bắc Sơn; thời hạn: hết 6 tháng đầu năm 2022): đang thực hiện, chưa đến hạn.",
        "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: rà soát, bổ sung quy hoạch cán bộ",
    ] {
        assert!(md.contains(want), "missing «{want}» in:\n{md}");
    }
    assert!(!md.contains("cần hoàn thành trong kỳ"), "{md}");

    let bytes = render(&r, Format::Xlsx).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let tasks = wb.worksheet_range("Nhiệm vụ").unwrap();
    assert!(tasks.rows().any(|row| {
        row.first()
        == Some(&Data::String(
            "Nhiệm vụ trọng tâm 6 tháng đầu năm 2022 chưa đến hạn (thời hạn sau ngày 20/06/2022)"
                .into()
        ))
    }));
    let row = tasks
        .rows()
        .find(|row| row.get(1) == Some(&Data::String("Tổ chức hội nghị sơ kết".into())))
        .expect("the task not yet due");
    assert_eq!(row[5], Data::String("Đang thực hiện, chưa đến hạn".into()));

    let back = Report::from_json(&r.to_json().unwrap()).unwrap();
    assert_eq!(back, r);
    let mut old: serde_json::Value =
        serde_json::from_str(&with_sections().to_json().unwrap()).unwrap();
    let ts = old["tasks"].as_object_mut().unwrap();
    ts.remove("cut_off");
    ts.remove("not_yet_due");
    let back = Report::from_json(&old.to_string()).unwrap();
    let ts = back.tasks.unwrap();
    assert_eq!((ts.cut_off, ts.not_yet_due.len()), (None, 0));
}
