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
    Migration {
        version: 3,
        name: "delegation",
        portable: Some(include_str!("../migrations/0003_delegation.sql")),
        sqlite: None,
        postgres: None,
    },
    Migration {
        version: 4,
        name: "docket",
        portable: Some(include_str!("../migrations/0004_docket.sql")),
        sqlite: None,
        postgres: None,
    },
    Migration {
        version: 5,
        name: "billing",
        portable: Some(include_str!("../migrations/0005_billing.sql")),
        sqlite: None,
        postgres: None,
    },
    Migration {
        version: 6,
        name: "intake",
        portable: Some(include_str!("../migrations/0006_intake.sql")),
        sqlite: None,
        postgres: None,
    },
    Migration {
        version: 7,
        name: "review",
        portable: Some(include_str!("../migrations/0007_review.sql")),
        sqlite: None,
        postgres: None,
    },
    Migration {
        version: 8,
        name: "foundation_indexes",
        portable: Some(include_str!("../migrations/0008_foundation_indexes.sql")),
        sqlite: None,
        postgres: None,
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

/// The platform's tables in an order that satisfies foreign keys (parents first).
const CORE_TABLES: &[&str] = &[
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
];

/// Every table in an order that satisfies foreign keys (parents first): the platform's, then each
/// capability's, then the audit log. Backup and restore use it.
pub fn tables() -> Vec<&'static str> {
    let mut all = CORE_TABLES.to_vec();
    for module in [
        crate::delegation::TABLES,
        crate::docket::TABLES,
        crate::billing::TABLES,
        crate::intake::TABLES,
        crate::review::TABLES,
    ] {
        all.extend_from_slice(module);
    }
    all.extend_from_slice(&["audit_log", "audit_head"]);
    all
}
