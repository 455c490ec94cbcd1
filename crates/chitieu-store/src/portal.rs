//! The public portal's content: news a unit publishes, and reader comments ("Ý kiến bạn đọc"),
//! held until a moderator publishes or rejects them. Comments are kept as typed, as plain text.

use crate::Result;
use chitieu_core::admin::UnitId;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A published news item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct News {
    pub id: i64,
    pub unit: UnitId,
    pub title: String,
    /// Plain text; paragraphs are separated by blank lines.
    pub body: String,
    pub published_at: String,
    pub created_by: String,
}

/// News to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNews {
    pub unit: UnitId,
    pub title: String,
    pub body: String,
}

/// Where a reader comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentState {
    Pending,
    Published,
    Rejected,
}

impl CommentState {
    pub const ALL: [CommentState; 3] = [
        CommentState::Pending,
        CommentState::Published,
        CommentState::Rejected,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            CommentState::Pending => "pending",
            CommentState::Published => "published",
            CommentState::Rejected => "rejected",
        }
    }

    pub fn vi(&self) -> &'static str {
        match self {
            CommentState::Pending => "chờ kiểm duyệt",
            CommentState::Published => "đã đăng",
            CommentState::Rejected => "không đăng",
        }
    }
}

impl FromStr for CommentState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CommentState::ALL
            .into_iter()
            .find(|c| c.key() == s.trim())
            .ok_or_else(|| format!("unknown comment state '{s}'"))
    }
}

impl fmt::Display for CommentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A comment as a reader sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub unit: UnitId,
    /// What it is about: "result:2022-H1" or "news:3".
    pub topic: String,
    pub author: String,
    pub body: String,
    /// A hash of the sender's address, for rate limiting; never the address itself.
    pub client_key: String,
}

/// A stored reader comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReaderComment {
    pub id: i64,
    pub unit: UnitId,
    pub topic: String,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub state: CommentState,
    pub moderated_by: Option<String>,
    pub moderated_at: Option<String>,
}

/// Storage of news and reader comments. Every write is one transaction and audited.
pub trait PortalStore {
    fn publish_news(&mut self, news: &NewNews, actor: &str) -> Result<News>;
    /// News, newest first, of one unit or all.
    fn news(&self, unit: Option<UnitId>) -> Result<Vec<News>>;
    fn news_item(&self, id: i64) -> Result<News>;

    /// Stores a comment as pending. Refused (with [`crate::StoreError::Refused`]) when the
    /// same client sent `max_recent` comments since `since` (RFC 3339): the check and the
    /// insert are one transaction.
    fn add_comment(&mut self, comment: &NewComment, since: &str, max_recent: u32) -> Result<i64>;
    /// Comments, oldest first, filtered by unit, topic and state.
    fn comments(
        &self,
        unit: Option<UnitId>,
        topic: Option<&str>,
        state: Option<CommentState>,
    ) -> Result<Vec<ReaderComment>>;
    fn moderate_comment(
        &mut self,
        id: i64,
        state: CommentState,
        actor: &str,
    ) -> Result<ReaderComment>;
}
