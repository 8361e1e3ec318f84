//! An app on a fresh SQLite (or PostgreSQL, when configured) store with the demo firm, and
//! helpers to sign in and send requests through the router.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct TestApp {
    pub app: app::App,
    pub router: Router,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn demo() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_sqlite(dir.path()).await.unwrap();
        let app = app::App::new(store);
        app.load_demo().await.unwrap();
        let router = web::router(app.clone(), web::WebConfig { secure_cookies: false });
        TestApp { app, router, _dir: dir }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str, s: Option<&Session>) -> Resp {
        let mut b = Request::get(path);
        if let Some(s) = s {
            b = b.header(header::COOKIE, format!("lawdesk_session={}", s.cookie));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// Posts a form with the session's CSRF token (unless `csrf` is false).
    pub async fn post_form(
        &self,
        path: &str,
        s: &Session,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> Resp {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            all.push(("_csrf", &s.csrf));
        }
        let body = serde_urlencoded::to_string(&all).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, format!("lawdesk_session={}", s.cookie))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        json: Option<serde_json::Value>,
    ) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(json.map_or_else(Body::empty, |j| Body::from(j.to_string())))
            .unwrap();
        self.send(req).await
    }

    pub async fn sign_in(&self, email: &str) -> Session {
        let body =
            serde_urlencoded::to_string([("email", email), ("password", app::demo::DEMO_PASSWORD)])
                .unwrap();
        let res = self
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "sign in {email}: {}", res.body);
        let set = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        let cookie =
            set.split(';').next().unwrap().trim_start_matches("lawdesk_session=").to_string();
        let mut s = Session { cookie, csrf: String::new() };
        let page = self.get("/account", Some(&s)).await;
        s.csrf = csrf_in(&page.body);
        s
    }

    /// Ids of demo records by a human handle.
    pub async fn matter_id(&self, number_suffix: &str) -> String {
        let n: i64 = self.app.store.count("matters").await.unwrap();
        assert!(n >= 3);
        let m = self
            .app
            .store
            .matter_by_number(&format!("{}-{number_suffix}", chrono::Utc::now().format("%Y")))
            .await
            .unwrap()
            .unwrap();
        m.id.to_string()
    }
}

pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("page has a CSRF field")
        + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}
