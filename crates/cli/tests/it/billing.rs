//! `lawdesk` commands for billing, end to end through the binary (`crate::lawdesk`).
