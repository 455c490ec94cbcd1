//! [`AnyStore`]: one of the backends, chosen at run time from the `--database` value, behind
//! the same interfaces. Callers written against `impl Store + DocumentStore` take it as is.

use crate::documents::*;
use crate::{
    ApplyReport, AuditEntry, Batch, Counts, InitReport, PgStore, Progress, Result, SqliteStore,
    Store, UnitHistory,
};
use chitieu_core::admin::{UnitId, UnitKind, UnitVersion};
use chitieu_core::figure::FigureRevision;
use chitieu_core::indicator::{Catalog, Indicator};
use chitieu_core::org::Organisation;
use chitieu_core::period::Period;
use chitieu_core::target::{PlanSource, Target};
use chrono::NaiveDate;
use std::path::Path;

/// A store on either backend.
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(Box<PgStore>),
}

/// Which backend a `--database` value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// A file path, optionally written `sqlite:PATH`.
    Sqlite(std::path::PathBuf),
}

impl Location {
    pub fn parse(database: &str) -> Location {
        if crate::postgres::is_postgres_url(database) {
            Location::Postgres(database.to_string())
        } else {
            let path = database.strip_prefix("sqlite://").unwrap_or(database);
            let path = path.strip_prefix("sqlite:").unwrap_or(path);
            Location::Sqlite(path.into())
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Never print a password that the URL may carry.
            Location::Postgres(url) => match url.split_once('@') {
                Some((creds, rest)) if creds.contains(':') && creds.matches(':').count() > 1 => {
                    let user = creds.rsplit_once(':').map(|(u, _)| u).unwrap_or(creds);
                    write!(f, "{user}:***@{rest}")
                }
                _ => f.write_str(url),
            },
            Location::Sqlite(p) => write!(f, "{}", p.display()),
        }
    }
}

impl AnyStore {
    /// Opens the database a `--database` value names: a SQLite file (created if missing) or a
    /// PostgreSQL server, bringing its schema up to date.
    pub fn open(database: &str) -> Result<AnyStore> {
        match Location::parse(database) {
            Location::Postgres(url) => Ok(AnyStore::Postgres(Box::new(PgStore::open(&url)?))),
            Location::Sqlite(path) => Ok(AnyStore::Sqlite(SqliteStore::open(Path::new(&path))?)),
        }
    }

    /// "SQLite" or "PostgreSQL".
    pub fn backend_name(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "SQLite",
            AnyStore::Postgres(_) => "PostgreSQL",
        }
    }
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $e,
            AnyStore::Postgres($s) => $e,
        }
    };
}

impl Store for AnyStore {
    fn init(&mut self, catalog: &Catalog, progress: &dyn Progress) -> Result<InitReport> {
        both!(self, s => s.init(catalog, progress))
    }
    fn schema_version(&self) -> Result<u32> {
        both!(self, s => s.schema_version())
    }
    fn resolve_unit(&self, name: &str, on: NaiveDate) -> Result<UnitVersion> {
        both!(self, s => s.resolve_unit(name, on))
    }
    fn unit_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion> {
        both!(self, s => s.unit_on(unit, on))
    }
    fn unit_latest(&self, unit: UnitId) -> Result<UnitVersion> {
        both!(self, s => s.unit_latest(unit))
    }
    fn children_on(&self, parent: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        both!(self, s => s.children_on(parent, on))
    }
    fn descendants_on(&self, unit: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        both!(self, s => s.descendants_on(unit, on))
    }
    fn unit_history(&self, name: &str) -> Result<Vec<UnitHistory>> {
        both!(self, s => s.unit_history(name))
    }
    fn upsert_organisation(&mut self, org: &Organisation, actor: &str) -> Result<i64> {
        both!(self, s => s.upsert_organisation(org, actor))
    }
    fn organisations(&self, unit: UnitId) -> Result<Vec<Organisation>> {
        both!(self, s => s.organisations(unit))
    }
    fn catalog(&self) -> Result<Catalog> {
        both!(self, s => s.catalog())
    }
    fn upsert_indicator(&mut self, indicator: &Indicator, actor: &str) -> Result<()> {
        both!(self, s => s.upsert_indicator(indicator, actor))
    }
    fn apply(&mut self, batch: &Batch, actor: &str) -> Result<ApplyReport> {
        both!(self, s => s.apply(batch, actor))
    }
    fn plan_sources(&self) -> Result<Vec<PlanSource>> {
        both!(self, s => s.plan_sources())
    }
    fn targets_for(&self, unit: UnitId, year: i32) -> Result<Vec<Target>> {
        both!(self, s => s.targets_for(unit, year))
    }
    fn current_figure(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Option<FigureRevision>> {
        both!(self, s => s.current_figure(indicator, unit, period))
    }
    fn current_figures(&self, units: &[UnitId], period: &Period) -> Result<Vec<FigureRevision>> {
        both!(self, s => s.current_figures(units, period))
    }
    fn figure_series(&self, indicator: &str, unit: UnitId) -> Result<Vec<FigureRevision>> {
        both!(self, s => s.figure_series(indicator, unit))
    }
    fn figure_history(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Vec<FigureRevision>> {
        both!(self, s => s.figure_history(indicator, unit, period))
    }
    fn count_units(&self, parent: UnitId, kind: UnitKind, on: NaiveDate) -> Result<u32> {
        both!(self, s => s.count_units(parent, kind, on))
    }
    fn setting(&self, key: &str) -> Result<Option<String>> {
        both!(self, s => s.setting(key))
    }
    fn set_setting(&mut self, key: &str, value: &str, actor: &str) -> Result<()> {
        both!(self, s => s.set_setting(key, value, actor))
    }
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        both!(self, s => s.audit_log(limit))
    }
    fn counts(&self) -> Result<Counts> {
        both!(self, s => s.counts())
    }
}

impl DocumentStore for AnyStore {
    fn add_document(&mut self, doc: &NewDocument, actor: &str) -> Result<DocumentAdded> {
        both!(self, s => s.add_document(doc, actor))
    }
    fn document(&self, id: i64) -> Result<StoredDocument> {
        both!(self, s => s.document(id))
    }
    fn documents(&self) -> Result<Vec<StoredDocument>> {
        both!(self, s => s.documents())
    }
    fn proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<Proposal>> {
        both!(self, s => s.proposals(document, state))
    }
    fn proposal(&self, id: i64) -> Result<Proposal> {
        both!(self, s => s.proposal(id))
    }
    fn review(
        &mut self,
        id: i64,
        decision: &Decision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<Proposal> {
        both!(self, s => s.review(id, decision, note, actor))
    }
}

impl crate::sqlite::ReportStore for AnyStore {
    fn issue_report(
        &mut self,
        req: &crate::sqlite::IssueRequest,
        actor: &str,
    ) -> Result<crate::sqlite::IssuedReport> {
        both!(self, s => s.issue_report(req, actor))
    }
    fn issued_report(&self, id: i64) -> Result<Option<crate::sqlite::IssuedReport>> {
        both!(self, s => s.issued_report(id))
    }
    fn issued_reports(&self, unit: UnitId) -> Result<Vec<crate::sqlite::IssuedReport>> {
        both!(self, s => s.issued_reports(unit))
    }
}
