//! `/api/appointment-types`: the company's kinds of appointment with their default length
//! and calendar colour. Everyone who reads appointments reads the types (a client picks one
//! when requesting); changing them is a settings change. Deleting deactivates: appointments
//! keep their type.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::appointment_type;
use uuid::Uuid;

use super::auth::rfc3339;
use super::{Page, PageParams};
use crate::auth::perms::{AppointmentsRead, SettingsUpdate};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/appointment-types", list)
        .post("/api/appointment-types", create)
        .get("/api/appointment-types/{id}", show)
        .patch("/api/appointment-types/{id}", update)
        .delete("/api/appointment-types/{id}", deactivate)
}

/// Allowed lengths of an appointment, in minutes.
pub const DURATION_MINUTES: std::ops::RangeInclusive<i32> = 5..=480;
const DEFAULT_COLOUR: &str = "#4f7cac";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentTypeOut {
    pub id: String,
    pub name: String,
    pub duration_minutes: i32,
    pub colour: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<appointment_type::Model> for AppointmentTypeOut {
    fn from(m: appointment_type::Model) -> Self {
        Self {
            id: m.id.to_string(),
            name: m.name,
            duration_minutes: m.duration_minutes,
            colour: m.colour,
            active: m.active,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

fn snapshot(m: &appointment_type::Model) -> Option<serde_json::Value> {
    serde_json::to_value(AppointmentTypeOut::from(m.clone())).ok()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Also list deactivated types.
    #[serde(default)]
    pub include_inactive: bool,
}

/// `GET /api/appointment-types`: active types (all with `includeInactive=true`).
pub(crate) async fn list(
    auth: Authorized<AppointmentsRead>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<AppointmentTypeOut>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let mut rows =
        appointment_type::list_page(auth.db(), q.include_inactive, page.cursor()?, limit + 1)
            .await
            .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    Ok(Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// A type by the id in a path (404 for a malformed or unknown id).
pub async fn find_by_path(auth: &TenantPrincipal, id: &str) -> ApiResult<appointment_type::Model> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("appointment type"))?;
    appointment_type::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .ok_or_else(|| ApiError::not_found("appointment type"))
}

/// `GET /api/appointment-types/{id}`
pub(crate) async fn show(
    auth: Authorized<AppointmentsRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<AppointmentTypeOut>> {
    Ok(Json(find_by_path(&auth, &id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypeBody {
    pub name: Option<String>,
    pub duration_minutes: Option<i32>,
    /// `#rrggbb`; stored in lower case.
    pub colour: Option<String>,
    /// `true` reactivates a deactivated type.
    pub active: Option<bool>,
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn validate(b: &TypeBody, creating: bool) -> ApiResult<()> {
    let mut errs = Vec::new();
    match &b.name {
        Some(n) if n.trim().is_empty() || n.trim().chars().count() > 100 => {
            errs.push(("name".to_owned(), "must be 1 to 100 characters".to_owned()))
        }
        None if creating => errs.push(("name".into(), "is required".into())),
        _ => {}
    }
    match b.duration_minutes {
        Some(d) if !DURATION_MINUTES.contains(&d) => {
            errs.push(("durationMinutes".into(), "must be 5 to 480 minutes".into()))
        }
        None if creating => errs.push(("durationMinutes".into(), "is required".into())),
        _ => {}
    }
    if let Some(c) = &b.colour
        && !is_colour(c)
    {
        errs.push((
            "colour".into(),
            "must be a colour written #rrggbb, such as #4f7cac".into(),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errs))
    }
}

fn name_taken(e: &sea_orm::DbErr) -> Option<ApiError> {
    smartdmv_store::is_unique_violation(e).then(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "appointment_type_name_taken",
            "an appointment type with this name exists (perhaps deactivated: reactivate it)",
        )
    })
}

/// Saves a type (insert or update) with its audit entry in one transaction.
pub(crate) async fn save(
    auth: &TenantPrincipal,
    action: &str,
    before: Option<&appointment_type::Model>,
    m: appointment_type::Model,
) -> ApiResult<appointment_type::Model> {
    let db = auth.db();
    async {
        let txn = db.begin().await?;
        let saved = match before {
            None => appointment_type::insert(&txn, m).await?,
            Some(_) => appointment_type::update(&txn, m).await?,
        };
        auth.audit(
            &txn,
            action,
            "appointment_type",
            Some(saved.id),
            None,
            before.and_then(snapshot),
            snapshot(&saved),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| name_taken(&e).unwrap_or_else(|| auth.db_error(e).into()))
}

/// `POST /api/appointment-types`
pub(crate) async fn create(
    auth: Authorized<SettingsUpdate>,
    ApiJson(body): ApiJson<TypeBody>,
) -> ApiResult<(StatusCode, Json<AppointmentTypeOut>)> {
    validate(&body, true)?;
    let now = smartdmv_store::now();
    let m = appointment_type::Model {
        id: Uuid::now_v7(),
        name: body.name.unwrap_or_default().trim().to_owned(),
        duration_minutes: body.duration_minutes.unwrap_or(15),
        colour: body
            .colour
            .map(|c| c.to_lowercase())
            .unwrap_or_else(|| DEFAULT_COLOUR.into()),
        active: body.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    let saved = save(&auth, "create", None, m).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// `PATCH /api/appointment-types/{id}`: name, length, colour, `active`. Existing
/// appointments keep their own length.
pub(crate) async fn update(
    auth: Authorized<SettingsUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TypeBody>,
) -> ApiResult<Json<AppointmentTypeOut>> {
    let before = find_by_path(&auth, &id).await?;
    validate(&body, false)?;
    let mut m = before.clone();
    if let Some(n) = body.name {
        m.name = n.trim().to_owned();
    }
    if let Some(d) = body.duration_minutes {
        m.duration_minutes = d;
    }
    if let Some(c) = body.colour {
        m.colour = c.to_lowercase();
    }
    if let Some(a) = body.active {
        m.active = a;
    }
    m.updated_at = smartdmv_store::now();
    Ok(Json(save(&auth, "update", Some(&before), m).await?.into()))
}

/// `DELETE /api/appointment-types/{id}`: deactivates the type (no new appointments of it).
pub(crate) async fn deactivate(
    auth: Authorized<SettingsUpdate>,
    Path(id): Path<String>,
) -> ApiResult<Json<AppointmentTypeOut>> {
    let before = find_by_path(&auth, &id).await?;
    if !before.active {
        return Ok(Json(before.into()));
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    Ok(Json(
        save(&auth, "deactivate", Some(&before), m).await?.into(),
    ))
}
