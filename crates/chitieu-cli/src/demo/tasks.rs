//! The demo's key tasks and new-rural picture.
//!
//! The tasks are the ones the seed articles name, quoted, each citing its article. Their
//! progress reports, confirmations and returns are sample data ("dữ liệu mẫu"). Huyện Bắc
//! Sơn's tasks of the first half of 2022 — which article 000 does not list, only their results —
//! are sample data too, each citing the result the article reports for it, so that the 2022-H1
//! review report has key-task results to show. The NTM picture
//! of huyện Bắc Sơn's 17 communes in mid-2022 adds up to what article 000 reports — "8/17 xã
//! đạt chuẩn NTM; bình quân mỗi xã đạt 14,3 tiêu chí" — with per-commune states that are
//! sample data, labelled as such.

use super::{A000, A003, A004, SAMPLE};
use anyhow::{Context, Result, bail};
use chitieu_core::admin::{UnitId, UnitKind};
use chitieu_core::figure::Provenance;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::ntm::{
    CommuneCriteria, CriterionState, Evidence, NtmLevel, NtmSummary, builtin_set,
};
use chitieu_core::period::Period;
use chitieu_core::target::Comparator;
use chitieu_core::task::{
    Deadline, ExpectedOutput, ProgressReport, Review, Task, TaskEvent, TaskField, TaskStatus,
};
use chitieu_store::{NtmStore, Store, TaskStore};
use chrono::NaiveDate;
use std::str::FromStr;

/// What happens to a demo task (sample data).
enum Story {
    /// No report at all.
    Silent,
    /// Reported in progress on the day.
    InProgress(&'static str),
    /// Reported done on the day, then confirmed by the office on the second.
    DoneConfirmed(&'static str, &'static str),
    /// Reported done on the day; not yet confirmed.
    Done(&'static str),
    /// Reported done on the day, returned by the office on the second with a reason.
    Returned(&'static str, &'static str, &'static str),
}

struct DemoTask {
    article: &'static str,
    text: &'static str,
    field: TaskField,
    lead: UnitId,
    deadline: Deadline,
    output: ExpectedOutput,
    source: &'static str,
    story: Story,
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::from_str(s).with_context(|| format!("bad demo date {s}"))
}

fn period(s: &str) -> Result<Period> {
    Period::from_str(s).with_context(|| format!("bad demo period {s}"))
}

fn doc(title: &str) -> ExpectedOutput {
    ExpectedOutput::Document {
        title: title.into(),
    }
}

fn project(name: &str) -> ExpectedOutput {
    ExpectedOutput::Project { name: name.into() }
}

fn sample_note(what: &str) -> String {
    format!("{what} — {SAMPLE}")
}

/// What [`build`] added, for the demo's summary.
pub struct Loaded {
    /// Key tasks.
    pub tasks: usize,
    /// Communes with a new-rural criteria record.
    pub ntm_communes: usize,
}

/// Adds the seed articles' tasks, huyện Bắc Sơn's tasks of the first half of 2022 and the
/// Bắc Sơn NTM picture to an initialised store.
pub fn build(store: &mut (impl Store + TaskStore + NtmStore), actor: &str) -> Result<Loaded> {
    let bac_son = store
        .resolve_unit("huyện Bắc Sơn, tỉnh Lạng Sơn", date("2022-06-15")?)?
        .unit;
    let huu_lung = store
        .resolve_unit("huyện Hữu Lũng, tỉnh Lạng Sơn", date("2023-04-07")?)?
        .unit;
    let huong_son = store
        .resolve_unit("huyện Hương Sơn, tỉnh Hà Tĩnh", date("2020-06-26")?)?
        .unit;
    let q2_2023 = Deadline::PeriodEnd {
        period: period("2023-Q2")?,
    };
    let h2_2022 = Deadline::PeriodEnd {
        period: period("2022-H2")?,
    };
    let h2_2020 = Deadline::PeriodEnd {
        period: period("2020-H2")?,
    };
    let hl_source = "Kỳ họp lần thứ 15 Ban Chấp hành Đảng bộ huyện Hữu Lũng (7/4/2023)";
    let bs_source = "Hội nghị Ban Chấp hành Đảng bộ huyện Bắc Sơn lần thứ 12 (15/6/2022)";
    let hs_source =
        "Hội nghị sơ kết 6 tháng đầu năm 2020 của Ban Thường vụ Huyện ủy Hương Sơn (26/6/2020)";
    let tasks = vec![
        DemoTask {
            article: A003,
            text: "tập trung chỉ đạo, điều hành các giải pháp đẩy mạnh công tác thu ngân sách",
            field: TaskField::Economy,
            lead: huu_lung,
            deadline: Deadline::PeriodEnd {
                period: period("2023")?,
            },
            output: ExpectedOutput::FigureTarget {
                indicator: IndicatorCode::new("budget_revenue")?,
                comparator: Comparator::AtLeast {
                    value: rust_decimal::Decimal::from(145_880_000_000_i64),
                },
            },
            source: hl_source,
            story: Story::InProgress("2023-06-30"),
        },
        DemoTask {
            article: A003,
            text: "tiếp tục tháo gỡ vướng mắc trong công tác giải phóng mặt bằng đối với các công trình dự án, nhất là dự án có phạm vi giải phóng mặt bằng lớn và còn vướng mắc",
            field: TaskField::Economy,
            lead: huu_lung,
            deadline: q2_2023,
            output: project("bàn giao mặt bằng các dự án còn vướng mắc"),
            source: hl_source,
            story: Story::Returned(
                "2023-06-26",
                "2023-06-29",
                "còn 2 dự án chưa bàn giao mặt bằng",
            ),
        },
        DemoTask {
            article: A003,
            text: "chỉ đạo triển khai thực hiện tốt nhiệm vụ năm học 2022 – 2023",
            field: TaskField::CultureSociety,
            lead: huu_lung,
            deadline: q2_2023,
            output: doc("báo cáo tổng kết năm học 2022 – 2023"),
            source: hl_source,
            story: Story::DoneConfirmed("2023-06-05", "2023-06-09"),
        },
        DemoTask {
            article: A003,
            text: "thực hiện đầy đủ, kịp thời các chính sách đảm bảo an sinh xã hội",
            field: TaskField::CultureSociety,
            lead: huu_lung,
            deadline: q2_2023,
            output: doc("báo cáo kết quả thực hiện chính sách an sinh xã hội quý II/2023"),
            source: hl_source,
            story: Story::Done("2023-06-30"),
        },
        DemoTask {
            article: A003,
            text: "thực hiện tốt công tác giáo dục chính trị tư tưởng trong đội ngũ cán bộ, đảng viên",
            field: TaskField::PartyBuilding,
            lead: huu_lung,
            deadline: q2_2023,
            output: doc("kế hoạch giáo dục chính trị tư tưởng năm 2023"),
            source: hl_source,
            story: Story::DoneConfirmed("2023-07-10", "2023-07-12"),
        },
        DemoTask {
            article: A003,
            text: "chỉ đạo các cấp uỷ, tổ chức đảng nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và đảng viên",
            field: TaskField::PartyBuilding,
            lead: huu_lung,
            deadline: q2_2023,
            output: doc("báo cáo đánh giá chất lượng tổ chức cơ sở đảng"),
            source: hl_source,
            story: Story::Silent,
        },
        DemoTask {
            article: A000,
            text: "Tiếp tục tăng cường vận động Nhân dân chung tay xây dựng nông thôn mới",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: h2_2022,
            output: project("thêm xã đạt chuẩn nông thôn mới năm 2022"),
            source: bs_source,
            story: Story::InProgress("2022-09-30"),
        },
        DemoTask {
            article: A000,
            text: "đẩy nhanh tiến độ các công trình đầu tư công",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: h2_2022,
            output: project("36 công trình khởi công mới năm 2022"),
            source: bs_source,
            story: Story::DoneConfirmed("2022-12-28", "2023-01-06"),
        },
        DemoTask {
            article: A000,
            text: "đẩy mạnh cải cách thủ tục hành chính, phát huy vai trò của người đứng đầu trong cải thiện môi trường đầu tư kinh doanh",
            field: TaskField::PartyBuilding,
            lead: bac_son,
            deadline: h2_2022,
            output: doc("kế hoạch cải cách hành chính năm 2022"),
            source: bs_source,
            story: Story::DoneConfirmed("2022-11-15", "2022-11-20"),
        },
        DemoTask {
            article: A000,
            text: "đẩy mạnh chuyển đổi số",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: h2_2022,
            output: doc("đề án chuyển đổi số huyện Bắc Sơn"),
            source: bs_source,
            story: Story::InProgress("2022-10-15"),
        },
        DemoTask {
            article: A004,
            text: "Triển khai phương án phòng chống lụt bão năm 2020",
            field: TaskField::DefenceSecurity,
            lead: huong_son,
            deadline: Deadline::Date {
                date: date("2020-07-31")?,
            },
            output: doc("phương án phòng chống lụt bão năm 2020"),
            source: hs_source,
            story: Story::DoneConfirmed("2020-07-15", "2020-07-20"),
        },
        DemoTask {
            article: A004,
            text: "Đẩy mạnh tuần tra, kiểm soát đảm bảo trật tự ATGT, ANTT trên địa bàn",
            field: TaskField::DefenceSecurity,
            lead: huong_son,
            deadline: h2_2020,
            output: doc("báo cáo kết quả tuần tra, kiểm soát 6 tháng cuối năm 2020"),
            source: hs_source,
            story: Story::DoneConfirmed("2020-12-20", "2020-12-28"),
        },
        DemoTask {
            article: A004,
            text: "Tăng cường công tác bảo vệ rừng",
            field: TaskField::Economy,
            lead: huong_son,
            deadline: h2_2020,
            output: doc("báo cáo công tác bảo vệ rừng năm 2020"),
            source: hs_source,
            story: Story::Done("2021-01-08"),
        },
    ];
    let mut added = 0;
    for t in tasks {
        let task = Task {
            text: t.text.into(),
            field: t.field,
            lead: t.lead,
            cooperating: vec![],
            deadline: t.deadline,
            output: t.output,
            source: t.source.into(),
            period: match t.deadline {
                Deadline::PeriodEnd { period } => Some(period),
                Deadline::Date { .. } => None,
            },
            provenance: Provenance::Generated {
                note: format!("{}: “{}”", t.article, t.text),
            },
        };
        add(store, &task, &t.story, actor)?;
        added += 1;
    }
    added += bac_son_first_half_2022(store, bac_son, actor)?;
    let communes = ntm_bac_son(store, bac_son, actor)?;
    Ok(Loaded {
        tasks: added,
        ntm_communes: communes,
    })
}

/// Adds one demo task and its story (progress reports and the office's decisions).
fn add(store: &mut impl TaskStore, task: &Task, story: &Story, actor: &str) -> Result<()> {
    let id = store.add_task(task, actor)?;
    let report = |on: &str, status, note: &str| -> Result<TaskEvent> {
        Ok(TaskEvent::Report(ProgressReport {
            reported_on: date(on)?,
            status,
            completed_on: None,
            note: sample_note(note),
        }))
    };
    let mut events = Vec::new();
    match *story {
        Story::Silent => {}
        Story::InProgress(on) => {
            events.push(report(on, TaskStatus::InProgress, "đang triển khai")?)
        }
        Story::Done(on) => events.push(report(on, TaskStatus::Completed, "đã hoàn thành")?),
        Story::DoneConfirmed(on, confirmed) => {
            events.push(report(on, TaskStatus::Completed, "đã hoàn thành")?);
            events.push(TaskEvent::Review(Review::Confirm {
                on: date(confirmed)?,
                note: sample_note("xác nhận hoàn thành"),
            }));
        }
        Story::Returned(on, returned, reason) => {
            events.push(report(on, TaskStatus::Completed, "đã hoàn thành")?);
            events.push(TaskEvent::Review(Review::Return {
                on: date(returned)?,
                reason: sample_note(reason),
            }));
        }
    }
    for e in &events {
        let unit = match e {
            TaskEvent::Report(_) => Some(task.lead),
            TaskEvent::Review(_) => None,
        };
        store.add_task_event(id, e, unit, actor)?;
    }
    Ok(())
}

/// A task of huyện Bắc Sơn's first half of 2022 (sample data): what the district set itself
/// for the half year, written to match what article 000 says it achieved.
struct FirstHalfTask {
    text: &'static str,
    field: TaskField,
    lead: UnitId,
    deadline: Deadline,
    output: ExpectedOutput,
    /// The article's words for the result the task corresponds to, when it reports one.
    result: Option<&'static str>,
    story: Story,
}

/// Huyện Bắc Sơn's key tasks of the first half of 2022, so that the 6-month review of
/// 15/6/2022 has results to report. Article 000 names only the tasks for the second half; these
/// are sample data, each one that matches a result the article reports citing it. On 15/6/2022
/// (the review conference) the 12 stand at: 9 hoàn thành on time (8 confirmed by the office,
/// 1 awaiting confirmation), 1 hoàn thành quá hạn, 1 quá hạn (in progress past its deadline)
/// and 1 chưa triển khai (due 30/6) — "hoàn thành 10/12 nhiệm vụ, đúng hạn 9". One is led by a
/// commune (xã Chiêu Vũ), the rest by the huyện. Returns how many were added.
fn bac_son_first_half_2022(
    store: &mut (impl Store + TaskStore),
    bac_son: UnitId,
    actor: &str,
) -> Result<usize> {
    let chieu_vu = store
        .resolve_unit(
            "xã Chiêu Vũ, huyện Bắc Sơn, tỉnh Lạng Sơn",
            date("2022-06-15")?,
        )?
        .unit;
    let h1 = period("2022-H1")?;
    let end_h1 = Deadline::PeriodEnd { period: h1 };
    let on = |s: &str| -> Result<Deadline> { Ok(Deadline::Date { date: date(s)? }) };
    let tasks = vec![
        FirstHalfTask {
            text: "Chỉ đạo gieo trồng vụ Xuân năm 2022 bảo đảm diện tích, khung thời vụ theo kế hoạch",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: on("2022-04-30")?,
            output: doc("báo cáo kết quả sản xuất vụ Xuân năm 2022"),
            result: Some(
                "sản xuất nông lâm nghiệp 6 tháng đầu năm cơ bản đảm bảo tiến độ theo kế hoạch đề ra",
            ),
            story: Story::DoneConfirmed("2022-04-28", "2022-05-06"),
        },
        FirstHalfTask {
            text: "Tập trung các giải pháp thu ngân sách, phấn đấu thu 6 tháng đầu năm đạt trên 50% dự toán tỉnh giao",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: end_h1,
            output: doc("báo cáo kết quả thu ngân sách 6 tháng đầu năm 2022"),
            result: Some("thu ngân sách đạt trên 25 tỷ đồng, đạt 80% dự toán tỉnh giao"),
            story: Story::Done("2022-06-10"),
        },
        FirstHalfTask {
            text: "Hoàn thành giải phóng mặt bằng, khởi công các công trình khởi công mới năm 2022 theo kế hoạch",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: on("2022-05-31")?,
            output: project("giải phóng mặt bằng các công trình khởi công mới năm 2022"),
            result: Some("đã khởi công 11/36 công trình khởi công mới"),
            story: Story::InProgress("2022-06-10"),
        },
        FirstHalfTask {
            text: "Rà soát, đánh giá mức đạt các tiêu chí nông thôn mới của 17 xã theo Bộ tiêu chí giai đoạn 2021 – 2025",
            field: TaskField::Economy,
            lead: bac_son,
            deadline: on("2022-05-31")?,
            output: doc("báo cáo rà soát tiêu chí nông thôn mới năm 2022"),
            result: Some(
                "đến nay đã có 8/17 xã đạt chuẩn NTM; bình quân mỗi xã đạt 14,3 tiêu chí/01 xã",
            ),
            story: Story::DoneConfirmed("2022-05-27", "2022-06-03"),
        },
        FirstHalfTask {
            text: "Xây dựng kế hoạch hoàn thiện các tiêu chí nông thôn mới còn thiếu, phấn đấu đạt chuẩn nông thôn mới năm 2022",
            field: TaskField::Economy,
            lead: chieu_vu,
            deadline: on("2022-03-31")?,
            output: doc("kế hoạch xây dựng xã Chiêu Vũ đạt chuẩn nông thôn mới năm 2022"),
            result: None,
            story: Story::DoneConfirmed("2022-03-25", "2022-04-04"),
        },
        FirstHalfTask {
            text: "Thực hiện đầy đủ, kịp thời các chính sách an sinh xã hội, chăm lo đời sống Nhân dân dịp Tết Nguyên đán Nhâm Dần",
            field: TaskField::CultureSociety,
            lead: bac_son,
            deadline: on("2022-01-31")?,
            output: doc("báo cáo kết quả thăm, tặng quà dịp Tết Nguyên đán Nhâm Dần 2022"),
            result: Some("an sinh xã hội được đảm bảo"),
            story: Story::DoneConfirmed("2022-01-28", "2022-02-10"),
        },
        FirstHalfTask {
            text: "Thực hiện có hiệu quả công tác phòng, chống dịch COVID-19; hoàn thành tiêm vắc xin cho các đối tượng theo kế hoạch",
            field: TaskField::CultureSociety,
            lead: bac_son,
            deadline: end_h1,
            output: doc("báo cáo công tác phòng, chống dịch COVID-19 6 tháng đầu năm 2022"),
            result: Some("công tác phòng chống dịch bệnh được thực hiện có hiệu quả"),
            story: Story::DoneConfirmed("2022-06-08", "2022-06-13"),
        },
        FirstHalfTask {
            text: "Tổng kết năm học 2021 – 2022; hoàn thành xét công nhận tốt nghiệp trung học cơ sở",
            field: TaskField::CultureSociety,
            lead: bac_son,
            deadline: on("2022-05-31")?,
            output: doc("báo cáo tổng kết năm học 2021 – 2022"),
            result: None,
            story: Story::Done("2022-06-07"),
        },
        FirstHalfTask {
            text: "Hoàn thành công tác tuyển chọn và gọi công dân nhập ngũ năm 2022",
            field: TaskField::DefenceSecurity,
            lead: bac_son,
            deadline: on("2022-02-28")?,
            output: doc("báo cáo kết quả tuyển quân năm 2022"),
            result: None,
            story: Story::DoneConfirmed("2022-02-18", "2022-02-25"),
        },
        FirstHalfTask {
            text: "Nắm chắc tình hình, giữ vững an ninh chính trị, trật tự an toàn xã hội trên địa bàn",
            field: TaskField::DefenceSecurity,
            lead: bac_son,
            deadline: end_h1,
            output: doc(
                "báo cáo tình hình an ninh chính trị, trật tự an toàn xã hội 6 tháng đầu năm 2022",
            ),
            result: Some("Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững"),
            story: Story::DoneConfirmed("2022-06-10", "2022-06-14"),
        },
        FirstHalfTask {
            text: "Củng cố, kiện toàn tổ chức bộ máy của hệ thống chính trị; đổi mới công tác chỉ đạo, điều hành của cấp ủy, chính quyền",
            field: TaskField::PartyBuilding,
            lead: bac_son,
            deadline: end_h1,
            output: doc("báo cáo kết quả củng cố, kiện toàn hệ thống chính trị"),
            result: Some(
                "Hệ thống chính trị được củng cố, kiện toàn, công tác chỉ đạo điều hành của cấp uỷ, chính quyền từng bước được đổi mới",
            ),
            story: Story::DoneConfirmed("2022-06-06", "2022-06-10"),
        },
        FirstHalfTask {
            text: "Tổ chức học tập, quán triệt, triển khai Nghị quyết Hội nghị lần thứ năm Ban Chấp hành Trung ương Đảng khóa XIII",
            field: TaskField::PartyBuilding,
            lead: bac_son,
            deadline: on("2022-06-30")?,
            output: doc("kế hoạch thực hiện Nghị quyết Hội nghị Trung ương 5 khóa XIII"),
            result: None,
            story: Story::Silent,
        },
    ];
    let programme = "Chương trình công tác 6 tháng đầu năm 2022 của Ban Thường vụ Huyện ủy Bắc Sơn";
    let n = tasks.len();
    for t in tasks {
        let (source, note) = match t.result {
            Some(r) => (
                format!("{programme} ({SAMPLE}); kết quả được nêu trong {A000}: “{r}”"),
                format!(
                    "{SAMPLE}: nhiệm vụ 6 tháng đầu năm 2022, ứng với kết quả {A000} nêu: “{r}”"
                ),
            ),
            None => (
                format!("{programme} ({SAMPLE})"),
                format!("{SAMPLE}: nhiệm vụ 6 tháng đầu năm 2022, bài báo không nêu kết quả này"),
            ),
        };
        let task = Task {
            text: t.text.into(),
            field: t.field,
            lead: t.lead,
            cooperating: vec![],
            deadline: t.deadline,
            output: t.output,
            source,
            period: Some(h1),
            provenance: Provenance::Generated { note },
        };
        add(store, &task, &t.story, actor)?;
    }
    Ok(n)
}

/// The criteria a commune short of some is most often short of, hardest first (sample order).
const HARDEST: [u32; 19] = [
    17, 13, 10, 11, 5, 12, 2, 9, 15, 14, 6, 8, 3, 16, 18, 19, 1, 4, 7,
];

/// Bắc Sơn's 17 communes in mid-2022: 8 meet all 19 criteria of Quyết định 318; the other
/// nine meet 13, 12, 11, 10, 10, 9, 9, 9 and 8 — 243 criteria in all, 14,29… ≈ 14,3 a commune,
/// as article 000 reports. Which commune meets which criterion is sample data.
fn ntm_bac_son(store: &mut (impl Store + NtmStore), bac_son: UnitId, actor: &str) -> Result<usize> {
    let on = date("2022-06-15")?;
    let set = builtin_set("318-2021")?;
    let mut communes: Vec<_> = store
        .children_on(bac_son, on)?
        .into_iter()
        .filter(|v| v.kind == UnitKind::Xa)
        .collect();
    communes.sort_by(|a, b| a.name.cmp(&b.name));
    if communes.len() != 17 {
        bail!(
            "the demo expects huyện Bắc Sơn's 17 communes on 15/6/2022, found {}",
            communes.len()
        );
    }
    let counts: [u32; 17] = [
        19, 13, 19, 12, 19, 11, 19, 10, 19, 10, 19, 9, 19, 9, 19, 9, 8,
    ];
    let evidence = format!(
        "{SAMPLE}; tổng khớp với {A000}: “đến nay đã có 8/17 xã đạt chuẩn NTM; bình quân mỗi xã đạt 14,3 tiêu chí/01 xã”"
    );
    let records: Vec<CommuneCriteria> = communes
        .iter()
        .zip(counts)
        .map(|(c, met)| {
            let short = &HARDEST[..(19 - met) as usize];
            CommuneCriteria {
                commune: c.unit,
                year: 2022,
                set: set.id.clone(),
                level: NtmLevel::Standard,
                states: (1..=19)
                    .map(|n| CriterionState {
                        criterion: n,
                        met: !short.contains(&n),
                        evidence: Evidence {
                            text: evidence.clone(),
                            document: None,
                            figure: None,
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let ids: Vec<UnitId> = communes.iter().map(|c| c.unit).collect();
    let check = NtmSummary::derive(&set, NtmLevel::Standard, 2022, &ids, &records);
    if check.ratio_vi() != "8/17" || check.average_vi() != "14,3" {
        bail!(
            "the demo's NTM sample gives {} and {}, not the article's 8/17 and 14,3",
            check.ratio_vi(),
            check.average_vi()
        );
    }
    store.set_ntm_states(&records, actor)?;
    Ok(records.len())
}
