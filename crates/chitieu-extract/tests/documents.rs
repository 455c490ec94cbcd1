//! Whole-document behaviour: normalization, spans, meetings, people, JSON shape, robustness.

use chitieu_extract::{EXTRACTOR_VERSION, ExtractOptions, Extraction, Measure, extract};
use proptest::prelude::*;
use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

const ARTICLE: &str = "Skip to main content
Chế độ ban đêm In trang Xuất PDF Đọc nội dung
-A A +A
Thứ ba,  19/01/2021

Ban Chấp hành Đảng bộ huyện Tràng Định tổng kết năm 2020

Sáng 16/12/2020, Huyện uỷ Tràng Định tổ chức hội nghị Ban Chấp hành Đảng bộ huyện lần thứ 4, khóa XXI tổng kết công tác năm 2020.

Đồng chí Lê Văn Hùng, Tỉnh ủy viên, Bí thư Huyện ủy phát biểu tại hội nghị.

Năm 2020, thu ngân sách đạt 52,3 tỷ đồng, bằng 112% dự toán tỉnh giao; có 9/22 xã đạt chuẩn nông thôn mới.

Với các chỉ tiêu chủ yếu năm 2021 đề ra: thu ngân sách đạt 55 tỷ đồng.

Ý kiến bạn đọc";

fn run(text: &str) -> Extraction {
    extract("a.txt", text, &ExtractOptions::default())
}

#[test]
fn reads_a_whole_article() {
    let x = run(ARTICLE);
    assert_eq!(x.extractor_version, EXTRACTOR_VERSION);
    assert_eq!(
        x.document_date.map(|d| d.to_string()),
        Some("2021-01-19".into())
    );
    let m = &x.meetings[0];
    assert_eq!(m.body, "Ban Chấp hành Đảng bộ huyện");
    assert_eq!(m.unit.as_deref(), Some("huyện Tràng Định"));
    assert_eq!(m.session, Some(4));
    assert_eq!(m.term.as_deref(), Some("XXI"));
    assert_eq!(m.date.map(|d| d.to_string()), Some("2020-12-16".into()));
    assert_eq!(x.people[0].name, "Lê Văn Hùng");
    assert_eq!(x.people[0].titles, vec!["Tỉnh ủy viên", "Bí thư Huyện ủy"]);
    let measures: Vec<Measure> = x.facts.iter().map(|f| f.measure).collect();
    assert_eq!(
        measures,
        vec![
            Measure::Actual,
            Measure::PercentOfPlan,
            Measure::CountOfTotal,
            Measure::Target
        ]
    );
    assert_eq!(
        x.facts[3].period.map(|p| p.to_string()),
        Some("2021".into())
    );
    assert!(
        x.facts
            .iter()
            .all(|f| f.unit_scope.as_deref() == Some("huyện Tràng Định"))
    );
}

#[test]
fn spans_point_at_the_figure_in_nfc_chars() {
    let x = run(ARTICLE);
    let chars: Vec<char> = ARTICLE.nfc().collect();
    for f in &x.facts {
        let [a, b] = f.span;
        let covered: String = chars[a..b].iter().collect();
        assert!(
            covered.chars().any(|c| c.is_ascii_digit()),
            "{covered:?} holds no number"
        );
    }
    let first: String = chars[x.facts[0].span[0]..x.facts[0].span[1]]
        .iter()
        .collect();
    assert_eq!(first, "52,3 tỷ đồng");
}

#[test]
fn nfd_input_gives_the_same_result() {
    let nfd: String = ARTICLE.nfd().collect();
    assert_ne!(nfd, ARTICLE);
    let a = run(ARTICLE);
    let b = run(&nfd);
    assert_eq!(a.facts, b.facts);
    assert_eq!(a.meetings, b.meetings);
    assert_eq!(a.people, b.people);
}

#[test]
fn json_has_the_contract_shape() {
    let x = run(ARTICLE);
    let v = serde_json::to_value(&x).unwrap();
    assert_eq!(v["source"], "a.txt");
    let f = &v["facts"][0];
    assert_eq!(f["indicator"], "budget_revenue");
    assert_eq!(f["measure"], "actual");
    assert_eq!(f["value"], serde_json::json!(52300000000i64));
    assert_eq!(f["unit"], "VND");
    assert_eq!(f["period"], "2020");
    assert!(f.get("approx").is_none());
    assert_eq!(v["facts"][1]["value"], serde_json::json!(112));
    assert_eq!(v["facts"][2]["total"], serde_json::json!(22));
    assert_eq!(v["meetings"][0]["date"], "2020-12-16");
    // And back: values stay exact decimals.
    let back: Extraction = serde_json::from_value(v).unwrap();
    assert_eq!(back.facts, x.facts);
    assert_eq!(back.facts[0].value, Decimal::new(52_300_000_000, 0));
}

#[test]
fn decimal_values_serialize_as_short_numbers() {
    let x =
        run("Năng suất lúa đạt 55,6 tạ/ha, tỷ lệ hộ dân sử dụng điện lưới quốc gia đạt 96,91%.");
    let json = serde_json::to_string(&x).unwrap();
    assert!(json.contains("\"value\":55.6"), "{json}");
    assert!(json.contains("\"value\":96.91"), "{json}");
}

#[test]
fn extra_synonyms_name_new_indicators() {
    let opts = ExtractOptions {
        catalog: None,
        extra_synonyms: vec![("budget_revenue".into(), "nguồn thu".into())],
    };
    let x = extract("s", "Nguồn thu đạt 12 tỷ đồng.", &opts);
    assert_eq!(x.facts[0].indicator, "budget_revenue");
    let plain = run("Nguồn thu đạt 12 tỷ đồng.");
    assert_eq!(plain.facts[0].indicator, "other");
}

#[test]
fn empty_and_odd_inputs() {
    for text in [
        "",
        "\n\n",
        "12",
        "%%%",
        "1/2/3/4/5",
        "từ đến",
        "tỷ tỷ tỷ",
        "8 – %",
    ] {
        let x = run(text);
        assert!(x.facts.is_empty(), "{text}: {:?}", x.facts);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_input_panics(s in "\\PC{0,200}") {
        let _ = run(&s);
    }

    #[test]
    fn vietnamese_like_input_never_panics(words in proptest::collection::vec(prop_oneof![
        Just("thu"), Just("ngân"), Just("sách"), Just("đạt"), Just("trên"), Just("25"),
        Just("tỷ"), Just("đồng"), Just(","), Just(";"), Just("."), Just("8/17"), Just("xã"),
        Just("–"), Just("9%"), Just("từ"), Just("đến"), Just("năm"), Just("2021"),
        Just("quý"), Just("II/2023"), Just("6"), Just("tháng"), Just("đầu"), Just("\n"),
        Just("phấn"), Just("đấu"), Just("tăng"), Just("giảm"), Just("so"), Just("với"),
        Just("cùng"), Just("kỳ"), Just("trong"), Just("hai"), Just("trăm"), Just("đồng chí"),
        Just("Nguyễn"), Just("Văn"), Just("A"), Just("Bí thư"), Just("Huyện ủy"),
        Just("15/12/2020"), Just("Ngày"), Just("1.234,5"), Just("trở lên"), Just("(")
    ], 0..80)) {
        let text = words.join(" ");
        let x = run(&text);
        let n = text.nfc().count();
        for f in &x.facts {
            prop_assert!(f.span[0] < f.span[1] && f.span[1] <= n);
        }
    }
}
