//! `chitieu reminders`: settings are checked before they are stored, shown back with their
//! defaults, and a pass runs from the command line.

use std::process::Command;

fn chitieu(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .arg("--database")
        .arg(db)
        .args(args)
        .output()
        .expect("run chitieu")
}

#[test]
fn settings_are_checked_stored_and_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("r.db");
    assert!(chitieu(&db, &["init"]).status.success());
    let out = chitieu(
        &db,
        &[
            "reminders",
            "--set",
            r#"{"deadline_days":[14,7,1],"digest_hour":6}"#,
            "--run",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Đã lưu cài đặt nhắc việc."), "{text}");
    assert!(text.contains("\"digest_hour\": 6"), "{text}");
    assert!(
        text.contains("\"closing_days\": [\n    3\n  ]"),
        "defaults filled in: {text}"
    );
    assert!(text.contains("Đã tạo 0 thông báo"), "{text}");
    for bad in [
        r#"{"digest_hour":30}"#,
        r#"{"deadline_days":"bảy"}"#,
        "không phải JSON",
    ] {
        let out = chitieu(&db, &["reminders", "--set", bad]);
        assert!(!out.status.success(), "{bad} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--set"), "{err}");
    }
    // The stored settings are still the good ones.
    let text = String::from_utf8_lossy(&chitieu(&db, &["reminders"]).stdout).to_string();
    assert!(text.contains("\"digest_hour\": 6"), "{text}");
}
