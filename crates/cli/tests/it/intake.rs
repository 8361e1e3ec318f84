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
