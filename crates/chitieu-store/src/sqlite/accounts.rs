//! The SQLite side of [`AccountStore`].

use super::{SqliteStore, now, record};
use crate::Result;
use crate::accounts::*;
use crate::decide::accounts::{self as decide, AccountRow, not_found, stamp};
use chitieu_core::admin::UnitId;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

const ACCOUNT_COLS: &str =
    "id, username, display_name, role, disabled, failed_logins, locked_until, created_at";

fn scopes_of(conn: &Connection, id: i64) -> Result<Vec<UnitId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT unit_id FROM account_scope WHERE account_id = ?1 ORDER BY unit_id",
    )?;
    let rows = stmt.query_map([id], |r| r.get::<_, i64>(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(UnitId(r?));
    }
    Ok(out)
}

fn read_account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        disabled: r.get(4)?,
        failed_logins: r.get(5)?,
        locked_until: r.get(6)?,
        created_at: r.get(7)?,
    })
}

fn build_account(conn: &Connection, row: AccountRow) -> Result<Account> {
    let scopes = scopes_of(conn, row.id)?;
    decide::account_from(row, scopes)
}

fn load_account(conn: &Connection, id: i64) -> Result<Account> {
    let row = conn
        .query_row(
            &format!("SELECT {ACCOUNT_COLS} FROM account WHERE id = ?1"),
            [id],
            read_account_row,
        )
        .optional()?
        .ok_or_else(|| not_found(id))?;
    build_account(conn, row)
}

fn set_scopes(tx: &Transaction<'_>, id: i64, scopes: &[UnitId]) -> Result<()> {
    tx.execute("DELETE FROM account_scope WHERE account_id = ?1", [id])?;
    for u in scopes {
        SqliteStore::check_unit_exists(tx, *u)?;
        tx.execute(
            "INSERT OR IGNORE INTO account_scope (account_id, unit_id) VALUES (?1, ?2)",
            params![id, u.0],
        )?;
    }
    Ok(())
}

const TOKEN_COLS: &str = "id, account_id, name, created_at, revoked_at";

fn row_to_token(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiTokenInfo> {
    Ok(ApiTokenInfo {
        id: r.get(0)?,
        account_id: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        revoked_at: r.get(4)?,
    })
}

impl AccountStore for SqliteStore {
    fn create_account(&mut self, account: &NewAccount, actor: &str) -> Result<Account> {
        let tx = self.write_tx()?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM account WHERE username = ?1",
                [account.username.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(decide::already_exists(account));
        }
        tx.execute(
            "INSERT INTO account (username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                account.username.as_str(),
                account.display_name,
                account.role.key(),
                account.password_hash,
                now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        set_scopes(&tx, id, &account.scopes)?;
        record(&tx, actor, decide::account_created(account))?;
        tx.commit()?;
        load_account(&self.conn, id)
    }

    fn account(&self, id: i64) -> Result<Account> {
        load_account(&self.conn, id)
    }

    fn account_by_username(&self, username: &str) -> Result<Option<(Account, String)>> {
        let found: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, password_hash FROM account WHERE username = ?1",
                [username.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            Some((id, hash)) => Ok(Some((load_account(&self.conn, id)?, hash))),
            None => Ok(None),
        }
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {ACCOUNT_COLS} FROM account ORDER BY id"))?;
        let rows: Vec<AccountRow> = stmt
            .query_map([], read_account_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|r| build_account(&self.conn, r))
            .collect()
    }

    fn set_password(&mut self, id: i64, password_hash: &str, actor: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE account SET password_hash = ?1, failed_logins = 0, locked_until = NULL WHERE id = ?2",
            params![password_hash, id],
        )?;
        if n == 0 {
            return Err(not_found(id));
        }
        // A new password ends every session of the account.
        tx.execute("DELETE FROM web_session WHERE account_id = ?1", [id])?;
        record(&tx, actor, decide::password_set(id))?;
        tx.commit()?;
        Ok(())
    }

    fn update_account(
        &mut self,
        id: i64,
        role: Role,
        scopes: &[UnitId],
        disabled: bool,
        actor: &str,
    ) -> Result<Account> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE account SET role = ?1, disabled = ?2 WHERE id = ?3",
            params![role.key(), disabled, id],
        )?;
        if n == 0 {
            return Err(not_found(id));
        }
        set_scopes(&tx, id, scopes)?;
        if disabled {
            tx.execute("DELETE FROM web_session WHERE account_id = ?1", [id])?;
        }
        record(
            &tx,
            actor,
            decide::account_updated(id, role, scopes, disabled),
        )?;
        tx.commit()?;
        load_account(&self.conn, id)
    }

    fn record_login_failure(
        &mut self,
        id: i64,
        now_t: DateTime<Utc>,
        lock_after: u32,
        lock_for: chrono::Duration,
    ) -> Result<LoginFailure> {
        let tx = self.write_tx()?;
        let failed: i64 = tx
            .query_row(
                "SELECT failed_logins FROM account WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| not_found(id))?;
        let (failure, entry) = decide::login_failure(id, failed, now_t, lock_after, lock_for);
        tx.execute(
            "UPDATE account SET failed_logins = ?1, locked_until = COALESCE(?2, locked_until) WHERE id = ?3",
            params![failure.failed_logins, failure.locked_until.map(stamp), id],
        )?;
        record(&tx, "web", entry)?;
        tx.commit()?;
        Ok(failure)
    }

    fn open_session(
        &mut self,
        id: i64,
        token_sha256: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        let at = now();
        tx.execute(
            "UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
            [id],
        )?;
        // Expired sessions of anyone are removed on the way.
        tx.execute("DELETE FROM web_session WHERE expires_at < ?1", [&at])?;
        tx.execute(
            "INSERT INTO web_session (token_sha256, account_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_sha256, id, csrf, at, stamp(expires_at)],
        )?;
        let username: String =
            tx.query_row("SELECT username FROM account WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        record(
            &tx,
            &decide::web_actor(&username),
            decide::logged_in(id, expires_at),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn session(&self, token_sha256: &str, now_t: DateTime<Utc>) -> Result<Option<SessionInfo>> {
        let found: Option<(i64, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT account_id, csrf, expires_at FROM web_session WHERE token_sha256 = ?1",
            )?
            .query_row([token_sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((id, csrf, expires)) = found else {
            return Ok(None);
        };
        let Some(expires_at) = decide::live_until(&expires, now_t)? else {
            return Ok(None);
        };
        let account = load_account(&self.conn, id)?;
        if account.disabled {
            return Ok(None);
        }
        Ok(Some(SessionInfo {
            account,
            csrf,
            expires_at,
        }))
    }

    fn close_session(&mut self, token_sha256: &str, actor: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "DELETE FROM web_session WHERE token_sha256 = ?1",
            [token_sha256],
        )?;
        if n > 0 {
            record(&tx, actor, decide::logged_out())?;
        }
        tx.commit()?;
        Ok(())
    }

    fn create_api_token(
        &mut self,
        account_id: i64,
        name: &str,
        token_sha256: &str,
        actor: &str,
    ) -> Result<ApiTokenInfo> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO api_token (account_id, name, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![account_id, name, token_sha256, now()],
        )?;
        let id = tx.last_insert_rowid();
        record(&tx, actor, decide::token_created(id, account_id, name))?;
        let info = tx.query_row(
            &format!("SELECT {TOKEN_COLS} FROM api_token WHERE id = ?1"),
            [id],
            row_to_token,
        )?;
        tx.commit()?;
        Ok(info)
    }

    fn account_for_token(&self, token_sha256: &str) -> Result<Option<Account>> {
        let id: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT account_id FROM api_token WHERE token_sha256 = ?1 AND revoked_at IS NULL",
            )?
            .query_row([token_sha256], |r| r.get(0))
            .optional()?;
        match id {
            Some(id) => {
                let a = load_account(&self.conn, id)?;
                Ok((!a.disabled).then_some(a))
            }
            None => Ok(None),
        }
    }

    fn api_tokens(&self, account_id: i64) -> Result<Vec<ApiTokenInfo>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLS} FROM api_token WHERE account_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([account_id], row_to_token)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn revoke_api_token(&mut self, id: i64, actor: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE api_token SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![now(), id],
        )?;
        if n > 0 {
            record(&tx, actor, decide::token_revoked(id))?;
        }
        tx.commit()?;
        Ok(())
    }
}
