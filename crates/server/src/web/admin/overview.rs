//! The overview of both administrator areas: headline figures, the practices and the most
//! recent audit entries the user may see.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::super::chrome::{Chrome, PageCtx};
use super::super::error::WebResult;
use super::super::html;
use super::super::owner::Figure;
use super::super::session::{InArea, TenantArea};
use super::users::{PracticeOption, practice_options};
use crate::auth::Perm;
use crate::auth::perms::AuditLogsRead;
use crate::state::AppState;
use smartdmv_practice::PageRequest;
use smartdmv_practice::audit::{self, AuditOut};

#[derive(Template)]
#[template(path = "administrator/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    base: &'static str,
    figures: Vec<Figure>,
    practices: Vec<PracticeOption>,
    entries: Vec<AuditOut>,
    company_wide: bool,
}

/// `GET /administrator`, `GET /practice-administrator`
pub async fn show<A: TenantArea>(
    State(s): State<AppState>,
    ctx: PageCtx,
    area: InArea<A>,
) -> WebResult<Response> {
    let p = area.principal;
    let chrome = Chrome::tenant(&ctx, A::AREA, "Overview", &p);
    let practices = practice_options(&s, &p).await?;
    let mut figures = vec![Figure {
        label: "Open practices",
        value: practices.len().to_string(),
    }];
    let company_wide = p.practice_scope().is_none();
    if company_wide {
        let users = smartdmv_store::tenant::user::count(p.db()).await?;
        figures.push(Figure {
            label: "Users",
            value: users.to_string(),
        });
    }
    p.require(AuditLogsRead::PERM)?;
    let recent = PageRequest {
        limit: Some(10),
        cursor: None,
    };
    let page = audit::list(&p, Default::default(), &recent).await?;
    html(&OverviewPage {
        chrome,
        base: A::AREA.home(),
        figures,
        practices,
        entries: page.items,
        company_wide,
    })
}
