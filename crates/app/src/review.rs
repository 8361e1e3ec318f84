//! Use cases for document collections: ingest as a resumable processing job, the analysis passes
//! (de-duplication, near-duplicates, email threading), the processing report, and item access.
//!
//! Parsers run on blocking threads under a timeout (and `catch_unwind` inside `review::ingest`), so a
//! hostile file costs one exception entry and never the server. Items are committed in batches together
//! with the job checkpoint; a job killed at any moment is resumed by running it again.

use crate::{App, AppError, Result};
use domain::{Action, Actor, Id};
use review::dedup::{DedupItem, DedupScope, deduplicate};
use review::ingest::{Externals, Item, Kind, Limits, expand, field};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use store::Page;
use store::review::{
    ReviewAnalysis, ReviewBatch, ReviewCollection, ReviewIndexRow, ReviewItem, ReviewItemFilter,
    ReviewJob, ReviewReport, ReviewSource,
};

/// Runs poppler's `pdftotext` on a temporary copy of the PDF, killed after `timeout`.
#[derive(Debug, Clone)]
pub struct PdfToText {
    pub timeout: Duration,
}

impl Default for PdfToText {
    fn default() -> Self {
        PdfToText { timeout: Duration::from_secs(60) }
    }
}

impl Externals for PdfToText {
    fn pdf_text(&self, pdf: &[u8]) -> std::result::Result<String, String> {
        use std::process::{Command, Stdio};
        let dir = std::env::temp_dir();
        let path = dir.join(format!("lawdesk-pdf-{}.pdf", uuid_like()));
        std::fs::write(&path, pdf).map_err(|e| format!("temporary file: {e}"))?;
        let child = Command::new("pdftotext")
            .args(["-q", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let result = match child {
            Err(e) => Err(format!("pdftotext not available: {e}")),
            Ok(mut child) => {
                let mut stdout = child.stdout.take().expect("stdout is piped");
                let reader = std::thread::spawn(move || {
                    let mut out = Vec::new();
                    let _ = stdout.read_to_end(&mut out);
                    out
                });
                let started = std::time::Instant::now();
                let status = loop {
                    match child.try_wait() {
                        Ok(Some(status)) => break Ok(status),
                        Ok(None) if started.elapsed() > self.timeout => {
                            let _ = child.kill();
                            let _ = child.wait();
                            break Err(format!("pdftotext timed out after {:?}", self.timeout));
                        }
                        Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                        Err(e) => break Err(format!("pdftotext: {e}")),
                    }
                };
                let out = reader.join().unwrap_or_default();
                match status {
                    Ok(s) if s.success() => Ok(String::from_utf8_lossy(&out).into_owned()),
                    Ok(s) => Err(format!("pdftotext failed ({s})")),
                    Err(e) => Err(e),
                }
            }
        };
        let _ = std::fs::remove_file(&path);
        result
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Called with the job after every committed batch.
pub type ProgressFn = Arc<dyn Fn(&ReviewJob) + Send + Sync>;

/// How a job processes its files.
#[derive(Clone)]
pub struct IngestOptions {
    pub limits: Limits,
    pub externals: Arc<dyn Externals>,
    /// Longest one collected file may take before it is recorded as an exception and skipped.
    pub timeout: Duration,
    /// Items per committed batch (the checkpoint granularity).
    pub batch_items: usize,
    /// Files processed at once (one blocking thread each).
    pub parallel: usize,
    pub scope: DedupScope,
    /// Run near-duplicate detection after ingest (it reads every text back).
    pub near_duplicates: bool,
    /// Called after every committed batch (progress bars, logs).
    pub progress: Option<ProgressFn>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            limits: Limits::default(),
            externals: Arc::new(PdfToText::default()),
            timeout: Duration::from_secs(300),
            batch_items: 500,
            parallel: std::thread::available_parallelism().map_or(2, |n| n.get()),
            scope: DedupScope::Global,
            near_duplicates: true,
            progress: None,
        }
    }
}

impl std::fmt::Debug for IngestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("limits", &self.limits)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A collection with its latest job, for the collection page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CollectionView {
    pub collection: ReviewCollection,
    pub sources: Vec<ReviewSource>,
}

/// An item with its family, for the item page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemView {
    pub item: ReviewItem,
    pub family: Vec<ReviewItem>,
    pub text: String,
}

/// One document for the search index (the search helper's `IndexDoc` fields).
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndexSource {
    pub row: ReviewIndexRow,
    pub body: String,
}

/// One file to process: its path for the record (relative to the ingested root) and on disk.
#[derive(Debug, Clone)]
struct SourceFile {
    display: String,
    path: PathBuf,
    size: u64,
}

fn list_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| AppError::Invalid {
            field: "path".into(),
            message: format!("{}: {e}", root.display()),
        })?;
        let base = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.display().to_string());
        if meta.is_file() {
            out.push(SourceFile { display: base, path: root.clone(), size: meta.len() });
            continue;
        }
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| AppError::Invalid {
                field: "path".into(),
                message: format!("{}: {e}", dir.display()),
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                // Symlinks are not followed: a collection must not wander outside what was handed over.
                let Ok(ft) = entry.file_type() else { continue };
                if ft.is_dir() {
                    stack.push(path);
                } else if ft.is_file() {
                    let rel = path
                        .strip_prefix(root)
                        .unwrap_or(&path)
                        .to_string_lossy()
                        .replace('\\', "/");
                    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    out.push(SourceFile { display: format!("{base}/{rel}"), path, size });
                }
            }
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}

/// Hashes of a file read in chunks (for files too large to hold in memory).
fn stream_hashes(path: &Path) -> std::io::Result<(String, String, String)> {
    use md5::Digest;
    let mut file = std::fs::File::open(path)?;
    let (mut m, mut s1, mut s2) = (md5::Md5::new(), sha1::Sha1::new(), sha2::Sha256::new());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        m.update(&buf[..n]);
        s1.update(&buf[..n]);
        s2.update(&buf[..n]);
    }
    Ok((hex::encode(m.finalize()), hex::encode(s1.finalize()), hex::encode(s2.finalize())))
}

/// Finds an earlier email-export attachment convention: in a folder exported by libpst (`readpst -e`) or
/// FreeEED, the attachments of `N.eml` sit beside it as `N-name` (optionally behind a control-number
/// prefix `00033_`). Returns, for each such file, the display path of its email.
fn sidecar_parents(files: &[SourceFile]) -> HashMap<String, String> {
    fn split(display: &str) -> (&str, &str, &str) {
        let (dir, name) = display.rsplit_once('/').unwrap_or(("", display));
        let stem = match name.split_once('_') {
            Some((num, rest)) if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => rest,
            _ => name,
        };
        (dir, name, stem)
    }
    let mut out = HashMap::new();
    let mut last_email: Option<(&str, String, &str)> = None;
    for f in files {
        let (dir, name, stem) = split(&f.display);
        if name.to_ascii_lowercase().ends_with(".eml") {
            last_email = Some((dir, stem[..stem.len() - 4].to_string() + "-", &f.display));
            continue;
        }
        if let Some((edir, prefix, email)) = &last_email
            && *edir == dir
            && stem.starts_with(prefix.as_str())
        {
            out.insert(f.display.clone(), email.to_string());
        }
    }
    out
}

struct Extracted {
    file: SourceFile,
    md5: String,
    sha256: String,
    items: Vec<Item>,
}

async fn extract(file: SourceFile, custodian: String, options: &IngestOptions) -> Extracted {
    let too_big = file.size > options.limits.max_item_bytes;
    if too_big {
        let path = file.path.clone();
        let hashes = tokio::task::spawn_blocking(move || stream_hashes(&path)).await;
        let (md5, sha1, sha256) = match hashes {
            Ok(Ok(h)) => h,
            _ => Default::default(),
        };
        let mut meta = BTreeMap::new();
        let (name, ext) = review::ingest::file_name_and_ext(&file.display);
        meta.insert(field::FILENAME, name);
        meta.insert(field::FILEEXT, ext);
        meta.insert(field::FILESIZE, file.size.to_string());
        meta.insert(field::MD5HASH, md5.clone());
        meta.insert(field::SHA1HASH, sha1.clone());
        let item = Item {
            key: String::new(),
            parent: None,
            container: None,
            kind: Kind::Other,
            native: Vec::new(),
            text: String::new(),
            meta,
            exception: Some(format!(
                "too large to process ({} bytes); the native stays at its source",
                file.size
            )),
            email_hash: None,
        };
        return Extracted { file, md5, sha256, items: vec![item] };
    }
    let path = file.path.clone();
    let display = file.display.clone();
    let limits = options.limits.clone();
    let externals = options.externals.clone();
    let work = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let md5 = review::dedup::md5_hex(&bytes);
        let sha256 = store::blobs::sha256_hex(&bytes);
        let items = expand(&display, bytes, &custodian, &limits, &*externals);
        Ok::<_, String>((md5, sha256, items))
    });
    let failure = |why: String| {
        let mut meta = BTreeMap::new();
        let (name, ext) = review::ingest::file_name_and_ext(&file.display);
        meta.insert(field::FILENAME, name);
        meta.insert(field::FILEEXT, ext);
        meta.insert(field::FILESIZE, file.size.to_string());
        vec![Item {
            key: String::new(),
            parent: None,
            container: None,
            kind: Kind::Other,
            native: Vec::new(),
            text: String::new(),
            meta,
            exception: Some(why),
            email_hash: None,
        }]
    };
    let outcome = tokio::time::timeout(options.timeout, work).await;
    let why = match outcome {
        Ok(Ok(Ok((md5, sha256, items)))) => return Extracted { file, md5, sha256, items },
        Ok(Ok(Err(io))) => format!("unreadable: {io}"),
        Ok(Err(join)) => format!("processing crashed: {join}"),
        // The blocking thread cannot be killed; it finishes or hangs on its own while the job goes on.
        Err(_) => format!("processing timed out after {} s", options.timeout.as_secs()),
    };
    // The file is kept as a native with its hashes, so it stays producible.
    let path = file.path.clone();
    let bytes =
        tokio::task::spawn_blocking(move || std::fs::read(path)).await.ok().and_then(|r| r.ok());
    let mut items = failure(why);
    let (mut md5, mut sha256) = (String::new(), String::new());
    if let Some(bytes) = bytes {
        md5 = review::dedup::md5_hex(&bytes);
        sha256 = store::blobs::sha256_hex(&bytes);
        items[0].meta.insert(field::MD5HASH, md5.clone());
        items[0].meta.insert(field::SHA1HASH, review::dedup::sha1_hex(&bytes));
        items[0].kind = review::ingest::sniff(&file.display, &bytes);
        items[0].native = bytes;
    }
    Extracted { file, md5, sha256, items }
}

impl App {
    async fn review_access(
        &self,
        actor: &Actor,
        matter: Id,
    ) -> Result<domain::policy::MatterAccess> {
        Ok(self.store.matter_access(actor, matter).await?)
    }

    /// Viewing a matter's collections: internal users who may view the matter, and external users
    /// (LPO members, virtual assistants) only when document-review work on it is assigned to them (to
    /// their organization, for an LPO manager): a virtual assistant docketing a matter does not read its
    /// documents. Walls beat roles.
    async fn require_review_view(&self, actor: &Actor, matter: Id) -> Result<()> {
        let access = self.review_access(actor, matter).await?;
        self.require(actor, Action::ViewMatter(access))?;
        if actor.role.is_external() {
            let filter = store::WorkFilter {
                matter_id: Some(matter),
                service_line: Some(domain::ServiceLine::DocumentReview),
                ..Default::default()
            };
            let (assigned, _) = self.store.list_work_items(actor, &filter, Page::new(1, 1)).await?;
            if assigned.is_empty() {
                return Err(AppError::Forbidden);
            }
        }
        Ok(())
    }

    /// Ingesting and re-analysing: firm staff who may edit the matter.
    async fn require_review_manage(&self, actor: &Actor, matter: Id) -> Result<()> {
        let access = self.review_access(actor, matter).await?;
        self.require(actor, Action::EditMatter(access))
    }

    /// Whether `actor` may start ingests on the matter (for showing the controls).
    pub async fn can_manage_review(&self, actor: &Actor, matter: Id) -> bool {
        self.require_review_manage(actor, matter).await.is_ok()
    }

    /// The matters whose documents `actor` may see (the review landing page).
    pub async fn review_matters(&self, actor: &Actor) -> Result<Vec<store::MatterRow>> {
        let (rows, _) =
            self.list_matters(actor, &store::MatterFilter::default(), Page::new(1, 200)).await?;
        let mut out = Vec::new();
        for row in rows {
            if self.require_review_view(actor, row.matter.id).await.is_ok() {
                out.push(row);
            }
        }
        Ok(out)
    }

    pub async fn review_collections(
        &self,
        actor: &Actor,
        matter: Id,
    ) -> Result<Vec<CollectionView>> {
        self.require_review_view(actor, matter).await?;
        let mut out = Vec::new();
        for collection in self.store.review_collections(matter).await? {
            let sources = self.store.review_sources(collection.id).await?;
            out.push(CollectionView { collection, sources });
        }
        Ok(out)
    }

    pub async fn review_jobs(&self, actor: &Actor, matter: Id) -> Result<Vec<ReviewJob>> {
        self.require_review_view(actor, matter).await?;
        Ok(self.store.review_jobs(matter).await?)
    }

    pub async fn review_job(&self, actor: &Actor, job: Id) -> Result<ReviewJob> {
        let j = self.store.review_job(job).await?;
        self.require_review_view(actor, j.matter_id).await?;
        Ok(j)
    }

    pub async fn review_report(&self, actor: &Actor, matter: Id) -> Result<ReviewReport> {
        self.require_review_view(actor, matter).await?;
        Ok(self.store.review_report(matter).await?)
    }

    pub async fn review_items(
        &self,
        actor: &Actor,
        matter: Id,
        filter: &ReviewItemFilter,
        page: Page,
    ) -> Result<(Vec<ReviewItem>, bool)> {
        self.require_review_view(actor, matter).await?;
        Ok(self.store.list_review_items(matter, filter, page).await?)
    }

    /// An item with its family and text; opening a document is audited.
    pub async fn review_item(&self, actor: &Actor, id: Id) -> Result<ItemView> {
        let item = self.store.review_item(id).await?;
        self.require_review_view(actor, item.matter_id).await?;
        let filter = ReviewItemFilter { family_id: Some(item.family_id), ..Default::default() };
        let (family, _) =
            self.store.list_review_items(item.matter_id, &filter, Page::new(1, 200)).await?;
        let text = self.review_text(&item.text_sha256).await?;
        self.store.audit(self.event(actor, "review.item.view", "review_item", id)).await?;
        Ok(ItemView { item, family, text })
    }

    /// The native file of an item (its filename and bytes); downloading is audited.
    pub async fn review_native(&self, actor: &Actor, id: Id) -> Result<(String, Vec<u8>)> {
        let item = self.store.review_item(id).await?;
        self.require_review_view(actor, item.matter_id).await?;
        if item.native_sha256.is_empty() {
            return Err(AppError::NotFound("native"));
        }
        let bytes = self.store.blobs().get(&item.native_sha256).await?;
        self.store.audit(self.event(actor, "review.native.download", "review_item", id)).await?;
        Ok((item.filename, bytes))
    }

    async fn review_text(&self, sha: &str) -> Result<String> {
        if sha.is_empty() {
            return Ok(String::new());
        }
        let bytes = self.store.blobs().get(sha).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Items of a matter after `after_seq` with the fields and text the search index takes. A system
    /// call (no actor): the indexer runs after each committed batch on the server's behalf.
    pub async fn review_documents_for_index(
        &self,
        matter: Id,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<IndexSource>> {
        let rows = self.store.review_index_rows(matter, after_seq, limit).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let body = self.review_text(&row.text_sha256).await?;
            out.push(IndexSource { row, body });
        }
        Ok(out)
    }

    /// Creates a collection (or reuses the matter's collection of that custodian) and a job over
    /// `paths`. When an unfinished job over the same paths exists, it is returned instead, so running
    /// the same command again resumes it.
    pub async fn start_review_ingest(
        &self,
        actor: &Actor,
        matter: Id,
        custodian: &str,
        paths: &[PathBuf],
    ) -> Result<ReviewJob> {
        self.require_review_manage(actor, matter).await?;
        let custodian = custodian.trim();
        if paths.is_empty() {
            return Err(AppError::Invalid {
                field: "path".into(),
                message: "give at least one file or folder".into(),
            });
        }
        let files = list_files(paths)?;
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let collection = match self
            .store
            .review_collections(matter)
            .await?
            .into_iter()
            .find(|c| c.custodian == custodian)
        {
            Some(c) => c,
            None => {
                let c = ReviewCollection {
                    id: Id::new_at(self.now()),
                    matter_id: matter,
                    name: if custodian.is_empty() {
                        "Shared sources".into()
                    } else {
                        custodian.to_string()
                    },
                    custodian: custodian.to_string(),
                    created_by: actor.user_id,
                    created_at: self.now(),
                };
                let ev =
                    self.event(actor, "review.collection.create", "review_collection", c.id).with(
                        serde_json::json!({"matter": matter.to_string(), "custodian": custodian}),
                    );
                self.store.create_review_collection(&c, ev).await?;
                c
            }
        };
        if let Some(open) =
            self.store.review_jobs(matter).await?.into_iter().find(|j| {
                j.collection_id == collection.id && j.paths == paths && j.status != "done"
            })
        {
            return Ok(open);
        }
        let now = self.now();
        let job = ReviewJob {
            id: Id::new_at(now),
            collection_id: collection.id,
            matter_id: matter,
            status: "queued".into(),
            paths,
            total_files: files.len() as i64,
            done_files: 0,
            total_bytes: files.iter().map(|f| f.size as i64).sum(),
            done_bytes: 0,
            items: 0,
            exceptions: 0,
            cursor: String::new(),
            error: String::new(),
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        let ev = self
            .event(actor, "review.job.create", "review_job", job.id)
            .with(serde_json::json!({"paths": job.paths, "files": job.total_files}));
        self.store.create_review_job(&job, ev).await?;
        Ok(job)
    }

    /// Runs (or resumes) a job to the end: files after the checkpoint are extracted, stored and committed
    /// in batches; then the matter's duplicates, near-duplicates and threads are recomputed.
    pub async fn run_review_job(
        &self,
        actor: &Actor,
        job: Id,
        options: &IngestOptions,
    ) -> Result<ReviewJob> {
        let mut current = self.store.review_job(job).await?;
        self.require_review_manage(actor, current.matter_id).await?;
        let collection = self.store.review_collection(current.collection_id).await?;
        let roots: Vec<PathBuf> = current.paths.iter().map(PathBuf::from).collect();
        let files = list_files(&roots)?;
        let sidecars = sidecar_parents(&files);
        let start = if current.cursor.is_empty() {
            0
        } else {
            files.iter().position(|f| f.display == current.cursor).map_or(0, |p| p + 1)
        };
        let ev = self.event(actor, "review.job.start", "review_job", job);
        self.store.set_review_job_status(job, "running", "", self.now(), false, ev).await?;
        // Ids of already committed emails, for sidecar attachments whose email was in an earlier batch.
        let mut email_ids: HashMap<String, (Id, Id)> = HashMap::new();
        if !sidecars.is_empty() {
            for item in self.store.all_review_items(current.matter_id).await? {
                if item.collection_id == collection.id && item.source_key.ends_with('#') {
                    let path = item.source_key.trim_end_matches('#').to_string();
                    email_ids.insert(path, (item.id, item.family_id));
                }
            }
        }
        let mut batch = ReviewBatch {
            job_id: job,
            sources: Vec::new(),
            cursor: current.cursor.clone(),
            files: 0,
            bytes: 0,
        };
        let mut batch_items = 0usize;
        let remaining: Vec<SourceFile> = files[start.min(files.len())..].to_vec();
        let parallel = options.parallel.max(1);
        for group in remaining.chunks(parallel) {
            let mut handles = Vec::new();
            for file in group {
                let (file, custodian, opts) =
                    (file.clone(), collection.custodian.clone(), options.clone());
                handles.push(tokio::spawn(async move { extract(file, custodian, &opts).await }));
            }
            for handle in handles {
                let extracted =
                    handle.await.map_err(|e| AppError::Internal(format!("extract task: {e}")))?;
                let display = extracted.file.display.clone();
                let parent = sidecars.get(&display).and_then(|email| email_ids.get(email)).copied();
                let (source, items) =
                    self.store_extracted(actor, &collection, extracted, parent).await?;
                if let Some(root) = items.first()
                    && root.kind == "email"
                {
                    email_ids.insert(display.clone(), (root.id, root.family_id));
                }
                batch_items += items.len();
                batch.files += 1;
                batch.bytes += source.size;
                batch.cursor = display;
                batch.sources.push((source, items));
                if batch_items >= options.batch_items {
                    current = self.commit_batch(actor, &mut batch, options).await?;
                    batch_items = 0;
                }
            }
        }
        if !batch.sources.is_empty() || batch.files > 0 {
            current = self.commit_batch(actor, &mut batch, options).await?;
        }
        self.analyze_review(actor, current.matter_id, options).await?;
        self.index_review_documents(actor, current.matter_id).await?;
        let ev = self.event(actor, "review.job.finish", "review_job", job);
        self.store.set_review_job_status(job, "done", "", self.now(), true, ev).await?;
        current = self.store.review_job(job).await?;
        if let Some(progress) = &options.progress {
            progress(&current);
        }
        Ok(current)
    }

    /// Resumes an unfinished job on a background task (the collection page's "Resume" button). A job
    /// still reporting progress in the last two minutes is running elsewhere and is left alone; a run
    /// that fails marks the job failed with its reason.
    pub async fn resume_review_job(&self, actor: &Actor, job: Id) -> Result<()> {
        let current = self.store.review_job(job).await?;
        self.require_review_manage(actor, current.matter_id).await?;
        if current.status == "done" {
            return Err(AppError::Conflict("this job has finished".into()));
        }
        if current.status == "running"
            && self.now() - current.updated_at < chrono::Duration::minutes(2)
        {
            return Err(AppError::Conflict(
                "this job is running; it can be resumed once it stops reporting progress".into(),
            ));
        }
        let (app, actor) = (self.clone(), *actor);
        tokio::spawn(async move {
            if let Err(e) = app.run_review_job(&actor, job, &IngestOptions::default()).await {
                let ev = app.event(&actor, "review.job.fail", "review_job", job);
                let _ = app
                    .store
                    .set_review_job_status(job, "failed", &e.to_string(), app.now(), false, ev)
                    .await;
            }
        });
        Ok(())
    }

    async fn commit_batch(
        &self,
        actor: &Actor,
        batch: &mut ReviewBatch,
        options: &IngestOptions,
    ) -> Result<ReviewJob> {
        let ev = self.event(actor, "review.ingest.batch", "review_job", batch.job_id);
        self.store.commit_review_batch(batch, self.now(), ev).await?;
        batch.sources.clear();
        batch.files = 0;
        batch.bytes = 0;
        let job = self.store.review_job(batch.job_id).await?;
        if let Some(progress) = &options.progress {
            progress(&job);
        }
        Ok(job)
    }

    /// Stores natives and texts in the blob store and turns the extracted items into records with ids,
    /// family and container links resolved. `sidecar_parent` is the (id, family) of the email a loose
    /// attachment file belongs to.
    async fn store_extracted(
        &self,
        actor: &Actor,
        collection: &ReviewCollection,
        e: Extracted,
        sidecar_parent: Option<(Id, Id)>,
    ) -> Result<(ReviewSource, Vec<ReviewItem>)> {
        let now = self.now();
        let source = ReviewSource {
            id: Id::new_at(now),
            path: e.file.display.clone(),
            size: e.file.size as i64,
            md5: e.md5,
            sha256: e.sha256,
            collected_at: now,
            collected_by: actor.user_id,
        };
        let mut ids: HashMap<String, (Id, Id)> = HashMap::new();
        let mut out = Vec::with_capacity(e.items.len());
        let mut writes = tokio::task::JoinSet::new();
        for item in e.items {
            let id = Id::new_at(now);
            let (parent_id, family_id) = match &item.parent {
                Some(p) => {
                    let (pid, fam) = ids
                        .get(p)
                        .copied()
                        .ok_or_else(|| AppError::Internal("parent after child".into()))?;
                    (Some(pid), fam)
                }
                None if item.key.is_empty() && sidecar_parent.is_some() => {
                    let (pid, fam) = sidecar_parent.expect("checked above");
                    (Some(pid), fam)
                }
                None => (None, id),
            };
            ids.insert(item.key.clone(), (id, family_id));
            let container_id = item.container.as_ref().and_then(|c| ids.get(c)).map(|(i, _)| *i);
            // Blob writes run concurrently (each is a temp file + rename); their names are the
            // SHA-256 of the content, known up front, so records need not wait for the writes.
            let native_sha256 = if item.native.is_empty() && item.exception.is_some() {
                String::new()
            } else {
                store::blobs::sha256_hex(&item.native)
            };
            let text_sha256 = if item.text.is_empty() {
                String::new()
            } else {
                store::blobs::sha256_hex(item.text.as_bytes())
            };
            for (needed, bytes) in [
                (!native_sha256.is_empty(), &item.native),
                (!text_sha256.is_empty(), &item.text.as_bytes().to_vec()),
            ] {
                if needed {
                    let blobs = self.store.blobs().clone();
                    let bytes = bytes.clone();
                    writes.spawn(async move { blobs.put(&bytes).await });
                }
            }
            let get = |name: &str| item.get(name).unwrap_or("").to_string();
            let metadata = serde_json::Value::Object(
                item.meta
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
                    .collect(),
            );
            out.push(ReviewItem {
                id,
                seq: 0,
                matter_id: collection.matter_id,
                collection_id: collection.id,
                source_id: source.id,
                source_key: format!("{}#{}", e.file.display, item.key),
                parent_id,
                family_id,
                container_id,
                kind: item.kind.as_str().to_string(),
                custodian: collection.custodian.clone(),
                filename: get(field::FILENAME),
                fileext: get(field::FILEEXT),
                filesize: item.native.len().max(get(field::FILESIZE).parse().unwrap_or(0)) as i64,
                from: get(field::FROM),
                to: get(field::TO),
                cc: get(field::CC),
                bcc: get(field::BCC),
                subject: get(field::SUBJECT),
                date_sent: get(field::DATESENT),
                message_id: get(field::MESSAGEID),
                in_reply_to: get(field::INREPLYTO),
                md5: get(field::MD5HASH),
                sha1: get(field::SHA1HASH),
                dedup_key: if item.kind.is_container() { String::new() } else { item.dedup_key() },
                duplicate_of: None,
                all_custodians: vec![collection.custodian.clone()],
                neardup_group: None,
                neardup_similarity: None,
                thread_id: None,
                inclusive: false,
                exception: item.exception.clone(),
                native_sha256,
                text_sha256,
                text_chars: item.text.chars().count() as i64,
                metadata,
                created_at: now,
            });
        }
        // Every blob is on disk before the batch that names it can commit.
        while let Some(done) = writes.join_next().await {
            done.map_err(|e| AppError::Internal(format!("blob write: {e}")))??;
        }
        Ok((source, out))
    }

    /// Recomputes exact duplicates (per custodian or across the matter, keeping ALLCUSTODIANS),
    /// near-duplicate groups and email threads for a matter.
    pub async fn analyze_review(
        &self,
        actor: &Actor,
        matter: Id,
        options: &IngestOptions,
    ) -> Result<()> {
        self.require_review_manage(actor, matter).await?;
        let items = self.store.all_review_items(matter).await?;
        let reviewable: Vec<&ReviewItem> = items
            .iter()
            .filter(|i| Kind::parse(&i.kind).is_none_or(|k| !k.is_container()))
            .collect();
        let dedup_input: Vec<DedupItem<Id>> = reviewable
            .iter()
            .map(|i| DedupItem {
                id: i.id,
                custodian: i.custodian.clone(),
                hash: i.dedup_key.clone(),
            })
            .collect();
        let dedup = deduplicate(&dedup_input, options.scope);
        let mut analysis: BTreeMap<Id, ReviewAnalysis> = items
            .iter()
            .map(|i| {
                (
                    i.id,
                    ReviewAnalysis {
                        id: i.id,
                        duplicate_of: None,
                        all_custodians: vec![i.custodian.clone()],
                        neardup_group: None,
                        neardup_similarity: None,
                        thread_id: None,
                        inclusive: false,
                    },
                )
            })
            .collect();
        for (dup, master) in &dedup.duplicate_of {
            if let Some(a) = analysis.get_mut(dup) {
                a.duplicate_of = Some(*master);
            }
        }
        for (master, custodians) in &dedup.all_custodians {
            if let Some(a) = analysis.get_mut(master) {
                a.all_custodians = custodians.clone();
            }
        }
        // Near-duplicates over the masters' texts.
        if options.near_duplicates {
            let masters: Vec<&ReviewItem> = reviewable
                .iter()
                .copied()
                .filter(|i| i.text_chars > 0 && !dedup.duplicate_of.contains_key(&i.id))
                .collect();
            let mut texts = Vec::with_capacity(masters.len());
            for m in &masters {
                texts.push(self.review_text(&m.text_sha256).await?);
            }
            let config = review::neardup::NearDupConfig {
                boilerplate: vec![ENRON_FOOTER.to_string()],
                ..Default::default()
            };
            let outcome = tokio::task::spawn_blocking(move || {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                review::neardup::near_duplicates(&refs, &config)
            })
            .await
            .map_err(|e| AppError::Internal(format!("near-duplicates: {e}")))?;
            for group in outcome.groups {
                let pivot = masters[group.pivot].id;
                if let Some(a) = analysis.get_mut(&pivot) {
                    a.neardup_group = Some(pivot);
                    a.neardup_similarity = Some("1.00".into());
                }
                for member in group.members {
                    if let Some(a) = analysis.get_mut(&masters[member.doc].id) {
                        a.neardup_group = Some(pivot);
                        a.neardup_similarity = Some(format!("{:.2}", member.similarity));
                    }
                }
            }
        }
        // Email threads over every email (duplicates included: they belong to the same conversation).
        let emails: Vec<&ReviewItem> = reviewable
            .iter()
            .copied()
            .filter(|i| Kind::parse(&i.kind).is_some_and(Kind::is_email))
            .collect();
        let mut attachments: HashMap<Id, Vec<String>> = HashMap::new();
        for i in &items {
            if let Some(p) = i.parent_id {
                attachments.entry(p).or_default().push(i.md5.clone());
            }
        }
        let mut thread_input = Vec::with_capacity(emails.len());
        for e in &emails {
            let meta =
                |k: &str| e.metadata.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            thread_input.push(review::threading::Email {
                message_id: review::mail::message_ids(&e.message_id).into_iter().next(),
                in_reply_to: review::mail::message_ids(&e.in_reply_to),
                references: review::mail::message_ids(&meta(field::REFERENCES)),
                subject: e.subject.clone(),
                from: review::mail::addresses(&e.from),
                to: review::mail::addresses(&e.to),
                cc: review::mail::addresses(&e.cc),
                date: chrono::DateTime::parse_from_rfc3339(&e.date_sent)
                    .ok()
                    .map(|d| d.with_timezone(&chrono::Utc)),
                // Quoted text sits in the first part of a reply; a cap keeps 200,000 bodies in memory.
                body: truncate_chars(self.review_text(&e.text_sha256).await?, THREADING_BODY_CHARS),
                attachments: attachments.get(&e.id).cloned().unwrap_or_default(),
            });
        }
        let threading =
            tokio::task::spawn_blocking(move || review::threading::thread(&thread_input))
                .await
                .map_err(|e| AppError::Internal(format!("threading: {e}")))?;
        for (i, t) in threading.emails.iter().enumerate() {
            let thread = &threading.threads[t.thread];
            let thread_id = emails[thread.members[0]].id;
            if let Some(a) = analysis.get_mut(&emails[i].id) {
                a.thread_id = Some(thread_id);
                a.inclusive = t.inclusive.is_some();
            }
        }
        let rows: Vec<ReviewAnalysis> = analysis.into_values().collect();
        let ev = self
            .event(actor, "review.analyze", "matter", matter)
            .with(serde_json::json!({"scope": format!("{:?}", options.scope)}));
        self.store.set_review_analysis(&rows, ev).await?;
        Ok(())
    }
}

/// How much of each email body threading reads for its inclusive-email test.
const THREADING_BODY_CHARS: usize = 16_000;

fn truncate_chars(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
    }
    text
}

/// The EDRM licence footer that ends many Enron emails: boilerplate for near-duplicate detection.
const ENRON_FOOTER: &str = "EDRM Enron Email Data Set has been produced in EML, PST and NSF format by ZL Technologies, Inc. This Data Set is licensed under a Creative Commons Attribution 3.0 United States License <http://creativecommons.org/licenses/by/3.0/us/> . To provide attribution, please cite to \"ZL Technologies, Inc. (http://www.zlti.com).\"";

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(_app: &App, _firm: &crate::demo::DemoFirm) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_attachments_follow_their_email() {
        let files: Vec<SourceFile> = [
            "n/00033_2.eml",
            "n/00034_2-CA(new dominion).doc",
            "n/00035_20.eml",
            "n/00036_2-late.doc",
            "m/00037_20-x.doc",
        ]
        .iter()
        .map(|d| SourceFile { display: d.to_string(), path: PathBuf::from(d), size: 0 })
        .collect();
        let parents = sidecar_parents(&files);
        assert_eq!(
            parents.get("n/00034_2-CA(new dominion).doc").map(String::as_str),
            Some("n/00033_2.eml")
        );
        assert_eq!(parents.get("n/00036_2-late.doc"), None, "the latest email is 20, not 2");
        assert_eq!(parents.get("m/00037_20-x.doc"), None, "another folder");
        assert_eq!(parents.len(), 1);
    }

    /// A PDF extractor that hangs (for longer than the job's timeout) or panics, as hostile input can.
    struct Hostile {
        hang: bool,
    }

    impl Externals for Hostile {
        fn pdf_text(&self, _pdf: &[u8]) -> std::result::Result<String, String> {
            if self.hang {
                std::thread::sleep(Duration::from_secs(8));
                Ok("too late".into())
            } else {
                panic!("hostile PDF")
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hanging_or_panicking_parsers_cost_one_exception_and_the_job_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, admin, matter) = demo_app(&dir.path().join("data")).await;
        let source = dir.path().join("in");
        std::fs::create_dir_all(&source).expect("mkdir");
        std::fs::write(source.join("a.pdf"), b"%PDF-1.4 /Type /Page").expect("write");
        std::fs::write(source.join("b.txt"), b"ordinary words").expect("write");
        for (hang, expected) in [(true, "timed out"), (false, "hostile PDF")] {
            let options = IngestOptions {
                externals: Arc::new(Hostile { hang }),
                // Short only where the hang must trip it; a panic (with its backtrace) on a loaded
                // machine can take seconds and must not be mistaken for a hang.
                timeout: Duration::from_secs(if hang { 2 } else { 120 }),
                ..Default::default()
            };
            let custodian = if hang { "hang" } else { "panic" };
            let job = app
                .start_review_ingest(&admin, matter, custodian, std::slice::from_ref(&source))
                .await
                .expect("job");
            let done =
                app.run_review_job(&admin, job.id, &options).await.expect("the job survives");
            assert_eq!((done.status.as_str(), done.items, done.exceptions), ("done", 2, 1));
            let (items, _) = app
                .review_items(
                    &admin,
                    matter,
                    &ReviewItemFilter {
                        collection_id: Some(job.collection_id),
                        ..Default::default()
                    },
                    Page::default(),
                )
                .await
                .expect("items");
            let pdf =
                items.iter().find(|i| i.source_key == "in/a.pdf#").expect("the PDF is recorded");
            assert!(pdf.exception.as_deref().is_some_and(|e| e.contains(expected)), "{pdf:?}");
            assert_eq!(
                pdf.md5,
                review::dedup::md5_hex(b"%PDF-1.4 /Type /Page"),
                "the native is still hashed"
            );
            let txt = items.iter().find(|i| i.source_key == "in/b.txt#").expect("the text file");
            assert!(txt.exception.is_none());
        }
    }

    #[tokio::test]
    async fn externals_see_only_their_matters_and_cannot_ingest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, admin, matter) = demo_app(&dir.path().join("data")).await;
        let source = dir.path().join("n.txt");
        std::fs::write(&source, b"words").expect("write");
        let job = app
            .start_review_ingest(&admin, matter, "", std::slice::from_ref(&source))
            .await
            .expect("job");
        app.run_review_job(&admin, job.id, &IngestOptions::default()).await.expect("runs");
        let users = app.users_with_roles(domain::Role::ALL).await.expect("users");
        let by = |email: &str| {
            crate::auth::actor_of(
                users.iter().find(|u| u.email.starts_with(email)).expect("demo user"),
            )
        };
        let rivera = app.store.matter_by_number("2026-0002").await.expect("q").expect("matter").id;
        // priya reviews 2026-0001's documents for Meridian: she sees them, and nothing of 2026-0002.
        let priya = by("priya");
        assert_eq!(app.review_report(&priya, matter).await.expect("visible").items, 1);
        assert!(matches!(app.review_report(&priya, rivera).await, Err(AppError::Forbidden)));
        assert!(matches!(
            app.start_review_ingest(&priya, matter, "", std::slice::from_ref(&source)).await,
            Err(AppError::Forbidden)
        ));
        // vera dockets 2026-0001 but does not review its documents.
        assert!(matches!(app.review_report(&by("vera"), matter).await, Err(AppError::Forbidden)));
        assert_eq!(
            app.review_report(&by("manoj"), matter).await.expect("priya's manager").items,
            1
        );
        // ben is not on 2026-0001's team.
        assert!(matches!(
            app.review_collections(&by("ben"), matter).await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(app.review_collections(&by("alice"), matter).await.expect("team").len(), 1);
    }

    /// `LAWDESK_SHARED_DATA`, else `<workspace>/../shared/data`; `None` (after saying so) when absent.
    fn shared_data(relative: &str) -> Option<PathBuf> {
        let base =
            std::env::var_os("LAWDESK_SHARED_DATA").map(PathBuf::from).unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
            });
        let path = base.join(relative);
        if path.exists() {
            Some(path)
        } else {
            eprintln!("SKIPPED (corpus suite): {} not found", path.display());
            None
        }
    }

    async fn demo_app(dir: &Path) -> (App, Actor, Id) {
        let store = store::Store::open_sqlite(dir).await.expect("open store");
        let app = App::new(store);
        app.load_demo().await.expect("demo loads");
        let admin = app.users_with_roles(&[domain::Role::Admin]).await.expect("admins")[0].clone();
        let matter =
            app.store.matter_by_number("2026-0001").await.expect("query").expect("demo matter").id;
        (app, crate::auth::actor_of(&admin), matter)
    }

    fn words(text: &str) -> std::collections::BTreeSet<String> {
        review::text::words(text).into_iter().collect()
    }

    /// Ingests the FreeEED Enron sample and compares with its load file: every native accounted for with
    /// an equal MD5, the attachment-to-parent links as families, the Message-IDs, the exact duplicates
    /// and the exceptions; prints the text agreement rate with FreeEED's extracted text.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn corpus_enron_freeeed_reproduces_the_load_file() {
        let Some(root) = shared_data("review/enron-freeeed") else { return };
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, admin, matter) = demo_app(dir.path()).await;
        let job = app
            .start_review_ingest(&admin, matter, "Bailey, Susan", &[root.join("native")])
            .await
            .expect("job starts");
        let done =
            app.run_review_job(&admin, job.id, &IngestOptions::default()).await.expect("job runs");
        assert_eq!((done.status.as_str(), done.done_files, done.total_files), ("done", 2476, 2476));

        let items = app.store.all_review_items(matter).await.expect("items");
        let by_file: HashMap<String, &ReviewItem> = items
            .iter()
            .filter(|i| i.source_key.ends_with('#'))
            .map(|i| {
                (i.source_key.trim_start_matches("native/").trim_end_matches('#').to_string(), i)
            })
            .collect();
        let by_id: HashMap<Id, &ReviewItem> = items.iter().map(|i| (i.id, i)).collect();
        let mut load = csv::ReaderBuilder::new()
            .delimiter(b'|')
            .from_path(root.join("load-no-text.csv"))
            .expect("load file");
        let headers = load.headers().expect("header row").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
        let (upi, link, parent, message_id, hash, exception) = (
            col("UPI"),
            col("native_link"),
            col("attachment_parent"),
            col("message_id"),
            col("Hash"),
            col("processing_exception"),
        );
        let rows: Vec<csv::StringRecord> = load.records().map(|r| r.expect("row")).collect();
        let upi_file: HashMap<String, String> = rows
            .iter()
            .map(|r| (r[upi].to_string(), r[link].trim_start_matches("native/").to_string()))
            .collect();
        let (mut missing_natives, mut md5_equal, mut md5_differ) = (Vec::new(), 0, Vec::new());
        let (mut links, mut links_ok, mut ids, mut ids_ok) = (0, 0, 0, 0);
        let mut truth_exceptions = Vec::new();
        let mut our_md5_groups: BTreeMap<String, usize> = BTreeMap::new();
        let mut truth_md5_groups: BTreeMap<String, usize> = BTreeMap::new();
        for r in &rows {
            let file = r[link].trim_start_matches("native/");
            let Some(item) = by_file.get(file) else {
                missing_natives.push(file.to_string());
                continue;
            };
            *our_md5_groups.entry(item.md5.clone()).or_default() += 1;
            *truth_md5_groups.entry(r[hash].to_string()).or_default() += 1;
            if item.md5 == r[hash] {
                md5_equal += 1;
            } else {
                let on_disk = review::dedup::md5_hex(
                    &std::fs::read(root.join("native").join(file)).expect("native"),
                );
                assert_eq!(item.md5, on_disk, "{file}: our MD5 is the native's");
                md5_differ.push(file.to_string());
            }
            if !r[parent].is_empty() {
                links += 1;
                let expected = &upi_file[&r[parent]];
                let got = item
                    .parent_id
                    .and_then(|p| by_id.get(&p))
                    .map(|p| p.source_key.trim_start_matches("native/").trim_end_matches('#'));
                if got == Some(expected.as_str())
                    && item.family_id == by_file[expected.as_str()].family_id
                {
                    links_ok += 1;
                }
            } else {
                assert!(item.parent_id.is_none(), "{file} has no parent in the load file");
            }
            if !r[message_id].is_empty() {
                ids += 1;
                if item.message_id == r[message_id].trim() {
                    ids_ok += 1;
                }
            }
            if !r[exception].is_empty() {
                truth_exceptions.push((file.to_string(), item.exception.clone()));
            }
        }
        let dups = |groups: &BTreeMap<String, usize>| groups.values().map(|n| n - 1).sum::<usize>();
        eprintln!(
            "enron-freeeed: {} rows, {} natives missing from the sample {:?}; MD5 equal {md5_equal}, differing in the load file {md5_differ:?}; \
             links {links_ok}/{links}; Message-IDs {ids_ok}/{ids}; MD5 duplicates ours {} truth {}; load-file exceptions {truth_exceptions:?}",
            rows.len(),
            missing_natives.len(),
            missing_natives,
            dups(&our_md5_groups),
            dups(&truth_md5_groups),
        );
        assert_eq!(
            missing_natives,
            vec!["01403_111-Mouse_final.mpeg".to_string()],
            "only the native absent from the sample"
        );
        assert!(
            md5_equal >= rows.len() - 1 - 6,
            "MD5s agree except where the load file hashed other bytes"
        );
        let all_links = rows.iter().filter(|r| !r[parent].is_empty()).count();
        assert_eq!(all_links, 167);
        // Every link whose child is in the sample (one child is the absent .mpeg).
        assert_eq!((links_ok, links), (166, 166));
        assert_eq!(ids_ok, ids);
        assert_eq!(ids, 2183);
        // Exact duplicates by MD5 over the natives: the load file's 61 (its 6 odd hashes pair up the same way).
        assert_eq!(dups(&our_md5_groups), 61);
        assert_eq!(dups(&truth_md5_groups), 61);
        // FreeEED could not read two PDFs (encrypted with an empty password: pdftotext reads them) and a
        // Word file with embedded objects (its piece table reads fine); the Publisher file stays unsupported.
        for (file, ours) in &truth_exceptions {
            if file.ends_with(".pub") {
                assert!(ours.is_some(), "{file} should be an exception");
            }
        }
        let report = app.review_report(&admin, matter).await.expect("report");
        assert!(report.duplicates >= 61, "{report:?}");

        // Text agreement with FreeEED's extracted text for the text-bearing items.
        let (mut compared, mut agree) = (0, 0);
        for r in &rows {
            let file = r[link].trim_start_matches("native/");
            let Some(item) = by_file.get(file) else { continue };
            let Ok(theirs) = std::fs::read_to_string(root.join("text").join(format!("{file}.txt")))
            else {
                continue;
            };
            let theirs = words(&theirs);
            if theirs.is_empty() {
                continue;
            }
            compared += 1;
            let ours = words(&app.review_text(&item.text_sha256).await.expect("text"));
            let common = ours.intersection(&theirs).count();
            if common as f64 >= 0.9 * theirs.len() as f64 {
                agree += 1;
            }
        }
        let rate = agree as f64 / compared as f64;
        eprintln!(
            "enron-freeeed text agreement: {agree}/{compared} = {:.1}% (>= 90% of FreeEED's distinct words found)",
            rate * 100.0
        );
        assert!(rate > 0.9, "text agreement {rate}");
    }
}
