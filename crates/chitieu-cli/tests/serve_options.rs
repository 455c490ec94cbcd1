//! `chitieu serve --email-claim-lease MINUTES` (or `CHITIEU_EMAIL_CLAIM_LEASE`): a lease of
//! 0 minutes, one longer than a day or one that is not a whole number of minutes is refused
//! with the option named, before the database is opened or anything is served.

mod common;

use common::Env;
use std::process::Command;

#[test]
fn a_zero_or_absurd_email_claim_lease_is_refused_before_serving() {
    let env = Env::empty();
    for (given, says) in [
        ("0", "từ 1 phút trở lên"),
        ("100000", "dài nhất là 1440 phút"),
        ("nửa giờ", "số phút nguyên"),
    ] {
        let err = env.fails(&["serve", "--email-claim-lease", given]);
        assert!(
            err.contains("--email-claim-lease") && err.contains(says),
            "{given}: {err}"
        );
    }
    assert!(!env.db().exists(), "the database was opened");
}

#[test]
fn the_email_claim_lease_is_read_from_the_environment_too() {
    let env = Env::empty();
    let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .arg("--database")
        .arg(env.db())
        .arg("serve")
        .env("CHITIEU_EMAIL_CLAIM_LEASE", "0")
        .output()
        .expect("run chitieu");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a lease of 0 from the environment served"
    );
    assert!(
        err.contains("--email-claim-lease") && err.contains("từ 1 phút trở lên"),
        "{err}"
    );
    assert!(!env.db().exists(), "the database was opened");

    let help = env.ok(&["serve", "--help"]);
    assert!(
        help.contains("--email-claim-lease <MINUTES>")
            && help.contains("CHITIEU_EMAIL_CLAIM_LEASE"),
        "{help}"
    );
}
