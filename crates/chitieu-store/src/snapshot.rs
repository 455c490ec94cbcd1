//! [`FigureSnapshot`]: the current figures of some periods held in memory as columns, for
//! reads that touch most of the database at once (a national roll-up of a year) and must not
//! pay for reading millions of rows out of the database every time.
//!
//! A snapshot is a copy, never the truth: it records the store's change stamp when it was
//! taken ([`crate::AnyStore::change_stamp`], one implementation per backend, the same the web's
//! caches use). Every write appends to the audit log in its own transaction, and the stamp
//! moves whenever such a transaction commits — on PostgreSQL also when a transaction that took
//! an older audit id commits after a newer one, which the newest audit id alone would miss. So
//! the snapshot is current exactly as long as the stamp has not moved
//! ([`FigureSnapshot::is_current`]); a caller checks that before using it and reloads
//! ([`FigureSnapshot::refresh`]) when it moved.
//!
//! Layout: per period, per indicator, one column of (unit position, exact value) pairs, sorted
//! by unit position. Unit positions index [`FigureSnapshot::units`].
//!
//! ## Saved on disk
//!
//! Reading a national year (2.4 million figures) out of SQLite takes most of a second; reading
//! the same columns from a file takes a few tens of milliseconds. [`FigureSnapshot::load_cached`]
//! keeps one file per set of periods in a cache folder (for SQLite, `<database>-snapshots/`
//! beside the database file: [`crate::AnyStore::snapshot_dir`]) and reuses it only when its
//! [`ChangeKey`] equals the store's current one: the change stamp *and* a SHA-256 digest of the
//! newest audit entry. The digest guards against a database restored from an older backup
//! whose audit ids later reach the saved stamp again with other writes. When the key moved
//! but the audit entry the file was saved at is still in the store's history, the file is
//! caught up instead of read again ([`FigureSnapshot::catch_up`]): figure rows are only ever
//! appended, so reading the current rows written after the file was made brings it up to date
//! ([`CatchUpMark`]: on SQLite, which commits writers in id order, the rows with a larger id;
//! on PostgreSQL the rows of transactions that committed after it).
//! Anything else — another history, other periods, another format version, a truncated or
//! damaged file (CRC-32 over the whole file) — makes it read the store again. The file is then
//! replaced (written to a temporary name, then renamed, so a reader never sees half a file):
//! always after reading the store again, and after catching up once the rows caught up on
//! reach [`RESAVE_AFTER_ROWS`] or 1% of the figures (below that, the next reader catching up
//! on the same few rows costs less than rewriting the file). The folder is a cache: deleting
//! it loses nothing, and backups need not include it.

use crate::{AnyStore, PgStore, Result, SqliteStore};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a snapshot is current against: the store's change stamp (which moves whenever a write
/// commits) and a digest of the newest audit entry (which tells two histories apart that reach
/// the same stamp, such as a database restored from a backup and written again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeKey {
    /// [`crate::AnyStore::change_stamp`].
    pub stamp: i64,
    /// The id of the newest audit entry (0 when there is none).
    pub newest_id: i64,
    /// SHA-256 of the newest audit entry (its id and every column); zeros when there is none.
    pub newest_entry: [u8; 32],
}

impl ChangeKey {
    /// The key of a store whose newest audit entry has id `id` and the text columns `fields`.
    pub fn new(stamp: i64, id: i64, fields: &[String]) -> ChangeKey {
        ChangeKey {
            stamp,
            newest_id: id,
            newest_entry: ChangeKey::entry_digest(id, fields),
        }
    }

    /// The digest of one audit entry: its id and text columns, each length-prefixed so
    /// ("ab", "c") and ("a", "bc") differ.
    pub fn entry_digest(id: i64, fields: &[String]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(id.to_le_bytes());
        for f in fields {
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
        }
        h.finalize().into()
    }

    /// The key of a store with an empty audit log.
    pub fn empty() -> ChangeKey {
        ChangeKey::default()
    }
}

/// What a store had committed when a snapshot was taken, to catch up from later
/// ([`FigureSnapshot::catch_up`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatchUpMark {
    /// SQLite: the newest figure row id. SQLite commits writers one at a time, so figure rows
    /// commit in the order of their ids: every row written later has a larger one.
    RowId(i64),
    /// PostgreSQL: the transaction snapshot (`pg_current_snapshot()`). Transactions take row
    /// ids before they commit, in any order, so ids cannot tell; but every transaction that
    /// commits later has an id of at least `xmax` or was in progress then (`in_progress`), and
    /// each figure row records the transaction that wrote it (migration 0009).
    Transactions { xmax: i64, in_progress: Vec<i64> },
}

impl CatchUpMark {
    fn same_kind(&self, other: &CatchUpMark) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Where a snapshot reads from: a backend's streaming read of a period's current figures and
/// its change stamp.
pub trait FigureSource {
    /// Calls `each(indicator, unit, value)` for every current figure of `period`; returns how
    /// many.
    fn stream_current_figures(
        &self,
        period: &Period,
        each: &mut dyn FnMut(&str, UnitId, Decimal),
    ) -> Result<u64>;

    /// A stamp that moves whenever a write commits (see [`crate::AnyStore::change_stamp`]):
    /// what decides whether a snapshot is current.
    fn change_stamp(&self) -> Result<i64>;

    /// The change stamp with a digest of the newest audit entry, in one query: what decides
    /// whether a snapshot saved on disk is current.
    fn change_key(&self) -> Result<ChangeKey>;

    /// The digest of the audit entry with id `id` ([`ChangeKey::entry_digest`]), when there
    /// is one: whether the history a snapshot was taken at is still the store's history.
    fn audit_entry_digest(&self, id: i64) -> Result<Option<[u8; 32]>>;

    /// What the store has committed, as a mark to catch up from later: every figure row
    /// written after it is a current row the mark can name. Figure rows are only ever
    /// appended (a correction adds a revision and marks the old one not current, in one
    /// transaction), so the figures changed since are the current rows written after the mark.
    /// None when the backend cannot say (then a stale snapshot is read again in full).
    fn catch_up_mark(&self) -> Result<Option<CatchUpMark>>;

    /// Calls `each(indicator, unit, period, value)` for every current figure written after
    /// `mark` (a mark of this backend's kind); returns how many.
    fn stream_current_figures_since(
        &self,
        mark: &CatchUpMark,
        each: &mut dyn FnMut(&str, UnitId, &str, Decimal),
    ) -> Result<u64>;
}

/// Each backend's inherent methods, as a [`FigureSource`].
macro_rules! backend_figure_source {
    ($t:ty) => {
        impl FigureSource for $t {
            fn stream_current_figures(
                &self,
                period: &Period,
                each: &mut dyn FnMut(&str, UnitId, Decimal),
            ) -> Result<u64> {
                self.for_each_current_figure(period, each)
            }
            fn change_stamp(&self) -> Result<i64> {
                <$t>::change_stamp(self)
            }
            fn change_key(&self) -> Result<ChangeKey> {
                <$t>::change_key(self)
            }
            fn audit_entry_digest(&self, id: i64) -> Result<Option<[u8; 32]>> {
                <$t>::audit_entry_digest(self, id)
            }
            fn catch_up_mark(&self) -> Result<Option<CatchUpMark>> {
                <$t>::catch_up_mark(self)
            }
            fn stream_current_figures_since(
                &self,
                mark: &CatchUpMark,
                each: &mut dyn FnMut(&str, UnitId, &str, Decimal),
            ) -> Result<u64> {
                self.for_each_current_figure_since(mark, each)
            }
        }
    };
}
backend_figure_source!(SqliteStore);
backend_figure_source!(PgStore);

impl AnyStore {
    /// The backend behind the handle, as a [`FigureSource`].
    fn figure_source(&self) -> &dyn FigureSource {
        match self {
            AnyStore::Sqlite(s) => s,
            AnyStore::Postgres(p) => p.as_ref(),
        }
    }
}

impl FigureSource for AnyStore {
    fn stream_current_figures(
        &self,
        period: &Period,
        each: &mut dyn FnMut(&str, UnitId, Decimal),
    ) -> Result<u64> {
        self.figure_source().stream_current_figures(period, each)
    }
    fn change_stamp(&self) -> Result<i64> {
        AnyStore::change_stamp(self)
    }
    fn change_key(&self) -> Result<ChangeKey> {
        self.figure_source().change_key()
    }
    fn audit_entry_digest(&self, id: i64) -> Result<Option<[u8; 32]>> {
        self.figure_source().audit_entry_digest(id)
    }
    fn catch_up_mark(&self) -> Result<Option<CatchUpMark>> {
        self.figure_source().catch_up_mark()
    }
    fn stream_current_figures_since(
        &self,
        mark: &CatchUpMark,
        each: &mut dyn FnMut(&str, UnitId, &str, Decimal),
    ) -> Result<u64> {
        self.figure_source()
            .stream_current_figures_since(mark, each)
    }
}

/// The current figures of one indicator in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// Positions in [`FigureSnapshot::units`], ascending.
    pub units: Vec<u32>,
    /// The value of each unit in `units`, at the same index.
    pub values: Vec<Decimal>,
}

/// The current figures of some periods, in memory (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct FigureSnapshot {
    periods: Vec<Period>,
    indicators: Vec<IndicatorCode>,
    indicator_index: HashMap<String, usize>,
    units: Vec<UnitId>,
    unit_index: HashMap<i64, u32>,
    /// `columns[p][i]`: period `periods[p]`, indicator `indicators[i]`.
    columns: Vec<Vec<Column>>,
    figures: u64,
    key: ChangeKey,
    /// What the store had committed when the snapshot was taken, where the backend can say
    /// ([`FigureSource::catch_up_mark`]).
    mark: Option<CatchUpMark>,
}

/// Merges changed (unit position, value) pairs, sorted by position, into a column: a unit it
/// holds takes the new value, a new unit is added in its place. Returns how many were added.
fn merge(col: &mut Column, changed: &[(u32, Decimal)]) -> u64 {
    let mut units = Vec::with_capacity(col.units.len() + changed.len());
    let mut values = Vec::with_capacity(col.units.len() + changed.len());
    let (mut a, mut b, mut added) = (0, 0, 0);
    loop {
        match (col.units.get(a), changed.get(b)) {
            (Some(&ua), Some(&(ub, vb))) if ua == ub => {
                units.push(ub);
                values.push(vb);
                a += 1;
                b += 1;
            }
            (Some(&ua), Some(&(ub, _))) if ua < ub => {
                units.push(ua);
                values.push(col.values[a]);
                a += 1;
            }
            (_, Some(&(ub, vb))) => {
                units.push(ub);
                values.push(vb);
                b += 1;
                added += 1;
            }
            (Some(&ua), None) => {
                units.push(ua);
                values.push(col.values[a]);
                a += 1;
            }
            (None, None) => break,
        }
    }
    col.units = units;
    col.values = values;
    added
}

impl FigureSnapshot {
    /// Reads the current figures of `periods` from `source`.
    pub fn load(source: &dyn FigureSource, periods: &[Period]) -> Result<FigureSnapshot> {
        FigureSnapshot::load_at(source, periods, source.change_key()?)
    }

    /// [`FigureSnapshot::load`] with the store's change key already read (before reading).
    fn load_at(
        source: &dyn FigureSource,
        periods: &[Period],
        key: ChangeKey,
    ) -> Result<FigureSnapshot> {
        let mut s = FigureSnapshot {
            periods: periods.to_vec(),
            // Both taken before reading: a write that commits while reading makes the
            // snapshot stale rather than silently half-included, and catching up re-reads
            // every row it may have added.
            key,
            mark: source.catch_up_mark()?,
            ..FigureSnapshot::default()
        };
        for period in periods {
            let mut by_indicator: Vec<Column> = vec![Column::default(); s.indicators.len()];
            let mut bad_code = None;
            s.figures += source.stream_current_figures(period, &mut |code, unit, value| {
                let i = match s.indicator_position(code) {
                    Ok(i) => i,
                    Err(e) => {
                        bad_code = Some(e);
                        return;
                    }
                };
                let u = s.unit_position(unit);
                if by_indicator.len() <= i {
                    by_indicator.resize_with(i + 1, Column::default);
                }
                let col = &mut by_indicator[i];
                col.units.push(u);
                col.values.push(value);
            })?;
            if let Some(detail) = bad_code {
                return Err(crate::StoreError::corrupt("figure indicator", detail));
            }
            for col in &mut by_indicator {
                if !col.units.is_sorted() {
                    let mut pairs: Vec<(u32, Decimal)> = col
                        .units
                        .iter()
                        .copied()
                        .zip(col.values.iter().copied())
                        .collect();
                    pairs.sort_unstable_by_key(|p| p.0);
                    (col.units, col.values) = pairs.into_iter().unzip();
                }
            }
            s.columns.push(by_indicator);
        }
        Ok(s)
    }

    /// The position of an indicator code, added when first seen.
    fn indicator_position(&mut self, code: &str) -> std::result::Result<usize, String> {
        if let Some(&i) = self.indicator_index.get(code) {
            return Ok(i);
        }
        let c = IndicatorCode::new(code).map_err(|e| format!("{code}: {e}"))?;
        self.indicators.push(c);
        self.indicator_index
            .insert(code.to_string(), self.indicators.len() - 1);
        Ok(self.indicators.len() - 1)
    }

    /// The position of a unit, added when first seen.
    fn unit_position(&mut self, unit: UnitId) -> u32 {
        *self.unit_index.entry(unit.0).or_insert_with(|| {
            self.units.push(unit);
            u32::try_from(self.units.len() - 1).unwrap_or(u32::MAX)
        })
    }

    /// Whether nothing was committed to `source` since the snapshot was taken: its change
    /// stamp has not moved (one cheap query).
    pub fn is_current(&self, source: &dyn FigureSource) -> Result<bool> {
        Ok(source.change_stamp()? == self.key.stamp)
    }

    /// Brings the snapshot up to date when something was written since it was taken: by
    /// catching up on the figures written since ([`FigureSnapshot::catch_up`]) where it can,
    /// otherwise by reading it again in full. Returns whether anything was read.
    pub fn refresh(&mut self, source: &dyn FigureSource) -> Result<bool> {
        if self.is_current(source)? {
            return Ok(false);
        }
        if self.catch_up(source)?.is_none() {
            *self = FigureSnapshot::load(source, &self.periods)?;
        }
        Ok(true)
    }

    /// Applies the figures written since the snapshot was taken, reading only the new figure
    /// rows. Returns how many rows were read, or None when catching up is not safe and the
    /// snapshot must be read again in full: the backend cannot say what it had committed
    /// ([`FigureSource::catch_up_mark`]), or the store's history no longer holds the audit
    /// entry the snapshot was taken at (a database restored from a backup, another database).
    pub fn catch_up(&mut self, source: &dyn FigureSource) -> Result<Option<u64>> {
        self.catch_up_to(source, source.change_key()?)
    }

    /// [`FigureSnapshot::catch_up`] with the store's change key already read (before reading).
    fn catch_up_to(&mut self, source: &dyn FigureSource, key: ChangeKey) -> Result<Option<u64>> {
        let Some(mark) = self.mark.clone() else {
            return Ok(None);
        };
        if self.key.newest_id == 0
            || source.audit_entry_digest(self.key.newest_id)? != Some(self.key.newest_entry)
        {
            return Ok(None);
        }
        let Some(new_mark) = source.catch_up_mark()? else {
            return Ok(None);
        };
        if !mark.same_kind(&new_mark) {
            return Ok(None);
        }
        let period_index: HashMap<String, usize> = self
            .periods
            .iter()
            .enumerate()
            .map(|(k, p)| (p.to_string(), k))
            .collect();
        // (period, indicator) → the changed (unit position, value) pairs.
        let mut changes: HashMap<(usize, usize), Vec<(u32, Decimal)>> = HashMap::new();
        let mut bad_code = None;
        let read =
            source.stream_current_figures_since(&mark, &mut |code, unit, period, value| {
                let Some(&p) = period_index.get(period) else {
                    return;
                };
                let i = match self.indicator_position(code) {
                    Ok(i) => i,
                    Err(e) => {
                        bad_code = Some(e);
                        return;
                    }
                };
                let u = self.unit_position(unit);
                changes.entry((p, i)).or_default().push((u, value));
            })?;
        if let Some(detail) = bad_code {
            return Err(crate::StoreError::corrupt("figure indicator", detail));
        }
        for ((p, i), mut changed) in changes {
            changed.sort_unstable_by_key(|c| c.0);
            // The store holds one current figure per indicator, unit and period.
            changed.dedup_by_key(|c| c.0);
            let cols = &mut self.columns[p];
            if cols.len() <= i {
                cols.resize_with(i + 1, Column::default);
            }
            self.figures += merge(&mut cols[i], &changed);
        }
        self.key = key;
        self.mark = Some(new_mark);
        Ok(Some(read))
    }

    /// The change stamp the snapshot was taken at.
    pub fn stamp(&self) -> i64 {
        self.key.stamp
    }

    /// The change key the snapshot was taken at.
    pub fn key(&self) -> ChangeKey {
        self.key
    }

    /// The periods held.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The indicators seen, in the order first seen; positions index columns.
    pub fn indicators(&self) -> &[IndicatorCode] {
        &self.indicators
    }

    /// The units seen; positions are the values of [`Column::units`].
    pub fn units(&self) -> &[UnitId] {
        &self.units
    }

    /// The number of figures held.
    pub fn figures(&self) -> u64 {
        self.figures
    }

    /// The column of one indicator in one period, when it has figures.
    pub fn column(&self, period: &Period, indicator: &str) -> Option<&Column> {
        let p = self.periods.iter().position(|q| q == period)?;
        let i = *self.indicator_index.get(indicator)?;
        self.columns.get(p)?.get(i).filter(|c| !c.units.is_empty())
    }

    /// The current value of one figure, when the snapshot holds it.
    pub fn value(&self, indicator: &str, unit: UnitId, period: &Period) -> Option<Decimal> {
        let col = self.column(period, indicator)?;
        let u = *self.unit_index.get(&unit.0)?;
        let k = col.units.binary_search(&u).ok()?;
        col.values.get(k).copied()
    }
}

// ----- saved on disk -----

/// The first bytes of a saved snapshot.
const MAGIC: &[u8; 16] = b"chitieu-figsnap\n";
/// The layout version; a file of another version is read again from the store.
const FORMAT: u32 = 1;

/// Catching a saved snapshot up on fewer figure rows than this (or than 1% of its figures)
/// leaves the file as it is ([`CacheUse::CaughtUp`]).
pub const RESAVE_AFTER_ROWS: u64 = 1_000;

/// Why a saved snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotFileError {
    #[error("{path}: no saved snapshot")]
    Missing { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a usable snapshot file: {reason}")]
    Format { path: PathBuf, reason: String },
}

/// What [`FigureSnapshot::load_cached`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// The saved file was current and was read instead of the store.
    Reused { path: PathBuf },
    /// The saved file was read and caught up on the figures written since it was saved
    /// (`figures_read` new figure rows, [`FigureSnapshot::catch_up`]). It is saved again
    /// (`saved`) once catching up reads [`RESAVE_AFTER_ROWS`] rows or 1% of its figures,
    /// whichever is more: below that, rewriting the whole file would cost the reader more than
    /// catching up on the same few rows again; `save_error` says why saving failed.
    CaughtUp {
        path: PathBuf,
        figures_read: u64,
        saved: bool,
        save_error: Option<String>,
    },
    /// The store was read, because of `why`; the file was then replaced, unless `save_error`
    /// says why it could not be (the snapshot is still good, only not saved).
    Rebuilt {
        path: PathBuf,
        why: String,
        save_error: Option<String>,
    },
}

impl fmt::Display for CacheUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheUse::Reused { path } => write!(f, "read the saved snapshot {}", path.display()),
            CacheUse::CaughtUp {
                path,
                figures_read,
                saved,
                save_error,
            } => {
                write!(
                    f,
                    "read the saved snapshot {} and {figures_read} figures written since",
                    path.display()
                )?;
                match (saved, save_error) {
                    (_, Some(e)) => write!(f, "; could not save it again: {e}"),
                    (true, None) => write!(f, ", and saved it again"),
                    (false, None) => Ok(()),
                }
            }
            CacheUse::Rebuilt {
                path,
                why,
                save_error,
            } => {
                write!(f, "read the database ({why})")?;
                match save_error {
                    None => write!(f, " and saved {}", path.display()),
                    Some(e) => write!(f, "; could not save the snapshot: {e}"),
                }
            }
        }
    }
}

impl FigureSnapshot {
    /// The file name a snapshot of `periods` is saved under in a cache folder: the first and
    /// last period and a digest of the whole list (the file holds the list itself too).
    pub fn file_name(periods: &[Period]) -> String {
        let mut h = Sha256::new();
        for p in periods {
            h.update(p.to_string().as_bytes());
            h.update(b"\n");
        }
        let digest = h.finalize();
        let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let name = |p: Option<&Period>| p.map(|p| p.to_string()).unwrap_or_default();
        format!(
            "figures-{}-{}-{hex}.snap",
            name(periods.first()),
            name(periods.last())
        )
    }

    /// The snapshot of `periods`, from the file saved in `dir` when that file is current (its
    /// [`ChangeKey`] equals the store's, one query), otherwise read from `source` and saved
    /// there for next time. Fails only when the store cannot be read: an unusable file is
    /// replaced, and a file that cannot be written is reported in the returned [`CacheUse`].
    pub fn load_cached(
        source: &dyn FigureSource,
        periods: &[Period],
        dir: &Path,
    ) -> Result<(FigureSnapshot, CacheUse)> {
        let path = dir.join(FigureSnapshot::file_name(periods));
        let key = source.change_key()?;
        let why = match FigureSnapshot::read_file(&path) {
            Ok(saved) if saved.periods != periods => {
                "the saved snapshot holds other periods".to_string()
            }
            Ok(saved) if saved.key == key => {
                return Ok((saved, CacheUse::Reused { path }));
            }
            Ok(mut saved) => match saved.catch_up_to(source, key)? {
                Some(read) => {
                    let resave = read >= RESAVE_AFTER_ROWS.max(saved.figures / 100);
                    let save_error = if resave {
                        saved.save(&path).err().map(|e| e.to_string())
                    } else {
                        None
                    };
                    return Ok((
                        saved,
                        CacheUse::CaughtUp {
                            path,
                            figures_read: read,
                            saved: resave && save_error.is_none(),
                            save_error,
                        },
                    ));
                }
                None => "the database changed since the snapshot was saved, in a way it cannot \
                         catch up on"
                    .to_string(),
            },
            Err(SnapshotFileError::Missing { .. }) => "no saved snapshot yet".to_string(),
            Err(e) => e.to_string(),
        };
        let snapshot = FigureSnapshot::load_at(source, periods, key)?;
        let save_error = std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))
            .and_then(|()| snapshot.save(&path).map_err(|e| e.to_string()))
            .err();
        Ok((
            snapshot,
            CacheUse::Rebuilt {
                path,
                why,
                save_error,
            },
        ))
    }

    /// Writes the snapshot to `path`: to a temporary file in the same folder first, then
    /// renamed over `path`, so a concurrent reader sees the old file or the new one, never a
    /// part.
    pub fn save(&self, path: &Path) -> std::result::Result<(), SnapshotFileError> {
        let io = |source| SnapshotFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let bytes = self.encode();
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp_name);
        if let Err(e) = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        Ok(())
    }

    /// Reads a snapshot saved by [`FigureSnapshot::save`], checking its format and checksum.
    /// Whether it is current is for the caller to decide ([`FigureSnapshot::key`]).
    pub fn read_file(path: &Path) -> std::result::Result<FigureSnapshot, SnapshotFileError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SnapshotFileError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(SnapshotFileError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        FigureSnapshot::decode(&bytes).map_err(|reason| SnapshotFileError::Format {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// The file layout, little-endian: magic, format, change key (stamp, newest audit id and
    /// its digest), catch-up mark (0 none; 1 and a row id; 2, xmax, a count and the transactions
    /// in progress), figure count; the periods,
    /// indicator codes (each u16 length + UTF-8) and unit ids (i64); per period its columns,
    /// each a count, the unit positions (u32) and the values (rust_decimal's 16-byte form);
    /// then a CRC-32 of everything before it.
    fn encode(&self) -> Vec<u8> {
        let values: usize = self
            .columns
            .iter()
            .flatten()
            .map(|c| c.units.len() * 20 + 4)
            .sum();
        let mut out = Vec::with_capacity(128 + values + self.units.len() * 8);
        let text = |out: &mut Vec<u8>, s: &str| {
            // Periods and indicator codes are short (IndicatorCode caps its length).
            let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
        };
        let count = |out: &mut Vec<u8>, n: usize| {
            out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        };
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&self.key.stamp.to_le_bytes());
        out.extend_from_slice(&self.key.newest_id.to_le_bytes());
        out.extend_from_slice(&self.key.newest_entry);
        match &self.mark {
            None => out.push(0),
            Some(CatchUpMark::RowId(id)) => {
                out.push(1);
                out.extend_from_slice(&id.to_le_bytes());
            }
            Some(CatchUpMark::Transactions { xmax, in_progress }) => {
                out.push(2);
                out.extend_from_slice(&xmax.to_le_bytes());
                count(&mut out, in_progress.len());
                for x in in_progress {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        out.extend_from_slice(&self.figures.to_le_bytes());
        count(&mut out, self.periods.len());
        for p in &self.periods {
            text(&mut out, &p.to_string());
        }
        count(&mut out, self.indicators.len());
        for i in &self.indicators {
            text(&mut out, i.as_str());
        }
        count(&mut out, self.units.len());
        for u in &self.units {
            out.extend_from_slice(&u.0.to_le_bytes());
        }
        for cols in &self.columns {
            count(&mut out, cols.len());
            for col in cols {
                count(&mut out, col.units.len());
                for u in &col.units {
                    out.extend_from_slice(&u.to_le_bytes());
                }
                for v in &col.values {
                    out.extend_from_slice(&v.serialize());
                }
            }
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> std::result::Result<FigureSnapshot, String> {
        let Some(body_len) = bytes.len().checked_sub(4) else {
            return Err("the file is empty or truncated".into());
        };
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err("it does not start like a chitieu snapshot".into());
        }
        let (body, crc) = bytes.split_at(body_len);
        let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32fast::hash(body) != crc {
            return Err("its checksum does not match (truncated or damaged)".into());
        }
        let mut r = Reader {
            bytes: body,
            at: MAGIC.len(),
        };
        let format = r.u32()?;
        if format != FORMAT {
            return Err(format!(
                "format version {format}, this build reads version {FORMAT}"
            ));
        }
        let stamp = r.i64()?;
        let newest_id = r.i64()?;
        let newest_entry = r.array()?;
        let mark = match r.array::<1>()?[0] {
            0 => None,
            1 => Some(CatchUpMark::RowId(r.i64()?)),
            2 => {
                let xmax = r.i64()?;
                let n = r.count()?;
                let mut in_progress = Vec::with_capacity(n.min(1 << 16));
                for _ in 0..n {
                    in_progress.push(r.i64()?);
                }
                Some(CatchUpMark::Transactions { xmax, in_progress })
            }
            other => return Err(format!("an unknown catch-up mark {other}")),
        };
        let figures = r.u64()?;
        let mut s = FigureSnapshot {
            key: ChangeKey {
                stamp,
                newest_id,
                newest_entry,
            },
            mark,
            figures,
            ..FigureSnapshot::default()
        };
        for _ in 0..r.count()? {
            let text = r.text()?;
            let p: Period = text
                .parse()
                .map_err(|e| format!("period '{text}' at byte {}: {e}", r.at))?;
            s.periods.push(p);
        }
        for k in 0..r.count()? {
            let text = r.text()?;
            let code = IndicatorCode::new(text)
                .map_err(|e| format!("indicator '{text}' at byte {}: {e}", r.at))?;
            s.indicator_index.insert(text.to_string(), k);
            s.indicators.push(code);
        }
        let n_units = r.count()?;
        for k in 0..n_units {
            let id = r.i64()?;
            let pos = u32::try_from(k).map_err(|_| "too many units".to_string())?;
            s.unit_index.insert(id, pos);
            s.units.push(UnitId(id));
        }
        let mut counted = 0u64;
        for _ in 0..s.periods.len() {
            let n_cols = r.count()?;
            if n_cols > s.indicators.len() {
                return Err(format!(
                    "{n_cols} columns in a period but {} indicators",
                    s.indicators.len()
                ));
            }
            let mut cols = Vec::with_capacity(n_cols);
            for _ in 0..n_cols {
                let n = r.count()?;
                let units: Vec<u32> = r
                    .take(n.checked_mul(4).ok_or("a column is too long")?)?
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                if units.iter().any(|&u| u as usize >= n_units) || !units.is_sorted() {
                    return Err(format!(
                        "a column's unit positions before byte {} are out of range or unsorted",
                        r.at
                    ));
                }
                let raw = r.take(n.checked_mul(16).ok_or("a column is too long")?)?;
                let mut values = Vec::with_capacity(n);
                for c in raw.chunks_exact(16) {
                    let mut b = [0u8; 16];
                    b.copy_from_slice(c);
                    // rust_decimal's flags: bit 31 the sign, bits 16..24 the scale (at most
                    // 28), every other bit zero.
                    let flags = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    if flags & 0x7F00_FFFF != 0 || (flags >> 16) & 0xFF > 28 {
                        return Err(format!("a damaged decimal before byte {}", r.at));
                    }
                    values.push(Decimal::deserialize(b));
                }
                counted += n as u64;
                cols.push(Column { units, values });
            }
            s.columns.push(cols);
        }
        if r.at != body.len() {
            return Err(format!("{} bytes left over", body.len() - r.at));
        }
        if counted != s.figures {
            return Err(format!("it says {} figures but holds {counted}", s.figures));
        }
        Ok(s)
    }
}

/// Reads the saved layout, naming the byte where it ran short.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| format!("it ends early: {n} bytes wanted at byte {}", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> std::result::Result<i64, String> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn count(&mut self) -> std::result::Result<usize, String> {
        usize::try_from(self.u32()?).map_err(|_| "a count too large for this machine".to_string())
    }
    fn text(&mut self) -> std::result::Result<&'a str, String> {
        let len = usize::from(u16::from_le_bytes(self.array()?));
        let at = self.at;
        std::str::from_utf8(self.take(len)?).map_err(|e| format!("text at byte {at}: {e}"))
    }
}
