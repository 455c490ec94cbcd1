//! Data exchange with DHIS2: import a data value set (JSON or CSV) as figures, and export
//! figures as one, through the mapping table users edit.
//!
//! An import reads the file, then maps every data value — its data element (and category option
//! combo) to an indicator, its org unit to a unit in force during the period, its period, its
//! value — and collects every problem with the file, row or index, field and text. With any
//! problem nothing is stored, unless the caller asks to skip bad rows; then the good rows are
//! stored and the bad ones reported. What is stored is one `Batch` of figures (provenance: the
//! file, its row and SHA-256; comment as the figure's note) and, for each figure, the DHIS2
//! fields chitieu has no column for (ids as given, combos, `storedBy`, timestamps, follow-up),
//! in one transaction. An export writes the current figures back through the same mappings, so
//! export → import → export gives the same file.

use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::figure::{FigureInput, FigureRevision, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, Direction, Indicator, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_dhis2::{DataValue, DataValueSet, Format, FormatError, Location, RowError};
use chitieu_store::exchange::{
    Dhis2Figure, Dhis2ImportReport, Mapping, MappingKind, MappingReport, NewMapping,
};
use chitieu_store::{Batch, ExchangeStore, Store, StoreError};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

/// Why an import, export or mapping change did not happen. Nothing was stored in any case.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error("{file}: {} giá trị lỗi, chưa nhập gì (nothing was imported); hãy sửa rồi nhập lại, hoặc dùng --skip-bad-rows để chỉ nhập các giá trị đúng:\n{}", errors.len(), list(file, errors))]
    Rows { file: String, errors: Vec<RowError> },
    #[error("{file}: {} dòng ánh xạ lỗi, chưa thay đổi ánh xạ nào (no mapping was changed):\n{}", errors.len(), errors.iter().map(|e| format!("  {file}: {e}")).collect::<Vec<_>>().join("\n"))]
    MappingRows { file: String, errors: Vec<String> },
    #[error("{0}")]
    Mapping(String),
    #[error("{} vấn đề, chưa xuất gì (nothing was exported):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Export { problems: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn list(file: &str, errors: &[RowError]) -> String {
    let mut lines: Vec<String> = errors
        .iter()
        .take(50)
        .map(|e| format!("  {file}: {e}"))
        .collect();
    if errors.len() > 50 {
        lines.push(format!("  … và {} lỗi khác", errors.len() - 50));
    }
    lines.join("\n")
}

/// The mapping table, indexed both ways.
#[derive(Debug, Default)]
pub struct Mappings {
    /// (data element, category option combo or "") → indicator.
    data_elements: HashMap<(String, String), IndicatorCode>,
    /// Data elements with any mapping, and the combos they are mapped with.
    combos_of: HashMap<String, Vec<String>>,
    org_units: HashMap<String, UnitId>,
    combos: HashSet<String>,
    attribute_combos: HashSet<String>,
    /// indicator → (data element, combo), earliest mapping first.
    by_indicator: HashMap<IndicatorCode, Vec<(String, String)>>,
    /// unit → org unit ids, earliest mapping first.
    by_unit: HashMap<UnitId, Vec<String>>,
}

impl Mappings {
    pub fn new(rows: &[Mapping]) -> Mappings {
        let mut rows: Vec<&Mapping> = rows.iter().collect();
        rows.sort_by_key(|m| m.id);
        let mut m = Mappings::default();
        for r in rows {
            match r.kind {
                MappingKind::DataElement => {
                    let Ok(code) = IndicatorCode::new(&r.chitieu_key) else {
                        continue;
                    };
                    m.data_elements.insert(
                        (r.dhis2_id.clone(), r.category_option_combo.clone()),
                        code.clone(),
                    );
                    m.combos_of
                        .entry(r.dhis2_id.clone())
                        .or_default()
                        .push(r.category_option_combo.clone());
                    if !r.category_option_combo.is_empty() {
                        m.combos.insert(r.category_option_combo.clone());
                    }
                    m.by_indicator
                        .entry(code)
                        .or_default()
                        .push((r.dhis2_id.clone(), r.category_option_combo.clone()));
                }
                MappingKind::OrgUnit => {
                    let Ok(id) = r.chitieu_key.parse::<i64>() else {
                        continue;
                    };
                    m.org_units.insert(r.dhis2_id.clone(), UnitId(id));
                    m.by_unit
                        .entry(UnitId(id))
                        .or_default()
                        .push(r.dhis2_id.clone());
                }
                MappingKind::CategoryOptionCombo => {
                    m.combos.insert(r.dhis2_id.clone());
                }
                MappingKind::AttributeOptionCombo => {
                    m.attribute_combos.insert(r.dhis2_id.clone());
                }
            }
        }
        m
    }

    /// The indicator a data element with a combo stands for: the mapping for that combo, or
    /// failing it the data element's mapping for any accepted combo.
    fn indicator(&self, de: &str, coc: &str) -> Result<&IndicatorCode, (&'static str, String)> {
        if let Some(code) = self.data_elements.get(&(de.to_string(), coc.to_string())) {
            return Ok(code);
        }
        if let Some(code) = self.data_elements.get(&(de.to_string(), String::new())) {
            if coc.is_empty() || self.combos.contains(coc) {
                return Ok(code);
            }
            return Err((
                "categoryOptionCombo",
                format!(
                    "category option combo này chưa được khai báo: thêm bằng `chitieu dhis2 map add category_option_combo {coc} <nhãn>`"
                ),
            ));
        }
        match self.combos_of.get(de) {
            Some(combos) => Err((
                "categoryOptionCombo",
                format!(
                    "data element {de} chỉ được ánh xạ với category option combo {}",
                    combos.join(", ")
                ),
            )),
            None => Err((
                "dataElement",
                format!(
                    "data element này chưa được ánh xạ (no mapping): thêm bằng `chitieu dhis2 map add data_element {de} <mã chỉ tiêu>`"
                ),
            )),
        }
    }

    /// Whether `(de, coc)` maps to `code`.
    fn maps_to(&self, de: &str, coc: &str, code: &IndicatorCode) -> bool {
        self.indicator(de, coc).is_ok_and(|c| c == code)
    }
}

/// What to do with a file's bad rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Store the good rows and report the bad ones, instead of storing nothing.
    pub skip_bad_rows: bool,
    /// Check everything, store nothing.
    pub dry_run: bool,
}

/// A file read and mapped, ready to store.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub file: String,
    pub format: Format,
    pub sha256: String,
    /// Data values in the file (good and bad).
    pub rows: usize,
    pub batch: Batch,
    /// The DHIS2 side record of each figure of `batch`, in the same order.
    pub dhis2: Vec<Dhis2Figure>,
    /// Where each figure of `batch` came from.
    pub locations: Vec<Location>,
    pub errors: Vec<RowError>,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub plan: ImportPlan,
    /// What was stored; `None` for a dry run.
    pub stored: Option<Dhis2ImportReport>,
}

/// Reads a DHIS2 data value set and maps every data value, storing nothing.
pub fn plan_import<S: Store + ExchangeStore>(
    store: &S,
    file: &str,
    bytes: &[u8],
) -> Result<ImportPlan, ExchangeError> {
    let file_error = |reason: String| ExchangeError::File {
        file: file.to_string(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        file_error(format!(
            "không phải văn bản UTF-8 (not UTF-8, byte {}): hãy lưu lại tệp dạng UTF-8",
            e.valid_up_to()
        ))
    })?;
    let format = Format::detect(file, text).map_err(|e| file_error(e.to_string()))?;
    let parsed =
        chitieu_dhis2::read(format, text).map_err(|e: FormatError| file_error(e.to_string()))?;
    let sha256 = hex(&Sha256::digest(bytes));
    let catalog = store.catalog()?;
    let maps = Mappings::new(&store.dhis2_mappings()?);
    let mut plan = ImportPlan {
        file: file.to_string(),
        format,
        sha256,
        rows: parsed.records.len() + count_locations(&parsed.errors),
        batch: Batch::default(),
        dhis2: Vec::new(),
        locations: Vec::new(),
        errors: parsed.errors,
    };
    let mut in_force: HashMap<(UnitId, Period), Result<(), String>> = HashMap::new();
    let mut seen: HashMap<(IndicatorCode, UnitId, Period), Location> = HashMap::new();
    for rec in &parsed.records {
        let at = rec.at;
        let v = &rec.value;
        let mut errors: Vec<RowError> = Vec::new();
        let mut fail = |field: &str, text: &str, reason: String| {
            errors.push(RowError::new(at, field, text, reason));
        };
        if v.deleted {
            fail(
                "deleted",
                "true",
                "giá trị đã bị xoá (deleted) trong DHIS2: chitieu không xoá số liệu qua nhập tệp"
                    .into(),
            );
        }
        let coc = v.category_option_combo.clone().unwrap_or_default();
        let indicator: Option<&Indicator> = match maps.indicator(&v.data_element, &coc) {
            Ok(code) => match catalog.get(code.as_str()) {
                Some(i) => Some(i),
                None => {
                    fail(
                        "dataElement",
                        &v.data_element,
                        format!(
                            "được ánh xạ tới chỉ tiêu '{code}', nhưng danh mục không có chỉ tiêu này"
                        ),
                    );
                    None
                }
            },
            Err((field, reason)) => {
                let text = if field == "dataElement" {
                    &v.data_element
                } else {
                    &coc
                };
                fail(field, text, reason);
                None
            }
        };
        if let Some(aoc) = &v.attribute_option_combo
            && !maps.attribute_combos.contains(aoc)
        {
            fail(
                "attributeOptionCombo",
                aoc,
                format!(
                    "attribute option combo này chưa được khai báo: thêm bằng `chitieu dhis2 map add attribute_option_combo {aoc} <nhãn>`"
                ),
            );
        }
        let period = match chitieu_dhis2::period::parse(&v.period) {
            Ok(p) => Some(p),
            Err(e) => {
                fail("period", &v.period, e.to_string());
                None
            }
        };
        let unit = match maps.org_units.get(&v.org_unit) {
            Some(u) => Some(*u),
            None => {
                fail(
                    "orgUnit",
                    &v.org_unit,
                    format!(
                        "org unit này chưa được ánh xạ (no mapping): thêm bằng `chitieu dhis2 map add org_unit {} \"<tên đơn vị>\" --on <ngày>`",
                        v.org_unit
                    ),
                );
                None
            }
        };
        if let (Some(u), Some(p)) = (unit, period) {
            let check = in_force
                .entry((u, p))
                .or_insert_with(|| unit_in_force(store, u, &p));
            if let Err(reason) = check {
                fail("orgUnit", &v.org_unit, reason.clone());
            }
        }
        let value = match chitieu_dhis2::value::parse(v.value.as_deref().unwrap_or("")) {
            Ok(d) => match indicator.map(|i| check_value(i, d)) {
                Some(Err(reason)) => {
                    fail("value", v.value.as_deref().unwrap_or(""), reason);
                    None
                }
                _ => Some(d),
            },
            Err(e) => {
                fail("value", v.value.as_deref().unwrap_or(""), e.to_string());
                None
            }
        };
        let (Some(ind), Some(unit), Some(period), Some(value)) = (indicator, unit, period, value)
        else {
            plan.errors.append(&mut errors);
            continue;
        };
        if !errors.is_empty() {
            plan.errors.append(&mut errors);
            continue;
        }
        let key = (ind.code.clone(), unit, period);
        if let Some(first) = seen.get(&key) {
            plan.errors.push(RowError::new(
                at,
                "dataElement",
                &v.data_element,
                format!(
                    "trùng số liệu ({}, đơn vị {}, {}) với {first} (the same figure): mỗi số liệu chỉ được ghi một lần trong tệp",
                    ind.code, unit.0, period
                ),
            ));
            continue;
        }
        seen.insert(key, at);
        plan.batch.figures.push(FigureInput {
            indicator: ind.code.clone(),
            unit,
            period,
            value,
            state: FigureState::Official,
            as_of: None,
            provenance: Provenance::File {
                file: file.to_string(),
                row: at.row_number(),
                sha256: Some(plan.sha256.clone()),
            },
            note: v.comment.clone(),
        });
        plan.dhis2.push(Dhis2Figure {
            data_element: v.data_element.clone(),
            period: v.period.clone(),
            org_unit: v.org_unit.clone(),
            category_option_combo: v.category_option_combo.clone(),
            attribute_option_combo: v.attribute_option_combo.clone(),
            stored_by: v.stored_by.clone(),
            created: v.created.clone(),
            last_updated: v.last_updated.clone(),
            followup: v.followup,
        });
        plan.locations.push(at);
    }
    plan.errors.sort_by_key(|e| e.at);
    Ok(plan)
}

/// Reads, maps and (unless told otherwise) stores a DHIS2 data value set.
pub fn import<S: Store + ExchangeStore>(
    store: &mut S,
    file: &str,
    bytes: &[u8],
    options: ImportOptions,
    actor: &str,
) -> Result<ImportOutcome, ExchangeError> {
    let plan = plan_import(store, file, bytes)?;
    if !plan.errors.is_empty() && !options.skip_bad_rows {
        return Err(ExchangeError::Rows {
            file: plan.file,
            errors: plan.errors,
        });
    }
    if options.dry_run || plan.batch.figures.is_empty() {
        return Ok(ImportOutcome { plan, stored: None });
    }
    let stored = store.import_dhis2(&plan.batch, &plan.dhis2, actor)?;
    Ok(ImportOutcome {
        plan,
        stored: Some(stored),
    })
}

fn count_locations(errors: &[RowError]) -> usize {
    errors.iter().map(|e| e.at).collect::<BTreeSet<_>>().len()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Whether a unit was in force during a period (at its end, or failing that its start).
fn unit_in_force<S: Store>(store: &S, unit: UnitId, period: &Period) -> Result<(), String> {
    if store.unit_on(unit, period.end_date()).is_ok()
        || store.unit_on(unit, period.start_date()).is_ok()
    {
        return Ok(());
    }
    let name = store
        .unit_latest(unit)
        .map(|v| {
            let to = v
                .valid_to
                .map(|d| format!(", hiệu lực đến {}", d.format("%d/%m/%Y")))
                .unwrap_or_default();
            format!("{} (đơn vị {}{to})", v.full_name(), unit.0)
        })
        .unwrap_or_else(|_| format!("đơn vị {}", unit.0));
    Err(format!(
        "được ánh xạ tới {name}, đơn vị không có hiệu lực trong kỳ {period} (not in force)"
    ))
}

/// The rules a figure's value must meet for its indicator (as the CSV/XLSX import).
fn check_value(ind: &Indicator, value: Decimal) -> Result<(), String> {
    if value.is_sign_negative() && !value.is_zero() && ind.direction != Direction::None {
        return Err(format!(
            "{value} là số âm, chỉ tiêu {} không thể âm",
            ind.code
        ));
    }
    if ind.unit == "%" && value > Decimal::from(1000) {
        return Err(format!(
            "{value}% không phải là tỷ lệ hợp lý cho chỉ tiêu {} (quá 1000%)",
            ind.code
        ));
    }
    if ind.is_count_of_units() && (value.fract() != Decimal::ZERO || value.is_sign_negative()) {
        return Err(format!(
            "chỉ tiêu {} đếm số đơn vị nên giá trị phải là số nguyên không âm",
            ind.code
        ));
    }
    Ok(())
}

/// Which figures to export; empty means every mapped indicator, every mapped unit, every period.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub indicators: Vec<IndicatorCode>,
    pub units: Vec<UnitId>,
    pub periods: Vec<Period>,
    pub data_set: Option<String>,
}

/// The current figures chosen by `filter`, as a DHIS2 data value set.
pub fn export<S: Store + ExchangeStore>(
    store: &S,
    filter: &ExportFilter,
) -> Result<DataValueSet, ExchangeError> {
    let maps = Mappings::new(&store.dhis2_mappings()?);
    let mut problems = Vec::new();
    let indicators: Vec<IndicatorCode> = if filter.indicators.is_empty() {
        maps.by_indicator
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        for i in &filter.indicators {
            if !maps.by_indicator.contains_key(i) {
                problems.push(format!(
                    "chỉ tiêu {i} chưa có data element DHIS2 (no DHIS2 data element): thêm bằng `chitieu dhis2 map add data_element <id> {i}`"
                ));
            }
        }
        filter.indicators.clone()
    };
    let units: Vec<UnitId> = if filter.units.is_empty() {
        maps.by_unit
            .keys()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        for u in &filter.units {
            if !maps.by_unit.contains_key(u) {
                problems.push(format!(
                    "{} chưa có org unit DHIS2 (no DHIS2 org unit): thêm bằng `chitieu dhis2 map add org_unit <id> \"<tên đơn vị>\" --on <ngày>`",
                    describe_unit(store, *u)
                ));
            }
        }
        filter.units.clone()
    };
    if !problems.is_empty() {
        return Err(ExchangeError::Export { problems });
    }
    let mut figures: Vec<FigureRevision> = Vec::new();
    for unit in &units {
        for ind in &indicators {
            for f in store.figure_series(ind.as_str(), *unit)? {
                if filter.periods.is_empty() || filter.periods.contains(&f.input.period) {
                    figures.push(f);
                }
            }
        }
    }
    let ids: Vec<i64> = figures.iter().map(|f| f.id).collect();
    let sides: HashMap<i64, Dhis2Figure> = store.dhis2_figures(&ids)?.into_iter().collect();
    let mut values = Vec::new();
    for f in &figures {
        match data_value(&maps, f, sides.get(&f.id)) {
            Ok(v) => values.push(v),
            Err(p) => problems.push(format!(
                "{} của {}, {}: {p}",
                f.input.indicator,
                describe_unit(store, f.input.unit),
                f.input.period
            )),
        }
    }
    if !problems.is_empty() {
        return Err(ExchangeError::Export { problems });
    }
    Ok(DataValueSet {
        data_set: filter.data_set.clone(),
        complete_date: None,
        data_values: values,
    })
}

fn describe_unit<S: Store>(store: &S, unit: UnitId) -> String {
    store
        .unit_latest(unit)
        .map(|v| format!("{} (đơn vị {})", v.full_name(), unit.0))
        .unwrap_or_else(|_| format!("đơn vị {}", unit.0))
}

/// One figure as a DHIS2 data value: the ids it was imported with while they still map to it,
/// else the first mapping of its indicator and unit.
fn data_value(
    maps: &Mappings,
    f: &FigureRevision,
    side: Option<&Dhis2Figure>,
) -> Result<DataValue, String> {
    let input = &f.input;
    let (data_element, coc) = match side.filter(|s| {
        maps.maps_to(
            &s.data_element,
            s.category_option_combo.as_deref().unwrap_or(""),
            &input.indicator,
        )
    }) {
        Some(s) => (s.data_element.clone(), s.category_option_combo.clone()),
        None => {
            let (de, coc) = maps
                .by_indicator
                .get(&input.indicator)
                .and_then(|v| v.first())
                .ok_or("chỉ tiêu chưa được ánh xạ tới data element DHIS2 nào")?;
            (de.clone(), Some(coc.clone()).filter(|c| !c.is_empty()))
        }
    };
    let org_unit = match side.filter(|s| maps.org_units.get(&s.org_unit) == Some(&input.unit)) {
        Some(s) => s.org_unit.clone(),
        None => maps
            .by_unit
            .get(&input.unit)
            .and_then(|v| v.first())
            .cloned()
            .ok_or("đơn vị chưa được ánh xạ tới org unit DHIS2 nào")?,
    };
    let period = match side
        .filter(|s| chitieu_dhis2::period::parse(&s.period).is_ok_and(|p| p == input.period))
    {
        Some(s) => s.period.clone(),
        None => chitieu_dhis2::period::to_dhis2(&input.period).map_err(|e| e.to_string())?,
    };
    Ok(DataValue {
        data_element,
        period,
        org_unit,
        category_option_combo: coc,
        attribute_option_combo: side.and_then(|s| {
            s.attribute_option_combo
                .clone()
                .filter(|a| maps.attribute_combos.contains(a))
        }),
        value: Some(chitieu_dhis2::value::write(&input.value)),
        stored_by: match side {
            Some(s) => s.stored_by.clone(),
            None => Some(f.entered_by.clone()),
        },
        created: side.and_then(|s| s.created.clone()),
        last_updated: match side {
            Some(s) => s.last_updated.clone(),
            None => Some(f.entered_at.clone()),
        },
        comment: input.note.clone(),
        followup: side.is_some_and(|s| s.followup),
        deleted: false,
    })
}

/// A mapping as a user writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRequest {
    pub kind: MappingKind,
    pub dhis2_id: String,
    /// For a data element only; empty for any accepted combo.
    pub category_option_combo: String,
    /// An indicator code, a unit id or name, or a label.
    pub chitieu: String,
    /// The date a unit name is resolved on.
    pub on: NaiveDate,
    pub note: Option<String>,
}

/// Turns what a user wrote into a mapping: an indicator code for a data element; a unit id, or
/// a unit name resolved on `on`, for an org unit; a label for a combo.
pub fn new_mapping<S: Store>(
    store: &S,
    catalog: &Catalog,
    request: &MappingRequest,
) -> Result<NewMapping, String> {
    let MappingRequest {
        kind,
        dhis2_id,
        category_option_combo,
        chitieu,
        on,
        note,
    } = request;
    let (kind, on) = (*kind, *on);
    let dhis2_id = dhis2_id.trim();
    let chitieu = chitieu.trim();
    if dhis2_id.is_empty() {
        return Err("chưa ghi mã DHIS2 (dhis2_id)".into());
    }
    if chitieu.is_empty() {
        return Err("chưa ghi phía chitieu (mã chỉ tiêu, đơn vị hoặc nhãn)".into());
    }
    let key = match kind {
        MappingKind::DataElement => match catalog.get(chitieu) {
            Some(i) => i.code.to_string(),
            None => {
                return Err(format!(
                    "không có chỉ tiêu mã '{chitieu}' (unknown indicator): xem các mã bằng `chitieu indicators`"
                ));
            }
        },
        MappingKind::OrgUnit => {
            let id = chitieu.strip_prefix('#').unwrap_or(chitieu);
            match id.parse::<i64>() {
                Ok(n) => {
                    store.unit_latest(UnitId(n)).map_err(|e| e.to_string())?;
                    n.to_string()
                }
                Err(_) => store
                    .resolve_unit(chitieu, on)
                    .map_err(|e| e.to_string())?
                    .unit
                    .0
                    .to_string(),
            }
        }
        MappingKind::CategoryOptionCombo | MappingKind::AttributeOptionCombo => chitieu.to_string(),
    };
    if kind != MappingKind::DataElement && !category_option_combo.trim().is_empty() {
        return Err("chỉ ánh xạ data element mới được ghi category option combo".into());
    }
    Ok(NewMapping {
        kind,
        dhis2_id: dhis2_id.to_string(),
        category_option_combo: category_option_combo.trim().to_string(),
        chitieu_key: key,
        note: note.clone().filter(|n| !n.trim().is_empty()),
    })
}

/// Reads a mapping CSV (`kind,dhis2_id,category_option_combo,chitieu,on,note`; only `kind`,
/// `dhis2_id` and `chitieu` are required) and stores every row, or none when one is bad. A row
/// without `on` resolves unit names on `default_on`.
pub fn import_mappings<S: Store + ExchangeStore>(
    store: &mut S,
    file: &str,
    bytes: &[u8],
    default_on: NaiveDate,
    actor: &str,
) -> Result<MappingReport, ExchangeError> {
    let file_error = |reason: String| ExchangeError::File {
        file: file.to_string(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        file_error(format!(
            "không phải văn bản UTF-8 (not UTF-8, byte {}): hãy lưu lại tệp dạng UTF-8",
            e.valid_up_to()
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| file_error(e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(kind_col), Some(id_col), Some(key_col)) =
        (col("kind"), col("dhis2_id"), col("chitieu"))
    else {
        return Err(file_error(
            "dòng tiêu đề cần các cột kind, dhis2_id và chitieu (có thể thêm category_option_combo, on, note) (missing column)".into(),
        ));
    };
    let (coc_col, on_col, note_col) = (col("category_option_combo"), col("on"), col("note"));
    let catalog = store.catalog()?;
    let mut mappings = Vec::new();
    let mut errors = Vec::new();
    let mut lines = chitieu_core::csv_line::CsvLines::new(text);
    for record in reader.records() {
        let record = record.map_err(|e| match lines.error(&e) {
            (Some(line), reason) => file_error(format!("dòng {line}: {reason}")),
            (None, reason) => file_error(reason),
        })?;
        let line = lines.at(record.position());
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").trim();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let kind: MappingKind = match get(Some(kind_col)).parse() {
            Ok(k) => k,
            Err(e) => {
                errors.push(format!("dòng {line}, cột 'kind': {e}"));
                continue;
            }
        };
        let on = match get(on_col) {
            "" => default_on,
            s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    errors.push(format!(
                        "dòng {line}, cột 'on': '{s}' không phải là ngày, hãy viết dạng 2024-12-31"
                    ));
                    continue;
                }
            },
        };
        let note = Some(get(note_col).to_string());
        let request = MappingRequest {
            kind,
            dhis2_id: get(Some(id_col)).to_string(),
            category_option_combo: get(coc_col).to_string(),
            chitieu: get(Some(key_col)).to_string(),
            on,
            note,
        };
        match new_mapping(store, &catalog, &request) {
            Ok(m) => mappings.push(m),
            Err(e) => errors.push(format!("dòng {line} ({kind} {}): {e}", request.dhis2_id)),
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::MappingRows {
            file: file.to_string(),
            errors,
        });
    }
    Ok(store.put_dhis2_mappings(&mappings, actor)?)
}
