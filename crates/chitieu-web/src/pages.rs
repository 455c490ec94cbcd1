//! The internal pages: log-in, dashboards, data entry, review, explanations, documents,
//! registers, reports, comment moderation, accounts and the audit log.

use crate::auth::{self, Ctx, LoginOutcome, require_scope};
use crate::i18n::Lang;
use crate::view::{self, Dashboard, check_value, entry_scale, entry_text};
use crate::{App, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chitieu_app::present::amount_vi;
use chitieu_app::status::parse_period;
use chitieu_core::admin::{UnitId, UnitVersion};
use chitieu_core::indicator::{Indicator, IndicatorCode};
use chitieu_core::period::{Period, PeriodKind};
use chitieu_core::period_vi::format_period_vi;
use chitieu_store::accounts::{Account, NewAccount, Role, Username};
use chitieu_store::workflow::{DataSetEvent, DataSetState, DraftEntry};
use chitieu_store::{AccountStore, AnyStore, DocumentStore, PortalStore, Store, WorkflowStore};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Escapes text for HTML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What every page's frame needs.
pub struct Page {
    pub lang: Lang,
    pub title: String,
    pub csrf: String,
    pub user: Option<Account>,
    pub nav: &'static str,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl Page {
    pub fn new(ctx: &Ctx, title: impl Into<String>, nav: &'static str) -> Page {
        Page {
            lang: ctx.lang,
            title: title.into(),
            csrf: ctx.csrf.clone(),
            user: ctx.account.clone(),
            nav,
            flash: None,
            error: None,
        }
    }
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }
    pub fn can_enter(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Reporter))
    }
    pub fn can_review(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Office))
    }
    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }
}

pub const ENTER: &[Role] = &[Role::Admin, Role::Reporter];
pub const REVIEW: &[Role] = &[Role::Admin, Role::Office];
pub const ANY: &[Role] = &[Role::Admin, Role::Office, Role::Reporter, Role::Viewer];

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/portal") }))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/static/{file}", get(static_file))
        .route("/app", get(dashboard_page))
        .route("/app/indicator/{code}", get(indicator_page))
        .route("/app/entry", get(entry_page).post(entry_submit))
        .route("/app/entry/check", get(entry_check))
        .route("/app/review", get(review_page).post(review_action))
        .route(
            "/app/explanations",
            get(explanations_page).post(explanation_ask),
        )
        .route("/app/explanations/{id}/answer", post(explanation_answer))
        .route("/app/documents", get(documents_page).post(document_add))
        .route("/app/documents/{id}", get(document_page))
        .route("/app/documents/{id}/review", post(document_review))
        .route("/app/registers", get(registers_page))
        .route("/app/registers/targets", post(target_save))
        .route("/app/reports", get(reports_page))
        .route("/app/reports/download", get(report_download))
        .route("/app/reports/issued/{id}", get(report_issued))
        .route("/app/comments", get(comments_page))
        .route("/app/comments/{id}", post(comment_moderate))
        .route("/app/news", post(news_publish))
        .route("/app/accounts", get(accounts_page).post(account_create))
        .route("/app/tokens", post(token_create))
        .route("/app/audit", get(audit_page))
}

fn html(t: impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}

// ----- static files -----

const STYLE: &str = include_str!("../static/style.css");
const APP_JS: &str = include_str!("../static/app.js");
const HTMX: &str = include_str!("../static/htmx.min.js");

async fn static_file(Path(file): Path<String>) -> Response {
    let (body, ctype) = match file.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

// ----- log-in -----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    p: Page,
    username: String,
}

async fn login_page(ctx: Ctx) -> Result<Response, WebError> {
    if ctx.account.is_some() {
        return Ok(Redirect::to("/app").into_response());
    }
    let p = Page::new(&ctx, ctx.lang.t("login"), "login");
    Ok(html(LoginTpl {
        p,
        username: String::new(),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login_submit(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LoginForm>,
) -> Result<Response, WebError> {
    let app2 = app.clone();
    let username = f.username.clone();
    let outcome = app
        .db
        .run(move |s| auth::login(s, &app2.cfg, &f.username, &f.password))
        .await?;
    match outcome {
        LoginOutcome::Ok(token) => {
            let cookie = auth::set_cookie(
                auth::SESSION_COOKIE,
                &token,
                app.cfg.session_hours * 3600,
                true,
                app.cfg.secure_cookies,
            );
            let mut resp = Redirect::to("/app").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(resp)
        }
        LoginOutcome::Wrong | LoginOutcome::Locked(_) => {
            let mut p = Page::new(&ctx, ctx.lang.t("login"), "login");
            p.error = Some(match outcome {
                LoginOutcome::Locked(until) => {
                    // Shown in Vietnam's time (UTC+7).
                    let local = until + chrono::Duration::hours(7);
                    format!(
                        "{} {} (giờ Việt Nam).",
                        ctx.lang.t("login_locked"),
                        local.format("%H:%M %d/%m/%Y")
                    )
                }
                _ => ctx.lang.t("login_wrong").to_string(),
            });
            let body = LoginTpl { p, username }.render()?;
            Ok((StatusCode::UNAUTHORIZED, Html(body)).into_response())
        }
    }
}

async fn logout(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Response, WebError> {
    if let auth::Via::Session(hash) = &ctx.via {
        let hash = hash.clone();
        let actor = ctx.actor();
        app.db
            .run(move |s| Ok(s.close_session(&hash, &actor)?))
            .await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(
        auth::SESSION_COOKIE,
        "",
        0,
        true,
        app.cfg.secure_cookies,
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

async fn set_lang(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    Query(b): Query<Back>,
) -> Response {
    let lang = if code == "en" { "en" } else { "vi" };
    // Back to the page the switch was on, if it was one of ours.
    let back = b
        .back
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|r| r.to_str().ok())
                .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
                .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        })
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/app".to_string());
    let mut resp = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(
        auth::LANG_COOKIE,
        lang,
        365 * 24 * 3600,
        false,
        app.cfg.secure_cookies,
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

// ----- shared look-ups -----

#[derive(Deserialize, Default)]
pub struct UnitPeriod {
    pub unit: Option<i64>,
    pub period: Option<String>,
}

/// Units an account can pick: those of its scope, the units that set plans, and those with a
/// data set, within the scope, by name. (The units below are reached through the
/// drill-down.) Kept to indexed look-ups: the national database has millions of figures.
pub fn unit_choices(store: &AnyStore, account: &Account) -> Result<Vec<(i64, String)>, WebError> {
    let mut ids: Vec<i64> = account.scopes.iter().map(|u| u.0).collect();
    ids.extend(
        store
            .units_with_plans_or_data_sets(500)?
            .into_iter()
            .map(|u| u.0),
    );
    ids.sort_unstable();
    ids.dedup();
    let today = chrono::Local::now().date_naive();
    let mut out = Vec::new();
    for id in ids {
        let u = UnitId(id);
        let Ok(v) = store.unit_latest(u) else {
            continue;
        };
        if auth::in_scope(store, account, u, today)?
            || auth::in_scope(store, account, u, v.valid_to.unwrap_or(today))?
        {
            out.push((id, v.title()));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Periods with figures or targets for a unit, newest first.
pub fn period_choices(store: &AnyStore, unit: UnitId) -> Result<Vec<(String, String)>, WebError> {
    let mut ps: Vec<Period> = store
        .periods_of_unit(unit)?
        .iter()
        .filter_map(|p| p.parse::<Period>().ok())
        .collect();
    ps.sort_by_key(|p| std::cmp::Reverse((p.end_date(), std::cmp::Reverse(p.start_date()))));
    Ok(ps
        .into_iter()
        .map(|p| (p.to_string(), format_period_vi(&p)))
        .collect())
}

/// The unit and period a page is about: as asked, else the account's first unit and that
/// unit's latest period.
pub fn pick_unit_period(
    store: &AnyStore,
    account: &Account,
    q: &UnitPeriod,
    choices: &[(i64, String)],
) -> Result<(UnitVersion, Period), WebError> {
    let unit = match q.unit {
        Some(u) => UnitId(u),
        None => match account
            .scopes
            .first()
            .copied()
            .or_else(|| choices.first().map(|c| UnitId(c.0)))
        {
            Some(u) => u,
            None => {
                return Err(WebError::NotFound(
                    "chưa có đơn vị nào trong phạm vi".into(),
                ));
            }
        },
    };
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => parse_period(p)?,
        None => match period_choices(store, unit)?
            .into_iter()
            .filter_map(|(p, _)| p.parse::<Period>().ok())
            .find(|p| p.kind() != PeriodKind::Term)
        {
            Some(p) => p,
            None => Period::year(chrono::Datelike::year(&chrono::Local::now().date_naive()))
                .map_err(|e| WebError::BadRequest(e.to_string()))?,
        },
    };
    let version = store
        .unit_on(unit, period.end_date())
        .or_else(|_| store.unit_on(unit, period.start_date()))
        .or_else(|_| store.unit_latest(unit))?;
    require_scope(store, account, unit, period.end_date())?;
    Ok((version, period))
}

// ----- dashboard -----

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTpl {
    p: Page,
    d: Arc<Dashboard>,
    units: Vec<(i64, String)>,
    periods: Vec<(String, String)>,
}

async fn dashboard_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Query(q): Query<UnitPeriod>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    let app2 = app.clone();
    app.db
        .run(move |s| {
            let units = unit_choices(s, &account)?;
            let (unit, period) = pick_unit_period(s, &account, &q, &units)?;
            let d = app2.cache.get_or_build(s, &unit, &period, true)?;
            let periods = period_choices(s, unit.unit)?;
            let p = Page::new(
                &ctx,
                format!("{} — {}", d.unit_name, d.period_vi),
                "dashboard",
            );
            html(DashboardTpl {
                p,
                d,
                units,
                periods,
            })
        })
        .await
}

// ----- indicator -----

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorTpl {
    p: Page,
    code: String,
    name: String,
    unit_of_measure: String,
    unit_id: i64,
    unit_name: String,
    period: String,
    period_vi: String,
    series: Vec<view::Point>,
    chart: String,
    by_unit: Vec<view::UnitValue>,
    unit_chart: String,
}

pub fn indicator_of(store: &AnyStore, code: &str) -> Result<Indicator, WebError> {
    store
        .catalog()?
        .get(code)
        .cloned()
        .ok_or_else(|| WebError::NotFound(format!("chỉ tiêu {code}")))
}

async fn indicator_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<UnitPeriod>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let ind = indicator_of(s, &code)?;
            let units = unit_choices(s, &account)?;
            let (unit, period) = pick_unit_period(s, &account, &q, &units)?;
            let series = view::series(s, &ind, unit.unit)?;
            let target = s
                .targets_for(unit.unit, period.year_of())?
                .into_iter()
                .find(|t| t.indicator == ind.code && t.period.covers(&period))
                .map(|t| t.comparator.reference());
            // The chart compares like with like: the periods of the same kind as the one
            // asked for (years with years, halves with halves); the table lists them all.
            let same_kind: Vec<_> = series
                .iter()
                .filter(|p| {
                    p.period
                        .parse::<Period>()
                        .is_ok_and(|q| q.kind() == period.kind())
                })
                .map(|p| (p.period_vi.clone(), p.value, p.text.clone()))
                .collect();
            let target = target.filter(|_| period.kind() == PeriodKind::Year);
            let chart = crate::svg::bars(&ind.name_vi, &same_kind, target);
            let by_unit = view::values_by_unit(s, &ind, unit.unit, &period)?;
            let pts: Vec<_> = by_unit
                .iter()
                .filter_map(|v| Some((v.name.clone(), v.value?, v.text.clone()?)))
                .collect();
            let unit_chart = if pts.is_empty() {
                String::new()
            } else {
                crate::svg::bars(&ind.name_vi, &pts, None)
            };
            let p = Page::new(&ctx, ind.name_vi.clone(), "dashboard");
            html(IndicatorTpl {
                p,
                code: ind.code.as_str().to_string(),
                name: ind.name_vi.clone(),
                unit_of_measure: ind.unit.clone(),
                unit_id: unit.unit.0,
                unit_name: unit.title(),
                period: period.to_string(),
                period_vi: format_period_vi(&period),
                series,
                chart,
                by_unit,
                unit_chart,
            })
        })
        .await
}

// ----- data entry -----

pub struct EntryRow {
    pub code: String,
    pub name: String,
    pub target: String,
    pub last: String,
    pub entry_unit: String,
    pub value: String,
    pub comment: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryTpl {
    p: Page,
    units: Vec<(i64, String)>,
    periods: Vec<(String, String)>,
    unit_id: i64,
    unit_name: String,
    period: String,
    period_vi: String,
    state_vi: String,
    return_comment: Option<String>,
    editable: bool,
    rows: Vec<EntryRow>,
    events: Vec<DataSetEvent>,
}

/// The indicators on a unit's entry form for a period: those with a target for it (or for its
/// year), those already in the draft, and those reported the same period last year.
pub fn entry_indicators(
    store: &AnyStore,
    unit: UnitId,
    period: &Period,
) -> Result<Vec<(Indicator, Option<String>)>, WebError> {
    let catalog = store.catalog()?;
    let mut codes: Vec<(IndicatorCode, Option<String>)> = Vec::new();
    for t in store.targets_for(unit, period.year_of())? {
        if t.period == *period || (t.period.kind() == PeriodKind::Year && t.period.covers(period)) {
            let unit_of = catalog
                .get(t.indicator.as_str())
                .map(|i| i.unit.clone())
                .unwrap_or_default();
            if !codes.iter().any(|c| c.0 == t.indicator) {
                codes.push((
                    t.indicator.clone(),
                    Some(view::comparator_vi(&t.comparator, &unit_of)),
                ));
            }
        }
    }
    for v in store.draft_values(unit, period)? {
        if !codes.iter().any(|c| c.0 == v.indicator) {
            codes.push((v.indicator, None));
        }
    }
    if let Some(last) = period.same_period_last_year() {
        for f in store.current_figures(&[unit], &last)? {
            if !codes.iter().any(|c| c.0 == f.input.indicator) {
                codes.push((f.input.indicator, None));
            }
        }
    }
    Ok(codes
        .into_iter()
        .filter_map(|(c, t)| catalog.get(c.as_str()).cloned().map(|i| (i, t)))
        .collect())
}

fn last_value(
    store: &AnyStore,
    ind: &Indicator,
    unit: UnitId,
    period: &Period,
) -> Result<Option<chitieu_core::Decimal>, WebError> {
    Ok(match period.same_period_last_year() {
        Some(p) => store
            .current_figure(ind.code.as_str(), unit, &p)?
            .map(|f| f.input.value),
        None => None,
    })
}

#[allow(clippy::too_many_arguments)]
fn render_entry(
    store: &AnyStore,
    ctx: &Ctx,
    account: &Account,
    unit: &UnitVersion,
    period: &Period,
    typed: Option<&HashMap<String, String>>,
    checks: &HashMap<String, view::Check>,
    flash: Option<String>,
    error: Option<String>,
) -> Result<String, WebError> {
    let ds = store.data_set(unit.unit, period)?;
    let drafts = store.draft_values(unit.unit, period)?;
    let mut rows = Vec::new();
    for (ind, target) in entry_indicators(store, unit.unit, period)? {
        let code = ind.code.as_str().to_string();
        let last = last_value(store, &ind, unit.unit, period)?;
        let draft = drafts.iter().find(|d| d.indicator == ind.code);
        let current = store.current_figure(&code, unit.unit, period)?;
        let value = match typed.and_then(|t| t.get(&format!("v_{code}"))) {
            Some(v) => v.clone(),
            None => draft
                .map(|d| d.value)
                .or(current.as_ref().map(|f| f.input.value))
                .map(|v| entry_text(v, &ind.unit))
                .unwrap_or_default(),
        };
        let comment = match typed.and_then(|t| t.get(&format!("c_{code}"))) {
            Some(c) => c.clone(),
            None => draft.and_then(|d| d.comment.clone()).unwrap_or_default(),
        };
        let check = checks.get(&code);
        rows.push(EntryRow {
            name: ind.name_vi.clone(),
            target: target.unwrap_or_else(|| "—".into()),
            last: last
                .map(|v| amount_vi(v, &ind.unit))
                .unwrap_or_else(|| "—".into()),
            entry_unit: entry_scale(&ind.unit).0.to_string(),
            value,
            comment,
            errors: check.map(|c| c.errors.clone()).unwrap_or_default(),
            warnings: check.map(|c| c.warnings.clone()).unwrap_or_default(),
            code,
        });
    }
    let mut p = Page::new(ctx, ctx.lang.t("entry"), "entry");
    p.flash = flash;
    p.error = error;
    Ok(EntryTpl {
        p,
        units: unit_choices(store, account)?,
        periods: period_choices(store, unit.unit)?,
        unit_id: unit.unit.0,
        unit_name: unit.title(),
        period: period.to_string(),
        period_vi: format_period_vi(period),
        state_vi: ds
            .as_ref()
            .map(|d| d.state.vi().to_string())
            .unwrap_or_else(|| "chưa nhập".into()),
        return_comment: ds
            .as_ref()
            .filter(|d| d.state == DataSetState::Returned)
            .and_then(|d| d.comment.clone()),
        editable: ds.as_ref().is_none_or(|d| d.state.editable()),
        rows,
        events: {
            let actors = view::Actors::load(store)?;
            let mut events = store.data_set_events(unit.unit, period)?;
            for e in &mut events {
                e.actor = actors.show(&e.actor);
            }
            events
        },
    }
    .render()?)
}

async fn entry_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Query(q): Query<UnitPeriod>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ENTER)?.clone();
    app.db
        .run(move |s| {
            let units = unit_choices(s, &account)?;
            let (unit, period) = pick_unit_period(s, &account, &q, &units)?;
            render_entry(
                s,
                &ctx,
                &account,
                &unit,
                &period,
                None,
                &HashMap::new(),
                None,
                None,
            )
            .map(Html)
        })
        .await
}

/// Checks every typed value of an entry form; the entries to save, or the checks to show.
pub fn check_entries(
    store: &AnyStore,
    unit: UnitId,
    period: &Period,
    typed: &HashMap<String, String>,
) -> Result<(Vec<DraftEntry>, HashMap<String, view::Check>), WebError> {
    let catalog = store.catalog()?;
    let mut entries = Vec::new();
    let mut checks = HashMap::new();
    let mut keys: Vec<&String> = typed.keys().filter(|k| k.starts_with("v_")).collect();
    keys.sort();
    for k in keys {
        let code = &k[2..];
        let text = typed.get(k).map(String::as_str).unwrap_or("");
        if text.trim().is_empty() {
            continue;
        }
        let Some(ind) = catalog.get(code) else {
            return Err(WebError::BadRequest(format!("không có chỉ tiêu «{code}»")));
        };
        let last = last_value(store, ind, unit, period)?;
        let mut c = check_value(text, ind, last);
        let comment = typed
            .get(&format!("c_{code}"))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if c.needs_comment && comment.is_none() {
            c.errors
                .push("cần ghi chú giải thích cho giá trị này (a comment is required)".into());
        }
        if let (true, Some(v)) = (c.errors.is_empty(), c.value) {
            entries.push(DraftEntry {
                indicator: ind.code.clone(),
                value: v,
                comment,
            });
        }
        checks.insert(code.to_string(), c);
    }
    Ok((entries, checks))
}

async fn entry_submit(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let account = ctx.require(ENTER)?.clone();
    let typed: HashMap<String, String> = form.into_iter().collect();
    let unit = typed
        .get("unit")
        .and_then(|u| u.parse::<i64>().ok())
        .map(UnitId)
        .ok_or_else(|| WebError::BadRequest("thiếu đơn vị".into()))?;
    let period = parse_period(typed.get("period").map(String::as_str).unwrap_or(""))?;
    let action = typed
        .get("action")
        .cloned()
        .unwrap_or_else(|| "save".into());
    app.db
        .run(move |s| {
            require_scope(s, &account, unit, period.end_date())?;
            let version = s.unit_on(unit, period.end_date()).or_else(|_| s.unit_latest(unit))?;
            let (entries, checks) = check_entries(s, unit, &period, &typed)?;
            let actor = account.actor();
            if checks.values().any(|c| !c.errors.is_empty()) {
                let body = render_entry(s, &ctx, &account, &version, &period, Some(&typed), &checks, None,
                    Some("Có giá trị chưa hợp lệ; chưa lưu gì. Some values are not valid; nothing was saved.".into()))?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response());
            }
            let result = s.save_draft(unit, &period, &entries, &actor).and_then(|_| {
                if action == "submit" {
                    s.submit(unit, &period, &actor).map(|_| ())
                } else {
                    Ok(())
                }
            });
            match result {
                Ok(()) => Ok(Redirect::to(&format!(
                    "/app/entry?unit={}&period={}&done={}",
                    unit.0, period, if action == "submit" { "submit" } else { "save" }
                ))
                .into_response()),
                Err(chitieu_store::StoreError::Refused(m)) => {
                    let body = render_entry(s, &ctx, &account, &version, &period, Some(&typed), &checks, None, Some(m))?;
                    Ok((StatusCode::CONFLICT, Html(body)).into_response())
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckTpl {
    c: view::Check,
    shown: Option<String>,
}

async fn entry_check(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let unit = q
                .get("unit")
                .and_then(|u| u.parse::<i64>().ok())
                .map(UnitId)
                .ok_or_else(|| WebError::BadRequest("thiếu đơn vị".into()))?;
            let period = parse_period(q.get("period").map(String::as_str).unwrap_or(""))?;
            require_scope(s, &account, unit, period.end_date())?;
            let code = q.get("indicator").cloned().unwrap_or_default();
            let ind = indicator_of(s, &code)?;
            let text = q
                .get(&format!("v_{code}"))
                .or_else(|| q.get("value"))
                .cloned()
                .unwrap_or_default();
            let last = last_value(s, &ind, unit, &period)?;
            let c = check_value(&text, &ind, last);
            let shown = c.value.map(|v| amount_vi(v, &ind.unit));
            html(CheckTpl { c, shown })
        })
        .await
}

// ----- review -----

pub struct QueueItem {
    pub unit: i64,
    pub unit_name: String,
    pub period: String,
    pub period_vi: String,
    pub state: String,
    pub state_vi: String,
    pub updated_by: String,
    pub updated_at: String,
    pub values: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewTpl {
    p: Page,
    queue: Vec<QueueItem>,
    approved: Vec<QueueItem>,
}

fn queue_items(
    s: &AnyStore,
    account: &Account,
    state: DataSetState,
    with_values: bool,
) -> Result<Vec<QueueItem>, WebError> {
    let catalog = s.catalog()?;
    let actors = view::Actors::load(s)?;
    let mut out = Vec::new();
    for d in s.data_sets(Some(state))? {
        if !auth::in_scope(s, account, d.unit, d.period.end_date())? {
            continue;
        }
        let v = s
            .unit_on(d.unit, d.period.end_date())
            .or_else(|_| s.unit_latest(d.unit))?;
        let values = if with_values {
            s.draft_values(d.unit, &d.period)?
                .into_iter()
                .map(|x| {
                    let (name, unit) = catalog
                        .get(x.indicator.as_str())
                        .map(|i| (i.name_vi.clone(), i.unit.clone()))
                        .unwrap_or_else(|| (x.indicator.to_string(), String::new()));
                    (
                        name,
                        amount_vi(x.value, &unit),
                        x.comment.unwrap_or_default(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push(QueueItem {
            unit: d.unit.0,
            unit_name: v.title(),
            period: d.period.to_string(),
            period_vi: format_period_vi(&d.period),
            state: d.state.key().to_string(),
            state_vi: d.state.vi().to_string(),
            updated_by: actors.show(&d.updated_by),
            updated_at: d.updated_at,
            values,
        });
    }
    Ok(out)
}

async fn review_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let queue = queue_items(s, &account, DataSetState::Submitted, true)?;
            let approved = queue_items(s, &account, DataSetState::Approved, false)?;
            let p = Page::new(&ctx, ctx.lang.t("review"), "review");
            html(ReviewTpl { p, queue, approved })
        })
        .await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    pub unit: i64,
    pub period: String,
    pub action: String,
    #[serde(default)]
    pub comment: String,
}

/// Approves, returns or reopens a data set, after checking role and scope.
pub fn review_apply(
    s: &mut AnyStore,
    account: &Account,
    f: &ReviewForm,
) -> Result<chitieu_store::workflow::DataSet, WebError> {
    if !REVIEW.contains(&account.role) {
        return Err(WebError::Forbidden(
            "chỉ văn phòng hoặc quản trị được duyệt".into(),
        ));
    }
    let unit = UnitId(f.unit);
    let period = parse_period(&f.period)?;
    require_scope(s, account, unit, period.end_date())?;
    let actor = account.actor();
    Ok(match f.action.as_str() {
        "approve" => s.approve(unit, &period, &actor)?,
        "return" => s.return_for_correction(unit, &period, &f.comment, &actor)?,
        "reopen" => s.reopen(unit, &period, &f.comment, &actor)?,
        other => return Err(WebError::BadRequest(format!("thao tác không rõ: {other}"))),
    })
}

async fn review_action(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<ReviewForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            review_apply(s, &account, &f).map(|_| Redirect::to("/app/review").into_response())
        })
        .await
}

// ----- explanations -----

pub struct ExplanationItem {
    pub id: i64,
    pub indicator: String,
    pub unit_name: String,
    pub period_vi: String,
    pub question: String,
    pub asked_by: String,
    pub asked_at: String,
    pub answer: Option<String>,
    pub answered_by: String,
    pub can_answer: bool,
}

#[derive(Template)]
#[template(path = "explanations.html")]
struct ExplanationsTpl {
    p: Page,
    items: Vec<ExplanationItem>,
    can_ask: bool,
    lagging: Vec<(String, i64, String, String)>,
}

async fn explanations_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    let app2 = app.clone();
    app.db
        .run(move |s| {
            let catalog = s.catalog()?;
            let actors = view::Actors::load(s)?;
            let mut items = Vec::new();
            for e in s.explanations()? {
                if !auth::in_scope(s, &account, e.unit, e.period.end_date())? {
                    continue;
                }
                let unit = s.unit_latest(e.unit)?;
                items.push(ExplanationItem {
                    id: e.id,
                    indicator: catalog
                        .get(e.indicator.as_str())
                        .map(|i| i.name_vi.clone())
                        .unwrap_or_else(|| e.indicator.to_string()),
                    unit_name: unit.title(),
                    period_vi: format_period_vi(&e.period),
                    question: e.question,
                    asked_by: actors.show(&e.asked_by),
                    asked_at: e.asked_at,
                    can_answer: e.answer.is_none() && ENTER.contains(&account.role),
                    answer: e.answer,
                    answered_by: e.answered_by.map(|a| actors.show(&a)).unwrap_or_default(),
                });
            }
            // Lagging indicators the office may ask about: red or orange rows of the units in
            // scope, for their latest period.
            let can_ask = REVIEW.contains(&account.role);
            let mut lagging = Vec::new();
            if can_ask {
                for (uid, _) in unit_choices(s, &account)?.into_iter().take(20) {
                    let q = UnitPeriod {
                        unit: Some(uid),
                        period: None,
                    };
                    let Ok((unit, period)) = pick_unit_period(s, &account, &q, &[]) else {
                        continue;
                    };
                    let d = app2.cache.get_or_build(s, &unit, &period, false)?;
                    for r in d
                        .rows
                        .iter()
                        .filter(|r| matches!(r.colour, view::Colour::Red | view::Colour::Orange))
                    {
                        lagging.push((
                            r.code.clone(),
                            uid,
                            period.to_string(),
                            format!(
                                "{} — {} — {} ({})",
                                d.unit_name, d.period_vi, r.name, r.status_vi
                            ),
                        ));
                    }
                }
            }
            let p = Page::new(&ctx, ctx.lang.t("explanations"), "explanations");
            html(ExplanationsTpl {
                p,
                items,
                can_ask,
                lagging,
            })
        })
        .await
}

#[derive(Deserialize)]
struct AskForm {
    /// "code|unit|period"
    target: String,
    question: String,
}

async fn explanation_ask(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<AskForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let mut parts = f.target.splitn(3, '|');
            let (Some(code), Some(unit), Some(period)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(WebError::BadRequest("chọn chỉ tiêu cần giải trình".into()));
            };
            let code = IndicatorCode::new(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
            let unit = UnitId(
                unit.parse()
                    .map_err(|_| WebError::BadRequest("đơn vị".into()))?,
            );
            let period = parse_period(period)?;
            require_scope(s, &account, unit, period.end_date())?;
            s.ask_explanation(&code, unit, &period, &f.question, &account.actor())?;
            Ok(Redirect::to("/app/explanations").into_response())
        })
        .await
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn explanation_answer(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AnswerForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(ENTER)?.clone();
    app.db
        .run(move |s| {
            let e = s.explanation(id)?;
            require_scope(s, &account, e.unit, e.period.end_date())?;
            s.answer_explanation(id, &f.answer, &account.actor())?;
            Ok(Redirect::to("/app/explanations").into_response())
        })
        .await
}

// ----- documents -----

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsTpl {
    p: Page,
    docs: Vec<(i64, String, String, usize)>,
}

async fn documents_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(REVIEW)?;
    app.db
        .run(move |s| {
            let mut docs = Vec::new();
            for d in s.documents()? {
                let pending = s
                    .proposals(
                        Some(d.id),
                        Some(chitieu_store::documents::ProposalState::Proposed),
                    )?
                    .len();
                docs.push((d.id, d.name, d.ingested_at, pending));
            }
            docs.reverse();
            let p = Page::new(&ctx, ctx.lang.t("documents"), "documents");
            html(DocumentsTpl { p, docs })
        })
        .await
}

async fn document_add(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    mut mp: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    let mut name = String::new();
    let mut text = String::new();
    let mut unit = String::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(e.to_string()))?
    {
        let fname = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| WebError::BadRequest("tệp không phải văn bản UTF-8".into()))?;
        match fname.as_str() {
            "name" => name = value,
            "text" if !value.trim().is_empty() => text = value,
            "file" if !value.trim().is_empty() => {
                if name.trim().is_empty() {
                    name = file_name.unwrap_or_default();
                }
                text = value;
            }
            "unit" => unit = value,
            _ => {}
        }
    }
    if text.trim().is_empty() {
        return Err(WebError::BadRequest("chưa có nội dung văn bản".into()));
    }
    if name.trim().is_empty() {
        name = text
            .lines()
            .next()
            .unwrap_or("văn bản")
            .chars()
            .take(80)
            .collect();
    }
    let id = app
        .db
        .run(move |s| {
            let extractor = chitieu_extract::Extractor::new(&chitieu_extract::ExtractOptions {
                catalog: Some(s.catalog()?),
                ..Default::default()
            });
            let unit = Some(unit.trim()).filter(|u| !u.is_empty());
            // The document, its facts and its key tasks, in one transaction.
            let (done, _tasks) = chitieu_app::task_ingest::ingest_with_tasks(
                s,
                &extractor,
                name.trim(),
                &text,
                unit,
                &account.actor(),
            )
            .map_err(|e| match e {
                chitieu_app::ingest::IngestError::Store(s) => WebError::from(s),
                other => WebError::BadRequest(other.to_string()),
            })?;
            Ok(done.added.id)
        })
        .await?;
    Ok(Redirect::to(&format!("/app/documents/{id}")).into_response())
}

pub struct Segment {
    pub text: String,
    pub mark: Option<(i64, String)>,
}

pub struct ProposalItem {
    pub id: i64,
    pub code: String,
    pub period_key: String,
    pub ordinal: u32,
    pub indicator: String,
    pub measure: String,
    pub value: String,
    pub period: String,
    pub state: String,
    pub state_key: String,
    pub quote: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentTpl {
    p: Page,
    indicators: Vec<(String, String)>,
    id: i64,
    name: String,
    segments: Vec<Segment>,
    proposals: Vec<ProposalItem>,
}

async fn document_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    ctx.require(REVIEW)?;
    app.db
        .run(move |s| {
            let doc = s.document(id)?;
            let props = s.proposals(Some(id), None)?;
            let catalog = s.catalog()?;
            let chars: Vec<char> = chitieu_text::nfc(&doc.original).chars().collect();
            let mut spans: Vec<(usize, usize, i64, String)> = props
                .iter()
                .map(|p| {
                    (
                        p.span.0.min(chars.len()),
                        p.span.1.min(chars.len()),
                        p.id,
                        p.state.key().to_string(),
                    )
                })
                .collect();
            spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
            let mut segments = Vec::new();
            let mut at = 0;
            for (a, b, pid, st) in spans {
                if a < at || b <= a {
                    continue; // overlapping spans: the first one is highlighted
                }
                if a > at {
                    segments.push(Segment {
                        text: chars[at..a].iter().collect(),
                        mark: None,
                    });
                }
                segments.push(Segment {
                    text: chars[a..b].iter().collect(),
                    mark: Some((pid, st)),
                });
                at = b;
            }
            if at < chars.len() {
                segments.push(Segment {
                    text: chars[at..].iter().collect(),
                    mark: None,
                });
            }
            let proposals = props
                .iter()
                .map(|p| {
                    let unit = p
                        .indicator
                        .as_deref()
                        .and_then(|c| catalog.get(c))
                        .map(|i| i.unit.clone())
                        .unwrap_or_default();
                    ProposalItem {
                        id: p.id,
                        code: p.indicator.clone().unwrap_or_default(),
                        period_key: p.period.map(|x| x.to_string()).unwrap_or_default(),
                        ordinal: p.ordinal,
                        indicator: p
                            .indicator
                            .as_deref()
                            .and_then(|c| catalog.get(c))
                            .map(|i| i.name_vi.clone())
                            .unwrap_or_else(|| "(chưa xác định chỉ tiêu)".into()),
                        measure: p.measure.clone(),
                        value: if p.measure.starts_with("percent") {
                            format!("{}%", chitieu_app::present::number_vi(p.value, 2))
                        } else {
                            amount_vi(p.value, &unit)
                        },
                        period: p
                            .period
                            .map(|x| format_period_vi(&x))
                            .unwrap_or_else(|| "—".into()),
                        state: p.state.vi().to_string(),
                        state_key: p.state.key().to_string(),
                        quote: chitieu_app::ingest::sentence_of(&doc.original, p.span).1,
                    }
                })
                .collect();
            let p = Page::new(&ctx, doc.name.clone(), "documents");
            html(DocumentTpl {
                indicators: catalog
                    .indicators
                    .iter()
                    .map(|i| (i.code.as_str().to_string(), i.name_vi.clone()))
                    .collect(),
                p,
                id,
                name: doc.name,
                segments,
                proposals,
            })
        })
        .await
}

#[derive(Deserialize)]
struct DocReviewForm {
    proposal: i64,
    decision: String,
    /// A reviewer's corrections, each optional: indicator code, period, unit name.
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    unit: String,
}

async fn document_review(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<DocReviewForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let doc = s.document(id)?;
            let p = s.proposal(f.proposal)?;
            if p.document != id {
                return Err(WebError::BadRequest(
                    "đề xuất không thuộc văn bản này".into(),
                ));
            }
            let decision = if f.decision == "accept" {
                let siblings = s.proposals(Some(id), None)?;
                let mut edits = chitieu_app::ingest::Edits::default();
                if !f.indicator.trim().is_empty() {
                    edits.indicator = Some(indicator_of(s, f.indicator.trim())?.code);
                }
                if !f.period.trim().is_empty() {
                    edits.period = Some(parse_period(&f.period)?);
                }
                if !f.unit.trim().is_empty() {
                    let on = edits
                        .period
                        .or(p.period)
                        .map(|x| x.end_date())
                        .or(doc.document_date)
                        .unwrap_or_else(|| chrono::Local::now().date_naive());
                    edits.unit = Some(s.resolve_unit(f.unit.trim(), on)?.unit);
                }
                chitieu_app::ingest::decide(&s.catalog()?, &doc, &p, &siblings, &edits)
                    .map_err(|e| WebError::BadRequest(e.to_string()))?
            } else {
                chitieu_store::documents::Decision::Reject
            };
            s.review(f.proposal, &decision, None, &account.actor())?;
            Ok(Redirect::to(&format!("/app/documents/{id}#p{}", f.proposal)).into_response())
        })
        .await
}

// ----- registers and reports -----

#[derive(Template)]
#[template(path = "registers.html")]
struct RegistersTpl {
    p: Page,
    units: Vec<(i64, String)>,
    indicators: Vec<(String, String)>,
    plan_kinds: Vec<(&'static str, &'static str)>,
    plans: Vec<(String, String, String, String, String)>,
    targets: Vec<(String, String, String, String, String)>,
    meetings: Vec<(String, String)>,
}

async fn registers_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let catalog = s.catalog()?;
            let today = chrono::Local::now().date_naive();
            let mut plans = Vec::new();
            for p in s.plan_sources()? {
                if !auth::in_scope(s, &account, p.unit, today)?
                    && !auth::in_scope(s, &account, p.unit, p.issued_on.unwrap_or(today))?
                {
                    continue;
                }
                let unit = s.unit_latest(p.unit)?.title();
                plans.push((
                    p.key,
                    p.kind.vi().to_string(),
                    p.title,
                    unit,
                    p.issued_on
                        .map(chitieu_text::date::format_date_vi)
                        .unwrap_or_default(),
                ));
            }
            let mut targets = Vec::new();
            for (uid, uname) in unit_choices(s, &account)? {
                for t in s
                    .targets_for(UnitId(uid), 0)?
                    .into_iter()
                    .chain(all_targets(s, UnitId(uid))?)
                {
                    let ind = catalog.get(t.indicator.as_str());
                    let row = (
                        t.source.clone(),
                        uname.clone(),
                        ind.map(|i| i.name_vi.clone())
                            .unwrap_or_else(|| t.indicator.to_string()),
                        format_period_vi(&t.period),
                        view::comparator_vi(
                            &t.comparator,
                            ind.map(|i| i.unit.as_str()).unwrap_or(""),
                        ),
                    );
                    if !targets.contains(&row) {
                        targets.push(row);
                    }
                }
            }
            let mut meetings = Vec::new();
            for d in s.documents()? {
                if let Some(ms) = d.extraction.get("meetings").and_then(|m| m.as_array()) {
                    for m in ms {
                        let name = m
                            .get("name")
                            .or_else(|| m.get("title"))
                            .and_then(|x| x.as_str())
                            .unwrap_or("")
                            .to_string();
                        let date = m
                            .get("date")
                            .and_then(|x| x.as_str())
                            .unwrap_or("")
                            .to_string();
                        if !name.is_empty() {
                            meetings.push((date, format!("{name} (văn bản #{})", d.id)));
                        }
                    }
                }
            }
            let p = Page::new(&ctx, ctx.lang.t("registers"), "registers");
            html(RegistersTpl {
                p,
                units: unit_choices(s, &account)?,
                indicators: catalog
                    .indicators
                    .iter()
                    .map(|i| (i.code.as_str().to_string(), i.name_vi.clone()))
                    .collect(),
                plan_kinds: chitieu_core::target::PlanKind::ALL
                    .iter()
                    .map(|k| (k.key(), k.vi()))
                    .collect(),
                plans,
                targets,
                meetings,
            })
        })
        .await
}

#[derive(Deserialize)]
pub struct TargetForm {
    pub plan: String,
    #[serde(default)]
    pub plan_title: String,
    pub plan_kind: String,
    pub unit: i64,
    pub indicator: String,
    pub period: String,
    pub comparator: String,
    pub value: String,
    #[serde(default)]
    pub max: String,
}

/// Adds or changes a target (and its plan, when new): one audited transaction.
async fn target_save(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<TargetForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            save_target(s, &account, &f)?;
            Ok(Redirect::to("/app/registers").into_response())
        })
        .await
}

/// Adds or changes a target (and its plan, when new), after role and scope checks.
pub fn save_target(s: &mut AnyStore, account: &Account, f: &TargetForm) -> Result<(), WebError> {
    if !REVIEW.contains(&account.role) {
        return Err(WebError::Forbidden(
            "chỉ văn phòng hoặc quản trị sửa chỉ tiêu".into(),
        ));
    }
    use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
    let unit = UnitId(f.unit);
    let period = parse_period(&f.period)?;
    require_scope(s, account, unit, period.end_date())?;
    let ind = indicator_of(s, &f.indicator)?;
    let amount = |text: &str| -> Result<chitieu_core::Decimal, WebError> {
        let c = check_value(text, &ind, None);
        match (c.value, c.errors.first()) {
            (Some(v), None) => Ok(v),
            (_, Some(e)) => Err(WebError::BadRequest(e.clone())),
            (None, None) => Err(WebError::BadRequest("thiếu giá trị".into())),
        }
    };
    let value = amount(&f.value)?;
    let max = if f.max.trim().is_empty() {
        None
    } else {
        Some(amount(&f.max)?)
    };
    let comparator = Comparator::from_parts(&f.comparator, value, max)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let key = f.plan.trim().to_string();
    if key.is_empty() {
        return Err(WebError::BadRequest(
            "cần ký hiệu văn bản giao chỉ tiêu".into(),
        ));
    }
    let mut batch = chitieu_store::Batch::default();
    let existing = s.plan_sources()?.into_iter().find(|p| p.key == key);
    if existing.is_none() {
        let kind = PlanKind::ALL
            .into_iter()
            .find(|k| k.key() == f.plan_kind)
            .unwrap_or(PlanKind::Other);
        let title = if f.plan_title.trim().is_empty() {
            key.clone()
        } else {
            f.plan_title.trim().to_string()
        };
        batch.plan_sources.push(PlanSource {
            key: key.clone(),
            kind,
            title,
            unit,
            issued_on: None,
        });
    }
    batch.targets.push(Target {
        indicator: ind.code.clone(),
        unit,
        period,
        source: key,
        comparator,
    });
    s.apply(&batch, &account.actor())?;
    Ok(())
}

/// Every target of a unit, whatever the year.
fn all_targets(s: &AnyStore, unit: UnitId) -> Result<Vec<chitieu_core::target::Target>, WebError> {
    let mut years: Vec<i32> = Vec::new();
    for (p, _) in period_choices(s, unit)? {
        if let Ok(p) = p.parse::<Period>() {
            years.push(p.year_of());
        }
    }
    years.sort_unstable();
    years.dedup();
    let mut out = Vec::new();
    for y in years {
        for t in s.targets_for(unit, y)? {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsTpl {
    p: Page,
    units: Vec<(i64, String)>,
    periods: Vec<(String, String)>,
    unit_id: i64,
    unit_name: String,
    period: String,
    period_vi: String,
    style: String,
    kind_vi: String,
    kind_error: Option<String>,
    formats: Vec<(&'static str, &'static str)>,
    issued: Vec<(i64, String, String, String)>,
}

const FORMATS: [(&str, &str); 3] = [
    ("pdf", "PDF"),
    ("docx", "DOCX (Word)"),
    ("xlsx", "XLSX (Excel)"),
];

/// The report kind that fits a period: sơ kết for H1 and 9 months, tổng kết for a year,
/// quarterly, term review.
fn report_kind(period: &Period) -> Result<chitieu_report::ReportKind, WebError> {
    use chitieu_report::ReportKind as K;
    match period {
        Period::Half { half: 1, .. } | Period::NineMonths { .. } => Ok(K::SoKet),
        Period::Year { .. } => Ok(K::TongKet),
        Period::Quarter { .. } => Ok(K::Quy),
        Period::Term { .. } => Ok(K::NhiemKy),
        _ => Err(WebError::BadRequest(
            "báo cáo có cho 6 tháng đầu năm, 9 tháng, quý, năm và nhiệm kỳ (no report kind for this period)"
                .into(),
        )),
    }
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    pub unit: Option<i64>,
    pub period: Option<String>,
    pub style: Option<String>,
    pub format: Option<String>,
}

async fn reports_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            use chitieu_store::sqlite::ReportStore;
            let units = unit_choices(s, &account)?;
            let up = UnitPeriod {
                unit: q.unit,
                period: q.period.clone(),
            };
            let (unit, period) = pick_unit_period(s, &account, &up, &units)?;
            let (kind_vi, kind_error) = match report_kind(&period) {
                Ok(k) => (
                    match k {
                        chitieu_report::ReportKind::SoKet => "Báo cáo sơ kết",
                        chitieu_report::ReportKind::TongKet => "Báo cáo tổng kết năm",
                        chitieu_report::ReportKind::Quy => "Báo cáo quý",
                        chitieu_report::ReportKind::NhiemKy => "Báo cáo nhiệm kỳ",
                    }
                    .to_string(),
                    None,
                ),
                Err(e) => ("Báo cáo".to_string(), Some(e.to_string())),
            };
            let issued = s
                .issued_reports(unit.unit)?
                .into_iter()
                .map(|r| (r.id, r.number_text, r.period, r.issued_on))
                .collect();
            let p = Page::new(&ctx, ctx.lang.t("reports"), "reports");
            html(ReportsTpl {
                p,
                periods: period_choices(s, unit.unit)?,
                units,
                unit_id: unit.unit.0,
                unit_name: unit.title(),
                period: period.to_string(),
                period_vi: format_period_vi(&period),
                style: if q.style.as_deref() == Some("state") {
                    "state".into()
                } else {
                    "party".into()
                },
                kind_vi,
                kind_error,
                formats: FORMATS.to_vec(),
                issued,
            })
        })
        .await
}

fn attachment(bytes: Vec<u8>, format: chitieu_report::Format, name: &str) -> Response {
    let ctype = match format {
        chitieu_report::Format::Pdf => "application/pdf",
        chitieu_report::Format::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        chitieu_report::Format::Xlsx => {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
        _ => "text/markdown; charset=utf-8",
    };
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    let mut resp = bytes.into_response();
    if let Ok(v) = HeaderValue::from_str(ctype) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

fn report_error(e: chitieu_report::ReportError) -> WebError {
    WebError::BadRequest(format!("báo cáo: {e}"))
}

async fn report_download(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db.run(move |s| report_file(s, &account, &q)).await
}

/// The report of a unit and period, built from the current figures, as a download.
pub fn report_file(s: &AnyStore, account: &Account, q: &ReportQuery) -> Result<Response, WebError> {
    if !REVIEW.contains(&account.role) {
        return Err(WebError::Forbidden(
            "chỉ văn phòng hoặc quản trị tạo báo cáo".into(),
        ));
    }
    use std::str::FromStr;
    let units = unit_choices(s, account)?;
    let up = UnitPeriod {
        unit: q.unit,
        period: q.period.clone(),
    };
    let (unit, period) = pick_unit_period(s, account, &up, &units)?;
    let format = chitieu_report::Format::from_str(q.format.as_deref().unwrap_or("pdf"))
        .map_err(report_error)?;
    let style = chitieu_report::DocStyle::from_str(q.style.as_deref().unwrap_or("party"))
        .map_err(report_error)?;
    let date = chrono::Local::now().date_naive();
    let opts = chitieu_report::BuildOptions {
        kind: report_kind(&period)?,
        template: chitieu_report::default_template(s, &unit, style, date).map_err(report_error)?,
        texts: Default::default(),
        date,
        series_years: 4,
    };
    let report = chitieu_report::build_report(s, &unit, &period, &opts).map_err(report_error)?;
    let bytes = chitieu_report::render(&report, format).map_err(report_error)?;
    let name = format!("bao-cao-{}-{}", unit.unit.0, period);
    Ok(attachment(bytes, format, &name))
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn report_issued(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            use chitieu_store::sqlite::ReportStore;
            use std::str::FromStr;
            let issued = s
                .issued_report(id)?
                .ok_or_else(|| WebError::NotFound(format!("báo cáo {id}")))?;
            let frozen = chitieu_report::issue::load(&issued).map_err(report_error)?;
            require_scope(s, &account, issued.unit, frozen.period.end_date())?;
            let format = chitieu_report::Format::from_str(q.format.as_deref().unwrap_or("pdf"))
                .map_err(report_error)?;
            let bytes = chitieu_report::render(&frozen, format).map_err(report_error)?;
            Ok(attachment(
                bytes,
                format,
                &format!("bao-cao-so-{}", issued.number),
            ))
        })
        .await
}

// ----- comment moderation and news -----

pub struct CommentItem {
    pub id: i64,
    pub unit_name: String,
    pub topic: String,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub state: String,
    pub state_key: String,
}

#[derive(Template)]
#[template(path = "comments.html")]
struct CommentsTpl {
    p: Page,
    items: Vec<CommentItem>,
    units: Vec<(i64, String)>,
}

async fn comments_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let mut items = Vec::new();
            let today = chrono::Local::now().date_naive();
            for c in s.comments(None, None, None)?.into_iter().rev() {
                if !auth::in_scope(s, &account, c.unit, today)? {
                    continue;
                }
                items.push(CommentItem {
                    id: c.id,
                    unit_name: s.unit_latest(c.unit)?.title(),
                    topic: c.topic,
                    author: c.author,
                    body: c.body,
                    created_at: c.created_at,
                    state: c.state.vi().to_string(),
                    state_key: c.state.key().to_string(),
                });
            }
            let units = unit_choices(s, &account)?;
            let p = Page::new(&ctx, ctx.lang.t("comments"), "comments");
            html(CommentsTpl { p, items, units })
        })
        .await
}

#[derive(Deserialize)]
pub struct ModerateForm {
    pub state: String,
}

pub fn moderate(
    s: &mut AnyStore,
    account: &Account,
    id: i64,
    state: &str,
) -> Result<chitieu_store::portal::ReaderComment, WebError> {
    if !REVIEW.contains(&account.role) {
        return Err(WebError::Forbidden(
            "chỉ văn phòng hoặc quản trị được kiểm duyệt".into(),
        ));
    }
    let state: chitieu_store::portal::CommentState = state.parse().map_err(WebError::BadRequest)?;
    let c = s
        .comments(None, None, None)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| WebError::NotFound(format!("ý kiến {id}")))?;
    require_scope(s, account, c.unit, chrono::Local::now().date_naive())?;
    Ok(s.moderate_comment(id, state, &account.actor())?)
}

async fn comment_moderate(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ModerateForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            moderate(s, &account, id, &f.state)
                .map(|_| Redirect::to("/app/comments").into_response())
        })
        .await
}

#[derive(Deserialize)]
struct NewsForm {
    unit: i64,
    title: String,
    body: String,
}

async fn news_publish(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<NewsForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let unit = UnitId(f.unit);
            require_scope(s, &account, unit, chrono::Local::now().date_naive())?;
            if f.title.trim().is_empty() || f.body.trim().is_empty() {
                return Err(WebError::BadRequest("cần tiêu đề và nội dung".into()));
            }
            let n = s.publish_news(
                &chitieu_store::portal::NewNews {
                    unit,
                    title: f.title.trim().into(),
                    body: f.body.trim().into(),
                },
                &account.actor(),
            )?;
            Ok(Redirect::to(&format!("/portal/news/{}", n.id)).into_response())
        })
        .await
}

// ----- accounts, tokens, audit -----

pub struct AccountItem {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scopes: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsTpl {
    p: Page,
    items: Vec<AccountItem>,
    new_token: Option<String>,
    tokens: Vec<chitieu_store::accounts::ApiTokenInfo>,
}

fn render_accounts(
    s: &AnyStore,
    ctx: &Ctx,
    account: &Account,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<String, WebError> {
    let mut items = Vec::new();
    if account.role == Role::Admin {
        for a in s.accounts()? {
            let mut scopes = Vec::new();
            for u in &a.scopes {
                scopes.push(s.unit_latest(*u)?.title());
            }
            items.push(AccountItem {
                username: a.username.to_string(),
                display_name: a.display_name,
                role: a.role.vi().to_string(),
                scopes: scopes.join(", "),
                state: if a.disabled {
                    "khóa".into()
                } else if a.locked_until.is_some_and(|l| l > chrono::Utc::now()) {
                    "tạm khóa".into()
                } else {
                    "hoạt động".into()
                },
            });
        }
    }
    let mut p = Page::new(ctx, ctx.lang.t("accounts"), "accounts");
    p.error = error;
    Ok(AccountsTpl {
        p,
        items,
        new_token,
        tokens: s.api_tokens(account.id)?,
    }
    .render()?)
}

async fn accounts_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| render_accounts(s, &ctx, &account, None, None).map(Html))
        .await
}

#[derive(Deserialize)]
struct AccountForm {
    username: String,
    display_name: String,
    role: String,
    password: String,
    #[serde(default)]
    scope: String,
}

async fn account_create(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<AccountForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(&[Role::Admin])?.clone();
    auth::check_password_policy(&f.password)?;
    let hash = auth::hash_password(&f.password)?;
    app.db
        .run(move |s| {
            let username = Username::new(&f.username).map_err(WebError::BadRequest)?;
            let role: Role = f.role.parse().map_err(WebError::BadRequest)?;
            let mut scopes = Vec::new();
            for name in f.scope.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                scopes.push(
                    s.resolve_unit(name, chrono::Local::now().date_naive())?
                        .unit,
                );
            }
            s.create_account(
                &NewAccount {
                    username,
                    display_name: f.display_name.trim().into(),
                    role,
                    scopes,
                    password_hash: hash,
                },
                &account.actor(),
            )?;
            Ok(Redirect::to("/app/accounts").into_response())
        })
        .await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn token_create(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<TokenForm>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    let token = auth::random_token()?;
    let hash = auth::sha256_hex(&token);
    app.db
        .run(move |s| {
            let name = if f.name.trim().is_empty() {
                "API".to_string()
            } else {
                f.name.trim().to_string()
            };
            s.create_api_token(account.id, &name, &hash, &account.actor())?;
            render_accounts(s, &ctx, &account, Some(token), None).map(Html)
        })
        .await
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditTpl {
    p: Page,
    entries: Vec<chitieu_store::AuditEntry>,
}

async fn audit_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    ctx.require(&[Role::Admin])?;
    app.db
        .run(move |s| {
            let mut entries = s.audit_log(300)?;
            // The stored actor stays whole beside the account's name.
            let actors = view::Actors::load(s)?;
            for e in &mut entries {
                e.actor = actors.show_stored(&e.actor);
            }
            let p = Page::new(&ctx, ctx.lang.t("audit"), "audit");
            html(AuditTpl { p, entries })
        })
        .await
}
