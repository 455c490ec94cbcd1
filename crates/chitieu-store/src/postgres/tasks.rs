//! The PostgreSQL side of [`TaskStore`] and [`NtmStore`], with the same behaviour as SQLite's.
//!
//! Concurrency: a task's row is read `FOR UPDATE` before an event is checked and appended, so
//! two reviewers deciding at once are ordered and the second sees the first's decision; a
//! proposal likewise. NTM states take an advisory lock per commune, year, set and level.

use super::rows::col;
use super::{PgStore, lock_keys, now, record};
use crate::decide::UnitLookup;
use crate::decide::tasks as decide;
use crate::documents::ProposalState;
use crate::tasks::*;
use crate::{Result, StoreError};
use chitieu_core::admin::{Succession, UnitId};
use chitieu_core::ntm::{CommuneCriteria, NtmLevel};
use chitieu_core::task::{Task, TaskEvent};
use postgres::{GenericClient, Row};

/// Inserts the (checked) tasks proposed with document `document` inside the caller's
/// transaction, each audited. Returns how many.
pub(super) fn insert_document_tasks(
    tx: &mut postgres::Transaction<'_>,
    document: i64,
    tasks: &[crate::documents::NewDocumentTask],
    actor: &str,
) -> Result<u64> {
    let ins = tx.prepare(
        "INSERT INTO task_proposal (document_id, extractor, proposed, span_start, span_end, state)
         VALUES ($1, $2, $3, $4, $5, 'proposed') RETURNING id",
    )?;
    for t in tasks {
        let span =
            |v: usize| i64::try_from(v).map_err(|e| StoreError::corrupt("task proposal span", e));
        let row = tx.query_one(
            &ins,
            &[
                &document,
                &t.extractor,
                &encode_proposal(&t.proposed)?,
                &span(t.proposed.span.0)?,
                &span(t.proposed.span.1)?,
            ],
        )?;
        let id: i64 = col(&row, 0)?;
        record(tx, actor, decide::task_proposed(id, document, &t.proposed))?;
    }
    Ok(tasks.len() as u64)
}

fn task_row(r: &Row) -> Result<TaskRow> {
    Ok(TaskRow {
        id: col(r, 0)?,
        text: col(r, 1)?,
        field: col(r, 2)?,
        lead: col(r, 3)?,
        cooperating: col(r, 4)?,
        deadline: col(r, 5)?,
        output: col(r, 6)?,
        source: col(r, 7)?,
        period: col(r, 8)?,
        provenance: col(r, 9)?,
        created_by: col(r, 10)?,
        created_at: col(r, 11)?,
    })
}

fn event_row(r: &Row) -> Result<StoredTaskEvent> {
    let event: String = col(r, 1)?;
    decode_event(col(r, 0)?, &event, col(r, 2)?, col(r, 3)?, col(r, 4)?)
}

const EVENTS_SQL: &str =
    "SELECT id, event, unit_id, actor, at FROM task_event WHERE task_id = $1 ORDER BY id";

fn proposal_row(r: &Row) -> Result<TaskProposal> {
    let proposed: String = col(r, 3)?;
    let state: String = col(r, 4)?;
    decode_proposal(
        col(r, 0)?,
        col(r, 1)?,
        col(r, 2)?,
        &proposed,
        &state,
        col(r, 5)?,
        col(r, 6)?,
        col(r, 7)?,
        col(r, 8)?,
    )
}

fn not_found(what: &'static str, id: i64) -> StoreError {
    StoreError::NotFound {
        what,
        key: id.to_string(),
    }
}

/// Loads a task inside a transaction; `for_update` locks its row first.
fn load_task_in(c: &mut impl GenericClient, id: i64, for_update: bool) -> Result<StoredTask> {
    let sql = format!(
        "SELECT {TASK_COLS} FROM task WHERE id = $1{}",
        if for_update { " FOR UPDATE" } else { "" }
    );
    let row = c.query_opt(&sql, &[&id])?.ok_or(not_found("task", id))?;
    let mut task = decode_task(task_row(&row)?)?;
    task.events = c
        .query(EVENTS_SQL, &[&id])?
        .iter()
        .map(event_row)
        .collect::<Result<_>>()?;
    Ok(task)
}

fn load_proposal_in(c: &mut impl GenericClient, id: i64, for_update: bool) -> Result<TaskProposal> {
    let sql = format!(
        "SELECT {TASK_PROPOSAL_COLS} FROM task_proposal WHERE id = $1{}",
        if for_update { " FOR UPDATE" } else { "" }
    );
    let row = c
        .query_opt(&sql, &[&id])?
        .ok_or(not_found("task proposal", id))?;
    proposal_row(&row)
}

fn insert_task(c: &mut impl GenericClient, task: &Task, actor: &str) -> Result<i64> {
    task.validate()
        .map_err(|e| StoreError::Refused(e.to_string()))?;
    let e = encode_task(task)?;
    for u in std::iter::once(&task.lead).chain(task.cooperating.iter()) {
        if c.query_opt("SELECT id FROM unit WHERE id = $1", &[&u.0])?
            .is_none()
        {
            return Err(StoreError::NoSuchUnit(u.to_string()));
        }
    }
    if let Some(d) = e.document
        && c.query_opt("SELECT id FROM document WHERE id = $1", &[&d])?
            .is_none()
    {
        return Err(StoreError::NoSuchDocument(d));
    }
    let row = c.query_one(
        "INSERT INTO task (text, field, lead_unit_id, cooperating, deadline, deadline_date, output, source, period, provenance, document_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        &[
            &chitieu_text::nfc(&task.text),
            &e.field,
            &task.lead.0,
            &e.cooperating,
            &e.deadline,
            &e.deadline_date,
            &e.output,
            &task.source,
            &e.period,
            &e.provenance,
            &e.document,
            &actor,
            &now(),
        ],
    )?;
    col(&row, 0)
}

impl TaskStore for PgStore {
    fn add_task(&mut self, task: &Task, actor: &str) -> Result<i64> {
        self.require_init()?;
        self.write(|tx| {
            let id = insert_task(tx, task, actor)?;
            record(tx, actor, decide::task_added(id, task))?;
            Ok(id)
        })
    }

    fn task(&self, id: i64) -> Result<StoredTask> {
        let sql = format!("SELECT {TASK_COLS} FROM task WHERE id = $1");
        let row = self
            .query(&sql, &[&id])?
            .into_iter()
            .next()
            .ok_or(not_found("task", id))?;
        let mut task = decode_task(task_row(&row)?)?;
        task.events = self
            .query(EVENTS_SQL, &[&id])?
            .iter()
            .map(event_row)
            .collect::<Result<_>>()?;
        Ok(task)
    }

    fn tasks(&self, filter: &TaskFilter) -> Result<Vec<StoredTask>> {
        let lead = filter.lead.map(|u| u.0);
        let field = filter.field.map(|f| f.key());
        let from = filter.due_from.map(|d| d.to_string());
        let to = filter.due_to.map(|d| d.to_string());
        // One query: the tasks with their events (none: a row of NULL event columns), so a
        // long list costs one round trip and reads one snapshot.
        let sql = format!(
            "SELECT {TASK_COLS_T}, e.id, e.event, e.unit_id, e.actor, e.at
             FROM task t LEFT JOIN task_event e ON e.task_id = t.id
             WHERE ($1::bigint IS NULL OR t.lead_unit_id = $1) AND ($2::text IS NULL OR t.field = $2)
               AND ($3::text IS NULL OR t.deadline_date >= $3) AND ($4::text IS NULL OR t.deadline_date <= $4)
               AND ($5::bigint IS NULL OR t.document_id = $5)
             ORDER BY t.id, e.id"
        );
        let rows = self.query(&sql, &[&lead, &field, &from, &to, &filter.document])?;
        let mut out: Vec<StoredTask> = Vec::new();
        for r in &rows {
            let eid: Option<i64> = col(r, 12)?;
            let event = match eid {
                Some(id) => {
                    let event: String = col(r, 13)?;
                    Some(decode_event(
                        id,
                        &event,
                        col(r, 14)?,
                        col(r, 15)?,
                        col(r, 16)?,
                    )?)
                }
                None => None,
            };
            push_task_row(&mut out, task_row(r)?, event)?;
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
        self.write(|tx| {
            let task = load_task_in(tx, id, true)?;
            check_new_event(&task, event)?;
            if let Some(u) = unit {
                PgStore::check_unit_exists(tx, u)?;
            }
            let (kind, on) = event_kind(event);
            let encoded = encode_event(event)?;
            tx.execute(
                "INSERT INTO task_event (task_id, kind, on_date, event, unit_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &kind, &on.to_string(), &encoded, &unit.map(|u| u.0), &actor, &now()],
            )?;
            record(tx, actor, decide::task_event_added(id, kind, &encoded))?;
            load_task_in(tx, id, false)
        })
    }

    fn propose_task(&mut self, proposal: &NewTaskProposal, actor: &str) -> Result<i64> {
        self.write(|tx| {
            let row = tx
                .query_opt(
                    "SELECT original FROM document WHERE id = $1",
                    &[&proposal.document],
                )?
                .ok_or(StoreError::NoSuchDocument(proposal.document))?;
            let original: String = col(&row, 0)?;
            check_span(proposal, chitieu_text::nfc(&original).chars().count())?;
            let row = tx.query_one(
                "INSERT INTO task_proposal (document_id, extractor, proposed, span_start, span_end, state)
                 VALUES ($1, $2, $3, $4, $5, 'proposed') RETURNING id",
                &[
                    &proposal.document,
                    &proposal.extractor,
                    &encode_proposal(&proposal.proposed)?,
                    &(proposal.proposed.span.0 as i64),
                    &(proposal.proposed.span.1 as i64),
                ],
            )?;
            let id: i64 = col(&row, 0)?;
            record(
                tx,
                actor,
                decide::task_proposed(id, proposal.document, &proposal.proposed),
            )?;
            Ok(id)
        })
    }

    fn task_proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<TaskProposal>> {
        let sql = format!(
            "SELECT {TASK_PROPOSAL_COLS} FROM task_proposal
             WHERE ($1::bigint IS NULL OR document_id = $1) AND ($2::text IS NULL OR state = $2)
             ORDER BY document_id, span_start, id"
        );
        let state = state.map(|s| s.key());
        self.query(&sql, &[&document, &state])?
            .iter()
            .map(proposal_row)
            .collect()
    }

    fn task_proposal(&self, id: i64) -> Result<TaskProposal> {
        let sql = format!("SELECT {TASK_PROPOSAL_COLS} FROM task_proposal WHERE id = $1");
        let row = self
            .query(&sql, &[&id])?
            .into_iter()
            .next()
            .ok_or(not_found("task proposal", id))?;
        proposal_row(&row)
    }

    fn review_task_proposal(
        &mut self,
        id: i64,
        decision: &TaskDecision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<TaskProposal> {
        self.write(|tx| {
            let p = load_proposal_in(tx, id, true)?;
            decide::check_not_reviewed(&p)?;
            let (state, task) = match decision {
                TaskDecision::Accept(t) => {
                    let t = accepted_task(t, &p);
                    (ProposalState::Accepted, Some(insert_task(tx, &t, actor)?))
                }
                TaskDecision::Reject => (ProposalState::Rejected, None),
            };
            tx.execute(
                "UPDATE task_proposal SET state = $2, task_id = $3, reviewed_by = $4, reviewed_at = $5, review_note = $6 WHERE id = $1",
                &[&id, &state.key(), &task, &actor, &now(), &note],
            )?;
            record(tx, actor, decide::proposal_reviewed(id, state, task, note))?;
            load_proposal_in(tx, id, false)
        })
    }
}

impl NtmStore for PgStore {
    fn set_ntm_states(&mut self, records: &[CommuneCriteria], actor: &str) -> Result<usize> {
        self.require_init()?;
        self.write(|tx| {
            let keys: Vec<String> = records
                .iter()
                .map(|r| {
                    format!(
                        "ntm:{}/{}/{}/{}",
                        r.commune.0,
                        r.year,
                        r.set,
                        r.level.key()
                    )
                })
                .collect();
            lock_keys(tx, &keys)?;
            let stamp = now();
            let mut n = 0usize;
            for rec in records {
                PgStore::check_unit_exists(tx, rec.commune)?;
                let year = i64::from(rec.year);
                for s in &rec.states {
                    let criterion = i64::from(s.criterion);
                    let before: Option<bool> = tx
                        .query_opt(
                            "SELECT met FROM ntm_state WHERE commune_id = $1 AND year = $2 AND set_id = $3 AND level = $4 AND criterion = $5",
                            &[&rec.commune.0, &year, &rec.set, &rec.level.key(), &criterion],
                        )?
                        .map(|r| col(&r, 0))
                        .transpose()?;
                    tx.execute(
                        "INSERT INTO ntm_state (commune_id, year, set_id, level, criterion, met, evidence, evidence_document_id, evidence_figure_id, set_by, set_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                         ON CONFLICT (commune_id, year, set_id, level, criterion) DO UPDATE SET
                            met = excluded.met, evidence = excluded.evidence,
                            evidence_document_id = excluded.evidence_document_id,
                            evidence_figure_id = excluded.evidence_figure_id,
                            set_by = excluded.set_by, set_at = excluded.set_at",
                        &[
                            &rec.commune.0,
                            &year,
                            &rec.set,
                            &rec.level.key(),
                            &criterion,
                            &s.met,
                            &s.evidence.text,
                            &s.evidence.document,
                            &s.evidence.figure,
                            &actor,
                            &stamp,
                        ],
                    )?;
                    record(tx, actor, decide::ntm_state_set(rec, s, before))?;
                    n += 1;
                }
            }
            Ok(n)
        })
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
             WHERE commune_id = $1 AND ($2::bigint IS NULL OR year = $2) AND ($3::text IS NULL OR set_id = $3)
               AND ($4::text IS NULL OR level = $4)
             ORDER BY commune_id, year, set_id, level, criterion"
        );
        let year = year.map(i64::from);
        let level = level.map(|l| l.key());
        let mut rows = Vec::new();
        for c in communes {
            for r in self.query(&sql, &[&c.0, &year, &set, &level])? {
                rows.push(NtmRow {
                    commune: col(&r, 0)?,
                    year: col(&r, 1)?,
                    set: col(&r, 2)?,
                    level: col(&r, 3)?,
                    criterion: col(&r, 4)?,
                    met: col(&r, 5)?,
                    evidence: col(&r, 6)?,
                    document: col(&r, 7)?,
                    figure: col(&r, 8)?,
                });
            }
        }
        group_ntm(rows)
    }

    fn predecessors(&self, unit: UnitId) -> Result<Vec<Succession>> {
        self.successions_into(unit)
    }
}
