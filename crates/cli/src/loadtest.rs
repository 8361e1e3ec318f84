//! `lawdesk bench http`: a load generator that drives the real web server over HTTP with many
//! signed-in browser sessions listing, viewing and updating work items, then checks in the
//! database that every write a client saw succeed is stored (no lost writes).
//!
//! The server runs in this process on a fresh SQLite folder or a fresh, uniquely named
//! PostgreSQL database (dropped afterwards), so a benchmark never touches real data.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use domain::{Actor, Id, Role, ServiceLine, User};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The password of the generated bench users (they exist only in the throw-away database).
const BENCH_PASSWORD: &str = "bench-password-2026";

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct HttpArgs {
    /// Concurrent signed-in sessions (one generated staff user each).
    #[arg(long, default_value_t = 100)]
    pub sessions: usize,
    /// How long the sessions run, in seconds.
    #[arg(long, default_value_t = 30)]
    pub duration: u64,
    /// Work items created on the demo matter the sessions share.
    #[arg(long, default_value_t = 3000)]
    pub items: usize,
    /// Pause of each session between its requests, in milliseconds (0: as fast as possible).
    #[arg(long, default_value_t = 0)]
    pub think_ms: u64,
}

/// The kinds of request a session makes, in table order.
const KINDS: [&str; 4] = ["list", "view", "comment", "status"];

/// What one session saw.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    errors: BTreeMap<&'static str, u64>,
    first_errors: Vec<String>,
    comments_ok: u64,
    status_ok: u64,
    conflicts: u64,
}

impl Tally {
    fn error(&mut self, kind: &'static str, msg: String) {
        *self.errors.entry(kind).or_default() += 1;
        if self.first_errors.len() < 5 {
            self.first_errors.push(format!("{kind}: {msg}"));
        }
    }

    fn merge(&mut self, other: Tally) {
        for (k, v) in other.latencies {
            self.latencies.entry(k).or_default().extend(v);
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for e in other.first_errors {
            if self.first_errors.len() < 5 {
                self.first_errors.push(e);
            }
        }
        self.comments_ok += other.comments_ok;
        self.status_ok += other.status_ok;
        self.conflicts += other.conflicts;
    }
}

/// The outcome of a run, for the caller to print or check.
pub(crate) struct Report {
    pub table: String,
    pub errors: u64,
    pub lost_writes: bool,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Reply {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: String,
}

struct Http {
    client: HttpClient,
    base: String,
}

impl Http {
    async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<String>,
    ) -> Result<Reply> {
        let mut req = Request::builder().method(method).uri(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("lawdesk_session={c}"));
        }
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let req = req.body(Full::new(Bytes::from(form.unwrap_or_default())))?;
        let res = self.client.request(req).await?;
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await?.to_bytes();
        Ok(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
    }
}

/// The text after `marker` up to the next `"`.
fn attr_after<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let at = html.find(marker)? + marker.len();
    html[at..].split('"').next()
}

/// The statuses offered as buttons on a work item page.
fn offered_statuses(html: &str) -> Vec<&str> {
    html.split("name=\"status\" value=\"").skip(1).filter_map(|s| s.split('"').next()).collect()
}

/// URL-encodes form fields as a browser would.
fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

struct Fixture {
    app: app::App,
    users: Vec<User>,
    items: Vec<Id>,
    _dir: tempfile::TempDir,
    scratch: Option<store::scratch::ScratchDatabase>,
}

async fn prepare(database_url: Option<&str>, args: &HttpArgs) -> Result<Fixture> {
    let dir = tempfile::tempdir().context("creating a temporary data folder")?;
    let scratch = match database_url {
        Some(url) => Some(
            store::scratch::create_scratch_postgres(url, "bench")
                .await
                .context("creating a scratch PostgreSQL database")?,
        ),
        None => None,
    };
    let store = store::Store::open(scratch.as_ref().map(|s| s.url.as_str()), dir.path()).await?;
    let app = app::App::new(store);
    app.load_demo().await.map_err(crate::app_err)?;
    let admin = app.store.user_for_sign_in("admin@demo.lawdesk").await?.context("demo admin")?.user;
    let admin_actor: Actor = app::auth::actor_of(&admin);
    let (matters, _) = app
        .list_matters(&admin_actor, &Default::default(), store::Page::new(1, 10))
        .await
        .map_err(crate::app_err)?;
    let matter = matters
        .iter()
        .find(|m| m.matter.number.ends_with("-0001"))
        .context("demo matter 0001")?
        .matter
        .id;

    let pb = crate::spinner("creating bench users");
    let hash = app::auth::hash_password(BENCH_PASSWORD).map_err(crate::app_err)?;
    let mut users = Vec::with_capacity(args.sessions);
    for i in 0..args.sessions {
        let now = app.now();
        let user = User {
            id: Id::new_at(now),
            email: format!("bench{i:04}@bench.lawdesk"),
            display_name: format!("Bench User {i}"),
            role: Role::Staff,
            organization_id: None,
            active: true,
            created_at: now,
        };
        let ev = store::AuditEvent::new(now, Some(admin.id), "user.create", "user", user.id)
            .with(serde_json::json!({"bench": true}));
        app.store.create_user(&user, &hash, ev).await?;
        app.set_team_member(&admin_actor, matter, user.id, true).await.map_err(crate::app_err)?;
        users.push(user);
        pb.inc(1);
    }
    pb.finish_and_clear();

    let pb = crate::spinner("creating bench work items");
    let mut items = Vec::with_capacity(args.items);
    for i in 0..args.items {
        let line = ServiceLine::ALL[i % ServiceLine::ALL.len()];
        let f = app::WorkForm {
            service_line: line.as_str().into(),
            title: format!("Bench item {i}"),
            description: "Generated by lawdesk bench http.".into(),
            volume: "10".into(),
            unit: "hours".into(),
            // Assigned, so the workflow can cycle assigned -> in progress -> in review and back.
            assignee: users[i % users.len()].id.to_string(),
            ..Default::default()
        };
        let w = app.create_work_item(&admin_actor, matter, &f).await.map_err(crate::app_err)?;
        items.push(w.id);
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(Fixture { app, users, items, _dir: dir, scratch })
}

async fn sign_in(http: &Http, email: &str) -> Result<String> {
    let res = http
        .send(
            Method::POST,
            "/login",
            None,
            Some(form(&[("email", email), ("password", BENCH_PASSWORD)])),
        )
        .await?;
    if res.status != StatusCode::SEE_OTHER {
        bail!("sign-in of {email} answered {}", res.status);
    }
    let set = res
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .context("sign-in sets a cookie")?;
    let value = set
        .split(';')
        .next()
        .and_then(|kv| kv.strip_prefix("lawdesk_session="))
        .context("the session cookie")?;
    Ok(value.to_string())
}

/// One session's loop: list a page, view an item, then comment on it or move its status.
async fn session_loop(
    http: Arc<Http>,
    cookie: String,
    items: Arc<Vec<Id>>,
    seed: u64,
    until: Instant,
    think: Duration,
) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut t = Tally::default();
    let pages = items.len().div_ceil(25).max(1);
    let mut n = 0u64;
    // Sessions start spread over one think time, as people do, not all in the same millisecond.
    pause(Duration::from_millis(rng.random_range(0..=think.as_millis() as u64))).await;
    while Instant::now() < until {
        n += 1;
        let page = rng.random_range(1..=pages);
        let started = Instant::now();
        match http.send(Method::GET, &format!("/work?page={page}"), Some(&cookie), None).await {
            Ok(r) if r.status == StatusCode::OK => {
                t.latencies.entry("list").or_default().push(started.elapsed())
            }
            Ok(r) => t.error("list", format!("status {}", r.status)),
            Err(e) => t.error("list", e.to_string()),
        }
        pause(think).await;

        let item = items[rng.random_range(0..items.len())];
        let started = Instant::now();
        let page = match http.send(Method::GET, &format!("/work/{item}"), Some(&cookie), None).await
        {
            Ok(r) if r.status == StatusCode::OK => {
                t.latencies.entry("view").or_default().push(started.elapsed());
                r.body
            }
            Ok(r) => {
                t.error("view", format!("status {}", r.status));
                continue;
            }
            Err(e) => {
                t.error("view", e.to_string());
                continue;
            }
        };
        pause(think).await;

        let (Some(csrf), version) = (
            attr_after(&page, "name=\"_csrf\" value=\""),
            attr_after(&page, "name=\"version\" value=\""),
        ) else {
            t.error("view", "the page has no CSRF token".into());
            continue;
        };
        // Cycle through the open statuses (never to done or cancelled, so items stay workable).
        let next: Vec<&str> = offered_statuses(&page)
            .into_iter()
            .filter(|s| matches!(*s, "assigned" | "in_progress" | "in_review"))
            .collect();
        let started = Instant::now();
        if n.is_multiple_of(2)
            && let (Some(version), false) = (version, next.is_empty())
        {
            let to = next[rng.random_range(0..next.len())];
            let body = form(&[("_csrf", csrf), ("status", to), ("version", version)]);
            match http
                .send(Method::POST, &format!("/work/{item}/status"), Some(&cookie), Some(body))
                .await
            {
                Ok(r) if r.status == StatusCode::SEE_OTHER => {
                    t.status_ok += 1;
                    t.latencies.entry("status").or_default().push(started.elapsed());
                }
                // Someone else changed the item since the view: optimistic concurrency at work.
                Ok(r) if r.status == StatusCode::CONFLICT => {
                    t.conflicts += 1;
                    t.latencies.entry("status").or_default().push(started.elapsed());
                }
                Ok(r) => t.error("status", format!("status {}", r.status)),
                Err(e) => t.error("status", e.to_string()),
            }
        } else {
            let text = format!("Bench comment {seed}-{n}");
            let body = form(&[("_csrf", csrf), ("body", &text)]);
            match http
                .send(Method::POST, &format!("/work/{item}/comments"), Some(&cookie), Some(body))
                .await
            {
                Ok(r) if r.status == StatusCode::SEE_OTHER => {
                    t.comments_ok += 1;
                    t.latencies.entry("comment").or_default().push(started.elapsed());
                }
                Ok(r) => t.error("comment", format!("status {}", r.status)),
                Err(e) => t.error("comment", e.to_string()),
            }
        }
        pause(think).await;
    }
    t
}

async fn pause(think: Duration) {
    if !think.is_zero() {
        tokio::time::sleep(think).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Runs the whole benchmark and returns the printed report.
pub(crate) async fn run(database_url: Option<&str>, args: &HttpArgs) -> Result<Report> {
    if args.sessions == 0 || args.items == 0 {
        bail!("--sessions and --items must be at least 1");
    }
    let backend = if database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    let fx = prepare(database_url, args).await?;
    let result = drive(&fx, backend, args).await;
    fx.app.store.close().await;
    if let Some(db) = &fx.scratch {
        store::scratch::drop_scratch_postgres(db)
            .await
            .with_context(|| format!("dropping scratch database {}", db.name))?;
    }
    result
}

async fn drive(fx: &Fixture, backend: &str, args: &HttpArgs) -> Result<Report> {
    let addr: SocketAddr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
        probe.local_addr()?
    };
    let server =
        tokio::spawn(web::serve(fx.app.clone(), addr, web::WebConfig { secure_cookies: false }));
    let client: HttpClient =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(args.sessions).build_http();
    let http = Arc::new(Http { client, base: format!("http://{addr}") });
    let mut ready = false;
    for _ in 0..100 {
        if http.send(Method::GET, "/healthz", None, None).await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !ready {
        server.abort();
        bail!("the server did not start on {addr}");
    }

    let started = Instant::now();
    let mut cookies = Vec::with_capacity(fx.users.len());
    let sign_ins: Vec<_> = fx
        .users
        .iter()
        .map(|u| {
            let http = http.clone();
            let email = u.email.clone();
            tokio::spawn(async move { sign_in(&http, &email).await })
        })
        .collect();
    for s in sign_ins {
        cookies.push(s.await.context("sign-in task")??);
    }
    let sign_in_secs = started.elapsed().as_secs_f64();

    let items = Arc::new(fx.items.clone());
    let think = Duration::from_millis(args.think_ms);
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration);
    let tasks: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(i, cookie)| {
            tokio::spawn(session_loop(http.clone(), cookie, items.clone(), i as u64, until, think))
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        total.merge(task.await.context("session task")?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    server.abort();

    // What the database holds for the bench items against what the clients saw succeed.
    let mut stored_comments = 0u64;
    let mut stored_status_changes = 0u64;
    for id in fx.items.iter() {
        stored_comments += fx.app.store.comments(*id).await?.len() as u64;
        stored_status_changes += (fx.app.store.work_item(*id).await?.version - 1) as u64;
    }

    let mut table = String::new();
    writeln!(
        table,
        "lawdesk bench http: {backend}, {} sessions, {} s, {} work items, think time {} ms",
        args.sessions, args.duration, args.items, args.think_ms
    )?;
    writeln!(table, "signed in {} sessions over HTTP in {sign_in_secs:.1} s", fx.users.len())?;
    writeln!(
        table,
        "{:<8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "request", "count", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"
    )?;
    let mut all = Vec::new();
    let mut errors = 0;
    for kind in KINDS {
        let mut l = total.latencies.remove(kind).unwrap_or_default();
        l.sort();
        let e = total.errors.get(kind).copied().unwrap_or(0);
        errors += e;
        row(&mut table, kind, &l, e, elapsed)?;
        all.extend(l);
    }
    all.sort();
    row(&mut table, "all", &all, errors, elapsed)?;
    writeln!(
        table,
        "status conflicts (409, the optimistic-concurrency answer to a stale version): {}",
        total.conflicts
    )?;
    let lost_writes =
        stored_comments != total.comments_ok || stored_status_changes != total.status_ok;
    writeln!(
        table,
        "writes: comments acknowledged {} / stored {}; status changes acknowledged {} / stored {} -> {}",
        total.comments_ok,
        stored_comments,
        total.status_ok,
        stored_status_changes,
        if lost_writes { "MISMATCH (lost or phantom writes)" } else { "no lost writes" }
    )?;
    for e in &total.first_errors {
        writeln!(table, "  error: {e}")?;
    }
    Ok(Report { table, errors, lost_writes })
}

fn row(
    out: &mut String,
    kind: &str,
    sorted: &[Duration],
    errors: u64,
    elapsed: f64,
) -> std::fmt::Result {
    writeln!(
        out,
        "{:<8} {:>8} {:>9.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7}",
        kind,
        sorted.len(),
        sorted.len() as f64 / elapsed.max(f64::EPSILON),
        percentile(sorted, 50.0),
        percentile(sorted, 90.0),
        percentile(sorted, 99.0),
        sorted.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        errors
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tokens_and_offered_statuses_from_a_work_page() {
        let html = r#"<input type="hidden" name="_csrf" value="abc"><input type="hidden" name="version" value="7">
<button type="submit" name="status" value="in_progress">In progress</button><button type="submit" name="status" value="cancelled">Cancel</button>"#;
        assert_eq!(attr_after(html, "name=\"_csrf\" value=\""), Some("abc"));
        assert_eq!(attr_after(html, "name=\"version\" value=\""), Some("7"));
        assert_eq!(offered_statuses(html), vec!["in_progress", "cancelled"]);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), 50.0);
        assert_eq!(percentile(&d, 99.0), 99.0);
        assert_eq!(percentile(&d, 100.0), 100.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }

    #[test]
    fn form_encoding_escapes_reserved_characters() {
        assert_eq!(form(&[("a b", "x&y=z")]), "a+b=x%26y%3Dz");
    }
}
