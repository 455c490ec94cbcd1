//! Tests on the real, embedded national data.

use chitieu_core::admin::{Level, OfficialCode, UnitId, UnitKind, UnitVersion};
use chitieu_gazetteer::{Gazetteer, ResolveError, load};
use chrono::NaiveDate;
use std::collections::HashSet;
use std::sync::OnceLock;

fn g() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| match load() {
        Ok(g) => g,
        Err(e) => panic!("the embedded data does not load: {e}"),
    })
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn before() -> NaiveDate {
    day(2024, 12, 31)
}

fn after() -> NaiveDate {
    day(2025, 7, 1)
}

fn count(vs: &[&UnitVersion], level: Level) -> usize {
    vs.iter().filter(|v| v.level == level).count()
}

fn count_kind(vs: &[&UnitVersion], kind: UnitKind) -> usize {
    vs.iter().filter(|v| v.kind == kind).count()
}

fn resolve(name: &str, date: NaiveDate) -> &'static UnitVersion {
    match g().resolve(name, date) {
        Ok(v) => v,
        Err(e) => panic!("{name} on {date}: {e}"),
    }
}

const NATION: UnitId = UnitId(1);

#[test]
fn the_nation_is_the_root() {
    let vs = g().versions_of(NATION);
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].name, "Việt Nam");
    assert_eq!(vs[0].kind, UnitKind::QuocGia);
    assert_eq!(vs[0].parent, None);
}

#[test]
fn counts_before_the_reform() {
    let all = g().descendants_on(NATION, before());
    assert_eq!(count(&all, Level::Province), 63);
    assert_eq!(count(&all, Level::District), 696);
    // The package's table has 10,040 rows: 5 are island districts with no commune.
    assert_eq!(count(&all, Level::Commune), 10_035);
    assert_eq!(count_kind(&all, UnitKind::Xa), 7_692);
    assert_eq!(count_kind(&all, UnitKind::Phuong), 1_726);
    assert_eq!(count_kind(&all, UnitKind::ThiTran), 617);
    assert_eq!(count_kind(&all, UnitKind::Quan), 49);
    assert_eq!(count_kind(&all, UnitKind::Huyen), 508);
    assert_eq!(count_kind(&all, UnitKind::ThiXa), 52);
    // 87 provincial cities plus the 6 centrally-run cities.
    assert_eq!(count_kind(&all, UnitKind::ThanhPho), 87 + 6);
    assert_eq!(g().children_on(NATION, before()).len(), 63);
}

#[test]
fn counts_after_the_reform() {
    let all = g().descendants_on(NATION, after());
    assert_eq!(count(&all, Level::Province), 34);
    assert_eq!(count(&all, Level::District), 0);
    assert_eq!(count(&all, Level::Commune), 3_321);
    assert_eq!(count_kind(&all, UnitKind::Xa), 2_621);
    assert_eq!(count_kind(&all, UnitKind::Phuong), 687);
    assert_eq!(count_kind(&all, UnitKind::DacKhu), 13);
    assert_eq!(count_kind(&all, UnitKind::ThanhPho), 6);
    // Every commune sits directly under its province.
    for v in all.iter().filter(|v| v.level == Level::Commune) {
        let p = v.parent.and_then(|p| g().version_on(p, after()));
        assert_eq!(
            p.map(|p| p.level),
            Some(Level::Province),
            "{}",
            v.full_name()
        );
    }
}

#[test]
fn communes_of_huyen_bac_son_in_2022() {
    let date = day(2022, 6, 15);
    let bac_son = resolve("huyện Bắc Sơn", date);
    assert_eq!(bac_son.code, Some(OfficialCode("185".into())));
    let kids = g().children_on(bac_son.unit, date);
    assert_eq!(kids.len(), 18);
    assert_eq!(count_kind(&kids, UnitKind::Xa), 17);
    assert_eq!(count_kind(&kids, UnitKind::ThiTran), 1);
    assert!(kids.iter().any(|v| v.full_name() == "thị trấn Bắc Sơn"));
    assert!(kids.iter().any(|v| v.full_name() == "xã Vũ Sơn"));
}

#[test]
fn what_became_of_xa_vu_son() {
    let vu_son = resolve("xã Vũ Sơn", day(2022, 6, 15));
    assert_eq!(vu_son.code, Some(OfficialCode("06355".into())));
    assert_eq!(vu_son.valid_to, Some(day(2025, 6, 30)));
    let succ = g().successors(vu_son.unit);
    assert_eq!(succ.len(), 1);
    assert!(!succ[0].partial);
    assert_eq!(succ[0].date, after());
    let new = g()
        .version_on(succ[0].to, after())
        .expect("successor in force");
    assert_eq!(new.full_name(), "xã Vũ Lễ");
    assert_eq!(new.code, Some(OfficialCode("06364".into())));
    let province = new.parent.and_then(|p| g().version_on(p, after()));
    assert_eq!(
        province.map(|p| p.full_name()),
        Some("tỉnh Lạng Sơn".into())
    );
    // The new xã Vũ Lễ was formed from Vũ Sơn, Chiến Thắng and the old Vũ Lễ, all whole.
    let mut from: Vec<String> = g()
        .predecessors(new.unit)
        .iter()
        .map(|s| {
            assert!(!s.partial);
            g().versions_of(s.from)[0].name.clone()
        })
        .collect();
    from.sort();
    assert_eq!(from, ["Chiến Thắng", "Vũ Lễ", "Vũ Sơn"]);
    // No unit called xã Vũ Sơn after the reform.
    assert!(g().resolve("xã Vũ Sơn", after()).is_err());
}

#[test]
fn code_06337_names_different_units_before_and_after() {
    let code = OfficialCode("06337".into());
    let on = |date| -> Vec<&UnitVersion> {
        g().versions
            .iter()
            .filter(|v| v.code.as_ref() == Some(&code) && v.valid_on(date))
            .collect()
    };
    let old = on(before());
    let new = on(after());
    assert_eq!(old.len(), 1);
    assert_eq!(new.len(), 1);
    assert_eq!(old[0].full_name(), "xã Đồng Ý");
    assert_eq!(new[0].full_name(), "xã Tân Tri");
    assert_ne!(old[0].unit, new[0].unit);
    // Đồng Ý went whole into the new Tân Tri, with Vạn Thủy and the old Tân Tri (06340).
    let succ = g().successors(old[0].unit);
    assert_eq!(succ.len(), 1);
    assert_eq!(succ[0].to, new[0].unit);
    assert_eq!(g().predecessors(new[0].unit).len(), 3);
    // The source's lower-case "Đồng ý" is stored as "Đồng Ý"; either spelling resolves.
    assert_eq!(resolve("xã Đồng ý", before()).unit, old[0].unit);
}

#[test]
fn a_divided_commune_has_partial_successions() {
    let date = day(2024, 1, 1);
    let cong_vi = resolve("phường Cống Vị", date);
    let succ = g().successors(cong_vi.unit);
    assert_eq!(succ.len(), 2);
    assert!(succ.iter().all(|s| s.partial));
    let mut to: Vec<String> = succ
        .iter()
        .filter_map(|s| g().version_on(s.to, after()))
        .map(|v| v.full_name())
        .collect();
    to.sort();
    assert_eq!(to, ["phường Giảng Võ", "phường Ngọc Hà"]);
}

#[test]
fn every_old_commune_has_a_consistent_fate() {
    let mut partial_units = 0;
    for v in g().descendants_on(NATION, before()) {
        if v.level != Level::Commune {
            continue;
        }
        let succ = g().successors(v.unit);
        let continues = g().version_on(v.unit, after()).is_some();
        if continues {
            assert!(
                succ.is_empty(),
                "{} continues and has successors",
                v.full_name()
            );
        } else if succ.iter().any(|s| s.partial) {
            // A divided commune: every part is partial, and there are at least two.
            assert!(succ.len() >= 2 && succ.iter().all(|s| s.partial));
            partial_units += 1;
        } else {
            assert_eq!(succ.len(), 1, "{} merged whole into one", v.full_name());
        }
    }
    assert_eq!(partial_units, 471);
    // Every new commune that is not a continuing one was formed from something.
    for v in g().descendants_on(NATION, after()) {
        if v.valid_from == Some(after()) && g().versions_of(v.unit).len() == 1 {
            assert!(!g().predecessors(v.unit).is_empty(), "{}", v.full_name());
        }
    }
}

#[test]
fn some_communes_continue_as_the_same_unit() {
    let versions = g().versions_of(resolve("thị trấn Bắc Sơn", before()).unit);
    // Thị trấn Bắc Sơn became xã Bắc Sơn: a new unit, not a continuation.
    assert_eq!(versions.len(), 1);
    let continuing: HashSet<UnitId> = g()
        .descendants_on(NATION, after())
        .iter()
        .filter(|v| v.level == Level::Commune && g().versions_of(v.unit).len() == 2)
        .map(|v| v.unit)
        .collect();
    assert_eq!(continuing.len(), 121);
    for &u in &continuing {
        let vs = g().versions_of(u);
        assert_eq!((vs[0].kind, &vs[0].name), (vs[1].kind, &vs[1].name));
        assert_eq!(vs[0].valid_to, Some(day(2025, 6, 30)));
        assert_eq!(vs[1].valid_from, Some(after()));
        assert_eq!(
            g().versions_of(vs[0].parent.unwrap_or(NATION))[0].level,
            Level::District
        );
        assert!(g().predecessors(u).is_empty() && g().successors(u).is_empty());
    }
}

#[test]
fn lang_son_province_is_one_continuing_unit() {
    let old = resolve("tỉnh Lạng Sơn", day(2022, 6, 15));
    let new = resolve("tỉnh Lạng Sơn", day(2025, 8, 1));
    assert_eq!(old.unit, new.unit);
    assert_eq!(old, new);
    assert_eq!(g().versions_of(old.unit).len(), 1);
    assert_eq!(old.valid_to, None);
    assert!(g().predecessors(old.unit).is_empty());
    assert!(g().successors(old.unit).is_empty());
    // 11 districts and their 194 communes before; 65 communes after.
    let before_kids = g().children_on(old.unit, day(2022, 6, 15));
    assert_eq!(before_kids.len(), 11);
    assert_eq!(
        count(&g().descendants_on(old.unit, before()), Level::Commune),
        194
    );
    assert_eq!(g().children_on(old.unit, after()).len(), 65);
}

#[test]
fn merged_provinces_are_new_units() {
    let old_bac_ninh = resolve("tỉnh Bắc Ninh", before());
    let new_bac_ninh = resolve("tỉnh Bắc Ninh", after());
    assert_ne!(old_bac_ninh.unit, new_bac_ninh.unit);
    let mut from: Vec<String> = g()
        .predecessors(new_bac_ninh.unit)
        .iter()
        .map(|s| {
            assert!(!s.partial);
            g().versions_of(s.from)[0].full_name()
        })
        .collect();
    from.sort();
    assert_eq!(from, ["tỉnh Bắc Giang", "tỉnh Bắc Ninh"]);
    let hcm = resolve("Thành phố Hồ Chí Minh", after());
    assert_eq!(g().predecessors(hcm.unit).len(), 3);
}

#[test]
fn island_districts_became_special_zones() {
    let con_dao = resolve("huyện Côn Đảo", before());
    let succ = g().successors(con_dao.unit);
    assert_eq!(succ.len(), 1);
    let zone = g().version_on(succ[0].to, after()).expect("in force");
    assert_eq!(zone.full_name(), "đặc khu Côn Đảo");
    let city = zone.parent.and_then(|p| g().version_on(p, after()));
    assert_eq!(
        city.map(|c| c.full_name()),
        Some("thành phố Hồ Chí Minh".into())
    );
    assert_eq!(g().children_on(con_dao.unit, before()).len(), 0);
    // Other districts have no successors.
    assert!(
        g().successors(resolve("huyện Bắc Sơn", before()).unit)
            .is_empty()
    );
}

#[test]
fn no_districts_after_the_reform() {
    let err = g()
        .resolve("huyện Bắc Sơn", day(2025, 8, 1))
        .expect_err("no huyện after 1 July 2025");
    let ResolveError::NotFound {
        kind_absent,
        other_dates,
        ..
    } = &err
    else {
        panic!("expected NotFound, got {err}");
    };
    assert_eq!(*kind_absent, Some(UnitKind::Huyen));
    assert_eq!(other_dates.len(), 1);
    let msg = err.to_string();
    assert!(msg.contains("\"huyện Bắc Sơn\""), "{msg}");
    assert!(msg.contains("2025-08-01"), "{msg}");
    assert!(msg.contains("no huyện at all"), "{msg}");
    assert!(
        msg.contains("huyện Bắc Sơn (tỉnh Lạng Sơn; code 185; until 2025-06-30)"),
        "{msg}"
    );
}

#[test]
fn ambiguous_names_list_their_candidates() {
    let date = day(2022, 6, 15);
    let err = g()
        .resolve("xã Tân Lập", date)
        .expect_err("many xã Tân Lập");
    let ResolveError::Ambiguous { candidates, .. } = &err else {
        panic!("expected Ambiguous, got {err}");
    };
    assert_eq!(candidates.len(), 22);
    assert!(
        candidates
            .iter()
            .any(|c| c.within == ["huyện Bắc Sơn", "tỉnh Lạng Sơn"])
    );
    let msg = err.to_string();
    assert!(msg.contains("ambiguous"), "{msg}");
    assert!(msg.contains("and 10 more"), "{msg}");
    // Naming the unit above settles it, whether the huyện or the tỉnh.
    let by_district = resolve("xã Tân Lập, huyện Bắc Sơn", date);
    assert_eq!(by_district.code, Some(OfficialCode("06352".into())));
    let by_both = resolve("Xã Tân Lập, Huyện Bắc Sơn, Tỉnh Lạng Sơn", date);
    assert_eq!(by_both.unit, by_district.unit);
    // A bare name matching several kinds is ambiguous too: tỉnh and thành phố Lạng Sơn.
    assert!(matches!(
        g().resolve("Lạng Sơn", date),
        Err(ResolveError::Ambiguous { .. })
    ));
    assert_eq!(resolve("TP. Lạng Sơn", date).level, Level::District);
}

#[test]
fn unknown_names_are_named_in_the_error() {
    let err = g()
        .resolve("xã Không Có Thật", before())
        .expect_err("no such unit");
    assert!(matches!(
        err,
        ResolveError::NotFound {
            kind_absent: None,
            ..
        }
    ));
    assert!(err.to_string().contains("\"xã Không Có Thật\""), "{err}");
    assert!(g().resolve("", before()).is_err());
    assert!(g().resolve("xã Tân Lập, tỉnh Không Có", before()).is_err());
}

#[test]
fn names_are_nfc_without_the_kind_word() {
    for v in g().versions.iter().filter(|v| v.level != Level::Nation) {
        assert_eq!(chitieu_text::nfc(&v.name), v.name);
        let parsed = UnitKind::strip_prefix(&chitieu_text::fold(&v.full_name())).map(|(k, _)| k);
        assert_eq!(parsed, Some(v.kind));
        assert!(!v.name.contains('('), "{}", v.name);
    }
    assert_eq!(resolve("Phường 1, Quận 3", before()).name, "1");
}

#[test]
fn loading_is_fast() {
    let start = std::time::Instant::now();
    let g = load().expect("loads");
    let took = start.elapsed();
    let start = std::time::Instant::now();
    assert!(g.resolve("xã Vũ Sơn", before()).is_ok());
    let first_resolve = start.elapsed();
    eprintln!(
        "loaded {} versions and {} successions in {took:?}; first resolve (builds the name index) {first_resolve:?}",
        g.versions.len(),
        g.successions.len()
    );
    // Generous: the machine is shared; the real figures are printed above.
    assert!(took.as_secs() < 5);
}
