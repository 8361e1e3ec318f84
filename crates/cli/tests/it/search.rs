//! `lawdesk review index-text` then `lawdesk review search`: hits with snippets, term reports, and a
//! malformed query explained with a caret.

use crate::lawdesk;

#[test]
fn index_text_then_search_prints_hits_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out) = lawdesk(&data, &["demo"]);
    assert!(ok, "{out}");
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    std::fs::write(texts.join("memo-1.txt"), "We agreed to fix the price of widgets.").unwrap();
    std::fs::write(texts.join("memo-2.txt"), "Pricing was never fixed; costs rose.").unwrap();
    std::fs::write(texts.join("memo-3.txt"), "Lunch at the café on Friday.").unwrap();
    std::fs::write(texts.join("ignored.csv"), "not,a,text,file").unwrap();
    // 0002 has no demo documents, so the hits are exactly these texts.
    let matter = format!("{}-0002", chrono::Utc::now().format("%Y"));

    let (ok, out) = lawdesk(
        &data,
        &[
            "review",
            "index-text",
            "--matter",
            &matter,
            "--custodian",
            "Doe, Jane",
            texts.to_str().unwrap(),
        ],
    );
    assert!(ok && out.contains("indexed 3 documents"), "{out}");

    let (ok, out) = lawdesk(&data, &["review", "search", "--matter", &matter, "pric* w/3 fix*"]);
    assert!(ok, "{out}");
    assert!(out.starts_with("2 document(s) for (w/3 pric* fix*)"), "{out}");
    assert!(out.contains("We agreed to [fix] the [price] of widgets."), "{out}");
    assert!(out.contains("[Pricing] was never [fixed]; costs rose."), "{out}");

    let (ok, out) =
        lawdesk(&data, &["review", "search", "--matter", &matter, "custodian:doe AND cafe"]);
    assert!(ok && out.starts_with("1 document(s)") && out.contains("memo-3"), "{out}");

    let (ok, out) = lawdesk(&data, &["review", "search", "--matter", &matter, "price pre/ fix"]);
    assert!(!ok, "{out}");
    assert!(out.contains("price pre/ fix\n      ^ pre/ needs a number, e.g. pre/5"), "{out}");

    let terms = dir.path().join("terms.txt");
    std::fs::write(&terms, "fix*\ncaf?\n").unwrap();
    let (ok, out) = lawdesk(
        &data,
        &["review", "search", "--matter", &matter, "--terms", terms.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[1], ["fix*", "2", "2", "2", "2"], "{out}");
    assert_eq!(rows[2], ["caf?", "1", "1", "1", "1"], "{out}");

    // A VA who reviews no documents on the matter may not search it.
    let (ok, out) = lawdesk(
        &data,
        &["review", "search", "--matter", &matter, "--as", "vera@demo.lawdesk", "price"],
    );
    assert!(!ok && out.contains("do not have access"), "{out}");
}
