//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json` and
//! a docs page rendered on the server from that same document (no assets from a CDN).

use crate::session::ApiCtx;
use crate::{AppState, WebError};
use app::{AppError, ContactForm, MatterForm, NewUser, WorkForm};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{
    Client, Contact, ContactKind, Id, Matter, MatterParty, MatterStatus, PartyRole, Role,
    ServiceLine, User, WorkItem, WorkStatus,
};
use serde::{Deserialize, Serialize};
use store::{MatterFilter, Page, WorkFilter};
use utoipa::{IntoParams, OpenApi, ToSchema};

type ApiResult<T> = Result<T, WebError>;

/// An app error answered as JSON (every API module uses this, so codes stay the same everywhere).
pub(crate) fn j(e: AppError) -> WebError {
    WebError::json(e)
}

/// An id from a path; a malformed one is a JSON 404 like a missing record.
pub(crate) fn parse_id(s: &str) -> ApiResult<Id> {
    Id::parse(s).map_err(|_| j(AppError::NotFound("record")))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/docs", get(docs))
        .route("/me", get(me))
        .route("/users", get(list_users).post(create_user))
        .route("/contacts", get(list_contacts).post(create_contact))
        .route("/contacts/{id}", get(get_contact).put(update_contact))
        .route("/clients", get(list_clients).post(create_client))
        .route("/matters", get(list_matters).post(create_matter))
        .route("/matters/{id}", get(get_matter))
        .route("/matters/{id}/parties", post(add_party))
        .route("/matters/{id}/work-items", post(create_work_item))
        .route("/work-items", get(list_work_items))
        .route("/work-items/{id}", get(get_work_item))
        .route("/work-items/{id}/status", post(set_work_status))
        .merge(crate::delegation::api())
        .merge(crate::docket::api())
        .merge(crate::billing::api())
        .merge(crate::intake::api())
        .merge(crate::review::api())
        .merge(crate::search::api())
        .fallback(|| async { j(AppError::NotFound("endpoint")) })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lawdesk API",
        version = "1",
        description = "Matters, work items, contacts, clients and users. Authenticate with `Authorization: Bearer <token>` (create tokens on the Account page). Errors are `{\"error\": {\"code\", \"message\", \"field\"}}` with stable codes: unauthenticated, forbidden, not_found, invalid, conflict, rate_limited, internal."
    ),
    paths(
        me,
        list_users,
        create_user,
        list_contacts,
        create_contact,
        get_contact,
        update_contact,
        list_clients,
        create_client,
        list_matters,
        create_matter,
        get_matter,
        add_party,
        create_work_item,
        list_work_items,
        get_work_item,
        set_work_status
    ),
    components(schemas(
        User,
        Contact,
        Client,
        Matter,
        MatterParty,
        WorkItem,
        ErrorBody,
        ErrorDetail,
        NewUserIn,
        NewUserOut,
        ContactIn,
        ClientIn,
        MatterIn,
        MatterOut,
        MatterDetail,
        PartyIn,
        WorkItemIn,
        WorkItemOut,
        StatusIn
    ))
)]
pub struct ApiDoc;

/// The whole API document: the platform's paths plus each capability's.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::delegation::ApiDoc::openapi());
    doc.merge(crate::docket::ApiDoc::openapi());
    doc.merge(crate::billing::ApiDoc::openapi());
    doc.merge(crate::intake::ApiDoc::openapi());
    doc.merge(crate::review::ApiDoc::openapi());
    doc.merge(crate::search::ApiDoc::openapi());
    doc
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    code: String,
    message: String,
    field: Option<String>,
}

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct ListOf<T> {
    items: Vec<T>,
    page: u32,
    more: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Free-text search.
    q: Option<String>,
    /// Filter by status.
    status: Option<String>,
    /// Sort key.
    sort: Option<String>,
    /// 1-based page number.
    page: Option<u32>,
    /// Page size (1-200, default 25).
    per_page: Option<u32>,
}

impl ListParams {
    fn page(&self) -> Page {
        Page::new(self.page.unwrap_or(1), self.per_page.unwrap_or(25))
    }
}

async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

/// A readable, dependency-free rendering of the OpenAPI document.
async fn docs() -> Html<String> {
    let doc = openapi();
    let mut out = String::from(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>lawdesk API</title><link rel=stylesheet href=/assets/app.css></head><body><main><h1>lawdesk API v1</h1>",
    );
    if let Some(d) = &doc.info.description {
        out.push_str(&format!("<p>{}</p>", crate::error::escape(d)));
    }
    out.push_str("<p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a></p><table><tr><th>Method</th><th>Path</th><th>Summary</th></tr>");
    for (path, item) in &doc.paths.paths {
        for (method, op) in
            [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("DELETE", &item.delete)]
        {
            if let Some(op) = op {
                let summary =
                    op.summary.clone().or_else(|| op.description.clone()).unwrap_or_default();
                out.push_str(&format!(
                    "<tr><td>{method}</td><td><code>{}</code></td><td>{}</td></tr>",
                    crate::error::escape(path),
                    crate::error::escape(&summary)
                ));
            }
        }
    }
    out.push_str("</table></main></body></html>");
    Html(out)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
async fn me(ctx: ApiCtx) -> Json<User> {
    Json(ctx.user)
}

/// Users (administrators only).
#[utoipa::path(get, path = "/api/v1/users", params(ListParams), responses((status = 200, body = ListOf<User>), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<ListOf<User>>> {
    let (items, more) = s.app.list_users(&ctx.actor, p.q.as_deref(), p.page()).await.map_err(j)?;
    Ok(Json(ListOf { items, page: p.page().number, more }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserIn {
    email: String,
    display_name: String,
    /// admin, attorney, staff, virtual_assistant, lpo_manager, lpo_reviewer, client
    role: String,
    organization_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NewUserOut {
    user: User,
    /// Shown once; the user must change it.
    one_time_password: String,
}

/// Creates a user with a one-time password (administrators only).
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserIn, responses((status = 201, body = NewUserOut), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<NewUserIn>,
) -> ApiResult<Response> {
    let input = NewUser {
        email: b.email,
        display_name: b.display_name,
        role: b.role,
        organization_id: b.organization_id,
    };
    let (user, one_time_password) = s.app.create_user(&ctx.actor, &input).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(NewUserOut { user, one_time_password })).into_response())
}

/// Contacts (firm users only).
#[utoipa::path(get, path = "/api/v1/contacts", params(ListParams), responses((status = 200, body = ListOf<Contact>), (status = 403, body = ErrorBody)))]
async fn list_contacts(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<ListOf<Contact>>> {
    let (items, more) =
        s.app.list_contacts(&ctx.actor, p.q.as_deref(), None, p.page()).await.map_err(j)?;
    Ok(Json(ListOf { items, page: p.page().number, more }))
}

#[derive(Deserialize, ToSchema)]
pub struct ContactIn {
    /// person or organization
    kind: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    former_names: Vec<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    notes: String,
}

impl ContactIn {
    fn into_form(self) -> ContactForm {
        ContactForm {
            kind: self.kind,
            name: self.name,
            aliases: self.aliases.join("\n"),
            former_names: self.former_names.join("\n"),
            emails: self.emails.join("\n"),
            phones: self.phones.join("\n"),
            addresses: self.addresses.join("\n"),
            notes: self.notes,
        }
    }
}

/// Creates a contact; the response header `X-Possible-Duplicates` counts likely duplicates.
#[utoipa::path(post, path = "/api/v1/contacts", request_body = ContactIn, responses((status = 201, body = Contact), (status = 422, body = ErrorBody)))]
async fn create_contact(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<ContactIn>,
) -> ApiResult<Response> {
    let form = b.into_form();
    let (c, hints) = s.app.create_contact(&ctx.actor, &form).await.map_err(j)?;
    Ok((StatusCode::CREATED, [("x-possible-duplicates", hints.len().to_string())], Json(c))
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", params(("id" = String, Path)), responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn get_contact(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<Json<Contact>> {
    let (c, _, _) = s.app.contact(&ctx.actor, parse_id(&id)?).await.map_err(j)?;
    Ok(Json(c))
}

/// Replaces a contact's fields (names, aliases, emails…); audited. The response header
/// `X-Possible-Duplicates` counts other contacts that look like the edited one.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", params(("id" = String, Path)), request_body = ContactIn, responses((status = 200, body = Contact), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_contact(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<ContactIn>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let form = b.into_form();
    let c = s.app.update_contact(&ctx.actor, id, &form).await.map_err(j)?;
    let hints = s.app.duplicate_hints(&ctx.actor, &form, Some(id)).await.map_err(j)?;
    Ok(([("x-possible-duplicates", hints.len().to_string())], Json(c)).into_response())
}

#[utoipa::path(get, path = "/api/v1/clients", params(ListParams), responses((status = 200, body = ListOf<Client>)))]
async fn list_clients(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<ListOf<Client>>> {
    let (items, more) =
        s.app.list_clients(&ctx.actor, p.q.as_deref(), p.page()).await.map_err(j)?;
    Ok(Json(ListOf { items, page: p.page().number, more }))
}

#[derive(Deserialize, ToSchema)]
pub struct ClientIn {
    /// An existing contact to make a client, or leave out and give `name`.
    contact_id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: Option<String>,
    /// Short code used in matter numbers.
    code: String,
}

#[utoipa::path(post, path = "/api/v1/clients", request_body = ClientIn, responses((status = 201, body = Client), (status = 409, body = ErrorBody)))]
async fn create_client(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<ClientIn>,
) -> ApiResult<Response> {
    let contact = b.contact_id.as_deref().map(parse_id).transpose()?;
    let kind =
        ContactKind::parse(b.kind.as_deref().unwrap_or("organization")).map_err(|e| j(e.into()))?;
    let c = s.app.create_client(&ctx.actor, contact, &b.name, kind, &b.code).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MatterOut {
    matter: Matter,
    client_name: String,
}

/// Matters the caller may see.
#[utoipa::path(get, path = "/api/v1/matters", params(ListParams), responses((status = 200, body = ListOf<MatterOut>)))]
async fn list_matters(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<ListOf<MatterOut>>> {
    let f = MatterFilter {
        q: p.q.clone(),
        status: p.status.as_deref().and_then(|s| MatterStatus::parse(s).ok()),
        client_id: None,
        sort: p.sort.clone(),
    };
    let (rows, more) = s.app.list_matters(&ctx.actor, &f, p.page()).await.map_err(j)?;
    let items = rows
        .into_iter()
        .map(|r| MatterOut { matter: r.matter, client_name: r.client_name })
        .collect();
    Ok(Json(ListOf { items, page: p.page().number, more }))
}

#[derive(Deserialize, ToSchema)]
pub struct MatterIn {
    client_id: String,
    title: String,
    #[serde(default)]
    practice_area: String,
    #[serde(default)]
    court: String,
    #[serde(default)]
    case_number: String,
    responsible_attorney: Option<String>,
    originating_attorney: Option<String>,
    #[serde(default)]
    onshore_only: bool,
    /// YYYY-MM-DD; today when left out.
    opened_on: Option<String>,
}

/// Opens a matter; its number comes from the firm's numbering scheme.
#[utoipa::path(post, path = "/api/v1/matters", request_body = MatterIn, responses((status = 201, body = Matter), (status = 422, body = ErrorBody)))]
async fn create_matter(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<MatterIn>,
) -> ApiResult<Response> {
    let form = MatterForm {
        client_id: b.client_id,
        title: b.title,
        practice_area: b.practice_area,
        court: b.court,
        case_number: b.case_number,
        responsible_attorney: b.responsible_attorney.unwrap_or_default(),
        originating_attorney: b.originating_attorney.unwrap_or_default(),
        onshore_only: b.onshore_only.then(|| "true".into()),
        opened_on: b.opened_on.unwrap_or_default(),
    };
    let m = s.app.create_matter(&ctx.actor, &form).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MatterDetail {
    matter: Matter,
    client: Client,
    parties: Vec<MatterParty>,
    team: Vec<User>,
    work_items: Vec<WorkItem>,
}

#[utoipa::path(get, path = "/api/v1/matters/{id}", params(("id" = String, Path)), responses((status = 200, body = MatterDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_matter(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<Json<MatterDetail>> {
    let v = s.app.matter(&ctx.actor, parse_id(&id)?).await.map_err(j)?;
    Ok(Json(MatterDetail {
        matter: v.matter,
        client: v.client,
        parties: v.parties,
        team: v.team,
        work_items: v.work_items.into_iter().map(|w| w.item).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PartyIn {
    /// An existing contact, or leave out and give `name` and `kind`.
    contact_id: Option<String>,
    #[serde(default)]
    name: String,
    kind: Option<String>,
    /// adverse_party, opposing_counsel, co_counsel, judge, witness, expert, insurer, related_party, client
    role: String,
}

#[utoipa::path(post, path = "/api/v1/matters/{id}/parties", params(("id" = String, Path)), request_body = PartyIn, responses((status = 201, body = MatterParty), (status = 403, body = ErrorBody)))]
async fn add_party(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<PartyIn>,
) -> ApiResult<Response> {
    let mid = parse_id(&id)?;
    let contact = b.contact_id.as_deref().map(parse_id).transpose()?;
    let kind =
        ContactKind::parse(b.kind.as_deref().unwrap_or("organization")).map_err(|e| j(e.into()))?;
    let role = PartyRole::parse(&b.role).map_err(|e| j(e.into()))?;
    let pid = s.app.add_party(&ctx.actor, mid, contact, &b.name, kind, role).await.map_err(j)?;
    let party = s
        .app
        .store
        .parties(mid)
        .await
        .map_err(|e| j(e.into()))?
        .into_iter()
        .find(|p| p.id == pid)
        .ok_or_else(|| j(AppError::NotFound("party")))?;
    Ok((StatusCode::CREATED, Json(party)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct WorkItemIn {
    /// One of the twelve service line ids, e.g. document_review.
    service_line: String,
    title: String,
    #[serde(default)]
    description: String,
    /// Decimal, as a string: "50000", "1.5".
    #[serde(default)]
    volume: String,
    /// documents, pages, records, hours, filings
    #[serde(default)]
    unit: String,
    due_on: Option<String>,
    #[serde(default)]
    priority: String,
    assignee: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkItemOut {
    item: WorkItem,
    matter_number: String,
    assignee_name: Option<String>,
    /// Send back with status changes (optimistic concurrency).
    version: i64,
}

#[utoipa::path(post, path = "/api/v1/matters/{id}/work-items", params(("id" = String, Path)), request_body = WorkItemIn, responses((status = 201, body = WorkItem), (status = 422, body = ErrorBody)))]
async fn create_work_item(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<WorkItemIn>,
) -> ApiResult<Response> {
    let form = WorkForm {
        service_line: b.service_line,
        title: b.title,
        description: b.description,
        volume: b.volume,
        unit: b.unit,
        due_on: b.due_on.unwrap_or_default(),
        priority: b.priority,
        assignee: b.assignee.unwrap_or_default(),
    };
    let w = s.app.create_work_item(&ctx.actor, parse_id(&id)?, &form).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(w)).into_response())
}

/// Work items the caller may see (external users: only those assigned to them).
#[utoipa::path(get, path = "/api/v1/work-items", params(ListParams), responses((status = 200, body = ListOf<WorkItemOut>)))]
async fn list_work_items(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<ListOf<WorkItemOut>>> {
    let f = WorkFilter {
        q: p.q.clone(),
        status: p.status.as_deref().and_then(|s| WorkStatus::parse(s).ok()),
        sort: p.sort.clone(),
        ..Default::default()
    };
    let (rows, more) = s.app.list_work_items(&ctx.actor, &f, p.page()).await.map_err(j)?;
    let items = rows
        .into_iter()
        .map(|r| WorkItemOut {
            item: r.item,
            matter_number: r.matter_number,
            assignee_name: r.assignee_name,
            version: r.version,
        })
        .collect();
    Ok(Json(ListOf { items, page: p.page().number, more }))
}

#[utoipa::path(get, path = "/api/v1/work-items/{id}", params(("id" = String, Path)), responses((status = 200, body = WorkItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_work_item(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<Json<WorkItemOut>> {
    let v = s.app.work_item(&ctx.actor, parse_id(&id)?).await.map_err(j)?;
    Ok(Json(WorkItemOut {
        item: v.row.item,
        matter_number: v.row.matter_number,
        assignee_name: v.row.assignee_name,
        version: v.row.version,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// new, assigned, in_progress, in_review, done, cancelled
    status: String,
    /// The version the caller last saw.
    version: i64,
}

/// Moves a work item along its workflow; 409 when someone else changed it first.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/status", params(("id" = String, Path)), request_body = StatusIn, responses((status = 200, body = WorkItemOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_work_status(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    Json(b): Json<StatusIn>,
) -> ApiResult<Json<WorkItemOut>> {
    let wid = parse_id(&id)?;
    let to = WorkStatus::parse(&b.status).map_err(|e| j(e.into()))?;
    s.app.set_work_status(&ctx.actor, wid, to, b.version).await.map_err(j)?;
    get_work_item(State(s), ctx, Path(id)).await
}

#[allow(dead_code)]
fn _schema_types_used(_: ServiceLine, _: Role) {}
