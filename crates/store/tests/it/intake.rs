//! Conformance tests for intake storage, run on every backend `harness::stores()` returns
//! (fixtures: `crate::suite::{user, client, matter, work, ev, now}`).

use crate::harness::stores;
use crate::suite::{client, contact, ev, matter, now, user};
use domain::{ContactKind, Id, PartyRole, RelationshipKind, Role};
use store::intake::{ConflictDecision, ConflictReportRow, IntakeFormRow, LeadRow, ReportFilter};
use store::{Page, StoreError};

fn lead(name: &str, stage: &str) -> LeadRow {
    LeadRow {
        id: Id::new_at(now()),
        practice_area: "estates".into(),
        name: name.into(),
        kind: ContactKind::Person,
        email: "lead@example.com".into(),
        phone: String::new(),
        description: "A trust".into(),
        adverse_parties: vec!["Other Side LLC".into()],
        answers: [("urgency".to_owned(), "weeks".to_owned())].into(),
        stage: stage.into(),
        client_id: None,
        matter_id: None,
        letter_html: None,
        letter_at: None,
        created_at: now(),
        updated_at: now(),
    }
}

fn report(query: &str, matter: Option<Id>, lead: Option<Id>) -> ConflictReportRow {
    ConflictReportRow {
        id: Id::new_at(now()),
        query: query.into(),
        subject: "manual".into(),
        matter_id: matter,
        lead_id: lead,
        ran_by: None,
        ran_by_name: None,
        ran_at: now(),
        hit_count: 2,
        hits: r#"{"names":["x"],"groups":[]}"#.into(),
        decision: None,
        decision_note: None,
        decided_by: None,
        decided_by_name: None,
        decided_at: None,
        blob_sha256: None,
        document_name: None,
    }
}

#[tokio::test]
async fn leads_round_trip_and_stale_moves_conflict() {
    for t in stores().await {
        let s = &t.store;
        let l = lead("Lena Okoro", "new");
        s.create_lead(&l, ev("lead.create", l.id)).await.unwrap();
        assert_eq!(s.lead(l.id).await.unwrap(), l, "{}", t.name);
        let mut moved = l.clone();
        moved.stage = "conflict_check".into();
        s.update_lead(&moved, "new", ev("lead.stage", l.id)).await.unwrap();
        // A second reviewer who still saw "new" is told, not silently overwritten.
        let mut stale = l.clone();
        stale.stage = "declined".into();
        let err = s.update_lead(&stale, "new", ev("lead.stage", l.id)).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(ref m) if m.contains("conflict_check")),
            "{} {err}",
            t.name
        );
        let missing = lead("Nobody", "new");
        assert!(matches!(
            s.update_lead(&missing, "new", ev("x", "")).await,
            Err(StoreError::NotFound(_))
        ));
        let (rows, more) = s.list_leads(Some("conflict_check"), Page::default()).await.unwrap();
        assert_eq!((rows.len(), more), (1, false), "{}", t.name);
        assert!(s.list_leads(Some("new"), Page::default()).await.unwrap().0.is_empty());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn reports_are_decided_once_with_their_document_and_audited() {
    for t in stores().await {
        let s = &t.store;
        let ann = user(s, "ann@firm.test", Role::Attorney, None).await;
        let cl = client(s, "Acme Holdings, Inc.", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![ann.user_id]).await;
        let r = report("Acme", Some(m.id), None);
        s.save_conflict_report(&r, ev("conflict.check", r.id)).await.unwrap();
        let other = report("Initech", None, None);
        s.save_conflict_report(&other, ev("conflict.check", other.id)).await.unwrap();
        let mine = ReportFilter { matter_id: Some(m.id), ..Default::default() };
        assert_eq!(
            s.list_conflict_reports(&mine, Page::default()).await.unwrap().0.len(),
            1,
            "{}",
            t.name
        );
        let pending = ReportFilter { pending: true, ..Default::default() };
        assert_eq!(s.list_conflict_reports(&pending, Page::default()).await.unwrap().0.len(), 2);
        let d = ConflictDecision {
            decision: "waived".into(),
            note: "client consented".into(),
            decided_by: ann.user_id,
            decided_at: now(),
            document: Some(("consent.pdf".into(), b"%PDF signed".to_vec())),
        };
        let before = s.count("audit_log").await.unwrap();
        s.decide_conflict_report(r.id, &d, ev("conflict.decision", r.id)).await.unwrap();
        assert_eq!(s.count("audit_log").await.unwrap(), before + 1, "the decision is audited");
        let got = s.conflict_report(r.id).await.unwrap();
        assert_eq!(got.decision.as_deref(), Some("waived"));
        assert_eq!(got.decided_by_name.as_deref(), Some("ann"));
        assert_eq!(
            s.blobs().get(got.blob_sha256.as_deref().unwrap()).await.unwrap(),
            b"%PDF signed"
        );
        let again = s.decide_conflict_report(r.id, &d, ev("conflict.decision", r.id)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{}", t.name);
        assert_eq!(
            s.count("audit_log").await.unwrap(),
            before + 1,
            "a refused decision writes nothing"
        );
        assert_eq!(s.list_conflict_reports(&pending, Page::default()).await.unwrap().0.len(), 1);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn conflict_sources_hold_every_name_role_and_relationship() {
    for t in stores().await {
        let s = &t.store;
        let cl = client(s, "Acme Holdings, Inc.", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![]).await;
        let mut initech = contact(s, "Initech Corp.", ContactKind::Organization).await;
        initech.aliases = vec!["Initrode".into()];
        initech.former_names = vec!["Initech Software".into()];
        s.update_contact(&initech, now(), ev("contact.update", initech.id)).await.unwrap();
        s.add_party(m.id, initech.id, PartyRole::AdverseParty, now(), ev("matter.party_add", m.id))
            .await
            .unwrap();
        let sub = contact(s, "Acme Logistics LLC", ContactKind::Organization).await;
        let rel = domain::Relationship {
            id: Id::new_at(now()),
            from_contact: sub.id,
            kind: RelationshipKind::SubsidiaryOf,
            to_contact: cl.contact_id,
        };
        s.add_relationship(&rel, now(), ev("contact.relate", sub.id)).await.unwrap();
        let l = lead("Lena Okoro", "new");
        s.create_lead(&l, ev("lead.create", l.id)).await.unwrap();
        let src = s.conflict_sources().await.unwrap();
        let names = |id: Id| src.contacts.iter().find(|c| c.id == id).unwrap().other_names.clone();
        assert_eq!(
            names(initech.id),
            vec!["Initrode".to_owned(), "Initech Software".to_owned()],
            "aliases, then former names: {}",
            t.name
        );
        let roles: Vec<(Id, PartyRole)> =
            src.parties.iter().map(|p| (p.contact_id, p.role)).collect();
        assert!(
            roles.contains(&(cl.contact_id, PartyRole::Client))
                && roles.contains(&(initech.id, PartyRole::AdverseParty))
        );
        assert_eq!(src.client_contacts, vec![cl.contact_id]);
        assert_eq!(
            src.relationships,
            vec![(sub.id, RelationshipKind::SubsidiaryOf, cl.contact_id)]
        );
        assert_eq!(src.leads.len(), 1);
        // The audit position moves with every change, and only indexed entities count as changes.
        let at = s.audit_position().await.unwrap();
        assert_eq!(s.audit_hash_at(at.seq).await.unwrap(), Some(at.hash.clone()));
        s.audit(store::AuditEvent::new(now(), None, "matter.view", "matter", m.id)).await.unwrap();
        assert_eq!(
            s.audit_changes_since(at.seq, &["matter", "contact"], &["matter.view"]).await.unwrap(),
            0
        );
        s.audit(store::AuditEvent::new(now(), None, "contact.update", "contact", sub.id))
            .await
            .unwrap();
        assert_eq!(
            s.audit_changes_since(at.seq, &["matter", "contact"], &["matter.view"]).await.unwrap(),
            1
        );
        assert!(s.audit_genesis().await.unwrap().is_some());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn intake_forms_upsert_and_backups_carry_intake_tables() {
    for t in stores().await {
        let s = &t.store;
        let mut f = IntakeFormRow {
            practice_area: "estates".into(),
            title: "Estates".into(),
            fields: "[]".into(),
            updated_at: now(),
        };
        s.put_intake_form(&f, ev("intake.form_update", "estates")).await.unwrap();
        f.title = "Wills and trusts".into();
        s.put_intake_form(&f, ev("intake.form_update", "estates")).await.unwrap();
        assert_eq!(s.intake_forms().await.unwrap(), vec![f.clone()], "{}", t.name);
        assert!(s.intake_form("tax").await.unwrap().is_none());
        // A waiver's consent document is a blob referred to by conflict_reports: backups carry it.
        let r = report("Acme", None, None);
        s.save_conflict_report(&r, ev("conflict.check", r.id)).await.unwrap();
        let ann = user(s, "ann@firm.test", Role::Attorney, None).await;
        let d = ConflictDecision {
            decision: "waived".into(),
            note: String::new(),
            decided_by: ann.user_id,
            decided_at: now(),
            document: Some(("consent.pdf".into(), b"%PDF consent".to_vec())),
        };
        s.decide_conflict_report(r.id, &d, ev("conflict.decision", r.id)).await.unwrap();
        let out = t.dir.path().join("backup.tar");
        let manifest = s.backup(&out, now(), |_, _| {}).await.unwrap();
        assert_eq!(manifest.blobs, 1, "{}", t.name);
        assert!(manifest.tables.iter().any(|(n, c)| n == "conflict_reports" && *c == 1));
        let fresh_dir = tempfile::tempdir().unwrap();
        let fresh = store::Store::open_sqlite(fresh_dir.path()).await.unwrap();
        fresh.restore(&out, |_, _| {}).await.unwrap();
        let back = fresh.conflict_report(r.id).await.unwrap();
        assert_eq!(
            fresh.blobs().get(back.blob_sha256.as_deref().unwrap()).await.unwrap(),
            b"%PDF consent"
        );
        assert_eq!(fresh.intake_forms().await.unwrap(), vec![f.clone()]);
        t.cleanup().await;
    }
}
