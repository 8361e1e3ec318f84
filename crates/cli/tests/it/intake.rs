//! `lawdesk` commands for intake, end to end through the binary (`crate::lawdesk`).
