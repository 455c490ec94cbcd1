//! The SQLite side of [`PortalStore`].

use super::{SqliteStore, audit, now};
use crate::portal::*;
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use rusqlite::{Connection, params};
use serde_json::json;

const NEWS_COLS: &str = "id, unit_id, title, body, published_at, created_by";

fn row_to_news(r: &rusqlite::Row<'_>) -> rusqlite::Result<News> {
    Ok(News {
        id: r.get(0)?,
        unit: UnitId(r.get(1)?),
        title: r.get(2)?,
        body: r.get(3)?,
        published_at: r.get(4)?,
        created_by: r.get(5)?,
    })
}

const COMMENT_COLS: &str =
    "id, unit_id, topic, author, body, created_at, state, moderated_by, moderated_at";

fn row_to_comment(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ReaderComment>> {
    let state: String = r.get(6)?;
    let c = ReaderComment {
        id: r.get(0)?,
        unit: UnitId(r.get(1)?),
        topic: r.get(2)?,
        author: r.get(3)?,
        body: r.get(4)?,
        created_at: r.get(5)?,
        state: CommentState::Pending,
        moderated_by: r.get(7)?,
        moderated_at: r.get(8)?,
    };
    Ok(state
        .parse()
        .map_err(|e: String| StoreError::corrupt("comment state", e))
        .map(|state| ReaderComment { state, ..c }))
}

fn load_comment(conn: &Connection, id: i64) -> Result<ReaderComment> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COMMENT_COLS} FROM reader_comment WHERE id = ?1"
    ))?;
    let mut rows = stmt.query_map([id], row_to_comment)?;
    match rows.next() {
        Some(r) => r?,
        None => Err(StoreError::NotFound {
            what: "comment",
            key: id.to_string(),
        }),
    }
}

impl PortalStore for SqliteStore {
    fn publish_news(&mut self, news: &NewNews, actor: &str) -> Result<News> {
        let tx = self.write_tx()?;
        SqliteStore::check_unit_exists(&tx, news.unit)?;
        tx.execute(
            "INSERT INTO news (unit_id, title, body, published_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![news.unit.0, news.title, news.body, now(), actor],
        )?;
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            actor,
            "news.publish",
            "news",
            &id.to_string(),
            json!({"unit": news.unit.0, "title": news.title}),
        )?;
        tx.commit()?;
        self.news_item(id)
    }

    fn news(&self, unit: Option<UnitId>) -> Result<Vec<News>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {NEWS_COLS} FROM news WHERE (?1 IS NULL OR unit_id = ?1) ORDER BY published_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([unit.map(|u| u.0)], row_to_news)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn news_item(&self, id: i64) -> Result<News> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {NEWS_COLS} FROM news WHERE id = ?1"))?;
        let mut rows = stmt.query_map([id], row_to_news)?;
        match rows.next() {
            Some(r) => Ok(r?),
            None => Err(StoreError::NotFound {
                what: "news",
                key: id.to_string(),
            }),
        }
    }

    fn add_comment(&mut self, comment: &NewComment, since: &str, max_recent: u32) -> Result<i64> {
        let tx = self.write_tx()?;
        let recent: i64 = tx.query_row(
            "SELECT count(*) FROM reader_comment WHERE client_key = ?1 AND created_at >= ?2",
            params![comment.client_key, since],
            |r| r.get(0),
        )?;
        if recent >= i64::from(max_recent) {
            return Err(StoreError::Refused(
                "bạn đã gửi nhiều ý kiến trong thời gian ngắn; vui lòng thử lại sau".to_string(),
            ));
        }
        SqliteStore::check_unit_exists(&tx, comment.unit)?;
        tx.execute(
            "INSERT INTO reader_comment (unit_id, topic, author, body, client_key, created_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
            params![
                comment.unit.0,
                comment.topic,
                comment.author,
                comment.body,
                comment.client_key,
                now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            "public",
            "comment.add",
            "reader_comment",
            &id.to_string(),
            json!({"unit": comment.unit.0, "topic": comment.topic, "author": comment.author}),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn comments(
        &self,
        unit: Option<UnitId>,
        topic: Option<&str>,
        state: Option<CommentState>,
    ) -> Result<Vec<ReaderComment>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COMMENT_COLS} FROM reader_comment
             WHERE (?1 IS NULL OR unit_id = ?1) AND (?2 IS NULL OR topic = ?2) AND (?3 IS NULL OR state = ?3)
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![unit.map(|u| u.0), topic, state.map(|s| s.key())],
            row_to_comment,
        )?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn moderate_comment(
        &mut self,
        id: i64,
        state: CommentState,
        actor: &str,
    ) -> Result<ReaderComment> {
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE reader_comment SET state = ?1, moderated_by = ?2, moderated_at = ?3 WHERE id = ?4",
            params![state.key(), actor, now(), id],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "comment",
                key: id.to_string(),
            });
        }
        audit(
            &tx,
            actor,
            "comment.moderate",
            "reader_comment",
            &id.to_string(),
            json!({"state": state.key()}),
        )?;
        tx.commit()?;
        load_comment(&self.conn, id)
    }
}
