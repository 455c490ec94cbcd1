//! Documents in, facts proposed, reviewed, checked — on texts written for these tests.

use chitieu_app::ingest::{Edits, check, decide, ingest, sentence_of};
use chitieu_app::status::{evaluate_unit, parse_period};
use chitieu_core::Decimal;
use chitieu_core::figure::Provenance;
use chitieu_core::indicator::Catalog;
use chitieu_extract::{ExtractOptions, Extractor};
use chitieu_store::documents::{DocumentStore, ProposalState};
use chitieu_store::{NoProgress, SqliteStore, Store};
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

const MID_YEAR: &str = "Ngày 20/6/2022, Ban Chấp hành Đảng bộ huyện Bắc Sơn tổ chức hội nghị lần thứ 13 \
sơ kết 6 tháng đầu năm 2022. Trong 6 tháng đầu năm, thu ngân sách trên địa bàn đạt 30 tỷ đồng, \
bằng 75% dự toán tỉnh giao; đến nay có 9/15 xã đạt chuẩn nông thôn mới.";

const OTHER: &str = "Ngày 5/7/2022, UBND huyện Bắc Sơn báo cáo: 6 tháng đầu năm 2022, thu ngân sách \
trên địa bàn huyện Bắc Sơn đạt 28 tỷ đồng.";

const YEAR: &str = "Ngày 20/12/2022, Ban Chấp hành Đảng bộ huyện Bắc Sơn tổng kết năm 2022. \
Năm 2022, thu ngân sách trên địa bàn huyện Bắc Sơn đạt 20 tỷ đồng.";

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    s.init(&Catalog::builtin(), &NoProgress).unwrap();
    (dir, s)
}

fn accept_all(store: &mut SqliteStore, doc: i64) -> usize {
    let catalog = store.catalog().unwrap();
    let d = store.document(doc).unwrap();
    let props = store.proposals(Some(doc), None).unwrap();
    let mut n = 0;
    for p in &props {
        if let Ok(decision) = decide(&catalog, &d, p, &props, &Edits::default()) {
            store.review(p.id, &decision, None, "reviewer").unwrap();
            n += 1;
        }
    }
    n
}

#[test]
fn an_article_becomes_reviewed_figures_with_their_sentences() {
    let (_d, mut store) = store();
    let extractor = Extractor::new(&ExtractOptions::default());
    // NFD input is stored unchanged; spans count characters of its NFC form.
    let nfd: String = MID_YEAR.nfd().collect();
    let done = ingest(&mut store, &extractor, "bai.txt", &nfd, None, "alice").unwrap();
    assert!(done.added.new);
    assert!(done.unresolved.is_empty(), "{:?}", done.unresolved);
    let doc = store.document(done.added.id).unwrap();
    assert_eq!(doc.original, nfd);
    assert_eq!(
        doc.document_date,
        chrono::NaiveDate::from_ymd_opt(2022, 6, 20)
    );
    let props = store.proposals(Some(doc.id), None).unwrap();
    let revenue = props
        .iter()
        .find(|p| p.measure == "actual" && p.indicator.as_deref() == Some("budget_revenue"))
        .expect("the revenue figure is proposed");
    assert_eq!(revenue.value, Decimal::from(30_000_000_000u64));
    let (sentence, exact) = sentence_of(&doc.original, revenue.span);
    assert_eq!(exact, "30 tỷ đồng");
    assert!(sentence.starts_with("Trong 6 tháng đầu năm"), "{sentence}");

    // Nothing is a figure until it is accepted.
    let bac_son = revenue.unit.expect("unit resolved");
    let h1 = parse_period("2022-H1").unwrap();
    assert!(
        store
            .current_figure("budget_revenue", bac_son, &h1)
            .unwrap()
            .is_none()
    );
    assert!(accept_all(&mut store, doc.id) >= 3);
    let fig = store
        .current_figure("budget_revenue", bac_son, &h1)
        .unwrap()
        .unwrap();
    assert!(
        matches!(fig.input.provenance, Provenance::Document { document, .. } if document == doc.id)
    );
    assert!(
        store
            .proposals(Some(doc.id), Some(ProposalState::Proposed))
            .unwrap()
            .is_empty()
    );

    // "bằng 75% dự toán tỉnh giao" next to 30 tỷ implies an annual estimate of 40 tỷ.
    let unit = store.unit_latest(bac_son).unwrap();
    let rows = evaluate_unit(&store, &unit, &h1).unwrap();
    let row = rows
        .iter()
        .find(|r| r.indicator.code.as_str() == "budget_revenue")
        .expect("a budget row");
    assert_eq!(
        row.target.comparator.reference(),
        Decimal::from(40_000_000_000u64)
    );
    assert_eq!(row.evaluation.percent_of_plan, Some(Decimal::from(75)));

    // The same text again is not stored twice.
    let again = ingest(
        &mut store,
        &extractor,
        "bai-copy.txt",
        MID_YEAR,
        None,
        "bob",
    )
    .unwrap();
    assert!(!again.added.new);
}

#[test]
fn the_check_finds_conflicts_across_documents_years_and_totals() {
    let (_d, mut store) = store();
    let extractor = Extractor::new(&ExtractOptions::default());
    let a = ingest(&mut store, &extractor, "a.txt", MID_YEAR, None, "t").unwrap();
    accept_all(&mut store, a.added.id);
    ingest(&mut store, &extractor, "b.txt", OTHER, None, "t").unwrap();
    ingest(&mut store, &extractor, "c.txt", YEAR, None, "t").unwrap();
    let findings = check(&store).unwrap();
    let kinds: Vec<&str> = findings.iter().map(|f| f.kind).collect();
    // 28 tỷ (document b) against the stored 30 tỷ (document a).
    assert!(kinds.contains(&"stored"), "{findings:#?}");
    // 30 tỷ in the first half but 20 tỷ for the whole year.
    assert!(kinds.contains(&"part_exceeds_year"), "{findings:#?}");
    // "9/15 xã" while huyện Bắc Sơn had 17 xã in force.
    let count = findings
        .iter()
        .find(|f| f.kind == "count_total")
        .expect("count finding");
    assert!(count.message.contains("17"), "{}", count.message);
}

#[test]
fn a_reviewer_supplies_what_the_text_leaves_out() {
    let (_d, mut store) = store();
    let extractor = Extractor::new(&ExtractOptions::default());
    let text = "Ngày 26/6/2020, Ban Thường vụ Huyện ủy tổ chức hội nghị sơ kết. \
                Thu ngân sách trên địa bàn 6 tháng đầu năm đạt 69 tỷ đồng.";
    let done = ingest(&mut store, &extractor, "x.txt", text, None, "t").unwrap();
    let doc = store.document(done.added.id).unwrap();
    let props = store.proposals(Some(doc.id), None).unwrap();
    let p = props
        .iter()
        .find(|p| p.measure == "actual")
        .expect("a figure");
    assert_eq!(p.unit, None, "the text names no unit");
    let catalog = store.catalog().unwrap();
    let err = decide(&catalog, &doc, p, &props, &Edits::default()).unwrap_err();
    assert!(err.to_string().contains("--unit"), "{err}");
    let huong_son = store
        .resolve_unit(
            "huyện Hương Sơn",
            chrono::NaiveDate::from_ymd_opt(2020, 6, 26).unwrap(),
        )
        .unwrap();
    let edits = Edits {
        unit: Some(huong_son.unit),
        value: Some(Decimal::from_str("68900000000").unwrap()),
        ..Edits::default()
    };
    let decision = decide(&catalog, &doc, p, &props, &edits).unwrap();
    store
        .review(p.id, &decision, Some("số liệu chính xác từ báo cáo"), "t")
        .unwrap();
    let fig = store
        .current_figure(
            "budget_revenue",
            huong_son.unit,
            &parse_period("2020-H1").unwrap(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(fig.input.value, Decimal::from_str("68900000000").unwrap());
}
