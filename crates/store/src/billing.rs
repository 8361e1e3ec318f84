//! Storage for billing: time entries, timers, expenses, rates, invoices, payments and the trust journal.

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[];
