//! The backends the storage suite runs on. Each test body is written once, generic over the
//! `Store` interface, and [`for_each_backend!`] instantiates it for SQLite (a temporary file)
//! and PostgreSQL (a schema of its own, dropped afterwards).
//!
//! PostgreSQL is found at `CHITIEU_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When no server answers there, the PostgreSQL
//! tests print why and pass without running; with `CHITIEU_REQUIRE_POSTGRES=1` (as in CI) they
//! fail instead.

#![allow(dead_code)]

use chitieu_core::indicator::Catalog;
use chitieu_store::{NoProgress, PgStore, SqliteStore, Store};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn postgres_url() -> String {
    std::env::var("CHITIEU_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

fn postgres_required() -> bool {
    std::env::var("CHITIEU_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A SQLite store on a temporary file, initialised or not.
pub fn sqlite(init: bool) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = SqliteStore::open(&dir.path().join("test.db")).expect("open");
    if init {
        store.init(&Catalog::builtin(), &NoProgress).expect("init");
    }
    (dir, store)
}

/// Drops the test's schema when the test ends, whether it passed or not.
pub struct Schema {
    pub url: String,
    pub name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Err(e) = PgStore::drop_schema(&self.url, &self.name) {
            eprintln!("note: could not drop test schema {}: {e}", self.name);
        }
    }
}

/// A fresh schema name, unique across processes and tests.
pub fn schema_name(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let short: String = test
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(24)
        .collect::<String>()
        .to_ascii_lowercase();
    format!("t_{short}_{}_{n}_{nanos}", std::process::id())
}

/// Whether the PostgreSQL tests can run: prints why not, or panics when they are required.
pub fn postgres_available(test: &str) -> Option<String> {
    let url = postgres_url();
    match PgStore::check_server(&url) {
        Ok(()) => Some(url),
        Err(e) if postgres_required() => {
            panic!("CHITIEU_REQUIRE_POSTGRES=1 but no PostgreSQL server answers at {url}: {e}")
        }
        Err(e) => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "skipped {test} on PostgreSQL: no server at {url} ({e}). Set CHITIEU_TEST_POSTGRES to a server's URL to run it."
            );
            None
        }
    }
}

/// A PostgreSQL store in a schema of its own, initialised or not; `None` when skipped.
pub fn postgres(test: &str, init: bool) -> Option<(Schema, PgStore)> {
    let url = postgres_available(test)?;
    let name = schema_name(test);
    let guard = Schema {
        url: url.clone(),
        name: name.clone(),
    };
    let mut store = PgStore::open_in_schema(&url, Some(&name)).expect("open PostgreSQL schema");
    if init {
        store.init(&Catalog::builtin(), &NoProgress).expect("init");
    }
    Some((guard, store))
}

/// Instantiates each listed test body (`fn name<S: Store + DocumentStore>(store: S)`) once per
/// backend, as `sqlite::name` and `postgres::name`. `uninitialised:` bodies get a store whose
/// schema exists but whose data was never loaded.
#[macro_export]
macro_rules! for_each_backend {
    ($($name:ident),* $(,)? $(; uninitialised: $($bare:ident),* $(,)?)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let (_guard, store) = $crate::backend::sqlite(true);
                    super::$name(store);
                }
            )*
            $($(
                #[test]
                fn $bare() {
                    let (_guard, store) = $crate::backend::sqlite(false);
                    super::$bare(store);
                }
            )*)?
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some((_guard, store)) = $crate::backend::postgres(stringify!($name), true) {
                        super::$name(store);
                    }
                }
            )*
            $($(
                #[test]
                fn $bare() {
                    if let Some((_guard, store)) = $crate::backend::postgres(stringify!($bare), false) {
                        super::$bare(store);
                    }
                }
            )*)?
        }
    };
}
