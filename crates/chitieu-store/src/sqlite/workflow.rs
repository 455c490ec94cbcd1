//! The SQLite side of [`WorkflowStore`].

use super::rows::{parse_decimal, parse_period};
use super::{SqliteStore, apply_in, now, record};
use crate::decide::workflow::{
    self as decide, data_set_key, parse_action, parse_code, parse_state,
};
use crate::workflow::*;
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

const VALID_ON_V: &str =
    "(v.valid_from IS NULL OR v.valid_from <= ?2) AND (v.valid_to IS NULL OR v.valid_to >= ?2)";

fn row_to_data_set(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<DataSet>> {
    let unit: i64 = r.get(0)?;
    let period: String = r.get(1)?;
    let state: String = r.get(2)?;
    let comment: Option<String> = r.get(3)?;
    let updated_by: String = r.get(4)?;
    let updated_at: String = r.get(5)?;
    Ok((|| {
        Ok(DataSet {
            unit: UnitId(unit),
            period: parse_period(&period)?,
            state: parse_state(&state)?,
            comment,
            updated_by,
            updated_at,
        })
    })())
}

const DATA_SET_COLS: &str = "unit_id, period, state, comment, updated_by, updated_at";

/// The data set of a unit and period, which must exist (it was just written).
fn load_draft_values(conn: &Connection, unit: UnitId, period: &Period) -> Result<Vec<DraftValue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT indicator, value, comment, entered_by, entered_at FROM draft_value
         WHERE unit_id = ?1 AND period = ?2 ORDER BY indicator",
    )?;
    let rows = stmt.query_map(params![unit.0, period.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (indicator, value, comment, entered_by, entered_at) = r?;
        out.push(DraftValue {
            indicator: parse_code(&indicator)?,
            value: parse_decimal(&value, "draft value")?,
            comment,
            entered_by,
            entered_at,
        });
    }
    Ok(out)
}

fn existing_data_set(conn: &Connection, unit: UnitId, period: &Period) -> Result<DataSet> {
    load_data_set(conn, unit, period)?.ok_or_else(|| StoreError::NotFound {
        what: "data set",
        key: data_set_key(unit, period),
    })
}

fn load_data_set(conn: &Connection, unit: UnitId, period: &Period) -> Result<Option<DataSet>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DATA_SET_COLS} FROM data_set WHERE unit_id = ?1 AND period = ?2"
    ))?;
    let mut rows = stmt.query_map(params![unit.0, period.to_string()], row_to_data_set)?;
    match rows.next() {
        Some(r) => Ok(Some(r??)),
        None => Ok(None),
    }
}

fn state_in(tx: &Transaction<'_>, unit: UnitId, period: &Period) -> Result<Option<DataSetState>> {
    let s: Option<String> = tx
        .query_row(
            "SELECT state FROM data_set WHERE unit_id = ?1 AND period = ?2",
            params![unit.0, period.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    s.as_deref().map(parse_state).transpose()
}

/// Checks the action against the current state and records the new state and the event.
fn transition(
    tx: &Transaction<'_>,
    unit: UnitId,
    period: &Period,
    action: WorkflowAction,
    comment: Option<&str>,
    actor: &str,
) -> Result<DataSetState> {
    let from = state_in(tx, unit, period)?;
    let t = decide::transition(unit, period, from, action, comment)?;
    let at = now();
    tx.execute(
        "INSERT INTO data_set (unit_id, period, state, comment, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(unit_id, period) DO UPDATE SET state = excluded.state,
           comment = CASE WHEN ?7 THEN excluded.comment ELSE data_set.comment END,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![
            unit.0,
            period.to_string(),
            t.to.key(),
            comment,
            actor,
            at,
            t.keeps_comment
        ],
    )?;
    tx.execute(
        "INSERT INTO data_set_event (unit_id, period, action, actor, at, comment) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![unit.0, period.to_string(), action.key(), actor, at, comment],
    )?;
    record(tx, actor, t.audit)?;
    Ok(t.to)
}

fn load_explanation(conn: &Connection, id: i64) -> Result<Explanation> {
    let sql = format!("SELECT {EXPLANATION_COLS} FROM explanation_request WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query_map([id], row_to_explanation)?;
    match rows.next() {
        Some(r) => r?,
        None => Err(StoreError::NotFound {
            what: "explanation request",
            key: id.to_string(),
        }),
    }
}

const EXPLANATION_COLS: &str = "id, indicator, unit_id, period, question, asked_by, asked_at, answer, answered_by, answered_at";

fn row_to_explanation(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Explanation>> {
    let id: i64 = r.get(0)?;
    let indicator: String = r.get(1)?;
    let unit: i64 = r.get(2)?;
    let period: String = r.get(3)?;
    let question: String = r.get(4)?;
    let asked_by: String = r.get(5)?;
    let asked_at: String = r.get(6)?;
    let answer: Option<String> = r.get(7)?;
    let answered_by: Option<String> = r.get(8)?;
    let answered_at: Option<String> = r.get(9)?;
    Ok((|| {
        Ok(Explanation {
            id,
            indicator: parse_code(&indicator)?,
            unit: UnitId(unit),
            period: parse_period(&period)?,
            question,
            asked_by,
            asked_at,
            answer,
            answered_by,
            answered_at,
        })
    })())
}

impl WorkflowStore for SqliteStore {
    fn data_set(&self, unit: UnitId, period: &Period) -> Result<Option<DataSet>> {
        load_data_set(&self.conn, unit, period)
    }

    fn data_sets(&self, state: Option<DataSetState>) -> Result<Vec<DataSet>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DATA_SET_COLS} FROM data_set WHERE (?1 IS NULL OR state = ?1) ORDER BY updated_at DESC"
        ))?;
        let rows = stmt.query_map([state.map(|s| s.key())], row_to_data_set)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn draft_values(&self, unit: UnitId, period: &Period) -> Result<Vec<DraftValue>> {
        load_draft_values(&self.conn, unit, period)
    }

    fn data_set_events(&self, unit: UnitId, period: &Period) -> Result<Vec<DataSetEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, action, actor, at, comment FROM data_set_event
             WHERE unit_id = ?1 AND period = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![unit.0, period.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, action, actor, at, comment) = r?;
            out.push(DataSetEvent {
                id,
                action: parse_action(&action)?,
                actor,
                at,
                comment,
            });
        }
        Ok(out)
    }

    fn save_draft(
        &mut self,
        unit: UnitId,
        period: &Period,
        entries: &[DraftEntry],
        actor: &str,
    ) -> Result<DataSet> {
        let tx = self.write_tx()?;
        SqliteStore::check_unit_exists(&tx, unit)?;
        transition(&tx, unit, period, WorkflowAction::Save, None, actor)?;
        let at = now();
        for e in entries {
            SqliteStore::check_indicator_exists(&tx, e.indicator.as_str())?;
            tx.execute(
                "INSERT INTO draft_value (unit_id, period, indicator, value, comment, entered_by, entered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(unit_id, period, indicator) DO UPDATE SET value = excluded.value,
                   comment = excluded.comment, entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                params![
                    unit.0,
                    period.to_string(),
                    e.indicator.as_str(),
                    e.value.normalize().to_string(),
                    e.comment,
                    actor,
                    at
                ],
            )?;
        }
        record(&tx, actor, decide::draft_saved(unit, period, entries))?;
        // Read inside the transaction: after commit another handle may already have moved it.
        let set = existing_data_set(&tx, unit, period)?;
        tx.commit()?;
        Ok(set)
    }

    fn submit(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet> {
        let tx = self.write_tx()?;
        // The draft is read under the write lock: read before it, a draft saved in between
        // would be lost from the submission.
        let values = load_draft_values(&tx, unit, period)?;
        transition(&tx, unit, period, WorkflowAction::Submit, None, actor)?;
        apply_in(&tx, &decide::submission(unit, period, &values)?, actor)?;
        // Read inside the transaction: after commit another handle may already have moved it.
        let set = existing_data_set(&tx, unit, period)?;
        tx.commit()?;
        Ok(set)
    }

    fn approve(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet> {
        let tx = self.write_tx()?;
        let pending: Vec<String> = {
            let mut stmt = tx.prepare(&format!(
                "SELECT v.kind || ' ' || v.name FROM data_set d JOIN unit_version v ON v.unit_id = d.unit_id
                 WHERE v.parent_id = ?1 AND {VALID_ON_V} AND d.period = ?3 AND d.state != 'approved'
                 ORDER BY v.name"
            ))?;
            let rows = stmt.query_map(
                params![unit.0, period.end_date().to_string(), period.to_string()],
                |r| r.get(0),
            )?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        decide::check_below_approved(&pending)?;
        transition(&tx, unit, period, WorkflowAction::Approve, None, actor)?;
        // Read inside the transaction: after commit another handle may already have moved it.
        let set = existing_data_set(&tx, unit, period)?;
        tx.commit()?;
        Ok(set)
    }

    fn return_for_correction(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<DataSet> {
        let comment = decide::return_comment(comment)?;
        let tx = self.write_tx()?;
        transition(
            &tx,
            unit,
            period,
            WorkflowAction::Return,
            Some(comment),
            actor,
        )?;
        // Read inside the transaction: after commit another handle may already have moved it.
        let set = existing_data_set(&tx, unit, period)?;
        tx.commit()?;
        Ok(set)
    }

    fn reopen(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<DataSet> {
        let tx = self.write_tx()?;
        let parent_approved: Option<String> = tx
            .query_row(
                &format!(
                    "SELECT p.state FROM unit_version v JOIN data_set p ON p.unit_id = v.parent_id
                     WHERE v.unit_id = ?1 AND {VALID_ON_V} AND p.period = ?3 AND p.state = 'approved'"
                ),
                params![unit.0, period.end_date().to_string(), period.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let comment = decide::reopen_comment(parent_approved.is_some(), comment)?;
        transition(&tx, unit, period, WorkflowAction::Reopen, comment, actor)?;
        // Read inside the transaction: after commit another handle may already have moved it.
        let set = existing_data_set(&tx, unit, period)?;
        tx.commit()?;
        Ok(set)
    }

    fn mark_approved(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet> {
        let tx = self.write_tx()?;
        SqliteStore::check_unit_exists(&tx, unit)?;
        let at = now();
        tx.execute(
            "INSERT INTO data_set (unit_id, period, state, updated_by, updated_at) VALUES (?1, ?2, 'approved', ?3, ?4)
             ON CONFLICT(unit_id, period) DO UPDATE SET state = 'approved', updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![unit.0, period.to_string(), actor, at],
        )?;
        tx.execute(
            "INSERT INTO data_set_event (unit_id, period, action, actor, at, comment) VALUES (?1, ?2, 'approve', ?3, ?4, ?5)",
            params![unit.0, period.to_string(), actor, at, decide::MARKED_APPROVED],
        )?;
        record(&tx, actor, decide::marked_approved(unit, period))?;
        // Read inside the transaction: after commit another handle may already have moved it.
        let set = existing_data_set(&tx, unit, period)?;
        tx.commit()?;
        Ok(set)
    }

    fn ask_explanation(
        &mut self,
        indicator: &IndicatorCode,
        unit: UnitId,
        period: &Period,
        question: &str,
        actor: &str,
    ) -> Result<Explanation> {
        let question = decide::question_text(question)?;
        let tx = self.write_tx()?;
        SqliteStore::check_unit_exists(&tx, unit)?;
        SqliteStore::check_indicator_exists(&tx, indicator.as_str())?;
        tx.execute(
            "INSERT INTO explanation_request (indicator, unit_id, period, question, asked_by, asked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![indicator.as_str(), unit.0, period.to_string(), question, actor, now()],
        )?;
        let id = tx.last_insert_rowid();
        record(
            &tx,
            actor,
            decide::explanation_asked(id, indicator, unit, period, question),
        )?;
        tx.commit()?;
        load_explanation(&self.conn, id)
    }

    fn answer_explanation(&mut self, id: i64, answer: &str, actor: &str) -> Result<Explanation> {
        let answer = decide::answer_text(answer)?;
        let tx = self.write_tx()?;
        let n = tx.execute(
            "UPDATE explanation_request SET answer = ?1, answered_by = ?2, answered_at = ?3 WHERE id = ?4 AND answer IS NULL",
            params![answer, actor, now(), id],
        )?;
        if n == 0 {
            return Err(decide::not_answerable(id));
        }
        record(&tx, actor, decide::explanation_answered(id, answer))?;
        tx.commit()?;
        load_explanation(&self.conn, id)
    }

    fn explanation(&self, id: i64) -> Result<Explanation> {
        load_explanation(&self.conn, id)
    }

    fn explanations(&self) -> Result<Vec<Explanation>> {
        let sql = format!("SELECT {EXPLANATION_COLS} FROM explanation_request ORDER BY id DESC");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], row_to_explanation)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }
}
