//! Storage for docket: calendar events, triggers and computed deadlines, reminders and calendar feed tokens.

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[];
