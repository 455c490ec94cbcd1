//! Eight writers and eight approvers on one figure set at once, as reporters and the office
//! would on several `chitieu serve` processes sharing one PostgreSQL database. Each thread has
//! its own connection (its own store). Writers save drafts and submit them (and correct them
//! when they come back returned or reopened); approvers approve, return and reopen. Afterwards
//! the database and its audit log must show:
//!
//! - no lost update: every successful save is in the audit log, the figures' revisions are
//!   numbered 1, 2, 3, … without gaps, they are exactly the values submitted, in order, and
//!   the current value is the last one submitted (replayed from the audit log);
//! - nothing changed under a lock: no figure revision of a data set is written while it is
//!   approved, and a unit is approved only while every unit below with a data set is;
//! - a complete audit: every operation a thread saw succeed has its audit entries and its
//!   data set event, and nothing else does;
//! - the losers of races are told why in words (a workflow refusal, or a conflict asking them
//!   to retry), and nothing else goes wrong.
//!
//! The same body runs on SQLite (one file, several handles) as a twin.

mod backend;

use chitieu_core::Decimal;
use chitieu_core::admin::{UnitId, UnitKind};
use chitieu_core::indicator::IndicatorCode;
use chitieu_core::period::Period;
use chitieu_store::workflow::{DataSetState, DraftEntry, WorkflowAction};
use chitieu_store::{
    AuditEntry, NoProgress, PgStore, SqliteStore, Store, StoreError, WorkflowStore,
};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

const WRITERS: usize = 8;
const APPROVERS: usize = 8;
const WRITER_ROUNDS: usize = 30;
const APPROVER_ROUNDS: usize = 40;
const INDICATORS: [&str; 3] = ["rice_yield", "budget_revenue", "poverty_rate"];

/// What a thread saw succeed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Done {
    /// A draft saved: actor, unit, values by indicator.
    Save(String, i64, Vec<(String, String)>),
    /// A transition: actor, unit, action.
    Step(String, i64, &'static str),
}

/// What happened to one thread.
#[derive(Default)]
struct Outcome {
    done: Vec<Done>,
    refusals: usize,
    conflicts: usize,
}

/// Small deterministic pseudo-random choices (no timing, no external crate).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The words a loser is shown: a refusal says what state stopped it, a conflict says to retry.
fn loser(e: StoreError, o: &mut Outcome, who: &str) {
    match e {
        StoreError::Refused(m) => {
            let readable = [
                "không thể",
                "chưa thể duyệt",
                "chưa có",
                "cấp trên",
                "cấp dưới",
            ]
            .iter()
            .any(|w| m.contains(w));
            assert!(readable, "{who}: refusal without a clear reason: {m}");
            o.refusals += 1;
        }
        e @ StoreError::Conflict(_) => {
            let m = e.to_string();
            assert!(
                m.contains("có người khác vừa thay đổi cùng dữ liệu") && m.contains("thử lại"),
                "{who}: unclear conflict message: {m}"
            );
            o.conflicts += 1;
        }
        e => panic!("{who}: unexpected error: {e}"),
    }
}

fn writer<S: Store + WorkflowStore>(
    mut s: S,
    w: usize,
    units: Vec<UnitId>,
    indicators: Vec<String>,
    period: Period,
) -> Outcome {
    let mut o = Outcome::default();
    let mut rng = Lcg(w as u64 + 1);
    let actor = format!("writer-{w}");
    for round in 0..WRITER_ROUNDS {
        let unit = units[rng.next(units.len())];
        // A value no one else writes: writer, round, indicator.
        let values: Vec<(String, Decimal)> = indicators
            .iter()
            .enumerate()
            .map(|(i, code)| {
                (
                    code.clone(),
                    Decimal::new((w * 10_000 + round * 10 + i + 1) as i64, 1),
                )
            })
            .collect();
        let entries: Vec<DraftEntry> = values
            .iter()
            .map(|(code, v)| DraftEntry {
                indicator: IndicatorCode::new(code).expect("code"),
                value: *v,
                comment: None,
            })
            .collect();
        match s.save_draft(unit, &period, &entries, &actor) {
            // (The returned state is not checked: SQLite reads it after the commit, when
            // another thread may already have moved the data set on. The replay below checks
            // every transition instead.)
            Ok(_) => {
                o.done.push(Done::Save(
                    actor.clone(),
                    unit.0,
                    values
                        .iter()
                        .map(|(c, v)| (c.clone(), v.normalize().to_string()))
                        .collect(),
                ));
            }
            Err(e) => loser(e, &mut o, &actor),
        }
        // Most rounds submit what is in the draft (someone else's values, maybe).
        if rng.next(4) != 0 {
            match s.submit(unit, &period, &actor) {
                Ok(_) => {
                    o.done.push(Done::Step(actor.clone(), unit.0, "submit"));
                }
                Err(e) => loser(e, &mut o, &actor),
            }
        }
    }
    o
}

fn approver<S: Store + WorkflowStore>(
    mut s: S,
    a: usize,
    units: Vec<UnitId>,
    period: Period,
) -> Outcome {
    let mut o = Outcome::default();
    let mut rng = Lcg(1000 + a as u64);
    let actor = format!("approver-{a}");
    for _ in 0..APPROVER_ROUNDS {
        let unit = units[rng.next(units.len())];
        // What the approver believes the state is; it may be stale by the time it acts.
        let seen = s.data_set(unit, &period).expect("read").map(|d| d.state);
        let action = match (seen, rng.next(10)) {
            (Some(DataSetState::Approved), n) if n < 6 => WorkflowAction::Reopen,
            (Some(DataSetState::Submitted), n) if n < 3 => WorkflowAction::Return,
            (Some(DataSetState::Approved | DataSetState::Submitted), _) => WorkflowAction::Approve,
            // Nothing to review yet: now and then try anyway (and be told why not).
            (_, n) if n < 2 => WorkflowAction::Approve,
            _ => continue,
        };
        let r = match action {
            WorkflowAction::Approve => s.approve(unit, &period, &actor),
            WorkflowAction::Return => {
                s.return_for_correction(unit, &period, "số liệu chưa khớp, đề nghị rà soát", &actor)
            }
            _ => s.reopen(unit, &period, "mở lại để điều chỉnh", &actor),
        };
        match r {
            Ok(_) => {
                o.done.push(Done::Step(actor.clone(), unit.0, action.key()));
            }
            Err(e) => loser(e, &mut o, &actor),
        }
    }
    o
}

/// The data set key of the audit log ("unit/period") and a figure's ("indicator/unit/period").
fn unit_of(e: &AuditEntry) -> Option<i64> {
    let parts: Vec<&str> = e.entity_key.split('/').collect();
    match (e.entity.as_str(), parts.as_slice()) {
        ("data_set", [u, _]) => u.parse().ok(),
        ("figure", [_, u, _]) => u.parse().ok(),
        _ => None,
    }
}

fn run<S, F>(label: &str, store: S, open: F)
where
    S: Store + WorkflowStore,
    F: Fn() -> S + Send + Sync + Clone + 'static,
    S: Send + 'static,
{
    let period = Period::from_str("2024").expect("period");
    let on = period.end_date();
    let catalog = store.catalog().expect("catalog");
    let indicators: Vec<String> = INDICATORS
        .iter()
        .filter(|c| catalog.indicators.iter().any(|i| i.code.as_str() == **c))
        .map(|c| c.to_string())
        .collect();
    assert!(
        indicators.len() >= 2,
        "the catalog lacks the test indicators"
    );
    let district = store
        .resolve_unit("huyện Bắc Sơn", on)
        .expect("district")
        .unit;
    let communes: Vec<UnitId> = store
        .children_on(district, on)
        .expect("communes")
        .into_iter()
        .filter(|v| v.kind == UnitKind::Xa)
        .take(3)
        .map(|v| v.unit)
        .collect();
    assert_eq!(communes.len(), 3);
    let mut units = vec![district];
    units.extend(&communes);
    let audit_before = store.counts().expect("counts").audit_entries;

    let mut handles = Vec::new();
    for w in 0..WRITERS {
        let (open, units, indicators) = (open.clone(), units.clone(), indicators.clone());
        handles.push(std::thread::spawn(move || {
            writer(open(), w, units, indicators, period)
        }));
    }
    for a in 0..APPROVERS {
        let (open, units) = (open.clone(), units.clone());
        handles.push(std::thread::spawn(move || {
            approver(open(), a, units, period)
        }));
    }
    let mut done = Vec::new();
    let (mut refusals, mut conflicts) = (0, 0);
    for h in handles {
        let o = h.join().expect("a thread panicked");
        done.extend(o.done);
        refusals += o.refusals;
        conflicts += o.conflicts;
    }
    let count = |what: &str| {
        done.iter()
            .filter(|d| match d {
                Done::Save(..) => what == "save",
                Done::Step(_, _, a) => *a == what,
            })
            .count()
    };
    eprintln!(
        "{label}: {} saves, {} submits, {} approvals, {} returns, {} reopenings; {refusals} refusals, {conflicts} conflicts",
        count("save"),
        count("submit"),
        count("approve"),
        count("return"),
        count("reopen")
    );
    assert!(count("save") > 0 && count("submit") > 0 && count("approve") > 0);

    // ----- a complete audit -----
    let mut audit: Vec<AuditEntry> = store
        .audit_log(1_000_000)
        .expect("audit")
        .into_iter()
        .filter(|e| e.id > 0)
        .collect();
    audit.sort_by_key(|e| e.id);
    let audit_after = store.counts().expect("counts").audit_entries;
    let new_entries = (audit_after - audit_before) as usize;
    let audit: Vec<AuditEntry> = audit.split_off(audit.len() - new_entries);
    let mut from_audit: Vec<Done> = Vec::new();
    for e in &audit {
        let Some(u) = unit_of(e) else {
            panic!("an audit entry no operation explains: {e:?}");
        };
        match e.action.as_str() {
            "draft.save" => {
                let values = e.detail["values"]
                    .as_array()
                    .expect("values")
                    .iter()
                    .map(|v| {
                        (
                            v["indicator"].as_str().expect("indicator").to_string(),
                            v["value"].as_str().expect("value").to_string(),
                        )
                    })
                    .collect();
                from_audit.push(Done::Save(e.actor.clone(), u, values));
            }
            "data_set.submit" | "data_set.approve" | "data_set.return" | "data_set.reopen" => {
                let a = WorkflowAction::ALL
                    .into_iter()
                    .find(|a| e.action == format!("data_set.{}", a.key()))
                    .expect("action")
                    .key();
                from_audit.push(Done::Step(e.actor.clone(), u, a));
            }
            "data_set.save" | "figure.add" | "figure.correct" => {}
            other => panic!("unexpected audit action {other}: {e:?}"),
        }
    }
    let mut seen = done.clone();
    seen.sort();
    from_audit.sort();
    assert_eq!(
        seen, from_audit,
        "every success is audited, and only successes are"
    );
    // Each transition is also a data set event, in the same order.
    for &u in &units {
        let events: Vec<WorkflowAction> = store
            .data_set_events(u, &period)
            .expect("events")
            .into_iter()
            .map(|e| e.action)
            .collect();
        let audited: Vec<WorkflowAction> = audit
            .iter()
            .filter(|e| e.entity == "data_set" && unit_of(e) == Some(u.0))
            .filter_map(|e| e.action.strip_prefix("data_set."))
            .map(|a| a.parse().expect("action"))
            .collect();
        assert_eq!(events, audited, "unit {}", u.0);
    }

    // ----- replay: no lost update, nothing changed while approved -----
    let dec = |s: &str| Decimal::from_str(s).expect("decimal");
    let mut state: HashMap<i64, DataSetState> = HashMap::new();
    let mut draft: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    let mut submitted: HashMap<(i64, String), Vec<Decimal>> = HashMap::new();
    for e in &audit {
        let u = unit_of(e).expect("unit");
        match e.action.as_str() {
            "draft.save" => {
                assert!(
                    state.get(&u).is_none_or(|s| s.editable()),
                    "a draft saved into a locked data set: {e:?}"
                );
                let d = draft.entry(u).or_default();
                for v in e.detail["values"].as_array().expect("values") {
                    d.insert(
                        v["indicator"].as_str().expect("indicator").to_string(),
                        v["value"].as_str().expect("value").to_string(),
                    );
                }
            }
            "figure.add" | "figure.correct" => {
                // Written by a submission, in its transaction: never under an approval.
                assert_eq!(
                    state.get(&u),
                    Some(&DataSetState::Submitted),
                    "a figure changed outside a submission: {e:?}"
                );
                let code = e.entity_key.split('/').next().expect("code").to_string();
                let after = if e.action == "figure.add" {
                    &e.detail["value"]
                } else {
                    &e.detail["after"]["value"]
                };
                let after = dec(after.as_str().expect("value"));
                // The value the submission wrote is the draft as it stood.
                assert_eq!(
                    draft.get(&u).and_then(|d| d.get(&code)).map(|v| dec(v)),
                    Some(after),
                    "{e:?}"
                );
                submitted.entry((u, code)).or_default().push(after);
            }
            a => {
                let action: WorkflowAction = a
                    .strip_prefix("data_set.")
                    .expect("data set action")
                    .parse()
                    .expect("action");
                let from = state.get(&u).copied();
                // The transition started from the state the previous one left.
                assert_eq!(
                    e.detail["from"].as_str(),
                    from.map(|s| s.key()),
                    "a lost transition before {e:?}"
                );
                let to = action.next(from).expect("a transition the rules allow");
                state.insert(u, to);
                if action == WorkflowAction::Approve && u == district.0 {
                    for c in &communes {
                        assert!(
                            state.get(&c.0).is_none_or(|s| *s == DataSetState::Approved),
                            "district approved while commune {} is {:?}",
                            c.0,
                            state.get(&c.0)
                        );
                    }
                }
                if action == WorkflowAction::Reopen && u != district.0 {
                    assert_ne!(
                        state.get(&district.0),
                        Some(&DataSetState::Approved),
                        "commune reopened under an approved district"
                    );
                }
            }
        }
    }
    for &u in &units {
        // The stored state and draft are what the replay ends with.
        assert_eq!(
            store
                .data_set(u, &period)
                .expect("data set")
                .map(|d| d.state),
            state.get(&u.0).copied(),
            "unit {}",
            u.0
        );
        let stored: BTreeMap<String, Decimal> = store
            .draft_values(u, &period)
            .expect("draft")
            .into_iter()
            .map(|v| (v.indicator.as_str().to_string(), v.value))
            .collect();
        let replayed: BTreeMap<String, Decimal> = draft
            .get(&u.0)
            .map(|d| d.iter().map(|(k, v)| (k.clone(), dec(v))).collect())
            .unwrap_or_default();
        assert_eq!(stored, replayed, "unit {}", u.0);
        for code in &indicators {
            let history = store.figure_history(code, u, &period).expect("history");
            let expected = submitted
                .get(&(u.0, code.clone()))
                .cloned()
                .unwrap_or_default();
            let values: Vec<Decimal> = history.iter().map(|f| f.input.value).collect();
            assert_eq!(values, expected, "{code} of unit {}", u.0);
            let revisions: Vec<u32> = history.iter().map(|f| f.revision).collect();
            let contiguous: Vec<u32> = (1..=history.len() as u32).collect();
            assert_eq!(revisions, contiguous, "{code} of unit {}", u.0);
            let current = store.current_figure(code, u, &period).expect("current");
            assert_eq!(
                current.map(|f| f.input.value),
                expected.last().copied(),
                "{code} of unit {}: the last submitted value is current",
                u.0
            );
        }
    }
}

#[test]
fn eight_writers_and_eight_approvers_on_postgresql() {
    let Some((schema, mut store)) = backend::postgres("wf_concurrency", false) else {
        return;
    };
    store
        .init(&chitieu_core::indicator::Catalog::builtin(), &NoProgress)
        .expect("init");
    let (url, name) = (schema.url.clone(), schema.name.clone());
    run("PostgreSQL", store, move || {
        PgStore::open_in_schema(&url, Some(&name)).expect("open")
    });
}

#[test]
fn eight_writers_and_eight_approvers_on_sqlite() {
    let (dir, store) = backend::sqlite(true);
    let path = dir.path().join("test.db");
    run("SQLite", store, move || {
        SqliteStore::open(&path).expect("open")
    });
}

/// The web's caches are keyed by `AnyStore::change_stamp`. On PostgreSQL a transaction may take
/// its audit id before another one that commits first; the stamp must still move when the
/// late one commits, though the newest audit id does not.
#[test]
fn the_change_stamp_moves_when_a_late_transaction_commits() {
    let Some((schema, store)) = backend::postgres("change_stamp", true) else {
        return;
    };
    let open = || PgStore::open_in_schema(&schema.url, Some(&schema.name)).expect("open");
    let reader = chitieu_store::AnyStore::Postgres(Box::new(store));
    let mut writer = open();
    let mut late = open();
    late.with_client(|c| {
        let mut tx = c.transaction()?;
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_key, detail)
             VALUES ('2026-01-01T00:00:00Z', 'test', 'test.late', 'test', '', '{}')",
            &[],
        )?;
        // Another connection writes and commits after the late one took its id.
        writer.set_setting("test.key", "1", "test")?;
        let newest = reader.newest_audit_id()?;
        let stamp = reader.change_stamp()?;
        tx.commit()?;
        assert_eq!(
            reader.newest_audit_id()?,
            newest,
            "the late entry has the smaller id"
        );
        assert_ne!(
            reader.change_stamp()?,
            stamp,
            "the stamp moves when the late transaction commits"
        );
        Ok(())
    })
    .expect("late transaction");
}
