//! Storage for lawdesk: one SQL layer over SQLite and PostgreSQL, migrations, the audit log, and the blob store.
//!
//! Both backends run the same SQL through sqlx's `Any` driver; the schema keeps to the portable
//! subset (see `migrations/0001_init.sql`). Invariants kept here:
//! - Every mutating method takes an [`AuditEvent`] and writes it in the same transaction as the
//!   change, so a change without its audit entry cannot be committed.
//! - SQLite has exactly one writer connection (WAL lets readers proceed), so writers queue in
//!   the pool instead of failing with `SQLITE_BUSY`.

mod audit;
pub mod backup;
pub mod billing;
pub mod blobs;
mod contacts;
pub mod delegation;
pub mod docket;
pub mod intake;
mod matters;
mod migrate;
pub mod review;
pub mod scratch;
mod sql;
mod users;
mod work;

pub use audit::{AuditEntry, AuditEvent, AuditVerification};
pub use blobs::BlobStore;
pub use matters::{MatterFilter, MatterInput, MatterRow};
pub use sql::Page;
pub use users::{ApiTokenRow, SessionRow, UserRow};
pub use work::{Attachment, WorkComment, WorkFilter, WorkItemInput, WorkItemRow};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("file error at {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Domain(#[from] domain::DomainError),
    #[error("blob store error: {0}")]
    Blob(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique-constraint violation to a `Conflict` with a message the user can act on;
/// any other database error passes through unchanged.
pub(crate) fn conflict_on_unique(e: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
        StoreError::Conflict(message())
    } else {
        e.into()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Handle to the database and the blob store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    blobs: BlobStore,
    /// The local data folder: the SQLite database, local blobs and search indexes live under it.
    data_dir: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the embedded SQLite database in `data_dir`, with blobs beside it.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(StoreError::io(data_dir))?;
        let db = data_dir.join("lawdesk.db");
        let url = format!("sqlite://{}?mode=rwc", db.display());
        install_default_drivers();
        let pragmas = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                       PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
        let options = || {
            AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30)).after_connect(
                move |conn, _| {
                    Box::pin(async move {
                        conn.execute(pragmas).await?;
                        Ok(())
                    })
                },
            )
        };
        let write = options().max_connections(1).connect(&url).await?;
        let read = options().max_connections(8).connect(&url).await?;
        let store = Store {
            backend: Backend::Sqlite,
            read,
            write,
            blobs: BlobStore::local(data_dir.join("blobs")),
            data_dir: data_dir.to_path_buf(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Connects to PostgreSQL at `url`; blobs go to `data_dir`.
    pub async fn open_postgres(url: &str, data_dir: &Path) -> Result<Store> {
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        let store = Store {
            backend: Backend::Postgres,
            read: pool.clone(),
            write: pool,
            blobs: BlobStore::local(data_dir.join("blobs")),
            data_dir: data_dir.to_path_buf(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the backend named by `database_url` (`postgres://…`), or SQLite in `data_dir`.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Store> {
        match database_url {
            Some(url) if url.starts_with("postgres") => Store::open_postgres(url, data_dir).await,
            Some(url) => Err(StoreError::Conflict(format!(
                "unsupported database URL {url:?}: use postgres://… or leave it out for SQLite"
            ))),
            None => Store::open_sqlite(data_dir).await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The same database with its files in `blobs` (e.g. an S3 bucket instead of the data folder).
    /// The local data folder (also when blobs live in an object store).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn with_blobs(mut self, blobs: BlobStore) -> Store {
        self.blobs = blobs;
        self
    }

    pub async fn migrate(&self) -> Result<usize> {
        migrate::run(&self.write, self.backend).await
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn set_setting(&self, key: &str, value: &str, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
