//! What `chitieu demo` adds for the web application: one account per role, the demo's
//! figures marked as approved (so the portal publishes them) with a news item each, and one
//! period left open for a reporter to fill in (huyện Bắc Sơn, năm 2022).

use crate::WebError;
use crate::auth::hash_password;
use chitieu_core::evaluate::Summary;
use chitieu_core::period::Period;
use chitieu_core::period_vi::format_period_vi;
use chitieu_store::accounts::{NewAccount, Role, Username};
use chitieu_store::portal::NewNews;
use chitieu_store::{AccountStore, AnyStore, PortalStore, Store, WorkflowStore};

/// A demo account, printed by `chitieu demo`.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub username: String,
    pub password: String,
    pub scope: String,
}

/// (role, user name, display name, scope)
const ACCOUNTS: &[(Role, &str, &str, &str)] = &[
    (Role::Admin, "quantri", "Quản trị hệ thống", ""),
    (
        Role::Office,
        "vanphong",
        "Văn phòng Tỉnh ủy Lạng Sơn",
        "tỉnh Lạng Sơn",
    ),
    (
        Role::Reporter,
        "baocao.bacson",
        "Cán bộ báo cáo huyện Bắc Sơn",
        "huyện Bắc Sơn, tỉnh Lạng Sơn",
    ),
    (Role::Viewer, "xem", "Người xem", "tỉnh Lạng Sơn"),
];

/// The demo's password for every account (a demo database is not for real use).
pub const DEMO_PASSWORD: &str = "chitieu-demo-2025";

/// (unit name, period) of the demo figures to publish.
const PUBLISHED: &[(&str, &str)] = &[
    ("huyện Bắc Sơn, tỉnh Lạng Sơn", "2020"),
    ("huyện Bắc Sơn, tỉnh Lạng Sơn", "2021-H1"),
    ("huyện Bắc Sơn, tỉnh Lạng Sơn", "2022-H1"),
    ("huyện Hữu Lũng, tỉnh Lạng Sơn", "2023-Q1"),
    ("huyện Hương Sơn, tỉnh Hà Tĩnh", "2020-H1"),
];

pub fn seed(store: &mut AnyStore) -> Result<Vec<DemoAccount>, WebError> {
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut out = Vec::new();
    for (role, username, display, scope) in ACCOUNTS {
        let mut scopes = Vec::new();
        if !scope.is_empty() {
            // Units as they stood in the demo's years (districts ended on 1 July 2025).
            let on = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap_or_default();
            scopes.push(store.resolve_unit(scope, on)?.unit);
        }
        store.create_account(
            &NewAccount {
                username: Username::new(username).map_err(WebError::Internal)?,
                display_name: (*display).to_string(),
                role: *role,
                scopes,
                password_hash: hash.clone(),
            },
            "demo",
        )?;
        out.push(DemoAccount {
            role: *role,
            username: (*username).to_string(),
            password: DEMO_PASSWORD.to_string(),
            scope: if scope.is_empty() {
                "toàn quốc (everything)".into()
            } else {
                (*scope).to_string()
            },
        });
    }
    for (unit, period) in PUBLISHED {
        let period: Period = period
            .parse()
            .map_err(|e: chitieu_core::period::PeriodError| WebError::Internal(e.to_string()))?;
        let v = store.resolve_unit(unit, period.end_date())?;
        store.mark_approved(v.unit, &period, "demo")?;
        let rows = chitieu_app::status::evaluate_unit(store, &v, &period)?;
        let summary = Summary::of(rows.iter().map(|r| &r.evaluation));
        let mut body = format!(
            "Kết quả thực hiện các chỉ tiêu {} của {}: {}.",
            format_period_vi(&period),
            v.full_name(),
            summary.summary_vi_detailed()
        );
        for r in rows.iter().filter(|r| r.actual.is_some()).take(4) {
            if let (Some(a), Some(p)) = (&r.actual, r.evaluation.percent_of_plan) {
                body.push_str(&format!(
                    "\n\n{}: {}, bằng {} kế hoạch.",
                    r.indicator.name_vi,
                    chitieu_app::present::amount_vi(a.input.value, &r.indicator.unit),
                    chitieu_app::present::percent_vi(p)
                ));
            }
        }
        body.push_str(
            "\n\n(Tin tự động tạo từ dữ liệu mẫu của chitieu — generated from the demo data.)",
        );
        store.publish_news(
            &NewNews {
                unit: v.unit,
                title: format!(
                    "{}: {} {}",
                    v.title(),
                    summary.fraction_vi(),
                    format_period_vi(&period)
                ),
                body,
            },
            "demo",
        )?;
    }
    Ok(out)
}
