//! Web tests: HTTP through the router (no sockets), the route × role authorization matrix,
//! security behaviour, and an end-to-end run in a real headless Chromium.

mod billing;
mod browser;
mod delegation;
mod docket;
mod e2e;
mod foundation;
mod harness;
mod http;
mod intake;
mod matrix;
mod review;
mod search;
