//! The delegation JSON API under `/api/v1`: providers and assistants, routing a work item (recommend, accept or
//! override), batches, members' queues, QC, the assistant's agenda, the dashboard, escalations, the advisor and
//! delivered units for billing. Every handler goes through an app use case.

use crate::AppState;
use crate::WebError;
use crate::session::ApiCtx;
use app::AppError;
use app::delegation::{AdvisorInput, ProviderForm, RouteDecisionForm, VaProfileForm};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, OpenApi, ToSchema};

type ApiResult = Result<Response, WebError>;

use crate::api::{j, parse_id};

fn ok(value: impl serde::Serialize) -> ApiResult {
    Ok(Json(value).into_response())
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/delegation/providers", get(list_providers).post(save_provider))
        .route("/delegation/providers/{id}/exclusions", post(exclude_provider))
        .route("/delegation/providers/{id}/agreements", get(list_agreements).post(add_agreement))
        .route("/delegation/va-profiles", get(list_va_profiles).post(save_va_profile))
        .route("/work-items/{id}/route", get(get_route))
        .route("/work-items/{id}/route/recommend", post(recommend))
        .route("/work-items/{id}/route/decide", post(decide))
        .route("/work-items/{id}/batches", post(split))
        .route("/delegation/incoming", get(incoming))
        .route("/delegation/my-batches", get(my_batches))
        .route("/delegation/batches/{id}", get(get_batch))
        .route("/delegation/batches/{id}/assign", post(assign_batch))
        .route("/delegation/batches/{id}/complete", post(complete_batch))
        .route("/delegation/qc/{id}", post(record_qc))
        .route("/delegation/agenda", get(agenda))
        .route("/delegation/dashboard", get(dashboard))
        .route("/delegation/escalations", get(escalations))
        .route("/delegation/advise", post(advise))
        .route("/matters/{id}/delivered-units", get(delivered_units))
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(
    paths(
        list_providers,
        save_provider,
        exclude_provider,
        list_agreements,
        add_agreement,
        list_va_profiles,
        save_va_profile,
        get_route,
        recommend,
        decide,
        split,
        incoming,
        my_batches,
        get_batch,
        assign_batch,
        complete_batch,
        record_qc,
        agenda,
        dashboard,
        escalations,
        advise,
        delivered_units
    ),
    components(schemas(
        ProviderIn,
        VaProfileIn,
        ExclusionIn,
        AgreementIn,
        DecisionIn,
        SplitIn,
        AssignIn,
        CompleteIn,
        QcIn,
        AdviseIn
    ))
)]
pub(crate) struct ApiDoc;

/// A provider profile. Lists are comma-separated; `capacity` is `line=units` per day, `attestations`
/// `kind:YYYY-MM-DD` (soc2_type2, iso27001), `rates` `line:unit:price`.
#[derive(Deserialize, ToSchema)]
pub struct ProviderIn {
    /// The provider organization's contact id.
    organization_id: String,
    /// ISO 3166-1 alpha-2, e.g. IN.
    country: String,
    /// onshore | offshore
    shore: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    work_start: String,
    #[serde(default)]
    work_end: String,
    #[serde(default)]
    languages: String,
    service_lines: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    attestations: String,
    #[serde(default)]
    rates: String,
}

/// Every provider with rate card, capacity and attestations.
#[utoipa::path(get, path = "/api/v1/delegation/providers", responses((status = 200, description = "providers")))]
async fn list_providers(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    ok(s.app.providers(&ctx.actor).await.map_err(j)?)
}

/// Creates or replaces a provider profile.
#[utoipa::path(post, path = "/api/v1/delegation/providers", request_body = ProviderIn, responses((status = 200, description = "the saved provider"), (status = 422, body = crate::api::ErrorBody)))]
async fn save_provider(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<ProviderIn>,
) -> ApiResult {
    let form = ProviderForm {
        organization_id: b.organization_id,
        country: b.country,
        shore: b.shore,
        time_zone: b.time_zone,
        work_start: b.work_start,
        work_end: b.work_end,
        languages: b.languages,
        service_lines: b.service_lines,
        capacity: b.capacity,
        attestations: b.attestations,
        rates: b.rates,
    };
    ok(s.app.save_provider(&ctx.actor, &form).await.map_err(j)?)
}

#[derive(Deserialize, ToSchema)]
pub struct ExclusionIn {
    matter_id: String,
    /// The conflict or wall, kept in the audit log.
    reason: String,
}

/// Excludes a provider from a matter (conflict or ethical wall): routing rejects it, its members are walled off.
#[utoipa::path(post, path = "/api/v1/delegation/providers/{id}/exclusions", params(("id" = String, Path)), request_body = ExclusionIn, responses((status = 204), (status = 403, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
async fn exclude_provider(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<ExclusionIn>,
) -> ApiResult {
    s.app
        .exclude_provider(&ctx.actor, parse_id(&b.matter_id)?, parse_id(&id)?, &b.reason)
        .await
        .map_err(j)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The agreements with a provider (project or bulk), newest first.
#[utoipa::path(get, path = "/api/v1/delegation/providers/{id}/agreements", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
async fn list_agreements(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.app.agreements(&ctx.actor, parse_id(&id)?).await.map_err(j)?)
}

/// A project agreement, terms `{"unit": "documents", "pricing": {"kind": "per_unit_capped",
/// "unit_price": "0.40", "cap": "20000"}}` (or `"kind": "fixed_price"` with `price`,
/// `scope_volume`, `change_order_unit_price`), or a bulk agreement, terms `{"unit": "documents",
/// "tiers": [{"up_to": "50000", "unit_price": "0.45"}], "minimum_monthly_commitment": "5000",
/// "overage_unit_price": "0.33"}`. The terms are checked by costing them before they are stored.
#[derive(Deserialize, ToSchema)]
pub struct AgreementIn {
    name: String,
    /// `project` or `bulk`.
    kind: String,
    /// The cost engine's agreement as JSON.
    #[schema(value_type = Object)]
    terms: Value,
    /// First day the agreement applies (YYYY-MM-DD).
    starts_on: chrono::NaiveDate,
}

/// Records an agreement with a provider; invalid terms are refused with the reason (audited).
#[utoipa::path(post, path = "/api/v1/delegation/providers/{id}/agreements", params(("id" = String, Path)), request_body = AgreementIn, responses((status = 200, body = Object), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
async fn add_agreement(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<AgreementIn>,
) -> ApiResult {
    let row = s
        .app
        .add_agreement(&ctx.actor, parse_id(&id)?, &b.name, &b.kind, b.terms, b.starts_on)
        .await
        .map_err(j)?;
    ok(row)
}

/// A virtual assistant's profile and terms (hourly, part_time_block or retainer).
#[derive(Deserialize, ToSchema)]
pub struct VaProfileIn {
    user_id: String,
    country: String,
    shore: String,
    time_zone: String,
    work_start: String,
    work_end: String,
    skills: String,
    terms_kind: String,
    #[serde(default)]
    rate: String,
    #[serde(default)]
    hours_per_week: String,
    #[serde(default)]
    monthly_fee: String,
    #[serde(default)]
    included_hours: String,
    #[serde(default)]
    overage_rate: String,
    #[serde(default)]
    rollover_max_hours: String,
    #[serde(default)]
    rollover_months: String,
}

#[utoipa::path(get, path = "/api/v1/delegation/va-profiles", responses((status = 200, description = "assistants with their profiles")))]
async fn list_va_profiles(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    let rows = s.app.va_profiles(&ctx.actor).await.map_err(j)?;
    ok(rows.into_iter().map(|(u, p)| json!({"user": u, "profile": p})).collect::<Vec<_>>())
}

#[utoipa::path(post, path = "/api/v1/delegation/va-profiles", request_body = VaProfileIn, responses((status = 200, description = "the saved profile"), (status = 422, body = crate::api::ErrorBody)))]
async fn save_va_profile(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<VaProfileIn>,
) -> ApiResult {
    let form = VaProfileForm {
        user_id: b.user_id,
        country: b.country,
        shore: b.shore,
        time_zone: b.time_zone,
        work_start: b.work_start,
        work_end: b.work_end,
        skills: b.skills,
        terms_kind: b.terms_kind,
        rate: b.rate,
        hours_per_week: b.hours_per_week,
        monthly_fee: b.monthly_fee,
        included_hours: b.included_hours,
        overage_rate: b.overage_rate,
        rollover_max_hours: b.rollover_max_hours,
        rollover_months: b.rollover_months,
    };
    ok(s.app.save_va_profile(&ctx.actor, &form).await.map_err(j)?)
}

/// The latest recommendation, engagement, SLA forecast and batches of a work item.
#[utoipa::path(get, path = "/api/v1/work-items/{id}/route", params(("id" = String, Path)), responses((status = 200, description = "routing state"), (status = 403, body = crate::api::ErrorBody)))]
async fn get_route(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    let v = s.app.route_view(&ctx.actor, parse_id(&id)?).await.map_err(j)?;
    ok(json!({
        "work_item": v.row,
        "current": v.current,
        "recommendation": v.recommendation,
        "names": v.names,
        "engagement": v.engagement,
        "sla": v.sla.as_ref().map(|x| json!({"status": x.status_label(), "flagged": x.flagged(), "detail": x})),
        "batches": v.batches,
    }))
}

/// Recommends a channel and provider with reasons per factor (recorded, pending a decision).
#[utoipa::path(post, path = "/api/v1/work-items/{id}/route/recommend", params(("id" = String, Path)), responses((status = 201, description = "the recommendation"), (status = 403, body = crate::api::ErrorBody)))]
async fn recommend(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    let r = s.app.recommend_route(&ctx.actor, parse_id(&id)?).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// Accept the recommendation, or override it with a channel and a reason (required, audited).
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// accept | override
    decision: String,
    /// For an override: provider organization id, assistant user id or `in_house:<role>`.
    #[serde(default)]
    channel_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    turnaround_days: String,
    #[serde(default)]
    max_error_rate: String,
    #[serde(default)]
    qc_sample_rate: String,
}

/// Decides the pending recommendation; an onshore-only matter is never assigned offshore and an excluded
/// provider never gets the work (422 with the rule broken).
#[utoipa::path(post, path = "/api/v1/work-items/{id}/route/decide", params(("id" = String, Path)), request_body = DecisionIn, responses((status = 200, description = "the decided routing"), (status = 422, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
async fn decide(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<DecisionIn>,
) -> ApiResult {
    let form = RouteDecisionForm {
        decision: b.decision,
        channel_id: b.channel_id,
        reason: b.reason,
        turnaround_days: b.turnaround_days,
        max_error_rate: b.max_error_rate,
        qc_sample_rate: b.qc_sample_rate,
    };
    ok(s.app.decide_route(&ctx.actor, parse_id(&id)?, &form).await.map_err(j)?)
}

#[derive(Deserialize, ToSchema)]
pub struct SplitIn {
    /// Units per batch, e.g. "500".
    batch_size: String,
}

/// Splits a work item into batches of unit ranges.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/batches", params(("id" = String, Path)), request_body = SplitIn, responses((status = 201, description = "the batches"), (status = 409, body = crate::api::ErrorBody)))]
async fn split(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<SplitIn>,
) -> ApiResult {
    let batches =
        s.app.split_into_batches(&ctx.actor, parse_id(&id)?, &b.batch_size).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(batches)).into_response())
}

/// An LPO manager's incoming work with progress and SLA.
#[utoipa::path(get, path = "/api/v1/delegation/incoming", responses((status = 200, description = "incoming work"), (status = 403, body = crate::api::ErrorBody)))]
async fn incoming(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    ok(s.app.incoming_work(&ctx.actor).await.map_err(j)?)
}

/// The caller's own batches (LPO members).
#[utoipa::path(get, path = "/api/v1/delegation/my-batches", responses((status = 200, description = "batches"), (status = 403, body = crate::api::ErrorBody)))]
async fn my_batches(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    ok(s.app.my_batches(&ctx.actor).await.map_err(j)?)
}

#[utoipa::path(get, path = "/api/v1/delegation/batches/{id}", params(("id" = String, Path)), responses((status = 200, description = "a batch with its QC samples"), (status = 403, body = crate::api::ErrorBody)))]
async fn get_batch(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    ok(s.app.batch(&ctx.actor, parse_id(&id)?).await.map_err(j)?)
}

#[derive(Deserialize, ToSchema)]
pub struct AssignIn {
    /// The member's user id.
    member: String,
}

#[utoipa::path(post, path = "/api/v1/delegation/batches/{id}/assign", params(("id" = String, Path)), request_body = AssignIn, responses((status = 200, description = "the batch"), (status = 422, body = crate::api::ErrorBody)))]
async fn assign_batch(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<AssignIn>,
) -> ApiResult {
    ok(s.app.assign_batch(&ctx.actor, parse_id(&id)?, &b.member).await.map_err(j)?)
}

#[derive(Deserialize, ToSchema)]
pub struct CompleteIn {
    /// Units completed (blank: the whole batch).
    #[serde(default)]
    units: String,
    #[serde(default)]
    hours: String,
}

/// The member marks their batch done; a seeded QC sample is drawn at the engagement's rate.
#[utoipa::path(post, path = "/api/v1/delegation/batches/{id}/complete", params(("id" = String, Path)), request_body = CompleteIn, responses((status = 200, description = "the batch with its QC sample"), (status = 403, body = crate::api::ErrorBody)))]
async fn complete_batch(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<CompleteIn>,
) -> ApiResult {
    ok(s.app.complete_batch(&ctx.actor, parse_id(&id)?, &b.units, &b.hours).await.map_err(j)?)
}

#[derive(Deserialize, ToSchema)]
pub struct QcIn {
    passed: bool,
}

/// Records pass or fail on a sampled unit; a fully checked round yields accept, fix or rework.
#[utoipa::path(post, path = "/api/v1/delegation/qc/{id}", params(("id" = String, Path)), request_body = QcIn, responses((status = 200, description = "the batch and decision"), (status = 409, body = crate::api::ErrorBody)))]
async fn record_qc(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<QcIn>,
) -> ApiResult {
    ok(s.app.record_qc(&ctx.actor, parse_id(&id)?, b.passed).await.map_err(j)?)
}

/// A virtual assistant's queue across attorneys and today's agenda.
#[utoipa::path(get, path = "/api/v1/delegation/agenda", responses((status = 200, description = "agenda"), (status = 403, body = crate::api::ErrorBody)))]
async fn agenda(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    ok(s.app.va_agenda(&ctx.actor).await.map_err(j)?)
}

/// Spend by channel against budget, throughput, SLA and quality per provider, escalations.
#[utoipa::path(get, path = "/api/v1/delegation/dashboard", responses((status = 200, description = "dashboard"), (status = 403, body = crate::api::ErrorBody)))]
async fn dashboard(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    let mut d = serde_json::to_value(s.app.delegation_dashboard(&ctx.actor).await.map_err(j)?)
        .map_err(|e| j(AppError::Internal(e.to_string())))?;
    // Charts are for pages; the API returns the figures.
    if let Some(map) = d.as_object_mut() {
        for chart in ["spend_chart", "monthly_chart", "throughput_chart", "quality_chart"] {
            map.remove(chart);
        }
    }
    ok(d)
}

/// Flagged SLAs (predicted or actual breaches, quality below threshold) on the caller's matters.
#[utoipa::path(get, path = "/api/v1/delegation/escalations", responses((status = 200, description = "escalations"), (status = 403, body = crate::api::ErrorBody)))]
async fn escalations(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    ok(s.app.escalations(&ctx.actor).await.map_err(j)?)
}

/// The advisor: a TOML profile (`toml`), or `derive` from the last `months` of work items.
#[derive(Deserialize, ToSchema)]
pub struct AdviseIn {
    #[serde(default)]
    toml: String,
    #[serde(default)]
    derive: bool,
    #[serde(default)]
    months: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/delegation/advise", request_body = AdviseIn, responses((status = 200, description = "the advice: per service line every option's cost, recommendation, saving, break-even, projections, reasons"), (status = 422, body = crate::api::ErrorBody)))]
async fn advise(State(s): State<AppState>, ctx: ApiCtx, Json(b): Json<AdviseIn>) -> ApiResult {
    let mut fields = BTreeMap::new();
    if b.derive {
        fields.insert("source".to_string(), "derive".to_string());
        fields.insert("months".to_string(), b.months.unwrap_or(6).to_string());
    } else {
        fields.insert("source".to_string(), "toml".to_string());
        fields.insert("toml".to_string(), b.toml);
    }
    let report = s.app.advise_report(&ctx.actor, &AdvisorInput { fields }).await.map_err(j)?;
    ok(json!({"profile": report.profile, "advice": report.advice}))
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodParams {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Day after the last, YYYY-MM-DD.
    to: String,
}

/// Units and hours delivered per work item in a period, with provider and unit price (for billing).
#[utoipa::path(get, path = "/api/v1/matters/{id}/delivered-units", params(("id" = String, Path), PeriodParams), responses((status = 200, description = "delivered units"), (status = 403, body = crate::api::ErrorBody)))]
async fn delivered_units(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> ApiResult {
    let date = |field: &str, v: &str| {
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            j(AppError::Invalid {
                field: field.into(),
                message: "use a date like 2026-11-01".into(),
            })
        })
    };
    let rows = s
        .app
        .delivered_units(&ctx.actor, parse_id(&id)?, date("from", &p.from)?, date("to", &p.to)?)
        .await
        .map_err(j)?;
    ok(rows)
}

#[allow(dead_code)]
fn _schema_types_used(_: Value) {}
