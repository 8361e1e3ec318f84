//! End to end in a real headless Chromium: sign in, create a client, a matter with an adverse
//! party, a work item, and see them listed.

use crate::browser::Browser;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_signs_in_and_creates_client_matter_party_and_work_item() {
    let Some(b) = Browser::start().await else { return };
    b.sign_in("alice").await;
    let c = &b.c;
    let base = &b.base;

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
    b.c.clone().close().await.unwrap();
}
