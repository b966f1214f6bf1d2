//! The owner dashboard's billing pages, driven like a browser on the platform host: plans,
//! the new-company form's plan, a company's subscription, invoices and usage, and what a
//! company administrator may see and do there. Results are checked through the API too.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::billing::support::{first_invoice_id, invoices};
use crate::both_backends;
use crate::helpers::{Backend, OWNER_EMAIL, Options, PASSWORD, TestApp, json, strs};
use crate::plans::{company_admin, create_company_on, create_plan, plan_body};
use crate::web::{PageResp, WebSession, last_segment};

both_backends!(
    owner_creates_edits_retires_and_deletes_plans_through_the_pages,
    a_plan_in_use_cannot_be_deleted_and_the_page_says_why,
    new_company_form_offers_the_active_plans_and_the_company_page_names_its_plan,
    the_subscription_page_starts_upgrades_and_refuses_a_plan_the_company_has_outgrown,
    billing_and_contact_details_and_cancellation_are_saved_from_the_subscription_page,
    billing_runs_from_the_invoices_page_and_a_manual_payment_settles_an_invoice,
    an_invoice_is_written_off_and_voided_with_a_reason_by_a_credit_note,
    the_usage_page_shows_use_against_limits_and_the_owner_sets_overrides,
    company_admins_use_their_own_billing_pages_and_no_others,
    company_admins_may_write_only_the_branding_setting,
    unapplied_payments_are_shown_and_resolved_from_the_invoices_page,
);

async fn owner_web(app: &TestApp) -> WebSession<'_> {
    let mut web = WebSession::platform(app);
    web.sign_in(OWNER_EMAIL, PASSWORD).await;
    web
}

/// Sends an owner API request; answers status and JSON.
async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (s, v) = app.owner_get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v
}

/// The text of the page after the element with `id` (its content and a little more).
fn after_id<'b>(r: &'b PageResp, id: &str) -> &'b str {
    let at = r
        .body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}: {}", r.body));
    let end = (at + 400).min(r.body.len());
    let end = (end..r.body.len())
        .find(|i| r.body.is_char_boundary(*i))
        .unwrap_or(r.body.len());
    &r.body[at..end]
}

fn plan_form<'f>(name: &'f str, price: &'f str) -> Vec<(&'f str, &'f str)> {
    vec![
        ("name", name),
        ("interval", "monthly"),
        ("price", price),
        ("currency", "USD"),
        ("maxPractices", ""),
        ("maxUsers", ""),
        ("storageGb", ""),
        ("apiCallsPerMonth", ""),
    ]
}

fn at_april(b: Backend) -> impl std::future::Future<Output = TestApp> {
    TestApp::spawn_at(b, "2026-04-01T00:00:00Z")
}

async fn owner_creates_edits_retires_and_deletes_plans_through_the_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut web = owner_web(&app).await;
    let form = web.get("/owner/plans/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for f in smartdmv_domain::plan::Feature::ALL {
        assert!(
            form.has(&format!("name=\"features\" value=\"{}\"", f.as_str())),
            "a checkbox for {f}"
        );
    }

    // A price with three decimals is refused beside its field; nothing is created.
    let mut bad = plan_form("Basic", "49.999");
    bad.push(("features", "client_portal"));
    let r = web.post("/owner/plans", &bad).await;
    r.assert_field_error("price");
    assert!(r.has("value=\"Basic\""), "the form keeps its values");
    assert!(
        r.has("value=\"client_portal\" checked"),
        "the ticked feature stays ticked"
    );
    // The API's own validation comes back beside the field too.
    let mut bad = plan_form("Basic", "49.00");
    bad.retain(|(k, _)| *k != "currency");
    bad.push(("currency", "usd"));
    let r = web.post("/owner/plans", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(after_id(&r, "f-currency-error").contains("ISO 4217"));
    let v = get_ok(&app, "/api/owner/plans").await;
    assert_eq!(v["items"], json!([]));

    let mut good = plan_form("Basic", "49.00");
    good.retain(|(k, _)| !matches!(*k, "maxUsers" | "storageGb"));
    good.extend([
        ("features", "client_portal"),
        ("features", "data_import"),
        ("maxUsers", "5"),
        ("storageGb", "1.5"),
    ]);
    let r = web.post("/owner/plans", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/owner/plans");
    let list = web.follow(r).await;
    assert!(
        list.has("Basic") && list.has("USD 49.00 / monthly"),
        "{}",
        list.body
    );
    assert!(list.has("1.5 GB") && list.has("client portal, data import"));
    let v = get_ok(&app, "/api/owner/plans").await;
    let plan = &v["items"][0];
    assert_eq!(plan["priceCents"], 4900);
    assert_eq!(plan["features"], json!(["client_portal", "data_import"]));
    assert_eq!(
        plan["limits"],
        json!({"maxPractices": null, "maxUsers": 5, "storageBytes": 1_500_000_000_i64,
               "apiCallsPerMonth": null})
    );
    let id = plan["id"].as_str().unwrap().to_owned();

    // Editing: the form shows the plan; a blank limit becomes unlimited.
    let page = web.get(&format!("/owner/plans/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.has("value=\"49.00\"") && page.has("value=\"1.5\""),
        "{}",
        page.body
    );
    let mut edit = plan_form("Basic Plus", "59.50");
    edit.push(("features", "client_portal"));
    let r = web.post(&format!("/owner/plans/{id}"), &edit).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = get_ok(&app, &format!("/api/owner/plans/{id}")).await;
    assert_eq!(v["name"], "Basic Plus");
    assert_eq!(v["priceCents"], 5950);
    assert_eq!(v["features"], json!(["client_portal"]));
    assert_eq!(v["limits"]["maxUsers"], Value::Null);
    assert_eq!(v["limits"]["storageBytes"], Value::Null);

    // Retire, then reactivate.
    let r = web
        .post(&format!("/owner/plans/{id}/active"), &[("active", "false")])
        .await;
    let page = web.follow(r).await;
    assert!(after_id(&page, "plan-state").contains("retired"));
    assert_eq!(
        get_ok(&app, &format!("/api/owner/plans/{id}")).await["active"],
        false
    );
    assert!(web.get("/owner/plans").await.has(">retired<"));
    web.post(&format!("/owner/plans/{id}/active"), &[("active", "true")])
        .await;
    assert_eq!(
        get_ok(&app, &format!("/api/owner/plans/{id}")).await["active"],
        true
    );

    // A plan nobody uses is deleted.
    let r = web.post(&format!("/owner/plans/{id}/delete"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/owner/plans");
    let (s, _) = app.get_plan(&id).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        web.get(&format!("/owner/plans/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_plan_in_use_cannot_be_deleted_and_the_page_says_why(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(&app, plan_body("Used", 4900, &[], None, None)).await;
    let id = plan["id"].as_str().unwrap();
    create_company_on(&app, "used-vet", id).await;
    let mut web = owner_web(&app).await;
    let r = web.post(&format!("/owner/plans/{id}/delete"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        after_id(&r, "plan-error").contains("in use"),
        "the API's refusal is shown: {}",
        r.body
    );
    assert!(r.has("role=\"alert\""));
    let v = get_ok(&app, &format!("/api/owner/plans/{id}")).await;
    assert_eq!(v["name"], "Used");
    assert!(web.get("/owner/plans").await.has("Used"));
    // Its interval cannot change either while in use: refused the same way.
    let mut edit = plan_form("Used", "49.00");
    edit.retain(|(k, _)| *k != "interval");
    edit.push(("interval", "yearly"));
    let r = web.post(&format!("/owner/plans/{id}"), &edit).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(after_id(&r, "plan-error").contains("interval"));
    assert_eq!(
        get_ok(&app, &format!("/api/owner/plans/{id}")).await["interval"],
        "monthly"
    );
}

async fn new_company_form_offers_the_active_plans_and_the_company_page_names_its_plan(b: Backend) {
    let app = TestApp::spawn(b).await;
    let basic = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let old = create_plan(&app, plan_body("Old", 1900, &[], None, None)).await;
    let basic_id = basic["id"].as_str().unwrap();
    let (s, _) = app
        .patch_plan(old["id"].as_str().unwrap(), json!({"active": false}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut web = owner_web(&app).await;
    let form = web.get("/owner/companies/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let select = after_id(&form, "f-plan");
    assert!(
        select.starts_with("id=\"f-plan\" name=\"plan\""),
        "{select}"
    );
    assert!(form.has(&format!(
        "<option value=\"{basic_id}\">Basic — USD 49.00 / monthly"
    )));
    assert!(form.has("<option value=\"\" selected>No plan</option>"));
    assert!(!form.has("Old —"), "a retired plan is not offered");

    let r = web
        .post(
            "/owner/companies",
            &[
                ("name", "Planned Vet"),
                ("subdomain", "planned-vet"),
                ("contactEmail", "office@planned.example"),
                ("plan", basic_id),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cid = last_segment(&r.location);
    let page = web.follow(r).await;
    let plan = after_id(&page, "company-plan");
    assert!(
        plan.contains(&format!("<a href=\"/owner/plans/{basic_id}\">Basic</a>")),
        "{plan}"
    );
    assert_eq!(app.company(&cid).await["plan"], basic_id);
    assert!(page.has(&format!("/owner/companies/{cid}/subscription")));
    // The company list names the plan too.
    let list = web.get("/owner/companies").await;
    assert!(list.has("<td>Basic</td>"), "{}", list.body);
    // Without a plan: allowed, and the page says none.
    let r = web
        .post(
            "/owner/companies",
            &[
                ("name", "Free Vet"),
                ("subdomain", "free-vet"),
                ("contactEmail", "office@free.example"),
                ("plan", ""),
            ],
        )
        .await;
    let page = web.follow(r).await;
    assert!(after_id(&page, "company-plan").starts_with("id=\"company-plan\">none"));
}

async fn the_subscription_page_starts_upgrades_and_refuses_a_plan_the_company_has_outgrown(
    b: Backend,
) {
    let app = at_april(b).await;
    let basic = create_plan(&app, plan_body("Basic", 3000, &[], None, Some(5))).await;
    let pro = create_plan(&app, plan_body("Pro", 9000, &[], None, None)).await;
    let solo = create_plan(&app, plan_body("Solo", 1000, &[], None, Some(1))).await;
    let (basic_id, pro_id, solo_id) = (
        basic["id"].as_str().unwrap(),
        pro["id"].as_str().unwrap(),
        solo["id"].as_str().unwrap(),
    );
    let cid = app.create_company("sub-vet").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/owner/companies/{cid}/subscription");
    let mut web = owner_web(&app).await;
    let page = web.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.has("id=\"subscription-none\""));
    assert!(page.has("Start a subscription"));

    // Started by the owner, paying at once: the first period is invoiced.
    let r = web
        .post(
            &format!("{path}/start"),
            &[("startPlanId", basic_id), ("trialDays", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.follow(r).await;
    assert!(page.has("first period was invoiced"), "{}", page.body);
    assert!(after_id(&page, "subscription-status").contains("ACTIVE"));
    assert!(after_id(&page, "subscription-plan").contains("Basic"));
    assert!(
        !page.has("Start a subscription"),
        "one subscription at a time"
    );
    assert_eq!(invoices(&app, &cid).await.len(), 1);
    // Each plan says what choosing it does.
    assert!(page.has("Pro — USD 90.00 / monthly (upgrade: takes effect now"));
    assert!(
        page.has(
            "Solo — USD 10.00 / monthly (downgrade: takes effect at the period end, 2026-05-01)"
        )
    );

    // An upgrade ten days before the period end: the plan changes now, prorated.
    app.clock.set("2026-04-21T00:00:00Z".parse().unwrap());
    let r = web
        .post(&format!("{path}/plan"), &[("planId", pro_id)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.follow(r).await;
    assert!(page.has("The plan is now Pro."), "{}", page.body);
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["plan"]["name"], "Pro");
    let all = invoices(&app, &cid).await;
    assert_eq!(all.len(), 2);
    let up = get_ok(
        &app,
        &format!("/api/owner/invoices/{}", all[1]["id"].as_str().unwrap()),
    )
    .await;
    let kinds: Vec<&str> = strs(&up["lines"], "kind");
    assert_eq!(kinds, ["proration_credit", "proration_charge"]);
    // The invoice page shows the proration lines.
    let inv = web
        .get(&format!(
            "/owner/invoices/{}",
            all[1]["id"].as_str().unwrap()
        ))
        .await;
    assert!(inv.has("proration credit") && inv.has("proration charge"));
    assert!(
        inv.has("USD -10.00") && inv.has("USD 30.00"),
        "{}",
        inv.body
    );

    // A downgrade the company's usage exceeds: three staff users against Solo's one.
    let admin = app.admin_token("sub-vet").await;
    for email in ["v1@sub.example", "v2@sub.example"] {
        app.create_user("sub-vet", &admin, email, "VETERINARIAN")
            .await;
    }
    let r = web
        .post(&format!("{path}/plan"), &[("planId", solo_id)])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let err = after_id(&r, "f-planId-error");
    assert!(
        err.contains("maxUsers"),
        "the refusal is beside the plan: {err}"
    );
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["plan"]["name"], "Pro");
    assert_eq!(sub["pendingPlan"], Value::Null);

    // A downgrade that fits waits for the period end.
    let r = web
        .post(&format!("{path}/plan"), &[("planId", basic_id)])
        .await;
    let page = web.follow(r).await;
    assert!(
        page.has("Basic takes over at the end of the period, 2026-05-01."),
        "{}",
        page.body
    );
    assert!(after_id(&page, "subscription-pending").contains("Basic"));
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["plan"]["name"], "Pro");
    assert_eq!(sub["pendingPlan"]["name"], "Basic");
}

async fn billing_and_contact_details_and_cancellation_are_saved_from_the_subscription_page(
    b: Backend,
) {
    let app = at_april(b).await;
    let plan = create_plan(&app, plan_body("Basic", 3000, &[], None, None)).await;
    let cid = create_company_on(&app, "details-vet", plan["id"].as_str().unwrap()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/owner/companies/{cid}/subscription");
    let mut web = owner_web(&app).await;

    let billing = |email: &'static str| {
        [
            ("billingEmail", email),
            ("billingName", "Details Vet LLC"),
            ("billingAddress", "1 Main St\nSpringfield"),
            ("billingTaxId", "US-123"),
        ]
    };
    let r = web
        .post(&format!("{path}/billing"), &billing("not-an-email"))
        .await;
    r.assert_field_error("billingEmail");
    assert!(
        r.has("value=\"Details Vet LLC\""),
        "the form keeps its values"
    );
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["billing"]["name"], Value::Null);
    let r = web
        .post(&format!("{path}/billing"), &billing("ap@details.example"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(
        sub["billing"],
        json!({"email": "ap@details.example", "name": "Details Vet LLC",
               "address": "1 Main St\nSpringfield", "taxId": "US-123"})
    );
    let page = web.get(&path).await;
    assert!(page.has("value=\"US-123\"") && page.has(">1 Main St\nSpringfield</textarea>"));
    // A blank field clears it.
    let r = web
        .post(
            &format!("{path}/billing"),
            &[
                ("billingEmail", "ap@details.example"),
                ("billingName", "Details Vet LLC"),
                ("billingAddress", "1 Main St"),
                ("billingTaxId", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["billing"]["taxId"], Value::Null);

    // The company's contact details, through the companies API.
    let r = web
        .post(
            &format!("{path}/contact"),
            &[("contactEmail", "nope"), ("contactPhone", "")],
        )
        .await;
    r.assert_field_error("contactEmail");
    let r = web
        .post(
            &format!("{path}/contact"),
            &[
                ("contactEmail", "front@details.example"),
                ("contactPhone", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = app.company(&cid).await;
    assert_eq!(c["contactEmail"], "front@details.example");
    assert_eq!(c["contactPhone"], Value::Null);

    // Cancel at the period end, then undo it.
    let r = web
        .post(&format!("{path}/cancel"), &[("cancelAtPeriodEnd", "true")])
        .await;
    let page = web.follow(r).await;
    assert!(after_id(&page, "subscription-renewal").contains("cancelled"));
    assert!(page.has("Keep the subscription"));
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["cancelAtPeriodEnd"], true);
    web.post(&format!("{path}/cancel"), &[("cancelAtPeriodEnd", "false")])
        .await;
    let sub = get_ok(&app, &format!("/api/owner/companies/{cid}/subscription")).await;
    assert_eq!(sub["cancelAtPeriodEnd"], false);
}

/// A company subscribed to a 30.00 plan on 2026-04-01, paying at once; answers its id.
async fn paying_company(app: &TestApp, subdomain: &str) -> String {
    let plan = create_plan(app, plan_body("Basic", 3000, &[], None, None)).await;
    let cid = app.create_company(subdomain).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = app
        .put_subscription_of(&cid, json!({"planId": plan["id"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    cid
}

async fn billing_runs_from_the_invoices_page_and_a_manual_payment_settles_an_invoice(b: Backend) {
    let app = at_april(b).await;
    let cid = paying_company(&app, "pay-vet").await;
    let mut web = owner_web(&app).await;
    let first = invoices(&app, &cid).await[0].clone();
    let list = web.get("/owner/invoices").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has(first["number"].as_str().unwrap()));
    assert!(list.has("Company pay-vet"), "the company is named");

    // The first invoice is paid by bank transfer, recorded on its page.
    let r = web
        .post(
            &format!("/owner/invoices/{}/payments", first["id"].as_str().unwrap()),
            &[("amount", "30.00"), ("reference", "TR-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // At the period end, "run billing now" renews the period and issues its invoice.
    app.clock.set("2026-05-01T00:00:00Z".parse().unwrap());
    let r = web.post("/owner/billing/run", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = web.follow(r).await;
    assert!(
        list.has("Billing ran for 2026-05-01 00:00 UTC"),
        "{}",
        list.body
    );
    assert!(list.has("1 invoices issued"), "{}", list.body);
    let all = invoices(&app, &cid).await;
    assert_eq!(all.len(), 2);
    let second = all[1].clone();
    assert!(list.has(second["number"].as_str().unwrap()));
    // The company's own list, filtered by status.
    let open = web
        .get(&format!("/owner/companies/{cid}/invoices?status=OPEN"))
        .await;
    assert!(open.has(second["number"].as_str().unwrap()));
    assert!(
        !open.has(first["number"].as_str().unwrap()),
        "{}",
        open.body
    );

    // The invoice page: lines, totals, and the payment form.
    let id = second["id"].as_str().unwrap();
    let path = format!("/owner/invoices/{id}");
    let page = web.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("2026-05-01 to 2026-06-01"), "{}", page.body);
    assert!(after_id(&page, "invoice-total").contains("USD 30.00"));
    assert!(after_id(&page, "invoice-due").contains("USD 30.00"));
    assert!(page.has("value=\"30.00\""), "the amount due is proposed");
    let r = web
        .post(
            &format!("{path}/payments"),
            &[("amount", "thirty"), ("reference", "TR-2")],
        )
        .await;
    r.assert_field_error("amount");
    let r = web
        .post(
            &format!("{path}/payments"),
            &[("amount", "30.00"), ("reference", "")],
        )
        .await;
    r.assert_field_error("reference");
    let r = web
        .post(
            &format!("{path}/payments"),
            &[("amount", "31.00"), ("reference", "TR-2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(after_id(&r, "f-amount-error").contains("still due"));
    let r = web
        .post(
            &format!("{path}/payments"),
            &[("amount", "30"), ("reference", "TR-2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.follow(r).await;
    assert!(after_id(&page, "invoice-status").contains("PAID"));
    assert!(page.has("TR-2") && page.has("manual"));
    assert!(
        !page.has("Record a payment"),
        "a paid invoice takes no payment"
    );
    let v = get_ok(&app, &format!("/api/owner/invoices/{id}")).await;
    assert_eq!(v["status"], "PAID");
    assert_eq!(v["amountPaidCents"], 3000);
    assert_eq!(v["payments"][0]["reference"], "TR-2");
}

async fn an_invoice_is_written_off_and_voided_with_a_reason_by_a_credit_note(b: Backend) {
    let app = at_april(b).await;
    let cid = paying_company(&app, "void-vet").await;
    let id = first_invoice_id(&app, &cid).await;
    let path = format!("/owner/invoices/{id}");
    let mut web = owner_web(&app).await;
    // Written off first: uncollectible, and still voidable.
    let r = web.post(&format!("{path}/write-off"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.follow(r).await;
    assert!(after_id(&page, "invoice-status").contains("UNCOLLECTIBLE"));
    assert!(
        !page.has("Write the invoice off"),
        "only an open invoice is written off"
    );
    let r = web.post(&format!("{path}/write-off"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the API's refusal: {}",
        r.body
    );
    assert!(after_id(&r, "invoice-error").contains("only an open invoice"));
    let r = web.post(&format!("{path}/void"), &[("reason", "  ")]).await;
    r.assert_field_error("reason");
    assert_eq!(
        get_ok(&app, &format!("/api/owner/invoices/{id}")).await["status"],
        "UNCOLLECTIBLE"
    );
    let r = web
        .post(&format!("{path}/void"), &[("reason", "Billed twice")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.follow(r).await;
    assert!(after_id(&page, "invoice-status").contains("VOID"));
    assert!(after_id(&page, "credit-note-reason").contains("Billed twice"));
    assert!(
        !page.has("Void the invoice"),
        "a void invoice cannot be voided again"
    );
    let v = get_ok(&app, &format!("/api/owner/invoices/{id}")).await;
    assert_eq!(v["status"], "VOID");
    assert_eq!(v["creditNote"]["reason"], "Billed twice");
}

async fn the_usage_page_shows_use_against_limits_and_the_owner_sets_overrides(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(
        &app,
        json!({"name": "Metered", "interval": "monthly", "priceCents": 4900, "currency": "USD",
               "features": ["client_portal"],
               "limits": {"maxPractices": null, "maxUsers": 5, "storageBytes": 5_000_000_000_i64,
                          "apiCallsPerMonth": 1000}}),
    )
    .await;
    let cid = create_company_on(&app, "meter-vet", plan["id"].as_str().unwrap()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A setting of another kind, which the overrides must keep.
    let (s, v) = app
        .put_company(
            &cid,
            json!({"settings": {"branding": {"primaryColor": "#112233"}}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let path = format!("/owner/companies/{cid}/usage");
    let mut web = owner_web(&app).await;
    let r = web.post(&format!("{path}/recount"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = web.follow(r).await;
    assert!(page.has("Recounted: 1 active staff users"), "{}", page.body);
    assert!(after_id(&page, "usage-users").contains("1 of 5"));
    assert!(after_id(&page, "usage-practices").contains("1 (unlimited)"));
    assert!(after_id(&page, "usage-storage").contains("of 5 GB"));
    assert!(after_id(&page, "usage-api-calls").contains("of 1000"));
    assert!(page.has("plan Metered"));

    // An earlier month, with a way back.
    let page = web.get(&format!("{path}?month=2026-01")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has(">2026-01<"), "{}", page.body);
    assert!(after_id(&page, "usage-users").contains("0 of 5"));
    assert!(page.has("?month=2025-12") && page.has("?month=2026-02"));
    assert_eq!(
        web.get(&format!("{path}?month=January")).await.status,
        StatusCode::BAD_REQUEST
    );

    // Overrides: a limit that is not a number is refused beside it, and nothing is saved.
    let mut overrides = vec![
        ("mode-maxPractices", "unlimited"),
        ("value-maxPractices", ""),
        ("mode-maxUsers", "set"),
        ("value-maxUsers", "seven"),
        ("mode-storageBytes", "plan"),
        ("value-storageBytes", ""),
        ("mode-apiCallsPerMonth", "plan"),
        ("value-apiCallsPerMonth", ""),
        ("feature-client_portal", "off"),
        ("feature-data_import", "on"),
        ("feature-custom_roles", "plan"),
    ];
    let r = web
        .post(&format!("/owner/companies/{cid}/overrides"), &overrides)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("id=\"f-value-maxUsers-error\""));
    assert!(r.has("value=\"seven\""), "the form keeps its values");
    assert!(app.company(&cid).await["settings"].get("limits").is_none());
    overrides[3] = ("value-maxUsers", "7");
    let r = web
        .post(&format!("/owner/companies/{cid}/overrides"), &overrides)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let settings = app.company(&cid).await["settings"].clone();
    assert_eq!(
        settings["limits"],
        json!({"maxPractices": null, "maxUsers": 7})
    );
    assert_eq!(
        settings["features"],
        json!({"client_portal": false, "data_import": true})
    );
    assert_eq!(
        settings["branding"]["primaryColor"], "#112233",
        "{settings}"
    );
    let page = web.get(&path).await;
    assert!(after_id(&page, "usage-users").contains("1 of 7"));
    assert!(page.has("<option value=\"set\" selected>"));
    // Back to the plan's limits: the overrides are removed.
    let plan_only: Vec<(&str, &str)> = overrides
        .iter()
        .map(|(k, v)| match *k {
            k if k.starts_with("mode-") || k.starts_with("feature-") => (k, "plan"),
            k => (k, *v),
        })
        .collect();
    web.post(&format!("/owner/companies/{cid}/overrides"), &plan_only)
        .await;
    let settings = app.company(&cid).await["settings"].clone();
    assert_eq!(settings["limits"], json!({}));
    assert_eq!(settings["features"], json!({}));
    assert!(after_id(&web.get(&path).await, "usage-users").contains("1 of 5"));
}

async fn company_admins_use_their_own_billing_pages_and_no_others(b: Backend) {
    let app = at_april(b).await;
    let mine = paying_company(&app, "mine-vet").await;
    let pro = create_plan(&app, plan_body("Pro", 9000, &[], None, None)).await;
    let other = app.create_company("other-vet").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = app
        .put_subscription_of(&other, json!({"planId": pro["id"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let my_invoice = first_invoice_id(&app, &mine).await;
    let other_invoice = first_invoice_id(&app, &other).await;
    company_admin(&app, &mine, "ca@mine.example").await;
    let mut ca = WebSession::platform(&app);
    ca.sign_in("ca@mine.example", PASSWORD).await;

    // Their own pages, with their company's navigation.
    let page = ca
        .get(&format!("/owner/companies/{mine}/subscription"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for href in ["subscription", "invoices", "usage"] {
        assert!(
            page.has(&format!("<a href=\"/owner/companies/{mine}/{href}\"")),
            "nav to {href}"
        );
    }
    assert!(!page.has("href=\"/owner/plans\""), "no owner navigation");
    assert!(!page.has("Start a subscription"));
    assert!(after_id(&page, "subscription-plan").contains("Basic"));
    assert!(
        !page.has("href=\"/owner/plans/"),
        "plans are not linked for them"
    );
    let list = ca.get(&format!("/owner/companies/{mine}/invoices")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has(&my_invoice));
    assert!(!list.has("Run billing now"));
    let inv = ca.get(&format!("/owner/invoices/{my_invoice}")).await;
    assert_eq!(inv.status, StatusCode::OK);
    assert!(
        !inv.has("Record a payment")
            && !inv.has("Void the invoice")
            && !inv.has("Write the invoice off")
    );
    let usage = ca.get(&format!("/owner/companies/{mine}/usage")).await;
    assert_eq!(usage.status, StatusCode::OK);
    assert!(!usage.has("Recount now") && !usage.has("Overrides"));

    // They change their plan and billing details.
    let r = ca
        .post(
            &format!("/owner/companies/{mine}/subscription/plan"),
            &[("planId", pro["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = ca
        .post(
            &format!("/owner/companies/{mine}/subscription/billing"),
            &[
                ("billingEmail", "ap@mine.example"),
                ("billingName", "Mine Vet LLC"),
                ("billingAddress", ""),
                ("billingTaxId", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sub = get_ok(&app, &format!("/api/owner/companies/{mine}/subscription")).await;
    assert_eq!(sub["plan"]["name"], "Pro");
    assert_eq!(sub["billing"]["email"], "ap@mine.example");

    // Another company's pages do not exist for them; the owner's pages are refused.
    for path in [
        format!("/owner/companies/{other}/subscription"),
        format!("/owner/companies/{other}/invoices"),
        format!("/owner/companies/{other}/usage"),
        format!("/owner/invoices/{other_invoice}"),
    ] {
        let r = ca.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(
            !r.has("other-vet"),
            "{path} shows nothing of the other company"
        );
    }
    for path in [
        "/owner/plans".to_owned(),
        "/owner/plans/new".to_owned(),
        format!("/owner/plans/{}", pro["id"].as_str().unwrap()),
        "/owner/invoices".to_owned(),
    ] {
        assert_eq!(ca.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Their forms on another company, and the owner's actions, change nothing.
    let r = ca
        .post(
            &format!("/owner/companies/{other}/subscription/cancel"),
            &[("cancelAtPeriodEnd", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = ca
        .post(
            &format!("/owner/companies/{other}/subscription/contact"),
            &[("contactEmail", "evil@example.com"), ("contactPhone", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for (path, fields) in [
        (
            format!("/owner/invoices/{my_invoice}/payments"),
            vec![("amount", "30.00"), ("reference", "self-paid")],
        ),
        (
            format!("/owner/invoices/{my_invoice}/void"),
            vec![("reason", "do not want")],
        ),
        (format!("/owner/invoices/{my_invoice}/write-off"), vec![]),
        ("/owner/billing/run".to_owned(), vec![]),
        (
            format!("/owner/companies/{mine}/subscription/start"),
            vec![
                ("startPlanId", pro["id"].as_str().unwrap()),
                ("trialDays", "30"),
            ],
        ),
        (
            format!("/owner/companies/{mine}/overrides"),
            vec![("mode-maxUsers", "unlimited")],
        ),
    ] {
        let r = ca.post(&path, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }
    let sub = get_ok(&app, &format!("/api/owner/companies/{other}/subscription")).await;
    assert_eq!(sub["cancelAtPeriodEnd"], false);
    assert_ne!(
        app.company(&other).await["contactEmail"],
        "evil@example.com"
    );
    assert_eq!(
        get_ok(&app, &format!("/api/owner/invoices/{my_invoice}")).await["status"],
        "OPEN"
    );
}

async fn company_admins_may_write_only_the_branding_setting(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cid = app.create_company("brand-vet").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The operator's record of a plan from before plans existed.
    let (s, _) = app
        .put_company(&cid, json!({"settings": {"legacyPlan": "gold"}}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let token = company_admin(&app, &cid, "ca@brand.example").await;
    let put = |settings: Value| {
        let r = app
            .platform(Method::PUT, &format!("/api/owner/companies/{cid}"))
            .bearer_auth(&token)
            .json(&json!({ "settings": settings }));
        async move { json(r.send().await.unwrap()).await }
    };
    for settings in [
        json!({"legacyPlan": "platinum"}),
        json!({"signup": {"email": "x@brand.example", "verifiedAt": "2026-01-01T00:00:00Z"}}),
        json!({"limits": {"maxUsers": 1000}}),
        json!({"features": {"custom_roles": true}}),
        json!({"somethingNew": true}),
        json!({"branding": {"primaryColor": "#000000"}, "legacyPlan": "platinum"}),
    ] {
        let (s, v) = put(settings.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{settings}: {v}");
    }
    let c = app.company(&cid).await;
    assert_eq!(
        c["settings"],
        json!({"legacyPlan": "gold"}),
        "nothing changed"
    );
    let (s, v) = put(json!({"branding": {"primaryColor": "#7C3AED"}})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let c = app.company(&cid).await;
    assert_eq!(
        c["settings"],
        json!({"legacyPlan": "gold", "branding": {"primaryColor": "#7C3AED"}})
    );
}

async fn unapplied_payments_are_shown_and_resolved_from_the_invoices_page(b: Backend) {
    let secret = "whsec_web_unapplied";
    let app = TestApp::spawn_with(
        b,
        Options {
            billing_webhook_secret: Some(secret.into()),
            ..Options::at("2026-04-01T00:00:00Z")
        },
    )
    .await;
    let cid = paying_company(&app, "twice-vet").await;
    let inv = invoices(&app, &cid).await[0].clone();
    let inv_id = inv["id"].as_str().unwrap();
    let (s, v) = app
        .owner_post(
            &format!("/api/owner/invoices/{inv_id}/payments"),
            json!({"amountCents": 3000, "reference": "TR-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The card charge arrives after the bank transfer paid the invoice.
    let body = json!({"id": "evt_twice", "type": "payment.succeeded", "data": {
        "invoiceNumber": inv["number"], "amountCents": 3000, "currency": "USD",
        "reference": "ch_twice"}})
    .to_string();
    let t = smartdmv_platform::billing::Clock::now(app.clock.as_ref()).as_second();
    let sig = smartdmv_platform::billing::provider::sign(secret, t, body.as_bytes());
    let (s, v) = json(
        app.platform(Method::POST, "/api/billing/webhooks/card")
            .header("content-type", "application/json")
            .header("Smartdmv-Signature", format!("t={t},v1={sig}"))
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "unapplied");
    let kept = get_ok(&app, "/api/owner/unapplied-payments?state=open").await["items"][0].clone();
    let kid = kept["id"].as_str().unwrap();

    let mut web = owner_web(&app).await;
    let list = web.get("/owner/invoices").await;
    assert_eq!(list.status, StatusCode::OK);
    let row = after_id(&list, &format!("unapplied-{kid}"));
    assert!(row.contains("Company twice-vet"), "{row}");
    assert!(row.contains(inv["number"].as_str().unwrap()), "{row}");
    assert!(
        list.has("ch_twice") && list.has("invoice not payable"),
        "{}",
        list.body
    );
    assert!(list.has(&format!(
        "action=\"/owner/unapplied-payments/{kid}/resolve\""
    )));
    let page = web.get(&format!("/owner/invoices/{inv_id}")).await;
    assert!(
        page.has("Unapplied payments naming this invoice"),
        "{}",
        page.body
    );
    assert!(after_id(&page, &format!("unapplied-{kid}")).contains("ch_twice"));

    // A COMPANY_ADMIN neither sees nor resolves it.
    company_admin(&app, &cid, "ca@twice.example").await;
    let mut ca = WebSession::platform(&app);
    ca.sign_in("ca@twice.example", PASSWORD).await;
    let page = ca.get(&format!("/owner/invoices/{inv_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.has("ch_twice"), "{}", page.body);
    let path = format!("/owner/unapplied-payments/{kid}/resolve");
    let r = ca
        .post(&path, &[("state", "refunded"), ("note", "mine")])
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    let r = web
        .post_without_csrf(&path, &[("state", "refunded"), ("note", "no token")])
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);

    // A note is required; the refusal is shown beside the field, the choice kept.
    let r = web
        .post(&path, &[("state", "resolved"), ("note", " ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has(&format!("id=\"note-{kid}-error\"")), "{}", r.body);
    assert!(r.has("value=\"resolved\" selected"), "{}", r.body);
    assert_eq!(
        get_ok(&app, "/api/owner/unapplied-payments?state=open").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = web
        .post(
            &path,
            &[("state", "refunded"), ("note", "Refunded to the card")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = web.follow(r).await;
    assert!(list.has("is marked refunded"), "{}", list.body);
    assert!(list.has("id=\"no-unapplied\""), "{}", list.body);
    // Resolved once only: the API's 409 above the section.
    let r = web
        .post(&path, &[("state", "resolved"), ("note", "again")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        after_id(&r, "resolve-error").contains("already refunded"),
        "{}",
        r.body
    );
    let page = web.get(&format!("/owner/invoices/{inv_id}")).await;
    let row = after_id(&page, &format!("unapplied-{kid}"));
    assert!(
        row.contains("refunded") && row.contains("Refunded to the card"),
        "{row}"
    );
    let done = get_ok(&app, "/api/owner/unapplied-payments?state=refunded").await;
    assert_eq!(done["items"][0]["note"], "Refunded to the card");
}
