//! Conformance tests for docket storage, run on every backend `harness::stores()` returns
//! (fixtures: `crate::suite::{user, client, matter, work, ev, now}`).

use crate::harness::stores;
use crate::suite::{client, ev, matter, now, user, work};
use chrono::{Duration, NaiveDate};
use domain::{Id, Role};
use store::docket::{
    DeadlineFilter, DeadlineRow, DocketChange, EventFilter, EventRow, FeedRow, NewReminder,
    TriggerRow,
};
use store::{AuditVerification, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn trigger(matter: Id, by: Id) -> TriggerRow {
    TriggerRow {
        id: Id::new_at(now()),
        matter_id: matter,
        rule_set: "frcp".into(),
        rule_set_version: "2016-12-01".into(),
        trigger_name: "complaint served".into(),
        label: "Complaint served".into(),
        trigger_date: d("2026-06-12"),
        trigger_time: None,
        service: "personal".into(),
        court_time_zone: "America/New_York".into(),
        created_by: by,
        created_at: now(),
        updated_at: now(),
    }
}

fn deadline(t: &TriggerRow, rule_id: &str, due: &str) -> DeadlineRow {
    DeadlineRow {
        id: Id::new_at(now()),
        trigger_id: t.id,
        matter_id: t.matter_id,
        rule_id: rule_id.into(),
        title: format!("Deadline {rule_id}"),
        citation: "FRCP 12(a)(1)(A)(i)".into(),
        computed_due: d(due),
        due_time: None,
        due_on: d(due),
        trail: serde_json::json!([{"kind": "count", "to": due, "reason": "21 days after", "citation": "FRCP 6(a)(1)"}]),
        status: "open".into(),
        done_on: None,
        override_reason: None,
        decided_by: None,
        updated_at: now(),
    }
}

fn reminder(dl: &DeadlineRow, user: Id, channel: &str, days: i64, hours_ago: i64) -> NewReminder {
    NewReminder {
        id: Id::new_at(now()),
        deadline_id: dl.id,
        user_id: user,
        channel: channel.into(),
        days_before: days,
        due_at: now() - Duration::hours(hours_ago),
    }
}

async fn audit_count(s: &Store) -> i64 {
    match s.verify_audit().await.unwrap() {
        AuditVerification::Intact { entries } => entries,
        broken => panic!("audit chain broken: {broken:?}"),
    }
}

#[tokio::test]
async fn docket_changes_are_stored_with_trails_and_audited_on_every_backend() {
    for t in stores().await {
        let s = &t.store;
        let alice = user(s, "alice@x.test", Role::Attorney, None).await;
        let ben = user(s, "ben@x.test", Role::Attorney, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![alice.user_id]).await;
        let tr = trigger(m.id, alice.user_id);
        let answer = deadline(&tr, "answer", "2026-07-03");
        let other = deadline(&tr, "other", "2026-08-01");
        let before = audit_count(s).await;
        let change = DocketChange {
            trigger: Some(tr.clone()),
            upsert_deadlines: vec![answer.clone(), other.clone()],
            reminders: vec![
                reminder(&answer, alice.user_id, "email", 7, 1),
                reminder(&answer, alice.user_id, "in_app", 7, 1),
                reminder(&answer, alice.user_id, "email", 1, -48),
            ],
            ..Default::default()
        };
        s.save_docket(&change, ev("docket.trigger_add", tr.id)).await.unwrap();
        assert_eq!(audit_count(s).await, before + 1, "{}", t.name);
        assert_eq!(s.trigger(tr.id).await.unwrap(), tr, "{}", t.name);
        let stored = s.trigger_deadlines(tr.id).await.unwrap();
        assert_eq!(stored, vec![answer.clone(), other.clone()], "{}", t.name);
        assert_eq!(stored[0].trail[0]["citation"], "FRCP 6(a)(1)");

        // Visibility: alice (team) sees both; ben (not on team) none.
        let seen = s.list_deadlines(&alice, &DeadlineFilter::default()).await.unwrap();
        assert_eq!(seen.len(), 2, "{}", t.name);
        assert_eq!(seen[0].matter_number, m.number);
        assert!(s.list_deadlines(&ben, &DeadlineFilter::default()).await.unwrap().is_empty());
        let window = DeadlineFilter { to: Some(d("2026-07-31")), ..Default::default() };
        assert_eq!(s.list_deadlines(&alice, &window).await.unwrap().len(), 1);

        // Override: status and reason stored; the open unsent reminders replaced, the deleted deadline gone.
        let mut overridden = answer.clone();
        overridden.status = "overridden".into();
        overridden.due_on = d("2026-07-10");
        overridden.override_reason = Some("stipulated extension, ECF 12".into());
        overridden.decided_by = Some(alice.user_id);
        let change = DocketChange {
            upsert_deadlines: vec![overridden.clone()],
            delete_deadlines: vec![other.id],
            reset_reminders_of: vec![answer.id],
            reminders: vec![reminder(&overridden, alice.user_id, "email", 3, -24)],
            ..Default::default()
        };
        s.save_docket(&change, ev("docket.deadline_override", answer.id)).await.unwrap();
        assert_eq!(s.deadline(answer.id).await.unwrap(), overridden);
        assert!(matches!(s.deadline(other.id).await, Err(StoreError::NotFound(_))));
        let reminders = s.deadline_reminders(answer.id).await.unwrap();
        assert_eq!(
            reminders.iter().map(|r| (r.channel.as_str(), r.days_before)).collect::<Vec<_>>(),
            vec![("email", 3)],
            "{}",
            t.name
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn email_reminders_are_claimed_exactly_once_on_every_backend() {
    for t in stores().await {
        let s = &t.store;
        let alice = user(s, "alice@x.test", Role::Attorney, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![alice.user_id]).await;
        let tr = trigger(m.id, alice.user_id);
        let answer = deadline(&tr, "answer", "2026-07-03");
        let due = reminder(&answer, alice.user_id, "email", 7, 2);
        let later = reminder(&answer, alice.user_id, "email", 1, -24);
        let in_app = reminder(&answer, alice.user_id, "in_app", 7, 2);
        let change = DocketChange {
            trigger: Some(tr.clone()),
            upsert_deadlines: vec![answer.clone()],
            reminders: vec![due.clone(), later.clone(), in_app.clone()],
            ..Default::default()
        };
        s.save_docket(&change, ev("docket.trigger_add", tr.id)).await.unwrap();

        // Two dispatchers at once: between them each due reminder is claimed once.
        let (a, b) = tokio::join!(
            s.claim_email_reminders(now(), 10, ev("docket.reminders_claim", "a")),
            s.claim_email_reminders(now(), 10, ev("docket.reminders_claim", "b")),
        );
        let mut claimed: Vec<Id> = a.unwrap().into_iter().chain(b.unwrap()).map(|r| r.id).collect();
        claimed.sort();
        assert_eq!(claimed, vec![due.id], "{}", t.name);
        assert!(s.claim_email_reminders(now(), 10, ev("x", "c")).await.unwrap().is_empty());

        // Released after a failed send, it is claimed again with its details.
        s.release_reminder(due.id, ev("docket.reminder_release", due.id)).await.unwrap();
        let again = s.claim_email_reminders(now(), 10, ev("x", "d")).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].user_email, "alice@x.test");
        assert_eq!(again[0].deadline_title, "Deadline answer");
        assert_eq!(again[0].deadline_due, d("2026-07-03"));
        assert_eq!(again[0].sent_at, Some(now()));

        // In-app: due ones only.
        let mine = s.in_app_reminders(&alice, now(), 50).await.unwrap();
        assert_eq!(mine.iter().map(|r| r.id).collect::<Vec<_>>(), vec![in_app.id]);

        // The agenda is claimed once per user and day.
        assert!(s.claim_agenda(alice.user_id, d("2026-11-26"), now(), ev("a", 1)).await.unwrap());
        assert!(!s.claim_agenda(alice.user_id, d("2026-11-26"), now(), ev("a", 2)).await.unwrap());
        s.release_agenda(alice.user_id, d("2026-11-26"), ev("a", 3)).await.unwrap();
        assert!(s.claim_agenda(alice.user_id, d("2026-11-26"), now(), ev("a", 4)).await.unwrap());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn events_respect_visibility_walls_and_windows_on_every_backend() {
    for t in stores().await {
        let s = &t.store;
        let alice = user(s, "alice@x.test", Role::Attorney, None).await;
        let ben = user(s, "ben@x.test", Role::Attorney, None).await;
        let vera = user(s, "vera@x.test", Role::VirtualAssistant, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![alice.user_id, ben.user_id]).await;
        s.create_work_item(&work(m.id, alice.user_id, Some(vera.user_id)), ev("work.create", 1))
            .await
            .unwrap();
        let at = |h: i64| now() + Duration::hours(h);
        let event = |owner: Id, matter: Option<Id>, title: &str, from: i64, to: i64| EventRow {
            id: Id::new_at(now()),
            matter_id: matter,
            owner,
            kind: "appointment".into(),
            title: title.into(),
            starts_at: at(from),
            ends_at: at(to),
            time_zone: "America/New_York".into(),
            all_day: false,
            location: "Room 4, 500 Pearl St".into(),
            notes: "bring binder; <b>".into(),
            attendees: vec![],
            created_at: now(),
            updated_at: now(),
        };
        let private = EventRow {
            attendees: vec![vera.user_id],
            ..event(alice.user_id, None, "Dentist", 1, 2)
        };
        let hearing = event(alice.user_id, Some(m.id), "Hearing", 3, 4);
        let bens = event(ben.user_id, None, "Ben's lunch", 1, 2);
        for e in [&private, &hearing, &bens] {
            s.save_event(e, ev("calendar.event_create", e.id)).await.unwrap();
        }
        assert_eq!(s.event(private.id).await.unwrap(), private, "{}", t.name);
        let titles = |v: Vec<EventRow>| v.into_iter().map(|e| e.title).collect::<Vec<_>>();
        let all = EventFilter::default();
        assert_eq!(titles(s.list_events(&alice, &all).await.unwrap()), ["Dentist", "Hearing"]);
        // vera attends the private event and sees the matter through her assigned work.
        assert_eq!(titles(s.list_events(&vera, &all).await.unwrap()), ["Dentist", "Hearing"]);
        assert_eq!(titles(s.list_events(&ben, &all).await.unwrap()), ["Ben's lunch", "Hearing"]);
        let involving = EventFilter { involving: Some(ben.user_id), ..Default::default() };
        assert_eq!(titles(s.list_events(&ben, &involving).await.unwrap()), ["Ben's lunch"]);
        let window = EventFilter { from: Some(at(2)), to: Some(at(10)), ..Default::default() };
        assert_eq!(titles(s.list_events(&alice, &window).await.unwrap()), ["Hearing"]);
        let by_matter = EventFilter { matter_id: Some(m.id), ..Default::default() };
        assert_eq!(titles(s.list_events(&vera, &by_matter).await.unwrap()), ["Hearing"]);

        // A wall hides the matter's events from ben, even though he is on the team.
        s.add_wall(m.id, ben.user_id, "came from the other side", now(), ev("wall", 1))
            .await
            .unwrap();
        assert_eq!(titles(s.list_events(&ben, &all).await.unwrap()), ["Ben's lunch"]);

        let bad = EventRow { ends_at: at(0), ..event(alice.user_id, None, "Backwards", 1, 2) };
        assert!(matches!(s.save_event(&bad, ev("x", 1)).await, Err(StoreError::Domain(_))));
        s.delete_event(private.id, ev("calendar.event_delete", private.id)).await.unwrap();
        assert!(matches!(s.event(private.id).await, Err(StoreError::NotFound(_))));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn feeds_are_found_by_hash_until_revoked_on_every_backend() {
    for t in stores().await {
        let s = &t.store;
        let alice = user(s, "alice@x.test", Role::Attorney, None).await;
        let ben = user(s, "ben@x.test", Role::Attorney, None).await;
        let feed = FeedRow {
            id: Id::new_at(now()),
            user_id: alice.user_id,
            scope: "user".into(),
            matter_id: None,
            label: "My calendar".into(),
            created_at: now(),
            revoked_at: None,
        };
        s.create_feed(&feed, "hash-1", ev("calendar.feed_create", feed.id)).await.unwrap();
        assert_eq!(s.feed_by_token_hash("hash-1").await.unwrap(), Some(feed.clone()));
        assert_eq!(s.feed_by_token_hash("hash-2").await.unwrap(), None);
        // Only the owner can revoke.
        assert!(matches!(
            s.revoke_feed(ben.user_id, feed.id, now(), ev("x", 1)).await,
            Err(StoreError::NotFound(_))
        ));
        s.revoke_feed(alice.user_id, feed.id, now(), ev("calendar.feed_revoke", feed.id))
            .await
            .unwrap();
        assert_eq!(s.feed_by_token_hash("hash-1").await.unwrap(), None, "{}", t.name);
        assert_eq!(s.feeds(alice.user_id).await.unwrap()[0].revoked_at, Some(now()));
        t.cleanup().await;
    }
}
