//! [`ExchangeStore`] on PostgreSQL, behaving as SQLite's (`sqlite/exchange.rs`): writers of the
//! same mapping or figure take the same advisory locks first.

use super::rows::col;
use super::{PgStore, apply_in, lock_keys, now, record};
use crate::decide::exchange::{self as decide, MappingTarget, mapping_key};
use crate::exchange::*;
use crate::{Batch, Result, StoreError};
use chitieu_core::admin::UnitId;
use postgres::{Row, Transaction};

const MAPPING_COLS: &str = "id, kind, dhis2_id, category_option_combo, chitieu_key, note, created_by, created_at, updated_at";

const SIDE_COLS: &str = "data_element, period, org_unit, category_option_combo, attribute_option_combo, stored_by, created, last_updated, followup";

fn row_to_mapping(r: &Row) -> Result<Mapping> {
    let kind: String = col(r, 1)?;
    Ok(Mapping {
        id: col(r, 0)?,
        kind: kind
            .parse()
            .map_err(|e: String| StoreError::corrupt("dhis2 mapping kind", e))?,
        dhis2_id: col(r, 2)?,
        category_option_combo: col(r, 3)?,
        chitieu_key: col(r, 4)?,
        note: col(r, 5)?,
        created_by: col(r, 6)?,
        created_at: col(r, 7)?,
        updated_at: col(r, 8)?,
    })
}

fn row_to_side(r: &Row, from: usize) -> Result<Dhis2Figure> {
    Ok(Dhis2Figure {
        data_element: col(r, from)?,
        period: col(r, from + 1)?,
        org_unit: col(r, from + 2)?,
        category_option_combo: col(r, from + 3)?,
        attribute_option_combo: col(r, from + 4)?,
        stored_by: col(r, from + 5)?,
        created: col(r, from + 6)?,
        last_updated: col(r, from + 7)?,
        followup: col(r, from + 8)?,
    })
}

fn current_figure_id(
    tx: &mut Transaction<'_>,
    indicator: &str,
    unit: UnitId,
    period: &str,
) -> Result<i64> {
    match tx.query_opt(
        "SELECT id FROM figure WHERE indicator = $1 AND unit_id = $2 AND period = $3 AND current",
        &[&indicator, &unit.0, &period],
    )? {
        Some(r) => col(&r, 0),
        None => Err(decide::no_current_revision(indicator, unit, period)),
    }
}

impl ExchangeStore for PgStore {
    fn dhis2_mappings(&self) -> Result<Vec<Mapping>> {
        let sql = format!(
            "SELECT {MAPPING_COLS} FROM dhis2_mapping ORDER BY kind, dhis2_id, category_option_combo"
        );
        self.query(&sql, &[])?.iter().map(row_to_mapping).collect()
    }

    fn put_dhis2_mappings(
        &mut self,
        mappings: &[NewMapping],
        actor: &str,
    ) -> Result<MappingReport> {
        self.require_init()?;
        self.write(|tx| {
            let keys: Vec<String> = mappings
                .iter()
                .map(|m| {
                    format!(
                        "dhis2_mapping:{}",
                        mapping_key(m.kind, &m.dhis2_id, &m.category_option_combo)
                    )
                })
                .collect();
            lock_keys(tx, &keys)?;
            let mut report = MappingReport::default();
            let stamp = now();
            for m in mappings {
                check_mapping(m)?;
                match decide::mapping_target(m)? {
                    MappingTarget::Indicator(code) => PgStore::check_indicator_exists(tx, code)?,
                    MappingTarget::Unit(unit) => PgStore::check_unit_exists(tx, unit)?,
                    MappingTarget::Nothing => {}
                }
                let stored = match tx.query_opt(
                    "SELECT id, chitieu_key, note FROM dhis2_mapping WHERE kind = $1 AND dhis2_id = $2 AND category_option_combo = $3",
                    &[&m.kind.key(), &m.dhis2_id, &m.category_option_combo],
                )? {
                    Some(r) => Some(decide::StoredMapping {
                        id: col(&r, 0)?,
                        chitieu_key: col(&r, 1)?,
                        note: col(&r, 2)?,
                    }),
                    None => None,
                };
                let Some(write) = decide::decide_mapping(&mut report, m, stored) else {
                    continue;
                };
                match write.update {
                    Some(id) => {
                        tx.execute(
                            "UPDATE dhis2_mapping SET chitieu_key = $1, note = $2, updated_at = $3 WHERE id = $4",
                            &[&m.chitieu_key, &m.note, &stamp, &id],
                        )?;
                    }
                    None => {
                        tx.execute(
                            "INSERT INTO dhis2_mapping (kind, dhis2_id, category_option_combo, chitieu_key, note, created_by, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                            &[&m.kind.key(), &m.dhis2_id, &m.category_option_combo, &m.chitieu_key, &m.note, &actor, &stamp],
                        )?;
                    }
                }
                record(tx, actor, write.audit)?;
            }
            Ok(report)
        })
    }

    fn remove_dhis2_mapping(
        &mut self,
        kind: MappingKind,
        dhis2_id: &str,
        category_option_combo: &str,
        actor: &str,
    ) -> Result<Mapping> {
        let key = mapping_key(kind, dhis2_id, category_option_combo);
        self.write(|tx| {
            lock_keys(tx, &[format!("dhis2_mapping:{key}")])?;
            let sql = format!(
                "SELECT {MAPPING_COLS} FROM dhis2_mapping WHERE kind = $1 AND dhis2_id = $2 AND category_option_combo = $3"
            );
            let found = match tx.query_opt(&sql, &[&kind.key(), &dhis2_id, &category_option_combo])? {
                Some(r) => row_to_mapping(&r)?,
                None => return Err(decide::mapping_not_found(&key)),
            };
            tx.execute("DELETE FROM dhis2_mapping WHERE id = $1", &[&found.id])?;
            record(tx, actor, decide::mapping_removed(&key, &found))?;
            Ok(found)
        })
    }

    fn import_dhis2(
        &mut self,
        batch: &Batch,
        dhis2: &[Dhis2Figure],
        actor: &str,
    ) -> Result<Dhis2ImportReport> {
        decide::check_side_records(dhis2.len(), batch.figures.len())?;
        self.require_init()?;
        self.write(|tx| {
            // apply_in takes the figures' advisory locks; the side records follow under them.
            let figures = apply_in(tx, batch, actor)?;
            let mut written = 0;
            for (f, side) in batch.figures.iter().zip(dhis2) {
                let period = f.period.to_string();
                let id = current_figure_id(tx, f.indicator.as_str(), f.unit, &period)?;
                let sql = format!("SELECT {SIDE_COLS} FROM dhis2_figure WHERE figure_id = $1");
                let old = tx
                    .query_opt(&sql, &[&id])?
                    .map(|r| row_to_side(&r, 0))
                    .transpose()?;
                let Some(entry) = decide::decide_side(f, id, old.as_ref(), side) else {
                    continue;
                };
                tx.execute(
                    "INSERT INTO dhis2_figure (figure_id, data_element, period, org_unit, category_option_combo, attribute_option_combo, stored_by, created, last_updated, followup)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (figure_id) DO UPDATE SET data_element = excluded.data_element, period = excluded.period,
                       org_unit = excluded.org_unit, category_option_combo = excluded.category_option_combo,
                       attribute_option_combo = excluded.attribute_option_combo, stored_by = excluded.stored_by,
                       created = excluded.created, last_updated = excluded.last_updated, followup = excluded.followup",
                    &[
                        &id,
                        &side.data_element,
                        &side.period,
                        &side.org_unit,
                        &side.category_option_combo,
                        &side.attribute_option_combo,
                        &side.stored_by,
                        &side.created,
                        &side.last_updated,
                        &side.followup,
                    ],
                )?;
                record(tx, actor, entry)?;
                written += 1;
            }
            Ok(Dhis2ImportReport {
                figures,
                dhis2_records: written,
            })
        })
    }

    fn dhis2_figures(&self, figure_ids: &[i64]) -> Result<Vec<(i64, Dhis2Figure)>> {
        let sql = format!(
            "SELECT figure_id, {SIDE_COLS} FROM dhis2_figure WHERE figure_id = ANY($1) ORDER BY figure_id"
        );
        let ids: Vec<i64> = figure_ids.to_vec();
        self.query(&sql, &[&ids])?
            .iter()
            .map(|r| Ok((col(r, 0)?, row_to_side(r, 1)?)))
            .collect()
    }
}
