//! `POST /api/import/clients-patients`: clients and patients from another practice system's
//! CSV export. The rules live in [`smartdmv_practice::import`]; this handler checks what is
//! HTTP's (the media type and the body's size), calls and answers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use smartdmv_practice::import::{self, CsvImport, ImportRefusal, ImportReport};

use crate::api::created;
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

/// A refused file: 422 with the refusal's code (and the report of a rejected import).
fn refused(r: ImportRefusal) -> ApiError {
    let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, r.code(), r.detail());
    match &r {
        ImportRefusal::Rejected(report) => {
            e.with("report", serde_json::to_value(report).unwrap_or_default())
        }
        ImportRefusal::InvalidFile(_) => e,
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
    // The second permission the route needs, before the body is judged.
    auth.require(import::PETS_CREATE)?;
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
    let dry_run = params.dry_run.unwrap_or(true);
    let file = CsvImport {
        bytes: &body,
        dry_run,
    };
    match import::clients_patients(&auth, file).await? {
        Ok(report) if dry_run => Ok((StatusCode::OK, Json(report))),
        Ok(report) => created(report),
        Err(r) => Err(refused(r)),
    }
}
