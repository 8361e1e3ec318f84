//! Work items, their comments and attachments. Updates use optimistic concurrency (a version
//! column), so two people editing at once cannot silently overwrite each other.

use crate::audit::{AuditEvent, append};
use crate::matters::{push_assigned_to_actor, push_matter_visible};
use crate::sql::{Arg, Page, RowExt, Sql, like_pattern, opt_id, parse_date, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::{Actor, Id, Priority, Role, ServiceLine, Unit, WorkItem, WorkStatus};
use rust_decimal::Decimal;
use sqlx::Any;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use std::str::FromStr;

/// A work item with the names a list shows next to it and its version for optimistic updates.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkItemRow {
    pub item: WorkItem,
    pub matter_number: String,
    pub matter_title: String,
    pub assignee_name: Option<String>,
    pub version: i64,
}

pub type WorkItemInput = WorkItem;

#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub q: Option<String>,
    pub matter_id: Option<Id>,
    pub status: Option<WorkStatus>,
    pub service_line: Option<ServiceLine>,
    pub assignee: Option<Id>,
    /// "due", "priority", "title", "updated" (default: newest first).
    pub sort: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkComment {
    pub id: Id,
    pub work_item_id: Id,
    pub author: Id,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attachment {
    pub id: Id,
    pub work_item_id: Id,
    pub blob_sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: Id,
    pub created_at: DateTime<Utc>,
}

fn item_from_row(r: &AnyRow) -> Result<WorkItemRow> {
    let volume = r.text("volume")?;
    Ok(WorkItemRow {
        item: WorkItem {
            id: r.id("id")?,
            matter_id: r.id("matter_id")?,
            service_line: ServiceLine::parse(&r.text("service_line")?)?,
            title: r.text("title")?,
            description: r.text("description")?,
            volume: Decimal::from_str(&volume)
                .map_err(|e| StoreError::Corrupt(format!("volume {volume:?}: {e}")))?,
            unit: Unit::parse(&r.text("unit")?)?,
            due_on: r.opt_text("due_on")?.as_deref().map(parse_date).transpose()?,
            priority: Priority::parse(&r.text("priority")?)?,
            assignee: opt_id(r.opt_text("assignee")?)?,
            status: WorkStatus::parse(&r.text("status")?)?,
            created_by: r.id("created_by")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        },
        matter_number: r.text("matter_number")?,
        matter_title: r.text("matter_title")?,
        assignee_name: r.opt_text("assignee_name")?,
        version: r.int("version")?,
    })
}

/// Binds the fields a create and an update both write, in the order both statements list them:
/// service_line, title, description, volume, unit, due_on, priority, assignee, status.
fn bind_editable<'q>(
    q: Query<'q, Any, AnyArguments>,
    w: &'q WorkItem,
) -> Query<'q, Any, AnyArguments> {
    q.bind(w.service_line.as_str())
        .bind(&w.title)
        .bind(&w.description)
        .bind(w.volume.normalize().to_string())
        .bind(w.unit.as_str())
        .bind(w.due_on.map(|d| d.to_string()))
        .bind(w.priority.as_str())
        .bind(w.assignee.map(|a| a.to_string()))
        .bind(w.status.as_str())
}

const SELECT_ITEMS: &str = "SELECT w.*, m.number AS matter_number, m.title AS matter_title, u.display_name AS assignee_name \
     FROM work_items w JOIN matters m ON m.id = w.matter_id LEFT JOIN users u ON u.id = w.assignee WHERE 1 = 1";

impl Store {
    pub async fn create_work_item(&self, w: &WorkItem, audit: AuditEvent) -> Result<()> {
        w.validate()?;
        let mut tx = self.write.begin().await?;
        let insert = sqlx::query(
            "INSERT INTO work_items (id, matter_id, service_line, title, description, volume, unit, due_on, priority, assignee, status, \
             created_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 1)",
        )
        .bind(w.id.to_string())
        .bind(w.matter_id.to_string());
        bind_editable(insert, w)
            .bind(w.created_by.to_string())
            .bind(ts(w.created_at))
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves `w` if it is still at `expected_version`; otherwise reports a conflict and changes
    /// nothing. Returns the new version.
    pub async fn update_work_item(
        &self,
        w: &WorkItem,
        expected_version: i64,
        audit: AuditEvent,
    ) -> Result<i64> {
        w.validate()?;
        let mut tx = self.write.begin().await?;
        let update = sqlx::query(
            "UPDATE work_items SET service_line = $1, title = $2, description = $3, volume = $4, unit = $5, due_on = $6, priority = $7, \
             assignee = $8, status = $9, updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12",
        );
        let n = bind_editable(update, w)
            .bind(ts(w.updated_at))
            .bind(w.id.to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT version FROM work_items WHERE id = $1")
                    .bind(w.id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                None => StoreError::NotFound("work item"),
                Some(_) => StoreError::Conflict(
                    "this work item was changed by someone else; reload and try again".into(),
                ),
            });
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    pub async fn work_item(&self, id: Id) -> Result<WorkItemRow> {
        let mut sql = Sql::new(SELECT_ITEMS);
        sql.push(" AND w.id = ");
        sql.bind_text(id.to_string());
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("work item"))?;
        item_from_row(&row)
    }

    /// The work items `actor` may see, filtered, sorted and paged.
    pub async fn list_work_items(
        &self,
        actor: &Actor,
        f: &WorkFilter,
        page: Page,
    ) -> Result<(Vec<WorkItemRow>, bool)> {
        let mut sql = Sql::new(SELECT_ITEMS);
        if actor.role.is_external() {
            let me = sql.param(Arg::Text(actor.user_id.to_string()));
            sql.push(" AND ");
            push_assigned_to_actor(&mut sql, actor, "w", &me);
            sql.push(&format!(" AND NOT EXISTS (SELECT 1 FROM ethical_walls ew WHERE ew.matter_id = m.id AND ew.user_id = {me})"));
            if actor.role == Role::Client {
                sql.push(" AND 1 = 0");
            }
        } else {
            push_matter_visible(&mut sql, actor, "m");
        }
        if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            sql.push(" AND (LOWER(w.title) LIKE ");
            let p = sql.bind_text(like_pattern(q));
            sql.push(&format!(" ESCAPE '\\' OR LOWER(w.description) LIKE {p} ESCAPE '\\' OR LOWER(m.number) LIKE {p} ESCAPE '\\')"));
        }
        if let Some(m) = f.matter_id {
            sql.push(" AND w.matter_id = ");
            sql.bind_text(m.to_string());
        }
        if let Some(s) = f.status {
            sql.push(" AND w.status = ");
            sql.bind_text(s.as_str());
        }
        if let Some(s) = f.service_line {
            sql.push(" AND w.service_line = ");
            sql.bind_text(s.as_str());
        }
        if let Some(a) = f.assignee {
            sql.push(" AND w.assignee = ");
            sql.bind_text(a.to_string());
        }
        sql.push(match f.sort.as_deref() {
            // NULL due dates last on both backends.
            Some("due") => " ORDER BY CASE WHEN w.due_on IS NULL THEN 1 ELSE 0 END, w.due_on, w.id",
            Some("priority") => {
                " ORDER BY CASE w.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, w.due_on, w.id"
            }
            Some("title") => " ORDER BY w.title, w.id",
            _ => " ORDER BY w.updated_at DESC, w.id DESC",
        });
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows.iter().map(item_from_row).collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut out);
        Ok((out, more))
    }

    pub async fn add_comment(&self, c: &WorkComment, audit: AuditEvent) -> Result<()> {
        if c.body.trim().is_empty() {
            return Err(domain::DomainError::invalid("body", "a comment cannot be empty").into());
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO work_comments (id, work_item_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(c.id.to_string())
            .bind(c.work_item_id.to_string())
            .bind(c.author.to_string())
            .bind(&c.body)
            .bind(ts(c.created_at))
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn comments(&self, work_item: Id) -> Result<Vec<WorkComment>> {
        let rows = sqlx::query(
            "SELECT c.*, u.display_name FROM work_comments c JOIN users u ON u.id = c.author WHERE c.work_item_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(work_item.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WorkComment {
                    id: r.id("id")?,
                    work_item_id: r.id("work_item_id")?,
                    author: r.id("author")?,
                    author_name: r.text("display_name")?,
                    body: r.text("body")?,
                    created_at: r.time("created_at")?,
                })
            })
            .collect()
    }

    /// Stores the bytes in the blob store first, then records the attachment: a crash in
    /// between leaves at most an unreferenced blob, never a record without its file.
    pub async fn add_attachment(
        &self,
        a: &Attachment,
        bytes: &[u8],
        audit: AuditEvent,
    ) -> Result<Attachment> {
        let sha = self.blobs.put(bytes).await?;
        let mut a = a.clone();
        a.blob_sha256 = sha;
        a.size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO attachments (id, work_item_id, blob_sha256, filename, content_type, size, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id.to_string())
        .bind(a.work_item_id.to_string())
        .bind(&a.blob_sha256)
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(a.uploaded_by.to_string())
        .bind(ts(a.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn attachments(&self, work_item: Id) -> Result<Vec<Attachment>> {
        let rows =
            sqlx::query("SELECT * FROM attachments WHERE work_item_id = $1 ORDER BY created_at")
                .bind(work_item.to_string())
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    pub async fn attachment(&self, id: Id) -> Result<Attachment> {
        let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("attachment"))?;
        attachment_from_row(&row)
    }
}

fn attachment_from_row(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: r.id("id")?,
        work_item_id: r.id("work_item_id")?,
        blob_sha256: r.text("blob_sha256")?,
        filename: r.text("filename")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        uploaded_by: r.id("uploaded_by")?,
        created_at: r.time("created_at")?,
    })
}
