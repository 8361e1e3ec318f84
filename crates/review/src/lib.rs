//! Document review algorithms: query language, de-duplication, near-duplicates and email threading.
//!
//! Everything here is pure: functions take text or bytes and return values, so the IO-bound crates
//! (ingestion, the search index, the web layer) can compose them and tests can pin them down exactly.

pub mod dedup;
pub mod eval;
pub mod ingest;
pub mod mail;
pub mod neardup;
pub mod query;
pub mod report;
pub mod text;
pub mod threading;
