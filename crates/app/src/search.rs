//! Use cases for searching a matter's document collection: indexing reviewed documents and running
//! reviewers' queries with the matter's visibility rules applied.
//!
//! Who may search: whoever may view the matter (walls first, then team), except that an external user
//! (virtual assistant, LPO) must also have document-review work on the matter assigned to them (an LPO
//! manager: to their organization) – a VA docketing the matter does not get its documents. Indexing is
//! for firm staff who may edit the matter. Both are audited; the index itself lives outside the
//! database (`<data_dir>/index/<matter_id>/`), so its audit event is written once the commit succeeded.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use domain::{Action, Actor, Id, ServiceLine};
use search::{IndexDoc, IndexStats, MatterIndex, SearchError, SearchPage, TermReport};
use store::{Page, WorkFilter};

use crate::{App, AppError, Result};

/// Hits per page on the search page and in the API.
pub const PAGE_SIZE: usize = 20;
/// Most lines in one search-term report.
pub const MAX_REPORT_TERMS: usize = 200;

/// Open indexes by folder, shared by every request in the process (opening maps files; writing is
/// serialized inside [`MatterIndex`]).
static OPEN: LazyLock<Mutex<HashMap<PathBuf, Arc<MatterIndex>>>> = LazyLock::new(Default::default);

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Syntax { .. } | SearchError::TooManyExpansions { .. } => {
                AppError::Invalid { field: "q".into(), message: e.to_string() }
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl App {
    /// The folder of a matter's index: `<data_dir>/index/<matter_id>`.
    pub fn index_dir(&self, matter: Id) -> PathBuf {
        self.store.data_dir().join("index").join(matter.to_string())
    }

    fn open_index(&self, matter: Id) -> Result<Arc<MatterIndex>> {
        let dir = self.index_dir(matter);
        let mut open = OPEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(index) = open.get(&dir) {
            return Ok(index.clone());
        }
        let index = Arc::new(MatterIndex::open_or_create(&dir)?);
        open.insert(dir, index.clone());
        Ok(index)
    }

    /// Checks that `actor` may search `matter` (see the module docs).
    pub async fn require_search(&self, actor: &Actor, matter: Id) -> Result<()> {
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::ViewMatter(access))?;
        if actor.role.is_external() {
            let filter = WorkFilter {
                matter_id: Some(matter),
                service_line: Some(ServiceLine::DocumentReview),
                ..Default::default()
            };
            let (review_work, _) =
                self.store.list_work_items(actor, &filter, Page::new(1, 1)).await?;
            if review_work.is_empty() {
                return Err(AppError::Forbidden);
            }
        }
        Ok(())
    }

    /// Indexes every processed document of a matter's review collections (the path from ingest to
    /// search). Documents are replaced by id, so running it again after a resumed job adds nothing twice.
    pub async fn index_review_documents(&self, actor: &Actor, matter: Id) -> Result<IndexStats> {
        let mut after = 0;
        let mut total = IndexStats::default();
        loop {
            let page = self.review_documents_for_index(matter, after, 1_000).await?;
            let Some(last) = page.last() else { break };
            after = last.row.seq;
            let docs = page
                .into_iter()
                .map(|source| {
                    let row = source.row;
                    IndexDoc {
                        doc_id: row.doc_id.to_string(),
                        custodian: row.custodian,
                        from: row.from,
                        to: row.to,
                        cc: row.cc,
                        bcc: row.bcc,
                        subject: row.subject,
                        date_sent: chrono::DateTime::parse_from_rfc3339(&row.date_sent)
                            .ok()
                            .map(|d| d.with_timezone(&chrono::Utc)),
                        filename: row.filename,
                        file_ext: row.file_ext,
                        family_id: row.family_id.to_string(),
                        body: source.body,
                    }
                })
                .collect();
            let stats = self.index_documents(actor, matter, docs).await?;
            total.documents += stats.documents;
            total.text_bytes += stats.text_bytes;
        }
        Ok(total)
    }

    /// Adds documents to the matter's index, replacing earlier versions with the same id.
    pub async fn index_documents(
        &self,
        actor: &Actor,
        matter: Id,
        docs: Vec<IndexDoc>,
    ) -> Result<IndexStats> {
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::EditMatter(access))?;
        if let Some(doc) = docs.iter().find(|d| d.doc_id.trim().is_empty()) {
            return Err(AppError::Invalid {
                field: "doc_id".into(),
                message: format!(
                    "every document needs an id (one titled {:?} has none)",
                    doc.subject
                ),
            });
        }
        let index = self.open_index(matter)?;
        let stats = tokio::task::spawn_blocking(move || index.add(docs, 10_000, 2, 200_000_000))
            .await
            .map_err(|e| AppError::Internal(format!("indexing task: {e}")))??;
        let mut event = self.event(actor, "search.index", "matter", matter);
        event.detail =
            serde_json::json!({ "documents": stats.documents, "text_bytes": stats.text_bytes });
        self.store.audit(event).await?;
        Ok(stats)
    }

    /// Runs a reviewer's query over the matter's index; `page` is 1-based.
    pub async fn search(
        &self,
        actor: &Actor,
        matter: Id,
        query: &str,
        page: usize,
    ) -> Result<SearchPage> {
        self.require_search(actor, matter).await?;
        let index = self.open_index(matter)?;
        let text = query.to_string();
        let result = tokio::task::spawn_blocking(move || index.search(&text, page, PAGE_SIZE))
            .await
            .map_err(|e| AppError::Internal(format!("search task: {e}")))??;
        let mut event = self.event(actor, "search.query", "matter", matter);
        event.detail = serde_json::json!({ "q": query, "page": page, "total": result.total });
        self.store.audit(event).await?;
        Ok(result)
    }

    /// A search-term report: one row per non-empty line of `terms`.
    pub async fn search_term_report(
        &self,
        actor: &Actor,
        matter: Id,
        terms: &str,
    ) -> Result<TermReport> {
        self.require_search(actor, matter).await?;
        let lines: Vec<String> = terms.lines().map(str::to_string).collect();
        if lines.iter().all(|l| l.trim().is_empty()) {
            return Err(AppError::Invalid {
                field: "terms".into(),
                message: "enter at least one search term, one per line".into(),
            });
        }
        if lines.len() > MAX_REPORT_TERMS {
            return Err(AppError::Invalid {
                field: "terms".into(),
                message: format!("at most {MAX_REPORT_TERMS} lines per report"),
            });
        }
        let index = self.open_index(matter)?;
        let report = tokio::task::spawn_blocking(move || index.term_report(&lines))
            .await
            .map_err(|e| AppError::Internal(format!("term report task: {e}")))?
            .map_err(|e| match e {
                SearchError::Syntax { .. } | SearchError::TooManyExpansions { .. } => {
                    AppError::Invalid { field: "terms".into(), message: e.to_string() }
                }
                other => other.into(),
            })?;
        let mut event = self.event(actor, "search.term_report", "matter", matter);
        event.detail =
            serde_json::json!({ "terms": terms.lines().filter(|l| !l.trim().is_empty()).count() });
        self.store.audit(event).await?;
        Ok(report)
    }
}

/// Synthetic emails for the demo firm's 2026-0001 Acme v. Initech, so the search page shows hits.
pub fn demo_documents() -> Vec<IndexDoc> {
    let day = |d: u32, h: u32| {
        chrono::NaiveDate::from_ymd_opt(2025, 3, d)
            .and_then(|date| date.and_hms_opt(h, 15, 0))
            .map(|t| t.and_utc())
    };
    let email = |id: &str, from: &str, to: &str, subject: &str, sent, body: &str| IndexDoc {
        doc_id: id.into(),
        custodian: "Initech, Bill Lumbergh".into(),
        from: from.into(),
        to: to.into(),
        subject: subject.into(),
        date_sent: sent,
        filename: format!("{id}.eml"),
        file_ext: "eml".into(),
        family_id: id.into(),
        body: body.into(),
        ..IndexDoc::default()
    };
    let lumbergh = "Bill Lumbergh <bill.lumbergh@initech.example>";
    let peter = "Peter Gibbons <peter.gibbons@initech.example>";
    let acme = "Wile E. Coyote <w.coyote@acme.example>";
    let mut attachment = email(
        "ACME-000004",
        "",
        "",
        "",
        day(7, 9),
        "TPS pricing schedule. Unit price fixed at $4.10 through Q3; volume discounts suspended.",
    );
    attachment.family_id = "ACME-000003".into();
    attachment.filename = "TPS price schedule.xlsx".into();
    attachment.file_ext = "xlsx".into();
    vec![
        email(
            "ACME-000001",
            lumbergh,
            peter,
            "TPS reports",
            day(3, 10),
            "Yeah, if you could go ahead and put the new cover sheets on the TPS reports, that would \
             be great. Also, the Acme license renewal is due Friday.",
        ),
        email(
            "ACME-000002",
            acme,
            lumbergh,
            "Anvil supply agreement – pricing",
            day(5, 16),
            "Per our call, we cannot agree to fix the price of anvils for the whole year. Our costs \
             were manipulated by the rocket-skate supplier, and the licensing terms remain open.",
        ),
        email(
            "ACME-000003",
            lumbergh,
            acme,
            "Re: Anvil supply agreement – pricing",
            day(7, 9),
            "Attached is the price schedule. Please keep this confidential; legal has not reviewed \
             the exclusivity clause.",
        ),
        attachment,
        email(
            "ACME-000005",
            peter,
            "Michael Bolton <michael.bolton@initech.example>",
            "Café on Friday?",
            day(12, 12),
            "Lumbergh wants everyone in on Saturday. Let's talk at the café – and bring the \
             stapler.",
        ),
    ]
}

/// Indexes the demo emails into 2026-0001 (called at the end of `App::load_demo`).
pub async fn demo(app: &App, firm: &crate::demo::DemoFirm) -> Result<()> {
    let admin = crate::auth::actor_of(&firm.users[0]);
    app.index_documents(&admin, firm.matters[0], demo_documents()).await?;
    Ok(())
}
