//! Key tasks (nhiệm vụ trọng tâm) and the new-rural programme (NTM) pages, and the tasks API.
//!
//! - `/app/tasks`: the tasks in the account's scope with counts ("hoàn thành 45/52 nhiệm vụ,
//!   đúng hạn 40") overall and per field; the office enters new tasks here.
//! - `/app/tasks/{id}`: one task, its reports and reviews; the lead unit's reporters report
//!   progress, the office confirms or returns a reported completion.
//! - `/app/ntm?unit=…&year=…`: a district's communes against the NTM criteria: X/Y xã đạt
//!   chuẩn, the average criteria met, commune × criterion, the communes short per criterion.
//! - `/api/v1/tasks` (list, create) and `/api/v1/tasks/{id}/progress`.
//!
//! Rules live in `chitieu_core::task` and `chitieu_app::tasks`; handlers check the role, then
//! the unit against the account's scope.

use crate::api::{ApiError, ApiJson, ApiPath};
use crate::auth::{self, Ctx};
use crate::pages::{ANY, ENTER, Page, REVIEW, unit_choices};
use crate::{App, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chitieu_app::tasks::{Actor, TaskScope, TaskUseError, TaskView};
use chitieu_core::admin::UnitId;
use chitieu_core::figure::Provenance;
use chitieu_core::ntm::NtmLevel;
use chitieu_core::task::{
    Deadline, ExpectedOutput, ProgressReport, Review, Task, TaskCounts, TaskError, TaskEvent,
    TaskField, TaskStatus,
};
use chitieu_store::accounts::{Account, Role};
use chitieu_store::{Store, TaskStore};
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/app/tasks", get(tasks_page).post(task_create))
        .route("/app/tasks/{id}", get(task_page))
        .route("/app/tasks/{id}/progress", post(task_progress))
        .route("/app/tasks/{id}/review", post(task_review))
        .route("/app/ntm", get(ntm_page))
}

pub fn api_routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/tasks", get(api_tasks).post(api_task_create))
        .route("/api/v1/tasks/{id}/progress", post(api_task_progress))
}

fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&crate::scheduler::vietnam())
        .date_naive()
}

impl From<TaskUseError> for WebError {
    fn from(e: TaskUseError) -> WebError {
        match e {
            TaskUseError::Store(s) => s.into(),
            TaskUseError::NotLead { .. } | TaskUseError::NotOffice => {
                WebError::Forbidden(e.to_string())
            }
            // What was entered cannot be true (quá hạn before the deadline, dates out of
            // order): 400. What the task's state no longer allows (nothing to confirm, already
            // confirmed): 409.
            TaskUseError::Refused { ref error, .. } | TaskUseError::Task(ref error) => {
                match error {
                    TaskError::NothingToReview(_)
                    | TaskError::AlreadyConfirmed(_)
                    | TaskError::Closed(_) => WebError::Refused(e.to_string()),
                    _ => WebError::BadRequest(e.to_string()),
                }
            }
        }
    }
}

/// Whether the account sees a task: admins and an office without a scope see all; others
/// see tasks whose lead unit lies in their scope.
fn sees<S: Store>(s: &S, account: &Account, lead: UnitId, on: NaiveDate) -> bool {
    match account.role {
        Role::Admin => true,
        Role::Office if account.scopes.is_empty() => true,
        _ => covers(s, account, lead, on),
    }
}

fn covers<S: Store>(s: &S, account: &Account, unit: UnitId, on: NaiveDate) -> bool {
    let mut current = Some(unit);
    for _ in 0..10 {
        let Some(u) = current else { return false };
        if account.scopes.contains(&u) {
            return true;
        }
        current = s
            .unit_on(u, on)
            .or_else(|_| s.unit_latest(u))
            .ok()
            .and_then(|v| v.parent);
    }
    false
}

/// The actor for the task use cases: the units the account reports for (its scope units and
/// the units below them that lead a task are checked with `covers`), and whether it is the
/// office.
fn actor_for<S: Store>(s: &S, account: &Account, lead: UnitId, on: NaiveDate) -> Actor {
    let mut units = account.scopes.clone();
    if account.role == Role::Reporter && covers(s, account, lead, on) && !units.contains(&lead) {
        units.push(lead);
    }
    if account.role == Role::Admin {
        units.push(lead);
    }
    Actor {
        name: account.actor(),
        units,
        office: matches!(account.role, Role::Office | Role::Admin),
    }
}

// ----- list -----

struct Row {
    id: i64,
    text: String,
    field: &'static str,
    lead: String,
    deadline: String,
    status_key: &'static str,
    status: &'static str,
    awaiting: bool,
    confirmed: bool,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksTpl {
    p: Page,
    summary: String,
    counts: TaskCounts,
    by_field: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    can_create: bool,
    units: Vec<(i64, String)>,
    fields: Vec<(&'static str, &'static str)>,
}

fn visible<S: Store + TaskStore>(
    s: &S,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<TaskView>, WebError> {
    // Whether the account sees a lead unit's tasks, decided once per unit.
    let mut seen: std::collections::HashMap<UnitId, bool> = std::collections::HashMap::new();
    Ok(
        chitieu_app::tasks::list_tasks(s, &TaskScope::default(), today)?
            .into_iter()
            .filter(|t| {
                *seen
                    .entry(t.lead)
                    .or_insert_with(|| sees(s, account, t.lead, today))
            })
            .collect(),
    )
}

async fn tasks_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let today = today();
            let tasks = visible(s, &account, today)?;
            let counts = TaskCounts::tally(tasks.iter().map(|t| &t.state));
            let by_field = TaskField::ALL
                .iter()
                .filter_map(|f| {
                    let c =
                        TaskCounts::tally(tasks.iter().filter(|t| t.field == *f).map(|t| &t.state));
                    (c.total > 0).then(|| (f.vi(), c.summary_vi()))
                })
                .collect();
            let rows = tasks
                .iter()
                .map(|t| Row {
                    id: t.id,
                    text: t.text.clone(),
                    field: t.field.vi(),
                    lead: t.lead_name.clone(),
                    deadline: t.deadline.clone(),
                    status_key: t.state.status.key(),
                    status: t.status_vi,
                    awaiting: t.state.awaiting_confirmation,
                    confirmed: t.state.confirmed,
                })
                .collect();
            let can_create = REVIEW.contains(&account.role);
            let units = if can_create {
                unit_choices(s, &account)?
            } else {
                Vec::new()
            };
            let p = Page::new(&ctx, ctx.lang.t("tasks"), "tasks");
            Ok(Html(
                TasksTpl {
                    p,
                    summary: counts.summary_vi(),
                    counts,
                    by_field,
                    rows,
                    can_create,
                    units,
                    fields: TaskField::ALL.iter().map(|f| (f.key(), f.vi())).collect(),
                }
                .render()?,
            ))
        })
        .await
}

#[derive(Deserialize)]
pub struct NewTaskForm {
    pub text: String,
    pub field: String,
    pub lead: i64,
    /// "30/6/2027" or "quý II/2027".
    pub deadline: String,
    #[serde(default)]
    pub output: String,
    #[serde(default)]
    pub source: String,
}

fn new_task<S: Store>(s: &S, account: &Account, f: &NewTaskForm) -> Result<Task, WebError> {
    if f.text.trim().is_empty() {
        return Err(WebError::BadRequest(
            "trường «text»: nội dung nhiệm vụ còn trống (the task's text is empty)".into(),
        ));
    }
    let field = TaskField::parse(&f.field).ok_or_else(|| {
        WebError::BadRequest(format!(
            "trường «field»: lĩnh vực '{}' không hợp lệ (unknown field)",
            f.field
        ))
    })?;
    let deadline = Deadline::parse(&f.deadline).map_err(|e| {
        WebError::BadRequest(format!("trường «deadline»: thời hạn '{}': {e}", f.deadline))
    })?;
    let lead = UnitId(f.lead);
    s.unit_latest(lead).map_err(|e| match e {
        chitieu_store::StoreError::NoSuchUnit(_) => WebError::NotFound(format!(
            "đơn vị chủ trì {} (trường «lead»: no unit {})",
            f.lead, f.lead
        )),
        e => e.into(),
    })?;
    if !sees(s, account, lead, deadline.date()) {
        return Err(WebError::Forbidden(
            "đơn vị này nằm ngoài phạm vi của tài khoản (unit outside your scope)".into(),
        ));
    }
    let output = f.output.trim();
    Ok(Task {
        text: f.text.clone(),
        field,
        lead,
        cooperating: vec![],
        deadline,
        output: ExpectedOutput::Document {
            title: if output.is_empty() {
                "báo cáo kết quả thực hiện".to_string()
            } else {
                output.to_string()
            },
        },
        source: f.source.trim().to_string(),
        period: None,
        provenance: Provenance::Manual,
    })
}

async fn task_create(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<NewTaskForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let task = new_task(s, &account, &f)?;
            let id = chitieu_app::tasks::create_task(s, &task, &account.actor())?;
            Ok(Redirect::to(&format!("/app/tasks/{id}")).into_response())
        })
        .await
}

// ----- one task -----

struct EventRow {
    what: String,
    on: String,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskTpl {
    p: Page,
    t: TaskView,
    events: Vec<EventRow>,
    can_report: bool,
    can_review: bool,
    /// The progress form's values: as typed after a refusal, else today and no status.
    form_status: &'static str,
    form_reported_on: String,
    form_completed_on: String,
    form_note: String,
    review_note: String,
    statuses: Vec<(&'static str, &'static str)>,
}

async fn task_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| Ok(Html(task_html(s, &ctx, &account, id, None)?)))
        .await
}

/// What a refused form showed: the message and what was typed, to fill the form again.
struct Refusal<'a> {
    message: String,
    progress: Option<&'a ProgressForm>,
    review_note: Option<&'a str>,
}

/// The task page; after a refused report or review, with the message and the form as typed.
fn task_html<S: Store + TaskStore + chitieu_store::AccountStore>(
    s: &S,
    ctx: &Ctx,
    account: &Account,
    id: i64,
    refusal: Option<Refusal<'_>>,
) -> Result<String, WebError> {
    let today = today();
    let stored = s.task(id)?;
    if !sees(s, account, stored.task.lead, today) {
        return Err(WebError::Forbidden(
            "nhiệm vụ của đơn vị ngoài phạm vi tài khoản (task outside your scope)".into(),
        ));
    }
    let t = chitieu_app::tasks::view(s, &stored, today);
    let actors = crate::view::Actors::load(s)?;
    let events = stored
        .events
        .iter()
        .map(|e| match &e.event {
            TaskEvent::Report(r) => EventRow {
                what: format!("Báo cáo: {}", r.status.vi()),
                on: chitieu_text::format_date_vi(r.reported_on),
                note: match r.completed_on {
                    Some(d) if r.status.is_completed() => format!(
                        "hoàn thành ngày {}. {}",
                        chitieu_text::format_date_vi(d),
                        r.note
                    ),
                    _ => r.note.clone(),
                },
                by: actors.show(&e.by),
            },
            TaskEvent::Review(Review::Confirm { on, note }) => EventRow {
                what: "Xác nhận hoàn thành".into(),
                on: chitieu_text::format_date_vi(*on),
                note: note.clone(),
                by: actors.show(&e.by),
            },
            TaskEvent::Review(Review::Return { on, reason }) => EventRow {
                what: "Trả lại".into(),
                on: chitieu_text::format_date_vi(*on),
                note: reason.clone(),
                by: actors.show(&e.by),
            },
        })
        .collect();
    let can_report = !t.state.confirmed
        && match account.role {
            Role::Admin => true,
            Role::Reporter => covers(s, account, t.lead, today),
            _ => false,
        };
    let can_review = REVIEW.contains(&account.role) && t.state.awaiting_confirmation;
    let mut p = Page::new(ctx, format!("Nhiệm vụ #{id}"), "tasks");
    let typed = refusal.as_ref().and_then(|r| r.progress);
    let form_status = typed
        .and_then(|f| TaskStatus::parse(&f.status))
        .unwrap_or(TaskStatus::NotStarted)
        .key();
    let form_reported_on = typed
        .map(|f| f.reported_on.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
    let form_completed_on = typed
        .map(|f| f.completed_on.trim().to_string())
        .unwrap_or_default();
    let form_note = typed.map(|f| f.note.clone()).unwrap_or_default();
    let review_note = refusal
        .as_ref()
        .and_then(|r| r.review_note)
        .unwrap_or_default()
        .to_string();
    p.error = refusal.map(|r| r.message);
    Ok(TaskTpl {
        p,
        t,
        events,
        can_report,
        can_review,
        form_status,
        form_reported_on,
        form_completed_on,
        form_note,
        review_note,
        statuses: [
            TaskStatus::NotStarted,
            TaskStatus::InProgress,
            TaskStatus::Completed,
        ]
        .iter()
        .map(|s| (s.key(), s.vi()))
        .collect(),
    }
    .render()?)
}

/// A refusal a person can act on (what was entered, or the task's state): the form again,
/// with the message and the error's status; anything else (no access, no task, the
/// database) is answered as an error page.
fn shown_again(e: &WebError) -> bool {
    matches!(e, WebError::BadRequest(_) | WebError::Refused(_))
}

#[derive(Deserialize)]
pub struct ProgressForm {
    pub status: String,
    #[serde(default)]
    pub note: String,
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub reported_on: String,
    #[serde(default)]
    pub completed_on: String,
}

fn date_field(s: &str, what: &str) -> Result<Option<NaiveDate>, WebError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| chitieu_text::parse_date_vi(s, None))
        .map(Some)
        .ok_or_else(|| WebError::BadRequest(format!("{what}: '{s}' không phải ngày hợp lệ")))
}

fn record_progress<S: Store + TaskStore>(
    s: &mut S,
    account: &Account,
    id: i64,
    f: &ProgressForm,
) -> Result<TaskView, WebError> {
    let status = TaskStatus::parse(&f.status).ok_or_else(|| {
        WebError::BadRequest(format!(
            "trường «status»: trạng thái '{}' không hợp lệ (not_started, in_progress, completed)",
            f.status
        ))
    })?;
    let today = today();
    let reported_on =
        date_field(&f.reported_on, "trường «reported_on»: ngày báo cáo")?.unwrap_or(today);
    if reported_on > today {
        return Err(WebError::BadRequest(format!(
            "trường «reported_on»: ngày báo cáo {} không được sau hôm nay (a report cannot be dated in the future)",
            chitieu_text::format_date_vi(reported_on)
        )));
    }
    let completed_on = date_field(&f.completed_on, "trường «completed_on»: ngày hoàn thành")?;
    let task = s.task(id)?;
    let actor = actor_for(s, account, task.task.lead, today);
    let stored = chitieu_app::tasks::report_progress(
        s,
        id,
        &actor,
        ProgressReport {
            reported_on,
            status,
            completed_on: if status.is_completed() {
                completed_on
            } else {
                None
            },
            note: f.note.trim().to_string(),
        },
    )?;
    Ok(chitieu_app::tasks::view(s, &stored, today))
}

async fn task_progress(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ProgressForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(ENTER)?.clone();
    app.db
        .run(move |s| match record_progress(s, &account, id, &f) {
            Ok(_) => Ok(Redirect::to(&format!("/app/tasks/{id}")).into_response()),
            Err(e) if shown_again(&e) => {
                let status = e.status();
                let refusal = Refusal {
                    message: e.to_string(),
                    progress: Some(&f),
                    review_note: None,
                };
                let body = task_html(s, &ctx, &account, id, Some(refusal))?;
                Ok(with_error_report((status, Html(body)).into_response(), e))
            }
            Err(e) => Err(e),
        })
        .await
}

/// Keeps the refusal's status and message on a page that shows it (for the API's JSON form
/// and the logs), as the error pages do.
fn with_error_report(mut r: Response, e: WebError) -> Response {
    r.extensions_mut().insert(crate::error::ErrorReport {
        status: e.status(),
        message: e.to_string(),
    });
    r
}

#[derive(Deserialize)]
struct ReviewForm {
    decision: String,
    #[serde(default)]
    note: String,
}

async fn task_review(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReviewForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let today = today();
            let task = s.task(id)?;
            if !sees(s, &account, task.task.lead, today) {
                return Err(WebError::Forbidden(
                    "nhiệm vụ của đơn vị ngoài phạm vi tài khoản (task outside your scope)".into(),
                ));
            }
            let note = f.note.trim().to_string();
            let review = match f.decision.as_str() {
                "confirm" => Review::Confirm { on: today, note },
                "return" if !note.is_empty() => Review::Return {
                    on: today,
                    reason: note,
                },
                "return" => {
                    return Err(WebError::BadRequest(
                        "trả lại cần ghi rõ lý do (a reason is required)".into(),
                    ));
                }
                other => {
                    return Err(WebError::BadRequest(format!(
                        "quyết định '{other}' không hợp lệ"
                    )));
                }
            };
            let actor = actor_for(s, &account, task.task.lead, today);
            match chitieu_app::tasks::review_task(s, id, &actor, review).map_err(WebError::from) {
                Ok(_) => Ok(Redirect::to(&format!("/app/tasks/{id}")).into_response()),
                Err(e) if shown_again(&e) => {
                    let status = e.status();
                    let refusal = Refusal {
                        message: e.to_string(),
                        progress: None,
                        review_note: Some(&f.note),
                    };
                    let body = task_html(s, &ctx, &account, id, Some(refusal))?;
                    Ok(with_error_report((status, Html(body)).into_response(), e))
                }
                Err(e) => Err(e),
            }
        })
        .await
}

// ----- NTM -----

#[derive(Deserialize)]
struct NtmQuery {
    unit: Option<String>,
    year: Option<i32>,
    /// The level shown: "standard", "advanced", "model", "modern" (or "nâng cao", …).
    level: Option<String>,
}

/// A level's short label for the selector: "đạt chuẩn", "nâng cao", "kiểu mẫu", "hiện đại".
fn level_label(level: NtmLevel) -> &'static str {
    match level {
        NtmLevel::Standard => "đạt chuẩn",
        NtmLevel::Advanced => "nâng cao",
        NtmLevel::Model => "kiểu mẫu",
        NtmLevel::Modern => "hiện đại",
    }
}

/// One level of the set in the per-level overview: X/Y communes and the average.
struct NtmLevelLine {
    key: &'static str,
    label: &'static str,
    ratio: String,
    average: String,
    selected: bool,
    /// This page at that level.
    href: String,
}

struct NtmRow {
    name: String,
    met: u32,
    meets: bool,
    recorded: bool,
    cells: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "ntm.html")]
struct NtmTpl {
    p: Page,
    unit: String,
    year: i32,
    /// The level shown, as text and as its short label.
    level_vi: &'static str,
    level_label: &'static str,
    /// The levels the year's criteria set has, for the selector and the overview.
    levels: Vec<NtmLevelLine>,
    found: bool,
    /// Some commune has a record at this level and year ([`chitieu_core::ntm::NtmSummary::has_data`]).
    has_data: bool,
    heading: String,
    /// The district's summary: X/Y and the average, or core's "chưa có dữ liệu …" sentence.
    summary: String,
    ratio: String,
    average: String,
    set_title: String,
    criteria: Vec<(u32, String)>,
    rows: Vec<NtmRow>,
    shortfall: Vec<(u32, String, String)>,
    /// Communes with no record for the year: shown as such, never listed as short.
    unrecorded: Vec<String>,
}

async fn ntm_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Query(q): Query<NtmQuery>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let today = today();
            let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&today));
            let unit = q.unit.clone().unwrap_or_default();
            let level = match q.level.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                None => NtmLevel::Standard,
                Some(l) => NtmLevel::parse(l).ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "mức «{l}» không rõ (đạt chuẩn, nâng cao, kiểu mẫu, hiện đại)"
                    ))
                })?,
            };
            // The levels the year's set has; before a district is chosen, those of the
            // year's set, or only the standard level when no built-in set covers the year.
            let set_levels = chitieu_core::ntm::builtin_set(&year.to_string())
                .map(|set| set.levels())
                .unwrap_or_else(|_| vec![NtmLevel::Standard]);
            if !set_levels.contains(&level) {
                return Err(WebError::BadRequest(format!(
                    "bộ tiêu chí của năm {year} không có mức «{}»",
                    level_label(level)
                )));
            }
            let mut tpl = NtmTpl {
                p: Page::new(&ctx, ctx.lang.t("ntm"), "ntm"),
                unit: unit.clone(),
                year,
                level_vi: level.vi(),
                level_label: level_label(level),
                levels: set_levels
                    .iter()
                    .map(|l| NtmLevelLine {
                        key: l.key(),
                        label: level_label(*l),
                        ratio: String::new(),
                        average: String::new(),
                        selected: *l == level,
                        href: format!(
                            "/app/ntm?{}",
                            serde_urlencoded::to_string([
                                ("unit", unit.trim()),
                                ("year", &year.to_string()),
                                ("level", l.key()),
                            ])
                            .unwrap_or_default()
                        ),
                    })
                    .collect(),
                found: false,
                has_data: false,
                heading: String::new(),
                summary: String::new(),
                ratio: String::new(),
                average: String::new(),
                set_title: String::new(),
                criteria: vec![],
                rows: vec![],
                shortfall: vec![],
                unrecorded: vec![],
            };
            if !unit.trim().is_empty() {
                let d = chitieu_app::ntm::district_summary(s, unit.trim(), year, None, None, level)
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                auth::require_scope(s, &account, d.district.unit, d.on)?;
                // X/Y and the average at every level of the set, the shown one included.
                for line in &mut tpl.levels {
                    let summary = if line.selected {
                        d.summary.clone()
                    } else {
                        let other = NtmLevel::parse(line.key).unwrap_or(NtmLevel::Standard);
                        chitieu_app::ntm::district_summary(s, unit.trim(), year, None, None, other)
                            .map_err(|e| WebError::BadRequest(e.to_string()))?
                            .summary
                    };
                    line.ratio = summary.ratio_vi();
                    line.average = summary.average_vi();
                }
                let criteria: Vec<(u32, String)> = d
                    .set
                    .criteria_at(level)
                    .iter()
                    .map(|c| (c.number, c.name.clone()))
                    .collect();
                tpl.rows = d
                    .communes
                    .iter()
                    .map(|c| {
                        let name = c.commune.full_name();
                        NtmRow {
                            cells: criteria
                                .iter()
                                .map(|(n, _)| {
                                    if !c.recorded {
                                        "–"
                                    } else if d
                                        .shortfall
                                        .iter()
                                        .any(|(m, _, v)| m == n && v.contains(&name))
                                    {
                                        "✗"
                                    } else {
                                        "✓"
                                    }
                                })
                                .collect(),
                            name,
                            met: c.met,
                            meets: c.meets,
                            recorded: c.recorded,
                        }
                    })
                    .collect();
                tpl.found = true;
                tpl.heading = format!("{} — năm {year}", d.district.title());
                let unrecorded: Vec<String> = d
                    .communes
                    .iter()
                    .filter(|c| !c.recorded)
                    .map(|c| c.commune.full_name())
                    .collect();
                // The wording of "no data" is core's (`NtmSummary::summary_vi`), as a sentence.
                tpl.has_data = d.summary.has_data();
                tpl.summary = if !tpl.has_data {
                    sentence(&d.summary.summary_vi())
                } else if unrecorded.is_empty() {
                    d.summary.summary_vi()
                } else {
                    format!(
                        "{} ({} xã chưa có số liệu, tính là chưa đạt)",
                        d.summary.summary_vi(),
                        unrecorded.len()
                    )
                };
                tpl.ratio = d.summary.ratio_vi();
                tpl.average = d.summary.average_vi();
                tpl.set_title = d.set.decision.clone();
                // A commune without a record is not known to be short of anything.
                tpl.shortfall = d
                    .shortfall
                    .iter()
                    .filter_map(|(n, name, v)| {
                        let short: Vec<&str> = v
                            .iter()
                            .filter(|c| !unrecorded.contains(c))
                            .map(String::as_str)
                            .collect();
                        (!short.is_empty()).then(|| (*n, name.clone(), short.join(", ")))
                    })
                    .collect();
                tpl.unrecorded = unrecorded;
                tpl.criteria = criteria;
            }
            Ok(Html(tpl.render()?))
        })
        .await
}

/// A phrase as a sentence: capital first letter, full stop.
fn sentence(phrase: &str) -> String {
    let mut chars = phrase.trim().chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.is_empty() && !out.ends_with('.') {
        out.push('.');
    }
    out
}

// ----- API -----
//
// Errors are answered as JSON (`crate::api::ApiError`), and a body, a path id or a query the
// route cannot read too (`ApiJson`, `ApiPath`), naming the field.

async fn api_tasks(
    State(app): State<Arc<App>>,
    ctx: Ctx,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let account = ctx.require(ANY)?.clone();
    Ok(app
        .db
        .run(move |s| {
            let today = today();
            let tasks = visible(s, &account, today)?;
            let counts = TaskCounts::tally(tasks.iter().map(|t| &t.state));
            Ok(axum::Json(serde_json::json!({
                "summary": counts.summary_vi(),
                "counts": counts,
                "tasks": tasks,
            })))
        })
        .await?)
}

async fn api_task_create(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiJson(f): ApiJson<NewTaskForm>,
) -> Result<Response, ApiError> {
    let account = ctx.require(REVIEW)?.clone();
    Ok(app
        .db
        .run(move |s| {
            let task = new_task(s, &account, &f)?;
            let id = chitieu_app::tasks::create_task(s, &task, &account.actor())?;
            let stored = s.task(id)?;
            Ok((
                axum::http::StatusCode::CREATED,
                axum::Json(chitieu_app::tasks::view(s, &stored, today())),
            )
                .into_response())
        })
        .await?)
}

async fn api_task_progress(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<ProgressForm>,
) -> Result<axum::Json<TaskView>, ApiError> {
    let account = ctx.require(ENTER)?.clone();
    Ok(app
        .db
        .run(move |s| Ok(axum::Json(record_progress(s, &account, id, &f)?)))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn a_phrase_becomes_a_sentence() {
        assert_eq!(
            sentence("chưa có dữ liệu xã đạt chuẩn nông thôn mới năm 2021"),
            "Chưa có dữ liệu xã đạt chuẩn nông thôn mới năm 2021."
        );
        assert_eq!(sentence("đã xong."), "Đã xong.");
        assert_eq!(sentence(""), "");
    }
}
