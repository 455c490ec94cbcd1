//! [`ExchangeStore`] on SQLite: the DHIS2 mapping table and the DHIS2 side records of figures.

use super::{SqliteStore, apply_in, audit, now};
use crate::exchange::*;
use crate::{Batch, Result, StoreError};
use chitieu_core::admin::UnitId;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde_json::json;

const MAPPING_COLS: &str = "id, kind, dhis2_id, category_option_combo, chitieu_key, note, created_by, created_at, updated_at";

fn row_to_mapping(r: &Row<'_>) -> rusqlite::Result<Result<Mapping>> {
    let kind: String = r.get(1)?;
    Ok(Ok(Mapping {
        id: r.get(0)?,
        kind: match kind.parse() {
            Ok(k) => k,
            Err(e) => return Ok(Err(StoreError::corrupt("dhis2 mapping kind", e))),
        },
        dhis2_id: r.get(2)?,
        category_option_combo: r.get(3)?,
        chitieu_key: r.get(4)?,
        note: r.get(5)?,
        created_by: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    }))
}

fn mapping_key(kind: MappingKind, id: &str, coc: &str) -> String {
    if coc.is_empty() {
        format!("{kind}/{id}")
    } else {
        format!("{kind}/{id}/{coc}")
    }
}

fn current_figure_id(
    tx: &Transaction<'_>,
    indicator: &str,
    unit: UnitId,
    period: &str,
) -> Result<i64> {
    tx.query_row(
        "SELECT id FROM figure WHERE indicator = ?1 AND unit_id = ?2 AND period = ?3 AND current = 1",
        params![indicator, unit.0, period],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::corrupt("figure", format!("{indicator}/{}/{period} has no current revision", unit.0)))
}

type SideRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
);

fn side_from(r: SideRow) -> Dhis2Figure {
    Dhis2Figure {
        data_element: r.0,
        period: r.1,
        org_unit: r.2,
        category_option_combo: r.3,
        attribute_option_combo: r.4,
        stored_by: r.5,
        created: r.6,
        last_updated: r.7,
        followup: r.8,
    }
}

const SIDE_COLS: &str = "data_element, period, org_unit, category_option_combo, attribute_option_combo, stored_by, created, last_updated, followup";

fn read_side(r: &Row<'_>, from: usize) -> rusqlite::Result<SideRow> {
    Ok((
        r.get(from)?,
        r.get(from + 1)?,
        r.get(from + 2)?,
        r.get(from + 3)?,
        r.get(from + 4)?,
        r.get(from + 5)?,
        r.get(from + 6)?,
        r.get(from + 7)?,
        r.get(from + 8)?,
    ))
}

impl ExchangeStore for SqliteStore {
    fn dhis2_mappings(&self) -> Result<Vec<Mapping>> {
        let sql = format!(
            "SELECT {MAPPING_COLS} FROM dhis2_mapping ORDER BY kind, dhis2_id, category_option_combo"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], row_to_mapping)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    fn put_dhis2_mappings(
        &mut self,
        mappings: &[NewMapping],
        actor: &str,
    ) -> Result<MappingReport> {
        self.require_init()?;
        let tx = self.write_tx()?;
        let mut report = MappingReport::default();
        let stamp = now();
        for m in mappings {
            check_mapping(m)?;
            match m.kind {
                MappingKind::DataElement => {
                    SqliteStore::check_indicator_exists(&tx, &m.chitieu_key)?
                }
                MappingKind::OrgUnit => {
                    let unit = m.chitieu_key.parse::<i64>().map_err(|e| {
                        StoreError::Refused(format!("unit id '{}': {e}", m.chitieu_key))
                    })?;
                    SqliteStore::check_unit_exists(&tx, UnitId(unit))?;
                }
                MappingKind::CategoryOptionCombo | MappingKind::AttributeOptionCombo => {}
            }
            let key = mapping_key(m.kind, &m.dhis2_id, &m.category_option_combo);
            let old: Option<(i64, String, Option<String>)> = tx
                .query_row(
                    "SELECT id, chitieu_key, note FROM dhis2_mapping WHERE kind = ?1 AND dhis2_id = ?2 AND category_option_combo = ?3",
                    params![m.kind.key(), m.dhis2_id, m.category_option_combo],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match old {
                Some((_, k, n)) if k == m.chitieu_key && n == m.note => report.unchanged += 1,
                Some((id, k, n)) => {
                    tx.execute(
                        "UPDATE dhis2_mapping SET chitieu_key = ?1, note = ?2, updated_at = ?3 WHERE id = ?4",
                        params![m.chitieu_key, m.note, stamp, id],
                    )?;
                    audit(
                        &tx,
                        actor,
                        "dhis2_mapping.change",
                        "dhis2_mapping",
                        &key,
                        json!({"before": {"chitieu": k, "note": n},
                               "after": {"chitieu": m.chitieu_key, "note": m.note}}),
                    )?;
                    report.changed += 1;
                }
                None => {
                    tx.execute(
                        "INSERT INTO dhis2_mapping (kind, dhis2_id, category_option_combo, chitieu_key, note, created_by, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                        params![m.kind.key(), m.dhis2_id, m.category_option_combo, m.chitieu_key, m.note, actor, stamp],
                    )?;
                    audit(
                        &tx,
                        actor,
                        "dhis2_mapping.add",
                        "dhis2_mapping",
                        &key,
                        json!({"chitieu": m.chitieu_key, "note": m.note}),
                    )?;
                    report.added += 1;
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    fn remove_dhis2_mapping(
        &mut self,
        kind: MappingKind,
        dhis2_id: &str,
        category_option_combo: &str,
        actor: &str,
    ) -> Result<Mapping> {
        let tx = self.write_tx()?;
        let sql = format!(
            "SELECT {MAPPING_COLS} FROM dhis2_mapping WHERE kind = ?1 AND dhis2_id = ?2 AND category_option_combo = ?3"
        );
        let key = mapping_key(kind, dhis2_id, category_option_combo);
        let found = tx
            .query_row(
                &sql,
                params![kind.key(), dhis2_id, category_option_combo],
                row_to_mapping,
            )
            .optional()?
            .transpose()?
            .ok_or_else(|| StoreError::NotFound {
                what: "DHIS2 mapping",
                key: key.clone(),
            })?;
        tx.execute("DELETE FROM dhis2_mapping WHERE id = ?1", [found.id])?;
        audit(
            &tx,
            actor,
            "dhis2_mapping.remove",
            "dhis2_mapping",
            &key,
            json!({"chitieu": found.chitieu_key, "note": found.note}),
        )?;
        tx.commit()?;
        Ok(found)
    }

    fn import_dhis2(
        &mut self,
        batch: &Batch,
        dhis2: &[Dhis2Figure],
        actor: &str,
    ) -> Result<Dhis2ImportReport> {
        if dhis2.len() != batch.figures.len() {
            return Err(StoreError::Refused(format!(
                "{} DHIS2 records for {} figures",
                dhis2.len(),
                batch.figures.len()
            )));
        }
        self.require_init()?;
        let tx = self.write_tx()?;
        let figures = apply_in(&tx, batch, actor)?;
        let mut written = 0;
        for (f, side) in batch.figures.iter().zip(dhis2) {
            let period = f.period.to_string();
            let id = current_figure_id(&tx, f.indicator.as_str(), f.unit, &period)?;
            let sql = format!("SELECT {SIDE_COLS} FROM dhis2_figure WHERE figure_id = ?1");
            let old = tx
                .query_row(&sql, [id], |r| read_side(r, 0))
                .optional()?
                .map(side_from);
            if old.as_ref() == Some(side) {
                continue;
            }
            tx.execute(
                "INSERT INTO dhis2_figure (figure_id, data_element, period, org_unit, category_option_combo, attribute_option_combo, stored_by, created, last_updated, followup)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(figure_id) DO UPDATE SET data_element = excluded.data_element, period = excluded.period,
                   org_unit = excluded.org_unit, category_option_combo = excluded.category_option_combo,
                   attribute_option_combo = excluded.attribute_option_combo, stored_by = excluded.stored_by,
                   created = excluded.created, last_updated = excluded.last_updated, followup = excluded.followup",
                params![
                    id,
                    side.data_element,
                    side.period,
                    side.org_unit,
                    side.category_option_combo,
                    side.attribute_option_combo,
                    side.stored_by,
                    side.created,
                    side.last_updated,
                    side.followup
                ],
            )?;
            audit(
                &tx,
                actor,
                if old.is_some() {
                    "dhis2_figure.change"
                } else {
                    "dhis2_figure.add"
                },
                "dhis2_figure",
                &format!("{}/{}/{}", f.indicator, f.unit.0, period),
                json!({"figure_id": id, "before": old, "after": side}),
            )?;
            written += 1;
        }
        tx.commit()?;
        Ok(Dhis2ImportReport {
            figures,
            dhis2_records: written,
        })
    }

    fn dhis2_figures(&self, figure_ids: &[i64]) -> Result<Vec<(i64, Dhis2Figure)>> {
        let sql = format!("SELECT figure_id, {SIDE_COLS} FROM dhis2_figure WHERE figure_id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut out = Vec::new();
        for id in figure_ids {
            if let Some((fid, side)) = stmt
                .query_row([id], |r| Ok((r.get::<_, i64>(0)?, read_side(r, 1)?)))
                .optional()?
            {
                out.push((fid, side_from(side)));
            }
        }
        out.sort_by_key(|(id, _)| *id);
        out.dedup_by_key(|(id, _)| *id);
        Ok(out)
    }
}
