//! Practices: a company's clinics and their settings. Practice-bound users see and edit their
//! own practices; opening (and reopening) one is a company-level act counted against the
//! plan's `maxPractices`, and closing keeps every record. The other services use
//! [`for_input`] (the practice an input names) and [`require_open`] (a closed practice takes
//! no new bookings). Changes live in [`edit`]; the public profile booking widgets read
//! without signing in lives in [`public`].

mod edit;
mod public;

pub use edit::{NewPractice, PracticeChanges, close, create, update};
pub use public::{PublicPractice, public_list};

use serde::Serialize;
use serde_json::json;
use smartdmv_domain::{IdInput, PracticeId};
use smartdmv_store::tenant::practice;
use uuid::Uuid;

use crate::audited::Audited;

use crate::{Page, PageRequest, Refusal, ServiceError, ServiceResult, TenantPrincipal};

/// A practice with its settings, as answers and the audit log show it.
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
    /// How long an unsigned SOAP note stays editable.
    pub record_lock_hours: i32,
    /// Whether clients see their pets' signed notes in the portal.
    pub portal_shows_notes: bool,
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
            record_lock_hours: p.record_lock_hours,
            portal_shows_notes: p.portal_shows_notes,
        }
    }
}

/// The practices the caller works in (all of them for company-wide users), open and closed.
/// The page is cut before it is scoped, so a page may hold fewer than `limit` practices while
/// a next cursor remains.
pub async fn list(
    cx: &TenantPrincipal,
    page: &PageRequest,
) -> ServiceResult<Page<practice::Model>> {
    let limit = page.limit()?;
    let rows = practice::list_page(cx.db(), page.cursor()?, limit + 1).await?;
    let mut page = Page::from_rows(rows, limit, |r| r.id.to_string());
    page.items.retain(|p| cx.in_scope(Some(p.id)));
    Ok(page)
}

/// A practice the caller works in (404 otherwise, so ids cannot be probed).
pub async fn get(cx: &TenantPrincipal, id: PracticeId) -> ServiceResult<practice::Model> {
    practice::find(cx.db(), id)
        .await?
        .filter(|p| cx.in_scope(Some(p.id)))
        .ok_or(ServiceError::NotFound("practice"))
}

/// The open practices the caller may book at, by name: the ones they work in, every one for
/// a client.
pub async fn bookable(cx: &TenantPrincipal) -> ServiceResult<Vec<practice::Model>> {
    let mut all: Vec<practice::Model> = practice::list(cx.db())
        .await?
        .into_iter()
        .filter(|p| p.active && (cx.is_client() || cx.in_scope(Some(p.id))))
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// The caller's home practice: a client's is their client record's, staff their own.
pub async fn home(cx: &TenantPrincipal) -> ServiceResult<Option<PracticeId>> {
    if cx.is_client() {
        return Ok(cx.own_client().await?.and_then(|c| c.home_practice_id));
    }
    Ok(cx.user.practice_id)
}

/// A practice by id, in reach or not: only for what anyone booking there may know of it
/// (its time zone); the booking itself checks the caller may book there.
pub async fn find(cx: &TenantPrincipal, id: PracticeId) -> ServiceResult<Option<practice::Model>> {
    Ok(practice::find(cx.db(), id).await?)
}

/// The practice an input names (or `default`, or the caller's only practice), if the caller
/// works there. Unknown practices and practices out of reach answer the same 422.
pub async fn for_input(
    cx: &TenantPrincipal,
    given: Option<IdInput<PracticeId>>,
    default: Option<PracticeId>,
) -> ServiceResult<practice::Model> {
    let id = match given {
        Some(g) => g.id(),
        None => default.or(match cx.practices.as_slice() {
            [only] => Some(*only),
            _ => None,
        }),
    };
    let Some(id) = id else {
        return Err(ServiceError::invalid(
            "practiceId",
            match given {
                Some(_) => "is not a practice id",
                None => "is required: you work in more than one practice",
            },
        ));
    };
    practice::find(cx.db(), id)
        .await?
        .filter(|p| cx.is_client() || cx.in_scope(Some(p.id)))
        .ok_or_else(|| ServiceError::invalid("practiceId", "unknown practice"))
}

impl Audited for practice::Model {
    const ENTITY: &'static str = "practice";
    type Out = PracticeOut;
    fn entity_id(&self) -> Uuid {
        self.id.0
    }
    fn practice_id(&self) -> Option<PracticeId> {
        Some(self.id)
    }
}

/// 409 `practice_closed` for a closed practice.
pub fn require_open(p: &practice::Model) -> ServiceResult<()> {
    if p.active {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            Refusal::new(
                "practice_closed",
                format!("{} is closed and takes no new bookings", p.name),
            )
            .with("practiceId", json!(p.id.to_string())),
        ))
    }
}
