//! LEDES fixtures of our own, an export snapshot, and the export-always-validates property.

use billing::invoice::{Address, Discount, Invoice, InvoiceLine, Party, Timekeeper};
use billing::ledes::{self, LedesFormat, ValidationOptions};
use chrono::NaiveDate;
use expect_test::{Expect, expect};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn fixture(name: &str) -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures").join(name);
    std::fs::read_to_string(path).expect("fixture exists")
}

fn check_errors(text: &str, expected: Expect) {
    let errors = ledes::validate(text).expect_err("fixture must be rejected");
    let listing: Vec<String> = errors.iter().map(ToString::to_string).collect();
    expected.assert_eq(&listing.join("\n"));
}

#[test]
fn own_good_fixtures_validate() {
    let b = ledes::validate(&fixture("ledes1998b_small_good.txt")).expect("1998B fixture is valid");
    assert_eq!(b.format, LedesFormat::Ledes1998B);
    assert_eq!(b.line_items, 4);
    assert_eq!(b.invoices[0].invoice_total, dec!(1143.00));
    assert!(b.warnings.is_empty());
    let bi = ledes::validate_with(&fixture("ledes98bi_small_good.txt"), ValidationOptions::STRICT)
        .expect("98BI fixture is valid even with strict totals");
    assert_eq!(bi.format, LedesFormat::Ledes98BI);
    assert_eq!(bi.invoices[0].sum_of_line_totals, dec!(726.00));
}

#[test]
fn own_bad_1998b_fixture_reports_line_and_field() {
    check_errors(
        &fixture("ledes1998b_small_bad.txt"),
        expect![[r#"
            line 3: LINE_ITEM_TOTAL: 610.00 is not LINE_ITEM_NUMBER_OF_UNITS × LINE_ITEM_UNIT_COST + LINE_ITEM_ADJUSTMENT_AMOUNT = 600
            line 4: LINE_ITEM_DATE: "20240132" is not a valid YYYYMMDD date
            line 4: TIMEKEEPER_ID: value is required on fee (F) lines
            line 4: TIMEKEEPER_CLASSIFICATION: "INTERN" is not a LEDES timekeeper classification
            line 5: (record): record has 47 fields, expected 24 (is a [] terminator missing?)"#]],
    );
}

#[test]
fn own_bad_98bi_fixture_reports_line_and_field() {
    check_errors(
        &fixture("ledes98bi_small_bad.txt"),
        expect![[r#"
            line 3: MATTER_NAME: value is required
            line 3: INVOICE_CURRENCY: "GBPX" is not an ISO 4217 currency code
            line 3: ACCOUNT_TYPE: "Z" is not O or T
            line 3: LAW_FIRM_COUNTRY: "UK-GB" is not an ISO 3166 country code
            line 3: LINE_ITEM_TAX_RATE: "1.5" is not a rate between 0 and 1 with at most 10 decimals"#]],
    );
}

#[test]
fn structural_problems_are_reported() {
    check_errors(
        "",
        expect![[r#"line 1: (header): missing LEDES header record (e.g. LEDES1998B[])"#]],
    );
    check_errors(
        "LEDES1998B[]\nINVOICE_DATE|INVOICE_NUMBER[]\n",
        expect![[r#"
            line 2: (field names): 2 field names, expected the 24 of LEDES1998B
            line 3: (record): the file has no line items"#]],
    );
    let one_line = fixture("ledes1998b_small_good.txt").replace("[]\n", "[]");
    assert!(ledes::validate(&one_line).is_ok(), "records may share a line");
    let wrong_total = fixture("ledes1998b_small_good.txt").replace("|1143.00|", "|1143.10|");
    check_errors(
        &wrong_total,
        expect![[
            r#"line 3: INVOICE_TOTAL: invoice INV7: INVOICE_TOTAL 1143.10 differs from the sum of its LINE_ITEM_TOTALs 1143.00"#
        ]],
    );
    let crlf = fixture("ledes1998b_small_good.txt").replace('\n', "\r\n");
    assert!(ledes::validate(&crlf).is_ok(), "CRLF line ends are fine");
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, d).expect("valid date")
}

fn timekeeper(id: &str, first: &str, last: &str, class: &str) -> Timekeeper {
    Timekeeper {
        id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        classification: class.into(),
    }
}

pub(crate) fn sample_invoice() -> Invoice {
    let partner = timekeeper("TK9", "Ada", "Quill", "PARTNR");
    let associate = timekeeper("TK11", "Ben", "Moss", "ASSOC");
    let mut invoice = Invoice {
        number: "INV202400007".into(),
        date: day(2, 5),
        billing_start: day(1, 1),
        billing_end: day(1, 31),
        description: "January services | litigation".into(),
        client: Party {
            id: "BLUEJAY".into(),
            name: "Bluejay Inc".into(),
            tax_id: Some("US-77".into()),
            address: Some(Address {
                line1: "5 Main St".into(),
                city: "Austin".into(),
                region: "TX".into(),
                postcode: "78701".into(),
                country: "USA".into(),
                ..Address::default()
            }),
        },
        law_firm: Party {
            id: "99-1234567".into(),
            name: "Quill & Moss LLP".into(),
            ..Party::default()
        },
        law_firm_matter_id: "M-17".into(),
        client_matter_id: Some("BJ-4".into()),
        matter_name: "Bluejay v. Crow".into(),
        po_number: None,
        currency: "USD".into(),
        lines: vec![
            InvoiceLine::fee(day(1, 8), partner, dec!(1.5), dec!(400), "Review complaint [draft]")
                .with_codes(Some("L120"), Some("A104")),
            InvoiceLine::fee(day(1, 9), associate, dec!(2.3), dec!(250), "Draft answer")
                .with_codes(Some("L210"), Some("A103"))
                .write_down(dec!(25), "Learning time"),
            InvoiceLine::expense(day(1, 10), "E101", dec!(40), dec!(0.15), "Copies")
                .with_tax(dec!(0.0825), "SALES"),
        ],
    };
    invoice
        .add_discount(true, Discount::Percent(dec!(0.05)), "Volume discount")
        .expect("valid percent");
    invoice
}

#[test]
fn ledes_1998b_export_snapshot() {
    let text = ledes::export_1998b(&sample_invoice());
    expect![[r#"
        LEDES1998B[]
        INVOICE_DATE|INVOICE_NUMBER|CLIENT_ID|LAW_FIRM_MATTER_ID|INVOICE_TOTAL|BILLING_START_DATE|BILLING_END_DATE|INVOICE_DESCRIPTION|LINE_ITEM_NUMBER|EXP/FEE/INV_ADJ_TYPE|LINE_ITEM_NUMBER_OF_UNITS|LINE_ITEM_ADJUSTMENT_AMOUNT|LINE_ITEM_TOTAL|LINE_ITEM_DATE|LINE_ITEM_TASK_CODE|LINE_ITEM_EXPENSE_CODE|LINE_ITEM_ACTIVITY_CODE|TIMEKEEPER_ID|LINE_ITEM_DESCRIPTION|LAW_FIRM_ID|LINE_ITEM_UNIT_COST|TIMEKEEPER_NAME|TIMEKEEPER_CLASSIFICATION|CLIENT_MATTER_ID[]
        20240205|INV202400007|BLUEJAY|M-17|1098.50|20240101|20240131|January services   litigation|1|F|1.5|0.00|600.00|20240108|L120||A104|TK9|Review complaint (draft)|99-1234567|400|Quill, Ada|PARTNR|BJ-4[]
        20240205|INV202400007|BLUEJAY|M-17|1098.50|20240101|20240131|January services   litigation|2|F|2.3|-25.00|550.00|20240109|L210||A103|TK11|Draft answer|99-1234567|250|Moss, Ben|ASSOC|BJ-4[]
        20240205|INV202400007|BLUEJAY|M-17|1098.50|20240101|20240131|January services   litigation|3|E|40|0.00|6.00|20240110||E101|||Copies|99-1234567|0.15|||BJ-4[]
        20240205|INV202400007|BLUEJAY|M-17|1098.50|20240101|20240131|January services   litigation|4|IF|1|-57.50|-57.50|20240205|||||Volume discount|99-1234567||||BJ-4[]
    "#]]
    .assert_eq(&text);
    ledes::validate_with(&text, ValidationOptions::STRICT).expect("export validates");
}

#[test]
fn ledes_98bi_export_validates_strictly() {
    let invoice = sample_invoice();
    let text = ledes::export_98bi(&invoice);
    let summary = ledes::validate_with(&text, ValidationOptions::STRICT).expect("export validates");
    assert_eq!(summary.invoices[0].invoice_total, invoice.totals().total);
    assert!(summary.warnings.is_empty());
}

fn money(max_cents: i64) -> impl Strategy<Value = Decimal> {
    (0..max_cents).prop_map(|c| Decimal::new(c, 2))
}

fn line() -> impl Strategy<Value = InvoiceLine> {
    let text = "[ -~]{0,40}";
    prop_oneof![
        (
            1u32..28,
            0i64..2000,
            money(100_000),
            money(20_000),
            text,
            prop::option::of(Just(dec!(0.2)))
        )
            .prop_map(|(d, tenths, rate, write_down, description, tax)| {
                let tk = timekeeper("TK|1", "Ada", "Quill", "PARTNR");
                let mut l =
                    InvoiceLine::fee(day(1, d), tk, Decimal::new(tenths, 1), rate, &description)
                        .with_codes(Some("L120"), Some("A104"));
                if !write_down.is_zero() {
                    l = l.write_down(write_down, "write-down");
                }
                if let Some(rate) = tax {
                    l = l.with_tax(rate, "VAT");
                }
                l
            }),
        (1u32..28, 1i64..500, money(5_000), text).prop_map(|(d, qty, cost, description)| {
            InvoiceLine::expense(day(1, d), "E101", Decimal::from(qty), cost, &description)
        }),
        (1u32..28, money(50_000), any::<bool>()).prop_map(|(d, amount, fees)| {
            InvoiceLine::invoice_adjustment(fees, day(1, d), -amount, "Courtesy discount")
        }),
    ]
}

fn invoice() -> impl Strategy<Value = Invoice> {
    prop::collection::vec(line(), 1..12).prop_map(|lines| Invoice { lines, ..sample_invoice() })
}

proptest! {
    #[test]
    fn invoice_total_is_the_sum_of_line_totals_and_stable(inv in invoice()) {
        let totals = inv.totals();
        let line_sum: Decimal = inv.lines.iter().map(InvoiceLine::total).sum();
        prop_assert_eq!(totals.total, line_sum);
        prop_assert_eq!(totals.net, totals.subtotal + totals.adjustments);
        prop_assert_eq!(totals.total, totals.net + totals.tax);
        // Already in cents: rounding again, or computing again, changes nothing.
        prop_assert_eq!(totals.total.round_dp(2), totals.total);
        prop_assert_eq!(inv.totals(), totals);
    }

    #[test]
    fn every_export_passes_the_validator(inv in invoice()) {
        for format in [LedesFormat::Ledes1998B, LedesFormat::Ledes98BI] {
            let text = ledes::export(format, std::slice::from_ref(&inv));
            let summary = ledes::validate_with(&text, ValidationOptions::STRICT);
            prop_assert!(summary.is_ok(), "{:?}\n{}", summary, text);
            let summary = summary.expect("checked above");
            prop_assert_eq!(summary.line_items, inv.lines.len());
            let expected = if format == LedesFormat::Ledes1998B { inv.totals().net } else { inv.totals().total };
            prop_assert_eq!(summary.invoices[0].invoice_total, expected);
        }
    }
}
