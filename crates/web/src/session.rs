//! Who is asking: the session cookie (pages) or a bearer token (API), and the CSRF check that
//! every state-changing browser request must pass.

use crate::{AppState, WebError};
use app::AppError;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, Method, request::Parts};
use domain::{Actor, User};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

pub const COOKIE: &str = "lawdesk_session";

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// A signed-in browser user.
#[derive(Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub user: User,
    pub csrf: String,
    pub cookie: String,
}

/// Rejects cross-site requests whose Origin names another host (a second line behind CSRF tokens).
fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get("origin").and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("");
    origin.split("://").nth(1).is_some_and(|o| o == host)
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    AppState: FromRef<S>,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let state = AppState::from_ref(state);
        let cookie = cookie_value(&parts.headers, COOKIE).ok_or(AppError::Unauthenticated)?;
        let (session, user) = state.app.session(&cookie).await?.ok_or(AppError::Unauthenticated)?;
        let ctx = Ctx { actor: app::auth::actor_of(&user), user, csrf: session.csrf_token, cookie };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// A form post from a signed-in user that carried the right `_csrf` token.
pub struct CsrfForm<T>(pub Ctx, pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T>
where
    AppState: FromRef<S>,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        if !same_origin(&parts) {
            return Err(AppError::Forbidden.into());
        }
        let bytes = axum::body::to_bytes(body, 1024 * 1024).await.map_err(|_| {
            AppError::Invalid { field: "form".into(), message: "the form is too large".into() }
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
            AppError::Invalid { field: "form".into(), message: "the form could not be read".into() }
        })?;
        let token = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str()).unwrap_or("");
        if !constant_time_eq(token.as_bytes(), ctx.csrf.as_bytes()) {
            return Err(AppError::Forbidden.into());
        }
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|e| AppError::Invalid {
            field: "form".into(),
            message: format!("the form is incomplete: {e}"),
        })?;
        Ok(CsrfForm(ctx, value))
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An API caller: a bearer token, or a browser session that sent `X-CSRF-Token` on writes.
pub struct ApiCtx {
    pub actor: Actor,
    pub user: User,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiCtx
where
    AppState: FromRef<S>,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app_state = AppState::from_ref(state);
        let auth = parts.headers.get("authorization").and_then(|v| v.to_str().ok());
        if let Some(token) = auth.and_then(|a| a.strip_prefix("Bearer ")) {
            let user = app_state
                .app
                .user_for_token(token.trim())
                .await
                .map_err(WebError::json)?
                .ok_or(WebError::json(AppError::Unauthenticated))?;
            return Ok(ApiCtx { actor: app::auth::actor_of(&user), user });
        }
        let ctx =
            Ctx::from_request_parts(parts, state).await.map_err(|e| WebError::json(e.error))?;
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let sent =
                parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), ctx.csrf.as_bytes()) || !same_origin(parts) {
                return Err(WebError::json(AppError::Forbidden));
            }
        }
        Ok(ApiCtx { actor: ctx.actor, user: ctx.user })
    }
}

/// The client address for throttling (the socket peer; "local" in in-process tests).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "local".into(), |c| c.0.ip().to_string()),
        ))
    }
}
