//! A small pool of SQLite handles. Work on the database runs on tokio's blocking threads; in
//! WAL mode readers do not wait for the writer, and SQLite serialises writers itself.

use crate::WebError;
use chitieu_store::SqliteStore;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub struct Pool {
    conns: Vec<Arc<Mutex<SqliteStore>>>,
    next: AtomicUsize,
}

impl Pool {
    pub fn open(path: &Path, n: usize) -> Result<Pool, WebError> {
        let mut conns = Vec::with_capacity(n);
        for _ in 0..n {
            conns.push(Arc::new(Mutex::new(SqliteStore::open(path)?)));
        }
        Ok(Pool {
            conns,
            next: AtomicUsize::new(0),
        })
    }

    fn pick(&self) -> Arc<Mutex<SqliteStore>> {
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
        F: FnOnce(&mut SqliteStore) -> Result<T, WebError> + Send + 'static,
    {
        let conn = self.pick();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| WebError::Internal("a database handle was poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
    }
}
