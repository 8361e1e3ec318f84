//! `lawdesk` commands for docket, end to end through the binary (`crate::lawdesk`).

use crate::lawdesk;

#[test]
fn compute_prints_the_issue_example_with_trails() {
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
    // 21 days after 2026-06-12 is Friday 2026-07-03, the observed Independence Day: rolled to Monday 07-06.
    assert!(
        out.contains(
            "Mon 2026-07-06  Answer to complaint (or Rule 12 motion)  [FRCP 12(a)(1)(A)(i)]"
        ),
        "{out}"
    );
    assert!(out.contains("Independence Day (observed)"), "{out}");
    // Rule 4 service adds no mail days, and the trail says why.
    assert!(out.contains("no days added for service by mail"), "{out}");
}

#[test]
fn add_trigger_dockets_on_a_demo_matter_and_send_reminders_needs_smtp() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out) = lawdesk(&data, &["demo"]);
    assert!(ok, "{out}");
    let number = format!("{}-0001", chrono::Utc::now().format("%Y"));
    let (ok, out) = lawdesk(
        &data,
        &[
            "docket",
            "add-trigger",
            "--matter",
            &number,
            "--trigger",
            "judgment entered",
            "--date",
            "2026-11-13",
            "--as",
            "alice@demo.lawdesk",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("2026-12-14  Notice of appeal  [FRAP 4(a)(1)(A)"), "{out}");
    // ben is not on the matter's team.
    let (ok, out) = lawdesk(
        &data,
        &[
            "docket",
            "add-trigger",
            "--matter",
            &number,
            "--trigger",
            "judgment entered",
            "--date",
            "2026-11-13",
            "--as",
            "ben@demo.lawdesk",
        ],
    );
    assert!(!ok && out.contains("do not have access"), "{out}");
    let (ok, out) = lawdesk(&data, &["docket", "send-reminders"]);
    assert!(!ok && out.contains("LAWDESK_SMTP_URL"), "{out}");
}
