//! Browser tests in headless chromium: the main journeys through the pages, a crawl of every
//! area for each role, and screenshots of the main pages under `target/screenshots/`.

use std::collections::{BTreeSet, VecDeque};

use crate::both_backends;
use crate::helpers::{Backend, OWNER_EMAIL, PASSWORD, TestApp};
use crate::webdriver::Browser;

fn platform_url(app: &TestApp, path: &str) -> String {
    format!("http://localhost:{}{path}", app.addr.port())
}

fn company_url(app: &TestApp, sub: &str, path: &str) -> String {
    format!("http://{sub}.localhost:{}{path}", app.addr.port())
}

/// Signs in through the sign-in form of the host of `login_url`.
pub async fn sign_in(b: &Browser, login_url: &str, email: &str, password: &str) {
    b.goto(login_url).await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", password).await;
    b.click("form[action='/login'] button[type=submit]").await;
}

/// Follows every same-host link from `start` (GET only; forms are not submitted) and fails
/// on any page that answers an error page: a link the role is shown must work for it.
pub async fn crawl(b: &Browser, start: &str, label: &str) -> usize {
    let origin: String = start.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    while let Some(url) = queue.pop_front() {
        let key = url.split('#').next().unwrap_or_default().to_owned();
        if !seen.insert(key.clone()) || seen.len() > 80 {
            continue;
        }
        b.goto(&key).await;
        let title = b.title().await;
        let bad = ["400 ", "403 ", "404 ", "500 ", "502 ", "503 "]
            .iter()
            .any(|p| title.starts_with(p));
        assert!(!bad, "{label}: {key} answered {title:?}");
        for link in b.links().await {
            if link.starts_with(&origin) && !link.contains("/session/") {
                queue.push_back(link);
            }
        }
    }
    seen.len()
}

async fn owner_creates_a_company_in_the_browser_and_sees_it_ready(backend: Backend) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let tag = if app.backend.is_pg() { "pg" } else { "sqlite" };
    b.goto(&platform_url(&app, "/owner")).await;
    assert!(b.url().await.contains("/login?next=/owner"), "{}", b.url().await);
    b.screenshot(&format!("{tag}-01-platform-login")).await;
    sign_in(&b, &platform_url(&app, "/login"), OWNER_EMAIL, PASSWORD).await;
    assert!(b.url().await.ends_with("/owner"), "{}", b.url().await);
    assert_eq!(b.text("h1").await, "Platform dashboard");
    b.screenshot(&format!("{tag}-02-owner-dashboard")).await;

    b.goto(&platform_url(&app, "/owner/companies/new")).await;
    b.fill("#f-name", "Browser Made Vets").await;
    b.fill("#f-subdomain", "Browser Vets").await;
    b.fill("#f-contactEmail", "office@browser.example").await;
    b.click("form[action='/owner/companies'] button[type=submit]").await;
    // The API's validation, beside the field.
    assert!(!b.find_all("#f-subdomain-error").await.is_empty(), "{}", b.source().await);
    b.screenshot(&format!("{tag}-03-owner-new-company-error")).await;
    b.fill("#f-subdomain", "browser-vets").await;
    b.fill("#f-adminEmail", "admin@browser-vets.example").await;
    b.fill("#f-adminName", "Browser Admin").await;
    b.fill("#f-adminPassword", PASSWORD).await;
    b.click("form[action='/owner/companies'] button[type=submit]").await;
    assert!(b.url().await.contains("/owner/companies/"), "{}", b.url().await);
    assert!(b.wait_for_text("#company-status", "ACTIVE").await, "{}", b.source().await);
    assert!(b.source().await.contains("Browser Made Vets was created."));
    b.screenshot(&format!("{tag}-04-owner-company")).await;

    b.goto(&platform_url(&app, "/owner/companies?q=browser")).await;
    assert!(b.source().await.contains("Browser Made Vets"));
    b.goto(&platform_url(&app, "/owner/companies?q=nothing-like-it")).await;
    assert!(!b.source().await.contains("Browser Made Vets"));
    b.screenshot(&format!("{tag}-05-owner-companies")).await;

    let pages = crawl(&b, &platform_url(&app, "/owner"), "owner").await;
    assert!(pages >= 5, "the owner crawl reached only {pages} pages");

    // The new company's host shows its own sign-in page.
    b.goto(&company_url(&app, "browser-vets", "/login")).await;
    assert!(b.source().await.contains("Browser Made Vets"));
    b.screenshot(&format!("{tag}-06-company-login")).await;
    b.quit().await;
}

both_backends!(owner_creates_a_company_in_the_browser_and_sees_it_ready);
