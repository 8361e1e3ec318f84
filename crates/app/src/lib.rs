//! The lawdesk application facade: composes storage and the capability crates into use cases.
//!
//! Every use case takes the acting user, asks `domain::Policy` before touching anything, and
//! passes an audit event to the store. Web and CLI call only this crate, so the rules are the
//! same whichever door a request comes through.

pub mod auth;
pub mod billing;
pub mod delegation;
pub mod demo;
pub mod docket;
mod flows;
pub mod import;
pub mod intake;
pub mod review;
pub mod search;
mod usecases;

pub use auth::{NewSession, SignInError};
pub use usecases::*;

use chrono::{DateTime, Utc};
use domain::{Actor, DomainError};
use std::sync::Arc;
use store::{Store, StoreError};

/// Why a use case did not happen. Web maps each to one status code and stable error code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("you do not have access to this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Domain(d) => d.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, message } => {
                AppError::Invalid { field: field.into(), message }
            }
            DomainError::Unknown { what, value } => AppError::Invalid {
                field: what.replace(' ', "_"),
                message: format!("unknown {what} {value:?}"),
            },
            t @ DomainError::Transition { .. } => {
                AppError::Invalid { field: "status".into(), message: t.to_string() }
            }
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The application: storage, clock and in-memory sign-in throttling. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    clock: Clock,
    throttle: Arc<auth::Throttle>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("store", &self.store).finish_non_exhaustive()
    }
}

impl App {
    pub fn new(store: Store) -> App {
        App::with_clock(store, Arc::new(Utc::now))
    }

    pub fn with_clock(store: Store, clock: Clock) -> App {
        App { store, clock, throttle: Arc::new(auth::Throttle::default()) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub(crate) fn event(
        &self,
        actor: &Actor,
        action: &str,
        entity: &str,
        id: impl ToString,
    ) -> store::AuditEvent {
        store::AuditEvent::new(self.now(), Some(actor.user_id), action, entity, id)
    }

    pub(crate) fn require(&self, actor: &Actor, action: domain::Action) -> Result<()> {
        if domain::Policy::allows(actor, action) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}
