//! Search index tests: indexing, the query syntax end to end, highlighting and term reports.

mod corpus;
mod differential;

use chrono::{TimeZone, Utc};
use expect_test::{Expect, expect};
use search::{IndexDoc, MatterIndex};

pub(crate) fn small_index(docs: Vec<IndexDoc>) -> MatterIndex {
    let index = MatterIndex::in_memory().expect("in-memory index");
    index.add(docs, 1_000, 1, 15_000_000).expect("indexing");
    index
}

fn email(id: &str, from: &str, to: &str, subject: &str, day: u32, body: &str) -> IndexDoc {
    IndexDoc {
        doc_id: id.into(),
        custodian: "Skilling, Jeff".into(),
        from: from.into(),
        to: to.into(),
        subject: subject.into(),
        date_sent: Some(Utc.with_ymd_and_hms(2001, 5, day, 14, 30, 0).single().expect("valid")),
        filename: format!("{id}.eml"),
        file_ext: "eml".into(),
        family_id: id.into(),
        body: body.into(),
        ..IndexDoc::default()
    }
}

fn fixture() -> MatterIndex {
    let mut attachment = email(
        "DOC-0002",
        "",
        "",
        "",
        3,
        "Schedule of prices: the fixed price for Raptor is set by LJM <confidential>.",
    );
    attachment.family_id = "DOC-0001".into();
    attachment.filename = "Raptor prices.xlsx".into();
    attachment.file_ext = "xlsx".into();
    small_index(vec![
        email(
            "DOC-0001",
            "Jeff Skilling <jeff.skilling@enron.com>",
            "Kenneth Lay <kenneth.lay@enron.com>",
            "Raptor pricing",
            3,
            "We need to fix the price of the Raptor vehicle. The licensing cost is set by LJM, and \
             the side letter stays with the women in legal.",
        ),
        attachment,
        email(
            "DOC-0003",
            "Andrew Fastow <andrew.fastow@enron.com>",
            "Jeff Skilling <jeff.skilling@enron.com>",
            "Re: Café meeting",
            17,
            "Costs were manipulated? No. The license fee for the café in Zürich was agreed, \
             not fixed. Price discussions go through legal.",
        ),
        email(
            "DOC-0004",
            "Sherron Watkins <sherron.watkins@enron.com>",
            "Kenneth Lay <kenneth.lay@enron.com>",
            "Accounting scandals",
            28,
            "I am incredibly nervous that we will implode in a wave of accounting scandals.",
        ),
    ])
}

/// Shows the total, then per hit the id, the marked metadata fields and the body snippet.
fn check(index: &MatterIndex, query: &str, expected: Expect) {
    let got = match index.search(query, 1, 10) {
        Ok(page) => {
            let mut out = format!("{} hit(s) for {}\n", page.total, page.parsed);
            let mut hits = page.hits;
            hits.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
            for hit in hits {
                out.push_str(&format!("{} ({} words)\n", hit.doc_id, hit.hit_count));
                for field in &hit.fields {
                    out.push_str(&format!("  {}: {}\n", field.field, field.html));
                }
                out.push_str(&format!("  body: {}\n", hit.snippet_html));
            }
            out
        }
        Err(search::SearchError::Syntax { message, caret, column, .. }) => {
            format!("error at character {column}: {message}\n{caret}")
        }
        Err(other) => format!("error: {other}"),
    };
    expected.assert_eq(&got);
}

#[test]
fn booleans_fields_and_dates() {
    let index = fixture();
    check(
        &index,
        "raptor AND NOT ljm",
        expect![[r#"
        0 hit(s) for (AND raptor (NOT ljm))
    "#]],
    );
    check(
        &index,
        "lay NOT scandal*",
        expect![[r#"
        1 hit(s) for (AND lay (NOT scandal*))
        DOC-0001 (2 words)
          to: Kenneth <mark>Lay</mark> &lt;kenneth.<mark>lay</mark>@enron.com&gt;
          body: We need to fix the price of the Raptor vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal.
    "#]],
    );
    check(
        &index,
        "from:skilling OR from:watkins",
        expect![[r#"
        2 hit(s) for (OR from:skilling from:watkins)
        DOC-0001 (2 words)
          from: Jeff <mark>Skilling</mark> &lt;jeff.<mark>skilling</mark>@enron.com&gt;
          body: We need to fix the price of the Raptor vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal.
        DOC-0004 (2 words)
          from: Sherron <mark>Watkins</mark> &lt;sherron.<mark>watkins</mark>@enron.com&gt;
          body: I am incredibly nervous that we will implode in a wave of accounting scandals.
    "#]],
    );
    check(
        &index,
        "to:lay date:[2001-05-20 TO 2001-05-31]",
        expect![[r#"
        1 hit(s) for (AND to:lay date:[2001-05-20 TO 2001-05-31])
        DOC-0004 (2 words)
          to: Kenneth <mark>Lay</mark> &lt;kenneth.<mark>lay</mark>@enron.com&gt;
          body: I am incredibly nervous that we will implode in a wave of accounting scandals.
    "#]],
    );
    check(
        &index,
        "date<2001-05-04 AND filename:xlsx",
        expect![[r#"
        1 hit(s) for (AND date:[* TO 2001-05-03] filename:xlsx)
        DOC-0002 (1 words)
          filename: Raptor prices.<mark>xlsx</mark>
          body: Schedule of prices: the fixed price for Raptor is set by LJM &lt;confidential&gt;.
    "#]],
    );
    check(
        &index,
        "NOT price*",
        expect![[r#"
        1 hit(s) for (NOT price*)
        DOC-0004 (0 words)
          body: I am incredibly nervous that we will implode in a wave of accounting scandals.
    "#]],
    );
}

#[test]
fn wildcards_phrases_and_accents() {
    let index = fixture();
    check(
        &index,
        "licens* AND wom?n",
        expect![[r#"
        1 hit(s) for (AND licens* wom?n)
        DOC-0001 (2 words)
          body: We need to fix the price of the Raptor vehicle. The <mark>licensing</mark> cost is set by LJM, and the side letter stays with the <mark>women</mark> in legal.
    "#]],
    );
    check(
        &index,
        "\"fixed price\"",
        expect![[r#"
        2 hit(s) for "fixed price"
        DOC-0002 (2 words)
          body: Schedule of prices: the <mark>fixed</mark> <mark>price</mark> for Raptor is set by LJM &lt;confidential&gt;.
        DOC-0003 (2 words)
          body: … were manipulated? No. The license fee for the café in Zürich was agreed, not <mark>fixed</mark>. <mark>Price</mark> discussions go through legal.
    "#]],
    );
    check(
        &index,
        "cafe AND zurich",
        expect![[r#"
        1 hit(s) for (AND cafe zurich)
        DOC-0003 (3 words)
          subject: Re: <mark>Café</mark> meeting
          body: Costs were manipulated? No. The license fee for the <mark>café</mark> in <mark>Zürich</mark> was agreed, not fixed. Price discussions go through legal.
    "#]],
    );
    check(
        &index,
        "subject:café",
        expect![[r#"
        1 hit(s) for subject:cafe
        DOC-0003 (1 words)
          subject: Re: <mark>Café</mark> meeting
          body: Costs were manipulated? No. The license fee for the café in Zürich was agreed, not fixed. Price discussions go through legal.
    "#]],
    );
}

#[test]
fn proximity_between_terms_and_groups() {
    let index = fixture();
    check(
        &index,
        "fix w/2 price",
        expect![[r#"
        1 hit(s) for (w/2 fix price)
        DOC-0001 (2 words)
          body: We need to <mark>fix</mark> the <mark>price</mark> of the Raptor vehicle. The licensing cost is set by LJM, and the side letter …
    "#]],
    );
    check(
        &index,
        "price pre/2 fix",
        expect![[r#"
        0 hit(s) for (pre/2 price fix)
    "#]],
    );
    check(
        &index,
        "(price* OR cost*) w/5 (fix* OR manipulat*)",
        expect![[r#"
        3 hit(s) for (w/5 (OR price* cost*) (OR fix* manipulat*))
        DOC-0001 (2 words)
          body: We need to <mark>fix</mark> the <mark>price</mark> of the Raptor vehicle. The licensing cost is set by LJM, and the side letter …
        DOC-0002 (3 words)
          body: Schedule of <mark>prices</mark>: the <mark>fixed</mark> <mark>price</mark> for Raptor is set by LJM &lt;confidential&gt;.
        DOC-0003 (4 words)
          body: <mark>Costs</mark> were <mark>manipulated</mark>? No. The license fee for the café in Zürich was agreed, not <mark>fixed</mark>. <mark>Price</mark> discussions go through legal.
    "#]],
    );
    check(
        &index,
        "\"side letter\" w/4 women",
        expect![[r#"
        1 hit(s) for (w/4 "side letter" women)
        DOC-0001 (3 words)
          body: … fix the price of the Raptor vehicle. The licensing cost is set by LJM, and the <mark>side</mark> <mark>letter</mark> stays with the <mark>women</mark> in legal.
    "#]],
    );
    check(
        &index,
        "\"side letter\" w/3 women",
        expect![[r#"
        0 hit(s) for (w/3 "side letter" women)
    "#]],
    );
}

#[test]
fn malformed_queries_say_where() {
    let index = fixture();
    check(
        &index,
        "(price OR cost w/5 fix*",
        expect![[r#"
        error at character 1: unbalanced parenthesis opened at 0
        (price OR cost w/5 fix*
        ^ unbalanced parenthesis opened at 0"#]],
    );
    check(
        &index,
        "price w/ fix",
        expect![[r#"
        error at character 7: w/ needs a number, e.g. w/5
        price w/ fix
              ^ w/ needs a number, e.g. w/5"#]],
    );
    check(
        &index,
        "form:skilling",
        expect![[r#"
        error at character 1: unknown field `form`; fields are from, to, cc, bcc, subject, custodian, filename, body and date
        form:skilling
        ^ unknown field `form`; fields are from, to, cc, bcc, subject, custodian, filename, body and date"#]],
    );
    check(
        &index,
        "(price AND cost) w/5 fix",
        expect![[r#"
        error at character 1: w/5 can only join words, phrases, wildcards, OR groups and other proximity searches, not AND, NOT or dates
        (price AND cost) w/5 fix
        ^ w/5 can only join words, phrases, wildcards, OR groups and other proximity searches, not AND, NOT or dates"#]],
    );
    check(
        &index,
        "date:[2001-13-01 TO 2001-12-31]",
        expect![[r#"
        error at character 7: invalid date `2001-13-01`, expected YYYY-MM-DD
        date:[2001-13-01 TO 2001-12-31]
              ^ invalid date `2001-13-01`, expected YYYY-MM-DD"#]],
    );
}

#[test]
fn search_term_report_with_families() {
    let index = fixture();
    let lines: Vec<String> =
        ["raptor", "", "price* w/3 fix*", "scandal*", "confidential", "chewco"]
            .map(String::from)
            .to_vec();
    let report = index.term_report(&lines).expect("valid lines");
    let mut out = String::new();
    for row in &report.rows {
        out.push_str(&format!(
            "{:<16} hits {} docs {} with families {} unique {}\n",
            row.term,
            row.hits,
            row.docs_with_hits,
            row.docs_with_hits_including_family,
            row.unique_hits
        ));
    }
    out.push_str(&format!(
        "total docs {} with families {}",
        report.total_docs_with_hits, report.total_docs_with_hits_including_family
    ));
    expect![[r#"
        raptor           hits 4 docs 2 with families 2 unique 0
        price* w/3 fix*  hits 7 docs 3 with families 3 unique 1
        scandal*         hits 2 docs 1 with families 1 unique 1
        confidential     hits 1 docs 1 with families 2 unique 0
        chewco           hits 0 docs 0 with families 0 unique 0
        total docs 4 with families 4"#]]
    .assert_eq(&out);
    let err = index.term_report(&["raptor".into(), "(oops".into()]).expect_err("line 2 is bad");
    assert_eq!(err.to_string(), "line 2: unbalanced parenthesis opened at 0 (at character 1)");
}

#[test]
fn adding_a_document_again_replaces_it_and_paging_works() {
    let index = fixture();
    assert_eq!(index.num_docs(), 4);
    let mut changed = email("DOC-0004", "Sherron Watkins", "", "Memo", 28, "Chewco restated");
    changed.family_id = String::new();
    index.add(vec![changed], 10, 1, 15_000_000).expect("re-index");
    assert_eq!(index.num_docs(), 4);
    assert_eq!(index.matching_ids("chewco").expect("valid"), vec!["DOC-0004"]);
    assert!(index.matching_ids("scandals").expect("valid").is_empty());
    let first = index.search("enron OR chewco OR ljm", 1, 2).expect("valid");
    let second = index.search("enron OR chewco OR ljm", 2, 2).expect("valid");
    assert_eq!((first.total, first.hits.len(), second.hits.len()), (4, 2, 2));
    let mut ids: Vec<_> = first.hits.iter().chain(&second.hits).map(|h| h.doc_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "pages do not overlap");
}

#[test]
fn index_on_disk_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let index = MatterIndex::open_or_create(dir.path()).expect("create");
        index
            .add(vec![email("A", "x", "y", "Hello", 1, "persisted words")], 10, 1, 15_000_000)
            .expect("index");
    }
    let index = MatterIndex::open_or_create(dir.path()).expect("reopen");
    assert_eq!(index.matching_ids("persist*").expect("valid"), vec!["A"]);
    assert!(index.size_on_disk() > 0);
}
