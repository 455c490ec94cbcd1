//! `chitieu ntm`: the new-rural programme — criteria sets, communes' criterion states, and a
//! district's picture for a year ("8/17 xã đạt chuẩn; bình quân 14,3 tiêu chí/xã").

use crate::table::print_table;
use anyhow::{Context, Result, bail};
use chitieu_app::ntm::{commune_history, default_on, district_summary, import_states, parse_met};
use chitieu_core::ntm::{Evidence, NtmLevel, builtin_set, builtin_sets};
use chitieu_store::AnyStore;
use chrono::NaiveDate;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct NtmArgs {
    #[command(subcommand)]
    pub command: NtmCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum NtmCommand {
    /// List the national criteria sets, or one set's criteria and thresholds.
    Sets {
        /// A set id (318-2021, 51-2025) or a year: show its criteria.
        #[arg(long)]
        set: Option<String>,
        /// With --set: the thresholds of this region or commune group.
        #[arg(long)]
        area: Option<String>,
    },
    /// Set one criterion's state (đạt / chưa đạt) for a commune and year.
    SetState(SetStateArgs),
    /// Import criterion states from a CSV file (commune,year,set,level,criterion,met,evidence):
    /// every row is checked first; one bad row stores nothing.
    Import {
        file: PathBuf,
        /// The day communes are resolved on (default: 30 June of each row's year).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// A district's communes for a year: X/Y meeting the standard, the average number of
    /// criteria, and per criterion the communes still short.
    Summary {
        /// The district (or any unit above communes): "huyện Bắc Sơn".
        #[arg(long)]
        unit: String,
        #[arg(long)]
        year: i32,
        /// The day the units are taken as they stood (default: 30 June of the year).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// The criteria set (default: the one whose phase covers the year).
        #[arg(long)]
        set: Option<String>,
        /// đạt chuẩn (default), nâng cao, kiểu mẫu
        #[arg(long, default_value = "standard")]
        level: String,
        #[arg(long)]
        json: bool,
    },
    /// A commune's records, and beside them its predecessors' (communes merged in 2025).
    History {
        #[arg(long)]
        commune: String,
        /// The day the name is resolved on (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct SetStateArgs {
    /// "xã Vũ Sơn, huyện Bắc Sơn"
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub year: i32,
    #[arg(long)]
    pub criterion: u32,
    /// đạt | chưa đạt
    #[arg(long)]
    pub met: String,
    #[arg(long)]
    pub set: Option<String>,
    #[arg(long, default_value = "standard")]
    pub level: String,
    /// What shows the state (a sentence, a decision number).
    #[arg(long, default_value = "")]
    pub evidence: String,
    /// A stored document the evidence comes from.
    #[arg(long)]
    pub document: Option<i64>,
    /// The day the commune is resolved on (default: 30 June of the year).
    #[arg(long)]
    pub on: Option<NaiveDate>,
}

fn level(text: &str) -> Result<NtmLevel> {
    NtmLevel::parse(text).with_context(|| {
        format!(
            "mức '{text}' không hợp lệ (unknown level): hãy ghi đạt chuẩn, nâng cao, kiểu mẫu hoặc hiện đại"
        )
    })
}

pub fn run(store: &mut AnyStore, args: &NtmArgs, actor: &str) -> Result<()> {
    match &args.command {
        NtmCommand::Sets { set, area } => sets(set.as_deref(), area.as_deref()),
        NtmCommand::SetState(a) => {
            let set = builtin_set(a.set.as_deref().unwrap_or(&a.year.to_string()))?;
            let met = parse_met(&a.met)
                .with_context(|| format!("--met '{}': hãy ghi đạt hoặc chưa đạt", a.met))?;
            let lvl = level(&a.level)?;
            let unit = chitieu_app::ntm::set_state(
                store,
                &a.commune,
                a.on.unwrap_or_else(|| default_on(a.year)),
                a.year,
                &set,
                lvl,
                a.criterion,
                met,
                Evidence {
                    text: chitieu_text::nfc(&a.evidence),
                    document: a.document,
                    figure: None,
                },
                actor,
            )?;
            let name = set
                .criterion(lvl, a.criterion)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            println!(
                "{} năm {}: tiêu chí {} ({}) — {}.",
                unit.title(),
                a.year,
                a.criterion,
                name,
                if met { "đạt" } else { "chưa đạt" }
            );
            Ok(())
        }
        NtmCommand::Import { file, on } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("{}: không đọc được tệp (cannot read)", file.display()))?;
            let r = import_states(store, &file.display().to_string(), &text, *on, actor)?;
            println!(
                "{}: {} trạng thái tiêu chí của {} xã đã được ghi.",
                file.display(),
                r.rows,
                r.communes
            );
            Ok(())
        }
        NtmCommand::Summary {
            unit,
            year,
            on,
            set,
            level: lvl,
            json,
        } => {
            let s = district_summary(store, unit, *year, *on, set.as_deref(), level(lvl)?)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(());
            }
            println!(
                "{} — năm {} (đơn vị hành chính như ngày {}; {}):",
                s.district.title(),
                year,
                chitieu_text::format_date_vi(s.on),
                s.set.decision
            );
            println!("{}", s.summary.summary_vi());
            // Without any record the line above already says there is no data.
            if s.summary.has_data() && !s.summary.unrecorded.is_empty() {
                println!(
                    "({} xã chưa có số liệu, tính là chưa đạt tiêu chí nào)",
                    s.summary.unrecorded.len()
                );
            }
            println!();
            let rows: Vec<Vec<String>> = s
                .communes
                .iter()
                .map(|c| {
                    vec![
                        c.commune.full_name(),
                        if c.recorded {
                            c.met.to_string()
                        } else {
                            "—".into()
                        },
                        if !c.recorded {
                            "chưa có số liệu".into()
                        } else if c.meets {
                            "đạt chuẩn".into()
                        } else {
                            "chưa đạt chuẩn".into()
                        },
                    ]
                })
                .collect();
            print_table(&["xã", "số tiêu chí đạt", "kết quả"], &rows);
            if !s.shortfall.is_empty() {
                println!();
                println!("Tiêu chí còn thiếu:");
                let rows: Vec<Vec<String>> = s
                    .shortfall
                    .iter()
                    .map(|(n, name, communes)| {
                        vec![
                            format!("{n}. {name}"),
                            communes.len().to_string(),
                            communes.join(", "),
                        ]
                    })
                    .collect();
                print_table(&["tiêu chí", "số xã chưa đạt", "xã"], &rows);
            }
            Ok(())
        }
        NtmCommand::History { commune, on } => {
            let on = on.unwrap_or_else(|| chrono::Local::now().date_naive());
            let h = commune_history(store, commune, on)?;
            let line = |r: &chitieu_core::ntm::CommuneCriteria| {
                vec![
                    r.year.to_string(),
                    r.set.clone(),
                    r.level.vi().to_string(),
                    r.met_count().to_string(),
                    r.states.len().to_string(),
                ]
            };
            println!("{}:", h.commune.title());
            let rows: Vec<Vec<String>> = h.own.iter().map(line).collect();
            print_table(&["năm", "bộ tiêu chí", "mức", "đạt", "đã ghi"], &rows);
            for (v, recs) in &h.predecessors {
                println!();
                println!(
                    "Trước sắp xếp: {} (đến {}):",
                    v.title(),
                    v.valid_to
                        .map(chitieu_text::format_date_vi)
                        .unwrap_or_default()
                );
                let rows: Vec<Vec<String>> = recs.iter().map(line).collect();
                print_table(&["năm", "bộ tiêu chí", "mức", "đạt", "đã ghi"], &rows);
            }
            Ok(())
        }
    }
}

fn sets(set: Option<&str>, area: Option<&str>) -> Result<()> {
    let Some(id) = set else {
        let rows: Vec<Vec<String>> = builtin_sets()?
            .iter()
            .map(|s| {
                vec![
                    s.id.clone(),
                    format!("{}–{}", s.from_year, s.to_year),
                    s.decision.clone(),
                    s.levels()
                        .iter()
                        .map(|l| {
                            format!(
                                "{}: {} tiêu chí, {} chỉ tiêu",
                                l.vi(),
                                s.criteria_at(*l).len(),
                                s.indicator_count(*l)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
            .collect();
        print_table(&["bộ", "giai đoạn", "văn bản", "mức"], &rows);
        return Ok(());
    };
    let s = builtin_set(id)?;
    let area_idx = match area {
        Some(a) => Some(s.area_index(a).with_context(|| {
            format!(
                "vùng '{a}' không có trong bộ tiêu chí (unknown area): chọn một trong {}",
                s.areas.join(", ")
            )
        })?),
        None => None,
    };
    println!("{} — {} ({})", s.id, s.title, s.decision);
    for l in s.levels() {
        println!();
        println!("Mức {}:", l.vi());
        let mut rows = Vec::new();
        for c in s.criteria_at(l) {
            for i in &c.indicators {
                let mut row = vec![
                    format!("{}. {}", c.number, c.name),
                    i.code.clone(),
                    i.name.clone(),
                ];
                match area_idx {
                    Some(k) => row.push(i.thresholds.get(k).cloned().unwrap_or_default()),
                    None => row.push(i.thresholds.join(" | ")),
                }
                rows.push(row);
            }
        }
        let th = match area_idx {
            Some(k) => s.areas[k].clone(),
            None => s.areas.join(" | "),
        };
        print_table(&["tiêu chí", "chỉ tiêu", "nội dung", &th], &rows);
    }
    if area.is_none() && set.is_some() {
        println!();
        println!("(--area \"{}\" shows one column)", s.areas[0]);
    }
    if s.criteria.is_empty() {
        bail!("bộ tiêu chí {} không có tiêu chí nào (no criteria)", s.id);
    }
    Ok(())
}
