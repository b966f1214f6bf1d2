//! Plans on the owner side: an `OWNER` lists, creates, changes, retires and deletes them; a
//! `COMPANY_ADMIN` reads the active ones (to choose a plan change) and their own company's.
//! The rules of a plan's fields are [`crate::plans`]'.

use smartdmv_domain::ids::PlanId;
use smartdmv_store::owner::{company, plan};

use super::views::PlanOut;
use super::{Cx, Page, PageRequest};
use crate::plans::{self as business, NewPlan, PlanChanges};
use crate::{PlatformError, PlatformResult};

/// What a list of plans asks for.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    /// `Some(true)`: active plans only; `Some(false)`: retired ones only. A `COMPANY_ADMIN`
    /// always gets active plans.
    pub active: Option<bool>,
    pub page: PageRequest,
}

/// The plans the caller may see, oldest first.
pub async fn list(cx: &Cx<'_>, input: ListInput) -> PlatformResult<Page<PlanOut>> {
    let limit = input.page.limit()?;
    let active_only = !cx.who.is_owner() || input.active == Some(true);
    let cursor = input.page.cursor::<PlanId>()?;
    let mut rows = plan::list(cx.db(), active_only, cursor, limit + 1).await?;
    if input.active == Some(false) {
        rows.retain(|p| !p.active);
    }
    Ok(Page::from_rows(rows, limit, |p| p.id.to_string()).map(PlanOut::from))
}

/// Every plan the caller may see (a `COMPANY_ADMIN`: the active ones), oldest first; with
/// `active_only`, the plans a company may be put on.
pub async fn all(cx: &Cx<'_>, active_only: bool) -> PlatformResult<Vec<PlanOut>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let input = ListInput {
            active: active_only.then_some(true),
            page: PageRequest {
                limit: Some(200),
                cursor,
            },
        };
        let page = list(cx, input).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// One plan: an `OWNER` sees every plan, a `COMPANY_ADMIN` the active ones and their own
/// company's (others are not found).
pub async fn get(cx: &Cx<'_>, id: PlanId) -> PlatformResult<PlanOut> {
    let db = cx.db();
    let p = plan::find(db, id)
        .await?
        .ok_or(PlatformError::NotFound("plan"))?;
    if !cx.who.is_owner() && !p.active {
        let own = match cx.who.confined_to() {
            Some(c) => company::find(db, c)
                .await?
                .and_then(|c| c.plan)
                .is_some_and(|pl| pl == p.id.to_string()),
            None => false,
        };
        if !own {
            return Err(PlatformError::NotFound("plan"));
        }
    }
    Ok(p.into())
}

/// The name of a plan the caller may see, or `None` (the pages show the id instead).
pub async fn name_of(cx: &Cx<'_>, raw: &str) -> Option<String> {
    let id = raw.parse().ok()?;
    get(cx, id).await.ok().map(|p| p.name)
}

/// Records a plan (`OWNER`).
pub async fn create(cx: &Cx<'_>, input: NewPlan) -> PlatformResult<PlanOut> {
    cx.who.require_owner()?;
    Ok(business::create(cx.platform, input, &cx.who.actor())
        .await?
        .into())
}

/// Changes the fields given (`OWNER`); `active: false` retires the plan.
pub async fn update(cx: &Cx<'_>, id: PlanId, changes: PlanChanges) -> PlatformResult<PlanOut> {
    cx.who.require_owner()?;
    Ok(business::update(cx.platform, id, changes, &cx.who.actor())
        .await?
        .into())
}

/// Deletes a plan no company uses (`OWNER`); one in use is a conflict `plan_in_use`.
pub async fn remove(cx: &Cx<'_>, id: PlanId) -> PlatformResult<()> {
    cx.who.require_owner()?;
    business::delete(cx.platform, id, &cx.who.actor()).await
}
