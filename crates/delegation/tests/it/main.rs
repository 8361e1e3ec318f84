//! Integration tests for the delegation crate: worked advisor examples and routing scenarios.

mod examples;
mod routing;
