//! Content-addressed blob store: files are kept under their SHA-256, never under a user-supplied
//! name. Two backends behind one API: a local folder (the default; written to a temporary file
//! and renamed so a reader never sees half a file) and any `object_store` store, in practice an
//! S3-compatible bucket (an object PUT is atomic, so readers never see half an object either).

use crate::{Result, StoreError};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone)]
pub struct BlobStore {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Local(PathBuf),
    Object {
        store: Arc<dyn ObjectStore>,
        /// Key prefix inside the bucket (may be empty).
        prefix: ObjectPath,
        /// Where it is, for messages (`s3://bucket/prefix`).
        location: String,
    },
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore").field("location", &self.location()).finish()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn valid_hash(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn object_error(location: &str) -> impl FnOnce(object_store::Error) -> StoreError {
    let location = location.to_string();
    move |e| match e {
        object_store::Error::NotFound { .. } => StoreError::NotFound("blob"),
        other => StoreError::Blob(format!("{location}: {other}")),
    }
}

impl BlobStore {
    /// Blobs in a local folder (created on first write).
    pub fn local(root: PathBuf) -> BlobStore {
        BlobStore { backend: Backend::Local(root) }
    }

    /// Blobs in any `object_store` store under `prefix` (`location` names it in messages).
    pub fn object(store: Arc<dyn ObjectStore>, prefix: &str, location: &str) -> BlobStore {
        BlobStore {
            backend: Backend::Object {
                store,
                prefix: ObjectPath::from(prefix.trim_matches('/')),
                location: location.to_string(),
            },
        }
    }

    /// The store a configuration value names: `s3://bucket[/prefix]` for an S3-compatible
    /// bucket (credentials and endpoint from the standard `AWS_*` variables: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` and `AWS_ALLOW_HTTP=true` for
    /// MinIO-style servers), or a local folder path.
    pub fn from_config(value: &str) -> Result<BlobStore> {
        let Some(rest) = value.strip_prefix("s3://") else {
            if value.contains("://") {
                return Err(StoreError::Blob(format!(
                    "unsupported blob store {value:?}: use s3://bucket/prefix or a folder path"
                )));
            }
            return Ok(BlobStore::local(PathBuf::from(value)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StoreError::Blob(format!("{value:?} names no bucket")));
        }
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| StoreError::Blob(format!("{value}: {e}")))?;
        Ok(BlobStore::object(Arc::new(s3), prefix, value))
    }

    /// Where the blobs are (a folder path or `s3://…`).
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Local(root) => root.display().to_string(),
            Backend::Object { location, .. } => location.clone(),
        }
    }

    /// The local folder, when the blobs are in one.
    pub fn root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(root) => Some(root),
            Backend::Object { .. } => None,
        }
    }

    /// The same fan-out on both backends: `ab/cd/abcd…`, so folders and listings stay small.
    fn relative(sha: &str) -> Result<[&str; 3]> {
        if !valid_hash(sha) {
            return Err(StoreError::NotFound("blob"));
        }
        Ok([&sha[..2], &sha[2..4], sha])
    }

    fn object_path(prefix: &ObjectPath, parts: [&str; 3]) -> ObjectPath {
        parts.iter().fold(prefix.clone(), |p, part| p.join(*part))
    }

    /// Stores `bytes` and returns their SHA-256 (hex). Storing the same bytes twice is a no-op.
    pub async fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = sha256_hex(bytes);
        let parts = Self::relative(&sha)?;
        match &self.backend {
            Backend::Local(root) => {
                let path = parts.iter().fold(root.clone(), |p, part| p.join(part));
                if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                    return Ok(sha);
                }
                let dir = path.parent().expect("blob paths have a parent folder");
                tokio::fs::create_dir_all(dir).await.map_err(StoreError::io(dir))?;
                let tmp = dir.join(format!(".{sha}.{}.tmp", uuid::Uuid::now_v7()));
                tokio::fs::write(&tmp, bytes).await.map_err(StoreError::io(&tmp))?;
                tokio::fs::rename(&tmp, &path).await.map_err(StoreError::io(&path))?;
            }
            Backend::Object { store, prefix, location } => {
                let path = Self::object_path(prefix, parts);
                match store.head(&path).await {
                    Ok(_) => return Ok(sha),
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(object_error(location)(e)),
                }
                store.put(&path, bytes.to_vec().into()).await.map_err(object_error(location))?;
            }
        }
        Ok(sha)
    }

    pub async fn get(&self, sha: &str) -> Result<Vec<u8>> {
        let parts = Self::relative(sha)?;
        match &self.backend {
            Backend::Local(root) => {
                let path = parts.iter().fold(root.clone(), |p, part| p.join(part));
                match tokio::fs::read(&path).await {
                    Ok(b) => Ok(b),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        Err(StoreError::NotFound("blob"))
                    }
                    Err(e) => Err(StoreError::Io { path, source: e }),
                }
            }
            Backend::Object { store, prefix, location } => {
                let path = Self::object_path(prefix, parts);
                let got = store.get(&path).await.map_err(object_error(location))?;
                let bytes = got.bytes().await.map_err(object_error(location))?;
                // Content addressing lets a read check the store handed back the right bytes.
                if sha256_hex(&bytes) != sha {
                    return Err(StoreError::Corrupt(format!(
                        "blob {sha} in {location} does not match its content"
                    )));
                }
                Ok(bytes.to_vec())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    #[tokio::test]
    async fn stores_by_content_and_rejects_path_tricks() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::local(dir.path().to_path_buf());
        let a = blobs.put(b"hello").await.unwrap();
        assert_eq!(a, sha256_hex(b"hello"));
        assert_eq!(blobs.put(b"hello").await.unwrap(), a);
        assert_eq!(blobs.get(&a).await.unwrap(), b"hello");
        assert!(matches!(blobs.get("../../etc/passwd").await, Err(StoreError::NotFound(_))));
        assert!(dir.path().join(&a[..2]).join(&a[2..4]).join(&a).exists());
    }

    #[tokio::test]
    async fn object_store_backend_keeps_the_same_names_and_checks_content() {
        let mem = Arc::new(InMemory::new());
        let blobs = BlobStore::object(mem.clone(), "firm/blobs/", "memory://firm/blobs");
        let a = blobs.put(b"privileged memo").await.unwrap();
        assert_eq!(a, sha256_hex(b"privileged memo"));
        assert_eq!(blobs.put(b"privileged memo").await.unwrap(), a, "idempotent");
        assert_eq!(blobs.get(&a).await.unwrap(), b"privileged memo");
        let key = ObjectPath::from(format!("firm/blobs/{}/{}/{a}", &a[..2], &a[2..4]));
        assert!(mem.head(&key).await.is_ok(), "stored under the content-addressed key");
        assert!(matches!(blobs.get(&sha256_hex(b"absent")).await, Err(StoreError::NotFound(_))));
        assert!(matches!(blobs.get("../x").await, Err(StoreError::NotFound(_))));
        // Bytes swapped behind our back are refused rather than served.
        mem.put(&key, b"tampered".to_vec().into()).await.unwrap();
        assert!(matches!(blobs.get(&a).await, Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn configuration_values_pick_the_backend() {
        assert_eq!(BlobStore::from_config("/srv/blobs").unwrap().location(), "/srv/blobs");
        assert!(BlobStore::from_config("s3://").is_err());
        assert!(BlobStore::from_config("gs://bucket").is_err());
        // Building an S3 client makes no request; credentials are only needed on first use.
        let s3 = BlobStore::from_config("s3://lawdesk-blobs/firm-a").unwrap();
        assert_eq!(s3.location(), "s3://lawdesk-blobs/firm-a");
        assert!(s3.root().is_none());
    }
}
