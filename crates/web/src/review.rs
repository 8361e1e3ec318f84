//! Pages and JSON API for review: the matters with documents, a matter's collection page (processing
//! report, jobs with live progress, chain of custody, the item list), the item page with its family and
//! text, native downloads, and the same data as JSON.

use crate::AppState;
use crate::WebError;
use crate::pages::{Layout, NavLink, WebResult, id, layout, render};
use crate::pages::{NoFields, see_other};
use crate::session::{ApiCtx, CsrfForm, Ctx};
use app::AppError;
use app::review::{CollectionView, ItemView};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Id, Role};
use serde::{Deserialize, Serialize};
use store::Page;
use store::review::{ReviewItem, ReviewItemFilter, ReviewJob, ReviewReport};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/review", get(landing))
        .route("/matters/{id}/review", get(collection_page))
        .route("/matters/{id}/review/jobs", get(jobs_fragment))
        .route("/review/jobs/{id}/resume", post(resume_job))
        .route("/review/items/{id}", get(item_page))
        .route("/review/items/{id}/native", get(native))
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/matters/{id}/review/report", get(api_report))
        .route("/matters/{id}/review/items", get(api_items))
        .route("/matters/{id}/review/jobs", get(api_jobs))
        .route("/review/items/{id}", get(api_item))
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(paths(api_report, api_items, api_jobs, api_item), components(schemas(ItemsOut)))]
pub(crate) struct ApiDoc;

/// The top navigation link ("Review", /review) for users who may use it: the firm's people, and
/// LPO members (whose review work decides which matters they see).
pub(crate) fn nav(ctx: &Ctx) -> Option<NavLink> {
    matches!(
        ctx.user.role,
        Role::Admin | Role::Attorney | Role::Staff | Role::LpoManager | Role::LpoReviewer
    )
    .then_some(NavLink { href: "/review", label: "Review", tab: "review" })
}

#[derive(Template)]
#[template(path = "review/landing.html")]
struct LandingPage {
    l: Layout,
    matters: Vec<store::MatterRow>,
}

async fn landing(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    let matters = s.app.review_matters(&ctx.actor).await?;
    render(LandingPage { l: layout(&ctx, "review"), matters })
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
pub(crate) struct ItemQuery {
    /// 1-based page.
    page: u32,
    /// Only items with a processing exception ("1").
    exceptions: String,
    /// Hide suppressed duplicates ("1").
    masters: String,
}

impl ItemQuery {
    fn filter(&self) -> ReviewItemFilter {
        ReviewItemFilter {
            exceptions_only: self.exceptions == "1",
            masters_only: self.masters == "1",
            ..Default::default()
        }
    }
    fn page(&self) -> Page {
        Page::new(self.page.max(1), 50)
    }
}

#[derive(Template)]
#[template(path = "review/collection.html")]
struct CollectionPage {
    l: Layout,
    matter: domain::Matter,
    /// For the included jobs fragment.
    matter_id: Id,
    csrf: String,
    can_manage: bool,
    report: ReviewReport,
    jobs: Vec<ReviewJob>,
    polling: bool,
    collections: Vec<CollectionView>,
    items: Vec<ReviewItem>,
    page: u32,
    more: bool,
    exceptions: String,
    masters: String,
}

async fn collection_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(mid): Path<String>,
    Query(q): Query<ItemQuery>,
) -> WebResult {
    let matter_id = id(&mid)?;
    let report = s.app.review_report(&ctx.actor, matter_id).await?;
    let matter = s.app.store.matter(matter_id).await.map_err(AppError::from)?;
    let jobs = s.app.review_jobs(&ctx.actor, matter_id).await?;
    let collections = s.app.review_collections(&ctx.actor, matter_id).await?;
    let (items, more) = s.app.review_items(&ctx.actor, matter_id, &q.filter(), q.page()).await?;
    let polling = jobs.iter().any(|j| j.status == "running" || j.status == "queued");
    let can_manage = s.app.can_manage_review(&ctx.actor, matter_id).await;
    render(CollectionPage {
        csrf: ctx.csrf.clone(),
        can_manage,
        l: layout(&ctx, "review"),
        matter_id: matter.id,
        matter,
        report,
        jobs,
        polling,
        collections,
        items,
        page: q.page().number,
        more,
        exceptions: q.exceptions,
        masters: q.masters,
    })
}

#[derive(Template)]
#[template(path = "review/jobs.html")]
struct JobsFragment {
    matter_id: Id,
    csrf: String,
    can_manage: bool,
    jobs: Vec<ReviewJob>,
    polling: bool,
}

/// The jobs table alone, polled by htmx every two seconds while a job runs.
async fn jobs_fragment(State(s): State<AppState>, ctx: Ctx, Path(mid): Path<String>) -> WebResult {
    let matter_id = id(&mid)?;
    let jobs = s.app.review_jobs(&ctx.actor, matter_id).await?;
    let polling = jobs.iter().any(|j| j.status == "running" || j.status == "queued");
    let can_manage = s.app.can_manage_review(&ctx.actor, matter_id).await;
    render(JobsFragment { matter_id, csrf: ctx.csrf.clone(), can_manage, jobs, polling })
}

/// Resumes an unfinished job in the background and returns to the collection page.
async fn resume_job(
    State(s): State<AppState>,
    Path(jid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    let job = s.app.review_job(&ctx.actor, id(&jid)?).await?;
    s.app.resume_review_job(&ctx.actor, job.id).await?;
    Ok(see_other(&format!("/matters/{}/review", job.matter_id)))
}

#[derive(Template)]
#[template(path = "review/item.html")]
struct ItemPage {
    l: Layout,
    v: ItemView,
    metadata: Vec<(String, String)>,
}

async fn item_page(State(s): State<AppState>, ctx: Ctx, Path(iid): Path<String>) -> WebResult {
    let v = s.app.review_item(&ctx.actor, id(&iid)?).await?;
    let metadata = v
        .item
        .metadata
        .as_object()
        .map(|m| {
            m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
        })
        .unwrap_or_default();
    render(ItemPage { l: layout(&ctx, "review"), v, metadata })
}

async fn native(State(s): State<AppState>, ctx: Ctx, Path(iid): Path<String>) -> WebResult {
    let (filename, bytes) = s.app.review_native(&ctx.actor, id(&iid)?).await?;
    // Always a download, never rendered under our origin; the name is reduced to safe characters.
    let safe: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ---- JSON API ---------------------------------------------------------------------------------

type ApiResult<T> = Result<T, WebError>;

fn parse(s: &str) -> ApiResult<Id> {
    Id::parse(s).map_err(|_| WebError::json(AppError::NotFound("record")))
}

/// A page of items.
#[derive(Serialize, ToSchema)]
pub(crate) struct ItemsOut {
    #[schema(value_type = Vec<Object>)]
    items: Vec<ReviewItem>,
    page: u32,
    more: bool,
}

/// The processing report of a matter: counts by type, exceptions, duplicates, near-duplicates, threads.
#[utoipa::path(get, path = "/api/v1/matters/{id}/review/report", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 403), (status = 404)))]
async fn api_report(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
) -> ApiResult<Json<ReviewReport>> {
    Ok(Json(s.app.review_report(&ctx.actor, parse(&mid)?).await.map_err(WebError::json)?))
}

/// A matter's documents in processing order, 50 per page.
#[utoipa::path(get, path = "/api/v1/matters/{id}/review/items", params(("id" = String, Path), ItemQuery), responses((status = 200, body = ItemsOut), (status = 403), (status = 404)))]
async fn api_items(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Json<ItemsOut>> {
    let (items, more) = s
        .app
        .review_items(&ctx.actor, parse(&mid)?, &q.filter(), q.page())
        .await
        .map_err(WebError::json)?;
    Ok(Json(ItemsOut { items, page: q.page().number, more }))
}

/// A matter's processing jobs with their progress, newest first.
#[utoipa::path(get, path = "/api/v1/matters/{id}/review/jobs", params(("id" = String, Path)), responses((status = 200, body = Vec<Object>), (status = 403), (status = 404)))]
async fn api_jobs(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
) -> ApiResult<Json<Vec<ReviewJob>>> {
    Ok(Json(s.app.review_jobs(&ctx.actor, parse(&mid)?).await.map_err(WebError::json)?))
}

/// One document with its family and extracted text.
#[utoipa::path(get, path = "/api/v1/review/items/{id}", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 403), (status = 404)))]
async fn api_item(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(iid): Path<String>,
) -> ApiResult<Json<ItemView>> {
    Ok(Json(s.app.review_item(&ctx.actor, parse(&iid)?).await.map_err(WebError::json)?))
}
