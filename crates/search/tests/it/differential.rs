//! The index against the pure evaluator: random documents, random queries, the same answers.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use review::eval::{Doc, matches};
use review::query::{Field, parse};
use search::IndexDoc;
use search::analyze::{analyze, fold_query};

const VOCAB: &[&str] = &[
    "price", "prices", "pricing", "fix", "fixed", "cost", "raptor", "ljm", "café", "cafe", "women",
    "woman", "side", "letter", "the", "of", "Zürich", "zurich", "STRASSE", "straße",
];

fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VOCAB), 0..max).prop_map(|w| w.join(" "))
}

fn doc_strategy() -> impl Strategy<Value = (String, String, String, String, Option<u32>)> {
    (words(3), words(2), words(3), words(14), prop::option::of(1u32..=28))
}

/// A word, wildcard or phrase, maybe fielded.
fn leaf() -> impl Strategy<Value = String> {
    let word = prop::sample::select(VOCAB).prop_map(|w| w.to_lowercase());
    let wildcard =
        (prop::sample::select(VOCAB), 1usize..4, any::<bool>()).prop_map(|(w, keep, q)| {
            let chars: Vec<char> = w.to_lowercase().chars().collect();
            let keep = keep.min(chars.len());
            if q && chars.len() > 2 {
                let mut c = chars.clone();
                c[1] = '?';
                c.into_iter().collect()
            } else {
                format!("{}*", chars[..keep].iter().collect::<String>())
            }
        });
    let phrase = (prop::sample::select(VOCAB), prop::sample::select(VOCAB))
        .prop_map(|(a, b)| format!("\"{a} {b}\""));
    let base = prop_oneof![3 => word, 2 => wildcard, 1 => phrase];
    (base, prop::sample::select(vec!["", "", "", "subject:", "from:", "body:"]))
        .prop_map(|(b, f)| format!("{f}{b}"))
}

/// Positional queries: leaves, OR groups and proximity.
fn span() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            (inner.clone(), inner, 1u32..5, any::<bool>()).prop_map(|(a, b, n, ordered)| {
                format!("({a} {}/{n} {b})", if ordered { "pre" } else { "w" })
            }),
        ]
    })
}

fn query() -> impl Strategy<Value = String> {
    let date = (1u32..=28, 0u32..10)
        .prop_map(|(d, len)| format!("date:[2001-01-{d:02} TO 2001-01-{:02}]", (d + len).min(31)));
    let base = prop_oneof![4 => span(), 1 => date];
    base.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND NOT {b})")),
            inner.prop_map(|a| format!("NOT {a}")),
        ]
    })
}

fn eval_doc(doc: &IndexDoc) -> Doc {
    let mut out = Doc::new();
    for field in Field::ALL {
        let text = search::field_text(doc, field);
        out = out.with_tokens(field, text, analyze(text));
    }
    match search::indexable_date(doc.date_sent) {
        Some(sent) => out.with_date(sent.date_naive()),
        None => out,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn index_agrees_with_the_evaluator(
        docs in prop::collection::vec(doc_strategy(), 1..25),
        queries in prop::collection::vec(query(), 1..12),
    ) {
        let docs: Vec<IndexDoc> = docs
            .into_iter()
            .enumerate()
            .map(|(i, (from, subject, custodian, body, day))| IndexDoc {
                doc_id: format!("D{i:03}"),
                from,
                subject,
                custodian,
                body,
                // Late in the day UTC, so a calendar-day slip would show.
                date_sent: day.map(|d| Utc.with_ymd_and_hms(2001, 1, d, 23, 59, 59).single().expect("valid")),
                ..IndexDoc::default()
            })
            .collect();
        let index = crate::small_index(docs.clone());
        for text in queries {
            let Ok(parsed) = parse(&text) else { continue };
            let folded = fold_query(&parsed);
            let expected: Vec<String> = docs
                .iter()
                .filter(|d| matches(&folded, &eval_doc(d)))
                .map(|d| d.doc_id.clone())
                .collect();
            let got = index.matching_ids(&text).expect("parsed queries compile");
            prop_assert_eq!(got, expected, "query {} parsed as {}", text, parsed);
        }
    }
}
