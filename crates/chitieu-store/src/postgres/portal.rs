//! The PostgreSQL side of [`PortalStore`], with the same behaviour as SQLite's. A client's
//! comments are counted under an advisory lock on its key, so the rate limit holds when
//! several servers receive its comments at once.

use super::rows::col;
use super::{PgStore, audit, lock_keys, now};
use crate::portal::*;
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use postgres::Row;
use serde_json::json;

const NEWS_COLS: &str = "id, unit_id, title, body, published_at, created_by";

fn row_to_news(r: &Row) -> Result<News> {
    Ok(News {
        id: col(r, 0)?,
        unit: UnitId(col(r, 1)?),
        title: col(r, 2)?,
        body: col(r, 3)?,
        published_at: col(r, 4)?,
        created_by: col(r, 5)?,
    })
}

const COMMENT_COLS: &str =
    "id, unit_id, topic, author, body, created_at, state, moderated_by, moderated_at";

fn row_to_comment(r: &Row) -> Result<ReaderComment> {
    let state: String = col(r, 6)?;
    Ok(ReaderComment {
        id: col(r, 0)?,
        unit: UnitId(col(r, 1)?),
        topic: col(r, 2)?,
        author: col(r, 3)?,
        body: col(r, 4)?,
        created_at: col(r, 5)?,
        state: state
            .parse()
            .map_err(|e: String| StoreError::corrupt("comment state", e))?,
        moderated_by: col(r, 7)?,
        moderated_at: col(r, 8)?,
    })
}

impl PortalStore for PgStore {
    fn publish_news(&mut self, news: &NewNews, actor: &str) -> Result<News> {
        self.write(|tx| {
            PgStore::check_unit_exists(tx, news.unit)?;
            let row = tx.query_one(
                &format!(
                    "INSERT INTO news (unit_id, title, body, published_at, created_by) VALUES ($1, $2, $3, $4, $5)
                     RETURNING {NEWS_COLS}"
                ),
                &[&news.unit.0, &news.title, &news.body, &now(), &actor],
            )?;
            let item = row_to_news(&row)?;
            audit(
                tx,
                actor,
                "news.publish",
                "news",
                &item.id.to_string(),
                json!({"unit": news.unit.0, "title": news.title}),
            )?;
            Ok(item)
        })
    }

    fn news(&self, unit: Option<UnitId>) -> Result<Vec<News>> {
        self.query(
            &format!(
                "SELECT {NEWS_COLS} FROM news WHERE ($1::bigint IS NULL OR unit_id = $1::bigint)
                 ORDER BY published_at DESC, id DESC"
            ),
            &[&unit.map(|u| u.0)],
        )?
        .iter()
        .map(row_to_news)
        .collect()
    }

    fn news_item(&self, id: i64) -> Result<News> {
        match self
            .query(
                &format!("SELECT {NEWS_COLS} FROM news WHERE id = $1"),
                &[&id],
            )?
            .first()
        {
            Some(r) => row_to_news(r),
            None => Err(StoreError::NotFound {
                what: "news",
                key: id.to_string(),
            }),
        }
    }

    fn add_comment(&mut self, comment: &NewComment, since: &str, max_recent: u32) -> Result<i64> {
        self.write(|tx| {
            lock_keys(tx, &[format!("comment-client:{}", comment.client_key)])?;
            let row = tx.query_one(
                "SELECT count(*) FROM reader_comment WHERE client_key = $1 AND created_at >= $2",
                &[&comment.client_key, &since],
            )?;
            let recent: i64 = col(&row, 0)?;
            if recent >= i64::from(max_recent) {
                return Err(StoreError::Refused(
                    "bạn đã gửi nhiều ý kiến trong thời gian ngắn; vui lòng thử lại sau"
                        .to_string(),
                ));
            }
            PgStore::check_unit_exists(tx, comment.unit)?;
            let row = tx.query_one(
                "INSERT INTO reader_comment (unit_id, topic, author, body, client_key, created_at, state)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
                &[
                    &comment.unit.0,
                    &comment.topic,
                    &comment.author,
                    &comment.body,
                    &comment.client_key,
                    &now(),
                ],
            )?;
            let id: i64 = col(&row, 0)?;
            audit(
                tx,
                "public",
                "comment.add",
                "reader_comment",
                &id.to_string(),
                json!({"unit": comment.unit.0, "topic": comment.topic, "author": comment.author}),
            )?;
            Ok(id)
        })
    }

    fn comments(
        &self,
        unit: Option<UnitId>,
        topic: Option<&str>,
        state: Option<CommentState>,
    ) -> Result<Vec<ReaderComment>> {
        self.query(
            &format!(
                "SELECT {COMMENT_COLS} FROM reader_comment
                 WHERE ($1::bigint IS NULL OR unit_id = $1::bigint)
                   AND ($2::text IS NULL OR topic = $2::text)
                   AND ($3::text IS NULL OR state = $3::text)
                 ORDER BY id"
            ),
            &[&unit.map(|u| u.0), &topic, &state.map(|s| s.key())],
        )?
        .iter()
        .map(row_to_comment)
        .collect()
    }

    fn moderate_comment(
        &mut self,
        id: i64,
        state: CommentState,
        actor: &str,
    ) -> Result<ReaderComment> {
        self.write(|tx| {
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE reader_comment SET state = $1, moderated_by = $2, moderated_at = $3 WHERE id = $4
                         RETURNING {COMMENT_COLS}"
                    ),
                    &[&state.key(), &actor, &now(), &id],
                )?
                .ok_or_else(|| StoreError::NotFound {
                    what: "comment",
                    key: id.to_string(),
                })?;
            let c = row_to_comment(&row)?;
            audit(
                tx,
                actor,
                "comment.moderate",
                "reader_comment",
                &id.to_string(),
                json!({"state": state.key()}),
            )?;
            Ok(c)
        })
    }
}
