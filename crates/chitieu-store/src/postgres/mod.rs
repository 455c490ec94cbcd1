//! The PostgreSQL backend: the same behaviour as [`crate::SqliteStore`] behind the same
//! interfaces, for deployments where several `chitieu serve` processes share one database.
//!
//! Concurrency: every write method is one transaction at PostgreSQL's default READ COMMITTED
//! isolation, and takes transaction-scoped advisory locks on the keys it is about to change
//! (each figure's indicator/unit/period, each target's key, a setting's key, a document's hash)
//! before it reads them, in one sorted order so two writers never deadlock. A second writer of
//! the same figure therefore waits for the first to commit, then reads the revision the first
//! wrote and adds the next one: revisions are strictly sequential, none is lost, and the audit
//! entry's "before" is the value the writer really replaced. Anything PostgreSQL still reports
//! as a serialization failure, deadlock or lock time-out becomes [`StoreError::Conflict`].

mod accounts;
pub mod bulk;
mod documents;
mod exchange;
mod notifications;
mod portal;
mod reports;
mod rows;
mod tasks;
mod workflow;

use crate::decide::{self, UnitLookup};
use crate::{
    ApplyReport, AuditEntry, Batch, Counts, InitReport, Progress, Result, Store, StoreError,
    UnitHistory,
};
use chitieu_core::admin::{Succession, UnitId, UnitKind, UnitVersion};
use chitieu_core::figure::FigureRevision;
use chitieu_core::indicator::{Catalog, Indicator};
use chitieu_core::org::Organisation;
use chitieu_core::period::Period;
use chitieu_core::target::{PlanSource, Target};
use chrono::NaiveDate;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement, Transaction};
use rows::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Migrations in order, kept in step with SQLite's: the same numbers, the same tables.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_documents.sql"),
    include_str!("migrations/0003_reports.sql"),
    include_str!("migrations/0004_web.sql"),
    include_str!("migrations/0005_dhis2.sql"),
    include_str!("migrations/0006_tasks.sql"),
    include_str!("migrations/0007_notifications.sql"),
    include_str!("migrations/0008_bench_indexes.sql"),
    include_str!("migrations/0009_figure_txid.sql"),
    include_str!("migrations/0010_email_sent.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock that serialises schema migrations of concurrently starting processes.
const MIGRATION_LOCK: i64 = 0x6368_6974_6965_7531; // "chitieu1"

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

/// A chitieu database on a PostgreSQL server.
pub struct PgStore {
    conn: Mutex<Conn>,
    schema: Option<String>,
}

/// Whether a `--database` value names a PostgreSQL server.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

fn valid_schema_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

impl PgStore {
    /// Connects to the server named by a `postgres://user@host:port/database` URL and brings
    /// the schema up to date (in the connection's default schema, normally `public`).
    pub fn open(url: &str) -> Result<PgStore> {
        Self::open_in_schema(url, None)
    }

    /// As [`PgStore::open`], inside a schema of its own (created if missing): several chitieu
    /// databases on one PostgreSQL database, and one isolated schema per test. The name is
    /// lower-case ASCII letters, digits and `_`.
    pub fn open_in_schema(url: &str, schema: Option<&str>) -> Result<PgStore> {
        let config: postgres::Config = url.parse()?;
        let mut client = config.connect(NoTls)?;
        if let Some(s) = schema {
            if !valid_schema_name(s) {
                return Err(StoreError::corrupt(
                    "schema name",
                    format!("'{s}': use lower-case letters, digits and _"),
                ));
            }
            client.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {s}; SET search_path TO {s}"
            ))?;
        }
        let mut store = PgStore {
            conn: Mutex::new(Conn {
                client,
                statements: HashMap::new(),
            }),
            schema: schema.map(str::to_string),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Whether a server answers at `url`: connects and disconnects, touching nothing.
    pub fn check_server(url: &str) -> Result<()> {
        let config: postgres::Config = url.parse()?;
        let mut client = config.connect(NoTls)?;
        client.batch_execute("SELECT 1")?;
        Ok(())
    }

    /// Drops a schema made by [`PgStore::open_in_schema`] and everything in it.
    pub fn drop_schema(url: &str, schema: &str) -> Result<()> {
        if !valid_schema_name(schema) {
            return Err(StoreError::corrupt("schema name", schema));
        }
        let config: postgres::Config = url.parse()?;
        let mut client = config.connect(NoTls)?;
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))?;
        Ok(())
    }

    /// The schema this store works in, when it was opened in one.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, Conn> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn conn_mut(&mut self) -> &mut Conn {
        self.conn.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs a read query with a statement prepared once per connection.
    pub(crate) fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let mut c = self.lock();
        let stmt = c.prepared(sql)?;
        Ok(c.client.query(&stmt, params)?)
    }

    fn query_opt(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let conn = self.conn_mut();
        let mut tx = conn.client.transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs several SQL statements (no parameters) outside any Store method: for tools such
    /// as backups and benchmarks.
    pub fn batch_execute(&mut self, sql: &str) -> Result<()> {
        self.conn_mut().client.batch_execute(sql)?;
        Ok(())
    }

    /// Runs a read-only query and returns its rows, for checks, exports and benchmarks.
    pub fn select(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        self.query(sql, params)
    }

    /// Direct access to the connection, for tools (migration between backends, backups).
    pub fn with_client<T>(&mut self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        f(&mut self.conn_mut().client)
    }

    /// Applies the migrations not yet applied, all in one transaction, under an advisory lock
    /// so that processes starting at the same time migrate once.
    fn migrate(&mut self) -> Result<bool> {
        let conn = self.conn_mut();
        let mut tx = conn.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS chitieu_schema (version BIGINT NOT NULL)")?;
        let found: i64 = match tx.query_opt("SELECT max(version) FROM chitieu_schema", &[])? {
            Some(r) => col::<Option<i64>>(&r, 0)?.unwrap_or(0),
            None => 0,
        };
        let found = u32::try_from(found).map_err(|e| StoreError::corrupt("schema version", e))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                known: SCHEMA_VERSION,
            });
        }
        for sql in MIGRATIONS.iter().skip(found as usize) {
            tx.batch_execute(sql)?;
        }
        if found < SCHEMA_VERSION {
            tx.execute("DELETE FROM chitieu_schema", &[])?;
            tx.execute(
                "INSERT INTO chitieu_schema (version) VALUES ($1)",
                &[&i64::from(SCHEMA_VERSION)],
            )?;
        }
        tx.commit()?;
        conn.statements.clear();
        Ok(found < SCHEMA_VERSION)
    }

    fn require_init(&self) -> Result<()> {
        match self.query_opt("SELECT 1::bigint FROM unit LIMIT 1", &[])? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotInitialised),
        }
    }

    fn versions_where(&self, sql_where: &str, p: Params<'_>) -> Result<Vec<UnitVersion>> {
        let order = if sql_where.contains("ORDER BY") {
            ""
        } else {
            " ORDER BY v.id"
        };
        let sql = format!("SELECT {VERSION_COLS} FROM unit_version v WHERE {sql_where}{order}");
        self.query(&sql, p)?.iter().map(row_to_version).collect()
    }

    fn load_gazetteer(tx: &mut Transaction<'_>, progress: &dyn Progress) -> Result<(u64, u64)> {
        let gaz = chitieu_gazetteer::load().map_err(|e| StoreError::Gazetteer(e.to_string()))?;
        progress.start(
            "Nạp danh mục đơn vị hành chính",
            (gaz.versions.len() + gaz.successions.len()) as u64,
        );
        let ids: Vec<i64> = gaz.versions.iter().map(|v| v.unit.0).collect();
        tx.execute(
            "INSERT INTO unit (id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING",
            &[&ids],
        )?;
        let names: Vec<&str> = gaz.versions.iter().map(|v| v.name.as_str()).collect();
        let keys: Vec<String> = gaz
            .versions
            .iter()
            .map(|v| chitieu_text::fold(&v.name))
            .collect();
        let kinds: Vec<&str> = gaz.versions.iter().map(|v| v.kind.key()).collect();
        let levels: Vec<&str> = gaz.versions.iter().map(|v| v.level.as_str()).collect();
        let codes: Vec<Option<&str>> = gaz
            .versions
            .iter()
            .map(|v| v.code.as_ref().map(|c| c.0.as_str()))
            .collect();
        let parents: Vec<Option<i64>> =
            gaz.versions.iter().map(|v| v.parent.map(|p| p.0)).collect();
        let from: Vec<Option<String>> = gaz
            .versions
            .iter()
            .map(|v| v.valid_from.map(|d| d.to_string()))
            .collect();
        let to: Vec<Option<String>> = gaz
            .versions
            .iter()
            .map(|v| v.valid_to.map(|d| d.to_string()))
            .collect();
        tx.execute(
            "INSERT INTO unit_version (unit_id, name, name_key, kind, level, code, parent_id, valid_from, valid_to)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])",
            &[&ids, &names, &keys, &kinds, &levels, &codes, &parents, &from, &to],
        )?;
        progress.advance(gaz.versions.len() as u64);
        // The last of two successions between the same units wins, as in SQLite's REPLACE.
        let mut last: HashMap<(i64, i64), usize> = HashMap::new();
        for (i, s) in gaz.successions.iter().enumerate() {
            last.insert((s.from.0, s.to.0), i);
        }
        let mut keep: Vec<usize> = last.into_values().collect();
        keep.sort_unstable();
        let sf: Vec<i64> = keep.iter().map(|&i| gaz.successions[i].from.0).collect();
        let st: Vec<i64> = keep.iter().map(|&i| gaz.successions[i].to.0).collect();
        let sd: Vec<String> = keep
            .iter()
            .map(|&i| gaz.successions[i].date.to_string())
            .collect();
        let sp: Vec<bool> = keep.iter().map(|&i| gaz.successions[i].partial).collect();
        tx.execute(
            "INSERT INTO unit_succession (from_id, to_id, date, partial)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bool[])
             ON CONFLICT (from_id, to_id) DO UPDATE SET date = excluded.date, partial = excluded.partial",
            &[&sf, &st, &sd, &sp],
        )?;
        progress.advance(gaz.successions.len() as u64);
        progress.finish();
        Ok((gaz.versions.len() as u64, gaz.successions.len() as u64))
    }

    fn insert_indicator(tx: &mut Transaction<'_>, ind: &Indicator, builtin: bool) -> Result<bool> {
        let phrases = serde_json::to_string(&ind.phrases)
            .map_err(|e| StoreError::corrupt("indicator phrases", e))?;
        let aggregation = ind.aggregation.to_string();
        let n = tx.execute(
            "INSERT INTO indicator (code, name_vi, unit, direction, grp, aggregation, temporal, counts_units, phrases, builtin)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, unit = excluded.unit,
               direction = excluded.direction, grp = excluded.grp, aggregation = excluded.aggregation,
               temporal = excluded.temporal, counts_units = excluded.counts_units, phrases = excluded.phrases
             WHERE NOT (indicator.name_vi IS NOT DISTINCT FROM excluded.name_vi
               AND indicator.unit IS NOT DISTINCT FROM excluded.unit
               AND indicator.direction IS NOT DISTINCT FROM excluded.direction
               AND indicator.grp IS NOT DISTINCT FROM excluded.grp
               AND indicator.aggregation IS NOT DISTINCT FROM excluded.aggregation
               AND indicator.temporal IS NOT DISTINCT FROM excluded.temporal
               AND indicator.counts_units IS NOT DISTINCT FROM excluded.counts_units
               AND indicator.phrases IS NOT DISTINCT FROM excluded.phrases)",
            &[
                &ind.code.as_str(),
                &ind.name_vi,
                &ind.unit,
                &ind.direction.as_str(),
                &ind.group,
                &aggregation,
                &ind.temporal.as_str(),
                &ind.counts_units.map(|l| l.as_str()),
                &phrases,
                &builtin,
            ],
        )?;
        Ok(n > 0)
    }

    pub(crate) fn check_unit_exists(tx: &mut Transaction<'_>, unit: UnitId) -> Result<()> {
        match tx.query_opt("SELECT id FROM unit WHERE id = $1", &[&unit.0])? {
            Some(_) => Ok(()),
            None => Err(StoreError::NoSuchUnit(unit.to_string())),
        }
    }

    fn check_indicator_exists(tx: &mut Transaction<'_>, code: &str) -> Result<()> {
        match tx.query_opt("SELECT code FROM indicator WHERE code = $1", &[&code])? {
            Some(_) => Ok(()),
            None => Err(StoreError::UnknownIndicator(code.to_string())),
        }
    }
}

/// Takes transaction-scoped advisory locks on the given keys, in one sorted order, so that
/// writers of the same keys wait for each other and never deadlock among themselves.
pub(crate) fn lock_keys(tx: &mut Transaction<'_>, keys: &[String]) -> Result<()> {
    let mut ids: Vec<i64> = keys
        .iter()
        .map(|k| {
            let d = Sha256::digest(k.as_bytes());
            let mut b = [0u8; 8];
            b.copy_from_slice(&d[..8]);
            i64::from_be_bytes(b)
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        tx.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS t(k)",
            &[&ids],
        )?;
    }
    Ok(())
}

fn figure_key(indicator: &str, unit: UnitId, period: &str) -> String {
    format!("figure:{indicator}/{}/{period}", unit.0)
}

/// Stores a batch inside the caller's transaction, auditing each change (what changes and the
/// audit entry are decided in [`decide`], as for SQLite), after locking every figure and
/// target it touches.
pub(crate) fn apply_in(
    tx: &mut Transaction<'_>,
    batch: &Batch,
    actor: &str,
) -> Result<ApplyReport> {
    let mut keys: Vec<String> = batch
        .figures
        .iter()
        .map(|f| figure_key(f.indicator.as_str(), f.unit, &f.period.to_string()))
        .collect();
    keys.extend(batch.targets.iter().map(|t| {
        format!(
            "target:{}/{}/{}/{}",
            t.indicator, t.unit.0, t.period, t.source
        )
    }));
    lock_keys(tx, &keys)?;
    let mut report = ApplyReport::default();
    let stamp = now();
    for ps in &batch.plan_sources {
        PgStore::check_unit_exists(tx, ps.unit)?;
        let issued = ps.issued_on.map(|d| d.to_string());
        let n = tx.execute(
            "INSERT INTO plan_source (key, kind, title, unit_id, issued_on) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, title = excluded.title,
               unit_id = excluded.unit_id, issued_on = excluded.issued_on
             WHERE NOT (plan_source.kind IS NOT DISTINCT FROM excluded.kind
               AND plan_source.title IS NOT DISTINCT FROM excluded.title
               AND plan_source.unit_id IS NOT DISTINCT FROM excluded.unit_id
               AND plan_source.issued_on IS NOT DISTINCT FROM excluded.issued_on)",
            &[&ps.key, &ps.kind.key(), &ps.title, &ps.unit.0, &issued],
        )?;
        if n > 0 {
            record(tx, actor, decide::plan_source_upserted(&mut report, ps))?;
        }
    }
    for t in &batch.targets {
        PgStore::check_indicator_exists(tx, t.indicator.as_str())?;
        PgStore::check_unit_exists(tx, t.unit)?;
        if tx
            .query_opt("SELECT key FROM plan_source WHERE key = $1", &[&t.source])?
            .is_none()
        {
            return Err(StoreError::UnknownPlanSource(t.source.clone()));
        }
        let row = decide::TargetRow::new(t, comparator_parts(&t.comparator));
        let stored = match tx.query_opt(
            "SELECT id, op, value::text, max_value::text FROM target
             WHERE indicator = $1 AND unit_id = $2 AND period = $3 AND source_key = $4",
            &[&t.indicator.as_str(), &t.unit.0, &row.period, &t.source],
        )? {
            Some(r) => Some(decide::StoredTarget {
                id: col(&r, 0)?,
                op: col(&r, 1)?,
                value: col(&r, 2)?,
                max: col(&r, 3)?,
            }),
            None => None,
        };
        let Some(write) = decide::decide_target(&mut report, &row, stored) else {
            continue;
        };
        match write.update {
            Some(id) => {
                tx.execute(
                    "UPDATE target SET op = $1, value = $2::text::numeric, max_value = $3::text::numeric WHERE id = $4",
                    &[&row.op, &row.value, &row.max, &id],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO target (indicator, unit_id, period, source_key, op, value, max_value)
                     VALUES ($1, $2, $3, $4, $5, $6::text::numeric, $7::text::numeric)",
                    &[
                        &t.indicator.as_str(),
                        &t.unit.0,
                        &row.period,
                        &t.source,
                        &row.op,
                        &row.value,
                        &row.max,
                    ],
                )?;
            }
        }
        record(tx, actor, write.audit)?;
    }
    for f in &batch.figures {
        PgStore::check_indicator_exists(tx, f.indicator.as_str())?;
        PgStore::check_unit_exists(tx, f.unit)?;
        let row = decide::FigureRow::new(f)?;
        let current = match tx.query_opt(
            "SELECT id, revision, value::text, state, as_of, note FROM figure
             WHERE indicator = $1 AND unit_id = $2 AND period = $3 AND current",
            &[&f.indicator.as_str(), &f.unit.0, &row.period],
        )? {
            Some(r) => Some(decide::StoredFigure {
                id: col(&r, 0)?,
                revision: col(&r, 1)?,
                value: col(&r, 2)?,
                state: col(&r, 3)?,
                as_of: col(&r, 4)?,
                note: col(&r, 5)?,
            }),
            None => None,
        };
        let Some(write) = decide::decide_figure(&mut report, &row, current) else {
            continue;
        };
        if let Some(id) = write.supersede {
            tx.execute("UPDATE figure SET current = false WHERE id = $1", &[&id])?;
        }
        record(tx, actor, write.audit)?;
        tx.execute(
            "INSERT INTO figure (indicator, unit_id, period, revision, value, state, as_of, provenance, note, entered_by, entered_at, current)
             VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7, $8, $9, $10, $11, true)",
            &[
                &f.indicator.as_str(),
                &f.unit.0,
                &row.period,
                &write.revision,
                &row.value,
                &row.state,
                &row.as_of,
                &row.provenance,
                &f.note,
                &actor,
                &stamp,
            ],
        )?;
    }
    Ok(report)
}

/// Appends an audit entry the shared decisions made.
pub(crate) fn record(tx: &mut Transaction<'_>, actor: &str, a: decide::Audit) -> Result<()> {
    audit(tx, actor, &a.action, a.entity, &a.key, a.detail)
}

/// Appends one audit entry inside the caller's transaction.
pub(crate) fn audit(
    tx: &mut Transaction<'_>,
    actor: &str,
    action: &str,
    entity: &str,
    key: &str,
    detail: serde_json::Value,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_key, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&now(), &actor, &action, &entity, &key, &detail.to_string()],
    )?;
    Ok(())
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

const VALID_ON: &str =
    "(v.valid_from IS NULL OR v.valid_from <= $2) AND (v.valid_to IS NULL OR v.valid_to >= $2)";

/// Official lists put urban units before rural ones (as the SQLite backend).
fn unit_rank(kind: UnitKind) -> u8 {
    match kind {
        UnitKind::QuocGia => 0,
        UnitKind::ThanhPho
        | UnitKind::Quan
        | UnitKind::ThiXa
        | UnitKind::Phuong
        | UnitKind::ThiTran => 1,
        UnitKind::Tinh | UnitKind::Huyen | UnitKind::Xa | UnitKind::DacKhu => 2,
    }
}

fn sort_units(units: &mut [UnitVersion]) {
    units.sort_by_cached_key(|v| {
        (
            v.level,
            unit_rank(v.kind),
            chitieu_text::search_key(&v.name),
        )
    });
}

impl PgStore {
    fn successions(&self, sql: &str, unit: UnitId) -> Result<Vec<Succession>> {
        let mut out = Vec::new();
        for r in self.query(sql, &[&unit.0])? {
            let date: String = col(&r, 2)?;
            out.push(Succession {
                from: UnitId(col(&r, 0)?),
                to: UnitId(col(&r, 1)?),
                date: parse_date(&date, "succession date")?,
                partial: col(&r, 3)?,
            });
        }
        Ok(out)
    }
}

impl UnitLookup for PgStore {
    fn versions_coded_on(&self, code: &str, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        self.versions_where(&format!("v.code = $1 AND {VALID_ON}"), &[&code, &date])
    }

    fn versions_named_on(&self, folded: &str, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        self.versions_where(
            &format!("v.name_key = $1 AND {VALID_ON}"),
            &[&folded, &date],
        )
    }

    fn versions_named(&self, folded: &str) -> Result<Vec<UnitVersion>> {
        self.versions_where("v.name_key = $1", &[&folded])
    }

    fn versions_of(&self, unit: UnitId) -> Result<Vec<UnitVersion>> {
        self.versions_where(
            "v.unit_id = $1 ORDER BY coalesce(v.valid_from, ''), v.id",
            &[&unit.0],
        )
    }

    fn version_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion> {
        self.unit_on(unit, on)
    }

    fn latest_version(&self, unit: UnitId) -> Result<UnitVersion> {
        self.unit_latest(unit)
    }

    fn successions_into(&self, unit: UnitId) -> Result<Vec<Succession>> {
        self.successions(
            "SELECT from_id, to_id, date, partial FROM unit_succession WHERE to_id = $1 ORDER BY from_id",
            unit,
        )
    }

    fn successions_out_of(&self, unit: UnitId) -> Result<Vec<Succession>> {
        self.successions(
            "SELECT from_id, to_id, date, partial FROM unit_succession WHERE from_id = $1 ORDER BY to_id",
            unit,
        )
    }
}

impl Store for PgStore {
    fn init(&mut self, catalog: &Catalog, progress: &dyn Progress) -> Result<InitReport> {
        let created_schema = self.migrate()?;
        self.write(|tx| {
            lock_keys(tx, &["init".to_string()])?;
            let have_units = tx.query_opt("SELECT id FROM unit LIMIT 1", &[])?.is_some();
            let mut report = InitReport {
                created_schema,
                ..InitReport::default()
            };
            if !have_units {
                let (u, s) = Self::load_gazetteer(tx, progress)?;
                report.units_loaded = u;
                report.successions_loaded = s;
            }
            for ind in &catalog.indicators {
                let builtin: Option<bool> = match tx.query_opt(
                    "SELECT builtin FROM indicator WHERE code = $1",
                    &[&ind.code.as_str()],
                )? {
                    Some(r) => Some(col(&r, 0)?),
                    None => None,
                };
                // A user's own definition of a code is never overwritten by the built-in catalog.
                if builtin.is_none_or(|b| b) && Self::insert_indicator(tx, ind, true)? {
                    report.indicators_loaded += 1;
                }
            }
            if report.units_loaded > 0 || report.indicators_loaded > 0 {
                audit(
                    tx,
                    "system",
                    "init",
                    "database",
                    "",
                    json!({
                        "units": report.units_loaded,
                        "successions": report.successions_loaded,
                        "indicators": report.indicators_loaded,
                        "schema": SCHEMA_VERSION,
                    }),
                )?;
            }
            Ok(report)
        })
    }

    fn schema_version(&self) -> Result<u32> {
        let r = self.query_opt("SELECT max(version) FROM chitieu_schema", &[])?;
        let v: i64 = match r {
            Some(r) => col::<Option<i64>>(&r, 0)?.unwrap_or(0),
            None => 0,
        };
        u32::try_from(v).map_err(|e| StoreError::corrupt("schema version", e))
    }

    fn resolve_unit(&self, name: &str, on: NaiveDate) -> Result<UnitVersion> {
        self.require_init()?;
        decide::resolve_unit(self, name, on)
    }

    fn unit_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion> {
        let date = on.to_string();
        self.versions_where(&format!("v.unit_id = $1 AND {VALID_ON}"), &[&unit.0, &date])?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NoSuchUnit(format!("{unit} on {on}")))
    }

    fn unit_latest(&self, unit: UnitId) -> Result<UnitVersion> {
        self.versions_where(
            "v.unit_id = $1 ORDER BY coalesce(v.valid_to, '9999-12-31') DESC, v.id LIMIT 1",
            &[&unit.0],
        )?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NoSuchUnit(unit.to_string()))
    }

    fn children_on(&self, parent: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        let mut out = self.versions_where(
            &format!("v.parent_id = $1 AND {VALID_ON}"),
            &[&parent.0, &date],
        )?;
        sort_units(&mut out);
        Ok(out)
    }

    fn descendants_on(&self, unit: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        let sql = format!(
            "WITH RECURSIVE d(uid, depth) AS (
                SELECT $1::bigint, 0
                UNION ALL
                SELECT v.unit_id, d.depth + 1 FROM unit_version v JOIN d ON v.parent_id = d.uid
                WHERE {VALID_ON} AND d.depth < 8
             )
             SELECT {VERSION_COLS} FROM unit_version v JOIN d ON v.unit_id = d.uid
             WHERE d.depth > 0 AND {VALID_ON}
             ORDER BY d.depth, v.id"
        );
        let mut out: Vec<UnitVersion> = self
            .query(&sql, &[&unit.0, &date])?
            .iter()
            .map(row_to_version)
            .collect::<Result<_>>()?;
        sort_units(&mut out);
        Ok(out)
    }

    fn unit_history(&self, name: &str) -> Result<Vec<UnitHistory>> {
        self.require_init()?;
        decide::unit_history(self, name)
    }

    fn upsert_organisation(&mut self, org: &Organisation, actor: &str) -> Result<i64> {
        self.write(|tx| {
            Self::check_unit_exists(tx, org.unit)?;
            let row = tx.query_one(
                "INSERT INTO organisation (unit_id, kind, name) VALUES ($1, $2, $3)
                 ON CONFLICT (unit_id, kind) DO UPDATE SET name = excluded.name RETURNING id",
                &[&org.unit.0, &org.kind.key(), &org.name],
            )?;
            let id: i64 = col(&row, 0)?;
            for t in &org.terms {
                tx.execute(
                    "INSERT INTO org_term (org_id, number, start_year, end_year) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (org_id, number) DO UPDATE SET start_year = excluded.start_year, end_year = excluded.end_year",
                    &[
                        &id,
                        &i64::from(t.number),
                        &i64::from(t.start_year),
                        &i64::from(t.end_year),
                    ],
                )?;
            }
            audit(
                tx,
                actor,
                "organisation.upsert",
                "organisation",
                &id.to_string(),
                json!({"name": org.name, "kind": org.kind.key(), "unit": org.unit.0,
                       "terms": org.terms.iter().map(|t| t.label_vi()).collect::<Vec<_>>()}),
            )?;
            Ok(id)
        })
    }

    fn organisations(&self, unit: UnitId) -> Result<Vec<Organisation>> {
        let mut out = Vec::new();
        for r in self.query(
            "SELECT id, kind, name FROM organisation WHERE unit_id = $1 ORDER BY id",
            &[&unit.0],
        )? {
            let id: i64 = col(&r, 0)?;
            let kind: String = col(&r, 1)?;
            let kind = kind
                .parse()
                .map_err(|e: String| StoreError::corrupt("organisation kind", e))?;
            let mut terms = Vec::new();
            for t in self.query(
                "SELECT number, start_year, end_year FROM org_term WHERE org_id = $1 ORDER BY number",
                &[&id],
            )? {
                let year = |i: usize| -> Result<i32> {
                    let y: i64 = col(&t, i)?;
                    i32::try_from(y).map_err(|e| StoreError::corrupt("term year", e))
                };
                terms.push(chitieu_core::org::Term {
                    number: col_u32(&t, 0, "term number")?,
                    start_year: year(1)?,
                    end_year: year(2)?,
                });
            }
            out.push(Organisation {
                id,
                unit,
                kind,
                name: col(&r, 2)?,
                terms,
            });
        }
        Ok(out)
    }

    fn catalog(&self) -> Result<Catalog> {
        let sql = format!("SELECT {INDICATOR_COLS} FROM indicator ORDER BY ord");
        let indicators = self
            .query(&sql, &[])?
            .iter()
            .map(row_to_indicator)
            .collect::<Result<_>>()?;
        Ok(Catalog { indicators })
    }

    fn upsert_indicator(&mut self, indicator: &Indicator, actor: &str) -> Result<()> {
        self.write(|tx| {
            if Self::insert_indicator(tx, indicator, false)? {
                tx.execute(
                    "UPDATE indicator SET builtin = false WHERE code = $1",
                    &[&indicator.code.as_str()],
                )?;
                audit(
                    tx,
                    actor,
                    "indicator.upsert",
                    "indicator",
                    indicator.code.as_str(),
                    serde_json::to_value(indicator).unwrap_or_default(),
                )?;
            }
            Ok(())
        })
    }

    fn apply(&mut self, batch: &Batch, actor: &str) -> Result<ApplyReport> {
        self.require_init()?;
        self.write(|tx| apply_in(tx, batch, actor))
    }

    fn plan_sources(&self) -> Result<Vec<PlanSource>> {
        let sql = format!("SELECT {PLAN_COLS} FROM plan_source ORDER BY key");
        self.query(&sql, &[])?
            .iter()
            .map(row_to_plan_source)
            .collect()
    }

    fn targets_for(&self, unit: UnitId, year: i32) -> Result<Vec<Target>> {
        let sql = format!("SELECT {TARGET_COLS} FROM target WHERE unit_id = $1 ORDER BY id");
        let mut out = Vec::new();
        for r in self.query(&sql, &[&unit.0])? {
            let t = row_to_target(&r)?;
            let covers_year = match t.period {
                Period::Term { start, end } => start <= year && year <= end,
                p => p.year_of() == year,
            };
            if covers_year {
                out.push(t);
            }
        }
        Ok(out)
    }

    fn current_figure(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Option<FigureRevision>> {
        let sql = format!(
            "SELECT {FIGURE_COLS} FROM figure WHERE indicator = $1 AND unit_id = $2 AND period = $3 AND current"
        );
        self.query_opt(&sql, &[&indicator, &unit.0, &period.to_string()])?
            .map(|r| row_to_figure(&r))
            .transpose()
    }

    fn current_figures(&self, units: &[UnitId], period: &Period) -> Result<Vec<FigureRevision>> {
        let sql = format!(
            "SELECT {FIGURE_COLS} FROM figure WHERE unit_id = $1 AND period = $2 AND current ORDER BY indicator"
        );
        let p = period.to_string();
        let mut out = Vec::new();
        for u in units {
            for r in self.query(&sql, &[&u.0, &p])? {
                out.push(row_to_figure(&r)?);
            }
        }
        Ok(out)
    }

    fn figure_series(&self, indicator: &str, unit: UnitId) -> Result<Vec<FigureRevision>> {
        let sql = format!(
            "SELECT {FIGURE_COLS} FROM figure WHERE indicator = $1 AND unit_id = $2 AND current ORDER BY id"
        );
        let mut out: Vec<FigureRevision> = self
            .query(&sql, &[&indicator, &unit.0])?
            .iter()
            .map(row_to_figure)
            .collect::<Result<_>>()?;
        out.sort_by_key(|f| (f.input.period.start_date(), f.input.period.end_date()));
        Ok(out)
    }

    fn figure_history(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Vec<FigureRevision>> {
        let sql = format!(
            "SELECT {FIGURE_COLS} FROM figure WHERE indicator = $1 AND unit_id = $2 AND period = $3 ORDER BY revision"
        );
        self.query(&sql, &[&indicator, &unit.0, &period.to_string()])?
            .iter()
            .map(row_to_figure)
            .collect()
    }

    fn count_units(&self, parent: UnitId, kind: UnitKind, on: NaiveDate) -> Result<u32> {
        Ok(self
            .descendants_on(parent, on)?
            .iter()
            .filter(|v| v.kind == kind)
            .count() as u32)
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        self.query_opt("SELECT value FROM setting WHERE key = $1", &[&key])?
            .map(|r| col(&r, 0))
            .transpose()
    }

    fn set_setting(&mut self, key: &str, value: &str, actor: &str) -> Result<()> {
        self.write(|tx| {
            lock_keys(tx, &[format!("setting:{key}")])?;
            let before: Option<String> =
                match tx.query_opt("SELECT value FROM setting WHERE key = $1", &[&key])? {
                    Some(r) => Some(col(&r, 0)?),
                    None => None,
                };
            if before.as_deref() != Some(value) {
                tx.execute(
                    "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[&key, &value],
                )?;
                audit(
                    tx,
                    actor,
                    "setting.set",
                    "setting",
                    key,
                    json!({"before": before, "after": value}),
                )?;
            }
            Ok(())
        })
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for r in self.query(
            "SELECT id, at, actor, action, entity, entity_key, detail FROM audit_log ORDER BY id DESC LIMIT $1",
            &[&limit],
        )? {
            let detail: String = col(&r, 6)?;
            out.push(AuditEntry {
                id: col(&r, 0)?,
                at: col(&r, 1)?,
                actor: col(&r, 2)?,
                action: col(&r, 3)?,
                entity: col(&r, 4)?,
                entity_key: col(&r, 5)?,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StoreError::corrupt("audit detail", e))?,
            });
        }
        Ok(out)
    }

    fn counts(&self) -> Result<Counts> {
        let r = self.query(
            "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM unit_version),
                    (SELECT count(*) FROM unit_succession), (SELECT count(*) FROM indicator),
                    (SELECT count(*) FROM plan_source), (SELECT count(*) FROM target),
                    (SELECT count(*) FROM figure WHERE current), (SELECT count(*) FROM figure),
                    (SELECT count(*) FROM audit_log)",
            &[],
        )?;
        let r = r
            .first()
            .ok_or_else(|| StoreError::corrupt("counts", "no row"))?;
        let c = |i: usize| -> Result<u64> { Ok(col::<i64>(r, i)?.max(0) as u64) };
        Ok(Counts {
            units: c(0)?,
            unit_versions: c(1)?,
            successions: c(2)?,
            indicators: c(3)?,
            plan_sources: c(4)?,
            targets: c(5)?,
            figures: c(6)?,
            figure_revisions: c(7)?,
            audit_entries: c(8)?,
        })
    }
}
