//! The one error type of the web layer: an HTML page for browsers, JSON for the API, and never
//! an internal detail in either (internals go to the server log).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug)]
pub struct WebError {
    pub error: app::AppError,
    pub json: bool,
}

impl From<app::AppError> for WebError {
    fn from(error: app::AppError) -> Self {
        WebError { error, json: false }
    }
}

impl WebError {
    pub fn json(error: app::AppError) -> Self {
        WebError { error, json: true }
    }

    /// (status, stable code, message safe to show)
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        use app::AppError::*;
        match &self.error {
            Unauthenticated => {
                (StatusCode::UNAUTHORIZED, "unauthenticated", self.error.to_string())
            }
            Forbidden => (StatusCode::FORBIDDEN, "forbidden", self.error.to_string()),
            NotFound(_) => (StatusCode::NOT_FOUND, "not_found", self.error.to_string()),
            Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", self.error.to_string()),
            Conflict(_) => (StatusCode::CONFLICT, "conflict", self.error.to_string()),
            RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited", self.error.to_string())
            }
            Internal(detail) => {
                eprintln!("internal error: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; it has been logged".into(),
                )
            }
        }
    }
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        if self.json {
            let field = match &self.error {
                app::AppError::Invalid { field, .. } => Some(field.clone()),
                _ => None,
            };
            return (status, axum::Json(serde_json::json!({"error": {"code": code, "message": message, "field": field}}))).into_response();
        }
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        let body = format!(
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>{status} · lawdesk</title>\
             <link rel=stylesheet href=/assets/app.css></head><body><main><div class=card><h1>{}</h1>\
             <p>{}</p><p><a href=\"/\">Back to the dashboard</a></p></div></main></body></html>",
            status.canonical_reason().unwrap_or("Error"),
            escape(&message)
        );
        (status, Html(body)).into_response()
    }
}
