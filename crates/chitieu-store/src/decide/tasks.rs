//! The key-task and NTM decisions both backends make the same way: the audit entries of a
//! task added, an event appended, a proposal stored or reviewed and a criterion state set,
//! and the refusal of a proposal reviewed twice. (Encoding, decoding and the life-cycle check
//! are shared already in [`crate::tasks`].) Each backend reads and writes the rows in its own
//! SQL, under its own locks.

use super::Audit;
use crate::documents::ProposalState;
use crate::tasks::TaskProposal;
use crate::{Result, StoreError};
use chitieu_core::ntm::{CommuneCriteria, CriterionState};
use chitieu_core::task::{ProposedTask, Task};
use serde_json::json;

/// The audit entry of a task stored as `id`.
pub(crate) fn task_added(id: i64, task: &Task) -> Audit {
    Audit {
        action: "task.add".to_string(),
        entity: "task",
        key: id.to_string(),
        detail: json!({"text": task.text, "field": task.field.key(), "lead": task.lead.0, "deadline": task.deadline.date().to_string()}),
    }
}

/// The audit entry of an event of kind `kind` ("report", "confirm", "return") appended to task
/// `id`: the event as stored (`encoded`, JSON text).
pub(crate) fn task_event_added(id: i64, kind: &str, encoded: &str) -> Audit {
    Audit {
        action: format!("task.{kind}"),
        entity: "task",
        key: id.to_string(),
        detail: serde_json::from_str(encoded).unwrap_or(serde_json::Value::Null),
    }
}

/// The audit entry of a task proposal stored as `id`, from document `document`.
pub(crate) fn task_proposed(id: i64, document: i64, proposed: &ProposedTask) -> Audit {
    Audit {
        action: "task.propose".to_string(),
        entity: "task_proposal",
        key: id.to_string(),
        detail: json!({"document": document, "text": proposed.text, "span": [proposed.span.0, proposed.span.1]}),
    }
}

/// A proposal is decided once: one already accepted or rejected refuses, naming by whom.
pub(crate) fn check_not_reviewed(p: &TaskProposal) -> Result<()> {
    if p.state == ProposalState::Proposed {
        return Ok(());
    }
    Err(StoreError::AlreadyReviewed {
        id: p.id,
        state: p.state.vi().to_string(),
        by: p.reviewed_by.clone().unwrap_or_default(),
    })
}

/// The audit entry of proposal `id` decided: its new state, the task made (on acceptance)
/// and the reviewer's note.
pub(crate) fn proposal_reviewed(
    id: i64,
    state: ProposalState,
    task: Option<i64>,
    note: Option<&str>,
) -> Audit {
    Audit {
        action: format!("task_proposal.{}", state.key()),
        entity: "task_proposal",
        key: id.to_string(),
        detail: json!({"task": task, "note": note}),
    }
}

/// The audit entry of one criterion state set for a commune, year, set and level, with what
/// it was before (`None`: not recorded).
pub(crate) fn ntm_state_set(
    rec: &CommuneCriteria,
    s: &CriterionState,
    before: Option<bool>,
) -> Audit {
    Audit {
        action: "ntm.set".to_string(),
        entity: "ntm_state",
        key: format!(
            "{}/{}/{}/{}/{}",
            rec.commune.0,
            rec.year,
            rec.set,
            rec.level.key(),
            s.criterion
        ),
        detail: json!({"met": s.met, "before": before, "evidence": s.evidence.text}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_core::admin::UnitId;
    use chitieu_core::figure::Provenance;
    use chitieu_core::ntm::{Evidence, NtmLevel};
    use chitieu_core::task::{Deadline, ExpectedOutput, TaskField};
    use chrono::NaiveDate;
    use serde_json::Value;

    fn proposed() -> ProposedTask {
        ProposedTask {
            text: "đẩy mạnh thu ngân sách".to_string(),
            field: None,
            lead_name: None,
            deadline: None,
            period: None,
            span: (120, 142),
        }
    }

    fn proposal(state: ProposalState, by: Option<&str>) -> TaskProposal {
        TaskProposal {
            id: 8,
            document: 3,
            extractor: "tasks-1".to_string(),
            proposed: proposed(),
            state,
            task: None,
            reviewed_by: by.map(str::to_string),
            reviewed_at: None,
            review_note: None,
        }
    }

    #[test]
    fn audit_entries_of_tasks_proposals_and_criteria() {
        let task = Task {
            text: "đẩy mạnh thu ngân sách".to_string(),
            field: TaskField::Economy,
            lead: UnitId(12),
            cooperating: vec![],
            deadline: Deadline::Date {
                date: NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
            },
            output: ExpectedOutput::Document {
                title: "báo cáo".to_string(),
            },
            source: String::new(),
            period: None,
            provenance: Provenance::Manual,
        };
        let rec = CommuneCriteria {
            commune: UnitId(40),
            year: 2025,
            set: "318-2022".to_string(),
            level: NtmLevel::Standard,
            states: vec![],
        };
        let state = CriterionState {
            criterion: 17,
            met: true,
            evidence: Evidence {
                text: "QĐ 12/QĐ-UBND".to_string(),
                document: None,
                figure: None,
            },
        };
        let cases: Vec<(Audit, &str, &str, &str, Value)> = vec![
            (
                task_added(5, &task),
                "task.add",
                "task",
                "5",
                json!({"text": "đẩy mạnh thu ngân sách", "field": TaskField::Economy.key(), "lead": 12, "deadline": "2026-06-30"}),
            ),
            (
                task_event_added(5, "confirm", r#"{"review":"confirm"}"#),
                "task.confirm",
                "task",
                "5",
                json!({"review": "confirm"}),
            ),
            (
                task_event_added(5, "report", "not json"),
                "task.report",
                "task",
                "5",
                Value::Null,
            ),
            (
                task_proposed(8, 3, &proposed()),
                "task.propose",
                "task_proposal",
                "8",
                json!({"document": 3, "text": "đẩy mạnh thu ngân sách", "span": [120, 142]}),
            ),
            (
                proposal_reviewed(8, ProposalState::Accepted, Some(5), Some("giao huyện")),
                "task_proposal.accepted",
                "task_proposal",
                "8",
                json!({"task": 5, "note": "giao huyện"}),
            ),
            (
                proposal_reviewed(8, ProposalState::Rejected, None, None),
                "task_proposal.rejected",
                "task_proposal",
                "8",
                json!({"task": null, "note": null}),
            ),
            (
                ntm_state_set(&rec, &state, Some(false)),
                "ntm.set",
                "ntm_state",
                "40/2025/318-2022/standard/17",
                json!({"met": true, "before": false, "evidence": "QĐ 12/QĐ-UBND"}),
            ),
            (
                ntm_state_set(&rec, &state, None),
                "ntm.set",
                "ntm_state",
                "40/2025/318-2022/standard/17",
                json!({"met": true, "before": null, "evidence": "QĐ 12/QĐ-UBND"}),
            ),
        ];
        for (a, action, entity, key, detail) in cases {
            assert_eq!(
                (a.action.as_str(), a.entity, a.key.as_str(), &a.detail),
                (action, entity, key, &detail)
            );
        }
    }

    #[test]
    fn a_proposal_is_reviewed_once() {
        check_not_reviewed(&proposal(ProposalState::Proposed, None)).expect("not yet reviewed");
        for (state, by, words) in [
            (ProposalState::Accepted, Some("vanphong"), "đã nhận"),
            (ProposalState::Rejected, None, "đã loại"),
        ] {
            match check_not_reviewed(&proposal(state, by)) {
                Err(StoreError::AlreadyReviewed { id, state, by: who }) => {
                    assert_eq!(
                        (id, state.as_str(), who.as_str()),
                        (8, words, by.unwrap_or(""))
                    );
                }
                other => panic!("{state:?}: {other:?}"),
            }
        }
    }
}
