//! The conformance tests themselves.

use crate::harness::stores;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::numbering::NumberScheme;
use domain::{
    Actor, Client, Contact, ContactKind, Id, Matter, MatterStatus, PartyRole, Priority, Role,
    ServiceLine, Unit, User, WorkItem, WorkStatus,
};
use rust_decimal_macros::dec;
use store::{
    AuditEvent, AuditVerification, MatterFilter, MatterInput, Page, Store, StoreError, WorkFilter,
};

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

pub(crate) fn ev(action: &str, id: impl ToString) -> AuditEvent {
    AuditEvent::new(now(), None, action, "test", id)
}

pub(crate) async fn user(s: &Store, email: &str, role: Role, org: Option<Id>) -> Actor {
    let u = User {
        id: Id::new_at(now()),
        email: email.into(),
        display_name: email.split('@').next().unwrap().into(),
        role,
        organization_id: org,
        active: true,
        created_at: now(),
    };
    s.create_user(&u, "hash", ev("user.create", u.id)).await.unwrap();
    Actor { user_id: u.id, role, organization_id: org, active: true }
}

pub(crate) async fn contact(s: &Store, name: &str, kind: ContactKind) -> Contact {
    let c = Contact {
        id: Id::new_at(now()),
        kind,
        name: name.into(),
        aliases: vec![],
        former_names: vec![],
        emails: vec![],
        phones: vec![],
        addresses: vec![],
        notes: String::new(),
        created_at: now(),
    };
    s.create_contact(&c, ev("contact.create", c.id)).await.unwrap();
    c
}

pub(crate) async fn client(s: &Store, name: &str, code: &str) -> Client {
    let c = contact(s, name, ContactKind::Organization).await;
    let cl = Client {
        id: Id::new_at(now()),
        contact_id: c.id,
        name: name.into(),
        code: code.into(),
        created_at: now(),
    };
    s.create_client(&cl, ev("client.create", cl.id)).await.unwrap();
    cl
}

pub(crate) async fn matter(s: &Store, cl: &Client, title: &str, team: Vec<Id>) -> Matter {
    let m = Matter {
        id: Id::new_at(now()),
        number: String::new(),
        client_id: cl.id,
        title: title.into(),
        practice_area: "Litigation".into(),
        court: "S.D.N.Y.".into(),
        case_number: "1:26-cv-00001".into(),
        status: MatterStatus::Open,
        responsible_attorney: None,
        originating_attorney: None,
        onshore_only: true,
        opened_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        closed_on: None,
        created_at: now(),
    };
    let scheme = NumberScheme::parse("{CLIENT}-{YYYY}-{SEQ:3}").unwrap();
    s.create_matter(
        &MatterInput { matter: m, client_code: cl.code.clone(), team },
        &scheme,
        ev("matter.create", ""),
    )
    .await
    .unwrap()
}

pub(crate) fn work(matter: Id, by: Id, assignee: Option<Id>) -> WorkItem {
    WorkItem {
        id: Id::new_at(now()),
        matter_id: matter,
        service_line: ServiceLine::DocumentReview,
        title: "First-level review".into(),
        description: "Custodian Allen".into(),
        volume: dec!(50000),
        unit: Unit::Documents,
        due_on: NaiveDate::from_ymd_opt(2026, 12, 15),
        priority: Priority::High,
        assignee,
        status: if assignee.is_some() { WorkStatus::Assigned } else { WorkStatus::New },
        created_by: by,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn migrations_are_idempotent() {
    for t in stores().await {
        assert_eq!(t.store.migrate().await.unwrap(), 0, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn users_are_unique_by_email_and_round_trip() {
    for t in stores().await {
        let s = &t.store;
        let a = user(s, "ann@firm.test", Role::Attorney, None).await;
        let u = s.user(a.user_id).await.unwrap();
        assert_eq!(
            (u.email.as_str(), u.role, u.active),
            ("ann@firm.test", Role::Attorney, true),
            "{}",
            t.name
        );
        let dup = User { id: Id::new_at(now()), ..u.clone() };
        assert!(
            matches!(
                s.create_user(&dup, "h", ev("user.create", dup.id)).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            t.name
        );
        let row = s.user_for_sign_in("ann@firm.test").await.unwrap().unwrap();
        assert_eq!(row.password_hash, "hash");
        let mut off = u.clone();
        off.active = false;
        s.update_user(&off, now(), ev("user.deactivate", u.id)).await.unwrap();
        assert!(!s.user(u.id).await.unwrap().active, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn contacts_are_found_by_any_name_accent_and_case_insensitively() {
    for t in stores().await {
        let s = &t.store;
        let mut c = contact(s, "Société Générale S.A.", ContactKind::Organization).await;
        c.former_names = vec!["Banque Old Name".into()];
        c.aliases = vec!["SocGen".into()];
        c.emails = vec!["legal@socgen.test".into()];
        s.update_contact(&c, now(), ev("contact.update", c.id)).await.unwrap();
        for q in ["generale", "SOCGEN", "old name", "legal@socgen"] {
            let (found, _) = s.list_contacts(Some(q), None, Page::default()).await.unwrap();
            assert_eq!(found.len(), 1, "{} query {q}", t.name);
            assert_eq!(found[0].former_names, vec!["Banque Old Name".to_string()]);
        }
        let (none, _) = s.list_contacts(Some("100%"), None, Page::default()).await.unwrap();
        assert!(none.is_empty(), "LIKE wildcards in user input must match literally");
        let cands = s.duplicate_candidates(&["Societe Generale"], &[]).await.unwrap();
        assert_eq!(cands.len(), 1, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn matter_numbers_follow_the_scheme_per_client_and_year() {
    for t in stores().await {
        let s = &t.store;
        let acme = client(s, "Acme Corp", "ACME").await;
        let globex = client(s, "Globex", "GLX").await;
        let m1 = matter(s, &acme, "Acme v. Initech", vec![]).await;
        let m2 = matter(s, &acme, "Acme lease", vec![]).await;
        let g1 = matter(s, &globex, "Globex merger", vec![]).await;
        assert_eq!(
            [m1.number.as_str(), m2.number.as_str(), g1.number.as_str()],
            ["ACME-2026-001", "ACME-2026-002", "GLX-2026-001"],
            "{}",
            t.name
        );
        let parties = s.parties(m1.id).await.unwrap();
        assert_eq!(parties.len(), 1);
        assert_eq!(parties[0].role, PartyRole::Client);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn visibility_follows_team_walls_and_assignment() {
    for t in stores().await {
        let s = &t.store;
        let org = contact(s, "Offshore Review Ltd", ContactKind::Organization).await;
        let admin = user(s, "admin@firm.test", Role::Admin, None).await;
        let ann = user(s, "ann@firm.test", Role::Attorney, None).await;
        let bob = user(s, "bob@firm.test", Role::Attorney, None).await;
        let mgr = user(s, "mgr@lpo.test", Role::LpoManager, Some(org.id)).await;
        let rev = user(s, "rev@lpo.test", Role::LpoReviewer, Some(org.id)).await;
        let va = user(s, "va@va.test", Role::VirtualAssistant, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![ann.user_id, bob.user_id]).await;
        let other = matter(s, &cl, "Other", vec![]).await;
        let w = work(m.id, ann.user_id, Some(rev.user_id));
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let w2 = work(other.id, admin.user_id, None);
        s.create_work_item(&w2, ev("work.create", w2.id)).await.unwrap();

        let count = |a: Actor| async move {
            let (ms, _) =
                s.list_matters(&a, &MatterFilter::default(), Page::default()).await.unwrap();
            let (ws, _) =
                s.list_work_items(&a, &WorkFilter::default(), Page::default()).await.unwrap();
            (ms.len(), ws.len())
        };
        assert_eq!(count(admin).await, (2, 2), "{} admin", t.name);
        assert_eq!(count(ann).await, (1, 1), "{} ann", t.name);
        assert_eq!(count(rev).await, (1, 1), "{} reviewer sees only the assigned item", t.name);
        assert_eq!(count(mgr).await, (1, 1), "{} manager sees the org's items", t.name);
        assert_eq!(count(va).await, (0, 0), "{} va", t.name);

        s.add_wall(m.id, bob.user_id, "formerly represented Initech", now(), ev("wall.add", m.id))
            .await
            .unwrap();
        s.add_wall(m.id, admin.user_id, "personal interest", now(), ev("wall.add", m.id))
            .await
            .unwrap();
        assert_eq!(count(bob).await, (0, 0), "{} walled attorney", t.name);
        assert_eq!(count(admin).await, (1, 1), "{} walled admin", t.name);
        let access = s.matter_access(&bob, m.id).await.unwrap();
        assert!(access.walled && !access.on_team, "{}", t.name);
        let (_, wa) = s.work_access(&mgr, w.id).await.unwrap();
        assert!(wa.assigned_to_actor_org && !wa.assigned_to_actor, "{}", t.name);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_edits_of_a_work_item_conflict_instead_of_overwriting() {
    for t in stores().await {
        let s = &t.store;
        let a = user(s, "ann@firm.test", Role::Attorney, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![a.user_id]).await;
        let w = work(m.id, a.user_id, None);
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let mut first = w.clone();
        first.title = "First edit".into();
        let v2 = s.update_work_item(&first, 1, ev("work.update", w.id)).await.unwrap();
        assert_eq!(v2, 2);
        let mut stale = w.clone();
        stale.title = "Stale edit".into();
        assert!(
            matches!(
                s.update_work_item(&stale, 1, ev("work.update", w.id)).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            t.name
        );
        let row = s.work_item(w.id).await.unwrap();
        assert_eq!(
            (row.item.title.as_str(), row.version, row.item.volume),
            ("First edit", 2, dec!(50000)),
            "{}",
            t.name
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn audit_chain_verifies_and_detects_tampering() {
    for t in stores().await {
        let s = &t.store;
        let a = user(s, "ann@firm.test", Role::Attorney, None).await;
        client(s, "Acme", "ACME").await;
        let n = match s.verify_audit().await.unwrap() {
            AuditVerification::Intact { entries } => entries,
            broken => panic!("{}: {broken:?}", t.name),
        };
        assert_eq!(n, 3, "{}: the user, contact and client creates are each audited", t.name);
        let entries = s.audit_entries(Some(&a.user_id.to_string()), 10).await.unwrap();
        assert_eq!(entries.len(), 1);
        s.tamper_audit_for_test(2, "{\"forged\":true}").await.unwrap();
        assert_eq!(
            s.verify_audit().await.unwrap(),
            AuditVerification::Broken {
                seq: 2,
                reason: "content does not match its hash (altered)".into()
            },
            "{}",
            t.name
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn backup_restore_round_trip_loses_nothing() {
    for t in stores().await {
        let s = &t.store;
        let a = user(s, "ann@firm.test", Role::Attorney, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![a.user_id]).await;
        let w = work(m.id, a.user_id, None);
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let att = store::Attachment {
            id: Id::new_at(now()),
            work_item_id: w.id,
            blob_sha256: String::new(),
            filename: "../../etc/passwd".into(),
            content_type: "text/plain".into(),
            size: 0,
            uploaded_by: a.user_id,
            created_at: now(),
        };
        let att =
            s.add_attachment(&att, b"privileged memo", ev("attachment.add", w.id)).await.unwrap();
        let file = t.dir.path().join("backup.tar");
        let manifest = s.backup(&file, now(), |_, _| {}).await.unwrap();
        assert_eq!(manifest.blobs, 1);

        let target_dir = tempfile::tempdir().unwrap();
        let restored = Store::open_sqlite(target_dir.path()).await.unwrap();
        restored.restore(&file, |_, _| {}).await.unwrap();
        for table in [
            "users",
            "contacts",
            "clients",
            "matters",
            "work_items",
            "attachments",
            "audit_log",
            "matter_team",
            "matter_parties",
        ] {
            assert_eq!(
                restored.count(table).await.unwrap(),
                s.count(table).await.unwrap(),
                "{} {table}",
                t.name
            );
        }
        assert_eq!(
            restored.work_item(w.id).await.unwrap().item,
            s.work_item(w.id).await.unwrap().item
        );
        assert_eq!(restored.matter(m.id).await.unwrap(), m);
        assert_eq!(restored.blobs().get(&att.blob_sha256).await.unwrap(), b"privileged memo");
        assert!(
            matches!(restored.verify_audit().await.unwrap(), AuditVerification::Intact { .. }),
            "{}",
            t.name
        );
        assert!(
            matches!(restored.restore(&file, |_, _| {}).await, Err(StoreError::Conflict(_))),
            "restoring over data is refused"
        );
        restored.close().await;
        t.cleanup().await;
    }
}
