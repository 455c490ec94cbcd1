//! The sentences written from the data, for every status and kind of measure, against the
//! expected Vietnamese.

mod common;
use chitieu_core::target::PlanKind;
use chitieu_report::Field;
use chitieu_report::narrative::{indicator_sentence, summary_sentence, title};
use common::{R, d, p, report_with, ty};

fn sentence(r: R, period: &str) -> String {
    let row = r.build(&p(period));
    indicator_sentence(&[&row], &p(period), "huyện")
}

#[test]
fn sentences_for_every_status_and_measure() {
    let budget = || {
        R::new("budget_revenue", "Thu ngân sách trên địa bàn", "VND")
            .plan(PlanKind::ProvinceEstimate)
    };
    let cases: Vec<(R, &str, &str)> = vec![
        // The example: an estimate, % of the province's estimate, change on last year.
        (
            budget()
                .target(ty("31.25"))
                .actual(ty("25"))
                .estimate()
                .previous(ty("22.2222222")),
            "2022-H1",
            "Thu ngân sách trên địa bàn ước đạt 25,0 tỷ đồng, bằng 80,0% dự toán tỉnh giao, tăng 12,5% so với cùng kỳ năm 2021, vượt tiến độ kế hoạch năm.",
        ),
        // Part of the year: on track, behind, far behind.
        (
            budget().target(ty("50")).actual(ty("25")),
            "2022-H1",
            "Thu ngân sách trên địa bàn đạt 25,0 tỷ đồng, bằng 50,0% dự toán tỉnh giao, đảm bảo tiến độ kế hoạch năm.",
        ),
        (
            budget().target(ty("52")).actual(ty("24")),
            "2022-H1",
            "Thu ngân sách trên địa bàn đạt 24,0 tỷ đồng, bằng 46,2% dự toán tỉnh giao, chậm so với tiến độ kế hoạch năm.",
        ),
        (
            budget()
                .target(ty("80"))
                .actual(ty("21"))
                .previous(ty("24")),
            "2022-H1",
            "Thu ngân sách trên địa bàn đạt 21,0 tỷ đồng, bằng 26,3% dự toán tỉnh giao, giảm 12,5% so với cùng kỳ năm 2021, chậm so với tiến độ kế hoạch năm, có nguy cơ không đạt chỉ tiêu.",
        ),
        // A whole year: vượt, đạt, cơ bản đạt, không đạt.
        (
            budget()
                .whole("2020")
                .target(ty("32.888"))
                .actual(ty("43.248"))
                .previous(ty("38.72")),
            "2020",
            "Thu ngân sách trên địa bàn đạt 43,248 tỷ đồng, bằng 131,5% dự toán tỉnh giao, tăng 11,7% so với năm 2019, vượt chỉ tiêu đề ra.",
        ),
        (
            budget()
                .whole("2020")
                .target(ty("40"))
                .actual(ty("40"))
                .previous(ty("40")),
            "2020",
            "Thu ngân sách trên địa bàn đạt 40,0 tỷ đồng, bằng 100,0% dự toán tỉnh giao, bằng năm 2019, đạt chỉ tiêu đề ra.",
        ),
        (
            budget().whole("2020").target(ty("40")).actual(ty("38")),
            "2020",
            "Thu ngân sách trên địa bàn đạt 38,0 tỷ đồng, bằng 95,0% dự toán tỉnh giao, cơ bản đạt chỉ tiêu đề ra.",
        ),
        (
            budget().whole("2020").target(ty("40")).actual(ty("30")),
            "2020",
            "Thu ngân sách trên địa bàn đạt 30,0 tỷ đồng, bằng 75,0% dự toán tỉnh giao, không đạt chỉ tiêu đề ra.",
        ),
        // No figure.
        (
            budget().target(ty("40")),
            "2022-H1",
            "Thu ngân sách trên địa bàn: chưa có số liệu 6 tháng đầu năm 2022 (chỉ tiêu năm 2022: 40,0 tỷ đồng).",
        ),
        // Tonnes in nghìn tấn; hectares whole.
        (
            R::new("grain_output", "Sản lượng lương thực có hạt", "t")
                .target(d("35000"))
                .actual(d("17200"))
                .estimate(),
            "2022-H1",
            "Sản lượng lương thực có hạt ước đạt 17,2 nghìn tấn, bằng 49,1% chỉ tiêu Nghị quyết, chậm so với tiến độ kế hoạch năm.",
        ),
        (
            R::new("sown_area", "Tổng diện tích gieo trồng", "ha")
                .plan(PlanKind::Other)
                .target(d("6250"))
                .actual(d("6000"))
                .whole("2022-H1"),
            "2022-H1",
            "Tổng diện tích gieo trồng đạt 6.000 ha, bằng 96,0% kế hoạch, cơ bản đạt chỉ tiêu đề ra.",
        ),
        // Counts of units: "8/17 xã", the change in units.
        (
            R::new("ntm_communes", "Số xã đạt chuẩn nông thôn mới", "xã")
                .target(d("9"))
                .actual(d("8"))
                .previous(d("7"))
                .units_of(17),
            "2022-H1",
            "Toàn huyện có 8/17 xã đạt chuẩn nông thôn mới (chỉ tiêu năm 2022: 9 xã), tăng 1 xã so với cùng kỳ năm 2021, chưa đạt chỉ tiêu năm.",
        ),
        (
            R::new("ntm_communes", "Số xã đạt chuẩn nông thôn mới", "xã")
                .target(d("8"))
                .actual(d("8"))
                .units_of(17),
            "2022-H1",
            "Toàn huyện có 8/17 xã đạt chuẩn nông thôn mới (chỉ tiêu năm 2022: 8 xã), đã đạt chỉ tiêu năm.",
        ),
        // Counts of things.
        (
            R::new(
                "public_investment_projects_started",
                "Số công trình đầu tư công khởi công mới",
                "công trình",
            )
            .target(d("36"))
            .actual(d("11")),
            "2022-H1",
            "Toàn huyện có 11 công trình đầu tư công khởi công mới, bằng 30,6% chỉ tiêu Nghị quyết, chậm so với tiến độ kế hoạch năm, có nguy cơ không đạt chỉ tiêu.",
        ),
        // Lower is better: "giảm còn", "tăng lên", "còn" when last year is unknown.
        (
            R::new("poverty_rate", "Tỷ lệ hộ nghèo", "%")
                .level()
                .down()
                .at_most(d("13"))
                .actual(d("12.3"))
                .estimate()
                .previous(d("13.5")),
            "2022-H1",
            "Tỷ lệ hộ nghèo ước giảm còn 12,3% (chỉ tiêu năm 2022: không quá 13%), giảm 1,2 điểm phần trăm so với cùng kỳ năm 2021, đã vượt chỉ tiêu năm.",
        ),
        (
            R::new("poverty_rate", "Tỷ lệ hộ nghèo", "%")
                .level()
                .down()
                .at_most(d("12"))
                .actual(d("12.3"))
                .previous(d("12.1")),
            "2022-H1",
            "Tỷ lệ hộ nghèo tăng lên 12,3% (chỉ tiêu năm 2022: không quá 12%), tăng 0,2 điểm phần trăm so với cùng kỳ năm 2021, cơ bản đạt chỉ tiêu năm.",
        ),
        (
            R::new("poverty_rate", "Tỷ lệ hộ nghèo", "%")
                .level()
                .down()
                .at_most(d("10"))
                .actual(d("12.3")),
            "2022-H1",
            "Tỷ lệ hộ nghèo còn 12,3% (chỉ tiêu năm 2022: không quá 10%), chưa đạt chỉ tiêu năm.",
        ),
        // A rate where more is better, met exactly.
        (
            R::new(
                "grid_electricity_rate",
                "Tỷ lệ hộ sử dụng điện lưới quốc gia",
                "%",
            )
            .level()
            .whole("2021")
            .target(d("96.91"))
            .actual(d("96.91")),
            "2021",
            "Tỷ lệ hộ sử dụng điện lưới quốc gia đạt 96,91% (chỉ tiêu năm 2021: 96,91%), đạt chỉ tiêu đề ra.",
        ),
        // A level in its own unit.
        (
            R::new(
                "ntm_avg_criteria",
                "Số tiêu chí nông thôn mới bình quân mỗi xã",
                "tiêu chí/xã",
            )
            .level()
            .target(d("15"))
            .actual(d("14.3")),
            "2022-H1",
            "Số tiêu chí nông thôn mới bình quân mỗi xã đạt 14,3 tiêu chí/xã (chỉ tiêu năm 2022: 15 tiêu chí/xã), cơ bản đạt chỉ tiêu năm.",
        ),
        // Money in triệu đồng.
        (
            R::new("income_per_capita", "Thu nhập bình quân đầu người", "VND")
                .level()
                .whole("2021")
                .target(d("50000000"))
                .actual(d("52500000")),
            "2021",
            "Thu nhập bình quân đầu người đạt 52,5 triệu đồng (chỉ tiêu năm 2021: 50 triệu đồng), vượt chỉ tiêu đề ra.",
        ),
    ];
    for (r, period, want) in cases {
        assert_eq!(sentence(r, period), want);
    }
}

#[test]
fn several_plans_in_one_sentence() {
    let h1 = p("2022-H1");
    let a = R::new("budget_revenue", "Thu ngân sách trên địa bàn", "VND")
        .plan(PlanKind::ProvinceEstimate)
        .target(ty("31.25"))
        .actual(ty("25"))
        .build(&h1);
    let b = R::new("budget_revenue", "Thu ngân sách trên địa bàn", "VND")
        .plan(PlanKind::PartyResolution)
        .target(ty("35"))
        .actual(ty("25"))
        .build(&h1);
    assert_eq!(
        indicator_sentence(&[&a, &b], &h1, "huyện"),
        "Thu ngân sách trên địa bàn đạt 25,0 tỷ đồng, bằng 80,0% dự toán tỉnh giao và 71,4% chỉ tiêu Nghị quyết, vượt tiến độ kế hoạch năm."
    );
}

#[test]
fn summary_line_and_titles() {
    let y = p("2020");
    let mut rows = Vec::new();
    for i in 0..20 {
        let actual = if i < 18 { ty("50") } else { ty("30") };
        rows.push(
            R::new("budget_revenue", "Thu ngân sách", "VND")
                .whole("2020")
                .target(ty("40"))
                .actual(actual)
                .build(&y),
        );
        rows.last_mut().unwrap().indicator = format!("i{i}");
    }
    let mut report = report_with(rows, "2020");
    report.kind = chitieu_report::ReportKind::TongKet;
    assert_eq!(
        summary_sentence(&report),
        "Trong 20 chỉ tiêu chủ yếu, có 18 chỉ tiêu đạt và vượt; 2 chỉ tiêu không đạt."
    );
    assert_eq!(
        title(&report),
        "tổng kết công tác lãnh đạo, chỉ đạo năm 2020, phương hướng, nhiệm vụ năm 2021"
    );
    let h1 = common::bac_son_2022_h1();
    assert_eq!(
        title(&h1),
        "sơ kết công tác lãnh đạo, chỉ đạo 6 tháng đầu năm, phương hướng, nhiệm vụ 6 tháng cuối năm 2022"
    );
    assert!(summary_sentence(&h1).starts_with(
        "Đánh giá theo tiến độ thực hiện đến hết 6 tháng đầu năm 2022, trong 7 chỉ tiêu chủ yếu, có "
    ));
    let mut state = h1.clone();
    state.template = chitieu_report::Template::state(
        &["ỦY BAN NHÂN DÂN", "HUYỆN BẮC SƠN"],
        "BC-UBND",
        "Bắc Sơn",
    );
    assert_eq!(
        title(&state),
        "Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, bảo đảm quốc phòng - an ninh 6 tháng đầu năm; phương hướng, nhiệm vụ 6 tháng cuối năm 2022"
    );
    let _ = Field::ALL;
}

#[test]
fn news_article_reads_like_the_press() {
    let mut r = common::bac_son_2022_h1();
    r.texts.han_che = "Tiến độ khởi công các công trình còn chậm. Một ý khác.".into();
    r.texts.phuong_huong = "Đẩy nhanh tiến độ các công trình đầu tư công.".into();
    let (headline, body) = chitieu_report::narrative::news_article(&r);
    assert_eq!(
        headline,
        "Huyện ủy Bắc Sơn đánh giá kết quả 6 tháng đầu năm 2022"
    );
    assert!(body.starts_with("Ngày 15/6/2022, Huyện ủy Bắc Sơn tổ chức hội nghị đánh giá kết quả thực hiện nhiệm vụ 6 tháng đầu năm, triển khai nhiệm vụ trọng tâm 6 tháng cuối năm 2022."), "{body}");
    assert!(
        body.contains("Theo báo cáo tại hội nghị, đánh giá theo tiến độ"),
        "{body}"
    );
    assert!(
        body.contains("Trong đó, thu ngân sách nhà nước trên địa bàn ước đạt 25,0 tỷ đồng"),
        "{body}"
    );
    assert!(
        body.contains(
            "hội nghị cũng chỉ ra một số hạn chế: tiến độ khởi công các công trình còn chậm."
        ),
        "{body}"
    );
    assert!(body.ends_with("Về nhiệm vụ 6 tháng cuối năm 2022, hội nghị thống nhất: đẩy nhanh tiến độ các công trình đầu tư công."), "{body}");
}
