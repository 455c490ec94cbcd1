//! The public portal: no log-in. Each unit's published results (data sets the office approved)
//! and news, with the reading tools of Vietnamese government portals (night mode, font size,
//! print, PDF through the print stylesheet, read aloud), and reader comments held until
//! moderated, rate-limited per client, shown as plain text.

use crate::auth::{self, Ctx};
use crate::i18n::Lang;
use crate::view::Dashboard;
use crate::{App, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chitieu_core::admin::UnitId;
use chitieu_core::period::Period;
use chitieu_core::period_vi::format_period_vi;
use chitieu_store::portal::{CommentState, NewComment};
use chitieu_store::workflow::DataSetState;
use chitieu_store::{AnyStore, PortalStore, Store, WorkflowStore};
use serde::Deserialize;
use std::sync::Arc;

pub const FONT_COOKIE: &str = "portal_font";
pub const NIGHT_COOKIE: &str = "portal_night";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/portal", get(index))
        .route("/portal/prefs", get(prefs))
        .route("/portal/unit/{id}", get(unit_page))
        .route("/portal/unit/{id}/comments", post(comment_add))
        .route("/portal/news/{id}", get(news_page))
        .route("/portal/news/{id}/comments", post(comment_add_news))
}

/// The portal frame: reading preferences (from cookies, so they work without script) and the
/// links of the tools.
pub struct PortalPage {
    pub lang: Lang,
    pub title: String,
    pub csrf: String,
    /// -2 … 3
    pub font: i32,
    pub night: bool,
    pub print: bool,
    pub back_enc: String,
    pub print_href: String,
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl PortalPage {
    fn new(
        ctx: &Ctx,
        headers: &axum::http::HeaderMap,
        title: String,
        here: &str,
        print: bool,
    ) -> PortalPage {
        let font = auth::cookie(headers, FONT_COOKIE)
            .and_then(|f| f.parse::<i32>().ok())
            .unwrap_or(0)
            .clamp(-2, 3);
        let night = auth::cookie(headers, NIGHT_COOKIE) == Some("1");
        let sep = if here.contains('?') { '&' } else { '?' };
        PortalPage {
            lang: ctx.lang,
            title,
            csrf: ctx.csrf.clone(),
            font,
            night,
            print,
            back_enc: url_encode(here),
            print_href: format!("{here}{sep}print=1"),
        }
    }
}

#[derive(Deserialize)]
struct PrefsQuery {
    font: Option<i32>,
    night: Option<u8>,
    back: Option<String>,
}

async fn prefs(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    Query(q): Query<PrefsQuery>,
) -> Response {
    let back = q
        .back
        .filter(|b| b.starts_with("/portal") && !b.contains('\\'))
        .unwrap_or_else(|| "/portal".into());
    let mut resp = Redirect::to(&back).into_response();
    let mut set = |name: &str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(
            name,
            &value,
            365 * 24 * 3600,
            false,
            app.cfg.secure_cookies,
        )) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    };
    if let Some(step) = q.font {
        let now = auth::cookie(&headers, FONT_COOKIE)
            .and_then(|f| f.parse::<i32>().ok())
            .unwrap_or(0);
        let next = if step == 0 {
            0
        } else {
            (now + step.signum()).clamp(-2, 3)
        };
        set(FONT_COOKIE, next.to_string());
    }
    if let Some(n) = q.night {
        set(NIGHT_COOKIE, if n == 1 { "1".into() } else { "0".into() });
    }
    resp
}

#[derive(Template)]
#[template(path = "portal_index.html")]
struct IndexTpl {
    pp: PortalPage,
    results: Vec<(i64, String, String, String)>,
    news: Vec<(i64, String, String, String)>,
}

/// Published results: approved data sets, newest period first.
fn published(s: &AnyStore) -> Result<Vec<(UnitId, Period)>, WebError> {
    let mut out: Vec<(UnitId, Period)> = s
        .data_sets(Some(DataSetState::Approved))?
        .into_iter()
        .map(|d| (d.unit, d.period))
        .collect();
    out.sort_by_key(|(u, p)| (std::cmp::Reverse(p.end_date()), u.0));
    Ok(out)
}

#[derive(Deserialize, Default)]
struct PageQuery {
    period: Option<String>,
    print: Option<u8>,
    sent: Option<u8>,
}

async fn index(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    app.db
        .run(move |s| {
            let mut results = Vec::new();
            for (u, p) in published(s)? {
                let v = s.unit_on(u, p.end_date()).or_else(|_| s.unit_latest(u))?;
                results.push((u.0, p.to_string(), v.title(), format_period_vi(&p)));
            }
            let mut news = Vec::new();
            for n in s.news(None)?.into_iter().take(20) {
                news.push((
                    n.id,
                    n.title,
                    s.unit_latest(n.unit)?.title(),
                    n.published_at.chars().take(10).collect(),
                ));
            }
            let pp = PortalPage::new(
                &ctx,
                &headers,
                ctx.lang.t("portal").into(),
                "/portal",
                q.print == Some(1),
            );
            Ok(Html(IndexTpl { pp, results, news }.render()?))
        })
        .await
}

#[derive(Template)]
#[template(path = "portal_unit.html")]
struct UnitTpl {
    pp: PortalPage,
    d: Arc<Dashboard>,
    bars: Vec<String>,
    other_periods: Vec<(String, String)>,
    news: Vec<(i64, String, String)>,
    comments: Vec<(i64, String, String, String)>,
    notice: Option<String>,
    comment_action: String,
}

fn published_comments(
    s: &AnyStore,
    unit: UnitId,
    topic: &str,
) -> Result<Vec<(i64, String, String, String)>, WebError> {
    Ok(
        s.comments(Some(unit), Some(topic), Some(CommentState::Published))?
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    c.author,
                    c.created_at.chars().take(10).collect(),
                    c.body,
                )
            })
            .collect(),
    )
}

async fn unit_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    let app2 = app.clone();
    app.db
        .run(move |s| {
            let unit = UnitId(id);
            let periods: Vec<Period> = published(s)?
                .into_iter()
                .filter(|(u, _)| *u == unit)
                .map(|(_, p)| p)
                .collect();
            let period = match q.period.as_deref() {
                Some(p) => chitieu_app::status::parse_period(p)?,
                None => *periods
                    .first()
                    .ok_or_else(|| WebError::NotFound("kết quả chưa được công bố".into()))?,
            };
            if !periods.contains(&period) {
                return Err(WebError::NotFound(
                    "kết quả của kỳ này chưa được công bố (not published)".into(),
                ));
            }
            let v = s
                .unit_on(unit, period.end_date())
                .or_else(|_| s.unit_latest(unit))?;
            let d = app2.cache.get_or_build(s, &v, &period, false)?;
            let bars = d
                .rows
                .iter()
                .map(|r| crate::svg::progress(r.bar, r.colour.key()))
                .collect();
            let news = s
                .news(Some(unit))?
                .into_iter()
                .map(|n| (n.id, n.title, n.published_at.chars().take(10).collect()))
                .collect();
            let topic = format!("result:{period}");
            let comments = published_comments(s, unit, &topic)?;
            let here = format!("/portal/unit/{id}?period={period}");
            let pp = PortalPage::new(
                &ctx,
                &headers,
                format!("{} — {}", d.unit_name, d.period_vi),
                &here,
                q.print == Some(1),
            );
            Ok(Html(
                UnitTpl {
                    pp,
                    bars,
                    other_periods: periods
                        .iter()
                        .map(|p| (p.to_string(), format_period_vi(p)))
                        .collect(),
                    news,
                    comments,
                    notice: (q.sent == Some(1)).then(|| ctx.lang.t("comment_held").to_string()),
                    comment_action: format!("/portal/unit/{id}/comments?period={period}"),
                    d,
                }
                .render()?,
            ))
        })
        .await
}

#[derive(Template)]
#[template(path = "portal_news.html")]
struct NewsTpl {
    pp: PortalPage,
    title: String,
    unit_name: String,
    published_at: String,
    paragraphs: Vec<String>,
    comments: Vec<(i64, String, String, String)>,
    notice: Option<String>,
    comment_action: String,
}

async fn news_page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    app.db
        .run(move |s| {
            let n = s.news_item(id)?;
            let comments = published_comments(s, n.unit, &format!("news:{id}"))?;
            let here = format!("/portal/news/{id}");
            let pp = PortalPage::new(&ctx, &headers, n.title.clone(), &here, q.print == Some(1));
            Ok(Html(
                NewsTpl {
                    pp,
                    unit_name: s.unit_latest(n.unit)?.title(),
                    published_at: n.published_at.chars().take(10).collect(),
                    paragraphs: n
                        .body
                        .split("\n\n")
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect(),
                    title: n.title,
                    comments,
                    notice: (q.sent == Some(1)).then(|| ctx.lang.t("comment_held").to_string()),
                    comment_action: format!("/portal/news/{id}/comments"),
                }
                .render()?,
            ))
        })
        .await
}

#[derive(Deserialize)]
pub struct CommentForm {
    pub author: String,
    pub body: String,
}

/// Cleans a reader's text: NFC, no control characters but line breaks, trimmed, bounded.
pub fn clean_text(s: &str, max: usize) -> String {
    chitieu_text::nfc(s)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Stores a reader comment as pending, after the rate limit.
pub fn add_comment(
    s: &mut AnyStore,
    app: &App,
    client: &str,
    unit: UnitId,
    topic: String,
    f: &CommentForm,
) -> Result<i64, WebError> {
    let author = clean_text(&f.author, 80);
    let body = clean_text(&f.body, 2000);
    if author.is_empty() || body.is_empty() {
        return Err(WebError::BadRequest(
            "cần ghi tên và nội dung ý kiến".into(),
        ));
    }
    let since = (chrono::Utc::now() - chrono::Duration::minutes(10))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    s.add_comment(
        &NewComment {
            unit,
            topic,
            author,
            body,
            client_key: auth::sha256_hex(&format!("comment-client:{client}")),
        },
        &since,
        app.cfg.comments_per_window,
    )
    .map_err(|e| match e {
        chitieu_store::StoreError::Refused(m) => WebError::TooMany(m),
        other => other.into(),
    })
}

async fn comment_add(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
    axum::Form(f): axum::Form<CommentForm>,
) -> Result<Response, WebError> {
    let period = q.period.clone().unwrap_or_default();
    let app2 = app.clone();
    app.db
        .run(move |s| {
            let period = chitieu_app::status::parse_period(&period)?;
            add_comment(
                s,
                &app2,
                &ctx.client,
                UnitId(id),
                format!("result:{period}"),
                &f,
            )?;
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("/portal/unit/{id}?period={period}&sent=1#comments"),
                )],
            )
                .into_response())
        })
        .await
}

async fn comment_add_news(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CommentForm>,
) -> Result<Response, WebError> {
    let app2 = app.clone();
    app.db
        .run(move |s| {
            let n = s.news_item(id)?;
            add_comment(s, &app2, &ctx.client, n.unit, format!("news:{id}"), &f)?;
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("/portal/news/{id}?sent=1#comments"),
                )],
            )
                .into_response())
        })
        .await
}
