//! The notification decisions both backends make the same way: who acts (the scheduler, or
//! the account reading), the audit entries of notifications created and read, e-mails and
//! digests claimed and given back, an address set and a scheduler run recorded; an address
//! checked; counts and limits between the store's integers and Rust's. Each backend writes the
//! rows in its own SQL (the claims are conditional writes there).

use super::Audit;
use crate::notifications::{Notification, SchedulerRun, check_email, day_text};
use crate::{Result, StoreError};
use chrono::NaiveDate;
use serde_json::json;

/// The actor of what the scheduler does.
pub(crate) const SCHEDULER: &str = "scheduler";

/// The actor of notifications marked read: the account itself.
pub(crate) fn reader(account_id: i64) -> String {
    format!("account:{account_id}")
}

/// A stored count read back as `u32` (negative as 0, too large as the largest).
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A `LIMIT` from a `usize`.
pub(crate) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An address to set, checked (`None` removes it).
pub(crate) fn checked_email(email: Option<&str>) -> Result<Option<String>> {
    email
        .map(|e| check_email(e).map_err(StoreError::Refused))
        .transpose()
}

/// The audit entry of the notifications a pass created (`None` when it created none): their
/// number as key and each as "account:key".
pub(crate) fn notifications_created(created: &[Notification]) -> Option<Audit> {
    (!created.is_empty()).then(|| Audit {
        action: "notification.create".to_string(),
        entity: "notification",
        key: created.len().to_string(),
        detail: json!({"keys": created.iter().map(|n| format!("{}:{}", n.account_id, n.dedupe_key)).collect::<Vec<_>>()}),
    })
}

/// The audit entry of `n` notifications marked read: one by its id, or "all".
pub(crate) fn notifications_read(id: Option<i64>, n: u64) -> Audit {
    Audit {
        action: "notification.read".to_string(),
        entity: "notification",
        key: id.map_or_else(|| "all".to_string(), |i| i.to_string()),
        detail: json!({"count": n}),
    }
}

fn notification_entry(action: &str, id: i64) -> Audit {
    Audit {
        action: action.to_string(),
        entity: "notification",
        key: id.to_string(),
        detail: json!({}),
    }
}

/// A notification's e-mail claimed for sending.
pub(crate) fn email_claimed(id: i64) -> Audit {
    notification_entry("notification.email", id)
}

/// A notification's claimed e-mail recorded as sent.
pub(crate) fn email_recorded_sent(id: i64) -> Audit {
    notification_entry("notification.email_sent", id)
}

/// A notification's e-mail claim given back after a failed send.
pub(crate) fn email_released(id: i64) -> Audit {
    notification_entry("notification.email_failed", id)
}

fn digest_key(account_id: i64, day: NaiveDate) -> String {
    format!("{account_id}/{}", day_text(day))
}

/// An account's digest of a day claimed, with its number of items.
pub(crate) fn digest_claimed(account_id: i64, day: NaiveDate, items: u32) -> Audit {
    Audit {
        action: "digest.send".to_string(),
        entity: "digest_sent",
        key: digest_key(account_id, day),
        detail: json!({"items": items}),
    }
}

/// The audit entries of a day's digest claimed and stored in one transaction: the claim with
/// its number of items, then the digest notification when it was created (`None`: it existed
/// already, and only the claim is new).
pub(crate) fn digest_stored(
    account_id: i64,
    day: NaiveDate,
    items: u32,
    created: Option<&Notification>,
) -> Vec<Audit> {
    let mut entries = vec![digest_claimed(account_id, day, items)];
    entries.extend(created.and_then(|n| notifications_created(std::slice::from_ref(n))));
    entries
}

/// An account's digest claim given back after a failed send.
pub(crate) fn digest_released(account_id: i64, day: NaiveDate) -> Audit {
    Audit {
        action: "digest.failed".to_string(),
        entity: "digest_sent",
        key: digest_key(account_id, day),
        detail: json!({}),
    }
}

/// An account's e-mail address set (or removed: `None`).
pub(crate) fn email_set(account_id: i64, email: Option<&str>) -> Audit {
    Audit {
        action: "account.email".to_string(),
        entity: "account",
        key: account_id.to_string(),
        detail: json!({"email": email}),
    }
}

/// A scheduler run recorded as `id`.
pub(crate) fn run_recorded(id: i64, run: &SchedulerRun) -> Audit {
    Audit {
        action: "scheduler.run".to_string(),
        entity: "scheduler_run",
        key: id.to_string(),
        detail: json!({"created": run.created, "emailed": run.emailed, "digests": run.digests, "error": run.error}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn notification(account_id: i64, key: &str) -> Notification {
        Notification {
            id: 1,
            account_id,
            kind: "task".to_string(),
            dedupe_key: key.to_string(),
            title: "Nhiệm vụ sắp đến hạn".to_string(),
            body: String::new(),
            link: None,
            created_at: "2026-11-25T08:00:00Z".to_string(),
            read_at: None,
            emailed_at: None,
        }
    }

    #[test]
    fn audit_entries_of_notifications_digests_and_runs() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).expect("day");
        let run = SchedulerRun {
            id: 0,
            started_at: "2026-11-25T07:00:00Z".to_string(),
            finished_at: "2026-11-25T07:00:01Z".to_string(),
            created: 2,
            emailed: 1,
            digests: 0,
            error: None,
        };
        let created = [
            notification(3, "task:42:due-in:7d"),
            notification(4, "task:42:due-in:7d"),
        ];
        let cases: Vec<(Audit, &str, &str, &str, Value)> = vec![
            (
                notifications_created(&created).expect("created"),
                "notification.create",
                "notification",
                "2",
                json!({"keys": ["3:task:42:due-in:7d", "4:task:42:due-in:7d"]}),
            ),
            (
                notifications_read(Some(9), 1),
                "notification.read",
                "notification",
                "9",
                json!({"count": 1}),
            ),
            (
                notifications_read(None, 5),
                "notification.read",
                "notification",
                "all",
                json!({"count": 5}),
            ),
            (
                email_claimed(9),
                "notification.email",
                "notification",
                "9",
                json!({}),
            ),
            (
                email_recorded_sent(9),
                "notification.email_sent",
                "notification",
                "9",
                json!({}),
            ),
            (
                email_released(9),
                "notification.email_failed",
                "notification",
                "9",
                json!({}),
            ),
            (
                digest_claimed(3, day, 4),
                "digest.send",
                "digest_sent",
                "3/2026-11-25",
                json!({"items": 4}),
            ),
            (
                digest_released(3, day),
                "digest.failed",
                "digest_sent",
                "3/2026-11-25",
                json!({}),
            ),
            (
                email_set(3, Some("vp@bacson.langson.gov.vn")),
                "account.email",
                "account",
                "3",
                json!({"email": "vp@bacson.langson.gov.vn"}),
            ),
            (
                email_set(3, None),
                "account.email",
                "account",
                "3",
                json!({"email": null}),
            ),
            (
                run_recorded(17, &run),
                "scheduler.run",
                "scheduler_run",
                "17",
                json!({"created": 2, "emailed": 1, "digests": 0, "error": null}),
            ),
        ];
        for (a, action, entity, key, detail) in cases {
            assert_eq!(
                (a.action.as_str(), a.entity, a.key.as_str(), &a.detail),
                (action, entity, key, &detail)
            );
        }
        assert_eq!(notifications_created(&[]), None);
        let digest = notification(3, "digest:2026-11-25");
        let stored = digest_stored(3, day, 4, Some(&digest));
        assert_eq!(
            stored
                .iter()
                .map(|a| (a.action.as_str(), a.key.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("digest.send", "3/2026-11-25"),
                ("notification.create", "1")
            ]
        );
        assert_eq!(stored[1].detail, json!({"keys": ["3:digest:2026-11-25"]}));
        assert_eq!(
            digest_stored(3, day, 4, None),
            vec![digest_claimed(3, day, 4)]
        );
        assert_eq!(reader(3), "account:3");
    }

    #[test]
    fn counts_limits_and_addresses() {
        assert_eq!((count(-1), count(7), count(i64::MAX)), (0, 7, u32::MAX));
        assert_eq!((limit(20), limit(usize::MAX)), (20, i64::MAX));
        assert_eq!(checked_email(None).expect("none"), None);
        assert_eq!(
            checked_email(Some(" vp@bacson.langson.gov.vn ")).expect("an address"),
            Some("vp@bacson.langson.gov.vn".to_string())
        );
        assert!(matches!(
            checked_email(Some("vp.bacson")),
            Err(StoreError::Refused(_))
        ));
    }
}
