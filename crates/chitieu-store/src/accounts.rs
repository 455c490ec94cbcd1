//! Accounts, sessions and API tokens: the storage side of the web application's log-in and
//! access control. Storage keeps password hashes and the SHA-256 of session and API tokens;
//! it never sees a password or a token itself. Hashing and checking are the web layer's.

use crate::Result;
use chitieu_core::admin::UnitId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// What an account may do. Each role's rights are decided by the web layer; storage only keeps
/// the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts and the audit log.
    Admin,
    /// The office (văn phòng): plans, review of figures, reports, documents, moderation.
    Office,
    /// A unit reporter: enters the figures of the units in scope.
    Reporter,
    /// Reads dashboards of the units in scope.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Office, Role::Reporter, Role::Viewer];

    pub fn key(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
        }
    }

    pub fn vi(&self) -> &'static str {
        match self {
            Role::Admin => "quản trị",
            Role::Office => "văn phòng",
            Role::Reporter => "cán bộ báo cáo",
            Role::Viewer => "người xem",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| {
                format!("unknown role '{s}': expected admin, office, reporter or viewer")
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A log-in name: 3 to 40 characters, lower-case ASCII letters, digits, '.', '_' or '-'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn new(s: &str) -> Result<Username, String> {
        let s = s.trim();
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if (3..=40).contains(&s.len()) && s.chars().all(ok_char) {
            Ok(Username(s.to_string()))
        } else {
            Err(format!(
                "'{s}' is not a valid user name: 3 to 40 characters among a-z, 0-9, '.', '_', '-'"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    /// The units the account may act on, each with everything below it.
    pub scopes: Vec<UnitId>,
    pub disabled: bool,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: String,
}

impl Account {
    /// The actor recorded in the audit log: "web:username".
    pub fn actor(&self) -> String {
        format!("web:{}", self.username)
    }
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub scopes: Vec<UnitId>,
    /// An argon2id PHC string.
    pub password_hash: String,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub account: Account,
    /// The session's anti-forgery token, embedded in every form.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// A machine token's record (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// How a failed log-in changed the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailure {
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Storage of accounts, sessions and API tokens. Every write is one transaction and audited.
pub trait AccountStore {
    fn create_account(&mut self, account: &NewAccount, actor: &str) -> Result<Account>;
    fn account(&self, id: i64) -> Result<Account>;
    /// The account and its password hash.
    fn account_by_username(&self, username: &str) -> Result<Option<(Account, String)>>;
    fn accounts(&self) -> Result<Vec<Account>>;
    fn set_password(&mut self, id: i64, password_hash: &str, actor: &str) -> Result<()>;
    /// Changes role, scope and whether the account is disabled. Disabling ends its sessions.
    fn update_account(
        &mut self,
        id: i64,
        role: Role,
        scopes: &[UnitId],
        disabled: bool,
        actor: &str,
    ) -> Result<Account>;

    /// Counts a failed log-in; from the `lock_after`-th failure in a row the account is locked
    /// until `now + lock_for`.
    fn record_login_failure(
        &mut self,
        id: i64,
        now: DateTime<Utc>,
        lock_after: u32,
        lock_for: chrono::Duration,
    ) -> Result<LoginFailure>;
    /// Resets the failure count and opens a session, in one transaction.
    fn open_session(
        &mut self,
        id: i64,
        token_sha256: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The session of a token, if it exists, has not expired and its account is enabled.
    fn session(&self, token_sha256: &str, now: DateTime<Utc>) -> Result<Option<SessionInfo>>;
    fn close_session(&mut self, token_sha256: &str, actor: &str) -> Result<()>;

    fn create_api_token(
        &mut self,
        account_id: i64,
        name: &str,
        token_sha256: &str,
        actor: &str,
    ) -> Result<ApiTokenInfo>;
    /// The account of an unrevoked token whose account is enabled.
    fn account_for_token(&self, token_sha256: &str) -> Result<Option<Account>>;
    fn api_tokens(&self, account_id: i64) -> Result<Vec<ApiTokenInfo>>;
    fn revoke_api_token(&mut self, id: i64, actor: &str) -> Result<()>;
}
