//! Appointment types: the company's kinds of appointment with their default length and
//! calendar colour. Everyone who reads appointments reads the types (a client picks one when
//! requesting); changing them is a settings change. Deleting deactivates: appointments keep
//! their type, and their own length.

use serde::{Deserialize, Serialize};
use smartdmv_domain::AppointmentTypeId;
use smartdmv_domain::appointment_type::{DEFAULT_COLOUR, DURATION_MINUTES, NAME_MAX, is_colour};
use smartdmv_store::tenant::appointment_type;
use uuid::Uuid;

use crate::audited::{Audited, save};
use crate::{
    ConflictAs, FieldErrors, Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal,
    rfc3339,
};

/// An appointment type as answers and the audit log show it.
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

/// A type's fields: all required but colour and `active` to create one; any of them to
/// change one.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppointmentTypeInput {
    pub name: Option<String>,
    pub duration_minutes: Option<i32>,
    /// `#rrggbb`; stored in lower case.
    pub colour: Option<String>,
    /// `true` reactivates a deactivated type.
    pub active: Option<bool>,
}

impl Audited for appointment_type::Model {
    const ENTITY: &'static str = "appointment_type";
    type Out = AppointmentTypeOut;
    fn entity_id(&self) -> Uuid {
        self.id.0
    }
}

/// Active types (all of them with `include_inactive`).
pub async fn list(
    cx: &TenantPrincipal,
    include_inactive: bool,
    page: &PageRequest,
) -> ServiceResult<Page<appointment_type::Model>> {
    let limit = page.limit()?;
    let rows =
        appointment_type::list_page(cx.db(), include_inactive, page.cursor()?, limit + 1).await?;
    Ok(Page::from_rows(rows, limit, |r| r.id.to_string()))
}

/// A type by id.
pub async fn get(
    cx: &TenantPrincipal,
    id: AppointmentTypeId,
) -> ServiceResult<appointment_type::Model> {
    appointment_type::find(cx.db(), id)
        .await?
        .ok_or(ServiceError::NotFound("appointment type"))
}

fn validate(b: &AppointmentTypeInput, creating: bool) -> ServiceResult<()> {
    let mut errs = FieldErrors::new();
    match &b.name {
        Some(n) if n.trim().is_empty() || n.trim().chars().count() > NAME_MAX => {
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
        Err(ServiceError::Invalid(errs))
    }
}

/// 409 `appointment_type_name_taken` when another type has the name.
fn name_taken<T>(r: ServiceResult<T>) -> ServiceResult<T> {
    r.conflict_as(
        "appointment_type_name_taken",
        "an appointment type with this name exists (perhaps deactivated: reactivate it)",
    )
}

/// A new type; without a colour it takes the default one.
pub async fn create(
    cx: &TenantPrincipal,
    input: AppointmentTypeInput,
) -> ServiceResult<appointment_type::Model> {
    validate(&input, true)?;
    let now = smartdmv_store::now();
    let m = appointment_type::Model {
        id: AppointmentTypeId::new(),
        name: input.name.unwrap_or_default().trim().to_owned(),
        duration_minutes: input.duration_minutes.unwrap_or(15),
        colour: input
            .colour
            .map(|c| c.to_lowercase())
            .unwrap_or_else(|| DEFAULT_COLOUR.into()),
        active: input.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    name_taken(save(cx, "create", None, m).await)
}

/// Changes a type's name, length, colour or `active`. Existing appointments keep their own
/// length.
pub async fn update(
    cx: &TenantPrincipal,
    id: AppointmentTypeId,
    input: AppointmentTypeInput,
) -> ServiceResult<appointment_type::Model> {
    let before = get(cx, id).await?;
    validate(&input, false)?;
    let mut m = before.clone();
    if let Some(n) = input.name {
        m.name = n.trim().to_owned();
    }
    if let Some(d) = input.duration_minutes {
        m.duration_minutes = d;
    }
    if let Some(c) = input.colour {
        m.colour = c.to_lowercase();
    }
    if let Some(a) = input.active {
        m.active = a;
    }
    m.updated_at = smartdmv_store::now();
    name_taken(save(cx, "update", Some(&before), m).await)
}

/// Deactivates a type: no new appointments of it.
pub async fn deactivate(
    cx: &TenantPrincipal,
    id: AppointmentTypeId,
) -> ServiceResult<appointment_type::Model> {
    let before = get(cx, id).await?;
    if !before.active {
        return Ok(before);
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    name_taken(save(cx, "deactivate", Some(&before), m).await)
}
