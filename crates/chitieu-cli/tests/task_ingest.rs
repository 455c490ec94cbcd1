//! Key tasks proposed from a conference article, reviewed like figures: `chitieu ingest`,
//! `chitieu review --tasks`, `chitieu tasks list`, on the real binary and a temporary database.

mod common;

use common::Env;
use std::path::{Path, PathBuf};

/// Seed 003 (Hữu Lũng, quý II/2023) from the development corpus beside the repository.
fn seed_003() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/seeds");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("003_"))
        })
}

/// The ids of the pending task proposals, in listing order, with the line that shows each.
fn pending(listing: &str) -> Vec<(i64, String)> {
    listing
        .lines()
        .filter(|l| l.contains("[chờ duyệt]"))
        .filter_map(|l| {
            let id = l
                .split('#')
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some((id, l.to_string()))
        })
        .collect()
}

#[test]
fn tasks_from_seed_003_are_proposed_accepted_rejected_and_listed() {
    let Some(seed) = seed_003() else {
        eprintln!("skipped: ../shared/corpus/seeds is not beside the repository");
        return;
    };
    let seed = seed.to_string_lossy().to_string();
    let env = Env::new();
    let out = env.ok(&["ingest", &seed]);
    assert!(out.contains("6 nhiệm vụ đề xuất chờ duyệt"), "{out}");

    let listing = env.ok(&["review", "--tasks"]);
    let ids = pending(&listing);
    assert_eq!(ids.len(), 6, "{listing}");
    assert!(
        listing.contains(
            "«tập trung chỉ đạo, điều hành các giải pháp đẩy mạnh công tác thu ngân sách»"
        ),
        "{listing}"
    );
    assert!(listing.contains("kỳ: quý II/2023"), "{listing}");

    // Accept the first with the guesses (lead: the district the meeting was about; deadline:
    // the end of quý II/2023), the third with the reviewer's lead and deadline; reject the
    // second.
    let out = env.ok(&["review", "--tasks", "--accept", &ids[0].0.to_string()]);
    assert!(out.contains("đã nhận 1"), "{out}");
    let out = env.ok(&[
        "review",
        "--tasks",
        "--accept",
        &ids[2].0.to_string(),
        "--lead",
        "huyện Hữu Lũng, tỉnh Lạng Sơn",
        "--deadline",
        "31/5/2023",
        "--field",
        "văn hóa - xã hội",
    ]);
    assert!(out.contains("đã nhận 1"), "{out}");
    let out = env.ok(&["review", "--tasks", "--reject", &ids[1].0.to_string()]);
    assert!(out.contains("đã loại 1"), "{out}");
    // A decided proposal is not decided again; edits need exactly one --accept.
    env.fails(&["review", "--tasks", "--accept", &ids[1].0.to_string()]);
    env.fails(&[
        "review",
        "--tasks",
        "--accept",
        &ids[3].0.to_string(),
        &ids[4].0.to_string(),
        "--deadline",
        "30/6/2023",
    ]);

    let listing = env.ok(&["review", "--tasks"]);
    assert_eq!(pending(&listing).len(), 3, "{listing}");
    let all = env.ok(&["review", "--tasks", "--all"]);
    assert!(
        all.contains("[đã nhận]") && all.contains("[đã loại]"),
        "{all}"
    );

    // The accepted ones are tasks, with the article and the characters as their source.
    let table = env.ok(&["tasks", "list", "--today", "2023-05-01"]);
    assert!(
        table
            .contains("tập trung chỉ đạo, điều hành các giải pháp đẩy mạnh công tác thu ngân sách"),
        "{table}"
    );
    assert!(
        table.contains("chỉ đạo triển khai thực hiện tốt nhiệm vụ năm học 2022 – 2023"),
        "{table}"
    );
    assert!(!table.contains("giải phóng mặt bằng"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["tasks", "list", "--today", "2023-05-01", "--json"]))
            .expect("tasks list --json is JSON");
    let tasks = json.as_array().expect("an array");
    assert_eq!(tasks.len(), 2);
    let seed_text = chitieu_text::nfc(&std::fs::read_to_string(&seed).expect("seed"));
    let chars: Vec<char> = seed_text.chars().collect();
    for t in tasks {
        // "003_….txt, ký tự 1942–2016": the span reads back as the task's text.
        let source = t["source"].as_str().expect("source");
        assert!(source.starts_with("003_"), "{source}");
        let span = source.rsplit("ký tự ").next().expect("span");
        let (a, b) = span.split_once('–').expect("start–end");
        let (a, b): (usize, usize) = (a.parse().expect("start"), b.parse().expect("end"));
        let words: String = chars[a..b].iter().collect();
        assert_eq!(words, t["text"].as_str().expect("text"));
        assert_eq!(t["lead_name"], "huyện Hữu Lũng");
    }
    assert_eq!(tasks[0]["deadline_date"], "2023-06-30");
    assert_eq!(tasks[0]["field"], "economy");
    assert_eq!(tasks[1]["deadline_date"], "2023-05-31");

    // The rest at once, with one lead unit for all (resolved on each task's deadline); a
    // wording cannot be given to many.
    env.fails(&[
        "review",
        "--tasks",
        "--accept-all",
        "--text",
        "một nội dung",
    ]);
    let out = env.ok(&[
        "review",
        "--tasks",
        "--accept-all",
        "--lead",
        "huyện Hữu Lũng, tỉnh Lạng Sơn",
    ]);
    assert!(out.contains("đã nhận 3"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["tasks", "list", "--today", "2023-05-01", "--json"]))
            .expect("tasks list --json is JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(5));

    // Ingesting the same article again proposes nothing twice.
    let out = env.ok(&["ingest", &seed]);
    assert!(out.contains("đã có"), "{out}");
    let all = env.ok(&["review", "--tasks", "--all"]);
    assert_eq!(all.matches("ký tự").count(), 6, "{all}");
}
