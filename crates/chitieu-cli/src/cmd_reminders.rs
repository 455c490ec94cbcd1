//! `chitieu reminders`: show or set the reminder settings, and run one pass of the scheduler
//! now (as `chitieu serve` does every `--reminder-interval`).

use anyhow::{Context, Result, anyhow};
use chitieu_store::{AnyStore, NotificationStore, Store};
use clap::Args;

#[derive(Args, Debug)]
pub struct RemindersArgs {
    /// Replace the settings with this JSON (missing fields take their defaults), e.g.
    /// '{"deadline_days":[14,7,1],"closing_days":[3],"digest_hour":7}'.
    #[arg(long)]
    pub set: Option<String>,
    /// Run one pass now: store the notifications due today and the digests.
    #[arg(long)]
    pub run: bool,
    /// With --run: also e-mail new notifications through this SMTP server
    /// (smtp://[user[:password]@]host[:port]).
    #[arg(long, env = "CHITIEU_SMTP", requires = "run")]
    pub smtp: Option<String>,
    /// The sender of the e-mails.
    #[arg(long, env = "CHITIEU_MAIL_FROM", default_value = "chitieu@localhost")]
    pub mail_from: String,
}

pub fn run(store: &mut AnyStore, args: &RemindersArgs, actor: &str) -> Result<()> {
    use chitieu_web::scheduler;
    if let Some(text) = &args.set {
        let s: chitieu_core::remind::Settings = serde_json::from_str(text).map_err(|e| {
            anyhow!("--set: cài đặt nhắc việc không hợp lệ (invalid settings): {e}")
        })?;
        s.check().map_err(|e| anyhow!("--set: {e}"))?;
        let canonical = serde_json::to_string(&s)?;
        store.set_setting(scheduler::SETTINGS_KEY, &canonical, actor)?;
        println!("Đã lưu cài đặt nhắc việc.");
    }
    let settings = scheduler::settings(store).map_err(|e| anyhow!("{e}"))?;
    println!(
        "Cài đặt nhắc việc (reminder settings):\n{}",
        serde_json::to_string_pretty(&settings)?
    );
    if args.run {
        let mailer = match &args.smtp {
            Some(url) => {
                let cfg = chitieu_web::mail::MailConfig::parse(url, &args.mail_from)
                    .map_err(|e| anyhow!("{e}"))?;
                Some(chitieu_web::mail::Mailer::new(&cfg).map_err(|e| anyhow!("{e}"))?)
            }
            None => None,
        };
        let r = scheduler::pass(store, chrono::Utc::now(), mailer.as_ref())
            .map_err(|e| anyhow!("{e}"))
            .context("không chạy được lượt nhắc việc (reminders)")?;
        println!(
            "Đã tạo {} thông báo, {} bản tổng hợp, gửi {} thư.",
            r.created, r.digests, r.emailed
        );
        for e in &r.email_errors {
            eprintln!("lỗi gửi thư: {e}");
        }
    }
    let runs = store.runs(5)?;
    if !runs.is_empty() {
        println!("Các lượt nhắc việc gần đây (recent scheduler passes):");
        for r in runs {
            println!(
                "  {}  {} thông báo, {} tổng hợp, {} thư{}",
                r.started_at,
                r.created,
                r.digests,
                r.emailed,
                r.error.map(|e| format!(" — lỗi: {e}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}
