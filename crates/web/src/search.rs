//! Pages and JSON API for searching a matter's documents (the search page with highlighted hits, term reports).

use crate::AppState;
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
