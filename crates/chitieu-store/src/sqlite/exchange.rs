//! [`ExchangeStore`] on SQLite: the DHIS2 mapping table and the DHIS2 side records of figures.

use super::{SqliteStore, apply_in, now, record};
use crate::decide::exchange::{self as decide, MappingTarget, mapping_key};
use crate::exchange::*;
use crate::{Batch, Result, StoreError};
use chitieu_core::admin::UnitId;
use rusqlite::{OptionalExtension, Row, Transaction, params};

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
    .ok_or_else(|| decide::no_current_revision(indicator, unit, period))
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
            match decide::mapping_target(m)? {
                MappingTarget::Indicator(code) => SqliteStore::check_indicator_exists(&tx, code)?,
                MappingTarget::Unit(unit) => SqliteStore::check_unit_exists(&tx, unit)?,
                MappingTarget::Nothing => {}
            }
            let stored = tx
                .query_row(
                    "SELECT id, chitieu_key, note FROM dhis2_mapping WHERE kind = ?1 AND dhis2_id = ?2 AND category_option_combo = ?3",
                    params![m.kind.key(), m.dhis2_id, m.category_option_combo],
                    |r| Ok(decide::StoredMapping { id: r.get(0)?, chitieu_key: r.get(1)?, note: r.get(2)? }),
                )
                .optional()?;
            let Some(write) = decide::decide_mapping(&mut report, m, stored) else {
                continue;
            };
            match write.update {
                Some(id) => {
                    tx.execute(
                        "UPDATE dhis2_mapping SET chitieu_key = ?1, note = ?2, updated_at = ?3 WHERE id = ?4",
                        params![m.chitieu_key, m.note, stamp, id],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO dhis2_mapping (kind, dhis2_id, category_option_combo, chitieu_key, note, created_by, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                        params![m.kind.key(), m.dhis2_id, m.category_option_combo, m.chitieu_key, m.note, actor, stamp],
                    )?;
                }
            }
            record(&tx, actor, write.audit)?;
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
            .ok_or_else(|| decide::mapping_not_found(&key))?;
        tx.execute("DELETE FROM dhis2_mapping WHERE id = ?1", [found.id])?;
        record(&tx, actor, decide::mapping_removed(&key, &found))?;
        tx.commit()?;
        Ok(found)
    }

    fn import_dhis2(
        &mut self,
        batch: &Batch,
        dhis2: &[Dhis2Figure],
        actor: &str,
    ) -> Result<Dhis2ImportReport> {
        decide::check_side_records(dhis2.len(), batch.figures.len())?;
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
            let Some(entry) = decide::decide_side(f, id, old.as_ref(), side) else {
                continue;
            };
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
            record(&tx, actor, entry)?;
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
