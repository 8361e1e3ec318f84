//! Pages and JSON API for review.

use crate::AppState;
use crate::pages::NavLink;
use crate::session::Ctx;
use axum::Router;
use utoipa::OpenApi;

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi()]
pub(crate) struct ApiDoc;

/// The top navigation link ("Review", /review) for users who may use it.
pub(crate) fn nav(_ctx: &Ctx) -> Option<NavLink> {
    None
}
