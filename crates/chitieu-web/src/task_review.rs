//! Reviewing the key tasks proposed from a document (`/app/documents/{id}/tasks`): the text
//! with each proposed task highlighted at its characters, the extractor's guesses (field, lead
//! unit, period, deadline), and per proposal an Accept form (text, field, lead unit, deadline
//! editable) and a Reject button.
//!
//! Office roles only (the same as reviewing a document's figures); the lead unit of an
//! accepted task must lie in the account's scope, as when the office enters a task, and a
//! rejection of a document about a unit outside the scope is refused likewise. Every form
//! carries the anti-forgery token (checked by [`crate::auth::context`]).
//!
//! The same review for machines, with the same roles and scope rules and a bearer token:
//! `GET /api/v1/documents/{id}/tasks` (the proposals with their state and the lead unit
//! guessed) and `POST /api/v1/documents/{id}/tasks/{proposal}` (`{"decision": "accept" |
//! "reject", …corrections}`), answering errors as JSON.

use crate::api::{ApiError, ApiJson, ApiPath};
use crate::auth::{self, Ctx};
use crate::pages::{Page, REVIEW, unit_choices};
use crate::{App, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chitieu_app::task_ingest::{TaskEdits, TaskIngestError, decide_task};
use chitieu_core::admin::UnitId;
use chitieu_core::period_vi::format_period_vi;
use chitieu_core::task::{Deadline, TaskField};
use chitieu_store::accounts::{Account, Role};
use chitieu_store::documents::{ProposalState, StoredDocument};
use chitieu_store::tasks::{TaskDecision, TaskProposal};
use chitieu_store::{AnyStore, DocumentStore, Store, TaskStore};
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/app/documents/{id}/tasks", get(page))
        .route("/app/documents/{id}/tasks/{proposal}", post(decide))
        .route("/api/v1/documents/{id}/tasks", get(api_list))
        .route("/api/v1/documents/{id}/tasks/{proposal}", post(api_decide))
}

/// Whether the account may act for `unit`: admins and an office without a scope everywhere,
/// others within their scope (the rule of the task pages).
fn may_act(s: &AnyStore, account: &Account, unit: UnitId, on: NaiveDate) -> Result<bool, WebError> {
    match account.role {
        Role::Admin => Ok(true),
        Role::Office if account.scopes.is_empty() => Ok(true),
        _ => auth::in_scope(s, account, unit, on),
    }
}

fn outside_scope() -> WebError {
    WebError::Forbidden(
        "đơn vị chủ trì nằm ngoài phạm vi của tài khoản (lead unit outside your scope)".into(),
    )
}

/// The date the document speaks from, for resolving the unit names it uses.
fn doc_date(doc: &StoredDocument, p: &TaskProposal) -> NaiveDate {
    doc.document_date
        .or(p.proposed.deadline.map(|d| d.date()))
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The lead unit the extractor's guess names, resolved, else the document's unit.
fn guessed_lead(s: &AnyStore, doc: &StoredDocument, p: &TaskProposal) -> Option<UnitId> {
    p.proposed
        .lead_name
        .as_deref()
        .and_then(|n| s.resolve_unit(n, doc_date(doc, p)).ok())
        .map(|v| v.unit)
        .or(doc.unit)
}

pub struct Segment {
    pub text: String,
    /// The proposal marked here and its state key.
    pub mark: Option<(i64, &'static str)>,
}

pub struct Item {
    pub id: i64,
    pub n: usize,
    pub text: String,
    pub field_key: &'static str,
    pub field: String,
    pub lead_guess: String,
    pub lead_id: i64,
    pub period: String,
    pub deadline_key: String,
    pub deadline: String,
    pub state_key: &'static str,
    pub state: &'static str,
    pub task: Option<i64>,
    pub reviewed: String,
}

#[derive(Template)]
#[template(path = "task_review.html")]
struct PageTpl {
    p: Page,
    id: i64,
    name: String,
    segments: Vec<Segment>,
    items: Vec<Item>,
    pending: usize,
    fields: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
}

/// The text cut at the proposals' spans (overlapping spans: the first is marked).
fn segments(original: &str, props: &[TaskProposal]) -> Vec<Segment> {
    let chars: Vec<char> = chitieu_text::nfc(original).chars().collect();
    let mut spans: Vec<(usize, usize, i64, &'static str)> = props
        .iter()
        .map(|p| {
            (
                p.proposed.span.0.min(chars.len()),
                p.proposed.span.1.min(chars.len()),
                p.id,
                p.state.key(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut out = Vec::new();
    let mut at = 0;
    for (a, b, id, state) in spans {
        if a < at || b <= a {
            continue;
        }
        if a > at {
            out.push(Segment {
                text: chars[at..a].iter().collect(),
                mark: None,
            });
        }
        out.push(Segment {
            text: chars[a..b].iter().collect(),
            mark: Some((id, state)),
        });
        at = b;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            mark: None,
        });
    }
    out
}

async fn page(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            let doc = s.document(id)?;
            let props = s.task_proposals(Some(id), None)?;
            let mut units = unit_choices(s, &account)?;
            let actors = crate::view::Actors::load(s)?;
            let mut items = Vec::new();
            for (i, p) in props.iter().enumerate() {
                let lead = guessed_lead(s, &doc, p);
                if let Some(u) = lead
                    && !units.iter().any(|(x, _)| *x == u.0)
                {
                    units.push((u.0, s.unit_latest(u)?.title()));
                }
                items.push(Item {
                    id: p.id,
                    n: i + 1,
                    text: p.proposed.text.clone(),
                    field_key: p.proposed.field.map(|f| f.key()).unwrap_or(""),
                    field: p
                        .proposed
                        .field
                        .map(|f| f.vi().to_string())
                        .unwrap_or_else(|| "(chưa đoán được)".into()),
                    lead_guess: match (&p.proposed.lead_name, lead) {
                        (Some(n), _) => n.clone(),
                        (None, Some(u)) => {
                            format!("{} (đơn vị của văn bản)", s.unit_latest(u)?.title())
                        }
                        (None, None) => "(chưa rõ)".into(),
                    },
                    lead_id: lead.map(|u| u.0).unwrap_or(0),
                    period: p
                        .proposed
                        .period
                        .map(|x| format_period_vi(&x))
                        .unwrap_or_else(|| "—".into()),
                    deadline_key: match p.proposed.deadline {
                        Some(Deadline::Date { date }) => date.format("%d/%m/%Y").to_string(),
                        Some(Deadline::PeriodEnd { period }) => period.to_string(),
                        None => String::new(),
                    },
                    deadline: p
                        .proposed
                        .deadline
                        .map(|d| d.vi())
                        .unwrap_or_else(|| "(chưa rõ)".into()),
                    state_key: p.state.key(),
                    state: p.state.vi(),
                    task: p.task,
                    reviewed: match (&p.reviewed_by, &p.review_note) {
                        (Some(by), Some(note)) if !note.is_empty() => {
                            format!("{}: {note}", actors.show(by))
                        }
                        (Some(by), _) => actors.show(by),
                        _ => String::new(),
                    },
                });
            }
            units.sort_by(|a, b| a.1.cmp(&b.1));
            let pending = props
                .iter()
                .filter(|p| p.state == ProposalState::Proposed)
                .count();
            let p = Page::new(
                &ctx,
                format!("Nhiệm vụ đề xuất — {}", doc.name),
                "documents",
            );
            Ok(Html(
                PageTpl {
                    p,
                    id,
                    segments: segments(&doc.original, &props),
                    name: doc.name,
                    items,
                    pending,
                    fields: TaskField::ALL.iter().map(|f| (f.key(), f.vi())).collect(),
                    units,
                }
                .render()?,
            ))
        })
        .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// "accept" or "reject".
    pub decision: String,
    /// The reviewer's corrections; empty keeps the extractor's guess.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub field: String,
    /// A unit id from the list.
    #[serde(default)]
    pub lead: String,
    /// A unit named in words ("xã Hữu Lũng"), instead of the list.
    #[serde(default)]
    pub lead_name: String,
    /// "30/6/2023", "2023-06-30" or a period ("quý II/2023").
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub note: String,
}

fn edits_of(
    s: &AnyStore,
    doc: &StoredDocument,
    p: &TaskProposal,
    f: &DecisionForm,
) -> Result<TaskEdits, WebError> {
    let mut edits = TaskEdits::default();
    let text = f.text.trim();
    if !text.is_empty() && text != p.proposed.text {
        edits.text = Some(chitieu_text::nfc(text));
    }
    if !f.field.trim().is_empty() {
        edits.field = Some(TaskField::parse(f.field.trim()).ok_or_else(|| {
            WebError::BadRequest(format!("lĩnh vực '{}' không hợp lệ", f.field.trim()))
        })?);
    }
    if !f.deadline.trim().is_empty() {
        edits.deadline = Some(
            Deadline::parse(f.deadline.trim())
                .map_err(|e| WebError::BadRequest(format!("thời hạn: {e}")))?,
        );
    }
    let on = edits
        .deadline
        .map(|d| d.date())
        .unwrap_or_else(|| doc_date(doc, p));
    if !f.lead_name.trim().is_empty() {
        edits.lead = Some(s.resolve_unit(f.lead_name.trim(), on)?.unit);
    } else if !f.lead.trim().is_empty() {
        let id: i64 = f.lead.trim().parse().map_err(|_| {
            WebError::BadRequest(format!("đơn vị chủ trì '{}' không hợp lệ", f.lead.trim()))
        })?;
        if id != 0 {
            let u = UnitId(id);
            s.unit_latest(u)?;
            edits.lead = Some(u);
        }
    }
    Ok(edits)
}

async fn decide(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path((id, proposal)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<DecisionForm>,
) -> Result<Response, WebError> {
    let account = ctx.require(REVIEW)?.clone();
    app.db
        .run(move |s| {
            apply_decision(s, &account, id, proposal, &f)?;
            Ok(Redirect::to(&format!("/app/documents/{id}/tasks#k{proposal}")).into_response())
        })
        .await
}

/// Accepts (with the reviewer's corrections) or rejects proposal `proposal` of document `id`
/// for `account`: the rules of the page and of the API. Returns the proposal as decided.
fn apply_decision(
    s: &mut AnyStore,
    account: &Account,
    id: i64,
    proposal: i64,
    f: &DecisionForm,
) -> Result<TaskProposal, WebError> {
    let doc = s.document(id)?;
    let p = s.task_proposal(proposal)?;
    if p.document != id {
        return Err(WebError::NotFound(format!(
            "nhiệm vụ đề xuất {proposal} trong văn bản {id} (task proposal {proposal} belongs to document {})",
            p.document
        )));
    }
    if !matches!(f.decision.as_str(), "accept" | "reject") {
        return Err(WebError::BadRequest(format!(
            "trường «decision»: '{}' không hợp lệ (accept, reject)",
            f.decision
        )));
    }
    // A decided proposal is not decided again (409), the answer says by whom and when. The
    // store checks it again in its write transaction, for a decision made meanwhile.
    if p.state != ProposalState::Proposed {
        return Err(already_decided(s, &p)?);
    }
    let note = Some(f.note.trim()).filter(|n| !n.is_empty());
    let decision = match f.decision.as_str() {
        "accept" => {
            let edits = edits_of(s, &doc, &p, f)?;
            let task = decide_task(s, &doc, &p, &edits).map_err(|e| match e {
                TaskIngestError::Store(e) => WebError::from(e),
                TaskIngestError::Incomplete { reason, .. } => WebError::BadRequest(format!(
                    "nhiệm vụ đề xuất {proposal}: {}",
                    web_reason(&reason)
                )),
            })?;
            if !may_act(s, account, task.lead, task.deadline.date())? {
                return Err(outside_scope());
            }
            TaskDecision::Accept(task)
        }
        _ => {
            if let Some(u) = doc.unit
                && !may_act(s, account, u, doc_date(&doc, &p))?
            {
                return Err(outside_scope());
            }
            TaskDecision::Reject
        }
    };
    match s.review_task_proposal(proposal, &decision, note, &account.actor()) {
        Ok(p) => Ok(p),
        // Decided by someone else between the read above and this write.
        Err(chitieu_store::StoreError::AlreadyReviewed { .. }) => {
            Err(already_decided(s, &s.task_proposal(proposal)?)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The refusal of deciding proposal `p` again: 409, naming it, how it was decided, by whom
/// (the account's display name) and when.
fn already_decided(s: &AnyStore, p: &TaskProposal) -> Result<WebError, WebError> {
    let by = match &p.reviewed_by {
        Some(by) => format!(" bởi {}", crate::view::Actors::load(s)?.show(by)),
        None => String::new(),
    };
    let at = match &p.reviewed_at {
        Some(at) => format!(" lúc {}", at_vi(at)),
        None => String::new(),
    };
    Ok(WebError::Refused(format!(
        "nhiệm vụ đề xuất {} đã được quyết định ({}){by}{at}; không quyết định lại (task proposal already decided)",
        p.id,
        p.state.vi()
    )))
}

/// A stored time (RFC 3339, UTC) as "14:05 ngày 25/11/2026" in Vietnam's time; as stored
/// when it does not read.
fn at_vi(at: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => t
            .with_timezone(&crate::scheduler::vietnam())
            .format("%H:%M ngày %d/%m/%Y")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

// ----- API -----

/// A decision sent to the API: as the page's form, with the lead unit as an id.
#[derive(Deserialize)]
pub struct ApiDecision {
    /// "accept" or "reject".
    pub decision: String,
    /// Corrections; absent or empty keeps the extractor's guess.
    #[serde(default)]
    pub text: Option<String>,
    /// A field key ("economy") or its Vietnamese name ("kinh tế").
    #[serde(default)]
    pub field: Option<String>,
    /// The lead unit's id.
    #[serde(default)]
    pub lead: Option<i64>,
    /// The lead unit in words ("huyện Hữu Lũng"), instead of an id.
    #[serde(default)]
    pub lead_name: Option<String>,
    /// "30/6/2023", "2023-06-30" or a period ("quý II/2023").
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl ApiDecision {
    fn form(self) -> DecisionForm {
        DecisionForm {
            decision: self.decision,
            text: self.text.unwrap_or_default(),
            field: self.field.unwrap_or_default(),
            lead: self.lead.map(|u| u.to_string()).unwrap_or_default(),
            lead_name: self.lead_name.unwrap_or_default(),
            deadline: self.deadline.unwrap_or_default(),
            note: self.note.unwrap_or_default(),
        }
    }
}

fn json_of<T: serde::Serialize>(v: T) -> Result<serde_json::Value, WebError> {
    serde_json::to_value(v).map_err(|e| WebError::Internal(e.to_string()))
}

/// A proposal as the API shows it: the stored proposal, the lead unit the page would
/// preselect (the guess resolved, else the document's unit), and the task it became.
fn api_proposal(
    s: &AnyStore,
    doc: &StoredDocument,
    p: &TaskProposal,
) -> Result<serde_json::Value, WebError> {
    let mut v = json_of(p)?;
    let lead = match guessed_lead(s, doc, p) {
        Some(u) => serde_json::json!({"id": u.0, "name": s.unit_latest(u)?.title()}),
        None => serde_json::Value::Null,
    };
    v["lead_guess"] = lead;
    v["state_vi"] = serde_json::Value::from(p.state.vi());
    Ok(v)
}

/// `GET /api/v1/documents/{id}/tasks`: the document's task proposals (office roles).
async fn api_list(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    ctx.require(REVIEW)?;
    Ok(app
        .db
        .run(move |s| {
            let doc = s.document(id)?;
            let props = s.task_proposals(Some(id), None)?;
            let pending = props
                .iter()
                .filter(|p| p.state == ProposalState::Proposed)
                .count();
            let proposals = props
                .iter()
                .map(|p| api_proposal(s, &doc, p))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(axum::Json(serde_json::json!({
                "document": {"id": doc.id, "name": doc.name, "unit": doc.unit.map(|u| u.0)},
                "pending": pending,
                "proposals": proposals,
            })))
        })
        .await?)
}

/// `POST /api/v1/documents/{id}/tasks/{proposal}`: accept (with corrections) or reject.
async fn api_decide(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    ApiPath((id, proposal)): ApiPath<(i64, i64)>,
    ApiJson(d): ApiJson<ApiDecision>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let account = ctx.require(REVIEW)?.clone();
    Ok(app
        .db
        .run(move |s| {
            let f = d.form();
            let decided = apply_decision(s, &account, id, proposal, &f)?;
            let doc = s.document(id)?;
            let mut v = api_proposal(s, &doc, &decided)?;
            if let Some(task) = decided.task {
                let stored = s.task(task)?;
                let today = chrono::Utc::now()
                    .with_timezone(&crate::scheduler::vietnam())
                    .date_naive();
                v["created_task"] = json_of(chitieu_app::tasks::view(s, &stored, today))?;
            }
            Ok(axum::Json(v))
        })
        .await?)
}

/// The command line's hints ("give --lead") as the form's words.
fn web_reason(reason: &str) -> String {
    // The app's reasons end with the command-line option that supplies the missing value; on
    // the web the form's field does.
    reason
        .replace(" (--field)", "")
        .replace(" (--lead)", "")
        .replace(" (--deadline)", "")
}

#[cfg(test)]
mod tests {
    use super::web_reason;

    #[test]
    fn the_web_shows_no_command_line_options() {
        for (app, web) in [
            (
                "chưa rõ đơn vị chủ trì (no lead unit): hãy chọn đơn vị chủ trì (--lead)",
                "chưa rõ đơn vị chủ trì (no lead unit): hãy chọn đơn vị chủ trì",
            ),
            (
                "văn bản không nêu thời hạn (no deadline): hãy ghi thời hạn, ví dụ 30/06/2023 (--deadline)",
                "văn bản không nêu thời hạn (no deadline): hãy ghi thời hạn, ví dụ 30/06/2023",
            ),
            ("hãy chọn lĩnh vực (--field)", "hãy chọn lĩnh vực"),
        ] {
            assert_eq!(web_reason(app), web);
        }
    }
}
