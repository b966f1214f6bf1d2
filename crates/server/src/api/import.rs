//! `POST /api/import/clients-patients`: clients and patients from another practice system's
//! CSV export (one row per patient with its owner's columns). A dry run reports what would
//! be created and every rejected row with every reason, and writes nothing; a real import
//! writes everything in one transaction with one audit entry, or nothing when any row is
//! rejected.

use axum::Json;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::json;
use smartdmv_domain::import::{self, Plan};
use smartdmv_domain::perm::{Action, Permission, Resource};
use smartdmv_store::tenant::import as store;

use crate::auth::Authorized;
use crate::auth::feature::{Featured, feat};
use crate::auth::perms::ClientsCreate;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

/// Largest CSV file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

pub fn routes() -> super::Routes {
    super::Routes::new().post(
        "/api/import/clients-patients",
        import_clients_patients.layer(DefaultBodyLimit::max(MAX_BYTES)),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportParams {
    /// Defaults to `true`: an import writes only when asked to.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub clients: usize,
    pub patients: usize,
    pub contacts: usize,
    pub weights: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedRow {
    pub line: usize,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPatientOut {
    pub line: usize,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    pub microchip: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedClientOut {
    pub lines: Vec<usize>,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub patients: Vec<PlannedPatientOut>,
}

/// What an import did or would do.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read (the header excluded).
    pub rows: usize,
    /// Whether every row can be imported.
    pub valid: bool,
    /// Created (real import) or to be created (dry run); zero when rows are rejected.
    pub created: Counts,
    pub rejected: Vec<RejectedRow>,
    /// Not blocking: microchips already on a patient of the company.
    pub warnings: Vec<Warning>,
    pub ignored_columns: Vec<String>,
    pub clients: Vec<PlannedClientOut>,
}

fn report(plan: &Plan, dry_run: bool, warnings: Vec<Warning>) -> ImportReport {
    let valid = plan.rejected.is_empty();
    let contacts = plan
        .clients
        .iter()
        .map(|c| c.emails.len() + c.phones.len())
        .sum();
    let weights = plan
        .clients
        .iter()
        .flat_map(|c| &c.patients)
        .filter(|p| p.weight_kg.is_some())
        .count();
    ImportReport {
        dry_run,
        rows: plan.rows,
        valid,
        created: Counts {
            clients: plan.clients.len(),
            patients: plan.patient_count(),
            contacts,
            weights,
        },
        rejected: plan
            .rejected
            .iter()
            .map(|r| RejectedRow {
                line: r.line,
                reasons: r.reasons.clone(),
            })
            .collect(),
        warnings,
        ignored_columns: plan.ignored_columns.clone(),
        clients: plan
            .clients
            .iter()
            .map(|c| PlannedClientOut {
                lines: c.lines.clone(),
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                emails: c.emails.clone(),
                phones: c.phones.clone(),
                patients: c
                    .patients
                    .iter()
                    .map(|p| PlannedPatientOut {
                        line: p.line,
                        name: p.name.clone(),
                        species: p.species.clone(),
                        breed: p.breed.clone(),
                        microchip: p.microchip.as_ref().map(|m| m.code.clone()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the file is larger than the 10 MiB limit",
        )
    } else {
        ApiError::new(e.status(), "invalid_body", e.body_text())
    }
}

/// `POST /api/import/clients-patients?dryRun=true|false` with a `text/csv` body.
pub(crate) async fn import_clients_patients(
    _: Featured<feat::DataImport>,
    auth: Authorized<ClientsCreate>,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    auth.require(Permission::new(Resource::Pets, Action::Create))?;
    let dry_run = params.dry_run.unwrap_or(true);
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(ctype.as_str(), "text/csv" | "application/csv") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the file as text/csv",
        ));
    }
    let body = body.map_err(body_error)?;
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_file",
            format!("the file is not UTF-8 text (byte {})", e.valid_up_to()),
        )
    })?;
    let db = auth.db();
    let catalog = store::catalog(db).await.map_err(|e| auth.db_error(e))?;
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date();
    let plan = import::plan(text, &catalog, today)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", e.0))?;
    let chips: Vec<(String, usize)> = plan
        .clients
        .iter()
        .flat_map(|c| &c.patients)
        .filter_map(|p| Some((p.microchip.as_ref()?.code.clone(), p.line)))
        .collect();
    let codes: Vec<String> = chips.iter().map(|(c, _)| c.clone()).collect();
    let existing = store::existing_microchips(db, &codes)
        .await
        .map_err(|e| auth.db_error(e))?;
    let warnings = chips
        .iter()
        .filter_map(|(code, line)| {
            let (_, name) = existing.iter().find(|(c, _)| c == code)?;
            Some(Warning {
                line: *line,
                message: format!("microchip {code} is already recorded for patient {name}"),
            })
        })
        .collect();
    let mut out = report(&plan, dry_run, warnings);
    if dry_run {
        return Ok((StatusCode::OK, Json(out)));
    }
    if !out.valid {
        let n = out.rejected.len();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_rejected",
            format!("{n} rows cannot be imported; nothing was written"),
        )
        .with("report", serde_json::to_value(&out).unwrap_or_default()));
    }
    let now = smartdmv_store::now();
    let written = async {
        let txn = db.begin().await?;
        let written =
            store::write(&txn, &plan, auth.user.practice_id, Some(auth.user.id), now).await?;
        auth.audit(
            &txn,
            "import",
            "client",
            None,
            auth.user.practice_id,
            None,
            Some(json!({
                "source": "csv",
                "rows": plan.rows,
                "bytes": body.len(),
                "clients": written.clients,
                "patients": written.patients,
                "contacts": written.contacts,
                "weights": written.weights,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(written)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    out.created = Counts {
        clients: written.clients,
        patients: written.patients,
        contacts: written.contacts,
        weights: written.weights,
    };
    Ok((StatusCode::CREATED, Json(out)))
}
