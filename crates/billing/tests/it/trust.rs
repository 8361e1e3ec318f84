//! Trust journal rules, reconciliation, and property tests of the trust invariants.

use billing::bank::{BankStatement, BankTransaction, parse_csv};
use billing::trust::{EntryId, EntryKind, Journal, NewEntry, TrustError, reconcile};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, d).expect("valid January date")
}

fn entry(d: u32, kind: EntryKind, reference: Option<&str>) -> NewEntry {
    NewEntry { date: day(d), kind, reference: reference.map(str::to_owned), memo: String::new() }
}

fn deposit(client: &str, amount: Decimal) -> EntryKind {
    EntryKind::Deposit { client_id: client.into(), amount }
}

fn disburse(client: &str, amount: Decimal) -> EntryKind {
    EntryKind::Disbursement { client_id: client.into(), amount, payee: "Court clerk".into() }
}

#[test]
fn overdrawing_a_client_is_refused_and_changes_nothing() {
    let mut j = Journal::new();
    j.post(entry(2, deposit("acme", dec!(500)), None)).unwrap();
    j.post(entry(3, deposit("zeta", dec!(900)), None)).unwrap();
    // Zeta's money must not cover Acme's check.
    let refused = j.post(entry(4, disburse("acme", dec!(600)), None));
    assert_eq!(
        refused,
        Err(TrustError::InsufficientFunds {
            client_id: "acme".into(),
            balance: dec!(500),
            requested: dec!(600)
        })
    );
    assert_eq!(j.entries().len(), 2);
    assert_eq!(j.client_balance("acme"), dec!(500));
    assert!(matches!(
        j.post(entry(4, deposit("acme", dec!(0)), None)),
        Err(TrustError::NonPositiveAmount(_))
    ));
}

#[test]
fn transfers_need_an_invoice_of_the_same_client_with_enough_balance() {
    let mut j = Journal::new();
    j.post(entry(2, deposit("acme", dec!(5000)), None)).unwrap();
    let transfer = |amount, invoice: &str, client: &str| {
        entry(
            10,
            EntryKind::TransferToOperating {
                client_id: client.into(),
                amount,
                invoice_id: invoice.into(),
            },
            None,
        )
    };
    assert_eq!(
        j.post(transfer(dec!(100), "INV1", "acme")),
        Err(TrustError::UnknownInvoice("INV1".into()))
    );
    j.register_invoice("INV1", "acme", dec!(1200));
    j.register_invoice("INV2", "zeta", dec!(300));
    assert!(matches!(
        j.post(transfer(dec!(100), "INV2", "acme")),
        Err(TrustError::InvoiceClientMismatch { .. })
    ));
    assert!(matches!(
        j.post(transfer(dec!(1200.01), "INV1", "acme")),
        Err(TrustError::ExceedsInvoiceBalance { .. })
    ));
    let paid = j.post(transfer(dec!(1000), "INV1", "acme")).unwrap();
    assert_eq!(j.invoice_balance("INV1"), Some(dec!(200)));
    assert!(matches!(
        j.post(transfer(dec!(300), "INV1", "acme")),
        Err(TrustError::ExceedsInvoiceBalance { .. })
    ));
    // Reversing the transfer restores both the ledger and what the invoice owes.
    let reversal = j.post(entry(11, EntryKind::Reversal { of: paid }, None)).unwrap();
    assert_eq!(j.invoice_balance("INV1"), Some(dec!(1200)));
    assert_eq!(j.client_balance("acme"), dec!(5000));
    assert_eq!(
        j.post(entry(12, EntryKind::Reversal { of: paid }, None)),
        Err(TrustError::AlreadyReversed(paid))
    );
    assert_eq!(
        j.post(entry(12, EntryKind::Reversal { of: reversal }, None)),
        Err(TrustError::CannotReverseReversal(reversal))
    );
    assert_eq!(
        j.post(entry(12, EntryKind::Reversal { of: EntryId(99) }, None)),
        Err(TrustError::UnknownEntry(EntryId(99)))
    );
    // Refused postings left no trace and accepted ones were never removed.
    assert_eq!(j.entries().len(), 3);
    let ledger = j.client_ledger("acme", None);
    let running: Vec<Decimal> = ledger.lines.iter().map(|l| l.balance).collect();
    assert_eq!(running, vec![dec!(5000), dec!(4000), dec!(5000)]);
}

#[test]
fn reversing_a_spent_deposit_is_refused() {
    let mut j = Journal::new();
    let dep = j.post(entry(2, deposit("acme", dec!(500)), None)).unwrap();
    j.post(entry(3, disburse("acme", dec!(400)), None)).unwrap();
    assert!(matches!(
        j.post(entry(4, EntryKind::Reversal { of: dep }, None)),
        Err(TrustError::InsufficientFunds { .. })
    ));
}

#[test]
fn three_way_reconciliation_reports_outstanding_and_unmatched_items() {
    let mut j = Journal::new();
    j.post(entry(2, deposit("acme", dec!(5000)), Some("W-1"))).unwrap();
    j.post(entry(3, deposit("zeta", dec!(800)), None)).unwrap();
    j.post(entry(20, disburse("acme", dec!(250)), Some("1001"))).unwrap();
    // Check 1002 has not cleared the bank yet.
    j.post(entry(28, disburse("zeta", dec!(100)), Some("1002"))).unwrap();
    let csv = "date,description,amount,reference\n\
               2024-01-02,Wire Acme,5000.00,W-1\n\
               2024-01-04,Deposit,800.00,\n\
               2024-01-22,Check 1001,-250.00,1001\n\
               2024-01-31,Service charge,-15.00,\n";
    let statement = parse_csv(csv, dec!(0)).unwrap();
    let report = reconcile(&j, &statement, day(31));
    assert_eq!(report.bank_balance, dec!(5535.00));
    assert_eq!(report.journal_balance, dec!(5450));
    assert_eq!(report.client_ledgers_total, dec!(5450));
    assert_eq!(report.outstanding_total, dec!(-100));
    assert_eq!(report.adjusted_bank_balance, dec!(5435.00));
    assert_eq!(report.bank_vs_journal, dec!(-15.00));
    assert_eq!(report.journal_vs_ledgers, dec!(0));
    assert_eq!(report.unmatched_journal.len(), 1);
    assert_eq!(report.unmatched_journal[0].reference.as_deref(), Some("1002"));
    assert_eq!(report.unmatched_bank.len(), 1);
    assert_eq!(report.unmatched_bank[0].description, "Service charge");
    assert!(!report.reconciled);

    // A statement without the unrecorded bank fee reconciles, the uncleared check being outstanding.
    let clean = BankStatement {
        transactions: statement.transactions[..3].to_vec(),
        closing_balance: dec!(5550.00),
        period_start: Some(day(1)),
    };
    let report = reconcile(&j, &clean, day(31));
    assert!(report.reconciled, "{report:#?}");
    assert_eq!(
        report.client_balances,
        vec![("acme".to_owned(), dec!(4750)), ("zeta".to_owned(), dec!(700))]
    );
}

#[test]
fn bank_matching_prefers_reference_then_nearest_date() {
    let mut j = Journal::new();
    j.post(entry(5, deposit("a", dec!(100)), Some("R2"))).unwrap();
    j.post(entry(6, deposit("b", dec!(100)), None)).unwrap();
    let tx = |d, r: Option<&str>| BankTransaction {
        date: day(d),
        description: String::new(),
        amount: dec!(100),
        reference: r.map(str::to_owned),
    };
    let statement = BankStatement {
        period_start: None,
        closing_balance: dec!(200),
        transactions: vec![tx(6, None), tx(9, Some("R2"))],
    };
    let report = reconcile(&j, &statement, day(31));
    assert!(report.reconciled, "{report:#?}");
}

#[derive(Debug, Clone)]
enum Op {
    Deposit(usize, i64),
    Disburse(usize, i64),
    Transfer(usize, usize, i64),
    Reverse(usize),
}

const CLIENTS: [&str; 3] = ["a", "b", "c"];

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (0..3usize, 1..50_000i64).prop_map(|(c, a)| Op::Deposit(c, a)),
        (0..3usize, 1..50_000i64).prop_map(|(c, a)| Op::Disburse(c, a)),
        (0..3usize, 0..3usize, 1..50_000i64).prop_map(|(c, i, a)| Op::Transfer(c, i, a)),
        (0..40usize).prop_map(Op::Reverse),
    ];
    prop::collection::vec(op, 0..40)
}

proptest! {
    #[test]
    fn random_postings_never_break_the_trust_invariants(ops in ops()) {
        let mut j = Journal::new();
        for (i, client) in CLIENTS.iter().enumerate() {
            j.register_invoice(&format!("INV{i}"), client, dec!(300));
        }
        for op in ops {
            let cents = |a: i64| Decimal::new(a, 2);
            let kind = match op {
                Op::Deposit(c, a) => deposit(CLIENTS[c], cents(a)),
                Op::Disburse(c, a) => disburse(CLIENTS[c], cents(a)),
                Op::Transfer(c, i, a) => EntryKind::TransferToOperating {
                    client_id: CLIENTS[c].into(), amount: cents(a), invoice_id: format!("INV{i}"),
                },
                Op::Reverse(n) => EntryKind::Reversal { of: EntryId(n as u64 + 1) },
            };
            let before_entries = j.entries().len();
            let before: Vec<Decimal> = CLIENTS.iter().map(|c| j.client_balance(c)).collect();
            let reversed_target = match &kind {
                EntryKind::Reversal { of } => j.entry(*of).cloned(),
                _ => None,
            };
            match j.post(entry(15, kind, None)) {
                Ok(_) => {
                    prop_assert_eq!(j.entries().len(), before_entries + 1);
                    if let Some(original) = reversed_target {
                        // A reversal restores the client's balance to what it was without the original.
                        let idx = CLIENTS.iter().position(|c| *c == original.client_id).expect("known client");
                        prop_assert_eq!(j.client_balance(&original.client_id), before[idx] - original.amount);
                    }
                }
                Err(_) => {
                    // A refused posting leaves everything unchanged.
                    prop_assert_eq!(j.entries().len(), before_entries);
                    let after: Vec<Decimal> = CLIENTS.iter().map(|c| j.client_balance(c)).collect();
                    prop_assert_eq!(after, before);
                }
            }
            let ledgers = j.client_ledgers(None);
            for ledger in &ledgers {
                prop_assert!(ledger.balance >= Decimal::ZERO, "negative ledger {:?}", ledger);
                prop_assert!(ledger.lines.iter().all(|l| l.balance >= Decimal::ZERO));
                prop_assert_eq!(ledger.balance, j.client_balance(&ledger.client_id));
            }
            prop_assert_eq!(j.balance(), ledgers.iter().map(|l| l.balance).sum::<Decimal>());
            for i in 0..CLIENTS.len() {
                let owed = j.invoice_balance(&format!("INV{i}")).expect("registered");
                prop_assert!(owed >= Decimal::ZERO && owed <= dec!(300));
            }
        }
    }
}
