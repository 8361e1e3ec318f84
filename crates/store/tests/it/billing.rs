//! Conformance tests for billing storage, run on every backend `harness::stores()` returns
//! (fixtures: `crate::suite::{user, client, matter, work, ev, now}`).

use crate::harness::stores;
use crate::suite::{client, ev, matter, now, user};
use chrono::NaiveDate;
use domain::{Id, Role};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use store::billing::{
    EntryFilter, InvoiceLineRow, InvoiceRow, PaymentRow, TimeEntryRow, TrustEntryRow,
};
use store::{AuditVerification, Store, StoreError};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn trust_entry(client: Id, kind: &str, amount: Decimal, by: Id) -> TrustEntryRow {
    TrustEntryRow {
        id: Id::new_at(now()),
        client_id: client,
        client_name: "Rivera".into(),
        matter_id: None,
        entry_date: day(20),
        kind: kind.into(),
        amount,
        memo: kind.into(),
        payee: None,
        reference: None,
        invoice_id: None,
        reversal_of: None,
        balance_after: Decimal::ZERO,
        created_by: by,
        created_at: now(),
    }
}

fn time_entry(matter: Id, user: Id, hours: Decimal) -> TimeEntryRow {
    TimeEntryRow {
        id: Id::new_at(now()),
        matter_id: matter,
        matter_number: String::new(),
        user_id: user,
        user_name: String::new(),
        work_date: day(3),
        recorded_hours: hours,
        hours,
        task_code: Some("L110".into()),
        activity_code: Some("A101".into()),
        narrative: "Plan and prepare".into(),
        billable: true,
        non_billable_reason: None,
        status: "unbilled".into(),
        invoice_id: None,
        created_by: user,
        created_at: now(),
    }
}

fn draft(matter: Id, client: Id, by: Id, total: Decimal) -> InvoiceRow {
    InvoiceRow {
        id: Id::new_at(now()),
        matter_id: matter,
        matter_number: String::new(),
        matter_title: String::new(),
        client_id: client,
        client_name: String::new(),
        number: None,
        status: "draft".into(),
        period_start: day(1),
        period_end: day(30),
        invoice_date: None,
        description: "November services".into(),
        currency: "USD".into(),
        total,
        paid: Decimal::ZERO,
        created_by: by,
        created_at: now(),
        version: 1,
    }
}

fn fee_line(position: i64, hours: Decimal, rate: Decimal) -> InvoiceLineRow {
    InvoiceLineRow {
        id: Id::new_at(now()),
        position,
        kind: "fee".into(),
        line_date: day(3),
        description: "Plan and prepare".into(),
        units: hours,
        unit_cost: rate,
        adjustment: Decimal::ZERO,
        adjustment_reason: None,
        task_code: None,
        activity_code: None,
        expense_code: None,
        timekeeper_id: None,
        timekeeper_name: None,
        classification: None,
        tax_rate: None,
        tax_kind: None,
    }
}

/// Twenty concurrent disbursements of 100 against a ledger of 1,000: exactly ten succeed, every
/// other one is refused, and the ledger ends at zero, never below.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_ledger_never_goes_negative_under_concurrent_disbursements() {
    for t in stores().await {
        let s = &t.store;
        let cl = client(s, "Rivera Estate", "RIV").await;
        let attorney = user(s, "ben@firm.test", Role::Attorney, None).await;
        s.post_trust_entry(
            &trust_entry(cl.id, "deposit", dec!(1000), attorney.user_id),
            None,
            ev("trust.deposit", cl.id),
        )
        .await
        .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let s: Store = s.clone();
            let e = trust_entry(cl.id, "disbursement", dec!(-100), attorney.user_id);
            tasks.push(tokio::spawn(async move {
                s.post_trust_entry(&e, None, ev("trust.disburse", e.id)).await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::Conflict(m)) => assert!(m.contains("negative"), "{}: {m}", t.name),
                Err(e) => panic!("{}: unexpected error {e}", t.name),
            }
        }
        assert_eq!(ok, 10, "{}: exactly the money there was", t.name);
        let balances = s.trust_balances().await.unwrap();
        assert_eq!(balances[0].balance, Decimal::ZERO, "{}", t.name);
        let entries = s.trust_entries(Some(cl.id)).await.unwrap();
        assert_eq!(entries.len(), 11, "{}", t.name);
        assert_eq!(entries.iter().map(|e| e.amount).sum::<Decimal>(), Decimal::ZERO);
        assert!(entries.iter().all(|e| e.balance_after >= Decimal::ZERO), "{}", t.name);
        assert!(matches!(s.verify_audit().await.unwrap(), AuditVerification::Intact { .. }));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn reversals_happen_once_and_cannot_overdraw() {
    for t in stores().await {
        let s = &t.store;
        let cl = client(s, "Rivera Estate", "RIV").await;
        let by = user(s, "ben@firm.test", Role::Attorney, None).await.user_id;
        let deposit = s
            .post_trust_entry(&trust_entry(cl.id, "deposit", dec!(500), by), None, ev("d", 1))
            .await
            .unwrap();
        s.post_trust_entry(&trust_entry(cl.id, "disbursement", dec!(-200), by), None, ev("d", 2))
            .await
            .unwrap();
        // Reversing the deposit would leave -200: refused.
        let mut reversal = trust_entry(cl.id, "reversal", dec!(-500), by);
        reversal.reversal_of = Some(deposit.id);
        let err = s.post_trust_entry(&reversal, None, ev("r", 1)).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{}: {err}", t.name);
        // A second deposit makes room; the reversal then posts once, and only once.
        s.post_trust_entry(&trust_entry(cl.id, "deposit", dec!(300), by), None, ev("d", 3))
            .await
            .unwrap();
        let stored = s.post_trust_entry(&reversal, None, ev("r", 2)).await.unwrap();
        assert_eq!(stored.balance_after, dec!(100), "{}", t.name);
        s.post_trust_entry(&trust_entry(cl.id, "deposit", dec!(1000), by), None, ev("d", 4))
            .await
            .unwrap();
        let mut again = reversal.clone();
        again.id = Id::new_at(now());
        let err = s.post_trust_entry(&again, None, ev("r", 3)).await.unwrap_err();
        assert!(err.to_string().contains("already been reversed"), "{}: {err}", t.name);
        assert_eq!(s.trust_entries(None).await.unwrap().len(), 5, "nothing deleted");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn invoice_claims_entries_issues_with_a_number_and_takes_payments_from_trust() {
    for t in stores().await {
        let s = &t.store;
        let cl = client(s, "Acme Corp", "ACME").await;
        let alice = user(s, "alice@firm.test", Role::Attorney, None).await;
        let m = matter(s, &cl, "Acme v. Initech", vec![alice.user_id]).await;
        let entry = time_entry(m.id, alice.user_id, dec!(2.5));
        s.create_time_entry(&entry, ev("time.create", entry.id)).await.unwrap();
        let unbilled =
            EntryFilter { matter_id: Some(m.id), unbilled_only: true, ..Default::default() };
        assert_eq!(s.time_entries(Some(&alice), &unbilled).await.unwrap().len(), 1);

        let inv = draft(m.id, cl.id, alice.user_id, dec!(1000));
        let lines = vec![fee_line(1, dec!(2.5), dec!(400))];
        s.create_invoice(&inv, &lines, &[entry.id], &[], ev("invoice.create", inv.id))
            .await
            .unwrap();
        assert!(s.time_entries(Some(&alice), &unbilled).await.unwrap().is_empty(), "claimed");
        // The same entry cannot go on a second invoice.
        let second = draft(m.id, cl.id, alice.user_id, dec!(1000));
        let err = s
            .create_invoice(
                &second,
                &[fee_line(1, dec!(2.5), dec!(400))],
                &[entry.id],
                &[],
                ev("i", 2),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{}: {err}", t.name);
        assert!(s.invoice(second.id).await.is_err(), "the failed draft left nothing behind");

        // Payments are refused before issue; issuing numbers it and marks the entry billed.
        let pay = |amount: Decimal, method: &str| PaymentRow {
            id: Id::new_at(now()),
            invoice_id: inv.id,
            paid_on: day(28),
            amount,
            method: method.into(),
            reference: None,
            trust_entry_id: None,
            created_by: alice.user_id,
            created_at: now(),
        };
        assert!(s.record_payment(&pay(dec!(10), "check"), ev("p", 0)).await.is_err());
        s.transition_invoice(inv.id, &["draft"], "approved", None, now(), ev("a", 1))
            .await
            .unwrap();
        let format = |n: i64| format!("INV2026{n:05}");
        let number = s
            .transition_invoice(
                inv.id,
                &["approved"],
                "issued",
                Some((day(30), &format)),
                now(),
                ev("i", 1),
            )
            .await
            .unwrap();
        assert_eq!(number.as_deref(), Some("INV202600001"), "{}", t.name);
        assert_eq!(s.time_entry(entry.id).await.unwrap().status, "billed");
        assert!(
            s.transition_invoice(
                inv.id,
                &["approved"],
                "issued",
                Some((day(30), &format)),
                now(),
                ev("i", 2)
            )
            .await
            .is_err(),
            "issued once"
        );

        assert_eq!(
            s.record_payment(&pay(dec!(400), "check"), ev("p", 1)).await.unwrap(),
            "partially_paid"
        );
        assert!(
            s.record_payment(&pay(dec!(700), "wire"), ev("p", 2)).await.is_err(),
            "overpayment"
        );
        // The rest from trust: one transaction posts the transfer and the payment.
        s.post_trust_entry(
            &trust_entry(cl.id, "deposit", dec!(5000), alice.user_id),
            None,
            ev("d", 1),
        )
        .await
        .unwrap();
        let mut transfer = trust_entry(cl.id, "transfer", dec!(-600), alice.user_id);
        transfer.invoice_id = Some(inv.id);
        let mut from_trust = pay(dec!(600), "trust");
        from_trust.trust_entry_id = Some(transfer.id);
        s.post_trust_entry(&transfer, Some(&from_trust), ev("t", 1)).await.unwrap();
        let (stored, _) = s.invoice(inv.id).await.unwrap();
        assert_eq!((stored.status.as_str(), stored.paid), ("paid", dec!(1000)), "{}", t.name);
        assert_eq!(s.trust_balances().await.unwrap()[0].balance, dec!(4400));
        // A transfer beyond what the invoice owes rolls back the trust entry too.
        let mut extra = trust_entry(cl.id, "transfer", dec!(-1), alice.user_id);
        extra.invoice_id = Some(inv.id);
        let mut extra_pay = pay(dec!(1), "trust");
        extra_pay.trust_entry_id = Some(extra.id);
        assert!(s.post_trust_entry(&extra, Some(&extra_pay), ev("t", 2)).await.is_err());
        assert_eq!(s.trust_balances().await.unwrap()[0].balance, dec!(4400), "{}", t.name);
        assert!(matches!(s.verify_audit().await.unwrap(), AuditVerification::Intact { .. }));
        t.cleanup().await;
    }
}
