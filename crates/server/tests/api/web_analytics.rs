//! The owner's analytics page against the history of `billing::analytics` (computed by hand
//! in its header, usage rows included): the figures and tables show the hand-computed
//! numbers, every chart is an accessible SVG with one bar per number, the dashboard shows the
//! monthly chart, and only an OWNER may open the page.

use reqwest::StatusCode;

use crate::billing::analytics::{company_without_database, hand_computed_history, usage_months};
use crate::both_backends;
use crate::helpers::{Backend, OWNER_EMAIL, PASSWORD, TestApp};
use crate::plans::company_admin;
use crate::web::WebSession;

both_backends!(
    analytics_page_shows_the_hand_computed_history,
    only_owners_open_the_analytics_page,
    a_large_fleet_lists_its_first_hundred_companies_and_counts_the_rest,
);

/// The `<svg>` elements of a page, in order.
fn charts(body: &str) -> Vec<&str> {
    body.split("<svg ")
        .skip(1)
        .map(|rest| &rest[..rest.find("</svg>").expect("a closed svg")])
        .collect()
}

fn bars(svg: &str) -> usize {
    svg.matches("<rect class=\"bar ").count()
}

/// The part of a page from the element with `id` to the end of its table.
fn table<'a>(page: &'a str, id: &str) -> &'a str {
    let t = &page[page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("{id} in {page}"))..];
    &t[..t.find("</table>").unwrap()]
}

/// Data cells of numbers, in order.
fn nums(cells: &[&str]) -> String {
    cells
        .iter()
        .map(|c| format!("<td class=\"num\">{c}</td>"))
        .collect()
}

/// A table row of a figure: its header cell and data cells.
fn row(head: &str, cells: &[&str]) -> String {
    let mut out = format!("<tr><th scope=\"row\">{head}</th>");
    for c in cells {
        out.push_str(&format!("<td class=\"num\">{c}</td>"));
    }
    out.push_str("</tr>");
    out
}

async fn analytics_page_shows_the_hand_computed_history(b: Backend) {
    let app = hand_computed_history(b).await;
    let mut web = WebSession::platform(&app);
    web.sign_in(OWNER_EMAIL, PASSWORD).await;
    let r = web.get("/owner/analytics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = &r.body;
    assert!(r.has("As of 2026-03-25 00:00 UTC"), "{page}");

    // MRR: USD 149 + 1200 / 12 = 249.00, ARR 149 * 12 + 1200 = 2988.00; EUR 99 and 1188.
    assert!(
        r.has(&row("EUR", &["EUR 99.00", "EUR 1188.00", "1"])),
        "{page}"
    );
    assert!(
        r.has(&row("USD", &["USD 249.00", "USD 2988.00", "2"])),
        "{page}"
    );
    // A, C and D are active; B was suspended when its trial was canceled.
    assert!(r.has("<span class=\"badge active\">Active</span></th><td class=\"num\">3</td>"));
    assert!(r.has("<span class=\"badge suspended\">Suspended</span></th><td class=\"num\">1</td>"));
    // New per month Jan 2, Feb 1, Mar 1; churned Feb 1; nothing in the nine before.
    assert!(r.has(&row("2026-01", &["2", "0"])), "{page}");
    assert!(r.has(&row("2026-02", &["1", "1"])));
    assert!(r.has(&row("2026-03", &["1", "0"])));
    for m in ["2025-04", "2025-08", "2025-12"] {
        assert!(r.has(&row(m, &["0", "0"])), "{m}");
    }
    // Three trials ended (A, B, D), two converted (A, D).
    let trials = &page[page.find("id=\"trial-figures\"").unwrap()..];
    assert!(
        trials.contains("<div class=\"value\">67%</div><div class=\"label\">Converted</div>"),
        "{trials}"
    );
    assert!(trials.contains("<div class=\"value\">2</div><div class=\"label\">Trials converted"));
    assert!(trials.contains("<div class=\"value\">3</div><div class=\"label\">Trials ended"));
    // The largest by MRR: A (149.00), C (1200.00 / 12), D (EUR 99.00).
    let top = &page[page.find("id=\"top-table\"").unwrap()..];
    let top = &top[..top.find("</table>").unwrap()];
    let order: Vec<usize> = ["Company a-vet", "Company c-vet", "Company d-vet"]
        .iter()
        .map(|n| top.find(n).unwrap_or_else(|| panic!("{n} in {top}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{top}");
    for mrr in ["USD 149.00", "USD 100.00", "EUR 99.00"] {
        assert!(top.contains(mrr), "{mrr}: {top}");
    }
    assert!(
        !top.contains("Company b-vet"),
        "a suspended company is not served"
    );
    // Usage of this month from the usage table: every column, storage in human units, the
    // time of the count or that there was none; B is not served.
    let (now, _) = usage_months();
    assert!(r.has(&format!("Usage per company in {now}")), "{page}");
    let usage = table(page, "usage-table");
    for (name, cells, counted) in [
        (
            "Company a-vet",
            ["6", "2", "40", "90", "12", "3.5 MB", "1234"],
            format!("{now}-01 09:30 UTC"),
        ),
        (
            "Company c-vet",
            ["6", "1", "30", "120", "7", "2 MB", "0"],
            format!("{now}-02 10:00 UTC"),
        ),
        (
            "Company d-vet",
            ["0", "0", "0", "0", "0", "0 B", "0"],
            "<span class=\"muted\">not counted yet</span>".to_owned(),
        ),
    ] {
        let at = usage
            .find(&format!(">{name}</a></th>"))
            .unwrap_or_else(|| panic!("{name} in {usage}"));
        let rest = &usage[at..];
        let row = &rest[..rest.find("</tr>").unwrap()];
        assert!(row.contains(&nums(&cells)), "{name}: {row}");
        assert!(
            row.contains(&format!("<td>{counted}</td>")),
            "{name}: {row}"
        );
    }
    assert!(!usage.contains("Company b-vet"), "{usage}");
    // Largest: C before A (equal users, more patients); most active: A alone.
    let largest = table(page, "largest-table");
    let c_at = largest.find("Company c-vet").expect("C among the largest");
    let a_at = largest.find("Company a-vet").expect("A among the largest");
    assert!(c_at < a_at, "{largest}");
    assert!(largest.contains(&nums(&["6", "120", "2 MB"])), "{largest}");
    assert!(largest.contains(&nums(&["6", "90", "3.5 MB"])), "{largest}");
    assert_eq!(
        largest.matches("<tr><th scope=\"row\">").count(),
        2,
        "{largest}"
    );
    let active = table(page, "active-table");
    assert_eq!(
        active.matches("<tr><th scope=\"row\">").count(),
        1,
        "{active}"
    );
    assert!(
        active.contains("Company a-vet</a></th><td class=\"num\">1234</td>"),
        "{active}"
    );

    // Four charts, each an image named and described in words, one bar per number.
    let svgs = charts(page);
    assert_eq!(svgs.len(), 4, "{page}");
    for svg in &svgs {
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(svg.contains("<title id="), "{svg}");
        assert!(svg.contains("<desc id="), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("style="), "{svg}");
    }
    let by_title = |t: &str| {
        *svgs
            .iter()
            .find(|s| s.contains(&format!(">{t}</title>")))
            .unwrap_or_else(|| panic!("a chart titled {t}"))
    };
    let status = by_title("Companies by status");
    assert_eq!(bars(status), 2);
    assert!(status.contains("<desc id=\"chart-status-desc\">Active 3; Suspended 1.</desc>"));
    let months = by_title("New and churned companies per month");
    assert_eq!(bars(months), 24, "twelve months, new and churned");
    assert!(months.contains("2026-02: New 1, Churned 1;"), "{months}");
    assert_eq!(months.matches("class=\"swatch").count(), 2, "a legend");
    let trials = by_title("Trials that ended, by outcome");
    assert_eq!(bars(trials), 2);
    assert!(trials.contains("Converted 2; Did not convert 1."));
    let schema = by_title("Companies per schema version");
    assert_eq!(bars(schema), 1, "the whole fleet on one version");

    // The dashboard shows the monthly chart and links to the page.
    let r = web.get("/owner").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("href=\"/owner/analytics\""));
    let svgs = charts(&r.body);
    assert_eq!(svgs.len(), 1);
    assert_eq!(bars(svgs[0]), 24);
    assert!(svgs[0].contains("2026-01: New 2, Churned 0;"));
}

async fn only_owners_open_the_analytics_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let company = app.create_company("lone-vet").await;
    let mut anon = WebSession::platform(&app);
    let r = anon.get("/owner/analytics").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/login?next=/owner/analytics");

    company_admin(&app, company["id"].as_str().unwrap(), "cadmin@lone.example").await;
    let mut cadmin = WebSession::platform(&app);
    cadmin.sign_in("cadmin@lone.example", PASSWORD).await;
    let r = cadmin.get("/owner/analytics").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.has("<svg"), "no chart for a company admin");

    // An owner with a young platform: one company, nothing paying, no trial ended.
    let mut owner = WebSession::platform(&app);
    owner.sign_in(OWNER_EMAIL, PASSWORD).await;
    let r = owner.get("/owner/analytics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("No paying companies yet."));
    assert!(r.has("No trial has ended yet."));
    assert!(r.has("No company has been counted yet this month."));
    assert!(r.has("No API calls recorded this month."));
    assert!(r.has("not counted yet"), "the new company has no count");
    assert!(r.has("<a href=\"/owner/analytics\" aria-current=\"page\">Analytics</a>"));
    let svgs = charts(&r.body);
    assert_eq!(svgs.len(), 4);
    assert!(svgs.iter().all(|s| !s.contains("NaN")));
}

async fn a_large_fleet_lists_its_first_hundred_companies_and_counts_the_rest(b: Backend) {
    let app = TestApp::spawn(b).await;
    for n in 1..=103u128 {
        company_without_database(&app, n, &format!("Fleet {n:03}"), "ACTIVE").await;
    }
    let mut owner = WebSession::platform(&app);
    owner.sign_in(OWNER_EMAIL, PASSWORD).await;
    let r = owner.get("/owner/analytics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let start = r.body.find("id=\"usage-table\"").expect("the usage table");
    let table = &r.body[start..start + r.body[start..].find("</table>").unwrap()];
    assert_eq!(
        table.matches("<th scope=\"row\">").count(),
        100,
        "one row per company, up to a hundred"
    );
    assert!(
        r.has("The 100 companies of the highest recurring revenue are shown; 3 more are served."),
        "{}",
        r.body
    );
}
