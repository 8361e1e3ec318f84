//! Integration tests for the billing crate: LEDES corpus and fixtures, export snapshots, trust.

mod corpus;
mod ledes;
mod pdf;
mod props;
mod trust;
