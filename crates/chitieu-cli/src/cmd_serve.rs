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
    /// Minutes an e-mail claim holds (30 by default): a reminder e-mail claimed by a server
    /// that stopped before sending it or giving it back is sent by another pass after this
    /// long. Longer than a pass's mailing can take; from 1 to 1440 (a day).
    #[arg(long, env = "CHITIEU_EMAIL_CLAIM_LEASE", value_name = "MINUTES", value_parser = parse_lease)]
    pub email_claim_lease: Option<chrono::Duration>,
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

/// The longest e-mail claim lease accepted: a day. A longer one would hold a reminder whose
/// server stopped for days, which is no longer a reminder.
const MAX_LEASE_MINUTES: i64 = 24 * 60;

/// Reads the e-mail claim lease: whole minutes from 1 to [`MAX_LEASE_MINUTES`].
fn parse_lease(s: &str) -> std::result::Result<chrono::Duration, String> {
    let s = s.trim();
    let n: i64 = s.parse().map_err(|_| {
        format!("'{s}': hãy ghi thời hạn giữ thư bằng số phút nguyên, ví dụ 30 (minutes)")
    })?;
    if n < 1 {
        return Err(format!(
            "'{s}': thời hạn giữ thư phải từ 1 phút trở lên; với 0, mọi thư đang gửi dở có thể bị \
             máy chủ khác nhận gửi lại ngay (at least 1 minute)"
        ));
    }
    if n > MAX_LEASE_MINUTES {
        return Err(format!(
            "'{s}': thời hạn giữ thư dài nhất là {MAX_LEASE_MINUTES} phút (1 ngày); thư của một \
             máy chủ đã dừng sẽ phải chờ chừng ấy mới được gửi (at most {MAX_LEASE_MINUTES} minutes)"
        ));
    }
    Ok(chrono::Duration::minutes(n))
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
        if let Some(lease) = args.email_claim_lease {
            reminders.claim_lease = lease;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn lease(args: &[&str]) -> std::result::Result<Option<chrono::Duration>, String> {
        Serve::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .map(|s| s.args.email_claim_lease)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_email_claim_lease_is_read_in_minutes_within_a_day() {
        let minutes = chrono::Duration::minutes;
        for (given, want) in [("1", 1), ("45", 45), (" 90 ", 90), ("1440", 1440)] {
            assert_eq!(
                lease(&["--email-claim-lease", given]),
                Ok(Some(minutes(want))),
                "{given}"
            );
        }
        // Not given: the scheduler's own default (`SchedulerConfig::claim_lease`) is kept.
        if std::env::var_os("CHITIEU_EMAIL_CLAIM_LEASE").is_none() {
            assert_eq!(lease(&[]), Ok(None));
        }
        for (given, says) in [
            ("0", "từ 1 phút trở lên"),
            ("-5", "từ 1 phút trở lên"),
            ("1441", "dài nhất là 1440 phút"),
            ("99999999", "dài nhất là 1440 phút"),
            ("30m", "số phút nguyên"),
            ("", "số phút nguyên"),
        ] {
            let e = lease(&[&format!("--email-claim-lease={given}")]).expect_err(given);
            assert!(
                e.contains("--email-claim-lease") && e.contains(says),
                "{given}: {e}"
            );
        }
    }
}
