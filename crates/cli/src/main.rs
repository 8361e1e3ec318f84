//! The `lawdesk` binary.
fn main() {}
