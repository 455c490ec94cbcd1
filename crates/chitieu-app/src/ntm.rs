//! The new-rural programme (NTM): set a commune's criterion states, import them from a file
//! (checked whole, one bad row stores nothing), and summarise a district's communes for a
//! year as the units stood on a date ("8/17 xã đạt chuẩn; bình quân 14,3 tiêu chí/xã", and
//! per criterion the communes still short). Across the 2025 reform, a new commune's own
//! records and its predecessors' are read side by side.

use chitieu_core::admin::{UnitId, UnitKind, UnitVersion};
use chitieu_core::ntm::{
    CommuneCriteria, CriteriaSet, CriterionState, Evidence, NtmError, NtmLevel, NtmSummary,
    builtin_set,
};
use chitieu_store::{DocumentStore, NtmStore, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum NtmUseError {
    #[error(transparent)]
    Ntm(#[from] NtmError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{file}, dòng {row}, cột '{column}': {reason}")]
    Row {
        file: String,
        row: u64,
        column: String,
        reason: String,
    },
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

type Result<T, E = NtmUseError> = std::result::Result<T, E>;

/// The day a year's NTM states describe the units as they stood, unless told otherwise:
/// 30 June of the year (mid-year reviews), or the last day of the old units for 2025.
pub fn default_on(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 6, 30).unwrap_or(NaiveDate::MIN)
}

/// Checks that a state's criterion exists in the set at the level.
fn check_criteria(set: &CriteriaSet, rec: &CommuneCriteria) -> Result<()> {
    if rec.set != set.id {
        return Err(NtmUseError::Invalid(format!(
            "bản ghi theo bộ tiêu chí {} lại được kiểm tra theo bộ {} (set mismatch): hãy dùng đúng bộ tiêu chí của bản ghi",
            rec.set, set.id
        )));
    }
    for s in &rec.states {
        if set.criterion(rec.level, s.criterion).is_none() {
            return Err(NtmError::UnknownCriterion {
                set: set.id.clone(),
                level: rec.level.vi().to_string(),
                number: s.criterion,
            }
            .into());
        }
    }
    Ok(())
}

/// Sets one criterion's state for a commune (resolved by name on `on`).
#[allow(clippy::too_many_arguments)]
pub fn set_state(
    store: &mut (impl Store + NtmStore),
    commune: &str,
    on: NaiveDate,
    year: i32,
    set: &CriteriaSet,
    level: NtmLevel,
    criterion: u32,
    met: bool,
    evidence: Evidence,
    actor: &str,
) -> Result<UnitVersion> {
    let unit = store.resolve_unit(commune, on)?;
    let rec = CommuneCriteria {
        commune: unit.unit,
        year,
        set: set.id.clone(),
        level,
        states: vec![CriterionState {
            criterion,
            met,
            evidence,
        }],
    };
    check_criteria(set, &rec)?;
    store.set_ntm_states(&[rec], actor)?;
    Ok(unit)
}

/// Reads "đạt" / "chưa đạt" (also 1/0, x, có/không, yes/no).
pub fn parse_met(text: &str) -> Option<bool> {
    let f = chitieu_text::search_key(text.trim());
    match f.as_str() {
        "dat" | "1" | "x" | "co" | "yes" | "true" | "met" => Some(true),
        "chua dat" | "khong dat" | "0" | "" | "khong" | "no" | "false" | "-" => Some(false),
        _ => None,
    }
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NtmImport {
    pub rows: usize,
    pub communes: usize,
}

/// Imports states from CSV text with the columns `commune,year,set,level,criterion,met,evidence`
/// and optionally `document` and `figure` (ids the evidence rests on). Set, level and evidence
/// may be empty: the set then follows the year, the level is đạt chuẩn. Communes are resolved on 30 June of the row's year (or on `on` when given). Every
/// row is checked before anything is stored.
pub fn import_states(
    store: &mut (impl Store + NtmStore + DocumentStore),
    file: &str,
    text: &str,
    on: Option<NaiveDate>,
    actor: &str,
) -> Result<NtmImport> {
    let mut lines = chitieu_core::csv_line::CsvLines::new(text);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| NtmUseError::File {
            file: file.into(),
            reason: chitieu_core::csv_line::reason(&e),
        })?
        .clone();
    let want = [
        "commune",
        "year",
        "set",
        "level",
        "criterion",
        "met",
        "evidence",
        "document",
        "figure",
    ];
    let idx: Vec<Option<usize>> = want
        .iter()
        .map(|w| headers.iter().position(|h| h == *w))
        .collect();
    for (i, w) in want.iter().enumerate() {
        if idx[i].is_none() && matches!(*w, "commune" | "year" | "criterion" | "met") {
            return Err(NtmUseError::File {
                file: file.into(),
                reason: format!(
                    "thiếu cột '{w}' (missing column): dòng tiêu đề cần các cột commune,year,set,level,criterion,met,evidence"
                ),
            });
        }
    }
    let mut sets: BTreeMap<String, CriteriaSet> = BTreeMap::new();
    let mut grouped: BTreeMap<(i64, i32, String, NtmLevel), CommuneCriteria> = BTreeMap::new();
    let mut rows = 0usize;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| match lines.error(&e) {
            (Some(row), reason) => NtmUseError::Row {
                file: file.into(),
                row,
                column: String::new(),
                reason,
            },
            (None, reason) => NtmUseError::File {
                file: file.into(),
                reason,
            },
        })?;
        // The row is the line of the file it starts on.
        let row = lines.at(rec.position());
        let get = |i: usize| idx[i].and_then(|j| rec.get(j)).unwrap_or("");
        let err = |i: usize, reason: String| NtmUseError::Row {
            file: file.into(),
            row,
            column: want[i].into(),
            reason,
        };
        let year: i32 = get(1).parse().map_err(|_| {
            err(
                1,
                format!(
                    "'{}' không phải là năm (not a year): hãy ghi năm, ví dụ 2022",
                    get(1)
                ),
            )
        })?;
        let set_key = if get(2).is_empty() {
            year.to_string()
        } else {
            get(2).to_string()
        };
        if !sets.contains_key(&set_key) {
            let s = builtin_set(&set_key).map_err(|e| err(2, e.to_string()))?;
            sets.insert(set_key.clone(), s);
        }
        let set = &sets[&set_key];
        let level = if get(3).is_empty() {
            NtmLevel::Standard
        } else {
            NtmLevel::parse(get(3)).ok_or_else(|| err(3, format!("mức '{}' không hợp lệ (unknown level): hãy ghi đạt chuẩn, nâng cao, kiểu mẫu hoặc hiện đại, hoặc để trống", get(3))))?
        };
        let criterion: u32 = get(4).parse().map_err(|_| {
            err(
                4,
                format!(
                    "'{}' không phải là số tiêu chí (not a number): hãy ghi số nguyên, ví dụ 2",
                    get(4)
                ),
            )
        })?;
        if set.criterion(level, criterion).is_none() {
            return Err(err(
                4,
                format!(
                    "bộ tiêu chí {} không có tiêu chí số {criterion} ở mức '{}' (unknown criterion): hãy kiểm tra số tiêu chí và mức",
                    set.id,
                    level.vi()
                ),
            ));
        }
        let met = parse_met(get(5)).ok_or_else(|| {
            err(
                5,
                format!(
                    "'{}' không rõ là đạt hay chưa đạt (met?): hãy ghi đạt hoặc chưa đạt",
                    get(5)
                ),
            )
        })?;
        let date = on.unwrap_or_else(|| default_on(year));
        let unit = store
            .resolve_unit(get(0), date)
            .map_err(|e| err(0, e.to_string()))?;
        if !matches!(unit.kind, UnitKind::Xa) {
            return Err(err(
                0,
                format!(
                    "{} không phải là cấp xã (not a commune): chỉ ghi tiêu chí nông thôn mới cho xã",
                    unit.full_name()
                ),
            ));
        }
        let key = (unit.unit.0, year, set.id.clone(), level);
        let entry = grouped.entry(key).or_insert_with(|| CommuneCriteria {
            commune: unit.unit,
            year,
            set: set.id.clone(),
            level,
            states: Vec::new(),
        });
        if entry.states.iter().any(|s| s.criterion == criterion) {
            return Err(err(
                4,
                format!(
                    "tiêu chí {criterion} của {} năm {year} ghi hai lần (duplicate): hãy bỏ một dòng",
                    unit.full_name()
                ),
            ));
        }
        let id = |i: usize| -> Result<Option<i64>> {
            match get(i) {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| {
                    err(
                        i,
                        format!("'{t}' không phải là mã số (not an id): hãy ghi số, ví dụ 12"),
                    )
                }),
            }
        };
        let document = id(7)?;
        if let Some(doc) = document {
            store.document(doc).map_err(|e| err(7, e.to_string()))?;
        }
        entry.states.push(CriterionState {
            criterion,
            met,
            evidence: Evidence {
                text: chitieu_text::nfc(get(6)),
                document,
                figure: id(8)?,
            },
        });
        rows += 1;
    }
    let records: Vec<CommuneCriteria> = grouped.into_values().collect();
    let communes = records
        .iter()
        .map(|r| r.commune)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    store.set_ntm_states(&records, actor)?;
    Ok(NtmImport { rows, communes })
}

/// One commune in a district summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneLine {
    pub commune: UnitVersion,
    pub met: u32,
    pub meets: bool,
    pub recorded: bool,
}

/// A district's NTM picture for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictNtm {
    pub district: UnitVersion,
    pub on: NaiveDate,
    pub set: CriteriaSet,
    pub summary: NtmSummary,
    pub communes: Vec<CommuneLine>,
    /// Per criterion: number, name, and the communes still short.
    pub shortfall: Vec<(u32, String, Vec<String>)>,
}

/// Summarises the communes (xã) below a unit as they stood on `on`, for a year.
pub fn district_summary(
    store: &(impl Store + NtmStore),
    district: &str,
    year: i32,
    on: Option<NaiveDate>,
    set: Option<&str>,
    level: NtmLevel,
) -> Result<DistrictNtm> {
    let on = on.unwrap_or_else(|| default_on(year));
    let set = builtin_set(set.unwrap_or(&year.to_string()))?;
    let d = store.resolve_unit(district, on)?;
    let communes: Vec<UnitVersion> = store
        .descendants_on(d.unit, on)?
        .into_iter()
        .filter(|v| v.kind == UnitKind::Xa)
        .collect();
    let ids: Vec<UnitId> = communes.iter().map(|c| c.unit).collect();
    let records = store.ntm_records(&ids, Some(year), Some(&set.id), Some(level))?;
    let summary = NtmSummary::derive(&set, level, year, &ids, &records);
    let names: BTreeMap<UnitId, String> =
        communes.iter().map(|c| (c.unit, c.full_name())).collect();
    let lines = communes
        .iter()
        .map(|c| {
            let r = records.iter().find(|r| r.commune == c.unit);
            CommuneLine {
                commune: c.clone(),
                met: r.map(|r| r.met_count()).unwrap_or(0),
                meets: r.is_some_and(|r| r.meets(&set)),
                recorded: r.is_some(),
            }
        })
        .collect();
    let shortfall = summary
        .shortfall
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(n, v)| {
            let name = set
                .criterion(level, *n)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            (
                *n,
                name,
                v.iter()
                    .map(|u| names.get(u).cloned().unwrap_or_else(|| u.to_string()))
                    .collect(),
            )
        })
        .collect();
    Ok(DistrictNtm {
        district: d,
        on,
        set,
        summary,
        communes: lines,
        shortfall,
    })
}

/// A commune's NTM history: its own records and, beside them, its predecessors' (the old
/// communes it took over in 2025).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneHistory {
    pub commune: UnitVersion,
    pub own: Vec<CommuneCriteria>,
    pub predecessors: Vec<(UnitVersion, Vec<CommuneCriteria>)>,
}

pub fn commune_history(
    store: &(impl Store + NtmStore),
    commune: &str,
    on: NaiveDate,
) -> Result<CommuneHistory> {
    let c = store.resolve_unit(commune, on)?;
    let own = store.ntm_records(&[c.unit], None, None, None)?;
    let mut predecessors = Vec::new();
    for s in store.predecessors(c.unit)? {
        let v = store.unit_latest(s.from)?;
        let recs = store.ntm_records(&[s.from], None, None, None)?;
        predecessors.push((v, recs));
    }
    Ok(CommuneHistory {
        commune: c,
        own,
        predecessors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::indicator::Catalog;
    use chitieu_store::{NoProgress, SqliteStore};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        (dir, s)
    }

    #[test]
    fn import_checks_every_row_and_summary_counts_the_district() {
        let (_dir, mut s) = store();
        let bac_son = s.resolve_unit("huyện Bắc Sơn", d("2022-06-30")).unwrap();
        let communes: Vec<UnitVersion> = s
            .children_on(bac_son.unit, d("2022-06-30"))
            .unwrap()
            .into_iter()
            .filter(|v| v.kind == UnitKind::Xa)
            .collect();
        assert_eq!(communes.len(), 17);
        // 8 communes with all 19 criteria, 8 with 10, one with 11: 243 criteria, 14,3 each.
        let mut csv = String::from("commune,year,set,level,criterion,met,evidence\n");
        for (i, c) in communes.iter().enumerate() {
            let met = if i < 8 {
                19
            } else if i < 16 {
                10
            } else {
                11
            };
            for n in 1..=19 {
                csv.push_str(&format!(
                    "\"{}, huyện Bắc Sơn\",2022,318-2021,,{n},{},\n",
                    c.full_name(),
                    if n <= met { "đạt" } else { "chưa đạt" }
                ));
            }
        }
        let mut bad = csv.clone();
        bad.push_str("\"xã Vũ Sơn, huyện Bắc Sơn\",2022,318-2021,,20,đạt,\n");
        let err = import_states(&mut s, "ntm.csv", &bad, None, "t").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ntm.csv, dòng 325, cột 'criterion'"),
            "{err}"
        );
        assert!(
            s.ntm_records(&[communes[0].unit], None, None, None)
                .unwrap()
                .is_empty()
        );
        let r = import_states(&mut s, "ntm.csv", &csv, None, "t").unwrap();
        assert_eq!(
            r,
            NtmImport {
                rows: 323,
                communes: 17
            }
        );
        let sum =
            district_summary(&s, "huyện Bắc Sơn", 2022, None, None, NtmLevel::Standard).unwrap();
        assert_eq!(sum.summary.ratio_vi(), "8/17");
        assert_eq!(sum.summary.average_vi(), "14,3");
        assert_eq!(sum.set.id, "318-2021");
        let short_11 = sum.shortfall.iter().find(|(n, _, _)| *n == 11).unwrap();
        assert_eq!(short_11.1, "Nghèo đa chiều");
        assert_eq!(short_11.2.len(), 8);
        // A thị trấn is not a commune of the programme.
        let err = import_states(
            &mut s,
            "tt.csv",
            "commune,year,criterion,met\nthị trấn Bắc Sơn,2022,1,đạt\n",
            None,
            "t",
        )
        .unwrap_err();
        assert!(err.to_string().contains("không phải là cấp xã"), "{err}");
        // Evidence pointing at a document that is not stored is refused, naming the cell.
        let err = import_states(
            &mut s,
            "doc.csv",
            "commune,year,criterion,met,document\n\"xã Vũ Sơn, huyện Bắc Sơn\",2022,1,đạt,99\n",
            None,
            "t",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("doc.csv, dòng 2, cột 'document'"),
            "{err}"
        );
    }

    /// An import's bad row is named by the line of the file it starts on, with Unix or
    /// Windows line ends, after blank lines and evidence quoted over several lines.
    #[test]
    fn import_names_the_files_line_with_any_line_ends() {
        let (_dir, mut s) = store();
        let lf = "commune,year,set,level,criterion,met,evidence\n\
                  \"xã Vũ Sơn, huyện Bắc Sơn\",2022,,,1,đạt,\"Quyết định phê duyệt\nquy hoạch chung\nxây dựng xã\"\n\
                  \n\
                  \"xã Vũ Sơn, huyện Bắc Sơn\",2022,,,2,có lẽ,\n";
        for text in [lf.to_string(), lf.replace('\n', "\r\n")] {
            let err = import_states(&mut s, "ntm.csv", &text, None, "t").unwrap_err();
            assert_eq!(
                err.to_string(),
                "ntm.csv, dòng 6, cột 'met': 'có lẽ' không rõ là đạt hay chưa đạt (met?): hãy ghi đạt hoặc chưa đạt"
            );
        }
    }

    /// A level with no record at all says there is no data, not "0/17".
    #[test]
    fn a_level_without_records_has_no_data() {
        let (_dir, mut s) = store();
        let set = builtin_set("318-2021").unwrap();
        set_state(
            &mut s,
            "xã Vũ Sơn, huyện Bắc Sơn",
            d("2022-06-30"),
            2022,
            &set,
            NtmLevel::Standard,
            1,
            true,
            Evidence::default(),
            "t",
        )
        .unwrap();
        let standard =
            district_summary(&s, "huyện Bắc Sơn", 2022, None, None, NtmLevel::Standard).unwrap();
        assert!(standard.summary.has_data());
        assert_eq!(standard.summary.ratio_vi(), "0/17");
        for level in [NtmLevel::Advanced, NtmLevel::Model] {
            let d = district_summary(&s, "huyện Bắc Sơn", 2022, None, None, level).unwrap();
            assert_eq!(d.communes.len(), 17);
            assert!(!d.summary.has_data(), "{level:?}");
            assert_eq!(d.summary.ratio_vi(), "chưa có dữ liệu");
            assert_eq!(d.summary.average_vi(), "–");
            assert!(d.communes.iter().all(|c| !c.recorded));
        }
        // Another year of the same district: no data either.
        let other =
            district_summary(&s, "huyện Bắc Sơn", 2023, None, None, NtmLevel::Standard).unwrap();
        assert_eq!(
            other.summary.summary_vi(),
            "chưa có dữ liệu xã đạt chuẩn nông thôn mới năm 2023"
        );
    }

    #[test]
    fn history_crosses_the_2025_reform() {
        let (_dir, mut s) = store();
        let set318 = builtin_set("318-2021").unwrap();
        let set51 = builtin_set("51-2025").unwrap();
        set_state(
            &mut s,
            "xã Vũ Sơn, huyện Bắc Sơn",
            d("2024-06-30"),
            2024,
            &set318,
            NtmLevel::Standard,
            17,
            true,
            Evidence {
                text: "đạt tiêu chí môi trường".into(),
                document: None,
                figure: None,
            },
            "t",
        )
        .unwrap();
        set_state(
            &mut s,
            "xã Vũ Lễ",
            d("2026-06-30"),
            2026,
            &set51,
            NtmLevel::Standard,
            8,
            false,
            Evidence::default(),
            "t",
        )
        .unwrap();
        // A criterion the set does not have is refused.
        let err = set_state(
            &mut s,
            "xã Vũ Lễ",
            d("2026-06-30"),
            2026,
            &set51,
            NtmLevel::Standard,
            17,
            true,
            Evidence::default(),
            "t",
        )
        .unwrap_err();
        assert!(err.to_string().contains("không có tiêu chí số 17"), "{err}");
        let h = commune_history(&s, "xã Vũ Lễ", d("2026-06-30")).unwrap();
        assert_eq!(h.own.len(), 1);
        assert_eq!(h.own[0].set, "51-2025");
        let (old, recs) = h
            .predecessors
            .iter()
            .find(|(v, _)| v.name == "Vũ Sơn")
            .expect("Vũ Sơn is a predecessor");
        assert_eq!(old.valid_to, Some(d("2025-06-30")));
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].year, 2024);
        assert_eq!(recs[0].states[0].evidence.text, "đạt tiêu chí môi trường");
        // The old commune's own history is unchanged by the new one's.
        let old_h = commune_history(&s, "xã Vũ Sơn, huyện Bắc Sơn", d("2024-06-30")).unwrap();
        assert_eq!(old_h.own.len(), 1);
        assert_eq!(old_h.own[0].year, 2024);
    }
}
