//! Pages and JSON API for delegation.
//!
//! Pages: `/delegation` (the dashboard for the firm, incoming work for an LPO manager, the batch queue for an LPO
//! reviewer, the daily agenda for a virtual assistant), providers, a work item's routing page with batches and QC,
//! a batch page, and the advisor with its printable HTML and PDF report. The JSON API lives in `api.rs`.

mod api;

pub(crate) use api::{ApiDoc, api};

use crate::pages::{Layout, NavLink, NoFields, WebResult, id, layout, render, see_other};
use crate::session::{CsrfForm, Ctx};
use crate::{AppState, WebError};
use app::AppError;
use app::delegation::{
    BatchView, Dashboard, IncomingItem, ProviderForm, RouteDecisionForm, RouteView, VaAgenda,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{Contact, ContactKind, Role, ServiceLine};
use serde::Deserialize;
use std::collections::BTreeMap;
use store::delegation::ProviderRow;

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/delegation", get(home))
        .route("/delegation/providers", get(providers).post(save_provider))
        .route("/delegation/exclusions", post(exclude_provider))
        .route("/delegation/va-profiles", post(save_va_profile))
        .route("/delegation/inhouse", post(save_inhouse))
        .route("/delegation/work/{id}", get(route_page))
        .route("/delegation/work/{id}/recommend", post(recommend))
        .route("/delegation/work/{id}/decide", post(decide))
        .route("/delegation/work/{id}/batches", post(split))
        .route("/delegation/batches/{id}", get(batch_page))
        .route("/delegation/batches/{id}/assign", post(assign_batch))
        .route("/delegation/batches/{id}/complete", post(complete_batch))
        .route("/delegation/qc/{id}", post(record_qc))
        .route("/delegation/advisor", get(advisor_page).post(advisor_report))
        .route("/delegation/advisor/pdf", post(advisor_pdf))
}

/// The top navigation link ("Delegation", /delegation) for users who may use it.
pub(crate) fn nav(ctx: &Ctx) -> Option<NavLink> {
    (ctx.user.role != Role::Client).then_some(NavLink {
        href: "/delegation",
        label: "Delegation",
        tab: "delegation",
    })
}

/// Inline form errors: invalid input and conflicts are shown on the page; everything else is an error page.
fn inline(e: AppError) -> Result<String, WebError> {
    match e {
        e @ (AppError::Invalid { .. } | AppError::Conflict(_)) => Ok(e.to_string()),
        other => Err(other.into()),
    }
}

fn unprocessable(page: Response) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

// ---- home: one page per kind of user -------------------------------------------------------------

#[derive(Template)]
#[template(path = "delegation/dashboard.html")]
struct DashboardPage {
    l: Layout,
    d: Dashboard,
}

#[derive(Template)]
#[template(path = "delegation/incoming.html")]
struct IncomingPage {
    l: Layout,
    items: Vec<IncomingItem>,
    batches: Vec<BatchView>,
}

#[derive(Template)]
#[template(path = "delegation/my_batches.html")]
struct MyBatchesPage {
    l: Layout,
    batches: Vec<BatchView>,
}

#[derive(Template)]
#[template(path = "delegation/agenda.html")]
struct AgendaPage {
    l: Layout,
    a: VaAgenda,
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    let l = layout(&ctx, "delegation");
    match ctx.user.role {
        Role::LpoManager => {
            let items = s.app.incoming_work(&ctx.actor).await?;
            let batches = s.app.my_batches(&ctx.actor).await?;
            render(IncomingPage { l, items, batches })
        }
        Role::LpoReviewer => {
            render(MyBatchesPage { l, batches: s.app.my_batches(&ctx.actor).await? })
        }
        Role::VirtualAssistant => render(AgendaPage { l, a: s.app.va_agenda(&ctx.actor).await? }),
        Role::Client => Err(AppError::Forbidden.into()),
        Role::Admin | Role::Attorney | Role::Staff => {
            render(DashboardPage { l, d: s.app.delegation_dashboard(&ctx.actor).await? })
        }
    }
}

// ---- providers ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "delegation/providers.html")]
struct ProvidersPage {
    l: Layout,
    providers: Vec<ProviderRow>,
    organizations: Vec<Contact>,
    matters: Vec<store::MatterRow>,
    form: ProviderForm,
    error: Option<String>,
    lines: &'static [ServiceLine],
    assistants: Vec<(domain::User, Option<store::delegation::VaProfileRow>)>,
    inhouse: Vec<store::delegation::InHouseRoleRow>,
}

async fn providers_page(
    s: &AppState,
    ctx: &Ctx,
    form: ProviderForm,
    error: Option<String>,
) -> WebResult {
    let providers = s.app.providers(&ctx.actor).await?;
    let (organizations, _) = s
        .app
        .list_contacts(&ctx.actor, None, Some(ContactKind::Organization), store::Page::new(1, 200))
        .await?;
    let (matters, _) = s
        .app
        .list_matters(&ctx.actor, &store::MatterFilter::default(), store::Page::new(1, 200))
        .await?;
    let profiles = s.app.va_profiles(&ctx.actor).await?;
    let assistants = s
        .app
        .users_with_roles(&[Role::VirtualAssistant])
        .await?
        .into_iter()
        .map(|u| {
            let profile = profiles.iter().find(|(p, _)| p.id == u.id).map(|(_, p)| p.clone());
            (u, profile)
        })
        .collect();
    let inhouse = s.app.inhouse_roles(&ctx.actor).await?;
    let page = render(ProvidersPage {
        l: layout(ctx, "delegation"),
        providers,
        organizations,
        matters,
        form,
        error: error.clone(),
        lines: ServiceLine::ALL,
        assistants,
        inhouse,
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn providers(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    providers_page(&s, &ctx, ProviderForm::default(), None).await
}

async fn save_provider(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<ProviderForm>,
) -> WebResult {
    match s.app.save_provider(&ctx.actor, &f).await {
        Ok(_) => Ok(see_other("/delegation/providers")),
        Err(e) => {
            let message = inline(e)?;
            providers_page(&s, &ctx, f, Some(message)).await
        }
    }
}

async fn save_va_profile(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<app::delegation::VaProfileForm>,
) -> WebResult {
    match s.app.save_va_profile(&ctx.actor, &f).await {
        Ok(_) => Ok(see_other("/delegation/providers")),
        Err(e) => {
            let message = inline(e)?;
            providers_page(&s, &ctx, ProviderForm::default(), Some(message)).await
        }
    }
}

#[derive(Deserialize)]
struct InHouseForm {
    role: String,
    loaded_hourly_cost: String,
    hours_per_day: String,
    #[serde(default)]
    skills: String,
}

async fn save_inhouse(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<InHouseForm>,
) -> WebResult {
    match s
        .app
        .save_inhouse_role(&ctx.actor, &f.role, &f.loaded_hourly_cost, &f.hours_per_day, &f.skills)
        .await
    {
        Ok(_) => Ok(see_other("/delegation/providers")),
        Err(e) => {
            let message = inline(e)?;
            providers_page(&s, &ctx, ProviderForm::default(), Some(message)).await
        }
    }
}

#[derive(Deserialize)]
struct ExclusionForm {
    provider_id: String,
    matter_id: String,
    reason: String,
}

async fn exclude_provider(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<ExclusionForm>,
) -> WebResult {
    let matter = id(&f.matter_id)?;
    match s.app.exclude_provider(&ctx.actor, matter, id(&f.provider_id)?, &f.reason).await {
        Ok(()) => Ok(see_other("/delegation/providers")),
        Err(e) => {
            let message = inline(e)?;
            providers_page(&s, &ctx, ProviderForm::default(), Some(message)).await
        }
    }
}

// ---- routing, batches and QC of one work item --------------------------------------------------------

/// A rejected candidate as the page shows it.
struct RejectedRow {
    name: String,
    reason: String,
}

/// A ranked candidate as the page shows it.
struct RankedRow {
    name: String,
    kind: String,
    score: u32,
    cost: String,
    finish: String,
    factors: Vec<(String, u32, String)>,
}

#[derive(Template)]
#[template(path = "delegation/route.html")]
struct RoutePage {
    l: Layout,
    v: RouteView,
    ranked: Vec<RankedRow>,
    rejected: Vec<RejectedRow>,
    channels: Vec<(String, String)>,
    error: Option<String>,
    form: RouteDecisionForm,
}

async fn route_view_page(
    s: &AppState,
    ctx: &Ctx,
    wid: &str,
    form: RouteDecisionForm,
    error: Option<String>,
) -> WebResult {
    let v = s.app.route_view(&ctx.actor, id(wid)?).await?;
    let name = |cid: &str, names: &BTreeMap<String, String>| {
        names.get(cid).cloned().unwrap_or_else(|| cid.to_string())
    };
    let (ranked, rejected) = match &v.recommendation {
        Some(r) => (
            r.ranked
                .iter()
                .map(|c| RankedRow {
                    name: name(&c.candidate_id, &v.names),
                    kind: c.kind.clone(),
                    score: c.score,
                    cost: c.estimated_cost.to_string(),
                    finish: c
                        .projected_finish
                        .map_or("—".into(), |f| f.format("%Y-%m-%d").to_string()),
                    factors: c
                        .factors
                        .iter()
                        .map(|f| (f.factor.label().to_string(), f.score, f.reason.clone()))
                        .collect(),
                })
                .collect(),
            r.rejected
                .iter()
                .map(|x| RejectedRow {
                    name: name(&x.candidate_id, &v.names),
                    reason: x.reason.replace(&x.candidate_id, &name(&x.candidate_id, &v.names)),
                })
                .collect(),
        ),
        None => (vec![], vec![]),
    };
    let channels = v.names.iter().map(|(k, n)| (k.clone(), n.clone())).collect();
    let page = render(RoutePage {
        l: layout(ctx, "delegation"),
        v,
        ranked,
        rejected,
        channels,
        error: error.clone(),
        form,
    })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn route_page(State(s): State<AppState>, ctx: Ctx, Path(wid): Path<String>) -> WebResult {
    route_view_page(&s, &ctx, &wid, RouteDecisionForm::default(), None).await
}

async fn recommend(
    State(s): State<AppState>,
    Path(wid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.recommend_route(&ctx.actor, id(&wid)?).await?;
    Ok(see_other(&format!("/delegation/work/{wid}")))
}

async fn decide(
    State(s): State<AppState>,
    Path(wid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<RouteDecisionForm>,
) -> WebResult {
    match s.app.decide_route(&ctx.actor, id(&wid)?, &f).await {
        Ok(_) => Ok(see_other(&format!("/delegation/work/{wid}"))),
        Err(e) => {
            let message = inline(e)?;
            route_view_page(&s, &ctx, &wid, f, Some(message)).await
        }
    }
}

#[derive(Deserialize)]
struct SplitForm {
    batch_size: String,
}

async fn split(
    State(s): State<AppState>,
    Path(wid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<SplitForm>,
) -> WebResult {
    match s.app.split_into_batches(&ctx.actor, id(&wid)?, &f.batch_size).await {
        Ok(_) => Ok(see_other(&format!("/delegation/work/{wid}"))),
        Err(e) => {
            let message = inline(e)?;
            route_view_page(&s, &ctx, &wid, RouteDecisionForm::default(), Some(message)).await
        }
    }
}

#[derive(Deserialize)]
struct AssignForm {
    member: String,
}

async fn assign_batch(
    State(s): State<AppState>,
    Path(bid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<AssignForm>,
) -> WebResult {
    let b = s.app.batch(&ctx.actor, id(&bid)?).await?;
    let wid = b.batch.work_item_id.to_string();
    match s.app.assign_batch(&ctx.actor, id(&bid)?, &f.member).await {
        Ok(_) => Ok(see_other(&format!("/delegation/work/{wid}"))),
        Err(e) => {
            let message = inline(e)?;
            route_view_page(&s, &ctx, &wid, RouteDecisionForm::default(), Some(message)).await
        }
    }
}

#[derive(Template)]
#[template(path = "delegation/batch.html")]
struct BatchPage {
    l: Layout,
    b: BatchView,
    can_manage: bool,
    error: Option<String>,
}

async fn batch_view_page(s: &AppState, ctx: &Ctx, bid: &str, error: Option<String>) -> WebResult {
    let b = s.app.batch(&ctx.actor, id(bid)?).await?;
    let can_manage = b.batch.assignee != Some(ctx.user.id)
        || s.app.route_view(&ctx.actor, b.batch.work_item_id).await.is_ok_and(|v| v.can_qc);
    let page =
        render(BatchPage { l: layout(ctx, "delegation"), b, can_manage, error: error.clone() })?;
    Ok(if error.is_some() { unprocessable(page) } else { page })
}

async fn batch_page(State(s): State<AppState>, ctx: Ctx, Path(bid): Path<String>) -> WebResult {
    batch_view_page(&s, &ctx, &bid, None).await
}

#[derive(Deserialize)]
struct CompleteForm {
    #[serde(default)]
    units: String,
    #[serde(default)]
    hours: String,
}

async fn complete_batch(
    State(s): State<AppState>,
    Path(bid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<CompleteForm>,
) -> WebResult {
    match s.app.complete_batch(&ctx.actor, id(&bid)?, &f.units, &f.hours).await {
        Ok(_) => Ok(see_other(&format!("/delegation/batches/{bid}"))),
        Err(e) => {
            let message = inline(e)?;
            batch_view_page(&s, &ctx, &bid, Some(message)).await
        }
    }
}

#[derive(Deserialize)]
struct QcForm {
    result: String,
}

async fn record_qc(
    State(s): State<AppState>,
    Path(sid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<QcForm>,
) -> WebResult {
    let passed = match f.result.as_str() {
        "pass" => true,
        "fail" => false,
        _ => {
            return Err(AppError::Invalid {
                field: "result".into(),
                message: "pass or fail".into(),
            }
            .into());
        }
    };
    let view = s.app.record_qc(&ctx.actor, id(&sid)?, passed).await?;
    Ok(see_other(&format!("/delegation/batches/{}", view.batch.id)))
}

// ---- advisor --------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "delegation/advisor.html")]
struct AdvisorPage {
    l: Layout,
    lines: &'static [ServiceLine],
    f: BTreeMap<String, String>,
    advice: Option<delegation_view::AdviceView>,
    error: Option<String>,
}

impl AdvisorPage {
    /// The value the form was sent with, to fill it in again.
    fn value(&self, key: &str) -> &str {
        self.f.get(key).map_or("", String::as_str)
    }
}

mod delegation_view {
    //! The advice as the report page shows it (engine types stay behind `app`).

    /// One option cell: model label, monthly cost, whether it may be chosen, whether recommended.
    pub struct OptionCell {
        pub label: String,
        pub cost: String,
        pub allowed: bool,
        pub recommended: bool,
    }

    pub struct LineView {
        pub label: String,
        pub volume: String,
        pub recommended: String,
        pub recommended_cost: String,
        pub saving: String,
        pub break_even: String,
        pub projections: String,
        pub options: Vec<OptionCell>,
        pub reasons: Vec<String>,
    }

    pub struct AdviceView {
        pub name: String,
        pub currency: String,
        pub total_recommended: String,
        pub total_in_house: String,
        pub total_saving: String,
        pub budget: Option<String>,
        pub lines: Vec<LineView>,
        pub reasons: Vec<String>,
        pub chart: String,
        pub profile_toml: String,
    }
}

async fn advisor_page(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    s.app.may_advise(&ctx.actor)?;
    render(AdvisorPage {
        l: layout(&ctx, "delegation"),
        lines: ServiceLine::ALL,
        f: BTreeMap::new(),
        advice: None,
        error: None,
    })
}

async fn advisor_report(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<BTreeMap<String, String>>,
) -> WebResult {
    let input = app::delegation::AdvisorInput::from_fields(&f);
    match s.app.advise_report(&ctx.actor, &input).await {
        Ok(report) => render(AdvisorPage {
            l: layout(&ctx, "delegation"),
            lines: ServiceLine::ALL,
            f,
            advice: Some(advice_view(report)),
            error: None,
        }),
        Err(e) => {
            let message = inline(e)?;
            Ok(unprocessable(render(AdvisorPage {
                l: layout(&ctx, "delegation"),
                lines: ServiceLine::ALL,
                f,
                advice: None,
                error: Some(message),
            })?))
        }
    }
}

async fn advisor_pdf(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<BTreeMap<String, String>>,
) -> WebResult {
    let input = app::delegation::AdvisorInput::from_fields(&f);
    let report = s.app.advise_report(&ctx.actor, &input).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"delegation-advice.pdf\""),
        ],
        report.pdf,
    )
        .into_response())
}

fn advice_view(r: app::delegation::AdviceReport) -> delegation_view::AdviceView {
    use delegation_view::*;
    let a = &r.advice;
    AdviceView {
        name: a.profile_name.clone(),
        currency: a.currency.clone(),
        total_recommended: a.total_recommended.to_string(),
        total_in_house: a.total_in_house.to_string(),
        total_saving: a.total_saving.to_string(),
        budget: a.monthly_budget.map(|b| b.to_string()),
        lines: a
            .lines
            .iter()
            .map(|l| LineView {
                label: l.service_line.label().into(),
                volume: format!("{} {}", l.monthly_volume, l.unit),
                recommended: l.recommended.label().into(),
                recommended_cost: l.recommended_cost.to_string(),
                saving: l.saving_vs_in_house.to_string(),
                break_even: l
                    .break_even_lpo_vs_va
                    .map_or("never".into(), |v| format!("{v} {} a month", l.unit)),
                projections: l
                    .projections
                    .iter()
                    .map(|p| {
                        format!("×{}: {} ({})", p.multiplier, p.recommended.label(), p.monthly_cost)
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                options: l
                    .options
                    .iter()
                    .map(|o| OptionCell {
                        label: o.model.label().into(),
                        cost: if a.onshore_only && o.model.is_offshore() {
                            "not allowed".into()
                        } else {
                            o.monthly_cost.to_string()
                        },
                        allowed: o.ineligible_because.is_none(),
                        recommended: o.model == l.recommended,
                    })
                    .collect(),
                reasons: l.reasons.clone(),
            })
            .collect(),
        reasons: a.reasons.clone(),
        chart: r.chart_svg,
        profile_toml: r.profile_toml,
    }
}
