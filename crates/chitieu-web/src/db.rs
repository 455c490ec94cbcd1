//! A small pool of database handles, on either backend. Work on the database runs on tokio's
//! blocking threads. On SQLite (WAL mode) readers do not wait for the writer, and SQLite
//! serialises writers itself; on PostgreSQL each handle is a connection of its own, and the
//! store's transactions and advisory locks keep several handles, and several `chitieu serve`
//! processes on the same database, from losing each other's changes.

use crate::WebError;
use chitieu_store::{AnyStore, Location, PgStore, SqliteStore};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub struct Pool {
    location: Location,
    conns: Vec<Arc<Mutex<AnyStore>>>,
    next: AtomicUsize,
}

fn open_one(location: &Location) -> Result<AnyStore, WebError> {
    Ok(match location {
        Location::Sqlite(path) => AnyStore::Sqlite(SqliteStore::open(path)?),
        Location::Postgres(url) => AnyStore::Postgres(Box::new(PgStore::open(url)?)),
    })
}

impl Pool {
    /// Opens `n` handles on the database at `location` (bringing its schema up to date).
    pub fn open(location: &Location, n: usize) -> Result<Pool, WebError> {
        let mut conns = Vec::with_capacity(n);
        for _ in 0..n {
            conns.push(Arc::new(Mutex::new(open_one(location)?)));
        }
        Ok(Pool {
            location: location.clone(),
            conns,
            next: AtomicUsize::new(0),
        })
    }

    fn pick(&self) -> Arc<Mutex<AnyStore>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.conns.len();
        // A free handle if there is one, else wait for the next in turn.
        for i in 0..n {
            let c = &self.conns[(start + i) % n];
            if let Ok(guard) = c.try_lock() {
                drop(guard);
                return c.clone();
            }
        }
        self.conns[start % n].clone()
    }

    /// Runs `f` with a store on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyStore) -> Result<T, WebError> + Send + 'static,
    {
        let conn = self.pick();
        let location = self.location.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| WebError::Internal("a database handle was poisoned".into()))?;
            // A PostgreSQL connection the server closed (a restart, a network cut) is opened
            // again before it is used: an empty query (one round trip) finds it closed, so
            // no request fails for it and the process recovers without a restart.
            if let AnyStore::Postgres(pg) = &mut *guard
                && pg
                    .with_client(|c| Ok(c.is_closed() || c.simple_query("").is_err()))
                    .unwrap_or(true)
            {
                *guard = open_one(&location)?;
            }
            f(&mut guard)
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
    }
}
