//! The lawdesk web server: HTML pages, the JSON API and its OpenAPI document.
//!
//! Server-rendered HTML (askama, auto-escaped) that works without JavaScript and is enhanced
//! with htmx; a JSON API under `/api/v1` described by `/api/v1/openapi.json`. All assets are
//! embedded in the binary. This is the only crate that speaks HTTP.

mod api;
mod billing;
mod delegation;
mod docket;
mod error;
mod intake;
mod pages;
mod review;
mod search;
mod session;

pub use error::WebError;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub app: app::App,
    pub config: WebConfig,
}

pub fn router(app: app::App, config: WebConfig) -> Router {
    let state = AppState { app, config };
    Router::new()
        .merge(pages::routes())
        .merge(delegation::pages())
        .merge(docket::pages())
        .merge(billing::pages())
        .merge(intake::pages())
        .merge(review::pages())
        .merge(search::pages())
        .nest("/api/v1", api::routes())
        .route(
            "/assets/htmx.min.js",
            get(|| asset("application/javascript", include_bytes!("../assets/htmx.min.js"))),
        )
        .route("/assets/app.css", get(|| asset("text/css", include_bytes!("../assets/app.css"))))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { WebError::from(app::AppError::NotFound("page")) })
        // Uploads are limited in the use case too; this bounds what is read at all.
        .layer(DefaultBodyLimit::max(app::MAX_ATTACHMENT_BYTES + 64 * 1024))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn asset(content_type: &'static str, bytes: &'static [u8]) -> Response {
    (
        [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")],
        bytes,
    )
        .into_response()
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    res
}

/// Serves until Ctrl-C / SIGTERM, then finishes in-flight requests.
pub async fn serve(app: app::App, addr: SocketAddr, config: WebConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router(app, config).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
