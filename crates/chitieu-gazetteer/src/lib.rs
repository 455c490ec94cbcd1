//! Vietnam's administrative units over time: the national gazetteer.
//!
//! The crate embeds the whole list of units before the reform of 1 July 2025 (63 provinces,
//! 696 districts, 10,035 communes) and after it (34 provinces, 3,321 communes, no districts),
//! with the successions from old units to new ones. The data is converted from
//! [`SOURCE`] by `tools/convert_admin_units.py` into `data/units/` and compiled in with
//! `include_bytes!`: nothing is read from disk at run time.
//!
//! [`load`] parses the embedded data into a [`Gazetteer`], whose methods answer "what were the
//! units under this one on that date", "which unit is this name on that date" and "what became
//! of this unit". See `chitieu_core::admin` for the model: a unit keeps its [`UnitId`] across
//! versions; official codes are not keys.

mod parse;
mod resolve;

use chitieu_core::admin::{Succession, UnitId, UnitName, UnitVersion};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

pub use parse::GazetteerError;
pub use resolve::{Candidate, ResolveError};

/// Where the embedded data comes from.
pub const SOURCE: &str = "vietnamadminunits 1.0.4 (MIT), from the General Statistics Office list";

const UNITS_GZ: &[u8] = include_bytes!("../../../data/units/units.tsv.gz");
const SUCCESSIONS_GZ: &[u8] = include_bytes!("../../../data/units/successions.tsv.gz");

/// All unit versions and successions, with indexes for the queries below.
///
/// The fields are public for reading and iteration. The indexes are built once by [`load`] or
/// [`parse`]: changing the fields afterwards leaves the queries answering from the old data.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    /// Every version of every unit, in the order of the data file (by unit id, then date).
    pub versions: Vec<UnitVersion>,
    /// Every succession, in the order of the data file.
    pub successions: Vec<Succession>,
    index: Index,
}

/// Positions in `versions` / `successions`, built once.
#[derive(Debug, Clone, Default)]
struct Index {
    by_unit: HashMap<UnitId, Vec<usize>>,
    children: HashMap<UnitId, Vec<usize>>,
    /// Folded proper name (see [`chitieu_text::fold`]) → versions. Built on the first
    /// [`Gazetteer::resolve`]: folding every name is the costliest part of loading, and not
    /// every user resolves names.
    by_name: OnceLock<HashMap<String, Vec<usize>>>,
    from: HashMap<UnitId, Vec<usize>>,
    to: HashMap<UnitId, Vec<usize>>,
}

/// Parses the embedded national data.
///
/// Errors name the data file and line; with the shipped data they do not happen (the tests load
/// it), but the check stays so that a bad regeneration fails loudly instead of answering wrongly.
pub fn load() -> Result<Gazetteer, GazetteerError> {
    let units = gunzip(parse::UNITS_FILE, UNITS_GZ)?;
    let successions = gunzip(parse::SUCCESSIONS_FILE, SUCCESSIONS_GZ)?;
    parse(&units, &successions)
}

/// Parses gazetteer data given as text, in the format of `data/units/` once decompressed
/// (see `tools/convert_admin_units.py`). Meant for tests on small data.
pub fn parse(units_tsv: &str, successions_tsv: &str) -> Result<Gazetteer, GazetteerError> {
    let (versions, by_unit) = parse::parse_units(units_tsv)?;
    let mut index = Index {
        by_unit,
        ..Index::default()
    };
    for (i, v) in versions.iter().enumerate() {
        if let Some(p) = v.parent {
            index.children.entry(p).or_default().push(i);
        }
    }
    for idx in index.by_unit.values_mut() {
        idx.sort_by_key(|&i| versions[i].valid_from);
    }
    let successions =
        parse::parse_successions(successions_tsv, &|u| index.by_unit.contains_key(&u))?;
    for (i, s) in successions.iter().enumerate() {
        index.from.entry(s.from).or_default().push(i);
        index.to.entry(s.to).or_default().push(i);
    }
    Ok(Gazetteer {
        versions,
        successions,
        index,
    })
}

fn name_index(versions: &[UnitVersion]) -> HashMap<String, Vec<usize>> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    // Many names repeat (Tân Lập, Phường 1): fold each distinct spelling once.
    let mut folded: HashMap<&str, String> = HashMap::new();
    for (i, v) in versions.iter().enumerate() {
        let key = folded
            .entry(v.name.as_str())
            .or_insert_with(|| chitieu_text::fold(&v.name))
            .clone();
        by_name.entry(key).or_default().push(i);
    }
    by_name
}

fn gunzip(file: &'static str, bytes: &[u8]) -> Result<String, GazetteerError> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| GazetteerError::Unreadable {
            file,
            reason: e.to_string(),
        })?;
    Ok(text)
}

impl Gazetteer {
    fn pick<'a>(&'a self, idx: Option<&'a Vec<usize>>) -> impl Iterator<Item = &'a UnitVersion> {
        idx.into_iter().flatten().map(|&i| &self.versions[i])
    }

    /// The version of `unit` in force on `date`, if the unit existed then.
    pub fn version_on(&self, unit: UnitId, date: NaiveDate) -> Option<&UnitVersion> {
        self.pick(self.index.by_unit.get(&unit))
            .find(|v| v.valid_on(date))
    }

    /// The units directly under `parent` on `date` (their versions in force then), by unit id.
    pub fn children_on(&self, parent: UnitId, date: NaiveDate) -> Vec<&UnitVersion> {
        self.pick(self.index.children.get(&parent))
            .filter(|v| v.valid_on(date))
            .collect()
    }

    /// Every unit below `unit` on `date`, at any depth, not counting `unit` itself. Each unit
    /// comes before the units under it (pre-order); siblings are in unit id order.
    pub fn descendants_on(&self, unit: UnitId, date: NaiveDate) -> Vec<&UnitVersion> {
        let mut out = Vec::new();
        let mut stack: Vec<&UnitVersion> = self.children_on(unit, date);
        stack.reverse();
        // Parents are always at a higher level (checked when parsing), so this terminates.
        while let Some(v) = stack.pop() {
            out.push(v);
            let mut kids = self.children_on(v.unit, date);
            kids.reverse();
            stack.extend(kids);
        }
        out
    }

    /// Every version of `unit`, oldest first. Empty when the unit is unknown.
    pub fn versions_of(&self, unit: UnitId) -> Vec<&UnitVersion> {
        self.pick(self.index.by_unit.get(&unit)).collect()
    }

    /// The successions into `unit`: which units it was formed from.
    pub fn predecessors(&self, unit: UnitId) -> Vec<&Succession> {
        self.index
            .to
            .get(&unit)
            .into_iter()
            .flatten()
            .map(|&i| &self.successions[i])
            .collect()
    }

    /// The successions out of `unit`: which units took it over, wholly or in part.
    pub fn successors(&self, unit: UnitId) -> Vec<&Succession> {
        self.index
            .from
            .get(&unit)
            .into_iter()
            .flatten()
            .map(|&i| &self.successions[i])
            .collect()
    }

    /// The units above `unit` on `date`, nearest first (its huyện, then its tỉnh, then the
    /// nation). Stops where a parent has no version in force on `date`.
    pub fn ancestors_on(&self, unit: UnitId, date: NaiveDate) -> Vec<&UnitVersion> {
        let mut out = Vec::new();
        let mut current = self.version_on(unit, date).and_then(|v| v.parent);
        while let Some(p) = current {
            let Some(v) = self.version_on(p, date) else {
                break;
            };
            out.push(v);
            current = v.parent;
        }
        out
    }

    /// Finds the one unit that `name` designates on `date`.
    ///
    /// `name` is parsed with [`UnitName::parse`]: "huyện Bắc Sơn", "Xã Vũ Sơn", "TP. Lạng Sơn",
    /// or a bare "Bắc Sơn" (any kind). Case, Unicode normalization and old/new tone placement do
    /// not matter. To tell apart units with the same name, add the units above it after commas,
    /// nearest first, skipping any: "xã Tân Lập, huyện Bắc Sơn" or "xã Tân Lập, tỉnh Lạng Sơn".
    ///
    /// Fails with [`ResolveError::NotFound`] when nothing of that name is in force on `date`
    /// (listing the units of that name at other dates), or [`ResolveError::Ambiguous`] listing
    /// every candidate with the units above it.
    pub fn resolve(&self, name: &str, date: NaiveDate) -> Result<&UnitVersion, ResolveError> {
        resolve::resolve(self, name, date)
    }

    /// The versions that `name` designates at some date (kind, if given, and proper name).
    fn named<'a, 'n>(&'a self, name: &'n UnitName) -> impl Iterator<Item = &'a UnitVersion> + 'n
    where
        'a: 'n,
    {
        let by_name = self
            .index
            .by_name
            .get_or_init(|| name_index(&self.versions));
        self.pick(by_name.get(&name.folded_name))
            .filter(|v| name.matches(v))
    }
}
