use thiserror::Error;

/// What can go wrong in storage. Messages are written for the person at the keyboard: in
/// Vietnamese, naming the unit, id or value at fault and what to do, with a short English
/// word in parentheses for support staff.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("SQLite báo lỗi (database error): {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL báo lỗi (database error): {0}")]
    Postgres(postgres::Error),
    /// Two writers met; the web wraps this message in its own "reload and retry" sentence.
    #[error(
        "xung đột ghi đồng thời (conflict: {0}): có người khác vừa thay đổi cùng dữ liệu; chưa có gì được lưu, hãy tải lại rồi thử lại"
    )]
    Conflict(String),
    #[error("cơ sở dữ liệu chưa được khởi tạo (not initialised): hãy chạy `chitieu init` trước")]
    NotInitialised,
    #[error(
        "cơ sở dữ liệu do phiên bản chitieu mới hơn ghi (schema {found}, bản này chỉ đọc được đến {known}): hãy nâng cấp chitieu (upgrade)"
    )]
    TooNew { found: u32, known: u32 },
    #[error(
        "không có đơn vị '{name}' (unknown unit) còn hiệu lực ngày {}{hint}: hãy kiểm tra lại tên, hoặc tìm bằng `chitieu units`",
        day(date)
    )]
    UnknownUnit {
        name: String,
        date: String,
        hint: String,
    },
    #[error(
        "tên '{name}' chưa rõ là đơn vị nào ngày {} (ambiguous): có thể là {candidates}. Hãy ghi thêm đơn vị cấp trên, ví dụ '{example}'",
        day(date)
    )]
    AmbiguousUnit {
        name: String,
        date: String,
        candidates: String,
        example: String,
    },
    #[error("không có đơn vị mã nội bộ {0} (no such unit)")]
    NoSuchUnit(String),
    #[error("không có chỉ tiêu mã '{0}' (unknown indicator): xem các mã bằng `chitieu indicators`")]
    UnknownIndicator(String),
    #[error(
        "không có nguồn kế hoạch '{0}' (unknown plan source): hãy khai báo nó trong cùng lần nhập hoặc trước đó"
    )]
    UnknownPlanSource(String),
    #[error("không nạp được danh mục đơn vị hành chính toàn quốc (gazetteer): {0}")]
    Gazetteer(String),
    #[error("không có văn bản số {0} (no such document): xem danh sách bằng `chitieu documents`")]
    NoSuchDocument(i64),
    #[error("không có đề xuất số {0} (no such proposal): xem danh sách bằng `chitieu review`")]
    NoSuchProposal(i64),
    /// A proposal — a figure or a task a document proposed — was already accepted or
    /// rejected; deciding it again is refused (the web answers 409).
    #[error(
        "đề xuất số {id} đã được xử lý trước đó ({state}{}): không xử lý lại lần nữa (already reviewed)",
        by_part(by)
    )]
    AlreadyReviewed { id: i64, state: String, by: String },
    #[error("không tìm thấy {} {key} ({what} not found)", what_vi(what))]
    NotFound { what: &'static str, key: String },
    /// A rule refused the change (a locked data set, a rate limit); the message says why.
    #[error("{0}")]
    Refused(String),
    #[error("{0} đã tồn tại (already exists)")]
    AlreadyExists(String),
    #[error(
        "giá trị hỏng trong cơ sở dữ liệu ({what}): {detail}; hãy báo người quản trị (corrupt value)"
    )]
    Corrupt { what: String, detail: String },
}

/// A day as the office writes it, 30/06/2022, from the ISO form the store passes.
fn day(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => iso.to_string(),
    }
}

fn by_part(by: &str) -> String {
    if by.is_empty() {
        String::new()
    } else {
        format!(", bởi {by}")
    }
}

/// What [`StoreError::NotFound`] names, in Vietnamese.
fn what_vi(what: &str) -> &str {
    match what {
        "account" => "tài khoản",
        "comment" => "ý kiến",
        "data set" => "bộ số liệu",
        "explanation request" => "yêu cầu giải trình",
        "news" => "tin",
        "task proposal" => "nhiệm vụ đề xuất",
        "task" => "nhiệm vụ",
        "DHIS2 mapping" => "ánh xạ DHIS2",
        other => other,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages a user meets are Vietnamese, name what is at fault and say what to do.
    #[test]
    fn messages_name_the_place_in_vietnamese() {
        let e = StoreError::UnknownUnit {
            name: "xã Không Có".into(),
            date: "2022-06-30".into(),
            hint: String::new(),
        };
        assert_eq!(
            e.to_string(),
            "không có đơn vị 'xã Không Có' (unknown unit) còn hiệu lực ngày 30/06/2022: hãy kiểm tra lại tên, hoặc tìm bằng `chitieu units`"
        );
        // One wording for a proposed figure and a proposed task alike.
        let e = StoreError::AlreadyReviewed {
            id: 7,
            state: "đã loại".into(),
            by: "web:vanphong".into(),
        };
        assert_eq!(
            e.to_string(),
            "đề xuất số 7 đã được xử lý trước đó (đã loại, bởi web:vanphong): không xử lý lại lần nữa (already reviewed)"
        );
        let e = StoreError::AlreadyReviewed {
            id: 7,
            state: "đã nhận".into(),
            by: String::new(),
        };
        assert!(e.to_string().contains("(đã nhận):"), "{e}");
        let e = StoreError::NotFound {
            what: "task proposal",
            key: "12".into(),
        };
        assert_eq!(
            e.to_string(),
            "không tìm thấy nhiệm vụ đề xuất 12 (task proposal not found)"
        );
    }
}
