//! In-app notifications and the bookkeeping of the reminder scheduler.
//!
//! A notification is stored once per account and **dedupe key** ("task:42:due-in:7d"): adding
//! one that exists already stores nothing, inside the same transaction, so a scheduler that
//! computes the same reminders again — the next pass, after a restart, or in a second server
//! process on the same PostgreSQL database — never creates a duplicate. Sending e-mail is
//! claimed per notification (`emailed_at` set only where it was empty, or where a claim was
//! taken before the lease the caller passes and its send was never recorded), and a digest per
//! account and day, so only the process that claimed it sends it. A sent e-mail is recorded
//! (`email_sent_at`, migration 0010) and never claimed again; a claim whose process died
//! before it sent or gave it back is claimed again by a pass after the lease.

use crate::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A notification to store for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub account_id: i64,
    /// The kind's key (`chitieu_core::remind::Kind::key`).
    pub kind: String,
    pub dedupe_key: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
    pub emailed_at: Option<String>,
}

/// One pass of the scheduler that did something (or failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchedulerRun {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub created: u32,
    pub emailed: u32,
    pub digests: u32,
    pub error: Option<String>,
}

/// Checks an e-mail address enough to catch typing mistakes: one `@`, something on both
/// sides, a dot in the domain, no spaces or angle brackets.
pub fn check_email(s: &str) -> std::result::Result<String, String> {
    let s = s.trim();
    let ok = s.len() <= 254
        && s.matches('@').count() == 1
        && !s.chars().any(|c| c.is_whitespace() || "<>,;\"".contains(c))
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}' không phải địa chỉ thư điện tử hợp lệ"))
    }
}

/// Storage of notifications. Every write is one transaction and audited.
pub trait NotificationStore {
    /// Stores the notifications not stored yet for their account and key; returns those it
    /// created (the others already existed). Audited as one entry when it created any.
    fn add_notifications(
        &mut self,
        items: &[NewNotification],
        at: DateTime<Utc>,
    ) -> Result<Vec<Notification>>;

    /// An account's notifications, newest first.
    fn notifications(
        &self,
        account_id: i64,
        unread_only: bool,
        limit: usize,
    ) -> Result<Vec<Notification>>;

    fn unread_count(&self, account_id: i64) -> Result<u64>;

    /// Marks one of the account's notifications (or all of them, with `None`) read; returns
    /// how many changed.
    fn mark_read(&mut self, account_id: i64, id: Option<i64>, at: DateTime<Utc>) -> Result<u64>;

    /// Notifications created since `since` whose e-mail can be claimed, oldest first, for
    /// accounts with an e-mail address: nobody has claimed it, or its claim was taken before
    /// `stale_before` (the lease ran out) and its send was never recorded.
    fn unsent_emails(
        &self,
        since: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Notification>>;

    /// Claims a notification's e-mail at `at`: true for the one caller that set `emailed_at`
    /// — where it was empty, or held a claim taken before `stale_before` whose send was never
    /// recorded. A sent e-mail is never claimed again.
    fn claim_email(
        &mut self,
        id: i64,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool>;

    /// Records that a claimed e-mail was sent at `at`, so it is never claimed again.
    fn email_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<()>;

    /// Gives back the claim taken at `claimed_at` after the e-mail could not be sent, so a
    /// later pass retries; true when it was given back. Only that claim is given back: one
    /// taken since by another process (after the lease ran out), or a sent e-mail's, is kept.
    fn release_email(&mut self, id: i64, claimed_at: DateTime<Utc>) -> Result<bool>;

    /// Claims an account's digest for a day: true for the one caller that recorded it.
    fn claim_digest(
        &mut self,
        account_id: i64,
        day: NaiveDate,
        items: u32,
        at: DateTime<Utc>,
    ) -> Result<bool>;

    /// Claims `digest.account_id`'s digest for `day` (`items` unread notifications) and stores
    /// the digest notification, in one transaction: both or neither are stored, so a crash
    /// or a failed insert never leaves a day's digest claimed and lost. The created
    /// notification for the one caller that claimed it; `None` when the day's digest was
    /// claimed already (or, its claim given back, its notification exists already: the claim
    /// is taken again and nothing new is stored).
    fn add_digest(
        &mut self,
        day: NaiveDate,
        items: u32,
        digest: &NewNotification,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>>;

    /// Gives a digest claim back (it could not be sent).
    fn release_digest(&mut self, account_id: i64, day: NaiveDate) -> Result<()>;

    /// Sets (or with `None` removes) the address an account gets e-mail at.
    fn set_email(&mut self, account_id: i64, email: Option<&str>, actor: &str) -> Result<()>;
    fn email(&self, account_id: i64) -> Result<Option<String>>;

    /// Records a scheduler pass that did something or failed.
    fn record_run(&mut self, run: &SchedulerRun) -> Result<i64>;
    /// The latest recorded passes, newest first.
    fn runs(&self, limit: usize) -> Result<Vec<SchedulerRun>>;
}

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
