//! Reports built by hand for the tests: rows evaluated by the real evaluation code.
#![allow(dead_code)]

use chitieu_core::Decimal;
use chitieu_core::evaluate::{EvalInput, Thresholds, evaluate};
use chitieu_core::indicator::{Direction, Temporal};
use chitieu_core::period::Period;
use chitieu_core::target::{Comparator, PlanKind};
use chitieu_report::model::{Annex, AnnexColumn, AnnexRow, ReportRow, Series, UnitInfo};
use chitieu_report::{Field, Report, ReportKind, Template, TextBlocks};
use chrono::NaiveDate;
use std::str::FromStr;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn ty(s: &str) -> Decimal {
    d(s) * Decimal::from(1_000_000_000)
}

pub fn p(s: &str) -> Period {
    Period::from_str(s).unwrap()
}

/// A row to evaluate: the essentials, with defaults for the rest.
#[derive(Clone)]
pub struct R {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub direction: Direction,
    pub field: Field,
    pub cumulative: bool,
    pub plan: Option<PlanKind>,
    pub comparator: Comparator,
    pub target_period: &'static str,
    pub actual: Option<Decimal>,
    pub estimate: bool,
    pub previous: Option<Decimal>,
    pub total_units: Option<u32>,
}

impl R {
    pub fn new(code: &'static str, name: &'static str, unit: &'static str) -> R {
        R {
            code,
            name,
            unit,
            direction: Direction::Up,
            field: Field::KinhTe,
            cumulative: true,
            plan: Some(PlanKind::PartyResolution),
            comparator: Comparator::AtLeast {
                value: Decimal::ONE,
            },
            target_period: "2022",
            actual: None,
            estimate: false,
            previous: None,
            total_units: None,
        }
    }
    pub fn target(mut self, v: Decimal) -> R {
        self.comparator = Comparator::AtLeast { value: v };
        self
    }
    pub fn at_most(mut self, v: Decimal) -> R {
        self.comparator = Comparator::AtMost { value: v };
        self
    }
    pub fn actual(mut self, v: Decimal) -> R {
        self.actual = Some(v);
        self
    }
    pub fn estimate(mut self) -> R {
        self.estimate = true;
        self
    }
    pub fn previous(mut self, v: Decimal) -> R {
        self.previous = Some(v);
        self
    }
    pub fn level(mut self) -> R {
        self.cumulative = false;
        self
    }
    pub fn down(mut self) -> R {
        self.direction = Direction::Down;
        self
    }
    pub fn field(mut self, f: Field) -> R {
        self.field = f;
        self
    }
    pub fn plan(mut self, k: PlanKind) -> R {
        self.plan = Some(k);
        self
    }
    pub fn whole(mut self, period: &'static str) -> R {
        self.target_period = period;
        self
    }
    pub fn units_of(mut self, total: u32) -> R {
        self.total_units = Some(total);
        self.cumulative = false;
        self
    }

    pub fn build(&self, period: &Period) -> ReportRow {
        let tp = p(self.target_period);
        let mut input = EvalInput::new(
            self.direction,
            if self.cumulative {
                Temporal::Cumulative
            } else {
                Temporal::Level
            },
            self.comparator,
            tp,
            self.actual,
            *period,
        );
        input.counts_units = self.total_units.is_some();
        input.total_units = self.total_units;
        input.same_period_last_year = self.previous;
        let evaluation = evaluate(&input, &Thresholds::default());
        ReportRow {
            indicator: self.code.into(),
            name: self.name.into(),
            unit: self.unit.into(),
            direction: self.direction,
            field: self.field,
            cumulative: self.cumulative,
            plan_key: format!("{:?}", self.plan),
            plan_kind: self.plan,
            comparator: self.comparator,
            target_period: tp,
            actual: self.actual,
            estimate: self.estimate,
            rolled_up: None,
            as_of: None,
            figure: self.actual.map(|_| (1, 1)),
            total_units: self.total_units,
            counts_units: self.total_units.is_some(),
            previous: self.previous,
            evaluation,
        }
    }
}

pub fn bac_son_template() -> Template {
    let mut t = Template::party(
        "ĐẢNG BỘ TỈNH LẠNG SƠN",
        "HUYỆN ỦY BẮC SƠN",
        "BC/HU",
        "Bắc Sơn",
    );
    t.issuer_name = "Huyện ủy Bắc Sơn".into();
    t.term = Some((2020, 2025));
    t
}

pub fn report_with(rows: Vec<ReportRow>, period: &str) -> Report {
    Report {
        kind: ReportKind::SoKet,
        period: p(period),
        unit: UnitInfo {
            full_name: "huyện Bắc Sơn".into(),
            name: "Bắc Sơn".into(),
            kind_word: "huyện".into(),
        },
        template: bac_son_template(),
        number: None,
        date: NaiveDate::from_ymd_opt(2022, 6, 15).unwrap(),
        rows,
        annex: None,
        series: vec![],
        texts: TextBlocks::default(),
        tasks: None,
        ntm: None,
    }
}

/// The 2022 H1 report of Huyện ủy Bắc Sơn as the demo's figures give it.
pub fn bac_son_2022_h1() -> Report {
    let h1 = p("2022-H1");
    let rows = vec![
        R::new(
            "budget_revenue",
            "Thu ngân sách nhà nước trên địa bàn",
            "VND",
        )
        .plan(PlanKind::ProvinceEstimate)
        .target(ty("31.25"))
        .actual(ty("25"))
        .estimate()
        .previous(ty("22.2222"))
        .build(&h1),
        R::new(
            "public_investment_projects_started",
            "Số công trình đầu tư công khởi công mới",
            "công trình",
        )
        .target(d("36"))
        .actual(d("11"))
        .build(&h1),
        R::new("grain_output", "Sản lượng lương thực có hạt", "t")
            .target(d("35000"))
            .actual(d("17900"))
            .estimate()
            .previous(d("17200"))
            .build(&h1),
        R::new("ntm_communes", "Số xã đạt chuẩn nông thôn mới", "xã")
            .target(d("9"))
            .actual(d("8"))
            .previous(d("7"))
            .units_of(17)
            .build(&h1),
        R::new(
            "ntm_avg_criteria",
            "Số tiêu chí nông thôn mới bình quân mỗi xã",
            "tiêu chí/xã",
        )
        .level()
        .target(d("15"))
        .actual(d("14.3"))
        .build(&h1),
        R::new("poverty_rate", "Tỷ lệ hộ nghèo", "%")
            .level()
            .down()
            .field(Field::VanHoaXaHoi)
            .at_most(d("12"))
            .actual(d("12.3"))
            .estimate()
            .previous(d("13.5"))
            .build(&h1),
        R::new(
            "new_party_members",
            "Số đảng viên mới được kết nạp",
            "đảng viên",
        )
        .field(Field::XayDungDang)
        .target(d("200"))
        .actual(d("96"))
        .build(&h1),
    ];
    let mut r = report_with(rows, "2022-H1");
    r.series = vec![Series {
        indicator: "budget_revenue".into(),
        name: "Thu ngân sách nhà nước trên địa bàn".into(),
        unit: "VND".into(),
        points: vec![
            (p("2020-H1"), ty("19.8")),
            (p("2021-H1"), ty("21")),
            (p("2022-H1"), ty("25")),
        ],
    }];
    r
}

/// A large report: 40 indicators and an annex of 17 communes (for the benchmark).
pub fn large_report() -> Report {
    let h1 = p("2022-H1");
    let names = [
        ("VND", "Giá trị sản xuất ngành", Field::KinhTe),
        ("%", "Tỷ lệ hộ được hưởng dịch vụ", Field::VanHoaXaHoi),
        ("ha", "Diện tích trồng cây vụ", Field::KinhTe),
        ("t", "Sản lượng cây trồng nhóm", Field::KinhTe),
        (
            "người",
            "Số người được tập huấn đợt",
            Field::QuocPhongAnNinh,
        ),
    ];
    let mut rows = Vec::new();
    for i in 0..40 {
        let (unit, base, field) = names[i % names.len()];
        let name: &'static str = Box::leak(format!("{base} số {}", i + 1).into_boxed_str());
        let code: &'static str = Box::leak(format!("ind_{i}").into_boxed_str());
        let scale = match unit {
            "VND" => ty("10"),
            "%" => d("1"),
            "t" => d("1000"),
            _ => d("10"),
        };
        let target = scale * Decimal::from(10 + i as i64);
        let actual = target * Decimal::from(30 + (i as i64 * 7) % 60) / Decimal::from(100);
        let mut r = R::new(code, name, unit)
            .field(if i % 7 == 6 {
                Field::XayDungDang
            } else {
                field
            })
            .target(target)
            .actual(actual)
            .previous(actual * d("0.9"));
        if unit == "%" {
            r = r.level();
        }
        rows.push(r.build(&h1));
    }
    let mut report = report_with(rows, "2022-H1");
    report.annex = Some(Annex {
        title: "Kết quả thực hiện một số chỉ tiêu của các xã 6 tháng đầu năm 2022".into(),
        columns: (0..5)
            .map(|i| AnnexColumn {
                indicator: format!("ind_{i}"),
                name: format!("Chỉ tiêu {}", i + 1),
                unit: "ha".into(),
            })
            .collect(),
        rows: (0..17)
            .map(|i| AnnexRow {
                unit: format!("Xã Số {}", i + 1),
                values: (0..5)
                    .map(|j| Some(Decimal::from(100 + i * 13 + j * 7)))
                    .collect(),
            })
            .collect(),
    });
    report
}
