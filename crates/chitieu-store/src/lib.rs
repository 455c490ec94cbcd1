//! chitieu storage.
//!
//! [`Store`] is the interface every backend implements with the same behaviour: the embedded
//! SQLite backend ([`SqliteStore`]) and PostgreSQL ([`PgStore`]), or either chosen at run time
//! ([`AnyStore`]). Each write method is one
//! transaction: it stores everything it was given or nothing, and records what it changed in
//! the audit log. Reads never write.

pub mod accounts;
mod any;
mod decide;
pub mod documents;
mod error;
pub mod exchange;
mod model;
pub mod notifications;
pub mod portal;
pub mod postgres;
pub mod snapshot;
pub mod sqlite;
pub mod tasks;
pub mod transfer;
pub mod workflow;

pub use accounts::AccountStore;
pub use any::{AnyStore, Location};
pub use documents::DocumentStore;
pub use error::StoreError;
pub use exchange::ExchangeStore;
pub use model::*;
pub use notifications::NotificationStore;
pub use portal::PortalStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use tasks::{NtmStore, TaskStore};
pub use workflow::WorkflowStore;

use chitieu_core::admin::{UnitId, UnitVersion};
use chitieu_core::figure::FigureRevision;
use chitieu_core::indicator::{Catalog, Indicator};
use chitieu_core::org::Organisation;
use chitieu_core::period::Period;
use chitieu_core::target::{PlanSource, Target};
use chrono::NaiveDate;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Reports progress of long work (loading the national unit list, large imports).
pub trait Progress {
    fn start(&self, what: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// A [`Progress`] that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// The storage interface. Every backend passes the same test suite.
pub trait Store {
    // ----- set-up -----

    /// Creates the schema (if needed) and loads the national unit list and the built-in
    /// indicator catalog. Running it again on an initialised database changes nothing.
    fn init(&mut self, catalog: &Catalog, progress: &dyn Progress) -> Result<InitReport>;

    /// The schema version the database is at.
    fn schema_version(&self) -> Result<u32>;

    // ----- administrative units -----

    /// Finds the unit a name refers to on a date: "huyện Bắc Sơn", "xã Vũ Sơn, huyện Bắc Sơn",
    /// or an official code valid on that date.
    fn resolve_unit(&self, name: &str, on: NaiveDate) -> Result<UnitVersion>;

    /// The version of a unit in force on a date.
    fn unit_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion>;

    /// The latest version of a unit, whether or not it is still in force.
    fn unit_latest(&self, unit: UnitId) -> Result<UnitVersion>;

    /// The units directly below `parent` on a date.
    fn children_on(&self, parent: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>>;

    /// Every unit below `unit` on a date, parents before children.
    fn descendants_on(&self, unit: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>>;

    /// Every version of every unit whose name matches, with predecessors and successors.
    fn unit_history(&self, name: &str) -> Result<Vec<UnitHistory>>;

    // ----- organisations -----

    fn upsert_organisation(&mut self, org: &Organisation, actor: &str) -> Result<i64>;
    fn organisations(&self, unit: UnitId) -> Result<Vec<Organisation>>;

    // ----- indicators -----

    fn catalog(&self) -> Result<Catalog>;
    fn upsert_indicator(&mut self, indicator: &Indicator, actor: &str) -> Result<()>;

    // ----- plans, targets and figures -----

    /// Stores plan sources, targets and figures in one transaction: all or nothing.
    fn apply(&mut self, batch: &Batch, actor: &str) -> Result<ApplyReport>;

    fn plan_sources(&self) -> Result<Vec<PlanSource>>;

    /// Targets set for a unit, for periods that cover or equal `period`'s year.
    fn targets_for(&self, unit: UnitId, year: i32) -> Result<Vec<Target>>;

    /// The current figure for one indicator, unit and period.
    fn current_figure(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Option<FigureRevision>>;

    /// Current figures of one period for a set of units (all indicators).
    fn current_figures(&self, units: &[UnitId], period: &Period) -> Result<Vec<FigureRevision>>;

    /// The current figures of one indicator for one unit, over all periods, oldest first.
    fn figure_series(&self, indicator: &str, unit: UnitId) -> Result<Vec<FigureRevision>>;

    /// Every revision of one figure, oldest first.
    fn figure_history(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Vec<FigureRevision>>;

    /// Number of units of a kind in force below `parent` on a date (the Y of "8/17 xã").
    fn count_units(
        &self,
        parent: UnitId,
        kind: chitieu_core::admin::UnitKind,
        on: NaiveDate,
    ) -> Result<u32>;

    // ----- settings and audit -----

    /// A setting (evaluation thresholds, document number counters, …), stored as JSON text.
    fn setting(&self, key: &str) -> Result<Option<String>>;
    fn set_setting(&mut self, key: &str, value: &str, actor: &str) -> Result<()>;

    /// The newest audit entries first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>>;

    /// Row counts per table, for checks and reports.
    fn counts(&self) -> Result<Counts>;
}
