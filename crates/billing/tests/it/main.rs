//! Integration tests for the billing crate.
