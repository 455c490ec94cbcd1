//! The PostgreSQL side of [`AccountStore`], with the same behaviour as SQLite's.
//!
//! Concurrency: an account's row is read `FOR UPDATE` where a write depends on what it read
//! (the failed log-in count), and a new account's name is an advisory lock key, so two
//! processes creating the same name at once give one account and one clear refusal.

use super::rows::col;
use super::{PgStore, lock_keys, now, record};
use crate::Result;
use crate::accounts::*;
use crate::decide::accounts::{self as decide, AccountRow, not_found, stamp};
use chitieu_core::admin::UnitId;
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row, Transaction};

const ACCOUNT_COLS: &str =
    "id, username, display_name, role, disabled, failed_logins, locked_until, created_at";

fn build_account(r: &Row, scopes: Vec<UnitId>) -> Result<Account> {
    let row = AccountRow {
        id: col(r, 0)?,
        username: col(r, 1)?,
        display_name: col(r, 2)?,
        role: col(r, 3)?,
        disabled: col(r, 4)?,
        failed_logins: col(r, 5)?,
        locked_until: col(r, 6)?,
        created_at: col(r, 7)?,
    };
    decide::account_from(row, scopes)
}

/// Reads an account with any client: the store's connection or a transaction.
fn load_account(c: &mut impl GenericClient, id: i64) -> Result<Account> {
    let row = c
        .query_opt(
            &format!("SELECT {ACCOUNT_COLS} FROM account WHERE id = $1"),
            &[&id],
        )?
        .ok_or_else(|| not_found(id))?;
    let scopes = c
        .query(
            "SELECT unit_id FROM account_scope WHERE account_id = $1 ORDER BY unit_id",
            &[&id],
        )?
        .iter()
        .map(|r| col(r, 0).map(UnitId))
        .collect::<Result<_>>()?;
    build_account(&row, scopes)
}

fn set_scopes(tx: &mut Transaction<'_>, id: i64, scopes: &[UnitId]) -> Result<()> {
    tx.execute("DELETE FROM account_scope WHERE account_id = $1", &[&id])?;
    for u in scopes {
        PgStore::check_unit_exists(tx, *u)?;
        tx.execute(
            "INSERT INTO account_scope (account_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&id, &u.0],
        )?;
    }
    Ok(())
}

const TOKEN_COLS: &str = "id, account_id, name, created_at, revoked_at";

fn row_to_token(r: &Row) -> Result<ApiTokenInfo> {
    Ok(ApiTokenInfo {
        id: col(r, 0)?,
        account_id: col(r, 1)?,
        name: col(r, 2)?,
        created_at: col(r, 3)?,
        revoked_at: col(r, 4)?,
    })
}

impl PgStore {
    fn read_account(&self, id: i64) -> Result<Account> {
        let row = self
            .query(
                &format!("SELECT {ACCOUNT_COLS} FROM account WHERE id = $1"),
                &[&id],
            )?
            .into_iter()
            .next()
            .ok_or_else(|| not_found(id))?;
        let scopes = self
            .query(
                "SELECT unit_id FROM account_scope WHERE account_id = $1 ORDER BY unit_id",
                &[&id],
            )?
            .iter()
            .map(|r| col(r, 0).map(UnitId))
            .collect::<Result<_>>()?;
        build_account(&row, scopes)
    }
}

impl AccountStore for PgStore {
    fn create_account(&mut self, account: &NewAccount, actor: &str) -> Result<Account> {
        self.write(|tx| {
            lock_keys(tx, &[format!("account:{}", account.username)])?;
            if tx
                .query_opt(
                    "SELECT id FROM account WHERE username = $1",
                    &[&account.username.as_str()],
                )?
                .is_some()
            {
                return Err(decide::already_exists(account));
            }
            let row = tx.query_one(
                "INSERT INTO account (username, display_name, role, password_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &account.username.as_str(),
                    &account.display_name,
                    &account.role.key(),
                    &account.password_hash,
                    &now(),
                ],
            )?;
            let id: i64 = col(&row, 0)?;
            set_scopes(tx, id, &account.scopes)?;
            record(tx, actor, decide::account_created(account))?;
            load_account(tx, id)
        })
    }

    fn account(&self, id: i64) -> Result<Account> {
        self.read_account(id)
    }

    fn account_by_username(&self, username: &str) -> Result<Option<(Account, String)>> {
        let found = self
            .query(
                "SELECT id, password_hash FROM account WHERE username = $1",
                &[&username.trim()],
            )?
            .into_iter()
            .next();
        match found {
            Some(r) => {
                let id: i64 = col(&r, 0)?;
                let hash: String = col(&r, 1)?;
                Ok(Some((self.read_account(id)?, hash)))
            }
            None => Ok(None),
        }
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        let ids: Vec<i64> = self
            .query("SELECT id FROM account ORDER BY id", &[])?
            .iter()
            .map(|r| col(r, 0))
            .collect::<Result<_>>()?;
        ids.into_iter().map(|id| self.read_account(id)).collect()
    }

    fn set_password(&mut self, id: i64, password_hash: &str, actor: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE account SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
                &[&password_hash, &id],
            )?;
            if n == 0 {
                return Err(not_found(id));
            }
            // A new password ends every session of the account.
            tx.execute("DELETE FROM web_session WHERE account_id = $1", &[&id])?;
            record(tx, actor, decide::password_set(id))
        })
    }

    fn update_account(
        &mut self,
        id: i64,
        role: Role,
        scopes: &[UnitId],
        disabled: bool,
        actor: &str,
    ) -> Result<Account> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE account SET role = $1, disabled = $2 WHERE id = $3",
                &[&role.key(), &disabled, &id],
            )?;
            if n == 0 {
                return Err(not_found(id));
            }
            set_scopes(tx, id, scopes)?;
            if disabled {
                tx.execute("DELETE FROM web_session WHERE account_id = $1", &[&id])?;
            }
            record(
                tx,
                actor,
                decide::account_updated(id, role, scopes, disabled),
            )?;
            load_account(tx, id)
        })
    }

    fn record_login_failure(
        &mut self,
        id: i64,
        now_t: DateTime<Utc>,
        lock_after: u32,
        lock_for: chrono::Duration,
    ) -> Result<LoginFailure> {
        self.write(|tx| {
            // FOR UPDATE: two failures at once on two servers both count.
            let row = tx
                .query_opt(
                    "SELECT failed_logins FROM account WHERE id = $1 FOR UPDATE",
                    &[&id],
                )?
                .ok_or_else(|| not_found(id))?;
            let (failure, entry) =
                decide::login_failure(id, col(&row, 0)?, now_t, lock_after, lock_for);
            tx.execute(
                "UPDATE account SET failed_logins = $1, locked_until = COALESCE($2, locked_until) WHERE id = $3",
                &[&i64::from(failure.failed_logins), &failure.locked_until.map(stamp), &id],
            )?;
            record(tx, "web", entry)?;
            Ok(failure)
        })
    }

    fn open_session(
        &mut self,
        id: i64,
        token_sha256: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            let at = now();
            let row = tx
                .query_opt(
                    "UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1 RETURNING username",
                    &[&id],
                )?
                .ok_or_else(|| not_found(id))?;
            let username: String = col(&row, 0)?;
            // Expired sessions of anyone are removed on the way.
            tx.execute("DELETE FROM web_session WHERE expires_at < $1", &[&at])?;
            tx.execute(
                "INSERT INTO web_session (token_sha256, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&token_sha256, &id, &csrf, &at, &stamp(expires_at)],
            )?;
            record(
                tx,
                &decide::web_actor(&username),
                decide::logged_in(id, expires_at),
            )
        })
    }

    fn session(&self, token_sha256: &str, now_t: DateTime<Utc>) -> Result<Option<SessionInfo>> {
        let Some(r) = self
            .query(
                "SELECT account_id, csrf, expires_at FROM web_session WHERE token_sha256 = $1",
                &[&token_sha256],
            )?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let id: i64 = col(&r, 0)?;
        let csrf: String = col(&r, 1)?;
        let expires: String = col(&r, 2)?;
        let Some(expires_at) = decide::live_until(&expires, now_t)? else {
            return Ok(None);
        };
        let account = self.read_account(id)?;
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
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM web_session WHERE token_sha256 = $1",
                &[&token_sha256],
            )?;
            if n > 0 {
                record(tx, actor, decide::logged_out())?;
            }
            Ok(())
        })
    }

    fn create_api_token(
        &mut self,
        account_id: i64,
        name: &str,
        token_sha256: &str,
        actor: &str,
    ) -> Result<ApiTokenInfo> {
        self.write(|tx| {
            let row = tx.query_one(
                &format!(
                    "INSERT INTO api_token (account_id, name, token_sha256, created_at) VALUES ($1, $2, $3, $4)
                     RETURNING {TOKEN_COLS}"
                ),
                &[&account_id, &name, &token_sha256, &now()],
            )?;
            let info = row_to_token(&row)?;
            record(tx, actor, decide::token_created(info.id, account_id, name))?;
            Ok(info)
        })
    }

    fn account_for_token(&self, token_sha256: &str) -> Result<Option<Account>> {
        let found = self
            .query(
                "SELECT account_id FROM api_token WHERE token_sha256 = $1 AND revoked_at IS NULL",
                &[&token_sha256],
            )?
            .into_iter()
            .next();
        match found {
            Some(r) => {
                let a = self.read_account(col(&r, 0)?)?;
                Ok((!a.disabled).then_some(a))
            }
            None => Ok(None),
        }
    }

    fn api_tokens(&self, account_id: i64) -> Result<Vec<ApiTokenInfo>> {
        self.query(
            &format!("SELECT {TOKEN_COLS} FROM api_token WHERE account_id = $1 ORDER BY id"),
            &[&account_id],
        )?
        .iter()
        .map(row_to_token)
        .collect()
    }

    fn revoke_api_token(&mut self, id: i64, actor: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[&now(), &id],
            )?;
            if n > 0 {
                record(tx, actor, decide::token_revoked(id))?;
            }
            Ok(())
        })
    }
}
