//! End to end in a real headless Chromium (Debian `chromium` + `chromium-driver`): sign in,
//! create a client, a matter with an adverse party, a work item, and see them listed.

use fantoccini::{ClientBuilder, Locator};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_signs_in_and_creates_client_matter_party_and_work_item() {
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
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_sqlite(dir.path()).await.unwrap();
    let app = app::App::new(store);
    app.load_demo().await.unwrap();
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    tokio::spawn(web::serve(app, addr, web::WebConfig { secure_cookies: false }));

    let driver_port = free_port();
    let _driver = Kill(
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
    let base = format!("http://127.0.0.1:{port}");

    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys("alice@demo.lawdesk").await.unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(app::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::LinkText("Matters")).await.unwrap();

    c.goto(&format!("{base}/clients")).await.unwrap();
    c.find(Locator::Id("client_name")).await.unwrap().send_keys("Wayne Enterprises").await.unwrap();
    c.find(Locator::Id("client_code")).await.unwrap().send_keys("WAYNE").await.unwrap();
    c.find(Locator::Css("form[method='post'][action='/clients'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    if c.wait()
        .for_element(Locator::XPath("//table[@id='clients']//td[contains(., 'Wayne Enterprises')]"))
        .await
        .is_err()
    {
        panic!("client not listed; the browser shows:\n{}", c.source().await.unwrap_or_default());
    }

    c.goto(&format!("{base}/matters/new")).await.unwrap();
    c.find(Locator::Css("#client_id option:nth-child(n+2)")).await.unwrap();
    let client_select = c.find(Locator::Id("client_id")).await.unwrap();
    client_select.select_by_label("Wayne Enterprises (WAYNE)").await.unwrap();
    c.find(Locator::Id("title")).await.unwrap().send_keys("Wayne v. Cobblepot").await.unwrap();
    c.find(Locator::Id("court")).await.unwrap().send_keys("D.N.J.").await.unwrap();
    c.find(Locator::Css("form[action='/matters'] button")).await.unwrap().click().await.unwrap();
    if c.wait()
        .for_element(Locator::XPath("//h1[contains(., 'Wayne v. Cobblepot')]"))
        .await
        .is_err()
    {
        panic!(
            "matter page did not open; the browser shows:\n{}",
            c.source().await.unwrap_or_default()
        );
    }

    c.find(Locator::Id("party_name")).await.unwrap().send_keys("Oswald Cobblepot").await.unwrap();
    c.find(Locator::Id("party_kind")).await.unwrap().select_by_value("person").await.unwrap();
    c.find(Locator::Id("party_role"))
        .await
        .unwrap()
        .select_by_value("adverse_party")
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/parties'] button")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//table[@id='parties']//td[contains(., 'Oswald Cobblepot')]"))
        .await
        .unwrap();

    c.find(Locator::Id("service_line"))
        .await
        .unwrap()
        .select_by_value("document_review")
        .await
        .unwrap();
    c.find(Locator::Id("work_title"))
        .await
        .unwrap()
        .send_keys("Review Cobblepot production")
        .await
        .unwrap();
    let volume = c.find(Locator::Id("volume")).await.unwrap();
    volume.clear().await.unwrap();
    volume.send_keys("50000").await.unwrap();
    c.find(Locator::Id("unit")).await.unwrap().select_by_value("documents").await.unwrap();
    c.find(Locator::Css("form[action$='/work'] button")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[contains(., 'Review Cobblepot production')]"))
        .await
        .unwrap();

    c.goto(&format!("{base}/work?q=Cobblepot")).await.unwrap();
    let listed = c.find(Locator::Id("work-list")).await.unwrap().text().await.unwrap();
    assert!(listed.contains("Review Cobblepot production"), "{listed}");
    c.goto(&format!("{base}/matters?q=Wayne")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("Wayne v. Cobblepot") && page.contains("Wayne Enterprises"));
    if let Ok(dir) = std::env::var("LAWDESK_SCREENSHOTS") {
        std::fs::write(format!("{dir}/matters.png"), c.screenshot().await.unwrap()).unwrap();
    }
    c.close().await.unwrap();
}
