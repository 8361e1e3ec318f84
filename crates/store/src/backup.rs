//! Portable backups: one tar file holding every table as JSON lines (read in one snapshot
//! transaction, so the server can keep running) and every blob the tables refer to. A backup
//! restores into either backend, so it doubles as the way to move from SQLite to PostgreSQL.

use crate::blobs::sha256_hex;
use crate::migrate::tables;
use crate::{Backend, Result, Store, StoreError};
use serde_json::{Map, Value};
use sqlx::{AssertSqlSafe, Column, Row, ValueRef};
use std::io::{BufRead, Read, Write};
use std::path::Path;

const FORMAT: &str = "lawdesk-backup-1";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub source_backend: String,
    pub tables: Vec<(String, u64)>,
    pub blobs: u64,
}

fn value_at(row: &sqlx::any::AnyRow, i: usize, name: &str) -> Result<Value> {
    if row.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    if let Ok(s) = row.try_get::<String, _>(i) {
        return Ok(Value::String(s));
    }
    if let Ok(b) = row.try_get::<bool, _>(i) {
        return Ok(Value::Bool(b));
    }
    if let Ok(n) = row.try_get::<i64, _>(i) {
        return Ok(Value::from(n));
    }
    Err(StoreError::Corrupt(format!("column {name} has a type backups do not handle")))
}

fn append_file(
    tar: &mut tar::Builder<impl Write>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)
}

impl Store {
    /// Writes a consistent snapshot of the database and its blobs to `out` (a tar file).
    pub async fn backup(
        &self,
        out: &Path,
        now: chrono::DateTime<chrono::Utc>,
        mut progress: impl FnMut(&str, u64),
    ) -> Result<Manifest> {
        let mut tx = self.read.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let tmp = out.with_extension("partial");
        let file = std::fs::File::create(&tmp).map_err(StoreError::io(&tmp))?;
        let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
        let mut counts = Vec::new();
        let mut blob_hashes = std::collections::BTreeSet::new();
        for table in tables() {
            let rows = sqlx::query(AssertSqlSafe(format!("SELECT * FROM {table}")))
                .fetch_all(&mut *tx)
                .await?;
            let mut lines = Vec::new();
            for row in &rows {
                let mut obj = Map::new();
                for (i, col) in row.columns().iter().enumerate() {
                    obj.insert(col.name().to_string(), value_at(row, i, col.name())?);
                }
                // Any table may refer to a blob through a `blob_sha256` column (attachments,
                // conflict waivers); NULL means no file.
                if let Some(Value::String(sha)) = obj.get("blob_sha256") {
                    blob_hashes.insert(sha.clone());
                }
                serde_json::to_writer(&mut lines, &obj)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                lines.push(b'\n');
            }
            append_file(&mut tar, &format!("tables/{table}.jsonl"), &lines)
                .map_err(StoreError::io(&tmp))?;
            counts.push((table.to_string(), rows.len() as u64));
            progress(table, rows.len() as u64);
        }
        tx.commit().await?;
        for sha in &blob_hashes {
            let bytes = self.blobs.get(sha).await?;
            append_file(&mut tar, &format!("blobs/{sha}"), &bytes).map_err(StoreError::io(&tmp))?;
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            created_at: crate::sql::ts(now),
            source_backend: format!("{:?}", self.backend).to_lowercase(),
            tables: counts,
            blobs: blob_hashes.len() as u64,
        };
        let json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
        append_file(&mut tar, "manifest.json", &json).map_err(StoreError::io(&tmp))?;
        let mut inner = tar.into_inner().map_err(StoreError::io(&tmp))?;
        inner.flush().map_err(StoreError::io(&tmp))?;
        inner.get_ref().sync_all().map_err(StoreError::io(&tmp))?;
        drop(inner);
        std::fs::rename(&tmp, out).map_err(StoreError::io(out))?;
        Ok(manifest)
    }

    /// Restores a backup into this store, which must be empty (freshly migrated): restoring
    /// over live data would mix two histories and break the audit chain.
    pub async fn restore(
        &self,
        input: &Path,
        mut progress: impl FnMut(&str, u64),
    ) -> Result<Manifest> {
        if self.count_users().await? > 0 || self.count("audit_log").await? > 0 {
            return Err(StoreError::Conflict(
                "restore needs an empty database; use a new --data-dir or database".into(),
            ));
        }
        let file = std::fs::File::open(input).map_err(StoreError::io(input))?;
        let mut archive = tar::Archive::new(std::io::BufReader::new(file));
        let mut tables: std::collections::HashMap<String, Vec<u8>> = Default::default();
        let mut manifest: Option<Manifest> = None;
        let mut blob_count = 0;
        for entry in archive.entries().map_err(StoreError::io(input))? {
            let mut entry = entry.map_err(StoreError::io(input))?;
            let name = entry.path().map_err(StoreError::io(input))?.to_string_lossy().to_string();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(StoreError::io(input))?;
            if let Some(t) = name.strip_prefix("tables/").and_then(|n| n.strip_suffix(".jsonl")) {
                tables.insert(t.to_string(), bytes);
            } else if let Some(sha) = name.strip_prefix("blobs/") {
                if sha256_hex(&bytes) != sha {
                    return Err(StoreError::Corrupt(format!(
                        "blob {sha} does not match its content"
                    )));
                }
                self.blobs.put(&bytes).await?;
                blob_count += 1;
            } else if name == "manifest.json" {
                manifest = Some(
                    serde_json::from_slice(&bytes)
                        .map_err(|e| StoreError::Corrupt(format!("manifest: {e}")))?,
                );
            }
        }
        let manifest = manifest
            .ok_or_else(|| StoreError::Corrupt("not a lawdesk backup (no manifest.json)".into()))?;
        if manifest.format != FORMAT {
            return Err(StoreError::Corrupt(format!(
                "unsupported backup format {}",
                manifest.format
            )));
        }
        if blob_count != manifest.blobs {
            return Err(StoreError::Corrupt(format!(
                "backup lists {} blobs but holds {blob_count}",
                manifest.blobs
            )));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM audit_head").execute(&mut *tx).await?;
        for table in crate::migrate::tables() {
            let Some(bytes) = tables.get(table) else {
                return Err(StoreError::Corrupt(format!("backup has no table {table}")));
            };
            let mut n = 0u64;
            for line in bytes.lines() {
                let line = line.map_err(StoreError::io(input))?;
                let obj: Map<String, Value> = serde_json::from_str(&line)
                    .map_err(|e| StoreError::Corrupt(format!("{table}: {e}")))?;
                let cols: Vec<&String> = obj.keys().collect();
                let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    cols.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                    placeholders.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for c in &cols {
                    q = match &obj[c.as_str()] {
                        Value::Null => q.bind(None::<String>),
                        Value::Bool(b) => q.bind(*b),
                        Value::Number(n) => q.bind(n.as_i64().ok_or_else(|| {
                            StoreError::Corrupt(format!("{table}.{c}: not an integer"))
                        })?),
                        Value::String(s) => q.bind(s.clone()),
                        other => {
                            return Err(StoreError::Corrupt(format!(
                                "{table}.{c}: unexpected {other}"
                            )));
                        }
                    };
                }
                q.execute(&mut *tx).await?;
                n += 1;
            }
            progress(table, n);
        }
        tx.commit().await?;
        Ok(manifest)
    }
}
