//! `/owner/plans` (OWNER): the plans companies subscribe to, retired ones too; and the plan
//! lists and labels the other billing pages share. One plan's form is in `plan.rs`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use smartdmv_platform::service::plans as svc;
use smartdmv_platform::service::views::PlanOut;

use super::super::chrome::{Chrome, PageCtx};
use super::super::error::WebResult;
use super::super::html;
use super::super::session::Owner;
use super::format;
use crate::state::AppState;

/// `USD 49.00 / monthly`
pub fn price(p: &PlanOut) -> String {
    format!(
        "{} / {}",
        format::money(p.price_cents, &p.currency),
        p.interval
    )
}

/// A plan as a list row or a select option shows it.
pub struct PlanRow {
    pub id: String,
    pub name: String,
    pub price: String,
    pub features: String,
    pub practices: String,
    pub users: String,
    pub storage: String,
    pub api_calls: String,
    pub active: bool,
}

impl From<&PlanOut> for PlanRow {
    fn from(p: &PlanOut) -> Self {
        let features: Vec<String> = p
            .features
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .map(format::words)
            .collect();
        let l = &p.limits;
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            price: price(p),
            features: if features.is_empty() {
                "none".into()
            } else {
                features.join(", ")
            },
            practices: format::limit(l.max_practices),
            users: format::limit(l.max_users),
            storage: l
                .storage_bytes
                .map_or_else(|| "unlimited".into(), format::bytes),
            api_calls: format::limit(l.api_calls_per_month),
            active: p.active,
        }
    }
}

#[derive(Template)]
#[template(path = "owner/plans.html")]
struct ListPage {
    chrome: Chrome,
    plans: Vec<PlanRow>,
}

/// `GET /owner/plans`
pub async fn list(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
) -> WebResult<Response> {
    let plans = svc::all(&s.owner(&op), false).await?;
    html(&ListPage {
        chrome: Chrome::platform(&ctx, "Plans", &op),
        plans: plans.iter().map(PlanRow::from).collect(),
    })
}
