//! The lawdesk application facade: composes storage and the capability crates into use cases.
