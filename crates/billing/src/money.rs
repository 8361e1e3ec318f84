//! Money helpers shared by the billing modules: one rounding rule for currency amounts.

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds a currency amount to cents, half away from zero (the usual invoicing convention).
pub fn round_money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Formats an amount with exactly two decimals, e.g. `1250.00`.
pub fn format_money(amount: Decimal) -> String {
    format!("{:.2}", round_money(amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_money(dec!(2.345)), dec!(2.35));
        assert_eq!(round_money(dec!(-2.345)), dec!(-2.35));
        assert_eq!(format_money(dec!(7)), "7.00");
    }
}
