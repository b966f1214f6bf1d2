//! Applying a payment provider's webhook: verified by the provider, applied once per event
//! id and once per charge reference (a redelivery answers as a duplicate and changes nothing),
//! in one transaction with the record of the event. A payment its invoice cannot take is
//! kept as an unapplied payment.

use crate::PlatformError;
use serde::Serialize;
use smartdmv_domain::billing::placement::{Payable, Placement, UnappliedReason, place};
use smartdmv_store::owner::invoice;
use smartdmv_store::owner::payment::webhook_event;
use uuid::Uuid;

use super::clock::to_stored;
use super::provider::{Collected, PaymentData, WebhookError, by_name};
use super::unapplied::{self, Kept};
use crate::Platform;
use crate::company::Actor;

/// Why a delivery was not applied.
#[derive(Debug, thiserror::Error)]
pub enum WebhookFailure {
    #[error(transparent)]
    Verify(#[from] WebhookError),
    #[error(transparent)]
    Apply(#[from] PlatformError),
}

/// What a delivery did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookOutcome {
    pub event_id: String,
    /// `applied`, `partly_applied` (the invoice is paid and the rest kept), `unapplied`
    /// (kept whole), `ignored` (a type the platform does not act on) or `duplicate`.
    pub outcome: &'static str,
    /// Why (some of) a payment was kept: a `UnappliedReason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

impl From<sea_orm::DbErr> for WebhookFailure {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Apply(e.into())
    }
}

/// Applies a verified delivery. A `payment.succeeded` the invoice cannot take is kept as an
/// unapplied payment (the provider has the money, so it is never refused), and an open
/// invoice is paid up to what is due with the rest kept. An event naming no invoice, or
/// with an amount that is not money, is refused (4xx) and not recorded.
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
    let event = &event;
    let actor = &actor;
    let (answer, paid) =
        crate::work::write::<_, WebhookFailure, _, _>(p.owner.conn(), actor, |w| async move {
            let payment = match event.kind.as_str() {
                "payment.succeeded" => {
                    let data = serde_json::from_value::<PaymentData>(event.data.clone())
                        .map_err(|e| WebhookError::BadBody(e.to_string()))?;
                    check(&data)?;
                    if charge_known(w.tx(), prov.name(), &data.reference).await? {
                        // The same charge under another event id (a provider retrying with a new
                        // event): it was placed when first delivered, so nothing more is done.
                        return Ok((finish_known(w.tx(), prov.name(), event, p).await?, None));
                    }
                    let inv = invoice::find_by_number(w.tx(), &data.invoice_number)
                        .await?
                        .ok_or_else(|| {
                            PlatformError::invalid(
                                "data.invoiceNumber",
                                format!("names no invoice: {}", data.invoice_number),
                            )
                        })?;
                    let placement = place(
                        Payable {
                            status: inv.status,
                            currency: &inv.currency,
                            total_cents: inv.total_cents,
                            amount_paid_cents: inv.amount_paid_cents,
                        },
                        data.amount_cents,
                        &data.currency,
                    );
                    Some((data, inv, placement))
                }
                _ => None,
            };
            let (outcome, reason) = match &payment {
                None => ("ignored", None),
                Some((_, _, Placement::Apply)) => ("applied", None),
                Some((_, _, Placement::Split { .. })) => {
                    ("partly_applied", Some(UnappliedReason::Overpayment))
                }
                Some((_, _, Placement::Keep(r))) => ("unapplied", Some(*r)),
            };
            let fresh = webhook_event::record(
                w.tx(),
                webhook_event::Model {
                    id: Uuid::now_v7(),
                    provider: prov.name().into(),
                    event_id: event.id.clone(),
                    kind: event.kind.clone(),
                    outcome: outcome.into(),
                    received_at: to_stored(p.clock.now()),
                },
            )
            .await?;
            if !fresh {
                w.discard();
                return Ok((
                    WebhookOutcome {
                        event_id: event.id.clone(),
                        outcome: "duplicate",
                        reason: None,
                    },
                    None,
                ));
            }
            let answer = WebhookOutcome {
                event_id: event.id.clone(),
                outcome,
                reason: reason.map(UnappliedReason::as_str),
            };
            let Some((data, inv, placement)) = payment else {
                return Ok((answer, None));
            };
            let company = inv.company_id;
            let mut collected = Collected {
                provider: prov.name().into(),
                reference: data.reference.clone(),
                amount_cents: data.amount_cents,
                currency: Some(data.currency.clone()),
            };
            let kept = |amount_cents, reason| Kept {
                provider: prov.name(),
                event_id: &event.id,
                data: &data,
                amount_cents,
                reason,
            };
            match placement {
                Placement::Apply => {
                    super::invoices::pay_in(p, w.tx(), inv, &collected, false, actor).await?;
                }
                Placement::Split {
                    apply_cents,
                    keep_cents,
                } => {
                    collected.amount_cents = apply_cents;
                    let k = kept(keep_cents, UnappliedReason::Overpayment);
                    unapplied::keep(p, w.tx(), &inv, k, actor).await?;
                    super::invoices::pay_in(p, w.tx(), inv, &collected, true, actor).await?;
                }
                Placement::Keep(reason) => {
                    let k = kept(data.amount_cents, reason);
                    unapplied::keep(p, w.tx(), &inv, k, actor).await?;
                    return Ok((answer, None));
                }
            }
            Ok((answer, Some(company)))
        })
        .await?;
    if let Some(company) = paid {
        super::tick::advance(p, company, actor).await?;
    }
    Ok(answer)
}

/// Whether a provider's charge was placed before: recorded as a payment or kept unapplied.
async fn charge_known(
    db: &impl smartdmv_store::OwnerConn,
    provider: &str,
    reference: &str,
) -> Result<bool, sea_orm::DbErr> {
    Ok(
        smartdmv_store::owner::payment::reference_known(db, provider, reference).await?
            || smartdmv_store::owner::unapplied_payment::reference_known(db, provider, reference)
                .await?,
    )
}

/// Records a delivery of an already placed charge and answers it as a duplicate.
async fn finish_known(
    txn: &smartdmv_store::OwnerTransaction,
    provider: &str,
    event: &super::provider::WebhookEvent,
    p: &Platform,
) -> Result<WebhookOutcome, WebhookFailure> {
    webhook_event::record(
        txn,
        webhook_event::Model {
            id: Uuid::now_v7(),
            provider: provider.into(),
            event_id: event.id.clone(),
            kind: event.kind.clone(),
            outcome: "duplicate".into(),
            received_at: to_stored(p.clock.now()),
        },
    )
    .await?;
    Ok(WebhookOutcome {
        event_id: event.id.clone(),
        outcome: "duplicate",
        reason: None,
    })
}

/// A payment's fields as the platform stores them; anything else is not a payment.
fn check(d: &PaymentData) -> Result<(), PlatformError> {
    if d.amount_cents <= 0 {
        return Err(PlatformError::invalid(
            "data.amountCents",
            "must be more than 0",
        ));
    }
    if d.currency.len() != 3 || !d.currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(PlatformError::invalid(
            "data.currency",
            "must be a three-letter code",
        ));
    }
    let n = d.reference.chars().count();
    if d.reference.trim().is_empty() || n > 200 {
        return Err(PlatformError::invalid(
            "data.reference",
            "must be 1 to 200 characters",
        ));
    }
    Ok(())
}
