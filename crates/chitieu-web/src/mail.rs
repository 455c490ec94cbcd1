//! E-mail through a configured SMTP server (the `lettre` crate): reminders and the daily
//! digest, in Vietnamese, with UTF-8 subjects (RFC 2047 encoded words) and plain-text bodies.
//!
//! Configured by `chitieu serve --smtp smtp://[user[:password]@]host[:port] --mail-from
//! address` (or the environment variables `CHITIEU_SMTP`, `CHITIEU_MAIL_FROM`). The connection
//! is plain SMTP, as an office relay on the local network or on the same machine offers;
//! TLS (STARTTLS, SMTPS) is not built in — point chitieu at a local relay that adds it.

use crate::WebError;
use chitieu_store::notifications::Notification;
use lettre::Transport;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;

/// Where and how to send e-mail.
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender, "Văn phòng Huyện ủy <vp@bacson.langson.gov.vn>" or a bare address.
    pub from: String,
    /// The application's address as readers reach it ("https://chitieu.bacson.gov.vn"),
    /// to put links in messages; none when not given.
    pub base_url: Option<String>,
}

impl std::fmt::Debug for MailConfig {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn percent_decode(s: &str) -> Result<String, WebError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| WebError::BadRequest(format!("--smtp: bad %-escape in '{s}'")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| WebError::BadRequest("--smtp: not UTF-8".into()))
}

impl MailConfig {
    /// Reads `smtp://[user[:password]@]host[:port]` (port 25 by default) and the sender.
    pub fn parse(url: &str, from: &str) -> Result<MailConfig, WebError> {
        let bad = |why: &str| {
            WebError::BadRequest(format!(
                "--smtp '{}': {why} (expected smtp://[user[:password]@]host[:port])",
                url.split('@').next_back().unwrap_or(url)
            ))
        };
        let rest = url
            .trim()
            .strip_prefix("smtp://")
            .ok_or_else(|| bad("only smtp:// is supported (plain SMTP; no TLS)"))?;
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| bad(&format!("'{p}' is not a port")))?,
            ),
            _ => (hostport, 25),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let (user, password) = match auth {
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)?), Some(percent_decode(p)?)),
                None => (Some(percent_decode(a)?), None),
            },
            None => (None, None),
        };
        let from = from.trim();
        from.parse::<Mailbox>()
            .map_err(|e| WebError::BadRequest(format!("--mail-from '{from}': {e}")))?;
        Ok(MailConfig {
            host: host.to_string(),
            port,
            user,
            password,
            from: from.to_string(),
            base_url: None,
        })
    }
}

/// Sends messages over one SMTP configuration. Sending blocks: call it from a blocking thread.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    base_url: Option<String>,
}

impl Mailer {
    pub fn new(cfg: &MailConfig) -> Result<Mailer, WebError> {
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| WebError::BadRequest(format!("--mail-from '{}': {e}", cfg.from)))?;
        let mut b = SmtpTransport::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(20)))
            .hello_name(ClientId::Domain(from.email.domain().to_string()));
        if let Some(user) = &cfg.user {
            b = b.credentials(Credentials::new(
                user.clone(),
                cfg.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Mailer {
            transport: b.build(),
            from,
            base_url: cfg
                .base_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_string()),
        })
    }

    /// Sends one plain-text message.
    pub fn send(&self, to: &str, to_name: &str, subject: &str, body: &str) -> Result<(), WebError> {
        let address = to
            .parse()
            .map_err(|e| WebError::BadRequest(format!("địa chỉ '{to}': {e}")))?;
        let to = Mailbox::new(Some(to_name.to_string()), address);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| WebError::Internal(format!("building an e-mail: {e}")))?;
        self.transport
            .send(&message)
            .map_err(|e| WebError::Io(format!("sending e-mail to {}: {e}", to_name)))?;
        Ok(())
    }

    /// Sends a notification to an account's address.
    pub fn send_notification(
        &self,
        n: &Notification,
        to: &str,
        to_name: &str,
    ) -> Result<(), WebError> {
        let (subject, body) = compose(n, self.base_url.as_deref());
        self.send(to, to_name, &subject, &body)
    }
}

/// The subject and body of a notification's e-mail.
pub fn compose(n: &Notification, base_url: Option<&str>) -> (String, String) {
    let subject = format!("[Theo dõi chỉ tiêu] {}", n.title);
    let mut body = String::new();
    body.push_str(&n.body);
    body.push('\n');
    if let (Some(base), Some(link)) = (base_url, n.link.as_deref()) {
        body.push_str(&format!("\nXem chi tiết: {base}{link}\n"));
    }
    body.push_str(
        "\n--\nThư do hệ thống Theo dõi chỉ tiêu gửi tự động; xin không trả lời thư này.\n",
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let c = MailConfig::parse("smtp://127.0.0.1:2525", "vp@ubnd.vn").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.user.as_deref()),
            ("127.0.0.1", 2525, None)
        );
        let c = MailConfig::parse(
            "smtp://van.phong:m%40t%20khau@mail.bacson.gov.vn",
            "Văn phòng <vp@bacson.gov.vn>",
        )
        .unwrap();
        assert_eq!(c.host, "mail.bacson.gov.vn");
        assert_eq!(c.port, 25);
        assert_eq!(c.user.as_deref(), Some("van.phong"));
        assert_eq!(c.password.as_deref(), Some("m@t khau"));
        assert!(
            !format!("{c:?}").contains("khau"),
            "the password is never printed"
        );
        for bad in [
            "smtps://mail.x.vn",
            "mail.x.vn:25",
            "smtp://:25",
            "smtp://mail.x.vn:http",
            "smtp://mail.x.vn:99999",
        ] {
            assert!(MailConfig::parse(bad, "vp@x.vn").is_err(), "{bad}");
        }
        assert!(MailConfig::parse("smtp://mail.x.vn", "không phải địa chỉ").is_err());
    }

    #[test]
    fn a_notification_as_mail() {
        let n = Notification {
            id: 1,
            account_id: 2,
            kind: "overdue".into(),
            dedupe_key: "task:4:overdue".into(),
            title: "Nhiệm vụ quá hạn: Cứng hóa đường giao thông".into(),
            body: "Nhiệm vụ «Cứng hóa đường giao thông» đã quá hạn 2 ngày.".into(),
            link: Some("/app/tasks/4".into()),
            created_at: "2026-11-25T00:00:00Z".into(),
            read_at: None,
            emailed_at: None,
        };
        let (s, b) = compose(&n, Some("https://chitieu.bacson.gov.vn"));
        assert_eq!(
            s,
            "[Theo dõi chỉ tiêu] Nhiệm vụ quá hạn: Cứng hóa đường giao thông"
        );
        assert!(b.starts_with("Nhiệm vụ «Cứng hóa đường giao thông» đã quá hạn 2 ngày.\n"));
        assert!(b.contains("Xem chi tiết: https://chitieu.bacson.gov.vn/app/tasks/4"));
        let (_, b) = compose(&n, None);
        assert!(!b.contains("Xem chi tiết"));
    }
}
