//! Pages and JSON API for billing: time and timers, expenses, pre-bills and invoices (PDF, LEDES),
//! payments, reports, rates and the trust account with three-way reconciliation.
//!
//! Every handler goes through an `app` use case, which checks the billing right and matter
//! visibility; forms re-render with the message inline when validation fails.

mod api;

use crate::pages::{NavLink, NoFields, WebResult, id, layout, render, see_other};
use crate::session::{CsrfForm, Ctx};
use crate::{AppState, WebError};
use ::billing::ledes::LedesFormat;
use ::billing::trust::ReconciliationReport;
use app::billing::{
    BillingReports, BillingRight, ExpenseForm, InvoiceView, PaymentForm, TimeForm, TimerForm,
    TrustForm, TrustOverview, may,
};
use app::{App, AppError};
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::Actor;
use rust_decimal::Decimal;
use serde::Deserialize;
use store::billing::{EntryFilter, ExpenseRow, InvoiceRow, RateRow, TimeEntryRow, TimerRow};
use store::{MatterRow, Page};

pub(crate) use api::{ApiDoc, api};

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/billing", get(home))
        .route("/billing/time", post(add_time))
        .route("/billing/timers", post(start_timer))
        .route("/billing/timers/{id}/stop", post(stop_timer))
        .route("/billing/expenses", post(add_expense))
        .route("/billing/expenses/{id}/receipt", get(receipt))
        .route("/billing/invoices", get(invoices).post(create_prebill))
        .route("/billing/invoices/{id}", get(invoice))
        .route("/billing/invoices/{id}/write-down", post(write_down))
        .route("/billing/invoices/{id}/discount", post(discount))
        .route("/billing/invoices/{id}/approve", post(approve))
        .route("/billing/invoices/{id}/issue", post(issue))
        .route("/billing/invoices/{id}/void", post(void))
        .route("/billing/invoices/{id}/payments", post(payment))
        .route("/billing/invoices/{id}/payments/{pid}/reverse", post(reverse_payment))
        .route("/billing/invoices/{id}/pdf", get(pdf))
        .route("/billing/invoices/{id}/ledes", get(ledes))
        .route("/billing/reports", get(reports))
        .route("/billing/rates", get(rates).post(set_rate))
        .route("/billing/arrangements", post(set_arrangement))
        .route("/billing/settings", get(settings).post(save_settings))
        .route("/billing/trust", get(trust))
        .route("/billing/trust/deposit", post(trust_deposit))
        .route("/billing/trust/disburse", post(trust_disburse))
        .route("/billing/trust/entries/{id}/reverse", post(trust_reverse))
        .route("/billing/trust/statements", post(import_statement))
        .route("/billing/trust/statements/{id}", get(reconciliation))
}

/// The top navigation link ("Billing", /billing) for users who may use it.
pub(crate) fn nav(ctx: &Ctx) -> Option<NavLink> {
    may(&ctx.actor, BillingRight::EnterTime).then_some(NavLink {
        href: "/billing",
        label: "Billing",
        tab: "billing",
    })
}

/// Two decimals, for money in pages.
pub(crate) fn money(d: &Decimal) -> String {
    ::billing::money::format_money(*d)
}

/// Validation problems become an inline message on the page; anything else is an error page.
fn inline(e: AppError) -> Result<String, WebError> {
    match e {
        AppError::Invalid { .. } | AppError::Conflict(_) => Ok(e.to_string()),
        other => Err(other.into()),
    }
}

fn unprocessable(page: Response) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

async fn visible_matters(app: &App, actor: &Actor) -> Result<Vec<MatterRow>, WebError> {
    Ok(app.list_matters(actor, &Default::default(), Page::new(1, 200)).await?.0)
}

// ---- time, timers, expenses --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/home.html")]
struct HomePage {
    l: crate::pages::Layout,
    /// The timers fragment's form token (the same as the layout's).
    csrf: String,
    timers: Vec<TimerRow>,
    entries: Vec<TimeEntryRow>,
    expenses: Vec<ExpenseRow>,
    matters: Vec<MatterRow>,
    today: String,
    error: Option<String>,
    can_bill: bool,
    can_trust: bool,
}

impl HomePage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        money(d.borrow())
    }
}

#[derive(Template)]
#[template(path = "billing/timers.html")]
struct TimersFragment {
    csrf: String,
    timers: Vec<TimerRow>,
}

async fn home_page(s: &AppState, ctx: &Ctx, error: Option<String>) -> WebResult {
    let recent = EntryFilter {
        from: Some(s.app.now().date_naive() - chrono::Duration::days(60)),
        ..Default::default()
    };
    let mut entries = s.app.time_entries(&ctx.actor, &recent).await?;
    entries.reverse();
    let mut expenses = s.app.expenses(&ctx.actor, &recent).await?;
    expenses.reverse();
    let page = render(HomePage {
        l: layout(ctx, "billing"),
        csrf: ctx.csrf.clone(),
        timers: s.app.running_timers(&ctx.actor).await?,
        entries,
        expenses,
        matters: visible_matters(&s.app, &ctx.actor).await?,
        today: s.app.now().date_naive().to_string(),
        error: error.clone(),
        can_bill: may(&ctx.actor, BillingRight::Bill),
        can_trust: may(&ctx.actor, BillingRight::Trust),
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    home_page(&s, &ctx, None).await
}

async fn add_time(State(s): State<AppState>, CsrfForm(ctx, f): CsrfForm<TimeForm>) -> WebResult {
    match s.app.add_time_entry(&ctx.actor, &f).await {
        Ok(_) => Ok(see_other("/billing")),
        Err(e) => home_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

/// With htmx the timers panel is swapped in place; without, the page reloads.
async fn timers_response(s: &AppState, ctx: &Ctx, headers: &HeaderMap) -> WebResult {
    if is_htmx(headers) {
        render(TimersFragment {
            csrf: ctx.csrf.clone(),
            timers: s.app.running_timers(&ctx.actor).await?,
        })
    } else {
        Ok(see_other("/billing"))
    }
}

async fn start_timer(
    State(s): State<AppState>,
    headers: HeaderMap,
    CsrfForm(ctx, f): CsrfForm<TimerForm>,
) -> WebResult {
    match s.app.start_timer(&ctx.actor, &f).await {
        Ok(_) => timers_response(&s, &ctx, &headers).await,
        Err(e) => home_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

async fn stop_timer(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(tid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.stop_timer(&ctx.actor, id(&tid)?).await?;
    if is_htmx(&headers) {
        // The new entry appears in the list below, so reload the whole page.
        return Ok(([("hx-redirect", "/billing")], "").into_response());
    }
    Ok(see_other("/billing"))
}

#[derive(Deserialize)]
struct CsrfQuery {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Reads a multipart form: text fields by name and the one file (`file_field`).
async fn read_multipart(
    mut mp: Multipart,
    file_field: &str,
) -> Result<(std::collections::HashMap<String, String>, Option<(String, Vec<u8>)>), WebError> {
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    let bad = |e: axum::extract::multipart::MultipartError| AppError::Invalid {
        field: "file".into(),
        message: format!("upload failed: {e}"),
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == file_field {
            let filename = field.file_name().unwrap_or("file").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::Invalid {
                field: "file".into(),
                message: "the file is too large or the upload was cut off".into(),
            })?;
            if !bytes.is_empty() {
                file = Some((filename, bytes.to_vec()));
            }
        } else {
            fields.insert(name, field.text().await.map_err(bad)?);
        }
    }
    Ok((fields, file))
}

fn multipart(mp: Result<Multipart, MultipartRejection>) -> Result<Multipart, WebError> {
    mp.map_err(|_| {
        AppError::Invalid {
            field: "file".into(),
            message: "send the form as multipart/form-data".into(),
        }
        .into()
    })
}

fn check_csrf(ctx: &Ctx, q: &CsrfQuery) -> Result<(), WebError> {
    // Multipart bodies are not url-encoded forms, so the token travels in the query string.
    if crate::session::constant_time_eq(q.csrf.as_bytes(), ctx.csrf.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

async fn add_expense(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CsrfQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> WebResult {
    // Who may post comes before what was posted, so a refusal never depends on the body.
    if !may(&ctx.actor, BillingRight::EnterTime) {
        return Err(AppError::Forbidden.into());
    }
    let mp = multipart(mp)?;
    check_csrf(&ctx, &q)?;
    let (fields, file) = read_multipart(mp, "receipt").await?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let form = ExpenseForm {
        matter_id: get("matter_id"),
        expense_date: get("expense_date"),
        code: get("code"),
        description: get("description"),
        quantity: get("quantity"),
        unit_cost: get("unit_cost"),
    };
    let receipt = file.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
    match s.app.add_expense(&ctx.actor, &form, receipt).await {
        Ok(_) => Ok(see_other("/billing")),
        Err(e) => home_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

/// A download, never rendered inline under our origin.
fn download(content_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
    let safe: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
        ],
        bytes,
    )
        .into_response()
}

async fn receipt(State(s): State<AppState>, ctx: Ctx, Path(eid): Path<String>) -> WebResult {
    let (name, bytes) = s.app.expense_receipt(&ctx.actor, id(&eid)?).await?;
    let content_type = app::attachment_type(&name).unwrap_or("application/octet-stream");
    Ok(download(content_type, &name, bytes))
}

// ---- invoices ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/invoices.html")]
struct InvoicesPage {
    l: crate::pages::Layout,
    invoices: Vec<InvoiceRow>,
    matters: Vec<MatterRow>,
    period: String,
    error: Option<String>,
}

impl InvoicesPage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        money(d.borrow())
    }
}

async fn invoices_page(s: &AppState, ctx: &Ctx, error: Option<String>) -> WebResult {
    let today = s.app.now().date_naive();
    let page = render(InvoicesPage {
        l: layout(ctx, "billing"),
        invoices: s.app.invoices(&ctx.actor, None).await?,
        matters: visible_matters(&s.app, &ctx.actor).await?,
        period: today.format("%Y-%m").to_string(),
        error: error.clone(),
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn invoices(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    invoices_page(&s, &ctx, None).await
}

#[derive(Deserialize)]
struct PrebillForm {
    #[serde(default)]
    matter_id: String,
    #[serde(default)]
    period: String,
}

async fn create_prebill(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<PrebillForm>,
) -> WebResult {
    let result = async {
        let matter = domain::Id::parse(f.matter_id.trim()).map_err(|_| AppError::Invalid {
            field: "matter_id".into(),
            message: "choose a matter".into(),
        })?;
        let period = app::billing::parse_period(&f.period)?;
        s.app.create_prebill(&ctx.actor, matter, period).await
    }
    .await;
    match result {
        Ok(inv) => Ok(see_other(&format!("/billing/invoices/{}", inv.id))),
        Err(e) => invoices_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoicePage {
    l: crate::pages::Layout,
    v: InvoiceView,
    error: Option<String>,
    today: String,
}

impl InvoicePage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        money(d.borrow())
    }
    fn net(&self, l: &store::billing::InvoiceLineRow) -> String {
        let gross = if l.kind.ends_with("adjustment") {
            Decimal::ZERO
        } else {
            ::billing::money::round_money(l.units * l.unit_cost)
        };
        money(&(gross + l.adjustment))
    }
}

async fn invoice_page(s: &AppState, ctx: &Ctx, iid: &str, error: Option<String>) -> WebResult {
    let v = s.app.invoice_view(&ctx.actor, id(iid)?).await?;
    let page = render(InvoicePage {
        l: layout(ctx, "billing"),
        v,
        error: error.clone(),
        today: s.app.now().date_naive().to_string(),
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn invoice(State(s): State<AppState>, ctx: Ctx, Path(iid): Path<String>) -> WebResult {
    invoice_page(&s, &ctx, &iid, None).await
}

/// Runs an invoice action and comes back to the invoice, with the message inline on failure.
async fn invoice_action<T>(
    s: &AppState,
    ctx: &Ctx,
    iid: &str,
    result: app::Result<T>,
) -> WebResult {
    match result {
        Ok(_) => Ok(see_other(&format!("/billing/invoices/{iid}"))),
        Err(e) => invoice_page(s, ctx, iid, Some(inline(e)?)).await,
    }
}

#[derive(Deserialize)]
struct WriteDownForm {
    position: i64,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

async fn write_down(
    State(s): State<AppState>,
    Path(iid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<WriteDownForm>,
) -> WebResult {
    let r = s.app.write_down(&ctx.actor, id(&iid)?, f.position, &f.amount, &f.reason).await;
    invoice_action(&s, &ctx, &iid, r).await
}

#[derive(Deserialize)]
struct DiscountForm {
    #[serde(default)]
    percent: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

async fn discount(
    State(s): State<AppState>,
    Path(iid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<DiscountForm>,
) -> WebResult {
    let r = s.app.discount(&ctx.actor, id(&iid)?, &f.percent, &f.amount, &f.reason).await;
    invoice_action(&s, &ctx, &iid, r).await
}

async fn approve(
    State(s): State<AppState>,
    Path(iid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    let r = s.app.approve_invoice(&ctx.actor, id(&iid)?).await;
    invoice_action(&s, &ctx, &iid, r).await
}

async fn issue(
    State(s): State<AppState>,
    Path(iid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    let r = s.app.issue_invoice(&ctx.actor, id(&iid)?).await;
    invoice_action(&s, &ctx, &iid, r).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn void(
    State(s): State<AppState>,
    Path(iid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<ReasonForm>,
) -> WebResult {
    let r = s.app.void_invoice(&ctx.actor, id(&iid)?, &f.reason).await;
    invoice_action(&s, &ctx, &iid, r).await
}

async fn payment(
    State(s): State<AppState>,
    Path(iid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<PaymentForm>,
) -> WebResult {
    let r = s.app.record_payment(&ctx.actor, id(&iid)?, &f).await;
    invoice_action(&s, &ctx, &iid, r).await
}

async fn reverse_payment(
    State(s): State<AppState>,
    Path((iid, pid)): Path<(String, String)>,
    CsrfForm(ctx, f): CsrfForm<ReasonForm>,
) -> WebResult {
    let r = s.app.reverse_payment(&ctx.actor, id(&iid)?, id(&pid)?, &f.reason).await;
    invoice_action(&s, &ctx, &iid, r).await
}

async fn pdf(State(s): State<AppState>, ctx: Ctx, Path(iid): Path<String>) -> WebResult {
    let (name, bytes) = s.app.invoice_pdf(&ctx.actor, id(&iid)?).await?;
    Ok(download("application/pdf", &name, bytes))
}

#[derive(Deserialize, Default)]
struct FormatQuery {
    #[serde(default)]
    format: String,
}

pub(crate) fn ledes_format(s: &str) -> Result<LedesFormat, AppError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "1998b" => Ok(LedesFormat::Ledes1998B),
        "98bi" => Ok(LedesFormat::Ledes98BI),
        _ => Err(AppError::Invalid { field: "format".into(), message: "use 1998b or 98bi".into() }),
    }
}

async fn ledes(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(iid): Path<String>,
    Query(q): Query<FormatQuery>,
) -> WebResult {
    let (name, text) = s.app.invoice_ledes(&ctx.actor, id(&iid)?, ledes_format(&q.format)?).await?;
    Ok(download("text/plain; charset=utf-8", &name, text.into_bytes()))
}

// ---- reports and rates -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/reports.html")]
struct ReportsPage {
    l: crate::pages::Layout,
    r: BillingReports,
}

impl ReportsPage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        money(d.borrow())
    }
    fn percent(&self, d: impl std::borrow::Borrow<Option<Decimal>>) -> String {
        d.borrow().map_or_else(|| "—".into(), |d| format!("{:.1}%", d * Decimal::from(100)))
    }
}

async fn reports(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    let r = s.app.billing_reports(&ctx.actor, s.app.now().date_naive()).await?;
    render(ReportsPage { l: layout(&ctx, "billing"), r })
}

#[derive(Template)]
#[template(path = "billing/rates.html")]
struct RatesPage {
    l: crate::pages::Layout,
    rates: Vec<RateRow>,
    users: Vec<domain::User>,
    matters: Vec<MatterRow>,
    error: Option<String>,
}

async fn rates_page(s: &AppState, ctx: &Ctx, error: Option<String>) -> WebResult {
    let users = s
        .app
        .users_with_roles(&[
            domain::Role::Admin,
            domain::Role::Attorney,
            domain::Role::Staff,
            domain::Role::VirtualAssistant,
        ])
        .await?;
    let page = render(RatesPage {
        l: layout(ctx, "billing"),
        rates: s.app.rates(&ctx.actor).await?,
        users,
        matters: visible_matters(&s.app, &ctx.actor).await?,
        error: error.clone(),
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn rates(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    rates_page(&s, &ctx, None).await
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    matter_id: String,
    #[serde(default)]
    rate: String,
}

async fn set_rate(State(s): State<AppState>, CsrfForm(ctx, f): CsrfForm<RateForm>) -> WebResult {
    let result = async {
        let user = domain::Id::parse(f.user_id.trim()).map_err(|_| AppError::Invalid {
            field: "user_id".into(),
            message: "choose a timekeeper".into(),
        })?;
        let rate = f.rate.trim().parse::<Decimal>().map_err(|_| AppError::Invalid {
            field: "rate".into(),
            message: "enter an hourly rate like 350".into(),
        })?;
        match domain::Id::parse(f.matter_id.trim()) {
            Ok(m) => s.app.set_rate(&ctx.actor, user, "matter", Some(m), rate).await,
            Err(_) => s.app.set_rate(&ctx.actor, user, "default", None, rate).await,
        }
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/billing/rates")),
        Err(e) => rates_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

#[derive(Deserialize)]
struct ArrangementPost {
    #[serde(default)]
    matter_id: String,
    #[serde(flatten)]
    form: app::billing::ArrangementForm,
}

async fn set_arrangement(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<ArrangementPost>,
) -> WebResult {
    let result = async {
        let matter = domain::Id::parse(f.matter_id.trim()).map_err(|_| AppError::Invalid {
            field: "matter_id".into(),
            message: "choose a matter".into(),
        })?;
        s.app.set_arrangement_form(&ctx.actor, matter, &f.form).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/billing/rates")),
        Err(e) => rates_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "billing/settings.html")]
struct SettingsPage {
    l: crate::pages::Layout,
    s: app::billing::BillingSettings,
    error: Option<String>,
}

async fn settings_page(
    st: &AppState,
    ctx: &Ctx,
    shown: Option<app::billing::BillingSettings>,
    error: Option<String>,
) -> WebResult {
    if ctx.actor.role != domain::Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    let s = match shown {
        Some(s) => s,
        None => st.app.billing_settings().await?,
    };
    let page = render(SettingsPage { l: layout(ctx, "billing"), s, error: error.clone() })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn settings(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    settings_page(&s, &ctx, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsForm {
    firm_name: String,
    firm_tax_id: String,
    line1: String,
    line2: String,
    city: String,
    region: String,
    postcode: String,
    country: String,
    currency: String,
    tax_rate: String,
    rounding_increment: String,
    payment_terms_days: String,
}

async fn save_settings(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<SettingsForm>,
) -> WebResult {
    if ctx.actor.role != domain::Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    let mut new = s.app.billing_settings().await?;
    new.firm_name = f.firm_name.trim().to_string();
    new.firm_tax_id = f.firm_tax_id.trim().to_string();
    new.firm_address = ::billing::invoice::Address {
        line1: f.line1.trim().into(),
        line2: f.line2.trim().into(),
        city: f.city.trim().into(),
        region: f.region.trim().into(),
        postcode: f.postcode.trim().into(),
        country: f.country.trim().to_ascii_uppercase(),
    };
    new.currency = f.currency.trim().to_ascii_uppercase();
    let number = |field: &str, v: &str| {
        v.trim().parse::<Decimal>().map_err(|_| AppError::Invalid {
            field: field.into(),
            message: "enter a number".into(),
        })
    };
    let result = async {
        new.tax_rate = number("tax_rate", &f.tax_rate)?;
        new.rounding_increment = number("rounding_increment", &f.rounding_increment)?;
        new.payment_terms_days = f.payment_terms_days.trim().parse().map_err(|_| {
            AppError::Invalid { field: "payment_terms_days".into(), message: "enter days".into() }
        })?;
        s.app.set_billing_settings(&ctx.actor, &new).await
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/billing/settings")),
        Err(e) => settings_page(&s, &ctx, Some(new), Some(inline(e)?)).await,
    }
}

// ---- trust -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/trust.html")]
struct TrustPage {
    l: crate::pages::Layout,
    t: TrustOverview,
    matters: Vec<MatterRow>,
    today: String,
    error: Option<String>,
}

impl TrustPage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        money(d.borrow())
    }
}

async fn trust_page(s: &AppState, ctx: &Ctx, error: Option<String>) -> WebResult {
    let page = render(TrustPage {
        l: layout(ctx, "billing"),
        t: s.app.trust_overview(&ctx.actor).await?,
        matters: visible_matters(&s.app, &ctx.actor).await?,
        today: s.app.now().date_naive().to_string(),
        error: error.clone(),
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn trust(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    trust_page(&s, &ctx, None).await
}

async fn trust_result<T>(s: &AppState, ctx: &Ctx, r: app::Result<T>) -> WebResult {
    match r {
        Ok(_) => Ok(see_other("/billing/trust")),
        Err(e) => trust_page(s, ctx, Some(inline(e)?)).await,
    }
}

async fn trust_deposit(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<TrustForm>,
) -> WebResult {
    let r = s.app.trust_deposit(&ctx.actor, &f).await;
    trust_result(&s, &ctx, r).await
}

async fn trust_disburse(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<TrustForm>,
) -> WebResult {
    let r = s.app.trust_disburse(&ctx.actor, &f).await;
    trust_result(&s, &ctx, r).await
}

async fn trust_reverse(
    State(s): State<AppState>,
    Path(eid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<ReasonForm>,
) -> WebResult {
    let r = s.app.trust_reverse(&ctx.actor, id(&eid)?, &f.reason).await;
    trust_result(&s, &ctx, r).await
}

async fn import_statement(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CsrfQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> WebResult {
    if ctx.actor.role != domain::Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    let mp = multipart(mp)?;
    check_csrf(&ctx, &q)?;
    let (fields, file) = read_multipart(mp, "statement").await?;
    let Some((name, bytes)) = file else {
        return trust_page(&s, &ctx, Some("statement: choose a CSV or OFX file".into())).await;
    };
    let opening = fields.get("opening_balance").cloned().unwrap_or_default();
    match s.app.import_bank_statement(&ctx.actor, &name, &bytes, &opening).await {
        Ok(row) => Ok(see_other(&format!("/billing/trust/statements/{}", row.id))),
        Err(e) => trust_page(&s, &ctx, Some(inline(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "billing/reconciliation.html")]
struct ReconciliationPage {
    l: crate::pages::Layout,
    r: ReconciliationReport,
}

impl ReconciliationPage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        money(d.borrow())
    }
}

async fn reconciliation(State(s): State<AppState>, ctx: Ctx, Path(sid): Path<String>) -> WebResult {
    let r = s.app.reconcile(&ctx.actor, id(&sid)?, None).await?;
    render(ReconciliationPage { l: layout(&ctx, "billing"), r })
}
