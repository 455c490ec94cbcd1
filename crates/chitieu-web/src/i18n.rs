//! The pages' own words in Vietnamese and English. Domain names (indicators, units, statuses
//! as reports write them) stay Vietnamese in both.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(&self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(&self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
        }
    }

    /// The text of `key` in this language; the key itself when it is missing.
    pub fn t(&self, key: &str) -> &'static str {
        match WORDS.iter().find(|(k, _, _)| *k == key) {
            Some((_, vi, en)) => match self {
                Lang::Vi => vi,
                Lang::En => en,
            },
            None => "?",
        }
    }
}

/// (key, Vietnamese, English)
const WORDS: &[(&str, &str, &str)] = &[
    ("app", "Theo dõi chỉ tiêu", "Targets tracker"),
    ("login", "Đăng nhập", "Log in"),
    ("logout", "Đăng xuất", "Log out"),
    ("username", "Tên đăng nhập", "User name"),
    ("password", "Mật khẩu", "Password"),
    (
        "login_wrong",
        "Sai tên đăng nhập hoặc mật khẩu.",
        "Wrong user name or password.",
    ),
    (
        "login_locked",
        "Tài khoản tạm khóa do đăng nhập sai nhiều lần, đến",
        "Account locked after repeated failed log-ins, until",
    ),
    ("dashboard", "Tổng quan", "Overview"),
    ("entry", "Nhập số liệu", "Data entry"),
    ("review", "Duyệt số liệu", "Review"),
    ("explanations", "Giải trình", "Explanations"),
    ("tasks", "Nhiệm vụ trọng tâm", "Key tasks"),
    ("ntm", "Nông thôn mới", "New rural areas"),
    ("notifications", "Thông báo", "Notifications"),
    ("documents", "Văn bản", "Documents"),
    ("reports", "Báo cáo", "Reports"),
    ("registers", "Sổ đăng ký", "Registers"),
    ("comments", "Ý kiến bạn đọc", "Reader comments"),
    ("audit", "Nhật ký", "Audit log"),
    ("accounts", "Tài khoản", "Accounts"),
    ("tokens", "Mã truy cập API", "API tokens"),
    ("portal", "Cổng thông tin", "Public portal"),
    ("unit", "Đơn vị", "Unit"),
    ("period", "Kỳ", "Period"),
    ("show", "Xem", "Show"),
    ("indicator", "Chỉ tiêu", "Indicator"),
    ("target", "Kế hoạch", "Target"),
    ("actual", "Thực hiện", "Actual"),
    ("pct_plan", "% kế hoạch", "% of plan"),
    ("pct_change", "So cùng kỳ", "vs same period last year"),
    ("projection", "Ước cả năm", "Year-end projection"),
    ("status", "Đánh giá", "Status"),
    ("source", "Nguồn", "Source"),
    ("units_below", "Đơn vị cấp dưới", "Units below"),
    (
        "no_targets",
        "Chưa có chỉ tiêu kế hoạch nào cho đơn vị và kỳ này.",
        "No targets for this unit and period yet.",
    ),
    ("series", "Diễn biến qua các kỳ", "Series over periods"),
    ("by_unit", "Theo đơn vị", "By unit"),
    ("last_period", "Cùng kỳ năm trước", "Same period last year"),
    ("value", "Giá trị", "Value"),
    ("comment", "Ghi chú", "Comment"),
    ("save_draft", "Lưu nháp", "Save draft"),
    ("submit", "Gửi duyệt", "Submit"),
    ("approve", "Duyệt", "Approve"),
    ("return", "Trả lại", "Return"),
    ("reopen", "Mở lại", "Reopen"),
    ("state", "Trạng thái", "State"),
    (
        "queue_empty",
        "Không có số liệu nào chờ duyệt.",
        "Nothing is waiting for review.",
    ),
    (
        "locked",
        "Số liệu đã được duyệt và khóa.",
        "The figures are approved and locked.",
    ),
    ("history", "Lịch sử", "History"),
    ("ask", "Yêu cầu giải trình", "Ask for an explanation"),
    ("answer", "Trả lời", "Answer"),
    ("question", "Nội dung", "Question"),
    ("publish", "Đăng", "Publish"),
    ("reject", "Không đăng", "Reject"),
    ("accept", "Nhận vào CSDL", "Accept"),
    ("name", "Họ tên", "Name"),
    ("send", "Gửi", "Send"),
    ("news", "Tin tức", "News"),
    (
        "results",
        "Kết quả thực hiện chỉ tiêu",
        "Results against targets",
    ),
    ("night", "Chế độ ban đêm", "Night mode"),
    ("print", "In trang", "Print"),
    ("pdf", "Xuất PDF", "Export PDF"),
    ("read_aloud", "Đọc nội dung", "Read aloud"),
    (
        "comment_held",
        "Cảm ơn bạn. Ý kiến sẽ hiển thị sau khi được kiểm duyệt.",
        "Thank you. Your comment will appear once moderated.",
    ),
    ("role", "Vai trò", "Role"),
    ("scope", "Phạm vi", "Scope"),
    ("create", "Tạo", "Create"),
    ("when", "Thời điểm", "When"),
    ("who", "Người thực hiện", "Who"),
    ("action", "Thao tác", "Action"),
    ("detail", "Chi tiết", "Detail"),
    (
        "paste",
        "Dán nội dung bài viết hoặc báo cáo",
        "Paste an article or report",
    ),
    (
        "upload",
        "Hoặc chọn tệp văn bản (.txt)",
        "Or choose a text file (.txt)",
    ),
    ("title", "Tiêu đề", "Title"),
    ("default_unit", "Đơn vị mặc định", "Default unit"),
    ("read_extract", "Đọc và trích số liệu", "Read and extract"),
    ("facts", "Số liệu trích được", "Extracted facts"),
    ("legend", "Chú giải", "Legend"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<_> = WORDS.iter().map(|w| w.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate keys");
        assert!(
            WORDS
                .iter()
                .all(|(_, vi, en)| !vi.is_empty() && !en.is_empty())
        );
        assert_eq!(Lang::En.t("login"), "Log in");
        assert_eq!(Lang::Vi.t("login"), "Đăng nhập");
    }
}
