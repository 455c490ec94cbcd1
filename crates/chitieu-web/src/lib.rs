//! chitieu's web application: `chitieu serve`.
//!
//! Server-rendered HTML (askama templates, escaped by default), Vietnamese first with English
//! available, working without JavaScript; htmx (vendored, served from the binary) checks
//! values as they are typed. The same process serves the internal pages (log-in required),
//! the public portal, and the JSON API under `/api/v1`, all on the one database (a SQLite
//! file, or PostgreSQL shared by several processes).
//!
//! Access: every request passes [`auth::context`], which finds the session (cookie) or the
//! machine token (`Authorization: Bearer`), and refuses any state-changing request that is
//! not a token request and does not carry the anti-forgery token. Handlers then ask
//! [`auth::Ctx`] for a role and check the unit against the account's scope.

pub mod api;
pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod notify;
pub mod pages;
pub mod portal;
pub mod scheduler;
pub mod svg;
pub mod task_review;
pub mod tasks;
pub mod view;

use axum::Router;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub use error::WebError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database: a SQLite file, or a PostgreSQL server (`postgres://…`) that several
    /// `chitieu serve` processes may share.
    pub database: chitieu_store::Location,
    /// Mark cookies `Secure`. Browsers accept Secure cookies over plain HTTP only on
    /// localhost; turn it off for an intranet served over plain HTTP.
    pub secure_cookies: bool,
    /// Sessions end this long after log-in.
    pub session_hours: i64,
    /// Database connections (SQLite handles, whose readers run beside the writer in WAL, or
    /// PostgreSQL connections).
    pub connections: usize,
    /// Failed log-ins in a row before the account is locked.
    pub lock_after: u32,
    pub lock_minutes: i64,
    /// Reader comments accepted per client per 10 minutes.
    pub comments_per_window: u32,
    /// The reminder scheduler (with e-mail when configured); none: no reminders are made.
    pub reminders: Option<scheduler::SchedulerConfig>,
}

impl Config {
    /// A configuration for the database at `database`: a SQLite file's path, or a
    /// `postgres://` URL.
    pub fn new(database: impl AsRef<Path>) -> Config {
        let database = database.as_ref();
        let database = match database.to_str() {
            Some(s) if chitieu_store::postgres::is_postgres_url(s) => {
                chitieu_store::Location::Postgres(s.to_string())
            }
            _ => chitieu_store::Location::Sqlite(database.to_path_buf()),
        };
        Config {
            database,
            secure_cookies: true,
            session_hours: 8,
            connections: 4,
            lock_after: 5,
            lock_minutes: 15,
            comments_per_window: 3,
            reminders: None,
        }
    }
}

/// The application state shared by every request.
pub struct App {
    pub cfg: Config,
    pub db: db::Pool,
    pub cache: view::Cache,
}

impl App {
    /// Opens the database handles. Call it outside async code (before the runtime, or in
    /// `spawn_blocking`): PostgreSQL's client blocks on a runtime of its own, which tokio
    /// refuses to start inside another.
    pub fn open(cfg: Config) -> Result<Arc<App>, WebError> {
        let db = db::Pool::open(&cfg.database, cfg.connections.max(1))?;
        Ok(Arc::new(App {
            cfg,
            db,
            cache: view::Cache::default(),
        }))
    }
}

/// Every route of the application.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(portal::routes())
        .merge(tasks::routes())
        .merge(task_review::routes())
        .merge(notify::routes())
        .merge(tasks::api_routes())
        .merge(notify::api_routes())
        .nest("/api", api::routes())
        // Every `/api/` error as JSON, whichever handler, extractor or route answered it.
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::context,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
        .with_state(app)
}

/// Serves on a bound listener until the process is stopped (Ctrl-C).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Arc<App>) -> Result<(), WebError> {
    if let Some(cfg) = app.cfg.reminders.clone() {
        tokio::spawn(scheduler::run(app.clone(), cfg));
    }
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| WebError::Io(e.to_string()))
}

/// Ctrl-C, or SIGTERM (a service manager stopping the server).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens the database and serves on `listen`.
pub async fn serve(cfg: Config, listen: SocketAddr) -> Result<(), WebError> {
    // Off the async threads: PostgreSQL's client blocks (see `App::open`).
    let app = tokio::task::spawn_blocking(move || App::open(cfg))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| WebError::Io(format!("cannot listen on {listen}: {e}")))?;
    serve_on(listener, app).await
}

/// Serves on `listen` from a runtime of its own, calling `ready` with the bound address
/// before the first request: for the command line, which has no runtime.
pub fn serve_blocking(
    cfg: Config,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), WebError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| WebError::Io(e.to_string()))?;
    let app = App::open(cfg)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| WebError::Io(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| WebError::Io(e.to_string()))?;
        ready(addr);
        serve_on(listener, app).await
    })
}
