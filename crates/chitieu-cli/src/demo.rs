//! `chitieu demo`: a demo database built from the figures the seed articles report.
//!
//! Real figures carry the article they come from and the words quoted from it. Where a full
//! picture needs more (a plan value only implied by a percentage, a commune's own figures),
//! the value is derived or invented, and its provenance says so: "suy ra" (derived) or
//! "dữ liệu mẫu" (sample data).

use anyhow::{Context, Result, bail};
use chitieu_core::Decimal;
use chitieu_core::admin::UnitId;
use chitieu_core::figure::{FigureInput, FigureState, Provenance};
use chitieu_core::indicator::{Catalog, IndicatorCode};
use chitieu_core::org::{OrgKind, Organisation, Term};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind, PlanSource, Target};
use chitieu_store::{Batch, Store};
use chrono::NaiveDate;
use clap::Args;
use std::path::Path;
use std::str::FromStr;

mod tasks;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Replace the database file if it already exists.
    #[arg(long)]
    force: bool,
    /// Only build the database; do not start the web application.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: crate::cmd_serve::ServeArgs,
}

/// The seed articles, as cited in provenance notes.
const A000: &str = "Bài «Ban chấp hành Đảng bộ huyện Bắc Sơn triển khai nhiệm vụ trọng tâm 6 tháng cuối năm 2022» (15/6/2022)";
const A001: &str = "Bài «Bí thư Tỉnh ủy làm việc tại huyện Bắc Sơn» (21/7/2021)";
const A002: &str = "Bài «Ban Chấp hành Đảng bộ huyện Bắc Sơn tổng kết công tác lãnh đạo, chỉ đạo năm 2020» (Báo Lạng Sơn, 19/01/2021)";
const A003: &str = "Bài «Ban Chấp hành Đảng bộ huyện Hữu Lũng triển khai nhiệm vụ quý II/2023»";
const A004: &str = "Bài «Hội nghị sơ kết thực hiện nhiệm vụ 6 tháng đầu năm triển khai nhiệm vụ 6 tháng cuối năm 2020» (huyện Hương Sơn, 27/06/2020)";

fn d(s: &str) -> Decimal {
    // Every literal below is a valid decimal; a typo would show in the demo test.
    Decimal::from_str(s).unwrap_or_default()
}

fn ty(s: &str) -> Decimal {
    d(s) * Decimal::from(1_000_000_000)
}

struct Builder<'a> {
    catalog: &'a Catalog,
    batch: Batch,
}

impl Builder<'_> {
    fn code(&self, c: &str) -> Result<IndicatorCode> {
        self.catalog
            .get(c)
            .map(|i| i.code.clone())
            .with_context(|| {
                format!(
                    "dữ liệu mẫu dùng chỉ tiêu '{c}' nhưng danh mục không có (missing indicator)"
                )
            })
    }

    fn plan(
        &mut self,
        key: &str,
        kind: PlanKind,
        title: &str,
        unit: UnitId,
        issued: Option<NaiveDate>,
    ) {
        self.batch.plan_sources.push(PlanSource {
            key: key.into(),
            kind,
            title: title.into(),
            unit,
            issued_on: issued,
        });
    }

    fn target(
        &mut self,
        ind: &str,
        unit: UnitId,
        period: &str,
        plan: &str,
        c: Comparator,
    ) -> Result<()> {
        self.batch.targets.push(Target {
            indicator: self.code(ind)?,
            unit,
            period: Period::from_str(period)?,
            source: plan.into(),
            comparator: c,
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn figure(
        &mut self,
        ind: &str,
        unit: UnitId,
        period: &str,
        value: Decimal,
        state: FigureState,
        as_of: Option<NaiveDate>,
        source: &str,
        quote: &str,
    ) -> Result<()> {
        let note = if quote.is_empty() {
            source.to_string()
        } else {
            format!("{source}: “{quote}”")
        };
        self.batch.figures.push(FigureInput {
            indicator: self.code(ind)?,
            unit,
            period: Period::from_str(period)?,
            value,
            state,
            as_of,
            provenance: Provenance::Generated { note },
            note: None,
        });
        Ok(())
    }
}

fn at_least(v: Decimal) -> Comparator {
    Comparator::AtLeast { value: v }
}

const SAMPLE: &str = "dữ liệu mẫu (sample data, not from a source)";

/// Builds the demo into an open, initialised store.
pub fn build(store: &mut impl Store, actor: &str) -> Result<()> {
    let catalog = store.catalog()?;
    let on = |y, m, dd| {
        NaiveDate::from_ymd_opt(y, m, dd)
            .context("ngày trong dữ liệu mẫu không hợp lệ (bad demo date)")
    };
    let bac_son = store
        .resolve_unit("huyện Bắc Sơn, tỉnh Lạng Sơn", on(2022, 6, 15)?)?
        .unit;
    let huu_lung = store
        .resolve_unit("huyện Hữu Lũng, tỉnh Lạng Sơn", on(2023, 4, 7)?)?
        .unit;
    let huong_son = store
        .resolve_unit("huyện Hương Sơn, tỉnh Hà Tĩnh", on(2020, 6, 26)?)?
        .unit;

    for (unit, name) in [
        (bac_son, "Bắc Sơn"),
        (huu_lung, "Hữu Lũng"),
        (huong_son, "Hương Sơn"),
    ] {
        store.upsert_organisation(
            &Organisation {
                id: 0,
                unit,
                kind: OrgKind::BanChapHanh,
                name: format!("Ban Chấp hành Đảng bộ huyện {name}"),
                terms: if name == "Bắc Sơn" {
                    vec![Term {
                        number: 22,
                        start_year: 2020,
                        end_year: 2025,
                    }]
                } else {
                    vec![]
                },
            },
            actor,
        )?;
        store.upsert_organisation(
            &Organisation {
                id: 0,
                unit,
                kind: OrgKind::BanThuongVu,
                name: format!("Ban Thường vụ Huyện ủy {name}"),
                terms: vec![],
            },
            actor,
        )?;
        store.upsert_organisation(
            &Organisation {
                id: 0,
                unit,
                kind: OrgKind::Ubnd,
                name: format!("UBND huyện {name}"),
                terms: vec![],
            },
            actor,
        )?;
    }

    let mut b = Builder {
        catalog: &catalog,
        batch: Batch::default(),
    };
    use FigureState::{Estimate, Official};

    // ---- Bắc Sơn, 2020 (seed 002) ----
    b.plan(
        "BS-DT-2020",
        PlanKind::ProvinceEstimate,
        "Dự toán thu ngân sách năm 2020 tỉnh giao huyện Bắc Sơn (suy ra từ tỷ lệ 131,5%)",
        bac_son,
        None,
    );
    b.plan(
        "BS-NQ-2020",
        PlanKind::PartyResolution,
        "Nghị quyết BCH Đảng bộ huyện Bắc Sơn về nhiệm vụ năm 2020",
        bac_son,
        None,
    );
    // 43,248 tỷ is 131,5% of the estimate, so the estimate was 32,888 tỷ đồng.
    b.target(
        "budget_revenue",
        bac_son,
        "2020",
        "BS-DT-2020",
        at_least(ty("32.888")),
    )?;
    b.figure("budget_revenue", bac_son, "2020", ty("43.248"), Official, Some(on(2020, 12, 10)?), A002,
        "tổng thu ngân sách Nhà nước trên địa bàn huyện được 43,248 tỷ đồng, đạt 131,5% dự toán tỉnh giao (tính đến 10/12/2020)")?;
    b.target(
        "industrial_production_value",
        bac_son,
        "2020",
        "BS-NQ-2020",
        at_least(ty("100")),
    )?;
    b.figure(
        "industrial_production_value",
        bac_son,
        "2020",
        ty("105.5"),
        Official,
        None,
        A002,
        "giá trị sản xuất công nghiệp đạt 105,5 tỷ đồng, tăng 11,7% so với năm 2019",
    )?;
    // 105,5 tỷ is 11,7% above 2019: 94,45 tỷ.
    b.figure(
        "industrial_production_value",
        bac_son,
        "2019",
        ty("94.45"),
        Official,
        None,
        "suy ra từ mức tăng 11,7% (derived)",
        "",
    )?;
    b.target(
        "key_targets_met",
        bac_son,
        "2020",
        "BS-NQ-2020",
        at_least(d("20")),
    )?;
    b.figure("key_targets_met", bac_son, "2020", d("18"), Official, None, A002,
        "trong 20 chỉ tiêu chủ yếu tại Nghị quyết Ban Chấp hành Đảng bộ huyện về nhiệm vụ năm 2020, có 18 chỉ tiêu thực hiện đạt và vượt")?;

    // ---- Bắc Sơn, 2021 targets (seed 002) and first half (seed 001) ----
    b.plan(
        "BS-NQ-2021",
        PlanKind::PartyResolution,
        "Nghị quyết Hội nghị lần thứ 3 BCH Đảng bộ huyện Bắc Sơn khóa XXII về nhiệm vụ năm 2021",
        bac_son,
        Some(on(2020, 12, 15)?),
    );
    b.plan(
        "BS-DT-2021",
        PlanKind::Other,
        "Dự toán thu ngân sách năm 2021 được giao (suy ra từ tỷ lệ 59,1%)",
        bac_son,
        None,
    );
    b.plan(
        "BS-KH-2021",
        PlanKind::CommitteePlan,
        "Kế hoạch gieo trồng vụ Đông – Xuân 2021 (suy ra từ tỷ lệ 96%)",
        bac_son,
        None,
    );
    b.target(
        "income_per_capita",
        bac_son,
        "2021",
        "BS-NQ-2021",
        at_least(d("50000000")),
    )?;
    b.target(
        "budget_revenue",
        bac_son,
        "2021",
        "BS-NQ-2021",
        at_least(ty("35")),
    )?;
    b.target(
        "budget_revenue",
        bac_son,
        "2021",
        "BS-DT-2021",
        at_least(ty("35.53")),
    )?;
    b.target(
        "ntm_advanced_communes",
        bac_son,
        "2021",
        "BS-NQ-2021",
        at_least(d("1")),
    )?;
    b.target(
        "poverty_rate_reduction",
        bac_son,
        "2021",
        "BS-NQ-2021",
        at_least(d("3")),
    )?;
    b.target(
        "grid_electricity_rate",
        bac_son,
        "2021",
        "BS-NQ-2021",
        at_least(d("96.91")),
    )?;
    b.target(
        "new_party_members",
        bac_son,
        "2021",
        "BS-NQ-2021",
        at_least(d("200")),
    )?;
    b.target(
        "crop_area",
        bac_son,
        "2021-H1",
        "BS-KH-2021",
        at_least(d("6250")),
    )?;
    b.figure(
        "budget_revenue",
        bac_son,
        "2021-H1",
        ty("21"),
        Estimate,
        None,
        A001,
        "tổng thu ngân sách đạt gần 21 tỷ đồng, bằng 59,1% dự toán giao",
    )?;
    b.figure(
        "crop_area",
        bac_son,
        "2021-H1",
        d("6000"),
        Estimate,
        None,
        A001,
        "tổng diện tích gieo trồng vụ Đông – Xuân được gần 6.000 ha, đạt trên 96% kế hoạch",
    )?;
    b.figure(
        "grain_output",
        bac_son,
        "2021-H1",
        d("17200"),
        Estimate,
        None,
        A001,
        "tổng sản lượng lương thực có hạt ước đạt trên 17,2 nghìn tấn",
    )?;
    b.figure("industrial_production_value", bac_son, "2021-H1", ty("52"), Estimate, None, A001,
        "Giá trị sản xuất công nghiệp, tiểu thủ công nghiệp đạt trên 52 tỷ đồng, tăng 12,5% so với cùng kỳ năm 2020")?;
    b.figure(
        "industrial_production_value",
        bac_son,
        "2020-H1",
        ty("46.22"),
        Official,
        None,
        "suy ra từ mức tăng 12,5% (derived)",
        "",
    )?;
    b.figure(
        "voter_turnout",
        bac_son,
        "2021-H1",
        d("100"),
        Official,
        None,
        A001,
        "tỷ lệ cử tri đi bầu đạt 100%",
    )?;
    b.figure(
        "budget_revenue",
        bac_son,
        "2021",
        ty("37.6"),
        Official,
        None,
        SAMPLE,
        "",
    )?;

    // ---- Bắc Sơn, 2022 first half (seed 000) ----
    b.plan(
        "BS-DT-2022",
        PlanKind::ProvinceEstimate,
        "Dự toán thu ngân sách năm 2022 tỉnh giao huyện Bắc Sơn (suy ra từ tỷ lệ 80%)",
        bac_son,
        None,
    );
    b.plan(
        "BS-NQ-2022",
        PlanKind::PartyResolution,
        "Nghị quyết BCH Đảng bộ huyện Bắc Sơn về nhiệm vụ năm 2022 (một phần là dữ liệu mẫu)",
        bac_son,
        None,
    );
    b.target(
        "budget_revenue",
        bac_son,
        "2022",
        "BS-DT-2022",
        at_least(ty("31.25")),
    )?;
    b.figure(
        "budget_revenue",
        bac_son,
        "2022-H1",
        ty("25"),
        Estimate,
        None,
        A000,
        "thu ngân sách đạt trên 25 tỷ đồng, đạt 80% dự toán tỉnh giao",
    )?;
    b.figure(
        "budget_revenue",
        bac_son,
        "2021",
        ty("37.6"),
        Official,
        None,
        SAMPLE,
        "",
    )?;
    b.target(
        "public_investment_projects_started",
        bac_son,
        "2022",
        "BS-NQ-2022",
        at_least(d("36")),
    )?;
    b.figure(
        "public_investment_projects_started",
        bac_son,
        "2022-H1",
        d("11"),
        Official,
        None,
        A000,
        "đã khởi công 11/36 công trình khởi công mới",
    )?;
    b.target(
        "ntm_communes",
        bac_son,
        "2022",
        "BS-NQ-2022",
        at_least(d("9")),
    )?;
    b.figure(
        "ntm_communes",
        bac_son,
        "2022-H1",
        d("8"),
        Official,
        None,
        A000,
        "đến nay đã có 8/17 xã đạt chuẩn NTM",
    )?;
    b.figure(
        "ntm_communes",
        bac_son,
        "2021-H1",
        d("7"),
        Official,
        None,
        SAMPLE,
        "",
    )?;
    b.target(
        "ntm_avg_criteria",
        bac_son,
        "2022",
        "BS-NQ-2022",
        at_least(d("15")),
    )?;
    b.figure(
        "ntm_avg_criteria",
        bac_son,
        "2022-H1",
        d("14.3"),
        Official,
        None,
        A000,
        "bình quân mỗi xã đạt 14,3 tiêu chí/01 xã",
    )?;
    b.target(
        "poverty_rate",
        bac_son,
        "2022",
        "BS-NQ-2022",
        Comparator::AtMost { value: d("12") },
    )?;
    b.figure(
        "poverty_rate",
        bac_son,
        "2022-H1",
        d("12.3"),
        Estimate,
        None,
        SAMPLE,
        "",
    )?;
    b.target(
        "grain_output",
        bac_son,
        "2022",
        "BS-NQ-2022",
        at_least(d("35000")),
    )?;
    b.figure(
        "grain_output",
        bac_son,
        "2022-H1",
        d("17900"),
        Estimate,
        None,
        SAMPLE,
        "",
    )?;
    b.figure(
        "grain_output",
        bac_son,
        "2021-H1",
        d("17200"),
        Estimate,
        None,
        A001,
        "",
    )?;
    b.figure(
        "grain_output",
        bac_son,
        "2021",
        d("34100"),
        Official,
        None,
        SAMPLE,
        "",
    )?;

    // ---- Hữu Lũng, first quarter 2023 (seed 003) ----
    b.plan(
        "HL-DT-2023",
        PlanKind::ProvinceEstimate,
        "Dự toán thu ngân sách năm 2023 tỉnh giao huyện Hữu Lũng (suy ra từ tỷ lệ 27,9%)",
        huu_lung,
        None,
    );
    b.target(
        "budget_revenue",
        huu_lung,
        "2023",
        "HL-DT-2023",
        at_least(ty("145.88")),
    )?;
    b.figure(
        "budget_revenue",
        huu_lung,
        "2023-Q1",
        ty("40.7"),
        Official,
        None,
        A003,
        "thu ngân sách đạt 40,7 tỷ đồng, bằng 27,9% dự toán tỉnh giao",
    )?;

    // ---- Hương Sơn, first half 2020 (seed 004) ----
    b.plan(
        "HS-KH-2020",
        PlanKind::CouncilPlan,
        "Kế hoạch năm 2020 huyện Hương Sơn (giá trị suy ra từ tỷ lệ 57,34%)",
        huong_son,
        None,
    );
    b.target(
        "budget_revenue",
        huong_son,
        "2020",
        "HS-KH-2020",
        at_least(ty("120.33")),
    )?;
    b.figure("budget_revenue", huong_son, "2020-H1", ty("69"), Estimate, None, A004,
        "Thu ngân sách trên địa bàn 6 tháng đầu năm đạt gần 69 tỷ đồng, bằng 57,34% kế hoạch năm, tăng 37,25% so với cùng kỳ")?;
    b.figure(
        "budget_revenue",
        huong_son,
        "2019-H1",
        ty("50.27"),
        Official,
        None,
        "suy ra từ mức tăng 37,25% (derived)",
        "",
    )?;
    b.target(
        "total_production_value",
        huong_son,
        "2020",
        "HS-KH-2020",
        at_least(ty("6800")),
    )?;
    b.figure(
        "total_production_value",
        huong_son,
        "2020-H1",
        ty("3273"),
        Official,
        None,
        A004,
        "Tổng giá trị sản xuất đạt 3.273 tỷ đồng, tăng 3,31% so với cùng kỳ",
    )?;
    b.figure(
        "total_production_value",
        huong_son,
        "2019-H1",
        ty("3168.14"),
        Official,
        None,
        "suy ra từ mức tăng 3,31% (derived)",
        "",
    )?;
    b.target(
        "investment_capital",
        huong_son,
        "2020",
        "HS-KH-2020",
        at_least(ty("900")),
    )?;
    b.figure(
        "investment_capital",
        huong_son,
        "2020-H1",
        ty("440"),
        Estimate,
        None,
        A004,
        "Huy động vốn đầu tư trên địa bàn huyện ước đạt 440 tỷ đồng",
    )?;
    b.target(
        "rural_roads_built",
        huong_son,
        "2020",
        "HS-KH-2020",
        at_least(d("50")),
    )?;
    b.figure(
        "rural_roads_built",
        huong_son,
        "2020-H1",
        d("28"),
        Official,
        None,
        A004,
        "cứng hóa được trên 28 km đường GTNT",
    )?;
    b.figure(
        "drainage_built",
        huong_son,
        "2020-H1",
        d("14"),
        Official,
        None,
        A004,
        "14km rãnh thoát nước",
    )?;
    b.figure(
        "new_production_models",
        huong_son,
        "2020-H1",
        d("33"),
        Official,
        None,
        A004,
        "hình thành mới 33 mô hình",
    )?;
    b.figure(
        "new_cooperatives",
        huong_son,
        "2020-H1",
        d("2"),
        Official,
        None,
        A004,
        "2 HTX",
    )?;
    b.figure(
        "new_enterprises",
        huong_son,
        "2020-H1",
        d("18"),
        Official,
        None,
        A004,
        "18 DN",
    )?;

    // Duplicate figures (the same value twice) are harmless: the store keeps one revision.
    b.batch
        .figures
        .dedup_by(|a, b| a.indicator == b.indicator && a.unit == b.unit && a.period == b.period);
    store.apply(&b.batch, actor)?;
    Ok(())
}

pub fn run(database: &str, args: &DemoArgs) -> Result<()> {
    let location = chitieu_store::Location::parse(database);
    let path = match &location {
        chitieu_store::Location::Sqlite(p) => p.clone(),
        // On PostgreSQL the demo's report files go to the current directory.
        chitieu_store::Location::Postgres(_) => std::path::PathBuf::from("chitieu-demo"),
    };
    let path = path.as_path();
    if let chitieu_store::Location::Postgres(_) = &location {
        // A server's database is never emptied by the demo: it must start empty.
        let store = crate::open_any(database)?;
        let c = store.counts()?;
        if c.figure_revisions > 0 || c.targets > 0 {
            bail!(
                "{location} đã có số liệu hoặc kế hoạch: bản demo cần một cơ sở dữ liệu trống (needs an empty database); hãy tạo mới, ví dụ `createdb chitieu_demo`, rồi truyền URL bằng --database"
            );
        }
    } else if path.exists() {
        if !args.force {
            bail!(
                "{} đã có (already exists): chạy `chitieu demo --force` để thay thế, hoặc chọn tệp khác bằng --database",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{suffix}", path.display());
            if Path::new(&p).exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("không xoá được {p} (cannot remove)"))?;
            }
        }
    }
    let mut store = crate::open_any(database)?;
    store.init(&Catalog::builtin(), &crate::progress::Bar::new())?;
    build(&mut store, "demo")?;
    let loaded = tasks::build(&mut store, "demo")?;
    let reports = crate::cmd_report::demo(&mut store, path)?;
    let accounts = chitieu_web::demo::seed(&mut store).context("không tạo được tài khoản demo")?;
    let c = store.counts()?;
    println!(
        "Đã tạo cơ sở dữ liệu mẫu {}: {} đơn vị hành chính, {} chỉ tiêu kế hoạch, {} số liệu, {} nhiệm vụ trọng tâm, tiêu chí nông thôn mới của {} xã.",
        location, c.units, c.targets, c.figures, loaded.tasks, loaded.ntm_communes
    );
    let db = if database == "chitieu.db" {
        String::new()
    } else {
        format!(" --database {database}")
    };
    println!("Báo cáo sơ kết 6 tháng đầu năm 2022 của Huyện ủy Bắc Sơn (Số 12-BC/HU):");
    for f in &reports {
        println!("  {}", f.display());
    }
    println!();
    println!("Thử tiếp (what to try next):");
    println!("  chitieu{db} status --unit \"huyện Bắc Sơn\" --period 2020");
    println!("  chitieu{db} status --unit \"huyện Bắc Sơn\" --period \"6 tháng đầu năm 2022\"");
    println!("  chitieu{db} status --unit \"huyện Hữu Lũng\" --period 2023-Q1");
    println!("  chitieu{db} status --unit \"huyện Hương Sơn\" --period 2020-H1");
    println!("  chitieu{db} units --under \"huyện Bắc Sơn\" --on 2022-06-15");
    println!("  chitieu{db} units --history \"xã Vũ Sơn\"");
    println!(
        "  chitieu{db} history --indicator budget_revenue --unit \"huyện Bắc Sơn\" --period 2020"
    );
    println!("  chitieu{db} tasks list --today 2023-07-15");
    println!("  chitieu{db} tasks counts --period 2023-Q2 --today 2023-07-15");
    println!("  chitieu{db} ntm summary --unit \"huyện Bắc Sơn\" --year 2022");
    println!("  chitieu{db} audit --limit 10");
    println!();
    println!("Tài khoản mẫu (demo accounts, one per role):");
    let account_lines: Vec<String> = accounts
        .iter()
        .map(|a| {
            format!(
                "  {:<9} {:<15} mật khẩu (password) {}  phạm vi (scope): {}",
                a.role.key(),
                a.username,
                a.password,
                a.scope
            )
        })
        .collect();
    for l in &account_lines {
        println!("{l}");
    }
    if args.no_serve {
        println!("  chitieu{db} serve --listen 127.0.0.1:8080");
        return Ok(());
    }
    drop(store);
    println!();
    crate::cmd_serve::serve(database, &args.serve, &[])
}
