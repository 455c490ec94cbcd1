//! Notifications on both backends: one per account and dedupe key however often the same
//! reminders are added, e-mails and digests claimed by exactly one caller, a claim left
//! unsettled taken again after its lease (a sent e-mail never), and (PostgreSQL) two server
//! processes adding the same reminders at the same moment store each once. A late release
//! gives back only its own claim; a day's digest is claimed with its notification or not at
//! all.

#[macro_use]
mod backend;

use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::notifications::{NewNotification, SchedulerRun};
use chitieu_store::{AccountStore, NotificationStore, PgStore, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};

for_each_backend!(; uninitialised:
    notifications_are_stored_once_per_account_and_key,
    emails_and_digests_are_claimed_once,
    a_claim_not_settled_within_the_lease_is_taken_again,
    a_late_release_keeps_a_newer_claim,
);

fn account<S: AccountStore>(s: &mut S, name: &str) -> i64 {
    s.create_account(
        &NewAccount {
            username: Username::new(name).expect("name"),
            display_name: name.into(),
            role: Role::Reporter,
            scopes: vec![],
            password_hash: "$argon2id$not-checked-here".into(),
        },
        "test",
    )
    .expect("account")
    .id
}

fn note(account_id: i64, key: &str) -> NewNotification {
    NewNotification {
        account_id,
        kind: "deadline_soon".into(),
        dedupe_key: key.into(),
        title: format!("Sắp đến hạn: {key}"),
        body: "Nhiệm vụ «Hoàn thành đường giao thông nông thôn» còn 7 ngày.".into(),
        link: Some("/app/tasks/1".into()),
    }
}

/// A lease that has not run out for any claim of these tests.
const LONG_AGO: DateTime<Utc> = DateTime::<Utc>::MIN_UTC;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

fn notifications_are_stored_once_per_account_and_key<
    S: Store + AccountStore + NotificationStore,
>(
    mut s: S,
) {
    let a = account(&mut s, "xa.vuson");
    let b = account(&mut s, "van.phong");
    let first = vec![
        note(a, "task:1:due-in:7d"),
        note(a, "task:2:due-in:7d"),
        note(b, "task:1:due-in:7d"),
    ];
    let created = s
        .add_notifications(&first, t("2026-11-20T01:00:00Z"))
        .expect("add");
    assert_eq!(created.len(), 3);
    assert_eq!(created[0].title, "Sắp đến hạn: task:1:due-in:7d");
    // The same reminders again (the next pass, or after a restart), plus one new one.
    let mut again = first.clone();
    again.push(note(a, "task:1:due-in:1d"));
    let created = s
        .add_notifications(&again, t("2026-11-26T01:00:00Z"))
        .expect("add again");
    let keys: Vec<(i64, String)> = created
        .iter()
        .map(|n| (n.account_id, n.dedupe_key.clone()))
        .collect();
    assert_eq!(keys, vec![(a, "task:1:due-in:1d".to_string())]);
    assert!(
        s.add_notifications(&again, t("2026-11-27T01:00:00Z"))
            .expect("third")
            .is_empty()
    );
    assert_eq!(s.unread_count(a).expect("count"), 3);
    assert_eq!(s.unread_count(b).expect("count"), 1);
    let list = s.notifications(a, false, 10).expect("list");
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].dedupe_key, "task:1:due-in:1d", "newest first");
    assert_eq!(s.notifications(a, false, 2).expect("limit").len(), 2);

    // Reading: one, then all; another account's notification cannot be marked by a.
    let theirs = s.notifications(b, false, 10).expect("b")[0].id;
    assert_eq!(
        s.mark_read(a, Some(theirs), t("2026-11-27T02:00:00Z"))
            .expect("foreign"),
        0
    );
    assert_eq!(s.unread_count(b).expect("count"), 1);
    assert_eq!(
        s.mark_read(a, Some(list[0].id), t("2026-11-27T02:00:00Z"))
            .expect("one"),
        1
    );
    assert_eq!(s.notifications(a, true, 10).expect("unread").len(), 2);
    assert_eq!(
        s.mark_read(a, None, t("2026-11-27T02:00:00Z"))
            .expect("all"),
        2
    );
    assert_eq!(s.unread_count(a).expect("count"), 0);
    assert!(s.notifications(a, true, 10).expect("unread").is_empty());
    let read = s.notifications(a, false, 10).expect("all");
    assert!(read.iter().all(|n| n.read_at.is_some()));

    let actions: Vec<String> = s
        .audit_log(50)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "notification.create")
            .count(),
        2,
        "one audit entry per call that created something: {actions:?}"
    );
    assert!(actions.iter().any(|a| a == "notification.read"));
}

fn emails_and_digests_are_claimed_once<S: Store + AccountStore + NotificationStore>(mut s: S) {
    let a = account(&mut s, "xa.vuson");
    let b = account(&mut s, "khong.thu");
    for bad in [
        "",
        "khong-co-a-cong",
        "a@b",
        "a b@x.vn",
        "<a@x.vn>",
        "a@@x.vn",
    ] {
        match s.set_email(a, Some(bad), "admin") {
            Err(StoreError::Refused(msg)) => assert!(msg.contains("thư điện tử"), "{msg}"),
            other => panic!("'{bad}' accepted: {other:?}"),
        }
    }
    assert!(matches!(
        s.set_email(9999, Some("x@ubnd.vn"), "admin"),
        Err(StoreError::NotFound { .. })
    ));
    s.set_email(a, Some(" vp@vuson.langson.gov.vn "), "admin")
        .expect("email");
    assert_eq!(
        s.email(a).expect("email").as_deref(),
        Some("vp@vuson.langson.gov.vn")
    );
    assert_eq!(s.email(b).expect("none"), None);

    s.add_notifications(
        &[
            note(a, "period:2026-H2:open"),
            note(b, "period:2026-H2:open"),
        ],
        t("2026-12-16T01:00:00Z"),
    )
    .expect("add");
    // Only accounts with an address have e-mail to send; older ones are not picked up.
    let unsent = s
        .unsent_emails(t("2026-12-15T00:00:00Z"), LONG_AGO, 10)
        .expect("unsent");
    assert_eq!(unsent.len(), 1);
    assert_eq!(unsent[0].account_id, a);
    assert!(
        s.unsent_emails(t("2026-12-17T00:00:00Z"), LONG_AGO, 10)
            .expect("later")
            .is_empty()
    );
    let id = unsent[0].id;
    assert!(
        s.claim_email(id, t("2026-12-16T01:01:00Z"), LONG_AGO)
            .expect("claim")
    );
    assert!(
        !s.claim_email(id, t("2026-12-16T01:02:00Z"), LONG_AGO)
            .expect("twice")
    );
    assert!(
        s.unsent_emails(t("2026-12-15T00:00:00Z"), LONG_AGO, 10)
            .expect("none left")
            .is_empty()
    );
    // A failed send gives the claim back for the next pass.
    assert!(
        s.release_email(id, t("2026-12-16T01:01:00Z"))
            .expect("release")
    );
    assert_eq!(
        s.unsent_emails(t("2026-12-15T00:00:00Z"), LONG_AGO, 10)
            .expect("again")
            .len(),
        1
    );

    let day = NaiveDate::from_ymd_opt(2026, 12, 16).expect("day");
    assert!(
        s.claim_digest(a, day, 3, t("2026-12-16T00:05:00Z"))
            .expect("digest")
    );
    assert!(
        !s.claim_digest(a, day, 3, t("2026-12-16T00:06:00Z"))
            .expect("digest twice")
    );
    assert!(
        s.claim_digest(b, day, 1, t("2026-12-16T00:06:00Z"))
            .expect("other account")
    );
    assert!(
        s.claim_digest(a, day + Duration::days(1), 1, t("2026-12-17T00:05:00Z"))
            .expect("next day")
    );
    s.release_digest(a, day).expect("release");
    assert!(
        s.claim_digest(a, day, 3, t("2026-12-16T00:07:00Z"))
            .expect("after release")
    );

    // Removing the address stops e-mail.
    s.set_email(a, None, "admin").expect("remove");
    assert!(
        s.unsent_emails(t("2026-12-15T00:00:00Z"), LONG_AGO, 10)
            .expect("no address")
            .is_empty()
    );

    let run = SchedulerRun {
        id: 0,
        started_at: "2026-12-16T00:05:00.000000Z".into(),
        finished_at: "2026-12-16T00:05:01.000000Z".into(),
        created: 2,
        emailed: 1,
        digests: 2,
        error: None,
    };
    let id = s.record_run(&run).expect("run");
    let runs = s.runs(5).expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0], SchedulerRun { id, ..run });
    let actions: Vec<String> = s
        .audit_log(50)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for want in [
        "account.email",
        "notification.email",
        "notification.email_failed",
        "digest.send",
        "digest.failed",
        "scheduler.run",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}

/// A process that claimed an e-mail and died before sending it or giving the claim back:
/// within the lease nobody takes the claim; after it, the next pass claims it (once); a sent
/// e-mail is recorded and never claimed again, however old its claim.
fn a_claim_not_settled_within_the_lease_is_taken_again<
    S: Store + AccountStore + NotificationStore,
>(
    mut s: S,
) {
    let a = account(&mut s, "xa.vuson");
    s.set_email(a, Some("vp@vuson.langson.gov.vn"), "admin")
        .expect("email");
    let created = s
        .add_notifications(
            &[note(a, "task:1:due-in:7d"), note(a, "task:2:due-in:7d")],
            t("2026-12-16T01:00:00Z"),
        )
        .expect("add");
    let (lost, sent) = (created[0].id, created[1].id);
    let since = t("2026-12-15T00:00:00Z");
    let lease = Duration::minutes(30);
    let claimed_at = t("2026-12-16T01:01:00Z");
    for id in [lost, sent] {
        assert!(
            s.claim_email(id, claimed_at, claimed_at - lease)
                .expect("claim")
        );
    }
    // `sent` was mailed and settled; `lost`'s process died before settling.
    s.email_sent(sent, claimed_at).expect("sent");

    // Within the lease (the claim is 29 minutes old, then exactly 30): not offered, not taken.
    for now in [t("2026-12-16T01:30:00Z"), t("2026-12-16T01:31:00Z")] {
        assert!(
            s.unsent_emails(since, now - lease, 10)
                .expect("unsent")
                .is_empty(),
            "{now}"
        );
        assert!(!s.claim_email(lost, now, now - lease).expect("fresh claim"));
    }

    // After the lease: offered and claimed again, by one caller only.
    let now = t("2026-12-16T01:31:01Z");
    let offered: Vec<i64> = s
        .unsent_emails(since, now - lease, 10)
        .expect("stale")
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(offered, vec![lost]);
    assert!(s.claim_email(lost, now, now - lease).expect("reclaim"));
    assert!(
        !s.claim_email(lost, now, now - lease)
            .expect("reclaim twice")
    );
    // The new claim holds for its own lease.
    let soon = now + Duration::minutes(10);
    assert!(
        s.unsent_emails(since, soon - lease, 10)
            .expect("renewed")
            .is_empty()
    );
    s.email_sent(lost, now).expect("sent at last");

    // Sent ones are never offered or claimed again, however long after; nor given back.
    let much_later = t("2026-12-17T00:00:00Z");
    assert!(
        !s.release_email(sent, claimed_at)
            .expect("release of a sent e-mail")
    );
    for id in [lost, sent] {
        assert!(
            !s.claim_email(id, much_later, much_later)
                .expect("sent: not claimed")
        );
    }
    assert!(
        s.unsent_emails(since, much_later, 10)
            .expect("none")
            .is_empty()
    );
    let emailed: Vec<Option<String>> = s
        .notifications(a, false, 10)
        .expect("list")
        .into_iter()
        .map(|n| n.emailed_at)
        .collect();
    assert!(emailed.iter().all(Option::is_some), "{emailed:?}");
    let actions: Vec<String> = s
        .audit_log(50)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "notification.email_sent")
            .count(),
        2
    );
    assert!(!actions.iter().any(|a| a == "notification.email_failed"));
}

/// A process whose send failed only after its claim's lease ran out gives back its own
/// claim, never the newer one another process took meanwhile: the release names the claim's
/// time and changes nothing when the claim is no longer that one. The times are passed in.
fn a_late_release_keeps_a_newer_claim<S: Store + AccountStore + NotificationStore>(mut s: S) {
    let a = account(&mut s, "xa.vuson");
    s.set_email(a, Some("vp@vuson.langson.gov.vn"), "admin")
        .expect("email");
    let id = s
        .add_notifications(&[note(a, "task:1:due-in:7d")], t("2026-12-16T01:00:00Z"))
        .expect("add")[0]
        .id;
    let since = t("2026-12-15T00:00:00Z");
    let lease = Duration::minutes(30);
    let first = t("2026-12-16T01:01:00Z");
    assert!(
        s.claim_email(id, first, first - lease)
            .expect("first claim")
    );
    // The first process's send hangs past the lease; a second process claims again.
    let second = first + Duration::minutes(31);
    assert!(
        s.claim_email(id, second, second - lease)
            .expect("second claim")
    );
    // The first send fails at last: its release finds the second claim and changes nothing.
    assert!(
        !s.release_email(id, first)
            .expect("late release of the first claim")
    );
    let soon = second + Duration::minutes(5);
    assert!(
        s.unsent_emails(since, soon - lease, 10)
            .expect("still claimed")
            .is_empty()
    );
    assert!(
        !s.claim_email(id, soon, soon - lease)
            .expect("a third process")
    );
    let stored = s.notifications(a, false, 10).expect("list");
    assert_eq!(
        stored[0].emailed_at.as_deref(),
        Some("2026-12-16T01:32:00.000000Z")
    );
    // The second process's own release gives its claim back.
    assert!(s.release_email(id, second).expect("own release"));
    assert_eq!(
        s.unsent_emails(since, soon - lease, 10)
            .expect("offered again")
            .len(),
        1
    );
    let failed = s
        .audit_log(50)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "notification.email_failed")
        .count();
    assert_eq!(
        failed, 1,
        "only the release that changed something is audited"
    );
}

fn digest(account_id: i64, day: &str) -> NewNotification {
    NewNotification {
        account_id,
        kind: "digest".into(),
        dedupe_key: format!("digest:{day}"),
        title: format!("Tổng hợp ngày {day}: 3 thông báo chưa đọc"),
        body: "- Sắp đến hạn: task:1:due-in:7d\n".into(),
        link: Some("/app/notifications".into()),
    }
}

/// A day's digest is claimed and its notification stored in one transaction: the first call
/// stores both, a second one neither; when the notification's insert fails (here a trigger
/// refuses it) the claim is not kept either, so the next pass makes the digest after all.
/// `refuse` installs the failing trigger (true) or removes it (false), in each backend's SQL.
fn a_digest_is_claimed_with_its_notification_or_not_at_all<S>(
    mut s: S,
    refuse: impl Fn(&mut S, bool),
) where
    S: Store + AccountStore + NotificationStore,
{
    let a = account(&mut s, "xa.vuson");
    let b = account(&mut s, "xa.huulung");
    let day = NaiveDate::from_ymd_opt(2026, 12, 16).expect("day");
    let made = s
        .add_digest(day, 3, &digest(a, "2026-12-16"), t("2026-12-16T11:00:00Z"))
        .expect("digest")
        .expect("created");
    assert_eq!((made.account_id, made.kind.as_str()), (a, "digest"));
    assert_eq!(
        s.add_digest(day, 3, &digest(a, "2026-12-16"), t("2026-12-16T11:05:00Z"))
            .expect("again"),
        None
    );
    assert!(
        !s.claim_digest(a, day, 3, t("2026-12-16T11:06:00Z"))
            .expect("claimed with it")
    );
    assert_eq!(s.notifications(a, false, 10).expect("list"), vec![made]);

    // The notification cannot be stored: nothing is, the claim neither.
    refuse(&mut s, true);
    assert!(
        s.add_digest(day, 1, &digest(b, "2026-12-16"), t("2026-12-16T11:00:00Z"))
            .is_err()
    );
    refuse(&mut s, false);
    assert!(s.notifications(b, false, 10).expect("none").is_empty());
    let made = s
        .add_digest(day, 1, &digest(b, "2026-12-16"), t("2026-12-16T11:10:00Z"))
        .expect("next pass")
        .expect("made after all");
    assert_eq!(made.account_id, b);

    // A claim given back while its notification stays: taken again, nothing new stored.
    s.release_digest(a, day).expect("release");
    assert_eq!(
        s.add_digest(day, 3, &digest(a, "2026-12-16"), t("2026-12-16T12:00:00Z"))
            .expect("after release"),
        None
    );
    assert_eq!(s.notifications(a, false, 10).expect("list").len(), 1);

    let audit = s.audit_log(50).expect("audit");
    let count = |action: &str| audit.iter().filter(|e| e.action == action).count();
    assert_eq!(
        (count("digest.send"), count("notification.create")),
        (3, 2),
        "two digests made and one claim taken again; the refused one left no entry"
    );
}

#[test]
fn sqlite_a_digest_is_claimed_with_its_notification_or_not_at_all() {
    let (_dir, s) = backend::sqlite(false);
    a_digest_is_claimed_with_its_notification_or_not_at_all(s, |s, on| {
        let sql = if on {
            "CREATE TRIGGER refuse_notification BEFORE INSERT ON notification
             BEGIN SELECT RAISE(ABORT, 'notification refused by the test'); END;"
        } else {
            "DROP TRIGGER refuse_notification;"
        };
        s.connection().execute_batch(sql).expect("trigger");
    });
}

#[test]
fn postgres_a_digest_is_claimed_with_its_notification_or_not_at_all() {
    let Some((_schema, s)) = backend::postgres("digest_atomic", false) else {
        return;
    };
    a_digest_is_claimed_with_its_notification_or_not_at_all(s, |s, on| {
        let sql = if on {
            "CREATE FUNCTION refuse_notification() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'notification refused by the test'; END $$;
             CREATE TRIGGER refuse_notification BEFORE INSERT ON notification
             FOR EACH ROW EXECUTE FUNCTION refuse_notification();"
        } else {
            "DROP TRIGGER refuse_notification ON notification;
             DROP FUNCTION refuse_notification();"
        };
        s.batch_execute(sql).expect("trigger");
    });
}

/// Two server processes (two connections) add the same reminders at the same moment: each is
/// stored once, handed to exactly one of them, and its e-mail claimed by exactly one.
#[test]
fn two_processes_store_and_email_each_reminder_once() {
    let Some((schema, mut store)) = backend::postgres("notify_two", false) else {
        return;
    };
    let ids: Vec<i64> = (0..3)
        .map(|i| account(&mut store, &format!("nguoi.{i}")))
        .collect();
    let items: Vec<NewNotification> = ids
        .iter()
        .flat_map(|a| (0..20).map(move |k| note(*a, &format!("task:{k}:due-in:7d"))))
        .collect();
    let url = schema.url.clone();
    let name = schema.name.clone();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (url, name, items) = (url.clone(), name.clone(), items.clone());
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut s = PgStore::open_in_schema(&url, Some(&name)).expect("open");
                let created = s.add_notifications(&items, Utc::now()).expect("add");
                let mine = s
                    .notifications(n_account(&items), false, 100)
                    .expect("list");
                let first = t("2026-12-16T01:00:00Z");
                let mut claimed = Vec::new();
                for n in &mine {
                    if s.claim_email(n.id, first, LONG_AGO).expect("claim") {
                        claimed.push(n.id);
                    }
                }
                // All four "die" without settling; after the lease they all try again at the
                // same moment: each stale claim is taken again by exactly one.
                barrier.wait();
                let later = first + Duration::hours(1);
                let mut reclaimed = Vec::new();
                for n in &mine {
                    if s.claim_email(n.id, later, later - Duration::minutes(30))
                        .expect("reclaim")
                    {
                        reclaimed.push(n.id);
                    }
                }
                (
                    created.into_iter().map(|n| n.id).collect::<Vec<_>>(),
                    claimed,
                    reclaimed,
                )
            })
        })
        .collect();
    let mut created = Vec::new();
    let mut claimed = Vec::new();
    let mut reclaimed = Vec::new();
    for h in handles {
        let (c, e, r) = h.join().expect("thread");
        created.extend(c);
        claimed.extend(e);
        reclaimed.extend(r);
    }
    created.sort_unstable();
    let n = created.len();
    created.dedup();
    assert_eq!(n, created.len(), "a notification handed to two processes");
    assert_eq!(n, items.len(), "every reminder stored once");
    claimed.sort_unstable();
    let m = claimed.len();
    claimed.dedup();
    assert_eq!(m, claimed.len(), "an e-mail claimed twice");
    assert_eq!(m, 20, "each of the first account's e-mails claimed once");
    reclaimed.sort_unstable();
    let r = reclaimed.len();
    reclaimed.dedup();
    assert_eq!(r, reclaimed.len(), "a stale claim taken again twice");
    assert_eq!(r, 20, "each stale claim taken again once");
    for a in &ids {
        assert_eq!(store.unread_count(*a).expect("count"), 20);
    }
}

fn n_account(items: &[NewNotification]) -> i64 {
    items.first().map(|n| n.account_id).unwrap_or(0)
}
