//! Full-text index per matter for document review: documents in, reviewers' queries (Boolean, fielded,
//! wildcard, w/N and pre/N) out, with hits, highlights and search-term reports.
