//! Time, billing, trust accounting and LEDES e-billing logic.
//!
//! Pure logic: no IO, "today" and timestamps are passed in, money is `rust_decimal::Decimal`.

pub mod bank;
pub mod invoice;
pub mod ledes;
pub mod money;
pub mod pdf;
pub mod rates;
pub mod receivables;
pub mod time;
pub mod trust;
pub mod utbms;
