//! Opening, changing and closing practices. Opening one, or reopening a closed one, needs
//! room under the plan's `maxPractices`; a company keeps at least one open practice, and a
//! practice with appointments still to come cannot close.

use serde::Deserialize;
use serde_json::json;
use smartdmv_domain::PracticeId;
use smartdmv_domain::practice::{
    NAME_MAX, TAX_RATE_BP, is_currency_code, is_open_span, is_weekday,
};
use smartdmv_domain::usage::{Limit, room_for_one_more};
use smartdmv_store::tenant::practice;

use super::get;
use crate::audited::save;
use crate::work::Change;
use crate::{FieldErrors, Refusal, ServiceError, ServiceResult, TenantPrincipal};

/// A new practice; what is not given takes the company's defaults (UTC, USD, no tax).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPractice {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub tax_rate_bp: Option<i32>,
}

/// Changes to a practice's details and settings; `None` leaves a value as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PracticeChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub opening_hours: Option<serde_json::Value>,
    pub allow_client_signup: Option<bool>,
    pub tax_rate_bp: Option<i32>,
    /// Hours an unsigned SOAP note stays editable (1 to 720); notes keep the window they
    /// were written under.
    pub record_lock_hours: Option<i32>,
    /// Whether clients see their pets' signed notes in the portal.
    pub portal_shows_notes: Option<bool>,
    /// `true` reopens a closed practice (counted against the plan's limit); closing is
    /// [`close`]'s.
    pub active: Option<bool>,
}

/// Every field error of a practice's details, at once.
fn validate(
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    time_zone: Option<&str>,
    currency: Option<&str>,
    tax_rate_bp: Option<i32>,
) -> ServiceResult<()> {
    let mut errs: FieldErrors = Vec::new();
    let n = name.trim().chars().count();
    if n == 0 || n > NAME_MAX {
        errs.push(("name".to_owned(), "must be 1 to 200 characters".to_owned()));
    }
    if let Some(e) = email
        && !smartdmv_domain::text::is_plausible_email(e)
    {
        errs.push(("email".into(), "must be an email address".into()));
    }
    if let Some(p) = phone
        && !smartdmv_domain::text::is_plausible_phone(p)
    {
        errs.push(("phone".into(), "must be a phone number".into()));
    }
    if let Some(tz) = time_zone
        && (tz.len() > 64 || smartdmv_domain::schedule::time_zone(tz).is_none())
    {
        errs.push((
            "timeZone".into(),
            "must be an IANA time zone such as Europe/London".into(),
        ));
    }
    if let Some(c) = currency
        && !is_currency_code(c)
    {
        errs.push((
            "currency".into(),
            "must be an ISO 4217 code such as USD".into(),
        ));
    }
    if let Some(t) = tax_rate_bp
        && !TAX_RATE_BP.contains(&t)
    {
        errs.push((
            "taxRateBp".into(),
            "must be 0 to 10000 basis points (2000 = 20 %)".into(),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errs))
    }
}

/// Whether opening hours map weekdays to lists of `["HH:MM", "HH:MM"]` spans.
fn is_opening_hours(v: &serde_json::Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.iter().all(|(day, spans)| {
            is_weekday(day)
                && spans.as_array().is_some_and(|a| {
                    a.iter()
                        .all(|span| match span.as_array().map(Vec::as_slice) {
                            Some([from, to]) => from
                                .as_str()
                                .zip(to.as_str())
                                .is_some_and(|(f, t)| is_open_span(f, t)),
                            _ => false,
                        })
                })
        })
    })
}

/// 402 `plan_limit_reached` when the company has as many open practices as its plan allows.
async fn check_practice_room(cx: &TenantPrincipal) -> ServiceResult<()> {
    let Some(max) = cx.tenant.company.limits.max_practices else {
        return Ok(());
    };
    let open = practice::count_active(cx.db()).await?;
    if room_for_one_more(Some(max), open) {
        return Ok(());
    }
    Err(ServiceError::LimitReached(
        Refusal::new(
            "plan_limit_reached",
            format!("the company's plan allows {max} open practices"),
        )
        .with("limit", json!(Limit::MaxPractices.as_str()))
        .with("max", json!(max)),
    ))
}

/// Opens a new practice, if the plan has room for one more.
pub async fn create(cx: &TenantPrincipal, input: NewPractice) -> ServiceResult<practice::Model> {
    validate(
        &input.name,
        input.phone.as_deref(),
        input.email.as_deref(),
        input.time_zone.as_deref(),
        input.currency.as_deref(),
        input.tax_rate_bp,
    )?;
    check_practice_room(cx).await?;
    let now = smartdmv_store::now();
    let m = practice::Model {
        id: PracticeId::new(),
        name: input.name.trim().to_owned(),
        address: input.address,
        phone: input.phone,
        email: input.email,
        time_zone: input.time_zone.unwrap_or_else(|| "UTC".into()),
        currency: input.currency.unwrap_or_else(|| "USD".into()),
        opening_hours: smartdmv_tenancy::provision::default_opening_hours(),
        allow_client_signup: false,
        is_head_office: false,
        tax_rate_bp: input.tax_rate_bp.unwrap_or(0),
        active: true,
        record_lock_hours: smartdmv_domain::clinical::DEFAULT_RECORD_LOCK_HOURS,
        portal_shows_notes: false,
        created_at: now,
        updated_at: now,
    };
    cx.write(|w| async move {
        let saved = practice::insert(w.tx(), m).await?;
        w.audit(Change {
            action: "create",
            entity: "practice",
            entity_id: Some(saved.id.into()),
            practice_id: Some(saved.id),
            before: None,
            after: Some(json!({"name": saved.name})),
        })
        .await?;
        Ok(saved)
    })
    .await
}

/// Changes a practice's details and settings, or reopens it (`active: true`, if the plan has
/// room). `active: false` is refused: closing has its own rules ([`close`]).
pub async fn update(
    cx: &TenantPrincipal,
    id: PracticeId,
    c: PracticeChanges,
) -> ServiceResult<practice::Model> {
    let before = get(cx, id).await?;
    let name = c.name.unwrap_or_else(|| before.name.clone());
    validate(
        &name,
        c.phone.as_deref(),
        c.email.as_deref(),
        c.time_zone.as_deref(),
        c.currency.as_deref(),
        c.tax_rate_bp,
    )?;
    match c.active {
        Some(true) if !before.active => check_practice_room(cx).await?,
        Some(false) if before.active => {
            return Err(ServiceError::invalid(
                "active",
                "close a practice with DELETE /api/practices/{id}",
            ));
        }
        _ => {}
    }
    if let Some(h) = c.record_lock_hours
        && !smartdmv_domain::clinical::RECORD_LOCK_HOURS.contains(&h)
    {
        return Err(ServiceError::invalid(
            "recordLockHours",
            "must be 1 to 720 (hours)",
        ));
    }
    if let Some(h) = &c.opening_hours
        && !is_opening_hours(h)
    {
        return Err(ServiceError::invalid(
            "openingHours",
            "must map mon..sun to lists of [\"HH:MM\", \"HH:MM\"] spans",
        ));
    }
    let mut m = before.clone();
    m.name = name.trim().to_owned();
    if c.address.is_some() {
        m.address = c.address;
    }
    if c.phone.is_some() {
        m.phone = c.phone;
    }
    if c.email.is_some() {
        m.email = c.email;
    }
    if let Some(tz) = c.time_zone {
        m.time_zone = tz;
    }
    if let Some(cur) = c.currency {
        m.currency = cur;
    }
    if let Some(h) = c.opening_hours {
        m.opening_hours = h;
    }
    if let Some(a) = c.allow_client_signup {
        m.allow_client_signup = a;
    }
    if let Some(t) = c.tax_rate_bp {
        m.tax_rate_bp = t;
    }
    if let Some(h) = c.record_lock_hours {
        m.record_lock_hours = h;
    }
    if let Some(s) = c.portal_shows_notes {
        m.portal_shows_notes = s;
    }
    if let Some(a) = c.active {
        m.active = a;
    }
    m.updated_at = smartdmv_store::now();
    save(cx, "update", Some(&before), m).await
}

/// Closes a practice. Its records stay (they are retained, and clients belong to the
/// company); it takes no new appointments and can be reopened with [`update`]. The last open
/// practice cannot be closed, nor one with appointments still to come. Closing a closed
/// practice changes nothing.
pub async fn close(cx: &TenantPrincipal, id: PracticeId) -> ServiceResult<practice::Model> {
    let before = get(cx, id).await?;
    if !before.active {
        return Ok(before);
    }
    if practice::count_active(cx.db()).await? <= 1 {
        return Err(ServiceError::conflict(
            "last_open_practice",
            "a company keeps at least one open practice",
        ));
    }
    let upcoming =
        practice::upcoming_appointments(cx.db(), before.id, smartdmv_store::now()).await?;
    if upcoming > 0 {
        return Err(ServiceError::Conflict(
            Refusal::new(
                "practice_has_appointments",
                format!(
                    "{upcoming} appointments are still to come at this practice; move or cancel them first"
                ),
            )
            .with("appointments", json!(upcoming)),
        ));
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    save(cx, "close", Some(&before), m).await
}
