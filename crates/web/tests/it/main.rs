//! Web tests: HTTP through the router (no sockets), the route × role authorization matrix,
//! security behaviour, and an end-to-end run in a real headless Chromium.

mod e2e;
mod harness;
mod http;
mod matrix;
