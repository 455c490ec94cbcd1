//! `chitieu serve`: the web application on the same database, in the same binary.

use anyhow::{Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Send cookies without the Secure flag, for an intranet served over plain HTTP on an
    /// address other than localhost (browsers keep Secure cookies over HTTP on localhost only).
    #[arg(long)]
    pub http_cookies: bool,
    /// Hours a log-in lasts.
    #[arg(long, default_value_t = 8)]
    pub session_hours: i64,
}

fn database_path(database: &str) -> PathBuf {
    PathBuf::from(database.strip_prefix("sqlite:").unwrap_or(database))
}

/// Serves the database until Ctrl-C, printing the address first and `then` after it.
pub fn serve(database: &str, args: &ServeArgs, then: &[String]) -> Result<()> {
    let path = database_path(database);
    // Opening through the store brings the schema up to date and checks it is a chitieu file.
    crate::open_store(database)?;
    let mut cfg = chitieu_web::Config::new(path);
    cfg.secure_cookies = !args.http_cookies;
    cfg.session_hours = args.session_hours.max(1);
    chitieu_web::serve_blocking(cfg, args.listen, |addr| {
        println!("chitieu đang chạy tại (serving at) http://{addr}/  — Ctrl-C để dừng (to stop)");
        for line in then {
            println!("{line}");
        }
    })
    .with_context(|| format!("serving {database}"))
}

pub fn run(database: &str, args: &ServeArgs) -> Result<()> {
    serve(database, args, &[])
}
