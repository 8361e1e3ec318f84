//! Running queries: hits with scores and stored fields, highlighted snippets, paging, and
//! search-term reports with family expansion.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use review::eval::{Doc, Span, hits};
use review::query::{Field as QField, Query};
use review::report::{TermHits, search_term_report};
use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::analyze::{analyze, fold_query};
use crate::compile::compile;
use crate::index::{IndexDoc, MatterIndex, field_text, indexable_date};
use crate::{SearchError, parse_query};

/// One field's text with its hits wrapped in `<mark>`, HTML-escaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldHighlight {
    pub field: String,
    pub html: String,
}

/// A document that matched.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub doc_id: String,
    pub score: f32,
    pub custodian: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub date_sent: Option<DateTime<Utc>>,
    pub filename: String,
    pub family_id: String,
    /// Number of highlighted words in the document.
    pub hit_count: usize,
    /// Metadata fields with hits, marked in full.
    pub fields: Vec<FieldHighlight>,
    /// Up to three fragments of the body around hits (or its start when the body has none).
    pub snippet_html: String,
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub query: String,
    /// The parsed query as an s-expression, so a reviewer can see how it was read.
    pub parsed: String,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub hits: Vec<Hit>,
}

/// One line of a search-term report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermReportRow {
    pub term: String,
    pub hits: u64,
    pub docs_with_hits: usize,
    pub docs_with_hits_including_family: usize,
    pub unique_hits: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermReport {
    pub rows: Vec<TermReportRow>,
    pub total_docs_with_hits: usize,
    pub total_docs_with_hits_including_family: usize,
}

const SNIPPET_CONTEXT: usize = 80;
const SNIPPET_FRAGMENTS: usize = 3;
const FIELD_PREVIEW: usize = 400;

impl MatterIndex {
    /// Runs `query` and returns page `page` (1-based) of `per_page` hits, best first.
    pub fn search(
        &self,
        query: &str,
        page: usize,
        per_page: usize,
    ) -> Result<SearchPage, SearchError> {
        let parsed = fold_query(&parse_query(query, None)?);
        let searcher = self.reader.searcher();
        let compiled = compile(&parsed, &searcher, &self.fields)?;
        let (page, per_page) = (page.max(1), per_page.clamp(1, 500));
        let collector =
            TopDocs::with_limit(per_page).and_offset((page - 1) * per_page).order_by_score();
        let (top, total) = searcher.search(&*compiled, &(collector, Count))?;
        let mut out = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc = self.read_stored(&searcher.doc::<TantivyDocument>(address)?);
            let (fields, snippet_html, hit_count) = highlight(&parsed, &doc);
            out.push(Hit {
                score,
                hit_count,
                fields,
                snippet_html,
                doc_id: doc.doc_id,
                custodian: doc.custodian,
                from: doc.from,
                to: doc.to,
                subject: doc.subject,
                date_sent: doc.date_sent,
                filename: doc.filename,
                family_id: doc.family_id,
            });
        }
        Ok(SearchPage {
            query: query.to_string(),
            parsed: parsed.to_string(),
            total,
            page,
            per_page,
            hits: out,
        })
    }

    /// The ids of every document matching `query`, sorted.
    pub fn matching_ids(&self, query: &str) -> Result<Vec<String>, SearchError> {
        let parsed = fold_query(&parse_query(query, None)?);
        let searcher = self.reader.searcher();
        let mut ids: Vec<String> = self
            .addresses(&parsed)?
            .into_iter()
            .map(|a| self.doc_id(&searcher, a))
            .collect::<Result<_, _>>()?;
        ids.sort();
        Ok(ids)
    }

    fn addresses(&self, parsed: &Query) -> Result<Vec<DocAddress>, SearchError> {
        let searcher = self.reader.searcher();
        let compiled = compile(parsed, &searcher, &self.fields)?;
        let mut found: Vec<DocAddress> =
            searcher.search(&*compiled, &DocSetCollector)?.into_iter().collect();
        found.sort();
        Ok(found)
    }

    fn doc_id(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<String, SearchError> {
        let column = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .str("doc_id")?
            .ok_or_else(|| SearchError::Internal("doc_id is not a fast field".into()))?;
        let mut out = String::new();
        if let Some(ord) = column.term_ords(address.doc_id).next() {
            column.ord_to_str(ord, &mut out)?;
        }
        Ok(out)
    }

    /// A search-term report: one row per non-empty line of `lines`, each line a full query.
    pub fn term_report(&self, lines: &[String]) -> Result<TermReport, SearchError> {
        let searcher = self.reader.searcher();
        let mut terms = Vec::new();
        let mut families: BTreeMap<String, String> = BTreeMap::new();
        for (number, line) in lines.iter().enumerate() {
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let parsed = fold_query(&parse_query(text, Some(number + 1))?);
            let mut hits_per_doc = BTreeMap::new();
            for address in self.addresses(&parsed)? {
                let doc = self.read_stored(&searcher.doc::<TantivyDocument>(address)?);
                // A document matching only through NOT or a date has no words to count: one hit.
                let count = highlight_spans(&parsed, &doc).len().max(1) as u64;
                if !doc.family_id.is_empty() {
                    families.insert(doc.doc_id.clone(), doc.family_id.clone());
                }
                hits_per_doc.insert(doc.doc_id, count);
            }
            terms.push(TermHits { term: text.to_string(), hits_per_doc });
        }
        // Family members that no term hit still count "with families": look each family up once.
        let mut family_of: BTreeMap<String, String> = BTreeMap::new();
        for family in families.values().collect::<BTreeSet<_>>() {
            let query = TermQuery::new(
                Term::from_field_text(self.fields.family_id, family),
                IndexRecordOption::Basic,
            );
            for address in searcher.search(&query, &DocSetCollector)? {
                family_of.insert(self.doc_id(&searcher, address)?, family.clone());
            }
        }
        let report = search_term_report(&terms, &family_of);
        Ok(TermReport {
            rows: report
                .rows
                .into_iter()
                .map(|r| TermReportRow {
                    term: r.term,
                    hits: r.hits,
                    docs_with_hits: r.docs_with_hits,
                    docs_with_hits_including_family: r.docs_with_hits_including_family,
                    unique_hits: r.unique_hits,
                })
                .collect(),
            total_docs_with_hits: report.total_docs_with_hits,
            total_docs_with_hits_including_family: report.total_docs_with_hits_including_family,
        })
    }
}

/// The evaluator's view of a stored document, with the index's own tokens; slot `i` is `QField::ALL[i]`.
pub fn eval_doc(doc: &IndexDoc) -> Doc {
    let mut out = Doc::new();
    for field in QField::ALL {
        let text = field_text(doc, field);
        out = out.with_tokens(field, text, analyze(text));
    }
    if let Some(sent) = indexable_date(doc.date_sent) {
        out = out.with_date(sent.date_naive());
    }
    out
}

fn highlight_spans(query: &Query, doc: &IndexDoc) -> Vec<Span> {
    hits(query, &eval_doc(doc))
}

/// Highlights a document for a folded query: (metadata fields with hits, body snippet, number of hits).
fn highlight(query: &Query, doc: &IndexDoc) -> (Vec<FieldHighlight>, String, usize) {
    let spans = highlight_spans(query, doc);
    let mut fields = Vec::new();
    for field in QField::ALL.into_iter().filter(|f| *f != QField::Body) {
        let in_field: Vec<(usize, usize)> =
            spans.iter().filter(|s| s.field == field).map(|s| (s.start, s.end)).collect();
        if !in_field.is_empty() {
            let text = field_text(doc, field);
            let end = floor_char(text, FIELD_PREVIEW.max(in_field.last().map_or(0, |s| s.1)));
            fields.push(FieldHighlight {
                field: field.name().to_string(),
                html: highlight_html(&text[..end], &in_field),
            });
        }
    }
    let body_hits: Vec<(usize, usize)> =
        spans.iter().filter(|s| s.field == QField::Body).map(|s| (s.start, s.end)).collect();
    (fields, body_snippet(&doc.body, &body_hits), spans.len())
}

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Up to [`SNIPPET_FRAGMENTS`] windows of the body around hits, joined by an ellipsis.
fn body_snippet(body: &str, hits: &[(usize, usize)]) -> String {
    if hits.is_empty() {
        let end = floor_char(body, 2 * SNIPPET_CONTEXT);
        let more = if end < body.len() { " …" } else { "" };
        return format!("{}{more}", escape(&body[..end]));
    }
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for &(start, end) in hits {
        let mut from = floor_char(body, start.saturating_sub(SNIPPET_CONTEXT));
        let mut to = ceil_char(body, end + SNIPPET_CONTEXT);
        // Start and end on word boundaries so no fragment begins or ends in half a word.
        if from > 0
            && let Some(space) = body[from..start].find(char::is_whitespace)
        {
            from += space + 1;
            from = ceil_char(body, from);
        }
        if to < body.len()
            && let Some(space) = body[end..to].rfind(char::is_whitespace)
        {
            to = end + space;
        }
        match windows.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => windows.push((from, to)),
        }
    }
    let mut parts = Vec::new();
    for &(from, to) in windows.iter().take(SNIPPET_FRAGMENTS) {
        let inside: Vec<(usize, usize)> = hits
            .iter()
            .filter(|h| h.0 >= from && h.1 <= to)
            .map(|h| (h.0 - from, h.1 - from))
            .collect();
        parts.push(highlight_html(&body[from..to], &inside));
    }
    let lead = if windows[0].0 > 0 { "… " } else { "" };
    let tail =
        if windows.len() > SNIPPET_FRAGMENTS || windows.last().is_some_and(|w| w.1 < body.len()) {
            " …"
        } else {
            ""
        };
    format!("{lead}{}{tail}", parts.join(" … "))
}

/// `text` HTML-escaped with each byte range of `marks` (sorted, non-overlapping) wrapped in `<mark>`.
pub fn highlight_html(text: &str, marks: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + marks.len() * 13);
    let mut at = 0;
    for &(start, end) in marks {
        if start < at || end > text.len() {
            continue;
        }
        out.push_str(&escape(&text[at..start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[start..end]));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_escaped_and_wrapped() {
        assert_eq!(
            highlight_html("<b>price</b> & cost", &[(3, 8), (15, 19)]),
            "&lt;b&gt;<mark>price</mark>&lt;/b&gt; &amp; <mark>cost</mark>"
        );
    }

    #[test]
    fn snippets_window_around_hits() {
        let body = format!("{} needle {}", "a ".repeat(100), "b ".repeat(100));
        let at = body.find("needle").expect("in body");
        let snippet = body_snippet(&body, &[(at, at + 6)]);
        assert!(snippet.starts_with("… ") && snippet.ends_with(" …"), "{snippet}");
        assert!(snippet.contains("<mark>needle</mark>"), "{snippet}");
        assert!(snippet.len() < 2 * SNIPPET_CONTEXT + 40, "{snippet}");
    }
}
