//! Applying a payment provider's webhook: verified by the provider, applied once per event
//! id (a redelivery answers as a duplicate and changes nothing), in one transaction with the
//! record of the event.

use sea_orm::TransactionTrait;
use serde::Serialize;
use smartdmv_domain::CompanyId;
use smartdmv_store::owner::invoice;
use smartdmv_store::owner::payment::webhook_event;
use uuid::Uuid;

use super::clock::to_stored;
use super::provider::{Collected, PaymentData, WebhookError, by_name};
use crate::company::Actor;
use crate::{Platform, TenancyError};

/// Why a delivery was not applied.
#[derive(Debug, thiserror::Error)]
pub enum WebhookFailure {
    #[error(transparent)]
    Verify(#[from] WebhookError),
    #[error(transparent)]
    Apply(#[from] TenancyError),
}

/// What a delivery did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookOutcome {
    pub event_id: String,
    /// `applied`, `ignored` (a type the platform does not act on) or `duplicate`.
    pub outcome: &'static str,
}

impl From<sea_orm::DbErr> for WebhookFailure {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Apply(e.into())
    }
}

pub async fn handle(
    p: &Platform,
    provider: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<WebhookOutcome, WebhookFailure> {
    let prov = by_name(&p.billing, provider)
        .ok_or_else(|| WebhookError::NotSupported(provider.to_owned()))?;
    let event = prov.verify_webhook(signature, body, p.clock.now())?;
    if event.id.is_empty() || event.id.len() > 200 || event.kind.len() > 60 {
        return Err(WebhookError::BadBody("id must be 1 to 200 characters".into()).into());
    }
    let actor = Actor::new(format!("provider:{}", prov.name()));
    let txn = p.owner.conn().begin().await?;
    let payment = match event.kind.as_str() {
        "payment.succeeded" => Some(
            serde_json::from_value::<PaymentData>(event.data.clone())
                .map_err(|e| WebhookError::BadBody(e.to_string()))?,
        ),
        _ => None,
    };
    let fresh = webhook_event::record(
        &txn,
        webhook_event::Model {
            id: Uuid::now_v7(),
            provider: prov.name().into(),
            event_id: event.id.clone(),
            kind: event.kind.clone(),
            outcome: if payment.is_some() {
                "applied"
            } else {
                "ignored"
            }
            .into(),
            received_at: to_stored(p.clock.now()),
        },
    )
    .await?;
    if !fresh {
        txn.rollback().await?;
        return Ok(WebhookOutcome {
            event_id: event.id,
            outcome: "duplicate",
        });
    }
    let Some(data) = payment else {
        txn.commit().await?;
        return Ok(WebhookOutcome {
            event_id: event.id,
            outcome: "ignored",
        });
    };
    let inv = invoice::find_by_number(&txn, &data.invoice_number)
        .await?
        .ok_or_else(|| {
            TenancyError::invalid(
                "data.invoiceNumber",
                format!("names no invoice: {}", data.invoice_number),
            )
        })?;
    let company = CompanyId(inv.company_id);
    let collected = Collected {
        provider: prov.name().into(),
        reference: data.reference,
        amount_cents: data.amount_cents,
        currency: Some(data.currency),
    };
    super::invoices::pay_in(p, &txn, inv, &collected, false, &actor).await?;
    txn.commit().await?;
    super::tick::advance(p, company, &actor).await?;
    Ok(WebhookOutcome {
        event_id: event.id,
        outcome: "applied",
    })
}
