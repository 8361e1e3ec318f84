//! A real headless Chromium (Debian `chromium` + `chromium-driver`) driving the app served on
//! 127.0.0.1 with the demo firm loaded. Skips loudly unless `LAWDESK_REQUIRE_BROWSER` is set.

use fantoccini::{Client, ClientBuilder, Locator};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A browser session against a fresh demo firm. Keep it alive for the whole test.
pub(crate) struct Browser {
    pub c: Client,
    pub base: String,
    /// The app behind the server, for setting up or checking state directly.
    #[allow(dead_code)]
    pub app: app::App,
    _driver: Kill,
    _dir: tempfile::TempDir,
}

impl Browser {
    /// Starts the app with the demo firm and a browser, or returns None (after saying so on
    /// stderr) when chromedriver is missing and `LAWDESK_REQUIRE_BROWSER` is not set.
    pub(crate) async fn start() -> Option<Browser> {
        let Some(driver_bin) = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
        else {
            if std::env::var("LAWDESK_REQUIRE_BROWSER").is_ok() {
                panic!("LAWDESK_REQUIRE_BROWSER is set but chromedriver is not installed");
            }
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED (browser e2e): chromedriver not installed (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_sqlite(dir.path()).await.unwrap();
        let app = app::App::new(store);
        app.load_demo().await.unwrap();
        let port = free_port();
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        tokio::spawn(web::serve(app.clone(), addr, web::WebConfig { secure_cookies: false }));

        let driver_port = free_port();
        let driver = Kill(
            Command::new(driver_bin)
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900", format!("--user-data-dir={}", dir.path().join("chrome").display())]}),
        );
        let mut client = None;
        for _ in 0..50 {
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{driver_port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let c = client.expect("chromedriver did not start");
        Some(Browser {
            c,
            base: format!("http://127.0.0.1:{port}"),
            app,
            _driver: driver,
            _dir: dir,
        })
    }

    /// Opens `path` on the app.
    pub(crate) async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// Signs in as a demo user (`alice` or `alice@demo.lawdesk`), signing out first if needed.
    pub(crate) async fn sign_in(&self, who: &str) {
        let email = if who.contains('@') { who.to_string() } else { format!("{who}@demo.lawdesk") };
        self.c.delete_all_cookies().await.unwrap();
        self.goto("/login").await;
        self.c.find(Locator::Id("email")).await.unwrap().send_keys(&email).await.unwrap();
        self.c
            .find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(app::demo::DEMO_PASSWORD)
            .await
            .unwrap();
        self.c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        self.c.wait().for_element(Locator::LinkText("Matters")).await.unwrap();
    }
}
