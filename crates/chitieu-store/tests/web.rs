//! The web application's storage: sessions expire, disabled accounts lose their sessions and
//! tokens, the workflow's transitions, and reader comments' rate limit. Times are given to
//! the store explicitly, so nothing here depends on the clock.

use chitieu_core::period::Period;
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::portal::{CommentState, NewComment};
use chitieu_store::workflow::{DataSetState, WorkflowAction};
use chitieu_store::{AccountStore, PortalStore, Store, StoreError, WorkflowStore};
use chrono::Duration;

#[macro_use]
mod backend;

for_each_backend!(
    comments_are_rate_limited_and_kept_as_typed,
    approval_follows_the_unit_tree_and_locks_entry;
    uninitialised: sessions_expire_and_end_with_a_disabled_account,
    failed_log_ins_lock_from_the_nth,
);

/// What every test body needs of a store.
trait WebStore: Store + AccountStore + WorkflowStore + PortalStore {}
impl<S: Store + AccountStore + WorkflowStore + PortalStore> WebStore for S {}

fn account(s: &mut impl WebStore, name: &str) -> i64 {
    s.create_account(
        &NewAccount {
            username: Username::new(name).unwrap(),
            display_name: name.into(),
            role: Role::Viewer,
            scopes: vec![],
            password_hash: "$argon2id$not-checked-here".into(),
        },
        "test",
    )
    .unwrap()
    .id
}

fn sessions_expire_and_end_with_a_disabled_account(mut s: impl WebStore) {
    let id = account(&mut s, "nguoi.xem");
    let now = chrono::Utc::now();
    s.open_session(id, "live", "csrf-1", now + Duration::hours(8))
        .unwrap();
    s.open_session(id, "old", "csrf-2", now - Duration::seconds(1))
        .unwrap();
    let live = s.session("live", now).unwrap().unwrap();
    assert_eq!(live.csrf, "csrf-1");
    assert_eq!(live.account.username.as_str(), "nguoi.xem");
    assert!(s.session("old", now).unwrap().is_none());
    assert!(
        s.session("live", now + Duration::hours(9))
            .unwrap()
            .is_none()
    );
    assert!(s.session("unknown", now).unwrap().is_none());

    s.create_api_token(id, "máy", "tok", "test").unwrap();
    assert!(s.account_for_token("tok").unwrap().is_some());
    s.update_account(id, Role::Viewer, &[], true, "admin")
        .unwrap();
    assert!(s.session("live", now).unwrap().is_none());
    assert!(s.account_for_token("tok").unwrap().is_none());
    // Every change was audited.
    let actions: Vec<String> = s
        .audit_log(20)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "account.create",
        "login",
        "api_token.create",
        "account.update",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
    // User names are checked.
    assert!(Username::new("Ab").is_err());
    assert!(Username::new("x y z").is_err());
    assert!(
        matches!(
            s.create_account(
                &NewAccount {
                    username: Username::new("nguoi.xem").unwrap(),
                    display_name: String::new(),
                    role: Role::Admin,
                    scopes: vec![],
                    password_hash: String::new(),
                },
                "test"
            ),
            Err(StoreError::AlreadyExists(_))
        ),
        "a second account of the same name"
    );
}

fn failed_log_ins_lock_from_the_nth(mut s: impl WebStore) {
    let id = account(&mut s, "khoa.thu");
    let now = chrono::Utc::now();
    for n in 1..=4 {
        let f = s
            .record_login_failure(id, now, 5, Duration::minutes(15))
            .unwrap();
        assert_eq!(f.failed_logins, n);
        assert!(f.locked_until.is_none());
    }
    let f = s
        .record_login_failure(id, now, 5, Duration::minutes(15))
        .unwrap();
    assert_eq!(f.locked_until, Some(now + Duration::minutes(15)));
    // A successful log-in (a session opened) resets the count.
    s.open_session(id, "t", "c", now + Duration::hours(1))
        .unwrap();
    let a = s.account(id).unwrap();
    assert_eq!(a.failed_logins, 0);
    assert!(a.locked_until.is_none());
}

#[test]
fn workflow_transitions() {
    use DataSetState as S;
    use WorkflowAction as A;
    assert_eq!(A::Save.next(None), Ok(S::Draft));
    assert_eq!(A::Submit.next(Some(S::Draft)), Ok(S::Submitted));
    assert_eq!(A::Submit.next(Some(S::Returned)), Ok(S::Submitted));
    assert_eq!(A::Approve.next(Some(S::Submitted)), Ok(S::Approved));
    assert_eq!(A::Return.next(Some(S::Submitted)), Ok(S::Returned));
    assert_eq!(A::Reopen.next(Some(S::Approved)), Ok(S::Returned));
    for (a, from) in [
        (A::Save, Some(S::Submitted)),
        (A::Save, Some(S::Approved)),
        (A::Submit, None),
        (A::Submit, Some(S::Approved)),
        (A::Approve, Some(S::Draft)),
        (A::Approve, Some(S::Approved)),
        (A::Return, Some(S::Approved)),
        (A::Reopen, Some(S::Submitted)),
    ] {
        assert!(a.next(from).is_err(), "{a:?} from {from:?}");
    }
    assert!(S::Draft.editable() && S::Returned.editable());
    assert!(!S::Submitted.editable() && !S::Approved.editable());
}

fn comments_are_rate_limited_and_kept_as_typed(mut s: impl WebStore) {
    let unit = s
        .resolve_unit(
            "tỉnh Lạng Sơn",
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        )
        .unwrap()
        .unit;
    let since = "2000-01-01T00:00:00Z";
    let c = |body: &str, client: &str| NewComment {
        unit,
        topic: format!("result:{}", Period::year(2024).unwrap()),
        author: "Bạn đọc".into(),
        body: body.into(),
        client_key: client.into(),
    };
    let first = s.add_comment(&c("<b>một</b>", "a"), since, 2).unwrap();
    s.add_comment(&c("hai", "a"), since, 2).unwrap();
    assert!(matches!(
        s.add_comment(&c("ba", "a"), since, 2),
        Err(StoreError::Refused(_))
    ));
    // Another client is not limited by the first one.
    s.add_comment(&c("khác", "b"), since, 2).unwrap();
    assert_eq!(
        s.comments(Some(unit), None, Some(CommentState::Pending))
            .unwrap()
            .len(),
        3
    );
    let published = s
        .moderate_comment(first, CommentState::Published, "office")
        .unwrap();
    assert_eq!(published.body, "<b>một</b>");
    assert_eq!(published.moderated_by.as_deref(), Some("office"));
}

fn approval_follows_the_unit_tree_and_locks_entry(mut s: impl WebStore) {
    use chitieu_core::admin::UnitKind;
    use chitieu_core::indicator::IndicatorCode;
    use chitieu_store::workflow::DraftEntry;
    let period = Period::year(2024).unwrap();
    let on = period.end_date();
    let district = s.resolve_unit("huyện Bắc Sơn", on).unwrap().unit;
    let commune = s
        .children_on(district, on)
        .unwrap()
        .into_iter()
        .find(|v| v.kind == UnitKind::Xa)
        .expect("a commune of Bắc Sơn")
        .unit;
    let entry = |v: &str| {
        vec![DraftEntry {
            indicator: IndicatorCode::new("rice_yield").unwrap(),
            value: v.parse().unwrap(),
            comment: None,
        }]
    };

    s.save_draft(commune, &period, &entry("55.2"), "reporter-xa")
        .unwrap();
    s.save_draft(district, &period, &entry("54.10"), "reporter-huyen")
        .unwrap();
    assert_eq!(
        s.draft_values(district, &period).unwrap()[0].value,
        "54.1".parse().unwrap()
    );
    refused(s.approve(district, &period, "office"), "chưa thể duyệt");
    s.submit(district, &period, "reporter-huyen").unwrap();
    // The commune below has a data set that is not approved yet.
    refused(s.approve(district, &period, "office"), "cấp dưới");
    s.submit(commune, &period, "reporter-xa").unwrap();
    refused(
        s.save_draft(commune, &period, &entry("1"), "reporter-xa"),
        "chờ duyệt",
    );
    s.approve(commune, &period, "office").unwrap();
    let d = s.approve(district, &period, "office").unwrap();
    assert_eq!(d.state, DataSetState::Approved);
    // Approved is locked, and the commune cannot be reopened under an approved district.
    refused(
        s.save_draft(district, &period, &entry("1"), "reporter-huyen"),
        "đã duyệt",
    );
    refused(s.reopen(commune, &period, "", "office"), "cấp trên");
    let d = s
        .reopen(district, &period, "sửa số liệu lúa", "office")
        .unwrap();
    assert_eq!(d.state, DataSetState::Returned);
    assert_eq!(d.comment.as_deref(), Some("sửa số liệu lúa"));
    s.reopen(commune, &period, "", "office").unwrap();
    s.save_draft(commune, &period, &entry("56"), "reporter-xa")
        .unwrap();
    s.submit(commune, &period, "reporter-xa").unwrap();
    refused(
        s.return_for_correction(commune, &period, " ", "office"),
        "lý do",
    );
    let r = s
        .return_for_correction(commune, &period, "thiếu nguồn", "office")
        .unwrap();
    assert_eq!(r.state, DataSetState::Returned);
    assert_eq!(
        s.data_sets(Some(DataSetState::Returned)).unwrap().len(),
        2,
        "district and commune are returned"
    );

    // Each submission is a revision of the figure; nothing is lost.
    let history = s.figure_history("rice_yield", commune, &period).unwrap();
    let values: Vec<String> = history.iter().map(|f| f.input.value.to_string()).collect();
    assert_eq!(values, ["55.2", "56"]);
    let actions: Vec<WorkflowAction> = s
        .data_set_events(commune, &period)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    use WorkflowAction as A;
    assert_eq!(
        actions,
        [
            A::Save,
            A::Submit,
            A::Approve,
            A::Reopen,
            A::Save,
            A::Submit,
            A::Return
        ]
    );
    let audited = s
        .audit_log(200)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "data_set" && e.entity_key == format!("{}/{}", commune.0, period))
        .count();
    // Each transition, plus the values of each saved draft.
    assert_eq!(audited, actions.len() + 2);

    // Explanation requests are answered once.
    let code = IndicatorCode::new("rice_yield").unwrap();
    let e = s
        .ask_explanation(&code, commune, &period, "Vì sao năng suất giảm?", "office")
        .unwrap();
    let a = s
        .answer_explanation(e.id, "Do hạn hán.", "reporter-xa")
        .unwrap();
    assert_eq!(a.answer.as_deref(), Some("Do hạn hán."));
    refused(
        s.answer_explanation(e.id, "lần hai", "reporter-xa"),
        "đã được trả lời",
    );
    assert_eq!(s.explanations().unwrap().len(), 1);
}

/// Asserts a refusal whose message says `words`.
fn refused<T: std::fmt::Debug>(r: chitieu_store::Result<T>, words: &str) {
    match r {
        Err(StoreError::Refused(m)) => assert!(m.contains(words), "{m}"),
        other => panic!("expected a refusal about «{words}», got {other:?}"),
    }
}
