//! Unapplied payments: what a provider collected that its invoice did not take is kept (in
//! the transaction that records the provider's event) until the owner refunds it or
//! resolves it by hand with a note.

use crate::PlatformError;
use smartdmv_domain::billing::{UnappliedReason, UnappliedState};
use smartdmv_domain::ids::UnappliedPaymentId;
use smartdmv_store::owner::unapplied_payment::{self as store, ListFilter};
use smartdmv_store::owner::{audit, invoice};

use super::clock::to_stored;
use super::provider::PaymentData;
use crate::Platform;
use crate::company::Actor;

/// A payment to keep: what the provider reported and how much of it no invoice took.
pub(crate) struct Kept<'a> {
    pub provider: &'a str,
    pub event_id: &'a str,
    pub data: &'a PaymentData,
    pub amount_cents: i64,
    pub reason: UnappliedReason,
}

fn detail(inv: &invoice::Model, k: &Kept<'_>) -> String {
    match k.reason {
        UnappliedReason::InvoiceNotPayable => format!(
            "invoice {} is {} and takes no payment",
            inv.number, inv.status
        ),
        UnappliedReason::CurrencyMismatch => format!(
            "the payment is in {}; invoice {} is in {}",
            k.data.currency, inv.number, inv.currency
        ),
        UnappliedReason::Overpayment => format!(
            "{} of the {} cents paid were more than was due on invoice {}",
            k.amount_cents, k.data.amount_cents, inv.number
        ),
    }
}

/// Keeps `k` inside the caller's transaction, with an owner audit entry.
pub(crate) async fn keep(
    p: &Platform,
    db: &impl smartdmv_store::OwnerConn,
    inv: &invoice::Model,
    k: Kept<'_>,
    actor: &Actor,
) -> Result<store::Model, PlatformError> {
    let kept = store::insert(
        db,
        store::Model {
            id: UnappliedPaymentId::new(),
            provider: k.provider.to_owned(),
            event_id: k.event_id.to_owned(),
            reference: k.data.reference.clone(),
            amount_cents: k.amount_cents,
            currency: k.data.currency.clone(),
            invoice_id: inv.id,
            invoice_number: inv.number.clone(),
            company_id: inv.company_id,
            reason: k.reason,
            detail: detail(inv, &k),
            received_at: to_stored(p.clock.now()),
            state: UnappliedState::Open,
            note: None,
            resolved_at: None,
            resolved_by: None,
        },
    )
    .await?;
    audit::append(
        db,
        audit::Entry {
            actor: &actor.label,
            action: "payment.unapplied",
            company: Some(inv.company_id),
            detail: serde_json::json!({
                "id": kept.id.to_string(), "invoice": inv.number, "provider": kept.provider,
                "eventId": kept.event_id, "reference": kept.reference,
                "amountCents": kept.amount_cents, "currency": kept.currency,
                "reason": kept.reason,
            }),
            ip: actor.ip.clone(),
        },
    )
    .await?;
    Ok(kept)
}

/// One page of unapplied payments, newest first.
pub async fn list(
    p: &Platform,
    filter: &ListFilter,
    cursor: Option<UnappliedPaymentId>,
    limit: u64,
) -> Result<Vec<store::Model>, PlatformError> {
    Ok(store::list(p.owner.conn(), filter, cursor, limit).await?)
}

/// Marks an open unapplied payment `refunded` (the money went back to the payer) or
/// `resolved` (settled otherwise, as the note says). Once done it stays done: 409.
pub async fn resolve(
    p: &Platform,
    id: UnappliedPaymentId,
    state: &str,
    note: &str,
    actor: &Actor,
) -> Result<store::Model, PlatformError> {
    let state = match UnappliedState::parse(state) {
        Some(s @ (UnappliedState::Refunded | UnappliedState::Resolved)) => s,
        _ => {
            return Err(PlatformError::invalid(
                "state",
                "must be refunded or resolved",
            ));
        }
    };
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(PlatformError::invalid(
            "note",
            "must be 1 to 500 characters",
        ));
    }
    crate::work::write(p.owner.conn(), actor, |w| async move {
        let kept = store::find(w.tx(), id)
            .await?
            .ok_or(PlatformError::NotFound("unapplied payment"))?;
        let at = to_stored(p.clock.now());
        if !store::resolve(w.tx(), id, state, note, &actor.label, at).await? {
            let now = if kept.state == UnappliedState::Open {
                "closed"
            } else {
                kept.state.as_str()
            };
            return Err(PlatformError::conflict(
                "unapplied_payment_closed",
                format!("the unapplied payment {} is already {now}", kept.reference),
            ));
        }
        w.audit(
            "payment.unapplied_resolve",
            Some(kept.company_id),
            serde_json::json!({
                "id": id.to_string(), "invoice": kept.invoice_number,
                "reference": kept.reference, "amountCents": kept.amount_cents,
                "state": state.as_str(), "note": note,
            }),
        )
        .await
    })
    .await?;
    store::find(p.owner.conn(), id)
        .await?
        .ok_or(PlatformError::NotFound("unapplied payment"))
}
