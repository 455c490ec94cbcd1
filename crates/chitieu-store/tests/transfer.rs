//! Copying a database between backends and through a portable dump: every table arrives,
//! history and audit included, with the same counts and checksums.

mod backend;

use chitieu_core::Decimal;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_store::transfer::{checksums, copy, dump, restore};
use chitieu_store::{AnyStore, Batch, Store};
use chrono::NaiveDate;
use std::str::FromStr;

/// A SQLite database with corrected figures (history), a setting and their audit entries.
fn source() -> (tempfile::TempDir, AnyStore) {
    let (dir, mut s) = backend::sqlite(true);
    let unit = s
        .resolve_unit(
            "huyện Bắc Sơn",
            NaiveDate::from_ymd_opt(2022, 6, 30).expect("date"),
        )
        .expect("unit")
        .unit;
    for (i, v) in ["43248000000", "44500000000", "52.123456789012345678"]
        .iter()
        .enumerate()
    {
        let f = FigureInput {
            indicator: IndicatorCode::new("budget_revenue").expect("code"),
            unit,
            period: Period::from_str("2020").expect("period"),
            value: Decimal::from_str(v).expect("decimal"),
            state: FigureState::Official,
            as_of: None,
            provenance: Provenance::Manual,
            note: (i == 1).then(|| "số liệu chính thức, cả năm".to_string()),
        };
        s.apply(
            &Batch {
                figures: vec![f],
                ..Batch::default()
            },
            "alice",
        )
        .expect("apply");
    }
    s.set_setting("x", "{\"a\":1}", "admin").expect("setting");
    (dir, AnyStore::Sqlite(s))
}

#[test]
fn sqlite_to_postgres_and_back_keeps_every_row() {
    let Some((_schema, pg)) = backend::postgres("transfer", false) else {
        return;
    };
    let (_d, from) = source();
    let mut pg = AnyStore::Postgres(Box::new(pg));
    let report = copy(&from, &mut pg, &mut |_, _| {}).expect("copy to PostgreSQL");
    assert_eq!(report.tables, checksums(&from).expect("sums"));
    let figures = report
        .tables
        .iter()
        .find(|t| t.table == "figure")
        .expect("figure");
    assert_eq!(figures.rows, 3);
    // The history reads back the same through the Store interface.
    let unit = pg
        .resolve_unit(
            "huyện Bắc Sơn",
            NaiveDate::from_ymd_opt(2022, 6, 30).expect("date"),
        )
        .expect("unit")
        .unit;
    let hist = pg
        .figure_history(
            "budget_revenue",
            unit,
            &Period::from_str("2020").expect("p"),
        )
        .expect("history");
    assert_eq!(hist.len(), 3);
    assert_eq!(hist[2].input.value.to_string(), "52.123456789012345678");
    assert_eq!(pg.audit_log(1).expect("audit")[0].action, "setting.set");
    // A copy into a database that has data is refused.
    assert!(copy(&from, &mut pg, &mut |_, _| {}).is_err());

    // And back to a new SQLite file.
    let (_d2, back) = backend::sqlite(false);
    let mut back = AnyStore::Sqlite(back);
    copy(&pg, &mut back, &mut |_, _| {}).expect("copy back");
    assert_eq!(
        checksums(&back).expect("sums"),
        checksums(&from).expect("sums")
    );
    // New writes after a copy get new ids on PostgreSQL (the sequences moved on).
    pg.set_setting("y", "1", "admin")
        .expect("a write after the copy");
}

#[test]
fn a_dump_restores_to_the_same_data() {
    let (_d, from) = source();
    let schema = from.schema_version().expect("schema");
    let mut bytes = Vec::new();
    let written = dump(&from, schema, &mut bytes).expect("dump");
    let (_d2, to) = backend::sqlite(false);
    let mut to = AnyStore::Sqlite(to);
    let restored = restore(&mut to, schema, bytes.as_slice()).expect("restore");
    assert_eq!(restored, written);
    assert_eq!(
        checksums(&to).expect("sums"),
        checksums(&from).expect("sums")
    );
    // A cut dump is refused, and nothing claims success.
    let (_d3, to) = backend::sqlite(false);
    let mut to = AnyStore::Sqlite(to);
    let cut = &bytes[..bytes.len() / 2];
    let cut = &cut[..cut.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)];
    assert!(restore(&mut to, schema, cut).is_err());
}

#[test]
fn the_sqlite_online_backup_is_the_same_database() {
    let (d, from) = source();
    let AnyStore::Sqlite(live) = &from else {
        unreachable!("source() is SQLite")
    };
    let file = d.path().join("backup.db");
    chitieu_store::transfer::sqlite_backup(live, &file).expect("backup");
    let copy = AnyStore::Sqlite(chitieu_store::SqliteStore::open(&file).expect("open backup"));
    assert_eq!(
        checksums(&copy).expect("sums"),
        checksums(&from).expect("sums")
    );
    // A second backup never overwrites the first.
    assert!(chitieu_store::transfer::sqlite_backup(live, &file).is_err());
}
