//! The figure snapshot saved on disk (`FigureSnapshot::load_cached`): reused only while the
//! store's change key is the one it was saved at, rebuilt after any write, after a restore
//! that reaches the same stamp with other writes, and when the file is damaged; on both
//! backends, with the same exact values as the store.

#[macro_use]
mod backend;
mod common;

use chitieu_core::admin::UnitId;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::period::Period;
use chitieu_store::snapshot::{CacheUse, FigureSnapshot, FigureSource, SnapshotFileError};
use chitieu_store::sqlite::bulk::{BulkFigure, BulkOptions, BulkReport};
use chitieu_store::{Batch, NoProgress, PgStore, Result, SqliteStore, Store};
use common::{bulk_options, code, dec, province_and_communes};
use std::path::Path;

trait Bulk: Store + FigureSource {
    fn figures<'a>(&mut self, rows: Vec<BulkFigure<'a>>, o: &BulkOptions) -> Result<BulkReport>;
}
impl Bulk for SqliteStore {
    fn figures<'a>(&mut self, rows: Vec<BulkFigure<'a>>, o: &BulkOptions) -> Result<BulkReport> {
        self.bulk_insert_figures(rows, o, &NoProgress)
    }
}
impl Bulk for PgStore {
    fn figures<'a>(&mut self, rows: Vec<BulkFigure<'a>>, o: &BulkOptions) -> Result<BulkReport> {
        self.bulk_insert_figures(rows, o, &NoProgress)
    }
}

for_each_backend!(
    a_saved_snapshot_is_reused_until_a_write,
    a_damaged_or_foreign_file_is_rebuilt,
);

fn months() -> Vec<Period> {
    (10..=12)
        .map(|m| Period::month(2025, m).expect("period"))
        .collect()
}

/// Edge values: negative, zero, the largest mantissa, 28 decimal places.
const VALUES: [&str; 6] = [
    "1234.500",
    "-0.001",
    "0",
    "79228162514264337593543950335",
    "0.0000000000000000000000000001",
    "43.248",
];

fn load<S: Bulk>(store: &mut S) -> Vec<UnitId> {
    let (_province, c) = province_and_communes(store, 3);
    let (revenue, rate) = (code("budget_revenue"), code("poverty_rate"));
    let periods = months();
    let mut rows = Vec::new();
    for (k, v) in VALUES.iter().enumerate() {
        rows.push(BulkFigure {
            indicator: if k % 2 == 0 { &revenue } else { &rate },
            unit: c[k % 3].unit,
            period: periods[k % 3],
            value: dec(v),
        });
    }
    store.figures(rows, &bulk_options("test")).expect("bulk");
    c.iter().map(|v| v.unit).collect()
}

fn correct<S: Store>(store: &mut S, unit: UnitId, value: &str) {
    store
        .apply(
            &Batch {
                figures: vec![FigureInput {
                    indicator: code("budget_revenue"),
                    unit,
                    period: months()[0],
                    value: dec(value),
                    state: FigureState::Official,
                    as_of: None,
                    provenance: Provenance::Manual,
                    note: None,
                }],
                ..Batch::default()
            },
            "test",
        )
        .expect("correction");
}

fn same(a: &FigureSnapshot, b: &FigureSnapshot) {
    assert_eq!(a.figures(), b.figures());
    assert_eq!(a.key(), b.key());
    assert_eq!(a.periods(), b.periods());
    for p in a.periods() {
        for i in a.indicators() {
            assert_eq!(a.column(p, i.as_str()), b.column(p, i.as_str()), "{p} {i}");
        }
        for i in b.indicators() {
            assert_eq!(a.column(p, i.as_str()), b.column(p, i.as_str()), "{p} {i}");
        }
    }
}

fn a_saved_snapshot_is_reused_until_a_write<S: Bulk>(mut store: S) {
    let units = load(&mut store);
    let dir = tempfile::tempdir().expect("dir");
    let cache = dir.path().join("cache");
    let periods = months();

    let (first, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("first");
    let CacheUse::Rebuilt {
        path,
        why,
        save_error,
    } = used
    else {
        panic!("nothing was saved yet: {used:?}");
    };
    assert_eq!(why, "no saved snapshot yet");
    assert_eq!(save_error, None);
    assert!(path.exists() && path.starts_with(&cache));
    assert_eq!(first.figures(), VALUES.len() as u64);
    same(
        &first,
        &FigureSnapshot::load(&store, &periods).expect("direct"),
    );

    // Read back exactly, from the file.
    let (second, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("second");
    assert_eq!(used, CacheUse::Reused { path: path.clone() });
    same(&first, &second);
    for (k, v) in VALUES.iter().enumerate() {
        let ind = if k % 2 == 0 {
            "budget_revenue"
        } else {
            "poverty_rate"
        };
        assert_eq!(
            second.value(ind, units[k % 3], &periods[k % 3]),
            Some(dec(v))
        );
    }
    assert!(second.is_current(&store).expect("stamp"));

    // Any write makes the saved file stale; the reader catches up on the rows written since
    // (by row id on SQLite, by writing transaction on PostgreSQL).
    let catches_up = FigureSource::catch_up_mark(&store).expect("mark").is_some();
    assert!(catches_up, "both backends catch up");
    correct(&mut store, units[0], "2000.5");
    let (third, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("third");
    if catches_up {
        // One row: not worth rewriting the file.
        assert!(
            matches!(
                &used,
                CacheUse::CaughtUp {
                    figures_read: 1,
                    saved: false,
                    save_error: None,
                    ..
                }
            ),
            "{used:?}"
        );
    } else {
        assert!(
            matches!(&used, CacheUse::Rebuilt { why, .. } if why.contains("changed")),
            "{used:?}"
        );
    }
    assert_eq!(
        third.value("budget_revenue", units[0], &periods[0]),
        Some(dec("2000.5"))
    );
    same(
        &third,
        &FigureSnapshot::load(&store, &periods).expect("direct"),
    );
    let (fourth, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("fourth");
    if catches_up {
        // The next reader catches up on the same row, from the same file …
        assert!(
            matches!(
                used,
                CacheUse::CaughtUp {
                    figures_read: 1,
                    saved: false,
                    ..
                }
            ),
            "{used:?}"
        );
        same(&fourth, &third);
        // … until enough rows were written (here outside the snapshot's periods, which a
        // reader still reads past): then the file is saved again, and current.
        let catalog = chitieu_core::indicator::Catalog::builtin();
        let codes: Vec<_> = catalog
            .indicators
            .iter()
            .take(30)
            .map(|i| &i.code)
            .collect();
        let mut rows = Vec::new();
        for m in 1..=12 {
            for &unit in &units {
                for &indicator in &codes {
                    rows.push(BulkFigure {
                        indicator,
                        unit,
                        period: Period::month(2024, m).expect("period"),
                        value: dec("1"),
                    });
                }
            }
        }
        let n = rows.len() as u64;
        assert!(n >= chitieu_store::snapshot::RESAVE_AFTER_ROWS);
        store.figures(rows, &bulk_options("test")).expect("many");
        let (s, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("many");
        assert!(
            matches!(
                used,
                CacheUse::CaughtUp {
                    figures_read,
                    saved: true,
                    save_error: None,
                    ..
                } if figures_read == n + 1
            ),
            "{used:?}"
        );
        same(&s, &FigureSnapshot::load(&store, &periods).expect("direct"));
    } else {
        assert!(matches!(used, CacheUse::Reused { .. }), "{used:?}");
    }
    let (_, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("current");
    assert!(matches!(used, CacheUse::Reused { .. }), "{used:?}");

    // A write that does not touch figures is still a write: the key moves, nothing to read.
    store.set_setting("test.key", "1", "test").expect("setting");
    let (_, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("fifth");
    if catches_up {
        assert!(
            matches!(
                used,
                CacheUse::CaughtUp {
                    figures_read: 0,
                    ..
                }
            ),
            "{used:?}"
        );
    } else {
        assert!(matches!(used, CacheUse::Rebuilt { .. }), "{used:?}");
    }

    // New units, a new indicator in a period, a period outside the snapshot, and a
    // correction of a figure first loaded in bulk: caught up exactly like a full read.
    let (province, _) = province_and_communes(&store, 3);
    let (revenue, pop) = (code("budget_revenue"), code("economic_growth_rate"));
    let outside = Period::month(2025, 9).expect("period");
    store
        .figures(
            vec![
                BulkFigure {
                    indicator: &revenue,
                    unit: province.unit,
                    period: periods[2],
                    value: dec("5"),
                },
                BulkFigure {
                    indicator: &pop,
                    unit: units[1],
                    period: periods[1],
                    value: dec("12345"),
                },
                BulkFigure {
                    indicator: &revenue,
                    unit: units[0],
                    period: outside,
                    value: dec("9"),
                },
            ],
            &bulk_options("test"),
        )
        .expect("more");
    correct(&mut store, units[0], "-3.5");
    let mut held = FigureSnapshot::load(&store, &periods).expect("held");
    let (caught, _) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("sixth");
    same(&caught, &held);
    assert_eq!(caught.value("budget_revenue", units[0], &outside), None);
    assert_eq!(
        caught.value("economic_growth_rate", units[1], &periods[1]),
        Some(dec("12345"))
    );
    // An in-memory snapshot refreshes the same way.
    correct(&mut store, units[0], "1");
    assert!(held.refresh(&store).expect("refresh"));
    same(
        &held,
        &FigureSnapshot::load(&store, &periods).expect("direct"),
    );
    assert!(!held.refresh(&store).expect("current"));

    // Other periods get a file of their own.
    let fewer = &periods[..2];
    assert_ne!(
        FigureSnapshot::file_name(fewer),
        FigureSnapshot::file_name(&periods)
    );
    let (part, used) = FigureSnapshot::load_cached(&store, fewer, &cache).expect("fewer");
    assert!(matches!(used, CacheUse::Rebuilt { .. }));
    assert_eq!(part.periods(), fewer);
    // The file of all periods is untouched by that, and stale since the last correction.
    let (s, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("all again");
    assert!(!matches!(used, CacheUse::Reused { .. }), "{used:?}");
    same(&s, &held);
}

fn a_damaged_or_foreign_file_is_rebuilt<S: Bulk>(store: S) {
    let mut store = store;
    load(&mut store);
    let dir = tempfile::tempdir().expect("dir");
    let periods = months();
    let (good, _) = FigureSnapshot::load_cached(&store, &periods, dir.path()).expect("first");
    let path = dir.path().join(FigureSnapshot::file_name(&periods));
    let bytes = std::fs::read(&path).expect("saved");

    let rebuilt_because = |store: &S, contents: &[u8]| -> String {
        std::fs::write(&path, contents).expect("write");
        match FigureSnapshot::load_cached(store, &periods, dir.path()).expect("load") {
            (s, CacheUse::Rebuilt { why, .. }) => {
                same(&s, &good);
                why
            }
            (_, used) => panic!("a bad file was used: {used:?}"),
        }
    };
    // One flipped bit in a value.
    let mut flipped = bytes.clone();
    let at = bytes.len() - 10;
    flipped[at] ^= 0x10;
    assert!(rebuilt_because(&store, &flipped).contains("checksum"));
    // Cut short.
    assert!(rebuilt_because(&store, &bytes[..bytes.len() / 2]).contains("checksum"));
    assert!(rebuilt_because(&store, &bytes[..3]).contains("truncated"));
    // Not a snapshot at all.
    assert!(rebuilt_because(&store, b"PRAGMA journal_mode = WAL;\n").contains("does not start"));
    // A snapshot of other periods under this name.
    let other = FigureSnapshot::load(&store, &periods[..1]).expect("other");
    other.save(&path).expect("save other");
    assert!(
        rebuilt_because(&store, &std::fs::read(&path).expect("read")).contains("other periods")
    );
    // After all that, the file is good again and reused.
    let (_, used) = FigureSnapshot::load_cached(&store, &periods, dir.path()).expect("again");
    assert!(matches!(used, CacheUse::Reused { .. }), "{used:?}");

    // A folder that cannot be written: the snapshot is still returned, with the reason.
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, b"x").expect("file");
    let (s, used) = FigureSnapshot::load_cached(&store, &periods, &blocked).expect("unsaved");
    same(&s, &good);
    assert!(
        matches!(&used, CacheUse::Rebuilt { save_error: Some(e), .. } if e.contains("a-file")),
        "{used:?}"
    );
    assert!(matches!(
        FigureSnapshot::read_file(&dir.path().join("none.snap")),
        Err(SnapshotFileError::Missing { .. })
    ));
}

/// A database restored from a backup and written again can reach the very stamp a saved
/// snapshot has, with other data: the digest of the newest audit entry tells them apart.
#[test]
fn a_restored_database_with_the_same_stamp_is_not_mistaken_for_the_saved_one() {
    let (dir, mut store) = backend::sqlite(true);
    let units = load(&mut store);
    let db = dir.path().join("test.db");
    let backup = dir.path().join("backup.db");
    store
        .connection()
        .execute("VACUUM INTO ?1", [backup.to_string_lossy()])
        .expect("backup");
    let cache = dir.path().join("cache");
    let periods = months();

    correct(&mut store, units[0], "111");
    let (saved, _) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("save");
    drop(store);

    restore(&backup, &db);
    let mut store = SqliteStore::open(&db).expect("reopen");
    correct(&mut store, units[0], "222");
    assert_eq!(
        FigureSource::change_stamp(&store).expect("stamp"),
        saved.stamp(),
        "the restored database reached the saved stamp again"
    );
    let (s, used) = FigureSnapshot::load_cached(&store, &periods, &cache).expect("load");
    assert!(matches!(used, CacheUse::Rebuilt { .. }), "{used:?}");
    assert_eq!(
        s.value("budget_revenue", units[0], &periods[0]),
        Some(dec("222"))
    );
}

fn restore(backup: &Path, db: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    std::fs::copy(backup, db).expect("restore");
}

/// The default cache folder sits beside a SQLite file; PostgreSQL has none.
#[test]
fn the_default_folder_is_beside_the_sqlite_file() {
    let (dir, store) = backend::sqlite(true);
    let any = chitieu_store::AnyStore::Sqlite(store);
    assert_eq!(
        any.snapshot_dir(),
        Some(dir.path().join("test.db-snapshots"))
    );
    let memory = chitieu_store::AnyStore::Sqlite(SqliteStore::open_in_memory().expect("memory"));
    assert_eq!(memory.snapshot_dir(), None);
}

/// On PostgreSQL a transaction may take its figure row id before another one and commit after
/// it: catching up by row id would miss it. Catching up by writing transaction does not.
#[test]
fn a_late_commit_on_postgresql_is_caught_up() {
    let Some((schema, mut store)) = backend::postgres("snapshot_catch_up_late", true) else {
        return;
    };
    let units = load(&mut store);
    let periods = months();
    let dir = tempfile::tempdir().expect("dir");
    let mut late = PgStore::open_in_schema(&schema.url, Some(&schema.name)).expect("open");
    late.with_client(|c| {
        let mut tx = c.transaction()?;
        // The late transaction writes a figure (and its audit entry) first …
        tx.execute(
            "INSERT INTO figure (indicator, unit_id, period, revision, value, state, as_of,
                                 provenance, note, entered_by, entered_at, current)
             SELECT indicator, $1, '2025-M12', 1, 777, state, as_of, provenance, note,
                    'late', entered_at, true
             FROM figure WHERE indicator = 'budget_revenue' LIMIT 1",
            &[&units[1].0],
        )?;
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_key, detail)
             VALUES ('2026-01-01T00:00:00Z', 'late', 'test.late', 'figure', '', '{}')",
            &[],
        )?;
        // … another connection writes a correction and commits …
        correct(&mut store, units[0], "5");
        // … and the snapshot is saved while the late one is still open.
        let (before, _) = FigureSnapshot::load_cached(&store, &periods, dir.path())?;
        assert_eq!(before.value("budget_revenue", units[1], &periods[2]), None);
        assert_eq!(
            before.value("budget_revenue", units[0], &periods[0]),
            Some(dec("5"))
        );
        tx.commit()?;
        let (after, used) = FigureSnapshot::load_cached(&store, &periods, dir.path())?;
        assert!(
            matches!(
                used,
                CacheUse::CaughtUp {
                    figures_read: 1,
                    ..
                }
            ),
            "{used:?}"
        );
        assert_eq!(
            after.value("budget_revenue", units[1], &periods[2]),
            Some(dec("777"))
        );
        same(&after, &FigureSnapshot::load(&store, &periods)?);
        Ok(())
    })
    .expect("late transaction");
}
