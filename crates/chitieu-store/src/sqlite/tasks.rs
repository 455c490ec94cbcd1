//! The SQLite side of [`TaskStore`] and [`NtmStore`].

use super::{SqliteStore, now, record};
use crate::decide::UnitLookup;
use crate::decide::tasks as decide;
use crate::documents::ProposalState;
use crate::tasks::*;
use crate::{Result, StoreError};
use chitieu_core::admin::{Succession, UnitId};
use chitieu_core::ntm::{CommuneCriteria, NtmLevel};
use chitieu_core::task::{Task, TaskEvent};
use rusqlite::{Connection, OptionalExtension, params};

/// Inserts the (checked) tasks proposed with document `document` inside the caller's
/// transaction, each audited. Returns how many.
pub(super) fn insert_document_tasks(
    tx: &rusqlite::Transaction<'_>,
    document: i64,
    tasks: &[crate::documents::NewDocumentTask],
    actor: &str,
) -> Result<u64> {
    let mut ins = tx.prepare(
        "INSERT INTO task_proposal (document_id, extractor, proposed, span_start, span_end, state)
         VALUES (?1, ?2, ?3, ?4, ?5, 'proposed')",
    )?;
    for t in tasks {
        ins.execute(params![
            document,
            t.extractor,
            encode_proposal(&t.proposed)?,
            t.proposed.span.0 as i64,
            t.proposed.span.1 as i64,
        ])?;
        let id = tx.last_insert_rowid();
        record(tx, actor, decide::task_proposed(id, document, &t.proposed))?;
    }
    Ok(tasks.len() as u64)
}

fn load_task(conn: &Connection, id: i64) -> Result<StoredTask> {
    let sql = format!("SELECT {TASK_COLS} FROM task WHERE id = ?1");
    let row = conn
        .query_row(&sql, [id], |r| {
            Ok(TaskRow {
                id: r.get(0)?,
                text: r.get(1)?,
                field: r.get(2)?,
                lead: r.get(3)?,
                cooperating: r.get(4)?,
                deadline: r.get(5)?,
                output: r.get(6)?,
                source: r.get(7)?,
                period: r.get(8)?,
                provenance: r.get(9)?,
                created_by: r.get(10)?,
                created_at: r.get(11)?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "task",
            key: id.to_string(),
        })?;
    let mut task = decode_task(row)?;
    task.events = load_events(conn, id)?;
    Ok(task)
}

fn load_events(conn: &Connection, task: i64) -> Result<Vec<StoredTaskEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, event, unit_id, actor, at FROM task_event WHERE task_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([task], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (id, event, unit, by, at) = r?;
        out.push(decode_event(id, &event, unit, by, at)?);
    }
    Ok(out)
}

fn insert_task(conn: &Connection, task: &Task, actor: &str) -> Result<i64> {
    task.validate()
        .map_err(|e| StoreError::Refused(e.to_string()))?;
    let c = encode_task(task)?;
    for u in std::iter::once(&task.lead).chain(task.cooperating.iter()) {
        let found: Option<i64> = conn
            .query_row("SELECT id FROM unit WHERE id = ?1", [u.0], |r| r.get(0))
            .optional()?;
        if found.is_none() {
            return Err(StoreError::NoSuchUnit(u.to_string()));
        }
    }
    if let Some(d) = c.document {
        let found: Option<i64> = conn
            .query_row("SELECT id FROM document WHERE id = ?1", [d], |r| r.get(0))
            .optional()?;
        if found.is_none() {
            return Err(StoreError::NoSuchDocument(d));
        }
    }
    conn.execute(
        "INSERT INTO task (text, field, lead_unit_id, cooperating, deadline, deadline_date, output, source, period, provenance, document_id, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            chitieu_text::nfc(&task.text),
            c.field,
            task.lead.0,
            c.cooperating,
            c.deadline,
            c.deadline_date,
            c.output,
            task.source,
            c.period,
            c.provenance,
            c.document,
            actor,
            now()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

fn load_proposal(conn: &Connection, id: i64) -> Result<TaskProposal> {
    let sql = format!("SELECT {TASK_PROPOSAL_COLS} FROM task_proposal WHERE id = ?1");
    conn.query_row(&sql, [id], proposal_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "task proposal",
            key: id.to_string(),
        })?
}

fn proposal_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<TaskProposal>> {
    let proposed: String = r.get(3)?;
    let state: String = r.get(4)?;
    Ok(decode_proposal(
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        &proposed,
        &state,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

impl TaskStore for SqliteStore {
    fn add_task(&mut self, task: &Task, actor: &str) -> Result<i64> {
        self.require_init()?;
        let tx = self.write_tx()?;
        let id = insert_task(&tx, task, actor)?;
        record(&tx, actor, decide::task_added(id, task))?;
        tx.commit()?;
        Ok(id)
    }

    fn task(&self, id: i64) -> Result<StoredTask> {
        load_task(&self.conn, id)
    }

    fn tasks(&self, filter: &TaskFilter) -> Result<Vec<StoredTask>> {
        // One query: the tasks with their events (none: a row of NULL event columns), so a
        // long list costs one round trip and reads one consistent state.
        let sql = format!(
            "SELECT {TASK_COLS_T}, e.id, e.event, e.unit_id, e.actor, e.at
             FROM task t LEFT JOIN task_event e ON e.task_id = t.id
             WHERE (?1 IS NULL OR t.lead_unit_id = ?1) AND (?2 IS NULL OR t.field = ?2)
               AND (?3 IS NULL OR t.deadline_date >= ?3) AND (?4 IS NULL OR t.deadline_date <= ?4)
               AND (?5 IS NULL OR t.document_id = ?5)
             ORDER BY t.id, e.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                filter.lead.map(|u| u.0),
                filter.field.map(|f| f.key()),
                filter.due_from.map(|d| d.to_string()),
                filter.due_to.map(|d| d.to_string()),
                filter.document,
            ],
            |r| {
                Ok((
                    TaskRow {
                        id: r.get(0)?,
                        text: r.get(1)?,
                        field: r.get(2)?,
                        lead: r.get(3)?,
                        cooperating: r.get(4)?,
                        deadline: r.get(5)?,
                        output: r.get(6)?,
                        source: r.get(7)?,
                        period: r.get(8)?,
                        provenance: r.get(9)?,
                        created_by: r.get(10)?,
                        created_at: r.get(11)?,
                    },
                    r.get::<_, Option<i64>>(12)?,
                    r.get::<_, Option<String>>(13)?,
                    r.get::<_, Option<i64>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                    r.get::<_, Option<String>>(16)?,
                ))
            },
        )?;
        let mut out: Vec<StoredTask> = Vec::new();
        for r in rows {
            let (row, eid, event, unit, by, at) = r?;
            let event = match (eid, event, by, at) {
                (Some(id), Some(event), Some(by), Some(at)) => {
                    Some(decode_event(id, &event, unit, by, at)?)
                }
                _ => None,
            };
            push_task_row(&mut out, row, event)?;
        }
        Ok(out)
    }

    fn add_task_event(
        &mut self,
        id: i64,
        event: &TaskEvent,
        unit: Option<UnitId>,
        actor: &str,
    ) -> Result<StoredTask> {
        let tx = self.write_tx()?;
        let task = load_task(&tx, id)?;
        check_new_event(&task, event)?;
        if let Some(u) = unit {
            SqliteStore::check_unit_exists(&tx, u)?;
        }
        let (kind, on) = event_kind(event);
        let encoded = encode_event(event)?;
        tx.execute(
            "INSERT INTO task_event (task_id, kind, on_date, event, unit_id, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, kind, on.to_string(), encoded, unit.map(|u| u.0), actor, now()],
        )?;
        record(&tx, actor, decide::task_event_added(id, kind, &encoded))?;
        let task = load_task(&tx, id)?;
        tx.commit()?;
        Ok(task)
    }

    fn propose_task(&mut self, proposal: &NewTaskProposal, actor: &str) -> Result<i64> {
        let tx = self.write_tx()?;
        let original: String = tx
            .query_row(
                "SELECT original FROM document WHERE id = ?1",
                [proposal.document],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::NoSuchDocument(proposal.document))?;
        check_span(proposal, chitieu_text::nfc(&original).chars().count())?;
        tx.execute(
            "INSERT INTO task_proposal (document_id, extractor, proposed, span_start, span_end, state)
             VALUES (?1, ?2, ?3, ?4, ?5, 'proposed')",
            params![
                proposal.document,
                proposal.extractor,
                encode_proposal(&proposal.proposed)?,
                proposal.proposed.span.0 as i64,
                proposal.proposed.span.1 as i64,
            ],
        )?;
        let id = tx.last_insert_rowid();
        record(
            &tx,
            actor,
            decide::task_proposed(id, proposal.document, &proposal.proposed),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn task_proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<TaskProposal>> {
        let sql = format!(
            "SELECT {TASK_PROPOSAL_COLS} FROM task_proposal
             WHERE (?1 IS NULL OR document_id = ?1) AND (?2 IS NULL OR state = ?2)
             ORDER BY document_id, span_start, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![document, state.map(|s| s.key())], proposal_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn task_proposal(&self, id: i64) -> Result<TaskProposal> {
        load_proposal(&self.conn, id)
    }

    fn review_task_proposal(
        &mut self,
        id: i64,
        decision: &TaskDecision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<TaskProposal> {
        let tx = self.write_tx()?;
        let p = load_proposal(&tx, id)?;
        decide::check_not_reviewed(&p)?;
        let (state, task) = match decision {
            TaskDecision::Accept(t) => {
                let t = accepted_task(t, &p);
                let task_id = insert_task(&tx, &t, actor)?;
                (ProposalState::Accepted, Some(task_id))
            }
            TaskDecision::Reject => (ProposalState::Rejected, None),
        };
        tx.execute(
            "UPDATE task_proposal SET state = ?2, task_id = ?3, reviewed_by = ?4, reviewed_at = ?5, review_note = ?6 WHERE id = ?1",
            params![id, state.key(), task, actor, now(), note],
        )?;
        record(&tx, actor, decide::proposal_reviewed(id, state, task, note))?;
        let out = load_proposal(&tx, id)?;
        tx.commit()?;
        Ok(out)
    }
}

impl NtmStore for SqliteStore {
    fn set_ntm_states(&mut self, records: &[CommuneCriteria], actor: &str) -> Result<usize> {
        self.require_init()?;
        let tx = self.write_tx()?;
        let mut n = 0usize;
        let stamp = now();
        for rec in records {
            SqliteStore::check_unit_exists(&tx, rec.commune)?;
            for s in &rec.states {
                let before: Option<bool> = tx
                    .query_row(
                        "SELECT met FROM ntm_state WHERE commune_id = ?1 AND year = ?2 AND set_id = ?3 AND level = ?4 AND criterion = ?5",
                        params![rec.commune.0, rec.year, rec.set, rec.level.key(), s.criterion],
                        |r| r.get(0),
                    )
                    .optional()?;
                tx.execute(
                    "INSERT INTO ntm_state (commune_id, year, set_id, level, criterion, met, evidence, evidence_document_id, evidence_figure_id, set_by, set_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (commune_id, year, set_id, level, criterion) DO UPDATE SET
                        met = excluded.met, evidence = excluded.evidence,
                        evidence_document_id = excluded.evidence_document_id,
                        evidence_figure_id = excluded.evidence_figure_id,
                        set_by = excluded.set_by, set_at = excluded.set_at",
                    params![
                        rec.commune.0,
                        rec.year,
                        rec.set,
                        rec.level.key(),
                        s.criterion,
                        s.met,
                        s.evidence.text,
                        s.evidence.document,
                        s.evidence.figure,
                        actor,
                        stamp
                    ],
                )?;
                record(&tx, actor, decide::ntm_state_set(rec, s, before))?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    fn ntm_records(
        &self,
        communes: &[UnitId],
        year: Option<i32>,
        set: Option<&str>,
        level: Option<NtmLevel>,
    ) -> Result<Vec<CommuneCriteria>> {
        let sql = format!(
            "SELECT {NTM_COLS} FROM ntm_state
             WHERE commune_id = ?1 AND (?2 IS NULL OR year = ?2) AND (?3 IS NULL OR set_id = ?3)
               AND (?4 IS NULL OR level = ?4)
             ORDER BY commune_id, year, set_id, level, criterion"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = Vec::new();
        for c in communes {
            let it = stmt.query_map(params![c.0, year, set, level.map(|l| l.key())], |r| {
                Ok(NtmRow {
                    commune: r.get(0)?,
                    year: r.get(1)?,
                    set: r.get(2)?,
                    level: r.get(3)?,
                    criterion: r.get(4)?,
                    met: r.get(5)?,
                    evidence: r.get(6)?,
                    document: r.get(7)?,
                    figure: r.get(8)?,
                })
            })?;
            for r in it {
                rows.push(r?);
            }
        }
        group_ntm(rows)
    }

    fn predecessors(&self, unit: UnitId) -> Result<Vec<Succession>> {
        self.successions_into(unit)
    }
}
