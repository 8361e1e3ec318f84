//! Conformance tests for intake storage, run on every backend `harness::stores()` returns
//! (fixtures: `crate::suite::{user, client, matter, work, ev, now}`).
