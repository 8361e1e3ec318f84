//! Integration tests for the delegation crate.
