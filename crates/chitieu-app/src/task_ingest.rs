//! Key tasks proposed from documents: when a document is ingested, the tasks its text proposes
//! (`chitieu_extract::tasks`) are recorded as proposals with their characters; a reviewer then
//! accepts one (it becomes a task, with the lead unit, deadline and field the reviewer gives or
//! the extractor guessed) or rejects it, as with figures.

use chitieu_core::admin::UnitId;
use chitieu_core::figure::Provenance;
use chitieu_core::period::Period;
use chitieu_core::task::{Deadline, ExpectedOutput, ProposedTask as CoreProposal, Task, TaskField};
use chitieu_extract::Extraction;
use chitieu_store::documents::{DocumentStore, NewDocumentTask, ProposalState, StoredDocument};
use chitieu_store::tasks::{TaskDecision, TaskProposal};
use chitieu_store::{Store, StoreError, TaskStore};
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum TaskIngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("nhiệm vụ đề xuất số {id}: {reason}")]
    Incomplete { id: i64, reason: String },
}

type Result<T, E = TaskIngestError> = std::result::Result<T, E>;

/// The extractor's name as stored with proposals and provenance.
pub fn extractor_name() -> String {
    format!("chitieu-extract {}", chitieu_extract::EXTRACTOR_VERSION)
}

/// The proposal the store keeps for one extracted task: its words, guesses and characters;
/// the deadline is the end of the period the introducer named, when it named one.
pub fn to_proposal(t: &chitieu_extract::ProposedTask) -> CoreProposal {
    CoreProposal {
        text: t.text.clone(),
        field: t.field,
        lead_name: t.lead_unit.clone(),
        deadline: t.period.map(|period| Deadline::PeriodEnd { period }),
        period: t.period,
        span: (t.span[0], t.span[1]),
    }
}

/// The task proposals the tasks of `extraction` become, to be stored with their document
/// ([`DocumentStore::add_document_with_tasks`], one transaction).
pub fn document_tasks(extraction: &Extraction) -> Vec<NewDocumentTask> {
    let extractor = extractor_name();
    extraction
        .tasks
        .iter()
        .map(|t| NewDocumentTask {
            extractor: extractor.clone(),
            proposed: to_proposal(t),
        })
        .collect()
}

/// [`crate::ingest::ingest`] with the document's key tasks: the document, its facts and its
/// task proposals are stored in one transaction (all or none), so a refused task leaves
/// nothing behind and ingesting again starts clean. The one call the command line and the web
/// use to ingest. Returns what ingesting did and how many tasks were proposed (none for a
/// text stored before, unless it had no task proposals yet).
pub fn ingest_with_tasks(
    store: &mut (impl Store + DocumentStore),
    extractor: &chitieu_extract::Extractor,
    name: &str,
    text: &str,
    default_unit: Option<&str>,
    actor: &str,
) -> std::result::Result<(crate::ingest::Ingested, usize), crate::ingest::IngestError> {
    let (doc, extraction, unresolved) =
        crate::ingest::prepare(store, extractor, name, text, default_unit)?;
    let tasks = document_tasks(&extraction);
    let added = store.add_document_with_tasks(&doc, &tasks, actor)?;
    let n = added.tasks as usize;
    Ok((
        crate::ingest::Ingested {
            added,
            extraction,
            unresolved,
        },
        n,
    ))
}

/// What a reviewer gives or corrects when accepting a task proposal.
#[derive(Debug, Clone, Default)]
pub struct TaskEdits {
    pub text: Option<String>,
    pub field: Option<TaskField>,
    pub lead: Option<UnitId>,
    pub deadline: Option<Deadline>,
    pub period: Option<Period>,
    pub output: Option<ExpectedOutput>,
    /// The resolution or conclusion; by default the document's name and the characters.
    pub source: Option<String>,
}

/// The date a document speaks from, for resolving the unit names it uses.
fn doc_date(doc: &StoredDocument, p: &TaskProposal) -> NaiveDate {
    doc.document_date
        .or(p.proposed.deadline.map(|d| d.date()))
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The task an accepted proposal becomes: the reviewer's edits first, then the extractor's
/// guesses; the lead unit falls back to the unit the document is about. Says what is missing
/// when a field, lead unit or deadline cannot be settled.
pub fn decide_task(
    store: &impl Store,
    doc: &StoredDocument,
    p: &TaskProposal,
    edits: &TaskEdits,
) -> Result<Task> {
    let missing = |reason: &str| TaskIngestError::Incomplete {
        id: p.id,
        reason: reason.to_string(),
    };
    let field = edits
        .field
        .or(p.proposed.field)
        .ok_or_else(|| missing("chưa đoán được lĩnh vực (no field): hãy chọn lĩnh vực — kinh tế, văn hóa - xã hội, quốc phòng - an ninh hoặc xây dựng Đảng (--field)"))?;
    let lead = match edits.lead {
        Some(u) => u,
        None => {
            let named = p
                .proposed
                .lead_name
                .as_deref()
                .and_then(|n| store.resolve_unit(n, doc_date(doc, p)).ok())
                .map(|v| v.unit);
            named.or(doc.unit).ok_or_else(|| {
                missing("chưa rõ đơn vị chủ trì (no lead unit): hãy chọn đơn vị chủ trì (--lead)")
            })?
        }
    };
    let deadline = edits.deadline.or(p.proposed.deadline).ok_or_else(|| {
        missing("văn bản không nêu thời hạn (no deadline): hãy ghi thời hạn, ví dụ 30/06/2023 hoặc quý II/2023 (--deadline)")
    })?;
    let text = edits
        .text
        .clone()
        .unwrap_or_else(|| p.proposed.text.clone());
    let (start, end) = p.proposed.span;
    Ok(Task {
        text,
        field,
        lead,
        cooperating: Vec::new(),
        deadline,
        output: edits.output.clone().unwrap_or(ExpectedOutput::Document {
            title: "báo cáo kết quả thực hiện nhiệm vụ".into(),
        }),
        source: edits
            .source
            .clone()
            .unwrap_or_else(|| format!("{}, ký tự {start}–{end}", doc.name)),
        period: edits.period.or(p.proposed.period),
        provenance: Provenance::Document {
            document: p.document,
            start,
            end,
            extractor: p.extractor.clone(),
        },
    })
}

/// Accepts a proposal as a task (stored in the same transaction as the decision) or rejects
/// it. Returns the proposal as it now stands.
pub fn review_task(
    store: &mut (impl Store + DocumentStore + TaskStore),
    id: i64,
    accept: Option<&TaskEdits>,
    note: Option<&str>,
    actor: &str,
) -> Result<TaskProposal> {
    let p = store.task_proposal(id)?;
    let decision = match accept {
        Some(edits) => {
            if p.state != ProposalState::Proposed {
                // Let the store say who decided it and how.
                TaskDecision::Reject
            } else {
                let doc = store.document(p.document)?;
                TaskDecision::Accept(decide_task(store, &doc, &p, edits)?)
            }
        }
        None => TaskDecision::Reject,
    };
    Ok(store.review_task_proposal(id, &decision, note, actor)?)
}

/// The proposal's words in the document, for showing the reviewer: the sentence around the
/// span with the task marked «…».
pub fn context_of(original_nfc: &str, span: (usize, usize)) -> String {
    let chars: Vec<char> = original_nfc.chars().collect();
    let (s, e) = (span.0.min(chars.len()), span.1.min(chars.len()));
    let from = chars[..s]
        .iter()
        .rposition(|c| matches!(c, '.' | '\n' | ':' | ';'))
        .map(|i| i + 1)
        .unwrap_or(0)
        .max(s.saturating_sub(80));
    let to = chars[e..]
        .iter()
        .position(|c| matches!(c, '.' | '\n' | ';' | '…'))
        .map(|i| e + i)
        .unwrap_or(chars.len())
        .min(e + 40);
    let before: String = chars[from..s].iter().collect();
    let inner: String = chars[s..e].iter().collect();
    let after: String = chars[e..to].iter().collect();
    format!("{}«{inner}»{}", before.trim_start(), after.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::indicator::Catalog;
    use chitieu_extract::{ExtractOptions, Extractor};
    use chitieu_store::documents::NewDocument;
    use chitieu_store::{NoProgress, SqliteStore};

    const TEXT: &str = "Thứ tư, 12/04/2023\nNgày 7/4/2023, Ban Chấp hành Đảng bộ huyện Hữu Lũng tổ chức kỳ họp lần thứ 15.\nCác đại biểu thống nhất các nhiệm vụ trọng tâm thực hiện trong quý II/2023 với các nội dung: tập trung chỉ đạo các giải pháp đẩy mạnh công tác thu ngân sách; chỉ đạo các xã tổ chức tốt các hoạt động đầu năm.";

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        s.init(&Catalog::builtin(), &NoProgress).unwrap();
        (dir, s)
    }

    /// Stores the text with its task proposals; returns its id and how many were proposed.
    fn add_doc(s: &mut SqliteStore, unit: Option<UnitId>) -> (i64, u64) {
        let x = Extractor::new(&ExtractOptions::default()).extract("hl.txt", TEXT);
        let added = s
            .add_document_with_tasks(
                &NewDocument {
                    name: "hl.txt".into(),
                    original: TEXT.into(),
                    document_date: Some(NaiveDate::from_ymd_opt(2023, 4, 7).unwrap()),
                    unit,
                    extractor: extractor_name(),
                    extraction: serde_json::json!({}),
                    proposals: vec![],
                },
                &document_tasks(&x),
                "test",
            )
            .unwrap();
        (added.id, added.tasks)
    }

    #[test]
    fn proposes_once_and_accepts_with_guesses_and_edits() {
        let (_d, mut s) = store();
        let unit = s
            .resolve_unit(
                "huyện Hữu Lũng",
                NaiveDate::from_ymd_opt(2023, 4, 7).unwrap(),
            )
            .unwrap()
            .unit;
        let (doc, n) = add_doc(&mut s, Some(unit));
        assert_eq!(n, 2);
        // The same document again proposes nothing more.
        assert_eq!(add_doc(&mut s, Some(unit)), (doc, 0));
        let props = s.task_proposals(Some(doc), None).unwrap();
        assert_eq!(props.len(), 2);
        assert_eq!(
            props[0].proposed.period.map(|p| p.to_string()).as_deref(),
            Some("2023-Q2")
        );
        // Accept the first with the guesses: lead = the document's unit, deadline = end of
        // quý II/2023, field = kinh tế; the source names the characters.
        let done =
            review_task(&mut s, props[0].id, Some(&TaskEdits::default()), None, "rv").unwrap();
        assert_eq!(done.state, ProposalState::Accepted);
        let task = s.task(done.task.unwrap()).unwrap();
        assert_eq!(task.task.lead, unit);
        assert_eq!(task.task.field, TaskField::Economy);
        assert_eq!(task.task.deadline.date().to_string(), "2023-06-30");
        let (a, b) = props[0].proposed.span;
        assert_eq!(task.task.source, format!("hl.txt, ký tự {a}–{b}"));
        let chars: Vec<char> = TEXT.chars().collect();
        let words: String = chars[a..b].iter().collect();
        assert_eq!(words, task.task.text);
        assert!(matches!(
            task.task.provenance,
            Provenance::Document { document, start, end, .. } if document == doc && start == a && end == b
        ));
        // Reject the second; a decided proposal cannot be decided again.
        let r = review_task(&mut s, props[1].id, None, Some("trùng"), "rv").unwrap();
        assert_eq!(r.state, ProposalState::Rejected);
        assert!(review_task(&mut s, props[1].id, Some(&TaskEdits::default()), None, "rv").is_err());
    }

    #[test]
    fn says_what_is_missing() {
        let (_d, mut s) = store();
        let (doc, _) = add_doc(&mut s, None);
        let props = s.task_proposals(Some(doc), None).unwrap();
        let err = review_task(&mut s, props[0].id, Some(&TaskEdits::default()), None, "rv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("--lead"), "{err}");
        // Nothing was decided.
        assert_eq!(
            s.task_proposal(props[0].id).unwrap().state,
            ProposalState::Proposed
        );
    }

    #[test]
    fn context_marks_the_task() {
        let c = context_of("Nội dung: làm A; làm B. Hết", (10, 15));
        assert_eq!(c, "«làm A»");
        let c = context_of("Các nội dung: làm A; làm B. Hết", (21, 26));
        assert_eq!(c, "«làm B»");
    }
}
