//! Pages and JSON API for docket: the calendar (month, week, agenda), a matter's docket with its trails,
//! overrides and done marks, in-app reminders, and secret iCalendar feeds.

use crate::pages::{Layout, NavLink, NoFields, WebResult, id, layout, render, see_other};
use crate::session::{ApiCtx, CsrfForm, Ctx};
use crate::{AppState, WebError};
use app::AppError;
use app::docket::{
    CalendarItem, DocketView, EventForm, RuleSetInfo, TriggerForm, TriggerView, may_use_calendar,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::Id;
use serde::{Deserialize, Serialize};
use store::docket::{DeadlineFilter, EventRow, FeedRow, ReminderRow};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// HTML pages, merged into the site's router.
pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar))
        .route("/calendar/events", post(create_event))
        .route("/calendar/events/{id}", get(event_page).post(update_event))
        .route("/calendar/events/{id}/delete", post(delete_event))
        .route("/calendar/feeds", post(create_feed))
        .route("/calendar/feeds/{id}/revoke", post(revoke_feed))
        .route("/reminders", get(reminders))
        .route("/matters/{id}/docket", get(docket_page))
        .route("/matters/{id}/docket/triggers", post(add_trigger))
        .route("/docket/triggers/{id}/move", post(move_trigger))
        .route("/docket/deadlines/{id}/override", post(override_deadline))
        .route("/docket/deadlines/{id}/done", post(mark_done))
        .route("/feeds/{file}", get(feed))
}

/// JSON API routes, nested under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .route("/calendar/events", get(api_events).post(api_create_event))
        .route("/deadlines", get(api_deadlines))
        .route("/matters/{id}/docket", get(api_docket))
        .route("/matters/{id}/docket/triggers", post(api_add_trigger))
        .route("/docket/triggers/{id}/move", post(api_move_trigger))
        .route("/docket/deadlines/{id}/override", post(api_override))
        .route("/docket/deadlines/{id}/done", post(api_done))
        .route("/docket/compute", get(api_compute))
}

/// This module's part of the OpenAPI document (merged into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(
    paths(
        api_events,
        api_create_event,
        api_deadlines,
        api_docket,
        api_add_trigger,
        api_move_trigger,
        api_override,
        api_done,
        api_compute
    ),
    components(schemas(EventIn, TriggerIn, MoveIn, OverrideIn))
)]
pub(crate) struct ApiDoc;

/// The top navigation link ("Calendar", /calendar) for users who may use it.
pub(crate) fn nav(ctx: &Ctx) -> Option<NavLink> {
    may_use_calendar(&ctx.actor).then_some(NavLink {
        href: "/calendar",
        label: "Calendar",
        tab: "calendar",
    })
}

// ---- calendar ----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct CalendarQuery {
    view: String,
    date: String,
    matter: String,
    tz: String,
}

struct DayCell {
    date: NaiveDate,
    in_range: bool,
    today: bool,
    items: Vec<CalendarItem>,
}

struct MatterChoice {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "docket/calendar.html")]
struct CalendarPage {
    l: Layout,
    view: String,
    title: String,
    weeks: Vec<Vec<DayCell>>,
    agenda: Vec<DayCell>,
    prev: String,
    next: String,
    date: String,
    matter: String,
    tz: String,
    zones: &'static [&'static str],
    matters: Vec<MatterChoice>,
    double_bookings: usize,
    feeds: Vec<FeedRow>,
    error: Option<String>,
    form: EventForm,
    new_feed_url: Option<String>,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .expect("first of a month exists")
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

async fn calendar_page(
    s: &AppState,
    ctx: &Ctx,
    q: &CalendarQuery,
    error: Option<String>,
    form: EventForm,
    new_feed_url: Option<String>,
) -> WebResult {
    let zone: Tz = q.tz.parse().unwrap_or(chrono_tz::America::New_York);
    let today = Utc::now().with_timezone(&zone).date_naive();
    let anchor = NaiveDate::parse_from_str(&q.date, "%Y-%m-%d").unwrap_or(today);
    let matter = if q.matter.is_empty() { None } else { Some(id(&q.matter)?) };
    let view = match q.view.as_str() {
        "week" | "agenda" => q.view.clone(),
        _ => "month".to_string(),
    };
    let (from, to, in_from, in_to, prev, next, title) = match view.as_str() {
        "week" => {
            let start = monday_of(anchor);
            let end = start + Duration::days(7);
            (
                start,
                end,
                start,
                end,
                start - Duration::days(7),
                end,
                format!("Week of {}", start.format("%B %-d, %Y")),
            )
        }
        "agenda" => {
            let end = anchor + Duration::days(30);
            (
                anchor,
                end,
                anchor,
                end,
                anchor - Duration::days(30),
                end,
                format!("Agenda from {}", anchor.format("%B %-d, %Y")),
            )
        }
        _ => {
            let first = first_of_month(anchor);
            let after = add_months(first, 1);
            let start = monday_of(first);
            let mut end = monday_of(after);
            if end < after {
                end += Duration::days(7);
            }
            (
                start,
                end,
                first,
                after,
                add_months(first, -1),
                after,
                first.format("%B %Y").to_string(),
            )
        }
    };
    let data = s.app.calendar(&ctx.actor, from, to, zone, matter).await?;
    let mut days = Vec::new();
    let mut day = from;
    while day < to {
        days.push(DayCell {
            date: day,
            in_range: day >= in_from && day < in_to,
            today: day == today,
            items: data.items.iter().filter(|i| i.day == day).cloned().collect(),
        });
        day += Duration::days(1);
    }
    let (weeks, agenda) = if view == "agenda" {
        (Vec::new(), days.into_iter().filter(|d| !d.items.is_empty()).collect())
    } else {
        let mut weeks = Vec::new();
        let mut it = days.into_iter().peekable();
        while it.peek().is_some() {
            weeks.push(it.by_ref().take(7).collect());
        }
        (weeks, Vec::new())
    };
    let (rows, _) =
        match s.app.list_matters(&ctx.actor, &Default::default(), store::Page::new(1, 200)).await {
            Ok(r) => r,
            Err(AppError::Forbidden) => (vec![], false),
            Err(e) => return Err(e.into()),
        };
    let matters = rows
        .into_iter()
        .map(|m| MatterChoice {
            id: m.matter.id.to_string(),
            label: format!("{} {}", m.matter.number, m.matter.title),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = CalendarPage {
        l: layout(ctx, "calendar"),
        title,
        weeks,
        agenda,
        prev: prev.to_string(),
        next: next.to_string(),
        date: anchor.to_string(),
        matter: q.matter.clone(),
        tz: zone.name().to_string(),
        zones: app::docket::COMMON_ZONES,
        matters,
        double_bookings: data.double_bookings,
        feeds: s.app.feeds(&ctx.actor).await?,
        error,
        form: EventForm {
            date: if form.date.is_empty() { anchor.to_string() } else { form.date.clone() },
            time_zone: if form.time_zone.is_empty() {
                zone.name().to_string()
            } else {
                form.time_zone.clone()
            },
            ..form
        },
        new_feed_url,
        view,
    };
    Ok((status, render(page)?).into_response())
}

async fn calendar(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CalendarQuery>,
) -> WebResult {
    calendar_page(&s, &ctx, &q, None, EventForm::default(), None).await
}

fn back_to_calendar(date: NaiveDate, flash_clash: bool) -> Response {
    see_other(&format!(
        "/calendar?view=week&date={date}{}",
        if flash_clash { "&clash=1" } else { "" }
    ))
}

async fn create_event(
    State(s): State<AppState>,
    CsrfForm(ctx, f): CsrfForm<EventForm>,
) -> WebResult {
    match s.app.create_event(&ctx.actor, &f).await {
        Ok((e, clashes)) => Ok(back_to_calendar(local_day(&e), !clashes.is_empty())),
        Err(AppError::Invalid { field, message }) => {
            let q = CalendarQuery { date: f.date.clone(), ..Default::default() };
            calendar_page(&s, &ctx, &q, Some(format!("{field}: {message}")), f, None).await
        }
        Err(e) => Err(e.into()),
    }
}

fn local_day(e: &EventRow) -> NaiveDate {
    let zone: Tz = e.time_zone.parse().unwrap_or(chrono_tz::UTC);
    e.starts_at.with_timezone(&zone).date_naive()
}

#[derive(Template)]
#[template(path = "docket/event.html")]
struct EventPage {
    l: Layout,
    e: EventRow,
    form: EventForm,
    can_edit: bool,
    error: Option<String>,
    zones: &'static [&'static str],
    clashes: Vec<String>,
}

async fn event_form_of(s: &AppState, e: &EventRow) -> WebResult<EventForm> {
    let zone: Tz = e.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let start = e.starts_at.with_timezone(&zone);
    let end = e.ends_at.with_timezone(&zone);
    let mut emails = Vec::new();
    for a in &e.attendees {
        emails.push(s.app.store.user(*a).await.map_err(AppError::from)?.email);
    }
    Ok(EventForm {
        title: e.title.clone(),
        kind: e.kind.clone(),
        matter_id: e.matter_id.map(|m| m.to_string()).unwrap_or_default(),
        date: start.date_naive().to_string(),
        start: if e.all_day { String::new() } else { start.format("%H:%M").to_string() },
        end: if e.all_day { String::new() } else { end.format("%H:%M").to_string() },
        end_date: if e.all_day {
            (end - Duration::seconds(1)).date_naive().to_string()
        } else {
            String::new()
        },
        all_day: e.all_day.then(|| "1".to_string()),
        time_zone: e.time_zone.clone(),
        location: e.location.clone(),
        notes: e.notes.clone(),
        attendees: emails.join(", "),
    })
}

async fn event_page(State(s): State<AppState>, ctx: Ctx, Path(eid): Path<String>) -> WebResult {
    let e = s.app.visible_event(&ctx.actor, id(&eid)?).await?;
    let form = event_form_of(&s, &e).await?;
    let window = app::docket::double_booked(
        &s.app
            .store
            .list_events(
                &ctx.actor,
                &store::docket::EventFilter {
                    from: Some(e.starts_at),
                    to: Some(e.ends_at),
                    involving: Some(e.owner),
                    ..Default::default()
                },
            )
            .await
            .map_err(AppError::from)?,
        e.owner,
    );
    let clashes = if window.contains(&e.id) {
        vec!["another event of the same person".into()]
    } else {
        vec![]
    };
    render(EventPage {
        l: layout(&ctx, "calendar"),
        can_edit: e.owner == ctx.user.id,
        e,
        form,
        error: None,
        zones: app::docket::COMMON_ZONES,
        clashes,
    })
}

async fn update_event(
    State(s): State<AppState>,
    Path(eid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<EventForm>,
) -> WebResult {
    let eid = id(&eid)?;
    match s.app.update_event(&ctx.actor, eid, &f).await {
        Ok((e, clashes)) => Ok(back_to_calendar(local_day(&e), !clashes.is_empty())),
        Err(AppError::Invalid { field, message }) => {
            let e = s.app.visible_event(&ctx.actor, eid).await?;
            let page = EventPage {
                l: layout(&ctx, "calendar"),
                can_edit: true,
                e,
                form: f,
                error: Some(format!("{field}: {message}")),
                zones: app::docket::COMMON_ZONES,
                clashes: vec![],
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_event(
    State(s): State<AppState>,
    Path(eid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.delete_event(&ctx.actor, id(&eid)?).await?;
    Ok(see_other("/calendar"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FeedForm {
    matter_id: String,
}

async fn create_feed(State(s): State<AppState>, CsrfForm(ctx, f): CsrfForm<FeedForm>) -> WebResult {
    let matter = if f.matter_id.is_empty() { None } else { Some(id(&f.matter_id)?) };
    let new = s.app.create_feed(&ctx.actor, matter).await?;
    let url = format!("/feeds/{}.ics", new.token);
    calendar_page(&s, &ctx, &CalendarQuery::default(), None, EventForm::default(), Some(url)).await
}

async fn revoke_feed(
    State(s): State<AppState>,
    Path(fid): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    s.app.revoke_feed(&ctx.actor, id(&fid)?).await?;
    Ok(see_other("/calendar"))
}

/// The iCalendar feed at its secret URL; no session. Anything wrong reads as 404 so tokens cannot be probed.
async fn feed(State(s): State<AppState>, Path(file): Path<String>) -> WebResult {
    let Some(token) = file.strip_suffix(".ics") else {
        return Err(AppError::NotFound("feed").into());
    };
    let ics = s.app.feed_ics(token).await.map_err(|e| match e {
        AppError::Internal(_) => WebError::from(e),
        _ => WebError::from(AppError::NotFound("feed")),
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        ics,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "docket/reminders.html")]
struct RemindersPage {
    l: Layout,
    rows: Vec<ReminderRow>,
}

async fn reminders(State(s): State<AppState>, ctx: Ctx) -> WebResult {
    let rows = s.app.my_reminders(&ctx.actor).await?;
    render(RemindersPage { l: layout(&ctx, "calendar"), rows })
}

// ---- a matter's docket -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "docket/docket.html")]
struct DocketPage {
    l: Layout,
    v: DocketView,
    rule_sets: Vec<RuleSetInfo>,
    zones: &'static [&'static str],
    services: &'static [(&'static str, &'static str)],
    form: TriggerForm,
    error: Option<String>,
    /// The deadline an override error belongs to, and the message.
    override_error: Option<(String, String)>,
}

const SERVICES: &[(&str, &str)] = &[
    ("personal", "Personal delivery / Rule 4 service"),
    ("electronic", "Electronic (CM/ECF)"),
    ("mail", "Mail (+3 days, FRCP 6(d))"),
    ("clerk", "Left with the clerk (+3 days)"),
    ("consented", "Other consented means (+3 days)"),
    ("none", "Not a service (e.g. entry of judgment)"),
];

async fn docket_view(
    s: &AppState,
    ctx: &Ctx,
    mid: Id,
    form: TriggerForm,
    error: Option<String>,
    override_error: Option<(String, String)>,
) -> WebResult {
    let v = s.app.docket(&ctx.actor, mid).await?;
    let status = if error.is_some() || override_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DocketPage {
        l: layout(ctx, "matters"),
        v,
        rule_sets: app::docket::rule_sets(),
        zones: app::docket::COMMON_ZONES,
        services: SERVICES,
        form,
        error,
        override_error,
    };
    Ok((status, render(page)?).into_response())
}

async fn docket_page(State(s): State<AppState>, ctx: Ctx, Path(mid): Path<String>) -> WebResult {
    docket_view(&s, &ctx, id(&mid)?, TriggerForm::default(), None, None).await
}

async fn add_trigger(
    State(s): State<AppState>,
    Path(mid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<TriggerForm>,
) -> WebResult {
    let mid = id(&mid)?;
    match s.app.add_trigger(&ctx.actor, mid, &f).await {
        Ok(t) => Ok(see_other(&format!("/matters/{mid}/docket#trigger-{}", t.trigger.id))),
        Err(AppError::Invalid { field, message }) => {
            docket_view(&s, &ctx, mid, f, Some(format!("{field}: {message}")), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    date: String,
    time: String,
}

async fn move_trigger(
    State(s): State<AppState>,
    Path(tid): Path<String>,
    CsrfForm(ctx, f): CsrfForm<MoveForm>,
) -> WebResult {
    let tid = id(&tid)?;
    let t = s.app.store.trigger(tid).await.map_err(AppError::from)?;
    match s.app.move_trigger(&ctx.actor, tid, &f.date, &f.time).await {
        Ok(_) => Ok(see_other(&format!("/matters/{}/docket#trigger-{tid}", t.matter_id))),
        Err(AppError::Invalid { field, message }) => {
            docket_view(
                &s,
                &ctx,
                t.matter_id,
                TriggerForm::default(),
                Some(format!("{field}: {message}")),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OverrideForm {
    due: String,
    reason: String,
}

async fn override_deadline(
    State(s): State<AppState>,
    Path(did): Path<String>,
    CsrfForm(ctx, f): CsrfForm<OverrideForm>,
) -> WebResult {
    let did = id(&did)?;
    match s.app.override_deadline(&ctx.actor, did, &f.due, &f.reason).await {
        Ok(d) => Ok(see_other(&format!("/matters/{}/docket#deadline-{did}", d.matter_id))),
        Err(AppError::Invalid { field, message }) => {
            let d = s.app.store.deadline(did).await.map_err(AppError::from)?;
            docket_view(
                &s,
                &ctx,
                d.matter_id,
                TriggerForm::default(),
                None,
                Some((did.to_string(), format!("{field}: {message}"))),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn mark_done(
    State(s): State<AppState>,
    Path(did): Path<String>,
    CsrfForm(ctx, NoFields {}): CsrfForm<NoFields>,
) -> WebResult {
    let did = id(&did)?;
    let d = s.app.mark_deadline_done(&ctx.actor, did).await?;
    Ok(see_other(&format!("/matters/{}/docket#deadline-{did}", d.matter_id)))
}

// ---- JSON API ----------------------------------------------------------------------------------

type ApiResult<T> = Result<T, WebError>;

use crate::api::{j, parse_id as api_id};

#[derive(Deserialize, IntoParams)]
pub struct EventsParams {
    /// First local day, YYYY-MM-DD (default: today).
    from: Option<String>,
    /// Day after the last, YYYY-MM-DD (default: 31 days after `from`).
    to: Option<String>,
    /// Only this matter (all its events, not only yours).
    matter: Option<String>,
    /// IANA zone the days are read in (default America/New_York).
    tz: Option<String>,
}

/// Your calendar between two days: events, appointments and docketed deadlines, with double bookings flagged.
#[utoipa::path(get, path = "/api/v1/calendar/events", params(EventsParams), responses((status = 200, description = "Items: kind, title, day, when, matter_number, event_id, deadline_id, status, double_booked")))]
async fn api_events(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<EventsParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let zone =
        app::docket::parse_zone("tz", p.tz.as_deref().unwrap_or("America/New_York")).map_err(j)?;
    let day = |f: &str, v: Option<&str>, default: NaiveDate| -> ApiResult<NaiveDate> {
        match v {
            None | Some("") => Ok(default),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                j(AppError::Invalid {
                    field: f.into(),
                    message: "enter a date as YYYY-MM-DD".into(),
                })
            }),
        }
    };
    let from = day("from", p.from.as_deref(), Utc::now().with_timezone(&zone).date_naive())?;
    let to = day("to", p.to.as_deref(), from + Duration::days(31))?;
    if to <= from || to - from > Duration::days(400) {
        return Err(j(AppError::Invalid {
            field: "to".into(),
            message: "choose 1 to 400 days".into(),
        }));
    }
    let matter = p.matter.as_deref().filter(|m| !m.is_empty()).map(api_id).transpose()?;
    let data = s.app.calendar(&ctx.actor, from, to, zone, matter).await.map_err(j)?;
    Ok(Json(serde_json::json!({"items": data.items, "double_bookings": data.double_bookings})))
}

#[derive(Deserialize, ToSchema)]
pub struct EventIn {
    title: String,
    /// event, appointment or deadline
    #[serde(default)]
    kind: String,
    matter_id: Option<String>,
    /// YYYY-MM-DD (local)
    date: String,
    /// HH:MM local; leave out with all_day
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    /// Last day of an all-day event
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    all_day: bool,
    /// IANA zone, e.g. America/Chicago
    time_zone: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    notes: String,
    /// Attendee e-mail addresses
    #[serde(default)]
    attendees: Vec<String>,
}

/// Creates an event you own; the response lists the events it double-books.
#[utoipa::path(post, path = "/api/v1/calendar/events", request_body = EventIn, responses((status = 201, description = "{event, double_booked_with}"), (status = 422, body = crate::api::ErrorBody)))]
async fn api_create_event(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(b): Json<EventIn>,
) -> ApiResult<Response> {
    let form = EventForm {
        title: b.title,
        kind: b.kind,
        matter_id: b.matter_id.unwrap_or_default(),
        date: b.date,
        start: b.start,
        end: b.end,
        end_date: b.end_date,
        all_day: b.all_day.then(|| "1".into()),
        time_zone: b.time_zone,
        location: b.location,
        notes: b.notes,
        attendees: b.attendees.join(","),
    };
    let (e, clashes) = s.app.create_event(&ctx.actor, &form).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"event": e, "double_booked_with": clashes})))
        .into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct DeadlineParams {
    matter: Option<String>,
    /// Due on or after, YYYY-MM-DD
    from: Option<String>,
    /// Due on or before, YYYY-MM-DD
    to: Option<String>,
    /// Leave out deadlines marked done
    #[serde(default)]
    open: bool,
}

/// Docketed deadlines you may see, soonest first, each with its trail.
#[utoipa::path(get, path = "/api/v1/deadlines", params(DeadlineParams), responses((status = 200, description = "{items: [deadline]}")))]
async fn api_deadlines(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<DeadlineParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let date = |f: &str, v: Option<&str>| -> ApiResult<Option<NaiveDate>> {
        v.filter(|v| !v.is_empty())
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    j(AppError::Invalid {
                        field: f.into(),
                        message: "enter a date as YYYY-MM-DD".into(),
                    })
                })
            })
            .transpose()
    };
    let f = DeadlineFilter {
        matter_id: p.matter.as_deref().filter(|m| !m.is_empty()).map(api_id).transpose()?,
        from: date("from", p.from.as_deref())?,
        to: date("to", p.to.as_deref())?,
        open_only: p.open,
    };
    let rows = s.app.deadlines(&ctx.actor, &f).await.map_err(j)?;
    Ok(Json(serde_json::json!({"items": rows})))
}

#[derive(Serialize)]
struct DocketOut {
    matter_id: String,
    matter_number: String,
    can_edit: bool,
    triggers: Vec<TriggerView>,
}

/// A matter's docket: its triggers with their deadlines and trails.
#[utoipa::path(get, path = "/api/v1/matters/{id}/docket", params(("id" = String, Path)), responses((status = 200, description = "{matter_id, matter_number, can_edit, triggers: [{trigger, deadlines: [{row, trail}]}]}"), (status = 403, body = crate::api::ErrorBody)))]
async fn api_docket(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let v = s.app.docket(&ctx.actor, api_id(&mid)?).await.map_err(j)?;
    Ok(Json(
        serde_json::to_value(DocketOut {
            matter_id: v.matter.id.to_string(),
            matter_number: v.matter.number,
            can_edit: v.can_edit,
            triggers: v.triggers,
        })
        .map_err(|e| j(AppError::Internal(e.to_string())))?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TriggerIn {
    /// frcp or frap (default frcp)
    #[serde(default)]
    rule_set: String,
    /// e.g. "complaint served"
    trigger: String,
    #[serde(default)]
    label: String,
    /// YYYY-MM-DD
    date: String,
    /// HH:MM court-local, for hour periods
    #[serde(default)]
    time: String,
    /// personal, electronic, mail, clerk, consented, none
    #[serde(default)]
    service: String,
    /// The court's IANA zone (default America/New_York)
    #[serde(default)]
    time_zone: String,
}

/// Dockets a trigger on a matter and returns its computed deadlines with trails.
#[utoipa::path(post, path = "/api/v1/matters/{id}/docket/triggers", params(("id" = String, Path)), request_body = TriggerIn, responses((status = 201, description = "{trigger, deadlines}"), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
async fn api_add_trigger(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(mid): Path<String>,
    Json(b): Json<TriggerIn>,
) -> ApiResult<Response> {
    let form = TriggerForm {
        rule_set: b.rule_set,
        trigger: b.trigger,
        label: b.label,
        date: b.date,
        time: b.time,
        service: b.service,
        time_zone: b.time_zone,
    };
    let t = s.app.add_trigger(&ctx.actor, api_id(&mid)?, &form).await.map_err(j)?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct MoveIn {
    /// YYYY-MM-DD
    date: String,
    #[serde(default)]
    time: String,
}

/// Moves a trigger: open deadlines are recomputed, done and overridden ones kept.
#[utoipa::path(post, path = "/api/v1/docket/triggers/{id}/move", params(("id" = String, Path)), request_body = MoveIn, responses((status = 200, description = "{trigger, deadlines}"), (status = 403, body = crate::api::ErrorBody)))]
async fn api_move_trigger(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(tid): Path<String>,
    Json(b): Json<MoveIn>,
) -> ApiResult<Json<TriggerView>> {
    Ok(Json(s.app.move_trigger(&ctx.actor, api_id(&tid)?, &b.date, &b.time).await.map_err(j)?))
}

#[derive(Deserialize, ToSchema)]
pub struct OverrideIn {
    /// YYYY-MM-DD
    due: String,
    /// Required: why the date differs from the computed one.
    reason: String,
}

/// Sets a deadline's date by hand, with a reason (audited).
#[utoipa::path(post, path = "/api/v1/docket/deadlines/{id}/override", params(("id" = String, Path)), request_body = OverrideIn, responses((status = 200, description = "The deadline"), (status = 422, body = crate::api::ErrorBody)))]
async fn api_override(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(did): Path<String>,
    Json(b): Json<OverrideIn>,
) -> ApiResult<Json<store::docket::DeadlineRow>> {
    Ok(Json(
        s.app.override_deadline(&ctx.actor, api_id(&did)?, &b.due, &b.reason).await.map_err(j)?,
    ))
}

/// Marks a deadline done.
#[utoipa::path(post, path = "/api/v1/docket/deadlines/{id}/done", params(("id" = String, Path)), responses((status = 200, description = "The deadline"), (status = 409, body = crate::api::ErrorBody)))]
async fn api_done(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(did): Path<String>,
) -> ApiResult<Json<store::docket::DeadlineRow>> {
    Ok(Json(s.app.mark_deadline_done(&ctx.actor, api_id(&did)?).await.map_err(j)?))
}

#[derive(Deserialize, IntoParams)]
pub struct ComputeParams {
    /// frcp or frap
    rules: Option<String>,
    trigger: String,
    /// YYYY-MM-DD
    date: String,
    service: Option<String>,
    tz: Option<String>,
}

/// Computes the deadlines a trigger produces without docketing them; `text` is the trail as the CLI prints it.
#[utoipa::path(get, path = "/api/v1/docket/compute", params(ComputeParams), responses((status = 200, description = "{deadlines: [{rule_id, title, citation, due, trail}], text}"), (status = 422, body = crate::api::ErrorBody)))]
async fn api_compute(
    _ctx: ApiCtx,
    Query(p): Query<ComputeParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let bad = |field: &str, e: docket::DocketError| {
        j(AppError::Invalid { field: field.into(), message: e.to_string() })
    };
    let rules = docket::RuleSet::builtin(p.rules.as_deref().unwrap_or("frcp"))
        .map_err(|e| bad("rules", e))?;
    let service: docket::Service =
        p.service.as_deref().unwrap_or("none").parse().map_err(|e| bad("service", e))?;
    let zone =
        app::docket::parse_zone("tz", p.tz.as_deref().unwrap_or("America/New_York")).map_err(j)?;
    let date = NaiveDate::parse_from_str(&p.date, "%Y-%m-%d").map_err(|_| {
        j(AppError::Invalid { field: "date".into(), message: "enter a date as YYYY-MM-DD".into() })
    })?;
    let calendar = docket::CourtCalendar::federal("Federal court", zone);
    let deadlines = docket::compute(&rules, &p.trigger, date, service, &calendar)
        .map_err(|e| bad("trigger", e))?;
    let items: Vec<serde_json::Value> = deadlines
        .iter()
        .map(|d| {
            serde_json::json!({
                "rule_id": d.rule_id, "title": d.title, "citation": d.citation,
                "raw": d.raw.to_string(), "due": d.due_date().to_string(),
                "trail": d.trail.iter().map(|s| serde_json::json!({"to": s.to.to_string(), "reason": s.reason, "citation": s.citation})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"deadlines": items, "text": docket::render_trail(&deadlines)})))
}
