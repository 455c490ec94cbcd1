//! Values the storage interface takes and returns, beyond the core's domain types.

use chitieu_core::admin::{Succession, UnitVersion};
use chitieu_core::figure::FigureInput;
use chitieu_core::target::{PlanSource, Target};
use serde::{Deserialize, Serialize};

/// What `init` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InitReport {
    pub created_schema: bool,
    pub units_loaded: u64,
    pub successions_loaded: u64,
    pub indicators_loaded: u64,
}

/// A unit's versions with what came before and after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitHistory {
    pub versions: Vec<UnitVersion>,
    /// Each predecessor with the succession that links it.
    pub predecessors: Vec<(Succession, UnitVersion)>,
    /// Each successor with the succession that links it.
    pub successors: Vec<(Succession, UnitVersion)>,
    /// The parent of each version, in the same order as `versions`.
    pub parents: Vec<Option<UnitVersion>>,
}

/// Plan sources, targets and figures to store together, all or nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub plan_sources: Vec<PlanSource>,
    pub targets: Vec<Target>,
    pub figures: Vec<FigureInput>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.plan_sources.is_empty() && self.targets.is_empty() && self.figures.is_empty()
    }
}

/// What `apply` changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    pub plan_sources: u64,
    pub targets_added: u64,
    pub targets_changed: u64,
    pub figures_added: u64,
    pub figures_corrected: u64,
    pub figures_unchanged: u64,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub detail: serde_json::Value,
}

/// Row counts per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub units: u64,
    pub unit_versions: u64,
    pub successions: u64,
    pub indicators: u64,
    pub plan_sources: u64,
    pub targets: u64,
    pub figures: u64,
    pub figure_revisions: u64,
    pub audit_entries: u64,
}
