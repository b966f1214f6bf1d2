//! Submitted forms and the API's answer to them: on a 4xx the form is shown again with the
//! API's errors beside their fields and the error's status; anything else is an error page.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::collections::BTreeMap;

use super::error::{WebError, WebResult};
use crate::error::ApiError;

/// The errors of a submitted form: per field (shown beside the field) and in general.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub fields: BTreeMap<String, String>,
    pub general: String,
}

/// The note above a form whose errors stand beside its fields.
const CORRECT_FIELDS: &str = "Please correct the fields marked below.";

impl FormErrors {
    /// One field's error, found before the form reached a service.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            fields: [(field.to_owned(), message.into())].into(),
            general: CORRECT_FIELDS.into(),
        }
    }

    /// `Err` with the note above the form when a field has an error, `Ok` when none has.
    pub fn checked(mut self) -> Result<(), Self> {
        if self.fields.is_empty() {
            return Ok(());
        }
        self.general = CORRECT_FIELDS.into();
        Err(self)
    }

    /// The message of one field, empty when it has none.
    pub fn of(&self, field: &str) -> &str {
        self.fields.get(field).map_or("", String::as_str)
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self {
            fields: BTreeMap::new(),
            general: message.into(),
        }
    }

    /// The API's problem document as form errors: its field errors beside their fields, and
    /// its detail above the form when no field carries it.
    pub fn from_api(e: ApiError) -> Self {
        let mut fields = BTreeMap::new();
        if let Some(errs) = e.errors {
            for (k, v) in errs {
                let msg = match v {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; "),
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                fields.insert(k, msg);
            }
        }
        let general = if fields.is_empty() {
            e.detail
        } else {
            CORRECT_FIELDS.into()
        };
        Self { fields, general }
    }

    /// The errors with the API's field names `(api, form)` moved to the form's names.
    pub fn renamed(mut self, names: &[(&str, &str)]) -> Self {
        for (api, field) in names {
            if let Some(m) = self.fields.remove(*api) {
                self.fields.insert((*field).into(), m);
            }
        }
        self
    }
}

/// A service's (or the API's) answer to a submitted form: `Ok(Ok(v))` on success, `Ok(Err(e))` for a 4xx the
/// form shows again (see [`rerender`]), `Err` for the error page.
pub fn form_result<T, E: Into<ApiError>>(r: Result<T, E>) -> WebResult<Result<T, ApiError>> {
    match r.map_err(Into::into) {
        Ok(v) => Ok(Ok(v)),
        Err(e) if e.status.is_client_error() => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

/// [`form_result`] for a change to an existing record: its 404 (the record is gone) is the
/// error page rather than the form.
pub fn edit_result<T, E: Into<ApiError>>(r: Result<T, E>) -> WebResult<Result<T, ApiError>> {
    match r.map_err(Into::into) {
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(WebError::from(e)),
        r => form_result(r),
    }
}

/// The form again for the API's refusal `e`: `page` renders it with the errors, and the
/// answer carries the error's status.
pub async fn rerender(
    e: ApiError,
    page: impl AsyncFnOnce(FormErrors) -> WebResult<Response>,
) -> WebResult<Response> {
    let status = e.status;
    let resp = page(FormErrors::from_api(e)).await?;
    Ok(with_status(resp, status))
}

/// The form shown again for errors found before it reached the service: 422.
pub fn invalid(page: WebResult<Response>) -> WebResult<Response> {
    Ok(with_status(page?, StatusCode::UNPROCESSABLE_ENTITY))
}

/// A rendered page with the status of the error it shows.
pub fn with_status(mut resp: Response, status: StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}
