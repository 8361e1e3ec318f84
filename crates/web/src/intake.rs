//! Pages and JSON API for intake: the public intake form, the lead pipeline board, conflict checks
//! and saved conflict reports with the reviewer's decision, and the administrator's settings.

use crate::pages::{Layout, NavLink, NoFields, WebResult, id, layout, render, see_other};
use crate::session::{ApiCtx, ClientIp, CsrfForm, Ctx};
use crate::{AppState, WebError};
use app::AppError;
use app::intake::{ConflictReportView, ConflictSummary, LeadSubmission, LeadView, PublicForm};
use app::intake::{FieldKind, IntakeField as FormField, Stage as LeadStage};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Role, User};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::Page;
use store::intake::{ConflictReportRow, IntakeFormRow, LeadRow, ReportFilter};
use utoipa::{OpenApi, ToSchema};

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/intake", get(board))
        .route("/intake/conflicts", post(run_check))
        .route("/intake/reports", get(reports))
        .route("/intake/reports/{id}", get(report))
        .route("/intake/reports/{id}/decision", post(decide))
        .route("/intake/reports/{id}/document", get(document))
        .route("/intake/matters/{id}/conflicts", get(matter_summary))
        .route("/intake/leads/{id}", get(lead))
        .route("/intake/leads/{id}/stage", post(move_lead))
        .route("/intake/leads/{id}/check", post(check_lead))
        .route("/intake/leads/{id}/convert", post(convert_lead))
        .route("/intake/leads/{id}/letter", get(letter))
        .route("/intake/settings", get(settings))
        .route("/intake/settings/forms", post(save_form))
        .route("/intake/settings/letter", post(save_letter))
        .route("/intake/form/{area}", get(public_form).post(submit_public_form))
        .route("/intake/form/{area}/thanks", get(public_thanks))
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/conflicts/checks", post(api_check))
        .route("/conflicts/reports", get(api_reports))
        .route("/conflicts/reports/{id}", get(api_report))
        .route("/conflicts/reports/{id}/decision", post(api_decide))
        .route("/leads", get(api_leads))
        .route("/leads/{id}", get(api_lead))
        .route("/leads/{id}/stage", post(api_move_lead))
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(
    paths(api_check, api_reports, api_report, api_decide, api_leads, api_lead, api_move_lead),
    components(schemas(CheckIn, ReportOut, ReportSummaryOut, DecisionIn, LeadOut, StageIn))
)]
pub(crate) struct ApiDoc;

/// The top navigation link ("Intake", /intake) for users who may use it.
pub(crate) fn nav(ctx: &Ctx) -> Option<NavLink> {
    app::intake::may_check(&ctx.actor).then_some(NavLink {
        href: "/intake",
        label: "Intake",
        tab: "intake",
    })
}

fn invalid(e: AppError) -> Option<String> {
    match e {
        AppError::Invalid { message, .. } | AppError::Conflict(message) => Some(message),
        _ => None,
    }
}

// ---- board and checks --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "intake/board.html")]
struct BoardPage {
    l: Layout,
    board: Vec<(LeadStage, Vec<LeadRow>)>,
    forms: Vec<IntakeFormRow>,
    error: Option<String>,
    names: String,
}

async fn board_page(s: &AppState, ctx: &Ctx, error: Option<String>, names: String) -> WebResult {
    let board = s.app.lead_board(&ctx.actor).await?;
    let forms = s.app.intake_forms().await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = render(BoardPage { l: layout(ctx, "intake"), board, forms, error, names })?;
    Ok((status, page).into_response())
}

async fn board(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    board_page(&s, &ctx, None, String::new()).await
}

#[derive(Deserialize)]
struct CheckForm {
    #[serde(default)]
    names: String,
}

async fn run_check(State(s): State<AppState>, CsrfForm(ctx, f): CsrfForm<CheckForm>) -> WebResult {
    let names = domain::validate::list(&f.names);
    match s.app.run_conflict_check(&ctx.actor, &names).await {
        Ok(report) => Ok(see_other(&format!("/intake/reports/{report}"))),
        Err(e @ AppError::Invalid { .. }) => board_page(&s, &ctx, invalid(e), f.names).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "intake/reports.html")]
struct ReportsPage {
    l: Layout,
    rows: Vec<ConflictReportRow>,
    pending: bool,
    matter: String,
    page: u32,
    more: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportsQuery {
    pending: String,
    matter: String,
    page: Option<u32>,
}

async fn reports(State(s): State<AppState>, ctx: Ctx, Query(q): Query<ReportsQuery>) -> WebResult {
    let filter = ReportFilter {
        matter_id: domain::Id::parse(&q.matter).ok(),
        lead_id: None,
        pending: !q.pending.is_empty(),
    };
    let page = Page::new(q.page.unwrap_or(1), 50);
    let (rows, more) = s.app.conflict_reports(&ctx.actor, &filter, page).await?;
    render(ReportsPage {
        l: layout(&ctx, "intake"),
        rows,
        pending: filter.pending,
        matter: q.matter,
        page: page.number,
        more,
    })
}

#[derive(Template)]
#[template(path = "intake/report.html")]
struct ReportPage {
    l: Layout,
    v: ConflictReportView,
    decisions: &'static [(&'static str, &'static str)],
    error: Option<String>,
}

async fn report_page(s: &AppState, ctx: &Ctx, rid: domain::Id, error: Option<String>) -> WebResult {
    let v = s.app.conflict_report(&ctx.actor, rid).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = render(ReportPage {
        l: layout(ctx, "intake"),
        v,
        decisions: &app::intake::DECISIONS,
        error,
    })?;
    Ok((status, page).into_response())
}

async fn report(State(s): State<AppState>, ctx: Ctx, Path(rid): Path<String>) -> WebResult {
    report_page(&s, &ctx, id(&rid)?, None).await
}

#[derive(Deserialize)]
struct CsrfQuery {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// The decision form is multipart (it may carry the consent document), so the CSRF token travels
/// in the query string, as for work item attachments.
async fn decide(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(rid): Path<String>,
    Query(q): Query<CsrfQuery>,
    mut mp: Multipart,
) -> WebResult {
    if !crate::session::constant_time_eq(q.csrf.as_bytes(), ctx.csrf.as_bytes()) {
        return Err(AppError::Forbidden.into());
    }
    let rid = id(&rid)?;
    let (mut decision, mut note, mut document) = (String::new(), String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::Invalid {
        field: "document".into(),
        message: format!("upload failed: {e}"),
    })? {
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|_| AppError::Invalid {
            field: "document".into(),
            message: "the file is too large or the upload was cut off".into(),
        })?;
        match name.as_str() {
            "decision" => decision = String::from_utf8_lossy(&bytes).into_owned(),
            "note" => note = String::from_utf8_lossy(&bytes).into_owned(),
            "document" if !bytes.is_empty() => {
                document = Some((filename.unwrap_or_else(|| "consent".into()), bytes.to_vec()));
            }
            _ => {}
        }
    }
    match s.app.decide_conflict(&ctx.actor, rid, &decision, &note, document).await {
        Ok(()) => Ok(see_other(&format!("/intake/reports/{rid}"))),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            report_page(&s, &ctx, rid, invalid(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn document(State(s): State<AppState>, ctx: Ctx, Path(rid): Path<String>) -> WebResult {
    let (name, content_type, bytes) = s.app.conflict_document(&ctx.actor, id(&rid)?).await?;
    let safe_name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe_name}\"")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "intake/summary.html")]
struct SummaryFragment {
    matter: String,
    summary: Option<ConflictSummary>,
}

/// The matter page's line "conflict check: N hits, pending decision" (loaded by htmx; without
/// JavaScript the page links to the reports instead).
async fn matter_summary(State(s): State<AppState>, ctx: Ctx, Path(mid): Path<String>) -> WebResult {
    let matter = id(&mid)?;
    let summary = s.app.matter_conflict_summary(&ctx.actor, matter).await?;
    render(SummaryFragment { matter: matter.to_string(), summary })
}

// ---- leads -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "intake/lead.html")]
struct LeadPage {
    l: Layout,
    v: LeadView,
    attorneys: Vec<User>,
    suggested_code: String,
    error: Option<String>,
}

async fn lead_page(s: &AppState, ctx: &Ctx, lid: domain::Id, error: Option<String>) -> WebResult {
    let v = s.app.lead(&ctx.actor, lid).await?;
    let attorneys = s.app.users_with_roles(&[Role::Attorney, Role::Admin]).await?;
    let suggested_code: String = v
        .lead
        .name
        .split_whitespace()
        .next_back()
        .unwrap_or("CLIENT")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_uppercase();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = render(LeadPage { l: layout(ctx, "intake"), v, attorneys, suggested_code, error })?;
    Ok((status, page).into_response())
}

async fn lead(State(s): State<AppState>, ctx: Ctx, Path(lid): Path<String>) -> WebResult {
    lead_page(&s, &ctx, id(&lid)?, None).await
}

#[derive(Deserialize)]
struct StageForm {
    stage: String,
    #[serde(default)]
    back: String,
}

async fn move_lead(
    State(s): State<AppState>,
    Path(lid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<StageForm>,
) -> WebResult {
    let lid = id(&lid)?;
    // Denial comes before validation, so a stranger learns nothing from the error.
    if !app::intake::may_check(&ctx.actor) {
        return Err(AppError::Forbidden.into());
    }
    let to = LeadStage::parse(&f.stage).ok_or_else(|| AppError::Invalid {
        field: "stage".into(),
        message: "choose a stage".into(),
    })?;
    match s.app.move_lead(&ctx.actor, lid, to).await {
        Ok(()) if f.back == "lead" => Ok(see_other(&format!("/intake/leads/{lid}"))),
        Ok(()) => Ok(see_other("/intake")),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            lead_page(&s, &ctx, lid, invalid(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn check_lead(
    State(s): State<AppState>,
    Path(lid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    let lid = id(&lid)?;
    match s.app.check_lead(&ctx.actor, lid).await {
        Ok(report) => Ok(see_other(&format!("/intake/reports/{report}"))),
        Err(e @ AppError::Conflict(_)) => lead_page(&s, &ctx, lid, invalid(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ConvertForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    responsible_attorney: String,
}

async fn convert_lead(
    State(s): State<AppState>,
    Path(lid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<ConvertForm>,
) -> WebResult {
    let lid = id(&lid)?;
    match s.app.convert_lead(&ctx.actor, lid, &f.code, &f.responsible_attorney).await {
        Ok(m) => Ok(see_other(&format!("/matters/{}", m.id))),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            lead_page(&s, &ctx, lid, invalid(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "intake/letter.html")]
struct LetterPage {
    name: String,
    letter: String,
}

/// The non-engagement letter as stored, on a printable page of its own. The letter HTML was
/// rendered from the template with every value escaped, so it is inserted as is.
async fn letter(State(s): State<AppState>, ctx: Ctx, Path(lid): Path<String>) -> WebResult {
    let v = s.app.lead(&ctx.actor, id(&lid)?).await?;
    let letter = v.lead.letter_html.ok_or(AppError::NotFound("letter"))?;
    render(LetterPage { name: v.lead.name, letter })
}

// ---- settings ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "intake/settings.html")]
struct SettingsPage {
    l: Layout,
    forms: Vec<(IntakeFormRow, String)>,
    template: String,
    firm: String,
    error: Option<String>,
    placeholders: String,
}

async fn settings_page(s: &AppState, ctx: &Ctx, error: Option<String>) -> WebResult {
    if ctx.user.role != Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    let forms = s
        .app
        .intake_forms()
        .await?
        .into_iter()
        .map(|f| {
            let fields: Vec<FormField> = serde_json::from_str(&f.fields).unwrap_or_default();
            let text = app::intake::format_fields(&fields);
            (f, text)
        })
        .collect();
    let (template, firm) = s.app.letter_template().await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let placeholders = app::intake::LETTER_PLACEHOLDERS.map(|p| format!("{{{{{p}}}}}")).join(", ");
    let page = render(SettingsPage {
        l: layout(ctx, "intake"),
        forms,
        template,
        firm,
        error,
        placeholders,
    })?;
    Ok((status, page).into_response())
}

async fn settings(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    settings_page(&s, &ctx, None).await
}

#[derive(Deserialize)]
struct FormConfig {
    practice_area: String,
    title: String,
    #[serde(default)]
    fields: String,
}

async fn save_form(State(s): State<AppState>, CsrfForm(ctx, f): CsrfForm<FormConfig>) -> WebResult {
    match s.app.set_intake_form(&ctx.actor, &f.practice_area, &f.title, &f.fields).await {
        Ok(()) => Ok(see_other("/intake/settings")),
        Err(e @ AppError::Invalid { .. }) => settings_page(&s, &ctx, invalid(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct LetterForm {
    template: String,
    firm: String,
}

async fn save_letter(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<LetterForm>,
) -> WebResult {
    match s.app.set_letter_template(&ctx.actor, &f.template, &f.firm).await {
        Ok(()) => Ok(see_other("/intake/settings")),
        Err(e @ AppError::Invalid { .. }) => settings_page(&s, &ctx, invalid(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ---- the public form ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "intake/public_form.html")]
struct PublicFormPage {
    f: PublicForm,
    values: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
}

impl PublicFormPage {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    fn error(&self, name: &str) -> String {
        self.errors.iter().find(|(n, _)| n == name).map(|(_, m)| m.clone()).unwrap_or_default()
    }

    fn is_text(&self, f: &FormField) -> bool {
        f.kind == FieldKind::Text
    }

    fn is_textarea(&self, f: &FormField) -> bool {
        f.kind == FieldKind::Textarea
    }

    fn is_date(&self, f: &FormField) -> bool {
        f.kind == FieldKind::Date
    }
}

async fn public_form(State(s): State<AppState>, Path(area): Path<String>) -> WebResult {
    let f = s.app.public_intake_form(&area).await?;
    render(PublicFormPage { f, values: BTreeMap::new(), errors: Vec::new() })
}

/// Takes the posted pairs: the fixed fields by name, the practice area's questions as `q_<name>`.
async fn submit_public_form(
    State(s): State<AppState>,
    Path(area): Path<String>,
    ClientIp(ip): ClientIp,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> WebResult {
    let mut sub = LeadSubmission::default();
    let mut values = BTreeMap::new();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => sub.name = v.clone(),
            "kind" => sub.kind = v.clone(),
            "email" => sub.email = v.clone(),
            "phone" => sub.phone = v.clone(),
            "description" => sub.description = v.clone(),
            "adverse_parties" => sub.adverse_parties = v.clone(),
            "website" => sub.website = v.clone(),
            "_ts" => sub.token = v.clone(),
            other => {
                if let Some(q) = other.strip_prefix("q_") {
                    sub.answers.insert(q.to_owned(), v.clone());
                }
            }
        }
        values.insert(k, v);
    }
    match s.app.submit_lead(&area, &sub, &ip).await? {
        // A filled honeypot gets the same answer as a person, so robots learn nothing.
        None | Some(Ok(_)) => Ok(see_other(&format!("/intake/form/{area}/thanks"))),
        Some(Err(errors)) => {
            // A fresh form (and token), with what was typed and a message by each field.
            let f = s.app.public_intake_form(&area).await?;
            let errors = errors
                .into_iter()
                .map(|(n, m)| {
                    let n = if f.fields.iter().any(|x| x.name == n) { format!("q_{n}") } else { n };
                    (n, m)
                })
                .collect();
            let page = render(PublicFormPage { f, values, errors })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn public_thanks(State(s): State<AppState>, Path(area): Path<String>) -> WebResult {
    let f = s.app.public_intake_form(&area).await?;
    Ok(Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <title>Thank you</title><link rel=stylesheet href=/assets/app.css></head><body><main class=\"public\"><div class=card>\
         <h1>Thank you</h1><p id=\"thanks\">We received your inquiry about {}. Someone from the firm will contact you. \
         Until we confirm in writing that we represent you, we are not your lawyers.</p></div></main></body></html>",
        crate::error::escape(&f.title)
    ))
    .into_response())
}

// ---- API ---------------------------------------------------------------------------------------

type ApiResult<T> = Result<T, WebError>;

use crate::api::{j, parse_id as api_id};

#[derive(Deserialize, ToSchema)]
pub struct CheckIn {
    /// Names to check (a person, a company, the other side).
    names: Vec<String>,
}

/// A saved conflict report with its grouped hits.
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    #[schema(value_type = String, format = Uuid)]
    id: domain::Id,
    query: String,
    /// manual, matter, party or lead
    subject: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    matter_id: Option<domain::Id>,
    #[schema(value_type = Option<String>, format = Uuid)]
    lead_id: Option<domain::Id>,
    ran_by: Option<String>,
    ran_at: chrono::DateTime<chrono::Utc>,
    hit_count: i64,
    /// cleared, waived or declined; null while pending.
    decision: Option<String>,
    decision_note: Option<String>,
    decided_by: Option<String>,
    /// Groups by rule at stake: kind, title, rule, hits (party, matched_name, role, matter, score,
    /// explanation, rules).
    #[schema(value_type = Vec<Object>)]
    groups: serde_json::Value,
}

impl ReportOut {
    fn of(v: ConflictReportView) -> ReportOut {
        ReportOut {
            id: v.row.id,
            query: v.row.query,
            subject: v.row.subject,
            matter_id: v.row.matter_id,
            lead_id: v.row.lead_id,
            ran_by: v.row.ran_by_name,
            ran_at: v.row.ran_at,
            hit_count: v.row.hit_count,
            decision: v.row.decision,
            decision_note: v.row.decision_note,
            decided_by: v.row.decided_by_name,
            groups: serde_json::to_value(&v.result.groups).unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportSummaryOut {
    #[schema(value_type = String, format = Uuid)]
    id: domain::Id,
    query: String,
    subject: String,
    ran_at: chrono::DateTime<chrono::Utc>,
    hit_count: i64,
    decision: Option<String>,
}

/// Runs a conflict check and saves the report (firm users only).
#[utoipa::path(post, path = "/api/v1/conflicts/checks", request_body = CheckIn, responses((status = 201, body = ReportOut), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
async fn api_check(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<CheckIn>,
) -> ApiResult<Response> {
    let rid = s.app.run_conflict_check(&ctx.actor, &b.names).await.map_err(j)?;
    let v = s.app.conflict_report(&ctx.actor, rid).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(ReportOut::of(v))).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportParams {
    /// Only reports on this matter.
    matter: Option<String>,
    /// Only reports waiting for a decision.
    pending: Option<bool>,
    page: Option<u32>,
}

/// Saved conflict reports, newest first.
#[utoipa::path(get, path = "/api/v1/conflicts/reports", params(ReportParams), responses((status = 200, body = Vec<ReportSummaryOut>), (status = 403, body = crate::api::ErrorBody)))]
async fn api_reports(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ReportParams>,
) -> ApiResult<Json<Vec<ReportSummaryOut>>> {
    let filter = ReportFilter {
        matter_id: p.matter.as_deref().map(api_id).transpose()?,
        lead_id: None,
        pending: p.pending.unwrap_or(false),
    };
    let (rows, _) = s
        .app
        .conflict_reports(&ctx.actor, &filter, Page::new(p.page.unwrap_or(1), 50))
        .await
        .map_err(j)?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ReportSummaryOut {
                id: r.id,
                query: r.query,
                subject: r.subject,
                ran_at: r.ran_at,
                hit_count: r.hit_count,
                decision: r.decision,
            })
            .collect(),
    ))
}

/// One saved report with hits grouped by the rule at stake.
#[utoipa::path(get, path = "/api/v1/conflicts/reports/{id}", responses((status = 200, body = ReportOut), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
async fn api_report(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(rid): Path<String>,
) -> ApiResult<Json<ReportOut>> {
    let v = s.app.conflict_report(&ctx.actor, api_id(&rid)?).await.map_err(j)?;
    Ok(Json(ReportOut::of(v)))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// cleared or declined (a waiver needs the consent document: record it in the web UI).
    decision: String,
    #[serde(default)]
    note: String,
}

/// Records the reviewer's decision (attorneys and administrators).
#[utoipa::path(post, path = "/api/v1/conflicts/reports/{id}/decision", request_body = DecisionIn, responses((status = 200, body = ReportOut), (status = 403, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
async fn api_decide(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(rid): Path<String>,
    Json(b): Json<DecisionIn>,
) -> ApiResult<Json<ReportOut>> {
    let rid = api_id(&rid)?;
    s.app.decide_conflict(&ctx.actor, rid, &b.decision, &b.note, None).await.map_err(j)?;
    let v = s.app.conflict_report(&ctx.actor, rid).await.map_err(j)?;
    Ok(Json(ReportOut::of(v)))
}

/// A lead in the intake pipeline.
#[derive(Serialize, ToSchema)]
pub struct LeadOut {
    #[schema(value_type = String, format = Uuid)]
    id: domain::Id,
    practice_area: String,
    name: String,
    email: String,
    phone: String,
    description: String,
    adverse_parties: Vec<String>,
    answers: BTreeMap<String, String>,
    /// new, conflict_check, consultation, engaged, declined, referred
    stage: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    matter_id: Option<domain::Id>,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<LeadRow> for LeadOut {
    fn from(l: LeadRow) -> Self {
        LeadOut {
            id: l.id,
            practice_area: l.practice_area,
            name: l.name,
            email: l.email,
            phone: l.phone,
            description: l.description,
            adverse_parties: l.adverse_parties,
            answers: l.answers,
            stage: l.stage,
            matter_id: l.matter_id,
            created_at: l.created_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LeadParams {
    /// Only leads in this stage.
    stage: Option<String>,
    page: Option<u32>,
}

/// Leads, newest first (firm users only).
#[utoipa::path(get, path = "/api/v1/leads", params(LeadParams), responses((status = 200, body = Vec<LeadOut>), (status = 403, body = crate::api::ErrorBody)))]
async fn api_leads(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<LeadParams>,
) -> ApiResult<Json<Vec<LeadOut>>> {
    let stage = match p.stage.as_deref() {
        Some(st) => Some(LeadStage::parse(st).ok_or_else(|| {
            j(AppError::Invalid { field: "stage".into(), message: format!("unknown stage {st:?}") })
        })?),
        None => None,
    };
    let (rows, _) = s
        .app
        .list_leads(&ctx.actor, stage, Page::new(p.page.unwrap_or(1), 100))
        .await
        .map_err(j)?;
    Ok(Json(rows.into_iter().map(LeadOut::from).collect()))
}

/// One lead.
#[utoipa::path(get, path = "/api/v1/leads/{id}", responses((status = 200, body = LeadOut), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
async fn api_lead(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(lid): Path<String>,
) -> ApiResult<Json<LeadOut>> {
    let v = s.app.lead(&ctx.actor, api_id(&lid)?).await.map_err(j)?;
    Ok(Json(v.lead.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct StageIn {
    /// conflict_check (runs the check), consultation, declined (writes the letter) or referred
    stage: String,
}

/// Moves a lead on the pipeline board.
#[utoipa::path(post, path = "/api/v1/leads/{id}/stage", request_body = StageIn, responses((status = 200, body = LeadOut), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
async fn api_move_lead(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(lid): Path<String>,
    Json(b): Json<StageIn>,
) -> ApiResult<Json<LeadOut>> {
    let lid = api_id(&lid)?;
    if !app::intake::may_check(&ctx.actor) {
        return Err(j(AppError::Forbidden));
    }
    let to = LeadStage::parse(&b.stage).ok_or_else(|| {
        j(AppError::Invalid {
            field: "stage".into(),
            message: format!("unknown stage {:?}", b.stage),
        })
    })?;
    s.app.move_lead(&ctx.actor, lid, to).await.map_err(j)?;
    let v = s.app.lead(&ctx.actor, lid).await.map_err(j)?;
    Ok(Json(v.lead.into()))
}
