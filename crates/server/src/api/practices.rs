//! `/api/practices`: a company's practices and their settings. Practice-bound users see and
//! edit their own practices; creating one is a company-level act.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{audit, practice};
use uuid::Uuid;

use super::{Page, PageParams};
use crate::auth::Authorized;
use crate::auth::perms::{PracticesCreate, PracticesDelete, PracticesRead, PracticesUpdate};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/practices", list)
        .post("/api/practices", create)
        .get("/api/practices/{id}", show)
        .patch("/api/practices/{id}", update)
        .delete("/api/practices/{id}", close)
}

/// A practice with its settings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PracticeOut {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: String,
    pub currency: String,
    pub opening_hours: serde_json::Value,
    pub allow_client_signup: bool,
    pub is_head_office: bool,
    /// Sales tax in basis points (2000 = 20 %).
    pub tax_rate_bp: i32,
    pub active: bool,
}

impl From<practice::Model> for PracticeOut {
    fn from(p: practice::Model) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            address: p.address,
            phone: p.phone,
            email: p.email,
            time_zone: p.time_zone,
            currency: p.currency,
            opening_hours: p.opening_hours,
            allow_client_signup: p.allow_client_signup,
            is_head_office: p.is_head_office,
            tax_rate_bp: p.tax_rate_bp,
            active: p.active,
        }
    }
}

pub(crate) async fn list(
    auth: Authorized<PracticesRead>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PracticeOut>>> {
    let limit = page.limit()?;
    let mut rows = practice::list_page(auth.db(), page.cursor()?, limit + 1)
        .await
        .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    rows.retain(|p| auth.in_scope(Some(p.id)));
    Ok(Json(Page {
        items: rows.into_iter().map(PracticeOut::from).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePractice {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub tax_rate_bp: Option<i32>,
}

fn validate(b: &CreatePractice) -> Result<(), ApiError> {
    let mut errs = Vec::new();
    let n = b.name.trim().chars().count();
    if n == 0 || n > 200 {
        errs.push(("name".to_owned(), "must be 1 to 200 characters".to_owned()));
    }
    if let Some(e) = &b.email
        && !smartdmv_domain::text::is_plausible_email(e)
    {
        errs.push(("email".into(), "must be an email address".into()));
    }
    if let Some(p) = &b.phone
        && !smartdmv_domain::text::is_plausible_phone(p)
    {
        errs.push(("phone".into(), "must be a phone number".into()));
    }
    if let Some(tz) = &b.time_zone
        && (tz.len() > 64 || smartdmv_domain::schedule::time_zone(tz).is_none())
    {
        errs.push((
            "timeZone".into(),
            "must be an IANA time zone such as Europe/London".into(),
        ));
    }
    if let Some(c) = &b.currency
        && !(c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()))
    {
        errs.push((
            "currency".into(),
            "must be an ISO 4217 code such as USD".into(),
        ));
    }
    if let Some(t) = b.tax_rate_bp
        && !(0..=10_000).contains(&t)
    {
        errs.push((
            "taxRateBp".into(),
            "must be 0 to 10000 basis points (2000 = 20 %)".into(),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errs))
    }
}

/// `POST /api/practices`: adds a practice, with its audit entry in the same transaction.
pub(crate) async fn create(
    auth: Authorized<PracticesCreate>,
    ApiJson(body): ApiJson<CreatePractice>,
) -> ApiResult<(StatusCode, Json<PracticeOut>)> {
    validate(&body)?;
    crate::limits::check_practice_room(&auth).await?;
    let now = smartdmv_store::now();
    let model = practice::Model {
        id: Uuid::now_v7(),
        name: body.name.trim().to_owned(),
        address: body.address,
        phone: body.phone,
        email: body.email,
        time_zone: body.time_zone.unwrap_or_else(|| "UTC".into()),
        currency: body.currency.unwrap_or_else(|| "USD".into()),
        opening_hours: smartdmv_tenancy::provision::default_opening_hours(),
        allow_client_signup: false,
        is_head_office: false,
        tax_rate_bp: body.tax_rate_bp.unwrap_or(0),
        active: true,
        created_at: now,
        updated_at: now,
    };
    let db = auth.db();
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let saved = practice::insert(&txn, model).await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(auth.user.id),
                actor: &actor,
                action: "create",
                entity: "practice",
                entity_id: Some(saved.id),
                practice_id: Some(saved.id),
                before: None,
                after: Some(serde_json::json!({"name": saved.name})),
                ip: auth.ip.clone(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

pub(crate) async fn find_visible(
    auth: &crate::auth::TenantPrincipal,
    id: &str,
) -> ApiResult<practice::Model> {
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found("practice"))?;
    practice::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .filter(|p| auth.in_scope(Some(p.id)))
        .ok_or_else(|| ApiError::not_found("practice"))
}

/// `GET /api/practices/{id}`
pub(crate) async fn show(
    auth: Authorized<PracticesRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<PracticeOut>> {
    Ok(Json(find_visible(&auth, &id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePractice {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub opening_hours: Option<serde_json::Value>,
    pub allow_client_signup: Option<bool>,
    pub tax_rate_bp: Option<i32>,
    /// `true` reopens a closed practice (counted against the plan's limit).
    pub active: Option<bool>,
}

fn check_opening_hours(v: &serde_json::Value) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let hhmm = |s: &str| {
        let b = s.as_bytes();
        b.len() == 5
            && b[2] == b':'
            && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
            && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
    };
    v.as_object().is_some_and(|o| {
        o.iter().all(|(day, spans)| {
            DAYS.contains(&day.as_str())
                && spans.as_array().is_some_and(|a| {
                    a.iter().all(|span| {
                        span.as_array().is_some_and(|p| {
                            p.len() == 2
                                && p.iter().all(|x| x.as_str().is_some_and(hhmm))
                                && p[0].as_str() < p[1].as_str()
                        })
                    })
                })
        })
    })
}

/// `PATCH /api/practices/{id}`: details and settings.
pub(crate) async fn update(
    auth: Authorized<PracticesUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdatePractice>,
) -> ApiResult<Json<PracticeOut>> {
    let before = find_visible(&auth, &id).await?;
    let probe = CreatePractice {
        name: body.name.clone().unwrap_or_else(|| before.name.clone()),
        address: None,
        phone: body.phone.clone(),
        email: body.email.clone(),
        time_zone: body.time_zone.clone(),
        currency: body.currency.clone(),
        tax_rate_bp: body.tax_rate_bp,
    };
    validate(&probe)?;
    match body.active {
        Some(true) if !before.active => crate::limits::check_practice_room(&auth).await?,
        Some(false) if before.active => {
            return Err(ApiError::invalid_field(
                "active",
                "close a practice with DELETE /api/practices/{id}",
            ));
        }
        _ => {}
    }
    if let Some(h) = &body.opening_hours
        && !check_opening_hours(h)
    {
        return Err(ApiError::invalid_field(
            "openingHours",
            "must map mon..sun to lists of [\"HH:MM\", \"HH:MM\"] spans",
        ));
    }
    let mut m = before.clone();
    m.name = probe.name.trim().to_owned();
    if body.address.is_some() {
        m.address = body.address;
    }
    if body.phone.is_some() {
        m.phone = body.phone;
    }
    if body.email.is_some() {
        m.email = body.email;
    }
    if let Some(tz) = body.time_zone {
        m.time_zone = tz;
    }
    if let Some(c) = body.currency {
        m.currency = c;
    }
    if let Some(h) = body.opening_hours {
        m.opening_hours = h;
    }
    if let Some(a) = body.allow_client_signup {
        m.allow_client_signup = a;
    }
    if let Some(t) = body.tax_rate_bp {
        m.tax_rate_bp = t;
    }
    if let Some(a) = body.active {
        m.active = a;
    }
    m.updated_at = smartdmv_store::now();
    let db = auth.db();
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let saved = practice::update(&txn, m).await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(auth.user.id),
                actor: &actor,
                action: "update",
                entity: "practice",
                entity_id: Some(saved.id),
                practice_id: Some(saved.id),
                before: Some(
                    serde_json::to_value(PracticeOut::from(before.clone())).unwrap_or_default(),
                ),
                after: Some(
                    serde_json::to_value(PracticeOut::from(saved.clone())).unwrap_or_default(),
                ),
                ip: auth.ip.clone(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(saved.into()))
}

/// `DELETE /api/practices/{id}`: closes a practice. Its records stay (they are retained, and
/// clients belong to the company); it takes no new appointments and can be reopened with
/// `PATCH {"active": true}`. The last open practice cannot be closed, nor one with
/// appointments still to come.
pub(crate) async fn close(
    auth: Authorized<PracticesDelete>,
    Path(id): Path<String>,
) -> ApiResult<Json<PracticeOut>> {
    let before = find_visible(&auth, &id).await?;
    if !before.active {
        return Ok(Json(before.into()));
    }
    let db = auth.db();
    let open = practice::count_active(db)
        .await
        .map_err(|e| auth.db_error(e))?;
    if open <= 1 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "last_open_practice",
            "a company keeps at least one open practice",
        ));
    }
    let upcoming = practice::upcoming_appointments(db, before.id, smartdmv_store::now())
        .await
        .map_err(|e| auth.db_error(e))?;
    if upcoming > 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "practice_has_appointments",
            format!("{upcoming} appointments are still to come at this practice; move or cancel them first"),
        )
        .with("appointments", serde_json::json!(upcoming)));
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    let saved = async {
        let txn = db.begin().await?;
        let saved = practice::update(&txn, m).await?;
        auth.audit(
            &txn,
            "close",
            "practice",
            Some(saved.id),
            Some(saved.id),
            serde_json::to_value(PracticeOut::from(before.clone())).ok(),
            serde_json::to_value(PracticeOut::from(saved.clone())).ok(),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(saved.into()))
}
