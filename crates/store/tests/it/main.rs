//! Storage conformance suite: every test runs against SQLite and, when `LAWDESK_TEST_PG_URL` is
//! set, against a freshly created PostgreSQL database, so both backends are held to one behaviour.

mod billing;
mod delegation;
mod docket;
mod foundation;
mod harness;
mod intake;
mod review;
mod suite;
