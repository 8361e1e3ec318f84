//! The billing part of the JSON API under `/api/v1/billing`, described in the OpenAPI document.

use super::ledes_format;
use crate::session::ApiCtx;
use crate::{AppState, WebError};
use app::billing::{ExpenseForm, PaymentForm, TimeForm, TimerForm, TrustForm};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use store::billing::EntryFilter;
use utoipa::{IntoParams, OpenApi, ToSchema};

type ApiResult<T = Response> = Result<T, WebError>;

use crate::api::{j, parse_id as pid};

fn ok<T: serde::Serialize>(status: StatusCode, value: T) -> Response {
    (status, Json(value)).into_response()
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/billing/time-entries", get(list_time).post(create_time))
        .route("/billing/timers", get(list_timers).post(start_timer))
        .route("/billing/timers/{id}/stop", post(stop_timer))
        .route("/billing/expenses", get(list_expenses).post(create_expense))
        .route("/billing/invoices", get(list_invoices).post(create_prebill))
        .route("/billing/invoices/{id}", get(get_invoice))
        .route("/billing/invoices/{id}/write-down", post(write_down))
        .route("/billing/invoices/{id}/approve", post(approve))
        .route("/billing/invoices/{id}/issue", post(issue))
        .route("/billing/invoices/{id}/void", post(void))
        .route("/billing/invoices/{id}/payments", post(payment))
        .route("/billing/invoices/{id}/pdf", get(pdf))
        .route("/billing/invoices/{id}/ledes", get(ledes))
        .route("/billing/matters/{id}/arrangement", get(get_arrangement).post(set_arrangement))
        .route("/billing/matters/{id}/provider-work", post(bill_provider_work))
        .route("/billing/reports", get(reports))
        .route("/billing/trust", get(trust))
        .route("/billing/trust/deposits", post(deposit))
        .route("/billing/trust/disbursements", post(disburse))
        .route("/billing/trust/entries/{id}/reverse", post(reverse))
        .route("/billing/trust/statements/{id}/reconciliation", get(reconciliation))
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(
    paths(
        list_time,
        create_time,
        list_timers,
        start_timer,
        stop_timer,
        list_expenses,
        create_expense,
        list_invoices,
        create_prebill,
        get_invoice,
        write_down,
        approve,
        issue,
        void,
        payment,
        pdf,
        ledes,
        get_arrangement,
        set_arrangement,
        bill_provider_work,
        reports,
        trust,
        deposit,
        disburse,
        reverse,
        reconciliation
    ),
    components(schemas(
        TimeIn,
        TimerIn,
        ExpenseIn,
        PrebillIn,
        WriteDownIn,
        ReasonIn,
        PaymentIn,
        TrustIn,
        ProviderWorkIn
    ))
)]
pub(crate) struct ApiDoc;

#[derive(Deserialize, IntoParams)]
pub struct EntryParams {
    /// Only this matter.
    matter_id: Option<String>,
    /// Only entries on no invoice.
    #[serde(default)]
    unbilled: bool,
}

impl EntryParams {
    fn filter(&self) -> ApiResult<EntryFilter> {
        Ok(EntryFilter {
            matter_id: self.matter_id.as_deref().map(pid).transpose()?,
            unbilled_only: self.unbilled,
            ..Default::default()
        })
    }
}

/// Time entries the caller may see (their own, for staff and assistants).
#[utoipa::path(get, path = "/api/v1/billing/time-entries", params(EntryParams), responses((status = 200, description = "Time entries"), (status = 403, body = crate::api::ErrorBody)))]
async fn list_time(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<EntryParams>,
) -> ApiResult {
    let rows = s.app.time_entries(&ctx.actor, &p.filter()?).await.map_err(j)?;
    Ok(ok(StatusCode::OK, rows))
}

#[derive(Deserialize, ToSchema)]
pub struct TimeIn {
    matter_id: String,
    /// YYYY-MM-DD; today when left out.
    #[serde(default)]
    work_date: String,
    /// Decimal hours as recorded; rounded by the firm's rule (0.1 up by default).
    hours: String,
    #[serde(default)]
    task_code: String,
    #[serde(default)]
    activity_code: String,
    narrative: String,
    #[serde(default = "yes")]
    billable: bool,
    #[serde(default)]
    non_billable_reason: String,
}

fn yes() -> bool {
    true
}

#[utoipa::path(post, path = "/api/v1/billing/time-entries", request_body = TimeIn, responses((status = 201, description = "The entry as stored"), (status = 422, body = crate::api::ErrorBody)))]
async fn create_time(State(s): State<AppState>, ctx: ApiCtx, Json(b): Json<TimeIn>) -> ApiResult {
    let form = TimeForm {
        matter_id: b.matter_id,
        work_date: b.work_date,
        hours: b.hours,
        task_code: b.task_code,
        activity_code: b.activity_code,
        narrative: b.narrative,
        billable: b.billable.then(|| "on".to_string()),
        non_billable_reason: b.non_billable_reason,
    };
    Ok(ok(StatusCode::CREATED, s.app.add_time_entry(&ctx.actor, &form).await.map_err(j)?))
}

/// The caller's running timers.
#[utoipa::path(get, path = "/api/v1/billing/timers", responses((status = 200, description = "Running timers")))]
async fn list_timers(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    Ok(ok(StatusCode::OK, s.app.running_timers(&ctx.actor).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct TimerIn {
    matter_id: String,
    #[serde(default)]
    narrative: String,
    #[serde(default)]
    task_code: String,
    #[serde(default)]
    activity_code: String,
}

/// Starts a timer; several may run at once.
#[utoipa::path(post, path = "/api/v1/billing/timers", request_body = TimerIn, responses((status = 201, description = "The running timer")))]
async fn start_timer(State(s): State<AppState>, ctx: ApiCtx, Json(b): Json<TimerIn>) -> ApiResult {
    let f = TimerForm {
        matter_id: b.matter_id,
        narrative: b.narrative,
        task_code: b.task_code,
        activity_code: b.activity_code,
    };
    Ok(ok(StatusCode::CREATED, s.app.start_timer(&ctx.actor, &f).await.map_err(j)?))
}

/// Stops a timer into a time entry.
#[utoipa::path(post, path = "/api/v1/billing/timers/{id}/stop", params(("id" = String, Path)), responses((status = 201, description = "The new time entry"), (status = 404, body = crate::api::ErrorBody)))]
async fn stop_timer(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    Ok(ok(StatusCode::CREATED, s.app.stop_timer(&ctx.actor, pid(&id)?).await.map_err(j)?))
}

#[utoipa::path(get, path = "/api/v1/billing/expenses", params(EntryParams), responses((status = 200, description = "Expenses")))]
async fn list_expenses(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<EntryParams>,
) -> ApiResult {
    Ok(ok(StatusCode::OK, s.app.expenses(&ctx.actor, &p.filter()?).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct ExpenseIn {
    matter_id: String,
    #[serde(default)]
    expense_date: String,
    /// UTBMS expense code, E101–E124.
    code: String,
    description: String,
    #[serde(default)]
    quantity: String,
    unit_cost: String,
}

/// Records an expense (receipts are uploaded through the page).
#[utoipa::path(post, path = "/api/v1/billing/expenses", request_body = ExpenseIn, responses((status = 201, description = "The expense")))]
async fn create_expense(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<ExpenseIn>,
) -> ApiResult {
    let f = ExpenseForm {
        matter_id: b.matter_id,
        expense_date: b.expense_date,
        code: b.code,
        description: b.description,
        quantity: b.quantity,
        unit_cost: b.unit_cost,
    };
    Ok(ok(StatusCode::CREATED, s.app.add_expense(&ctx.actor, &f, None).await.map_err(j)?))
}

#[utoipa::path(get, path = "/api/v1/billing/invoices", params(EntryParams), responses((status = 200, description = "Invoices and pre-bills")))]
async fn list_invoices(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<EntryParams>,
) -> ApiResult {
    let matter = p.matter_id.as_deref().map(pid).transpose()?;
    Ok(ok(StatusCode::OK, s.app.invoices(&ctx.actor, matter).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct PrebillIn {
    matter_id: String,
    /// A month (`2026-11`) or a range (`2026-11-01..2026-11-15`).
    period: String,
}

/// Creates the pre-bill (draft invoice) for a matter and period.
#[utoipa::path(post, path = "/api/v1/billing/invoices", request_body = PrebillIn, responses((status = 201, description = "The draft invoice"), (status = 422, body = crate::api::ErrorBody)))]
async fn create_prebill(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<PrebillIn>,
) -> ApiResult {
    let period = app::billing::parse_period(&b.period).map_err(j)?;
    let inv = s.app.create_prebill(&ctx.actor, pid(&b.matter_id)?, period).await.map_err(j)?;
    Ok(ok(StatusCode::CREATED, inv))
}

/// An invoice with its lines, totals and payments.
#[utoipa::path(get, path = "/api/v1/billing/invoices/{id}", params(("id" = String, Path)), responses((status = 200, description = "The invoice"), (status = 403, body = crate::api::ErrorBody)))]
async fn get_invoice(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    Ok(ok(StatusCode::OK, s.app.invoice_view(&ctx.actor, pid(&id)?).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct WriteDownIn {
    /// The line's position (1-based).
    position: i64,
    amount: String,
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/write-down", params(("id" = String, Path)), request_body = WriteDownIn, responses((status = 200, description = "The invoice")))]
async fn write_down(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<WriteDownIn>,
) -> ApiResult {
    let inv = s
        .app
        .write_down(&ctx.actor, pid(&id)?, b.position, &b.amount, &b.reason)
        .await
        .map_err(j)?;
    Ok(ok(StatusCode::OK, inv))
}

#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/approve", params(("id" = String, Path)), responses((status = 204, description = "Approved"), (status = 409, body = crate::api::ErrorBody)))]
async fn approve(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    s.app.approve_invoice(&ctx.actor, pid(&id)?).await.map_err(j)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Issues an approved invoice; the response carries its number.
#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/issue", params(("id" = String, Path)), responses((status = 200, description = "{\"number\": …}"), (status = 409, body = crate::api::ErrorBody)))]
async fn issue(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    let number = s.app.issue_invoice(&ctx.actor, pid(&id)?).await.map_err(j)?;
    Ok(ok(StatusCode::OK, serde_json::json!({"number": number})))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonIn {
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/void", params(("id" = String, Path)), request_body = ReasonIn, responses((status = 204, description = "Voided")))]
async fn void(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<ReasonIn>,
) -> ApiResult {
    s.app.void_invoice(&ctx.actor, pid(&id)?, &b.reason).await.map_err(j)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentIn {
    amount: String,
    #[serde(default)]
    paid_on: String,
    /// check, wire, card, cash or trust (a transfer from the client's trust ledger).
    method: String,
    #[serde(default)]
    reference: String,
}

/// Records a full or partial payment; the response carries the invoice's new status.
#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/payments", params(("id" = String, Path)), request_body = PaymentIn, responses((status = 201, description = "{\"status\": …}"), (status = 409, body = crate::api::ErrorBody)))]
async fn payment(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<PaymentIn>,
) -> ApiResult {
    let f = PaymentForm {
        amount: b.amount,
        paid_on: b.paid_on,
        method: b.method,
        reference: b.reference,
    };
    let status = s.app.record_payment(&ctx.actor, pid(&id)?, &f).await.map_err(j)?;
    Ok(ok(StatusCode::CREATED, serde_json::json!({"status": status})))
}

/// The invoice as a PDF.
#[utoipa::path(get, path = "/api/v1/billing/invoices/{id}/pdf", params(("id" = String, Path)), responses((status = 200, description = "application/pdf", content_type = "application/pdf")))]
async fn pdf(State(s): State<AppState>, ctx: ApiCtx, Path(id): Path<String>) -> ApiResult {
    let (name, bytes) = s.app.invoice_pdf(&ctx.actor, pid(&id)?).await.map_err(j)?;
    Ok(super::download("application/pdf", &name, bytes))
}

#[derive(Deserialize, IntoParams)]
pub struct LedesParams {
    /// 1998b (default) or 98bi.
    #[serde(default)]
    format: String,
}

/// The issued invoice in LEDES 1998B or 98BI (validated before it is sent).
#[utoipa::path(get, path = "/api/v1/billing/invoices/{id}/ledes", params(("id" = String, Path), LedesParams), responses((status = 200, description = "LEDES text", content_type = "text/plain")))]
async fn ledes(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Query(q): Query<LedesParams>,
) -> ApiResult {
    let format = ledes_format(&q.format).map_err(j)?;
    let (name, text) = s.app.invoice_ledes(&ctx.actor, pid(&id)?, format).await.map_err(j)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        text,
    )
        .into_response())
}

/// The matter's fee arrangement (hourly unless set).
#[utoipa::path(get, path = "/api/v1/billing/matters/{id}/arrangement", params(("id" = String, Path)), responses((status = 200, description = "The arrangement")))]
async fn get_arrangement(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult {
    Ok(ok(StatusCode::OK, s.app.arrangement(&ctx.actor, pid(&id)?).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct ArrangementIn {
    /// hourly, flat_fee, contingency, evergreen_retainer, pass_through
    kind: String,
    /// Flat fee, or the evergreen minimum trust balance.
    #[serde(default)]
    amount: String,
    /// Contingency percentage, or the pass-through markup percentage.
    #[serde(default)]
    percent: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    fee_after_costs: bool,
}

/// Sets how a matter is charged (admins and attorneys on the matter).
#[utoipa::path(post, path = "/api/v1/billing/matters/{id}/arrangement", params(("id" = String, Path)), request_body = ArrangementIn, responses((status = 200, description = "The arrangement"), (status = 422, body = crate::api::ErrorBody)))]
async fn set_arrangement(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<ArrangementIn>,
) -> ApiResult {
    let f = app::billing::ArrangementForm {
        kind: b.kind,
        amount: b.amount,
        percent: b.percent,
        provider: b.provider,
        fee_after_costs: b.fee_after_costs.then(|| "on".to_string()),
    };
    Ok(ok(StatusCode::OK, s.app.set_arrangement_form(&ctx.actor, pid(&id)?, &f).await.map_err(j)?))
}

/// A/R aging, WIP, realization and collection (admins and attorneys).
#[utoipa::path(get, path = "/api/v1/billing/reports", responses((status = 200, description = "Reports"), (status = 403, body = crate::api::ErrorBody)))]
async fn reports(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    let r = s.app.billing_reports(&ctx.actor, s.app.now().date_naive()).await.map_err(j)?;
    Ok(ok(StatusCode::OK, r))
}

/// Client trust balances and the journal (admins and attorneys).
#[utoipa::path(get, path = "/api/v1/billing/trust", responses((status = 200, description = "Balances and journal"), (status = 403, body = crate::api::ErrorBody)))]
async fn trust(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult {
    Ok(ok(StatusCode::OK, s.app.trust_overview(&ctx.actor).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct TrustIn {
    matter_id: String,
    amount: String,
    #[serde(default)]
    entry_date: String,
    memo: String,
    #[serde(default)]
    payee: String,
    #[serde(default)]
    reference: String,
}

impl From<TrustIn> for TrustForm {
    fn from(b: TrustIn) -> Self {
        TrustForm {
            matter_id: b.matter_id,
            amount: b.amount,
            entry_date: b.entry_date,
            memo: b.memo,
            payee: b.payee,
            reference: b.reference,
            invoice_id: String::new(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/billing/trust/deposits", request_body = TrustIn, responses((status = 201, description = "The journal entry")))]
async fn deposit(State(s): State<AppState>, ctx: ApiCtx, Json(b): Json<TrustIn>) -> ApiResult {
    let e = s.app.trust_deposit(&ctx.actor, &b.into()).await.map_err(j)?;
    Ok(ok(StatusCode::CREATED, e))
}

/// Pays out of trust; 409 when the client's ledger would go negative.
#[utoipa::path(post, path = "/api/v1/billing/trust/disbursements", request_body = TrustIn, responses((status = 201, description = "The journal entry"), (status = 409, body = crate::api::ErrorBody)))]
async fn disburse(State(s): State<AppState>, ctx: ApiCtx, Json(b): Json<TrustIn>) -> ApiResult {
    let e = s.app.trust_disburse(&ctx.actor, &b.into()).await.map_err(j)?;
    Ok(ok(StatusCode::CREATED, e))
}

#[utoipa::path(post, path = "/api/v1/billing/trust/entries/{id}/reverse", params(("id" = String, Path)), request_body = ReasonIn, responses((status = 201, description = "The reversing entry"), (status = 409, body = crate::api::ErrorBody)))]
async fn reverse(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<ReasonIn>,
) -> ApiResult {
    let e = s.app.trust_reverse(&ctx.actor, pid(&id)?, &b.reason).await.map_err(j)?;
    Ok(ok(StatusCode::CREATED, e))
}

/// Three-way reconciliation of an imported bank statement (administrators).
#[utoipa::path(get, path = "/api/v1/billing/trust/statements/{id}/reconciliation", params(("id" = String, Path)), responses((status = 200, description = "The report")))]
async fn reconciliation(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult {
    Ok(ok(StatusCode::OK, s.app.reconcile(&ctx.actor, pid(&id)?, None).await.map_err(j)?))
}

/// The period of delegated provider work to bill through, and an optional markup.
#[derive(Deserialize, ToSchema)]
pub struct ProviderWorkIn {
    /// First day of the period (YYYY-MM-DD).
    from: chrono::NaiveDate,
    /// Day after the period (YYYY-MM-DD).
    to: chrono::NaiveDate,
    /// Markup as a fraction of the provider's cost (0.10 = 10 %).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    markup: Option<rust_decimal::Decimal>,
}

/// Bills the units LPO providers delivered on the matter in the period as pass-through charges
/// (E123), one per work item; running it again for the same period adds nothing.
#[utoipa::path(post, path = "/api/v1/billing/matters/{id}/provider-work", params(("id" = String, Path)), request_body = ProviderWorkIn, responses((status = 201, description = "The charges added"), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
async fn bill_provider_work(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<ProviderWorkIn>,
) -> ApiResult {
    let added =
        s.app.bill_provider_work(&ctx.actor, pid(&id)?, b.from, b.to, b.markup).await.map_err(j)?;
    Ok(ok(StatusCode::CREATED, added))
}
