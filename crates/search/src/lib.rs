//! Full-text index per matter for document review: documents in, reviewers' queries (Boolean, fielded,
//! wildcard, w/N and pre/N) out, with hits, highlights and search-term reports.
//!
//! The query language and its reference semantics live in `review` (`review::query`, `review::eval`);
//! this crate makes them fast over a tantivy index and proves it agrees with the evaluator.

pub mod analyze;
mod compile;
pub mod corpus;
mod index;
mod results;
pub mod synth;

pub use compile::MAX_WILDCARD_TERMS;
pub use index::{IndexDoc, IndexStats, MatterIndex, field_text, indexable_date};
pub use results::{
    FieldHighlight, Hit, SearchPage, TermReport, TermReportRow, eval_doc, highlight_html,
};

/// Why a search or an indexing run failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The query is malformed: `message` says what, `offset` is the byte offset where, and `caret`
    /// shows the query with a caret under that spot. `line` is set for one line of a term list.
    #[error("{}{message} (at character {column})", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax { line: Option<usize>, message: String, offset: usize, column: usize, caret: String },
    #[error("`{pattern}` matches more than {limit} different words; make it longer")]
    TooManyExpansions { pattern: String, limit: usize },
    #[error("search index: {0}")]
    Index(String),
    #[error("search index folder: {0}")]
    Io(String),
    #[error("internal search error: {0}")]
    Internal(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for SearchError {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        SearchError::Io(e.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::Io(e.to_string())
    }
}

/// Parses a reviewer query, turning a parse error into [`SearchError::Syntax`] with a caret.
pub fn parse_query(text: &str, line: Option<usize>) -> Result<review::query::Query, SearchError> {
    review::query::parse(text).map_err(|err| {
        let offset = err.offset.min(text.len());
        SearchError::Syntax {
            line,
            message: err.kind.to_string(),
            offset,
            column: text.char_indices().take_while(|(at, _)| *at < offset).count() + 1,
            caret: review::query::render_caret(text, &err),
        }
    })
}
