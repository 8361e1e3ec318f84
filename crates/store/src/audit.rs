//! The append-only, hash-chained audit log: who did what, when, to which record.

use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::Id;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

/// What happened, supplied by the caller of every mutating store method.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// `None` for the system itself (first-run setup, migrations).
    pub actor: Option<Id>,
    /// A dotted verb such as `matter.create`, `user.role_change`, `auth.sign_in_failed`.
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(
        at: DateTime<Utc>,
        actor: Option<Id>,
        action: &str,
        entity: &str,
        entity_id: impl ToString,
    ) -> Self {
        AuditEvent {
            at,
            actor,
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            detail: serde_json::Value::Null,
        }
    }

    pub fn with(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A stored entry, with its place in the chain.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerification {
    Intact {
        entries: i64,
    },
    /// The first entry whose stored hash or link does not match what the chain says it must be.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// The chain hash over an entry's fields in order: previous hash, seq, at, actor, action,
/// entity, entity id, detail. Length-prefixed so no two entries serialize to the same bytes.
fn entry_hash(fields: [&str; 8]) -> String {
    let mut h = Sha256::new();
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends `event` inside `tx`. The `UPDATE … RETURNING` on the single head row is what
/// serializes concurrent appenders on PostgreSQL (row lock) and SQLite (single writer).
pub(crate) async fn append(tx: &mut Transaction<'static, Any>, event: &AuditEvent) -> Result<i64> {
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut **tx)
            .await?;
    let at = ts(event.at);
    let actor = event.actor.map(|a| a.to_string());
    let detail = event.detail.to_string();
    let hash = entry_hash([
        &prev,
        &seq.to_string(),
        &at,
        actor.as_deref().unwrap_or("-"),
        &event.action,
        &event.entity,
        &event.entity_id,
        &detail,
    ]);
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(&event.action)
    .bind(&event.entity)
    .bind(&event.entity_id)
    .bind(detail)
    .bind(prev)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.int("seq")?,
        at: r.text("at")?,
        actor: r.opt_text("actor")?,
        action: r.text("action")?,
        entity: r.text("entity")?,
        entity_id: r.text("entity_id")?,
        detail: r.text("detail")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

impl Store {
    /// Records an event that changes nothing else (a sign-in, a view of a sensitive record).
    pub async fn audit(&self, event: AuditEvent) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        let seq = append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// The newest entries first, optionally only those about one entity.
    pub async fn audit_entries(
        &self,
        entity_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let mut sql = Sql::new("SELECT * FROM audit_log");
        if let Some(id) = entity_id {
            sql.push(" WHERE entity_id = ");
            sql.bind_text(id);
        }
        sql.push(" ORDER BY seq DESC LIMIT ");
        sql.bind(crate::sql::Arg::Int(limit));
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Walks the whole chain in order and reports the first broken link.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        let mut prev = "0".repeat(64);
        let mut expected_seq = 1;
        let mut last_seq = 0;
        loop {
            // Paged so a long log does not sit in memory at once.
            let rows =
                sqlx::query("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000")
                    .bind(expected_seq)
                    .fetch_all(&self.read)
                    .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = entry_from_row(row)?;
                if e.seq != expected_seq {
                    return Ok(AuditVerification::Broken {
                        seq: expected_seq,
                        reason: format!("entry {expected_seq} is missing"),
                    });
                }
                if e.prev_hash != prev {
                    return Ok(AuditVerification::Broken {
                        seq: e.seq,
                        reason: "does not link to the previous entry".into(),
                    });
                }
                let want = entry_hash([
                    &prev,
                    &e.seq.to_string(),
                    &e.at,
                    e.actor.as_deref().unwrap_or("-"),
                    &e.action,
                    &e.entity,
                    &e.entity_id,
                    &e.detail,
                ]);
                if want != e.hash {
                    return Ok(AuditVerification::Broken {
                        seq: e.seq,
                        reason: "content does not match its hash (altered)".into(),
                    });
                }
                prev = e.hash;
                last_seq = e.seq;
                expected_seq += 1;
            }
        }
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&self.read)
                .await?;
        if head_seq != last_seq || (last_seq > 0 && head_hash != prev) {
            return Ok(AuditVerification::Broken {
                seq: last_seq + 1,
                reason: format!(
                    "the log ends at {last_seq} but the head says {head_seq} (entries removed from the end)"
                ),
            });
        }
        Ok(AuditVerification::Intact { entries: last_seq })
    }

    /// Test support: rewrites one entry's detail behind the log's back, bypassing the guard
    /// triggers, to prove `verify_audit` notices. Never called by the application.
    #[doc(hidden)]
    pub async fn tamper_audit_for_test(&self, seq: i64, detail: &str) -> Result<()> {
        let mut tx = self.write.begin().await?;
        match self.backend {
            crate::Backend::Sqlite => {
                sqlx::raw_sql("DROP TRIGGER audit_log_no_update").execute(&mut *tx).await?;
            }
            crate::Backend::Postgres => {
                sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let n = sqlx::query("UPDATE audit_log SET detail = $1 WHERE seq = $2")
            .bind(detail)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() != 1 {
            return Err(StoreError::NotFound("audit entry"));
        }
        tx.commit().await?;
        Ok(())
    }
}
