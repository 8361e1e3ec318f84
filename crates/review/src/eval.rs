//! In-memory evaluation of a [`Query`] over one tokenized document: exact proximity semantics, and hit
//! spans for highlighting.
//!
//! This is the reference semantics that a search-engine translation of the AST must agree with; it is
//! also what highlights hits in the viewer, so spans are byte ranges in the original field text.

use chrono::NaiveDate;

use crate::query::{Field, Pattern, Query};
use crate::text::{Token, tokenize};

/// A document as the evaluator sees it: field values (a field may have several, e.g. one per recipient
/// header) and an optional date.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    texts: Vec<FieldText>,
    date: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct FieldText {
    field: Field,
    text: String,
    tokens: Vec<Token>,
}

impl Doc {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value of `field`. Each value is tokenized on its own: phrases and proximity never reach
    /// across two values, as positions restart.
    pub fn with_field(mut self, field: Field, text: &str) -> Self {
        self.texts.push(FieldText { field, text: text.to_string(), tokens: tokenize(text) });
        self
    }

    /// Adds a value of `field` with tokens analyzed elsewhere (for example accent-folded by a search
    /// index), so the evaluator can judge exactly what the index saw. Byte ranges refer to `text`.
    pub fn with_tokens(mut self, field: Field, text: &str, tokens: Vec<Token>) -> Self {
        self.texts.push(FieldText { field, text: text.to_string(), tokens });
        self
    }

    pub fn with_date(mut self, date: NaiveDate) -> Self {
        self.date = Some(date);
        self
    }

    /// The text of the `slot`-th value added (see [`Span::slot`]).
    pub fn text(&self, slot: usize) -> Option<&str> {
        self.texts.get(slot).map(|t| t.text.as_str())
    }
}

/// A highlighted word: `start..end` is a byte range in the text of value `slot` (the order values were
/// added to the [`Doc`]), which belongs to `field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub slot: usize,
    pub field: Field,
    pub start: usize,
    pub end: usize,
}

/// Word positions matched in one field value: `start..end` is the covered position range, `words` the
/// positions that actually matched (what gets highlighted; the gap words of a proximity match do not).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PosSpan {
    slot: usize,
    start: usize,
    end: usize,
    words: Vec<usize>,
}

/// Whether the document satisfies the query.
pub fn matches(query: &Query, doc: &Doc) -> bool {
    match query {
        Query::Term { .. } | Query::Phrase { .. } | Query::Near { .. } => {
            !spans(query, doc).is_empty()
        }
        Query::Date(range) => doc.date.is_some_and(|d| range.contains(d)),
        Query::And(parts) => parts.iter().all(|q| matches(q, doc)),
        Query::Or(parts) => parts.iter().any(|q| matches(q, doc)),
        Query::Not(inner) => !matches(inner, doc),
    }
}

/// The words to highlight, sorted by slot and position; empty when the document does not match.
/// Negated parts contribute nothing, and neither do OR branches that did not match.
pub fn hits(query: &Query, doc: &Doc) -> Vec<Span> {
    if !matches(query, doc) {
        return Vec::new();
    }
    let mut positions = Vec::new();
    collect_hits(query, doc, &mut positions);
    positions.sort_unstable();
    positions.dedup();
    positions
        .into_iter()
        .map(|(slot, pos)| {
            let value = &doc.texts[slot];
            let token = &value.tokens[pos];
            Span { slot, field: value.field, start: token.start, end: token.end }
        })
        .collect()
}

fn collect_hits(query: &Query, doc: &Doc, out: &mut Vec<(usize, usize)>) {
    match query {
        Query::Term { .. } | Query::Phrase { .. } | Query::Near { .. } => {
            for span in spans(query, doc) {
                out.extend(span.words.iter().map(|&w| (span.slot, w)));
            }
        }
        Query::And(parts) | Query::Or(parts) => {
            for part in parts.iter().filter(|q| matches(q, doc)) {
                collect_hits(part, doc, out);
            }
        }
        Query::Date(_) | Query::Not(_) => {}
    }
}

fn slots(doc: &Doc, field: Option<Field>) -> impl Iterator<Item = (usize, &FieldText)> {
    doc.texts.iter().enumerate().filter(move |(_, t)| match field {
        Some(f) => t.field == f,
        None => t.field.is_default(),
    })
}

fn spans(query: &Query, doc: &Doc) -> Vec<PosSpan> {
    match query {
        Query::Term { field, pattern } => phrase_spans(doc, *field, std::slice::from_ref(pattern)),
        Query::Phrase { field, words } => phrase_spans(doc, *field, words),
        Query::Or(parts) => {
            let mut all: Vec<PosSpan> = parts.iter().flat_map(|q| spans(q, doc)).collect();
            all.sort_unstable();
            all.dedup();
            all
        }
        Query::Near { left, right, distance, ordered } => {
            near_spans(&spans(left, doc), &spans(right, doc), *distance as usize, *ordered)
        }
        // Not positional; the parser never puts these under a proximity operator.
        Query::Date(_) | Query::And(_) | Query::Not(_) => Vec::new(),
    }
}

fn phrase_spans(doc: &Doc, field: Option<Field>, words: &[Pattern]) -> Vec<PosSpan> {
    let mut out = Vec::new();
    if words.is_empty() {
        return out;
    }
    for (slot, value) in slots(doc, field) {
        for window_start in 0..value.tokens.len().saturating_sub(words.len() - 1) {
            let window = &value.tokens[window_start..window_start + words.len()];
            if window.iter().zip(words).all(|(tok, pat)| pat.matches(&tok.text)) {
                out.push(PosSpan {
                    slot,
                    start: window_start,
                    end: window_start + words.len(),
                    words: (window_start..window_start + words.len()).collect(),
                });
            }
        }
    }
    out
}

/// Pairs of left and right spans in the same value, not overlapping, with fewer than `distance` words
/// between them (the later one starting after the earlier one ends), the left first when `ordered`.
fn near_spans(left: &[PosSpan], right: &[PosSpan], distance: usize, ordered: bool) -> Vec<PosSpan> {
    let within = |first: &PosSpan, second: &PosSpan| {
        second.start >= first.end && second.start - first.end < distance
    };
    let mut out = Vec::new();
    for l in left {
        for r in right.iter().filter(|r| r.slot == l.slot) {
            if within(l, r) || (!ordered && within(r, l)) {
                let mut words: Vec<usize> = l.words.iter().chain(&r.words).copied().collect();
                words.sort_unstable();
                out.push(PosSpan {
                    slot: l.slot,
                    start: l.start.min(r.start),
                    end: l.end.max(r.end),
                    words,
                });
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::query::parse;

    fn email() -> Doc {
        Doc::new()
            .with_field(Field::From, "Jeff Skilling <jeff.skilling@enron.com>")
            .with_field(Field::To, "Kenneth Lay <kenneth.lay@enron.com>")
            .with_field(Field::To, "Andrew Fastow <andrew.fastow@enron.com>")
            .with_field(Field::Subject, "Raptor pricing")
            .with_field(
                Field::Body,
                "We need to fix the price of the Raptor vehicle. The licensing cost is set by LJM, \
                 and the side letter stays with the women in legal.",
            )
            .with_field(Field::Custodian, "Skilling, Jeff")
            .with_date(NaiveDate::from_ymd_opt(2001, 5, 17).expect("valid date"))
    }

    /// Shows the highlighted words of each field value in brackets, or `no match`.
    fn check(query: &str, expected: Expect) {
        let doc = email();
        let query = parse(query).expect("test queries are valid");
        let hits = hits(&query, &doc);
        let got = if !matches(&query, &doc) {
            "no match".to_string()
        } else if hits.is_empty() {
            "match, nothing to highlight".to_string()
        } else {
            let mut lines = Vec::new();
            let mut slots: Vec<usize> = hits.iter().map(|h| h.slot).collect();
            slots.dedup();
            for slot in slots {
                let text = doc.text(slot).expect("slot from a hit");
                let mut marked = String::new();
                let mut at = 0;
                for hit in hits.iter().filter(|h| h.slot == slot) {
                    marked.push_str(&text[at..hit.start]);
                    marked.push_str(&format!("[{}]", &text[hit.start..hit.end]));
                    at = hit.end;
                }
                marked.push_str(&text[at..]);
                let field = hits.iter().find(|h| h.slot == slot).expect("slot from a hit").field;
                lines.push(format!("{field}: {marked}"));
            }
            lines.join("\n")
        };
        expected.assert_eq(&got);
    }

    #[test]
    fn terms_phrases_wildcards() {
        check(
            "raptor",
            expect![[r#"
            subject: [Raptor] pricing
            body: We need to fix the price of the [Raptor] vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal."#]],
        );
        check(
            r#""side letter""#,
            expect![[
                r#"body: We need to fix the price of the Raptor vehicle. The licensing cost is set by LJM, and the [side] [letter] stays with the women in legal."#
            ]],
        );
        check(r#""letter side""#, expect![[r#"no match"#]]);
        check(
            "licens* wom?n",
            expect![[
                r#"body: We need to fix the price of the Raptor vehicle. The [licensing] cost is set by LJM, and the side letter stays with the [women] in legal."#
            ]],
        );
        check("skilling", expect![[r#"from: Jeff [Skilling] <jeff.[skilling]@enron.com>"#]]);
    }

    #[test]
    fn fields_and_values() {
        check(
            "custodian:skilling from:jeff",
            expect![[r#"
            from: [Jeff] Skilling <[jeff].skilling@enron.com>
            custodian: [Skilling], Jeff"#]],
        );
        check("to:fastow", expect!["to: Andrew [Fastow] <andrew.[fastow]@enron.com>"]);
        // A phrase never spans two values of a field.
        check(r#"to:"enron com andrew""#, expect![[r#"no match"#]]);
        check("subject:vehicle", expect![[r#"no match"#]]);
    }

    #[test]
    fn proximity_semantics() {
        // "fix the price": one word between, so within 2 but not 1.
        check(
            "fix w/2 price",
            expect![[
                r#"body: We need to [fix] the [price] of the Raptor vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal."#
            ]],
        );
        check("fix w/1 price", expect![[r#"no match"#]]);
        check(
            "price w/2 fix",
            expect![[
                r#"body: We need to [fix] the [price] of the Raptor vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal."#
            ]],
        );
        check(
            "fix pre/2 price",
            expect![[
                r#"body: We need to [fix] the [price] of the Raptor vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal."#
            ]],
        );
        check("price pre/2 fix", expect![[r#"no match"#]]);
        check(
            "(price OR cost) w/3 (fix* OR set)",
            expect![[
                r#"body: We need to [fix] the [price] of the Raptor vehicle. The licensing [cost] is [set] by LJM, and the side letter stays with the women in legal."#
            ]],
        );
        // "side letter stays with the women": three words between, so w/4 but not w/3.
        check(r#""side letter" w/3 women"#, expect!["no match"]);
        check(
            r#""side letter" w/4 women"#,
            expect![
                "body: We need to fix the price of the Raptor vehicle. The licensing cost is set by LJM, and the [side] [letter] stays with the [women] in legal."
            ],
        );
        // One word cannot be both sides.
        check("price w/3 pri*", expect![[r#"no match"#]]);
        // Proximity stays within one field value.
        check("pricing w/3 need", expect![[r#"no match"#]]);
        // Nested: (fix w/2 price) then raptor within 3 words of that span's end.
        check(
            "fix w/2 price w/3 raptor",
            expect![[
                r#"body: We need to [fix] the [price] of the [Raptor] vehicle. The licensing cost is set by LJM, and the side letter stays with the women in legal."#
            ]],
        );
        check("fix w/2 price w/2 raptor", expect![[r#"no match"#]]);
    }

    #[test]
    fn booleans_and_dates() {
        check("raptor AND NOT ljm", expect![[r#"no match"#]]);
        check("raptor NOT enron*", expect![[r#"no match"#]]);
        check("NOT chewco", expect![[r#"match, nothing to highlight"#]]);
        check(
            "chewco OR ljm",
            expect![[
                r#"body: We need to fix the price of the Raptor vehicle. The licensing cost is set by [LJM], and the side letter stays with the women in legal."#
            ]],
        );
        check(
            "ljm date:[2001-05-01 TO 2001-05-31]",
            expect![[
                r#"body: We need to fix the price of the Raptor vehicle. The licensing cost is set by [LJM], and the side letter stays with the women in legal."#
            ]],
        );
        check("ljm date>2001-05-17", expect![[r#"no match"#]]);
        check("date<=2001-05-17", expect![[r#"match, nothing to highlight"#]]);
        assert!(!matches(&parse("date>=2000-01-01").expect("valid"), &Doc::new()));
    }
}
