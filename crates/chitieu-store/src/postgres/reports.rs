//! The PostgreSQL side of [`ReportStore`]: numbers within a series are handed out under an
//! advisory lock on the series, so two offices issuing at once never get the same number.

use super::rows::{col, col_u32};
use super::{PgStore, audit, lock_keys, now};
use crate::sqlite::{IssueRequest, IssuedReport, ReportStore};
use crate::{Result, StoreError};
use chitieu_core::admin::UnitId;
use postgres::Row;
use serde_json::json;

const COLS: &str = "id, series, number, number_text, unit_id, period, kind, style, issued_on, issued_by, issued_at, model";

fn row(r: &Row) -> Result<IssuedReport> {
    Ok(IssuedReport {
        id: col(r, 0)?,
        series: col(r, 1)?,
        number: col_u32(r, 2, "report number")?,
        number_text: col(r, 3)?,
        unit: UnitId(col(r, 4)?),
        period: col(r, 5)?,
        kind: col(r, 6)?,
        style: col(r, 7)?,
        issued_on: col(r, 8)?,
        issued_by: col(r, 9)?,
        issued_at: col(r, 10)?,
        model: col(r, 11)?,
    })
}

impl ReportStore for PgStore {
    fn issue_report(&mut self, req: &IssueRequest, actor: &str) -> Result<IssuedReport> {
        self.write(|tx| {
            lock_keys(tx, &[format!("report-series:{}", req.series)])?;
            PgStore::check_unit_exists(tx, req.unit)?;
            let last: Option<i64> = col(
                &tx.query_one(
                    "SELECT max(number) FROM issued_report WHERE series = $1",
                    &[&req.series],
                )?,
                0,
            )?;
            let last = last
                .map(|n| u32::try_from(n).map_err(|e| StoreError::corrupt("report number", e)))
                .transpose()?;
            let number = last
                .map(|n| n.saturating_add(1))
                .unwrap_or(1)
                .max(req.min_number.max(1));
            let number_text = req.number_format.replace("{n}", &number.to_string());
            let issued_at = now();
            let id: i64 = col(
                &tx.query_one(
                    "INSERT INTO issued_report (series, number, number_text, unit_id, period, kind, style, issued_on, issued_by, issued_at, model)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    &[
                        &req.series,
                        &i64::from(number),
                        &number_text,
                        &req.unit.0,
                        &req.period,
                        &req.kind,
                        &req.style,
                        &req.issued_on,
                        &actor,
                        &issued_at,
                        &req.model,
                    ],
                )?,
                0,
            )?;
            audit(
                tx,
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
                model: req.model.clone(),
            })
        })
    }

    fn issued_report(&self, id: i64) -> Result<Option<IssuedReport>> {
        let sql = format!("SELECT {COLS} FROM issued_report WHERE id = $1");
        self.query_opt(&sql, &[&id])?.map(|r| row(&r)).transpose()
    }

    fn issued_reports(&self, unit: UnitId) -> Result<Vec<IssuedReport>> {
        let sql = format!("SELECT {COLS} FROM issued_report WHERE unit_id = $1 ORDER BY id DESC");
        self.query(&sql, &[&unit.0])?.iter().map(row).collect()
    }
}
