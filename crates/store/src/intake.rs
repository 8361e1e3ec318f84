//! Storage for intake: leads, the intake pipeline, conflict searches and saved conflict reports.

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[];
