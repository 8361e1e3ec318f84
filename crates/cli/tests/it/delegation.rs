//! `lawdesk` commands for delegation, end to end through the binary (`crate::lawdesk`).
