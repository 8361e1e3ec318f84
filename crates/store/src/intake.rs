//! Storage for intake: leads, the intake pipeline, conflict searches and saved conflict reports.
//!
//! Also the read side of the conflict index: every stored name a conflict check must search
//! (contacts with aliases and former names, matter parties with roles on open and closed matters,
//! clients, corporate relationships, leads), and the audit-log position that tells the app's
//! in-memory index whether any of them changed since it was built.

use crate::audit::{AuditEvent, append};
use crate::sql::{Page, RowExt, Sql, opt_id, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::{ContactKind, Id, MatterStatus, PartyRole, RelationshipKind};
use sqlx::any::AnyRow;

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] =
    &["intake_forms", "leads", "conflict_reports", "conflict_history"];

/// The configuration of one practice area's public intake form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeFormRow {
    pub practice_area: String,
    pub title: String,
    /// JSON array of field definitions (the intake crate's `FormField`).
    pub fields: String,
    pub updated_at: DateTime<Utc>,
}

/// A lead: a prospective client moving through the intake pipeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeadRow {
    pub id: Id,
    pub practice_area: String,
    pub name: String,
    pub kind: ContactKind,
    pub email: String,
    pub phone: String,
    pub description: String,
    pub adverse_parties: Vec<String>,
    /// Answers to the practice area's extra questions, by field name.
    pub answers: std::collections::BTreeMap<String, String>,
    /// The pipeline stage's stable identifier (the intake crate's `LeadStage`).
    pub stage: String,
    pub client_id: Option<Id>,
    pub matter_id: Option<Id>,
    /// The non-engagement letter as sent, when the lead was declined.
    pub letter_html: Option<String>,
    pub letter_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A saved conflict report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConflictReportRow {
    pub id: Id,
    pub query: String,
    /// What triggered it: `manual`, `matter`, `party` or `lead`.
    pub subject: String,
    pub matter_id: Option<Id>,
    pub lead_id: Option<Id>,
    pub ran_by: Option<Id>,
    pub ran_by_name: Option<String>,
    pub ran_at: DateTime<Utc>,
    pub hit_count: i64,
    /// JSON of the grouped hits, with scores and explanations, as the app computed them.
    pub hits: String,
    /// `cleared`, `waived` or `declined`; None while the decision is pending.
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub decided_by: Option<Id>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The informed-consent document of a waiver, in the blob store.
    pub blob_sha256: Option<String>,
    pub document_name: Option<String>,
}

/// The reviewer's decision on a report, with the waiver document when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictDecision {
    pub decision: String,
    pub note: String,
    pub decided_by: Id,
    pub decided_at: DateTime<Utc>,
    /// (file name, bytes) of the informed-consent document.
    pub document: Option<(String, Vec<u8>)>,
}

/// Filters for the report list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub matter_id: Option<Id>,
    pub lead_id: Option<Id>,
    /// Only reports still waiting for a decision.
    pub pending: bool,
}

/// One stored name of a contact (`primary`, `alias` or `former`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceContact {
    pub id: Id,
    pub kind: ContactKind,
    pub name: String,
    /// Aliases and former names.
    pub other_names: Vec<String>,
}

/// One contact's part in one matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceParty {
    pub contact_id: Id,
    pub matter_id: Id,
    pub matter_number: String,
    pub matter_title: String,
    pub matter_status: MatterStatus,
    pub role: PartyRole,
}

/// A party of a matter the firm handled before lawdesk (from its previous conflicts system).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryParty {
    pub id: Id,
    pub name: String,
    pub kind: ContactKind,
    pub aliases: Vec<String>,
    pub role: PartyRole,
    /// The old file or matter number.
    pub matter_ref: String,
    pub matter_title: String,
    /// None while the old matter is still open.
    pub closed_on: Option<chrono::NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// Everything a conflict index is built from, read in one snapshot.
#[derive(Debug, Clone, Default)]
pub struct ConflictSources {
    pub contacts: Vec<SourceContact>,
    pub parties: Vec<SourceParty>,
    /// Contacts that are clients of the firm (with or without matters).
    pub client_contacts: Vec<Id>,
    pub relationships: Vec<(Id, RelationshipKind, Id)>,
    pub leads: Vec<LeadRow>,
    pub history: Vec<HistoryParty>,
}

/// Where the audit log stands: its last sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPosition {
    pub seq: i64,
    pub hash: String,
}

fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("lists and maps of strings always serialize")
}

fn lead_from_row(r: &AnyRow) -> Result<LeadRow> {
    let answers: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&r.text("answers")?)
            .map_err(|e| StoreError::Corrupt(format!("leads.answers: {e}")))?;
    Ok(LeadRow {
        id: r.id("id")?,
        practice_area: r.text("practice_area")?,
        name: r.text("name")?,
        kind: ContactKind::parse(&r.text("kind")?)?,
        email: r.text("email")?,
        phone: r.text("phone")?,
        description: r.text("description")?,
        adverse_parties: r.strings("adverse_parties")?,
        answers,
        stage: r.text("stage")?,
        client_id: opt_id(r.opt_text("client_id")?)?,
        matter_id: opt_id(r.opt_text("matter_id")?)?,
        letter_html: r.opt_text("letter_html")?,
        letter_at: r.opt_text("letter_at")?.as_deref().map(crate::sql::parse_ts).transpose()?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn report_from_row(r: &AnyRow) -> Result<ConflictReportRow> {
    Ok(ConflictReportRow {
        id: r.id("id")?,
        query: r.text("query")?,
        subject: r.text("subject")?,
        matter_id: opt_id(r.opt_text("matter_id")?)?,
        lead_id: opt_id(r.opt_text("lead_id")?)?,
        ran_by: opt_id(r.opt_text("ran_by")?)?,
        ran_by_name: r.opt_text("ran_by_name")?,
        ran_at: r.time("ran_at")?,
        hit_count: r.int("hit_count")?,
        hits: r.text("hits")?,
        decision: r.opt_text("decision")?,
        decision_note: r.opt_text("decision_note")?,
        decided_by: opt_id(r.opt_text("decided_by")?)?,
        decided_by_name: r.opt_text("decided_by_name")?,
        decided_at: r.opt_text("decided_at")?.as_deref().map(crate::sql::parse_ts).transpose()?,
        blob_sha256: r.opt_text("blob_sha256")?,
        document_name: r.opt_text("document_name")?,
    })
}

const REPORT_SELECT: &str = "SELECT r.*, u.display_name AS ran_by_name, d.display_name AS decided_by_name \
     FROM conflict_reports r LEFT JOIN users u ON u.id = r.ran_by LEFT JOIN users d ON d.id = r.decided_by";

impl Store {
    // ---- intake forms ------------------------------------------------------------------------

    pub async fn intake_forms(&self) -> Result<Vec<IntakeFormRow>> {
        let rows = sqlx::query("SELECT * FROM intake_forms ORDER BY practice_area")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(form_from_row).collect()
    }

    pub async fn intake_form(&self, practice_area: &str) -> Result<Option<IntakeFormRow>> {
        let row = sqlx::query("SELECT * FROM intake_forms WHERE practice_area = $1")
            .bind(practice_area)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(form_from_row).transpose()
    }

    /// Creates or replaces a practice area's form configuration.
    pub async fn put_intake_form(&self, form: &IntakeFormRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO intake_forms (practice_area, title, fields, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (practice_area) DO UPDATE SET title = excluded.title, fields = excluded.fields, \
             updated_at = excluded.updated_at",
        )
        .bind(&form.practice_area)
        .bind(&form.title)
        .bind(&form.fields)
        .bind(ts(form.updated_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- leads -------------------------------------------------------------------------------

    pub async fn create_lead(&self, lead: &LeadRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO leads (id, practice_area, name, kind, email, phone, description, adverse_parties, \
             answers, stage, client_id, matter_id, letter_html, letter_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(lead.id.to_string())
        .bind(&lead.practice_area)
        .bind(&lead.name)
        .bind(lead.kind.as_str())
        .bind(&lead.email)
        .bind(&lead.phone)
        .bind(&lead.description)
        .bind(json_text(&lead.adverse_parties))
        .bind(json_text(&lead.answers))
        .bind(&lead.stage)
        .bind(lead.client_id.map(|i| i.to_string()))
        .bind(lead.matter_id.map(|i| i.to_string()))
        .bind(lead.letter_html.clone())
        .bind(lead.letter_at.map(ts))
        .bind(ts(lead.created_at))
        .bind(ts(lead.updated_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a lead's stage, conversion links and letter. `expected_stage` guards against two
    /// reviewers moving the same card at once: a stale move is a conflict, never an overwrite.
    pub async fn update_lead(
        &self,
        lead: &LeadRow,
        expected_stage: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE leads SET stage = $1, client_id = $2, matter_id = $3, letter_html = $4, letter_at = $5, \
             updated_at = $6 WHERE id = $7 AND stage = $8",
        )
        .bind(&lead.stage)
        .bind(lead.client_id.map(|i| i.to_string()))
        .bind(lead.matter_id.map(|i| i.to_string()))
        .bind(lead.letter_html.clone())
        .bind(lead.letter_at.map(ts))
        .bind(ts(lead.updated_at))
        .bind(lead.id.to_string())
        .bind(expected_stage)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            let exists: Option<(String,)> = sqlx::query_as("SELECT stage FROM leads WHERE id = $1")
                .bind(lead.id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match exists {
                None => StoreError::NotFound("lead"),
                Some((now,)) => StoreError::Conflict(format!(
                    "the lead moved to {now} meanwhile; reload and try again"
                )),
            });
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn lead(&self, id: Id) -> Result<LeadRow> {
        let row = sqlx::query("SELECT * FROM leads WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("lead"))?;
        lead_from_row(&row)
    }

    /// Leads, newest first, optionally in one stage.
    pub async fn list_leads(
        &self,
        stage: Option<&str>,
        page: Page,
    ) -> Result<(Vec<LeadRow>, bool)> {
        let mut sql = Sql::new("SELECT * FROM leads WHERE 1 = 1");
        if let Some(stage) = stage {
            sql.push(" AND stage = ");
            sql.bind_text(stage);
        }
        sql.push(" ORDER BY created_at DESC, id DESC");
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows.iter().map(lead_from_row).collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut out);
        Ok((out, more))
    }

    // ---- conflict reports --------------------------------------------------------------------

    pub async fn save_conflict_report(
        &self,
        report: &ConflictReportRow,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO conflict_reports (id, query, subject, matter_id, lead_id, ran_by, ran_at, hit_count, hits) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(report.id.to_string())
        .bind(&report.query)
        .bind(&report.subject)
        .bind(report.matter_id.map(|i| i.to_string()))
        .bind(report.lead_id.map(|i| i.to_string()))
        .bind(report.ran_by.map(|i| i.to_string()))
        .bind(ts(report.ran_at))
        .bind(report.hit_count)
        .bind(&report.hits)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn conflict_report(&self, id: Id) -> Result<ConflictReportRow> {
        let mut sql = Sql::new(REPORT_SELECT);
        sql.push(" WHERE r.id = ");
        sql.bind_text(id.to_string());
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("conflict report"))?;
        report_from_row(&row)
    }

    /// Reports, newest first.
    pub async fn list_conflict_reports(
        &self,
        f: &ReportFilter,
        page: Page,
    ) -> Result<(Vec<ConflictReportRow>, bool)> {
        let mut sql = Sql::new(REPORT_SELECT);
        sql.push(" WHERE 1 = 1");
        if let Some(m) = f.matter_id {
            sql.push(" AND r.matter_id = ");
            sql.bind_text(m.to_string());
        }
        if let Some(l) = f.lead_id {
            sql.push(" AND r.lead_id = ");
            sql.bind_text(l.to_string());
        }
        if f.pending {
            sql.push(" AND r.decision IS NULL");
        }
        sql.push(" ORDER BY r.ran_at DESC, r.id DESC");
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows.iter().map(report_from_row).collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut out);
        Ok((out, more))
    }

    /// Records the reviewer's decision (once: a decided report is a record, not a draft), with the
    /// waiver's consent document put in the blob store first.
    pub async fn decide_conflict_report(
        &self,
        id: Id,
        d: &ConflictDecision,
        audit: AuditEvent,
    ) -> Result<()> {
        let sha = match &d.document {
            Some((_, bytes)) => Some(self.blobs.put(bytes).await?),
            None => None,
        };
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE conflict_reports SET decision = $1, decision_note = $2, decided_by = $3, decided_at = $4, \
             blob_sha256 = $5, document_name = $6 WHERE id = $7 AND decision IS NULL",
        )
        .bind(&d.decision)
        .bind(&d.note)
        .bind(d.decided_by.to_string())
        .bind(ts(d.decided_at))
        .bind(sha)
        .bind(d.document.as_ref().map(|(name, _)| name.clone()))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            let exists: Option<(String,)> =
                sqlx::query_as("SELECT id FROM conflict_reports WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                None => StoreError::NotFound("conflict report"),
                Some(_) => StoreError::Conflict("this report already has a decision".into()),
            });
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- the conflict index's sources --------------------------------------------------------

    /// Every name and role a conflict check searches, read in one transaction so the index never
    /// sees half of a change.
    pub async fn conflict_sources(&self) -> Result<ConflictSources> {
        let mut tx = self.read.begin().await?;
        let contact_rows = sqlx::query("SELECT id, kind, name FROM contacts ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        let name_rows = sqlx::query(
            "SELECT contact_id, kind, name FROM contact_names WHERE kind <> 'primary' ORDER BY contact_id, kind, name",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut other: std::collections::HashMap<String, Vec<String>> = Default::default();
        for r in &name_rows {
            other.entry(r.text("contact_id")?).or_default().push(r.text("name")?);
        }
        let mut contacts = Vec::with_capacity(contact_rows.len());
        for r in &contact_rows {
            let id = r.text("id")?;
            contacts.push(SourceContact {
                id: crate::sql::parse_id(&id)?,
                kind: ContactKind::parse(&r.text("kind")?)?,
                name: r.text("name")?,
                other_names: other.remove(&id).unwrap_or_default(),
            });
        }
        let party_rows = sqlx::query(
            "SELECT p.contact_id, p.role, m.id AS matter_id, m.number, m.title, m.status \
             FROM matter_parties p JOIN matters m ON m.id = p.matter_id ORDER BY p.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let parties = party_rows
            .iter()
            .map(|r| {
                Ok(SourceParty {
                    contact_id: r.id("contact_id")?,
                    matter_id: r.id("matter_id")?,
                    matter_number: r.text("number")?,
                    matter_title: r.text("title")?,
                    matter_status: MatterStatus::parse(&r.text("status")?)?,
                    role: PartyRole::parse(&r.text("role")?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let client_contacts = sqlx::query("SELECT contact_id FROM clients ORDER BY contact_id")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.id("contact_id"))
            .collect::<Result<Vec<_>>>()?;
        let relationships = sqlx::query("SELECT from_contact, kind, to_contact FROM relationships")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.id("from_contact")?,
                    RelationshipKind::parse(&r.text("kind")?)?,
                    r.id("to_contact")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let leads = sqlx::query("SELECT * FROM leads ORDER BY id")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(lead_from_row)
            .collect::<Result<Vec<_>>>()?;
        let history = sqlx::query("SELECT * FROM conflict_history ORDER BY id")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                Ok(HistoryParty {
                    id: r.id("id")?,
                    name: r.text("name")?,
                    kind: ContactKind::parse(&r.text("kind")?)?,
                    aliases: r.strings("aliases")?,
                    role: PartyRole::parse(&r.text("role")?)?,
                    matter_ref: r.text("matter_ref")?,
                    matter_title: r.text("matter_title")?,
                    closed_on: r
                        .opt_text("closed_on")?
                        .as_deref()
                        .map(crate::sql::parse_date)
                        .transpose()?,
                    created_at: r.time("created_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(ConflictSources { contacts, parties, client_contacts, relationships, leads, history })
    }

    /// Records a party of a pre-lawdesk matter (audited like every change).
    pub async fn add_history_party(&self, p: &HistoryParty, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO conflict_history (id, name, kind, aliases, role, matter_ref, matter_title, closed_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.id.to_string())
        .bind(&p.name)
        .bind(p.kind.as_str())
        .bind(json_text(&p.aliases))
        .bind(p.role.as_str())
        .bind(&p.matter_ref)
        .bind(&p.matter_title)
        .bind(p.closed_on.map(|d| d.to_string()))
        .bind(ts(p.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log's head: every change to the firm's data moves it.
    pub async fn audit_position(&self) -> Result<AuditPosition> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok(AuditPosition { seq: row.int("seq")?, hash: row.text("hash")? })
    }

    /// The hash of the audit entry at `seq` (None when there is no such entry): tells whether a
    /// remembered position belongs to this database's history.
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// How many audit entries after `seq` name one of `entities`, leaving out the actions listed in
    /// `ignored_actions` (reads such as `matter.view`).
    pub async fn audit_changes_since(
        &self,
        seq: i64,
        entities: &[&str],
        ignored_actions: &[&str],
    ) -> Result<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM audit_log WHERE seq > ");
        sql.bind(crate::sql::Arg::Int(seq));
        sql.push(" AND entity IN (");
        for (i, e) in entities.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_text(*e);
        }
        sql.push(")");
        for a in ignored_actions {
            sql.push(" AND action <> ");
            sql.bind_text(*a);
        }
        let row = sql.query().fetch_one(&self.read).await?;
        row.int("n")
    }

    /// The first audit entry's hash: it names this database's history (a restored copy shares it,
    /// which is right: it holds the same data up to the point it was taken).
    pub async fn audit_genesis(&self) -> Result<Option<String>> {
        self.audit_hash_at(1).await
    }
}

fn form_from_row(r: &AnyRow) -> Result<IntakeFormRow> {
    Ok(IntakeFormRow {
        practice_area: r.text("practice_area")?,
        title: r.text("title")?,
        fields: r.text("fields")?,
        updated_at: r.time("updated_at")?,
    })
}
