//! The embedded SQLite backend: one file, WAL journal, versioned migrations, and every write
//! method one transaction.

mod accounts;
pub mod bulk;
mod documents;
mod exchange;
mod notifications;
mod reports;
pub use reports::{IssueRequest, IssuedReport, ReportStore};
mod portal;
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
use rows::*;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;
use std::path::Path;

/// Migrations in order. The database's `user_version` is the number applied.
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

/// A chitieu database in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let conn = Connection::open(path)?;
        Self::configure(conn)
    }

    /// An in-memory database, for tests.
    pub fn open_in_memory() -> Result<SqliteStore> {
        Self::configure(Connection::open_in_memory()?)
    }

    fn configure(conn: Connection) -> Result<SqliteStore> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL lets readers (the web server, a second CLI) run beside a writer.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;",
        )?;
        // A 16 MiB page cache (the default is 2 MiB): a province's dashboard touches a few MiB
        // of index pages, which then stay in memory between requests (chitieu-bench).
        conn.execute_batch("PRAGMA cache_size = -16384;")?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    /// Applies the migrations not yet applied, each in its own transaction.
    fn migrate(&mut self) -> Result<bool> {
        let found: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                known: SCHEMA_VERSION,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.write_tx()?;
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
            tx.commit()?;
        }
        Ok(found < SCHEMA_VERSION)
    }

    /// Starts a write transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE).
    /// A deferred transaction that reads first and writes later cannot wait for another writer
    /// to finish: it fails at once with "database is locked". Taking the lock up front lets the
    /// busy timeout queue concurrent writers (several web requests, a CLI beside the server).
    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    /// The underlying connection, for read-only queries by benchmarks and checks.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn require_init(&self) -> Result<()> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM unit", [], |r| r.get(0))?;
        if n == 0 {
            Err(StoreError::NotInitialised)
        } else {
            Ok(())
        }
    }

    fn versions_where(
        &self,
        sql_where: &str,
        p: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<UnitVersion>> {
        let sql = format!("SELECT {VERSION_COLS} FROM unit_version v WHERE {sql_where}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(p, row_to_version)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn load_gazetteer(tx: &Transaction<'_>, progress: &dyn Progress) -> Result<(u64, u64)> {
        let gaz = chitieu_gazetteer::load().map_err(|e| StoreError::Gazetteer(e.to_string()))?;
        progress.start(
            "Nạp danh mục đơn vị hành chính",
            (gaz.versions.len() + gaz.successions.len()) as u64,
        );
        {
            let mut unit = tx.prepare("INSERT OR IGNORE INTO unit (id) VALUES (?1)")?;
            let mut ver = tx.prepare(
                "INSERT INTO unit_version (unit_id, name, name_key, kind, level, code, parent_id, valid_from, valid_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            // Parents must exist before children reference them: insert every unit id first.
            for v in &gaz.versions {
                unit.execute([v.unit.0])?;
            }
            for (i, v) in gaz.versions.iter().enumerate() {
                ver.execute(params![
                    v.unit.0,
                    v.name,
                    chitieu_text::fold(&v.name),
                    v.kind.key(),
                    v.level.as_str(),
                    v.code.as_ref().map(|c| c.0.as_str()),
                    v.parent.map(|p| p.0),
                    v.valid_from.map(|d| d.to_string()),
                    v.valid_to.map(|d| d.to_string()),
                ])?;
                if i % 1000 == 999 {
                    progress.advance(1000);
                }
            }
            let mut suc = tx.prepare(
                "INSERT OR REPLACE INTO unit_succession (from_id, to_id, date, partial) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for s in &gaz.successions {
                suc.execute(params![s.from.0, s.to.0, s.date.to_string(), s.partial])?;
            }
        }
        progress.advance((gaz.versions.len() % 1000 + gaz.successions.len()) as u64);
        progress.finish();
        Ok((gaz.versions.len() as u64, gaz.successions.len() as u64))
    }

    fn insert_indicator(tx: &Transaction<'_>, ind: &Indicator, builtin: bool) -> Result<bool> {
        let phrases = serde_json::to_string(&ind.phrases)
            .map_err(|e| StoreError::corrupt("indicator phrases", e))?;
        let n = tx.execute(
            "INSERT INTO indicator (code, name_vi, unit, direction, grp, aggregation, temporal, counts_units, phrases, builtin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(code) DO UPDATE SET name_vi = excluded.name_vi, unit = excluded.unit,
               direction = excluded.direction, grp = excluded.grp, aggregation = excluded.aggregation,
               temporal = excluded.temporal, counts_units = excluded.counts_units, phrases = excluded.phrases
             WHERE NOT (indicator.name_vi IS excluded.name_vi AND indicator.unit IS excluded.unit
               AND indicator.direction IS excluded.direction AND indicator.grp IS excluded.grp
               AND indicator.aggregation IS excluded.aggregation AND indicator.temporal IS excluded.temporal
               AND indicator.counts_units IS excluded.counts_units AND indicator.phrases IS excluded.phrases)",
            params![
                ind.code.as_str(),
                ind.name_vi,
                ind.unit,
                ind.direction.as_str(),
                ind.group,
                ind.aggregation.to_string(),
                ind.temporal.as_str(),
                ind.counts_units.map(|l| l.as_str()),
                phrases,
                builtin,
            ],
        )?;
        Ok(n > 0)
    }

    fn check_unit_exists(tx: &Transaction<'_>, unit: UnitId) -> Result<()> {
        let found: Option<i64> = tx
            .query_row("SELECT id FROM unit WHERE id = ?1", [unit.0], |r| r.get(0))
            .optional()?;
        found
            .map(|_| ())
            .ok_or_else(|| StoreError::NoSuchUnit(unit.to_string()))
    }

    fn check_indicator_exists(tx: &Transaction<'_>, code: &str) -> Result<()> {
        let found: Option<String> = tx
            .query_row("SELECT code FROM indicator WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .optional()?;
        found
            .map(|_| ())
            .ok_or_else(|| StoreError::UnknownIndicator(code.to_string()))
    }
}

/// Official lists put urban units (thị trấn, phường, quận, thành phố, thị xã) before rural ones.
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

/// Stores a batch inside the caller's transaction, auditing each change (what changes and the
/// audit entry are decided in [`decide`]).
pub(crate) fn apply_in(tx: &Transaction<'_>, batch: &Batch, actor: &str) -> Result<ApplyReport> {
    let mut report = ApplyReport::default();
    let stamp = now();
    for ps in &batch.plan_sources {
        SqliteStore::check_unit_exists(tx, ps.unit)?;
        let n = tx.execute(
                "INSERT INTO plan_source (key, kind, title, unit_id, issued_on) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, title = excluded.title,
                   unit_id = excluded.unit_id, issued_on = excluded.issued_on
                 WHERE NOT (plan_source.kind IS excluded.kind AND plan_source.title IS excluded.title
                   AND plan_source.unit_id IS excluded.unit_id AND plan_source.issued_on IS excluded.issued_on)",
                params![
                    ps.key,
                    ps.kind.key(),
                    ps.title,
                    ps.unit.0,
                    ps.issued_on.map(|d| d.to_string())
                ],
            )?;
        if n > 0 {
            record(tx, actor, decide::plan_source_upserted(&mut report, ps))?;
        }
    }
    for t in &batch.targets {
        SqliteStore::check_indicator_exists(tx, t.indicator.as_str())?;
        SqliteStore::check_unit_exists(tx, t.unit)?;
        let source: Option<String> = tx
            .query_row(
                "SELECT key FROM plan_source WHERE key = ?1",
                [&t.source],
                |r| r.get(0),
            )
            .optional()?;
        if source.is_none() {
            return Err(StoreError::UnknownPlanSource(t.source.clone()));
        }
        let row = decide::TargetRow::new(t, comparator_parts(&t.comparator));
        let stored = tx
                .query_row(
                    "SELECT id, op, value, max_value FROM target WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 AND source_key = ?4",
                    params![t.indicator.as_str(), t.unit.0, row.period, t.source],
                    |r| Ok(decide::StoredTarget { id: r.get(0)?, op: r.get(1)?, value: r.get(2)?, max: r.get(3)? }),
                )
                .optional()?;
        let Some(write) = decide::decide_target(&mut report, &row, stored) else {
            continue;
        };
        match write.update {
            Some(id) => {
                tx.execute(
                    "UPDATE target SET op = ?1, value = ?2, max_value = ?3 WHERE id = ?4",
                    params![row.op, row.value, row.max, id],
                )?;
            }
            None => {
                tx.execute(
                        "INSERT INTO target (indicator, unit_id, period, source_key, op, value, max_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![t.indicator.as_str(), t.unit.0, row.period, t.source, row.op, row.value, row.max],
                    )?;
            }
        }
        record(tx, actor, write.audit)?;
    }
    for f in &batch.figures {
        SqliteStore::check_indicator_exists(tx, f.indicator.as_str())?;
        SqliteStore::check_unit_exists(tx, f.unit)?;
        let row = decide::FigureRow::new(f)?;
        let current = tx
                .query_row(
                    "SELECT id, revision, value, state, as_of, note FROM figure WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 AND current = 1",
                    params![f.indicator.as_str(), f.unit.0, row.period],
                    |r| Ok(decide::StoredFigure { id: r.get(0)?, revision: r.get(1)?, value: r.get(2)?, state: r.get(3)?, as_of: r.get(4)?, note: r.get(5)? }),
                )
                .optional()?;
        let Some(write) = decide::decide_figure(&mut report, &row, current) else {
            continue;
        };
        if let Some(id) = write.supersede {
            tx.execute("UPDATE figure SET current = 0 WHERE id = ?1", [id])?;
        }
        record(tx, actor, write.audit)?;
        tx.execute(
                "INSERT INTO figure (indicator, unit_id, period, revision, value, state, as_of, provenance, note, entered_by, entered_at, current)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1)",
                params![
                    f.indicator.as_str(),
                    f.unit.0,
                    row.period,
                    write.revision,
                    row.value,
                    row.state,
                    row.as_of,
                    row.provenance,
                    f.note,
                    actor,
                    stamp
                ],
            )?;
    }
    Ok(report)
}

/// Appends an audit entry the shared decisions made.
pub(crate) fn record(tx: &Transaction<'_>, actor: &str, a: decide::Audit) -> Result<()> {
    audit(tx, actor, &a.action, a.entity, &a.key, a.detail)
}

/// Appends one audit entry inside the caller's transaction.
pub(crate) fn audit(
    tx: &Transaction<'_>,
    actor: &str,
    action: &str,
    entity: &str,
    key: &str,
    detail: serde_json::Value,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_key, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now(), actor, action, entity, key, detail.to_string()],
    )?;
    Ok(())
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

const VALID_ON: &str =
    "(v.valid_from IS NULL OR v.valid_from <= ?2) AND (v.valid_to IS NULL OR v.valid_to >= ?2)";

impl SqliteStore {
    fn successions(&self, sql: &str, unit: UnitId) -> Result<Vec<Succession>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([unit.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (from, to, date, partial) = row?;
            out.push(Succession {
                from: UnitId(from),
                to: UnitId(to),
                date: parse_date(&date, "succession date")?,
                partial,
            });
        }
        Ok(out)
    }
}

impl UnitLookup for SqliteStore {
    fn versions_coded_on(&self, code: &str, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        self.versions_where(&format!("v.code = ?1 AND {VALID_ON}"), &[&code, &date])
    }

    fn versions_named_on(&self, folded: &str, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        self.versions_where(
            &format!("v.name_key = ?1 AND {VALID_ON}"),
            &[&folded, &date],
        )
    }

    fn versions_named(&self, folded: &str) -> Result<Vec<UnitVersion>> {
        self.versions_where("v.name_key = ?1", &[&folded])
    }

    fn versions_of(&self, unit: UnitId) -> Result<Vec<UnitVersion>> {
        self.versions_where(
            "v.unit_id = ?1 ORDER BY coalesce(v.valid_from, '')",
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
            "SELECT from_id, to_id, date, partial FROM unit_succession WHERE to_id = ?1 ORDER BY from_id",
            unit,
        )
    }

    fn successions_out_of(&self, unit: UnitId) -> Result<Vec<Succession>> {
        self.successions(
            "SELECT from_id, to_id, date, partial FROM unit_succession WHERE from_id = ?1 ORDER BY to_id",
            unit,
        )
    }
}

impl Store for SqliteStore {
    fn init(&mut self, catalog: &Catalog, progress: &dyn Progress) -> Result<InitReport> {
        let created_schema = self.migrate()?;
        let tx = self.write_tx()?;
        let have_units: i64 = tx.query_row("SELECT count(*) FROM unit", [], |r| r.get(0))?;
        let mut report = InitReport {
            created_schema,
            ..InitReport::default()
        };
        if have_units == 0 {
            let (u, s) = Self::load_gazetteer(&tx, progress)?;
            report.units_loaded = u;
            report.successions_loaded = s;
        }
        for ind in &catalog.indicators {
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT builtin FROM indicator WHERE code = ?1",
                    [ind.code.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            // A user's own definition of a code is never overwritten by the built-in catalog.
            if exists.is_none_or(|b| b == 1) && Self::insert_indicator(&tx, ind, true)? {
                report.indicators_loaded += 1;
            }
        }
        if report.units_loaded > 0 || report.indicators_loaded > 0 {
            audit(
                &tx,
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
        tx.commit()?;
        Ok(report)
    }

    fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn resolve_unit(&self, name: &str, on: NaiveDate) -> Result<UnitVersion> {
        self.require_init()?;
        decide::resolve_unit(self, name, on)
    }

    fn unit_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion> {
        let date = on.to_string();
        self.versions_where(&format!("v.unit_id = ?1 AND {VALID_ON}"), &[&unit.0, &date])?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NoSuchUnit(format!("{unit} on {on}")))
    }

    fn unit_latest(&self, unit: UnitId) -> Result<UnitVersion> {
        self.versions_where(
            "v.unit_id = ?1 ORDER BY coalesce(v.valid_to, '9999-12-31') DESC LIMIT 1",
            &[&unit.0],
        )?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NoSuchUnit(unit.to_string()))
    }

    fn children_on(&self, parent: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        let mut out = self.versions_where(
            &format!("v.parent_id = ?1 AND {VALID_ON}"),
            &[&parent.0, &date],
        )?;
        sort_units(&mut out);
        Ok(out)
    }

    fn descendants_on(&self, unit: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        let date = on.to_string();
        let sql = format!(
            "WITH RECURSIVE d(uid, depth) AS (
                SELECT ?1, 0
                UNION ALL
                SELECT v.unit_id, d.depth + 1 FROM unit_version v JOIN d ON v.parent_id = d.uid
                WHERE {VALID_ON} AND d.depth < 8
             )
             SELECT {VERSION_COLS} FROM unit_version v JOIN d ON v.unit_id = d.uid
             WHERE d.depth > 0 AND {VALID_ON}
             ORDER BY d.depth"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![unit.0, date], row_to_version)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        // Parents before children (the query orders by depth), and within a level the order
        // of official lists: towns and wards before communes, then by name.
        sort_units(&mut out);
        Ok(out)
    }

    fn unit_history(&self, name: &str) -> Result<Vec<UnitHistory>> {
        self.require_init()?;
        decide::unit_history(self, name)
    }

    fn upsert_organisation(&mut self, org: &Organisation, actor: &str) -> Result<i64> {
        let tx = self.write_tx()?;
        Self::check_unit_exists(&tx, org.unit)?;
        tx.execute(
            "INSERT INTO organisation (unit_id, kind, name) VALUES (?1, ?2, ?3)
             ON CONFLICT(unit_id, kind) DO UPDATE SET name = excluded.name",
            params![org.unit.0, org.kind.key(), org.name],
        )?;
        let id: i64 = tx.query_row(
            "SELECT id FROM organisation WHERE unit_id = ?1 AND kind = ?2",
            params![org.unit.0, org.kind.key()],
            |r| r.get(0),
        )?;
        for t in &org.terms {
            tx.execute(
                "INSERT OR REPLACE INTO org_term (org_id, number, start_year, end_year) VALUES (?1, ?2, ?3, ?4)",
                params![id, t.number, t.start_year, t.end_year],
            )?;
        }
        audit(
            &tx,
            actor,
            "organisation.upsert",
            "organisation",
            &id.to_string(),
            json!({"name": org.name, "kind": org.kind.key(), "unit": org.unit.0,
                   "terms": org.terms.iter().map(|t| t.label_vi()).collect::<Vec<_>>()}),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn organisations(&self, unit: UnitId) -> Result<Vec<Organisation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, name FROM organisation WHERE unit_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([unit.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, name) = row?;
            let kind = kind
                .parse()
                .map_err(|e: String| StoreError::corrupt("organisation kind", e))?;
            let mut ts = self.conn.prepare_cached(
                "SELECT number, start_year, end_year FROM org_term WHERE org_id = ?1 ORDER BY number",
            )?;
            let terms = ts
                .query_map([id], |r| {
                    Ok(chitieu_core::org::Term {
                        number: r.get(0)?,
                        start_year: r.get(1)?,
                        end_year: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.push(Organisation {
                id,
                unit,
                kind,
                name,
                terms,
            });
        }
        Ok(out)
    }

    fn catalog(&self) -> Result<Catalog> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, name_vi, unit, direction, grp, aggregation, temporal, counts_units, phrases
             FROM indicator ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], row_to_indicator)?;
        let mut indicators = Vec::new();
        for r in rows {
            indicators.push(r??);
        }
        Ok(Catalog { indicators })
    }

    fn upsert_indicator(&mut self, indicator: &Indicator, actor: &str) -> Result<()> {
        let tx = self.write_tx()?;
        if Self::insert_indicator(&tx, indicator, false)? {
            tx.execute(
                "UPDATE indicator SET builtin = 0 WHERE code = ?1",
                [indicator.code.as_str()],
            )?;
            audit(
                &tx,
                actor,
                "indicator.upsert",
                "indicator",
                indicator.code.as_str(),
                serde_json::to_value(indicator).unwrap_or_default(),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn apply(&mut self, batch: &Batch, actor: &str) -> Result<ApplyReport> {
        self.require_init()?;
        let tx = self.write_tx()?;
        let report = apply_in(&tx, batch, actor)?;
        tx.commit()?;
        Ok(report)
    }

    fn plan_sources(&self) -> Result<Vec<PlanSource>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, kind, title, unit_id, issued_on FROM plan_source ORDER BY key",
        )?;
        let rows = stmt.query_map([], row_to_plan_source)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn targets_for(&self, unit: UnitId, year: i32) -> Result<Vec<Target>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT indicator, unit_id, period, source_key, op, value, max_value FROM target
             WHERE unit_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([unit.0], row_to_target)?;
        let mut out = Vec::new();
        for r in rows {
            let t = r??;
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
            "SELECT {FIGURE_COLS} FROM figure WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 AND current = 1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query_map(
            params![indicator, unit.0, period.to_string()],
            row_to_figure,
        )?;
        match rows.next() {
            Some(r) => Ok(Some(r??)),
            None => Ok(None),
        }
    }

    fn current_figures(&self, units: &[UnitId], period: &Period) -> Result<Vec<FigureRevision>> {
        let sql = format!(
            "SELECT {FIGURE_COLS} FROM figure WHERE unit_id = ?1 AND period = ?2 AND current = 1 ORDER BY indicator"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let p = period.to_string();
        let mut out = Vec::new();
        for u in units {
            for r in stmt.query_map(params![u.0, p], row_to_figure)? {
                out.push(r??);
            }
        }
        Ok(out)
    }

    fn figure_series(&self, indicator: &str, unit: UnitId) -> Result<Vec<FigureRevision>> {
        let sql = format!(
            "SELECT {FIGURE_COLS} FROM figure WHERE indicator = ?1 AND unit_id = ?2 AND current = 1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![indicator, unit.0], row_to_figure)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
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
            "SELECT {FIGURE_COLS} FROM figure WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 ORDER BY revision"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![indicator, unit.0, period.to_string()],
            row_to_figure,
        )?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn count_units(&self, parent: UnitId, kind: UnitKind, on: NaiveDate) -> Result<u32> {
        Ok(self
            .descendants_on(parent, on)?
            .iter()
            .filter(|v| v.kind == kind)
            .count() as u32)
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn set_setting(&mut self, key: &str, value: &str, actor: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let before: Option<String> = tx
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        if before.as_deref() != Some(value) {
            tx.execute(
                "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            audit(
                &tx,
                actor,
                "setting.set",
                "setting",
                key,
                json!({"before": before, "after": value}),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, action, entity, entity_key, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, action, entity, entity_key, detail) = row?;
            out.push(AuditEntry {
                id,
                at,
                actor,
                action,
                entity,
                entity_key,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StoreError::corrupt("audit detail", e))?,
            });
        }
        Ok(out)
    }

    fn counts(&self) -> Result<Counts> {
        let c = |sql: &str| -> Result<u64> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        Ok(Counts {
            units: c("SELECT count(*) FROM unit")?,
            unit_versions: c("SELECT count(*) FROM unit_version")?,
            successions: c("SELECT count(*) FROM unit_succession")?,
            indicators: c("SELECT count(*) FROM indicator")?,
            plan_sources: c("SELECT count(*) FROM plan_source")?,
            targets: c("SELECT count(*) FROM target")?,
            figures: c("SELECT count(*) FROM figure WHERE current = 1")?,
            figure_revisions: c("SELECT count(*) FROM figure")?,
            audit_entries: c("SELECT count(*) FROM audit_log")?,
        })
    }
}
