//! The settings form of a practice, shared by both administrator areas: name, contact
//! details, time zone, currency, tax rate, opening hours and client sign-up, saved through
//! [`smartdmv_practice::practices::update`].

use crate::web::invalid;
use crate::web::posted::{Posted, Record};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::PracticeId;
use smartdmv_practice::practices::{self, PracticeChanges, PracticeOut};

use super::super::chrome::{Area, Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::display::page_id;
use super::super::error::{WebError, WebResult};
use super::super::session::{InArea, TenantArea};
use super::super::{FormErrors, html, redirect_flash};
use super::practices::{of_path, visible};
use super::{Pairs, opt};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{Perm, PracticesUpdate};
use crate::state::AppState;
use crate::web::{form_result, rerender};

pub const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// One day's spans as the form shows them: `08:00-12:00, 13:00-18:00`.
fn day_text(hours: &serde_json::Value, day: &str) -> String {
    hours[day]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|span| Some(format!("{}-{}", span[0].as_str()?, span[1].as_str()?)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses one day's field into `[["HH:MM","HH:MM"], ...]`; blank is closed. The API checks
/// the times themselves.
pub(crate) fn parse_day(text: &str) -> Option<serde_json::Value> {
    let spans = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|span| {
            let (a, b) = span.split_once('-')?;
            Some(serde_json::json!([a.trim(), b.trim()]))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(serde_json::Value::Array(spans))
}

/// A practice's settings as form values.
pub struct SettingsForm {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub time_zone: String,
    pub currency: String,
    pub tax_rate_bp: String,
    pub allow_client_signup: bool,
    pub record_lock_hours: String,
    pub portal_shows_notes: bool,
    pub days: Vec<(&'static str, &'static str, String)>,
}

impl SettingsForm {
    fn of(p: &PracticeOut) -> Self {
        Self {
            name: p.name.clone(),
            address: p.address.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            time_zone: p.time_zone.clone(),
            currency: p.currency.clone(),
            tax_rate_bp: p.tax_rate_bp.to_string(),
            allow_client_signup: p.allow_client_signup,
            record_lock_hours: p.record_lock_hours.to_string(),
            portal_shows_notes: p.portal_shows_notes,
            days: DAYS
                .iter()
                .map(|(k, l)| (*k, *l, day_text(&p.opening_hours, k)))
                .collect(),
        }
    }

    fn submitted(f: &Pairs) -> Self {
        Self {
            name: f.get("name").into(),
            address: f.get("address").into(),
            phone: f.get("phone").into(),
            email: f.get("email").into(),
            time_zone: f.get("timeZone").into(),
            currency: f.get("currency").into(),
            tax_rate_bp: f.get("taxRateBp").into(),
            allow_client_signup: f.has("allowClientSignup"),
            record_lock_hours: f.get("recordLockHours").into(),
            portal_shows_notes: f.has("portalShowsNotes"),
            days: DAYS
                .iter()
                .map(|(k, l)| (*k, *l, f.get(&format!("hours-{k}")).to_owned()))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "administrator/practice.html")]
struct SettingsPage {
    chrome: Chrome,
    base: &'static str,
    practice: PracticeOut,
    others: Vec<PracticeOut>,
    form: SettingsForm,
    errors: FormErrors,
    can_close: bool,
}

async fn settings_page<A: TenantArea>(
    ctx: &PageCtx,
    p: &TenantPrincipal,
    id: &str,
    form: Option<SettingsForm>,
    errors: FormErrors,
) -> WebResult<Response> {
    let practice = of_path(p, id).await?;
    let others = if A::AREA == Area::PracticeAdministrator {
        visible(p)
            .await?
            .into_iter()
            .filter(|x| x.id != practice.id)
            .collect()
    } else {
        Vec::new()
    };
    html(&SettingsPage {
        chrome: Chrome::tenant(ctx, A::AREA, format!("{} settings", practice.name), p),
        base: A::AREA.home(),
        form: form.unwrap_or_else(|| SettingsForm::of(&practice)),
        practice,
        others,
        errors,
        can_close: A::AREA == Area::Administrator,
    })
}

/// `GET {area}/practices/{id}`
pub async fn edit<A: TenantArea>(
    Record(_, ctx, area, id): Record<InArea<A>>,
) -> WebResult<Response> {
    settings_page::<A>(&ctx, &area.principal, &id, None, FormErrors::default()).await
}

#[derive(Deserialize)]
pub struct PracticeQuery {
    practice: Option<String>,
}

/// `GET /practice-administrator/settings?practice=`: the chosen practice's settings, or the
/// first of the user's practices.
pub async fn settings<A: TenantArea>(
    State(s): State<AppState>,
    ctx: PageCtx,
    area: InArea<A>,
    Query(q): Query<PracticeQuery>,
) -> WebResult<Response> {
    let p = area.principal;
    let id = match q.practice.filter(|x| !x.is_empty()) {
        Some(id) => id,
        None => {
            let first = super::users::practice_options(&s, &p)
                .await?
                .into_iter()
                .next();
            first.map(|x| x.id).ok_or_else(|| {
                WebError::Forbidden("you are not assigned to any open practice".into())
            })?
        }
    };
    settings_page::<A>(&ctx, &p, &id, None, FormErrors::default()).await
}

/// `POST {area}/practices/{id}`
pub async fn update<A: TenantArea>(
    Posted(s, ctx, area, id, form): Posted<InArea<A>>,
) -> WebResult<Response> {
    let p = area.principal;
    let mut hours = serde_json::Map::new();
    let mut errors = FormErrors::default();
    for (day, label, _) in SettingsForm::submitted(&form).days {
        match parse_day(form.get(&format!("hours-{day}"))) {
            Some(v) => {
                hours.insert(day.into(), v);
            }
            None => {
                errors.fields.insert(
                    format!("hours-{day}"),
                    format!("{label}: write spans like 08:00-12:00, 13:00-18:00"),
                );
            }
        }
    }
    let tax = match form.get("taxRateBp") {
        "" => Ok(None),
        t => t.parse::<i32>().map(Some),
    };
    if tax.is_err() {
        errors.fields.insert(
            "taxRateBp".into(),
            "must be a whole number of basis points".into(),
        );
    }
    let lock_hours = match form.get("recordLockHours") {
        "" => Ok(None),
        t => t.parse::<i32>().map(Some),
    };
    if lock_hours.is_err() {
        errors.fields.insert(
            "recordLockHours".into(),
            "must be a whole number of hours".into(),
        );
    }
    let back = if A::AREA == Area::PracticeAdministrator {
        format!("{}/settings?practice={id}", A::AREA.home())
    } else {
        format!("{}/practices/{id}", A::AREA.home())
    };
    if let Err(errors) = errors.checked() {
        let sub = Some(SettingsForm::submitted(&form));
        return invalid(settings_page::<A>(&ctx, &p, &id, sub, errors).await);
    }
    let changes = PracticeChanges {
        name: Some(form.get("name").to_owned()),
        address: opt(form.get("address")),
        phone: opt(form.get("phone")),
        email: opt(form.get("email")),
        time_zone: opt(form.get("timeZone")),
        currency: opt(form.get("currency")),
        opening_hours: Some(serde_json::Value::Object(hours)),
        allow_client_signup: Some(form.has("allowClientSignup")),
        tax_rate_bp: tax.unwrap_or_default(),
        record_lock_hours: lock_hours.unwrap_or_default(),
        portal_shows_notes: Some(form.has("portalShowsNotes")),
        active: None,
    };
    p.require(PracticesUpdate::PERM)?;
    let pid: PracticeId = page_id(&id)?;
    match form_result(practices::update(&p, pid, changes).await)? {
        Ok(x) => Ok(redirect_flash(
            &s,
            &back,
            Flash::success(format!("The settings of {} were saved.", x.name)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let sub = Some(SettingsForm::submitted(&form));
                settings_page::<A>(&ctx, &p, &id, sub, errors).await
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_hours_fields_round_trip() {
        let v = parse_day("08:00-12:00, 13:00 - 18:00").unwrap();
        assert_eq!(
            v,
            serde_json::json!([["08:00", "12:00"], ["13:00", "18:00"]])
        );
        let hours = serde_json::json!({ "mon": v });
        assert_eq!(day_text(&hours, "mon"), "08:00-12:00, 13:00-18:00");
        assert_eq!(day_text(&hours, "sun"), "");
        assert_eq!(parse_day("  ").unwrap(), serde_json::json!([]));
        assert!(parse_day("08:00 to 12:00").is_none());
    }
}
