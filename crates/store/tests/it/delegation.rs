//! Conformance tests for delegation storage, run on every backend `harness::stores()` returns
//! (fixtures: `crate::suite::{user, client, matter, work, ev, now}`).

use crate::harness::stores;
use crate::suite::{client, contact, ev, matter, now, user, work};
use chrono::{Duration, NaiveDate};
use domain::{ContactKind, Id, Role, WorkStatus};
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use store::StoreError;
use store::delegation::{
    AttestationRow, BatchRow, DeliveryRow, EngagementRow, ProviderRow, RateRow, Reassignment,
    RoutingRow, VaProfileRow,
};

fn provider(org: Id) -> ProviderRow {
    ProviderRow {
        organization_id: org,
        name: "Meridian".into(),
        country: "IN".into(),
        shore: "offshore".into(),
        time_zone: "Asia/Kolkata".into(),
        work_start: "09:30".into(),
        work_end: "18:30".into(),
        languages: vec!["en".into(), "hi".into()],
        service_lines: vec!["document_review".into()],
        capacity: BTreeMap::from([("document_review".into(), dec!(6000))]),
        attestations: vec![AttestationRow {
            kind: "iso27001".into(),
            expires_on: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        }],
        rates: vec![RateRow {
            service_line: "document_review".into(),
            unit: "documents".into(),
            unit_price: dec!(0.45),
        }],
        active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn batch(item: Id, number: i64, first: i64, last: i64) -> BatchRow {
    BatchRow {
        id: Id::new_at(now()),
        work_item_id: item,
        number,
        first_unit: first,
        last_unit: last,
        assignee: None,
        status: "open".into(),
        units_done: 0,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn providers_rates_and_va_profiles_round_trip() {
    for t in stores().await {
        let s = &t.store;
        let org = contact(s, "Meridian LPO", ContactKind::Organization).await;
        let mut p = provider(org.id);
        s.upsert_provider(&p, ev("delegation.provider", org.id)).await.unwrap();
        assert_eq!(s.providers().await.unwrap(), vec![p.clone()], "{}", t.name);
        // Replacing the rate card drops lines no longer offered.
        p.rates = vec![RateRow {
            service_line: "record_retrieval".into(),
            unit: "records".into(),
            unit_price: dec!(2.10),
        }];
        s.upsert_provider(&p, ev("delegation.provider", org.id)).await.unwrap();
        let stored = s.provider(org.id).await.unwrap().unwrap();
        assert_eq!(stored.rates, p.rates, "{}", t.name);
        assert_eq!(stored.rates[0].unit_price.to_string(), "2.1", "{}", t.name);

        let va = user(s, "vera@va.test", Role::VirtualAssistant, None).await;
        let profile = VaProfileRow {
            user_id: va.user_id,
            country: "PH".into(),
            shore: "offshore".into(),
            time_zone: "Asia/Manila".into(),
            work_start: "21:00".into(),
            work_end: "05:00".into(),
            skills: vec!["drafting".into()],
            terms: serde_json::json!({"kind": "hourly", "rate": "18"}),
            hours_per_week: dec!(30),
            updated_at: now(),
        };
        s.upsert_va_profile(&profile, ev("delegation.va", va.user_id)).await.unwrap();
        assert_eq!(s.va_profile(va.user_id).await.unwrap(), Some(profile), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn excluding_a_provider_walls_its_members_and_refuses_while_it_holds_work() {
    for t in stores().await {
        let s = &t.store;
        let attorney = user(s, "a@firm.test", Role::Attorney, None).await;
        let org = contact(s, "Meridian LPO", ContactKind::Organization).await;
        s.upsert_provider(&provider(org.id), ev("delegation.provider", org.id)).await.unwrap();
        let member = user(s, "m@meridian.test", Role::LpoReviewer, Some(org.id)).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![attorney.user_id]).await;
        let w = work(m.id, attorney.user_id, Some(member.user_id));
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let refused = s.exclude_provider(m.id, org.id, "conflict", now(), ev("x", m.id)).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{}", t.name);
        assert!(s.provider_exclusions(m.id).await.unwrap().is_empty(), "{}", t.name);

        let mut done = s.work_item(w.id).await.unwrap();
        done.item.status = WorkStatus::Cancelled;
        s.update_work_item(&done.item, done.version, ev("work.update", w.id)).await.unwrap();
        s.exclude_provider(m.id, org.id, "conflict", now(), ev("x", m.id)).await.unwrap();
        assert_eq!(
            s.provider_exclusions(m.id).await.unwrap(),
            vec![(org.id, "conflict".to_string())],
            "{}",
            t.name
        );
        assert!(s.matter_access(&member, m.id).await.unwrap().walled, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn routing_decisions_reassign_once_and_open_an_engagement() {
    for t in stores().await {
        let s = &t.store;
        let attorney = user(s, "a@firm.test", Role::Attorney, None).await;
        let manager = user(s, "boss@lpo.test", Role::LpoManager, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![attorney.user_id]).await;
        let w = work(m.id, attorney.user_id, None);
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let rec = RoutingRow {
            id: Id::new_at(now()),
            work_item_id: w.id,
            recommended_kind: Some("lpo".into()),
            recommended_id: Some("org".into()),
            recommended_name: Some("Meridian".into()),
            score: 84,
            estimated_cost: Some(dec!(22500.00)),
            detail: serde_json::json!({"ranked": []}),
            decision: "pending".into(),
            chosen_kind: None,
            chosen_id: None,
            override_reason: None,
            decided_by: None,
            decided_at: None,
            created_at: now(),
        };
        s.insert_routing(&rec, ev("delegation.recommend", w.id)).await.unwrap();
        let decided = RoutingRow {
            decision: "overridden".into(),
            chosen_kind: Some("lpo".into()),
            chosen_id: Some("other".into()),
            override_reason: Some("client prefers the onshore team".into()),
            decided_by: Some(attorney.user_id),
            decided_at: Some(now() + Duration::hours(1)),
            ..rec.clone()
        };
        let change = Reassignment {
            work_item_id: w.id,
            assignee: Some(manager.user_id),
            status: WorkStatus::Assigned,
            expected_version: 1,
        };
        let engagement = EngagementRow {
            work_item_id: w.id,
            channel_kind: "lpo".into(),
            channel_id: "other".into(),
            provider_id: None,
            unit: "documents".into(),
            unit_price: dec!(0.45),
            total_units: 50_000,
            turnaround_days: 20,
            max_error_rate: dec!(0.05),
            qc_sample_rate: dec!(0.05),
            started_at: now(),
            due_at: now() + Duration::days(20),
        };
        s.decide_routing(&decided, Some(&change), Some(&engagement), ev("delegation.decide", w.id))
            .await
            .unwrap();
        let again = s.decide_routing(&decided, None, None, ev("delegation.decide", w.id)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{}", t.name);
        let stored = s.routings(w.id).await.unwrap();
        assert_eq!(stored, vec![decided], "{}", t.name);
        let item = s.work_item(w.id).await.unwrap();
        assert_eq!((item.item.assignee, item.version), (Some(manager.user_id), 2), "{}", t.name);
        assert_eq!(s.engagement(w.id).await.unwrap(), Some(engagement), "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn batches_deliveries_and_qc_samples() {
    for t in stores().await {
        let s = &t.store;
        let attorney = user(s, "a@firm.test", Role::Attorney, None).await;
        let reviewer = user(s, "r@lpo.test", Role::LpoReviewer, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![attorney.user_id]).await;
        let w = work(m.id, attorney.user_id, None);
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let batches = vec![batch(w.id, 1, 1, 500), batch(w.id, 2, 501, 1000)];
        s.create_batches(w.id, &batches, ev("delegation.split", w.id)).await.unwrap();
        let twice = s.create_batches(w.id, &batches, ev("delegation.split", w.id)).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{}", t.name);

        let mut b = s.batches(w.id).await.unwrap().remove(0);
        assert_eq!((b.number, b.units()), (1, 500), "{}", t.name);
        b.assignee = Some(reviewer.user_id);
        b.status = "assigned".into();
        s.update_batch(&b, "open", ev("delegation.batch_assign", b.id)).await.unwrap();
        let stale = s.update_batch(&b, "open", ev("delegation.batch_assign", b.id)).await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{}", t.name);
        assert_eq!(s.batches_of_member(reviewer.user_id).await.unwrap().len(), 1, "{}", t.name);

        b.status = "done".into();
        b.units_done = 500;
        let delivery = DeliveryRow {
            id: Id::new_at(now()),
            work_item_id: w.id,
            batch_id: Some(b.id),
            member_id: reviewer.user_id,
            units: 500,
            hours: dec!(41.5),
            delivered_at: now(),
        };
        s.complete_batch(&b, "assigned", &delivery, ev("delegation.batch_done", b.id))
            .await
            .unwrap();
        let window = |d: i64| now() + Duration::days(d);
        assert_eq!(
            s.deliveries_between(Some(m.id), window(-1), window(1)).await.unwrap(),
            vec![delivery.clone()],
            "{}",
            t.name
        );
        assert!(s.deliveries_between(None, window(1), window(2)).await.unwrap().is_empty());

        let drawn =
            s.draw_qc_sample(b.id, 1, &[7, 120, 333], now(), ev("delegation.qc_draw", b.id)).await;
        let drawn = drawn.unwrap();
        assert_eq!(s.qc_samples(b.id).await.unwrap(), drawn, "{}", t.name);
        let dup = s.draw_qc_sample(b.id, 1, &[7], now(), ev("delegation.qc_draw", b.id)).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{}", t.name);
        s.record_qc(drawn[0].id, false, attorney.user_id, now(), ev("qc", b.id)).await.unwrap();
        s.record_qc(drawn[1].id, true, attorney.user_id, now(), ev("qc", b.id)).await.unwrap();
        let twice = s.record_qc(drawn[1].id, false, attorney.user_id, now(), ev("qc", b.id)).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{}", t.name);
        let outcomes = s.qc_outcomes().await.unwrap();
        // Both results share one timestamp, so compare without relying on their order.
        let mut seen = outcomes.iter().map(|o| (o.passed, o.member_id)).collect::<Vec<_>>();
        seen.sort();
        assert_eq!(
            seen,
            vec![(false, Some(reviewer.user_id)), (true, Some(reviewer.user_id))],
            "{}",
            t.name
        );
        b.status = "rework".into();
        s.update_batch(&b, "done", ev("delegation.rework", b.id)).await.unwrap();
        // The next round may sample the same unit again; earlier rounds stay for error rates.
        s.draw_qc_sample(b.id, 2, &[7], now(), ev("delegation.qc_draw", b.id)).await.unwrap();
        assert_eq!(s.qc_samples(b.id).await.unwrap().len(), 4, "{}", t.name);
        t.cleanup().await;
    }
}
