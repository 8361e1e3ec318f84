//! Platform storage beyond the first cut, on both backends: the object-store blob backend
//! (through `object_store`'s in-memory store, the same trait the S3 backend implements) in
//! attachments and backup/restore, and the folded work-item create/update binds.

use crate::harness::stores;
use crate::suite::{client, ev, matter, now, user, work};
use domain::{Id, Priority, Role, WorkStatus};
use object_store::ObjectStoreExt;
use object_store::memory::InMemory;
use std::sync::Arc;
use store::{BlobStore, Store};

#[tokio::test]
async fn attachments_and_backups_work_with_an_object_store_for_blobs() {
    for t in stores().await {
        let bucket = Arc::new(InMemory::new());
        let s =
            t.store.clone().with_blobs(BlobStore::object(bucket.clone(), "firm", "memory://firm"));
        let a = user(&s, "ann@firm.test", Role::Attorney, None).await;
        let cl = client(&s, "Acme", "ACME").await;
        let m = matter(&s, &cl, "Acme v. Initech", vec![a.user_id]).await;
        let w = work(m.id, a.user_id, None);
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        let att = store::Attachment {
            id: Id::new_at(now()),
            work_item_id: w.id,
            blob_sha256: String::new(),
            filename: "memo.txt".into(),
            content_type: "text/plain".into(),
            size: 0,
            uploaded_by: a.user_id,
            created_at: now(),
        };
        let att =
            s.add_attachment(&att, b"privileged memo", ev("work.attach", w.id)).await.unwrap();
        let sha = &att.blob_sha256;
        let key =
            object_store::path::Path::from(format!("firm/{}/{}/{sha}", &sha[..2], &sha[2..4]));
        assert_eq!(
            bucket.get(&key).await.unwrap().bytes().await.unwrap().as_ref(),
            b"privileged memo",
            "{}",
            t.name
        );
        assert!(
            !t.dir.path().join("blobs").exists(),
            "{}: nothing written to the data folder",
            t.name
        );

        let file = t.dir.path().join("backup.tar");
        let manifest = s.backup(&file, now(), |_, _| {}).await.unwrap();
        assert_eq!(manifest.blobs, 1, "{}", t.name);

        // Restore into a fresh SQLite store whose blobs go to another bucket.
        let target = tempfile::tempdir().unwrap();
        let other_bucket = Arc::new(InMemory::new());
        let restored = Store::open_sqlite(target.path())
            .await
            .unwrap()
            .with_blobs(BlobStore::object(other_bucket.clone(), "", "memory://restored"));
        restored.restore(&file, |_, _| {}).await.unwrap();
        assert_eq!(restored.blobs().get(sha).await.unwrap(), b"privileged memo", "{}", t.name);
        let restored_key =
            object_store::path::Path::from(format!("{}/{}/{sha}", &sha[..2], &sha[2..4]));
        assert!(other_bucket.head(&restored_key).await.is_ok(), "{}", t.name);
        restored.close().await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn work_item_create_and_update_write_every_editable_field() {
    for t in stores().await {
        let s = &t.store;
        let a = user(s, "ann@firm.test", Role::Attorney, None).await;
        let b = user(s, "bo@firm.test", Role::Staff, None).await;
        let cl = client(s, "Acme", "ACME").await;
        let m = matter(s, &cl, "Acme v. Initech", vec![a.user_id, b.user_id]).await;
        let w = work(m.id, a.user_id, Some(a.user_id));
        s.create_work_item(&w, ev("work.create", w.id)).await.unwrap();
        assert_eq!(s.work_item(w.id).await.unwrap().item, w, "{}: create round-trips", t.name);

        let mut changed = w.clone();
        changed.service_line = domain::ServiceLine::Drafting;
        changed.title = "Draft the reply brief".into();
        changed.description = "Due with the court's extension.".into();
        changed.volume = rust_decimal_macros::dec!(12.5);
        changed.unit = domain::Unit::Pages;
        changed.due_on = chrono::NaiveDate::from_ymd_opt(2027, 1, 15);
        changed.priority = Priority::Urgent;
        changed.assignee = Some(b.user_id);
        changed.status = WorkStatus::InProgress;
        changed.updated_at = now() + chrono::Duration::hours(1);
        assert_eq!(s.update_work_item(&changed, 1, ev("work.update", w.id)).await.unwrap(), 2);
        let row = s.work_item(w.id).await.unwrap();
        assert_eq!((row.item, row.version), (changed, 2), "{}: every field updated", t.name);
        t.cleanup().await;
    }
}
