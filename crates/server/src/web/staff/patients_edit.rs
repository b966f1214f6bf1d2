//! Changes to one patient from its pages: edit the details, record a weighing, and mark it
//! deceased (a confirmation page; the service cancels its future appointments too).

use crate::web::posted::{Posted, Record};
use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::PatientId;
use smartdmv_practice::patients::{self, PetAnswer, PetChanges, WeightIn, weights};

use super::patients::{form_page, pet_fields, saved_flash};
use super::pet_form::PetForm;
use super::{Staff, chrome};
use crate::auth::perms::{Perm, PetsRead, PetsUpdate};
use crate::web::chrome::Chrome;
use crate::web::csrf::Flash;
use crate::web::display::{page_id, today_in};
use crate::web::error::WebResult;
use crate::web::{FormErrors, html, redirect_flash};
use crate::web::{edit_result, rerender};

/// `GET /practice/patients/{id}/edit`
pub async fn edit_form(Record(s, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsRead::PERM)?;
    let a = patients::show(p, page_id(&id)?).await?;
    let form = PetForm::from_pet(&a.pet);
    let page = form_page(
        &s,
        &ctx,
        p,
        a.pet.id,
        String::new(),
        form,
        FormErrors::default(),
    )
    .await?;
    html(&page)
}

/// `POST /practice/patients/{id}`: saves the patient.
pub async fn update(
    Posted(s, ctx, staff, id, form): Posted<Staff, PetForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsUpdate::PERM)?;
    let pet_id: PatientId = page_id(&id)?;
    match edit_result(patients::update(p, pet_id, form.to_update()).await)? {
        Ok(a) => Ok(redirect_flash(
            &s,
            &format!("/practice/patients/{}", a.pet.id),
            saved_flash("The patient was saved.", &a),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let errors = pet_fields(errors);
                html(&form_page(&s, &ctx, p, id, String::new(), form, errors).await?)
            })
            .await
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
}

/// `POST /practice/patients/{id}/weights`: records a weighing; the outcome comes back to
/// the patient page as a flash message.
pub async fn add_weight(
    Posted(s, _, staff, id, f): Posted<Staff, WeightForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsUpdate::PERM)?;
    let pet_id: PatientId = page_id(&id)?;
    let body = WeightIn {
        value: f.value.trim().replace(',', ".").parse().unwrap_or(f64::NAN),
        unit: f.unit,
        measured_at: None,
    };
    let back = format!("/practice/patients/{id}");
    let flash = match edit_result(weights::create(p, pet_id, body).await)? {
        Ok(w) => Flash::success(format!("Weight {} {} recorded.", w.value, w.unit)),
        Err(e) => {
            let errors = FormErrors::from_api(e);
            let msg = errors
                .fields
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join("; ");
            Flash::error(format!(
                "The weight was not recorded: {}.",
                if msg.is_empty() { errors.general } else { msg }
            ))
        }
    };
    Ok(redirect_flash(&s, &back, flash))
}

#[derive(Template)]
#[template(path = "staff/patient_deceased.html")]
struct DeceasedPage {
    chrome: Chrome,
    pet: PetAnswer,
    date: String,
    errors: FormErrors,
    allowed: bool,
}

/// `GET /practice/patients/{id}/deceased`: the confirmation page.
pub async fn deceased_confirm(Record(_, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsRead::PERM)?;
    let pet = patients::show(p, page_id(&id)?).await?;
    html(&DeceasedPage {
        chrome: chrome(&ctx, format!("{} deceased", pet.pet.name), p),
        date: today_in(&jiff::tz::TimeZone::UTC).to_string(),
        allowed: p.can(PetsUpdate::PERM),
        pet,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeceasedForm {
    #[serde(default)]
    deceased_on: String,
}

/// `POST /practice/patients/{id}/deceased`: marks the patient deceased on the given date.
pub async fn deceased(
    Posted(s, ctx, staff, id, f): Posted<Staff, DeceasedForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsUpdate::PERM)?;
    let pet_id: PatientId = page_id(&id)?;
    let changes = PetChanges {
        deceased_on: Some(Some(f.deceased_on.trim().to_owned())),
        ..PetChanges::default()
    };
    match edit_result(patients::update(p, pet_id, changes).await)? {
        Ok(a) => {
            let n = a.cancelled_appointment_ids.as_ref().map_or(0, Vec::len);
            Ok(redirect_flash(
                &s,
                &format!("/practice/patients/{}", a.pet.id),
                Flash::success(format!(
                    "{} was marked deceased; {n} future appointment(s) were cancelled.",
                    a.pet.name
                )),
            ))
        }
        Err(e) => {
            rerender(e, async |errors| {
                p.require(PetsRead::PERM)?;
                let pet = patients::show(p, pet_id).await?;
                html(&DeceasedPage {
                    chrome: chrome(&ctx, format!("{} deceased", pet.pet.name), p),
                    date: f.deceased_on,
                    allowed: true,
                    pet,
                    errors,
                })
            })
            .await
        }
    }
}
