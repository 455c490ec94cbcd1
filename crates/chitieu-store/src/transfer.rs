//! Moving a whole chitieu database between backends and to and from a portable dump: every
//! table, history and audit log included, row for row. Values travel as text (the canonical
//! decimal and ISO date text chitieu writes, integers in decimal, booleans as `0`/`1`), so a
//! SQLite database and a PostgreSQL one holding the same data give the same checksums.

use crate::{AnyStore, Result, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How a column's text is typed on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Numeric,
    Text,
}
use Kind::*;

/// A table and its columns, in the order tables must be filled (parents first).
struct Table {
    name: &'static str,
    cols: &'static [(&'static str, Kind)],
    /// Whether `id` is an identity column on PostgreSQL, whose sequence must move past the
    /// copied ids.
    identity: bool,
}

const TABLES: &[Table] = &[
    Table {
        name: "unit",
        cols: &[("id", Int)],
        identity: false,
    },
    Table {
        name: "unit_version",
        cols: &[
            ("id", Int),
            ("unit_id", Int),
            ("name", Text),
            ("name_key", Text),
            ("kind", Text),
            ("level", Text),
            ("code", Text),
            ("parent_id", Int),
            ("valid_from", Text),
            ("valid_to", Text),
        ],
        identity: true,
    },
    Table {
        name: "unit_succession",
        cols: &[
            ("from_id", Int),
            ("to_id", Int),
            ("date", Text),
            ("partial", Bool),
        ],
        identity: false,
    },
    Table {
        name: "organisation",
        cols: &[
            ("id", Int),
            ("unit_id", Int),
            ("kind", Text),
            ("name", Text),
        ],
        identity: true,
    },
    Table {
        name: "org_term",
        cols: &[
            ("org_id", Int),
            ("number", Int),
            ("start_year", Int),
            ("end_year", Int),
        ],
        identity: false,
    },
    Table {
        name: "indicator",
        cols: &[
            ("code", Text),
            ("name_vi", Text),
            ("unit", Text),
            ("direction", Text),
            ("grp", Text),
            ("aggregation", Text),
            ("temporal", Text),
            ("counts_units", Text),
            ("phrases", Text),
            ("builtin", Bool),
        ],
        identity: false,
    },
    Table {
        name: "plan_source",
        cols: &[
            ("key", Text),
            ("kind", Text),
            ("title", Text),
            ("unit_id", Int),
            ("issued_on", Text),
        ],
        identity: false,
    },
    Table {
        name: "target",
        cols: &[
            ("id", Int),
            ("indicator", Text),
            ("unit_id", Int),
            ("period", Text),
            ("source_key", Text),
            ("op", Text),
            ("value", Numeric),
            ("max_value", Numeric),
        ],
        identity: true,
    },
    Table {
        name: "figure",
        cols: &[
            ("id", Int),
            ("indicator", Text),
            ("unit_id", Int),
            ("period", Text),
            ("revision", Int),
            ("value", Numeric),
            ("state", Text),
            ("as_of", Text),
            ("provenance", Text),
            ("note", Text),
            ("entered_by", Text),
            ("entered_at", Text),
            ("current", Bool),
        ],
        identity: true,
    },
    Table {
        name: "audit_log",
        cols: &[
            ("id", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("entity", Text),
            ("entity_key", Text),
            ("detail", Text),
        ],
        identity: true,
    },
    Table {
        name: "setting",
        cols: &[("key", Text), ("value", Text)],
        identity: false,
    },
    Table {
        name: "document",
        cols: &[
            ("id", Int),
            ("name", Text),
            ("sha256", Text),
            ("original", Text),
            ("document_date", Text),
            ("unit_id", Int),
            ("extractor", Text),
            ("extraction", Text),
            ("ingested_by", Text),
            ("ingested_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "proposed_fact",
        cols: &[
            ("id", Int),
            ("document_id", Int),
            ("ordinal", Int),
            ("fact", Text),
            ("indicator", Text),
            ("measure", Text),
            ("value", Numeric),
            ("period", Text),
            ("unit_id", Int),
            ("span_start", Int),
            ("span_end", Int),
            ("state", Text),
            ("figure_id", Int),
            ("target_id", Int),
            ("reviewed_by", Text),
            ("reviewed_at", Text),
            ("review_note", Text),
        ],
        identity: true,
    },
    Table {
        name: "issued_report",
        cols: &[
            ("id", Int),
            ("series", Text),
            ("number", Int),
            ("number_text", Text),
            ("unit_id", Int),
            ("period", Text),
            ("kind", Text),
            ("style", Text),
            ("issued_on", Text),
            ("issued_by", Text),
            ("issued_at", Text),
            ("model", Text),
        ],
        identity: true,
    },
    Table {
        name: "account",
        cols: &[
            ("id", Int),
            ("username", Text),
            ("display_name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("failed_logins", Int),
            ("locked_until", Text),
            ("disabled", Bool),
            ("created_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "account_scope",
        cols: &[("account_id", Int), ("unit_id", Int)],
        identity: false,
    },
    Table {
        name: "web_session",
        cols: &[
            ("token_sha256", Text),
            ("account_id", Int),
            ("csrf", Text),
            ("created_at", Text),
            ("expires_at", Text),
        ],
        identity: false,
    },
    Table {
        name: "api_token",
        cols: &[
            ("id", Int),
            ("account_id", Int),
            ("name", Text),
            ("token_sha256", Text),
            ("created_at", Text),
            ("revoked_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "data_set",
        cols: &[
            ("unit_id", Int),
            ("period", Text),
            ("state", Text),
            ("comment", Text),
            ("updated_by", Text),
            ("updated_at", Text),
        ],
        identity: false,
    },
    Table {
        name: "draft_value",
        cols: &[
            ("unit_id", Int),
            ("period", Text),
            ("indicator", Text),
            ("value", Numeric),
            ("comment", Text),
            ("entered_by", Text),
            ("entered_at", Text),
        ],
        identity: false,
    },
    Table {
        name: "data_set_event",
        cols: &[
            ("id", Int),
            ("unit_id", Int),
            ("period", Text),
            ("action", Text),
            ("actor", Text),
            ("at", Text),
            ("comment", Text),
        ],
        identity: true,
    },
    Table {
        name: "explanation_request",
        cols: &[
            ("id", Int),
            ("indicator", Text),
            ("unit_id", Int),
            ("period", Text),
            ("question", Text),
            ("asked_by", Text),
            ("asked_at", Text),
            ("answer", Text),
            ("answered_by", Text),
            ("answered_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "news",
        cols: &[
            ("id", Int),
            ("unit_id", Int),
            ("title", Text),
            ("body", Text),
            ("published_at", Text),
            ("created_by", Text),
        ],
        identity: true,
    },
    Table {
        name: "reader_comment",
        cols: &[
            ("id", Int),
            ("unit_id", Int),
            ("topic", Text),
            ("author", Text),
            ("body", Text),
            ("client_key", Text),
            ("created_at", Text),
            ("state", Text),
            ("moderated_by", Text),
            ("moderated_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "notification",
        cols: &[
            ("id", Int),
            ("account_id", Int),
            ("kind", Text),
            ("dedupe_key", Text),
            ("title", Text),
            ("body", Text),
            ("link", Text),
            ("created_at", Text),
            ("read_at", Text),
            ("emailed_at", Text),
            ("email_sent_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "account_email",
        cols: &[("account_id", Int), ("email", Text), ("updated_at", Text)],
        identity: false,
    },
    Table {
        name: "digest_sent",
        cols: &[
            ("account_id", Int),
            ("day", Text),
            ("sent_at", Text),
            ("items", Int),
        ],
        identity: false,
    },
    Table {
        name: "scheduler_run",
        cols: &[
            ("id", Int),
            ("started_at", Text),
            ("finished_at", Text),
            ("created", Int),
            ("emailed", Int),
            ("digests", Int),
            ("error", Text),
        ],
        identity: true,
    },
    Table {
        name: "dhis2_mapping",
        cols: &[
            ("id", Int),
            ("kind", Text),
            ("dhis2_id", Text),
            ("category_option_combo", Text),
            ("chitieu_key", Text),
            ("note", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "dhis2_figure",
        cols: &[
            ("figure_id", Int),
            ("data_element", Text),
            ("period", Text),
            ("org_unit", Text),
            ("category_option_combo", Text),
            ("attribute_option_combo", Text),
            ("stored_by", Text),
            ("created", Text),
            ("last_updated", Text),
            ("followup", Bool),
        ],
        identity: false,
    },
    Table {
        name: "task",
        cols: &[
            ("id", Int),
            ("text", Text),
            ("field", Text),
            ("lead_unit_id", Int),
            ("cooperating", Text),
            ("deadline", Text),
            ("deadline_date", Text),
            ("output", Text),
            ("source", Text),
            ("period", Text),
            ("provenance", Text),
            ("document_id", Int),
            ("created_by", Text),
            ("created_at", Text),
        ],
        identity: true,
    },
    Table {
        name: "task_event",
        cols: &[
            ("id", Int),
            ("task_id", Int),
            ("kind", Text),
            ("on_date", Text),
            ("event", Text),
            ("unit_id", Int),
            ("actor", Text),
            ("at", Text),
        ],
        identity: true,
    },
    Table {
        name: "task_proposal",
        cols: &[
            ("id", Int),
            ("document_id", Int),
            ("extractor", Text),
            ("proposed", Text),
            ("span_start", Int),
            ("span_end", Int),
            ("state", Text),
            ("task_id", Int),
            ("reviewed_by", Text),
            ("reviewed_at", Text),
            ("review_note", Text),
        ],
        identity: true,
    },
    Table {
        name: "ntm_state",
        cols: &[
            ("id", Int),
            ("commune_id", Int),
            ("year", Int),
            ("set_id", Text),
            ("level", Text),
            ("criterion", Int),
            ("met", Bool),
            ("evidence", Text),
            ("evidence_document_id", Int),
            ("evidence_figure_id", Int),
            ("set_by", Text),
            ("set_at", Text),
        ],
        identity: true,
    },
];

type Rows = Vec<Vec<Option<String>>>;

/// The row count and SHA-256 of one table's rows (sorted, so independent of storage order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSum {
    pub table: String,
    pub rows: u64,
    pub sha256: String,
}

/// Reads a table's rows as text, in insertion order where it matters (the catalog).
fn read(store: &AnyStore, t: &Table) -> Result<Rows> {
    match store {
        AnyStore::Sqlite(s) => {
            let cols: Vec<String> = t
                .cols
                .iter()
                .map(|(c, _)| format!("CAST({c} AS TEXT)"))
                .collect();
            let sql = format!("SELECT {} FROM {} ORDER BY rowid", cols.join(", "), t.name);
            let conn = s.connection();
            let mut stmt = conn.prepare(&sql)?;
            let n = t.cols.len();
            let rows = stmt.query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Option<String>>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })?;
            Ok(rows.collect::<rusqlite::Result<Rows>>()?)
        }
        AnyStore::Postgres(s) => {
            let cols: Vec<String> = t
                .cols
                .iter()
                .map(|(c, k)| match k {
                    Bool => format!("({c}::int)::text"),
                    _ => format!("{c}::text"),
                })
                .collect();
            let order = if t.name == "indicator" {
                "ord".to_string()
            } else {
                (1..=t.cols.len())
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {order}",
                cols.join(", "),
                t.name
            );
            let mut out = Vec::new();
            for r in s.select(&sql, &[])? {
                let mut row = Vec::with_capacity(t.cols.len());
                for i in 0..t.cols.len() {
                    row.push(r.try_get::<_, Option<String>>(i)?);
                }
                out.push(row);
            }
            Ok(out)
        }
    }
}

/// Writes rows into an empty table, in one transaction per table.
fn write(store: &mut AnyStore, t: &Table, rows: &Rows) -> Result<()> {
    let names: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
    match store {
        AnyStore::Sqlite(s) => {
            let conn = s.connection();
            let tx = conn.unchecked_transaction()?;
            {
                let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
                let mut stmt = tx.prepare(&format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    t.name,
                    names.join(", "),
                    marks.join(", ")
                ))?;
                for row in rows {
                    // Integer and boolean text becomes an integer through the column's affinity.
                    stmt.execute(rusqlite::params_from_iter(row.iter()))?;
                }
            }
            tx.commit()?;
            Ok(())
        }
        AnyStore::Postgres(s) => {
            let selects: Vec<String> = t
                .cols
                .iter()
                .enumerate()
                .map(|(i, (_, k))| match k {
                    Int => format!("c{i}::bigint"),
                    Bool => format!("c{i}::int::bool"),
                    Numeric => format!("c{i}::numeric"),
                    Text => format!("c{i}"),
                })
                .collect();
            let arrays: Vec<String> = (1..=names.len()).map(|i| format!("${i}::text[]")).collect();
            let aliases: Vec<String> = (0..names.len()).map(|i| format!("c{i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) SELECT {} FROM unnest({}) AS u({})",
                t.name,
                names.join(", "),
                selects.join(", "),
                arrays.join(", "),
                aliases.join(", ")
            );
            let identity = t.identity;
            let table = t.name;
            s.with_client(|client| {
                let mut tx = client.transaction()?;
                for chunk in rows.chunks(5000) {
                    let columns: Vec<Vec<Option<&str>>> = (0..names.len())
                        .map(|i| chunk.iter().map(|r| r[i].as_deref()).collect())
                        .collect();
                    let params: Vec<&(dyn postgres::types::ToSql + Sync)> = columns
                        .iter()
                        .map(|c| c as &(dyn postgres::types::ToSql + Sync))
                        .collect();
                    tx.execute(sql.as_str(), &params)?;
                }
                if identity {
                    tx.batch_execute(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} HAVING max(id) IS NOT NULL"
                    ))?;
                }
                tx.commit()?;
                Ok(())
            })
        }
    }
}

fn sum(t: &Table, mut rows: Rows) -> TableSum {
    rows.sort();
    let mut h = Sha256::new();
    for row in &rows {
        for v in row {
            match v {
                Some(s) => {
                    h.update([1u8]);
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
                None => h.update([0u8]),
            }
        }
    }
    TableSum {
        table: t.name.to_string(),
        rows: rows.len() as u64,
        sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// The row count and checksum of every table.
pub fn checksums(store: &AnyStore) -> Result<Vec<TableSum>> {
    TABLES.iter().map(|t| Ok(sum(t, read(store, t)?))).collect()
}

fn require_empty(store: &AnyStore) -> Result<()> {
    for t in TABLES {
        let rows = match store {
            AnyStore::Sqlite(s) => {
                s.connection()
                    .query_row(&format!("SELECT count(*) FROM {}", t.name), [], |r| {
                        r.get::<_, i64>(0)
                    })?
            }
            AnyStore::Postgres(s) => s
                .select(&format!("SELECT count(*) FROM {}", t.name), &[])?
                .first()
                .map(|r| r.try_get::<_, i64>(0))
                .transpose()?
                .unwrap_or(0),
        };
        if rows > 0 {
            return Err(StoreError::Refused(format!(
                "the destination is not empty (table {} has {rows} rows): copy into a new database",
                t.name
            )));
        }
    }
    Ok(())
}

/// What a copy did: each table's count and checksum, equal on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    pub tables: Vec<TableSum>,
}

/// Copies every table of `from` into the empty database `to`, then checks that both hold the
/// same rows (counts and checksums). `progress` is told each table's name and row count.
pub fn copy(
    from: &AnyStore,
    to: &mut AnyStore,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<CopyReport> {
    require_empty(to)?;
    for t in TABLES {
        let rows = read(from, t)?;
        progress(t.name, rows.len() as u64);
        write(to, t, &rows)?;
    }
    let source = checksums(from)?;
    let copied = checksums(to)?;
    compare(&source, &copied)?;
    Ok(CopyReport { tables: copied })
}

/// Errors unless two sets of checksums agree table by table.
pub fn compare(a: &[TableSum], b: &[TableSum]) -> Result<()> {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return Err(StoreError::Refused(format!(
                "table {} differs after the copy: {} rows ({}) against {} rows ({})",
                x.table, x.rows, x.sha256, y.rows, y.sha256
            )));
        }
    }
    Ok(())
}

/// One line of a portable dump: a table header, then its rows.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Line {
    Dump {
        format: String,
        schema: u32,
    },
    Table {
        name: String,
        columns: Vec<String>,
        rows: u64,
    },
    Row {
        v: Vec<Option<String>>,
    },
    End {
        tables: Vec<TableSum>,
    },
}

const DUMP_FORMAT: &str = "chitieu-dump-1";

/// Writes a portable dump (JSON lines) of every table, ending with the checksums.
pub fn dump(store: &AnyStore, schema: u32, out: &mut dyn std::io::Write) -> Result<Vec<TableSum>> {
    let io = |e: std::io::Error| StoreError::Refused(format!("writing the dump: {e}"));
    let line = |out: &mut dyn std::io::Write, l: &Line| -> Result<()> {
        let s = serde_json::to_string(l).map_err(|e| StoreError::corrupt("dump line", e))?;
        writeln!(out, "{s}").map_err(io)
    };
    line(
        out,
        &Line::Dump {
            format: DUMP_FORMAT.into(),
            schema,
        },
    )?;
    let mut sums = Vec::new();
    for t in TABLES {
        let rows = read(store, t)?;
        line(
            out,
            &Line::Table {
                name: t.name.into(),
                columns: t.cols.iter().map(|(c, _)| c.to_string()).collect(),
                rows: rows.len() as u64,
            },
        )?;
        for r in &rows {
            line(out, &Line::Row { v: r.clone() })?;
        }
        sums.push(sum(t, rows));
    }
    line(
        out,
        &Line::End {
            tables: sums.clone(),
        },
    )?;
    Ok(sums)
}

/// Loads a portable dump into an empty database and checks it against the dump's checksums.
pub fn restore(
    to: &mut AnyStore,
    schema: u32,
    input: impl std::io::BufRead,
) -> Result<Vec<TableSum>> {
    require_empty(to)?;
    let bad = |what: String| StoreError::Refused(format!("not a chitieu dump: {what}"));
    let mut lines = input.lines();
    let mut next = || -> Result<Option<Line>> {
        match lines.next() {
            None => Ok(None),
            Some(Err(e)) => Err(bad(e.to_string())),
            Some(Ok(s)) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| bad(e.to_string())),
        }
    };
    match next()? {
        Some(Line::Dump { format, schema: s }) if format == DUMP_FORMAT => {
            if s != schema {
                return Err(StoreError::Refused(format!(
                    "the dump is of schema {s} and this database of schema {schema}: restore it with the chitieu version that wrote it, then upgrade"
                )));
            }
        }
        _ => return Err(bad("no chitieu-dump-1 header".into())),
    }
    let mut pending: Option<Line> = next()?;
    for t in TABLES {
        let rows = match pending.take() {
            Some(Line::Table {
                name,
                columns,
                rows,
            }) if name == t.name => {
                let expected: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
                if columns != expected {
                    return Err(bad(format!("table {name} has columns {columns:?}")));
                }
                rows
            }
            _ => return Err(bad(format!("table {} is missing", t.name))),
        };
        let mut data: Rows = Vec::with_capacity(rows as usize);
        loop {
            match next()? {
                Some(Line::Row { v }) if v.len() == t.cols.len() => data.push(v),
                Some(Line::Row { .. }) => {
                    return Err(bad(format!("a row of {} has the wrong width", t.name)));
                }
                other => {
                    pending = other;
                    break;
                }
            }
        }
        if data.len() as u64 != rows {
            return Err(bad(format!(
                "table {} has {} rows, the header says {rows}",
                t.name,
                data.len()
            )));
        }
        write(to, t, &data)?;
    }
    let expected = match pending {
        Some(Line::End { tables }) => tables,
        _ => return Err(bad("the dump is cut short (no checksums at the end)".into())),
    };
    let restored = checksums(to)?;
    compare(&expected, &restored)?;
    Ok(restored)
}

/// Copies a SQLite database to a new file with SQLite's online backup API: a consistent
/// snapshot taken while others keep reading and writing.
pub fn sqlite_backup(store: &crate::SqliteStore, to: &std::path::Path) -> Result<()> {
    if to.exists() {
        return Err(StoreError::Refused(format!(
            "{} exists already: back up to a new file",
            to.display()
        )));
    }
    let mut dst = rusqlite::Connection::open(to)?;
    let backup = rusqlite::backup::Backup::new(store.connection(), &mut dst)?;
    backup.run_to_completion(1024, std::time::Duration::from_millis(0), None)?;
    Ok(())
}
