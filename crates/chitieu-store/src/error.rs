use thiserror::Error;

/// What can go wrong in storage. Messages are written for the person at the keyboard.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL error: {0}")]
    Postgres(postgres::Error),
    #[error(
        "conflict: someone else changed the same data at the same time ({0}); nothing was saved, load it again and retry"
    )]
    Conflict(String),
    #[error("the database is not initialised: run `chitieu init` first")]
    NotInitialised,
    #[error(
        "the database was written by a newer chitieu (schema {found}, this build knows {known}); upgrade chitieu"
    )]
    TooNew { found: u32, known: u32 },
    #[error("no unit named '{name}' was in force on {date}{hint}")]
    UnknownUnit {
        name: String,
        date: String,
        hint: String,
    },
    #[error(
        "'{name}' is ambiguous on {date}: it may be {candidates}. Add the parent, e.g. '{example}'"
    )]
    AmbiguousUnit {
        name: String,
        date: String,
        candidates: String,
        example: String,
    },
    #[error("unit {0} does not exist")]
    NoSuchUnit(String),
    #[error("unknown indicator '{0}': see `chitieu indicators`")]
    UnknownIndicator(String),
    #[error("unknown plan source '{0}': add it in the same batch or before")]
    UnknownPlanSource(String),
    #[error("loading the national unit list failed: {0}")]
    Gazetteer(String),
    #[error("document {0} does not exist: see `chitieu documents`")]
    NoSuchDocument(i64),
    #[error("proposed fact {0} does not exist: see `chitieu review`")]
    NoSuchProposal(i64),
    #[error("proposed fact {id} was already reviewed ({state}, by {by})")]
    AlreadyReviewed { id: i64, state: String, by: String },
    #[error("{what} {key} does not exist")]
    NotFound { what: &'static str, key: String },
    /// A rule refused the change (a locked data set, a rate limit); the message says why.
    #[error("{0}")]
    Refused(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("corrupt value in the database ({what}): {detail}")]
    Corrupt { what: String, detail: String },
}

impl From<postgres::Error> for StoreError {
    /// Serialization failures, deadlocks and lock time-outs are concurrent writers meeting:
    /// they become [`StoreError::Conflict`], which tells the loser to retry.
    fn from(e: postgres::Error) -> StoreError {
        use postgres::error::SqlState;
        match e.code() {
            Some(c)
                if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::LOCK_NOT_AVAILABLE =>
            {
                StoreError::Conflict(
                    e.as_db_error()
                        .map(|d| d.message().to_string())
                        .unwrap_or_else(|| e.to_string()),
                )
            }
            _ => StoreError::Postgres(e),
        }
    }
}

impl StoreError {
    pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            what: what.to_string(),
            detail: detail.to_string(),
        }
    }
}
