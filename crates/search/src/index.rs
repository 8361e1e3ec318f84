//! One tantivy index per matter: the schema, idempotent add-or-replace by document id, batched commits.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use review::query::Field as QField;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::SearchError;
use crate::analyze::{FoldingTokenizer, TOKENIZER_NAME};

/// A document as the index receives it: email metadata under the standard names and the extracted text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDoc {
    /// The review document id (a control number or UUID); adding the same id again replaces the document.
    pub doc_id: String,
    pub custodian: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub date_sent: Option<DateTime<Utc>>,
    pub filename: String,
    pub file_ext: String,
    /// The family (parent email and attachments) this document belongs to; empty for a loose file.
    pub family_id: String,
    pub body: String,
}

/// Earliest and latest instants the index can hold (tantivy keeps nanoseconds in an i64, about
/// 1677–2262); a date outside is dropped as unknown, and query bounds are clamped to it.
pub(crate) const MIN_DATE_SECS: i64 = -9_000_000_000;
pub(crate) const MAX_DATE_SECS: i64 = 9_000_000_000;

/// `date` if the index can hold it, else `None`; apply the same rule wherever documents are judged.
pub fn indexable_date(date: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    date.filter(|d| (MIN_DATE_SECS..=MAX_DATE_SECS).contains(&d.timestamp()))
}

/// Days since 1970-01-01 of a calendar date.
pub(crate) fn day_number(date: chrono::NaiveDate) -> i64 {
    (date - DateTime::UNIX_EPOCH.date_naive()).num_days()
}

/// The tantivy fields of a matter index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub doc_id: Field,
    pub family_id: Field,
    pub file_ext: Field,
    pub date_sent: Field,
    /// Days since 1970-01-01 (UTC) of `date_sent`, for date ranges.
    pub sent_day: Field,
    /// Text fields, indexed with positions, in [`QField::ALL`] order.
    pub text: [Field; 8],
}

impl Fields {
    pub fn text(&self, field: QField) -> Field {
        let at = QField::ALL.iter().position(|f| *f == field).expect("ALL lists every field");
        self.text[at]
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let doc_id = builder.add_text_field("doc_id", STRING | STORED | FAST);
    let family_id = builder.add_text_field("family_id", STRING | STORED | FAST);
    let file_ext = builder.add_text_field("file_ext", STRING | STORED);
    let date_sent = builder.add_date_field(
        "date_sent",
        DateOptions::default().set_stored().set_precision(DateTimePrecision::Seconds),
    );
    // Date searches are by calendar day: a day number indexed in the term dictionary keeps ranges to a
    // few thousand terms. (Not a fast field: tantivy 0.27's fast-field range docset overflows when
    // an exclusion seeks it backwards.)
    let sent_day = builder.add_i64_field("sent_day", INDEXED);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    // The body is stored too: snippets and highlighting need the text, and the index is then
    // self-contained (figures for both choices are in docs/search.md).
    let options = TextOptions::default().set_indexing_options(indexing).set_stored();
    let text = QField::ALL.map(|f| builder.add_text_field(f.name(), options.clone()));
    (builder.build(), Fields { doc_id, family_id, file_ext, date_sent, sent_day, text })
}

/// A matter's index, open for searching; [`MatterIndex::add`] writes to it.
pub struct MatterIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    dir: PathBuf,
    /// Tantivy allows one writer per index: concurrent `add` calls queue here instead of failing.
    writing: std::sync::Mutex<()>,
}

impl std::fmt::Debug for MatterIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatterIndex").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// How indexing went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexStats {
    pub documents: usize,
    pub text_bytes: u64,
}

impl MatterIndex {
    /// Opens the index in `dir`, creating the folder and an empty index when there is none.
    pub fn open_or_create(dir: &Path) -> Result<MatterIndex, SearchError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Io(format!("{}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema)?;
        index.tokenizers().register(TOKENIZER_NAME, FoldingTokenizer::default());
        // Another process (`lawdesk review index-text` beside a running server) may commit: watch for it.
        let reader =
            index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(MatterIndex {
            index,
            reader,
            fields,
            dir: dir.to_path_buf(),
            writing: std::sync::Mutex::new(()),
        })
    }

    /// An index in memory, for tests and benchmarks of the query layer.
    pub fn in_memory() -> Result<MatterIndex, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(TOKENIZER_NAME, FoldingTokenizer::default());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(MatterIndex {
            index,
            reader,
            fields,
            dir: PathBuf::new(),
            writing: std::sync::Mutex::new(()),
        })
    }

    /// The folder the index lives in (empty for an in-memory index).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds documents, replacing any earlier document with the same id, committing every `batch`
    /// documents so a crash loses at most one batch. `threads` indexing threads share `memory_bytes`.
    pub fn add(
        &self,
        docs: impl IntoIterator<Item = IndexDoc>,
        batch: usize,
        threads: usize,
        memory_bytes: usize,
    ) -> Result<IndexStats, SearchError> {
        // A panic while writing leaves nothing half-done that the next writer would trip over.
        let _one_writer = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut writer: IndexWriter<TantivyDocument> =
            self.index.writer_with_num_threads(threads.max(1), memory_bytes)?;
        let mut stats = IndexStats::default();
        let mut pending = 0;
        for doc in docs {
            stats.documents += 1;
            stats.text_bytes += text_bytes(&doc) as u64;
            writer.delete_term(Term::from_field_text(self.fields.doc_id, &doc.doc_id));
            writer.add_document(self.to_tantivy(doc))?;
            pending += 1;
            if pending >= batch.max(1) {
                writer.commit()?;
                pending = 0;
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(stats)
    }

    /// Number of live documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes on disk of the index folder.
    pub fn size_on_disk(&self) -> u64 {
        fn walk(dir: &Path) -> u64 {
            let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        walk(&self.dir)
    }

    fn to_tantivy(&self, doc: IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut out = TantivyDocument::default();
        out.add_text(f.doc_id, &doc.doc_id);
        out.add_text(f.family_id, &doc.family_id);
        out.add_text(f.file_ext, doc.file_ext.trim_start_matches('.').to_lowercase());
        if let Some(sent) = indexable_date(doc.date_sent) {
            out.add_date(f.date_sent, tantivy::DateTime::from_timestamp_secs(sent.timestamp()));
            out.add_i64(f.sent_day, day_number(sent.date_naive()));
        }
        for field in QField::ALL {
            let value = field_text(&doc, field);
            // Exactly one value per field (possibly empty), so positions never run across values.
            out.add_text(f.text(field), value);
        }
        out
    }

    /// Reads a stored document back into an [`IndexDoc`].
    pub(crate) fn read_stored(&self, doc: &TantivyDocument) -> IndexDoc {
        let f = &self.fields;
        let text = |field: Field| {
            doc.get_first(field).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        };
        IndexDoc {
            doc_id: text(f.doc_id),
            custodian: text(f.text(QField::Custodian)),
            from: text(f.text(QField::From)),
            to: text(f.text(QField::To)),
            cc: text(f.text(QField::Cc)),
            bcc: text(f.text(QField::Bcc)),
            subject: text(f.text(QField::Subject)),
            date_sent: doc
                .get_first(f.date_sent)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            filename: text(f.text(QField::Filename)),
            file_ext: text(f.file_ext),
            family_id: text(f.family_id),
            body: text(f.text(QField::Body)),
        }
    }
}

fn text_bytes(doc: &IndexDoc) -> usize {
    doc.from.len()
        + doc.to.len()
        + doc.cc.len()
        + doc.bcc.len()
        + doc.subject.len()
        + doc.custodian.len()
        + doc.filename.len()
        + doc.body.len()
}

/// The value of `field` in `doc`, by query field.
pub fn field_text(doc: &IndexDoc, field: QField) -> &str {
    match field {
        QField::From => &doc.from,
        QField::To => &doc.to,
        QField::Cc => &doc.cc,
        QField::Bcc => &doc.bcc,
        QField::Subject => &doc.subject,
        QField::Custodian => &doc.custodian,
        QField::Filename => &doc.filename,
        QField::Body => &doc.body,
    }
}
