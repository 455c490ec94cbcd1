//! `chitieu`: the command line of the targets system.

// EXTRACT-MOD
mod demo;
mod display;
mod import;
mod progress;
mod status;
mod units;

use anyhow::{Context, Result, bail};
use chitieu_store::{SqliteStore, Store};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// chitieu — theo dõi chỉ tiêu nghị quyết, số liệu thực hiện và đánh giá kết quả.
///
/// Tracks the targets of resolutions, the figures units report, and where each unit stands.
#[derive(Parser, Debug)]
#[command(name = "chitieu", version, about, long_about = None)]
struct Cli {
    /// The database: a SQLite file path (created if missing).
    #[arg(
        long,
        global = true,
        env = "CHITIEU_DATABASE",
        default_value = "chitieu.db"
    )]
    database: String,

    /// Who is making the change, recorded in the audit log.
    #[arg(long, global = true, env = "CHITIEU_USER")]
    user: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the database and load the national unit list and the indicator catalog.
    Init,
    /// List the units below one on a date, or show a unit's history.
    Units(units::UnitsArgs),
    /// List the indicator catalog.
    Indicators,
    /// Import targets or figures from a CSV or XLSX file: all rows or none.
    Import(import::ImportArgs),
    /// Where a unit stands against its targets for a period.
    Status(status::StatusArgs),
    /// Every revision of one figure, with who entered it and where it came from.
    History(status::HistoryArgs),
    /// The newest entries of the audit log.
    Audit {
        /// How many entries to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    // EXTRACT-CMD
    /// Build a demo database from the seed articles' real figures, then show what to try.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHITIEU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi (error): {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  do (because): {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The actor recorded in the audit log.
fn actor(cli_user: &Option<String>) -> String {
    cli_user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| !u.trim().is_empty())
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|| "cli".to_string())
}

/// Opens the database named by `--database`.
pub fn open_store(database: &str) -> Result<SqliteStore> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        bail!(
            "'{database}': the PostgreSQL backend is not part of this build yet; use a SQLite file path"
        );
    }
    let path = PathBuf::from(database.strip_prefix("sqlite:").unwrap_or(database));
    SqliteStore::open(&path).with_context(|| format!("opening the database {}", path.display()))
}

fn run(cli: Cli) -> Result<()> {
    let actor = actor(&cli.user);
    match &cli.command {
        // EXTRACT-RUN
        Command::Demo(args) => demo::run(&cli.database, args),
        Command::Init => {
            let mut store = open_store(&cli.database)?;
            let catalog = chitieu_core::indicator::Catalog::builtin();
            let report = store.init(&catalog, &progress::Bar::new())?;
            let counts = store.counts()?;
            println!(
                "Cơ sở dữ liệu {} sẵn sàng (schema {}): {} đơn vị hành chính, {} quan hệ kế thừa, {} chỉ tiêu.",
                cli.database,
                store.schema_version()?,
                counts.units,
                counts.successions,
                counts.indicators
            );
            if report.units_loaded == 0 && report.indicators_loaded == 0 {
                println!("(Đã khởi tạo từ trước; không có gì thay đổi.)");
            }
            Ok(())
        }
        Command::Units(args) => units::run(&open_store(&cli.database)?, args),
        Command::Indicators => {
            let store = open_store(&cli.database)?;
            display::print_catalog(&store.catalog()?);
            Ok(())
        }
        Command::Import(args) => import::run(&mut open_store(&cli.database)?, args, &actor),
        Command::Status(args) => status::run(&open_store(&cli.database)?, args),
        Command::History(args) => status::history(&open_store(&cli.database)?, args),
        Command::Audit { limit } => {
            let store = open_store(&cli.database)?;
            for e in store.audit_log(*limit)? {
                println!(
                    "{}  {:<14} {:<20} {} {}  {}",
                    e.at, e.actor, e.action, e.entity, e.entity_key, e.detail
                );
            }
            Ok(())
        }
    }
}
