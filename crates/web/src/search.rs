//! Pages and JSON API for searching a matter's documents (the search page with highlighted hits, term reports).
//!
//! Highlighted snippets arrive from the `search` crate already HTML-escaped with `<mark>` around hits;
//! templates print them with `|safe` and everything else escaped as usual.

use crate::pages::{Layout, WebResult, id, layout, render};
use crate::session::{ApiCtx, Ctx};
use crate::{AppState, WebError};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/matters/{id}/search", get(search_page))
        .route("/matters/{id}/search/terms", get(terms_page))
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/matters/{id}/search", get(api_search))
        .route("/matters/{id}/search/terms", get(api_terms))
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(
    paths(api_search, api_terms),
    components(schemas(SearchOut, HitOut, FieldHighlightOut, TermReportOut, TermRowOut))
)]
pub(crate) struct ApiDoc;

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// The query, e.g. `(price* OR cost*) w/5 fix* AND from:skilling`.
    q: String,
    /// 1-based page of 20 hits.
    page: Option<usize>,
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(crate) struct TermParams {
    /// Search terms, one query per line.
    terms: String,
}

/// A page of hits.
#[derive(Serialize, ToSchema)]
pub(crate) struct SearchOut {
    query: String,
    /// How the query was read, as an s-expression.
    parsed: String,
    total: usize,
    page: usize,
    per_page: usize,
    hits: Vec<HitOut>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct HitOut {
    doc_id: String,
    score: f32,
    custodian: String,
    from: String,
    to: String,
    subject: String,
    date_sent: Option<chrono::DateTime<chrono::Utc>>,
    filename: String,
    family_id: String,
    hit_count: usize,
    /// Metadata fields with hits: HTML, escaped, hits in `<mark>`.
    fields: Vec<FieldHighlightOut>,
    /// Body fragments around hits: HTML, escaped, hits in `<mark>`.
    snippet_html: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FieldHighlightOut {
    field: String,
    html: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct TermReportOut {
    rows: Vec<TermRowOut>,
    total_docs_with_hits: usize,
    total_docs_with_hits_including_family: usize,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct TermRowOut {
    term: String,
    /// Highlighted words over all documents.
    hits: u64,
    docs_with_hits: usize,
    /// Documents with hits plus the rest of their families.
    docs_with_hits_including_family: usize,
    /// Documents this term hits and no other term does.
    unique_hits: usize,
}

impl From<search::SearchPage> for SearchOut {
    fn from(p: search::SearchPage) -> Self {
        SearchOut {
            query: p.query,
            parsed: p.parsed,
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            hits: p
                .hits
                .into_iter()
                .map(|h| HitOut {
                    doc_id: h.doc_id,
                    score: h.score,
                    custodian: h.custodian,
                    from: h.from,
                    to: h.to,
                    subject: h.subject,
                    date_sent: h.date_sent,
                    filename: h.filename,
                    family_id: h.family_id,
                    hit_count: h.hit_count,
                    fields: h
                        .fields
                        .into_iter()
                        .map(|f| FieldHighlightOut { field: f.field, html: f.html })
                        .collect(),
                    snippet_html: h.snippet_html,
                })
                .collect(),
        }
    }
}

impl From<search::TermReport> for TermReportOut {
    fn from(r: search::TermReport) -> Self {
        TermReportOut {
            rows: r
                .rows
                .into_iter()
                .map(|row| TermRowOut {
                    term: row.term,
                    hits: row.hits,
                    docs_with_hits: row.docs_with_hits,
                    docs_with_hits_including_family: row.docs_with_hits_including_family,
                    unique_hits: row.unique_hits,
                })
                .collect(),
            total_docs_with_hits: r.total_docs_with_hits,
            total_docs_with_hits_including_family: r.total_docs_with_hits_including_family,
        }
    }
}

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchTemplate {
    l: Layout,
    matter_id: String,
    matter_title: String,
    q: String,
    error: Option<String>,
    result: Option<SearchOut>,
    prev: Option<String>,
    next: Option<String>,
}

/// The search page: a query box, the hits with highlighted snippets, paging. A malformed query is
/// shown back with the message and a caret under the spot.
async fn search_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(mid): Path<String>,
    Query(p): Query<SearchParams>,
) -> WebResult {
    let matter = id(&mid)?;
    s.app.require_search(&ctx.actor, matter).await?;
    let title = s.app.store.matter(matter).await.map_err(AppError::from)?;
    let mut page = SearchTemplate {
        l: layout(&ctx, "matters"),
        matter_id: mid.clone(),
        matter_title: format!("{} · {}", title.number, title.title),
        q: p.q.clone(),
        error: None,
        result: None,
        prev: None,
        next: None,
    };
    if !p.q.trim().is_empty() {
        match s.app.search(&ctx.actor, matter, &p.q, p.page.unwrap_or(1)).await {
            Ok(found) => {
                let link = |n: usize| {
                    let qs = serde_urlencoded::to_string([
                        ("q", p.q.as_str()),
                        ("page", &n.to_string()),
                    ])
                    .expect("strings always encode");
                    format!("/matters/{mid}/search?{qs}")
                };
                if found.page > 1 {
                    page.prev = Some(link(found.page - 1));
                }
                if found.page * found.per_page < found.total {
                    page.next = Some(link(found.page + 1));
                }
                page.result = Some(found.into());
            }
            Err(AppError::Invalid { message, .. }) => {
                page.error = Some(match search::parse_query(&p.q, None) {
                    Err(search::SearchError::Syntax { caret, .. }) => caret,
                    _ => message,
                });
            }
            Err(other) => return Err(other.into()),
        }
    }
    render(page)
}

#[derive(Template)]
#[template(path = "search/terms.html")]
struct TermsTemplate {
    l: Layout,
    matter_id: String,
    matter_title: String,
    terms: String,
    error: Option<String>,
    report: Option<TermReportOut>,
}

/// The search-term report page: one query per line in, hits / documents / with families / unique out.
async fn terms_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(mid): Path<String>,
    Query(p): Query<TermParams>,
) -> WebResult {
    let matter = id(&mid)?;
    s.app.require_search(&ctx.actor, matter).await?;
    let title = s.app.store.matter(matter).await.map_err(AppError::from)?;
    let mut page = TermsTemplate {
        l: layout(&ctx, "matters"),
        matter_id: mid,
        matter_title: format!("{} · {}", title.number, title.title),
        terms: p.terms.clone(),
        error: None,
        report: None,
    };
    if !p.terms.trim().is_empty() {
        match s.app.search_term_report(&ctx.actor, matter, &p.terms).await {
            Ok(report) => page.report = Some(report.into()),
            Err(AppError::Invalid { message, .. }) => page.error = Some(message),
            Err(other) => return Err(other.into()),
        }
    }
    render(page)
}

/// Search a matter's documents with the reviewers' syntax (AND, OR, NOT, "phrases", wildcards,
/// fields, date ranges, w/N and pre/N). A malformed query is a 422 whose message says where.
#[utoipa::path(
    get,
    path = "/api/v1/matters/{id}/search",
    params(("id" = String, Path, description = "Matter id"), SearchParams),
    responses(
        (status = 200, body = SearchOut),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)
    )
)]
async fn api_search(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchOut>, WebError> {
    let matter = id(&mid).map_err(|e| WebError::json(e.error))?;
    let found = s
        .app
        .search(&ctx.actor, matter, &p.q, p.page.unwrap_or(1))
        .await
        .map_err(WebError::json)?;
    Ok(Json(found.into()))
}

/// A search-term report: per line of `terms`, hits, documents with hits, with families, unique hits.
#[utoipa::path(
    get,
    path = "/api/v1/matters/{id}/search/terms",
    params(("id" = String, Path, description = "Matter id"), TermParams),
    responses(
        (status = 200, body = TermReportOut),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)
    )
)]
async fn api_terms(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
    Query(p): Query<TermParams>,
) -> Result<Json<TermReportOut>, WebError> {
    let matter = id(&mid).map_err(|e| WebError::json(e.error))?;
    let report =
        s.app.search_term_report(&ctx.actor, matter, &p.terms).await.map_err(WebError::json)?;
    Ok(Json(report.into()))
}
