//! Integration tests of the intake crate: the labelled-name corpus suite, conflict-index searches,
//! a small labelled fixture of our own and scoring properties.

mod corpus;
mod fixtures;
mod properties;
mod search;
