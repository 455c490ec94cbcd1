//! A `FigureSnapshot` must notice every commit, including, on PostgreSQL, a transaction that
//! took its audit id before another one and commits after it: the newest audit id does not
//! move then, the change stamp (`AnyStore::change_stamp`, which the snapshot now uses) does.

mod backend;

use chitieu_core::period::Period;
use chitieu_store::snapshot::{FigureSnapshot, FigureSource};
use chitieu_store::{PgStore, Store};

fn months() -> Vec<Period> {
    [11, 12]
        .into_iter()
        .map(|m| Period::month(2025, m).expect("period"))
        .collect()
}

#[test]
fn the_snapshot_notices_a_late_commit_on_postgresql() {
    let Some((schema, store)) = backend::postgres("snapshot_late_commit", true) else {
        return;
    };
    let open = || PgStore::open_in_schema(&schema.url, Some(&schema.name)).expect("open");
    let reader = store;
    let mut writer = open();
    let mut late = open();
    late.with_client(|c| {
        let mut tx = c.transaction()?;
        // The late transaction takes its audit id first …
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_key, detail)
             VALUES ('2026-01-01T00:00:00Z', 'test', 'test.late', 'test', '', '{}')",
            &[],
        )?;
        // … another connection writes and commits a newer id …
        writer.set_setting("test.key", "1", "test")?;
        // … and the snapshot is taken while the late one is still open.
        let mut snap = FigureSnapshot::load(&reader, &months())?;
        assert!(
            snap.is_current(&reader)?,
            "nothing committed since it was taken"
        );
        let newest = reader.newest_audit_id()?;
        assert_eq!(snap.stamp(), FigureSource::change_stamp(&reader)?);
        tx.commit()?;
        assert_eq!(
            reader.newest_audit_id()?,
            newest,
            "the late entry has the smaller id, so the newest id does not move"
        );
        assert!(
            !snap.is_current(&reader)?,
            "the snapshot is stale once the late transaction commits"
        );
        assert!(snap.refresh(&reader)?, "and reloads");
        assert!(snap.is_current(&reader)?);
        assert!(
            !snap.refresh(&reader)?,
            "a current snapshot is not reloaded"
        );
        Ok(())
    })
    .expect("late transaction");
}

/// The same check on SQLite, where writers commit in the order of their audit ids: any write
/// makes the snapshot stale.
#[test]
fn the_snapshot_notices_a_write_on_sqlite() {
    let (_dir, mut store) = backend::sqlite(true);
    let mut snap = FigureSnapshot::load(&store, &months()).expect("load");
    assert!(snap.is_current(&store).expect("stamp"));
    store.set_setting("test.key", "1", "test").expect("write");
    assert!(!snap.is_current(&store).expect("stamp"));
    assert!(snap.refresh(&store).expect("refresh"));
    assert!(snap.is_current(&store).expect("stamp"));
}
