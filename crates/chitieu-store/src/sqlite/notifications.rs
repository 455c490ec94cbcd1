//! The SQLite side of [`NotificationStore`].

use super::{SqliteStore, record};
use crate::Result;
use crate::decide::notifications::{self as decide, SCHEDULER, count, limit};
use crate::notifications::*;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

const COLS: &str =
    "id, account_id, kind, dedupe_key, title, body, link, created_at, read_at, emailed_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Notification> {
    Ok(Notification {
        id: r.get(0)?,
        account_id: r.get(1)?,
        kind: r.get(2)?,
        dedupe_key: r.get(3)?,
        title: r.get(4)?,
        body: r.get(5)?,
        link: r.get(6)?,
        created_at: r.get(7)?,
        read_at: r.get(8)?,
        emailed_at: r.get(9)?,
    })
}

/// Inserts a notification unless its account has one with its key already; the created one.
fn insert(
    tx: &rusqlite::Transaction<'_>,
    n: &NewNotification,
    at: &str,
) -> Result<Option<Notification>> {
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO notification (account_id, kind, dedupe_key, title, body, link, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (account_id, dedupe_key) DO NOTHING
         RETURNING {COLS}"
    ))?;
    let mut rows = insert.query_map(
        params![
            n.account_id,
            n.kind,
            n.dedupe_key,
            n.title,
            n.body,
            n.link,
            at
        ],
        row,
    )?;
    Ok(rows.next().transpose()?)
}

impl NotificationStore for SqliteStore {
    fn add_notifications(
        &mut self,
        items: &[NewNotification],
        at: DateTime<Utc>,
    ) -> Result<Vec<Notification>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let at = stamp(at);
        let tx = self.write_tx()?;
        let mut created = Vec::new();
        {
            for n in items {
                if let Some(r) = insert(&tx, n, &at)? {
                    created.push(r);
                }
            }
        }
        if let Some(entry) = decide::notifications_created(&created) {
            record(&tx, SCHEDULER, entry)?;
        }
        tx.commit()?;
        Ok(created)
    }

    fn notifications(
        &self,
        account_id: i64,
        unread_only: bool,
        n: usize,
    ) -> Result<Vec<Notification>> {
        let mut stmt = self.connection().prepare_cached(&format!(
            "SELECT {COLS} FROM notification WHERE account_id = ?1 AND (?2 = 0 OR read_at IS NULL)
             ORDER BY created_at DESC, id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![account_id, unread_only, limit(n)], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn unread_count(&self, account_id: i64) -> Result<u64> {
        let n: i64 = self.connection().query_row(
            "SELECT count(*) FROM notification WHERE account_id = ?1 AND read_at IS NULL",
            [account_id],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn mark_read(&mut self, account_id: i64, id: Option<i64>, at: DateTime<Utc>) -> Result<u64> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE notification SET read_at = ?1
             WHERE account_id = ?2 AND read_at IS NULL AND (?3 IS NULL OR id = ?3)",
            params![stamp(at), account_id, id],
        )?;
        if n > 0 {
            record(
                &tx,
                &decide::reader(account_id),
                decide::notifications_read(id, n as u64),
            )?;
        }
        tx.commit()?;
        Ok(n as u64)
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
        let mut stmt = self.connection().prepare_cached(&format!(
            "SELECT {cols} FROM notification n
             JOIN account_email e ON e.account_id = n.account_id
             JOIN account a ON a.id = n.account_id
             WHERE (n.emailed_at IS NULL OR (n.email_sent_at IS NULL AND n.emailed_at < ?2))
               AND n.created_at >= ?1 AND NOT a.disabled
             ORDER BY n.created_at, n.id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![stamp(since), stamp(stale_before), limit(n)], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn claim_email(
        &mut self,
        id: i64,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE notification SET emailed_at = ?1
             WHERE id = ?2 AND (emailed_at IS NULL OR (email_sent_at IS NULL AND emailed_at < ?3))",
            params![stamp(at), id, stamp(stale_before)],
        )?;
        if n > 0 {
            record(&tx, SCHEDULER, decide::email_claimed(id))?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    fn email_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE notification SET email_sent_at = ?1
             WHERE id = ?2 AND emailed_at IS NOT NULL AND email_sent_at IS NULL",
            params![stamp(at), id],
        )?;
        if n > 0 {
            record(&tx, SCHEDULER, decide::email_recorded_sent(id))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn release_email(&mut self, id: i64, claimed_at: DateTime<Utc>) -> Result<bool> {
        let tx = self.write_tx()?;
        // Only the claim taken at `claimed_at`: a newer one is another process's.
        let n = tx.execute(
            "UPDATE notification SET emailed_at = NULL
             WHERE id = ?1 AND emailed_at = ?2 AND email_sent_at IS NULL",
            params![id, stamp(claimed_at)],
        )?;
        if n > 0 {
            record(&tx, SCHEDULER, decide::email_released(id))?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    fn claim_digest(
        &mut self,
        account_id: i64,
        day: NaiveDate,
        items: u32,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "INSERT INTO digest_sent (account_id, day, sent_at, items) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account_id, day) DO NOTHING",
            params![account_id, day_text(day), stamp(at), items],
        )?;
        if n > 0 {
            record(
                &tx,
                SCHEDULER,
                decide::digest_claimed(account_id, day, items),
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    fn add_digest(
        &mut self,
        day: NaiveDate,
        items: u32,
        digest: &NewNotification,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>> {
        let at = stamp(at);
        let tx = self.write_tx()?;
        let claimed = tx.execute(
            "INSERT INTO digest_sent (account_id, day, sent_at, items) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account_id, day) DO NOTHING",
            params![digest.account_id, day_text(day), at, items],
        )? > 0;
        if !claimed {
            return Ok(None);
        }
        // In the claim's transaction: a failure here gives the claim back with it.
        let created = insert(&tx, digest, &at)?;
        for entry in decide::digest_stored(digest.account_id, day, items, created.as_ref()) {
            record(&tx, SCHEDULER, entry)?;
        }
        tx.commit()?;
        Ok(created)
    }

    fn release_digest(&mut self, account_id: i64, day: NaiveDate) -> Result<()> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "DELETE FROM digest_sent WHERE account_id = ?1 AND day = ?2",
            params![account_id, day_text(day)],
        )?;
        if n > 0 {
            record(&tx, SCHEDULER, decide::digest_released(account_id, day))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn set_email(&mut self, account_id: i64, email: Option<&str>, actor: &str) -> Result<()> {
        let email = decide::checked_email(email)?;
        let tx = self.write_tx()?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM account WHERE id = ?1", [account_id], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Err(crate::decide::accounts::not_found(account_id));
        }
        match &email {
            Some(e) => tx.execute(
                "INSERT INTO account_email (account_id, email, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at",
                params![account_id, e, stamp(Utc::now())],
            )?,
            None => tx.execute(
                "DELETE FROM account_email WHERE account_id = ?1",
                [account_id],
            )?,
        };
        record(&tx, actor, decide::email_set(account_id, email.as_deref()))?;
        tx.commit()?;
        Ok(())
    }

    fn email(&self, account_id: i64) -> Result<Option<String>> {
        Ok(self
            .connection()
            .query_row(
                "SELECT email FROM account_email WHERE account_id = ?1",
                [account_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn record_run(&mut self, run: &SchedulerRun) -> Result<i64> {
        let tx = self.write_tx()?;
        let id: i64 = tx.query_row(
            "INSERT INTO scheduler_run (started_at, finished_at, created, emailed, digests, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![
                run.started_at,
                run.finished_at,
                run.created,
                run.emailed,
                run.digests,
                run.error
            ],
            |r| r.get(0),
        )?;
        record(&tx, SCHEDULER, decide::run_recorded(id, run))?;
        tx.commit()?;
        Ok(id)
    }

    fn runs(&self, n: usize) -> Result<Vec<SchedulerRun>> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT id, started_at, finished_at, created, emailed, digests, error
             FROM scheduler_run ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit(n)], |r| {
            Ok(SchedulerRun {
                id: r.get(0)?,
                started_at: r.get(1)?,
                finished_at: r.get(2)?,
                created: count(r.get(3)?),
                emailed: count(r.get(4)?),
                digests: count(r.get(5)?),
                error: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
