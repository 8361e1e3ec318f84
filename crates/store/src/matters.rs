//! Clients, matters, matter numbering sequences, parties, teams and ethical walls, and the SQL
//! form of "which matters may this actor see" (kept equal to `domain::policy`; the authorization
//! matrix test checks both agree).

use crate::audit::{AuditEvent, append};
use crate::sql::{Arg, Page, RowExt, Sql, like_pattern, opt_id, parse_date, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Datelike, Utc};
use domain::numbering::NumberScheme;
use domain::policy::{MatterAccess, WorkAccess};
use domain::{Actor, Client, Id, Matter, MatterParty, MatterStatus, PartyRole, Role};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// A matter with the names a list shows next to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MatterRow {
    pub matter: Matter,
    pub client_name: String,
}

/// Everything needed to open a matter; the number is assigned by the store.
#[derive(Debug, Clone)]
pub struct MatterInput {
    pub matter: Matter,
    pub client_code: String,
    pub team: Vec<Id>,
}

#[derive(Debug, Clone, Default)]
pub struct MatterFilter {
    pub q: Option<String>,
    pub status: Option<MatterStatus>,
    pub client_id: Option<Id>,
    /// "number", "title", "opened" (newest first), "client".
    pub sort: Option<String>,
}

fn matter_from_row(r: &AnyRow) -> Result<Matter> {
    Ok(Matter {
        id: r.id("id")?,
        number: r.text("number")?,
        client_id: r.id("client_id")?,
        title: r.text("title")?,
        practice_area: r.text("practice_area")?,
        court: r.text("court")?,
        case_number: r.text("case_number")?,
        status: MatterStatus::parse(&r.text("status")?)?,
        responsible_attorney: opt_id(r.opt_text("responsible_attorney")?)?,
        originating_attorney: opt_id(r.opt_text("originating_attorney")?)?,
        onshore_only: r.flag("onshore_only")?,
        opened_on: parse_date(&r.text("opened_on")?)?,
        closed_on: r.opt_text("closed_on")?.as_deref().map(parse_date).transpose()?,
        created_at: r.time("created_at")?,
    })
}

/// Appends `AND <matters aliased m visible to actor>`.
pub(crate) fn push_matter_visible(sql: &mut Sql, actor: &Actor, m: &str) {
    let me = sql_bind_user(sql, actor);
    sql.push(&format!(" AND NOT EXISTS (SELECT 1 FROM ethical_walls ew WHERE ew.matter_id = {m}.id AND ew.user_id = {me})"));
    match actor.role {
        Role::Admin => {}
        Role::Attorney | Role::Staff => {
            sql.push(&format!(" AND EXISTS (SELECT 1 FROM matter_team mt WHERE mt.matter_id = {m}.id AND mt.user_id = {me})"));
        }
        Role::VirtualAssistant | Role::LpoReviewer | Role::LpoManager => {
            sql.push(&format!(
                " AND EXISTS (SELECT 1 FROM work_items aw WHERE aw.matter_id = {m}.id AND "
            ));
            push_assigned_to_actor(sql, actor, "aw", &me);
            sql.push(")");
        }
        Role::Client => sql.push(" AND 1 = 0"),
    };
}

fn sql_bind_user(sql: &mut Sql, actor: &Actor) -> String {
    sql.param(Arg::Text(actor.user_id.to_string()))
}

/// Appends the condition "work item `w` is assigned to the actor (or, for an LPO manager, to a
/// member of the manager's organization)".
pub(crate) fn push_assigned_to_actor(sql: &mut Sql, actor: &Actor, w: &str, me: &str) {
    match (actor.role, actor.organization_id) {
        (Role::LpoManager, Some(org)) => {
            sql.push(&format!("({w}.assignee = {me} OR {w}.assignee IN (SELECT u.id FROM users u WHERE u.organization_id = "));
            sql.bind_text(org.to_string());
            sql.push("))");
        }
        _ => sql.push(&format!("{w}.assignee = {me}")),
    };
}

async fn next_sequence(tx: &mut Transaction<'static, Any>, scope: &str) -> Result<i64> {
    sqlx::query(
        "INSERT INTO sequences (scope, last_value) VALUES ($1, 0) ON CONFLICT (scope) DO NOTHING",
    )
    .bind(scope)
    .execute(&mut **tx)
    .await?;
    let (v,): (i64,) = sqlx::query_as(
        "UPDATE sequences SET last_value = last_value + 1 WHERE scope = $1 RETURNING last_value",
    )
    .bind(scope)
    .fetch_one(&mut **tx)
    .await?;
    Ok(v)
}

impl Store {
    pub async fn create_client(&self, client: &Client, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO clients (id, contact_id, code, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(client.id.to_string())
        .bind(client.contact_id.to_string())
        .bind(&client.code)
        .bind(ts(client.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            crate::conflict_on_unique(e, || {
                format!("client code {} or its contact is already a client", client.code)
            })
        })?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn client(&self, id: Id) -> Result<Client> {
        let row = sqlx::query("SELECT cl.*, c.name FROM clients cl JOIN contacts c ON c.id = cl.contact_id WHERE cl.id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("client"))?;
        client_from_row(&row)
    }

    pub async fn list_clients(&self, q: Option<&str>, page: Page) -> Result<(Vec<Client>, bool)> {
        let mut sql =
            Sql::new("SELECT cl.*, c.name FROM clients cl JOIN contacts c ON c.id = cl.contact_id");
        if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
            sql.push(" WHERE LOWER(c.name) LIKE ");
            let p = sql.bind_text(like_pattern(q));
            sql.push(&format!(" ESCAPE '\\' OR LOWER(cl.code) LIKE {p} ESCAPE '\\'"));
        }
        sql.push(" ORDER BY c.name, cl.id");
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows.iter().map(client_from_row).collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut out);
        Ok((out, more))
    }

    /// Opens a matter: assigns its number from the scheme's sequence, adds the client as a
    /// party and the team, all in one transaction.
    pub async fn create_matter(
        &self,
        input: &MatterInput,
        scheme: &NumberScheme,
        audit: AuditEvent,
    ) -> Result<Matter> {
        let mut m = input.matter.clone();
        m.validate()?;
        let mut tx = self.write.begin().await?;
        let year = m.opened_on.year();
        let scope = format!(
            "matter:{}:{}",
            if scheme.per_year() { year.to_string() } else { "*".into() },
            if scheme.per_client() { input.client_code.as_str() } else { "*" }
        );
        let seq = next_sequence(&mut tx, &scope).await?;
        m.number = scheme.render(year, &input.client_code, u64::try_from(seq).unwrap_or(0))?;
        sqlx::query(
            "INSERT INTO matters (id, number, client_id, title, practice_area, court, case_number, status, responsible_attorney, \
             originating_attorney, onshore_only, opened_on, closed_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(m.id.to_string())
        .bind(&m.number)
        .bind(m.client_id.to_string())
        .bind(&m.title)
        .bind(&m.practice_area)
        .bind(&m.court)
        .bind(&m.case_number)
        .bind(m.status.as_str())
        .bind(m.responsible_attorney.map(|i| i.to_string()))
        .bind(m.originating_attorney.map(|i| i.to_string()))
        .bind(i64::from(m.onshore_only))
        .bind(m.opened_on.to_string())
        .bind(m.closed_on.map(|d| d.to_string()))
        .bind(ts(m.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            crate::conflict_on_unique(e, || {
                format!("matter number {} is taken; check the numbering scheme", m.number)
            })
        })?;
        let client_contact: (String,) =
            sqlx::query_as("SELECT contact_id FROM clients WHERE id = $1")
                .bind(m.client_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        insert_party(
            &mut tx,
            Id::new_at(m.created_at),
            m.id,
            &client_contact.0,
            PartyRole::Client,
            m.created_at,
        )
        .await?;
        let mut team: Vec<Id> = input.team.clone();
        team.extend(m.responsible_attorney);
        team.extend(m.originating_attorney);
        team.sort();
        team.dedup();
        for user in team {
            sqlx::query(
                "INSERT INTO matter_team (matter_id, user_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(m.id.to_string())
            .bind(user.to_string())
            .bind(ts(m.created_at))
            .execute(&mut *tx)
            .await?;
        }
        let mut audit = audit;
        audit.entity_id = m.id.to_string();
        audit.detail = serde_json::json!({"number": m.number, "title": m.title, "onshore_only": m.onshore_only});
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn update_matter(
        &self,
        m: &Matter,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        m.validate()?;
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE matters SET title = $1, practice_area = $2, court = $3, case_number = $4, status = $5, responsible_attorney = $6, \
             originating_attorney = $7, onshore_only = $8, closed_on = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(&m.title)
        .bind(&m.practice_area)
        .bind(&m.court)
        .bind(&m.case_number)
        .bind(m.status.as_str())
        .bind(m.responsible_attorney.map(|i| i.to_string()))
        .bind(m.originating_attorney.map(|i| i.to_string()))
        .bind(i64::from(m.onshore_only))
        .bind(m.closed_on.map(|d| d.to_string()))
        .bind(ts(now))
        .bind(m.id.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("matter"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn matter(&self, id: Id) -> Result<Matter> {
        let row = sqlx::query("SELECT * FROM matters WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("matter"))?;
        matter_from_row(&row)
    }

    pub async fn matter_by_number(&self, number: &str) -> Result<Option<Matter>> {
        let row = sqlx::query("SELECT * FROM matters WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(matter_from_row).transpose()
    }

    /// The matters `actor` may see, filtered, sorted and paged.
    pub async fn list_matters(
        &self,
        actor: &Actor,
        f: &MatterFilter,
        page: Page,
    ) -> Result<(Vec<MatterRow>, bool)> {
        let mut sql = Sql::new(
            "SELECT m.*, c.name AS client_name FROM matters m JOIN clients cl ON cl.id = m.client_id \
             JOIN contacts c ON c.id = cl.contact_id WHERE 1 = 1",
        );
        push_matter_visible(&mut sql, actor, "m");
        if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            sql.push(" AND (LOWER(m.title) LIKE ");
            let p = sql.bind_text(like_pattern(q));
            sql.push(&format!(
                " ESCAPE '\\' OR LOWER(m.number) LIKE {p} ESCAPE '\\' OR LOWER(c.name) LIKE {p} ESCAPE '\\' OR LOWER(m.case_number) LIKE {p} ESCAPE '\\')"
            ));
        }
        if let Some(s) = f.status {
            sql.push(" AND m.status = ");
            sql.bind_text(s.as_str());
        }
        if let Some(c) = f.client_id {
            sql.push(" AND m.client_id = ");
            sql.bind_text(c.to_string());
        }
        sql.push(match f.sort.as_deref() {
            Some("title") => " ORDER BY m.title, m.id",
            Some("client") => " ORDER BY c.name, m.number",
            Some("opened") => " ORDER BY m.opened_on DESC, m.id DESC",
            _ => " ORDER BY m.number, m.id",
        });
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(MatterRow { matter: matter_from_row(r)?, client_name: r.text("client_name")? })
            })
            .collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut out);
        Ok((out, more))
    }

    /// The facts `domain::Policy` needs about `actor` and one matter.
    pub async fn matter_access(&self, actor: &Actor, matter: Id) -> Result<MatterAccess> {
        let mut sql = Sql::new("SELECT ");
        let me = sql_bind_user(&mut sql, actor);
        sql.push(&format!(
            "(SELECT COUNT(*) FROM matter_team WHERE matter_id = m.id AND user_id = {me}) AS on_team, \
             (SELECT COUNT(*) FROM ethical_walls WHERE matter_id = m.id AND user_id = {me}) AS walled, \
             (SELECT COUNT(*) FROM work_items aw WHERE aw.matter_id = m.id AND "
        ));
        push_assigned_to_actor(&mut sql, actor, "aw", &me);
        sql.push(") AS assigned, m.responsible_attorney FROM matters m WHERE m.id = ");
        sql.bind_text(matter.to_string());
        let row =
            sql.query().fetch_optional(&self.read).await?.ok_or(StoreError::NotFound("matter"))?;
        Ok(MatterAccess {
            on_team: row.int("on_team")? > 0,
            walled: row.int("walled")? > 0,
            has_assigned_work: row.int("assigned")? > 0,
            is_responsible_attorney: row.opt_text("responsible_attorney")?.as_deref()
                == Some(&actor.user_id.to_string()),
        })
    }

    /// The facts `domain::Policy` needs about `actor` and one work item.
    pub async fn work_access(&self, actor: &Actor, work_item: Id) -> Result<(Id, WorkAccess)> {
        let row = sqlx::query("SELECT w.matter_id, w.assignee, u.organization_id FROM work_items w LEFT JOIN users u ON u.id = w.assignee WHERE w.id = $1")
            .bind(work_item.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("work item"))?;
        let matter_id = row.id("matter_id")?;
        let assignee = opt_id(row.opt_text("assignee")?)?;
        let assignee_org = opt_id(row.opt_text("organization_id")?)?;
        let matter = self.matter_access(actor, matter_id).await?;
        Ok((
            matter_id,
            WorkAccess {
                matter,
                assigned_to_actor: assignee == Some(actor.user_id),
                assigned_to_actor_org: actor.organization_id.is_some()
                    && assignee_org == actor.organization_id,
            },
        ))
    }

    pub async fn add_party(
        &self,
        matter: Id,
        contact: Id,
        role: PartyRole,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<Id> {
        let mut tx = self.write.begin().await?;
        let id = Id::new_at(now);
        insert_party(&mut tx, id, matter, &contact.to_string(), role, now).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn remove_party(&self, matter: Id, party: Id, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query("DELETE FROM matter_parties WHERE id = $1 AND matter_id = $2")
            .bind(party.to_string())
            .bind(matter.to_string())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("party"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn parties(&self, matter: Id) -> Result<Vec<MatterParty>> {
        let rows = sqlx::query(
            "SELECT p.*, c.name AS contact_name FROM matter_parties p JOIN contacts c ON c.id = p.contact_id \
             WHERE p.matter_id = $1 ORDER BY p.role, c.name",
        )
        .bind(matter.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MatterParty {
                    id: r.id("id")?,
                    matter_id: r.id("matter_id")?,
                    contact_id: r.id("contact_id")?,
                    contact_name: r.text("contact_name")?,
                    role: PartyRole::parse(&r.text("role")?)?,
                })
            })
            .collect()
    }

    /// Matters (any status) in which a contact is a party, with the role: for conflict checks
    /// and the contact page.
    pub async fn matters_of_contact(&self, contact: Id) -> Result<Vec<(Matter, PartyRole)>> {
        let rows = sqlx::query("SELECT m.*, p.role AS party_role FROM matter_parties p JOIN matters m ON m.id = p.matter_id WHERE p.contact_id = $1 ORDER BY m.number")
            .bind(contact.to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok((matter_from_row(r)?, PartyRole::parse(&r.text("party_role")?)?)))
            .collect()
    }

    pub async fn team(&self, matter: Id) -> Result<Vec<domain::User>> {
        let rows = sqlx::query("SELECT u.id FROM matter_team t JOIN users u ON u.id = t.user_id WHERE t.matter_id = $1 ORDER BY u.display_name")
            .bind(matter.to_string())
            .fetch_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.user(r.id("id")?).await?);
        }
        Ok(out)
    }

    pub async fn set_team_member(
        &self,
        matter: Id,
        user: Id,
        member: bool,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        if member {
            sqlx::query("INSERT INTO matter_team (matter_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (matter_id, user_id) DO NOTHING")
                .bind(matter.to_string())
                .bind(user.to_string())
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("DELETE FROM matter_team WHERE matter_id = $1 AND user_id = $2")
                .bind(matter.to_string())
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walls a user off a matter; also removes them from its team so nothing stale remains.
    pub async fn add_wall(
        &self,
        matter: Id,
        user: Id,
        reason: &str,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(
                domain::DomainError::invalid("reason", "an ethical wall needs a reason").into()
            );
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO ethical_walls (matter_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (matter_id, user_id) DO NOTHING")
            .bind(matter.to_string())
            .bind(user.to_string())
            .bind(reason)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM matter_team WHERE matter_id = $1 AND user_id = $2")
            .bind(matter.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn walls(&self, matter: Id) -> Result<Vec<(domain::User, String)>> {
        let rows = sqlx::query(
            "SELECT user_id, reason FROM ethical_walls WHERE matter_id = $1 ORDER BY created_at",
        )
        .bind(matter.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            out.push((self.user(r.id("user_id")?).await?, r.text("reason")?));
        }
        Ok(out)
    }

    pub async fn count(&self, table: &str) -> Result<i64> {
        if !crate::migrate::tables().contains(&table) {
            return Err(StoreError::NotFound("table"));
        }
        let (n,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&self.read)
                .await?;
        Ok(n)
    }
}

async fn insert_party(
    tx: &mut Transaction<'static, Any>,
    id: Id,
    matter: Id,
    contact: &str,
    role: PartyRole,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO matter_parties (id, matter_id, contact_id, role, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (matter_id, contact_id, role) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(matter.to_string())
    .bind(contact)
    .bind(role.as_str())
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn client_from_row(r: &AnyRow) -> Result<Client> {
    Ok(Client {
        id: r.id("id")?,
        contact_id: r.id("contact_id")?,
        name: r.text("name")?,
        code: r.text("code")?,
        created_at: r.time("created_at")?,
    })
}
