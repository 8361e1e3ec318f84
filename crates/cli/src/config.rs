//! The configuration file `lawdesk.toml` (in the data folder, or named by `--config`).
//!
//! Precedence, highest first: command-line flag, environment variable, configuration file,
//! built-in default. The file is optional; unknown keys are refused so a typo is not silently
//! ignored.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub(crate) const FILE_NAME: &str = "lawdesk.toml";
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Address the web server listens on, e.g. "0.0.0.0:8080".
    pub listen: Option<SocketAddr>,
    /// postgres://user@host/db; SQLite in the data folder when absent.
    pub database_url: Option<String>,
    /// s3://bucket/prefix or a folder; `<data folder>/blobs` when absent.
    pub blob_store: Option<String>,
    /// Mark session cookies Secure (lawdesk behind TLS).
    #[serde(default)]
    pub secure_cookies: bool,
    /// Outgoing mail (deadline reminders); nothing is sent when absent.
    pub smtp: Option<SmtpConfig>,
}

/// Outgoing mail settings. The password is never stored in the file: `password_env` names the
/// environment variable that holds it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
    /// The From address, e.g. "lawdesk <docket@firm.example>".
    pub from: String,
    /// "starttls" (default), "tls" or "none" (only for a relay on localhost).
    #[serde(default = "default_smtp_security")]
    pub security: String,
}

fn default_smtp_port() -> u16 {
    587
}

fn default_smtp_security() -> String {
    "starttls".into()
}

impl Config {
    /// Reads `explicit` (which must exist) or else `<data_dir>/lawdesk.toml` (which may not).
    pub(crate) fn load(
        explicit: Option<&Path>,
        data_dir: &Path,
    ) -> Result<(Config, Option<PathBuf>)> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => (data_dir.join(FILE_NAME), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok((Config::default(), None));
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let config: Config =
            toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
        if let Some(smtp) = &config.smtp
            && !matches!(smtp.security.as_str(), "starttls" | "tls" | "none")
        {
            anyhow::bail!(
                "{}: smtp.security must be starttls, tls or none, not {:?}",
                path.display(),
                smtp.security
            );
        }
        Ok((config, Some(path)))
    }
}

/// The commented example `lawdesk serve` writes on first run, so the file is easy to find.
pub(crate) const EXAMPLE: &str = r#"# lawdesk configuration. Command-line flags and LAWDESK_* environment variables override it.

# Address to listen on (LAWDESK_LISTEN, --listen).
# listen = "127.0.0.1:8080"

# PostgreSQL instead of the embedded SQLite database (LAWDESK_DATABASE_URL, --database-url).
# database_url = "postgres://lawdesk@127.0.0.1/lawdesk"

# Where attachments and documents go (LAWDESK_BLOB_STORE, --blob-store): a folder, or an
# S3-compatible bucket with credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_REGION, and AWS_ENDPOINT / AWS_ALLOW_HTTP=true for MinIO-style servers.
# blob_store = "s3://lawdesk-blobs/firm"

# Mark session cookies Secure when lawdesk is served behind TLS (LAWDESK_SECURE_COOKIES).
# secure_cookies = true

# Outgoing mail for deadline reminders. The password comes from the variable password_env names.
# [smtp]
# host = "smtp.firm.example"
# port = 587
# username = "lawdesk"
# password_env = "LAWDESK_SMTP_PASSWORD"
# from = "lawdesk <docket@firm.example>"
# security = "starttls"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key_and_refuses_typos() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(None, dir.path()).unwrap(), (Config::default(), None));
        let file = dir.path().join(FILE_NAME);
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://x@h/db\"\nblob_store = \"s3://b/p\"\nsecure_cookies = true\n[smtp]\nhost = \"mail\"\nfrom = \"a@b.test\"\n",
        )
        .unwrap();
        let (c, path) = Config::load(None, dir.path()).unwrap();
        assert_eq!(path.as_deref(), Some(file.as_path()));
        assert_eq!(c.listen, Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!(c.database_url.as_deref(), Some("postgres://x@h/db"));
        assert_eq!(c.blob_store.as_deref(), Some("s3://b/p"));
        assert!(c.secure_cookies);
        let smtp = c.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security.as_str()), (587, "starttls"));

        std::fs::write(&file, "listne = \"0.0.0.0:9000\"\n").unwrap();
        let err = format!("{:#}", Config::load(None, dir.path()).unwrap_err());
        assert!(err.contains("listne"), "{err}");
        assert!(Config::load(Some(&dir.path().join("missing.toml")), dir.path()).is_err());
    }

    #[test]
    fn the_example_file_parses_to_the_defaults() {
        assert_eq!(toml::from_str::<Config>(EXAMPLE).unwrap(), Config::default());
    }
}
