//! chitieu-bench: builds a national-scale synthetic database and times what users wait for.
//!
//! 1. loading it: the units in force on 2025-07-01 (1 nation, 34 provinces, 3,321 communes,
//!    from the gazetteer that `init` loads), `--indicators` indicators of the built-in catalog,
//!    `--months` monthly figures per commune and indicator, and annual targets for every unit;
//! 2. a full roll-up and evaluation of the last year: monthly figures combined into the year
//!    by each indicator's temporal rule (cumulative: the sum of the months; level: the last
//!    month), rolled up communes → provinces → nation, and every unit's figure evaluated
//!    against its annual target;
//! 3. one province's dashboard: every indicator for the province and each of its communes for
//!    one month, with the targets, rolled up and evaluated, p50/p99 over many runs;
//! 4. the same roll-up as one SQL query in DuckDB on the same data (exported as CSV), timing
//!    only the query.
//!
//! Values are deterministic pseudo-random exact decimals: two runs build the same database.

use anyhow::{Context, Result, bail};
use chitieu_core::Decimal;
use chitieu_core::admin::{Level, UnitId, UnitVersion};
use chitieu_core::evaluate::{EvalInput, Status, Summary, Thresholds, evaluate};
use chitieu_core::figure::{FigureState, Provenance};
use chitieu_core::indicator::{Aggregation, Catalog, Direction, Indicator, Temporal};
use chitieu_core::period::Period;
use chitieu_core::rollup::{FigureTable, UnitTree, rollup_all};
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::sqlite::bulk::{BulkFigure, BulkOptions};
use chitieu_store::{Batch, SqliteStore, Store};
use chrono::NaiveDate;
use clap::Parser;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod progress;

/// The DuckDB side of the comparison, written next to the exported data and run by python3.
const DUCKDB_SCRIPT: &str = include_str!("../../../tools/duckdb_rollup.py");

/// The last month of the synthetic series.
const LAST_YEAR: i32 = 2025;
const LAST_MONTH: u32 = 12;

const GOAL_ROLLUP: Duration = Duration::from_secs(2);
const GOAL_DASHBOARD: Duration = Duration::from_millis(20);

#[derive(Parser, Debug)]
#[command(
    name = "chitieu-bench",
    about = "National-scale benchmark of chitieu's SQLite store, roll-up and evaluation"
)]
struct Args {
    /// The database file to build. Default: a new file in a temporary folder, removed at the
    /// end unless --keep is given. An existing file is refused unless --reuse is given.
    #[arg(long)]
    database: Option<PathBuf>,
    /// Months of figures per commune, ending 2025-M12.
    #[arg(long, default_value_t = 60)]
    months: u32,
    /// Indicators, the first ones of the built-in catalog.
    #[arg(long, default_value_t = 60)]
    indicators: usize,
    /// A small run (2 provinces, 6 months) that finishes in seconds: proves the bench runs.
    #[arg(long)]
    quick: bool,
    /// Keep the database (and the DuckDB export) instead of removing them.
    #[arg(long)]
    keep: bool,
    /// Use the database given by --database as it is, if it was built by an earlier run with
    /// the same settings, instead of loading it again.
    #[arg(long)]
    reuse: bool,
    /// Runs of the full roll-up.
    #[arg(long, default_value_t = 3)]
    rollup_runs: usize,
    /// Runs of the dashboard query.
    #[arg(long, default_value_t = 300)]
    dashboard_runs: usize,
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
        args.dashboard_runs = args.dashboard_runs.min(30);
    }
    if args.months == 0 || args.months > 600 {
        bail!("--months must be between 1 and 600");
    }
    if args.reuse && args.database.is_none() {
        bail!("--reuse needs --database");
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

fn run(args: &Args, db_path: &Path, workdir: &Path) -> Result<()> {
    let on = NaiveDate::from_ymd_opt(2025, 7, 1).context("date")?;
    let reusing = args.reuse && db_path.exists();
    let mut store =
        SqliteStore::open(db_path).with_context(|| format!("opening {}", db_path.display()))?;
    let bar = progress::Bar::new();
    store.init(&Catalog::builtin(), &bar)?;

    let scope = scope(&store, args, on)?;
    let first = scope.months.first().context("no months")?;
    println!("chitieu-bench{}", if args.quick { " --quick" } else { "" });
    println!("  database:   {}", db_path.display());
    println!(
        "  units:      1 nation, {} provinces, {} communes (in force on {on})",
        scope.provinces, scope.communes
    );
    println!(
        "  indicators: {}; months: {} ({first} … {LAST_YEAR}-M{LAST_MONTH:02}); figures: {}",
        scope.catalog.indicators.len(),
        scope.months.len(),
        group(figure_count(&scope))
    );
    println!();

    // 1. Load.
    if reusing {
        let have = store.counts()?.figures;
        if have != figure_count(&scope) {
            bail!(
                "{} holds {} figures, this run would load {}: rebuild it without --reuse",
                db_path.display(),
                have,
                figure_count(&scope)
            );
        }
        println!("1. load: skipped (--reuse)");
    } else {
        load(&mut store, &scope, &bar)?;
    }

    // 2. Full roll-up and evaluation of the last year.
    let th = Thresholds::default();
    // A second connection, for reading in a second thread.
    let mut reader = SqliteStore::open(db_path)?;
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..args.rollup_runs.max(1) {
        let r = rollup_year(&store, &mut reader, &scope, LAST_YEAR, &th)?;
        runs.push(r.timings);
        last = Some(r);
    }
    let last = last.context("no roll-up run")?;
    check_national(&scope, &last)?;
    runs.sort_by_key(|t| t.total());
    let median = runs[runs.len() / 2];
    let best = runs[0];
    println!(
        "2. roll-up + evaluation of {LAST_YEAR} ({} runs): median {}, best {}   goal < {}: {}",
        runs.len(),
        secs(median.total()),
        secs(best.total()),
        secs(GOAL_ROLLUP),
        verdict(median.total() < GOAL_ROLLUP)
    );
    println!(
        "   median run: read {} figures (2 threads) {}, read targets {}, roll-up {}, evaluate {} ({} evaluations)",
        group(last.figures_read),
        secs(median.read),
        secs(median.targets),
        secs(median.rollup),
        secs(median.evaluate),
        group(u64::from(last.summary.total())),
    );
    println!(
        "   statuses: {}; national totals checked against the generator: ok",
        status_line(&last.summary)
    );

    // 3. Dashboard.
    dashboard(&store, &scope, args.dashboard_runs, &th)?;

    // 4. DuckDB.
    if args.no_duckdb {
        println!("4. DuckDB: skipped (--no-duckdb)");
    } else {
        duckdb(&store, &scope, args, workdir, &median, &last)?;
    }
    Ok(())
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

fn scope(store: &SqliteStore, args: &Args, on: NaiveDate) -> Result<Scope> {
    let nation_id: i64 = store
        .connection()
        .query_row(
            "SELECT unit_id FROM unit_version WHERE level = 'nation' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .context("the gazetteer has no nation unit")?;
    let nation = store.unit_on(UnitId(nation_id), on)?;
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

fn load(store: &mut SqliteStore, scope: &Scope, bar: &progress::Bar) -> Result<()> {
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
    let fig = store.bulk_insert_figures(figures, &opts, bar)?;
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
    let tgt = store.bulk_insert_targets(targets, &topts, bar)?;
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
    let size = std::fs::metadata(store_path_size_hint(store)?).map(|m| m.len());
    if let Ok(size) = size {
        println!("   database file: {} MB", group(size / 1_000_000));
    }
    Ok(())
}

/// The main database file of the store.
fn store_path_size_hint(store: &SqliteStore) -> Result<PathBuf> {
    let path = store
        .connection()
        .path()
        .context("in-memory database")?
        .to_string();
    Ok(PathBuf::from(path))
}

// ----- 2. roll-up and evaluation -----

#[derive(Debug, Clone, Copy, Default)]
struct Timings {
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
    store: &SqliteStore,
    year: i32,
    months: std::ops::RangeInclusive<u32>,
    keys: &Keys<'_>,
) -> Result<(Vec<Option<Decimal>>, u64, bool)> {
    let mut values: Vec<Option<Decimal>> = vec![None; keys.temporal.len() * keys.n_units];
    let mut overflow = false;
    let mut n = 0;
    for month in months {
        n += store.for_each_current_figure(&Period::month(year, month)?, |code, unit, v| {
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

fn rollup_year(
    store: &SqliteStore,
    second: &mut SqliteStore,
    scope: &Scope,
    year: i32,
    th: &Thresholds,
) -> Result<YearResult> {
    let catalog = &scope.catalog;
    let n_units = scope.versions.len();
    let unit_index: HashMap<i64, usize> = scope
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| (v.unit.0, i))
        .collect();
    let ind_index: HashMap<&str, usize> = catalog
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.code.as_str(), i))
        .collect();
    let temporal: Vec<Temporal> = catalog.indicators.iter().map(|i| i.temporal).collect();

    // Read the months of the year and combine them by each indicator's temporal rule: the
    // first half of the year on this connection, the second on another one in a second
    // thread (SQLite's WAL lets readers run side by side; the machine has two cores).
    let start = Instant::now();
    let keys = Keys {
        ind_index: &ind_index,
        unit_index: &unit_index,
        temporal: &temporal,
        n_units,
    };
    let (first, second) = std::thread::scope(|s| {
        let keys = &keys;
        let later = s.spawn(move || read_months(second, year, 7..=12, keys));
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
        .map(|(k, (a, b))| match (temporal[k / n_units], a, b) {
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

    let start = Instant::now();
    let unit_ids: Vec<UnitId> = scope.versions.iter().map(|v| v.unit).collect();
    let mut targets: Vec<Option<Target>> = vec![None; catalog.indicators.len() * n_units];
    let period = Period::year(year)?;
    store.for_each_target(&unit_ids, &period, |t| {
        if let (Some(&i), Some(&u)) = (
            ind_index.get(t.indicator.as_str()),
            unit_index.get(&t.unit.0),
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

fn dashboard(store: &SqliteStore, scope: &Scope, runs: usize, th: &Thresholds) -> Result<()> {
    // The province with the most communes: the largest dashboard.
    let (p, _) = scope.versions[1..=scope.provinces]
        .iter()
        .enumerate()
        .max_by_key(|(k, _)| scope.communes_below[k + 1])
        .context("no province")?;
    let province = &scope.versions[p + 1];
    let communes_count = scope.communes_below[p + 1];
    let period = Period::month(LAST_YEAR, LAST_MONTH)?;
    let by_code: HashMap<&str, &Indicator> = scope
        .catalog
        .indicators
        .iter()
        .map(|i| (i.code.as_str(), i))
        .collect();
    let mut times = Vec::with_capacity(runs);
    let mut evaluated = 0;
    let mut figures = 0;
    for run in 0..runs.max(1) + 3 {
        let start = Instant::now();
        let (n, f) = dashboard_once(store, province.unit, &period, &scope.catalog, &by_code, th)?;
        let elapsed = start.elapsed();
        // The first runs warm the page cache and the prepared statements.
        if run >= 3 {
            times.push(elapsed);
        }
        (evaluated, figures) = (n, f);
    }
    times.sort();
    let p50 = percentile(&times, 50);
    let p99 = percentile(&times, 99);
    println!(
        "3. dashboard of {} ({} communes, {period}; {} figures, {} evaluations; {} runs): p50 {}, p99 {}   goal < {}: {}",
        province.title(),
        communes_count,
        group(figures as u64),
        group(evaluated as u64),
        times.len(),
        millis(p50),
        millis(p99),
        millis(GOAL_DASHBOARD),
        verdict(p99 < GOAL_DASHBOARD)
    );
    Ok(())
}

/// One dashboard: the query, the province's figure rolled up from its communes, and every
/// target evaluated. Returns the number of evaluations and of figures.
fn dashboard_once(
    store: &SqliteStore,
    unit: UnitId,
    period: &Period,
    catalog: &Catalog,
    by_code: &HashMap<&str, &Indicator>,
    th: &Thresholds,
) -> Result<(usize, usize)> {
    let d = store.dashboard(unit, period)?;
    let mut versions = d.children.clone();
    versions.push(d.unit.clone());
    let tree = UnitTree::on(&versions, period.end_date());
    let table: FigureTable = d
        .figures
        .iter()
        .map(|f| ((f.indicator.clone(), f.unit), f.value))
        .collect();
    let (rolled, _) = rollup_all(&tree, catalog, &table);
    let children = u32::try_from(d.children.len()).unwrap_or(u32::MAX);
    let mut n = 0;
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
        std::hint::black_box(evaluate(&input, th));
        n += 1;
    }
    Ok((n, d.figures.len()))
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

// ----- 4. DuckDB -----

fn duckdb(
    store: &SqliteStore,
    scope: &Scope,
    args: &Args,
    workdir: &Path,
    ours: &Timings,
    our_result: &YearResult,
) -> Result<()> {
    let probe = Command::new(&args.python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output();
    let version = match probe {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            println!(
                "4. DuckDB: skipped: `{} -c 'import duckdb'` failed. Install it with `pip install duckdb` (or pass --python)",
                args.python
            );
            return Ok(());
        }
    };
    let dir = workdir.join("duckdb");
    std::fs::create_dir_all(&dir)?;
    let start = Instant::now();
    let exported = export_csv(store, scope, &dir)?;
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
    let mut query: Vec<f64> = report["query_s"]
        .as_array()
        .context("query_s")?
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    if query.is_empty() {
        bail!("the DuckDB script reported no run");
    }
    query.sort_by(f64::total_cmp);
    let duck = Duration::from_secs_f64(query[query.len() / 2]);
    // The sums must agree exactly (DuckDB's DECIMAL is exact; its means and ratios are floats).
    let mut checked = 0;
    if let Some(national) = report["national_sums"].as_object() {
        for (code, v) in national {
            let theirs: Option<Decimal> = v.as_str().and_then(|s| s.parse().ok());
            let mine = our_result.national.get(code).copied().flatten();
            if theirs != mine {
                bail!("national {code}: DuckDB {theirs:?}, ours {mine:?}");
            }
            checked += 1;
        }
    }
    let ratio = ours.rollup_only().as_secs_f64() / duck.as_secs_f64();
    let ratio_all = ours.total().as_secs_f64() / duck.as_secs_f64();
    println!(
        "4. DuckDB {version}: the same roll-up of {LAST_YEAR} as one SQL query, median of {} runs: {} (export {} rows as CSV {}, DuckDB load {:.2} s, not timed)",
        query.len(),
        secs(duck),
        group(exported),
        secs(export_time),
        report["load_s"].as_f64().unwrap_or(f64::NAN),
    );
    println!(
        "   ours/DuckDB = {ratio:.2} (ours read + combine + roll-up {}); with targets and evaluation, which DuckDB does not do: {ratio_all:.2}   goal ≤ 1: {}",
        secs(ours.rollup_only()),
        verdict(ratio <= 1.0)
    );
    println!("   national sums of {checked} indicators agree exactly with DuckDB's");
    Ok(())
}

/// Writes figures.csv, units.csv and indicators.csv for the DuckDB script. Returns the number
/// of figure rows.
fn export_csv(store: &SqliteStore, scope: &Scope, dir: &Path) -> Result<u64> {
    let mut w =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("figures.csv"))?);
    writeln!(w, "indicator,unit_id,period,value")?;
    let mut stmt = store
        .connection()
        .prepare("SELECT indicator, unit_id, period, value FROM figure WHERE current = 1")?;
    let mut rows = stmt.query([])?;
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
