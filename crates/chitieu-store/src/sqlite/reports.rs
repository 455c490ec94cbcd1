//! Issued reports and their document numbers: [`ReportStore`], kept apart from [`crate::Store`]
//! so the core storage interface stays small.
//!
//! The store does not know what a report contains: it keeps the report layer's JSON as given
//! and hands out numbers within a series the report layer names. An issued report is never
//! updated: its figures stay as issued, whatever corrections come later.

use super::{SqliteStore, audit, now};
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

/// What to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRequest {
    /// The number sequence: two reports share numbers exactly when their series are equal.
    pub series: String,
    /// The printed number with `{n}` standing for the number: "Số {n}-BC/HU".
    pub number_format: String,
    /// The lowest number to use: an office that starts using chitieu in the middle of a term
    /// continues its own sequence. The number given is the greater of this and one more than
    /// the last number of the series.
    pub min_number: u32,
    pub unit: UnitId,
    /// The period in its compact form (`2022-H1`).
    pub period: String,
    /// The report kind key (`so-ket`).
    pub kind: String,
    /// `party` or `state`.
    pub style: String,
    /// The date printed on the report (ISO).
    pub issued_on: String,
    /// The report model as JSON, stored as given. The number is kept beside it.
    pub model: String,
}

/// A stored issued report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedReport {
    pub id: i64,
    pub series: String,
    pub number: u32,
    pub number_text: String,
    pub unit: UnitId,
    pub period: String,
    pub kind: String,
    pub style: String,
    pub issued_on: String,
    pub issued_by: String,
    pub issued_at: String,
    /// The model as issued (JSON).
    pub model: String,
}

/// Storage of issued reports. Each write is one transaction and is audited.
pub trait ReportStore {
    /// Gives the next number in the request's series and stores the report with it, in one
    /// transaction: two concurrent issues never get the same number.
    fn issue_report(&mut self, req: &IssueRequest, actor: &str) -> Result<IssuedReport>;

    /// One issued report.
    fn issued_report(&self, id: i64) -> Result<Option<IssuedReport>>;

    /// The issued reports of a unit, newest first.
    fn issued_reports(&self, unit: UnitId) -> Result<Vec<IssuedReport>>;
}

const COLS: &str = "id, series, number, number_text, unit_id, period, kind, style, issued_on, issued_by, issued_at, model";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IssuedReport> {
    Ok(IssuedReport {
        id: r.get(0)?,
        series: r.get(1)?,
        number: r.get(2)?,
        number_text: r.get(3)?,
        unit: UnitId(r.get(4)?),
        period: r.get(5)?,
        kind: r.get(6)?,
        style: r.get(7)?,
        issued_on: r.get(8)?,
        issued_by: r.get(9)?,
        issued_at: r.get(10)?,
        model: r.get(11)?,
    })
}

impl ReportStore for SqliteStore {
    fn issue_report(&mut self, req: &IssueRequest, actor: &str) -> Result<IssuedReport> {
        let tx = self.write_tx()?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM unit WHERE id = ?1", [req.unit.0], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NoSuchUnit(req.unit.to_string()));
        }
        let last: Option<u32> = tx.query_row(
            "SELECT max(number) FROM issued_report WHERE series = ?1",
            [&req.series],
            |r| r.get(0),
        )?;
        let number = last
            .map(|n| n.saturating_add(1))
            .unwrap_or(1)
            .max(req.min_number.max(1));
        let number_text = req.number_format.replace("{n}", &number.to_string());
        let model = req.model.clone();
        let issued_at = now();
        tx.execute(
            "INSERT INTO issued_report (series, number, number_text, unit_id, period, kind, style, issued_on, issued_by, issued_at, model)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                req.series,
                number,
                number_text,
                req.unit.0,
                req.period,
                req.kind,
                req.style,
                req.issued_on,
                actor,
                issued_at,
                model
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            actor,
            "issue_report",
            "issued_report",
            &id.to_string(),
            json!({
                "series": req.series,
                "number": number,
                "number_text": number_text,
                "unit": req.unit.0,
                "period": req.period,
                "kind": req.kind,
                "issued_on": req.issued_on,
            }),
        )?;
        tx.commit()?;
        Ok(IssuedReport {
            id,
            series: req.series.clone(),
            number,
            number_text,
            unit: req.unit,
            period: req.period.clone(),
            kind: req.kind.clone(),
            style: req.style.clone(),
            issued_on: req.issued_on.clone(),
            issued_by: actor.to_string(),
            issued_at,
            model,
        })
    }

    fn issued_report(&self, id: i64) -> Result<Option<IssuedReport>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLS} FROM issued_report WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?)
    }

    fn issued_reports(&self, unit: UnitId) -> Result<Vec<IssuedReport>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLS} FROM issued_report WHERE unit_id = ?1 ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([unit.0], row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }
}
