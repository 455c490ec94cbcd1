//! Import of targets and figures from CSV or XLSX files, all rows or none.
//!
//! Every row is checked before anything is written; one bad row stops the import with an error
//! naming the file, row, column and reason, and the database is left as it was.

use calamine::{Data, Reader, open_workbook_auto};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, Direction, IndicatorCode};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, ComparatorError, PlanKind, PlanSource, Target};
use chitieu_store::{Batch, Store};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Why a file could not be imported. Nothing was stored in any case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error("{file}: {} dòng lỗi, chưa nhập gì (nothing was imported); hãy sửa rồi nhập lại cả tệp:\n{}", errors.len(), list_errors(file, errors))]
    Rows { file: String, errors: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] chitieu_store::StoreError),
}

fn list_errors(file: &str, errors: &[RowError]) -> String {
    let mut lines: Vec<String> = errors
        .iter()
        .take(20)
        .map(|e| format!("  {file}: {e}"))
        .collect();
    if errors.len() > 20 {
        lines.push(format!("  … và {} dòng lỗi khác", errors.len() - 20));
    }
    lines.join("\n")
}

fn file_error(path: &Path, reason: impl fmt::Display) -> ImportError {
    ImportError::File {
        file: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// One problem in the file, located for the person who has to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u64,
    /// The column's canonical name (`period`).
    pub column: String,
    /// The column's header as the file writes it (`kỳ báo cáo`); empty when the file has no
    /// such column.
    pub header: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    /// "dòng 7, cột 'kỳ báo cáo' (period): …", the header as the file writes it and the
    /// canonical name beside it when they differ.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = if self.header.is_empty() {
            &self.column
        } else {
            &self.header
        };
        write!(f, "dòng {}, cột '{header}'", self.row)?;
        if *header != self.column {
            write!(f, " ({})", self.column)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The canonical column names and the headers accepted for each (English and Vietnamese).
const COLUMNS: &[(&str, &[&str])] = &[
    ("kind", &["kind", "loai", "loại"]),
    (
        "indicator",
        &[
            "indicator",
            "chi_tieu",
            "chỉ tiêu",
            "ma_chi_tieu",
            "mã chỉ tiêu",
        ],
    ),
    ("unit", &["unit", "don_vi", "đơn vị", "dia_ban", "địa bàn"]),
    (
        "period",
        &["period", "ky", "kỳ", "ky_bao_cao", "kỳ báo cáo"],
    ),
    (
        "value",
        &["value", "gia_tri", "giá trị", "so_lieu", "số liệu"],
    ),
    (
        "measure_unit",
        &["measure_unit", "don_vi_tinh", "đơn vị tính", "dvt", "đvt"],
    ),
    ("state", &["state", "trang_thai", "trạng thái"]),
    ("as_of", &["as_of", "tinh_den", "tính đến"]),
    ("plan", &["plan", "nguon", "nguồn", "ke_hoach", "kế hoạch"]),
    (
        "plan_kind",
        &["plan_kind", "loai_ke_hoach", "loại kế hoạch"],
    ),
    (
        "plan_title",
        &["plan_title", "ten_ke_hoach", "tên kế hoạch"],
    ),
    ("comparator", &["comparator", "so_sanh", "so sánh"]),
    ("max", &["max", "toi_da", "tối đa"]),
    ("note", &["note", "ghi_chu", "ghi chú"]),
];

const REQUIRED: &[&str] = &["kind", "indicator", "unit", "period", "value"];

/// A table read from a file: the header row's canonical names, then the data rows with their
/// 1-based row numbers as the user sees them.
struct Table {
    columns: Vec<Option<&'static str>>,
    /// The header row as written.
    headers: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// The header the file gives a canonical column, as written.
    fn header(&self, column: &str) -> String {
        self.columns
            .iter()
            .position(|c| *c == Some(column))
            .and_then(|i| self.headers.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

/// The Vietnamese header a column is known by (`kỳ` for `period`).
fn vietnamese_header(column: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(c, _)| *c == column)
        .and_then(|(_, names)| names.iter().find(|n| !n.is_ascii()))
        .copied()
        .unwrap_or("")
}

fn canonical(header: &str) -> Option<&'static str> {
    let h = chitieu_text::fold(header.trim_start_matches('\u{feff}'));
    COLUMNS
        .iter()
        .find(|(_, names)| names.iter().any(|n| chitieu_text::fold(n) == h))
        .map(|(c, _)| *c)
}

fn read_table(path: &Path, sheet: Option<&str>) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let raw: Vec<(u64, Vec<String>)> = match ext.as_str() {
        "csv" | "tsv" | "txt" => {
            let bytes = std::fs::read(path)
                .map_err(|e| file_error(path, format!("không mở được tệp (cannot open): {e}")))?;
            csv_rows(path, &bytes, if ext == "tsv" { b'\t' } else { b',' })?
        }
        "xlsx" | "xlsm" | "xls" | "ods" => {
            let mut wb = open_workbook_auto(path).map_err(|e| {
                file_error(
                    path,
                    format!("không đọc được bảng tính (not a readable spreadsheet): {e}"),
                )
            })?;
            let name = match sheet {
                Some(s) => s.to_string(),
                None => wb
                    .sheet_names()
                    .first()
                    .cloned()
                    .ok_or_else(|| file_error(path, "bảng tính không có trang (sheet) nào"))?,
            };
            let range = wb.worksheet_range(&name).map_err(|e| {
                file_error(path, format!("không đọc được trang '{name}' (sheet): {e}"))
            })?;
            let first_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
            range
                .rows()
                .enumerate()
                .map(|(i, r)| (first_row + i as u64 + 1, r.iter().map(cell_text).collect()))
                .collect()
        }
        other => {
            return Err(file_error(
                path,
                format!(
                    "không nhận loại tệp '.{other}' (unsupported file type): hãy dùng tệp .csv hoặc .xlsx"
                ),
            ));
        }
    };
    let mut rows = raw
        .into_iter()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(file_error(
            path,
            "tệp trống, không có dòng tiêu đề (empty file)",
        ));
    };
    let columns: Vec<Option<&'static str>> = header.iter().map(|h| canonical(h)).collect();
    for req in REQUIRED {
        if !columns.contains(&Some(req)) {
            return Err(file_error(
                path,
                format!(
                    "dòng tiêu đề thiếu cột '{}' hoặc '{req}' (missing column); các cột đang có: {}",
                    vietnamese_header(req),
                    header.join(", ")
                ),
            ));
        }
    }
    Ok(Table {
        columns,
        headers: header,
        rows: rows.collect(),
    })
}

/// The rows of a CSV (or TSV) file, each with the line of the file it starts on: the row
/// number an error names is the line a text editor shows, with Unix or Windows line ends,
/// blank lines, and cells quoted over several lines before it.
fn csv_rows(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
) -> Result<Vec<(u64, Vec<String>)>, ImportError> {
    use chitieu_core::csv_line::{CsvLines, line_at};
    if let Err(e) = std::str::from_utf8(bytes) {
        // The line holding the first byte that is not UTF-8 (a file saved in a legacy code
        // page, such as Windows-1258).
        let line = line_at(bytes, e.valid_up_to() as u64, None);
        return Err(file_error(
            path,
            format!(
                "dòng {line}: không phải văn bản UTF-8 (not UTF-8); hãy lưu lại tệp dạng \"CSV UTF-8\""
            ),
        ));
    }
    let mut lines = CsvLines::new(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| match lines.error(&e) {
            (Some(line), reason) => file_error(
                path,
                format!("dòng {line}: không đọc được CSV (unreadable CSV): {reason}"),
            ),
            (None, reason) => file_error(
                path,
                format!("không đọc được CSV (unreadable CSV): {reason}"),
            ),
        })?;
        out.push((
            lines.at(rec.position()),
            rec.iter().map(|s| s.trim().to_string()).collect(),
        ));
    }
    Ok(out)
}

/// Spreadsheet cells as text. Numbers are written in their shortest exact decimal form, so
/// 43.248 stays 43.248 and never becomes 43.24799999.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => format_float(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Marks a number that came from a spreadsheet's numeric cell (already in plain decimal
/// notation with a '.' point), so it is not read with the Vietnamese convention.
const NUMERIC_CELL: char = '\u{1}';

/// An Excel date serial (days since 1899-12-30) as an ISO date.
fn excel_date(serial: f64) -> String {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    if !serial.is_finite() || !(0.0..=2_958_465.0).contains(&serial) {
        return format!("#DATE {serial}");
    }
    base.checked_add_days(chrono::Days::new(serial.trunc() as u64))
        .map(|d| d.to_string())
        .unwrap_or_else(|| format!("#DATE {serial}"))
}

fn format_float(f: f64) -> String {
    format!("{NUMERIC_CELL}{f}")
}

/// Reads and checks a whole file into a batch to apply in one transaction. On any bad row,
/// returns every bad row with its column and reason, and nothing is stored.
pub fn read_batch(
    store: &impl Store,
    catalog: &Catalog,
    path: &Path,
    sheet: Option<&str>,
) -> Result<Batch, ImportError> {
    let table = read_table(path, sheet)?;
    let sha = None;
    let file_name = path.display().to_string();
    let mut batch = Batch::default();
    let mut errors: Vec<RowError> = Vec::new();
    let mut plan_keys: HashMap<String, PlanSource> = store
        .plan_sources()?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    let mut unit_cache: HashMap<(String, NaiveDate), Result<UnitId, String>> = HashMap::new();
    for (row_no, cells) in &table.rows {
        let get = |col: &str| -> &str {
            table
                .columns
                .iter()
                .position(|c| *c == Some(col))
                .and_then(|i| cells.get(i))
                .map(|s| s.as_str())
                .unwrap_or("")
        };
        // Records a problem with this row and moves on to the next row.
        macro_rules! fail {
            ($column:expr, $reason:expr $(,)?) => {{
                errors.push(RowError {
                    row: *row_no,
                    column: $column.to_string(),
                    header: table.header($column),
                    reason: $reason,
                });
                continue;
            }};
        }
        let kind = match chitieu_text::fold(get("kind")).as_str() {
            "target" | "chỉ tiêu" | "kế hoạch" | "kh" => RowKind::Target,
            "figure" | "thực hiện" | "số liệu" | "th" => RowKind::Figure,
            other => {
                fail!(
                    "kind",
                    format!("'{other}' không phải 'kế hoạch' (target) hay 'thực hiện' (figure)")
                );
            }
        };
        let indicator = match catalog.get(get("indicator").trim()) {
            Some(i) => i,
            None => {
                fail!(
                    "indicator",
                    format!(
                        "không có chỉ tiêu mã '{}' (unknown indicator): xem các mã bằng `chitieu indicators`",
                        get("indicator")
                    ),
                );
            }
        };
        let period = match parse_period(get("period")) {
            Ok(p) => p,
            Err(e) => {
                fail!("period", e);
            }
        };
        let unit_text = get("unit").to_string();
        let unit = {
            let key = (unit_text.clone(), period.end_date());
            let resolved = unit_cache.entry(key).or_insert_with(|| {
                store
                    .resolve_unit(&unit_text, period.end_date())
                    .or_else(|_| store.resolve_unit(&unit_text, period.start_date()))
                    .map(|v| v.unit)
                    .map_err(|e| e.to_string())
            });
            match resolved {
                Ok(u) => *u,
                Err(e) => {
                    fail!("unit", e.clone());
                }
            }
        };
        let scale = match scale_for(get("measure_unit"), &indicator.unit) {
            Ok(s) => s,
            Err(e) => {
                fail!("measure_unit", e);
            }
        };
        let value = match parse_value(get("value")) {
            Ok(v) => v * scale,
            Err(e) => {
                fail!("value", e);
            }
        };
        if value.is_sign_negative() && !value.is_zero() && indicator.direction != Direction::None {
            fail!(
                "value",
                format!("{value} là số âm, chỉ tiêu {} không thể âm", indicator.code)
            );
        }
        if indicator.unit == "%" && value > Decimal::from(1000) {
            fail!(
                "value",
                format!("{value}% không phải là tỷ lệ hợp lý (quá 1000%)")
            );
        }
        let note = Some(get("note").to_string()).filter(|n| !n.is_empty());
        match kind {
            RowKind::Figure => {
                let state = match get("state") {
                    "" => FigureState::Official,
                    s => match FigureState::from_str(&chitieu_text::fold(s)) {
                        Ok(st) => st,
                        Err(_) => {
                            fail!(
                                "state",
                                format!(
                                    "trạng thái '{s}' không hợp lệ: hãy ghi ước (estimate) hoặc chính thức (official)"
                                )
                            );
                        }
                    },
                };
                let as_of = match get("as_of") {
                    "" => None,
                    s => match parse_date(s) {
                        Ok(d) if period.contains_date(d) => Some(d),
                        Ok(d) => {
                            fail!(
                                "as_of",
                                format!(
                                    "ngày {} nằm ngoài kỳ {period} ({})",
                                    d.format("%d/%m/%Y"),
                                    chitieu_core::period_vi::format_period_vi(&period)
                                )
                            );
                        }
                        Err(e) => {
                            fail!("as_of", e);
                        }
                    },
                };
                {
                    batch.figures.push(FigureInput {
                        indicator: indicator.code.clone(),
                        unit,
                        period,
                        value,
                        state,
                        as_of,
                        provenance: Provenance::File {
                            file: file_name.clone(),
                            row: *row_no,
                            sha256: sha.clone(),
                        },
                        note,
                    });
                }
            }
            RowKind::Target => {
                let plan = get("plan").trim().to_string();
                if plan.is_empty() {
                    fail!(
                        "plan",
                        "dòng kế hoạch (target) cần ghi mã nguồn kế hoạch, tức văn bản đã giao chỉ tiêu".into()
                    );
                }
                if !plan_keys.contains_key(&plan) {
                    let kind = match get("plan_kind") {
                        "" => {
                            fail!(
                                "plan_kind",
                                plan_kind_help(&format!("nguồn kế hoạch '{plan}' chưa có"))
                            );
                        }
                        k => match PlanKind::from_str(k) {
                            Ok(k) => k,
                            Err(_) => {
                                fail!("plan_kind", plan_kind_help(&format!("'{k}' không hợp lệ")));
                            }
                        },
                    };
                    let title = match get("plan_title") {
                        "" => plan.clone(),
                        t => t.to_string(),
                    };
                    let ps = PlanSource {
                        key: plan.clone(),
                        kind,
                        title,
                        unit,
                        issued_on: None,
                    };
                    batch.plan_sources.push(ps.clone());
                    plan_keys.insert(plan.clone(), ps);
                }
                let max = match get("max") {
                    "" => None,
                    m => match parse_value(m) {
                        Ok(v) => Some(v * scale),
                        Err(e) => {
                            fail!("max", e);
                        }
                    },
                };
                let op = match (get("comparator"), indicator.direction) {
                    ("", _) if max.is_some() => "range",
                    ("", Direction::Down) => "at_most",
                    ("", Direction::None) => "exactly",
                    ("", Direction::Up) => "at_least",
                    (op, _) => op,
                };
                let comparator = match Comparator::from_parts(op, value, max) {
                    Ok(c) => c,
                    Err(e) => {
                        fail!("comparator", comparator_vi(&e));
                    }
                };
                {
                    batch.targets.push(Target {
                        indicator: IndicatorCode::clone(&indicator.code),
                        unit,
                        period,
                        source: plan,
                        comparator,
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows {
            file: file_name,
            errors,
        });
    }
    if batch.is_empty() {
        return Err(file_error(
            path,
            "không có dòng số liệu nào dưới dòng tiêu đề (no data rows)",
        ));
    }
    Ok(batch)
}

enum RowKind {
    Target,
    Figure,
}

/// What to write in the plan_kind column, after `what` is wrong with it.
fn plan_kind_help(what: &str) -> String {
    let kinds: Vec<String> = PlanKind::ALL
        .iter()
        .map(|k| format!("{} ({})", k.key(), k.vi()))
        .collect();
    format!(
        "{what}: hãy ghi loại kế hoạch (plan_kind) là một trong {}",
        kinds.join(", ")
    )
}

/// A comparator error in Vietnamese, with what to write.
fn comparator_vi(e: &ComparatorError) -> String {
    match e {
        ComparatorError::Unknown(op) => format!(
            "cách so sánh '{op}' không hợp lệ: hãy ghi at_least (tối thiểu), at_most (tối đa), exactly (đúng bằng) hoặc range (trong khoảng)"
        ),
        ComparatorError::InvertedRange { min, max } => format!(
            "khoảng chỉ tiêu ngược: giá trị dưới {min} lớn hơn giá trị trên {max} (cột max); hãy đổi lại"
        ),
        ComparatorError::MissingMax => {
            "chỉ tiêu dạng khoảng (range) cần cả giá trị dưới (cột value) và giá trị trên (cột max)"
                .into()
        }
    }
}

fn parse_period(text: &str) -> Result<Period, String> {
    if text.trim().is_empty() {
        return Err(
            "chưa ghi kỳ báo cáo: hãy ghi ví dụ 2022-H1 hoặc \"6 tháng đầu năm 2022\"".into(),
        );
    }
    // Reads the compact forms too; its message names the text once.
    chitieu_core::period_vi::parse_period_vi(text, None).map_err(|e| e.to_string())
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .map_err(|_| format!("'{t}' không phải là ngày: hãy viết 10/12/2020 hoặc 2020-12-10"))
}

/// A value as written in a cell: "43,248", "1.234,5", "6.000", or a spreadsheet number.
fn parse_value(text: &str) -> Result<Decimal, String> {
    if let Some(plain) = text.strip_prefix(NUMERIC_CELL) {
        return Decimal::from_str(plain)
            .or_else(|_| Decimal::from_scientific(plain))
            .map_err(|_| format!("'{plain}' không phải là số"));
    }
    let t = text.trim();
    if t.is_empty() {
        return Err("chưa ghi giá trị".into());
    }
    use chitieu_text::number::{DecimalMark, NumberError, parse_amount};
    parse_amount(t, DecimalMark::Comma).map_err(|e| match e {
        NumberError::NotANumber(_) => format!(
            "'{t}' không phải là số: hãy viết như 1.234,5 hoặc 43,248 (dấu phẩy là dấu thập phân)"
        ),
        NumberError::Overflow(_) => format!("'{t}' quá lớn, không giữ được chính xác"),
    })
}

/// The factor that turns a value in `written` units into the indicator's base unit.
fn scale_for(written: &str, base: &str) -> Result<Decimal, String> {
    let w = chitieu_text::fold(written);
    if w.is_empty() || w == chitieu_text::fold(base) {
        return Ok(Decimal::ONE);
    }
    let (factor, rest) = [
        ("nghìn ", 1_000i64),
        ("ngàn ", 1_000),
        ("triệu ", 1_000_000),
        ("tỷ ", 1_000_000_000),
        ("tỉ ", 1_000_000_000),
    ]
    .iter()
    .find_map(|(p, f)| w.strip_prefix(p).map(|r| (Decimal::from(*f), r)))
    .unwrap_or((Decimal::ONE, w.as_str()));
    fn base_of(r: &str) -> &str {
        match r {
            "đồng" | "vnđ" | "vnd" | "đ" => "VND",
            "usd" | "đô la mỹ" => "USD",
            "tấn" => "t",
            other => other,
        }
    }
    match base_of(rest) {
        b if chitieu_text::fold(b) == chitieu_text::fold(base) => Ok(factor),
        _ => Err(format!(
            "đơn vị tính '{written}' không khớp đơn vị của chỉ tiêu ({base})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales() {
        assert_eq!(
            scale_for("tỷ đồng", "VND").unwrap(),
            Decimal::from(1_000_000_000)
        );
        assert_eq!(scale_for("nghìn tấn", "t").unwrap(), Decimal::from(1000));
        assert_eq!(scale_for("", "ha").unwrap(), Decimal::ONE);
        assert_eq!(scale_for("xã", "xã").unwrap(), Decimal::ONE);
        assert!(scale_for("ha", "VND").is_err());
    }

    /// Bad rows are named by the line of the file they start on, whatever the line ends,
    /// after blank lines and a note quoted over three lines.
    #[test]
    fn csv_rows_are_named_by_their_line_with_any_line_ends() {
        use chitieu_store::{NoProgress, SqliteStore};
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        let catalog = Catalog::builtin();
        let lf = "kind,indicator,unit,period,value,measure_unit,note\n\
                  \n\
                  figure,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,\"120,5\",tỷ đồng,\"số liệu\nước thực hiện\ncả năm\"\n\
                  figure,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022-H3,1,tỷ đồng,\n\
                  \n\
                  figure,no_such_thing,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,1,,\n";
        for (name, text) in [
            ("lf.csv", lf.to_string()),
            ("crlf.csv", lf.replace('\n', "\r\n")),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let Err(ImportError::Rows { file, errors }) = read_batch(&s, &catalog, &path, None)
            else {
                panic!("{name}: the bad rows were not refused");
            };
            assert!(file.ends_with(name), "{file}");
            let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
            assert_eq!(
                got,
                vec![(6, "period"), (8, "indicator")],
                "{name}: {errors:?}"
            );
            // The good row keeps its own line in the figure's provenance.
            let ok = text.split_inclusive('\n').take(6).collect::<String>();
            std::fs::write(&path, ok.replace(",2022-H3,", ",2022-H1,")).unwrap();
            let batch = read_batch(&s, &catalog, &path, None).unwrap();
            let rows: Vec<String> = batch
                .figures
                .iter()
                .map(|f| format!("{:?}", f.provenance))
                .collect();
            assert!(rows[0].contains("row: 3"), "{name}: {rows:?}");
            assert!(rows[1].contains("row: 6"), "{name}: {rows:?}");
        }
        // A file in a legacy code page: the line of the first byte that is not UTF-8.
        let path = dir.path().join("ansi.csv");
        std::fs::write(
            &path,
            b"kind,indicator,unit,period,value\r\nfigure,x,huy\xean,2022,1\r\n",
        )
        .unwrap();
        let err = read_batch(&s, &catalog, &path, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("dòng 2: không phải văn bản UTF-8"), "{err}");
    }

    /// Row errors are Vietnamese, name the column by the header the file writes (the
    /// canonical name beside it), and say a bad period once.
    #[test]
    fn row_errors_name_the_header_as_written() {
        use chitieu_store::{NoProgress, SqliteStore};
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        let path = dir.path().join("bao-cao.csv");
        std::fs::write(
            &path,
            "loại,chỉ tiêu,đơn vị,kỳ báo cáo,giá trị\n\
             thực hiện,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",ky-la,1\n\
             thực hiện,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,\n",
        )
        .unwrap();
        let err = read_batch(&s, &Catalog::builtin(), &path, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("2 dòng lỗi, chưa nhập gì (nothing was imported)"),
            "{err}"
        );
        assert!(
            err.contains(
                "bao-cao.csv: dòng 2, cột 'kỳ báo cáo' (period): 'ky-la' không phải là kỳ báo cáo (not a period)"
            ),
            "{err}"
        );
        assert_eq!(err.matches("ky-la").count(), 1, "{err}");
        assert!(
            err.contains("dòng 3, cột 'giá trị' (value): chưa ghi giá trị"),
            "{err}"
        );
        // The core's English reasons are said in Vietnamese, with what to write.
        std::fs::write(
            &path,
            "kind,indicator,unit,period,value,state,plan,plan_kind,comparator,max\n\
             figure,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,1,tạm tính,,,,\n\
             target,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,1,,NQ-X,nghi_quyet,,\n\
             target,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,5,,NQ-Y,other,,2\n\
             target,budget_revenue,\"huyện Bắc Sơn, tỉnh Lạng Sơn\",2022,5,,NQ-Z,other,gần,\n",
        )
        .unwrap();
        let err = read_batch(&s, &Catalog::builtin(), &path, None)
            .unwrap_err()
            .to_string();
        for want in [
            "dòng 2, cột 'state': trạng thái 'tạm tính' không hợp lệ: hãy ghi ước (estimate) hoặc chính thức (official)",
            "dòng 3, cột 'plan_kind': 'nghi_quyet' không hợp lệ: hãy ghi loại kế hoạch (plan_kind) là một trong party_resolution (Nghị quyết)",
            "dòng 4, cột 'comparator': khoảng chỉ tiêu ngược: giá trị dưới 5 lớn hơn giá trị trên 2",
            "dòng 5, cột 'comparator': cách so sánh 'gần' không hợp lệ",
        ] {
            assert!(err.contains(want), "{want} missing:\n{err}");
        }
        std::fs::write(&path, "loại,chỉ tiêu,đơn vị,giá trị\n").unwrap();
        let err = read_batch(&s, &Catalog::builtin(), &path, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("dòng tiêu đề thiếu cột 'kỳ' hoặc 'period' (missing column)"),
            "{err}"
        );
    }

    #[test]
    fn numeric_cells_keep_their_exact_decimal() {
        assert_eq!(
            parse_value(&format_float(43.248)).unwrap().to_string(),
            "43.248"
        );
    }
}
