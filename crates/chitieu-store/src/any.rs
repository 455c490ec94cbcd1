//! [`AnyStore`]: one of the backends, chosen at run time from the `--database` value, behind
//! the same interfaces. Callers written against `impl Store + DocumentStore` take it as is.

use crate::documents::*;
use crate::{
    ApplyReport, AuditEntry, Batch, Counts, InitReport, PgStore, Progress, Result, SqliteStore,
    Store, UnitHistory,
};
use chitieu_core::admin::{UnitId, UnitKind, UnitVersion};
use chitieu_core::figure::FigureRevision;
use chitieu_core::indicator::{Catalog, Indicator};
use chitieu_core::org::Organisation;
use chitieu_core::period::Period;
use chitieu_core::target::{PlanSource, Target};
use chrono::NaiveDate;
use std::path::Path;

/// A store on either backend.
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(Box<PgStore>),
}

/// Which backend a `--database` value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// A file path, optionally written `sqlite:PATH`.
    Sqlite(std::path::PathBuf),
}

impl Location {
    pub fn parse(database: &str) -> Location {
        if crate::postgres::is_postgres_url(database) {
            Location::Postgres(database.to_string())
        } else {
            let path = database.strip_prefix("sqlite://").unwrap_or(database);
            let path = path.strip_prefix("sqlite:").unwrap_or(path);
            Location::Sqlite(path.into())
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Never print a password that the URL may carry.
            Location::Postgres(url) => match url.split_once('@') {
                Some((creds, rest)) if creds.contains(':') && creds.matches(':').count() > 1 => {
                    let user = creds.rsplit_once(':').map(|(u, _)| u).unwrap_or(creds);
                    write!(f, "{user}:***@{rest}")
                }
                _ => f.write_str(url),
            },
            Location::Sqlite(p) => write!(f, "{}", p.display()),
        }
    }
}

impl AnyStore {
    /// Opens the database a `--database` value names: a SQLite file (created if missing) or a
    /// PostgreSQL server, bringing its schema up to date.
    pub fn open(database: &str) -> Result<AnyStore> {
        match Location::parse(database) {
            Location::Postgres(url) => Ok(AnyStore::Postgres(Box::new(PgStore::open(&url)?))),
            Location::Sqlite(path) => Ok(AnyStore::Sqlite(SqliteStore::open(Path::new(&path))?)),
        }
    }

    /// "SQLite" or "PostgreSQL".
    pub fn backend_name(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "SQLite",
            AnyStore::Postgres(_) => "PostgreSQL",
        }
    }

    /// The newest audit entry's id (0 on an empty log). Every write appends to the log in its
    /// transaction, so this changes with every write, whichever process made it: the web
    /// caches what it built from the database under it.
    pub fn newest_audit_id(&self) -> Result<i64> {
        match self {
            AnyStore::Sqlite(s) => s.newest_audit_id(),
            AnyStore::Postgres(s) => s.newest_audit_id(),
        }
    }

    /// A stamp that changes whenever a write commits, by this process or another one: for
    /// caches of what was read. On SQLite, writers commit one at a time in the order of their
    /// audit ids, so the newest id is enough. On PostgreSQL, concurrent transactions take ids
    /// first and commit later, in any order: a reader may see id 11 committed while id 10's
    /// transaction is still open, and the newest id would not move when 10 commits. The stamp
    /// therefore also counts the entries among the last 1024 ids, which changes when such a
    /// late transaction commits. One implementation per backend, shared with
    /// [`crate::snapshot::FigureSnapshot`]'s freshness check.
    pub fn change_stamp(&self) -> Result<i64> {
        match self {
            AnyStore::Sqlite(s) => s.change_stamp(),
            AnyStore::Postgres(s) => s.change_stamp(),
        }
    }

    /// Where [`crate::snapshot::FigureSnapshot::load_cached`] keeps its files by default: for
    /// a SQLite file `X.db`, the folder `X.db-snapshots` beside it (like SQLite's own `-wal`
    /// and `-shm` files). None for an in-memory database and for PostgreSQL, whose servers
    /// are not on the reader's disk: callers pass a folder of their own there.
    pub fn snapshot_dir(&self) -> Option<std::path::PathBuf> {
        match self {
            AnyStore::Sqlite(s) => {
                let path = s.connection().path().filter(|p| !p.is_empty())?;
                Some(std::path::PathBuf::from(format!("{path}-snapshots")))
            }
            AnyStore::Postgres(_) => None,
        }
    }

    /// Units that set plans or have a data set (at most `limit`), for pickers.
    pub fn units_with_plans_or_data_sets(&self, limit: usize) -> Result<Vec<UnitId>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match self {
            AnyStore::Sqlite(s) => {
                let mut stmt = s.connection().prepare_cached(
                    "SELECT unit_id FROM plan_source UNION SELECT unit_id FROM data_set LIMIT ?1",
                )?;
                let rows = stmt.query_map([limit], |r| r.get::<_, i64>(0))?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(UnitId(r?));
                }
                Ok(out)
            }
            AnyStore::Postgres(s) => s
                .select(
                    "SELECT unit_id FROM plan_source UNION SELECT unit_id FROM data_set LIMIT $1",
                    &[&limit],
                )?
                .iter()
                .map(|r| Ok(UnitId(r.try_get::<_, i64>(0)?)))
                .collect(),
        }
    }

    /// The periods (as stored) in which a unit has current figures, targets or a data set.
    pub fn periods_of_unit(&self, unit: UnitId) -> Result<Vec<String>> {
        match self {
            AnyStore::Sqlite(s) => {
                let mut stmt = s.connection().prepare_cached(
                    "SELECT period FROM figure WHERE unit_id = ?1 AND current = 1
                     UNION SELECT period FROM target WHERE unit_id = ?1
                     UNION SELECT period FROM data_set WHERE unit_id = ?1",
                )?;
                let rows = stmt.query_map([unit.0], |r| r.get::<_, String>(0))?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(r?);
                }
                Ok(out)
            }
            AnyStore::Postgres(s) => s
                .select(
                    "SELECT period FROM figure WHERE unit_id = $1 AND current
                     UNION SELECT period FROM target WHERE unit_id = $1
                     UNION SELECT period FROM data_set WHERE unit_id = $1",
                    &[&unit.0],
                )?
                .iter()
                .map(|r| Ok(r.try_get::<_, String>(0)?))
                .collect(),
        }
    }
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $e,
            AnyStore::Postgres($s) => $e,
        }
    };
}

impl Store for AnyStore {
    fn init(&mut self, catalog: &Catalog, progress: &dyn Progress) -> Result<InitReport> {
        both!(self, s => s.init(catalog, progress))
    }
    fn schema_version(&self) -> Result<u32> {
        both!(self, s => s.schema_version())
    }
    fn resolve_unit(&self, name: &str, on: NaiveDate) -> Result<UnitVersion> {
        both!(self, s => s.resolve_unit(name, on))
    }
    fn unit_on(&self, unit: UnitId, on: NaiveDate) -> Result<UnitVersion> {
        both!(self, s => s.unit_on(unit, on))
    }
    fn unit_latest(&self, unit: UnitId) -> Result<UnitVersion> {
        both!(self, s => s.unit_latest(unit))
    }
    fn children_on(&self, parent: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        both!(self, s => s.children_on(parent, on))
    }
    fn descendants_on(&self, unit: UnitId, on: NaiveDate) -> Result<Vec<UnitVersion>> {
        both!(self, s => s.descendants_on(unit, on))
    }
    fn unit_history(&self, name: &str) -> Result<Vec<UnitHistory>> {
        both!(self, s => s.unit_history(name))
    }
    fn upsert_organisation(&mut self, org: &Organisation, actor: &str) -> Result<i64> {
        both!(self, s => s.upsert_organisation(org, actor))
    }
    fn organisations(&self, unit: UnitId) -> Result<Vec<Organisation>> {
        both!(self, s => s.organisations(unit))
    }
    fn catalog(&self) -> Result<Catalog> {
        both!(self, s => s.catalog())
    }
    fn upsert_indicator(&mut self, indicator: &Indicator, actor: &str) -> Result<()> {
        both!(self, s => s.upsert_indicator(indicator, actor))
    }
    fn apply(&mut self, batch: &Batch, actor: &str) -> Result<ApplyReport> {
        both!(self, s => s.apply(batch, actor))
    }
    fn plan_sources(&self) -> Result<Vec<PlanSource>> {
        both!(self, s => s.plan_sources())
    }
    fn targets_for(&self, unit: UnitId, year: i32) -> Result<Vec<Target>> {
        both!(self, s => s.targets_for(unit, year))
    }
    fn current_figure(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Option<FigureRevision>> {
        both!(self, s => s.current_figure(indicator, unit, period))
    }
    fn current_figures(&self, units: &[UnitId], period: &Period) -> Result<Vec<FigureRevision>> {
        both!(self, s => s.current_figures(units, period))
    }
    fn figure_series(&self, indicator: &str, unit: UnitId) -> Result<Vec<FigureRevision>> {
        both!(self, s => s.figure_series(indicator, unit))
    }
    fn figure_history(
        &self,
        indicator: &str,
        unit: UnitId,
        period: &Period,
    ) -> Result<Vec<FigureRevision>> {
        both!(self, s => s.figure_history(indicator, unit, period))
    }
    fn count_units(&self, parent: UnitId, kind: UnitKind, on: NaiveDate) -> Result<u32> {
        both!(self, s => s.count_units(parent, kind, on))
    }
    fn setting(&self, key: &str) -> Result<Option<String>> {
        both!(self, s => s.setting(key))
    }
    fn set_setting(&mut self, key: &str, value: &str, actor: &str) -> Result<()> {
        both!(self, s => s.set_setting(key, value, actor))
    }
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        both!(self, s => s.audit_log(limit))
    }
    fn counts(&self) -> Result<Counts> {
        both!(self, s => s.counts())
    }
}

impl DocumentStore for AnyStore {
    fn add_document_with_tasks(
        &mut self,
        doc: &NewDocument,
        tasks: &[NewDocumentTask],
        actor: &str,
    ) -> Result<DocumentAdded> {
        both!(self, s => s.add_document_with_tasks(doc, tasks, actor))
    }
    fn document(&self, id: i64) -> Result<StoredDocument> {
        both!(self, s => s.document(id))
    }
    fn documents(&self) -> Result<Vec<StoredDocument>> {
        both!(self, s => s.documents())
    }
    fn proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<Proposal>> {
        both!(self, s => s.proposals(document, state))
    }
    fn proposal(&self, id: i64) -> Result<Proposal> {
        both!(self, s => s.proposal(id))
    }
    fn review(
        &mut self,
        id: i64,
        decision: &Decision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<Proposal> {
        both!(self, s => s.review(id, decision, note, actor))
    }
}

impl crate::sqlite::ReportStore for AnyStore {
    fn issue_report(
        &mut self,
        req: &crate::sqlite::IssueRequest,
        actor: &str,
    ) -> Result<crate::sqlite::IssuedReport> {
        both!(self, s => s.issue_report(req, actor))
    }
    fn issued_report(&self, id: i64) -> Result<Option<crate::sqlite::IssuedReport>> {
        both!(self, s => s.issued_report(id))
    }
    fn issued_reports(&self, unit: UnitId) -> Result<Vec<crate::sqlite::IssuedReport>> {
        both!(self, s => s.issued_reports(unit))
    }
}

impl crate::AccountStore for AnyStore {
    fn create_account(
        &mut self,
        account: &crate::accounts::NewAccount,
        actor: &str,
    ) -> Result<crate::accounts::Account> {
        both!(self, s => s.create_account(account, actor))
    }
    fn account(&self, id: i64) -> Result<crate::accounts::Account> {
        both!(self, s => s.account(id))
    }
    fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<(crate::accounts::Account, String)>> {
        both!(self, s => s.account_by_username(username))
    }
    fn accounts(&self) -> Result<Vec<crate::accounts::Account>> {
        both!(self, s => s.accounts())
    }
    fn set_password(&mut self, id: i64, password_hash: &str, actor: &str) -> Result<()> {
        both!(self, s => s.set_password(id, password_hash, actor))
    }
    fn update_account(
        &mut self,
        id: i64,
        role: crate::accounts::Role,
        scopes: &[UnitId],
        disabled: bool,
        actor: &str,
    ) -> Result<crate::accounts::Account> {
        both!(self, s => s.update_account(id, role, scopes, disabled, actor))
    }
    fn record_login_failure(
        &mut self,
        id: i64,
        now: chrono::DateTime<chrono::Utc>,
        lock_after: u32,
        lock_for: chrono::Duration,
    ) -> Result<crate::accounts::LoginFailure> {
        both!(self, s => s.record_login_failure(id, now, lock_after, lock_for))
    }
    fn open_session(
        &mut self,
        id: i64,
        token_sha256: &str,
        csrf: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        both!(self, s => s.open_session(id, token_sha256, csrf, expires_at))
    }
    fn session(
        &self,
        token_sha256: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<crate::accounts::SessionInfo>> {
        both!(self, s => s.session(token_sha256, now))
    }
    fn close_session(&mut self, token_sha256: &str, actor: &str) -> Result<()> {
        both!(self, s => s.close_session(token_sha256, actor))
    }
    fn create_api_token(
        &mut self,
        account_id: i64,
        name: &str,
        token_sha256: &str,
        actor: &str,
    ) -> Result<crate::accounts::ApiTokenInfo> {
        both!(self, s => s.create_api_token(account_id, name, token_sha256, actor))
    }
    fn account_for_token(&self, token_sha256: &str) -> Result<Option<crate::accounts::Account>> {
        both!(self, s => s.account_for_token(token_sha256))
    }
    fn api_tokens(&self, account_id: i64) -> Result<Vec<crate::accounts::ApiTokenInfo>> {
        both!(self, s => s.api_tokens(account_id))
    }
    fn revoke_api_token(&mut self, id: i64, actor: &str) -> Result<()> {
        both!(self, s => s.revoke_api_token(id, actor))
    }
}

impl crate::WorkflowStore for AnyStore {
    fn data_set(&self, unit: UnitId, period: &Period) -> Result<Option<crate::workflow::DataSet>> {
        both!(self, s => s.data_set(unit, period))
    }
    fn data_sets(
        &self,
        state: Option<crate::workflow::DataSetState>,
    ) -> Result<Vec<crate::workflow::DataSet>> {
        both!(self, s => s.data_sets(state))
    }
    fn draft_values(
        &self,
        unit: UnitId,
        period: &Period,
    ) -> Result<Vec<crate::workflow::DraftValue>> {
        both!(self, s => s.draft_values(unit, period))
    }
    fn data_set_events(
        &self,
        unit: UnitId,
        period: &Period,
    ) -> Result<Vec<crate::workflow::DataSetEvent>> {
        both!(self, s => s.data_set_events(unit, period))
    }
    fn save_draft(
        &mut self,
        unit: UnitId,
        period: &Period,
        entries: &[crate::workflow::DraftEntry],
        actor: &str,
    ) -> Result<crate::workflow::DataSet> {
        both!(self, s => s.save_draft(unit, period, entries, actor))
    }
    fn submit(
        &mut self,
        unit: UnitId,
        period: &Period,
        actor: &str,
    ) -> Result<crate::workflow::DataSet> {
        both!(self, s => s.submit(unit, period, actor))
    }
    fn approve(
        &mut self,
        unit: UnitId,
        period: &Period,
        actor: &str,
    ) -> Result<crate::workflow::DataSet> {
        both!(self, s => s.approve(unit, period, actor))
    }
    fn return_for_correction(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<crate::workflow::DataSet> {
        both!(self, s => s.return_for_correction(unit, period, comment, actor))
    }
    fn reopen(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<crate::workflow::DataSet> {
        both!(self, s => s.reopen(unit, period, comment, actor))
    }
    fn mark_approved(
        &mut self,
        unit: UnitId,
        period: &Period,
        actor: &str,
    ) -> Result<crate::workflow::DataSet> {
        both!(self, s => s.mark_approved(unit, period, actor))
    }
    fn ask_explanation(
        &mut self,
        indicator: &chitieu_core::indicator::IndicatorCode,
        unit: UnitId,
        period: &Period,
        question: &str,
        actor: &str,
    ) -> Result<crate::workflow::Explanation> {
        both!(self, s => s.ask_explanation(indicator, unit, period, question, actor))
    }
    fn answer_explanation(
        &mut self,
        id: i64,
        answer: &str,
        actor: &str,
    ) -> Result<crate::workflow::Explanation> {
        both!(self, s => s.answer_explanation(id, answer, actor))
    }
    fn explanation(&self, id: i64) -> Result<crate::workflow::Explanation> {
        both!(self, s => s.explanation(id))
    }
    fn explanations(&self) -> Result<Vec<crate::workflow::Explanation>> {
        both!(self, s => s.explanations())
    }
}

impl crate::PortalStore for AnyStore {
    fn publish_news(
        &mut self,
        news: &crate::portal::NewNews,
        actor: &str,
    ) -> Result<crate::portal::News> {
        both!(self, s => s.publish_news(news, actor))
    }
    fn news(&self, unit: Option<UnitId>) -> Result<Vec<crate::portal::News>> {
        both!(self, s => s.news(unit))
    }
    fn news_item(&self, id: i64) -> Result<crate::portal::News> {
        both!(self, s => s.news_item(id))
    }
    fn add_comment(
        &mut self,
        comment: &crate::portal::NewComment,
        since: &str,
        max_recent: u32,
    ) -> Result<i64> {
        both!(self, s => s.add_comment(comment, since, max_recent))
    }
    fn comments(
        &self,
        unit: Option<UnitId>,
        topic: Option<&str>,
        state: Option<crate::portal::CommentState>,
    ) -> Result<Vec<crate::portal::ReaderComment>> {
        both!(self, s => s.comments(unit, topic, state))
    }
    fn moderate_comment(
        &mut self,
        id: i64,
        state: crate::portal::CommentState,
        actor: &str,
    ) -> Result<crate::portal::ReaderComment> {
        both!(self, s => s.moderate_comment(id, state, actor))
    }
}

impl crate::NotificationStore for AnyStore {
    fn add_notifications(
        &mut self,
        items: &[crate::notifications::NewNotification],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::notifications::Notification>> {
        both!(self, s => s.add_notifications(items, at))
    }
    fn notifications(
        &self,
        account_id: i64,
        unread_only: bool,
        limit: usize,
    ) -> Result<Vec<crate::notifications::Notification>> {
        both!(self, s => s.notifications(account_id, unread_only, limit))
    }
    fn unread_count(&self, account_id: i64) -> Result<u64> {
        both!(self, s => s.unread_count(account_id))
    }
    fn mark_read(
        &mut self,
        account_id: i64,
        id: Option<i64>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        both!(self, s => s.mark_read(account_id, id, at))
    }
    fn unsent_emails(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        stale_before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<crate::notifications::Notification>> {
        both!(self, s => s.unsent_emails(since, stale_before, limit))
    }
    fn claim_email(
        &mut self,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
        stale_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        both!(self, s => s.claim_email(id, at, stale_before))
    }
    fn email_sent(&mut self, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        both!(self, s => s.email_sent(id, at))
    }
    fn release_email(
        &mut self,
        id: i64,
        claimed_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        both!(self, s => s.release_email(id, claimed_at))
    }
    fn claim_digest(
        &mut self,
        account_id: i64,
        day: NaiveDate,
        items: u32,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        both!(self, s => s.claim_digest(account_id, day, items, at))
    }
    fn add_digest(
        &mut self,
        day: NaiveDate,
        items: u32,
        digest: &crate::notifications::NewNotification,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<crate::notifications::Notification>> {
        both!(self, s => s.add_digest(day, items, digest, at))
    }
    fn release_digest(&mut self, account_id: i64, day: NaiveDate) -> Result<()> {
        both!(self, s => s.release_digest(account_id, day))
    }
    fn set_email(&mut self, account_id: i64, email: Option<&str>, actor: &str) -> Result<()> {
        both!(self, s => s.set_email(account_id, email, actor))
    }
    fn email(&self, account_id: i64) -> Result<Option<String>> {
        both!(self, s => s.email(account_id))
    }
    fn record_run(&mut self, run: &crate::notifications::SchedulerRun) -> Result<i64> {
        both!(self, s => s.record_run(run))
    }
    fn runs(&self, limit: usize) -> Result<Vec<crate::notifications::SchedulerRun>> {
        both!(self, s => s.runs(limit))
    }
}

impl crate::ExchangeStore for AnyStore {
    fn dhis2_mappings(&self) -> Result<Vec<crate::exchange::Mapping>> {
        both!(self, s => s.dhis2_mappings())
    }
    fn put_dhis2_mappings(
        &mut self,
        mappings: &[crate::exchange::NewMapping],
        actor: &str,
    ) -> Result<crate::exchange::MappingReport> {
        both!(self, s => s.put_dhis2_mappings(mappings, actor))
    }
    fn remove_dhis2_mapping(
        &mut self,
        kind: crate::exchange::MappingKind,
        dhis2_id: &str,
        category_option_combo: &str,
        actor: &str,
    ) -> Result<crate::exchange::Mapping> {
        both!(self, s => s.remove_dhis2_mapping(kind, dhis2_id, category_option_combo, actor))
    }
    fn import_dhis2(
        &mut self,
        batch: &Batch,
        dhis2: &[crate::exchange::Dhis2Figure],
        actor: &str,
    ) -> Result<crate::exchange::Dhis2ImportReport> {
        both!(self, s => s.import_dhis2(batch, dhis2, actor))
    }
    fn dhis2_figures(
        &self,
        figure_ids: &[i64],
    ) -> Result<Vec<(i64, crate::exchange::Dhis2Figure)>> {
        both!(self, s => s.dhis2_figures(figure_ids))
    }
}

impl crate::TaskStore for AnyStore {
    fn add_task(&mut self, task: &chitieu_core::task::Task, actor: &str) -> Result<i64> {
        both!(self, s => s.add_task(task, actor))
    }
    fn task(&self, id: i64) -> Result<crate::tasks::StoredTask> {
        both!(self, s => s.task(id))
    }
    fn tasks(&self, filter: &crate::tasks::TaskFilter) -> Result<Vec<crate::tasks::StoredTask>> {
        both!(self, s => s.tasks(filter))
    }
    fn add_task_event(
        &mut self,
        id: i64,
        event: &chitieu_core::task::TaskEvent,
        unit: Option<UnitId>,
        actor: &str,
    ) -> Result<crate::tasks::StoredTask> {
        both!(self, s => s.add_task_event(id, event, unit, actor))
    }
    fn propose_task(
        &mut self,
        proposal: &crate::tasks::NewTaskProposal,
        actor: &str,
    ) -> Result<i64> {
        both!(self, s => s.propose_task(proposal, actor))
    }
    fn task_proposals(
        &self,
        document: Option<i64>,
        state: Option<ProposalState>,
    ) -> Result<Vec<crate::tasks::TaskProposal>> {
        both!(self, s => s.task_proposals(document, state))
    }
    fn task_proposal(&self, id: i64) -> Result<crate::tasks::TaskProposal> {
        both!(self, s => s.task_proposal(id))
    }
    fn review_task_proposal(
        &mut self,
        id: i64,
        decision: &crate::tasks::TaskDecision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<crate::tasks::TaskProposal> {
        both!(self, s => s.review_task_proposal(id, decision, note, actor))
    }
}

impl crate::NtmStore for AnyStore {
    fn set_ntm_states(
        &mut self,
        records: &[chitieu_core::ntm::CommuneCriteria],
        actor: &str,
    ) -> Result<usize> {
        both!(self, s => s.set_ntm_states(records, actor))
    }
    fn ntm_records(
        &self,
        communes: &[UnitId],
        year: Option<i32>,
        set: Option<&str>,
        level: Option<chitieu_core::ntm::NtmLevel>,
    ) -> Result<Vec<chitieu_core::ntm::CommuneCriteria>> {
        both!(self, s => s.ntm_records(communes, year, set, level))
    }
    fn predecessors(&self, unit: UnitId) -> Result<Vec<chitieu_core::admin::Succession>> {
        both!(self, s => s.predecessors(unit))
    }
}
