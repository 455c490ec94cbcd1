//! Short articles in the style of provincial papers and district portals, written for these
//! tests: the meeting (body, unit, session, term, date — the year from the article's header
//! when the body leaves it out), the people and their titles, and the periods of the facts;
//! the same article in NFD gives the same result.

use chitieu_extract::{ExtractOptions, Extraction, Measure, extract};
use unicode_normalization::UnicodeNormalization;

fn run(text: &str) -> Extraction {
    extract("a.txt", text, &ExtractOptions::default())
}

/// (indicator, measure, value, period) of every fact.
fn facts(x: &Extraction) -> Vec<(String, Measure, String, String)> {
    x.facts
        .iter()
        .map(|f| {
            (
                f.indicator.clone(),
                f.measure,
                f.value.normalize().to_string(),
                f.period.map(|p| p.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn fact(i: &str, m: Measure, v: &str, p: &str) -> (String, Measure, String, String) {
    (i.to_string(), m, v.to_string(), p.to_string())
}

const HALF_YEAR: &str = "Thứ Ba, 16/07/2024 - 08:15
Huyện ủy Can Lộc sơ kết 6 tháng đầu năm 2024
Ngày 15/7, Ban Chấp hành Đảng bộ huyện Can Lộc tổ chức Hội nghị lần thứ 12 sơ kết 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2024.
Đồng chí Nguyễn Văn Hải, Tỉnh ủy viên, Bí thư Huyện ủy chủ trì hội nghị. Dự hội nghị có đồng chí Trần Thị Lan, Phó Chủ tịch UBND tỉnh.
6 tháng đầu năm, tổng giá trị sản xuất ước đạt 2.845 tỷ đồng, tăng 7,2% so với cùng kỳ. Thu ngân sách trên địa bàn đạt 112,4 tỷ đồng, bằng 58,3% dự toán tỉnh giao. Toàn huyện có thêm 2 xã đạt chuẩn nông thôn mới nâng cao, nâng tổng số lên 9 xã.
6 tháng cuối năm, huyện phấn đấu thu ngân sách đạt 95 tỷ đồng; có thêm 1 xã đạt chuẩn nông thôn mới kiểu mẫu.
";

#[test]
fn a_half_year_conference_with_the_year_from_the_header() {
    let x = run(HALF_YEAR);
    assert_eq!(
        x.document_date.map(|d| d.to_string()),
        Some("2024-07-16".into())
    );
    let m = &x.meetings[0];
    assert_eq!(m.body, "Ban Chấp hành Đảng bộ huyện");
    assert_eq!(m.unit.as_deref(), Some("huyện Can Lộc"));
    assert_eq!(m.session, Some(12));
    assert_eq!(m.date.map(|d| d.to_string()), Some("2024-07-15".into()));
    assert_eq!(
        m.purpose.as_deref(),
        Some("sơ kết 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2024")
    );
    assert_eq!(x.people.len(), 2);
    assert_eq!(x.people[0].name, "Nguyễn Văn Hải");
    assert_eq!(x.people[0].titles, vec!["Tỉnh ủy viên", "Bí thư Huyện ủy"]);
    assert_eq!(x.people[1].name, "Trần Thị Lan");
    assert_eq!(x.people[1].titles, vec!["Phó Chủ tịch UBND tỉnh"]);
    use Measure::*;
    assert_eq!(
        facts(&x),
        vec![
            fact("total_production_value", Actual, "2845000000000", "2024-H1"),
            fact("total_production_value", PercentChange, "7.2", "2024-H1"),
            fact("budget_revenue", Actual, "112400000000", "2024-H1"),
            fact("budget_revenue", PercentOfPlan, "58.3", "2024-H1"),
            fact("ntm_advanced_communes", Actual, "2", "2024-H1"),
            fact("ntm_advanced_communes", Actual, "9", "2024-H1"),
            fact("budget_revenue", Target, "95000000000", "2024-H2"),
            fact("ntm_model_communes", Target, "1", "2024-H2"),
        ]
    );
}

#[test]
fn nfd_text_gives_the_same_meeting_people_and_facts() {
    let nfc = run(HALF_YEAR);
    let nfd_text: String = HALF_YEAR.nfd().collect();
    assert_ne!(nfd_text, HALF_YEAR);
    let nfd = run(&nfd_text);
    assert_eq!(
        serde_json::to_value(&nfc).unwrap(),
        serde_json::to_value(&nfd).unwrap()
    );
}

#[test]
fn a_council_session_with_its_term() {
    let x = run("Ngày 26/12/2023, HĐND huyện Hương Khê khóa XX tổ chức kỳ họp thứ 14 xem xét, quyết định các nội dung quan trọng.
Đồng chí Lê Đình Tuấn, Phó Bí thư Thường trực Huyện ủy, Chủ tịch HĐND huyện khai mạc kỳ họp.
Năm 2023, tốc độ tăng trưởng giá trị sản xuất đạt 9,1%; thu nhập bình quân đầu người đạt 50,2 triệu đồng; tỷ lệ hộ nghèo giảm còn 4,6%.
Nếu như năm 2015 thu nhập bình quân đầu người chỉ đạt 18 triệu đồng thì đến năm 2023 đã đạt 50,2 triệu đồng.
");
    let m = &x.meetings[0];
    assert_eq!(m.body, "HĐND huyện");
    assert_eq!(m.unit.as_deref(), Some("huyện Hương Khê"));
    assert_eq!(m.session, Some(14));
    assert_eq!(m.term.as_deref(), Some("XX"));
    assert_eq!(m.date.map(|d| d.to_string()), Some("2023-12-26".into()));
    assert_eq!(x.people[0].name, "Lê Đình Tuấn");
    assert_eq!(
        x.people[0].titles,
        vec!["Phó Bí thư Thường trực Huyện ủy", "Chủ tịch HĐND huyện"]
    );
    use Measure::*;
    assert_eq!(
        facts(&x),
        vec![
            fact("economic_growth_rate", Actual, "9.1", "2023"),
            fact("income_per_capita", Actual, "50200000", "2023"),
            fact("poverty_rate", Actual, "4.6", "2023"),
            // A figure from years back keeps its own year.
            fact("income_per_capita", Actual, "18000000", "2015"),
            fact("income_per_capita", Actual, "50200000", "2023"),
        ]
    );
}

#[test]
fn people_introduced_by_ong_ba_or_after_their_title() {
    let x = run(
        "Sáng nay (15/7/2024), HĐND huyện Kỳ Anh khóa XX tổ chức kỳ họp thứ 16.
Ông Nguyễn Văn Bình - Chủ tịch UBND huyện báo cáo tình hình kinh tế - xã hội.
Bà Lê Thị Hoa, Phó Chủ tịch HĐND huyện điều hành kỳ họp.
Đồng chí Bí thư Huyện ủy Phan Văn Sơn phát biểu chỉ đạo.
Bà con nhân dân Bà Rịa phấn khởi.
",
    );
    assert_eq!(x.meetings[0].session, Some(16));
    assert_eq!(
        x.meetings[0].date.map(|d| d.to_string()),
        Some("2024-07-15".into())
    );
    let people: Vec<(&str, Vec<&str>)> = x
        .people
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.titles.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        people,
        vec![
            ("Nguyễn Văn Bình", vec!["Chủ tịch UBND huyện"]),
            ("Lê Thị Hoa", vec!["Phó Chủ tịch HĐND huyện"]),
            ("Phan Văn Sơn", vec!["Bí thư Huyện ủy"]),
        ]
    );
    assert!(x.facts.is_empty(), "{:?}", x.facts);
}

#[test]
fn a_working_visit_with_a_dashed_date() {
    let x = run("Ngày 10-7-2024, Ban Thường vụ Tỉnh ủy Lạng Sơn tổ chức hội nghị giao ban công tác xây dựng Đảng 6 tháng đầu năm 2024.
Chiều cùng ngày, đoàn làm việc với Đảng ủy xã Tân Thành; xã đã đạt 15/19 tiêu chí nông thôn mới nâng cao.
");
    let m = &x.meetings[0];
    assert_eq!(m.body, "Ban Thường vụ Tỉnh ủy");
    assert_eq!(m.unit.as_deref(), Some("tỉnh Lạng Sơn"));
    assert_eq!(m.date.map(|d| d.to_string()), Some("2024-07-10".into()));
    // The commune's criteria: a count of a total no catalog indicator names.
    let f = &x.facts[0];
    assert_eq!(
        (f.indicator.as_str(), f.measure, f.unit.as_str()),
        ("other", Measure::CountOfTotal, "tiêu chí")
    );
    assert_eq!(f.total.map(|t| t.to_string()), Some("19".into()));
}

#[test]
fn a_party_committee_department_meets_and_a_headline_date_is_not_the_year() {
    let x = run("Thứ Sáu, 12/07/2024
Sáng 11/7, Ban Tổ chức Tỉnh ủy tổ chức hội nghị sơ kết công tác tổ chức xây dựng Đảng 6 tháng đầu năm.
Năm 2010, toàn tỉnh kết nạp 900 đảng viên.
6 tháng đầu năm, toàn Đảng bộ tỉnh kết nạp 1.120 đảng viên, đạt 56% kế hoạch năm.
");
    let m = &x.meetings[0];
    assert_eq!(m.body, "Ban Tổ chức Tỉnh ủy");
    assert_eq!(m.date.map(|d| d.to_string()), Some("2024-07-11".into()));
    use Measure::*;
    assert_eq!(
        facts(&x),
        vec![
            fact("new_party_members", Actual, "900", "2010"),
            fact("new_party_members", Actual, "1120", "2024-H1"),
            fact("new_party_members", PercentOfPlan, "56", "2024-H1"),
        ]
    );
}

#[test]
fn a_numbered_list_of_next_year_targets() {
    let x = run("Thứ Sáu, 20/12/2024
Ngày 19/12, Ban Chấp hành Đảng bộ huyện Hương Sơn tổ chức hội nghị lần thứ 24 tổng kết năm 2024, triển khai nhiệm vụ năm 2025.
Hội nghị thống nhất các chỉ tiêu chủ yếu năm 2025 như sau:
1. Tốc độ tăng trưởng giá trị sản xuất đạt 9 - 10%.
2. Thu ngân sách trên địa bàn đạt 320 tỷ đồng.
3. Tỷ lệ hộ nghèo giảm 1%.
Các chỉ tiêu về xây dựng Đảng:
+ Kết nạp 250 đảng viên mới trở lên.
Năm 2024, kết nạp được 262 đảng viên.
");
    use Measure::*;
    assert_eq!(
        facts(&x),
        vec![
            fact("economic_growth_rate", Target, "9", "2025"),
            fact("budget_revenue", Target, "320000000000", "2025"),
            fact("poverty_rate_reduction", Target, "1", "2025"),
            fact("new_party_members", Target, "250", "2025"),
            fact("new_party_members", Actual, "262", "2024"),
        ]
    );
}

#[test]
fn a_committee_meeting_in_its_own_name() {
    let x = run("Thứ Tư, 03/07/2024 | 10:12
LSO - Sáng 2/7, Huyện ủy Văn Quan tổ chức hội nghị sơ kết công tác 6 tháng đầu năm 2024.
");
    let m = &x.meetings[0];
    assert_eq!(m.body, "Huyện ủy");
    assert_eq!(m.unit.as_deref(), Some("huyện Văn Quan"));
    assert_eq!(m.date.map(|d| d.to_string()), Some("2024-07-02".into()));
    assert_eq!(
        m.purpose.as_deref(),
        Some("sơ kết công tác 6 tháng đầu năm 2024")
    );
}

#[test]
fn people_in_a_list_and_titles_before_a_name() {
    let x = run("Ngày 12/3/2024, Huyện ủy Nghi Lộc tổ chức hội nghị.
Dự hội nghị có các đồng chí: Nguyễn Hồng Lĩnh, Phó Bí thư Tỉnh ủy; Trần Báu Hà, Phó Chủ tịch UBND tỉnh.
Phó Bí thư Thường trực Huyện ủy, Chủ tịch HĐND huyện Lê Văn Khánh điều hành hội nghị.
Đồng chí Lâm Thị Phương Thanh, Ủy viên Trung ương Đảng, Phó Chánh Văn phòng Thường trực Văn phòng Trung ương Đảng dự.
");
    let people: Vec<(&str, Vec<&str>)> = x
        .people
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.titles.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        people,
        vec![
            ("Nguyễn Hồng Lĩnh", vec!["Phó Bí thư Tỉnh ủy"]),
            ("Trần Báu Hà", vec!["Phó Chủ tịch UBND tỉnh"]),
            (
                "Lê Văn Khánh",
                vec!["Phó Bí thư Thường trực Huyện ủy", "Chủ tịch HĐND huyện"]
            ),
            (
                "Lâm Thị Phương Thanh",
                vec![
                    "Ủy viên Trung ương Đảng",
                    "Phó Chánh Văn phòng Thường trực Văn phòng Trung ương Đảng"
                ]
            ),
        ]
    );
}
