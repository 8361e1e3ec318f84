//! Invoices: lines, write-downs and discounts with reasons, taxes, totals and invoice numbering.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::round_money;
use crate::time::{RoundingRule, TimeEntry, TimeError};

/// Errors from building invoices.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvoiceError {
    #[error("time entry cannot be billed: {0}")]
    Time(#[from] TimeError),
    #[error("time entry for {timekeeper_id} on {date} is not billable")]
    NotBillable { timekeeper_id: String, date: NaiveDate },
    #[error("discount percentage must be between 0 and 1, got {0}")]
    BadPercent(Decimal),
}

/// LEDES line type: fee, expense, or an invoice-level adjustment of fees or expenses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    Fee,
    Expense,
    FeeAdjustment,
    ExpenseAdjustment,
}

impl LineKind {
    /// The LEDES `EXP/FEE/INV_ADJ_TYPE` code.
    pub fn ledes_code(self) -> &'static str {
        match self {
            LineKind::Fee => "F",
            LineKind::Expense => "E",
            LineKind::FeeAdjustment => "IF",
            LineKind::ExpenseAdjustment => "IE",
        }
    }

    pub fn is_adjustment(self) -> bool {
        matches!(self, LineKind::FeeAdjustment | LineKind::ExpenseAdjustment)
    }

    pub fn is_fee_side(self) -> bool {
        matches!(self, LineKind::Fee | LineKind::FeeAdjustment)
    }
}

/// Who did the work on a fee line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timekeeper {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// LEDES timekeeper classification, e.g. `PARTNR`, `ASSOC`, `PARALG`.
    pub classification: String,
}

impl Timekeeper {
    /// "Last, First" as LEDES 1998B expects in TIMEKEEPER_NAME.
    pub fn display_name(&self) -> String {
        if self.first_name.is_empty() {
            self.last_name.clone()
        } else {
            format!("{}, {}", self.last_name, self.first_name)
        }
    }
}

/// Tax charged on a line's net amount (VAT, GST, sales tax...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTax {
    /// Fraction, 0.20 for twenty percent.
    pub rate: Decimal,
    pub kind: String,
}

/// One invoice line. Totals follow LEDES: net = units × unit cost + adjustment (negative for write-downs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub kind: LineKind,
    pub date: NaiveDate,
    pub description: String,
    pub units: Decimal,
    pub unit_cost: Decimal,
    pub adjustment: Decimal,
    /// Why the adjustment was made (write-down, courtesy discount...); kept for the audit trail.
    pub adjustment_reason: Option<String>,
    pub task_code: Option<String>,
    pub activity_code: Option<String>,
    pub expense_code: Option<String>,
    pub timekeeper: Option<Timekeeper>,
    pub tax: Option<LineTax>,
}

impl InvoiceLine {
    pub fn fee(
        date: NaiveDate,
        timekeeper: Timekeeper,
        hours: Decimal,
        rate: Decimal,
        description: &str,
    ) -> Self {
        Self {
            kind: LineKind::Fee,
            date,
            description: description.to_owned(),
            units: hours,
            unit_cost: rate,
            adjustment: Decimal::ZERO,
            adjustment_reason: None,
            task_code: None,
            activity_code: None,
            expense_code: None,
            timekeeper: Some(timekeeper),
            tax: None,
        }
    }

    pub fn expense(
        date: NaiveDate,
        expense_code: &str,
        quantity: Decimal,
        unit_cost: Decimal,
        description: &str,
    ) -> Self {
        Self {
            kind: LineKind::Expense,
            expense_code: Some(expense_code.to_owned()),
            timekeeper: None,
            units: quantity,
            unit_cost,
            ..Self::fee(date, placeholder_timekeeper(), Decimal::ZERO, Decimal::ZERO, description)
        }
    }

    /// An invoice-level adjustment (LEDES IF / IE line); `amount` is negative for a discount.
    pub fn invoice_adjustment(
        kind_is_fee: bool,
        date: NaiveDate,
        amount: Decimal,
        reason: &str,
    ) -> Self {
        Self {
            kind: if kind_is_fee { LineKind::FeeAdjustment } else { LineKind::ExpenseAdjustment },
            timekeeper: None,
            units: Decimal::ONE,
            adjustment: amount,
            adjustment_reason: Some(reason.to_owned()),
            ..Self::fee(date, placeholder_timekeeper(), Decimal::ZERO, Decimal::ZERO, reason)
        }
    }

    /// Builds a fee line from a billable time entry, rounding its hours by `rule`.
    pub fn from_time_entry(
        entry: &TimeEntry,
        timekeeper: Timekeeper,
        rate: Decimal,
        rule: &RoundingRule,
    ) -> Result<Self, InvoiceError> {
        if !entry.is_billable() {
            return Err(InvoiceError::NotBillable {
                timekeeper_id: entry.timekeeper_id.clone(),
                date: entry.date,
            });
        }
        let mut line = Self::fee(
            entry.date,
            timekeeper,
            entry.billable_hours(rule)?,
            rate,
            &entry.description,
        );
        line.task_code = entry.task_code.clone();
        line.activity_code = entry.activity_code.clone();
        Ok(line)
    }

    /// Writes the line down (or up) by `amount` with a reason; repeated calls accumulate.
    pub fn write_down(mut self, amount: Decimal, reason: &str) -> Self {
        self.adjustment -= amount;
        self.adjustment_reason = Some(match self.adjustment_reason.take() {
            Some(previous) => format!("{previous}; {reason}"),
            None => reason.to_owned(),
        });
        self
    }

    pub fn with_tax(mut self, rate: Decimal, kind: &str) -> Self {
        self.tax = Some(LineTax { rate, kind: kind.to_owned() });
        self
    }

    pub fn with_codes(mut self, task: Option<&str>, activity: Option<&str>) -> Self {
        self.task_code = task.map(str::to_owned);
        self.activity_code = activity.map(str::to_owned);
        self
    }

    /// units × unit cost in cents; zero for invoice-level adjustment lines, which carry no cost.
    pub fn gross(&self) -> Decimal {
        if self.kind.is_adjustment() {
            Decimal::ZERO
        } else {
            round_money(self.units * self.unit_cost)
        }
    }

    /// Gross plus adjustment: the LEDES 1998B LINE_ITEM_TOTAL.
    pub fn net(&self) -> Decimal {
        self.gross() + round_money(self.adjustment)
    }

    pub fn tax_amount(&self) -> Decimal {
        self.tax.as_ref().map_or(Decimal::ZERO, |t| round_money(self.net() * t.rate))
    }

    /// Net plus tax: the LEDES 98BI LINE_ITEM_TOTAL.
    pub fn total(&self) -> Decimal {
        self.net() + self.tax_amount()
    }
}

fn placeholder_timekeeper() -> Timekeeper {
    Timekeeper {
        id: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        classification: String::new(),
    }
}

/// A postal address; `country` is an ISO 3166 alpha-3 code such as `USA` or `GBR`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postcode: String,
    pub country: String,
}

/// The client or the law firm on an invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub tax_id: Option<String>,
    pub address: Option<Address>,
}

/// An invoice for one matter over a billing period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub number: String,
    pub date: NaiveDate,
    pub billing_start: NaiveDate,
    pub billing_end: NaiveDate,
    pub description: String,
    pub client: Party,
    pub law_firm: Party,
    pub law_firm_matter_id: String,
    pub client_matter_id: Option<String>,
    pub matter_name: String,
    pub po_number: Option<String>,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    pub lines: Vec<InvoiceLine>,
}

/// What a discount is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    /// Fraction of the net fees (or expenses), 0.10 for ten percent.
    Percent(Decimal),
    Amount(Decimal),
}

/// One adjustment with the reason given for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentNote {
    pub line_index: usize,
    pub amount: Decimal,
    pub reason: Option<String>,
}

/// The money summary of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceTotals {
    pub fees: Decimal,
    pub expenses: Decimal,
    /// fees + expenses before any adjustment.
    pub subtotal: Decimal,
    /// Line write-downs plus invoice-level discounts (negative when reducing).
    pub adjustments: Decimal,
    /// subtotal + adjustments.
    pub net: Decimal,
    pub tax: Decimal,
    /// net + tax; always the sum of the line totals.
    pub total: Decimal,
}

impl Invoice {
    /// Adds an invoice-level discount on fees (`on_fees`) or expenses as an IF / IE line.
    pub fn add_discount(
        &mut self,
        on_fees: bool,
        discount: Discount,
        reason: &str,
    ) -> Result<Decimal, InvoiceError> {
        let amount = match discount {
            Discount::Percent(p) => {
                if p < Decimal::ZERO || p > Decimal::ONE {
                    return Err(InvoiceError::BadPercent(p));
                }
                let base: Decimal = self
                    .lines
                    .iter()
                    .filter(|l| l.kind.is_fee_side() == on_fees)
                    .map(InvoiceLine::net)
                    .sum();
                round_money(base * p)
            }
            Discount::Amount(a) => round_money(a),
        };
        self.lines.push(InvoiceLine::invoice_adjustment(on_fees, self.date, -amount, reason));
        Ok(amount)
    }

    pub fn totals(&self) -> InvoiceTotals {
        let mut t = InvoiceTotals {
            fees: Decimal::ZERO,
            expenses: Decimal::ZERO,
            subtotal: Decimal::ZERO,
            adjustments: Decimal::ZERO,
            net: Decimal::ZERO,
            tax: Decimal::ZERO,
            total: Decimal::ZERO,
        };
        for line in &self.lines {
            match line.kind {
                LineKind::Fee => t.fees += line.gross(),
                LineKind::Expense => t.expenses += line.gross(),
                LineKind::FeeAdjustment | LineKind::ExpenseAdjustment => {}
            }
            t.adjustments += round_money(line.adjustment);
            t.tax += line.tax_amount();
        }
        t.subtotal = t.fees + t.expenses;
        t.net = t.subtotal + t.adjustments;
        t.total = t.net + t.tax;
        t
    }

    /// Every non-zero adjustment with its reason, for the invoice's audit trail.
    pub fn adjustment_notes(&self) -> Vec<AdjustmentNote> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.adjustment.is_zero())
            .map(|(line_index, l)| AdjustmentNote {
                line_index,
                amount: round_money(l.adjustment),
                reason: l.adjustment_reason.clone(),
            })
            .collect()
    }
}

/// How invoice numbers are formatted from a sequence: `{prefix}{sep}{year}{sep}{sequence:0width}`.
///
/// The default has no separator because strict LEDES validators accept only letters and digits
/// in INVOICE_NUMBER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceNumbering {
    pub prefix: String,
    pub include_year: bool,
    pub separator: String,
    pub width: usize,
}

impl Default for InvoiceNumbering {
    fn default() -> Self {
        Self { prefix: "INV".into(), include_year: true, separator: String::new(), width: 5 }
    }
}

impl InvoiceNumbering {
    pub fn format(&self, year: i32, sequence: u64) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.prefix.is_empty() {
            parts.push(self.prefix.clone());
        }
        if self.include_year {
            parts.push(format!("{year:04}"));
        }
        parts.push(format!("{sequence:0width$}", width = self.width));
        parts.join(&self.separator)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    pub(crate) fn partner() -> Timekeeper {
        Timekeeper {
            id: "TK1".into(),
            first_name: "Robert".into(),
            last_name: "Arnsley".into(),
            classification: "PARTNR".into(),
        }
    }

    pub(crate) fn sample_invoice() -> Invoice {
        let lines = vec![
            InvoiceLine::fee(
                d(2024, 1, 15),
                partner(),
                dec!(2.0),
                dec!(350),
                "Research set-off claim",
            )
            .with_codes(Some("L510"), Some("A102"))
            .write_down(dec!(70), "First-look courtesy"),
            InvoiceLine::fee(
                d(2024, 1, 16),
                partner(),
                dec!(0.2),
                dec!(350),
                "Call with opposing counsel",
            )
            .with_codes(Some("L510"), Some("A107")),
            InvoiceLine::expense(d(2024, 1, 17), "E111", dec!(1), dec!(24.95), "Meals"),
        ];
        Invoice {
            number: InvoiceNumbering::default().format(2024, 42),
            date: d(2024, 2, 1),
            billing_start: d(2024, 1, 1),
            billing_end: d(2024, 1, 31),
            description: "For services rendered".into(),
            client: Party { id: "ACME".into(), name: "Acme Widgets".into(), ..Party::default() },
            law_firm: Party {
                id: "24-6437381".into(),
                name: "Smith & Jones LLP".into(),
                ..Party::default()
            },
            law_firm_matter_id: "M-0528".into(),
            client_matter_id: Some("423-987".into()),
            matter_name: "Acme v. Roadrunner".into(),
            po_number: None,
            currency: "USD".into(),
            lines,
        }
    }

    #[test]
    fn totals_with_write_down_discount_and_tax() {
        let mut inv = sample_invoice();
        let discount =
            inv.add_discount(true, Discount::Percent(dec!(0.10)), "Volume discount").unwrap();
        assert_eq!(discount, dec!(70.00));
        let t = inv.totals();
        assert_eq!(t.fees, dec!(770.00));
        assert_eq!(t.expenses, dec!(24.95));
        assert_eq!(t.adjustments, dec!(-140.00));
        assert_eq!(t.net, dec!(654.95));
        assert_eq!(t.total, dec!(654.95));
        let notes = inv.adjustment_notes();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].reason.as_deref(), Some("First-look courtesy"));

        inv.lines[2] = inv.lines[2].clone().with_tax(dec!(0.2), "VAT");
        assert_eq!(inv.totals().tax, dec!(4.99));
        assert_eq!(inv.totals().total, dec!(659.94));
    }

    #[test]
    fn invoice_numbers_follow_the_sequence_format() {
        assert_eq!(InvoiceNumbering::default().format(2024, 42), "INV202400042");
        let dashed = InvoiceNumbering {
            prefix: "LD".into(),
            include_year: false,
            separator: "-".into(),
            width: 3,
        };
        assert_eq!(dashed.format(2024, 7), "LD-007");
    }
}
