//! Storage for review: document collections, processing jobs with checkpoints, the chain of custody of
//! collected files, and the processed documents with their family, duplicate, near-duplicate and thread
//! fields.
//!
//! Idempotence is the invariant: an item is unique per (collection, source key) and a batch of items is
//! committed in one transaction together with the job's checkpoint, so a job killed at any moment resumes
//! with no item lost and none duplicated.

use crate::audit::{AuditEvent, append};
use crate::sql::{Arg, Page, RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::Id;
use sqlx::any::AnyRow;

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] =
    &["review_collections", "review_jobs", "review_sources", "review_items"];

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewCollection {
    pub id: Id,
    pub matter_id: Id,
    pub name: String,
    pub custodian: String,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewJob {
    pub id: Id,
    pub collection_id: Id,
    pub matter_id: Id,
    /// "queued", "running", "done", "failed".
    pub status: String,
    pub paths: Vec<String>,
    pub total_files: i64,
    pub done_files: i64,
    pub total_bytes: i64,
    pub done_bytes: i64,
    pub items: i64,
    pub exceptions: i64,
    /// The last source file committed (files run in sorted order).
    pub cursor: String,
    pub error: String,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One collected file, for the chain of custody.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewSource {
    pub id: Id,
    pub path: String,
    pub size: i64,
    pub md5: String,
    pub sha256: String,
    pub collected_at: DateTime<Utc>,
    pub collected_by: Id,
}

/// One processed document as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewItem {
    pub id: Id,
    pub seq: i64,
    pub matter_id: Id,
    pub collection_id: Id,
    pub source_id: Id,
    pub source_key: String,
    pub parent_id: Option<Id>,
    pub family_id: Id,
    pub container_id: Option<Id>,
    pub kind: String,
    pub custodian: String,
    pub filename: String,
    pub fileext: String,
    pub filesize: i64,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub date_sent: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub md5: String,
    pub sha1: String,
    pub dedup_key: String,
    pub duplicate_of: Option<Id>,
    pub all_custodians: Vec<String>,
    pub neardup_group: Option<Id>,
    pub neardup_similarity: Option<String>,
    pub thread_id: Option<Id>,
    pub inclusive: bool,
    pub exception: Option<String>,
    pub native_sha256: String,
    pub text_sha256: String,
    pub text_chars: i64,
    /// Every standard field the processor found (JSON object).
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A batch to commit: collected files with their items, and the job's new checkpoint.
#[derive(Debug, Clone)]
pub struct ReviewBatch {
    pub job_id: Id,
    pub sources: Vec<(ReviewSource, Vec<ReviewItem>)>,
    pub cursor: String,
    pub files: i64,
    pub bytes: i64,
}

/// What a committed batch added (items already present from an earlier run are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub items: i64,
    pub exceptions: i64,
}

/// The analysis of one item after dedup, near-dup and threading.
#[derive(Debug, Clone)]
pub struct ReviewAnalysis {
    pub id: Id,
    pub duplicate_of: Option<Id>,
    pub all_custodians: Vec<String>,
    pub neardup_group: Option<Id>,
    pub neardup_similarity: Option<String>,
    pub thread_id: Option<Id>,
    pub inclusive: bool,
}

/// The processing report of a matter.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ReviewReport {
    pub items: i64,
    pub families: i64,
    pub by_kind: Vec<(String, i64)>,
    pub exceptions: i64,
    pub exceptions_by_kind: Vec<(String, i64)>,
    pub duplicates: i64,
    pub neardup_groups: i64,
    pub neardup_members: i64,
    pub threads: i64,
    pub inclusive: i64,
    pub native_bytes: i64,
}

/// The fields the search index needs, for the search helper's `App::index_documents`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewIndexRow {
    pub seq: i64,
    pub doc_id: Id,
    pub custodian: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub date_sent: String,
    pub filename: String,
    pub file_ext: String,
    pub family_id: Id,
    pub text_sha256: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewItemFilter {
    pub collection_id: Option<Id>,
    pub family_id: Option<Id>,
    pub exceptions_only: bool,
    /// Hide suppressed duplicates.
    pub masters_only: bool,
}

fn collection_from_row(r: &AnyRow) -> Result<ReviewCollection> {
    Ok(ReviewCollection {
        id: r.id("id")?,
        matter_id: r.id("matter_id")?,
        name: r.text("name")?,
        custodian: r.text("custodian")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
    })
}

fn job_from_row(r: &AnyRow) -> Result<ReviewJob> {
    Ok(ReviewJob {
        id: r.id("id")?,
        collection_id: r.id("collection_id")?,
        matter_id: r.id("matter_id")?,
        status: r.text("status")?,
        paths: r.strings("paths")?,
        total_files: r.int("total_files")?,
        done_files: r.int("done_files")?,
        total_bytes: r.int("total_bytes")?,
        done_bytes: r.int("done_bytes")?,
        items: r.int("items")?,
        exceptions: r.int("exceptions")?,
        cursor: r.text("cursor")?,
        error: r.text("error")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        finished_at: r.opt_text("finished_at")?.as_deref().map(crate::sql::parse_ts).transpose()?,
    })
}

fn opt_id(r: &AnyRow, col: &str) -> Result<Option<Id>> {
    crate::sql::opt_id(r.opt_text(col)?)
}

fn item_from_row(r: &AnyRow) -> Result<ReviewItem> {
    let metadata = r.text("metadata")?;
    Ok(ReviewItem {
        id: r.id("id")?,
        seq: r.int("seq")?,
        matter_id: r.id("matter_id")?,
        collection_id: r.id("collection_id")?,
        source_id: r.id("source_id")?,
        source_key: r.text("source_key")?,
        parent_id: opt_id(r, "parent_id")?,
        family_id: r.id("family_id")?,
        container_id: opt_id(r, "container_id")?,
        kind: r.text("kind")?,
        custodian: r.text("custodian")?,
        filename: r.text("filename")?,
        fileext: r.text("fileext")?,
        filesize: r.int("filesize")?,
        from: r.text("from_addr")?,
        to: r.text("to_addr")?,
        cc: r.text("cc")?,
        bcc: r.text("bcc")?,
        subject: r.text("subject")?,
        date_sent: r.text("date_sent")?,
        message_id: r.text("message_id")?,
        in_reply_to: r.text("in_reply_to")?,
        md5: r.text("md5")?,
        sha1: r.text("sha1")?,
        dedup_key: r.text("dedup_key")?,
        duplicate_of: opt_id(r, "duplicate_of")?,
        all_custodians: r.strings("all_custodians")?,
        neardup_group: opt_id(r, "neardup_group")?,
        neardup_similarity: r.opt_text("neardup_similarity")?,
        thread_id: opt_id(r, "thread_id")?,
        inclusive: r.flag("inclusive")?,
        exception: r.opt_text("exception")?,
        native_sha256: r.text("native_sha256")?,
        text_sha256: r.text("text_sha256")?,
        text_chars: r.int("text_chars")?,
        metadata: serde_json::from_str(&metadata)
            .map_err(|e| StoreError::Corrupt(format!("item metadata: {e}")))?,
        created_at: r.time("created_at")?,
    })
}

const ITEM_COLUMNS: [&str; 37] = [
    "id",
    "seq",
    "matter_id",
    "collection_id",
    "source_id",
    "source_key",
    "parent_id",
    "family_id",
    "container_id",
    "kind",
    "custodian",
    "filename",
    "fileext",
    "filesize",
    "from_addr",
    "to_addr",
    "cc",
    "bcc",
    "subject",
    "date_sent",
    "message_id",
    "in_reply_to",
    "md5",
    "sha1",
    "dedup_key",
    "duplicate_of",
    "all_custodians",
    "neardup_group",
    "neardup_similarity",
    "thread_id",
    "inclusive",
    "exception",
    "native_sha256",
    "text_sha256",
    "text_chars",
    "metadata",
    "created_at",
];

/// Rows per INSERT statement: 37 parameters each stays far below SQLite's and PostgreSQL's limits.
const ROWS_PER_INSERT: usize = 200;

impl Store {
    pub async fn create_review_collection(
        &self,
        c: &ReviewCollection,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO review_collections (id, matter_id, name, custodian, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(c.id.to_string())
            .bind(c.matter_id.to_string())
            .bind(&c.name)
            .bind(&c.custodian)
            .bind(c.created_by.to_string())
            .bind(ts(c.created_at))
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn review_collections(&self, matter: Id) -> Result<Vec<ReviewCollection>> {
        let rows = sqlx::query(
            "SELECT * FROM review_collections WHERE matter_id = $1 ORDER BY created_at, id",
        )
        .bind(matter.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(collection_from_row).collect()
    }

    pub async fn review_collection(&self, id: Id) -> Result<ReviewCollection> {
        let row = sqlx::query("SELECT * FROM review_collections WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("collection"))?;
        collection_from_row(&row)
    }

    pub async fn create_review_job(&self, j: &ReviewJob, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO review_jobs (id, collection_id, matter_id, status, paths, total_files, done_files, total_bytes, done_bytes, \
             items, exceptions, cursor, error, created_by, created_at, updated_at, finished_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, NULL)",
        )
        .bind(j.id.to_string())
        .bind(j.collection_id.to_string())
        .bind(j.matter_id.to_string())
        .bind(&j.status)
        .bind(serde_json::to_string(&j.paths).expect("a list of strings serializes"))
        .bind(j.total_files)
        .bind(j.done_files)
        .bind(j.total_bytes)
        .bind(j.done_bytes)
        .bind(j.items)
        .bind(j.exceptions)
        .bind(&j.cursor)
        .bind(&j.error)
        .bind(j.created_by.to_string())
        .bind(ts(j.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn review_job(&self, id: Id) -> Result<ReviewJob> {
        let row = sqlx::query("SELECT * FROM review_jobs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("processing job"))?;
        job_from_row(&row)
    }

    pub async fn review_jobs(&self, matter: Id) -> Result<Vec<ReviewJob>> {
        let rows = sqlx::query(
            "SELECT * FROM review_jobs WHERE matter_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(matter.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Sets a job's status (and error); `finished` stamps `finished_at`.
    pub async fn set_review_job_status(
        &self,
        id: Id,
        status: &str,
        error: &str,
        at: DateTime<Utc>,
        finished: bool,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query("UPDATE review_jobs SET status = $1, error = $2, updated_at = $3, finished_at = $4 WHERE id = $5")
            .bind(status)
            .bind(error)
            .bind(ts(at))
            .bind(finished.then(|| ts(at)))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("processing job"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Commits collected files, their items and the job checkpoint in one transaction. A file already
    /// recorded (from a run that died after committing it) is skipped with its items; an item already
    /// present is skipped by its unique key. Returns what was actually added.
    pub async fn commit_review_batch(
        &self,
        batch: &ReviewBatch,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<BatchOutcome> {
        let mut tx = self.write.begin().await?;
        let job = sqlx::query("SELECT collection_id, matter_id FROM review_jobs WHERE id = $1")
            .bind(batch.job_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("processing job"))?;
        let collection = job.text("collection_id")?;
        let (mut seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM review_items")
            .fetch_one(&mut *tx)
            .await?;
        let mut outcome = BatchOutcome::default();
        for (source, items) in &batch.sources {
            let inserted = sqlx::query(
                "INSERT INTO review_sources (id, collection_id, job_id, path, size, md5, sha256, collected_at, collected_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (collection_id, path) DO NOTHING",
            )
            .bind(source.id.to_string())
            .bind(&collection)
            .bind(batch.job_id.to_string())
            .bind(&source.path)
            .bind(source.size)
            .bind(&source.md5)
            .bind(&source.sha256)
            .bind(ts(source.collected_at))
            .bind(source.collected_by.to_string())
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                continue;
            }
            for chunk in items.chunks(ROWS_PER_INSERT) {
                let mut sql = Sql::new(&format!(
                    "INSERT INTO review_items ({}) VALUES ",
                    ITEM_COLUMNS.join(", ")
                ));
                for (n, item) in chunk.iter().enumerate() {
                    seq += 1;
                    sql.push(if n == 0 { "(" } else { ", (" });
                    let values = item_values(item, seq, source.id);
                    for (i, v) in values.into_iter().enumerate() {
                        if i > 0 {
                            sql.push(", ");
                        }
                        match v {
                            None => sql.push("NULL"),
                            Some(arg) => {
                                sql.bind(arg);
                            }
                        }
                    }
                    sql.push(")");
                }
                sql.push(" ON CONFLICT (collection_id, source_key) DO NOTHING");
                let done = sql.query().execute(&mut *tx).await?;
                outcome.items += done.rows_affected() as i64;
            }
            outcome.exceptions += items.iter().filter(|i| i.exception.is_some()).count() as i64;
        }
        sqlx::query(
            "UPDATE review_jobs SET done_files = done_files + $1, done_bytes = done_bytes + $2, items = items + $3, \
             exceptions = exceptions + $4, cursor = $5, status = 'running', updated_at = $6 WHERE id = $7",
        )
        .bind(batch.files)
        .bind(batch.bytes)
        .bind(outcome.items)
        .bind(outcome.exceptions)
        .bind(&batch.cursor)
        .bind(ts(at))
        .bind(batch.job_id.to_string())
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit.with(serde_json::json!({"items": outcome.items, "files": batch.files, "cursor": batch.cursor}))).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub async fn review_item(&self, id: Id) -> Result<ReviewItem> {
        let row = sqlx::query("SELECT * FROM review_items WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("document"))?;
        item_from_row(&row)
    }

    /// A matter's items in processing order, filtered and paged.
    pub async fn list_review_items(
        &self,
        matter: Id,
        f: &ReviewItemFilter,
        page: Page,
    ) -> Result<(Vec<ReviewItem>, bool)> {
        let mut sql = Sql::new("SELECT * FROM review_items WHERE matter_id = ");
        sql.bind_text(matter.to_string());
        if let Some(c) = f.collection_id {
            sql.push(" AND collection_id = ");
            sql.bind_text(c.to_string());
        }
        if let Some(fam) = f.family_id {
            sql.push(" AND family_id = ");
            sql.bind_text(fam.to_string());
        }
        if f.exceptions_only {
            sql.push(" AND exception IS NOT NULL");
        }
        if f.masters_only {
            sql.push(" AND duplicate_of IS NULL");
        }
        sql.push(" ORDER BY seq, id");
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows.iter().map(item_from_row).collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut out);
        Ok((out, more))
    }

    /// Every item of a matter (for the analysis passes), in processing order.
    pub async fn all_review_items(&self, matter: Id) -> Result<Vec<ReviewItem>> {
        let rows = sqlx::query("SELECT * FROM review_items WHERE matter_id = $1 ORDER BY seq, id")
            .bind(matter.to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Writes the analysis of a matter's items (duplicates, near-dups, threads) in one transaction.
    pub async fn set_review_analysis(
        &self,
        analysis: &[ReviewAnalysis],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        for a in analysis {
            sqlx::query(
                "UPDATE review_items SET duplicate_of = $1, all_custodians = $2, neardup_group = $3, neardup_similarity = $4, \
                 thread_id = $5, inclusive = $6 WHERE id = $7",
            )
            .bind(a.duplicate_of.map(|i| i.to_string()))
            .bind(serde_json::to_string(&a.all_custodians).expect("strings serialize"))
            .bind(a.neardup_group.map(|i| i.to_string()))
            .bind(a.neardup_similarity.clone())
            .bind(a.thread_id.map(|i| i.to_string()))
            .bind(i64::from(a.inclusive))
            .bind(a.id.to_string())
            .execute(&mut *tx)
            .await?;
        }
        append(&mut tx, &audit.with(serde_json::json!({"items": analysis.len()}))).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn review_sources(&self, collection: Id) -> Result<Vec<ReviewSource>> {
        let rows =
            sqlx::query("SELECT * FROM review_sources WHERE collection_id = $1 ORDER BY path")
                .bind(collection.to_string())
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ReviewSource {
                    id: r.id("id")?,
                    path: r.text("path")?,
                    size: r.int("size")?,
                    md5: r.text("md5")?,
                    sha256: r.text("sha256")?,
                    collected_at: r.time("collected_at")?,
                    collected_by: r.id("collected_by")?,
                })
            })
            .collect()
    }

    /// The processing report of a matter: counts by type, exceptions, duplicates, near-dups, threads.
    pub async fn review_report(&self, matter: Id) -> Result<ReviewReport> {
        let m = matter.to_string();
        let row = sqlx::query(
            "SELECT COUNT(*) AS items, COUNT(DISTINCT family_id) AS families, \
             CAST(COALESCE(SUM(CASE WHEN exception IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS exceptions, \
             CAST(COALESCE(SUM(CASE WHEN duplicate_of IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS duplicates, \
             COUNT(DISTINCT neardup_group) AS nd_groups, \
             CAST(COALESCE(SUM(CASE WHEN neardup_group IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS nd_members, \
             COUNT(DISTINCT thread_id) AS threads, CAST(COALESCE(SUM(inclusive), 0) AS BIGINT) AS inclusive, \
             CAST(COALESCE(SUM(filesize), 0) AS BIGINT) AS bytes FROM review_items WHERE matter_id = $1",
        )
        .bind(&m)
        .fetch_one(&self.read)
        .await?;
        let by = |rows: Vec<AnyRow>| -> Result<Vec<(String, i64)>> {
            rows.iter().map(|r| Ok((r.text("kind")?, r.int("n")?))).collect()
        };
        let by_kind = by(sqlx::query("SELECT kind, COUNT(*) AS n FROM review_items WHERE matter_id = $1 GROUP BY kind ORDER BY kind")
            .bind(&m)
            .fetch_all(&self.read)
            .await?)?;
        let exceptions_by_kind = by(sqlx::query("SELECT kind, COUNT(*) AS n FROM review_items WHERE matter_id = $1 AND exception IS NOT NULL GROUP BY kind ORDER BY kind")
            .bind(&m)
            .fetch_all(&self.read)
            .await?)?;
        Ok(ReviewReport {
            items: row.int("items")?,
            families: row.int("families")?,
            by_kind,
            exceptions: row.int("exceptions")?,
            exceptions_by_kind,
            duplicates: row.int("duplicates")?,
            neardup_groups: row.int("nd_groups")?,
            neardup_members: row.int("nd_members")?,
            threads: row.int("threads")?,
            inclusive: row.int("inclusive")?,
            native_bytes: row.int("bytes")?,
        })
    }

    /// Up to `limit` items of a matter after `after_seq`, with the fields the search index needs. The
    /// caller pages with the last row's `seq`.
    pub async fn review_index_rows(
        &self,
        matter: Id,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<ReviewIndexRow>> {
        let rows = sqlx::query(
            "SELECT seq, id, custodian, from_addr, to_addr, cc, bcc, subject, date_sent, filename, fileext, family_id, text_sha256 \
             FROM review_items WHERE matter_id = $1 AND seq > $2 AND kind NOT IN ('mbox', 'pst', 'zip') ORDER BY seq LIMIT $3",
        )
        .bind(matter.to_string())
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReviewIndexRow {
                    seq: r.int("seq")?,
                    doc_id: r.id("id")?,
                    custodian: r.text("custodian")?,
                    from: r.text("from_addr")?,
                    to: r.text("to_addr")?,
                    cc: r.text("cc")?,
                    bcc: r.text("bcc")?,
                    subject: r.text("subject")?,
                    date_sent: r.text("date_sent")?,
                    filename: r.text("filename")?,
                    file_ext: r.text("fileext")?,
                    family_id: r.id("family_id")?,
                    text_sha256: r.text("text_sha256")?,
                })
            })
            .collect()
    }
}

/// The column values of an item, `None` for SQL NULL (written inline: the `Sql` builder binds no NULLs).
fn item_values(i: &ReviewItem, seq: i64, source: Id) -> Vec<Option<Arg>> {
    let t = |s: &str| Some(Arg::Text(s.to_string()));
    let o = |v: Option<Id>| v.map(|x| Arg::Text(x.to_string()));
    vec![
        t(&i.id.to_string()),
        Some(Arg::Int(seq)),
        t(&i.matter_id.to_string()),
        t(&i.collection_id.to_string()),
        t(&source.to_string()),
        t(&i.source_key),
        o(i.parent_id),
        t(&i.family_id.to_string()),
        o(i.container_id),
        t(&i.kind),
        t(&i.custodian),
        t(&i.filename),
        t(&i.fileext),
        Some(Arg::Int(i.filesize)),
        t(&i.from),
        t(&i.to),
        t(&i.cc),
        t(&i.bcc),
        t(&i.subject),
        t(&i.date_sent),
        t(&i.message_id),
        t(&i.in_reply_to),
        t(&i.md5),
        t(&i.sha1),
        t(&i.dedup_key),
        o(i.duplicate_of),
        t(&serde_json::to_string(&i.all_custodians).expect("strings serialize")),
        o(i.neardup_group),
        i.neardup_similarity.clone().map(Arg::Text),
        o(i.thread_id),
        Some(Arg::Int(i64::from(i.inclusive))),
        i.exception.clone().map(Arg::Text),
        t(&i.native_sha256),
        t(&i.text_sha256),
        Some(Arg::Int(i.text_chars)),
        t(&i.metadata.to_string()),
        t(&ts(i.created_at)),
    ]
}
