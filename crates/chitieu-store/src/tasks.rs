//! Storage of key tasks (nhiệm vụ trọng tâm), their progress reports and reviews, tasks
//! proposed from documents, and the new-rural programme's (NTM) criterion states per commune
//! and year. The rules (status derivation, which event may follow which, counting) live in
//! `chitieu_core::task` and `chitieu_core::ntm`; storage keeps the events and checks the
//! life-cycle rule inside the write transaction.

use crate::Result;
use crate::documents::ProposalState;
use chitieu_core::admin::{Succession, UnitId};
use chitieu_core::ntm::{CommuneCriteria, NtmLevel};
use chitieu_core::task::{ProposedTask, Task, TaskEvent, TaskField, TaskState, derive_state};
use chrono::NaiveDate;
use serde::Serialize;

/// A stored task with its events in recorded order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredTask {
    pub id: i64,
    pub task: Task,
    pub events: Vec<StoredTaskEvent>,
    pub created_by: String,
    pub created_at: String,
}

impl StoredTask {
    /// The task's state as of `today` (the caller's date; storage reads no clock for this).
    pub fn state(&self, today: NaiveDate) -> TaskState {
        let events: Vec<TaskEvent> = self.events.iter().map(|e| e.event.clone()).collect();
        derive_state(&self.task.deadline, &events, today)
    }
}

/// A progress report or a review, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredTaskEvent {
    pub id: i64,
    pub event: TaskEvent,
    /// The unit that reported (for a report: the lead unit), when known.
    pub unit: Option<UnitId>,
    pub by: String,
    pub at: String,
}

/// Which tasks to list. Empty fields select everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub lead: Option<UnitId>,
    pub field: Option<TaskField>,
    /// Deadlines on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Deadlines on or before this day.
    pub due_to: Option<NaiveDate>,
    /// Tasks accepted from this document, or created with it as provenance.
    pub document: Option<i64>,
}

/// A task proposed from a document, to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTaskProposal {
    pub document: i64,
    pub extractor: String,
    pub proposed: ProposedTask,
}

/// A stored task proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskProposal {
    pub id: i64,
    pub document: i64,
    pub extractor: String,
    pub proposed: ProposedTask,
    pub state: ProposalState,
    /// The task created when it was accepted.
    pub task: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
}

/// A reviewer's decision on a task proposal.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskDecision {
    /// Accept as this task (the reviewer completes the lead unit, deadline and output). Its
    /// provenance is set to the proposal's document and span.
    Accept(Task),
    Reject,
}

/// Storage of key tasks. Every write is one transaction and appends to the audit log.
pub trait TaskStore {
    /// Stores a new task; returns its id.
    fn add_task(&mut self, task: &Task, actor: &str) -> Result<i64>;
    fn task(&self, id: i64) -> Result<StoredTask>;
    /// Tasks matching the filter, by id.
    fn tasks(&self, filter: &TaskFilter) -> Result<Vec<StoredTask>>;
    /// Appends a progress report or a review. The life-cycle rule
    /// (`chitieu_core::task::check_event`) is checked inside the transaction: a review needs a
    /// reported completion, nothing follows a confirmation. Returns the task as it now is.
    fn add_task_event(
        &mut self,
        id: i64,
        event: &TaskEvent,
        unit: Option<UnitId>,
        actor: &str,
    ) -> Result<StoredTask>;

    /// Records a task proposed from a document; returns its id.
    fn propose_task(&mut self, proposal: &NewTaskProposal, actor: &str) -> Result<i64>;
    /// Task proposals, optionally of one document and in one state, in document order.
    fn task_proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<TaskProposal>>;
    fn task_proposal(&self, id: i64) -> Result<TaskProposal>;
    /// Accepts (creating the task in the same transaction) or rejects a proposal.
    fn review_task_proposal(
        &mut self,
        id: i64,
        decision: &TaskDecision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<TaskProposal>;
}

/// Storage of NTM criterion states. Every write is one transaction and appends to the audit
/// log. Which criteria exist is the criteria set's business (`chitieu_core::ntm`), checked by
/// the caller.
pub trait NtmStore {
    /// Sets the given criterion states (replacing earlier states of the same commune, year,
    /// set, level and criterion), all records or none. Returns the number of states written.
    fn set_ntm_states(&mut self, records: &[CommuneCriteria], actor: &str) -> Result<usize>;
    /// The records of these communes, for one year or all years, by commune then year.
    fn ntm_records(
        &self,
        communes: &[UnitId],
        year: Option<i32>,
        set: Option<&str>,
        level: Option<NtmLevel>,
    ) -> Result<Vec<CommuneCriteria>>;
    /// The units a unit succeeded (the old communes of a commune formed in 2025), with the
    /// succession that links them.
    fn predecessors(&self, unit: UnitId) -> Result<Vec<Succession>>;
}
