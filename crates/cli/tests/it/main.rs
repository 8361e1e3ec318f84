//! The `lawdesk` binary end to end: admin, CSV import with bad rows, backup and restore into a
//! fresh folder, audit verification, and the docket and LEDES commands.

use std::process::Command;

mod billing;
mod delegation;
mod docket;
mod foundation;
mod intake;
mod review;
mod search;

/// Runs the binary on `data` and returns (success, stdout + stderr).
pub(crate) fn lawdesk(data: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lawdesk"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("LAWDESK_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn import_backup_restore_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out) = lawdesk(&data, &["admin", "create", "--email", "boss@firm.test"]);
    assert!(ok && out.contains("one-time password"), "{out}");
    let csv = dir.path().join("contacts.csv");
    std::fs::write(&csv, "First Name,Last Name,Company,Email Address\nAnn,Lee,,ann@lee.test\n,,Initech Corp.,legal@initech.test\nBad,Email,,not-an-email\n").unwrap();
    let (ok, out) = lawdesk(&data, &["import", "contacts", csv.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("imported 2 contacts; 1 rows skipped") && out.contains("line 4: emails"),
        "{out}"
    );
    let matters = dir.path().join("matters.csv");
    std::fs::write(&matters, "Display Number,Description,Client,Practice Area,Open Date\n1,Initech dispute,Initech Corp.,Litigation,03/15/2026\n2,,Initech Corp.,Litigation,\n").unwrap();
    let (ok, out) = lawdesk(&data, &["import", "matters", matters.to_str().unwrap()]);
    assert!(
        ok && out.contains("imported 1 matters; 1 rows skipped") && out.contains("line 3: title"),
        "{out}"
    );
    let (ok, exported) = lawdesk(&data, &["export", "matters"]);
    assert!(
        ok && exported.contains("Initech dispute") && exported.contains("2026-03-15"),
        "{exported}"
    );

    let backup = dir.path().join("backup.tar");
    let (ok, out) = lawdesk(&data, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(ok, "{out}");
    let restored = dir.path().join("restored");
    let (ok, out) = lawdesk(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(ok && out.contains("audit log intact"), "{out}");
    let (_, again) = lawdesk(&restored, &["export", "matters"]);
    assert_eq!(again, exported, "the restored firm exports the same matters");
    let (ok, out) = lawdesk(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(!ok && out.contains("empty database"), "{out}");
}

#[test]
fn docket_compute_prints_deadlines_with_trails() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(
        dir.path(),
        &[
            "docket",
            "compute",
            "--rules",
            "frcp",
            "--trigger",
            "complaint served",
            "--date",
            "2026-06-12",
            "--service",
            "mail",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("2026-07-06") && out.contains("12(a)"), "{out}");
    let (ok, out) = lawdesk(
        dir.path(),
        &["docket", "compute", "--trigger", "no such event", "--date", "2026-06-12"],
    );
    assert!(!ok && out.to_lowercase().contains("trigger"), "{out}");
}

#[test]
fn ledes_validate_reports_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "LEDES1998B[]\nINVOICE_DATE|INVOICE_NUMBER[]\n").unwrap();
    let (ok, out) = lawdesk(dir.path(), &["billing", "ledes-validate", bad.to_str().unwrap()]);
    assert!(!ok && out.contains("line 2"), "{out}");
}
