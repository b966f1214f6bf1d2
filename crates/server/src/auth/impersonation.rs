//! An owner's impersonation of a company user, shared by `POST
//! /api/owner/companies/{id}/impersonate` and the owner's company page: the owner service
//! checks and records it (`smartdmv_platform::service::impersonation`), and the company's half
//! (finding the user, opening the session and its entry in the company's audit log) runs
//! here, on a lease of the company's database.

use smartdmv_domain::CompanyId;
use smartdmv_platform::service::impersonation::{
    self, Grant, Impersonated, ImpersonatedUser, Impersonation, Opened, Target,
};
use smartdmv_practice::account::open_session;
use smartdmv_store::tenant::{audit, user};

use super::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::Tenant;
use crate::state::AppState;

/// Opens an impersonation session of company `id` for the owner `op`.
pub async fn start(
    state: &AppState,
    op: &PlatformPrincipal,
    id: CompanyId,
    req: Impersonation,
) -> ApiResult<Impersonated> {
    impersonation::start(&state.owner(op), id, req, async |grant| {
        open(state, grant).await
    })
    .await
}

/// The company's half: the active user the grant names, a session as them, and the entry in
/// the company's audit log.
async fn open(state: &AppState, g: Grant) -> ApiResult<Opened> {
    let tenant = Tenant::acquire(&state.platform.registry, g.company).await?;
    let db = tenant.db();
    let target = match &g.target {
        Target::Id(id) => user::find(db, (*id).into()).await,
        Target::Email(e) => user::find_by_email(db, e).await,
    }
    .map_err(|e| tenant.db_error(e))?
    .filter(|u| u.active)
    .ok_or_else(|| ApiError::not_found("user"))?;
    let (token, s) = open_session(
        db,
        tenant.company.id,
        &target,
        Some(g.impersonator),
        g.read_only,
        g.minutes,
    )
    .await?;
    audit::append(
        db,
        audit::Entry {
            actor_id: None,
            actor: &g.actor,
            action: "impersonation_start",
            entity: "session",
            entity_id: Some(s.id.into()),
            practice_id: target.practice_id,
            before: None,
            after: Some(serde_json::json!({
                "user": target.email, "reason": g.reason, "readOnly": g.read_only,
                "minutes": g.minutes,
            })),
            ip: g.ip,
        },
    )
    .await
    .map_err(|e| tenant.db_error(e))?;
    Ok(Opened {
        token,
        session_id: s.id.into(),
        expires_at: s.expires_at,
        read_only: s.read_only,
        user: ImpersonatedUser {
            id: target.id.into(),
            email: target.email,
            name: target.name,
            role: target.role.as_str().into(),
        },
    })
}
