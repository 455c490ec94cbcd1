//! The reminder scheduler inside `chitieu serve`: a tokio task that makes a pass at start and
//! then every interval. A pass computes the notifications due today
//! ([`chitieu_core::remind::due`]) from the tasks, returned data sets, explanation requests and
//! reporting windows in the database, resolves each audience to accounts (role and scope),
//! stores what is not stored yet (one per account and dedupe key, so a restart, a second
//! pass or a second server process adds nothing), sends the daily digest once per account
//! and day after the digest hour, and e-mails new notifications when SMTP is configured — each
//! e-mail claimed first, so only one process sends it. A claim lasts a lease
//! ([`SchedulerConfig::claim_lease`], [`CLAIM_LEASE`] by default): a process that dies after
//! claiming and before settling leaves its e-mails claimed, and a pass after the lease (on any
//! server) claims and sends them; a sent e-mail is recorded and never claimed again.
//!
//! No database handle is held while mailing: a pass stores and claims in one step with a
//! handle of the pool ([`prepare`]), sends without one ([`send`]), and gives back the claims of
//! failed sends and records the pass in a second short step ([`settle`]). A slow or hung SMTP
//! server therefore delays only the reminders, never the web's requests.
//!
//! The clock is injected ([`Clock`]), so tests run a pass "on" any day. Days are counted in
//! Vietnam's time (UTC+7, no daylight saving).

use crate::WebError;
use crate::mail::{MailConfig, Mailer};
use chitieu_core::admin::UnitId;
use chitieu_core::remind::{self, Audience, Due, Inputs, Settings};
use chitieu_core::task::{Review, TaskEvent};
use chitieu_store::accounts::{Account, Role};
use chitieu_store::notifications::{NewNotification, Notification, SchedulerRun};
use chitieu_store::workflow::{DataSetState, WorkflowAction};
use chitieu_store::{AccountStore, NotificationStore, Store, TaskStore, WorkflowStore};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// The setting that holds the reminder settings (JSON, see [`Settings`]).
pub const SETTINGS_KEY: &str = "reminders";

/// How the scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Time between passes (the first pass runs at start).
    pub interval: std::time::Duration,
    /// E-mail, when configured.
    pub mail: Option<MailConfig>,
    pub clock: Arc<dyn Clock>,
    /// How long an e-mail claim holds: a claim neither recorded as sent nor given back within
    /// it (its process died) may be claimed again. Longer than a pass's sending can take.
    pub claim_lease: Duration,
}

/// The default [`SchedulerConfig::claim_lease`].
pub const CLAIM_LEASE: Duration = Duration::minutes(30);

impl SchedulerConfig {
    pub fn new(interval: std::time::Duration) -> SchedulerConfig {
        SchedulerConfig {
            interval,
            mail: None,
            clock: Arc::new(SystemClock),
            claim_lease: CLAIM_LEASE,
        }
    }
}

/// Where the scheduler gets the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it is told, for tests.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> FixedClock {
        FixedClock(Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Vietnam's time zone (UTC+7 all year).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub created: u32,
    pub emailed: u32,
    pub digests: u32,
    pub email_errors: Vec<String>,
}

/// The reminder settings stored in the database, or the defaults.
pub fn settings<S: Store>(store: &S) -> Result<Settings, WebError> {
    match store.setting(SETTINGS_KEY)? {
        None => Ok(Settings::default()),
        Some(text) => {
            let s: Settings = serde_json::from_str(&text)
                .map_err(|e| WebError::BadRequest(format!("setting '{SETTINGS_KEY}': {e}")))?;
            s.check().map_err(|e| WebError::BadRequest(e.to_string()))?;
            Ok(s)
        }
    }
}

fn unit_name<S: Store>(store: &S, unit: UnitId) -> String {
    store
        .unit_latest(unit)
        .map(|v| v.title())
        .unwrap_or_else(|_| format!("đơn vị #{}", unit.0))
}

fn short(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        t.to_string()
    } else {
        let cut: String = t.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// What the reminders are computed from, read from the store.
pub fn inputs<S>(store: &S, today: NaiveDate, settings: &Settings) -> Result<Inputs, WebError>
where
    S: Store + WorkflowStore + TaskStore,
{
    let mut inputs = Inputs::default();
    let oldest = today - Duration::days(i64::from(settings.lookback_days));
    for t in store.tasks(&chitieu_store::tasks::TaskFilter::default())? {
        let state = t.state(today);
        let title = short(&t.task.text, 90);
        inputs.tasks.push(remind::TaskDeadline {
            id: t.id,
            title: title.clone(),
            unit: t.task.lead,
            deadline: t.task.deadline.date(),
            finished: state.status.is_completed(),
        });
        // The review step the task waits on or just had: its last event, when that is a
        // reported completion the office has not decided on, or the office's return.
        let review = match t.events.last().map(|e| (e.id, &e.event)) {
            Some((id, TaskEvent::Report(r)))
                if r.status.is_completed() && state.awaiting_confirmation =>
            {
                Some((id, r.reported_on, None))
            }
            Some((id, TaskEvent::Review(Review::Return { on, reason }))) => {
                Some((id, *on, Some(reason.clone())))
            }
            _ => None,
        };
        if let Some((event_id, on, returned)) = review
            && on >= oldest
        {
            inputs.task_reviews.push(remind::TaskReview {
                task_id: t.id,
                event_id,
                title,
                unit: t.task.lead,
                unit_name: unit_name(store, t.task.lead),
                on,
                returned,
            });
        }
    }
    for ds in store.data_sets(Some(DataSetState::Returned))? {
        let events = store.data_set_events(ds.unit, &ds.period)?;
        let Some(e) = events
            .iter()
            .rev()
            .find(|e| matches!(e.action, WorkflowAction::Return | WorkflowAction::Reopen))
        else {
            continue;
        };
        let Some(on) = day_of(&e.at) else { continue };
        if on < oldest {
            continue;
        }
        inputs.returned.push(remind::Returned {
            event_id: e.id,
            unit: ds.unit,
            unit_name: unit_name(store, ds.unit),
            period: ds.period,
            on,
            comment: e.comment.clone(),
        });
    }
    let catalog = store.catalog()?;
    for x in store.explanations()? {
        let Some(on) = day_of(&x.asked_at) else {
            continue;
        };
        if on < oldest || x.answer.is_some() {
            continue;
        }
        inputs.explanations.push(remind::ExplanationAsked {
            id: x.id,
            indicator_name: catalog
                .get(x.indicator.as_str())
                .map(|i| i.name_vi.clone())
                .unwrap_or_else(|| x.indicator.as_str().to_string()),
            unit: x.unit,
            unit_name: unit_name(store, x.unit),
            period: x.period,
            on,
            answered: false,
        });
    }
    Ok(inputs)
}

/// The local day of a stored RFC 3339 time.
fn day_of(at: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&vietnam()).date_naive())
}

/// Whether `unit` is one of the account's scope units or lies below one (as the tree stands
/// on `on`, else as last known).
fn covers<S: Store>(store: &S, account: &Account, unit: UnitId, on: NaiveDate) -> bool {
    let mut current = Some(unit);
    for _ in 0..10 {
        let Some(u) = current else { return false };
        if account.scopes.contains(&u) {
            return true;
        }
        current = store
            .unit_on(u, on)
            .or_else(|_| store.unit_latest(u))
            .ok()
            .and_then(|v| v.parent);
    }
    false
}

/// Whether a reporter still has figures to submit for `period`: one of its scope units has no
/// data set for it, or one still being entered (draft, or returned).
fn pending<S: WorkflowStore>(
    store: &S,
    account: &Account,
    period: &chitieu_core::period::Period,
) -> bool {
    account.scopes.iter().any(|u| {
        !matches!(
            store.data_set(*u, period).ok().flatten().map(|d| d.state),
            Some(DataSetState::Submitted | DataSetState::Approved)
        )
    })
}

/// The accounts an audience names.
fn recipients<S: Store + WorkflowStore>(
    store: &S,
    accounts: &[Account],
    audience: &[Audience],
    on: NaiveDate,
) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for a in accounts.iter().filter(|a| !a.disabled) {
        let wanted = audience.iter().any(|aud| match aud {
            Audience::Unit(u) => a.role == Role::Reporter && covers(store, a, *u, on),
            Audience::Office(None) => matches!(a.role, Role::Office | Role::Admin),
            Audience::Office(Some(u)) => {
                a.role == Role::Admin
                    || (a.role == Role::Office && (a.scopes.is_empty() || covers(store, a, *u, on)))
            }
            Audience::Reporters => a.role == Role::Reporter,
            Audience::PendingReporters(p) => a.role == Role::Reporter && pending(store, a, p),
        });
        if wanted {
            out.insert(a.id);
        }
    }
    out
}

fn to_new(d: &Due, account_id: i64) -> NewNotification {
    NewNotification {
        account_id,
        kind: d.kind.key().to_string(),
        dedupe_key: d.key.clone(),
        title: d.title.clone(),
        body: d.body.clone(),
        link: Some(d.link.clone()),
    }
}

/// An e-mail a pass has claimed and is to send: the notification, the address, the name.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub notification: Notification,
    pub to: String,
    pub name: String,
}

/// What the database step of a pass did and the e-mails it claimed, to send without holding
/// a database handle.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub report: PassReport,
    pub outgoing: Vec<Outgoing>,
    /// When the e-mails were claimed: a successful send is recorded at this time.
    pub at: DateTime<Utc>,
}

/// One pass at `now`: stores due notifications, digests, and e-mails what is unsent.
///
/// The three steps of [`prepare`], [`send`] and [`settle`] on one store; the server's
/// scheduler ([`run`]) runs them with a pool handle only for the first and the last, so
/// that a slow mail server never keeps a handle from the web's requests. E-mail claims hold
/// for [`CLAIM_LEASE`] ([`pass_with_lease`] takes another).
pub fn pass<S>(
    store: &mut S,
    now: DateTime<Utc>,
    mailer: Option<&Mailer>,
) -> Result<PassReport, WebError>
where
    S: Store + AccountStore + WorkflowStore + NotificationStore + TaskStore,
{
    pass_with_lease(store, now, mailer, CLAIM_LEASE)
}

/// [`pass`] with e-mail claims that hold for `claim_lease`.
pub fn pass_with_lease<S>(
    store: &mut S,
    now: DateTime<Utc>,
    mailer: Option<&Mailer>,
    claim_lease: Duration,
) -> Result<PassReport, WebError>
where
    S: Store + AccountStore + WorkflowStore + NotificationStore + TaskStore,
{
    let prepared = prepare(store, now, mailer.is_some(), claim_lease)?;
    let sent = match mailer {
        Some(m) => send(m, &prepared.outgoing),
        None => Vec::new(),
    };
    settle(store, prepared, sent)
}

/// The database step before any mail: stores the due notifications and the digests, and,
/// when `mailing`, claims the unsent e-mails of accounts with an address (`emailed_at` set
/// where it was NULL, or held a claim older than `claim_lease` that was never settled, so
/// another process sending at the same time skips them).
pub fn prepare<S>(
    store: &mut S,
    now: DateTime<Utc>,
    mailing: bool,
    claim_lease: Duration,
) -> Result<Prepared, WebError>
where
    S: Store + AccountStore + WorkflowStore + NotificationStore + TaskStore,
{
    let settings = settings(store)?;
    let local = now.with_timezone(&vietnam()).naive_local();
    let today = local.date();
    let due = remind::due(today, &settings, &inputs(store, today, &settings)?);
    let accounts = store.accounts()?;
    let mut items = Vec::new();
    for d in &due {
        for id in recipients(store, &accounts, &d.audience, today) {
            items.push(to_new(d, id));
        }
    }
    let mut report = PassReport {
        created: u32::try_from(store.add_notifications(&items, now)?.len()).unwrap_or(u32::MAX),
        ..PassReport::default()
    };

    if let Some(day) = remind::digest_day(local, &settings) {
        report.digests = digests(store, &accounts, day, now)?;
    }

    let mut outgoing = Vec::new();
    if mailing {
        let names: BTreeMap<i64, String> = accounts
            .iter()
            .map(|a| (a.id, a.display_name.clone()))
            .collect();
        // A failure while claiming stops the claiming, not the pass: what is claimed already
        // is still sent (or its claim given back), never left claimed and unsent.
        if let Err(e) = claim_emails(store, now, claim_lease, &names, &mut outgoing) {
            report.email_errors.push(format!("claiming e-mails: {e}"));
        }
    }
    Ok(Prepared {
        report,
        outgoing,
        at: now,
    })
}

fn claim_emails<S: NotificationStore>(
    store: &mut S,
    now: DateTime<Utc>,
    claim_lease: Duration,
    names: &BTreeMap<i64, String>,
    outgoing: &mut Vec<Outgoing>,
) -> Result<(), WebError> {
    let stale_before = now - claim_lease;
    for n in store.unsent_emails(now - Duration::days(2), stale_before, 500)? {
        let Some(to) = store.email(n.account_id)? else {
            continue;
        };
        if !store.claim_email(n.id, now, stale_before)? {
            continue; // another process sends it
        }
        let name = names.get(&n.account_id).cloned().unwrap_or_default();
        outgoing.push(Outgoing {
            notification: n,
            to,
            name,
        });
    }
    Ok(())
}

/// Sends the claimed e-mails; touches no database. One outcome per e-mail, in order.
pub fn send(mailer: &Mailer, outgoing: &[Outgoing]) -> Vec<Result<(), String>> {
    outgoing
        .iter()
        .map(|o| {
            mailer
                .send_notification(&o.notification, &o.to, &o.name)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// The database step after the mail: records each e-mail sent (so it is never claimed again)
/// and gives back the claim of each that failed, so a later pass tries it again, and
/// completes the report.
pub fn settle<S>(
    store: &mut S,
    prepared: Prepared,
    sent: Vec<Result<(), String>>,
) -> Result<PassReport, WebError>
where
    S: NotificationStore,
{
    let mut report = prepared.report;
    for (o, outcome) in prepared.outgoing.iter().zip(sent) {
        match outcome {
            Ok(()) => {
                report.emailed += 1;
                // Not recorded, the claim would be taken again after the lease and the e-mail
                // sent twice: said in the report, the others still recorded.
                if let Err(r) = store.email_sent(o.notification.id, prepared.at) {
                    report.email_errors.push(format!(
                        "recording the e-mail of notification {} as sent: {r}",
                        o.notification.id
                    ));
                }
            }
            Err(e) => {
                report.email_errors.push(e);
                // Each claim is given back on its own: one that cannot be does not keep the
                // others claimed. Only this pass's claim (taken at `prepared.at`): when the
                // lease ran out meanwhile and another server claimed it, that claim is kept.
                if let Err(r) = store.release_email(o.notification.id, prepared.at) {
                    report.email_errors.push(format!(
                        "giving back the e-mail of notification {}: {r}",
                        o.notification.id
                    ));
                }
            }
        }
    }
    Ok(report)
}

/// Each account with unread notifications gets one digest notification for `day`: the list
/// of what is unread, claimed per account and day so it is made once, the claim and the
/// notification stored together (`NotificationStore::add_digest`).
fn digests<S>(
    store: &mut S,
    accounts: &[Account],
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u32, WebError>
where
    S: Store + NotificationStore,
{
    let key = remind::digest_key(day);
    let mut made = 0;
    for a in accounts.iter().filter(|a| !a.disabled) {
        let unread: Vec<_> = store
            .notifications(a.id, true, 200)?
            .into_iter()
            .filter(|n| n.kind != remind::Kind::Digest.key())
            .collect();
        if unread.is_empty() {
            continue;
        }
        let n = u32::try_from(unread.len()).unwrap_or(u32::MAX);
        let mut body = format!(
            "Kính gửi {},\n\nĐến ngày {}, anh/chị có {n} thông báo chưa đọc:\n\n",
            a.display_name,
            chitieu_text::format_date_vi(day)
        );
        for u in unread.iter().take(30) {
            body.push_str(&format!("- {}\n", u.title));
        }
        if unread.len() > 30 {
            body.push_str(&format!("- … và {} thông báo khác\n", unread.len() - 30));
        }
        let item = NewNotification {
            account_id: a.id,
            kind: remind::Kind::Digest.key().to_string(),
            dedupe_key: key.clone(),
            title: format!(
                "Tổng hợp ngày {}: {n} thông báo chưa đọc",
                chitieu_text::format_date_vi(day)
            ),
            body,
            link: Some("/app/notifications".to_string()),
        };
        // The claim and the notification in one transaction: a crash between them cannot
        // lose the day's digest. `None`: another pass or server made it.
        if store.add_digest(day, n, &item, now)?.is_some() {
            made += 1;
        }
    }
    Ok(made)
}

/// Runs passes until the process ends: one at once, then one per interval. A pass that did
/// something or failed is recorded (`scheduler_run`); errors are logged, never fatal.
pub async fn run(app: Arc<crate::App>, cfg: SchedulerConfig) {
    let mailer = match cfg.mail.as_ref().map(Mailer::new).transpose() {
        Ok(m) => m.map(Arc::new),
        Err(e) => {
            tracing::error!("reminders: e-mail disabled: {e}");
            None
        }
    };
    let mut tick = tokio::time::interval(cfg.interval.max(std::time::Duration::from_millis(100)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let outcome = one_pass(&app, cfg.clock.now(), cfg.claim_lease, mailer.clone()).await;
        match outcome {
            Ok(r) => {
                if r.created + r.emailed + r.digests > 0 {
                    tracing::info!(
                        "reminders: {} new, {} e-mailed, {} digests",
                        r.created,
                        r.emailed,
                        r.digests
                    );
                }
                for e in r.email_errors {
                    tracing::warn!("reminders: {e}");
                }
            }
            Err(e) => tracing::error!("reminders: pass failed: {e}"),
        }
    }
}

/// One pass of the server's scheduler: a pool handle to store the notifications and claim
/// the e-mails, none while mailing (SMTP may be slow or hang: up to the mailer's timeout per
/// message), a handle again to give back failed claims and record the pass.
async fn one_pass(
    app: &Arc<crate::App>,
    now: DateTime<Utc>,
    claim_lease: Duration,
    mailer: Option<Arc<Mailer>>,
) -> Result<PassReport, WebError> {
    let mailing = mailer.is_some();
    let prepared = app
        .db
        .run(move |s| Ok(prepare(s, now, mailing, claim_lease)))
        .await?;
    let sent = match (&prepared, mailer) {
        (Ok(p), Some(m)) if !p.outgoing.is_empty() => {
            let outgoing = p.outgoing.clone();
            tokio::task::spawn_blocking(move || send(&m, &outgoing))
                .await
                .map_err(|e| WebError::Internal(format!("sending e-mail: {e}")))?
        }
        _ => Vec::new(),
    };
    app.db
        .run(move |s| {
            let r = prepared.and_then(|p| settle(s, p, sent));
            let (created, emailed, digests, error) = match &r {
                Ok(p) => (
                    p.created,
                    p.emailed,
                    p.digests,
                    (!p.email_errors.is_empty()).then(|| p.email_errors.join("; ")),
                ),
                Err(e) => (0, 0, 0, Some(e.to_string())),
            };
            if created + emailed + digests > 0 || error.is_some() {
                let finished = Utc::now().max(now);
                s.record_run(&SchedulerRun {
                    id: 0,
                    started_at: chitieu_stamp(now),
                    finished_at: chitieu_stamp(finished),
                    created,
                    emailed,
                    digests,
                    error,
                })?;
            }
            r
        })
        .await
}

fn chitieu_stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
