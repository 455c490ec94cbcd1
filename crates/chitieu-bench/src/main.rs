//! chitieu-bench: builds a national-scale synthetic database and times what users wait for,
//! on SQLite and on PostgreSQL side by side, with DuckDB as the yardstick for the roll-up.
//!
//! For each backend:
//! 1. loading it: the units in force on 2025-07-01 (1 nation, 34 provinces, 3,321 communes,
//!    from the gazetteer that `init` loads), `--indicators` indicators of the built-in catalog,
//!    `--months` monthly figures per commune and indicator, and annual targets for every unit
//!    (SQLite: batched INSERTs in large transactions; PostgreSQL: COPY … FROM STDIN);
//! 2. a full roll-up and evaluation of the last year: monthly figures combined into the year
//!    by each indicator's temporal rule (cumulative: the sum of the months; level: the last
//!    month), rolled up communes → provinces → nation, and every unit's figure evaluated
//!    against its annual target. Timed three ways: cold, reading the year's figures out of the
//!    database (2 connections in 2 threads); warm, from a [`FigureSnapshot`] of the year
//!    already in memory (its freshness checked with the store's change stamp on every run);
//!    and cold from the snapshot saved on disk beside the database
//!    ([`FigureSnapshot::load_cached`]: a new connection checks the change key, reads the
//!    file, rolls up), also right after a correction was written, when the file is caught up
//!    on the new figure rows;
//! 3. one province's dashboard from the database: every indicator for the province and each
//!    of its communes for one month, with the targets, rolled up and evaluated, p50/p99 (the
//!    line the goal is judged on); and the same dashboard served from a copy of its rows held
//!    in memory, its freshness checked with the store's change stamp (one cheap query) on
//!    every run and reloaded when the stamp moved — how a server would serve it, printed on
//!    its own line beside the direct query;
//! 4. concurrent entry: `--entry-threads` threads, each with its own connection, entering
//!    one commune's monthly report (every indicator) per `Store::apply` call.
//!
//! Then DuckDB runs the same roll-up as one SQL query on the same year of figures (exported
//! from SQLite as CSV): warm (the table already in DuckDB's memory) against our warm roll-up
//! from the snapshot in memory; cold, each engine from its own storage on disk (DuckDB opening
//! its own database file with a new connection, then the query) against ours from the saved
//! snapshot, current and right after a correction; and DuckDB loading the CSV files, for
//! reference.
//!
//! Values are deterministic pseudo-random exact decimals: two runs build the same database.

use anyhow::{Context, Result, bail};
use chitieu_core::Decimal;
use chitieu_core::admin::{Level, UnitId, UnitVersion};
use chitieu_core::evaluate::{EvalInput, Status, Summary, Thresholds, evaluate};
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Aggregation, Catalog, Direction, Indicator, Temporal};
use chitieu_core::period::Period;
use chitieu_core::rollup::{FigureTable, UnitTree, rollup_all};
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::snapshot::{CacheUse, FigureSnapshot};
use chitieu_store::sqlite::bulk::{BulkFigure, BulkOptions, Dashboard};
use chitieu_store::{AnyStore, Batch, PgStore, SqliteStore, Store};
use chrono::NaiveDate;
use clap::Parser;
use db::Open;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod db;
mod progress;

/// The DuckDB side of the comparison, written next to the exported data and run by python3.
const DUCKDB_SCRIPT: &str = include_str!("../../../tools/duckdb_rollup.py");

/// The last month of the synthetic series.
const LAST_YEAR: i32 = 2025;
const LAST_MONTH: u32 = 12;

const GOAL_ROLLUP: Duration = Duration::from_secs(2);
const GOAL_DASHBOARD_SQLITE: Duration = Duration::from_millis(20);
const GOAL_DASHBOARD_POSTGRES: Duration = Duration::from_millis(50);

/// The PostgreSQL server used when --postgres is not given and CHITIEU_TEST_POSTGRES is unset.
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Parser, Debug)]
#[command(
    name = "chitieu-bench",
    about = "National-scale benchmark of chitieu's SQLite and PostgreSQL stores, roll-up and evaluation, against DuckDB"
)]
struct Args {
    /// The SQLite database file to build. Default: a new file in a temporary folder, removed
    /// at the end unless --keep is given. An existing file is refused unless --reuse is given.
    #[arg(long)]
    database: Option<std::path::PathBuf>,
    /// Months of figures per commune, ending 2025-M12.
    #[arg(long, default_value_t = 60)]
    months: u32,
    /// Indicators, the first ones of the built-in catalog.
    #[arg(long, default_value_t = 60)]
    indicators: usize,
    /// A small run (2 provinces, 6 months) that finishes in seconds: proves the bench runs.
    #[arg(long)]
    quick: bool,
    /// Keep the SQLite database, the DuckDB export and the PostgreSQL schema instead of
    /// removing them.
    #[arg(long)]
    keep: bool,
    /// Use the SQLite database given by --database as it is, if it was built by an earlier run
    /// with the same settings, instead of loading it again (PostgreSQL is always loaded into
    /// a fresh schema).
    #[arg(long)]
    reuse: bool,
    /// Runs of the full roll-up (cold and warm each).
    #[arg(long, default_value_t = 3)]
    rollup_runs: usize,
    /// Runs of the dashboard query. Default: 300 (30 with --quick).
    #[arg(long)]
    dashboard_runs: Option<usize>,
    /// Threads entering figures at the same time, each with its own connection.
    #[arg(long, default_value_t = 4)]
    entry_threads: usize,
    /// Monthly reports (one commune, every indicator, one `Store::apply`) each thread enters.
    #[arg(long, default_value_t = 50)]
    entry_reports: usize,
    /// The PostgreSQL server to run on, in a fresh schema dropped afterwards. Default:
    /// CHITIEU_TEST_POSTGRES, else postgres://postgres@127.0.0.1:5432/test; when the default
    /// server does not answer, the PostgreSQL side is skipped with a message.
    #[arg(long)]
    postgres: Option<String>,
    /// Skip the PostgreSQL side.
    #[arg(long)]
    no_postgres: bool,
    /// Skip the DuckDB comparison.
    #[arg(long)]
    no_duckdb: bool,
    /// The Python interpreter that has the `duckdb` package.
    #[arg(long, default_value = "python3")]
    python: String,
}

fn main() -> Result<()> {
    let mut args = Args::parse();
    if args.quick {
        args.months = args.months.min(6);
        args.rollup_runs = args.rollup_runs.min(2);
        args.dashboard_runs = args.dashboard_runs.or(Some(30));
        args.entry_reports = args.entry_reports.min(10);
    }
    if args.months == 0 || args.months > 600 {
        bail!("--months must be between 1 and 600");
    }
    if args.reuse && args.database.is_none() {
        bail!("--reuse needs --database");
    }
    if args.entry_threads == 0 || args.entry_threads > 64 {
        bail!("--entry-threads must be between 1 and 64");
    }
    let workdir = tempfile::Builder::new().prefix("chitieu-bench").tempdir()?;
    let db_path = match &args.database {
        Some(p) => p.clone(),
        None => workdir.path().join("bench.db"),
    };
    if db_path.exists() && !args.reuse {
        bail!(
            "{} exists: remove it, choose another --database, or pass --reuse",
            db_path.display()
        );
    }
    let result = run(&args, &db_path, workdir.path());
    if args.keep {
        let kept = workdir.keep();
        eprintln!("kept: {} and {}", db_path.display(), kept.display());
    } else if args.database.is_none() {
        drop(workdir);
    }
    result
}

/// The units and indicators of the run.
struct Scope {
    catalog: Catalog,
    /// Nation first, then provinces, then communes.
    versions: Vec<UnitVersion>,
    provinces: usize,
    communes: usize,
    /// Communes in force below each unit of `versions` (1 for a commune itself).
    communes_below: Vec<u32>,
    tree: UnitTree,
    months: Vec<Period>,
    specs: Vec<Spec>,
}

/// What one backend measured, for the side-by-side table.
struct Measured {
    name: &'static str,
    /// Rows loaded and the time taken; None when the load was skipped (--reuse).
    load: Option<(u64, Duration)>,
    /// Median cold run: from the database.
    cold: Timings,
    /// Loading the year's snapshot from the database.
    snapshot_load: Duration,
    /// The year's snapshot saved on disk beside the database.
    saved: Saved,
    /// Median warm run: from the snapshot.
    warm: Timings,
    /// Dashboard straight from the database, p50 and p99: what the goal is judged on.
    dashboard: (Duration, Duration),
    /// Dashboard from a current in-memory copy of its rows (stamp checked), p50 and p99.
    dashboard_held: (Duration, Duration),
    dashboard_goal: Duration,
    /// Figures entered, the time taken, threads.
    entry: (u64, Duration, usize),
    result: YearResult,
}

/// What the snapshot saved on disk measured (`FigureSnapshot::load_cached`).
#[derive(Debug, Clone, Copy)]
struct Saved {
    /// The size of the file.
    bytes: u64,
    /// Median of the cold runs: that, then combining the months and rolling up.
    rollup: Duration,
    /// After a correction was written (and written back): open a new connection, catch the
    /// file up (or read the year again where it cannot), save it when it is worth it, roll up.
    after_write: Duration,
    /// Whether that caught up (SQLite) or read the year again (PostgreSQL).
    caught_up: bool,
    /// Figure rows read to catch up.
    rows_read: u64,
    /// The in-memory snapshot brought up to date after the same writes (`refresh`).
    refresh: Duration,
}

/// What DuckDB measured.
struct Duck {
    version: String,
    /// Loading the CSV files into memory.
    load: Duration,
    /// Median query on the tables in memory.
    query: Duration,
    /// Median of: opening its own database file (a new connection) and running the query.
    file: Duration,
}

fn run(args: &Args, db_path: &Path, workdir: &Path) -> Result<()> {
    let reusing = args.reuse && db_path.exists();
    println!("chitieu-bench{}", if args.quick { " --quick" } else { "" });
    let sqlite_open = Open::Sqlite(db_path.to_path_buf());
    let mut sqlite = sqlite_open.open()?;
    let bar = progress::Bar::new();
    sqlite.init(&Catalog::builtin(), &bar)?;
    let scope = scope(&sqlite, args)?;
    let first = scope.months.first().context("no months")?;
    println!(
        "  units:      1 nation, {} provinces, {} communes (in force on {})",
        scope.provinces,
        scope.communes,
        on_date()?
    );
    println!(
        "  indicators: {}; months: {} ({first} … {LAST_YEAR}-M{LAST_MONTH:02}); figures: {}",
        scope.catalog.indicators.len(),
        scope.months.len(),
        group(figure_count(&scope))
    );
    println!(
        "  machine:    {} logical CPUs as the OS reports them; release build: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if cfg!(debug_assertions) {
            "no (debug: timings are not representative)"
        } else {
            "yes"
        }
    );
    println!();

    // SQLite.
    println!("SQLite ({})", db_path.display());
    let load = if reusing {
        let have = db::figures_up_to(&sqlite, &last_month()?)?;
        if have != figure_count(&scope) {
            bail!(
                "{} holds {} figures, this run would load {}: rebuild it without --reuse",
                db_path.display(),
                have,
                figure_count(&scope)
            );
        }
        println!("1. load: skipped (--reuse)");
        None
    } else {
        Some(load(&mut sqlite, &scope, &bar)?)
    };
    if let AnyStore::Sqlite(s) = &sqlite
        && let Some(path) = s.connection().path()
        && let Ok(m) = std::fs::metadata(path)
    {
        println!("   database file: {} MB", group(m.len() / 1_000_000));
    }
    let snapshot_dir = sqlite
        .snapshot_dir()
        .context("the SQLite database has no file beside which to save a snapshot")?;
    let sqlite_result = measure(
        &sqlite_open,
        &mut sqlite,
        &scope,
        args,
        load,
        GOAL_DASHBOARD_SQLITE,
        &snapshot_dir,
    )?;
    println!();

    // PostgreSQL.
    let postgres_result = if args.no_postgres {
        println!("PostgreSQL: skipped (--no-postgres)");
        None
    } else {
        postgres(args, &bar, workdir)?
    };
    println!();

    // DuckDB.
    let duck = if args.no_duckdb {
        println!("DuckDB: skipped (--no-duckdb)");
        None
    } else {
        duckdb(&sqlite, &scope, args, workdir, &sqlite_result)?
    };
    println!();
    table(&sqlite_result, postgres_result.as_ref(), duck.as_ref());
    Ok(())
}

fn on_date() -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(2025, 7, 1).context("date")
}

fn last_month() -> Result<Period> {
    Ok(Period::month(LAST_YEAR, LAST_MONTH)?)
}

/// The PostgreSQL side: a fresh schema, loaded, measured and dropped. None when the default
/// server does not answer.
fn postgres(args: &Args, bar: &progress::Bar, workdir: &Path) -> Result<Option<Measured>> {
    let (url, explicit) = match &args.postgres {
        Some(u) => (u.clone(), true),
        None => (
            std::env::var("CHITIEU_TEST_POSTGRES")
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_POSTGRES.to_string()),
            false,
        ),
    };
    let shown = chitieu_store::Location::Postgres(url.clone()).to_string();
    if let Err(e) = PgStore::check_server(&url) {
        if explicit {
            bail!("no PostgreSQL server answers at {shown}: {e}");
        }
        println!(
            "PostgreSQL: skipped: no server answers at {shown} ({e}); pass --postgres URL or --no-postgres"
        );
        return Ok(None);
    }
    let schema = format!("chitieu_bench_{}", std::process::id());
    let open = Open::Postgres {
        url: url.clone(),
        schema: schema.clone(),
    };
    println!("PostgreSQL ({shown}, schema {schema})");
    let result = (|| -> Result<Measured> {
        let mut pg = open.open()?;
        pg.init(&Catalog::builtin(), bar)?;
        let scope = scope(&pg, args)?;
        let loaded = load(&mut pg, &scope, bar)?;
        // After a bulk load an operator vacuums and analyses (autovacuum would, later): fresh
        // statistics for the planner, and a visibility map for index-only scans.
        if let AnyStore::Postgres(p) = &mut pg {
            p.batch_execute("VACUUM (ANALYZE)")?;
        }
        measure(
            &open,
            &mut pg,
            &scope,
            args,
            Some(loaded),
            GOAL_DASHBOARD_POSTGRES,
            // A PostgreSQL server is not on the reader's disk: the reader keeps its own folder.
            &workdir.join("postgres-snapshots"),
        )
    })();
    if args.keep {
        eprintln!("kept: PostgreSQL schema {schema} at {shown}");
    } else if let Err(e) = PgStore::drop_schema(&url, &schema) {
        eprintln!("note: could not drop schema {schema}: {e}");
    }
    result.map(Some)
}

/// Steps 2–4 on one backend.
fn measure(
    open: &Open,
    store: &mut AnyStore,
    scope: &Scope,
    args: &Args,
    load: Option<(u64, Duration)>,
    dashboard_goal: Duration,
    snapshot_dir: &Path,
) -> Result<Measured> {
    let th = Thresholds::default();
    // 2. Cold: from the database, a second connection reading in a second thread.
    let mut reader = open.open()?;
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..args.rollup_runs.max(1) {
        let r = rollup_cold(store, &mut reader, scope, LAST_YEAR, &th)?;
        runs.push(r.timings);
        last = Some(r);
    }
    drop(reader);
    let cold_result = last.context("no roll-up run")?;
    check_national(scope, &cold_result)?;
    runs.sort_by_key(|t| t.total());
    let cold = runs[runs.len() / 2];
    println!(
        "2. roll-up + evaluation of {LAST_YEAR}, cold (from the database; {} runs): median {}, best {}   goal < {}: {}",
        runs.len(),
        secs(cold.total()),
        secs(runs[0].total()),
        secs(GOAL_ROLLUP),
        verdict(cold.total() < GOAL_ROLLUP)
    );
    println!(
        "   median run: read {} figures (2 connections) {}, read targets {}, roll-up {}, evaluate {} ({} evaluations)",
        group(cold_result.figures_read),
        secs(cold.read),
        secs(cold.targets),
        secs(cold.rollup),
        secs(cold.evaluate),
        group(u64::from(cold_result.summary.total())),
    );
    println!(
        "   statuses: {}; national totals checked against the generator: ok",
        status_line(&cold_result.summary)
    );

    // 2'. Warm: from a snapshot of the year held in memory.
    let months: Vec<Period> = year_months(LAST_YEAR)?;
    let start = Instant::now();
    let mut snapshot = FigureSnapshot::load(&*store, &months)?;
    let snapshot_load = start.elapsed();
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..args.rollup_runs.max(1) {
        let r = rollup_warm(store, &snapshot, scope, LAST_YEAR, &th)?;
        runs.push(r.timings);
        last = Some(r);
    }
    let warm_result = last.context("no roll-up run")?;
    check_national(scope, &warm_result)?;
    if warm_result.summary != cold_result.summary || warm_result.national != cold_result.national {
        bail!("the roll-up from the snapshot differs from the roll-up from the database");
    }
    runs.sort_by_key(|t| t.total());
    let warm = runs[runs.len() / 2];
    println!(
        "   warm (from a snapshot of the year in memory, loaded once in {}: {} figures; {} runs): median {}, best {}",
        secs(snapshot_load),
        group(snapshot.figures()),
        runs.len(),
        secs(warm.total()),
        secs(runs[0].total()),
    );
    println!(
        "   median run: freshness check + combine months {}, read targets {}, roll-up {}, evaluate {}; same statuses and totals as cold",
        secs(warm.read),
        secs(warm.targets),
        secs(warm.rollup),
        secs(warm.evaluate),
    );

    // 2''. Cold again, from the snapshot saved on disk.
    let saved = saved_snapshot(
        open,
        store,
        scope,
        snapshot_dir,
        args,
        &th,
        &cold_result,
        &mut snapshot,
    )?;
    drop(snapshot);

    // 3. Dashboard.
    let runs = args.dashboard_runs.unwrap_or(300);
    let (dashboard, dashboard_held) = dashboard(store, scope, runs, &th, dashboard_goal)?;

    // 4. Concurrent entry.
    let entry = entry(open, scope, args)?;

    Ok(Measured {
        name: open.name(),
        load,
        cold,
        snapshot_load,
        saved,
        warm,
        dashboard,
        dashboard_held,
        dashboard_goal,
        entry,
        result: cold_result,
    })
}

/// Times the year's snapshot saved on disk: built once from the database, then read by new
/// connections as a cold reader would (open, check the change key, read the file, roll up),
/// then caught up after a correction is written and written back (the data is the same, the
/// history has moved). Every roll-up is checked against the one read from the database.
#[allow(clippy::too_many_arguments)]
fn saved_snapshot(
    open: &Open,
    store: &mut AnyStore,
    scope: &Scope,
    dir: &Path,
    args: &Args,
    th: &Thresholds,
    from_db: &YearResult,
    held: &mut FigureSnapshot,
) -> Result<Saved> {
    let months = year_months(LAST_YEAR)?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let same = |r: &YearResult, what: &str| -> Result<()> {
        if r.summary != from_db.summary || r.national != from_db.national {
            bail!(
                "the roll-up from the saved snapshot ({what}) differs from the roll-up from the database"
            );
        }
        Ok(())
    };
    let start = Instant::now();
    let (_, used) = FigureSnapshot::load_cached(&*store, &months, dir)?;
    let build = start.elapsed();
    let CacheUse::Rebuilt {
        path,
        save_error: None,
        ..
    } = &used
    else {
        bail!("the first saved snapshot: {used}");
    };
    let bytes = std::fs::metadata(path)
        .with_context(|| format!("{}", path.display()))?
        .len();

    let mut runs = Vec::new();
    for _ in 0..args.rollup_runs.max(1) {
        let start = Instant::now();
        let fresh = open.open()?;
        let (snap, used) = FigureSnapshot::load_cached(&fresh, &months, dir)?;
        let opened = start.elapsed();
        if !matches!(used, CacheUse::Reused { .. }) {
            bail!("the saved snapshot should have been current: {used}");
        }
        let r = rollup_warm(&fresh, &snap, scope, LAST_YEAR, th)?;
        same(&r, "current")?;
        runs.push((opened + r.timings.rollup_only(), opened));
    }
    runs.sort();
    let (rollup, opened) = runs[runs.len() / 2];

    // A commune's December report corrected, then corrected back.
    let commune = communes(scope).first().context("no commune")?;
    let month = Period::month(LAST_YEAR, LAST_MONTH)?;
    let report = |bump: Decimal| -> Batch {
        Batch {
            figures: scope
                .catalog
                .indicators
                .iter()
                .enumerate()
                .map(|(i, ind)| FigureInput {
                    indicator: ind.code.clone(),
                    unit: commune.unit,
                    period: month,
                    value: value(scope.specs[i], i, commune.unit, &month) + bump,
                    state: FigureState::Official,
                    as_of: None,
                    provenance: Provenance::Generated {
                        note: "chitieu-bench correction".to_string(),
                    },
                    note: None,
                })
                .collect(),
            ..Batch::default()
        }
    };
    store.apply(&report(Decimal::ONE), "chitieu-bench-correction")?;
    store.apply(&report(Decimal::ZERO), "chitieu-bench-correction")?;
    let start = Instant::now();
    let fresh = open.open()?;
    let (snap, used) = FigureSnapshot::load_cached(&fresh, &months, dir)?;
    let caught = start.elapsed();
    let r = rollup_warm(&fresh, &snap, scope, LAST_YEAR, th)?;
    let after_write = caught + r.timings.rollup_only();
    same(&r, "after a write")?;
    let (caught_up, rows_read, resaved) = match &used {
        CacheUse::CaughtUp {
            figures_read,
            saved,
            save_error: None,
            ..
        } => (true, *figures_read, *saved),
        CacheUse::Rebuilt {
            save_error: None, ..
        } => (false, 0, true),
        other => bail!("after a write: {other}"),
    };
    // The data is back as it was, so equal totals alone would not show the catch-up worked:
    // the corrected report's current rows (one per indicator) must have been read.
    let written = scope.catalog.indicators.len() as u64;
    if caught_up && rows_read != written {
        bail!("catching up read {rows_read} figure rows; the correction left {written}");
    }
    let start = Instant::now();
    held.refresh(&*store)?;
    let refresh = start.elapsed();
    let r = rollup_warm(store, held, scope, LAST_YEAR, th)?;
    same(&r, "in memory, refreshed")?;

    println!(
        "   cold from the snapshot saved on disk ({}, {} MB; built once in {}): a new connection reads it in {} (median of {}), + roll-up = {}",
        dir.display(),
        group(bytes / 1_000_000),
        secs(build),
        secs(opened),
        runs.len(),
        secs(rollup),
    );
    println!(
        "   after a correction was written: a new connection {} in {} + roll-up = {}; the in-memory snapshot refreshed in {}; same totals",
        if caught_up {
            format!(
                "caught the file up on {rows_read} new figure rows ({})",
                if resaved {
                    "and saved it again"
                } else {
                    "too few to rewrite the file for"
                }
            )
        } else {
            "read the year again and saved it".to_string()
        },
        secs(caught),
        secs(after_write),
        secs(refresh),
    );
    Ok(Saved {
        bytes,
        rollup,
        after_write,
        caught_up,
        rows_read,
        refresh,
    })
}

fn year_months(year: i32) -> Result<Vec<Period>> {
    (1..=12)
        .map(|m| Period::month(year, m).map_err(anyhow::Error::from))
        .collect()
}

// ----- the synthetic data -----

/// How an indicator's synthetic monthly values are drawn: `lo + h mod span`, at `scale`.
#[derive(Debug, Clone, Copy)]
struct Spec {
    lo: i64,
    span: u64,
    scale: u32,
}

fn spec(ind: &Indicator) -> Spec {
    if ind.is_count_of_units() {
        // A commune either meets the standard or not.
        return Spec {
            lo: 0,
            span: 2,
            scale: 0,
        };
    }
    match ind.unit.as_str() {
        "%" => Spec {
            lo: 1_000,
            span: 9_000,
            scale: 2,
        },
        // Million đồng (or dollars) a month, to the thousand.
        "VND" | "USD" => Spec {
            lo: 100_000,
            span: 900_000,
            scale: 3,
        },
        "ha" | "t" | "km" => Spec {
            lo: 100,
            span: 100_000,
            scale: 2,
        },
        "tạ/ha" => Spec {
            lo: 400,
            span: 300,
            scale: 1,
        },
        "tiêu chí/xã" => Spec {
            lo: 100,
            span: 90,
            scale: 1,
        },
        _ => Spec {
            lo: 0,
            span: 50,
            scale: 0,
        },
    }
}

/// splitmix64 of three keys: the same inputs always give the same value.
fn mix(a: u64, b: u64, c: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b.wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(c.wrapping_mul(0x94D0_49BB_1331_11EB))
        .wrapping_add(0x2545_F491_4F6C_DD1D);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn month_key(p: &Period) -> u64 {
    match *p {
        Period::Month { year, month } => (year as u64) * 12 + u64::from(month),
        _ => 0,
    }
}

/// The figure of indicator `i` for a commune in a month.
fn value(spec: Spec, i: usize, unit: UnitId, month: &Period) -> Decimal {
    let h = mix(i as u64 + 1, unit.0 as u64, month_key(month));
    let offset = i64::try_from(h % spec.span).unwrap_or(0);
    Decimal::new(spec.lo + offset, spec.scale)
}

/// The annual target of indicator `i` for a unit with `communes` communes below it: about the
/// expected year value, ±15 %.
fn target_value(
    spec: Spec,
    ind: &Indicator,
    i: usize,
    unit: UnitId,
    year: i32,
    communes: u32,
) -> Decimal {
    let span = i64::try_from(spec.span).unwrap_or(1);
    let mean = Decimal::new(2 * spec.lo + span - 1, spec.scale) / Decimal::TWO;
    let months = match ind.temporal {
        Temporal::Cumulative => Decimal::from(12),
        Temporal::Level => Decimal::ONE,
    };
    let units = match ind.aggregation {
        Aggregation::Sum => Decimal::from(communes.max(1)),
        _ => Decimal::ONE,
    };
    let h = mix(i as u64 + 101, unit.0 as u64, year as u64);
    let factor = Decimal::new(85 + (h % 31) as i64, 2);
    (mean * months * units * factor).round_dp(2)
}

fn scope(store: &AnyStore, args: &Args) -> Result<Scope> {
    let on = on_date()?;
    let nation = store.unit_on(UnitId(db::nation_id(store)?), on)?;
    let below = store.descendants_on(nation.unit, on)?;
    let mut provinces: Vec<UnitVersion> = below
        .iter()
        .filter(|v| v.level == Level::Province && v.parent == Some(nation.unit))
        .cloned()
        .collect();
    if args.quick {
        provinces.truncate(2);
    }
    let communes: Vec<UnitVersion> = below
        .iter()
        .filter(|v| v.level == Level::Commune && provinces.iter().any(|p| Some(p.unit) == v.parent))
        .cloned()
        .collect();
    let mut catalog = Catalog::builtin();
    if args.indicators == 0 || args.indicators > catalog.indicators.len() {
        bail!(
            "--indicators must be between 1 and {}",
            catalog.indicators.len()
        );
    }
    catalog.indicators.truncate(args.indicators);
    let (np, nc) = (provinces.len(), communes.len());
    let mut versions = vec![nation];
    versions.extend(provinces);
    versions.extend(communes);
    let tree = UnitTree::on(&versions, on);
    if tree.len() != versions.len() || !tree.detached().is_empty() {
        bail!(
            "the unit tree on {on} has {} units, expected {}",
            tree.len(),
            versions.len()
        );
    }
    let communes_below = versions
        .iter()
        .map(|v| match v.level {
            Level::Commune => 1,
            _ => tree.count_below(v.unit, Level::Commune),
        })
        .collect();
    let mut months = Vec::new();
    let (mut y, mut m) = (LAST_YEAR, LAST_MONTH);
    for _ in 0..args.months {
        months.push(Period::month(y, m)?);
        if m == 1 {
            (y, m) = (y - 1, 12);
        } else {
            m -= 1;
        }
    }
    months.reverse();
    let specs = catalog.indicators.iter().map(spec).collect();
    Ok(Scope {
        catalog,
        versions,
        provinces: np,
        communes: nc,
        communes_below,
        tree,
        months,
        specs,
    })
}

fn figure_count(scope: &Scope) -> u64 {
    (scope.months.len() * scope.communes * scope.catalog.indicators.len()) as u64
}

fn communes(scope: &Scope) -> &[UnitVersion] {
    &scope.versions[1 + scope.provinces..]
}

fn years(scope: &Scope) -> Vec<i32> {
    let mut years: Vec<i32> = scope.months.iter().map(|p| p.year_of()).collect();
    years.dedup();
    years
}

fn plan_key(year: i32) -> String {
    format!("BENCH-{year}")
}

// ----- 1. load -----

/// Loads the figures and targets; returns the rows and the time taken.
fn load(store: &mut AnyStore, scope: &Scope, bar: &progress::Bar) -> Result<(u64, Duration)> {
    let nation = scope.versions[0].unit;
    let years = years(scope);
    let plan_sources = years
        .iter()
        .map(|&y| PlanSource {
            key: plan_key(y),
            kind: PlanKind::CouncilPlan,
            title: format!("Kế hoạch phát triển kinh tế - xã hội năm {y} (dữ liệu thử)"),
            unit: nation,
            issued_on: NaiveDate::from_ymd_opt(y - 1, 12, 15),
        })
        .collect();
    store.apply(
        &Batch {
            plan_sources,
            ..Batch::default()
        },
        "chitieu-bench",
    )?;

    let opts = BulkOptions {
        actor: "chitieu-bench".to_string(),
        state: FigureState::Official,
        provenance: Provenance::Generated {
            note: "chitieu-bench synthetic data".to_string(),
        },
        rows_per_transaction: 2_000_000,
        expected_rows: figure_count(scope),
    };
    // Month by month, commune by commune: the order in which figures arrive in real use.
    let indicators = &scope.catalog.indicators;
    let specs = &scope.specs;
    let figures = scope.months.iter().flat_map(|period| {
        communes(scope).iter().flat_map(move |c| {
            indicators
                .iter()
                .enumerate()
                .map(move |(i, ind)| BulkFigure {
                    indicator: &ind.code,
                    unit: c.unit,
                    period: *period,
                    value: value(specs[i], i, c.unit, period),
                })
        })
    });
    let start = Instant::now();
    let fig = db::bulk_insert_figures(store, figures, &opts, bar)?;
    let fig_time = start.elapsed();

    let targets = years.iter().flat_map(|&year| {
        scope
            .versions
            .iter()
            .zip(&scope.communes_below)
            .flat_map(move |(v, &below)| {
                indicators.iter().enumerate().map(move |(i, ind)| {
                    let value = target_value(specs[i], ind, i, v.unit, year, below);
                    Target {
                        indicator: ind.code.clone(),
                        unit: v.unit,
                        period: Period::Year { year },
                        source: plan_key(year),
                        comparator: match ind.direction {
                            Direction::Down => Comparator::AtMost { value },
                            _ => Comparator::AtLeast { value },
                        },
                    }
                })
            })
    });
    let topts = BulkOptions {
        expected_rows: (years.len() * scope.versions.len() * indicators.len()) as u64,
        ..opts
    };
    let start = Instant::now();
    let tgt = db::bulk_insert_targets(store, targets, &topts, bar)?;
    let tgt_time = start.elapsed();
    let rows = fig.rows + tgt.rows;
    let total = fig_time + tgt_time;
    println!(
        "1. load: {} figures + {} targets in {} transactions: {} ({} rows/s; figures alone {} rows/s)",
        group(fig.rows),
        group(tgt.rows),
        fig.transactions + tgt.transactions,
        secs(total),
        group(per_second(rows, total)),
        group(per_second(fig.rows, fig_time)),
    );
    Ok((rows, total))
}

// ----- 2. roll-up and evaluation -----

#[derive(Debug, Clone, Copy, Default)]
struct Timings {
    /// Cold: reading the year's figures from the database and combining the months. Warm:
    /// checking the snapshot is current and combining the months from it.
    read: Duration,
    targets: Duration,
    rollup: Duration,
    evaluate: Duration,
}

impl Timings {
    fn total(&self) -> Duration {
        self.read + self.targets + self.rollup + self.evaluate
    }
    /// What DuckDB's query does too: read the figures, combine the months, roll up.
    fn rollup_only(&self) -> Duration {
        self.read + self.rollup
    }
}

struct YearResult {
    timings: Timings,
    figures_read: u64,
    summary: Summary,
    /// The nation's rolled-up value of each indicator.
    national: HashMap<String, Option<Decimal>>,
}

/// Lookups shared by the threads that read figures.
struct Keys<'a> {
    ind_index: &'a HashMap<&'a str, usize>,
    unit_index: &'a HashMap<i64, usize>,
    temporal: &'a [Temporal],
    n_units: usize,
}

/// Reads some months of a year and combines them by each indicator's temporal rule, into a
/// dense indicator × unit table. Returns it, the number of figures read and whether a sum
/// overflowed.
fn read_months(
    store: &AnyStore,
    year: i32,
    months: std::ops::RangeInclusive<u32>,
    keys: &Keys<'_>,
) -> Result<(Vec<Option<Decimal>>, u64, bool)> {
    let mut values: Vec<Option<Decimal>> = vec![None; keys.temporal.len() * keys.n_units];
    let mut overflow = false;
    let mut n = 0;
    for month in months {
        n += db::for_each_current_figure(store, &Period::month(year, month)?, |code, unit, v| {
            let (Some(&i), Some(&u)) = (keys.ind_index.get(code), keys.unit_index.get(&unit.0))
            else {
                return;
            };
            let slot = &mut values[i * keys.n_units + u];
            *slot = match (keys.temporal[i], *slot) {
                (Temporal::Cumulative, Some(sum)) => {
                    let s = sum.checked_add(v);
                    overflow |= s.is_none();
                    s
                }
                // Months come in order: the last one read is the latest.
                _ => Some(v),
            };
        })?;
    }
    Ok((values, n, overflow))
}

/// The indexes of the run's units and indicators.
struct Index<'a> {
    unit_index: HashMap<i64, usize>,
    ind_index: HashMap<&'a str, usize>,
    temporal: Vec<Temporal>,
}

fn index(scope: &Scope) -> Index<'_> {
    Index {
        unit_index: scope
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| (v.unit.0, i))
            .collect(),
        ind_index: scope
            .catalog
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.code.as_str(), i))
            .collect(),
        temporal: scope
            .catalog
            .indicators
            .iter()
            .map(|i| i.temporal)
            .collect(),
    }
}

/// The roll-up of a year read from the database: the first half of the year on this
/// connection, the second on another one in a second thread (SQLite's WAL and PostgreSQL
/// both let readers run side by side).
fn rollup_cold(
    store: &AnyStore,
    second: &mut AnyStore,
    scope: &Scope,
    year: i32,
    th: &Thresholds,
) -> Result<YearResult> {
    let start = Instant::now();
    let ix = index(scope);
    let n_units = scope.versions.len();
    let keys = Keys {
        ind_index: &ix.ind_index,
        unit_index: &ix.unit_index,
        temporal: &ix.temporal,
        n_units,
    };
    let (first, second) = std::thread::scope(|s| {
        let keys = &keys;
        let later = s.spawn(move || read_months(&*second, year, 7..=12, keys));
        let earlier = read_months(store, year, 1..=6, keys);
        (earlier, later.join())
    });
    let first = first?;
    let second = second.map_err(|_| anyhow::anyhow!("the reading thread panicked"))??;
    let figures_read = first.1 + second.1;
    let mut overflow = false;
    let year_values: Vec<Option<Decimal>> = first
        .0
        .into_iter()
        .zip(second.0)
        .enumerate()
        .map(|(k, (a, b))| match (ix.temporal[k / n_units], a, b) {
            (Temporal::Cumulative, Some(a), Some(b)) => {
                let s = a.checked_add(b);
                overflow |= s.is_none();
                s
            }
            // Level: the later half's last month when it has one.
            (_, a, b) => b.or(a),
        })
        .collect();
    if overflow || first.2 || second.2 {
        bail!("a yearly sum overflowed the decimal range");
    }
    let read = start.elapsed();
    finish(store, scope, &ix, year, year_values, figures_read, read, th)
}

/// The roll-up of a year from a snapshot of its figures held in memory; refuses a snapshot
/// that is no longer current.
fn rollup_warm(
    store: &AnyStore,
    snapshot: &FigureSnapshot,
    scope: &Scope,
    year: i32,
    th: &Thresholds,
) -> Result<YearResult> {
    let start = Instant::now();
    if !snapshot.is_current(store)? {
        bail!("the snapshot is stale: something was written since it was taken");
    }
    let ix = index(scope);
    let n_units = scope.versions.len();
    // Snapshot unit positions → positions in the run's unit list.
    let position: Vec<Option<usize>> = snapshot
        .units()
        .iter()
        .map(|u| ix.unit_index.get(&u.0).copied())
        .collect();
    let mut year_values: Vec<Option<Decimal>> = vec![None; ix.temporal.len() * n_units];
    let mut figures_read = 0u64;
    let mut overflow = false;
    for month in year_months(year)? {
        for (i, ind) in scope.catalog.indicators.iter().enumerate() {
            let Some(col) = snapshot.column(&month, ind.code.as_str()) else {
                continue;
            };
            let row = &mut year_values[i * n_units..(i + 1) * n_units];
            figures_read += col.units.len() as u64;
            match ix.temporal[i] {
                Temporal::Cumulative => {
                    for (&u, &v) in col.units.iter().zip(&col.values) {
                        if let Some(Some(p)) = position.get(u as usize) {
                            let slot = &mut row[*p];
                            *slot = match *slot {
                                Some(sum) => {
                                    let s = sum.checked_add(v);
                                    overflow |= s.is_none();
                                    s
                                }
                                None => Some(v),
                            };
                        }
                    }
                }
                Temporal::Level => {
                    for (&u, &v) in col.units.iter().zip(&col.values) {
                        if let Some(Some(p)) = position.get(u as usize) {
                            row[*p] = Some(v);
                        }
                    }
                }
            }
        }
    }
    if overflow {
        bail!("a yearly sum overflowed the decimal range");
    }
    let read = start.elapsed();
    finish(store, scope, &ix, year, year_values, figures_read, read, th)
}

/// Reads the year's targets, rolls the year's figures up the tree and evaluates every target.
#[allow(clippy::too_many_arguments)]
fn finish(
    store: &AnyStore,
    scope: &Scope,
    ix: &Index<'_>,
    year: i32,
    year_values: Vec<Option<Decimal>>,
    figures_read: u64,
    read: Duration,
    th: &Thresholds,
) -> Result<YearResult> {
    let catalog = &scope.catalog;
    let n_units = scope.versions.len();
    let start = Instant::now();
    let unit_ids: Vec<UnitId> = scope.versions.iter().map(|v| v.unit).collect();
    let mut targets: Vec<Option<Target>> = vec![None; catalog.indicators.len() * n_units];
    let period = Period::year(year)?;
    db::for_each_target(store, &unit_ids, &period, |t| {
        if let (Some(&i), Some(&u)) = (
            ix.ind_index.get(t.indicator.as_str()),
            ix.unit_index.get(&t.unit.0),
        ) {
            targets[i * n_units + u] = Some(t);
        }
    })?;
    let targets_time = start.elapsed();

    let start = Instant::now();
    let mut table = FigureTable::new();
    for (i, ind) in catalog.indicators.iter().enumerate() {
        for (u, v) in scope.versions.iter().enumerate() {
            if let Some(value) = year_values[i * n_units + u] {
                table.insert(ind.code.clone(), v.unit, value);
            }
        }
    }
    let (rolled, errors) = rollup_all(&scope.tree, catalog, &table);
    if let Some(e) = errors.first() {
        bail!("roll-up failed: {e}");
    }
    let rollup = start.elapsed();

    let start = Instant::now();
    let mut statuses = Vec::with_capacity(catalog.indicators.len() * n_units);
    for (i, ind) in catalog.indicators.iter().enumerate() {
        let Some(by_unit) = rolled.get(&ind.code) else {
            continue;
        };
        for (u, v) in scope.versions.iter().enumerate() {
            let Some(target) = &targets[i * n_units + u] else {
                continue;
            };
            let actual = by_unit.get(&v.unit).and_then(|r| r.effective());
            let mut input = EvalInput::for_target(ind, target, actual, period);
            if ind.is_count_of_units() {
                input.total_units = Some(scope.communes_below[u]);
            }
            statuses.push(evaluate(&input, th).status);
        }
    }
    let summary = Summary::of_statuses(statuses);
    let evaluate_time = start.elapsed();

    let nation = scope.versions[0].unit;
    let national = catalog
        .indicators
        .iter()
        .map(|ind| {
            let v = rolled
                .get(&ind.code)
                .and_then(|m| m.get(&nation))
                .and_then(|r| r.effective());
            (ind.code.to_string(), v)
        })
        .collect();
    Ok(YearResult {
        timings: Timings {
            read,
            targets: targets_time,
            rollup,
            evaluate: evaluate_time,
        },
        figures_read,
        summary,
        national,
    })
}

/// Recomputes the national value of every summed indicator straight from the generator and
/// compares it with the roll-up's.
fn check_national(scope: &Scope, result: &YearResult) -> Result<()> {
    let months: Vec<&Period> = scope
        .months
        .iter()
        .filter(|p| p.year_of() == LAST_YEAR)
        .collect();
    for (i, ind) in scope.catalog.indicators.iter().enumerate() {
        if ind.aggregation != Aggregation::Sum {
            continue;
        }
        let mut expected = Decimal::ZERO;
        for c in communes(scope) {
            let year_value = match ind.temporal {
                Temporal::Cumulative => months
                    .iter()
                    .map(|p| value(scope.specs[i], i, c.unit, p))
                    .sum(),
                Temporal::Level => match months.last() {
                    Some(p) => value(scope.specs[i], i, c.unit, p),
                    None => Decimal::ZERO,
                },
            };
            expected += year_value;
        }
        let got = result.national.get(ind.code.as_str()).copied().flatten();
        if got != Some(expected) {
            bail!(
                "national {} for {LAST_YEAR}: rolled up {got:?}, generated {expected}",
                ind.code
            );
        }
    }
    Ok(())
}

// ----- 3. dashboard -----

/// The dashboard's rows held in memory with the change stamp read just before they were read:
/// current exactly as long as the stamp has not moved (the same rule as `FigureSnapshot`).
struct HeldDashboard {
    stamp: i64,
    rows: Dashboard,
}

impl HeldDashboard {
    fn load(store: &AnyStore, unit: UnitId, period: &Period) -> Result<HeldDashboard> {
        let stamp = store.change_stamp()?;
        Ok(HeldDashboard {
            stamp,
            rows: db::dashboard(store, unit, period)?,
        })
    }

    /// Checks the stamp (one query) and reloads when it moved. Returns whether it reloaded.
    fn refresh(&mut self, store: &AnyStore, unit: UnitId, period: &Period) -> Result<bool> {
        if store.change_stamp()? == self.stamp {
            return Ok(false);
        }
        *self = HeldDashboard::load(store, unit, period)?;
        Ok(true)
    }
}

/// Returns (p50, p99) of the dashboard straight from the database, then of the dashboard from
/// a current in-memory copy of its rows.
fn dashboard(
    store: &AnyStore,
    scope: &Scope,
    runs: usize,
    th: &Thresholds,
    goal: Duration,
) -> Result<((Duration, Duration), (Duration, Duration))> {
    // The province with the most communes: the largest dashboard.
    let (p, _) = scope.versions[1..=scope.provinces]
        .iter()
        .enumerate()
        .max_by_key(|(k, _)| scope.communes_below[k + 1])
        .context("no province")?;
    let province = &scope.versions[p + 1];
    let communes_count = scope.communes_below[p + 1];
    let period = last_month()?;
    let by_code: HashMap<&str, &Indicator> = scope
        .catalog
        .indicators
        .iter()
        .map(|i| (i.code.as_str(), i))
        .collect();
    let mut times = Vec::with_capacity(runs);
    let mut query_times = Vec::with_capacity(runs);
    let mut rollup_times = Vec::with_capacity(runs);
    let mut evaluated = 0;
    let mut figures = 0;
    let mut direct_statuses = None;
    for run in 0..runs.max(1) + 3 {
        let start = Instant::now();
        let d = db::dashboard(store, province.unit, &period)?;
        let query = start.elapsed();
        let (n, rollup, statuses) =
            dashboard_evaluate(&d, province.unit, &period, &scope.catalog, &by_code, th);
        let elapsed = start.elapsed();
        // The first runs warm the caches and the prepared statements.
        if run >= 3 {
            times.push(elapsed);
            query_times.push(query);
            rollup_times.push(rollup);
        }
        (evaluated, figures) = (n, d.figures.len());
        direct_statuses = Some(statuses);
    }
    times.sort();
    query_times.sort();
    rollup_times.sort();
    let p50 = percentile(&times, 50);
    let p99 = percentile(&times, 99);
    println!(
        "3. dashboard of {} ({} communes, {period}; {} figures, {} evaluations; {} runs), straight from the database: p50 {}, p99 {}   goal < {} (judged on this line): {}",
        province.title(),
        communes_count,
        group(figures as u64),
        group(evaluated as u64),
        times.len(),
        millis(p50),
        millis(p99),
        millis(goal),
        verdict(p99 < goal)
    );
    println!(
        "   of which the store's query (units, figures, targets): p50 {}, p99 {}; roll-up p50 {}; the rest is evaluation",
        millis(percentile(&query_times, 50)),
        millis(percentile(&query_times, 99)),
        millis(percentile(&rollup_times, 50)),
    );

    // The same dashboard from a copy of its rows held in memory: every run checks the change
    // stamp (one query) and would reload on a write; then the roll-up and every evaluation.
    let mut held = HeldDashboard::load(store, province.unit, &period)?;
    let mut held_times = Vec::with_capacity(runs);
    let mut reloads = 0;
    let mut held_statuses = None;
    for run in 0..runs.max(1) + 3 {
        let start = Instant::now();
        if held.refresh(store, province.unit, &period)? {
            reloads += 1;
        }
        let (_, _, statuses) = dashboard_evaluate(
            &held.rows,
            province.unit,
            &period,
            &scope.catalog,
            &by_code,
            th,
        );
        let elapsed = start.elapsed();
        if run >= 3 {
            held_times.push(elapsed);
        }
        held_statuses = Some(statuses);
    }
    if held_statuses != direct_statuses {
        bail!("the dashboard from the in-memory copy differs from the one from the database");
    }
    held_times.sort();
    let held_p50 = percentile(&held_times, 50);
    let held_p99 = percentile(&held_times, 99);
    println!(
        "   from a current in-memory snapshot of the same rows, stamp checked on every run ({} runs, {} reloads): p50 {}, p99 {}; same statuses as straight from the database",
        held_times.len(),
        reloads,
        millis(held_p50),
        millis(held_p99),
    );
    Ok(((p50, p99), (held_p50, held_p99)))
}

/// One dashboard's work after reading its rows: the province's figure rolled up from its
/// communes, and every target evaluated. Returns the number of evaluations, the roll-up's time
/// and the statuses counted.
fn dashboard_evaluate(
    d: &Dashboard,
    unit: UnitId,
    period: &Period,
    catalog: &Catalog,
    by_code: &HashMap<&str, &Indicator>,
    th: &Thresholds,
) -> (usize, Duration, Summary) {
    let start = Instant::now();
    let mut versions = d.children.clone();
    versions.push(d.unit.clone());
    let tree = UnitTree::on(&versions, period.end_date());
    let table: FigureTable = d
        .figures
        .iter()
        .map(|f| ((f.indicator.clone(), f.unit), f.value))
        .collect();
    let (rolled, _) = rollup_all(&tree, catalog, &table);
    let rollup = start.elapsed();
    let children = u32::try_from(d.children.len()).unwrap_or(u32::MAX);
    let mut n = 0;
    let mut statuses = Vec::with_capacity(d.targets.len());
    for t in &d.targets {
        let Some(ind) = by_code.get(t.indicator.as_str()) else {
            continue;
        };
        let actual = rolled
            .get(&ind.code)
            .and_then(|m| m.get(&t.unit))
            .and_then(|r| r.effective());
        let mut input = EvalInput::for_target(ind, t, actual, *period);
        if ind.is_count_of_units() {
            input.total_units = Some(if t.unit == unit { children } else { 1 });
        }
        statuses.push(std::hint::black_box(evaluate(&input, th)).status);
        n += 1;
    }
    (n, rollup, Summary::of_statuses(statuses))
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

// ----- 4. concurrent entry -----

/// Threads, each on its own connection, entering one commune's monthly report (every
/// indicator) per `Store::apply` call, into the month after the series (2026-M01), so the
/// benchmark's own data stays as generated. Values carry a per-run salt, so a second run on
/// the same database corrects figures (a new revision) rather than finding them unchanged.
/// Returns the figures entered, the wall time and the threads.
fn entry(open: &Open, scope: &Scope, args: &Args) -> Result<(u64, Duration, usize)> {
    let threads = args.entry_threads;
    let period = Period::month(LAST_YEAR + 1, 1)?;
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let communes = communes(scope);
    let per_thread = args.entry_reports.min(communes.len() / threads).max(1);
    let mut stores = (0..threads)
        .map(|_| open.open())
        .collect::<Result<Vec<_>>>()?;
    let start = Instant::now();
    let results: Vec<Result<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = stores
            .iter_mut()
            .enumerate()
            .map(|(t, store)| {
                s.spawn(move || -> Result<u64> {
                    let mut entered = 0u64;
                    for k in 0..per_thread {
                        let Some(c) = communes.get(k * threads + t) else {
                            break;
                        };
                        let figures = scope
                            .catalog
                            .indicators
                            .iter()
                            .enumerate()
                            .map(|(i, ind)| FigureInput {
                                indicator: ind.code.clone(),
                                unit: c.unit,
                                period,
                                value: value(
                                    scope.specs[i],
                                    i,
                                    UnitId(c.unit.0 ^ salt as i64),
                                    &period,
                                ),
                                state: FigureState::Official,
                                as_of: None,
                                provenance: Provenance::Generated {
                                    note: "chitieu-bench concurrent entry".to_string(),
                                },
                                note: None,
                            })
                            .collect();
                        let report = store.apply(
                            &Batch {
                                figures,
                                ..Batch::default()
                            },
                            &format!("chitieu-bench-{t}"),
                        )?;
                        // Unchanged figures were checked and skipped, still work done.
                        entered += report.figures_added
                            + report.figures_corrected
                            + report.figures_unchanged;
                    }
                    Ok(entered)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("an entry thread panicked"))?
            })
            .collect()
    });
    let elapsed = start.elapsed();
    let mut figures = 0;
    for r in results {
        figures += r?;
    }
    println!(
        "4. concurrent entry: {threads} threads × {per_thread} monthly reports of {} figures (one Store::apply each, own connection): {} figures in {} = {} figures/s ({} reports/s)",
        scope.catalog.indicators.len(),
        group(figures),
        secs(elapsed),
        group(per_second(figures, elapsed)),
        group(per_second((threads * per_thread) as u64, elapsed)),
    );
    Ok((figures, elapsed, threads))
}

// ----- DuckDB -----

/// Runs the same roll-up in DuckDB on the year of figures SQLite holds, and compares it with
/// SQLite's cold and warm roll-ups.
fn duckdb(
    store: &AnyStore,
    scope: &Scope,
    args: &Args,
    workdir: &Path,
    ours: &Measured,
) -> Result<Option<Duck>> {
    let AnyStore::Sqlite(sqlite) = store else {
        bail!("the DuckDB export reads the SQLite database");
    };
    let probe = Command::new(&args.python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output();
    let version = match probe {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            println!(
                "DuckDB: skipped: `{} -c 'import duckdb'` failed. Install it with `pip install duckdb` (or pass --python)",
                args.python
            );
            return Ok(None);
        }
    };
    let dir = workdir.join("duckdb");
    std::fs::create_dir_all(&dir)?;
    let start = Instant::now();
    let exported = export_csv(sqlite, scope, &dir, LAST_YEAR)?;
    let export_time = start.elapsed();
    let script = dir.join("duckdb_rollup.py");
    std::fs::write(&script, DUCKDB_SCRIPT)?;
    let scale = scope.specs.iter().map(|s| s.scale).max().unwrap_or(0);
    let out = Command::new(&args.python)
        .arg(&script)
        .arg("--dir")
        .arg(&dir)
        .args(["--year", &LAST_YEAR.to_string()])
        .args(["--scale", &scale.to_string()])
        .args(["--runs", &args.rollup_runs.max(1).to_string()])
        .arg("--db-file")
        .arg(dir.join("rollup.duckdb"))
        .output()
        .context("running the DuckDB script")?;
    if !out.status.success() {
        bail!(
            "the DuckDB script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("DuckDB output: {}", String::from_utf8_lossy(&out.stdout)))?;
    let (duck_query, runs) = median_of(&report, "query_s")?;
    let duck_load = Duration::from_secs_f64(report["load_s"].as_f64().unwrap_or(0.0).max(0.0));
    let (duck_file, _) = median_of(&report, "file_s")?;
    let file_bytes = report["file_bytes"].as_u64().unwrap_or(0);
    // The sums must agree exactly (DuckDB's DECIMAL is exact; its means and ratios are floats).
    let mut checked = 0;
    if let Some(national) = report["national_sums"].as_object() {
        for (code, v) in national {
            let theirs: Option<Decimal> = v.as_str().and_then(|s| s.parse().ok());
            let mine = ours.result.national.get(code).copied().flatten();
            if theirs != mine {
                bail!("national {code}: DuckDB {theirs:?}, ours {mine:?}");
            }
            checked += 1;
        }
    }
    println!(
        "DuckDB {version}: the same roll-up of {LAST_YEAR} as one SQL query on the same {} figures (exported from SQLite as CSV in {}, not timed)",
        group(exported),
        secs(export_time),
    );
    let warm_ours = ours.warm.rollup_only();
    let saved = &ours.saved;
    println!(
        "   warm, data already in memory: DuckDB query {} (median of {}) | ours from the snapshot {} (freshness check + combine months + roll-up) → ours/DuckDB = {:.2}   goal ≤ 1: {}",
        secs(duck_query),
        runs,
        secs(warm_ours),
        ratio(warm_ours, duck_query),
        verdict(warm_ours <= duck_query),
    );
    println!(
        "   cold, each from its own storage on disk (a new connection; the OS file cache warm for both): DuckDB opens its database file ({} MB) + query {} | ours opens the SQLite database + reads the saved snapshot ({} MB) + roll-up {} → ours/DuckDB = {:.2}   goal ≤ 1: {}",
        group(file_bytes / 1_000_000),
        secs(duck_file),
        group(saved.bytes / 1_000_000),
        secs(saved.rollup),
        ratio(saved.rollup, duck_file),
        verdict(saved.rollup <= duck_file),
    );
    println!(
        "   cold after a correction was written: ours {} + roll-up {} → ours/DuckDB's file = {:.2}   goal ≤ 1: {}",
        if saved.caught_up {
            format!("catches the saved snapshot up ({} rows)", saved.rows_read)
        } else {
            "reads the year again".to_string()
        },
        secs(saved.after_write),
        ratio(saved.after_write, duck_file),
        verdict(saved.after_write <= duck_file),
    );
    println!(
        "   cold from CSV: DuckDB loads the CSV files {} + query = {} | ours from the saved snapshot {} → ours/DuckDB = {:.2}",
        secs(duck_load),
        secs(duck_load + duck_query),
        secs(saved.rollup),
        ratio(saved.rollup, duck_load + duck_query),
    );
    println!(
        "   for reference, ours with no saved snapshot: SQLite → snapshot {} + roll-up = {} ({:.2} × DuckDB's file); straight from SQLite (2 connections) {}; targets and evaluation, which DuckDB does not do, are left out of every line",
        secs(ours.snapshot_load),
        secs(ours.snapshot_load + warm_ours),
        ratio(ours.snapshot_load + warm_ours, duck_file),
        secs(ours.cold.rollup_only()),
    );
    println!("   national sums of {checked} indicators agree exactly with DuckDB's");
    Ok(Some(Duck {
        version,
        load: duck_load,
        query: duck_query,
        file: duck_file,
    }))
}

/// The median of a list of seconds the DuckDB script reported under `key`, and how many.
fn median_of(report: &serde_json::Value, key: &str) -> Result<(Duration, usize)> {
    let mut runs: Vec<f64> = report[key]
        .as_array()
        .with_context(|| format!("the DuckDB script reported no {key}"))?
        .iter()
        .filter_map(|v| v.as_f64())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .collect();
    if runs.is_empty() {
        bail!("the DuckDB script reported no run in {key}");
    }
    runs.sort_by(f64::total_cmp);
    Ok((Duration::from_secs_f64(runs[runs.len() / 2]), runs.len()))
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// Writes figures.csv (the current figures of one year), units.csv and indicators.csv for the
/// DuckDB script. Returns the number of figure rows.
fn export_csv(store: &SqliteStore, scope: &Scope, dir: &Path, year: i32) -> Result<u64> {
    let mut w =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("figures.csv"))?);
    writeln!(w, "indicator,unit_id,period,value")?;
    let mut stmt = store
        .connection()
        .prepare("SELECT indicator, unit_id, period, value FROM figure WHERE current = 1 AND period BETWEEN ?1 AND ?2")?;
    let mut rows = stmt.query([format!("{year}-M01"), format!("{year}-M12")])?;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let unit: i64 = r.get(1)?;
        writeln!(
            w,
            "{},{},{},{}",
            r.get_ref(0)?.as_str()?,
            unit,
            r.get_ref(2)?.as_str()?,
            r.get_ref(3)?.as_str()?
        )?;
        n += 1;
    }
    w.flush()?;

    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("units.csv"))?);
    writeln!(w, "unit_id,parent_id,level")?;
    for v in &scope.versions {
        let parent = match v.level {
            Level::Nation => String::new(),
            _ => v.parent.map(|p| p.0.to_string()).unwrap_or_default(),
        };
        writeln!(w, "{},{},{}", v.unit.0, parent, v.level.as_str())?;
    }
    w.flush()?;

    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("indicators.csv"))?);
    writeln!(
        w,
        "code,aggregation,temporal,numerator,denominator,scale,weight"
    )?;
    for ind in &scope.catalog.indicators {
        let (kind, num, den, scale, weight) = match &ind.aggregation {
            Aggregation::Sum => ("sum", "", "", String::new(), ""),
            Aggregation::Mean => ("mean", "", "", String::new(), ""),
            Aggregation::None => ("none", "", "", String::new(), ""),
            Aggregation::WeightedMean { weight } => {
                ("weighted_mean", "", "", String::new(), weight.as_str())
            }
            Aggregation::Ratio {
                numerator,
                denominator,
                scale,
            } => (
                "ratio",
                numerator.as_str(),
                denominator.as_str(),
                scale.to_string(),
                "",
            ),
        };
        writeln!(
            w,
            "{},{kind},{},{num},{den},{scale},{weight}",
            ind.code,
            ind.temporal.as_str()
        )?;
    }
    w.flush()?;
    Ok(n)
}

// ----- the side-by-side table -----

fn table(sqlite: &Measured, postgres: Option<&Measured>, duck: Option<&Duck>) {
    let cols: Vec<&Measured> = std::iter::once(sqlite).chain(postgres).collect();
    let na = "—".to_string();
    let row = |label: &str, cells: Vec<String>, duck: String| {
        let mut line = format!("{label:<44}");
        for c in &cells {
            line.push_str(&format!(" {c:>16}"));
        }
        if postgres.is_none() {
            line.push_str(&format!(" {:>16}", "(skipped)"));
        }
        line.push_str(&format!(" {duck:>16}"));
        println!("{}", line.trim_end());
    };
    println!("Side by side (what each figure includes is said on its line):");
    row(
        "",
        cols.iter().map(|m| m.name.to_string()).collect(),
        match duck {
            Some(d) => format!("DuckDB {}", d.version),
            None => "DuckDB (skipped)".to_string(),
        },
    );
    row(
        "load, rows/s (figures + targets)",
        cols.iter()
            .map(|m| match m.load {
                Some((rows, d)) => group(per_second(rows, d)),
                None => "(reused)".to_string(),
            })
            .collect(),
        na.clone(),
    );
    row(
        "roll-up + evaluation of a year, cold, s",
        cols.iter().map(|m| s3(m.cold.total())).collect(),
        na.clone(),
    );
    row(
        "roll-up + evaluation of a year, warm, s",
        cols.iter().map(|m| s3(m.warm.total())).collect(),
        na.clone(),
    );
    row(
        "roll-up only, warm (in memory), s",
        cols.iter().map(|m| s3(m.warm.rollup_only())).collect(),
        duck.map_or(na.clone(), |d| s3(d.query)),
    );
    row(
        "roll-up only, cold, from own file on disk, s",
        cols.iter().map(|m| s3(m.saved.rollup)).collect(),
        duck.map_or(na.clone(), |d| s3(d.file)),
    );
    row(
        "  the same after a correction, s",
        cols.iter().map(|m| s3(m.saved.after_write)).collect(),
        duck.map_or(na.clone(), |d| s3(d.file)),
    );
    row(
        "  in memory: refresh after a correction, ms",
        cols.iter()
            .map(|m| format!("{:.1}", m.saved.refresh.as_secs_f64() * 1000.0))
            .collect(),
        na.clone(),
    );
    row(
        "roll-up only, cold, no saved snapshot / CSV, s",
        cols.iter()
            .map(|m| s3(m.snapshot_load + m.warm.rollup_only()))
            .collect(),
        duck.map_or(na.clone(), |d| s3(d.load + d.query)),
    );
    row(
        "dashboard p50 / p99, ms (from the database)",
        cols.iter().map(|m| ms_pair(m.dashboard)).collect(),
        na.clone(),
    );
    row(
        "dashboard, in-memory snapshot, stamp checked",
        cols.iter().map(|m| ms_pair(m.dashboard_held)).collect(),
        na.clone(),
    );
    row(
        &format!("concurrent entry, figures/s ({} threads)", sqlite.entry.2),
        cols.iter()
            .map(|m| group(per_second(m.entry.0, m.entry.1)))
            .collect(),
        na,
    );
    println!();
    println!("Goals:");
    for m in &cols {
        println!(
            "  {:<11} roll-up + evaluation of a year < {} (cold): {}; dashboard p99 < {} (from the database): {} (from the in-memory snapshot: {})",
            m.name,
            secs(GOAL_ROLLUP),
            verdict(m.cold.total() < GOAL_ROLLUP),
            millis(m.dashboard_goal),
            verdict(m.dashboard.1 < m.dashboard_goal),
            verdict(m.dashboard_held.1 < m.dashboard_goal),
        );
    }
    match duck {
        Some(d) => {
            let warm = sqlite.warm.rollup_only();
            let cold = sqlite.saved.rollup;
            let after = sqlite.saved.after_write;
            println!(
                "  not slower than DuckDB on the same roll-up (SQLite): warm {:.2}× DuckDB's time: {}; cold, each from its own file {:.2}×: {}; cold after a correction {:.2}×: {}",
                ratio(warm, d.query),
                verdict(warm <= d.query),
                ratio(cold, d.file),
                verdict(cold <= d.file),
                ratio(after, d.file),
                verdict(after <= d.file),
            );
        }
        None => println!("  not slower than DuckDB: not measured (DuckDB skipped)"),
    }
}

/// A p50 / p99 pair in milliseconds, for the table.
fn ms_pair((p50, p99): (Duration, Duration)) -> String {
    format!(
        "{:.1} / {:.1}",
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    )
}

fn s3(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

// ----- printing -----

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn per_second(n: u64, d: Duration) -> u64 {
    let s = d.as_secs_f64();
    if s > 0.0 { (n as f64 / s) as u64 } else { 0 }
}

/// 11955600 → "11,955,600".
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn status_line(s: &Summary) -> String {
    Status::ALL
        .iter()
        .map(|st| format!("{} {}", st.vi(), group(u64::from(s.count(*st)))))
        .collect::<Vec<_>>()
        .join(", ")
}
