//! Storage for review: document collections, ingested documents, processing jobs and the search index catalog.

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[];
