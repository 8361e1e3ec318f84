//! Loaders for the shared review corpora (used by the corpus tests, `lawdesk bench search` and
//! `lawdesk review index-text`): a folder of `.txt` files, and the Enron sample with its load file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::IndexDoc;

/// The shared data folder: `LAWDESK_SHARED_DATA`, else `<workspace>/../shared/data`, if it exists.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("LAWDESK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.is_dir().then_some(dir)
}

/// `review/enron-freeeed` in the shared data folder, if present.
pub fn enron_freeeed_dir() -> Option<PathBuf> {
    let dir = shared_data_dir()?.join("review/enron-freeeed");
    (dir.join("load-no-text.csv").is_file() && dir.join("text").is_dir()).then_some(dir)
}

/// One document per `.txt` file directly in `dir` (sorted by name): the id is the file stem, the
/// body the file's text (invalid UTF-8 replaced), the custodian as given.
pub fn text_folder(dir: &Path, custodian: &str) -> std::io::Result<Vec<IndexDoc>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")))
        .collect();
    paths.sort();
    let mut docs = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(&path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        docs.push(IndexDoc {
            doc_id: stem,
            custodian: custodian.to_string(),
            filename: name,
            file_ext: "txt".into(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
            ..IndexDoc::default()
        });
    }
    Ok(docs)
}

/// The Enron sample: each row of `load-no-text.csv` with its text from `text/`, headers from the load
/// file, the custodian from the source path (`bailey-s_000/…` → `bailey-s`), the family from
/// `attachment_parent`.
pub fn load_enron_freeeed(dir: &Path) -> std::io::Result<Vec<IndexDoc>> {
    let invalid = |e: csv::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'|')
        .quoting(false)
        .flexible(true)
        .from_path(dir.join("load-no-text.csv"))
        .map_err(invalid)?;
    let headers = reader.headers().map_err(invalid)?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let mut docs = Vec::new();
    for row in reader.records() {
        let row = row.map_err(invalid)?;
        let get =
            |name: &str| column(name).and_then(|i| row.get(i)).unwrap_or("").trim().to_string();
        let upi = get("UPI");
        let text_link = get("text_link");
        let body = if text_link.is_empty() {
            String::new()
        } else {
            std::fs::read(dir.join(&text_link))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        let source = get("Source Path");
        let custodian =
            source.split('/').nth(1).or_else(|| source.split('/').next()).unwrap_or("").to_string();
        let file_name = get("File Name");
        docs.push(IndexDoc {
            doc_id: upi.clone(),
            custodian,
            from: get("From"),
            to: get("To"),
            cc: get("CC"),
            bcc: get("BCC"),
            subject: get("Subject"),
            date_sent: DateTime::parse_from_rfc3339(&get("Creation Date"))
                .ok()
                .map(|d| d.with_timezone(&Utc)),
            file_ext: file_name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default(),
            filename: file_name,
            family_id: get("attachment_parent"),
            body,
        });
    }
    // `attachment_parent` names the parent's UPI; a parent heads its own family.
    let has_children: BTreeSet<String> =
        docs.iter().map(|d| d.family_id.clone()).filter(|p| !p.is_empty()).collect();
    for doc in &mut docs {
        if doc.family_id.is_empty() && has_children.contains(&doc.doc_id) {
            doc.family_id = doc.doc_id.clone();
        }
    }
    Ok(docs)
}
