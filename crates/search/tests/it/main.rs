//! Search index tests: indexing, the query syntax end to end, highlighting and term reports.
