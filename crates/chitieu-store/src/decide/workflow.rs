//! The workflow's decisions both backends make the same way: a transition's new state (or its
//! refusal), what it keeps and the audit entry it leaves; the checks of comments, questions
//! and answers; the refusals that name units below or above; the figures a submission writes.
//! Each backend reads the state and the units in its own SQL, under its own locks, and writes
//! what is decided here.

use super::Audit;
use crate::workflow::{DataSetState, DraftEntry, DraftValue, WorkflowAction};
use crate::{Batch, Result, StoreError};
use chitieu_core::admin::UnitId;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use serde_json::json;

/// A data set's key in the audit log and in "not found": "unit/period".
pub(crate) fn data_set_key(unit: UnitId, period: &Period) -> String {
    format!("{}/{}", unit.0, period)
}

/// What a transition writes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transition {
    pub to: DataSetState,
    /// Whether the data set's comment becomes this action's (return and reopen), rather than
    /// staying as it was.
    pub keeps_comment: bool,
    pub audit: Audit,
}

/// Decides an action on a data set in state `from` (`None`: none yet): the new state and the
/// audit entry, or `Refused` with the reason.
pub(crate) fn transition(
    unit: UnitId,
    period: &Period,
    from: Option<DataSetState>,
    action: WorkflowAction,
    comment: Option<&str>,
) -> Result<Transition> {
    let to = action.next(from).map_err(StoreError::Refused)?;
    Ok(Transition {
        to,
        keeps_comment: matches!(action, WorkflowAction::Return | WorkflowAction::Reopen),
        audit: Audit {
            action: format!("data_set.{}", action.key()),
            entity: "data_set",
            key: data_set_key(unit, period),
            detail: json!({"from": from.map(|s| s.key()), "to": to.key(), "comment": comment}),
        },
    })
}

/// The audit entry of a saved draft: every value entered, as canonical decimal text.
pub(crate) fn draft_saved(unit: UnitId, period: &Period, entries: &[DraftEntry]) -> Audit {
    Audit {
        action: "draft.save".to_string(),
        entity: "data_set",
        key: data_set_key(unit, period),
        detail: json!({"values": entries.iter().map(|e| json!({"indicator": e.indicator.as_str(), "value": e.value.normalize().to_string(), "comment": e.comment})).collect::<Vec<_>>()}),
    }
}

/// The figures a submission writes: each draft value as an official, manual figure with its
/// comment as the note. A draft with no values is refused.
pub(crate) fn submission(unit: UnitId, period: &Period, values: &[DraftValue]) -> Result<Batch> {
    if values.is_empty() {
        return Err(StoreError::Refused(
            "chưa có giá trị nào để gửi (no values to submit)".to_string(),
        ));
    }
    let figures = values
        .iter()
        .map(|v| FigureInput {
            indicator: v.indicator.clone(),
            unit,
            period: *period,
            value: v.value,
            state: FigureState::Official,
            as_of: None,
            provenance: Provenance::Manual,
            note: v.comment.clone(),
        })
        .collect();
    Ok(Batch {
        figures,
        ..Batch::default()
    })
}

/// Approval waits for the units below: `pending` are those with a data set for the period not
/// yet approved, as stored ("kind-key name"); any of them refuses, naming them.
pub(crate) fn check_below_approved(pending: &[String]) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "chưa thể duyệt: số liệu của đơn vị cấp dưới chưa được duyệt ({})",
        pending
            .iter()
            .map(|k| crate::workflow::pending_unit_vi(k))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// A return needs its reason: the comment trimmed, or `Refused` when there is none.
pub(crate) fn return_comment(comment: &str) -> Result<&str> {
    match comment.trim() {
        "" => Err(StoreError::Refused(
            "cần ghi lý do trả lại (a comment is required)".to_string(),
        )),
        c => Ok(c),
    }
}

/// A reopening is refused while the unit above is approved; its comment, trimmed, is kept
/// only when there is one.
pub(crate) fn reopen_comment(parent_approved: bool, comment: &str) -> Result<Option<&str>> {
    if parent_approved {
        return Err(StoreError::Refused(
            "không thể mở lại: số liệu của đơn vị cấp trên đã được duyệt; mở lại cấp trên trước"
                .to_string(),
        ));
    }
    let comment = comment.trim();
    Ok((!comment.is_empty()).then_some(comment))
}

/// The event comment of a data set marked approved without the workflow.
pub(crate) const MARKED_APPROVED: &str = "đánh dấu đã duyệt (figures stored before the workflow)";

/// The audit entry of a data set marked approved.
pub(crate) fn marked_approved(unit: UnitId, period: &Period) -> Audit {
    Audit {
        action: "data_set.mark_approved".to_string(),
        entity: "data_set",
        key: data_set_key(unit, period),
        detail: json!({}),
    }
}

/// An explanation request's question, trimmed; an empty one is refused.
pub(crate) fn question_text(question: &str) -> Result<&str> {
    match question.trim() {
        "" => Err(StoreError::Refused(
            "nội dung yêu cầu giải trình đang trống".to_string(),
        )),
        q => Ok(q),
    }
}

/// The audit entry of an explanation request stored as `id`.
pub(crate) fn explanation_asked(
    id: i64,
    indicator: &IndicatorCode,
    unit: UnitId,
    period: &Period,
    question: &str,
) -> Audit {
    Audit {
        action: "explanation.ask".to_string(),
        entity: "explanation_request",
        key: id.to_string(),
        detail: json!({"indicator": indicator.as_str(), "unit": unit.0, "period": period.to_string(), "question": question}),
    }
}

/// An explanation's answer, trimmed; an empty one is refused.
pub(crate) fn answer_text(answer: &str) -> Result<&str> {
    match answer.trim() {
        "" => Err(StoreError::Refused(
            "nội dung giải trình đang trống".to_string(),
        )),
        a => Ok(a),
    }
}

/// An answer that updated no row: the request does not exist or was answered already.
pub(crate) fn not_answerable(id: i64) -> StoreError {
    StoreError::Refused(format!(
        "yêu cầu giải trình {id} không tồn tại hoặc đã được trả lời"
    ))
}

/// The audit entry of an answer.
pub(crate) fn explanation_answered(id: i64, answer: &str) -> Audit {
    Audit {
        action: "explanation.answer".to_string(),
        entity: "explanation_request",
        key: id.to_string(),
        detail: json!({"answer": answer}),
    }
}

/// A stored data set state.
pub(crate) fn parse_state(s: &str) -> Result<DataSetState> {
    s.parse()
        .map_err(|e: String| StoreError::corrupt("data set state", e))
}

/// A stored workflow action.
pub(crate) fn parse_action(s: &str) -> Result<WorkflowAction> {
    s.parse()
        .map_err(|e: String| StoreError::corrupt("workflow action", e))
}

/// A stored indicator code.
pub(crate) fn parse_code(s: &str) -> Result<IndicatorCode> {
    IndicatorCode::new(s).map_err(|e| StoreError::corrupt("indicator code", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataSetState::{Approved, Draft, Returned, Submitted};
    use WorkflowAction::{Approve, Reopen, Return, Save, Submit};
    use chitieu_core::Decimal;

    fn period() -> Period {
        "2026-H1".parse().expect("period")
    }

    fn refusal<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(StoreError::Refused(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// An action, the state it is taken from, and the state reached with whether the comment
    /// is kept, or the refusal's words.
    type TransitionCase = (
        WorkflowAction,
        Option<DataSetState>,
        std::result::Result<(DataSetState, bool), &'static str>,
    );

    #[test]
    fn transitions_reach_a_state_or_are_refused() {
        let cases: Vec<TransitionCase> = vec![
            (Save, None, Ok((Draft, false))),
            (Save, Some(Draft), Ok((Draft, false))),
            (Save, Some(Returned), Ok((Returned, false))),
            (
                Save,
                Some(Submitted),
                Err("không thể lưu nháp khi số liệu đang ở trạng thái «đã gửi, chờ duyệt»"),
            ),
            (
                Save,
                Some(Approved),
                Err("không thể lưu nháp khi số liệu đang ở trạng thái «đã duyệt (khóa)»"),
            ),
            (
                Submit,
                None,
                Err("chưa có số liệu nào được nhập, không thể gửi duyệt"),
            ),
            (Submit, Some(Draft), Ok((Submitted, false))),
            (Submit, Some(Returned), Ok((Submitted, false))),
            (
                Submit,
                Some(Approved),
                Err("không thể gửi duyệt khi số liệu đang ở trạng thái «đã duyệt (khóa)»"),
            ),
            (Approve, Some(Submitted), Ok((Approved, false))),
            (
                Approve,
                Some(Draft),
                Err("không thể duyệt khi số liệu đang ở trạng thái «đang nhập»"),
            ),
            (Return, Some(Submitted), Ok((Returned, true))),
            (
                Return,
                None,
                Err("chưa có số liệu nào được nhập, không thể trả lại"),
            ),
            (Reopen, Some(Approved), Ok((Returned, true))),
            (
                Reopen,
                Some(Submitted),
                Err("không thể mở lại khi số liệu đang ở trạng thái «đã gửi, chờ duyệt»"),
            ),
        ];
        for (action, from, expected) in cases {
            let got = transition(UnitId(12), &period(), from, action, Some("thiếu số liệu"));
            match expected {
                Ok((to, keeps)) => {
                    let t = got.expect("a transition");
                    assert_eq!(
                        (t.to, t.keeps_comment),
                        (to, keeps),
                        "{action:?} from {from:?}"
                    );
                    assert_eq!(t.audit.action, format!("data_set.{}", action.key()));
                    assert_eq!(
                        (t.audit.entity, t.audit.key.as_str()),
                        ("data_set", "12/2026-H1")
                    );
                    assert_eq!(
                        t.audit.detail,
                        json!({"from": from.map(|s| s.key()), "to": to.key(), "comment": "thiếu số liệu"})
                    );
                }
                Err(words) => assert_eq!(refusal(got), words, "{action:?} from {from:?}"),
            }
        }
    }

    #[test]
    fn a_submission_writes_each_draft_value_as_an_official_figure() {
        let value = |code: &str, v: i64, comment: Option<&str>| DraftValue {
            indicator: parse_code(code).expect("code"),
            value: Decimal::from(v),
            comment: comment.map(str::to_string),
            entered_by: "bacson".to_string(),
            entered_at: "2026-06-20T08:00:00Z".to_string(),
        };
        let batch = submission(
            UnitId(12),
            &period(),
            &[
                value("thu_ngan_sach", 43, Some("ước")),
                value("dan_so", 7, None),
            ],
        )
        .expect("a batch");
        assert!(batch.plan_sources.is_empty() && batch.targets.is_empty());
        let figures: Vec<(&str, Decimal, Option<&str>)> = batch
            .figures
            .iter()
            .map(|f| {
                assert_eq!(
                    (f.unit, f.period, f.state, f.as_of),
                    (UnitId(12), period(), FigureState::Official, None)
                );
                assert_eq!(f.provenance, Provenance::Manual);
                (f.indicator.as_str(), f.value, f.note.as_deref())
            })
            .collect();
        assert_eq!(
            figures,
            vec![
                ("thu_ngan_sach", Decimal::from(43), Some("ước")),
                ("dan_so", Decimal::from(7), None)
            ]
        );
        assert_eq!(
            refusal(submission(UnitId(12), &period(), &[])),
            "chưa có giá trị nào để gửi (no values to submit)"
        );
    }

    #[test]
    fn comments_questions_and_answers_are_trimmed_or_refused() {
        assert_eq!(return_comment("  sai số  ").expect("a comment"), "sai số");
        assert_eq!(
            refusal(return_comment(" \n")),
            "cần ghi lý do trả lại (a comment is required)"
        );
        assert_eq!(
            reopen_comment(false, " bổ sung ").expect("reopen"),
            Some("bổ sung")
        );
        assert_eq!(reopen_comment(false, "  ").expect("reopen"), None);
        assert_eq!(
            refusal(reopen_comment(true, "bổ sung")),
            "không thể mở lại: số liệu của đơn vị cấp trên đã được duyệt; mở lại cấp trên trước"
        );
        assert_eq!(
            question_text(" vì sao giảm? ").expect("question"),
            "vì sao giảm?"
        );
        assert_eq!(
            refusal(question_text("")),
            "nội dung yêu cầu giải trình đang trống"
        );
        assert_eq!(answer_text(" do mưa lũ ").expect("answer"), "do mưa lũ");
        assert_eq!(refusal(answer_text(" ")), "nội dung giải trình đang trống");
        assert_eq!(
            refusal::<()>(Err(not_answerable(5))),
            "yêu cầu giải trình 5 không tồn tại hoặc đã được trả lời"
        );
    }

    #[test]
    fn approval_names_the_units_below_not_yet_approved() {
        check_below_approved(&[]).expect("none pending");
        assert_eq!(
            refusal(check_below_approved(&[
                "thi_tran Bắc Sơn".to_string(),
                "xa Vũ Lăng".to_string()
            ])),
            "chưa thể duyệt: số liệu của đơn vị cấp dưới chưa được duyệt (thị trấn Bắc Sơn, xã Vũ Lăng)"
        );
    }

    #[test]
    fn audit_entries_of_drafts_marks_and_explanations() {
        let p = period();
        let code = parse_code("thu_ngan_sach").expect("code");
        let entries = [DraftEntry {
            indicator: code.clone(),
            value: "43.50".parse().expect("decimal"),
            comment: None,
        }];
        let cases: Vec<(Audit, &str, &str, serde_json::Value)> = vec![
            (
                draft_saved(UnitId(12), &p, &entries),
                "draft.save",
                "12/2026-H1",
                json!({"values": [{"indicator": "thu_ngan_sach", "value": "43.5", "comment": null}]}),
            ),
            (
                marked_approved(UnitId(12), &p),
                "data_set.mark_approved",
                "12/2026-H1",
                json!({}),
            ),
            (
                explanation_asked(5, &code, UnitId(12), &p, "vì sao giảm?"),
                "explanation.ask",
                "5",
                json!({"indicator": "thu_ngan_sach", "unit": 12, "period": "2026-H1", "question": "vì sao giảm?"}),
            ),
            (
                explanation_answered(5, "do mưa lũ"),
                "explanation.answer",
                "5",
                json!({"answer": "do mưa lũ"}),
            ),
        ];
        for (audit, action, key, detail) in cases {
            assert_eq!(
                (audit.action.as_str(), audit.key.as_str(), &audit.detail),
                (action, key, &detail)
            );
        }
    }

    #[test]
    fn stored_words_are_read_back_or_called_corrupt() {
        assert_eq!(parse_state("returned").expect("state"), Returned);
        assert_eq!(parse_action("reopen").expect("action"), Reopen);
        assert!(matches!(
            parse_state("lost"),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            parse_action("lost"),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            parse_code("Bad Code"),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
