//! `lawdesk` commands for review, end to end through the binary (`crate::lawdesk`).
