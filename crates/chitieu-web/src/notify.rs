//! Notifications in the pages: the count beside the bell in the header (loaded by htmx, a
//! plain link without JavaScript), the list, marking read, and the account's own e-mail
//! address for reminders. Each account sees only its own notifications.

use crate::auth::Ctx;
use crate::pages::{ANY, Page};
use crate::{App, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chitieu_store::NotificationStore;
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/app/notifications", get(list_page))
        .route("/app/notifications/count", get(count))
        .route("/app/notifications/read", post(mark_read))
        .route("/app/notifications/email", post(set_email))
}

pub fn api_routes() -> Router<Arc<App>> {
    Router::new().route("/api/v1/notifications", get(api_list))
}

struct Item {
    id: i64,
    title: String,
    body: String,
    kind: &'static str,
    created: String,
    link: Option<String>,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListTpl {
    p: Page,
    items: Vec<Item>,
    unread: u64,
    email: String,
}

fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&crate::scheduler::vietnam())
                .format("%H:%M %d/%m/%Y")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

async fn list_page(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let items = s
                .notifications(account.id, false, 200)?
                .into_iter()
                .map(|n| Item {
                    id: n.id,
                    kind: chitieu_core::remind::Kind::parse(&n.kind)
                        .map(|k| k.vi())
                        .unwrap_or("thông báo"),
                    created: local_time(&n.created_at),
                    unread: n.read_at.is_none(),
                    title: n.title,
                    body: n.body,
                    link: n.link,
                })
                .collect();
            let tpl = ListTpl {
                p: Page::new(&ctx, ctx.lang.t("notifications"), "notifications"),
                items,
                unread: s.unread_count(account.id)?,
                email: s.email(account.id)?.unwrap_or_default(),
            };
            Ok(Html(tpl.render()?))
        })
        .await
}

/// The unread count as a fragment for the header's bell (empty when nothing is unread).
async fn count(State(app): State<Arc<App>>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let n = s.unread_count(account.id)?;
            Ok(Html(if n == 0 {
                String::new()
            } else {
                format!(
                    " <strong class=\"badge red\" title=\"{n} chưa đọc\" id=\"unread-count\">{n}</strong>"
                )
            }))
        })
        .await
}

#[derive(Deserialize)]
struct ReadForm {
    id: Option<i64>,
}

async fn mark_read(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<ReadForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            s.mark_read(account.id, f.id, chrono::Utc::now())?;
            Ok(Redirect::to("/app/notifications").into_response())
        })
        .await
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn set_email(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    axum::Form(f): axum::Form<EmailForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            let e = f.email.trim();
            s.set_email(account.id, (!e.is_empty()).then_some(e), &account.actor())?;
            Ok(Redirect::to("/app/notifications").into_response())
        })
        .await
}

async fn api_list(
    State(app): State<Arc<App>>,
    ctx: Ctx,
) -> Result<axum::Json<serde_json::Value>, WebError> {
    let account = ctx.require(ANY)?.clone();
    app.db
        .run(move |s| {
            Ok(axum::Json(serde_json::json!({
                "unread": s.unread_count(account.id)?,
                "notifications": s.notifications(account.id, false, 200)?,
            })))
        })
        .await
}
