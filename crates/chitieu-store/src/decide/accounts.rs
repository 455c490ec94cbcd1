//! The account decisions both backends make the same way: reading a stored account's words
//! back, whether a session is still live, what a failed log-in counts and locks, and the
//! audit entries of account, session and token changes. Each backend reads and writes the
//! rows in its own SQL, under its own locks.

use super::Audit;
use crate::accounts::{Account, LoginFailure, NewAccount, Role, Username};
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use chrono::{DateTime, Utc};
use serde_json::json;

/// A stored time (RFC 3339), `what` naming it when it is corrupt.
pub(crate) fn parse_time(s: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt(what, e))
}

/// A time as stored: RFC 3339 in UTC with microseconds (as notifications store it).
pub(crate) use crate::notifications::stamp;

pub(crate) fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "account",
        key: id.to_string(),
    }
}

/// A new account's name that is taken.
pub(crate) fn already_exists(account: &NewAccount) -> StoreError {
    StoreError::AlreadyExists(format!("account '{}'", account.username))
}

/// An account row as stored, before its words are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub created_at: String,
}

/// The account a stored row and its scopes describe; a name, role or time that does not read
/// back is corrupt.
pub(crate) fn account_from(row: AccountRow, scopes: Vec<UnitId>) -> Result<Account> {
    Ok(Account {
        id: row.id,
        username: Username::new(&row.username).map_err(|e| StoreError::corrupt("user name", e))?,
        display_name: row.display_name,
        role: row
            .role
            .parse()
            .map_err(|e: String| StoreError::corrupt("role", e))?,
        scopes,
        disabled: row.disabled,
        failed_logins: u32::try_from(row.failed_logins).unwrap_or(0),
        locked_until: row
            .locked_until
            .map(|l| parse_time(&l, "locked_until"))
            .transpose()?,
        created_at: row.created_at,
    })
}

/// A session's expiry as stored, if it is still after `now` (`None`: expired).
pub(crate) fn live_until(expires: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let expires_at = parse_time(expires, "session expiry")?;
    Ok((expires_at > now).then_some(expires_at))
}

/// One more failed log-in after `failed_before` stored: the count, and the time the account is
/// locked until once the count reaches `lock_after`; with its audit entry (actor "web").
pub(crate) fn login_failure(
    id: i64,
    failed_before: i64,
    now: DateTime<Utc>,
    lock_after: u32,
    lock_for: chrono::Duration,
) -> (LoginFailure, Audit) {
    let failed = u32::try_from(failed_before).unwrap_or(0).saturating_add(1);
    let locked_until = (failed >= lock_after).then(|| now + lock_for);
    let audit = Audit {
        action: if locked_until.is_some() {
            "login.locked"
        } else {
            "login.failed"
        }
        .to_string(),
        entity: "account",
        key: id.to_string(),
        detail: json!({"failed_logins": failed, "locked_until": locked_until.map(stamp)}),
    };
    (
        LoginFailure {
            failed_logins: failed,
            locked_until,
        },
        audit,
    )
}

fn scope_ids(scopes: &[UnitId]) -> Vec<i64> {
    scopes.iter().map(|u| u.0).collect()
}

pub(crate) fn account_created(account: &NewAccount) -> Audit {
    Audit {
        action: "account.create".to_string(),
        entity: "account",
        key: account.username.as_str().to_string(),
        detail: json!({"role": account.role.key(), "scopes": scope_ids(&account.scopes)}),
    }
}

pub(crate) fn password_set(id: i64) -> Audit {
    Audit {
        action: "account.password".to_string(),
        entity: "account",
        key: id.to_string(),
        detail: json!({}),
    }
}

pub(crate) fn account_updated(id: i64, role: Role, scopes: &[UnitId], disabled: bool) -> Audit {
    Audit {
        action: "account.update".to_string(),
        entity: "account",
        key: id.to_string(),
        detail: json!({"role": role.key(), "disabled": disabled, "scopes": scope_ids(scopes)}),
    }
}

/// The audit entry of a session opened (its actor is "web:" and the user name).
pub(crate) fn logged_in(id: i64, expires_at: DateTime<Utc>) -> Audit {
    Audit {
        action: "login".to_string(),
        entity: "account",
        key: id.to_string(),
        detail: json!({"expires_at": stamp(expires_at)}),
    }
}

/// The actor of a session opened.
pub(crate) fn web_actor(username: &str) -> String {
    format!("web:{username}")
}

pub(crate) fn logged_out() -> Audit {
    Audit {
        action: "logout".to_string(),
        entity: "session",
        key: String::new(),
        detail: json!({}),
    }
}

pub(crate) fn token_created(id: i64, account_id: i64, name: &str) -> Audit {
    Audit {
        action: "api_token.create".to_string(),
        entity: "api_token",
        key: id.to_string(),
        detail: json!({"account": account_id, "name": name}),
    }
}

pub(crate) fn token_revoked(id: i64) -> Audit {
    Audit {
        action: "api_token.revoke".to_string(),
        entity: "api_token",
        key: id.to_string(),
        detail: json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn at(s: &str) -> DateTime<Utc> {
        parse_time(s, "test time").expect("test time")
    }

    /// Failed log-ins stored before, the lock threshold, and the count and lock expected.
    #[test]
    fn failed_log_ins_count_and_lock() {
        let now = at("2026-11-25T08:00:00Z");
        let cases: Vec<(i64, u32, u32, Option<&str>, &str)> = vec![
            (0, 5, 1, None, "login.failed"),
            (3, 5, 4, None, "login.failed"),
            (4, 5, 5, Some("2026-11-25T08:15:00.000000Z"), "login.locked"),
            (
                9,
                5,
                10,
                Some("2026-11-25T08:15:00.000000Z"),
                "login.locked",
            ),
            (-1, 5, 1, None, "login.failed"),
        ];
        for (before, lock_after, failed, locked, action) in cases {
            let (f, a) = login_failure(7, before, now, lock_after, chrono::Duration::minutes(15));
            assert_eq!(f.failed_logins, failed, "{before}");
            assert_eq!(f.locked_until.map(stamp).as_deref(), locked, "{before}");
            assert_eq!(
                (a.action.as_str(), a.entity, a.key.as_str()),
                (action, "account", "7")
            );
            assert_eq!(
                a.detail,
                json!({"failed_logins": failed, "locked_until": locked})
            );
        }
    }

    #[test]
    fn a_session_lives_until_its_expiry() {
        let now = at("2026-11-25T08:00:00Z");
        assert_eq!(
            live_until("2026-11-25T08:00:00.000001Z", now).expect("stored"),
            Some(at("2026-11-25T08:00:00.000001Z"))
        );
        assert_eq!(
            live_until("2026-11-25T08:00:00Z", now).expect("stored"),
            None
        );
        assert!(matches!(
            live_until("hôm qua", now),
            Err(StoreError::Corrupt { .. })
        ));
    }

    fn row() -> AccountRow {
        AccountRow {
            id: 3,
            username: "bacson".to_string(),
            display_name: "Văn phòng Huyện ủy Bắc Sơn".to_string(),
            role: "reporter".to_string(),
            disabled: false,
            failed_logins: 2,
            locked_until: Some("2026-11-25T08:15:00.000000Z".to_string()),
            created_at: "2026-01-01T00:00:00Z".to_string(),
        }
    }

    #[test]
    fn a_stored_account_reads_back_or_is_corrupt() {
        let role = Role::Reporter;
        let a = account_from(row(), vec![UnitId(40)]).expect("an account");
        assert_eq!(
            (a.id, a.username.as_str(), a.role, a.scopes, a.failed_logins),
            (3, "bacson", role, vec![UnitId(40)], 2)
        );
        assert_eq!(a.locked_until, Some(at("2026-11-25T08:15:00Z")));
        for bad in [
            AccountRow {
                role: "king".to_string(),
                ..row()
            },
            AccountRow {
                username: "".to_string(),
                ..row()
            },
            AccountRow {
                locked_until: Some("sớm".to_string()),
                ..row()
            },
        ] {
            assert!(matches!(
                account_from(bad, vec![]),
                Err(StoreError::Corrupt { .. })
            ));
        }
    }

    #[test]
    fn audit_entries_of_accounts_sessions_and_tokens() {
        let role = Role::Office;
        let cases: Vec<(Audit, &str, &str, &str, Value)> = vec![
            (
                password_set(3),
                "account.password",
                "account",
                "3",
                json!({}),
            ),
            (
                account_updated(3, role, &[UnitId(40), UnitId(41)], true),
                "account.update",
                "account",
                "3",
                json!({"role": role.key(), "disabled": true, "scopes": [40, 41]}),
            ),
            (
                logged_in(3, at("2026-11-25T16:00:00Z")),
                "login",
                "account",
                "3",
                json!({"expires_at": "2026-11-25T16:00:00.000000Z"}),
            ),
            (logged_out(), "logout", "session", "", json!({})),
            (
                token_created(9, 3, "dhis2"),
                "api_token.create",
                "api_token",
                "9",
                json!({"account": 3, "name": "dhis2"}),
            ),
            (
                token_revoked(9),
                "api_token.revoke",
                "api_token",
                "9",
                json!({}),
            ),
        ];
        for (a, action, entity, key, detail) in cases {
            assert_eq!(
                (a.action.as_str(), a.entity, a.key.as_str(), &a.detail),
                (action, entity, key, &detail)
            );
        }
        assert_eq!(web_actor("bacson"), "web:bacson");
    }
}
