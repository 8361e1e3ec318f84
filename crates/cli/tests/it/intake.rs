//! `lawdesk` commands for intake, end to end through the binary (`crate::lawdesk`).

use crate::lawdesk;

#[test]
fn conflicts_check_prints_grouped_results_from_the_stored_firm() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(dir.path(), &["demo"]);
    assert!(ok, "{out}");
    let (ok, out) =
        lawdesk(dir.path(), &["conflicts", "check", "Acme Holdings, Inc.", "GLOBEX CORP"]);
    assert!(ok, "{out}");
    let direct = out.find("Direct adversity").expect("a 1.7 group");
    let former = out.find("Former clients").expect("a 1.9 group");
    let related = out.find("Related organizations").expect("the subsidiary");
    assert!(direct < former && former < related, "groups in rule order:\n{out}");
    assert!(
        out.contains("Model Rule 1.9")
            && out.contains("2019-044 (before lawdesk) Globex supply contract review (closed)"),
        "{out}"
    );
    assert!(
        out.contains("Acme Logistics LLC") && out.contains("related to Acme Holdings, Inc."),
        "{out}"
    );
    // Walls apply on the command line too: ben sees the Harbor County hit, not its matter.
    let (ok, out) =
        lawdesk(dir.path(), &["conflicts", "check", "--as", "ben@demo.lawdesk", "Harbor County"]);
    assert!(
        ok && out.contains("a matter you are walled off") && !out.contains("public records"),
        "{out}"
    );
    // External users may not run checks; --save stores a report.
    let (ok, out) =
        lawdesk(dir.path(), &["conflicts", "check", "--as", "vera@demo.lawdesk", "Acme"]);
    assert!(!ok && out.contains("access"), "{out}");
    let (ok, out) = lawdesk(dir.path(), &["conflicts", "check", "--save", "--json", "Initech"]);
    assert!(ok && out.contains("saved as conflict report") && out.contains("\"groups\""), "{out}");
}

#[test]
fn earlier_matters_are_imported_and_found() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(dir.path(), &["admin", "create", "--email", "boss@firm.test"]);
    assert!(ok, "{out}");
    let csv = dir.path().join("history.csv");
    std::fs::write(&csv, "name,kind,aliases,role,matter_ref,matter_title,closed_on\nRobert Paulson,person,Bob Paulson,client,2009-17,Paulson estate,2011-05-01\nTyler Durden,person,,adverse_party,2009-18,Paper Street,not-a-date\n").unwrap();
    let (ok, out) = lawdesk(dir.path(), &["conflicts", "import-history", csv.to_str().unwrap()]);
    assert!(ok && out.contains("imported 1 parties") && out.contains("line 3: closed_on"), "{out}");
    let (ok, out) = lawdesk(dir.path(), &["conflicts", "check", "Bobby Paulson"]);
    assert!(
        ok && out.contains("Former clients")
            && out.contains("2009-17 (before lawdesk) Paulson estate"),
        "{out}"
    );
}

#[test]
fn bench_conflicts_prints_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.csv");
    std::fs::write(&cases, "case_group,schema,name1,name2,is_match\ng,Person,Bill Smith,William Smith,true\ng,Company,Acme Inc,Zenith LLC,false\n").unwrap();
    let export = dir.path().join("export");
    let (ok, out) = lawdesk(
        dir.path(),
        &[
            "bench",
            "conflicts",
            "--parties",
            "2000",
            "--queries",
            "50",
            "--cases",
            cases.to_str().unwrap(),
            "--export",
            export.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("p99")
            && out.contains("build")
            && out.contains("precision 1.000  recall 1.000  F1 1.000"),
        "{out}"
    );
    let names = std::fs::read_to_string(export.join("names.tsv")).unwrap();
    assert!(names.lines().count() >= 2000);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("lawdesk.json")).unwrap())
            .unwrap();
    assert_eq!(summary["parties"], 2000);
}

/// Corpus suite: the bench's accuracy line on the shared labelled pairs meets the goal.
#[test]
fn corpus_bench_conflicts_accuracy_on_cases_csv() {
    let shared =
        std::env::var_os("LAWDESK_SHARED_DATA").map(std::path::PathBuf::from).unwrap_or_else(
            || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        );
    let cases = shared.join("intake/names/cases.csv");
    if !cases.is_file() {
        eprintln!(
            "SKIPPED (corpus suite): {} not found (set LAWDESK_SHARED_DATA)",
            cases.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(
        dir.path(),
        &[
            "bench",
            "conflicts",
            "--parties",
            "1000",
            "--queries",
            "20",
            "--cases",
            cases.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    let f1: f64 = out
        .split("F1 ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no F1 in:\n{out}"));
    eprintln!("{}", out.lines().find(|l| l.starts_with("accuracy")).unwrap_or(""));
    assert!(f1 >= 0.85, "F1 {f1} below the 0.85 goal:\n{out}");
}
