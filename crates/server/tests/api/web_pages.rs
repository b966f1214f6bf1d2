//! The page-permission matrix: every page of `web::pages()` for every role, on both hosts.
//! Like the API's matrix, a page added without a fixture for its ids fails here.

use reqwest::StatusCode;
use serde_json::json;
use smartdmv_server::web::chrome::Area;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, ROLES, TestApp};
use crate::matrix::{Fixtures, fixtures};
use crate::plans::company_admin;
use crate::web::WebSession;

const SUB: &str = "pages-vet";

/// Who may enter each area, by company role (an independent statement of the rule, not the
/// server's own function).
fn admits(area: Area, role: &str) -> bool {
    match area {
        Area::Administrator => role == "ADMINISTRATOR",
        Area::PracticeAdministrator => matches!(role, "ADMINISTRATOR" | "PRACTICE_ADMINISTRATOR"),
        Area::Staff => role != "CLIENT",
        Area::Client => role == "CLIENT",
        Area::Owner | Area::Public => false,
    }
}

/// Staff pages of the medical record, which need `soap-notes:read`: receptionists do not
/// hold it and get 403 there (an independent statement of the rule).
const CLINICAL_PAGES: [&str; 2] = [
    "/practice/visits/{visit}",
    "/practice/patients/{patient}/history",
];

/// The owner pages a COMPANY_ADMIN may open: their own company's page, its subscription,
/// invoices and usage, and an invoice of their company (an independent statement of the
/// rule, not the server's own function). Every other owner page answers them 403.
const COMPANY_ADMIN_PAGES: [&str; 5] = [
    "/owner/companies/{company}",
    "/owner/companies/{company}/subscription",
    "/owner/companies/{company}/invoices",
    "/owner/companies/{company}/usage",
    "/owner/invoices/{invoice}",
];

/// The platform billing records the owner pages name: a plan and an invoice of the company.
struct Billing {
    plan: String,
    invoice: String,
}

fn fill(pattern: &str, f: &Fixtures, company: &str, b: &Billing) -> String {
    let mut out = String::new();
    for seg in pattern.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(match seg {
            "{company}" => company,
            "{plan}" => &b.plan,
            "{invoice}" => &b.invoice,
            "{practice}" => &f.practice,
            "{user}" => &f.victim,
            "{role}" => &f.role,
            "{client}" => &f.client,
            "{patient}" => &f.pet,
            "{appointment}" => &f.appointment,
            "{visit}" => &f.visit,
            s if s.starts_with('{') => panic!("no fixture for {s} in {pattern}: extend fill()"),
            s => s,
        });
    }
    if out.is_empty() { "/".into() } else { out }
}

fn is_sign_in_redirect(r: &crate::web::PageResp) -> bool {
    r.status == StatusCode::SEE_OTHER && r.location.starts_with("/login")
}

async fn every_page_answers_each_role_by_its_area(b: Backend) {
    let app = TestApp::spawn(b).await;
    let company = app.create_company(SUB).await;
    let cid = company["id"].as_str().unwrap().to_owned();
    let other = app.create_company("pages-other").await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    let admin = app.admin_token(SUB).await;
    let (_, practices) = app.tenant_get(SUB, &admin, "/api/practices").await;
    let practice = practices["items"][0]["id"].as_str().unwrap().to_owned();
    let mut f = fixtures(&app, &cid, SUB, &admin, &practice, "pagesfixture1").await;
    // A plan with every feature and no limit (so that it closes no page), and the company
    // subscribed to it, paying at once: its first invoice.
    let every_feature: Vec<&str> = smartdmv_domain::plan::Feature::ALL
        .iter()
        .map(|f| f.as_str())
        .collect();
    let plan = crate::plans::create_plan(
        &app,
        crate::plans::plan_body("Pages", 4900, &every_feature, None, None),
    )
    .await;
    let plan = plan["id"].as_str().unwrap().to_owned();
    let (s, v) = app.put_subscription_of(&cid, json!({"planId": plan})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .owner_get(&format!("/api/owner/companies/{cid}/invoices"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let billing = Billing {
        plan,
        invoice: v["items"][0]["id"].as_str().unwrap().to_owned(),
    };
    // The appointment of the pages is the fixture pet's, so that its owner's portal shows it.
    let tomorrow = (smartdmv_store::Stamp::now() + jiff::SignedDuration::from_hours(24)).date();
    let (s, a) = app
        .tenant_post(
            SUB,
            &admin,
            "/api/appointments",
            json!({"petId": f.pet, "practiceId": practice, "typeId": f.appointment_type,
                          "startsAt": format!("{tomorrow}T09:00:00Z")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    f.appointment = a["id"].as_str().unwrap().to_owned();

    // One browser per company role; the client's portal account owns the fixture pet.
    let mut sessions = Vec::new();
    for role in ROLES {
        let email = format!("{}@pages.example", role.to_lowercase());
        if role == "CLIENT" {
            let (s, v) = app
                .tenant_post(
                    SUB,
                    &admin,
                    &format!("/api/clients/{}/portal-account", f.client),
                    json!({"email": email, "password": PASSWORD}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        } else {
            app.create_user_in(SUB, &admin, &email, role, &practice)
                .await;
        }
        let mut web = WebSession::company(&app, SUB);
        web.sign_in(&email, PASSWORD).await;
        sessions.push((role, web));
    }
    let mut owner = WebSession::platform(&app);
    owner.sign_in(crate::helpers::OWNER_EMAIL, PASSWORD).await;
    company_admin(&app, &cid, "cadmin@pages.example").await;
    let mut cadmin = WebSession::platform(&app);
    cadmin.sign_in("cadmin@pages.example", PASSWORD).await;
    let mut anon_platform = WebSession::platform(&app);
    let mut anon_company = WebSession::company(&app, SUB);

    let pages = smartdmv_server::web::pages();
    assert!(pages.len() > 3, "the page list is empty");
    let mut checked = 0;
    for (pattern, area) in pages {
        let path = fill(pattern, &f, &cid, &billing);
        match area {
            Area::Public => continue,
            Area::Owner => {
                let r = anon_platform.get(&path).await;
                assert!(is_sign_in_redirect(&r), "signed out {path}: {r:?}");
                let r = owner.get(&path).await;
                assert_eq!(r.status, StatusCode::OK, "owner {path}: {}", r.body);
                assert!(
                    r.body.contains("<main id=\"main\">"),
                    "owner {path} renders its layout"
                );
                let r = cadmin.get(&path).await;
                let own_page = COMPANY_ADMIN_PAGES.contains(&pattern);
                let want = if own_page {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(r.status, want, "company admin {path}: {}", r.body);
                // Owner pages do not exist on a company's host.
                for (role, web) in sessions.iter_mut() {
                    let r = web.get(&path).await;
                    assert_eq!(
                        r.status,
                        StatusCode::NOT_FOUND,
                        "{role} {path} on company host"
                    );
                }
            }
            _ => {
                let r = anon_company.get(&path).await;
                assert!(is_sign_in_redirect(&r), "signed out {path}: {r:?}");
                for (role, web) in sessions.iter_mut() {
                    let r = web.get(&path).await;
                    let clinical_refused =
                        CLINICAL_PAGES.contains(&pattern) && *role == "RECEPTIONIST";
                    let want = if admits(area, role) && !clinical_refused {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(r.status, want, "{role} {path}: {}", r.body);
                }
                // Company pages do not exist on the platform host.
                let r = owner.get(&path).await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_FOUND,
                    "owner {path} on platform host"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} pages checked");
    // Every company page refuses the session of another company's user: the company
    // administrator's cookie sent to the other company's host.
    let (_, admin_web) = sessions
        .iter_mut()
        .find(|(r, _)| *r == "ADMINISTRATOR")
        .unwrap();
    admin_web.on_host("pages-other");
    for (pattern, area) in smartdmv_server::web::pages() {
        if matches!(area, Area::Public | Area::Owner) {
            continue;
        }
        let r = admin_web.get(&fill(pattern, &f, &cid, &billing)).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{pattern} on another company's host"
        );
        assert!(r.has("another company"), "{pattern}: {}", r.body);
        assert!(
            !r.has("Company pages-other"),
            "{pattern} shows the other company"
        );
    }
    // A company administrator sees their own company, not another one.
    for page in COMPANY_ADMIN_PAGES
        .iter()
        .filter(|p| p.contains("{company}"))
    {
        let path = page.replace("{company}", &other_id);
        let r = cadmin.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(!r.body.contains("pages-other"), "{path}");
    }
}

both_backends!(every_page_answers_each_role_by_its_area);
