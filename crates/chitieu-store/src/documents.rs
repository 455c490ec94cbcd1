//! Documents and the facts proposed from them: the storage side of `chitieu ingest` and the
//! review step. Facts are kept as the extractor gave them (JSON), with the few fields storage
//! needs to query them; storage does not depend on the extractor.

use crate::Result;
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::figure::FigureInput;
use chitieu_core::period::Period;
use chitieu_core::target::{PlanSource, Target};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A document to store, with the facts extracted from it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub name: String,
    /// The text exactly as received (any normalization).
    pub original: String,
    pub document_date: Option<NaiveDate>,
    /// The unit the document is about, when known.
    pub unit: Option<UnitId>,
    pub extractor: String,
    /// Meetings and people, as JSON.
    pub extraction: serde_json::Value,
    pub proposals: Vec<NewProposal>,
}

/// One extracted fact, proposed for review.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub fact: serde_json::Value,
    pub indicator: Option<String>,
    pub measure: String,
    pub value: Decimal,
    pub period: Option<Period>,
    pub unit: Option<UnitId>,
    pub span: (usize, usize),
}

/// A key task proposed from a document that is being stored: it belongs to that document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocumentTask {
    pub extractor: String,
    pub proposed: chitieu_core::task::ProposedTask,
}

/// What storing a document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentAdded {
    pub id: i64,
    /// False when the same text was stored before: no document or fact was added.
    pub new: bool,
    pub proposals: u64,
    /// Key tasks proposed with it (for a text stored before: only when it had none yet).
    pub tasks: u64,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredDocument {
    pub id: i64,
    pub name: String,
    pub sha256: String,
    pub original: String,
    pub document_date: Option<NaiveDate>,
    pub unit: Option<UnitId>,
    pub extractor: String,
    pub extraction: serde_json::Value,
    pub ingested_by: String,
    pub ingested_at: String,
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Accepted,
    Rejected,
}

impl ProposalState {
    pub fn key(&self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Accepted => "accepted",
            ProposalState::Rejected => "rejected",
        }
    }
    pub fn vi(&self) -> &'static str {
        match self {
            ProposalState::Proposed => "chờ duyệt",
            ProposalState::Accepted => "đã nhận",
            ProposalState::Rejected => "đã loại",
        }
    }
}

impl FromStr for ProposalState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "proposed" => Ok(ProposalState::Proposed),
            "accepted" => Ok(ProposalState::Accepted),
            "rejected" => Ok(ProposalState::Rejected),
            other => Err(format!("unknown proposal state '{other}'")),
        }
    }
}

impl fmt::Display for ProposalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A stored proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub document: i64,
    pub ordinal: u32,
    pub fact: serde_json::Value,
    pub indicator: Option<String>,
    pub measure: String,
    pub value: Decimal,
    pub period: Option<Period>,
    pub unit: Option<UnitId>,
    pub span: (usize, usize),
    pub state: ProposalState,
    pub figure: Option<i64>,
    pub target: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
}

/// A reviewer's decision on a proposal.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Accept as a figure (possibly edited by the reviewer).
    AcceptFigure(FigureInput),
    /// Accept as a target, set by the given plan source (created if new).
    AcceptTarget {
        plan: PlanSource,
        target: Target,
    },
    /// Accept without storing a figure: the fact is a percentage or a change that checks a
    /// figure rather than being one.
    Acknowledge,
    Reject,
}

/// Storage of documents and proposals. Every write is one transaction and is audited.
pub trait DocumentStore {
    /// Stores a document unchanged with its proposals. The same text stored twice is kept once.
    fn add_document(&mut self, doc: &NewDocument, actor: &str) -> Result<DocumentAdded> {
        self.add_document_with_tasks(doc, &[], actor)
    }
    /// Stores a document with its proposed facts and its proposed key tasks in one audited
    /// transaction: all of them or, when any is refused (a task's span outside the text, an
    /// empty task), none, with an error naming the task. The same text stored twice is kept
    /// once and proposes nothing twice; a text stored before without any task proposals
    /// (stored before tasks were extracted) gets the given tasks.
    fn add_document_with_tasks(
        &mut self,
        doc: &NewDocument,
        tasks: &[NewDocumentTask],
        actor: &str,
    ) -> Result<DocumentAdded>;
    fn document(&self, id: i64) -> Result<StoredDocument>;
    fn documents(&self) -> Result<Vec<StoredDocument>>;
    /// Proposals, optionally of one document and in one state, in document order.
    fn proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<Proposal>>;
    fn proposal(&self, id: i64) -> Result<Proposal>;
    /// Records a decision: an accepted figure or target is stored in the same transaction.
    fn review(
        &mut self,
        id: i64,
        decision: &Decision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<Proposal>;
}
