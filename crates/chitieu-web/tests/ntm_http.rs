//! The NTM page (/app/ntm) over HTTP against the real server on a temporary database: the
//! level selector (đạt chuẩn / nâng cao / kiểu mẫu, as the year's criteria set has them), X/Y
//! communes and the average per level, the chosen level's table, scope and bad levels.

mod common;

use chitieu_core::admin::{UnitId, UnitKind};
use chitieu_core::indicator::Catalog;
use chitieu_core::ntm::{CommuneCriteria, CriterionState, Evidence, NtmLevel};
use chitieu_store::accounts::Role;
use chitieu_store::{NoProgress, NtmStore, SqliteStore, Store};
use common::{Client, config, create_accounts, serve};
use rust_decimal::Decimal;

const DISTRICT: &str = "huyện Hữu Lũng, tỉnh Lạng Sơn";

/// A commune's record at a level: criteria 1..=`met` met, the rest up to 19 not met.
fn record(commune: UnitId, level: NtmLevel, met: u32) -> CommuneCriteria {
    CommuneCriteria {
        commune,
        year: 2023,
        set: "318-2021".into(),
        level,
        states: (1..=19)
            .map(|n| CriterionState {
                criterion: n,
                met: n <= met,
                evidence: Evidence {
                    text: "báo cáo của UBND xã".into(),
                    document: None,
                    figure: None,
                },
            })
            .collect(),
    }
}

/// "14,3": the average as the page writes it.
fn average(total: u32, communes: usize) -> String {
    let avg = Decimal::from(total) / Decimal::from(communes as u64);
    chitieu_text::format_decimal_vi(avg, 1)
}

/// The text of the element with this id, up to its closing tag `end`.
fn part<'a>(body: &'a str, id: &str, end: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}: {body}"));
    let rest = &body[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn the_ntm_page_shows_each_level_with_its_counts() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ntm.db");
    let mut s = SqliteStore::open(&path).expect("open");
    s.init(&Catalog::builtin(), &NoProgress).expect("init");
    let on = chrono::NaiveDate::from_ymd_opt(2023, 6, 30).expect("day");
    let district = s.resolve_unit(DISTRICT, on).expect("district").unit;
    let communes: Vec<UnitId> = s
        .descendants_on(district, on)
        .expect("communes")
        .into_iter()
        .filter(|v| v.kind == UnitKind::Xa)
        .map(|v| v.unit)
        .collect();
    assert!(communes.len() > 3, "{communes:?}");
    let n = communes.len();
    let other = s
        .resolve_unit("huyện Bắc Sơn, tỉnh Lạng Sơn", on)
        .expect("other")
        .unit;
    // Đạt chuẩn: two communes meet all 19, a third 18. Nâng cao: one meets all 19, one 10.
    s.set_ntm_states(
        &[
            record(communes[0], NtmLevel::Standard, 19),
            record(communes[1], NtmLevel::Standard, 19),
            record(communes[2], NtmLevel::Standard, 18),
            record(communes[0], NtmLevel::Advanced, 19),
            record(communes[1], NtmLevel::Advanced, 10),
        ],
        "test",
    )
    .expect("NTM states");
    let province = s.resolve_unit("tỉnh Lạng Sơn", on).expect("province").unit;
    create_accounts(
        &mut s,
        &[
            ("vanphong", Role::Office, vec![province]),
            ("bac.son", Role::Viewer, vec![other]),
        ],
    );
    drop(s);
    let addr = serve(config(&path));
    let mut office = Client::login_at(addr, "vanphong");
    let url = |level: &str| {
        format!(
            "/app/ntm?unit={}&year=2023{}",
            common::enc(DISTRICT),
            if level.is_empty() {
                String::new()
            } else {
                format!("&level={}", common::enc(level))
            }
        )
    };

    // By default the standard level, with the selector offering the set's three levels.
    let page = office.get(&url(""));
    assert_eq!(page.status, 200, "{}", page.body);
    let selector = part(&page.body, "ntm-level", "</select>");
    assert!(
        selector.contains("<option value=\"standard\" selected>đạt chuẩn</option>")
            && selector.contains("<option value=\"advanced\">nâng cao</option>")
            && selector.contains("<option value=\"model\">kiểu mẫu</option>")
            && !selector.contains("hiện đại"),
        "{selector}"
    );
    let summary = part(&page.body, "ntm-summary", "</p>");
    assert!(
        summary.contains(&format!(
            "2/{n} xã đạt chuẩn nông thôn mới; bình quân mỗi xã đạt {} tiêu chí",
            average(19 + 19 + 18, n)
        )),
        "{summary}"
    );

    // The overview has X/Y and the average at every level with records; kiểu mẫu has none,
    // so it says there is no data rather than "0/n".
    let levels = part(&page.body, "ntm-levels", "</table>");
    let rows: Vec<&str> = levels.split("<tr").skip(2).collect();
    assert_eq!(rows.len(), 3, "{levels}");
    let expected = [
        ("đạt chuẩn", format!("2/{n}"), average(56, n)),
        ("nâng cao", format!("1/{n}"), average(29, n)),
        ("kiểu mẫu", "chưa có dữ liệu".to_string(), "–".to_string()),
    ];
    for (row, (label, ratio, avg)) in rows.iter().zip(&expected) {
        assert!(
            row.contains(&format!(">{label}</a>"))
                && row.contains(&format!("<td class=\"num\">{ratio}</td>"))
                && row.contains(&format!("<td class=\"num\">{avg}</td>")),
            "{label}: {row}"
        );
    }

    // The advanced level: chosen by key or by its Vietnamese label, the table at that level.
    for level in ["advanced", "nâng cao"] {
        let page = office.get(&url(level));
        assert_eq!(page.status, 200, "{}", page.body);
        let selector = part(&page.body, "ntm-level", "</select>");
        assert!(
            selector.contains("<option value=\"advanced\" selected>nâng cao</option>"),
            "{selector}"
        );
        let summary = part(&page.body, "ntm-summary", "</p>");
        assert!(
            summary.contains(&format!(
                "1/{n} xã đạt chuẩn nông thôn mới nâng cao; bình quân mỗi xã đạt {} tiêu chí",
                average(29, n)
            )),
            "{summary}"
        );
        // The second commune is short of criteria 11–19 at this level.
        assert!(
            page.body.contains("Các xã chưa đạt theo tiêu chí"),
            "{}",
            page.body
        );
    }

    // The kiểu mẫu level itself: no record, so no X/Y, no "0/n", nobody listed as short.
    let page = office.get(&url("model"));
    assert_eq!(page.status, 200, "{}", page.body);
    let summary = part(&page.body, "ntm-summary", "</p>");
    assert!(
        summary.contains("Chưa có dữ liệu xã đạt chuẩn nông thôn mới kiểu mẫu năm 2023."),
        "{summary}"
    );
    assert!(!page.body.contains(&format!("0/{n}")), "{}", page.body);
    assert!(
        !page.body.contains("Các xã chưa đạt theo tiêu chí"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"ntm-unrecorded\""),
        "{}",
        page.body
    );

    // A level the set does not have, or no level at all: refused, naming it.
    let r = office.get(&url("hiện đại"));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("không có mức «hiện đại»"), "{}", r.body);
    let r = office.get(&url("cao nhất"));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("mức «cao nhất» không rõ"), "{}", r.body);

    // Communes without a record are said to have none, and are not listed as short.
    let page = office.get(&url(""));
    let summary = part(&page.body, "ntm-summary", "</p>");
    assert!(
        summary.contains(&format!("({} xã chưa có số liệu, tính là chưa đạt)", n - 3)),
        "{summary}"
    );
    assert!(page.body.contains("id=\"ntm-unrecorded\""), "{}", page.body);
    let shortfall = part(&page.body, "ntm-shortfall", "</ul>");
    assert_eq!(
        shortfall.matches("<li>").count(),
        1,
        "only criterion 19: {shortfall}"
    );
    // A year with no records at all: no X/Y of zeros, no list of every commune as short.
    let page = office.get(&format!(
        "/app/ntm?unit={}&year=2021",
        common::enc(DISTRICT)
    ));
    assert_eq!(page.status, 200, "{}", page.body);
    let summary = part(&page.body, "ntm-summary", "</p>");
    assert!(
        summary.contains("Chưa có dữ liệu xã đạt chuẩn nông thôn mới năm 2021."),
        "{summary}"
    );
    // Every level of the overview says so too.
    let levels = part(&page.body, "ntm-levels", "</table>");
    let rows: Vec<&str> = levels.split("<tr").skip(2).collect();
    assert_eq!(rows.len(), 3, "{levels}");
    for row in rows {
        assert!(
            row.contains("<td class=\"num\">chưa có dữ liệu</td>")
                && row.contains("<td class=\"num\">–</td>"),
            "{row}"
        );
    }
    assert!(!page.body.contains(&format!("0/{n}")), "{}", page.body);
    assert!(
        !page.body.contains("Các xã chưa đạt theo tiêu chí"),
        "{}",
        page.body
    );

    // Another district's viewer may not see Hữu Lũng's communes at any level.
    let mut viewer = Client::login_at(addr, "bac.son");
    let r = viewer.get(&url("advanced"));
    assert_eq!(r.status, 403, "{}", r.body);
}
