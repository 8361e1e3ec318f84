//! Payments and balances, A/R aging, work in progress, and realization / collection rates.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::round_money;
use crate::rates::{RateError, RateTable};
use crate::time::{RoundingRule, TimeEntry, TimeError};

/// How a payment arrived; trust payments name the trust journal entry that moved the money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentMethod {
    Check { number: String },
    Wire,
    Card,
    Cash,
    FromTrust { trust_entry_id: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub date: NaiveDate,
    pub amount: Decimal,
    pub method: PaymentMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    Unpaid,
    PartiallyPaid,
    Paid,
    Overpaid,
}

/// What is left to pay on an invoice of `total` after `payments` (negative when overpaid).
pub fn balance_due(total: Decimal, payments: &[Payment]) -> Decimal {
    total - payments.iter().map(|p| round_money(p.amount)).sum::<Decimal>()
}

pub fn payment_status(total: Decimal, payments: &[Payment]) -> PaymentStatus {
    let balance = balance_due(total, payments);
    if balance < Decimal::ZERO {
        PaymentStatus::Overpaid
    } else if balance.is_zero() {
        PaymentStatus::Paid
    } else if balance == total {
        PaymentStatus::Unpaid
    } else {
        PaymentStatus::PartiallyPaid
    }
}

/// An open invoice as seen by the aging report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivable {
    pub invoice_number: String,
    pub client_id: String,
    pub invoice_date: NaiveDate,
    pub balance: Decimal,
}

/// Open balances by age since the invoice date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingBuckets {
    /// 0–30 days (and invoices dated after `today`).
    pub current: Decimal,
    pub days_31_60: Decimal,
    pub days_61_90: Decimal,
    pub over_90: Decimal,
    pub total: Decimal,
}

/// Buckets open balances by their age on `today`; settled invoices (balance ≤ 0) are skipped.
pub fn age_receivables(items: &[Receivable], today: NaiveDate) -> AgingBuckets {
    let mut buckets = AgingBuckets::default();
    for item in items.iter().filter(|i| i.balance > Decimal::ZERO) {
        let age = (today - item.invoice_date).num_days();
        let bucket = match age {
            ..=30 => &mut buckets.current,
            31..=60 => &mut buckets.days_31_60,
            61..=90 => &mut buckets.days_61_90,
            _ => &mut buckets.over_90,
        };
        *bucket += item.balance;
        buckets.total += item.balance;
    }
    buckets
}

/// Errors from valuing unbilled time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WipError {
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error(transparent)]
    Rate(#[from] RateError),
}

/// Work in progress: the value at resolved rates of billable entries not yet invoiced (the caller
/// passes only unbilled entries), plus unbilled expenses.
pub fn work_in_progress(
    unbilled_time: &[TimeEntry],
    unbilled_expenses: Decimal,
    rates: &RateTable,
    rule: &RoundingRule,
) -> Result<Decimal, WipError> {
    let mut total = unbilled_expenses;
    for entry in unbilled_time.iter().filter(|e| e.is_billable()) {
        let rate = rates.resolve(&entry.timekeeper_id, &entry.client_id, &entry.matter_id)?;
        total += entry.value(rule, rate.hourly_rate)?;
    }
    Ok(total)
}

/// Realization figures; rates are fractions and `None` when their base is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Realization {
    /// billed / worked value at standard rates.
    pub billing_rate: Option<Decimal>,
    /// collected / billed.
    pub collection_rate: Option<Decimal>,
    /// collected / worked value.
    pub overall_rate: Option<Decimal>,
}

pub fn realization(worked_value: Decimal, billed: Decimal, collected: Decimal) -> Realization {
    let ratio = |num: Decimal, den: Decimal| (!den.is_zero()).then(|| (num / den).round_dp(4));
    Realization {
        billing_rate: ratio(billed, worked_value),
        collection_rate: ratio(collected, billed),
        overall_rate: ratio(collected, worked_value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::tests::d;
    use crate::time::Billability;
    use rust_decimal_macros::dec;

    fn pay(amount: Decimal, method: PaymentMethod) -> Payment {
        Payment { date: d(2024, 3, 1), amount, method }
    }

    #[test]
    fn balances_after_full_partial_and_trust_payments() {
        let total = dec!(1000);
        assert_eq!(payment_status(total, &[]), PaymentStatus::Unpaid);
        let partial = [pay(dec!(400), PaymentMethod::Check { number: "1001".into() })];
        assert_eq!(balance_due(total, &partial), dec!(600));
        assert_eq!(payment_status(total, &partial), PaymentStatus::PartiallyPaid);
        let full =
            [partial[0].clone(), pay(dec!(600), PaymentMethod::FromTrust { trust_entry_id: 7 })];
        assert_eq!(payment_status(total, &full), PaymentStatus::Paid);
        let over = [pay(dec!(1000.01), PaymentMethod::Wire)];
        assert_eq!(payment_status(total, &over), PaymentStatus::Overpaid);
    }

    #[test]
    fn aging_buckets_use_the_given_today() {
        let today = d(2024, 6, 30);
        let r = |n: &str, date, balance| Receivable {
            invoice_number: n.into(),
            client_id: "C".into(),
            invoice_date: date,
            balance,
        };
        let items = [
            r("1", d(2024, 5, 31), dec!(100)), // 30 days
            r("2", d(2024, 5, 30), dec!(200)), // 31 days
            r("3", d(2024, 4, 1), dec!(300)),  // 90 days
            r("4", d(2024, 3, 31), dec!(400)), // 91 days
            r("5", d(2024, 1, 1), dec!(0)),    // paid
        ];
        let b = age_receivables(&items, today);
        assert_eq!(
            (b.current, b.days_31_60, b.days_61_90, b.over_90),
            (dec!(100), dec!(200), dec!(300), dec!(400))
        );
        assert_eq!(b.total, dec!(1000));
    }

    #[test]
    fn wip_and_realization() {
        let mut rates = RateTable::new();
        rates.set_default("TK1", dec!(200));
        let entry = TimeEntry {
            timekeeper_id: "TK1".into(),
            client_id: "C".into(),
            matter_id: "M".into(),
            date: d(2024, 3, 1),
            hours: dec!(1.01),
            task_code: None,
            activity_code: None,
            description: "Draft".into(),
            billability: Billability::Billable,
        };
        let wip =
            work_in_progress(&[entry], dec!(15.50), &rates, &RoundingRule::default()).unwrap();
        assert_eq!(wip, dec!(235.50));
        let r = realization(dec!(10000), dec!(9000), dec!(8100));
        assert_eq!(r.billing_rate, Some(dec!(0.9)));
        assert_eq!(r.collection_rate, Some(dec!(0.9)));
        assert_eq!(r.overall_rate, Some(dec!(0.81)));
        assert_eq!(realization(dec!(0), dec!(0), dec!(0)).billing_rate, None);
    }
}
