//! Users, sign-in sessions and API tokens. Secrets are stored only as hashes.

use crate::audit::{AuditEvent, append};
use crate::sql::{Page, RowExt, Sql, opt_id, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::{Id, Role, User};
use sqlx::any::AnyRow;

/// A user with the password hash, for the sign-in path only.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// sha256 of the cookie value; the cookie itself is never stored.
    pub id_hash: String,
    pub user_id: Id,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub user_agent: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiTokenRow {
    pub id: Id,
    pub user_id: Id,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn user_from_row(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: r.id("id")?,
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        role: Role::parse(&r.text("role")?)?,
        organization_id: opt_id(r.opt_text("organization_id")?)?,
        active: r.flag("active")?,
        created_at: r.time("created_at")?,
    })
}

fn session_from_row(r: &AnyRow) -> Result<SessionRow> {
    Ok(SessionRow {
        id_hash: r.text("id_hash")?,
        user_id: r.id("user_id")?,
        csrf_token: r.text("csrf_token")?,
        created_at: r.time("created_at")?,
        expires_at: r.time("expires_at")?,
        revoked_at: r.opt_text("revoked_at")?.as_deref().map(crate::sql::parse_ts).transpose()?,
        user_agent: r.text("user_agent")?,
        ip: r.text("ip")?,
    })
}

impl Store {
    pub async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let now = ts(user.created_at);
        sqlx::query(
            "INSERT INTO users (id, email, display_name, role, organization_id, password_hash, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(user.id.to_string())
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.organization_id.map(|o| o.to_string()))
        .bind(password_hash)
        .bind(i64::from(user.active))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            crate::conflict_on_unique(e, || format!("a user with email {} already exists", user.email))
        })?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user(&self, id: Id) -> Result<User> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        user_from_row(&row)
    }

    pub async fn user_for_sign_in(&self, email: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| {
            Ok(UserRow { user: user_from_row(&r)?, password_hash: r.text("password_hash")? })
        })
        .transpose()
    }

    pub async fn count_users(&self) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&self.read).await?;
        Ok(n)
    }

    pub async fn list_users(&self, q: Option<&str>, page: Page) -> Result<(Vec<User>, bool)> {
        let mut sql = Sql::new("SELECT * FROM users");
        if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
            sql.push(" WHERE LOWER(display_name) LIKE ");
            let p = sql.bind_text(crate::sql::like_pattern(q));
            sql.push(&format!(" ESCAPE '\\' OR email LIKE {p} ESCAPE '\\'"));
        }
        sql.push(" ORDER BY display_name, id");
        page.push_limit(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut users = rows.iter().map(user_from_row).collect::<Result<Vec<_>>>()?;
        let more = page.finish(&mut users);
        Ok((users, more))
    }

    /// Users of the given roles, active only: for assignee and team pickers.
    pub async fn users_with_roles(&self, roles: &[Role]) -> Result<Vec<User>> {
        let mut sql = Sql::new("SELECT * FROM users WHERE active = 1 AND role IN (");
        for (i, r) in roles.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_text(r.as_str());
        }
        sql.push(") ORDER BY display_name");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Changes role, name, organization or active flag. Deactivation also revokes sessions and
    /// tokens in the same transaction, so a deactivated user is locked out at once.
    pub async fn update_user(
        &self,
        user: &User,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, organization_id = $3, active = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.organization_id.map(|o| o.to_string()))
        .bind(i64::from(user.active))
        .bind(ts(now))
        .bind(user.id.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        if !user.active {
            for table in ["sessions", "api_tokens"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
                )))
                .bind(ts(now))
                .bind(user.id.to_string())
                .execute(&mut *tx)
                .await?;
            }
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_password_hash(
        &self,
        user: Id,
        hash: &str,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(ts(now))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(&self, s: &SessionRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, revoked_at, user_agent, ip) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id.to_string())
        .bind(&s.csrf_token)
        .bind(ts(s.created_at))
        .bind(ts(s.expires_at))
        .bind(&s.user_agent)
        .bind(&s.ip)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session with this hash and its (active) user, if any.
    pub async fn live_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(SessionRow, User)>> {
        let row = sqlx::query(
            "SELECT * FROM sessions WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = session_from_row(&row)?;
        let user = self.user(session.user_id).await?;
        Ok(user.active.then_some((session, user)))
    }

    pub async fn sessions_of(&self, user: Id) -> Result<Vec<SessionRow>> {
        let rows = sqlx::query(
            "SELECT * FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 50",
        )
        .bind(user.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(session_from_row).collect()
    }

    /// Revokes one session (by hash) or all of a user's sessions (`id_hash = None`).
    pub async fn revoke_sessions(
        &self,
        user: Id,
        id_hash: Option<&str>,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<u64> {
        let mut tx = self.write.begin().await?;
        let mut sql = Sql::new("UPDATE sessions SET revoked_at = ");
        sql.bind_text(ts(now));
        sql.push(" WHERE revoked_at IS NULL AND user_id = ");
        sql.bind_text(user.to_string());
        if let Some(h) = id_hash {
            sql.push(" AND id_hash = ");
            sql.bind_text(h);
        }
        let n = sql.query().execute(&mut *tx).await?.rows_affected();
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn create_api_token(
        &self,
        token: &ApiTokenRow,
        token_hash: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL)")
            .bind(token.id.to_string())
            .bind(token.user_id.to_string())
            .bind(&token.name)
            .bind(token_hash)
            .bind(ts(token.created_at))
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The active user owning an unrevoked token with this hash.
    pub async fn user_for_token(&self, token_hash: &str) -> Result<Option<User>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        let Some((user_id,)) = row else { return Ok(None) };
        let user = self.user(crate::sql::parse_id(&user_id)?).await?;
        Ok(user.active.then_some(user))
    }

    pub async fn api_tokens_of(&self, user: Id) -> Result<Vec<ApiTokenRow>> {
        let rows =
            sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC")
                .bind(user.to_string())
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenRow {
                    id: r.id("id")?,
                    user_id: r.id("user_id")?,
                    name: r.text("name")?,
                    created_at: r.time("created_at")?,
                    revoked_at: r
                        .opt_text("revoked_at")?
                        .as_deref()
                        .map(crate::sql::parse_ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    pub async fn revoke_api_token(
        &self,
        user: Id,
        token: Id,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(ts(now))
            .bind(token.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("API token"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
