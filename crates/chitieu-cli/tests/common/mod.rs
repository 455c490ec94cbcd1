//! Shared support for the end-to-end tests of the `chitieu` binary: a temporary directory with
//! a SQLite database in it, running the real binary on it (as user `tester`) and checking that
//! a command succeeds (its standard output) or fails (its standard error).
//!
//! Each test binary uses a part of it, hence the `dead_code` allowance (test support only).
#![allow(dead_code)]

use chitieu_store::{SqliteStore, Store};
use std::path::PathBuf;
use std::process::{Command, Output};

/// A temporary directory holding the test's database (and any files it writes).
pub struct Env {
    pub dir: tempfile::TempDir,
    database: &'static str,
}

impl Env {
    /// A new database `test.db`, initialised with `chitieu init`.
    pub fn new() -> Env {
        let env = Env::empty();
        env.ok(&["init"]);
        env
    }

    /// A directory whose database `test.db` does not exist yet (no command run).
    pub fn empty() -> Env {
        Env::empty_named("test.db")
    }

    /// A directory whose database, named `database`, does not exist yet (no command run).
    pub fn empty_named(database: &'static str) -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            database,
        }
    }

    /// The database's path.
    pub fn db(&self) -> PathBuf {
        self.path(self.database)
    }

    /// A file in the test's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `chitieu --database <db> <args>` as user `tester`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .arg("--database")
            .arg(self.db())
            .args(args)
            .env("CHITIEU_USER", "tester")
            .output()
            .expect("run chitieu")
    }

    /// Runs the command, which must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "chitieu {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Runs the command, which must fail; returns its standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "chitieu {args:?} should fail:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).to_string()
    }

    /// The database, opened for checks.
    pub fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.db()).expect("open")
    }

    /// The numbers of rows the database holds.
    pub fn counts(&self) -> chitieu_store::Counts {
        self.store().counts().expect("counts")
    }
}
