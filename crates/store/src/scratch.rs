//! Throw-away PostgreSQL databases with unique names, for benchmarks that must not touch real data.

use crate::{Result, StoreError};
use sqlx::Connection;

/// A database created by [`create_scratch_postgres`]; pass it to [`drop_scratch_postgres`].
#[derive(Debug, Clone)]
pub struct ScratchDatabase {
    /// The URL of the server's existing database used to create and drop the scratch one.
    pub admin_url: String,
    pub name: String,
    /// The URL to open the scratch database with.
    pub url: String,
}

/// Creates `lawdesk_<purpose>_<uuid>` on the server behind `admin_url` (a `postgres://…/db` URL).
pub async fn create_scratch_postgres(admin_url: &str, purpose: &str) -> Result<ScratchDatabase> {
    sqlx::any::install_default_drivers();
    if !purpose.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(StoreError::Conflict(format!("bad scratch database purpose {purpose:?}")));
    }
    let (without_query, query) = match admin_url.split_once('?') {
        Some((u, q)) => (u, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let Some((base, _)) = without_query.rsplit_once('/').filter(|(b, _)| b.contains("://")) else {
        return Err(StoreError::Conflict(format!(
            "{admin_url:?} is not a postgres://host/database URL"
        )));
    };
    let name = format!("lawdesk_{purpose}_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::AnyConnection::connect(admin_url).await?;
    // Safe: the name is built from a checked purpose and a UUID.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let url = format!("{base}/{name}{query}");
    Ok(ScratchDatabase { admin_url: admin_url.to_string(), name, url })
}

/// Drops a scratch database, disconnecting anyone still using it.
pub async fn drop_scratch_postgres(db: &ScratchDatabase) -> Result<()> {
    let mut conn = sqlx::AnyConnection::connect(&db.admin_url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name)))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}
