//! Per-user permission overrides: grant or deny one permission, optionally until a time,
//! and remove one. The users service refuses to grant what the acting user does not hold.

use crate::web::invalid;
use crate::web::posted::Posted;
use axum::extract::{Path, State};
use axum::response::Response;
use smartdmv_domain::perm::{Effect, Permission};
use smartdmv_domain::{IdInput, UserId};
use smartdmv_practice::ServiceError;
use smartdmv_practice::users::{NewOverride, overrides};

use super::super::csrf::{Flash, Form};
use super::super::display::page_id;
use super::super::error::WebResult;
use super::super::session::{InArea, TenantArea};
use super::super::{FormErrors, redirect_flash};
use super::user::page;
use super::{Pairs, opt};
use crate::auth::Perm;
use crate::auth::perms::RolesUpdate;
use crate::state::AppState;
use crate::web::{form_result, rerender};

/// `YYYY-MM-DDTHH:MM` (a `datetime-local` field), read as UTC.
pub(crate) fn parse_utc_minute(s: &str) -> Option<smartdmv_store::Stamp> {
    let s = s.get(..16).unwrap_or(s);
    let t = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M", s)
        .ok()?
        .to_datetime()
        .ok()?;
    t.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| smartdmv_store::Stamp(z.timestamp()))
}

/// `POST {area}/users/{id}/overrides`: grant or deny one permission, optionally until a time.
pub async fn add<A: TenantArea>(
    Posted(s, ctx, area, id, form): Posted<InArea<A>>,
) -> WebResult<Response> {
    let p = area.principal;
    let mut errors = FormErrors::default();
    let permission = Permission::parse(form.get("permission"));
    if permission.is_none() {
        errors
            .fields
            .insert("permission".into(), "choose a permission".into());
    }
    let effect = match Effect::parse(form.get("effect")) {
        Some(e) => Some(e),
        None => {
            errors
                .fields
                .insert("effect".into(), "choose grant or deny".into());
            None
        }
    };
    let expires_at = match form.get("expiresAt") {
        "" => None,
        raw => match parse_utc_minute(raw) {
            Some(t) => Some(t),
            None => {
                errors
                    .fields
                    .insert("expiresAt".into(), "must be a date and time".into());
                None
            }
        },
    };
    let checked = errors.checked();
    let (Some(permission), Some(effect), Ok(())) = (permission, effect, &checked) else {
        let errors = checked.err().unwrap_or_default();
        return invalid(page::<A>(&s, &ctx, &p, page_id::<UserId>(&id)?, form, errors).await);
    };
    let input = NewOverride {
        permission,
        effect,
        expires_at,
        reason: opt(form.get("reason")),
    };
    p.require(RolesUpdate::PERM)?;
    let uid = page_id::<UserId>(&id)?;
    match form_result(overrides::add(&p, uid, input).await)? {
        Ok(o) => Ok(redirect_flash(
            &s,
            &format!("{}/users/{id}", A::AREA.home()),
            Flash::success(format!(
                "The override {} {} was added.",
                o.effect, o.permission
            )),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                page::<A>(&s, &ctx, &p, uid, form, errors).await
            })
            .await
        }
    }
}

/// `POST {area}/users/{id}/overrides/{oid}/remove`
pub async fn remove<A: TenantArea>(
    State(s): State<AppState>,
    area: InArea<A>,
    Path((id, oid)): Path<(String, String)>,
    Form(_): Form<Pairs>,
) -> WebResult<Response> {
    let p = area.principal;
    p.require(RolesUpdate::PERM)?;
    let result = match id.parse::<UserId>() {
        Ok(uid) => overrides::remove(&p, uid, IdInput::parse(&oid)).await,
        Err(_) => Err(ServiceError::NotFound("user")),
    };
    let flash = match form_result(result)? {
        Ok(_) => Flash::success("The override was removed."),
        Err(e) => Flash::error(e.detail),
    };
    Ok(redirect_flash(
        &s,
        &format!("{}/users/{id}", A::AREA.home()),
        flash,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_fields_are_read_as_utc() {
        let t = parse_utc_minute("2030-05-06T07:08").unwrap();
        assert_eq!(t.as_second(), 1904281680);
        assert_eq!(
            parse_utc_minute("2030-05-06T07:08:09"),
            parse_utc_minute("2030-05-06T07:08")
        );
        assert!(parse_utc_minute("tomorrow").is_none());
        assert!(parse_utc_minute("2030-13-01T00:00").is_none());
    }
}
