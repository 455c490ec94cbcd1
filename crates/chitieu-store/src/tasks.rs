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
#[allow(clippy::large_enum_variant)] // one decision at a time; boxing would only add noise
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

// ----- encoding shared by the backends -----

/// A task's columns as both backends store them (JSON text for the structured fields).
pub(crate) struct TaskColumns {
    pub field: &'static str,
    pub cooperating: String,
    pub deadline: String,
    pub deadline_date: String,
    pub output: String,
    pub period: Option<String>,
    pub provenance: String,
    pub document: Option<i64>,
}

pub(crate) fn encode_task(task: &Task) -> Result<TaskColumns> {
    let json = |v: serde_json::Result<String>| {
        v.map_err(|e| crate::StoreError::corrupt("task (encoding)", e))
    };
    let coop: Vec<i64> = task.cooperating.iter().map(|u| u.0).collect();
    Ok(TaskColumns {
        field: task.field.key(),
        cooperating: json(serde_json::to_string(&coop))?,
        deadline: json(serde_json::to_string(&task.deadline))?,
        deadline_date: task.deadline.date().to_string(),
        output: json(serde_json::to_string(&task.output))?,
        period: task.period.map(|p| p.to_string()),
        provenance: json(serde_json::to_string(&task.provenance))?,
        document: match &task.provenance {
            chitieu_core::figure::Provenance::Document { document, .. } => Some(*document),
            _ => None,
        },
    })
}

/// The stored text of a task's columns, in `TASK_COLS` order.
pub(crate) struct TaskRow {
    pub id: i64,
    pub text: String,
    pub field: String,
    pub lead: i64,
    pub cooperating: String,
    pub deadline: String,
    pub output: String,
    pub source: String,
    pub period: Option<String>,
    pub provenance: String,
    pub created_by: String,
    pub created_at: String,
}

pub(crate) const TASK_COLS: &str = "id, text, field, lead_unit_id, cooperating, deadline, output, source, period, provenance, created_by, created_at";

/// `TASK_COLS` qualified with the alias `t`, for queries that join the task's events.
pub(crate) const TASK_COLS_T: &str = "t.id, t.text, t.field, t.lead_unit_id, t.cooperating, t.deadline, t.output, t.source, t.period, t.provenance, t.created_by, t.created_at";

/// Adds one row of a task-and-events join (ordered by task, then event) to `out`: a new task
/// when the row's task differs from the last one, and its event, if the row has one.
pub(crate) fn push_task_row(
    out: &mut Vec<StoredTask>,
    row: TaskRow,
    event: Option<StoredTaskEvent>,
) -> Result<()> {
    let same = out.last().is_some_and(|t| t.id == row.id);
    if !same {
        out.push(decode_task(row)?);
    }
    if let (Some(e), Some(last)) = (event, out.last_mut()) {
        last.events.push(e);
    }
    Ok(())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> crate::StoreError {
    crate::StoreError::corrupt(what, e)
}

pub(crate) fn decode_task(r: TaskRow) -> Result<StoredTask> {
    let coop: Vec<i64> =
        serde_json::from_str(&r.cooperating).map_err(|e| corrupt("task cooperating units", e))?;
    Ok(StoredTask {
        id: r.id,
        task: Task {
            text: r.text,
            field: r
                .field
                .parse()
                .map_err(|e: chitieu_core::task::TaskError| corrupt("task field", e))?,
            lead: UnitId(r.lead),
            cooperating: coop.into_iter().map(UnitId).collect(),
            deadline: serde_json::from_str(&r.deadline).map_err(|e| corrupt("task deadline", e))?,
            output: serde_json::from_str(&r.output).map_err(|e| corrupt("task output", e))?,
            source: r.source,
            period: r
                .period
                .map(|p| p.parse())
                .transpose()
                .map_err(|e: chitieu_core::period::PeriodError| corrupt("task period", e))?,
            provenance: serde_json::from_str(&r.provenance)
                .map_err(|e| corrupt("task provenance", e))?,
        },
        events: Vec::new(),
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

pub(crate) fn event_kind(e: &TaskEvent) -> (&'static str, NaiveDate) {
    match e {
        TaskEvent::Report(r) => ("report", r.reported_on),
        TaskEvent::Review(chitieu_core::task::Review::Confirm { on, .. }) => ("confirm", *on),
        TaskEvent::Review(chitieu_core::task::Review::Return { on, .. }) => ("return", *on),
    }
}

pub(crate) fn encode_event(e: &TaskEvent) -> Result<String> {
    serde_json::to_string(e).map_err(|e| corrupt("task event (encoding)", e))
}

pub(crate) fn decode_event(
    id: i64,
    event: &str,
    unit: Option<i64>,
    by: String,
    at: String,
) -> Result<StoredTaskEvent> {
    Ok(StoredTaskEvent {
        id,
        event: serde_json::from_str(event).map_err(|e| corrupt("task event", e))?,
        unit: unit.map(UnitId),
        by,
        at,
    })
}

/// Checks a new event against the recorded ones: the core's life-cycle rule, as a refusal.
pub(crate) fn check_new_event(task: &StoredTask, event: &TaskEvent) -> Result<()> {
    let events: Vec<TaskEvent> = task.events.iter().map(|e| e.event.clone()).collect();
    chitieu_core::task::check_event(&task.task.deadline, &events, event)
        .map_err(|e| crate::StoreError::Refused(format!("nhiệm vụ số {}: {e}", task.id)))
}

/// The task a proposal becomes: the reviewer's task with the proposal's document span as
/// provenance.
pub(crate) fn accepted_task(task: &Task, p: &TaskProposal) -> Task {
    let mut t = task.clone();
    t.provenance = chitieu_core::figure::Provenance::Document {
        document: p.document,
        start: p.proposed.span.0,
        end: p.proposed.span.1,
        extractor: p.extractor.clone(),
    };
    t
}

pub(crate) const TASK_PROPOSAL_COLS: &str =
    "id, document_id, extractor, proposed, state, task_id, reviewed_by, reviewed_at, review_note";

#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_proposal(
    id: i64,
    document: i64,
    extractor: String,
    proposed: &str,
    state: &str,
    task: Option<i64>,
    reviewed_by: Option<String>,
    reviewed_at: Option<String>,
    review_note: Option<String>,
) -> Result<TaskProposal> {
    Ok(TaskProposal {
        id,
        document,
        extractor,
        proposed: serde_json::from_str(proposed).map_err(|e| corrupt("task proposal", e))?,
        state: state
            .parse()
            .map_err(|e: String| corrupt("task proposal state", e))?,
        task,
        reviewed_by,
        reviewed_at,
        review_note,
    })
}

pub(crate) fn encode_proposal(p: &ProposedTask) -> Result<String> {
    serde_json::to_string(p).map_err(|e| corrupt("task proposal (encoding)", e))
}

/// Checks a task proposal's span lies within its document's NFC text.
pub(crate) fn check_span(p: &NewTaskProposal, nfc_len: usize) -> Result<()> {
    let (s, e) = p.proposed.span;
    if s > e || e > nfc_len {
        return Err(crate::StoreError::Refused(format!(
            "đoạn ký tự {s}..{e} nằm ngoài văn bản số {} (dài {nfc_len} ký tự) (span outside the document): hãy kiểm tra lại vị trí đoạn trích",
            p.document
        )));
    }
    if p.proposed.text.trim().is_empty() {
        return Err(crate::StoreError::Refused(
            "nhiệm vụ đề xuất cần có nội dung (empty text): hãy ghi nội dung nhiệm vụ".into(),
        ));
    }
    Ok(())
}

/// Checks the `n`th (from 1) task proposed with a document being stored: its span lies within
/// the document's NFC text and it has words. The refusal names the proposal by its number and
/// its first words.
pub(crate) fn check_document_task(
    n: usize,
    t: &crate::documents::NewDocumentTask,
    nfc_len: usize,
) -> Result<()> {
    let (s, e) = t.proposed.span;
    let words: String = t.proposed.text.chars().take(60).collect();
    let name = format!("nhiệm vụ đề xuất thứ {n} («{}»)", words.trim());
    if t.proposed.text.trim().is_empty() {
        return Err(crate::StoreError::Refused(format!(
            "{name}: cần có nội dung (empty text): hãy ghi nội dung nhiệm vụ"
        )));
    }
    if s > e || e > nfc_len {
        return Err(crate::StoreError::Refused(format!(
            "{name}: đoạn ký tự {s}..{e} nằm ngoài văn bản (dài {nfc_len} ký tự) (span outside the document): hãy kiểm tra lại vị trí đoạn trích"
        )));
    }
    Ok(())
}

/// Groups NTM state rows (ordered by commune, year, set, level, criterion) into records.
pub(crate) struct NtmRow {
    pub commune: i64,
    pub year: i64,
    pub set: String,
    pub level: String,
    pub criterion: i64,
    pub met: bool,
    pub evidence: String,
    pub document: Option<i64>,
    pub figure: Option<i64>,
}

pub(crate) const NTM_COLS: &str = "commune_id, year, set_id, level, criterion, met, evidence, evidence_document_id, evidence_figure_id";

pub(crate) fn group_ntm(rows: Vec<NtmRow>) -> Result<Vec<CommuneCriteria>> {
    use chitieu_core::ntm::{CriterionState, Evidence};
    let mut out: Vec<CommuneCriteria> = Vec::new();
    for r in rows {
        let level = NtmLevel::parse(&r.level).ok_or_else(|| corrupt("NTM level", &r.level))?;
        let year = i32::try_from(r.year).map_err(|e| corrupt("NTM year", e))?;
        let criterion = u32::try_from(r.criterion).map_err(|e| corrupt("NTM criterion", e))?;
        let state = CriterionState {
            criterion,
            met: r.met,
            evidence: Evidence {
                text: r.evidence,
                document: r.document,
                figure: r.figure,
            },
        };
        match out.last_mut() {
            Some(last)
                if last.commune.0 == r.commune
                    && last.year == year
                    && last.set == r.set
                    && last.level == level =>
            {
                last.states.push(state)
            }
            _ => out.push(CommuneCriteria {
                commune: UnitId(r.commune),
                year,
                set: r.set,
                level,
                states: vec![state],
            }),
        }
    }
    Ok(out)
}
