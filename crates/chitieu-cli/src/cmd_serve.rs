//! `chitieu serve`: the web application on the same database, in the same binary.

use anyhow::{Context, Result};
use clap::Args;
use std::net::SocketAddr;

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
    /// Time between passes of the reminder scheduler: 60s, 5m, 1h (a pass also runs at start).
    #[arg(long, default_value = "60s", value_parser = parse_interval)]
    pub reminder_interval: std::time::Duration,
    /// Make no reminders (no scheduler in this process).
    #[arg(long)]
    pub no_reminders: bool,
    /// Send reminders and digests by e-mail through this SMTP server:
    /// smtp://[user[:password]@]host[:port] (plain SMTP).
    #[arg(long, env = "CHITIEU_SMTP")]
    pub smtp: Option<String>,
    /// The sender of reminder e-mails: "Văn phòng <vp@example.gov.vn>" or an address.
    #[arg(long, env = "CHITIEU_MAIL_FROM", default_value = "chitieu@localhost")]
    pub mail_from: String,
    /// The address readers open the application at, for links in e-mails.
    #[arg(long, env = "CHITIEU_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Reads "90s", "5m", "1h" or a number of seconds.
fn parse_interval(s: &str) -> std::result::Result<std::time::Duration, String> {
    let s = s.trim();
    let (n, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{s}': hãy ghi khoảng thời gian như 60s, 5m hoặc 1h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(format!(
                "'{s}': hãy ghi khoảng thời gian như 60s, 5m hoặc 1h"
            ));
        }
    };
    if secs == 0 {
        return Err("khoảng cách giữa các lượt nhắc việc phải từ 1s trở lên".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

/// Serves the database until Ctrl-C, printing the address first and `then` after it.
pub fn serve(database: &str, args: &ServeArgs, then: &[String]) -> Result<()> {
    // Opening through the store brings the schema up to date and checks it is a chitieu
    // database, on either backend; several servers may share one PostgreSQL database.
    crate::open_any(database)?;
    let mut cfg = chitieu_web::Config::new(database);
    cfg.database = chitieu_store::Location::parse(database);
    cfg.secure_cookies = !args.http_cookies;
    cfg.session_hours = args.session_hours.max(1);
    if !args.no_reminders {
        let mut reminders = chitieu_web::scheduler::SchedulerConfig::new(args.reminder_interval);
        if let Some(url) = &args.smtp {
            let mut mail = chitieu_web::mail::MailConfig::parse(url, &args.mail_from)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            mail.base_url = args.public_url.clone();
            reminders.mail = Some(mail);
        }
        cfg.reminders = Some(reminders);
    }
    chitieu_web::serve_blocking(cfg, args.listen, |addr| {
        println!("chitieu đang chạy tại (serving at) http://{addr}/  — Ctrl-C để dừng (to stop)");
        for line in then {
            println!("{line}");
        }
    })
    .with_context(|| format!("không chạy được máy chủ web trên cơ sở dữ liệu {database} (serve)"))
}

pub fn run(database: &str, args: &ServeArgs) -> Result<()> {
    serve(database, args, &[])
}

#[derive(Args, Debug)]
pub struct AccountArgs {
    /// The log-in name (a-z, 0-9, '.', '_', '-').
    #[arg(long)]
    pub username: String,
    /// admin, office, reporter or viewer.
    #[arg(long)]
    pub role: String,
    /// The units the account acts on (with everything below them), separated by ';'.
    #[arg(long, default_value = "")]
    pub scope: String,
    /// The name shown on the pages; the log-in name by default.
    #[arg(long)]
    pub display_name: Option<String>,
}

/// `chitieu account`: creates a web account. The password is read from the environment
/// variable CHITIEU_PASSWORD, or else from the first line of standard input, so it never
/// appears on a command line.
pub fn run_account(database: &str, args: &AccountArgs, actor: &str) -> Result<()> {
    use chitieu_store::accounts::{NewAccount, Role, Username};
    use chitieu_store::{AccountStore, Store};
    let password = match std::env::var("CHITIEU_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("không đọc được mật khẩu từ đầu vào chuẩn (standard input)")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    chitieu_web::auth::check_password_policy(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut store = crate::open_any(database)?;
    let username = Username::new(&args.username).map_err(anyhow::Error::msg)?;
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    let today = chrono::Local::now().date_naive();
    let mut scopes = Vec::new();
    for name in args
        .scope
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        scopes.push(store.resolve_unit(name, today)?.unit);
    }
    let hash = chitieu_web::auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let a = store.create_account(
        &NewAccount {
            display_name: args
                .display_name
                .clone()
                .unwrap_or_else(|| username.to_string()),
            username,
            role,
            scopes,
            password_hash: hash,
        },
        actor,
    )?;
    println!("Đã tạo tài khoản {} ({}).", a.username, a.role.vi());
    Ok(())
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// The unit: "tỉnh Lạng Sơn", "huyện Bắc Sơn".
    #[arg(long)]
    pub unit: String,
    /// The period: 2025, 2022-H1, "6 tháng đầu năm 2022".
    #[arg(long)]
    pub period: String,
}

/// `chitieu publish`: marks figures already stored (imported, or loaded in bulk) for a unit
/// and period as approved, so the public portal shows them. Audited like any approval.
pub fn run_publish(database: &str, args: &PublishArgs, actor: &str) -> Result<()> {
    use chitieu_store::WorkflowStore;
    let mut store = crate::open_any(database)?;
    let period = chitieu_app::status::parse_period(&args.period)?;
    let unit = chitieu_app::status::resolve_for_period(&store, &args.unit, &period)?;
    store.mark_approved(unit.unit, &period, actor)?;
    println!(
        "Đã công bố {} — {} (đơn vị #{}).",
        unit.title(),
        chitieu_core::period_vi::format_period_vi(&period),
        unit.unit.0
    );
    Ok(())
}
