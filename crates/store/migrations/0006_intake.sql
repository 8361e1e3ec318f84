-- intake: tables owned by crates/store/src/intake.rs (portable SQL; see 0001_init.sql for the conventions).
SELECT 1;
