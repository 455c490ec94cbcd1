//! `chitieu backup` and `chitieu restore`: a SQLite file copied with SQLite's online backup
//! API, or a portable dump (JSON lines, any backend) that restores into either backend.

use anyhow::{Context, Result, bail};
use chitieu_store::transfer;
use chitieu_store::{AnyStore, SqliteStore, Store};
use clap::{Args, ValueEnum};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A SQLite file made with the online backup API (SQLite databases only).
    Sqlite,
    /// A portable dump: JSON lines with every table and their checksums.
    Dump,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The file to write (must not exist).
    file: PathBuf,
    /// `sqlite` (the default for a SQLite database) or `dump` (the default for PostgreSQL).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A backup: a SQLite file or a dump written by `chitieu backup`.
    file: PathBuf,
}

pub fn backup(database: &str, args: &BackupArgs) -> Result<()> {
    let store = crate::open_any(database)?;
    if args.file.exists() {
        bail!(
            "tệp {} đã có (exists already): hãy sao lưu vào một tệp mới",
            args.file.display()
        );
    }
    let format = args.format.unwrap_or(match store {
        AnyStore::Sqlite(_) => Format::Sqlite,
        AnyStore::Postgres(_) => Format::Dump,
    });
    let sums = match (&store, format) {
        (AnyStore::Sqlite(s), Format::Sqlite) => {
            transfer::sqlite_backup(s, &args.file)
                .context("sao lưu trực tuyến SQLite (online backup)")?;
            let copy = AnyStore::Sqlite(SqliteStore::open(&args.file)?);
            let (a, b) = (transfer::checksums(&store)?, transfer::checksums(&copy)?);
            // Writers may have changed the live database since the snapshot; say so, but the
            // snapshot itself is consistent.
            if a != b {
                println!(
                    "(Cơ sở dữ liệu đã thay đổi trong lúc sao lưu; bản sao là ảnh chụp nhất quán tại thời điểm bắt đầu.)"
                );
            }
            b
        }
        (AnyStore::Postgres(_), Format::Sqlite) => {
            bail!(
                "--format sqlite chỉ sao lưu cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng --format dump (hoặc pg_dump)"
            )
        }
        (_, Format::Dump) => {
            let file = std::fs::File::create_new(&args.file).with_context(|| {
                format!(
                    "{}: không tạo được tệp (cannot create)",
                    args.file.display()
                )
            })?;
            let mut out = BufWriter::new(file);
            let sums = transfer::dump(&store, store.schema_version()?, &mut out)?;
            out.flush()?;
            sums
        }
    };
    let rows: u64 = sums.iter().map(|t| t.rows).sum();
    println!(
        "Đã sao lưu vào {}: {} bảng, {rows} dòng.",
        args.file.display(),
        sums.len()
    );
    Ok(())
}

fn is_sqlite_file(path: &Path) -> Result<bool> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path)
        .with_context(|| format!("{}: không mở được tệp (cannot open)", path.display()))?;
    let n = f.read(&mut head)?;
    Ok(n == 16 && &head == b"SQLite format 3\0")
}

pub fn restore(database: &str, args: &RestoreArgs) -> Result<()> {
    let mut to = crate::open_any(database)?;
    let sums = if is_sqlite_file(&args.file)? {
        let from = AnyStore::Sqlite(SqliteStore::open(&args.file)?);
        transfer::copy(&from, &mut to, &mut |_, _| {})?.tables
    } else {
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("{}: không mở được tệp (cannot open)", args.file.display()))?;
        let schema = to.schema_version()?;
        transfer::restore(&mut to, schema, BufReader::new(file))?
    };
    let rows: u64 = sums.iter().map(|t| t.rows).sum();
    println!(
        "Đã khôi phục {} vào {}: {} bảng, {rows} dòng; số dòng và mã kiểm tra khớp với bản sao lưu.",
        args.file.display(),
        chitieu_store::Location::parse(database),
        sums.len()
    );
    Ok(())
}
