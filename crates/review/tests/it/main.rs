//! Integration tests of the review crate: fixture-free checks of the public API and the corpus suite.

mod corpus;
mod ingest_corpus;

use review::{dedup, eval, neardup, query, threading};

/// The modules compose through the public API the way the app crate will use them.
#[test]
fn public_api_composes() {
    let q = query::parse("from:lay (raptor OR ljm) w/3 pric*").expect("valid query");
    let doc = eval::Doc::new()
        .with_field(query::Field::From, "Kenneth Lay <klay@enron.com>")
        .with_field(query::Field::Body, "The LJM pricing was approved.");
    assert!(eval::matches(&q, &doc));
    assert_eq!(eval::hits(&q, &doc).len(), 3);

    let raw = "Message-ID: <1@x>\nSubject: Hi\nFrom: a@x.com\n\nHello\n";
    let email = threading::Email::from_raw(raw);
    assert_eq!(threading::thread(&[email]).threads.len(), 1);
    assert_eq!(dedup::md5_hex(raw.as_bytes()).len(), 32);
    assert!(
        neardup::near_duplicates(&[raw, raw], &neardup::NearDupConfig::default()).groups.len() <= 1
    );
}
