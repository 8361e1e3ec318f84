//! Conformance tests for review storage, run on every backend `harness::stores()` returns
//! (fixtures: `crate::suite::{user, client, matter, work, ev, now}`).

use crate::harness::stores;
use crate::suite::{client, ev, matter, now, user};
use domain::{Id, Role};
use store::Page;
use store::review::{
    ReviewAnalysis, ReviewBatch, ReviewCollection, ReviewItem, ReviewItemFilter, ReviewJob,
    ReviewSource,
};

fn job(collection: Id, matter: Id, by: Id) -> ReviewJob {
    ReviewJob {
        id: Id::new_at(now()),
        collection_id: collection,
        matter_id: matter,
        status: "queued".into(),
        paths: vec!["/evidence/allen".into()],
        total_files: 2,
        done_files: 0,
        total_bytes: 30,
        done_bytes: 0,
        items: 0,
        exceptions: 0,
        cursor: String::new(),
        error: String::new(),
        created_by: by,
        created_at: now(),
        updated_at: now(),
        finished_at: None,
    }
}

fn item(
    c: &ReviewCollection,
    source: Id,
    key: &str,
    parent: Option<&ReviewItem>,
    exception: Option<&str>,
) -> ReviewItem {
    let id = Id::new_at(now());
    ReviewItem {
        id,
        seq: 0,
        matter_id: c.matter_id,
        collection_id: c.id,
        source_id: source,
        source_key: key.into(),
        parent_id: parent.map(|p| p.id),
        family_id: parent.map_or(id, |p| p.family_id),
        container_id: None,
        kind: if parent.is_some() { "text".into() } else { "email".into() },
        custodian: c.custodian.clone(),
        filename: format!("{key}.eml"),
        fileext: "eml".into(),
        filesize: 10,
        from: "Ken Lay <klay@enron.com>".into(),
        to: "a@x.com".into(),
        cc: String::new(),
        bcc: String::new(),
        subject: "Raptor".into(),
        date_sent: "2001-05-14T16:39:00-07:00".into(),
        message_id: format!("<{key}@x>"),
        in_reply_to: String::new(),
        md5: "d41d8cd98f00b204e9800998ecf8427e".into(),
        sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709".into(),
        dedup_key: format!("email:{key}"),
        duplicate_of: None,
        all_custodians: vec![c.custodian.clone()],
        neardup_group: None,
        neardup_similarity: None,
        thread_id: None,
        inclusive: false,
        exception: exception.map(str::to_string),
        native_sha256: String::new(),
        text_sha256: String::new(),
        text_chars: 0,
        metadata: serde_json::json!({"SUBJECT": "Raptor"}),
        created_at: now(),
    }
}

fn source(path: &str, by: Id) -> ReviewSource {
    ReviewSource {
        id: Id::new_at(now()),
        path: path.into(),
        size: 15,
        md5: "m".into(),
        sha256: "s".into(),
        collected_at: now(),
        collected_by: by,
    }
}

#[tokio::test]
async fn batches_are_idempotent_and_reports_count_them() {
    for t in stores().await {
        let s = &t.store;
        let admin = user(s, "admin@firm.test", Role::Admin, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![]).await;
        let c = ReviewCollection {
            id: Id::new_at(now()),
            matter_id: m.id,
            name: "Allen".into(),
            custodian: "Allen, Phillip".into(),
            created_by: admin.user_id,
            created_at: now(),
        };
        s.create_review_collection(&c, ev("review.collection.create", c.id)).await.unwrap();
        let j = job(c.id, m.id, admin.user_id);
        s.create_review_job(&j, ev("review.job.create", j.id)).await.unwrap();

        let src1 = source("allen/1.eml", admin.user_id);
        let email = item(&c, src1.id, "allen/1.eml#", None, None);
        let attachment =
            item(&c, src1.id, "allen/1.eml#1", Some(&email), Some("encrypted archive entry"));
        let batch = ReviewBatch {
            job_id: j.id,
            sources: vec![(src1.clone(), vec![email.clone(), attachment.clone()])],
            cursor: "allen/1.eml".into(),
            files: 1,
            bytes: 15,
        };
        let first =
            s.commit_review_batch(&batch, now(), ev("review.ingest.batch", j.id)).await.unwrap();
        assert_eq!((first.items, first.exceptions), (2, 1), "{}", t.name);
        // The same batch again (a crash after commit, before the caller saw it) adds nothing.
        let again =
            s.commit_review_batch(&batch, now(), ev("review.ingest.batch", j.id)).await.unwrap();
        assert_eq!(again.items, 0, "{}", t.name);
        // The same items under a fresh source id are still refused by their unique key.
        let mut renamed = batch.clone();
        renamed.sources[0].0 = source("allen/1.eml", admin.user_id);
        s.commit_review_batch(&renamed, now(), ev("review.ingest.batch", j.id)).await.unwrap();
        let src2 = source("allen/2.eml", admin.user_id);
        let second = item(&c, src2.id, "allen/2.eml#", None, None);
        let batch2 = ReviewBatch {
            job_id: j.id,
            sources: vec![(src2, vec![second.clone()])],
            cursor: "allen/2.eml".into(),
            files: 1,
            bytes: 15,
        };
        s.commit_review_batch(&batch2, now(), ev("review.ingest.batch", j.id)).await.unwrap();

        let stored = s.review_job(j.id).await.unwrap();
        assert_eq!(
            (stored.items, stored.cursor.as_str(), stored.status.as_str()),
            (3, "allen/2.eml", "running"),
            "{}",
            t.name
        );
        let (items, more) = s
            .list_review_items(m.id, &ReviewItemFilter::default(), Page::new(1, 10))
            .await
            .unwrap();
        assert!(!more);
        assert_eq!(
            items.iter().map(|i| i.source_key.as_str()).collect::<Vec<_>>(),
            vec!["allen/1.eml#", "allen/1.eml#1", "allen/2.eml#"],
            "{}",
            t.name
        );
        assert!(items[0].seq < items[1].seq && items[1].seq < items[2].seq);
        assert_eq!(items[1].parent_id, Some(email.id));
        assert_eq!(items[1].family_id, email.id);
        assert_eq!(items[0].metadata["SUBJECT"], "Raptor");
        assert_eq!(items[1].exception.as_deref(), Some("encrypted archive entry"));
        assert_eq!(items[0].exception, None);

        s.set_review_analysis(
            &[ReviewAnalysis {
                id: second.id,
                duplicate_of: Some(email.id),
                all_custodians: vec!["Allen, Phillip".into()],
                neardup_group: Some(email.id),
                neardup_similarity: Some("0.91".into()),
                thread_id: Some(email.id),
                inclusive: true,
            }],
            ev("review.analyze", m.id),
        )
        .await
        .unwrap();
        let report = s.review_report(m.id).await.unwrap();
        assert_eq!(
            (
                report.items,
                report.families,
                report.exceptions,
                report.duplicates,
                report.threads,
                report.inclusive
            ),
            (3, 2, 1, 1, 1, 1),
            "{}",
            t.name
        );
        assert_eq!(report.by_kind, vec![("email".to_string(), 2), ("text".to_string(), 1)]);
        let masters = s
            .list_review_items(
                m.id,
                &ReviewItemFilter { masters_only: true, ..Default::default() },
                Page::default(),
            )
            .await
            .unwrap()
            .0;
        assert_eq!(masters.len(), 2);
        let index = s.review_index_rows(m.id, items[0].seq, 10).await.unwrap();
        assert_eq!(
            index.iter().map(|r| r.doc_id).collect::<Vec<_>>(),
            vec![attachment.id, second.id]
        );
        assert_eq!(s.review_sources(c.id).await.unwrap().len(), 2);
        s.set_review_job_status(j.id, "done", "", now(), true, ev("review.job.finish", j.id))
            .await
            .unwrap();
        assert!(s.review_job(j.id).await.unwrap().finished_at.is_some());
        assert!(
            matches!(s.verify_audit().await.unwrap(), store::AuditVerification::Intact { .. }),
            "{}",
            t.name
        );
        t.cleanup().await;
    }
}
