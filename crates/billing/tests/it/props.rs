//! Property tests tying invoice totals, LEDES export and the validator together: for any invoice
//! built from fee and expense lines with write-downs, taxes and a discount, the totals add up,
//! both exports validate, and the validator reads back the same invoice total.

use billing::invoice::{Discount, Invoice, InvoiceLine, Party, Timekeeper};
use billing::ledes::{self, LedesFormat};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

#[derive(Debug, Clone)]
struct LineSpec {
    fee: bool,
    tenths: i64,
    rate_cents: i64,
    write_down_cents: i64,
    taxed: bool,
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (any::<bool>(), 1i64..200, 100i64..90_000, 0i64..5_000, any::<bool>()).prop_map(
        |(fee, tenths, rate_cents, write_down_cents, taxed)| LineSpec {
            fee,
            tenths,
            rate_cents,
            write_down_cents,
            taxed,
        },
    )
}

fn build(specs: &[LineSpec], discount_percent: i64) -> Invoice {
    let day = NaiveDate::from_ymd_opt(2026, 11, 3).expect("valid date");
    let tk = Timekeeper {
        id: "TK1".into(),
        first_name: "Alice".into(),
        last_name: "Barton".into(),
        classification: "PARTNR".into(),
    };
    let lines = specs
        .iter()
        .map(|s| {
            let units = Decimal::new(s.tenths, 1);
            let line = if s.fee {
                InvoiceLine::fee(day, tk.clone(), units, cents(s.rate_cents), "Work")
                    .with_codes(Some("L120"), Some("A104"))
            } else {
                InvoiceLine::expense(day, "E101", units, cents(s.rate_cents), "Copies")
            };
            // Never write a line down below zero.
            let gross = line.gross();
            let line = line.write_down(cents(s.write_down_cents).min(gross), "courtesy");
            if s.taxed { line.with_tax(Decimal::new(825, 4), "SALES") } else { line }
        })
        .collect();
    let mut invoice = Invoice {
        number: "INV202600042".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid date"),
        billing_start: NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date"),
        billing_end: NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date"),
        description: "November".into(),
        client: Party { id: "ACME".into(), name: "Acme".into(), ..Party::default() },
        law_firm: Party { id: "84-1234567".into(), name: "Barton LLP".into(), ..Party::default() },
        law_firm_matter_id: "2026-0001".into(),
        client_matter_id: None,
        matter_name: "Acme v. Initech".into(),
        po_number: None,
        currency: "USD".into(),
        lines,
    };
    if discount_percent > 0 && specs.iter().any(|s| s.fee) {
        invoice
            .add_discount(true, Discount::Percent(Decimal::new(discount_percent, 2)), "Volume")
            .expect("percent within 0..1");
    }
    invoice
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn totals_add_up_and_every_export_validates(specs in prop::collection::vec(line_spec(), 1..12), discount in 0i64..30) {
        let invoice = build(&specs, discount);
        let t = invoice.totals();
        let line_total: Decimal = invoice.lines.iter().map(InvoiceLine::total).sum();
        prop_assert_eq!(t.total, line_total);
        prop_assert_eq!(t.net, t.subtotal + t.adjustments);
        prop_assert_eq!(t.total, t.net + t.tax);
        prop_assert_eq!(t.subtotal, t.fees + t.expenses);
        prop_assert_eq!(t.total, t.total.round_dp(2), "money stays in cents");
        for format in [LedesFormat::Ledes1998B, LedesFormat::Ledes98BI] {
            let text = ledes::export(format, std::slice::from_ref(&invoice));
            let summary = ledes::validate(&text).map_err(|e| TestCaseError::fail(format!("{format:?}: {e:?}\n{text}")))?;
            prop_assert_eq!(summary.line_items, invoice.lines.len());
            prop_assert_eq!(summary.invoices[0].sum_of_line_totals, summary.invoices[0].invoice_total);
        }
    }
}
