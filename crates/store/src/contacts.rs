//! Contacts, their names (primary, aliases, former) and relationships between them.

use crate::audit::{AuditEvent, append};
use crate::sql::{Page, RowExt, Sql, like_pattern, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::contact::normalize_name;
use domain::{Contact, ContactKind, Id, Relationship, RelationshipKind};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

fn json(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings always serializes")
}

fn contact_from_row(r: &AnyRow, names: &[(String, String)]) -> Result<Contact> {
    let pick =
        |kind: &str| names.iter().filter(|(k, _)| k == kind).map(|(_, n)| n.clone()).collect();
    Ok(Contact {
        id: r.id("id")?,
        kind: ContactKind::parse(&r.text("kind")?)?,
        name: r.text("name")?,
        aliases: pick("alias"),
        former_names: pick("former"),
        emails: r.strings("emails")?,
        phones: r.strings("phones")?,
        addresses: r.strings("addresses")?,
        notes: r.text("notes")?,
        created_at: r.time("created_at")?,
    })
}

async fn write_names(tx: &mut Transaction<'static, Any>, c: &Contact) -> Result<()> {
    sqlx::query("DELETE FROM contact_names WHERE contact_id = $1")
        .bind(c.id.to_string())
        .execute(&mut **tx)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let names = std::iter::once(("primary", &c.name))
        .chain(c.aliases.iter().map(|a| ("alias", a)))
        .chain(c.former_names.iter().map(|a| ("former", a)));
    for (kind, name) in names {
        if !seen.insert((kind, name.clone())) {
            continue;
        }
        sqlx::query("INSERT INTO contact_names (contact_id, kind, name, name_normalized) VALUES ($1, $2, $3, $4)")
            .bind(c.id.to_string())
            .bind(kind)
            .bind(name)
            .bind(normalize_name(name))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn create_contact(&self, c: &Contact, audit: AuditEvent) -> Result<()> {
        c.validate()?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO contacts (id, kind, name, emails, phones, addresses, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(c.id.to_string())
        .bind(c.kind.as_str())
        .bind(&c.name)
        .bind(json(&c.emails))
        .bind(json(&c.phones))
        .bind(json(&c.addresses))
        .bind(&c.notes)
        .bind(ts(c.created_at))
        .execute(&mut *tx)
        .await?;
        write_names(&mut tx, c).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_contact(
        &self,
        c: &Contact,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        c.validate()?;
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE contacts SET kind = $1, name = $2, emails = $3, phones = $4, addresses = $5, notes = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(c.kind.as_str())
        .bind(&c.name)
        .bind(json(&c.emails))
        .bind(json(&c.phones))
        .bind(json(&c.addresses))
        .bind(&c.notes)
        .bind(ts(now))
        .bind(c.id.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("contact"));
        }
        write_names(&mut tx, c).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn names_of(&self, ids: &[String]) -> Result<Vec<(String, String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql =
            Sql::new("SELECT contact_id, kind, name FROM contact_names WHERE contact_id IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_text(id.clone());
        }
        sql.push(") ORDER BY name");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(|r| Ok((r.text("contact_id")?, r.text("kind")?, r.text("name")?))).collect()
    }

    async fn contacts_from_rows(&self, rows: Vec<AnyRow>) -> Result<Vec<Contact>> {
        let ids: Vec<String> = rows.iter().map(|r| r.text("id")).collect::<Result<_>>()?;
        let names = self.names_of(&ids).await?;
        rows.iter()
            .zip(&ids)
            .map(|(r, id)| {
                let mine: Vec<(String, String)> = names
                    .iter()
                    .filter(|(c, _, _)| c == id)
                    .map(|(_, k, n)| (k.clone(), n.clone()))
                    .collect();
                contact_from_row(r, &mine)
            })
            .collect()
    }

    pub async fn contact(&self, id: Id) -> Result<Contact> {
        let row = sqlx::query("SELECT * FROM contacts WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("contact"))?;
        Ok(self.contacts_from_rows(vec![row]).await?.remove(0))
    }

    /// Contacts whose any name (or email) contains `q`, case- and accent-insensitively.
    pub async fn list_contacts(
        &self,
        q: Option<&str>,
        kind: Option<ContactKind>,
        page: Page,
    ) -> Result<(Vec<Contact>, bool)> {
        let mut sql = Sql::new("SELECT * FROM contacts c WHERE 1 = 1");
        if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
            let norm = normalize_name(q);
            sql.push(" AND (EXISTS (SELECT 1 FROM contact_names n WHERE n.contact_id = c.id AND (n.name_normalized LIKE ");
            sql.bind_text(like_pattern(&norm));
            sql.push(" ESCAPE '\\' OR LOWER(n.name) LIKE ");
            let p = sql.bind_text(like_pattern(q));
            sql.push(&format!(" ESCAPE '\\')) OR LOWER(c.emails) LIKE {p} ESCAPE '\\')"));
        }
        if let Some(kind) = kind {
            sql.push(" AND c.kind = ");
            sql.bind_text(kind.as_str());
        }
        sql.push(" ORDER BY c.name, c.id");
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut contacts = self.contacts_from_rows(rows).await?;
        let more = page.finish(&mut contacts);
        Ok((contacts, more))
    }

    /// Contacts that share a normalized name word or an email with the given ones: the
    /// candidates a duplicate check then scores.
    pub async fn duplicate_candidates(
        &self,
        names: &[&str],
        emails: &[String],
    ) -> Result<Vec<Contact>> {
        let mut sql = Sql::new("SELECT * FROM contacts c WHERE 1 = 0");
        for name in names {
            for word in normalize_name(name).split(' ').filter(|w| w.len() >= 3) {
                sql.push(" OR EXISTS (SELECT 1 FROM contact_names n WHERE n.contact_id = c.id AND n.name_normalized LIKE ");
                sql.bind_text(like_pattern(word));
                sql.push(" ESCAPE '\\')");
            }
        }
        for email in emails {
            sql.push(" OR LOWER(c.emails) LIKE ");
            sql.bind_text(like_pattern(&format!("\"{}\"", email.trim().to_lowercase())));
            sql.push(" ESCAPE '\\'");
        }
        sql.push(" ORDER BY c.name LIMIT 200");
        let rows = sql.query().fetch_all(&self.read).await?;
        self.contacts_from_rows(rows).await
    }

    pub async fn add_relationship(
        &self,
        r: &Relationship,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        if r.from_contact == r.to_contact {
            return Err(StoreError::Conflict("a contact cannot be related to itself".into()));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO relationships (id, from_contact, kind, to_contact, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (from_contact, kind, to_contact) DO NOTHING",
        )
        .bind(r.id.to_string())
        .bind(r.from_contact.to_string())
        .bind(r.kind.as_str())
        .bind(r.to_contact.to_string())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Relationships in which `contact` takes part, with the other contact's name.
    pub async fn relationships_of(&self, contact: Id) -> Result<Vec<(Relationship, String)>> {
        let rows = sqlx::query(
            "SELECT r.*, a.name AS from_name, b.name AS to_name FROM relationships r \
             JOIN contacts a ON a.id = r.from_contact JOIN contacts b ON b.id = r.to_contact \
             WHERE r.from_contact = $1 OR r.to_contact = $1 ORDER BY r.created_at",
        )
        .bind(contact.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let rel = Relationship {
                    id: r.id("id")?,
                    from_contact: r.id("from_contact")?,
                    kind: RelationshipKind::parse(&r.text("kind")?)?,
                    to_contact: r.id("to_contact")?,
                };
                let other = if rel.from_contact == contact {
                    r.text("to_name")?
                } else {
                    r.text("from_name")?
                };
                Ok((rel, other))
            })
            .collect()
    }
}
