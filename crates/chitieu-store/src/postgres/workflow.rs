//! The PostgreSQL side of [`WorkflowStore`], with the same behaviour as SQLite's.
//!
//! Concurrency: each data set (unit × period) is an advisory lock key. Every transition takes
//! its data set's key before it reads the state, so saving, submitting, approving, returning
//! and reopening the same data set run one after the other, and the second sees what the first
//! did (a refusal that names the state, never a lost change). Approving a unit also locks the
//! data sets of the units directly below it, and reopening a unit locks the one above it: the
//! check "every unit below is approved" and "the unit above is not approved" cannot race
//! with the other side changing. Keys are taken in one sorted order, so these never deadlock.

use super::rows::{col, parse_decimal, parse_period};
use super::{PgStore, apply_in, lock_keys, now, record};
use crate::decide::workflow::{self as decide, parse_action, parse_code, parse_state};
use crate::workflow::*;
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use postgres::{GenericClient, Row, Transaction};

const VALID_ON_V: &str =
    "(v.valid_from IS NULL OR v.valid_from <= $2) AND (v.valid_to IS NULL OR v.valid_to >= $2)";

/// The advisory lock key of a data set.
fn data_set_key(unit: UnitId, period: &Period) -> String {
    format!("data_set:{}/{}", unit.0, period)
}

const DATA_SET_COLS: &str = "unit_id, period, state, comment, updated_by, updated_at";

fn row_to_data_set(r: &Row) -> Result<DataSet> {
    let period: String = col(r, 1)?;
    let state: String = col(r, 2)?;
    Ok(DataSet {
        unit: UnitId(col(r, 0)?),
        period: parse_period(&period)?,
        state: parse_state(&state)?,
        comment: col(r, 3)?,
        updated_by: col(r, 4)?,
        updated_at: col(r, 5)?,
    })
}

fn load_data_set(
    c: &mut impl GenericClient,
    unit: UnitId,
    period: &Period,
) -> Result<Option<DataSet>> {
    c.query_opt(
        &format!("SELECT {DATA_SET_COLS} FROM data_set WHERE unit_id = $1 AND period = $2"),
        &[&unit.0, &period.to_string()],
    )?
    .map(|r| row_to_data_set(&r))
    .transpose()
}

/// The data set of a unit and period, which must exist (it was just written).
fn existing_data_set(c: &mut impl GenericClient, unit: UnitId, period: &Period) -> Result<DataSet> {
    load_data_set(c, unit, period)?.ok_or_else(|| StoreError::NotFound {
        what: "data set",
        key: decide::data_set_key(unit, period),
    })
}

fn state_in(
    tx: &mut Transaction<'_>,
    unit: UnitId,
    period: &Period,
) -> Result<Option<DataSetState>> {
    let s: Option<String> = match tx.query_opt(
        "SELECT state FROM data_set WHERE unit_id = $1 AND period = $2",
        &[&unit.0, &period.to_string()],
    )? {
        Some(r) => Some(col(&r, 0)?),
        None => None,
    };
    s.as_deref().map(parse_state).transpose()
}

/// Checks the action against the current state and records the new state and the event. The
/// caller holds the data set's lock.
fn transition(
    tx: &mut Transaction<'_>,
    unit: UnitId,
    period: &Period,
    action: WorkflowAction,
    comment: Option<&str>,
    actor: &str,
) -> Result<DataSetState> {
    let from = state_in(tx, unit, period)?;
    let t = decide::transition(unit, period, from, action, comment)?;
    let at = now();
    let p = period.to_string();
    tx.execute(
        "INSERT INTO data_set (unit_id, period, state, comment, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (unit_id, period) DO UPDATE SET state = excluded.state,
           comment = CASE WHEN $7 THEN excluded.comment ELSE data_set.comment END,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        &[
            &unit.0,
            &p,
            &t.to.key(),
            &comment,
            &actor,
            &at,
            &t.keeps_comment,
        ],
    )?;
    tx.execute(
        "INSERT INTO data_set_event (unit_id, period, action, actor, at, comment) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&unit.0, &p, &action.key(), &actor, &at, &comment],
    )?;
    record(tx, actor, t.audit)?;
    Ok(t.to)
}

const EXPLANATION_COLS: &str = "id, indicator, unit_id, period, question, asked_by, asked_at, answer, answered_by, answered_at";

fn row_to_explanation(r: &Row) -> Result<Explanation> {
    let indicator: String = col(r, 1)?;
    let period: String = col(r, 3)?;
    Ok(Explanation {
        id: col(r, 0)?,
        indicator: parse_code(&indicator)?,
        unit: UnitId(col(r, 2)?),
        period: parse_period(&period)?,
        question: col(r, 4)?,
        asked_by: col(r, 5)?,
        asked_at: col(r, 6)?,
        answer: col(r, 7)?,
        answered_by: col(r, 8)?,
        answered_at: col(r, 9)?,
    })
}

fn load_explanation(c: &mut impl GenericClient, id: i64) -> Result<Explanation> {
    match c.query_opt(
        &format!("SELECT {EXPLANATION_COLS} FROM explanation_request WHERE id = $1"),
        &[&id],
    )? {
        Some(r) => row_to_explanation(&r),
        None => Err(StoreError::NotFound {
            what: "explanation request",
            key: id.to_string(),
        }),
    }
}

impl WorkflowStore for PgStore {
    fn data_set(&self, unit: UnitId, period: &Period) -> Result<Option<DataSet>> {
        self.query(
            &format!("SELECT {DATA_SET_COLS} FROM data_set WHERE unit_id = $1 AND period = $2"),
            &[&unit.0, &period.to_string()],
        )?
        .first()
        .map(row_to_data_set)
        .transpose()
    }

    fn data_sets(&self, state: Option<DataSetState>) -> Result<Vec<DataSet>> {
        self.query(
            &format!(
                "SELECT {DATA_SET_COLS} FROM data_set WHERE ($1::text IS NULL OR state = $1::text)
                 ORDER BY updated_at DESC"
            ),
            &[&state.map(|s| s.key())],
        )?
        .iter()
        .map(row_to_data_set)
        .collect()
    }

    fn draft_values(&self, unit: UnitId, period: &Period) -> Result<Vec<DraftValue>> {
        let rows = self.query(
            "SELECT indicator, value::text, comment, entered_by, entered_at FROM draft_value
             WHERE unit_id = $1 AND period = $2 ORDER BY indicator",
            &[&unit.0, &period.to_string()],
        )?;
        rows.iter().map(row_to_draft).collect()
    }

    fn data_set_events(&self, unit: UnitId, period: &Period) -> Result<Vec<DataSetEvent>> {
        let mut out = Vec::new();
        for r in self.query(
            "SELECT id, action, actor, at, comment FROM data_set_event
             WHERE unit_id = $1 AND period = $2 ORDER BY id",
            &[&unit.0, &period.to_string()],
        )? {
            let action: String = col(&r, 1)?;
            out.push(DataSetEvent {
                id: col(&r, 0)?,
                action: parse_action(&action)?,
                actor: col(&r, 2)?,
                at: col(&r, 3)?,
                comment: col(&r, 4)?,
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
        self.write(|tx| {
            lock_keys(tx, &[data_set_key(unit, period)])?;
            PgStore::check_unit_exists(tx, unit)?;
            transition(tx, unit, period, WorkflowAction::Save, None, actor)?;
            let at = now();
            let p = period.to_string();
            for e in entries {
                PgStore::check_indicator_exists(tx, e.indicator.as_str())?;
                tx.execute(
                    "INSERT INTO draft_value (unit_id, period, indicator, value, comment, entered_by, entered_at)
                     VALUES ($1, $2, $3, $4::text::numeric, $5, $6, $7)
                     ON CONFLICT (unit_id, period, indicator) DO UPDATE SET value = excluded.value,
                       comment = excluded.comment, entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                    &[
                        &unit.0,
                        &p,
                        &e.indicator.as_str(),
                        &e.value.normalize().to_string(),
                        &e.comment,
                        &actor,
                        &at,
                    ],
                )?;
            }
            record(tx, actor, decide::draft_saved(unit, period, entries))?;
            existing_data_set(tx, unit, period)
        })
    }

    fn submit(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet> {
        self.write(|tx| {
            lock_keys(tx, &[data_set_key(unit, period)])?;
            transition(tx, unit, period, WorkflowAction::Submit, None, actor)?;
            // The values are read under the lock: the draft submitted is the one last saved.
            let values = tx
                .query(
                    "SELECT indicator, value::text, comment, entered_by, entered_at FROM draft_value
                     WHERE unit_id = $1 AND period = $2 ORDER BY indicator",
                    &[&unit.0, &period.to_string()],
                )?
                .iter()
                .map(row_to_draft)
                .collect::<Result<Vec<_>>>()?;
            apply_in(tx, &decide::submission(unit, period, &values)?, actor)?;
            existing_data_set(tx, unit, period)
        })
    }

    fn approve(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet> {
        let end = period.end_date().to_string();
        let p = period.to_string();
        self.write(|tx| {
            // This data set and those of the units directly below, so that none of them is
            // reopened or resubmitted while the check below holds.
            let mut keys = vec![data_set_key(unit, period)];
            for r in tx.query(
                &format!("SELECT v.unit_id FROM unit_version v WHERE v.parent_id = $1 AND {VALID_ON_V}"),
                &[&unit.0, &end],
            )? {
                keys.push(data_set_key(UnitId(col(&r, 0)?), period));
            }
            lock_keys(tx, &keys)?;
            let pending: Vec<String> = tx
                .query(
                    &format!(
                        "SELECT v.kind || ' ' || v.name FROM data_set d JOIN unit_version v ON v.unit_id = d.unit_id
                         WHERE v.parent_id = $1 AND {VALID_ON_V} AND d.period = $3 AND d.state != 'approved'
                         ORDER BY v.name"
                    ),
                    &[&unit.0, &end, &p],
                )?
                .iter()
                .map(|r| col(r, 0))
                .collect::<Result<_>>()?;
            decide::check_below_approved(&pending)?;
            transition(tx, unit, period, WorkflowAction::Approve, None, actor)?;
            existing_data_set(tx, unit, period)
        })
    }

    fn return_for_correction(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<DataSet> {
        let comment = decide::return_comment(comment)?;
        self.write(|tx| {
            lock_keys(tx, &[data_set_key(unit, period)])?;
            transition(
                tx,
                unit,
                period,
                WorkflowAction::Return,
                Some(comment),
                actor,
            )?;
            existing_data_set(tx, unit, period)
        })
    }

    fn reopen(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<DataSet> {
        let end = period.end_date().to_string();
        let p = period.to_string();
        self.write(|tx| {
            // This data set and the one of the unit above, so that it is not approved meanwhile.
            let mut keys = vec![data_set_key(unit, period)];
            for r in tx.query(
                &format!(
                    "SELECT v.parent_id FROM unit_version v WHERE v.unit_id = $1 AND {VALID_ON_V} AND v.parent_id IS NOT NULL"
                ),
                &[&unit.0, &end],
            )? {
                keys.push(data_set_key(UnitId(col(&r, 0)?), period));
            }
            lock_keys(tx, &keys)?;
            let parent_approved = tx
                .query_opt(
                    &format!(
                        "SELECT p.state FROM unit_version v JOIN data_set p ON p.unit_id = v.parent_id
                         WHERE v.unit_id = $1 AND {VALID_ON_V} AND p.period = $3 AND p.state = 'approved'
                         LIMIT 1"
                    ),
                    &[&unit.0, &end, &p],
                )?
                .is_some();
            let comment = decide::reopen_comment(parent_approved, comment)?;
            transition(tx, unit, period, WorkflowAction::Reopen, comment, actor)?;
            existing_data_set(tx, unit, period)
        })
    }

    fn mark_approved(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet> {
        self.write(|tx| {
            lock_keys(tx, &[data_set_key(unit, period)])?;
            PgStore::check_unit_exists(tx, unit)?;
            let at = now();
            let p = period.to_string();
            tx.execute(
                "INSERT INTO data_set (unit_id, period, state, updated_by, updated_at) VALUES ($1, $2, 'approved', $3, $4)
                 ON CONFLICT (unit_id, period) DO UPDATE SET state = 'approved', updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[&unit.0, &p, &actor, &at],
            )?;
            tx.execute(
                "INSERT INTO data_set_event (unit_id, period, action, actor, at, comment) VALUES ($1, $2, 'approve', $3, $4, $5)",
                &[&unit.0, &p, &actor, &at, &decide::MARKED_APPROVED],
            )?;
            record(tx, actor, decide::marked_approved(unit, period))?;
            existing_data_set(tx, unit, period)
        })
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
        self.write(|tx| {
            PgStore::check_unit_exists(tx, unit)?;
            PgStore::check_indicator_exists(tx, indicator.as_str())?;
            let row = tx.query_one(
                "INSERT INTO explanation_request (indicator, unit_id, period, question, asked_by, asked_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[&indicator.as_str(), &unit.0, &period.to_string(), &question, &actor, &now()],
            )?;
            let id: i64 = col(&row, 0)?;
            record(
                tx,
                actor,
                decide::explanation_asked(id, indicator, unit, period, question),
            )?;
            load_explanation(tx, id)
        })
    }

    fn answer_explanation(&mut self, id: i64, answer: &str, actor: &str) -> Result<Explanation> {
        let answer = decide::answer_text(answer)?;
        self.write(|tx| {
            // The row lock of the UPDATE makes the second of two answers at once see the first.
            let n = tx.execute(
                "UPDATE explanation_request SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answer IS NULL",
                &[&answer, &actor, &now(), &id],
            )?;
            if n == 0 {
                return Err(decide::not_answerable(id));
            }
            record(tx, actor, decide::explanation_answered(id, answer))?;
            load_explanation(tx, id)
        })
    }

    fn explanation(&self, id: i64) -> Result<Explanation> {
        match self
            .query(
                &format!("SELECT {EXPLANATION_COLS} FROM explanation_request WHERE id = $1"),
                &[&id],
            )?
            .first()
        {
            Some(r) => row_to_explanation(r),
            None => Err(StoreError::NotFound {
                what: "explanation request",
                key: id.to_string(),
            }),
        }
    }

    fn explanations(&self) -> Result<Vec<Explanation>> {
        self.query(
            &format!("SELECT {EXPLANATION_COLS} FROM explanation_request ORDER BY id DESC"),
            &[],
        )?
        .iter()
        .map(row_to_explanation)
        .collect()
    }
}

fn row_to_draft(r: &Row) -> Result<DraftValue> {
    let indicator: String = col(r, 0)?;
    let value: String = col(r, 1)?;
    Ok(DraftValue {
        indicator: parse_code(&indicator)?,
        value: parse_decimal(&value, "draft value")?,
        comment: col(r, 2)?,
        entered_by: col(r, 3)?,
        entered_at: col(r, 4)?,
    })
}
