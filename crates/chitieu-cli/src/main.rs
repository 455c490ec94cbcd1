//! `chitieu`: the command line of the targets system.

mod cmd_backup;
mod cmd_dhis2;
mod cmd_docs;
mod cmd_extract;
mod cmd_import;
mod cmd_migrate;
mod cmd_ntm;
mod cmd_reminders;
mod cmd_report;
mod cmd_serve;
mod cmd_tasks;
mod demo;
mod progress;
mod status;
mod table;
mod units;

use anyhow::{Context, Result, bail};
use chitieu_store::{AnyStore, Location, Store};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// chitieu — theo dõi chỉ tiêu nghị quyết, số liệu thực hiện và đánh giá kết quả.
///
/// Tracks the targets of resolutions, the figures units report, and where each unit stands.
#[derive(Parser, Debug)]
#[command(name = "chitieu", version, about, long_about = None)]
struct Cli {
    /// The database: a SQLite file path (created if missing), or a PostgreSQL server
    /// `postgres://user[:password]@host[:port]/database`.
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
    /// Copy a whole database to a new one, on the same or the other backend (SQLite ↔
    /// PostgreSQL), history and audit included; counts and checksums are checked.
    Migrate(cmd_migrate::MigrateArgs),
    /// Back the database up: SQLite's online backup, or a portable dump (both backends).
    Backup(cmd_backup::BackupArgs),
    /// Restore a backup (SQLite file or dump) into a new, empty database.
    Restore(cmd_backup::RestoreArgs),
    /// List the units below one on a date, or show a unit's history.
    Units(units::UnitsArgs),
    /// List the indicator catalog, or add your own indicators from a CSV file.
    Indicators {
        /// A CSV with the catalog's columns (code, name_vi, unit, better, group,
        /// typical_phrases, and optionally aggregation, temporal, counts_units): each row is
        /// added, or replaces the indicator with the same code.
        #[arg(long)]
        import: Option<PathBuf>,
    },
    /// Show or set the evaluation thresholds (the % of plan from which a target is "cơ bản
    /// đạt", and above which it is "vượt").
    Thresholds {
        /// From this achievement (%) a target is "cơ bản đạt" (default 90).
        #[arg(long)]
        co_ban_dat_from: Option<rust_decimal::Decimal>,
        /// Strictly above this achievement (%) a target is "vượt" (default 100).
        #[arg(long)]
        vuot_from: Option<rust_decimal::Decimal>,
    },
    /// Import targets or figures from a CSV or XLSX file: all rows or none.
    Import(cmd_import::ImportArgs),
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
    /// Extract meetings, people and figures from Vietnamese reports and news articles, as JSON.
    Extract(cmd_extract::ExtractArgs),
    /// Write a review report (sơ kết, tổng kết) as PDF, DOCX, XLSX or Markdown; issue it with
    /// a document number and frozen figures; compare an issued report with the current data.
    Report(cmd_report::ReportArgs),
    /// Store documents (reports, news articles) and propose the figures they contain.
    Ingest(cmd_docs::IngestArgs),
    /// List the stored documents.
    Documents,
    /// List proposed figures, or accept, edit or reject them.
    Review(cmd_docs::ReviewArgs),
    /// List figures that disagree with each other or with the stored data.
    Check,
    /// One indicator's figures for a unit over time, each with its source sentence.
    Series(cmd_docs::SeriesArgs),
    /// Build a demo database from the seed articles' real figures, then show what to try.
    Demo(demo::DemoArgs),
    /// Serve the web application (dashboards, data entry, review, the public portal and the
    /// JSON API) on this database.
    Serve(cmd_serve::ServeArgs),
    /// Create a web account (the password from CHITIEU_PASSWORD or standard input).
    Account(cmd_serve::AccountArgs),
    /// Publish stored figures of a unit and period on the portal (mark them approved).
    Publish(cmd_serve::PublishArgs),
    /// Exchange figures with DHIS2: data value sets in JSON or CSV, through a mapping table of
    /// DHIS2 ids (map list|add|remove|import, import FILE, export -o FILE).
    Dhis2(cmd_dhis2::Dhis2Args),
    /// Key tasks (nhiệm vụ trọng tâm): add, list, report progress as the lead unit, confirm or
    /// return as the office, count ("hoàn thành 45/52 nhiệm vụ, đúng hạn 40").
    Tasks(cmd_tasks::TasksArgs),
    /// The new-rural programme (nông thôn mới): criteria sets, communes' criterion states,
    /// import, a district's summary for a year, a commune's history across the 2025 reform.
    Ntm(cmd_ntm::NtmArgs),
    /// Reminders: show or set their settings (--set JSON), run one pass now (--run).
    Reminders(cmd_reminders::RemindersArgs),
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`chitieu units … | head`) would panic
/// with "Broken pipe". A command-line tool should instead end quietly, as `cat` or `grep` do.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called first thing in `main`, before any thread starts; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHITIEU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // A server must survive a client that hangs up, so it keeps Rust's ignored SIGPIPE.
    if !matches!(cli.command, Command::Serve(_) | Command::Demo(_)) {
        restore_sigpipe();
    }
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

/// Opens the database named by `--database` on either backend: a SQLite file, or a
/// PostgreSQL server (`postgres://user@host:5432/db`).
pub fn open_any(database: &str) -> Result<AnyStore> {
    let location = Location::parse(database);
    AnyStore::open(database)
        .with_context(|| format!("không mở được cơ sở dữ liệu {location} (cannot open)"))
}

fn run(cli: Cli) -> Result<()> {
    let actor = actor(&cli.user);
    match &cli.command {
        Command::Extract(args) => cmd_extract::run(args),
        Command::Report(args) => cmd_report::run(&mut open_any(&cli.database)?, args, &actor),
        Command::Ingest(args) => cmd_docs::run_ingest(&mut open_any(&cli.database)?, args, &actor),
        Command::Documents => cmd_docs::run_documents(&open_any(&cli.database)?),
        Command::Review(args) => cmd_docs::run_review(&mut open_any(&cli.database)?, args, &actor),
        Command::Check => cmd_docs::run_check(&open_any(&cli.database)?),
        Command::Series(args) => cmd_docs::run_series(&open_any(&cli.database)?, args),
        Command::Demo(args) => demo::run(&cli.database, args),
        Command::Serve(args) => cmd_serve::run(&cli.database, args),
        Command::Account(args) => cmd_serve::run_account(&cli.database, args, &actor),
        Command::Publish(args) => cmd_serve::run_publish(&cli.database, args, &actor),
        Command::Dhis2(args) => cmd_dhis2::run(&mut open_any(&cli.database)?, args, &actor),
        Command::Tasks(args) => cmd_tasks::run(&mut open_any(&cli.database)?, args, &actor),
        Command::Ntm(args) => cmd_ntm::run(&mut open_any(&cli.database)?, args, &actor),
        Command::Reminders(args) => cmd_reminders::run(&mut open_any(&cli.database)?, args, &actor),
        Command::Migrate(args) => cmd_migrate::run(args),
        Command::Backup(args) => cmd_backup::backup(&cli.database, args),
        Command::Restore(args) => cmd_backup::restore(&cli.database, args),
        Command::Init => {
            let mut store = open_any(&cli.database)?;
            let catalog = chitieu_core::indicator::Catalog::builtin();
            let report = store.init(&catalog, &progress::Bar::new())?;
            let counts = store.counts()?;
            println!(
                "Cơ sở dữ liệu {} sẵn sàng (schema {}): {} đơn vị hành chính, {} quan hệ kế thừa, {} chỉ tiêu.",
                Location::parse(&cli.database),
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
        Command::Units(args) => units::run(&open_any(&cli.database)?, args),
        Command::Indicators { import } => {
            let mut store = open_any(&cli.database)?;
            if let Some(file) = import {
                let text = std::fs::read_to_string(file).with_context(|| {
                    format!("{}: không đọc được tệp (cannot read)", file.display())
                })?;
                let added =
                    chitieu_core::indicator::Catalog::from_csv(&text).with_context(|| {
                        format!(
                            "{}: không phải danh mục chỉ tiêu hợp lệ, chưa thêm chỉ tiêu nào",
                            file.display()
                        )
                    })?;
                for ind in &added.indicators {
                    store.upsert_indicator(ind, &actor)?;
                }
                println!(
                    "{}: {} chỉ tiêu đã được thêm hoặc cập nhật.",
                    file.display(),
                    added.indicators.len()
                );
                return Ok(());
            }
            table::print_catalog(&store.catalog()?);
            Ok(())
        }
        Command::Thresholds {
            co_ban_dat_from,
            vuot_from,
        } => {
            let mut store = open_any(&cli.database)?;
            let mut th = match chitieu_app::status::thresholds(&store) {
                Ok(th) => th,
                // A damaged setting is replaced whole when both thresholds are given.
                Err(_) if co_ban_dat_from.is_some() && vuot_from.is_some() => {
                    chitieu_core::evaluate::Thresholds::default()
                }
                Err(e) => bail!(
                    "{e}\nĐặt lại cả hai ngưỡng, ví dụ: chitieu thresholds --co-ban-dat-from 90 --vuot-from 100"
                ),
            };
            if co_ban_dat_from.is_some() || vuot_from.is_some() {
                th.co_ban_dat_from = co_ban_dat_from.unwrap_or(th.co_ban_dat_from);
                th.vuot_from = vuot_from.unwrap_or(th.vuot_from);
                if th.co_ban_dat_from > rust_decimal::Decimal::ONE_HUNDRED
                    || th.vuot_from < rust_decimal::Decimal::ONE_HUNDRED
                {
                    bail!(
                        "ngưỡng phải thoả co-ban-dat-from ≤ 100 ≤ vuot-from (đang ghi {} và {})",
                        th.co_ban_dat_from,
                        th.vuot_from
                    );
                }
                store.set_setting(
                    chitieu_app::status::THRESHOLDS_KEY,
                    &serde_json::to_string(&th)?,
                    &actor,
                )?;
            }
            println!(
                "cơ bản đạt từ {}% · vượt khi trên {}%",
                th.co_ban_dat_from, th.vuot_from
            );
            Ok(())
        }
        Command::Import(args) => cmd_import::run(&mut open_any(&cli.database)?, args, &actor),
        Command::Status(args) => status::run(&open_any(&cli.database)?, args),
        Command::History(args) => status::history(&open_any(&cli.database)?, args),
        Command::Audit { limit } => {
            let store = open_any(&cli.database)?;
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
