//! Compiles the reviewers' query AST into tantivy queries.
//!
//! Booleans, terms and dates map onto tantivy's own queries. Wildcards are expanded against each
//! field's term dictionary (with the evaluator's own glob matcher, so `wom?n` means the same thing
//! everywhere). Tantivy has no span queries, so phrases and `w/N` / `pre/N` become a [`SpanQuery`]: a
//! candidate query (every word of the span present in one field) whose scorer then checks the word
//! positions from the postings, using the same span rules as `review::eval`.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use review::query::{Field as QField, Pattern, Query};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, EnableScoring, Explanation, Occur, Query as TQuery,
    RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use crate::SearchError;
use crate::index::{Fields, day_number};

/// Most words a single wildcard may expand to in one field; beyond it the reviewer is asked to narrow it.
pub const MAX_WILDCARD_TERMS: usize = 5_000;

/// Compiles a (folded) query against the current segments of `searcher`.
pub(crate) fn compile(
    query: &Query,
    searcher: &Searcher,
    fields: &Fields,
) -> Result<Box<dyn TQuery>, SearchError> {
    Compiler { searcher, fields }.query(query)
}

struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
}

/// The fields a possibly unfielded word searches.
fn fields_of(field: Option<QField>) -> Vec<QField> {
    match field {
        Some(f) => vec![f],
        None => QField::ALL.into_iter().filter(|f| f.is_default()).collect(),
    }
}

fn boolean(clauses: Vec<(Occur, Box<dyn TQuery>)>) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(clauses))
}

fn any_of(mut queries: Vec<Box<dyn TQuery>>) -> Box<dyn TQuery> {
    match queries.len() {
        0 => Box::new(EmptyQuery),
        1 => queries.pop().expect("one query"),
        _ => boolean(queries.into_iter().map(|q| (Occur::Should, q)).collect()),
    }
}

fn all_of(mut queries: Vec<Box<dyn TQuery>>) -> Box<dyn TQuery> {
    match queries.len() {
        0 => Box::new(AllQuery),
        1 => queries.pop().expect("one query"),
        _ => boolean(queries.into_iter().map(|q| (Occur::Must, q)).collect()),
    }
}

fn negated(inner: Box<dyn TQuery>) -> Box<dyn TQuery> {
    boolean(vec![(Occur::Must, Box::new(AllQuery)), (Occur::MustNot, inner)])
}

impl Compiler<'_> {
    fn query(&self, query: &Query) -> Result<Box<dyn TQuery>, SearchError> {
        Ok(match query {
            Query::Term { field, pattern } => {
                let mut per_field = Vec::new();
                for f in fields_of(*field) {
                    let terms = self.expand(f, pattern)?;
                    per_field.push(any_of(
                        terms
                            .into_iter()
                            .map(|t| {
                                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
                                    as Box<dyn TQuery>
                            })
                            .collect(),
                    ));
                }
                any_of(per_field)
            }
            Query::Phrase { .. } | Query::Near { .. } => self.span_query(query)?,
            Query::Date(range) => {
                let day = |d| Term::from_field_i64(self.fields.sent_day, day_number(d));
                let lower = range.from.map_or(
                    Bound::Included(Term::from_field_i64(self.fields.sent_day, i64::MIN)),
                    |d| Bound::Included(day(d)),
                );
                let upper = range.to.map_or(Bound::Unbounded, |d| Bound::Included(day(d)));
                Box::new(RangeQuery::new(lower, upper))
            }
            Query::And(parts) => {
                let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
                for part in parts {
                    match part {
                        Query::Not(inner) => clauses.push((Occur::MustNot, self.query(inner)?)),
                        other => clauses.push((Occur::Must, self.query(other)?)),
                    }
                }
                if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                boolean(clauses)
            }
            Query::Or(parts) => {
                any_of(parts.iter().map(|p| self.query(p)).collect::<Result<Vec<_>, _>>()?)
            }
            Query::Not(inner) => negated(self.query(inner)?),
        })
    }

    /// The words of `field` that `pattern` matches, over every segment.
    fn expand(&self, field: QField, pattern: &Pattern) -> Result<Vec<Term>, SearchError> {
        let tfield = self.fields.text(field);
        let wildcard = match pattern {
            Pattern::Exact(word) => return Ok(vec![Term::from_field_text(tfield, word)]),
            Pattern::Wildcard(w) => w,
        };
        let prefix: String = wildcard.chars().take_while(|c| !matches!(c, '*' | '?')).collect();
        let mut words = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(tfield)?;
            let mut stream = inverted.terms().range().ge(prefix.as_bytes()).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(word) = std::str::from_utf8(key)
                    && pattern.matches(word)
                {
                    words.insert(word.to_string());
                    if words.len() > MAX_WILDCARD_TERMS {
                        return Err(SearchError::TooManyExpansions {
                            pattern: wildcard.clone(),
                            limit: MAX_WILDCARD_TERMS,
                        });
                    }
                }
            }
        }
        Ok(words.into_iter().map(|w| Term::from_field_text(tfield, &w)).collect())
    }

    fn span_query(&self, query: &Query) -> Result<Box<dyn TQuery>, SearchError> {
        let mut terms = Vec::new();
        let tree = self.span(query, &mut terms)?;
        let mut candidates = Vec::new();
        let mut fields = Vec::new();
        for f in QField::ALL {
            if let Some(candidate) = candidate(&tree, f, &terms) {
                candidates.push(candidate);
                fields.push(f);
            }
        }
        if candidates.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        Ok(Box::new(SpanQuery {
            candidate: any_of(candidates),
            tree: Arc::new(tree),
            terms: Arc::new(terms),
            fields,
        }))
    }

    fn word(
        &self,
        field: Option<QField>,
        pattern: &Pattern,
        terms: &mut Vec<Term>,
    ) -> Result<Word, SearchError> {
        let mut per_field = Vec::new();
        for f in fields_of(field) {
            let expanded = self.expand(f, pattern)?;
            let start = terms.len();
            terms.extend(expanded);
            per_field.push((f, (start..terms.len()).collect()));
        }
        Ok(Word { per_field })
    }

    /// Resolves a positional query into a span tree whose words point into `terms`.
    fn span(&self, query: &Query, terms: &mut Vec<Term>) -> Result<Span, SearchError> {
        Ok(match query {
            Query::Term { field, pattern } => Span::Words(vec![self.word(*field, pattern, terms)?]),
            Query::Phrase { field, words } => Span::Words(
                words.iter().map(|p| self.word(*field, p, terms)).collect::<Result<_, _>>()?,
            ),
            Query::Or(parts) => {
                Span::Or(parts.iter().map(|p| self.span(p, terms)).collect::<Result<_, _>>()?)
            }
            Query::Near { left, right, distance, ordered } => Span::Near {
                left: Box::new(self.span(left, terms)?),
                right: Box::new(self.span(right, terms)?),
                distance: *distance,
                ordered: *ordered,
            },
            // The parser only puts words, phrases, OR groups and proximity under a proximity operator.
            Query::Date(_) | Query::And(_) | Query::Not(_) => {
                return Err(SearchError::Internal(format!("not a positional query: {query}")));
            }
        })
    }
}

/// One word of a span: the concrete terms (indexes into the term list) it matches, per field.
#[derive(Debug, Clone)]
struct Word {
    per_field: Vec<(QField, Vec<usize>)>,
}

impl Word {
    fn terms_in(&self, field: QField) -> &[usize] {
        self.per_field.iter().find(|(f, _)| *f == field).map_or(&[], |(_, t)| t.as_slice())
    }
}

/// A positional query with its words resolved to terms.
#[derive(Debug, Clone)]
enum Span {
    /// Consecutive words (one word for a plain term).
    Words(Vec<Word>),
    Or(Vec<Span>),
    Near {
        left: Box<Span>,
        right: Box<Span>,
        distance: u32,
        ordered: bool,
    },
}

/// A query that finds every document where the span could match in `field` (all its words present),
/// or `None` when it cannot match there at all.
fn candidate(span: &Span, field: QField, terms: &[Term]) -> Option<Box<dyn TQuery>> {
    match span {
        Span::Words(words) => {
            let mut musts = Vec::new();
            for word in words {
                let word_terms = word.terms_in(field);
                if word_terms.is_empty() {
                    return None;
                }
                musts.push(any_of(
                    word_terms
                        .iter()
                        .map(|&t| {
                            Box::new(TermQuery::new(terms[t].clone(), IndexRecordOption::WithFreqs))
                                as Box<dyn TQuery>
                        })
                        .collect(),
                ));
            }
            Some(all_of(musts))
        }
        Span::Or(parts) => {
            let options: Vec<_> = parts.iter().filter_map(|p| candidate(p, field, terms)).collect();
            if options.is_empty() { None } else { Some(any_of(options)) }
        }
        Span::Near { left, right, .. } => {
            Some(all_of(vec![candidate(left, field, terms)?, candidate(right, field, terms)?]))
        }
    }
}

/// A phrase or proximity search: candidates from a Boolean query, confirmed on word positions.
pub(crate) struct SpanQuery {
    candidate: Box<dyn TQuery>,
    tree: Arc<Span>,
    terms: Arc<Vec<Term>>,
    /// The fields where the span can match at all.
    fields: Vec<QField>,
}

impl Clone for SpanQuery {
    fn clone(&self) -> Self {
        SpanQuery {
            candidate: self.candidate.box_clone(),
            tree: self.tree.clone(),
            terms: self.terms.clone(),
            fields: self.fields.clone(),
        }
    }
}

impl std::fmt::Debug for SpanQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanQuery").field("tree", &self.tree).finish_non_exhaustive()
    }
}

impl TQuery for SpanQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SpanWeight {
            candidate: self.candidate.weight(enable_scoring)?,
            tree: self.tree.clone(),
            terms: self.terms.clone(),
            fields: self.fields.clone(),
        }))
    }
}

struct SpanWeight {
    candidate: Box<dyn Weight>,
    tree: Arc<Span>,
    terms: Arc<Vec<Term>>,
    fields: Vec<QField>,
}

impl Weight for SpanWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let candidate = self.candidate.scorer(reader, boost)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in self.terms.iter() {
            postings.push(
                reader
                    .inverted_index(term.field())?
                    .read_postings(term, IndexRecordOption::WithFreqsAndPositions)?,
            );
        }
        let mut scorer = SpanScorer {
            candidate,
            postings,
            positions: vec![None; self.terms.len()],
            tree: self.tree.clone(),
            fields: self.fields.clone(),
        };
        let first = scorer.candidate.doc();
        if first != TERMINATED && !scorer.verify(first) {
            scorer.advance();
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("span query (candidate score)", scorer.score()))
    }
}

struct SpanScorer {
    candidate: Box<dyn Scorer>,
    postings: Vec<Option<tantivy::postings::SegmentPostings>>,
    /// Positions of each term in the current document, loaded on first use.
    positions: Vec<Option<Vec<u32>>>,
    tree: Arc<Span>,
    fields: Vec<QField>,
}

/// A matched run of word positions `start..end` in one field value.
type PosSpan = (u32, u32);

impl SpanScorer {
    fn verify(&mut self, doc: DocId) -> bool {
        self.positions.iter_mut().for_each(|p| *p = None);
        let tree = self.tree.clone();
        let fields = self.fields.clone();
        fields.iter().any(|&f| !self.spans(&tree, f, doc).is_empty())
    }

    fn term_positions(&mut self, term: usize, doc: DocId) -> &[u32] {
        if self.positions[term].is_none() {
            let mut out = Vec::new();
            if let Some(postings) = self.postings[term].as_mut() {
                let at = if postings.doc() < doc { postings.seek(doc) } else { postings.doc() };
                if at == doc {
                    tantivy::postings::Postings::positions(postings, &mut out);
                }
            }
            self.positions[term] = Some(out);
        }
        self.positions[term].as_deref().expect("filled above")
    }

    fn word_positions(&mut self, word: &Word, field: QField, doc: DocId) -> Vec<u32> {
        let mut out = Vec::new();
        for &term in word.terms_in(field) {
            out.extend_from_slice(self.term_positions(term, doc));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn spans(&mut self, span: &Span, field: QField, doc: DocId) -> Vec<PosSpan> {
        match span {
            Span::Words(words) => {
                let Some((first, rest)) = words.split_first() else { return Vec::new() };
                let mut starts = self.word_positions(first, field, doc);
                for (offset, word) in rest.iter().enumerate() {
                    if starts.is_empty() {
                        break;
                    }
                    let next = self.word_positions(word, field, doc);
                    let offset = offset as u32 + 1;
                    starts.retain(|s| next.binary_search(&(s + offset)).is_ok());
                }
                let len = words.len() as u32;
                starts.into_iter().map(|s| (s, s + len)).collect()
            }
            Span::Or(parts) => {
                let mut all: Vec<PosSpan> =
                    parts.iter().flat_map(|p| self.spans(p, field, doc)).collect();
                all.sort_unstable();
                all.dedup();
                all
            }
            Span::Near { left, right, distance, ordered } => {
                let left = self.spans(left, field, doc);
                if left.is_empty() {
                    return left;
                }
                let right = self.spans(right, field, doc);
                near(&left, &right, *distance, *ordered)
            }
        }
    }
}

/// Pairs of spans with fewer than `distance` words between them, not overlapping, `left` first when
/// `ordered` (the rule of `review::eval`). Both inputs are sorted by start.
fn near(left: &[PosSpan], right: &[PosSpan], distance: u32, ordered: bool) -> Vec<PosSpan> {
    let mut out = Vec::new();
    // Right spans starting in [l.end, l.end + distance): right follows left.
    for &(ls, le) in left {
        let from = right.partition_point(|r| r.0 < le);
        for &(rs, re) in right[from..].iter().take_while(|r| r.0 < le + distance) {
            out.push((ls.min(rs), le.max(re)));
        }
    }
    if !ordered {
        // Left spans starting in [r.end, r.end + distance): left follows right.
        for &(rs, re) in right {
            let from = left.partition_point(|l| l.0 < re);
            for &(ls, le) in left[from..].iter().take_while(|l| l.0 < re + distance) {
                out.push((ls.min(rs), le.max(re)));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl DocSet for SpanScorer {
    fn advance(&mut self) -> DocId {
        loop {
            let doc = self.candidate.advance();
            if doc == TERMINATED || self.verify(doc) {
                return doc;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.candidate.seek(target);
        if doc == TERMINATED || self.verify(doc) { doc } else { self.advance() }
    }

    fn doc(&self) -> DocId {
        self.candidate.doc()
    }

    fn size_hint(&self) -> u32 {
        self.candidate.size_hint()
    }
}

impl Scorer for SpanScorer {
    fn score(&mut self) -> Score {
        self.candidate.score()
    }
}

#[cfg(test)]
mod tests {
    use super::near;

    #[test]
    fn near_follows_the_evaluator_rule() {
        // "fix the price": fix at 0, price at 2.
        assert_eq!(near(&[(0, 1)], &[(2, 3)], 2, false), vec![(0, 3)]);
        assert!(near(&[(0, 1)], &[(2, 3)], 1, false).is_empty());
        assert!(near(&[(2, 3)], &[(0, 1)], 2, true).is_empty());
        assert_eq!(near(&[(2, 3)], &[(0, 1)], 2, false), vec![(0, 3)]);
        // Overlapping spans never pair.
        assert!(near(&[(0, 2)], &[(1, 2)], 5, false).is_empty());
    }
}
