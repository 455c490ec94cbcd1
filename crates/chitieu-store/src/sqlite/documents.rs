//! The SQLite side of [`DocumentStore`].

use super::rows::{parse_date, parse_decimal, parse_period};
use super::{SqliteStore, apply_in, audit, now};
use crate::documents::*;
use crate::{Batch, Result, StoreError};
use chitieu_core::admin::UnitId;
use rusqlite::{OptionalExtension, Row, params};
use serde_json::json;
use sha2::{Digest, Sha256};

const PROPOSAL_COLS: &str = "id, document_id, ordinal, fact, indicator, measure, value, period, unit_id, span_start, span_end, state, figure_id, target_id, reviewed_by, reviewed_at, review_note";

fn row_to_proposal(r: &Row<'_>) -> rusqlite::Result<Result<Proposal>> {
    let id: i64 = r.get(0)?;
    let document: i64 = r.get(1)?;
    let ordinal: u32 = r.get(2)?;
    let fact: String = r.get(3)?;
    let indicator: Option<String> = r.get(4)?;
    let measure: String = r.get(5)?;
    let value: String = r.get(6)?;
    let period: Option<String> = r.get(7)?;
    let unit: Option<i64> = r.get(8)?;
    let start: i64 = r.get(9)?;
    let end: i64 = r.get(10)?;
    let state: String = r.get(11)?;
    let figure: Option<i64> = r.get(12)?;
    let target: Option<i64> = r.get(13)?;
    let reviewed_by: Option<String> = r.get(14)?;
    let reviewed_at: Option<String> = r.get(15)?;
    let review_note: Option<String> = r.get(16)?;
    Ok((|| {
        Ok(Proposal {
            id,
            document,
            ordinal,
            fact: serde_json::from_str(&fact)
                .map_err(|e| StoreError::corrupt("proposed fact", e))?,
            indicator,
            measure,
            value: parse_decimal(&value, "proposed value")?,
            period: period.map(|p| parse_period(&p)).transpose()?,
            unit: unit.map(UnitId),
            span: (start as usize, end as usize),
            state: state
                .parse()
                .map_err(|e: String| StoreError::corrupt("proposal state", e))?,
            figure,
            target,
            reviewed_by,
            reviewed_at,
            review_note,
        })
    })())
}

fn row_to_document(r: &Row<'_>) -> rusqlite::Result<Result<StoredDocument>> {
    let id: i64 = r.get(0)?;
    let name: String = r.get(1)?;
    let sha256: String = r.get(2)?;
    let original: String = r.get(3)?;
    let date: Option<String> = r.get(4)?;
    let unit: Option<i64> = r.get(5)?;
    let extractor: String = r.get(6)?;
    let extraction: String = r.get(7)?;
    let ingested_by: String = r.get(8)?;
    let ingested_at: String = r.get(9)?;
    Ok((|| {
        Ok(StoredDocument {
            id,
            name,
            sha256,
            original,
            document_date: date.map(|d| parse_date(&d, "document date")).transpose()?,
            unit: unit.map(UnitId),
            extractor,
            extraction: serde_json::from_str(&extraction)
                .map_err(|e| StoreError::corrupt("document extraction", e))?,
            ingested_by,
            ingested_at,
        })
    })())
}

const DOCUMENT_COLS: &str = "id, name, sha256, original, document_date, unit_id, extractor, extraction, ingested_by, ingested_at";

/// The SHA-256 of a text, in lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl DocumentStore for SqliteStore {
    fn add_document_with_tasks(
        &mut self,
        doc: &NewDocument,
        tasks: &[NewDocumentTask],
        actor: &str,
    ) -> Result<DocumentAdded> {
        self.require_init()?;
        // Keyed by the NFC form, so the same text in another normalization is recognised.
        let nfc = chitieu_text::nfc(&doc.original);
        let nfc_len = nfc.chars().count();
        let sha = sha256_hex(&nfc);
        for (i, t) in tasks.iter().enumerate() {
            crate::tasks::check_document_task(i + 1, t, nfc_len)?;
        }
        let tx = self.write_tx()?;
        let existing: Option<i64> = tx
            .query_row("SELECT id FROM document WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(id) = existing {
            // Tasks only for a text stored before any were proposed from it.
            let has: i64 = tx.query_row(
                "SELECT COUNT(*) FROM task_proposal WHERE document_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            let added = if has == 0 && !tasks.is_empty() {
                let n = super::tasks::insert_document_tasks(&tx, id, tasks, actor)?;
                tx.commit()?;
                n
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
            SqliteStore::check_unit_exists(&tx, u)?;
        }
        tx.execute(
            "INSERT INTO document (name, sha256, original, document_date, unit_id, extractor, extraction, ingested_by, ingested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                doc.name,
                sha,
                doc.original,
                doc.document_date.map(|d| d.to_string()),
                doc.unit.map(|u| u.0),
                doc.extractor,
                doc.extraction.to_string(),
                actor,
                now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut ins = tx.prepare(
                "INSERT INTO proposed_fact (document_id, ordinal, fact, indicator, measure, value, period, unit_id, span_start, span_end, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'proposed')",
            )?;
            for (i, p) in doc.proposals.iter().enumerate() {
                ins.execute(params![
                    id,
                    i as i64 + 1,
                    p.fact.to_string(),
                    p.indicator,
                    p.measure,
                    p.value.normalize().to_string(),
                    p.period.map(|p| p.to_string()),
                    p.unit.map(|u| u.0),
                    p.span.0 as i64,
                    p.span.1 as i64,
                ])?;
            }
        }
        audit(
            &tx,
            actor,
            "document.add",
            "document",
            &id.to_string(),
            json!({"name": doc.name, "sha256": sha, "proposals": doc.proposals.len(), "tasks": tasks.len(), "extractor": doc.extractor}),
        )?;
        let added = super::tasks::insert_document_tasks(&tx, id, tasks, actor)?;
        tx.commit()?;
        Ok(DocumentAdded {
            id,
            new: true,
            proposals: doc.proposals.len() as u64,
            tasks: added,
        })
    }

    fn document(&self, id: i64) -> Result<StoredDocument> {
        let sql = format!("SELECT {DOCUMENT_COLS} FROM document WHERE id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query_map([id], row_to_document)?;
        match rows.next() {
            Some(r) => r?,
            None => Err(StoreError::NoSuchDocument(id)),
        }
    }

    fn documents(&self) -> Result<Vec<StoredDocument>> {
        let sql = format!("SELECT {DOCUMENT_COLS} FROM document ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], row_to_document)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<Proposal>> {
        let sql = format!(
            "SELECT {PROPOSAL_COLS} FROM proposed_fact
             WHERE (?1 IS NULL OR document_id = ?1) AND (?2 IS NULL OR state = ?2)
             ORDER BY document_id, ordinal"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![document, state.map(|s| s.key())], row_to_proposal)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn proposal(&self, id: i64) -> Result<Proposal> {
        let sql = format!("SELECT {PROPOSAL_COLS} FROM proposed_fact WHERE id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query_map([id], row_to_proposal)?;
        match rows.next() {
            Some(r) => r?,
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
        let before = self.proposal(id)?;
        if before.state != ProposalState::Proposed {
            return Err(StoreError::AlreadyReviewed {
                id,
                state: before.state.vi().to_string(),
                by: before.reviewed_by.clone().unwrap_or_default(),
            });
        }
        let tx = self.write_tx()?;
        let (state, figure, target) = match decision {
            Decision::AcceptFigure(f) => {
                apply_in(
                    &tx,
                    &Batch {
                        figures: vec![f.clone()],
                        ..Batch::default()
                    },
                    actor,
                )?;
                let fid: i64 = tx.query_row(
                    "SELECT id FROM figure WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 AND current = 1",
                    params![f.indicator.as_str(), f.unit.0, f.period.to_string()],
                    |r| r.get(0),
                )?;
                (ProposalState::Accepted, Some(fid), None)
            }
            Decision::AcceptTarget { plan, target } => {
                apply_in(
                    &tx,
                    &Batch {
                        plan_sources: vec![plan.clone()],
                        targets: vec![target.clone()],
                        ..Batch::default()
                    },
                    actor,
                )?;
                let tid: i64 = tx.query_row(
                    "SELECT id FROM target WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 AND source_key = ?4",
                    params![
                        target.indicator.as_str(),
                        target.unit.0,
                        target.period.to_string(),
                        target.source
                    ],
                    |r| r.get(0),
                )?;
                (ProposalState::Accepted, None, Some(tid))
            }
            Decision::Acknowledge => (ProposalState::Accepted, None, None),
            Decision::Reject => (ProposalState::Rejected, None, None),
        };
        tx.execute(
            "UPDATE proposed_fact SET state = ?1, figure_id = ?2, target_id = ?3, reviewed_by = ?4, reviewed_at = ?5, review_note = ?6 WHERE id = ?7",
            params![state.key(), figure, target, actor, now(), note, id],
        )?;
        audit(
            &tx,
            actor,
            match state {
                ProposalState::Rejected => "proposal.reject",
                _ => "proposal.accept",
            },
            "proposed_fact",
            &id.to_string(),
            json!({"document": before.document, "figure": figure, "target": target, "note": note}),
        )?;
        tx.commit()?;
        self.proposal(id)
    }
}
