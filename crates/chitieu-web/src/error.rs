//! Errors of the web layer and how they are answered: an HTML page for browsers, JSON under
//! `/api`.
//!
//! Every JSON error has one shape, made only by [`json_error`]:
//! `{"error": "<HTTP reason>", "status": <code>, "message": "<Vietnamese (English)>"}`, the
//! message naming the field, id or value at fault. An HTML error page carries its status and
//! message in an [`ErrorReport`] extension, so [`crate::api::json_errors`] answers an `/api`
//! request with the JSON form whichever handler or extractor failed.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chitieu_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("cần đăng nhập (log-in required)")]
    Unauthenticated,
    #[error("không có quyền: {0}")]
    Forbidden(String),
    #[error("yêu cầu không hợp lệ (thiếu hoặc sai mã chống giả mạo, CSRF)")]
    Csrf,
    #[error("không tìm thấy: {0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    TooMany(String),
    /// The request body is not of a type the route reads (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Io(String),
    #[error("lỗi nội bộ: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::Refused(m) => WebError::Refused(m),
            // Two people changed the same data at once and this request lost: nothing was
            // saved, and the message says to reload and retry (409, not a server error).
            StoreError::Conflict(detail) => WebError::Refused(format!(
                "có người khác vừa thay đổi cùng số liệu này; chưa có gì được lưu, hãy tải lại trang và thử lại (conflict: {detail})"
            )),
            StoreError::NotFound { what, key } => {
                WebError::NotFound(format!("{} {key} ({what} {key})", what_vi(what)))
            }
            StoreError::NoSuchUnit(u) => WebError::NotFound(format!("đơn vị {u}")),
            StoreError::NoSuchDocument(d) => WebError::NotFound(format!("văn bản {d}")),
            StoreError::NoSuchProposal(p) => WebError::NotFound(format!("đề xuất {p}")),
            // Deciding what was already decided, or making what exists, conflicts with the
            // stored state: 409, with who decided it.
            StoreError::AlreadyReviewed { id, state, by } => WebError::Refused(format!(
                "đề xuất {id} đã được quyết định trước đó ({state}{}); không quyết định lại (already decided)",
                if by.is_empty() {
                    String::new()
                } else {
                    format!(", bởi {by}")
                }
            )),
            e @ StoreError::AlreadyExists(_) => WebError::Refused(e.to_string()),
            e @ (StoreError::UnknownUnit { .. }
            | StoreError::AmbiguousUnit { .. }
            | StoreError::UnknownIndicator(_)
            | StoreError::UnknownPlanSource(_)) => WebError::BadRequest(e.to_string()),
            other => WebError::Store(other),
        }
    }
}

/// What the store names in English, in Vietnamese.
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

impl From<chitieu_app::status::StatusError> for WebError {
    fn from(e: chitieu_app::status::StatusError) -> WebError {
        match e {
            chitieu_app::status::StatusError::Store(s) => s.into(),
            other => WebError::BadRequest(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(format!("template: {e}"))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Refused(_) => StatusCode::CONFLICT,
            WebError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Store(_) | WebError::Io(_) | WebError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The error as JSON, for the API.
    pub fn json(&self) -> Response {
        if matches!(self.status(), StatusCode::INTERNAL_SERVER_ERROR) {
            tracing::error!("{self}");
        }
        json_error(self.status(), &self.to_string())
    }
}

/// The one JSON error of the API: `{"error": "<HTTP reason>", "status": <code>, "message":
/// "<message>"}` with that status and `Content-Type: application/json`.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(error_body(status, message))).into_response()
}

/// The body of [`json_error`], for an answer that adds details beside it (the entry checks).
pub fn error_body(status: StatusCode, message: &str) -> serde_json::Value {
    serde_json::json!({
        "error": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "message": message,
    })
}

/// An error's status and message, kept in the extensions of the HTML page (or log-in
/// redirect) that answered it, for the API's JSON form.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self.status(), StatusCode::INTERNAL_SERVER_ERROR) {
            tracing::error!("{self}");
        }
        let report = ErrorReport {
            status: self.status(),
            message: self.to_string(),
        };
        if matches!(self, WebError::Unauthenticated) {
            let mut r = (
                StatusCode::SEE_OTHER,
                [(axum::http::header::LOCATION, "/login")],
            )
                .into_response();
            r.extensions_mut().insert(report);
            return r;
        }
        let msg = crate::pages::escape(&self.to_string());
        let body = format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{code}</title>\
             <link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"narrow\">\
             <h1>{code}</h1><p class=\"error\">{msg}</p><p><a href=\"/app\">← Trang chính (home)</a></p></main></body></html>",
            code = self.status().as_u16()
        );
        let mut r = (self.status(), Html(body)).into_response();
        r.extensions_mut().insert(report);
        r
    }
}
