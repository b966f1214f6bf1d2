//! Company users, for administrators: list, read, invite or create, change roles and
//! practices, deactivate, and per-user permission overrides. Nobody hands out a permission
//! they do not hold, or reaches users outside their practices (see [`grants`]).

pub mod grants;
pub mod overrides;
pub mod write;

use serde::Serialize;
use smartdmv_domain::perm::{Action, Permission, Resource};
use smartdmv_domain::{PracticeId, TenantRole, UserId};
use smartdmv_store::StoreError;
use smartdmv_store::tenant::{access, user};

use crate::error::UNIQUE_VIOLATION;
use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal, rfc3339};

pub use overrides::{NewOverride, OverrideOut};
pub use write::{CreatedUser, InvitationOut, NewUser, UserChanges, new_credentials};

/// A user as answers and pages show them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: TenantRole,
    /// Extra roles: built-in names or `custom:<role id>`.
    pub roles: Vec<String>,
    pub practice_id: Option<String>,
    pub practice_ids: Vec<String>,
    pub active: bool,
    pub invited: bool,
    pub created_at: String,
}

/// The view of a stored user, with their extra roles and practices.
pub async fn user_out(
    db: &impl smartdmv_store::TenantConn,
    u: user::Model,
) -> Result<UserOut, sea_orm::DbErr> {
    let rows = access::load_user_access(db, u.id).await?;
    Ok(UserOut {
        id: u.id.to_string(),
        email: u.email,
        name: u.name,
        role: u.role,
        roles: rows.role_keys,
        practice_id: u.practice_id.map(|p| p.to_string()),
        practice_ids: rows
            .practice_ids
            .iter()
            .map(PracticeId::to_string)
            .collect(),
        active: u.active,
        invited: u.invitation_hash.is_some(),
        created_at: rfc3339(u.created_at),
    })
}

/// A store error as a service error: its conflict is the unique violation it stands for
/// (give it its code with [`crate::ConflictAs::conflict_as`]).
pub fn stored(e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound(what) => ServiceError::NotFound(what),
        StoreError::Conflict(_) => ServiceError::conflict(
            UNIQUE_VIOLATION,
            "a record with these values already exists",
        ),
        StoreError::Db(e) => e.into(),
    }
}

/// A user's audit snapshot: who they are and what they may reach.
pub fn snapshot(u: &user::Model, roles: &[String], practices: &[PracticeId]) -> serde_json::Value {
    serde_json::json!({
        "email": u.email, "name": u.name, "role": u.role, "roles": roles,
        "practiceId": u.practice_id, "practiceIds": practices, "active": u.active,
    })
}

/// The target user, if the caller may see them: themselves, or with `users:read` someone
/// in one of their practices. 404 otherwise, so ids cannot be probed.
pub async fn visible(cx: &TenantPrincipal, id: UserId) -> ServiceResult<user::Model> {
    let not_found = || ServiceError::NotFound("user");
    let u = user::find(cx.db(), id).await?.ok_or_else(not_found)?;
    if u.id == cx.user.id {
        return Ok(u);
    }
    if !cx.can(Permission::new(Resource::Users, Action::Read)) {
        return Err(not_found());
    }
    if cx.practice_scope().is_some() {
        let rows = access::load_user_access(cx.db(), u.id).await?;
        let theirs: Vec<PracticeId> = u.practice_id.into_iter().chain(rows.practice_ids).collect();
        if !theirs.iter().any(|x| cx.in_scope(Some(*x))) {
            return Err(not_found());
        }
    }
    Ok(u)
}

/// A user the caller may see.
pub async fn get(cx: &TenantPrincipal, id: UserId) -> ServiceResult<UserOut> {
    let u = visible(cx, id).await?;
    Ok(user_out(cx.db(), u).await?)
}

/// Which users to list.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Part of a name or email, ignoring case.
    pub q: Option<String>,
}

/// The users of the caller's practices (every user for company-wide callers).
pub async fn list(
    cx: &TenantPrincipal,
    filter: &UserFilter,
    page: &PageRequest,
) -> ServiceResult<Page<UserOut>> {
    let limit = page.limit()?;
    let db = cx.db();
    let scope = cx.practice_scope().map(<[PracticeId]>::to_vec);
    let also = match &scope {
        Some(ps) => user::assigned_to(db, ps).await?,
        None => Vec::new(),
    };
    let rows = user::list_page(
        db,
        scope.as_deref(),
        &also,
        filter.q.as_deref(),
        page.cursor()?,
        limit + 1,
    )
    .await?;
    let page = Page::from_rows(rows, limit, |r| r.id.to_string());
    let mut items = Vec::with_capacity(page.items.len());
    for u in page.items {
        items.push(user_out(db, u).await?);
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}
