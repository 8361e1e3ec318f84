//! Corpus suite: the Enron sample (text plus load-file metadata) indexed, queries checked against the
//! pure evaluator document by document.

use review::eval::matches;
use review::query::parse;
use search::analyze::fold_query;

#[test]
fn corpus_enron_freeeed_index_agrees_with_evaluator() {
    let Some(dir) = search::corpus::enron_freeeed_dir() else {
        eprintln!(
            "SKIPPED (corpus suite): review/enron-freeeed not found under the shared data folder"
        );
        return;
    };
    let docs = search::corpus::load_enron_freeeed(&dir).expect("readable sample");
    assert_eq!(docs.len(), 2477, "one document per load-file row");
    let index = crate::small_index(docs.clone());
    for query in [
        "enron",
        "from:bailey",
        "(price* OR cost*) w/5 (fix* OR manipulat*)",
        "\"master netting\" OR netting pre/3 agreement*",
        "subject:re AND NOT to:enron",
        "gas w/10 (california OR texas) date:[2001-01-01 TO 2001-12-31]",
        "contract* w/3 terminat*",
    ] {
        let folded = fold_query(&parse(query).expect("valid query"));
        let mut expected: Vec<String> = docs
            .iter()
            .filter(|d| matches(&folded, &search::eval_doc(d)))
            .map(|d| d.doc_id.clone())
            .collect();
        expected.sort();
        let got = index.matching_ids(query).expect("valid query");
        eprintln!("{query:<70} {} documents", got.len());
        assert_eq!(got, expected, "{query}");
        assert!(!got.is_empty(), "{query} finds something in the sample");
    }
}
