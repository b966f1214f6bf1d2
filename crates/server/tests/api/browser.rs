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
    // The answer redirects away from the sign-in page; wait for it to load.
    for _ in 0..100 {
        if !b.url().await.contains("/login") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
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
    assert!(
        b.url().await.contains("/login?next=/owner"),
        "{}",
        b.url().await
    );
    b.screenshot(&format!("{tag}-01-platform-login")).await;
    sign_in(&b, &platform_url(&app, "/login"), OWNER_EMAIL, PASSWORD).await;
    assert!(b.url().await.ends_with("/owner"), "{}", b.url().await);
    assert_eq!(b.text("h1").await, "Platform dashboard");
    b.screenshot(&format!("{tag}-02-owner-dashboard")).await;

    b.goto(&platform_url(&app, "/owner/companies/new")).await;
    b.fill("#f-name", "Browser Made Vets").await;
    b.fill("#f-subdomain", "Browser Vets").await;
    b.fill("#f-contactEmail", "office@browser.example").await;
    b.click("form[action='/owner/companies'] button[type=submit]")
        .await;
    // The API's validation, beside the field.
    assert!(
        b.wait_for("#f-subdomain-error").await,
        "{}",
        b.source().await
    );
    b.screenshot(&format!("{tag}-03-owner-new-company-error"))
        .await;
    b.fill("#f-subdomain", "browser-vets").await;
    b.fill("#f-adminEmail", "admin@browser-vets.example").await;
    b.fill("#f-adminName", "Browser Admin").await;
    b.fill("#f-adminPassword", PASSWORD).await;
    b.click("form[action='/owner/companies'] button[type=submit]")
        .await;
    assert!(b.wait_for("#company-status").await, "{}", b.source().await);
    assert!(
        b.url().await.contains("/owner/companies/"),
        "{}",
        b.url().await
    );
    assert!(
        b.wait_for_text("#company-status", "ACTIVE").await,
        "{}",
        b.source().await
    );
    assert!(b.source().await.contains("Browser Made Vets was created."));
    b.screenshot(&format!("{tag}-04-owner-company")).await;

    b.goto(&platform_url(&app, "/owner/companies?q=browser"))
        .await;
    assert!(b.source().await.contains("Browser Made Vets"));
    b.goto(&platform_url(&app, "/owner/companies?q=nothing-like-it"))
        .await;
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

both_backends!(
    owner_creates_a_company_in_the_browser_and_sees_it_ready,
    company_people_work_in_their_own_areas_in_the_browser,
    a_visitor_signs_up_in_the_browser_and_the_owner_sees_the_charts,
    the_owner_prices_a_plan_and_a_company_admin_upgrades_in_the_browser,
    a_veterinarian_records_a_visit_in_the_browser,
);

/// Selects an option of a `<select>` by its value.
async fn choose(b: &Browser, select: &str, value: &str) {
    b.click(&format!("{select} option[value='{value}']")).await;
}

async fn company_people_work_in_their_own_areas_in_the_browser(backend: Backend) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let tag = if app.backend.is_pg() { "pg" } else { "sqlite" };
    let sub = "journey-vet";
    app.create_company(sub).await;
    app.create_company("other-vet").await;
    let admin = app.admin_token(sub).await;
    // A client with a portal account and two pets, and another client's pet.
    let (_, c) = app
        .call(sub, &admin, reqwest::Method::POST, "/api/clients",
              Some(serde_json::json!({"firstName": "Cora", "lastName": "Client", "email": "cora@journey.example"})))
        .await;
    let cora = c["id"].as_str().unwrap().to_owned();
    let (_, c) = app
        .call(
            sub,
            &admin,
            reqwest::Method::POST,
            "/api/clients",
            Some(serde_json::json!({"firstName": "Otto", "lastName": "Other"})),
        )
        .await;
    let otto = c["id"].as_str().unwrap().to_owned();
    for (name, owner) in [("Biscuit", &cora), ("Pepper", &cora), ("Zorro", &otto)] {
        let (s, v) = app
            .call(
                sub,
                &admin,
                reqwest::Method::POST,
                "/api/pets",
                Some(serde_json::json!({"name": name, "species": "dog", "ownerId": owner})),
            )
            .await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{v}");
    }
    let (s, v) = app
        .call(
            sub,
            &admin,
            reqwest::Method::POST,
            &format!("/api/clients/{cora}/portal-account"),
            Some(serde_json::json!({"email": "cora@journey.example", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{v}");

    // The administrator signs in on the company host and invites a veterinarian.
    sign_in(
        &b,
        &company_url(&app, sub, "/login"),
        &format!("admin@{sub}.example"),
        PASSWORD,
    )
    .await;
    assert!(
        b.url().await.ends_with("/administrator"),
        "{}",
        b.url().await
    );
    b.screenshot(&format!("{tag}-10-administrator")).await;
    b.goto(&company_url(&app, sub, "/administrator/users/new"))
        .await;
    b.fill("#f-name", "Vera Vet").await;
    b.fill("#f-email", "vera@journey.example").await;
    choose(&b, "#f-role", "VETERINARIAN").await;
    b.click("#invite-form input[name=practiceIds]").await;
    b.screenshot(&format!("{tag}-11-administrator-invite"))
        .await;
    b.click("#invite-form button[type=submit]").await;
    assert!(b.wait_for("#invitation-link").await, "{}", b.source().await);
    let link_el = b.find("#invitation-link").await;
    let link = b.attr(&link_el, "href").await.unwrap();
    assert!(link.contains("/invitation/"), "{link}");
    let crawled = crawl(
        &b,
        &company_url(&app, sub, "/administrator"),
        "administrator",
    )
    .await;
    assert!(
        crawled >= 5,
        "the administrator crawl reached only {crawled} pages"
    );
    let admin_cookie = b
        .cookie("smartdmv_session")
        .await
        .expect("the admin's session cookie");
    b.click("form[action='/logout'] button[type=submit]").await;
    b.wait_url("/login").await;

    // The veterinarian accepts the invitation and lands on their dashboard.
    b.goto(&link).await;
    b.fill("#f-password", "vera-long-password-1").await;
    b.fill("#f-passwordConfirm", "vera-long-password-1").await;
    b.click("#invitation-form button[type=submit]").await;
    for _ in 0..100 {
        if !b.url().await.contains("/invitation/") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    if b.url().await.contains("/login") {
        sign_in(
            &b,
            &company_url(&app, sub, "/login"),
            "vera@journey.example",
            "vera-long-password-1",
        )
        .await;
    }
    assert!(b.url().await.ends_with("/practice"), "{}", b.url().await);
    assert!(
        b.text("h1").await.starts_with("Today"),
        "{}",
        b.source().await
    );
    b.screenshot(&format!("{tag}-12-staff-dashboard")).await;
    b.goto(&company_url(&app, sub, "/practice/clients")).await;
    b.screenshot(&format!("{tag}-13-staff-clients")).await;
    b.goto(&company_url(&app, sub, "/administrator")).await;
    assert!(
        b.title().await.starts_with("403"),
        "a veterinarian in the administrator area: {}",
        b.title().await
    );
    let crawled = crawl(&b, &company_url(&app, sub, "/practice"), "veterinarian").await;
    assert!(crawled >= 5, "the staff crawl reached only {crawled} pages");
    b.click("form[action='/logout'] button[type=submit]").await;
    b.wait_url("/login").await;

    // The client sees their own pets and nobody else's.
    sign_in(
        &b,
        &company_url(&app, sub, "/login"),
        "cora@journey.example",
        PASSWORD,
    )
    .await;
    assert!(b.url().await.ends_with("/client"), "{}", b.url().await);
    let page = b.source().await;
    assert!(
        page.contains("Biscuit") && page.contains("Pepper"),
        "{page}"
    );
    assert!(!page.contains("Zorro"), "another client's pet is shown");
    b.screenshot(&format!("{tag}-14-client-portal")).await;
    b.goto(&company_url(&app, sub, "/practice/clients")).await;
    assert!(
        b.title().await.starts_with("403"),
        "a client in the staff pages: {}",
        b.title().await
    );
    let crawled = crawl(&b, &company_url(&app, sub, "/client"), "client").await;
    assert!(
        crawled >= 3,
        "the client crawl reached only {crawled} pages"
    );
    b.click("form[action='/logout'] button[type=submit]").await;
    b.wait_url("/login").await;

    // Company A's user cannot open company B's pages: B's host has no session for them, and
    // A's session carried over by hand is refused.
    b.goto(&company_url(&app, "other-vet", "/administrator"))
        .await;
    assert!(b.url().await.contains("/login"), "{}", b.url().await);
    assert!(b.source().await.contains("Company other-vet"));
    b.add_cookie("smartdmv_session", &admin_cookie).await;
    b.goto(&company_url(&app, "other-vet", "/administrator"))
        .await;
    assert!(b.title().await.starts_with("403"), "{}", b.title().await);
    assert!(
        b.source().await.contains("another company"),
        "{}",
        b.source().await
    );
    b.screenshot(&format!("{tag}-15-other-company-refused"))
        .await;
    b.quit().await;
}

async fn a_visitor_signs_up_in_the_browser_and_the_owner_sees_the_charts(backend: Backend) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let tag = if app.backend.is_pg() { "pg" } else { "sqlite" };
    crate::plans::create_plan(
        &app,
        crate::plans::plan_body("Basic", 4900, &[], None, None),
    )
    .await;
    let pro =
        crate::plans::create_plan(&app, crate::plans::plan_body("Pro", 14900, &[], None, None))
            .await;
    let pro_id = pro["id"].as_str().unwrap();

    // From the platform's sign-in page to the form.
    b.goto(&platform_url(&app, "/login")).await;
    b.click("#trial-link a").await;
    assert!(b.wait_for("#signup-form").await, "{}", b.source().await);
    b.fill("#f-companyName", "Browser Signup Vets").await;
    b.fill("#f-subdomain", "signup-vets").await;
    choose(&b, "#f-plan", pro_id).await;
    b.fill("#f-name", "Sam Founder").await;
    b.fill("#f-email", "sam@signup-vets.example").await;
    b.fill("#f-password", PASSWORD).await;
    b.screenshot(&format!("{tag}-20-signup")).await;
    b.click("#signup-form button[type=submit]").await;

    // The answer lands on the new company's host, signed in as its administrator.
    let url = b.wait_url("/administrator").await;
    assert_eq!(
        url,
        company_url(&app, "signup-vets", "/administrator"),
        "{}",
        b.source().await
    );
    assert_eq!(b.text("h1").await, "Company administration");
    assert!(b.text(".topbar .who").await.contains("Sam Founder"));
    assert!(
        b.text("#notice")
            .await
            .contains("verify your email address"),
        "{}",
        b.source().await
    );
    b.screenshot(&format!("{tag}-21-signup-landed")).await;

    // The owner sees the new company in the charts.
    let owner = &b;
    sign_in(owner, &platform_url(&app, "/login"), OWNER_EMAIL, PASSWORD).await;
    owner.goto(&platform_url(&app, "/owner/analytics")).await;
    assert_eq!(owner.text("h1").await, "Platform analytics");
    assert_eq!(owner.find_all("svg.chart[role=img]").await.len(), 4);
    assert_eq!(
        owner.find_all("svg.chart rect.bar").await.len(),
        1 + 24 + 2 + 1,
        "status, months, trials and schema bars"
    );
    assert!(
        owner.source().await.contains("Trial 1"),
        "the summary names it"
    );
    owner.screenshot(&format!("{tag}-22-owner-analytics")).await;
    owner.goto(&platform_url(&app, "/owner")).await;
    assert_eq!(owner.find_all("svg.chart rect.bar").await.len(), 24);
    owner
        .screenshot(&format!("{tag}-23-owner-dashboard-chart"))
        .await;
    b.quit().await;
}

async fn the_owner_prices_a_plan_and_a_company_admin_upgrades_in_the_browser(backend: Backend) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let tag = if app.backend.is_pg() { "pg" } else { "sqlite" };
    let basic = crate::plans::create_plan(
        &app,
        crate::plans::plan_body("Basic", 4900, &[], None, None),
    )
    .await;
    let company =
        crate::plans::create_company_on(&app, "browser-billing", basic["id"].as_str().unwrap())
            .await;
    let cid = company["id"].as_str().unwrap();
    crate::plans::company_admin(&app, cid, "cadmin@browser-billing.example").await;

    // The owner prices a new plan through the form.
    sign_in(&b, &platform_url(&app, "/login"), OWNER_EMAIL, PASSWORD).await;
    b.goto(&platform_url(&app, "/owner/plans/new")).await;
    b.fill("#f-name", "Growth").await;
    b.fill("#f-price", "129.50").await;
    b.fill("#f-currency", "USD").await;
    b.click("form[action='/owner/plans'] button[type=submit]")
        .await;
    // The form's own address also contains `/owner/plans`: wait for the answer's flash.
    assert!(
        b.wait_for_text("main", "The plan Growth was created.")
            .await,
        "{}",
        b.source().await
    );
    let url = b.url().await;
    assert!(url.ends_with("/owner/plans"), "{url}: {}", b.source().await);
    assert!(b.source().await.contains("USD 129.50"));
    b.screenshot(&format!("{tag}-30-owner-plans")).await;
    b.click("form[action='/logout'] button").await;
    b.wait_url("/login").await;

    // The company's own administrator signs in on the platform host, finds the subscription
    // from their company's page and upgrades to the new plan.
    sign_in(
        &b,
        &platform_url(&app, "/login"),
        "cadmin@browser-billing.example",
        PASSWORD,
    )
    .await;
    b.goto(&platform_url(&app, &format!("/owner/companies/{cid}")))
        .await;
    b.click(&format!("a[href='/owner/companies/{cid}/subscription']"))
        .await;
    assert!(
        b.wait_for_text("#subscription-plan", "Basic").await,
        "{}",
        b.source().await
    );
    let options = b.find_all("#f-planId option").await.len();
    assert!(options >= 2, "the plan choice offers the plans");
    let (s, plans) = app
        .owner_call(reqwest::Method::GET, "/api/owner/plans", None)
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{plans}");
    let growth_id = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Growth")
        .and_then(|p| p["id"].as_str())
        .expect("the plan made in the browser exists")
        .to_owned();
    choose(&b, "#f-planId", &growth_id).await;
    b.click(&format!(
        "form[action='/owner/companies/{cid}/subscription/plan'] button[type=submit]"
    ))
    .await;
    assert!(
        b.wait_for_text("#subscription-plan", "Growth").await,
        "{}",
        b.source().await
    );
    b.screenshot(&format!("{tag}-31-company-admin-subscription"))
        .await;
    let (s, sub) = app
        .owner_call(
            reqwest::Method::GET,
            &format!("/api/owner/companies/{cid}/subscription"),
            None,
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{sub}");
    assert_eq!(sub["plan"]["name"], "Growth", "{sub}");

    // Their invoices and usage open; the plans are the owner's.
    b.goto(&platform_url(
        &app,
        &format!("/owner/companies/{cid}/invoices"),
    ))
    .await;
    assert!(!b.title().await.starts_with("403"), "{}", b.source().await);
    b.goto(&platform_url(
        &app,
        &format!("/owner/companies/{cid}/usage"),
    ))
    .await;
    assert!(!b.title().await.starts_with("403"), "{}", b.source().await);
    b.screenshot(&format!("{tag}-32-company-admin-usage")).await;
    b.goto(&platform_url(&app, "/owner/plans")).await;
    assert!(b.title().await.starts_with("403"), "{}", b.title().await);
    b.quit().await;
}

async fn a_veterinarian_records_a_visit_in_the_browser(backend: Backend) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let tag = if app.backend.is_pg() { "pg" } else { "sqlite" };
    let sub = "record-vet";
    app.create_company(sub).await;
    let admin = app.admin_token(sub).await;
    let (_, ps) = app.tenant_get(sub, &admin, "/api/practices").await;
    let practice = ps["items"][0]["id"].as_str().unwrap().to_owned();
    let tz = jiff::tz::TimeZone::get(ps["items"][0]["timeZone"].as_str().unwrap()).unwrap();
    app.create_user_in(sub, &admin, "vet@record.example", "VETERINARIAN", &practice)
        .await;
    let (_, c) = app
        .tenant_post(
            sub,
            &admin,
            "/api/clients",
            serde_json::json!({"firstName": "Rita", "lastName": "Owner"}),
        )
        .await;
    let (_, pet) = app
        .tenant_post(
            sub,
            &admin,
            "/api/pets",
            serde_json::json!({"name": "Biscuit", "species": "dog", "ownerId": c["id"]}),
        )
        .await;
    // An appointment of today, in the practice's own day.
    let now = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() / 60 * 60).unwrap();
    let local = now.to_zoned(tz);
    let start = if local.hour() == 0 && local.minute() < 15 {
        now + jiff::SignedDuration::from_mins(10)
    } else {
        now - jiff::SignedDuration::from_mins(10)
    };
    let (s, a) = app
        .tenant_post(
            sub,
            &admin,
            "/api/appointments",
            serde_json::json!({"petId": pet["id"], "practiceId": practice, "startsAt": start.to_string(),
                               "durationMinutes": 30, "reason": "Limping"}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{a}");
    let appt = a["id"].as_str().unwrap();

    // The veterinarian checks the patient in from Today and lands on the visit.
    sign_in(
        &b,
        &company_url(&app, sub, "/login"),
        "vet@record.example",
        PASSWORD,
    )
    .await;
    b.goto(&company_url(&app, sub, "/practice")).await;
    assert!(
        b.wait_for(&format!("#appt-{appt}")).await,
        "{}",
        b.source().await
    );
    b.click(&format!(
        "#appt-{appt} form:has(input[value='checked_in']) button"
    ))
    .await;
    let url = b.wait_url("/practice/visits/").await;
    assert!(url.contains("/practice/visits/"), "{url}");
    b.screenshot(&format!("record-visit-open-{tag}")).await;

    // A note with vitals, signed.
    b.fill("#new-subjective", "Lame on the left hind since Sunday")
        .await;
    b.fill("#new-assessment", "Soft-tissue sprain of the hock")
        .await;
    b.fill("#new-plan", "Rest for a week").await;
    b.fill("#new-temp", "38.6").await;
    b.fill("#new-weight", "12.3").await;
    b.click("#save-note").await;
    assert!(
        b.wait_for("button[id^='sign-']").await,
        "{}",
        b.source().await
    );
    b.click("button[id^='sign-']").await;
    assert!(
        b.wait_for_text("[id^='note-status-']", "signed").await,
        "{}",
        b.source().await
    );
    // An addendum to the locked note.
    b.click("article.note details summary").await;
    b.fill("textarea[id^='add-text-']", "Radiographs: no fracture")
        .await;
    b.fill("input[id^='add-reason-']", "Results came back")
        .await;
    b.click("button[id^='add-addendum-']").await;
    assert!(
        b.wait_for_text("ol.addenda", "Radiographs: no fracture")
            .await,
        "{}",
        b.source().await
    );
    // An image, uploaded and shown.
    let dir = std::env::temp_dir().join(format!("smartdmv-upload-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hock.png");
    std::fs::write(&file, crate::medical::PNG).unwrap();
    b.choose_file("#upload-file", &file).await;
    b.click("#upload").await;
    assert!(
        b.wait_for_text("#attachments", "hock.png").await,
        "{}",
        b.source().await
    );
    let _ = std::fs::remove_dir_all(&dir);
    b.screenshot(&format!("record-visit-recorded-{tag}")).await;

    // All of it on the patient's timeline.
    b.click("#patient-history").await;
    assert!(b.wait_for("#timeline").await, "{}", b.source().await);
    let timeline = b.text("#timeline").await;
    for needle in [
        "Soft-tissue sprain of the hock",
        "Addendum: Radiographs: no fracture",
        "Weight 12.3 kg",
        "Attachment: hock.png",
        "Visit: Limping",
    ] {
        assert!(timeline.contains(needle), "{needle} in {timeline}");
    }
    b.screenshot(&format!("record-timeline-{tag}")).await;
    b.quit().await;
}
