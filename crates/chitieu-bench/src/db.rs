//! The two backends under test behind one handle: the Store interface comes from
//! [`AnyStore`], the bulk paths (outside that interface) are dispatched here.

use anyhow::{Context, Result};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::period::Period;
use chitieu_core::target::Target;
use chitieu_store::sqlite::bulk::{BulkFigure, BulkOptions, BulkReport, Dashboard};
use chitieu_store::{AnyStore, PgStore, Progress, SqliteStore};
use std::path::PathBuf;

/// How to open (another connection to) the database under test.
#[derive(Debug, Clone)]
pub enum Open {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

impl Open {
    pub fn open(&self) -> Result<AnyStore> {
        Ok(match self {
            Open::Sqlite(path) => AnyStore::Sqlite(
                SqliteStore::open(path).with_context(|| format!("opening {}", path.display()))?,
            ),
            Open::Postgres { url, schema } => AnyStore::Postgres(Box::new(
                PgStore::open_in_schema(url, Some(schema))
                    .with_context(|| format!("opening schema {schema} at {url}"))?,
            )),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Open::Sqlite(_) => "SQLite",
            Open::Postgres { .. } => "PostgreSQL",
        }
    }
}

/// The id of the nation unit.
pub fn nation_id(store: &AnyStore) -> Result<i64> {
    const SQL: &str = "SELECT unit_id FROM unit_version WHERE level = 'nation' LIMIT 1";
    match store {
        AnyStore::Sqlite(s) => s
            .connection()
            .query_row(SQL, [], |r| r.get(0))
            .context("the gazetteer has no nation unit"),
        AnyStore::Postgres(p) => {
            let rows = p.select(SQL, &[])?;
            let row = rows.first().context("the gazetteer has no nation unit")?;
            Ok(row.try_get(0)?)
        }
    }
}

pub fn bulk_insert_figures<'a>(
    store: &mut AnyStore,
    figures: impl IntoIterator<Item = BulkFigure<'a>>,
    opts: &BulkOptions,
    progress: &dyn Progress,
) -> Result<BulkReport> {
    Ok(match store {
        AnyStore::Sqlite(s) => s.bulk_insert_figures(figures, opts, progress)?,
        AnyStore::Postgres(p) => p.bulk_insert_figures(figures, opts, progress)?,
    })
}

pub fn bulk_insert_targets(
    store: &mut AnyStore,
    targets: impl IntoIterator<Item = Target>,
    opts: &BulkOptions,
    progress: &dyn Progress,
) -> Result<BulkReport> {
    Ok(match store {
        AnyStore::Sqlite(s) => s.bulk_insert_targets(targets, opts, progress)?,
        AnyStore::Postgres(p) => p.bulk_insert_targets(targets, opts, progress)?,
    })
}

pub fn for_each_current_figure(
    store: &AnyStore,
    period: &Period,
    each: impl FnMut(&str, UnitId, Decimal),
) -> Result<u64> {
    Ok(match store {
        AnyStore::Sqlite(s) => s.for_each_current_figure(period, each)?,
        AnyStore::Postgres(p) => p.for_each_current_figure(period, each)?,
    })
}

pub fn for_each_target(
    store: &AnyStore,
    units: &[UnitId],
    period: &Period,
    each: impl FnMut(Target),
) -> Result<u64> {
    Ok(match store {
        AnyStore::Sqlite(s) => s.for_each_target(units, period, each)?,
        AnyStore::Postgres(p) => p.for_each_target(units, period, each)?,
    })
}

pub fn dashboard(store: &AnyStore, unit: UnitId, period: &Period) -> Result<Dashboard> {
    Ok(match store {
        AnyStore::Sqlite(s) => s.dashboard(unit, period)?,
        AnyStore::Postgres(p) => p.dashboard(unit, period)?,
    })
}

/// Current figures of the months up to `last` (the benchmark's own data, not the entries
/// made by the concurrent-entry step).
pub fn figures_up_to(store: &AnyStore, last: &Period) -> Result<u64> {
    let last = last.to_string();
    match store {
        AnyStore::Sqlite(s) => {
            let n: i64 = s.connection().query_row(
                "SELECT count(*) FROM figure WHERE current = 1 AND period <= ?1",
                [&last],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        }
        AnyStore::Postgres(p) => {
            let rows = p.select(
                "SELECT count(*) FROM figure WHERE current AND period <= $1",
                &[&last],
            )?;
            let n: i64 = rows.first().context("count")?.try_get(0)?;
            Ok(u64::try_from(n).unwrap_or(0))
        }
    }
}
