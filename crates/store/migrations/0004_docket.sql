-- docket: tables owned by crates/store/src/docket.rs (portable SQL; see 0001_init.sql for the conventions).
SELECT 1;
