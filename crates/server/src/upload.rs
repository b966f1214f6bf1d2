//! Uploaded and downloaded files at the edge, shared by the API and the pages: reading a
//! `multipart/form-data` upload into the service's [`Upload`], and answering a stored file.
//! The rules of what may be stored are `smartdmv_practice::record::attachments`'.

use axum::extract::multipart::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use smartdmv_domain::IdInput;
use smartdmv_domain::clinical::MAX_ATTACHMENT_BYTES;
use smartdmv_practice::record::attachments::Upload;

use crate::error::ApiError;

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "the file is larger than the 10 MiB limit",
    )
}

/// A refused multipart body: too large (413) or malformed (400).
pub(crate) fn multipart_error(status: StatusCode, detail: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("send multipart/form-data with a `file` part: {detail}"),
        )
    }
}

/// Reads an upload's parts: `file` (its bytes and name), `visitId` and `practiceId`, and the
/// `_csrf` of a page's form (returned for the page to check; the API ignores it).
pub(crate) async fn read_upload(mut form: Multipart) -> Result<(Upload, Option<String>), ApiError> {
    let mut up = Upload {
        file_name: None,
        bytes: Vec::new(),
        visit_id: None,
        practice_id: None,
    };
    let mut csrf = None;
    let mut seen_file = false;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| multipart_error(e.status(), e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" && !seen_file {
            seen_file = true;
            up.file_name = field.file_name().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| multipart_error(e.status(), e.body_text()))?;
            if bytes.len() > MAX_ATTACHMENT_BYTES {
                return Err(too_large());
            }
            up.bytes = bytes.to_vec();
            continue;
        }
        if !matches!(name.as_str(), "visitId" | "practiceId" | "_csrf") {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("unexpected form part {name:?}: send `file`, and optionally `visitId`"),
            ));
        }
        let text = field
            .text()
            .await
            .map_err(|e| multipart_error(e.status(), e.body_text()))?;
        match name.as_str() {
            "visitId" => up.visit_id = IdInput::optional(&text),
            "practiceId" => up.practice_id = IdInput::optional(&text),
            _ => csrf = Some(text),
        }
    }
    Ok((up, csrf))
}

/// A stored file as an answer: its bytes with their type, shown inline, never sniffed.
pub(crate) fn file_response(a: smartdmv_store::tenant::attachment::Model) -> Response {
    (
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{}\"",
                    a.file_name.replace(|c: char| !c.is_ascii(), "_")
                ),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        a.data,
    )
        .into_response()
}
