//! `lawdesk` commands for docket, end to end through the binary (`crate::lawdesk`).
