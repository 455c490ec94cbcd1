//! The PostgreSQL side of [`NotificationStore`]. Two server processes on one database may run
//! their schedulers at the same moment: the unique (account, key) constraint with
//! `ON CONFLICT DO NOTHING … RETURNING` hands each new notification to exactly one of them,
//! and e-mails and digests are claimed with a conditional write that only one can win.

use super::rows::col;
use super::{PgStore, record};
use crate::Result;
use crate::decide::notifications::{self as decide, SCHEDULER, count, limit};
use crate::notifications::*;
use chrono::{DateTime, NaiveDate, Utc};
use postgres::Row;

const COLS: &str =
    "id, account_id, kind, dedupe_key, title, body, link, created_at, read_at, emailed_at";

fn row(r: &Row) -> Result<Notification> {
    Ok(Notification {
        id: col(r, 0)?,
        account_id: col(r, 1)?,
        kind: col(r, 2)?,
        dedupe_key: col(r, 3)?,
        title: col(r, 4)?,
        body: col(r, 5)?,
        link: col(r, 6)?,
        created_at: col(r, 7)?,
        read_at: col(r, 8)?,
        emailed_at: col(r, 9)?,
    })
}

fn insert_sql() -> String {
    format!(
        "INSERT INTO notification (account_id, kind, dedupe_key, title, body, link, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (account_id, dedupe_key) DO NOTHING
         RETURNING {COLS}"
    )
}

/// Inserts a notification unless its account has one with its key already; the created one.
fn insert(
    tx: &mut postgres::Transaction<'_>,
    statement: &postgres::Statement,
    n: &NewNotification,
    at: &str,
) -> Result<Option<Notification>> {
    tx.query_opt(
        statement,
        &[
            &n.account_id,
            &n.kind,
            &n.dedupe_key,
            &n.title,
            &n.body,
            &n.link,
            &at,
        ],
    )?
    .map(|r| row(&r))
    .transpose()
}

impl NotificationStore for PgStore {
    fn add_notifications(
        &mut self,
        items: &[NewNotification],
        at: DateTime<Utc>,
    ) -> Result<Vec<Notification>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let at = stamp(at);
        self.write(|tx| {
            let statement = tx.prepare(&insert_sql())?;
            let mut created = Vec::new();
            for n in items {
                if let Some(r) = insert(tx, &statement, n, &at)? {
                    created.push(r);
                }
            }
            if let Some(entry) = decide::notifications_created(&created) {
                record(tx, SCHEDULER, entry)?;
            }
            Ok(created)
        })
    }

    fn notifications(
        &self,
        account_id: i64,
        unread_only: bool,
        n: usize,
    ) -> Result<Vec<Notification>> {
        self.query(
            &format!(
                "SELECT {COLS} FROM notification WHERE account_id = $1 AND (NOT $2 OR read_at IS NULL)
                 ORDER BY created_at DESC, id DESC LIMIT $3"
            ),
            &[&account_id, &unread_only, &limit(n)],
        )?
        .iter()
        .map(row)
        .collect()
    }

    fn unread_count(&self, account_id: i64) -> Result<u64> {
        let rows = self.query(
            "SELECT count(*) FROM notification WHERE account_id = $1 AND read_at IS NULL",
            &[&account_id],
        )?;
        let n: i64 = match rows.first() {
            Some(r) => col(r, 0)?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn mark_read(&mut self, account_id: i64, id: Option<i64>, at: DateTime<Utc>) -> Result<u64> {
        let at = stamp(at);
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE notification SET read_at = $1
                 WHERE account_id = $2 AND read_at IS NULL AND ($3::BIGINT IS NULL OR id = $3)",
                &[&at, &account_id, &id],
            )?;
            if n > 0 {
                record(
                    tx,
                    &decide::reader(account_id),
                    decide::notifications_read(id, n),
                )?;
            }
            Ok(n)
        })
    }

    fn unsent_emails(
        &self,
        since: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        n: usize,
    ) -> Result<Vec<Notification>> {
        let cols = COLS
            .split(", ")
            .map(|c| format!("n.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.query(
            &format!(
                "SELECT {cols} FROM notification n
                 JOIN account_email e ON e.account_id = n.account_id
                 JOIN account a ON a.id = n.account_id
                 WHERE (n.emailed_at IS NULL OR (n.email_sent_at IS NULL AND n.emailed_at < $2))
                   AND n.created_at >= $1 AND NOT a.disabled
                 ORDER BY n.created_at, n.id LIMIT $3"
            ),
            &[&stamp(since), &stamp(stale_before), &limit(n)],
        )?
        .iter()
        .map(row)
        .collect()
    }

    fn claim_email(
        &mut self,
        id: i64,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool> {
        let at = stamp(at);
        let stale_before = stamp(stale_before);
        self.write(|tx| {
            // One conditional UPDATE: a second process claiming at the same time waits for the
            // row lock and then finds the claim fresh, so it updates nothing.
            let claimed = tx
                .query_opt(
                    "UPDATE notification SET emailed_at = $1
                     WHERE id = $2
                       AND (emailed_at IS NULL OR (email_sent_at IS NULL AND emailed_at < $3))
                     RETURNING id",
                    &[&at, &id, &stale_before],
                )?
                .is_some();
            if claimed {
                record(tx, SCHEDULER, decide::email_claimed(id))?;
            }
            Ok(claimed)
        })
    }

    fn email_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
        let at = stamp(at);
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE notification SET email_sent_at = $1
                 WHERE id = $2 AND emailed_at IS NOT NULL AND email_sent_at IS NULL",
                &[&at, &id],
            )?;
            if n > 0 {
                record(tx, SCHEDULER, decide::email_recorded_sent(id))?;
            }
            Ok(())
        })
    }

    fn release_email(&mut self, id: i64, claimed_at: DateTime<Utc>) -> Result<bool> {
        let claimed_at = stamp(claimed_at);
        self.write(|tx| {
            // Only the claim taken at `claimed_at`: a newer one is another process's. A claim
            // being taken at the same moment holds the row lock; this UPDATE then sees its
            // time and changes nothing.
            let n = tx.execute(
                "UPDATE notification SET emailed_at = NULL
                 WHERE id = $1 AND emailed_at = $2 AND email_sent_at IS NULL",
                &[&id, &claimed_at],
            )?;
            if n > 0 {
                record(tx, SCHEDULER, decide::email_released(id))?;
            }
            Ok(n > 0)
        })
    }

    fn claim_digest(
        &mut self,
        account_id: i64,
        day: NaiveDate,
        items: u32,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let at = stamp(at);
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO digest_sent (account_id, day, sent_at, items) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (account_id, day) DO NOTHING",
                &[&account_id, &day_text(day), &at, &i64::from(items)],
            )?;
            if n > 0 {
                record(
                    tx,
                    SCHEDULER,
                    decide::digest_claimed(account_id, day, items),
                )?;
            }
            Ok(n > 0)
        })
    }

    fn add_digest(
        &mut self,
        day: NaiveDate,
        items: u32,
        digest: &NewNotification,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>> {
        let at = stamp(at);
        self.write(|tx| {
            // A second process storing the same digest waits on the claim's key, then finds
            // it taken and stores nothing.
            let claimed = tx.execute(
                "INSERT INTO digest_sent (account_id, day, sent_at, items) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (account_id, day) DO NOTHING",
                &[&digest.account_id, &day_text(day), &at, &i64::from(items)],
            )? > 0;
            if !claimed {
                return Ok(None);
            }
            // In the claim's transaction: a failure here gives the claim back with it.
            let statement = tx.prepare(&insert_sql())?;
            let created = insert(tx, &statement, digest, &at)?;
            for entry in decide::digest_stored(digest.account_id, day, items, created.as_ref()) {
                record(tx, SCHEDULER, entry)?;
            }
            Ok(created)
        })
    }

    fn release_digest(&mut self, account_id: i64, day: NaiveDate) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM digest_sent WHERE account_id = $1 AND day = $2",
                &[&account_id, &day_text(day)],
            )?;
            if n > 0 {
                record(tx, SCHEDULER, decide::digest_released(account_id, day))?;
            }
            Ok(())
        })
    }

    fn set_email(&mut self, account_id: i64, email: Option<&str>, actor: &str) -> Result<()> {
        let email = decide::checked_email(email)?;
        let now = stamp(Utc::now());
        self.write(|tx| {
            if tx
                .query_opt("SELECT id FROM account WHERE id = $1", &[&account_id])?
                .is_none()
            {
                return Err(crate::decide::accounts::not_found(account_id));
            }
            match &email {
                Some(e) => tx.execute(
                    "INSERT INTO account_email (account_id, email, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at",
                    &[&account_id, e, &now],
                )?,
                None => tx.execute(
                    "DELETE FROM account_email WHERE account_id = $1",
                    &[&account_id],
                )?,
            };
            record(tx, actor, decide::email_set(account_id, email.as_deref()))?;
            Ok(())
        })
    }

    fn email(&self, account_id: i64) -> Result<Option<String>> {
        match self
            .query(
                "SELECT email FROM account_email WHERE account_id = $1",
                &[&account_id],
            )?
            .first()
        {
            Some(r) => Ok(Some(col(r, 0)?)),
            None => Ok(None),
        }
    }

    fn record_run(&mut self, run: &SchedulerRun) -> Result<i64> {
        self.write(|tx| {
            let r = tx.query_one(
                "INSERT INTO scheduler_run (started_at, finished_at, created, emailed, digests, error)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &run.started_at,
                    &run.finished_at,
                    &i64::from(run.created),
                    &i64::from(run.emailed),
                    &i64::from(run.digests),
                    &run.error,
                ],
            )?;
            let id: i64 = col(&r, 0)?;
            record(tx, SCHEDULER, decide::run_recorded(id, run))?;
            Ok(id)
        })
    }

    fn runs(&self, n: usize) -> Result<Vec<SchedulerRun>> {
        self.query(
            "SELECT id, started_at, finished_at, created, emailed, digests, error
             FROM scheduler_run ORDER BY id DESC LIMIT $1",
            &[&limit(n)],
        )?
        .iter()
        .map(|r| {
            Ok(SchedulerRun {
                id: col(r, 0)?,
                started_at: col(r, 1)?,
                finished_at: col(r, 2)?,
                created: count(col(r, 3)?),
                emailed: count(col(r, 4)?),
                digests: count(col(r, 5)?),
                error: col(r, 6)?,
            })
        })
        .collect()
    }
}
