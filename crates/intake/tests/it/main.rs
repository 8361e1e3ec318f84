//! Integration tests of the intake crate: the labelled-name corpus suite and conflict-index searches.

mod corpus;
