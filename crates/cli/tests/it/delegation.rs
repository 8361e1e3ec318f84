//! `lawdesk` commands for delegation, end to end through the binary (`crate::lawdesk`).

use crate::lawdesk;

fn example(name: &str) -> String {
    format!("{}/../../examples/{name}.profile.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn advise_prints_the_table_and_writes_a_pdf_report() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("advice.pdf");
    let (ok, out) = lawdesk(
        &dir.path().join("data"),
        &["advise", "--profile", &example("solo-practitioner"), "--pdf", pdf.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("Workload: Solo practitioner") && out.contains("virtual assistant"),
        "{out}"
    );
    assert!(out.contains("PDF report written to"), "{out}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(
        bytes.starts_with(b"%PDF-")
            && String::from_utf8_lossy(&bytes).contains("Solo practitioner")
    );

    let bad = dir.path().join("bad.profile.toml");
    std::fs::write(&bad, "name = \"x\"\n[[lines]]\nservice_line = \"paralegal\"\nmonthly_volume = 1\ncollaboration = \"low\"\n").unwrap();
    let (ok, out) =
        lawdesk(&dir.path().join("data"), &["advise", "--profile", bad.to_str().unwrap()]);
    assert!(!ok && out.contains("bad.profile.toml"), "{out}");
}

#[test]
fn bench_delegation_prints_a_table_of_timings() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(&dir.path().join("data"), &["bench", "delegation", "--runs", "2"]);
    assert!(ok, "{out}");
    for op in [
        "recommend_route",
        "split 50,000 units",
        "complete a 500-unit batch",
        "dashboard",
        "advisor + SVG + PDF",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(op) && l.split_whitespace().any(|w| w == "2")),
            "{op}: {out}"
        );
    }
}
