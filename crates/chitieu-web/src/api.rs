//! The JSON API under `/api/v1`: what the pages do, for machines. Authenticate with
//! `Authorization: Bearer <token>` (tokens are made on the accounts page); a browser session
//! also works, with the `X-CSRF-Token` header on writes. The OpenAPI 3.1 document is at
//! `/api/openapi.json`.
//!
//! The same checks as the pages apply: role, then scope, then the store's workflow rules.

use crate::auth::{Ctx, require_scope};
use crate::error::{ErrorReport, json_error};
use crate::pages::{
    ANY, ENTER, REVIEW, ReviewForm, UnitPeriod, check_entries, entry_indicators, indicator_of,
    moderate, pick_unit_period, review_apply, unit_choices,
};
use crate::{App, WebError};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chitieu_app::status::parse_period;
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_store::portal::CommentState;
use chitieu_store::workflow::DataSetState;
use chitieu_store::{DocumentStore, PortalStore, Store, WorkflowStore};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// An error answered as JSON ([`crate::error::json_error`]'s shape).
pub struct ApiError(WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.json()
    }
}

/// The middleware of every `/api/` route: an error answered any other way than as JSON — an
/// HTML error page, the log-in redirect, an extractor's plain-text refusal, an unknown path,
/// a method the path does not take — is answered as JSON in the one shape, with its status.
pub async fn json_errors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    if let Some(report) = resp.extensions().get::<ErrorReport>() {
        return json_error(report.status, &report.message);
    }
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let text = match axum::body::to_bytes(resp.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let message = match status {
        StatusCode::NOT_FOUND if text.is_empty() => {
            format!("không có đường dẫn API {method} {path} (no such API route)")
        }
        StatusCode::METHOD_NOT_ALLOWED => format!(
            "đường dẫn {path} không nhận phương thức {method} (method not allowed{})",
            allow
                .as_ref()
                .and_then(|a| a.to_str().ok())
                .map(|a| format!("; allowed: {a}"))
                .unwrap_or_default()
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("nội dung gửi tới {path} quá lớn (payload too large) {text}")
        }
        _ if text.is_empty() => format!("{method} {path}: yêu cầu bị từ chối (request refused)"),
        _ => format!("{method} {path}: {text}"),
    };
    let mut r = json_error(status, message.trim());
    if let Some(a) = allow {
        r.headers_mut().insert(header::ALLOW, a);
    }
    r
}

/// A serde message about one field, in Vietnamese with the original in parentheses:
/// "missing field `status`" → "thiếu trường «status» (…)"; "lead: invalid type: …" →
/// "trường «lead» không hợp lệ (…)"; anything else as given after `what`.
fn field_message(what: &str, detail: &str) -> String {
    if let Some(rest) = detail.strip_prefix("missing field `")
        && let Some(name) = rest.split('`').next()
    {
        return format!("{what}: thiếu trường «{name}» ({detail})");
    }
    if let Some((path, rest)) = detail.split_once(": ")
        && !path.is_empty()
        && !path.contains(' ')
    {
        return format!("{what}: trường «{path}» không hợp lệ ({rest})");
    }
    format!("{what}: {detail}")
}

/// The inner error of an extractor's refusal (serde's message, with the field's path).
fn inner(e: &(dyn std::error::Error + 'static)) -> String {
    e.source()
        .map(|s| s.to_string())
        .unwrap_or_else(|| e.to_string())
}

/// A JSON request body whose refusals are JSON: 400 naming the field for a missing field,
/// a wrong type or malformed JSON, 415 without `Content-Type: application/json`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError(match &e {
                JsonRejection::JsonDataError(d) => {
                    WebError::BadRequest(field_message("nội dung JSON (request body)", &inner(d)))
                }
                JsonRejection::JsonSyntaxError(d) => WebError::BadRequest(format!(
                    "nội dung JSON sai cú pháp (malformed JSON body): {}",
                    inner(d)
                )),
                JsonRejection::MissingJsonContentType(_) => WebError::UnsupportedMediaType(
                    "cần gửi nội dung JSON với tiêu đề Content-Type: application/json (expected a JSON body)".into(),
                ),
                other => WebError::BadRequest(format!(
                    "không đọc được nội dung yêu cầu (cannot read the request body): {}",
                    other.body_text()
                )),
            })),
        }
    }
}

/// Path parameters whose refusals are JSON: 400 naming the parameter and the value given.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                use axum::extract::path::ErrorKind;
                let message = match e.kind() {
                    ErrorKind::ParseErrorAtKey {
                        key,
                        value,
                        expected_type,
                    } => format!(
                        "tham số đường dẫn «{key}» = «{value}» không hợp lệ (cannot parse path parameter `{key}` as {expected_type})"
                    ),
                    ErrorKind::ParseErrorAtIndex {
                        value,
                        expected_type,
                        ..
                    }
                    | ErrorKind::ParseError {
                        value,
                        expected_type,
                    } => format!(
                        "tham số đường dẫn «{value}» không hợp lệ (cannot parse path parameter as {expected_type})"
                    ),
                    _ => format!("đường dẫn không hợp lệ (invalid path): {}", e.body_text()),
                };
                Err(ApiError(WebError::BadRequest(message)))
            }
            Err(other) => Err(ApiError(WebError::BadRequest(format!(
                "đường dẫn không hợp lệ (invalid path): {}",
                other.body_text()
            )))),
        }
    }
}

/// A query string whose refusals are JSON: 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError(
                WebError::BadRequest(field_message("tham số truy vấn (query)", &inner(&e))),
            )),
            Err(other) => Err(ApiError(WebError::BadRequest(format!(
                "tham số truy vấn không hợp lệ (invalid query): {}",
                other.body_text()
            )))),
        }
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

fn to_json<T: serde::Serialize>(v: T) -> Result<Value, WebError> {
    serde_json::to_value(v).map_err(|e| WebError::Internal(e.to_string()))
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/me", get(me))
        .route("/v1/units", get(units))
        .route("/v1/dashboard", get(dashboard))
        .route("/v1/indicators/{code}/series", get(series))
        .route("/v1/indicators/{code}/by-unit", get(by_unit))
        .route("/v1/entry", get(entry_get).post(entry_post))
        .route("/v1/check", get(check))
        .route("/v1/review", get(review_queue).post(review_post))
        .route("/v1/explanations", get(explanations).post(explanation_ask))
        .route("/v1/explanations/{id}/answer", post(explanation_answer))
        .route("/v1/comments", get(comments))
        .route("/v1/comments/{id}/moderate", post(comment_moderate))
        .route("/v1/documents", get(documents).post(document_add))
        .route("/v1/documents/{id}", get(document))
        .route("/v1/documents/{id}/review", post(document_review))
        .route("/v1/portal/results", get(portal_results))
        .route("/v1/portal/units/{id}", get(portal_unit))
        .route("/v1/portal/units/{id}/comments", post(portal_comment))
        .route("/v1/news", get(news))
        .route("/v1/audit", get(audit))
        .route("/v1/targets", post(target_post))
        .route("/v1/reports", get(report_get))
}

async fn me(ctx: Ctx) -> ApiResult {
    let a = ctx.user()?;
    Ok(Json(to_json(a)?))
}

async fn units(State(app): State<Arc<App>>, ctx: Ctx) -> ApiResult {
    let account = ctx.require(ANY)?.clone();
    let v = app
        .db
        .run(move |s| {
            let list = unit_choices(s, &account)?;
            Ok(json!(
                list.into_iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect::<Vec<_>>()
            ))
        })
        .await?;
    Ok(Json(v))
}

async fn dashboard(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<UnitPeriod>,
) -> ApiResult {
    let account = ctx.require(ANY)?.clone();
    let app2 = app.clone();
    let v = app
        .db
        .run(move |s| {
            let units = unit_choices(s, &account)?;
            let (unit, period) = pick_unit_period(s, &account, &q, &units)?;
            let d = app2.cache.get_or_build(s, &unit, &period, true)?;
            to_json(&*d)
        })
        .await?;
    Ok(Json(v))
}

async fn series(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<UnitPeriod>,
) -> ApiResult {
    let account = ctx.require(ANY)?.clone();
    let v = app
        .db
        .run(move |s| {
            let ind = indicator_of(s, &code)?;
            let units = unit_choices(s, &account)?;
            let (unit, _) = pick_unit_period(s, &account, &q, &units)?;
            to_json(crate::view::series(s, &ind, unit.unit)?)
        })
        .await?;
    Ok(Json(v))
}

async fn by_unit(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<UnitPeriod>,
) -> ApiResult {
    let account = ctx.require(ANY)?.clone();
    let v = app
        .db
        .run(move |s| {
            let ind = indicator_of(s, &code)?;
            let units = unit_choices(s, &account)?;
            let (unit, period) = pick_unit_period(s, &account, &q, &units)?;
            to_json(crate::view::values_by_unit(s, &ind, unit.unit, &period)?)
        })
        .await?;
    Ok(Json(v))
}

async fn entry_get(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<UnitPeriod>,
) -> ApiResult {
    let account = ctx.require(ENTER)?.clone();
    let v = app
        .db
        .run(move |s| {
            let units = unit_choices(s, &account)?;
            let (unit, period) = pick_unit_period(s, &account, &q, &units)?;
            let ds = s.data_set(unit.unit, &period)?;
            let drafts = s.draft_values(unit.unit, &period)?;
            let mut rows = Vec::new();
            for (ind, target) in entry_indicators(s, unit.unit, &period)? {
                let last = match period.same_period_last_year() {
                    Some(p) => s
                        .current_figure(ind.code.as_str(), unit.unit, &p)?
                        .map(|f| f.input.value),
                    None => None,
                };
                rows.push(json!({
                    "indicator": ind.code.as_str(),
                    "name": ind.name_vi,
                    "unit_of_measure": ind.unit,
                    "target": target,
                    "same_period_last_year": last,
                    "draft": drafts.iter().find(|d| d.indicator == ind.code),
                }));
            }
            Ok(json!({
                "unit": unit.unit.0,
                "unit_name": unit.title(),
                "period": period.to_string(),
                "data_set": ds,
                "rows": rows,
            }))
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct EntryValue {
    indicator: String,
    /// As typed: "1.234,5", or "43,2 tỷ đồng".
    value: String,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
struct EntryBody {
    unit: i64,
    period: String,
    values: Vec<EntryValue>,
    #[serde(default)]
    submit: bool,
}

async fn entry_post(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiJson(b): ApiJson<EntryBody>,
) -> Result<Response, ApiError> {
    let account = ctx.require(ENTER)?.clone();
    let r = app
        .db
        .run(move |s| {
            let unit = UnitId(b.unit);
            let period = parse_period(&b.period)?;
            require_scope(s, &account, unit, period.end_date())?;
            let mut typed = HashMap::new();
            for v in &b.values {
                typed.insert(format!("v_{}", v.indicator), v.value.clone());
                if let Some(c) = &v.comment {
                    typed.insert(format!("c_{}", v.indicator), c.clone());
                }
            }
            let (entries, checks) = check_entries(s, unit, &period, &typed)?;
            let mut bad: Vec<&str> = checks
                .iter()
                .filter(|(_, c)| !c.errors.is_empty())
                .map(|(code, _)| code.as_str())
                .collect();
            if !bad.is_empty() {
                bad.sort_unstable();
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                let mut body = crate::error::error_body(
                    status,
                    &format!(
                        "giá trị không hợp lệ ở chỉ tiêu {}; chưa lưu gì (some values are not valid; nothing was saved)",
                        bad.join(", ")
                    ),
                );
                body["checks"] = to_json(&checks)?;
                return Ok((status, Json(body)).into_response());
            }
            let actor = account.actor();
            let mut ds = s.save_draft(unit, &period, &entries, &actor)?;
            if b.submit {
                ds = s.submit(unit, &period, &actor)?;
            }
            Ok(Json(json!({"data_set": ds, "checks": checks})).into_response())
        })
        .await?;
    Ok(r)
}

#[derive(Deserialize)]
struct CheckQuery {
    unit: i64,
    period: String,
    indicator: String,
    value: String,
}

async fn check(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CheckQuery>,
) -> ApiResult {
    let account = ctx.require(ANY)?.clone();
    let v = app
        .db
        .run(move |s| {
            let unit = UnitId(q.unit);
            let period = parse_period(&q.period)?;
            require_scope(s, &account, unit, period.end_date())?;
            let ind = indicator_of(s, &q.indicator)?;
            let last = match period.same_period_last_year() {
                Some(p) => s
                    .current_figure(ind.code.as_str(), unit, &p)?
                    .map(|f| f.input.value),
                None => None,
            };
            to_json(crate::view::check_value(&q.value, &ind, last))
        })
        .await?;
    Ok(Json(v))
}

async fn review_queue(State(app): State<Arc<App>>, ctx: Ctx) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| {
            let mut out = Vec::new();
            for d in s.data_sets(Some(DataSetState::Submitted))? {
                if crate::auth::in_scope(s, &account, d.unit, d.period.end_date())? {
                    let values = s.draft_values(d.unit, &d.period)?;
                    out.push(json!({"data_set": d, "values": values}));
                }
            }
            Ok(json!(out))
        })
        .await?;
    Ok(Json(v))
}

async fn review_post(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiJson(f): ApiJson<ReviewForm>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| to_json(review_apply(s, &account, &f)?))
        .await?;
    Ok(Json(v))
}

async fn explanations(State(app): State<Arc<App>>, ctx: Ctx) -> ApiResult {
    let account = ctx.require(ANY)?.clone();
    let v = app
        .db
        .run(move |s| {
            let mut out = Vec::new();
            for e in s.explanations()? {
                if crate::auth::in_scope(s, &account, e.unit, e.period.end_date())? {
                    out.push(e);
                }
            }
            to_json(out)
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct AskBody {
    indicator: String,
    unit: i64,
    period: String,
    question: String,
}

async fn explanation_ask(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiJson(b): ApiJson<AskBody>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| {
            let unit = UnitId(b.unit);
            let period = parse_period(&b.period)?;
            require_scope(s, &account, unit, period.end_date())?;
            let code = IndicatorCode::new(&b.indicator)
                .map_err(|e| WebError::BadRequest(e.to_string()))?;
            to_json(s.ask_explanation(&code, unit, &period, &b.question, &account.actor())?)
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct AnswerBody {
    answer: String,
}

async fn explanation_answer(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> ApiResult {
    let account = ctx.require(ENTER)?.clone();
    let v = app
        .db
        .run(move |s| {
            let e = s.explanation(id)?;
            require_scope(s, &account, e.unit, e.period.end_date())?;
            to_json(s.answer_explanation(id, &b.answer, &account.actor())?)
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct CommentsQuery {
    state: Option<String>,
}

async fn comments(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CommentsQuery>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| {
            let state: Option<CommentState> = q
                .state
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(WebError::BadRequest)?;
            let today = chrono::Local::now().date_naive();
            let mut out = Vec::new();
            for c in s.comments(None, None, state)? {
                if crate::auth::in_scope(s, &account, c.unit, today)? {
                    out.push(c);
                }
            }
            to_json(out)
        })
        .await?;
    Ok(Json(v))
}

async fn comment_moderate(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<crate::pages::ModerateForm>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| to_json(moderate(s, &account, id, &f.state)?))
        .await?;
    Ok(Json(v))
}

async fn documents(State(app): State<Arc<App>>, ctx: Ctx) -> ApiResult {
    ctx.require(REVIEW)?;
    let v = app
        .db
        .run(move |s| {
            Ok(json!(s.documents()?.into_iter().map(|d| json!({
                "id": d.id, "name": d.name, "ingested_by": d.ingested_by, "ingested_at": d.ingested_at,
            })).collect::<Vec<_>>()))
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct DocBody {
    name: String,
    text: String,
    #[serde(default)]
    unit: Option<String>,
}

async fn document_add(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiJson(b): ApiJson<DocBody>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| {
            let extractor = chitieu_extract::Extractor::new(&chitieu_extract::ExtractOptions {
                catalog: Some(s.catalog()?),
                ..Default::default()
            });
            // The document, its facts and its key tasks, in one transaction.
            let (done, _tasks) = chitieu_app::task_ingest::ingest_with_tasks(
                s,
                &extractor,
                &b.name,
                &b.text,
                b.unit.as_deref(),
                &account.actor(),
            )
            .map_err(|e| match e {
                chitieu_app::ingest::IngestError::Store(s) => WebError::from(s),
                other => WebError::BadRequest(other.to_string()),
            })?;
            Ok(json!({"added": done.added, "unresolved": done.unresolved}))
        })
        .await?;
    Ok(Json(v))
}

async fn document(State(app): State<Arc<App>>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> ApiResult {
    ctx.require(REVIEW)?;
    let v = app
        .db
        .run(move |s| {
            let d = s.document(id)?;
            let proposals = s.proposals(Some(id), None)?;
            Ok(json!({"document": d, "proposals": proposals}))
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct DocReview {
    proposal: i64,
    /// accept | reject
    decision: String,
}

async fn document_review(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DocReview>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    let v = app
        .db
        .run(move |s| {
            let doc = s.document(id)?;
            let p = s.proposal(b.proposal)?;
            if p.document != id {
                return Err(WebError::NotFound(format!(
                    "đề xuất {} trong văn bản {id} (proposal {} belongs to document {})",
                    b.proposal, b.proposal, p.document
                )));
            }
            let decision = match b.decision.as_str() {
                "accept" => {
                    let siblings = s.proposals(Some(id), None)?;
                    chitieu_app::ingest::decide(
                        &s.catalog()?,
                        &doc,
                        &p,
                        &siblings,
                        &Default::default(),
                    )
                    .map_err(|e| WebError::BadRequest(format!("đề xuất {}: {e}", b.proposal)))?
                }
                "reject" => chitieu_store::documents::Decision::Reject,
                other => {
                    return Err(WebError::BadRequest(format!(
                        "trường «decision»: '{other}' không hợp lệ (accept, reject)"
                    )));
                }
            };
            to_json(s.review(b.proposal, &decision, None, &account.actor())?)
        })
        .await?;
    Ok(Json(v))
}

async fn portal_results(State(app): State<Arc<App>>) -> ApiResult {
    let v = app
        .db
        .run(move |s| {
            let mut out = Vec::new();
            for d in s.data_sets(Some(DataSetState::Approved))? {
                let u = s.unit_latest(d.unit)?;
                out.push(json!({"unit": d.unit.0, "unit_name": u.title(), "period": d.period.to_string()}));
            }
            Ok(json!(out))
        })
        .await?;
    Ok(Json(v))
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: String,
}

async fn portal_unit(
    State(app): State<Arc<App>>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult {
    let app2 = app.clone();
    let v = app
        .db
        .run(move |s| {
            let unit = UnitId(id);
            let period = parse_period(&q.period)?;
            let ds = s.data_set(unit, &period)?;
            if ds.is_none_or(|d| d.state != DataSetState::Approved) {
                return Err(WebError::NotFound(format!(
                    "kết quả đã công bố của đơn vị {id}, kỳ {period} (not published)"
                )));
            }
            let v = s.unit_on(unit, period.end_date()).or_else(|_| s.unit_latest(unit))?;
            let d = app2.cache.get_or_build(s, &v, &period, false)?;
            let comments = s.comments(Some(unit), Some(&format!("result:{period}")), Some(CommentState::Published))?;
            Ok(json!({"results": to_json(&*d)?, "comments": comments.into_iter().map(|c| json!({"id": c.id, "author": c.author, "body": c.body, "created_at": c.created_at})).collect::<Vec<_>>()}))
        })
        .await?;
    Ok(Json(v))
}

async fn portal_comment(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
    ApiJson(f): ApiJson<crate::portal::CommentForm>,
) -> ApiResult {
    let app2 = app.clone();
    let v = app
        .db
        .run(move |s| {
            let period = parse_period(&q.period)?;
            let cid = crate::portal::add_comment(
                s,
                &app2,
                &ctx.client,
                UnitId(id),
                format!("result:{period}"),
                &f,
            )?;
            Ok(json!({"id": cid, "state": "pending"}))
        })
        .await?;
    Ok(Json(v))
}

async fn news(State(app): State<Arc<App>>) -> ApiResult {
    let v = app.db.run(move |s| to_json(s.news(None)?)).await?;
    Ok(Json(v))
}

async fn audit(State(app): State<Arc<App>>, ctx: Ctx) -> ApiResult {
    ctx.require(&[chitieu_store::accounts::Role::Admin])?;
    let v = app.db.run(move |s| to_json(s.audit_log(500)?)).await?;
    Ok(Json(v))
}

async fn target_post(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiJson(f): ApiJson<crate::pages::TargetForm>,
) -> ApiResult {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| crate::pages::save_target(s, &account, &f))
        .await?;
    Ok(Json(json!({"saved": true})))
}

async fn report_get(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<crate::pages::ReportQuery>,
) -> Result<Response, ApiError> {
    let account = ctx.require(REVIEW)?.clone();
    Ok(app
        .db
        .run(move |s| crate::pages::report_file(s, &account, &q))
        .await?)
}

/// (method, path, summary, tag, needs a log-in, request body example)
type Operation = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    Option<&'static str>,
);

const OPERATIONS: &[Operation] = &[
    (
        "get",
        "/api/v1/me",
        "The account of the token",
        "accounts",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/units",
        "Units the account can pick",
        "dashboards",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/dashboard",
        "A unit's dashboard for a period (query unit, period), with the units below",
        "dashboards",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/indicators/{code}/series",
        "An indicator's series for a unit (query unit)",
        "dashboards",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/indicators/{code}/by-unit",
        "An indicator's values by unit below (query unit, period)",
        "dashboards",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/entry",
        "The entry form of a unit and period (query unit, period)",
        "entry",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/entry",
        "Save values as a draft, and submit them when submit is true",
        "entry",
        true,
        Some(
            r#"{"unit": 1, "period": "2022-H1", "values": [{"indicator": "budget_revenue", "value": "25,3", "comment": null}], "submit": false}"#,
        ),
    ),
    (
        "get",
        "/api/v1/check",
        "Check one typed value (query unit, period, indicator, value)",
        "entry",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/review",
        "Data sets waiting for review",
        "review",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/review",
        "Approve, return (with a comment) or reopen a data set",
        "review",
        true,
        Some(r#"{"unit": 1, "period": "2022-H1", "action": "approve", "comment": ""}"#),
    ),
    (
        "get",
        "/api/v1/explanations",
        "Explanation requests",
        "review",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/explanations",
        "Ask a unit to explain a lagging indicator",
        "review",
        true,
        Some(
            r#"{"indicator": "budget_revenue", "unit": 1, "period": "2022-H1", "question": "..."}"#,
        ),
    ),
    (
        "post",
        "/api/v1/explanations/{id}/answer",
        "Answer an explanation request",
        "review",
        true,
        Some(r#"{"answer": "..."}"#),
    ),
    (
        "get",
        "/api/v1/comments",
        "Reader comments (query state: pending, published, rejected)",
        "portal",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/comments/{id}/moderate",
        "Publish or reject a reader comment",
        "portal",
        true,
        Some(r#"{"state": "published"}"#),
    ),
    (
        "get",
        "/api/v1/documents",
        "Stored documents",
        "documents",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/documents",
        "Store a document and extract its facts as proposals",
        "documents",
        true,
        Some(r#"{"name": "bai-bao.txt", "text": "...", "unit": "huyện Bắc Sơn, tỉnh Lạng Sơn"}"#),
    ),
    (
        "get",
        "/api/v1/documents/{id}",
        "A document with its proposals",
        "documents",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/documents/{id}/review",
        "Accept or reject a proposal",
        "documents",
        true,
        Some(r#"{"proposal": 1, "decision": "accept"}"#),
    ),
    (
        "get",
        "/api/v1/portal/results",
        "Published results (approved data sets)",
        "portal",
        false,
        None,
    ),
    (
        "get",
        "/api/v1/portal/units/{id}",
        "A unit's published results for a period (query period), with published comments",
        "portal",
        false,
        None,
    ),
    (
        "post",
        "/api/v1/portal/units/{id}/comments",
        "Send a reader comment (held for moderation; query period)",
        "portal",
        false,
        Some(r#"{"author": "...", "body": "..."}"#),
    ),
    (
        "get",
        "/api/v1/news",
        "Published news",
        "portal",
        false,
        None,
    ),
    (
        "get",
        "/api/v1/audit",
        "The newest audit log entries (admin)",
        "accounts",
        true,
        None,
    ),
    (
        "get",
        "/api/v1/tasks",
        "Key tasks in the account's scope with their status today, and the counts (hoàn thành X/Y nhiệm vụ, đúng hạn Z)",
        "tasks",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/tasks",
        "Enter a key task (office); the deadline as a date (30/6/2027) or a period (quý II/2027)",
        "tasks",
        true,
        Some(
            r#"{"text": "...", "field": "economy", "lead": 123, "deadline": "30/6/2027", "output": "...", "source": "..."}"#,
        ),
    ),
    (
        "post",
        "/api/v1/tasks/{id}/progress",
        "Report a task's progress (the lead unit): not_started, in_progress or completed",
        "tasks",
        true,
        Some(
            r#"{"status": "in_progress", "note": "...", "reported_on": "2026-11-25", "completed_on": ""}"#,
        ),
    ),
    (
        "get",
        "/api/v1/documents/{id}/tasks",
        "The key tasks proposed from a document, with their state and the lead unit guessed (office roles)",
        "tasks",
        true,
        None,
    ),
    (
        "post",
        "/api/v1/documents/{id}/tasks/{proposal}",
        "Accept a task proposal, with optional corrections (text, field, lead as a unit id or lead_name in words, deadline), or reject it (office roles; the lead unit within the account's scope)",
        "tasks",
        true,
        Some(
            r#"{"decision": "accept", "text": "...", "field": "economy", "lead": 123, "deadline": "30/6/2023", "note": ""}"#,
        ),
    ),
    (
        "get",
        "/api/v1/notifications",
        "The account's notifications (reminders, digests), newest first, and the unread count",
        "notifications",
        true,
        None,
    ),
];

/// The OpenAPI 3.1 document, built from the table above.
pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, tag, auth, body) in OPERATIONS {
        let mut params = Vec::new();
        for seg in path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
            }
        }
        let query: &[&str] = match *path {
            "/api/v1/dashboard" | "/api/v1/entry" | "/api/v1/indicators/{code}/by-unit"
                if *method == "get" =>
            {
                &["unit", "period"]
            }
            "/api/v1/indicators/{code}/series" => &["unit"],
            "/api/v1/check" => &["unit", "period", "indicator", "value"],
            "/api/v1/comments" => &["state"],
            "/api/v1/reports" => &["unit", "period", "style", "format"],
            "/api/v1/portal/units/{id}" | "/api/v1/portal/units/{id}/comments" => &["period"],
            _ => &[],
        };
        for q in query {
            params.push(
                json!({"name": q, "in": "query", "required": false, "schema": {"type": "string"}}),
            );
        }
        let mut op = json!({
            "summary": summary,
            "tags": [tag],
            "operationId": format!("{method}_{}", path.trim_start_matches("/api/v1/").replace(['/', '{', '}', '-'], "_")),
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {}}}},
                "400": {"description": "Bad request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Log-in required", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "403": {"description": "Not allowed (role, scope or CSRF)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "Not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "409": {"description": "Refused by the stored state (locked, not submitted, units below not approved, already decided, a concurrent change)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        if !auth {
            op["security"] = json!([]);
        }
        if let Some(example) = body {
            let ex: Value = serde_json::from_str(example).unwrap_or(Value::Null);
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}, "example": ex}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "chitieu API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Targets, figures, entry and approval, dashboards and the public portal of chitieu. Authenticate with a bearer token made on the accounts page.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "string", "description": "the HTTP reason phrase"}, "status": {"type": "integer", "description": "the HTTP status"}, "message": {"type": "string", "description": "what went wrong, in Vietnamese (English in parentheses), naming the field, id or value"}}, "required": ["error", "status", "message"]}},
        },
        "paths": paths,
    })
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}
