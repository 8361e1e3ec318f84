//! CLI tests (placeholder replaced below).
