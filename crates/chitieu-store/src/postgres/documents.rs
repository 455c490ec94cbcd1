//! The PostgreSQL side of [`DocumentStore`], with the same behaviour as SQLite's.

use super::rows::{col, col_u32, parse_date, parse_decimal, parse_period};
use super::{PgStore, apply_in, audit, lock_keys, now};
use crate::documents::*;
use crate::{Batch, Result, StoreError};
use chitieu_core::admin::UnitId;
use postgres::Row;
use serde_json::json;
use sha2::{Digest, Sha256};

const PROPOSAL_COLS: &str = "id, document_id, ordinal, fact, indicator, measure, value::text, period, unit_id, span_start, span_end, state, figure_id, target_id, reviewed_by, reviewed_at, review_note";

fn row_to_proposal(r: &Row) -> Result<Proposal> {
    let fact: String = col(r, 3)?;
    let value: String = col(r, 6)?;
    let period: Option<String> = col(r, 7)?;
    let start: i64 = col(r, 9)?;
    let end: i64 = col(r, 10)?;
    let state: String = col(r, 11)?;
    let span = |v: i64| usize::try_from(v).map_err(|e| StoreError::corrupt("proposal span", e));
    Ok(Proposal {
        id: col(r, 0)?,
        document: col(r, 1)?,
        ordinal: col_u32(r, 2, "proposal ordinal")?,
        fact: serde_json::from_str(&fact).map_err(|e| StoreError::corrupt("proposed fact", e))?,
        indicator: col(r, 4)?,
        measure: col(r, 5)?,
        value: parse_decimal(&value, "proposed value")?,
        period: period.map(|p| parse_period(&p)).transpose()?,
        unit: col::<Option<i64>>(r, 8)?.map(UnitId),
        span: (span(start)?, span(end)?),
        state: state
            .parse()
            .map_err(|e: String| StoreError::corrupt("proposal state", e))?,
        figure: col(r, 12)?,
        target: col(r, 13)?,
        reviewed_by: col(r, 14)?,
        reviewed_at: col(r, 15)?,
        review_note: col(r, 16)?,
    })
}

const DOCUMENT_COLS: &str = "id, name, sha256, original, document_date, unit_id, extractor, extraction, ingested_by, ingested_at";

fn row_to_document(r: &Row) -> Result<StoredDocument> {
    let date: Option<String> = col(r, 4)?;
    let extraction: String = col(r, 7)?;
    Ok(StoredDocument {
        id: col(r, 0)?,
        name: col(r, 1)?,
        sha256: col(r, 2)?,
        original: col(r, 3)?,
        document_date: date.map(|d| parse_date(&d, "document date")).transpose()?,
        unit: col::<Option<i64>>(r, 5)?.map(UnitId),
        extractor: col(r, 6)?,
        extraction: serde_json::from_str(&extraction)
            .map_err(|e| StoreError::corrupt("document extraction", e))?,
        ingested_by: col(r, 8)?,
        ingested_at: col(r, 9)?,
    })
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl DocumentStore for PgStore {
    fn add_document_with_tasks(
        &mut self,
        doc: &NewDocument,
        tasks: &[NewDocumentTask],
        actor: &str,
    ) -> Result<DocumentAdded> {
        self.require_init()?;
        let nfc = chitieu_text::nfc(&doc.original);
        let nfc_len = nfc.chars().count();
        let sha = sha256_hex(&nfc);
        for (i, t) in tasks.iter().enumerate() {
            crate::tasks::check_document_task(i + 1, t, nfc_len)?;
        }
        self.write(|tx| {
            lock_keys(tx, &[format!("document:{sha}")])?;
            if let Some(r) = tx.query_opt("SELECT id FROM document WHERE sha256 = $1", &[&sha])? {
                let id: i64 = col(&r, 0)?;
                // Tasks only for a text stored before any were proposed from it.
                let has: i64 = col(
                    &tx.query_one(
                        "SELECT COUNT(*) FROM task_proposal WHERE document_id = $1",
                        &[&id],
                    )?,
                    0,
                )?;
                let added = if has == 0 && !tasks.is_empty() {
                    super::tasks::insert_document_tasks(tx, id, tasks, actor)?
                } else {
                    0
                };
                return Ok(DocumentAdded {
                    id,
                    new: false,
                    proposals: 0,
                    tasks: added,
                });
            }
            if let Some(u) = doc.unit {
                PgStore::check_unit_exists(tx, u)?;
            }
            let row = tx.query_one(
                "INSERT INTO document (name, sha256, original, document_date, unit_id, extractor, extraction, ingested_by, ingested_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &doc.name,
                    &sha,
                    &doc.original,
                    &doc.document_date.map(|d| d.to_string()),
                    &doc.unit.map(|u| u.0),
                    &doc.extractor,
                    &doc.extraction.to_string(),
                    &actor,
                    &now(),
                ],
            )?;
            let id: i64 = col(&row, 0)?;
            let ins = tx.prepare(
                "INSERT INTO proposed_fact (document_id, ordinal, fact, indicator, measure, value, period, unit_id, span_start, span_end, state)
                 VALUES ($1, $2, $3, $4, $5, $6::text::numeric, $7, $8, $9, $10, 'proposed')",
            )?;
            for (i, p) in doc.proposals.iter().enumerate() {
                let span = |v: usize| {
                    i64::try_from(v).map_err(|e| StoreError::corrupt("proposal span", e))
                };
                tx.execute(
                    &ins,
                    &[
                        &id,
                        &(i as i64 + 1),
                        &p.fact.to_string(),
                        &p.indicator,
                        &p.measure,
                        &p.value.normalize().to_string(),
                        &p.period.map(|p| p.to_string()),
                        &p.unit.map(|u| u.0),
                        &span(p.span.0)?,
                        &span(p.span.1)?,
                    ],
                )?;
            }
            audit(
                tx,
                actor,
                "document.add",
                "document",
                &id.to_string(),
                json!({"name": doc.name, "sha256": sha, "proposals": doc.proposals.len(), "tasks": tasks.len(), "extractor": doc.extractor}),
            )?;
            let added = super::tasks::insert_document_tasks(tx, id, tasks, actor)?;
            Ok(DocumentAdded {
                id,
                new: true,
                proposals: doc.proposals.len() as u64,
                tasks: added,
            })
        })
    }

    fn document(&self, id: i64) -> Result<StoredDocument> {
        let sql = format!("SELECT {DOCUMENT_COLS} FROM document WHERE id = $1");
        match self.query_opt(&sql, &[&id])? {
            Some(r) => row_to_document(&r),
            None => Err(StoreError::NoSuchDocument(id)),
        }
    }

    fn documents(&self) -> Result<Vec<StoredDocument>> {
        let sql = format!("SELECT {DOCUMENT_COLS} FROM document ORDER BY id");
        self.query(&sql, &[])?.iter().map(row_to_document).collect()
    }

    fn proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<Proposal>> {
        let sql = format!(
            "SELECT {PROPOSAL_COLS} FROM proposed_fact
             WHERE ($1::bigint IS NULL OR document_id = $1) AND ($2::text IS NULL OR state = $2)
             ORDER BY document_id, ordinal"
        );
        self.query(&sql, &[&document, &state.map(|s| s.key())])?
            .iter()
            .map(row_to_proposal)
            .collect()
    }

    fn proposal(&self, id: i64) -> Result<Proposal> {
        let sql = format!("SELECT {PROPOSAL_COLS} FROM proposed_fact WHERE id = $1");
        match self.query_opt(&sql, &[&id])? {
            Some(r) => row_to_proposal(&r),
            None => Err(StoreError::NoSuchProposal(id)),
        }
    }

    fn review(
        &mut self,
        id: i64,
        decision: &Decision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<Proposal> {
        self.write(|tx| {
            // Lock the proposal: of two reviewers deciding at once, the second sees the first's
            // decision and is told so.
            let row = tx
                .query_opt(
                    "SELECT document_id, state, reviewed_by FROM proposed_fact WHERE id = $1 FOR UPDATE",
                    &[&id],
                )?
                .ok_or(StoreError::NoSuchProposal(id))?;
            let document: i64 = col(&row, 0)?;
            let state: String = col(&row, 1)?;
            let state: ProposalState = state
                .parse()
                .map_err(|e: String| StoreError::corrupt("proposal state", e))?;
            if state != ProposalState::Proposed {
                let by: Option<String> = col(&row, 2)?;
                return Err(StoreError::AlreadyReviewed {
                    id,
                    state: state.vi().to_string(),
                    by: by.unwrap_or_default(),
                });
            }
            let (state, figure, target): (ProposalState, Option<i64>, Option<i64>) = match decision
            {
                Decision::AcceptFigure(f) => {
                    apply_in(
                        tx,
                        &Batch {
                            figures: vec![f.clone()],
                            ..Batch::default()
                        },
                        actor,
                    )?;
                    let r = tx.query_one(
                        "SELECT id FROM figure WHERE indicator = $1 AND unit_id = $2 AND period = $3 AND current",
                        &[&f.indicator.as_str(), &f.unit.0, &f.period.to_string()],
                    )?;
                    (ProposalState::Accepted, Some(col(&r, 0)?), None)
                }
                Decision::AcceptTarget { plan, target } => {
                    apply_in(
                        tx,
                        &Batch {
                            plan_sources: vec![plan.clone()],
                            targets: vec![target.clone()],
                            ..Batch::default()
                        },
                        actor,
                    )?;
                    let r = tx.query_one(
                        "SELECT id FROM target WHERE indicator = $1 AND unit_id = $2 AND period = $3 AND source_key = $4",
                        &[
                            &target.indicator.as_str(),
                            &target.unit.0,
                            &target.period.to_string(),
                            &target.source,
                        ],
                    )?;
                    (ProposalState::Accepted, None, Some(col(&r, 0)?))
                }
                Decision::Acknowledge => (ProposalState::Accepted, None, None),
                Decision::Reject => (ProposalState::Rejected, None, None),
            };
            tx.execute(
                "UPDATE proposed_fact SET state = $1, figure_id = $2, target_id = $3, reviewed_by = $4, reviewed_at = $5, review_note = $6 WHERE id = $7",
                &[&state.key(), &figure, &target, &actor, &now(), &note, &id],
            )?;
            audit(
                tx,
                actor,
                match state {
                    ProposalState::Rejected => "proposal.reject",
                    _ => "proposal.accept",
                },
                "proposed_fact",
                &id.to_string(),
                json!({"document": document, "figure": figure, "target": target, "note": note}),
            )?;
            Ok(())
        })?;
        self.proposal(id)
    }
}
