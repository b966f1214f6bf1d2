//! `/api/users`: company user management for administrators: invite or create, assign roles
//! and practices, deactivate, and per-user permission overrides. Nobody can hand out a
//! permission they do not hold, or reach users outside their practices.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use smartdmv_domain::TenantRole;
use smartdmv_domain::perm::{Permission, role_permissions};
use smartdmv_store::tenant::access::{self, permission_override};
use smartdmv_store::tenant::{audit, practice, session, user};
use std::collections::BTreeSet;
use uuid::Uuid;

use super::auth::{hash_on_blocking, rfc3339, store_db};
use super::{Page, PageParams, double_option};
use crate::auth::perms::{
    RolesRead, RolesUpdate, UsersCreate, UsersDelete, UsersRead, UsersUpdate,
};
use crate::auth::token;
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/users", list)
        .post("/api/users", create)
        .get("/api/users/{id}", show)
        .patch("/api/users/{id}", update)
        .delete("/api/users/{id}", deactivate)
        .get("/api/users/{id}/overrides", list_overrides)
        .post("/api/users/{id}/overrides", add_override)
        .delete("/api/users/{id}/overrides/{override_id}", remove_override)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    /// Extra roles: built-in names or `custom:<role id>`.
    pub roles: Vec<String>,
    pub practice_id: Option<String>,
    pub practice_ids: Vec<String>,
    pub active: bool,
    pub invited: bool,
    pub created_at: String,
}

pub(crate) async fn user_out(
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
        practice_ids: rows.practice_ids.iter().map(Uuid::to_string).collect(),
        active: u.active,
        invited: u.invitation_hash.is_some(),
        created_at: rfc3339(u.created_at),
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("user")
}

/// The target user, if the principal may see them (404 otherwise, so ids cannot be probed).
pub(crate) async fn visible_user(p: &TenantPrincipal, id: &str) -> ApiResult<user::Model> {
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let u = user::find(p.db(), id)
        .await
        .map_err(|e| p.db_error(e))?
        .ok_or_else(not_found)?;
    if u.id == p.user.id {
        return Ok(u);
    }
    if !p.can(<UsersRead as crate::auth::Perm>::PERM) {
        return Err(not_found());
    }
    if p.practice_scope().is_some() {
        let rows = access::load_user_access(p.db(), u.id)
            .await
            .map_err(|e| p.db_error(e))?;
        let theirs: Vec<Uuid> = u.practice_id.into_iter().chain(rows.practice_ids).collect();
        if !theirs.iter().any(|x| p.in_scope(Some(*x))) {
            return Err(not_found());
        }
    }
    Ok(u)
}

/// The permissions a role key grants, or a field error for an unknown one.
pub(crate) async fn role_key_permissions(
    p: &TenantPrincipal,
    key: &str,
) -> ApiResult<BTreeSet<Permission>> {
    if let Some(r) = TenantRole::parse(key) {
        return Ok(role_permissions(r));
    }
    let id: Option<Uuid> = key.strip_prefix("custom:").and_then(|s| s.parse().ok());
    let Some(id) = id else {
        return Err(ApiError::invalid_field(
            "roles",
            format!("unknown role {key:?}"),
        ));
    };
    let role = access::find_role(p.db(), id)
        .await
        .map_err(|_| ApiError::invalid_field("roles", format!("unknown role {key:?}")))?;
    Ok(role
        .permissions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(Permission::parse))
        .collect())
}

/// Everything a user's roles grant (built-in and custom).
pub(crate) async fn holdings(
    p: &TenantPrincipal,
    u: &user::Model,
) -> ApiResult<BTreeSet<Permission>> {
    let rows = access::load_user_access(p.db(), u.id)
        .await
        .map_err(|e| p.db_error(e))?;
    let mut perms = role_permissions(TenantRole::parse(&u.role).unwrap_or(TenantRole::Client));
    for k in &rows.role_keys {
        perms.extend(role_key_permissions(p, k).await.unwrap_or_default());
    }
    Ok(perms)
}

/// Refuses to hand out what the principal does not hold themselves.
pub(crate) fn check_grantable(
    p: &TenantPrincipal,
    perms: &BTreeSet<Permission>,
    what: &str,
) -> ApiResult<()> {
    let now = crate::auth::tenant::now_unix();
    if let Some(missing) = perms.iter().find(|x| !p.access.allows(**x, now)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cannot_grant",
            format!("{what} includes {missing}, which you do not hold yourself"),
        ));
    }
    Ok(())
}

pub(crate) async fn check_practices(p: &TenantPrincipal, ids: &[Uuid]) -> ApiResult<()> {
    let known: Vec<Uuid> = practice::list(p.db())
        .await
        .map_err(|e| p.db_error(e))?
        .iter()
        .map(|x| x.id)
        .collect();
    for id in ids {
        if !known.contains(id) {
            return Err(ApiError::invalid_field(
                "practiceIds",
                format!("unknown practice {id}"),
            ));
        }
        if !p.in_scope(Some(*id)) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "you can only assign your own practices",
            ));
        }
    }
    Ok(())
}

pub(crate) fn audit_entry<'a>(
    p: &'a TenantPrincipal,
    actor: &'a str,
    action: &'a str,
    target: &user::Model,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> audit::Entry<'a> {
    audit::Entry {
        actor_id: Some(p.user.id),
        actor,
        action,
        entity: "user",
        entity_id: Some(target.id),
        practice_id: target.practice_id,
        before,
        after,
        ip: p.ip.clone(),
    }
}

pub(crate) fn snapshot(u: &user::Model, roles: &[String], practices: &[Uuid]) -> serde_json::Value {
    serde_json::json!({
        "email": u.email, "name": u.name, "role": u.role, "roles": roles,
        "practiceId": u.practice_id, "practiceIds": practices, "active": u.active,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// Part of a name or email, ignoring case.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/users?q=`
pub(crate) async fn list(
    auth: Authorized<UsersRead>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<UserOut>>> {
    let page = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    };
    let limit = page.limit()?;
    let db = auth.db();
    let scope = auth.practice_scope().map(<[Uuid]>::to_vec);
    let also = match &scope {
        Some(ps) => user::assigned_to(db, ps)
            .await
            .map_err(|e| auth.db_error(e))?,
        None => Vec::new(),
    };
    let mut rows = user::list_page(
        db,
        scope.as_deref(),
        &also,
        params.q.as_deref(),
        page.cursor()?,
        limit + 1,
    )
    .await
    .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    let mut items = Vec::with_capacity(rows.len());
    for u in rows {
        items.push(user_out(db, u).await.map_err(|e| auth.db_error(e))?);
    }
    Ok(Json(Page { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    /// Absent: the user is invited and sets their own password.
    pub password: Option<String>,
    pub role: TenantRole,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub practice_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserOut,
    /// For an invited user: the one-time token to send them (shown once).
    pub invitation: Option<InvitationOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationOut {
    pub token: String,
    pub expires_at: String,
}

/// A new user's password hash, or an unusable one and an invitation (token, expiry) when no
/// password is given.
pub(crate) async fn new_credentials(
    password: Option<String>,
) -> ApiResult<(String, Option<(String, time::OffsetDateTime)>)> {
    Ok(match password {
        Some(pw) => (hash_on_blocking(pw).await?, None),
        None => {
            let tok = crate::config::random_token(32);
            let expires = smartdmv_store::now() + time::Duration::days(7);
            // An unusable password until the invitation is accepted.
            (format!("!invited:{}", Uuid::now_v7()), Some((tok, expires)))
        }
    })
}

/// Whether a failed user insert hit the unique email (as mapped by `store_db`).
pub(crate) fn is_email_taken(e: &sea_orm::DbErr) -> bool {
    e.to_string().contains("user email already exists")
}

/// 409 `email_taken`.
pub(crate) fn email_taken() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "email_taken",
        "a user with this email exists in this company",
    )
}

/// `POST /api/users`: creates a user with a password, or invites them.
pub(crate) async fn create(
    auth: Authorized<UsersCreate>,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let email = body.email.trim().to_lowercase();
    let mut errs = Vec::new();
    if !smartdmv_domain::text::is_plausible_email(&email) {
        errs.push(("email".to_owned(), "must be an email address".to_owned()));
    }
    let n = body.name.trim().chars().count();
    if n == 0 || n > 200 {
        errs.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    if let Some(pw) = &body.password
        && let Err(e) = smartdmv_domain::password::check_new_password(pw)
    {
        errs.push(("password".into(), e.to_string()));
    }
    if body.role.is_staff() && body.practice_ids.is_empty() && auth.practice_scope().is_some() {
        errs.push((
            "practiceIds".into(),
            "must name at least one of your practices".into(),
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let mut perms = role_permissions(body.role);
    for k in &body.roles {
        perms.extend(role_key_permissions(&auth, k).await?);
    }
    check_grantable(&auth, &perms, "the roles given")?;
    check_practices(&auth, &body.practice_ids).await?;
    crate::limits::check_email_verified(&auth)?;
    if body.role.is_staff() {
        crate::limits::check_user_seat(&auth).await?;
    }

    let (hash, invitation) = new_credentials(body.password).await?;
    let now = smartdmv_store::now();
    let home = body
        .practice_ids
        .first()
        .copied()
        .or(match auth.practice_scope() {
            None => auth.user.practice_id,
            Some(_) => None,
        });
    let u = user::Model {
        id: Uuid::now_v7(),
        email,
        name: body.name.trim().to_owned(),
        password_hash: hash,
        role: body.role.as_str().into(),
        practice_id: home,
        active: true,
        created_at: now,
        updated_at: now,
        invitation_hash: invitation.as_ref().map(|(t, _)| token::hash(t)),
        invitation_expires_at: invitation.as_ref().map(|(_, e)| *e),
    };
    let extra_practices: Vec<Uuid> = body.practice_ids.iter().skip(1).copied().collect();
    let actor = auth.actor_label();
    let db = auth.db();
    let saved = async {
        let txn = db.begin().await?;
        let saved = user::insert(&txn, u).await.map_err(store_db)?;
        access::set_user_roles(&txn, saved.id, &body.roles).await?;
        access::set_user_practices(&txn, saved.id, &extra_practices).await?;
        let after = snapshot(&saved, &body.roles, &body.practice_ids);
        let action = if invitation.is_some() {
            "invite"
        } else {
            "create"
        };
        audit::append(
            &txn,
            audit_entry(&auth, &actor, action, &saved, None, Some(after)),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) if is_email_taken(&e) => return Err(email_taken()),
        Err(e) => return Err(auth.db_error(e).into()),
    };
    let out = user_out(db, saved).await.map_err(|e| auth.db_error(e))?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: out,
            invitation: invitation.map(|(token, e)| InvitationOut {
                token,
                expires_at: rfc3339(e),
            }),
        }),
    ))
}

/// `GET /api/users/{id}`: anyone may read themselves; others need `users:read` and the
/// user's practice.
pub(crate) async fn show(p: TenantPrincipal, Path(id): Path<String>) -> ApiResult<Json<UserOut>> {
    let u = visible_user(&p, &id).await?;
    Ok(Json(user_out(p.db(), u).await.map_err(|e| p.db_error(e))?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUser {
    pub name: Option<String>,
    pub role: Option<TenantRole>,
    pub roles: Option<Vec<String>>,
    pub practice_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub practice_id: Option<Option<Uuid>>,
}

/// `PATCH /api/users/{id}`: a change of roles, practices or activity revokes every session
/// of the user.
pub(crate) async fn update(
    auth: Authorized<UsersUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> ApiResult<Json<UserOut>> {
    let target = visible_user(&auth, &id).await?;
    let db = auth.db();
    let rows = access::load_user_access(db, target.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    let self_edit = target.id == auth.user.id;
    let access_change = body.role.is_some()
        || body.roles.is_some()
        || body.practice_ids.is_some()
        || body.practice_id.is_some()
        || body.active.is_some();
    if self_edit && access_change {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "you cannot change your own roles, practices or activity",
        ));
    }
    // Editing someone who holds more than the principal would be an escalation path too.
    if !self_edit {
        check_grantable(
            &auth,
            &holdings(&auth, &target).await?,
            "this user's current access",
        )?;
    }
    let mut u = target.clone();
    if let Some(n) = &body.name {
        let len = n.trim().chars().count();
        if len == 0 || len > 200 {
            return Err(ApiError::invalid_field(
                "name",
                "must be 1 to 200 characters",
            ));
        }
        u.name = n.trim().to_owned();
    }
    let mut perms = BTreeSet::new();
    if let Some(r) = body.role {
        perms.extend(role_permissions(r));
        u.role = r.as_str().into();
    }
    let new_roles = body.roles.clone().unwrap_or(rows.role_keys.clone());
    if let Some(keys) = &body.roles {
        for k in keys {
            perms.extend(role_key_permissions(&auth, k).await?);
        }
    }
    check_grantable(&auth, &perms, "the roles given")?;
    let mut new_practices: Vec<Uuid> = u
        .practice_id
        .into_iter()
        .chain(rows.practice_ids.clone())
        .collect();
    if let Some(home) = body.practice_id {
        if let Some(h) = home {
            check_practices(&auth, &[h]).await?;
        }
        u.practice_id = home;
    }
    if let Some(ps) = &body.practice_ids {
        check_practices(&auth, ps).await?;
        new_practices = ps.clone();
        if u.practice_id.is_none_or(|h| !ps.contains(&h)) {
            u.practice_id = ps.first().copied();
        }
    }
    if let Some(a) = body.active {
        u.active = a;
    }
    if takes_a_seat(&u) && !takes_a_seat(&target) {
        crate::limits::check_user_seat(&auth).await?;
    }
    let extra: Vec<Uuid> = new_practices
        .iter()
        .copied()
        .filter(|x| Some(*x) != u.practice_id)
        .collect();
    let before = snapshot(&target, &rows.role_keys, &rows.practice_ids);
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let saved = user::update(&txn, u).await.map_err(store_db)?;
        if body.roles.is_some() {
            access::set_user_roles(&txn, saved.id, &new_roles).await?;
        }
        if body.practice_ids.is_some() || body.practice_id.is_some() {
            access::set_user_practices(&txn, saved.id, &extra).await?;
        }
        if access_change {
            session::revoke_all_for_user(&txn, saved.id, None).await?;
        }
        let after = snapshot(&saved, &new_roles, &extra);
        audit::append(
            &txn,
            audit_entry(&auth, &actor, "update", &saved, Some(before), Some(after)),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(
        user_out(db, saved).await.map_err(|e| auth.db_error(e))?,
    ))
}

/// Whether a user holds one of the seats `maxUsers` limits: active staff (not `CLIENT`).
fn takes_a_seat(u: &user::Model) -> bool {
    u.active && TenantRole::parse(&u.role).is_some_and(|r| r.is_staff())
}

/// `DELETE /api/users/{id}`: deactivates (users are never erased) and signs them out.
pub(crate) async fn deactivate(
    auth: Authorized<UsersDelete>,
    Path(id): Path<String>,
) -> ApiResult<Json<UserOut>> {
    let target = visible_user(&auth, &id).await?;
    if target.id == auth.user.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "you cannot deactivate yourself",
        ));
    }
    check_grantable(
        &auth,
        &holdings(&auth, &target).await?,
        "this user's access",
    )?;
    let db = auth.db();
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let mut u = target.clone();
        u.active = false;
        let saved = user::update(&txn, u).await.map_err(store_db)?;
        session::revoke_all_for_user(&txn, saved.id, None).await?;
        audit::append(
            &txn,
            audit_entry(
                &auth,
                &actor,
                "deactivate",
                &saved,
                Some(serde_json::json!({"active": true})),
                Some(serde_json::json!({"active": false})),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(
        user_out(db, saved).await.map_err(|e| auth.db_error(e))?,
    ))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideOut {
    pub id: String,
    pub permission: String,
    pub effect: String,
    pub expires_at: Option<String>,
    pub reason: Option<String>,
}

impl From<permission_override::Model> for OverrideOut {
    fn from(o: permission_override::Model) -> Self {
        Self {
            id: o.id.to_string(),
            permission: o.permission,
            effect: if o.grant { "grant" } else { "deny" }.into(),
            expires_at: o.expires_at.map(rfc3339),
            reason: o.reason,
        }
    }
}

/// `GET /api/users/{id}/overrides`
pub(crate) async fn list_overrides(
    auth: Authorized<RolesRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<OverrideOut>>> {
    let target = visible_user(&auth, &id).await?;
    let rows = access::load_user_access(auth.db(), target.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    Ok(Json(Page {
        items: rows.overrides.into_iter().map(OverrideOut::from).collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    Grant,
    Deny,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOverride {
    pub permission: Permission,
    pub effect: Effect,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<time::OffsetDateTime>,
    pub reason: Option<String>,
}

/// `POST /api/users/{id}/overrides`: grants (only what the principal holds) or denies one
/// permission to one user, optionally until a time.
pub(crate) async fn add_override(
    auth: Authorized<RolesUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewOverride>,
) -> ApiResult<(StatusCode, Json<OverrideOut>)> {
    let target = visible_user(&auth, &id).await?;
    if target.id == auth.user.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "you cannot change your own permissions",
        ));
    }
    let grant = matches!(body.effect, Effect::Grant);
    check_grantable(&auth, &BTreeSet::from([body.permission]), "the override")?;
    check_grantable(
        &auth,
        &holdings(&auth, &target).await?,
        "this user's current access",
    )?;
    if body.expires_at.is_some_and(|t| t <= smartdmv_store::now()) {
        return Err(ApiError::invalid_field(
            "expiresAt",
            "must be in the future",
        ));
    }
    let m = permission_override::Model {
        id: Uuid::now_v7(),
        user_id: target.id,
        permission: body.permission.to_string(),
        grant,
        expires_at: body.expires_at,
        reason: body.reason,
        created_by: Some(auth.user.id),
        created_at: smartdmv_store::now(),
    };
    let db = auth.db();
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let saved = access::insert_override(&txn, m).await?;
        let after = serde_json::json!({"permission": saved.permission, "grant": saved.grant, "expiresAt": saved.expires_at.map(rfc3339)});
        audit::append(&txn, audit_entry(&auth, &actor, "override_add", &target, None, Some(after))).await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// `DELETE /api/users/{id}/overrides/{overrideId}`
pub(crate) async fn remove_override(
    auth: Authorized<RolesUpdate>,
    Path((id, override_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let target = visible_user(&auth, &id).await?;
    let oid: Uuid = override_id
        .parse()
        .map_err(|_| ApiError::not_found("override"))?;
    let o = access::find_override(auth.db(), target.id, oid).await?;
    check_grantable(
        &auth,
        &holdings(&auth, &target).await?,
        "this user's current access",
    )?;
    let db = auth.db();
    let actor = auth.actor_label();
    async {
        let txn = db.begin().await?;
        access::delete_override(&txn, o.id).await?;
        let before = serde_json::json!({"permission": o.permission, "grant": o.grant});
        audit::append(
            &txn,
            audit_entry(
                &auth,
                &actor,
                "override_remove",
                &target,
                Some(before),
                None,
            ),
        )
        .await?;
        txn.commit().await
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}
