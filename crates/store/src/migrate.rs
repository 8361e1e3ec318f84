//! Embedded migrations: one history for both backends, with an optional per-backend variant of a step.

use crate::{Backend, Result, StoreError, sql::ts};
use sqlx::{AnyPool, Executor};

struct Migration {
    version: i64,
    name: &'static str,
    portable: Option<&'static str>,
    sqlite: Option<&'static str>,
    postgres: Option<&'static str>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        portable: Some(include_str!("../migrations/0001_init.sql")),
        sqlite: None,
        postgres: None,
    },
    Migration {
        version: 2,
        name: "audit_guard",
        portable: None,
        sqlite: Some(include_str!("../migrations/0002_audit_guard.sqlite.sql")),
        postgres: Some(include_str!("../migrations/0002_audit_guard.postgres.sql")),
    },
];

/// Applies every migration not yet applied, each in its own transaction. Returns how many ran.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<usize> {
    pool.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, \
         name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    let applied: Vec<(i64,)> =
        sqlx::query_as("SELECT version FROM schema_migrations").fetch_all(pool).await?;
    let mut ran = 0;
    for m in MIGRATIONS {
        if applied.iter().any(|(v,)| *v == m.version) {
            continue;
        }
        let sql = match backend {
            Backend::Sqlite => m.sqlite.or(m.portable),
            Backend::Postgres => m.postgres.or(m.portable),
        }
        .ok_or_else(|| StoreError::Corrupt(format!("migration {} has no SQL", m.name)))?;
        let mut tx = pool.begin().await?;
        // raw_sql: several statements in one string, no parameters.
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(ts(chrono::Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        ran += 1;
    }
    Ok(ran)
}

/// The tables in an order that satisfies foreign keys (parents first); backup and restore use it.
pub const TABLES: &[&str] = &[
    "settings",
    "users",
    "sessions",
    "api_tokens",
    "contacts",
    "contact_names",
    "relationships",
    "clients",
    "matters",
    "sequences",
    "matter_parties",
    "matter_team",
    "ethical_walls",
    "work_items",
    "work_comments",
    "attachments",
    "audit_log",
    "audit_head",
];
