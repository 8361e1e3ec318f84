//! Ingestion: bytes of one collected file in, the documents it holds out (the file itself, an email's
//! attachments, an archive's entries, recursively), each with standard metadata, extracted text, its family
//! position and, when it could not be processed, an exception saying why.
//!
//! Pure: no file system, no clock, no processes. The one thing that needs a tool outside the process (PDF
//! text, through poppler's `pdftotext`) is asked of an [`Externals`] the caller supplies. Every parser runs
//! under `catch_unwind`, and every container is bounded by [`Limits`], so hostile input becomes an exception
//! entry instead of a crash or an unbounded allocation. Hangs are the caller's to bound (a timeout around
//! the blocking thread that runs [`expand`]).

mod archive;
mod email;
mod office;
mod outlook;
mod textual;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use textual::{html_to_text, rtf_to_text};

/// Standard metadata field names (the load-file vocabulary reviewers and vendors share).
pub mod field {
    pub const FROM: &str = "FROM";
    pub const TO: &str = "TO";
    pub const CC: &str = "CC";
    pub const BCC: &str = "BCC";
    pub const SUBJECT: &str = "SUBJECT";
    pub const DATESENT: &str = "DATESENT";
    pub const MESSAGEID: &str = "MESSAGEID";
    pub const INREPLYTO: &str = "INREPLYTO";
    pub const REFERENCES: &str = "REFERENCES";
    pub const FILENAME: &str = "FILENAME";
    pub const FILEEXT: &str = "FILEEXT";
    pub const FILESIZE: &str = "FILESIZE";
    pub const DATECREATED: &str = "DATECREATED";
    pub const DATEMODIFIED: &str = "DATEMODIFIED";
    pub const AUTHOR: &str = "AUTHOR";
    pub const PAGECOUNT: &str = "PAGECOUNT";
    pub const MD5HASH: &str = "MD5HASH";
    pub const SHA1HASH: &str = "SHA1HASH";
    pub const CUSTODIAN: &str = "CUSTODIAN";
    pub const ALLCUSTODIANS: &str = "ALLCUSTODIANS";
}

/// What a document is, decided from its content first and its name second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Email,
    Mbox,
    Msg,
    Pst,
    Zip,
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    /// OpenDocument text, spreadsheet or presentation (ODT, ODS, ODP).
    Odf,
    Doc,
    Xls,
    Ppt,
    Rtf,
    Html,
    Text,
    Csv,
    Image,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 19] = [
        Kind::Email,
        Kind::Mbox,
        Kind::Msg,
        Kind::Pst,
        Kind::Zip,
        Kind::Pdf,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Pptx,
        Kind::Odf,
        Kind::Doc,
        Kind::Xls,
        Kind::Ppt,
        Kind::Rtf,
        Kind::Html,
        Kind::Text,
        Kind::Csv,
        Kind::Image,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Mbox => "mbox",
            Kind::Msg => "msg",
            Kind::Pst => "pst",
            Kind::Zip => "zip",
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Pptx => "pptx",
            Kind::Odf => "odf",
            Kind::Doc => "doc",
            Kind::Xls => "xls",
            Kind::Ppt => "ppt",
            Kind::Rtf => "rtf",
            Kind::Html => "html",
            Kind::Text => "text",
            Kind::Csv => "csv",
            Kind::Image => "image",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Emails (loose or from Outlook) carry the email fields and thread.
    pub fn is_email(self) -> bool {
        matches!(self, Kind::Email | Kind::Msg)
    }

    /// Containers hold documents but are not reviewed themselves (an mbox, a PST, a loose zip).
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Mbox | Kind::Pst | Kind::Zip)
    }
}

/// Bounds on what one collected file may expand to. Going past one is an exception on the item concerned,
/// never a failure of the job.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Containers inside containers (an email in a zip in an email counts 3).
    pub max_depth: usize,
    /// Largest single document kept in memory; bigger ones are recorded with an exception.
    pub max_item_bytes: u64,
    /// Total decompressed bytes one collected file may expand to (zip bombs).
    pub max_expanded_bytes: u64,
    /// Largest decompressed/compressed ratio of an archive entry (zip bombs).
    pub max_ratio: u64,
    /// Most documents one collected file may hold.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 10,
            max_item_bytes: 512 * 1024 * 1024,
            max_expanded_bytes: 4 * 1024 * 1024 * 1024,
            max_ratio: 200,
            max_items: 1_000_000,
        }
    }
}

/// Tools outside the process the caller may provide (the app runs `pdftotext` with a timeout).
pub trait Externals: Send + Sync {
    /// The text layer of a PDF, or why it could not be read.
    fn pdf_text(&self, pdf: &[u8]) -> Result<String, String>;
}

/// No external tools: PDFs get their metadata but an exception instead of text.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoExternals;

impl Externals for NoExternals {
    fn pdf_text(&self, _pdf: &[u8]) -> Result<String, String> {
        Err("no PDF text extractor configured".into())
    }
}

/// One document found in a collected file.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable key inside the collected file: `""` for the file itself, `"2"` for its second child, `"2/1"`
    /// for that child's first child. With the file's path it identifies the item across re-runs.
    pub key: String,
    /// Key of the family parent (the email an attachment belongs to); `None` for a family root.
    pub parent: Option<String>,
    /// Key of the container it was taken out of when that is not its family parent (an mbox, a loose zip).
    pub container: Option<String>,
    pub kind: Kind,
    pub native: Vec<u8>,
    pub text: String,
    /// Standard metadata ([`field`]), only the fields that have a value.
    pub meta: BTreeMap<&'static str, String>,
    /// Why the item could not be processed fully; the native is kept whatever happens.
    pub exception: Option<String>,
    /// For emails: the dedup hash over normalized headers and body ([`crate::dedup::email_dedup_hash`]).
    pub email_hash: Option<String>,
}

impl Item {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.meta.get(name).map(String::as_str)
    }

    /// The key exact de-duplication groups on: the email hash for emails, the MD5 of the native otherwise.
    pub fn dedup_key(&self) -> String {
        match &self.email_hash {
            Some(h) => format!("email:{h}"),
            None => format!("md5:{}", crate::dedup::md5_hex(&self.native)),
        }
    }
}

/// A child a parser found, before it is expanded in turn.
pub(crate) struct Child {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Set when the parser already knows the child cannot be read (encrypted entry, over a limit).
    pub exception: Option<String>,
    /// Dates the container recorded for the child (zip entry times).
    pub modified: Option<String>,
}

/// What a parser makes of one document.
#[derive(Default)]
pub(crate) struct Parsed {
    pub text: String,
    pub meta: BTreeMap<&'static str, String>,
    pub children: Vec<Child>,
    pub email_hash: Option<String>,
    pub exception: Option<String>,
}

/// Shared state of one expansion: limits and the budget left.
pub(crate) struct Budget<'a> {
    pub limits: &'a Limits,
    pub expanded: u64,
    pub items: usize,
}

/// Expands one collected file into its documents, parents before children. `name` is the file's name
/// (for FILENAME and type detection); `custodian` is stamped on every item.
pub fn expand(
    name: &str,
    bytes: Vec<u8>,
    custodian: &str,
    limits: &Limits,
    externals: &dyn Externals,
) -> Vec<Item> {
    let mut out = Vec::new();
    let mut budget = Budget { limits, expanded: 0, items: 0 };
    let root = Child { name: name.to_string(), bytes, exception: None, modified: None };
    expand_into(root, String::new(), None, None, 0, custodian, &mut budget, externals, &mut out);
    out
}

#[allow(clippy::too_many_arguments)]
fn expand_into(
    child: Child,
    key: String,
    parent: Option<String>,
    container: Option<String>,
    depth: usize,
    custodian: &str,
    budget: &mut Budget<'_>,
    externals: &dyn Externals,
    out: &mut Vec<Item>,
) {
    budget.items += 1;
    let Child { name, bytes, exception: known, modified } = child;
    let kind = sniff(&name, &bytes);
    let mut parsed = if let Some(reason) = known {
        Parsed { exception: Some(reason), ..Default::default() }
    } else if bytes.len() as u64 > budget.limits.max_item_bytes {
        Parsed {
            exception: Some(format!("too large to process ({} bytes)", bytes.len())),
            ..Default::default()
        }
    } else if kind.is_container() && depth >= budget.limits.max_depth {
        Parsed {
            exception: Some(format!("nested deeper than {} levels", budget.limits.max_depth)),
            ..Default::default()
        }
    } else {
        // A parser bug or a hostile file must cost one exception entry, never the process.
        match catch_unwind(AssertUnwindSafe(|| parse(kind, &name, &bytes, budget, externals))) {
            Ok(p) => p,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Parsed {
                    exception: Some(format!("parser failed: {}", truncate(&why, 200))),
                    ..Default::default()
                }
            }
        }
    };
    let (file_name, ext) = file_name_and_ext(&name);
    parsed.meta.entry(field::FILENAME).or_insert(file_name);
    if !ext.is_empty() {
        parsed.meta.entry(field::FILEEXT).or_insert(ext);
    }
    parsed.meta.insert(field::FILESIZE, bytes.len().to_string());
    parsed.meta.insert(field::MD5HASH, crate::dedup::md5_hex(&bytes));
    parsed.meta.insert(field::SHA1HASH, crate::dedup::sha1_hex(&bytes));
    if !custodian.is_empty() {
        parsed.meta.insert(field::CUSTODIAN, custodian.to_string());
    }
    if let Some(m) = modified {
        parsed.meta.entry(field::DATEMODIFIED).or_insert(m);
    }
    let children = std::mem::take(&mut parsed.children);
    // A loose container's entries start families of their own; anything else's children join its family.
    let loose_container = kind.is_container() && parent.is_none();
    out.push(Item {
        key: key.clone(),
        parent: parent.clone(),
        container,
        kind,
        native: bytes,
        text: parsed.text,
        meta: parsed.meta,
        exception: parsed.exception,
        email_hash: parsed.email_hash,
    });
    let mut skipped = 0usize;
    for (i, c) in children.into_iter().enumerate() {
        if budget.items >= budget.limits.max_items {
            skipped += 1;
            continue;
        }
        let child_key =
            if key.is_empty() { (i + 1).to_string() } else { format!("{key}/{}", i + 1) };
        let (child_parent, child_container) =
            if loose_container { (None, Some(key.clone())) } else { (Some(key.clone()), None) };
        expand_into(
            c,
            child_key,
            child_parent,
            child_container,
            depth + 1,
            custodian,
            budget,
            externals,
            out,
        );
    }
    if skipped > 0 {
        let me = out.iter_mut().find(|i| i.key == key).expect("the item was pushed above");
        me.exception = Some(format!(
            "{skipped} embedded documents over the limit of {} were not extracted",
            budget.limits.max_items
        ));
    }
}

fn parse(
    kind: Kind,
    name: &str,
    bytes: &[u8],
    budget: &mut Budget<'_>,
    externals: &dyn Externals,
) -> Parsed {
    match kind {
        Kind::Email => email::parse_email(bytes),
        Kind::Mbox => email::parse_mbox(bytes, budget),
        Kind::Msg => outlook::parse_msg(bytes),
        Kind::Pst => Parsed {
            exception: Some("PST extraction is not supported yet; convert with readpst".into()),
            ..Default::default()
        },
        Kind::Zip => archive::parse_zip(bytes, budget),
        Kind::Pdf => textual::parse_pdf(bytes, externals),
        Kind::Docx | Kind::Pptx | Kind::Odf => office::parse_ooxml(kind, bytes, budget),
        Kind::Xlsx | Kind::Xls => office::parse_spreadsheet(kind, bytes),
        Kind::Doc => office::parse_doc(bytes),
        Kind::Ppt => office::parse_ppt(bytes),
        Kind::Rtf => Parsed { text: rtf_to_text(&decode_text(bytes)), ..Default::default() },
        Kind::Html => Parsed { text: html_to_text(&decode_text(bytes)), ..Default::default() },
        Kind::Text | Kind::Csv => Parsed { text: decode_text(bytes), ..Default::default() },
        Kind::Image => Parsed::default(),
        Kind::Other => Parsed {
            exception: Some(format!("unsupported file type ({})", describe_other(name))),
            ..Default::default()
        },
    }
}

fn describe_other(name: &str) -> String {
    let (_, ext) = file_name_and_ext(name);
    if ext.is_empty() { "no extension".into() } else { format!(".{ext}") }
}

/// The last path segment (with `/` and `\` both separators) and its lowercased extension.
pub fn file_name_and_ext(name: &str) -> (String, String) {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name).to_string();
    let ext = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.len() <= 10 => {
            ext.to_ascii_lowercase()
        }
        _ => String::new(),
    };
    (file, ext)
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decides what a document is: magic numbers first (a renamed file is still what it is), then the name.
pub fn sniff(name: &str, bytes: &[u8]) -> Kind {
    let (_, ext) = file_name_and_ext(name);
    let ext = ext.as_str();
    if bytes.starts_with(b"%PDF") {
        return Kind::Pdf;
    }
    if bytes.starts_with(b"!BDN") {
        return Kind::Pst;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return office::sniff_zip(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return office::sniff_ole(bytes, ext);
    }
    if bytes.starts_with(b"{\\rtf") {
        return Kind::Rtf;
    }
    for magic in [&b"\x89PNG"[..], b"GIF8", b"\xFF\xD8\xFF", b"II*\0", b"MM\0*"] {
        if bytes.starts_with(magic) {
            return Kind::Image;
        }
    }
    match ext {
        "eml" => return Kind::Email,
        "mbox" | "mbx" => return Kind::Mbox,
        "msg" => return Kind::Msg,
        "pst" | "ost" => return Kind::Pst,
        "zip" => return Kind::Zip,
        "pdf" => return Kind::Pdf,
        "html" | "htm" | "xhtml" => return Kind::Html,
        "csv" | "tsv" => return Kind::Csv,
        "rtf" => return Kind::Rtf,
        "txt" | "text" | "log" | "md" | "xml" | "json" | "vcf" | "ics" | "css" | "js" | "dat" => {
            return if looks_textual(bytes) { Kind::Text } else { Kind::Other };
        }
        "doc" | "docx" | "xls" | "xlsx" | "ppt" | "pptx" | "pps" | "exe" | "dll" | "bin"
        | "pub" => {
            return Kind::Other;
        }
        _ => {}
    }
    let head = &bytes[..bytes.len().min(2048)];
    if head.starts_with(b"From ")
        && email::looks_like_message(
            &head[head.iter().position(|&b| b == b'\n').map_or(head.len(), |p| p + 1)..],
        )
    {
        return Kind::Mbox;
    }
    if email::looks_like_message(head) {
        return Kind::Email;
    }
    let lower = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    if lower.trim_start().starts_with("<!doctype html") || lower.contains("<html") {
        return Kind::Html;
    }
    if looks_textual(bytes) { Kind::Text } else { Kind::Other }
}

/// Text if the start has no NUL bytes and few control characters (or starts with a UTF-16 BOM).
fn looks_textual(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let control = head.iter().filter(|&&b| b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B)).count();
    !head.contains(&0) && control * 100 <= head.len().max(1)
}

/// Decodes text of unknown encoding: a BOM decides; else UTF-8 if valid; else Windows-1252 (what most
/// legacy office text is).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests;
