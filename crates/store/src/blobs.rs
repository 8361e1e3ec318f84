//! Content-addressed blob store: files are kept under their SHA-256, never under a user-supplied
//! name, written to a temporary file and renamed so a reader never sees half a file.

use crate::{Result, StoreError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn valid_hash(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl BlobStore {
    pub fn local(root: PathBuf) -> BlobStore {
        BlobStore { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha: &str) -> Result<PathBuf> {
        if !valid_hash(sha) {
            return Err(StoreError::NotFound("blob"));
        }
        Ok(self.root.join(&sha[..2]).join(&sha[2..4]).join(sha))
    }

    /// Stores `bytes` and returns their SHA-256 (hex). Storing the same bytes twice is a no-op.
    pub async fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path_of(&sha)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(sha);
        }
        let dir = path.parent().expect("blob paths have a parent folder");
        tokio::fs::create_dir_all(dir).await.map_err(StoreError::io(dir))?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", uuid::Uuid::now_v7()));
        tokio::fs::write(&tmp, bytes).await.map_err(StoreError::io(&tmp))?;
        tokio::fs::rename(&tmp, &path).await.map_err(StoreError::io(&path))?;
        Ok(sha)
    }

    pub async fn get(&self, sha: &str) -> Result<Vec<u8>> {
        let path = self.path_of(sha)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound("blob")),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_rejects_path_tricks() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::local(dir.path().to_path_buf());
        let a = blobs.put(b"hello").await.unwrap();
        assert_eq!(a, sha256_hex(b"hello"));
        assert_eq!(blobs.put(b"hello").await.unwrap(), a);
        assert_eq!(blobs.get(&a).await.unwrap(), b"hello");
        assert!(matches!(blobs.get("../../etc/passwd").await, Err(StoreError::NotFound(_))));
    }
}
