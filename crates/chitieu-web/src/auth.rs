//! Log-in, sessions, machine tokens, anti-forgery tokens, roles and scopes.
//!
//! - Passwords: argon2id (default parameters), PHC strings in the database.
//! - Sessions: a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure unless
//!   configured off); the database keeps only its SHA-256, with an absolute expiry.
//! - Anti-forgery: every POST/PUT/PATCH/DELETE that is not authenticated by a bearer token
//!   must carry the session's token (form field `_csrf`, header `X-CSRF-Token`, or query
//!   `_csrf`); anonymous forms (log-in, reader comments) use a double-submit cookie.
//! - Lock-out: after `lock_after` failures in a row the account is locked for `lock_minutes`.
//! - Scope: an account acts on the units of its scope and everything below them, as the tree
//!   stood on the date in question.

use crate::i18n::Lang;
use crate::{App, WebError};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use chitieu_core::admin::UnitId;
use chitieu_store::accounts::{Account, Role};
use chitieu_store::{AccountStore, AnyStore, Store};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "chitieu_session";
pub const ANON_CSRF_COOKIE: &str = "chitieu_csrf";
pub const LANG_COOKIE: &str = "chitieu_lang";

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> Result<String, WebError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| WebError::Internal(format!("randomness: {e}")))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, WebError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| WebError::Internal(format!("randomness: {e}")))?;
    argon2::Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| WebError::Internal(format!("password hashing: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&argon2::Argon2::default(), password.as_bytes(), phc)
        .is_ok()
}

/// A password policy short enough to remember: at least 10 characters.
pub fn check_password_policy(password: &str) -> Result<(), WebError> {
    if password.chars().count() < 10 {
        return Err(WebError::BadRequest(
            "mật khẩu cần ít nhất 10 ký tự (at least 10 characters)".into(),
        ));
    }
    Ok(())
}

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    /// The SHA-256 of the session token.
    Session(String),
    Bearer,
}

/// Who is asking, in which language, and the anti-forgery token to put in forms.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub account: Option<Account>,
    pub via: Via,
    pub csrf: String,
    pub client: String,
}

impl Ctx {
    pub fn user(&self) -> Result<&Account, WebError> {
        self.account.as_ref().ok_or(WebError::Unauthenticated)
    }

    pub fn actor(&self) -> String {
        match &self.account {
            Some(a) => a.actor(),
            None => "public".to_string(),
        }
    }

    /// The account, if its role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&Account, WebError> {
        let a = self.user()?;
        if roles.contains(&a.role) {
            Ok(a)
        } else {
            Err(WebError::Forbidden(format!(
                "vai trò «{}» không được làm việc này",
                a.role.vi()
            )))
        }
    }

    pub fn has(&self, roles: &[Role]) -> bool {
        self.account
            .as_ref()
            .is_some_and(|a| roles.contains(&a.role))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::Internal("request context missing".into()))
    }
}

pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age: i64, http_only: bool, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if secure { "; Secure" } else { "" }
    )
}

fn is_hex_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The middleware every request passes: finds the account, the language and the
/// anti-forgery token, and refuses forged state-changing requests.
pub async fn context(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    match build_context(app, req).await {
        Ok((req, set_cookies)) => {
            let mut resp = next.run(req).await;
            for c in set_cookies {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            let h = resp.headers_mut();
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                ),
            );
            resp
        }
        Err((e, is_api)) => {
            if is_api {
                e.json()
            } else {
                axum::response::IntoResponse::into_response(e)
            }
        }
    }
}

async fn build_context(
    app: Arc<App>,
    req: Request,
) -> Result<(Request, Vec<String>), (WebError, bool)> {
    let is_api = req.uri().path().starts_with("/api/");
    let (mut parts, body) = req.into_parts();
    let mut set_cookies = Vec::new();
    let client = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();

    let lang = match cookie(&parts.headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    };

    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let session_token = cookie(&parts.headers, SESSION_COOKIE)
        .filter(|t| is_hex_token(t))
        .map(str::to_string);
    let anon_csrf = cookie(&parts.headers, ANON_CSRF_COOKIE)
        .filter(|t| is_hex_token(t))
        .map(str::to_string);

    let (account, via, session_csrf) = if let Some(token) = bearer {
        let hash = sha256_hex(&token);
        let account = app
            .db
            .run(move |s| Ok(s.account_for_token(&hash)?))
            .await
            .map_err(|e| (e, is_api))?;
        match account {
            Some(a) => (Some(a), Via::Bearer, None),
            None => {
                return Err((
                    WebError::Forbidden("mã truy cập (API token) không hợp lệ".into()),
                    true,
                ));
            }
        }
    } else if let Some(token) = session_token {
        let hash = sha256_hex(&token);
        let h2 = hash.clone();
        let now = chrono::Utc::now();
        let session = app
            .db
            .run(move |s| Ok(s.session(&h2, now)?))
            .await
            .map_err(|e| (e, is_api))?;
        match session {
            Some(s) => (Some(s.account), Via::Session(hash), Some(s.csrf)),
            None => {
                // Expired or unknown: forget the cookie.
                set_cookies.push(set_cookie(
                    SESSION_COOKIE,
                    "",
                    0,
                    true,
                    app.cfg.secure_cookies,
                ));
                (None, Via::Anonymous, None)
            }
        }
    } else {
        (None, Via::Anonymous, None)
    };

    let csrf = match (&session_csrf, &anon_csrf) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => {
            let c = random_token().map_err(|e| (e, is_api))?;
            set_cookies.push(set_cookie(
                ANON_CSRF_COOKIE,
                &c,
                12 * 3600,
                true,
                app.cfg.secure_cookies,
            ));
            c
        }
    };

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = body;
    if unsafe_method && via != Via::Bearer {
        // The expected token: the session's, or for anonymous forms the cookie's (a fresh
        // token just minted above matches nothing the client could have sent).
        let expected = match (&session_csrf, &anon_csrf) {
            (Some(c), _) => Some(c.clone()),
            (None, Some(c)) => Some(c.clone()),
            (None, None) => None,
        };
        let mut given = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| {
                parts
                    .uri
                    .query()
                    .and_then(|q| form_urlencoded_get(q, "_csrf"))
            });
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if given.is_none() && is_form {
            let bytes = axum::body::to_bytes(body, 8 * 1024 * 1024)
                .await
                .map_err(|e| (WebError::BadRequest(e.to_string()), is_api))?;
            given = std::str::from_utf8(&bytes)
                .ok()
                .and_then(|b| form_urlencoded_get(b, "_csrf"));
            body = axum::body::Body::from(bytes);
        }
        let ok = match (expected, given) {
            (Some(e), Some(g)) => constant_time_eq(e.as_bytes(), g.as_bytes()),
            _ => false,
        };
        if !ok {
            return Err((WebError::Csrf, is_api));
        }
    }

    parts.extensions.insert(Ctx {
        lang,
        account,
        via,
        csrf,
        client,
    });
    Ok((Request::from_parts(parts, body), set_cookies))
}

fn form_urlencoded_get(q: &str, key: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `unit` lies within the account's scope on `on` (the unit itself or below one of
/// the scope's units). Admins see everything.
pub fn in_scope(
    store: &AnyStore,
    account: &Account,
    unit: UnitId,
    on: NaiveDate,
) -> Result<bool, WebError> {
    if account.role == Role::Admin {
        return Ok(true);
    }
    let mut current = Some(unit);
    for _ in 0..10 {
        let Some(u) = current else { break };
        if account.scopes.contains(&u) {
            return Ok(true);
        }
        current = match store.unit_on(u, on) {
            Ok(v) => v.parent,
            Err(chitieu_store::StoreError::NoSuchUnit(_)) => match store.unit_latest(u) {
                Ok(v) => v.parent,
                Err(_) => None,
            },
            Err(e) => return Err(e.into()),
        };
    }
    Ok(false)
}

/// Refuses when `unit` is outside the account's scope.
pub fn require_scope(
    store: &AnyStore,
    account: &Account,
    unit: UnitId,
    on: NaiveDate,
) -> Result<(), WebError> {
    if in_scope(store, account, unit, on)? {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "đơn vị này nằm ngoài phạm vi của tài khoản (unit outside your scope)".into(),
        ))
    }
}

/// What a log-in attempt gave.
pub enum LoginOutcome {
    /// The session token to put in the cookie.
    Ok(String),
    Wrong,
    Locked(chrono::DateTime<chrono::Utc>),
}

/// Checks a password and opens a session; counts failures and locks after too many.
pub fn login(
    store: &mut AnyStore,
    cfg: &crate::Config,
    username: &str,
    password: &str,
) -> Result<LoginOutcome, WebError> {
    let now = chrono::Utc::now();
    let Some((account, phc)) = store.account_by_username(&username.trim().to_lowercase())? else {
        // Spend the same time as a real check, so names cannot be probed by timing.
        let _ = verify_password(password, dummy_hash());
        return Ok(LoginOutcome::Wrong);
    };
    if let Some(until) = account.locked_until
        && until > now
    {
        return Ok(LoginOutcome::Locked(until));
    }
    if account.disabled || !verify_password(password, &phc) {
        let f = store.record_login_failure(
            account.id,
            now,
            cfg.lock_after,
            chrono::Duration::minutes(cfg.lock_minutes),
        )?;
        return Ok(match f.locked_until {
            Some(until) => LoginOutcome::Locked(until),
            None => LoginOutcome::Wrong,
        });
    }
    let token = random_token()?;
    let csrf = random_token()?;
    store.open_session(
        account.id,
        &sha256_hex(&token),
        &csrf,
        now + chrono::Duration::hours(cfg.session_hours),
    )?;
    Ok(LoginOutcome::Ok(token))
}

/// A valid argon2id hash of a random password nobody knows, for timing-equal refusals.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        random_token()
            .and_then(|p| hash_password(&p))
            .unwrap_or_default()
    })
}
