//! Server-rendered HTML pages. Every handler goes through an app use case, so authorization is
//! decided in one place; forms that change state pass the CSRF check in `CsrfForm`.

use crate::session::{COOKIE, ClientIp, CsrfForm, Ctx};
use crate::{AppState, WebError};
use app::{AppError, ContactForm, MatterForm, MatterView, NewUser, WorkForm, WorkView};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{
    Client, Contact, ContactKind, DuplicateHint, Id, Matter, MatterStatus, PartyRole, Priority,
    Relationship, RelationshipKind, Role, ServiceLine, Unit, User, WorkStatus,
};
use serde::Deserialize;
use store::{
    ApiTokenRow, AuditEntry, MatterFilter, MatterRow, Page, SessionRow, WorkFilter, WorkItemRow,
};

pub(crate) type WebResult<T = Response> = Result<T, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/matters", get(matters).post(create_matter))
        .route("/matters/new", get(new_matter))
        .route("/matters/{id}", get(matter))
        .route("/matters/{id}/status", post(matter_status))
        .route("/matters/{id}/parties", post(add_party))
        .route("/matters/{id}/team", post(add_team))
        .route("/matters/{id}/walls", post(add_wall))
        .route("/matters/{id}/work", post(create_work))
        .route("/work", get(work_list))
        .route("/work/{id}", get(work))
        .route("/work/{id}/status", post(work_status))
        .route("/work/{id}/assign", post(work_assign))
        .route("/work/{id}/comments", post(work_comment))
        .route("/work/{id}/attachments", post(work_attach))
        .route("/attachments/{id}", get(attachment))
        .route("/clients", get(clients).post(create_client))
        .route("/contacts", get(contacts).post(create_contact))
        .route("/contacts/duplicates", get(duplicates))
        .route("/contacts/{id}", get(contact))
        .route("/contacts/{id}/edit", get(edit_contact).post(save_contact))
        .route("/contacts/{id}/relationships", post(relate))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", post(update_user))
        .route("/audit", get(audit))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/sessions/revoke", post(revoke_sessions))
}

/// What the layout needs on every page.
pub struct Layout {
    pub csrf: String,
    pub user_name: String,
    pub role: &'static str,
    pub tab: &'static str,
    pub internal: bool,
    pub admin: bool,
    pub flash: Option<String>,
    /// Capability links after the platform's own (each capability module decides who sees it).
    pub nav: Vec<NavLink>,
}

/// A top navigation link; `tab` matches `Layout::tab` to mark the current section.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub tab: &'static str,
}

pub(crate) fn layout(ctx: &Ctx, tab: &'static str) -> Layout {
    Layout {
        csrf: ctx.csrf.clone(),
        user_name: ctx.user.display_name.clone(),
        role: ctx.user.role.label(),
        tab,
        internal: !ctx.user.role.is_external(),
        admin: ctx.user.role == Role::Admin,
        flash: None,
        nav: [
            crate::delegation::nav(ctx),
            crate::docket::nav(ctx),
            crate::billing::nav(ctx),
            crate::intake::nav(ctx),
            crate::review::nav(ctx),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

pub(crate) fn render(t: impl Template) -> WebResult {
    t.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| AppError::Internal(format!("template: {e}")).into())
}

pub(crate) fn id(s: &str) -> Result<Id, WebError> {
    Id::parse(s).map_err(|_| AppError::NotFound("record").into())
}

/// Redirect after POST (303 so the browser follows with GET).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// For posts whose only field is the CSRF token.
#[derive(Deserialize)]
pub(crate) struct NoFields {}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    status: String,
    sort: String,
    kind: String,
    line: String,
    mine: String,
    client: String,
    page: Option<u32>,
}

impl ListQuery {
    fn page(&self) -> Page {
        Page::new(self.page.unwrap_or(1), 25)
    }
}

// ---- sign in -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    email: String,
}

async fn login_page() -> WebResult {
    render(LoginPage { error: None, email: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> WebResult {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    match s.app.sign_in(&f.email, &f.password, &ip, ua).await {
        Ok(new) => {
            let secure = if s.config.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                new.cookie,
                app::auth::SESSION_LIFETIME_HOURS * 3600
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
        }
        Err(e) => {
            let err: AppError = e.into();
            let status =
                WebError::from(AppError::Invalid { field: String::new(), message: String::new() })
                    .parts()
                    .0;
            let status = if matches!(err, AppError::RateLimited { .. }) {
                axum::http::StatusCode::TOO_MANY_REQUESTS
            } else {
                status
            };
            let page = LoginPage {
                error: Some(err.to_string().trim_start_matches("password: ").to_string()),
                email: f.email,
            };
            Ok((status, render(page)?).into_response())
        }
    }
}

async fn logout(
    State(s): State<AppState>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.sign_out(&ctx.cookie, ctx.user.id).await?;
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

// ---- dashboard ---------------------------------------------------------------------------------

pub struct DueRow {
    item: domain::WorkItem,
    matter_number: String,
    due: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    l: Layout,
    mine: Vec<DueRow>,
    matters: Vec<MatterRow>,
}

async fn dashboard(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    let f =
        WorkFilter { assignee: Some(ctx.user.id), sort: Some("due".into()), ..Default::default() };
    let (mine, _) = s.app.list_work_items(&ctx.actor, &f, Page::new(1, 20)).await?;
    let mine = mine
        .into_iter()
        .filter(|w| !w.item.status.is_terminal())
        .map(|w| DueRow {
            due: w.item.due_on.map(|d| d.to_string()).unwrap_or_default(),
            item: w.item,
            matter_number: w.matter_number,
        })
        .collect();
    let matters = match s
        .app
        .list_matters(
            &ctx.actor,
            &MatterFilter { sort: Some("opened".into()), ..Default::default() },
            Page::new(1, 10),
        )
        .await
    {
        Ok((m, _)) => m,
        Err(AppError::Forbidden) => vec![],
        Err(e) => return Err(e.into()),
    };
    render(Dashboard { l: layout(&ctx, "home"), mine, matters })
}

// ---- matters -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "matters.html")]
struct MattersPage {
    l: Layout,
    rows: Vec<MatterRow>,
    q: String,
    status: String,
    sort: String,
    page: u32,
    more: bool,
    statuses: &'static [MatterStatus],
    can_create: bool,
}

async fn matters(State(s): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult {
    let filter = MatterFilter {
        q: Some(q.q.clone()),
        status: MatterStatus::parse(&q.status).ok(),
        client_id: Id::parse(&q.client).ok(),
        sort: Some(q.sort.clone()),
    };
    let (rows, more) = s.app.list_matters(&ctx.actor, &filter, q.page()).await?;
    let can_create = domain::Policy::allows(&ctx.actor, domain::Action::CreateMatter);
    render(MattersPage {
        l: layout(&ctx, "matters"),
        rows,
        page: q.page().number,
        more,
        statuses: MatterStatus::ALL,
        can_create,
        q: q.q,
        status: q.status,
        sort: q.sort,
    })
}

#[derive(Template)]
#[template(path = "matter_new.html")]
struct NewMatterPage {
    l: Layout,
    clients: Vec<Client>,
    attorneys: Vec<User>,
    error: Option<String>,
}

async fn new_matter_page(s: &AppState, ctx: &Ctx, error: Option<String>) -> WebResult {
    let (clients, _) = s.app.list_clients(&ctx.actor, None, Page::new(1, 200)).await?;
    let attorneys = s.app.users_with_roles(&[Role::Attorney, Role::Admin]).await?;
    render(NewMatterPage { l: layout(ctx, "matters"), clients, attorneys, error })
}

async fn new_matter(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    new_matter_page(&s, &ctx, None).await
}

async fn create_matter(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<MatterForm>,
) -> WebResult {
    match s.app.create_matter(&ctx.actor, &f).await {
        Ok(m) => Ok(see_other(&format!("/matters/{}", m.id))),
        Err(e @ AppError::Invalid { .. }) => {
            let page = new_matter_page(&s, &ctx, Some(e.to_string())).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterPage {
    l: Layout,
    v: MatterView,
    statuses: &'static [MatterStatus],
    roles: &'static [PartyRole],
    lines: &'static [ServiceLine],
    units: &'static [Unit],
    priorities: &'static [Priority],
    assignees: Vec<User>,
    staff: Vec<User>,
    everyone: Vec<User>,
    can_add_work: bool,
}

async fn matter(State(s): State<AppState>, ctx: Ctx, Path(mid): Path<String>) -> WebResult {
    let v = s.app.matter(&ctx.actor, id(&mid)?).await?;
    let internal = !ctx.user.role.is_external();
    let (assignees, staff, everyone) = if internal {
        let team_ids: Vec<Id> = v.team.iter().map(|u| u.id).collect();
        let mut assignees: Vec<User> = v.team.clone();
        assignees.extend(
            s.app
                .users_with_roles(&[Role::VirtualAssistant, Role::LpoManager, Role::LpoReviewer])
                .await?,
        );
        let staff: Vec<User> = s
            .app
            .users_with_roles(&[Role::Attorney, Role::Staff])
            .await?
            .into_iter()
            .filter(|u| !team_ids.contains(&u.id))
            .collect();
        let everyone = s.app.users_with_roles(Role::ALL).await?;
        (assignees, staff, everyone)
    } else {
        (vec![], vec![], vec![])
    };
    let can_add_work = internal && v.can_edit;
    render(MatterPage {
        l: layout(&ctx, "matters"),
        v,
        statuses: MatterStatus::ALL,
        roles: &PartyRole::ALL[1..],
        lines: ServiceLine::ALL,
        units: Unit::ALL,
        priorities: Priority::ALL,
        assignees,
        staff,
        everyone,
        can_add_work,
    })
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
    #[serde(default)]
    version: i64,
}

async fn matter_status(
    State(s): State<AppState>,
    Path(mid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<StatusForm>,
) -> WebResult {
    let mid = id(&mid)?;
    s.app
        .set_matter_status(&ctx.actor, mid, MatterStatus::parse(&f.status).map_err(AppError::from)?)
        .await?;
    Ok(see_other(&format!("/matters/{mid}")))
}

#[derive(Deserialize)]
struct PartyForm {
    name: String,
    kind: String,
    role: String,
}

async fn add_party(
    State(s): State<AppState>,
    Path(mid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<PartyForm>,
) -> WebResult {
    let mid = id(&mid)?;
    let kind = ContactKind::parse(&f.kind).map_err(AppError::from)?;
    let role = PartyRole::parse(&f.role).map_err(AppError::from)?;
    s.app.add_party(&ctx.actor, mid, None, &f.name, kind, role).await?;
    Ok(see_other(&format!("/matters/{mid}")))
}

#[derive(Deserialize)]
struct UserPick {
    user: String,
    #[serde(default)]
    reason: String,
}

async fn add_team(
    State(s): State<AppState>,
    Path(mid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<UserPick>,
) -> WebResult {
    let mid = id(&mid)?;
    s.app.set_team_member(&ctx.actor, mid, id(&f.user)?, true).await?;
    Ok(see_other(&format!("/matters/{mid}")))
}

async fn add_wall(
    State(s): State<AppState>,
    Path(mid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<UserPick>,
) -> WebResult {
    let mid = id(&mid)?;
    s.app.add_wall(&ctx.actor, mid, id(&f.user)?, &f.reason).await?;
    Ok(see_other(&format!("/matters/{mid}")))
}

async fn create_work(
    State(s): State<AppState>,
    Path(mid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<WorkForm>,
) -> WebResult {
    let w = s.app.create_work_item(&ctx.actor, id(&mid)?, &f).await?;
    Ok(see_other(&format!("/work/{}", w.id)))
}

// ---- work --------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "work_list.html")]
struct WorkListPage {
    l: Layout,
    rows: Vec<WorkItemRow>,
    q: String,
    status: String,
    line: String,
    sort: String,
    mine: bool,
    qs: String,
    page: u32,
    more: bool,
    statuses: &'static [WorkStatus],
    lines: &'static [ServiceLine],
    sorts: &'static [(&'static str, &'static str)],
}

async fn work_list(State(s): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult {
    let mine = !q.mine.is_empty();
    let filter = WorkFilter {
        q: Some(q.q.clone()),
        status: WorkStatus::parse(&q.status).ok(),
        service_line: ServiceLine::parse(&q.line).ok(),
        assignee: mine.then_some(ctx.user.id),
        sort: Some(q.sort.clone()),
        matter_id: None,
    };
    let (rows, more) = s.app.list_work_items(&ctx.actor, &filter, q.page()).await?;
    let qs = serde_urlencoded::to_string([
        ("q", &q.q),
        ("status", &q.status),
        ("line", &q.line),
        ("sort", &q.sort),
        ("mine", &q.mine),
    ])
    .unwrap_or_default();
    render(WorkListPage {
        l: layout(&ctx, "work"),
        rows,
        page: q.page().number,
        more,
        mine,
        qs,
        statuses: WorkStatus::ALL,
        lines: ServiceLine::ALL,
        sorts: &[
            ("updated", "Recently updated"),
            ("due", "Due date"),
            ("priority", "Priority"),
            ("title", "Title"),
        ],
        q: q.q,
        status: q.status,
        line: q.line,
        sort: q.sort,
    })
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    l: Layout,
    v: WorkView,
    assignees: Vec<User>,
    current_assignee: String,
}

async fn work(State(s): State<AppState>, ctx: Ctx, Path(wid): Path<String>) -> WebResult {
    let v = s.app.work_item(&ctx.actor, id(&wid)?).await?;
    let assignees = if v.can_manage {
        match ctx.user.role {
            Role::LpoManager => s
                .app
                .users_with_roles(&[Role::LpoReviewer, Role::LpoManager])
                .await?
                .into_iter()
                .filter(|u| u.organization_id == ctx.user.organization_id)
                .collect(),
            _ => s
                .app
                .users_with_roles(Role::ALL)
                .await?
                .into_iter()
                .filter(|u| u.role != Role::Client)
                .collect(),
        }
    } else {
        vec![]
    };
    let current_assignee = v.row.item.assignee.map(|a| a.to_string()).unwrap_or_default();
    render(WorkPage { l: layout(&ctx, "work"), v, assignees, current_assignee })
}

async fn work_status(
    State(s): State<AppState>,
    Path(wid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<StatusForm>,
) -> WebResult {
    let wid = id(&wid)?;
    let to = WorkStatus::parse(&f.status).map_err(AppError::from)?;
    s.app.set_work_status(&ctx.actor, wid, to, f.version).await?;
    Ok(see_other(&format!("/work/{wid}")))
}

#[derive(Deserialize)]
struct AssignForm {
    assignee: String,
    version: i64,
}

async fn work_assign(
    State(s): State<AppState>,
    Path(wid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<AssignForm>,
) -> WebResult {
    let wid = id(&wid)?;
    let current = s.app.work_item(&ctx.actor, wid).await?.row.item;
    let form = WorkForm {
        service_line: current.service_line.as_str().into(),
        title: current.title,
        description: current.description,
        volume: current.volume.to_string(),
        unit: current.unit.as_str().into(),
        due_on: current.due_on.map(|d| d.to_string()).unwrap_or_default(),
        priority: current.priority.as_str().into(),
        assignee: f.assignee,
    };
    s.app.update_work_item(&ctx.actor, wid, &form, f.version).await?;
    Ok(see_other(&format!("/work/{wid}")))
}

#[derive(Deserialize)]
struct CommentForm {
    body: String,
}

async fn work_comment(
    State(s): State<AppState>,
    Path(wid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<CommentForm>,
) -> WebResult {
    let wid = id(&wid)?;
    s.app.comment(&ctx.actor, wid, &f.body).await?;
    Ok(see_other(&format!("/work/{wid}")))
}

#[derive(Deserialize)]
struct CsrfQuery {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn work_attach(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(wid): Path<String>,
    Query(q): Query<CsrfQuery>,
    mut mp: Multipart,
) -> WebResult {
    // Multipart bodies are not url-encoded forms, so the token travels in the query string.
    if !crate::session::constant_time_eq(q.csrf.as_bytes(), ctx.csrf.as_bytes()) {
        return Err(AppError::Forbidden.into());
    }
    let wid = id(&wid)?;
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::Invalid {
        field: "file".into(),
        message: format!("upload failed: {e}"),
    })? {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("file").to_string();
        let bytes = field.bytes().await.map_err(|_| AppError::Invalid {
            field: "file".into(),
            message: "the file is too large or the upload was cut off".into(),
        })?;
        s.app.attach(&ctx.actor, wid, &filename, &bytes).await?;
    }
    Ok(see_other(&format!("/work/{wid}")))
}

async fn attachment(State(s): State<AppState>, ctx: Ctx, Path(aid): Path<String>) -> WebResult {
    let (a, bytes) = s.app.attachment_bytes(&ctx.actor, id(&aid)?).await?;
    // Always a download: never rendered inline under our origin.
    let safe_name: String = a
        .filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe_name}\"")),
        ],
        bytes,
    )
        .into_response())
}

// ---- clients and contacts ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "clients.html")]
struct ClientsPage {
    l: Layout,
    rows: Vec<Client>,
    q: String,
    page: u32,
    more: bool,
    error: Option<String>,
}

async fn clients(State(s): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult {
    let (rows, more) = s.app.list_clients(&ctx.actor, Some(&q.q), q.page()).await?;
    render(ClientsPage {
        l: layout(&ctx, "clients"),
        rows,
        page: q.page().number,
        more,
        q: q.q,
        error: None,
    })
}

#[derive(Deserialize)]
struct ClientForm {
    name: String,
    kind: String,
    code: String,
}

async fn create_client(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<ClientForm>,
) -> WebResult {
    let kind = ContactKind::parse(&f.kind).map_err(AppError::from)?;
    match s.app.create_client(&ctx.actor, None, &f.name, kind, &f.code).await {
        Ok(_) => Ok(see_other("/clients")),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let (rows, more) = s.app.list_clients(&ctx.actor, None, Page::default()).await?;
            let page = render(ClientsPage {
                l: layout(&ctx, "clients"),
                rows,
                page: 1,
                more,
                q: String::new(),
                error: Some(e.to_string()),
            })?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    l: Layout,
    rows: Vec<Contact>,
    q: String,
    kind: String,
    page: u32,
    more: bool,
}

async fn contacts(State(s): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult {
    let (rows, more) = s
        .app
        .list_contacts(&ctx.actor, Some(&q.q), ContactKind::parse(&q.kind).ok(), q.page())
        .await?;
    render(ContactsPage {
        l: layout(&ctx, "contacts"),
        rows,
        page: q.page().number,
        more,
        q: q.q,
        kind: q.kind,
    })
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesFragment {
    hints: Vec<DuplicateHint>,
}

/// The live duplicate check (htmx sends whichever of the form's fields it includes), plus
/// `except`: the contact being edited, which must not be reported as its own duplicate.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DuplicateQuery {
    name: String,
    emails: String,
    aliases: String,
    except: String,
}

async fn duplicates(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DuplicateQuery>,
) -> WebResult {
    let except = Id::parse(&q.except).ok();
    let f =
        ContactForm { name: q.name, emails: q.emails, aliases: q.aliases, ..Default::default() };
    let hints = if f.name.trim().len() >= 3 {
        s.app.duplicate_hints(&ctx.actor, &f, except).await?
    } else {
        vec![]
    };
    render(DuplicatesFragment { hints })
}

async fn create_contact(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<ContactForm>,
) -> WebResult {
    let (c, hints) = s.app.create_contact(&ctx.actor, &f).await?;
    Ok(see_other(&format!("/contacts/{}{}", c.id, if hints.is_empty() { "" } else { "?dupes=1" })))
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    l: Layout,
    c: Contact,
    rels: Vec<(Relationship, String)>,
    matters: Vec<(Matter, PartyRole)>,
    hints: Vec<DuplicateHint>,
    kinds: &'static [RelationshipKind],
    others: Vec<Contact>,
    can_edit: bool,
}

async fn contact(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(cid): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> WebResult {
    let (c, rels, matters) = s.app.contact(&ctx.actor, id(&cid)?).await?;
    let hints = if q.contains_key("dupes") {
        let form = ContactForm {
            name: c.name.clone(),
            emails: c.emails.join("\n"),
            aliases: c.aliases.join("\n"),
            ..Default::default()
        };
        s.app.duplicate_hints(&ctx.actor, &form, Some(c.id)).await?
    } else {
        vec![]
    };
    let (others, _) = s.app.list_contacts(&ctx.actor, None, None, Page::new(1, 200)).await?;
    let others = others.into_iter().filter(|o| o.id != c.id).collect();
    render(ContactPage {
        l: layout(&ctx, "contacts"),
        can_edit: domain::Policy::allows(&ctx.actor, domain::Action::EditContacts),
        c,
        rels,
        matters,
        hints,
        kinds: RelationshipKind::ALL,
        others,
    })
}

/// The edit form as a contact's current values (lists one entry per line).
fn contact_form_of(c: &Contact) -> ContactForm {
    ContactForm {
        kind: c.kind.as_str().into(),
        name: c.name.clone(),
        aliases: c.aliases.join("\n"),
        former_names: c.former_names.join("\n"),
        emails: c.emails.join("\n"),
        phones: c.phones.join("\n"),
        addresses: c.addresses.join("\n"),
        notes: c.notes.clone(),
    }
}

#[derive(Template)]
#[template(path = "contact_edit.html")]
struct ContactEditPage {
    l: Layout,
    id: Id,
    /// The stored name (the heading), while `f.name` may hold an unsaved edit.
    name: String,
    f: ContactForm,
    kinds: &'static [ContactKind],
    hints: Vec<DuplicateHint>,
    /// The field the error is about ("form" when it is about no single field), or empty.
    error_field: String,
    error: String,
}

async fn edit_contact(State(s): State<AppState>, ctx: Ctx, Path(cid): Path<String>) -> WebResult {
    domain::Policy::allows(&ctx.actor, domain::Action::EditContacts)
        .then_some(())
        .ok_or(AppError::Forbidden)?;
    let (c, _, _) = s.app.contact(&ctx.actor, id(&cid)?).await?;
    let f = contact_form_of(&c);
    let hints = s.app.duplicate_hints(&ctx.actor, &f, Some(c.id)).await?;
    render(ContactEditPage {
        l: layout(&ctx, "contacts"),
        id: c.id,
        name: c.name,
        f,
        kinds: ContactKind::ALL,
        hints,
        error_field: String::new(),
        error: String::new(),
    })
}

/// Saves the edit; invalid input comes back as the same form with the message at its field.
async fn save_contact(
    State(s): State<AppState>,
    Path(cid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<ContactForm>,
) -> WebResult {
    let cid = id(&cid)?;
    match s.app.update_contact(&ctx.actor, cid, &f).await {
        Ok(c) => {
            let hints = s.app.duplicate_hints(&ctx.actor, &f, Some(c.id)).await?;
            Ok(see_other(&format!(
                "/contacts/{}{}",
                c.id,
                if hints.is_empty() { "" } else { "?dupes=1" }
            )))
        }
        Err(AppError::Invalid { field, message }) => {
            let (c, _, _) = s.app.contact(&ctx.actor, cid).await?;
            let known = ["kind", "name", "emails", "notes"];
            let page = render(ContactEditPage {
                l: layout(&ctx, "contacts"),
                id: c.id,
                name: c.name,
                hints: vec![],
                kinds: ContactKind::ALL,
                error: message,
                error_field: if known.contains(&field.as_str()) { field } else { "form".into() },
                f,
            })?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RelateForm {
    kind: String,
    to: String,
}

async fn relate(
    State(s): State<AppState>,
    Path(cid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<RelateForm>,
) -> WebResult {
    let cid = id(&cid)?;
    s.app
        .relate(
            &ctx.actor,
            cid,
            RelationshipKind::parse(&f.kind).map_err(AppError::from)?,
            id(&f.to)?,
        )
        .await?;
    Ok(see_other(&format!("/contacts/{cid}")))
}

// ---- users, audit, account ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<User>,
    roles: &'static [Role],
    orgs: Vec<Contact>,
    created: Option<(String, String)>,
    page: u32,
    more: bool,
}

async fn users_page(
    s: &AppState,
    ctx: &Ctx,
    page: Page,
    created: Option<(String, String)>,
) -> WebResult {
    let (rows, more) = s.app.list_users(&ctx.actor, None, page).await?;
    let (orgs, _) = s
        .app
        .list_contacts(&ctx.actor, None, Some(ContactKind::Organization), Page::new(1, 200))
        .await?;
    render(UsersPage {
        l: layout(ctx, "users"),
        rows,
        roles: Role::ALL,
        orgs,
        created,
        page: page.number,
        more,
    })
}

async fn users(State(s): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult {
    users_page(&s, &ctx, q.page(), None).await
}

async fn create_user(State(s): State<AppState>, CsrfForm(ctx, f): CsrfForm<NewUser>) -> WebResult {
    let (u, pw) = s.app.create_user(&ctx.actor, &f).await?;
    users_page(&s, &ctx, Page::default(), Some((u.email, pw))).await
}

#[derive(Deserialize)]
struct UserUpdate {
    role: String,
    active: String,
    display_name: String,
}

async fn update_user(
    State(s): State<AppState>,
    Path(uid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<UserUpdate>,
) -> WebResult {
    let role = Role::parse(&f.role).map_err(AppError::from)?;
    s.app.update_user(&ctx.actor, id(&uid)?, role, f.active == "true", &f.display_name).await?;
    Ok(see_other("/users"))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditEntry>,
    verification: String,
}

async fn audit(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    let rows = s.app.audit_entries(&ctx.actor, None, 200).await?;
    let verification = match s.app.store.verify_audit().await.map_err(AppError::from)? {
        store::AuditVerification::Intact { entries } => {
            format!("Chain intact: all {entries} entries verify.")
        }
        store::AuditVerification::Broken { seq, reason } => {
            format!("CHAIN BROKEN at entry {seq}: {reason}")
        }
    };
    render(AuditPage { l: layout(&ctx, "audit"), rows, verification })
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    tokens: Vec<ApiTokenRow>,
    sessions: Vec<SessionRow>,
    new_token: Option<String>,
}

async fn account_page(
    s: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    flash: Option<String>,
) -> WebResult {
    let tokens = s.app.store.api_tokens_of(ctx.user.id).await.map_err(AppError::from)?;
    let sessions = s.app.store.sessions_of(ctx.user.id).await.map_err(AppError::from)?;
    let mut l = layout(ctx, "account");
    l.flash = flash;
    render(AccountPage { l, tokens, sessions, new_token })
}

async fn account(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    account_page(&s, &ctx, None, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn change_password(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<PasswordForm>,
) -> WebResult {
    s.app.change_password(&ctx.actor, &f.current, &f.new).await?;
    account_page(&s, &ctx, None, Some("Password changed.".into())).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<TokenForm>,
) -> WebResult {
    let (_, plaintext) = s.app.create_api_token(&ctx.actor, &f.name).await?;
    account_page(&s, &ctx, Some(plaintext), None).await
}

async fn revoke_token(
    State(s): State<AppState>,
    Path(tid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.revoke_api_token(&ctx.actor, id(&tid)?).await?;
    Ok(see_other("/account"))
}

async fn revoke_sessions(
    State(s): State<AppState>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.revoke_all_sessions(&ctx.actor, ctx.user.id).await?;
    Ok(see_other("/login"))
}
