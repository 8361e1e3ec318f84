//! Storage for delegation: providers, virtual assistants, agreements, routing decisions, batches, QC samples and SLA records.

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[];
