//! [`Record`], [`Posted`] and [`Submitted`]: what a handler of a page about one record, of
//! a form about one record, or of a form that makes a record extracts, taken in one piece
//! (and bound as `Posted(s, ctx, Owner(op), id, form): Posted<Owner>`).

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::admin::Pairs;
use super::chrome::PageCtx;
use super::csrf::Form;
use crate::state::AppState;

/// A page about the record named by the path's one id: the state, the page's context, who
/// asks (`U`, a session extractor such as `Owner` or `InArea<A>`, checked before the path
/// is read) and the id.
pub(crate) struct Record<U>(pub AppState, pub PageCtx, pub U, pub String);

impl<U> FromRequestParts<AppState> for Record<U>
where
    U: FromRequestParts<AppState> + Send,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let (ctx, who) = asker(parts, s).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self(s.clone(), ctx, who, id))
    }
}

/// A form posted about the record named by the path's one id: a [`Record`] and the
/// submitted fields (checked against the CSRF cookie).
pub(crate) struct Posted<U, F = Pairs>(pub AppState, pub PageCtx, pub U, pub String, pub F);

impl<U, F> FromRequest<AppState> for Posted<U, F>
where
    U: FromRequestParts<AppState> + Send,
    F: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Record(s, ctx, who, id) = Record::from_request_parts(&mut parts, s).await?;
        let form = form(parts, body, &s).await?;
        Ok(Self(s, ctx, who, id, form))
    }
}

/// A form posted to a collection (one that makes a record): the state, the page's context,
/// who posts (checked before the body is read) and the submitted fields.
pub(crate) struct Submitted<U, F = Pairs>(pub AppState, pub PageCtx, pub U, pub F);

impl<U, F> FromRequest<AppState> for Submitted<U, F>
where
    U: FromRequestParts<AppState> + Send,
    F: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let (ctx, who) = asker(&mut parts, s).await?;
        let form = form(parts, body, s).await?;
        Ok(Self(s.clone(), ctx, who, form))
    }
}

/// The page's context and who sends the request.
async fn asker<U>(parts: &mut Parts, s: &AppState) -> Result<(PageCtx, U), Response>
where
    U: FromRequestParts<AppState> + Send,
{
    let Ok(ctx) = PageCtx::from_request_parts(parts, s).await;
    let who = U::from_request_parts(parts, s)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((ctx, who))
}

/// The submitted fields of the body.
async fn form<F: DeserializeOwned + Send>(
    parts: Parts,
    body: axum::body::Body,
    s: &AppState,
) -> Result<F, Response> {
    Form::<F>::from_request(Request::from_parts(parts, body), s)
        .await
        .map(|Form(f)| f)
        .map_err(IntoResponse::into_response)
}
