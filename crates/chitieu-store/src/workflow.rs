//! Entry and approval of the figures a unit reports for a period (its *data set*), as in
//! DHIS2: values are saved as a draft, submitted (which writes them as figures), then approved
//! (which locks them) or returned with a comment. A unit is approved only when every unit
//! below it that has a data set for the period is approved; an approved data set can be
//! reopened, but not while the unit above it is approved. Also the explanation requests the
//! office sends on lagging indicators, with the unit's answer.
//!
//! The transitions are checked here, inside the write transaction, so two people acting at
//! once cannot both succeed.

use crate::Result;
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Where a data set stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSetState {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl DataSetState {
    pub const ALL: [DataSetState; 4] = [
        DataSetState::Draft,
        DataSetState::Submitted,
        DataSetState::Approved,
        DataSetState::Returned,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            DataSetState::Draft => "draft",
            DataSetState::Submitted => "submitted",
            DataSetState::Approved => "approved",
            DataSetState::Returned => "returned",
        }
    }

    pub fn vi(&self) -> &'static str {
        match self {
            DataSetState::Draft => "đang nhập",
            DataSetState::Submitted => "đã gửi, chờ duyệt",
            DataSetState::Approved => "đã duyệt (khóa)",
            DataSetState::Returned => "trả lại để sửa",
        }
    }

    /// Whether values may be entered: a draft, or a data set returned for correction.
    pub fn editable(&self) -> bool {
        matches!(self, DataSetState::Draft | DataSetState::Returned)
    }
}

impl FromStr for DataSetState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataSetState::ALL
            .into_iter()
            .find(|st| st.key() == s.trim())
            .ok_or_else(|| format!("unknown data set state '{s}'"))
    }
}

impl fmt::Display for DataSetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What was done to a data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowAction {
    Save,
    Submit,
    Approve,
    Return,
    Reopen,
}

impl WorkflowAction {
    pub const ALL: [WorkflowAction; 5] = [
        WorkflowAction::Save,
        WorkflowAction::Submit,
        WorkflowAction::Approve,
        WorkflowAction::Return,
        WorkflowAction::Reopen,
    ];

    pub fn key(&self) -> &'static str {
        match self {
            WorkflowAction::Save => "save",
            WorkflowAction::Submit => "submit",
            WorkflowAction::Approve => "approve",
            WorkflowAction::Return => "return",
            WorkflowAction::Reopen => "reopen",
        }
    }

    pub fn vi(&self) -> &'static str {
        match self {
            WorkflowAction::Save => "lưu nháp",
            WorkflowAction::Submit => "gửi duyệt",
            WorkflowAction::Approve => "duyệt",
            WorkflowAction::Return => "trả lại",
            WorkflowAction::Reopen => "mở lại",
        }
    }

    /// The state after the action, or why it is refused, from the current state (`None`
    /// when the data set does not exist yet).
    pub fn next(&self, from: Option<DataSetState>) -> std::result::Result<DataSetState, String> {
        use DataSetState as S;
        match (self, from) {
            (WorkflowAction::Save, None) => Ok(S::Draft),
            (WorkflowAction::Save, Some(s)) if s.editable() => Ok(s),
            (WorkflowAction::Submit, Some(s)) if s.editable() => Ok(S::Submitted),
            (WorkflowAction::Approve, Some(S::Submitted)) => Ok(S::Approved),
            (WorkflowAction::Return, Some(S::Submitted)) => Ok(S::Returned),
            (WorkflowAction::Reopen, Some(S::Approved)) => Ok(S::Returned),
            (_, None) => Err(format!(
                "chưa có số liệu nào được nhập, không thể {}",
                self.vi()
            )),
            (_, Some(s)) => Err(format!(
                "không thể {} khi số liệu đang ở trạng thái «{}»",
                self.vi(),
                s.vi()
            )),
        }
    }
}

impl FromStr for WorkflowAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorkflowAction::ALL
            .into_iter()
            .find(|a| a.key() == s.trim())
            .ok_or_else(|| format!("unknown workflow action '{s}'"))
    }
}

/// A unit's data set for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataSet {
    pub unit: UnitId,
    pub period: Period,
    pub state: DataSetState,
    /// The last return or reopen comment.
    pub comment: Option<String>,
    pub updated_by: String,
    pub updated_at: String,
}

/// A value to save in a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftEntry {
    pub indicator: IndicatorCode,
    pub value: Decimal,
    /// The reporter's explanation (required by the web layer for a large jump).
    pub comment: Option<String>,
}

/// A saved draft value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftValue {
    pub indicator: IndicatorCode,
    pub value: Decimal,
    pub comment: Option<String>,
    pub entered_by: String,
    pub entered_at: String,
}

/// One step in a data set's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataSetEvent {
    pub id: i64,
    pub action: WorkflowAction,
    pub actor: String,
    pub at: String,
    pub comment: Option<String>,
}

/// An explanation request on a lagging indicator, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub id: i64,
    pub indicator: IndicatorCode,
    pub unit: UnitId,
    pub period: Period,
    pub question: String,
    pub asked_by: String,
    pub asked_at: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
}

/// Storage of the entry and approval workflow. Every write is one transaction and audited.
pub trait WorkflowStore {
    fn data_set(&self, unit: UnitId, period: &Period) -> Result<Option<DataSet>>;
    /// Data sets, optionally in one state, newest change first.
    fn data_sets(&self, state: Option<DataSetState>) -> Result<Vec<DataSet>>;
    fn draft_values(&self, unit: UnitId, period: &Period) -> Result<Vec<DraftValue>>;
    fn data_set_events(&self, unit: UnitId, period: &Period) -> Result<Vec<DataSetEvent>>;

    /// Saves values into the draft (creating the data set), replacing earlier draft values of
    /// the same indicators. Refused unless the data set is a draft or was returned.
    fn save_draft(
        &mut self,
        unit: UnitId,
        period: &Period,
        entries: &[DraftEntry],
        actor: &str,
    ) -> Result<DataSet>;
    /// Writes the draft values as figures (a manual revision each) and marks the data set
    /// submitted.
    fn submit(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet>;
    /// Approves and locks a submitted data set. Refused while a unit below it (as the tree
    /// stood at the period's end) has a data set for the period that is not approved.
    fn approve(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet>;
    /// Returns a submitted data set for correction, with a comment.
    fn return_for_correction(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<DataSet>;
    /// Reopens an approved data set. Refused while the unit above it is approved.
    fn reopen(
        &mut self,
        unit: UnitId,
        period: &Period,
        comment: &str,
        actor: &str,
    ) -> Result<DataSet>;
    /// Marks figures already stored (imported, or built by the demo) as an approved data set,
    /// so they count as published. Creates or replaces the data set's state.
    fn mark_approved(&mut self, unit: UnitId, period: &Period, actor: &str) -> Result<DataSet>;

    fn ask_explanation(
        &mut self,
        indicator: &IndicatorCode,
        unit: UnitId,
        period: &Period,
        question: &str,
        actor: &str,
    ) -> Result<Explanation>;
    fn answer_explanation(&mut self, id: i64, answer: &str, actor: &str) -> Result<Explanation>;
    fn explanation(&self, id: i64) -> Result<Explanation>;
    /// Every explanation request, newest first.
    fn explanations(&self) -> Result<Vec<Explanation>>;
}

/// A unit named in a workflow refusal, from the stored "kind-key name" ("thi_tran Bắc Sơn")
/// to how people write it ("thị trấn Bắc Sơn").
pub(crate) fn pending_unit_vi(stored: &str) -> String {
    match stored.split_once(' ') {
        Some((key, name)) => match chitieu_core::admin::UnitKind::from_key(key) {
            Some(kind) => format!("{} {name}", kind.vi()),
            None => stored.to_string(),
        },
        None => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::pending_unit_vi;

    #[test]
    fn refusals_name_units_with_their_vietnamese_kind() {
        assert_eq!(pending_unit_vi("xa Bắc Quỳnh"), "xã Bắc Quỳnh");
        assert_eq!(pending_unit_vi("thi_tran Bắc Sơn"), "thị trấn Bắc Sơn");
        assert_eq!(pending_unit_vi("unknown Tên"), "unknown Tên");
    }
}
