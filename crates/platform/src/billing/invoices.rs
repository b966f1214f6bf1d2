//! Platform invoices after issue: reading them, recording payments (which may bring an
//! overdue company back), writing them off, and voiding them by a credit note. Nothing here
//! changes an issued invoice's lines or amounts.

use crate::{ConflictAs, PlatformError};
use smartdmv_domain::billing::InvoiceStatus;
use smartdmv_domain::billing::invoice::document_number;
use smartdmv_domain::ids::InvoiceId;
use smartdmv_store::OwnerTransaction as DatabaseTransaction;
use smartdmv_store::owner::invoice::{self, credit_note, line};
use smartdmv_store::owner::{audit, payment};
use uuid::Uuid;

use super::clock::to_stored;
use super::provider::Collected;
use crate::Platform;
use crate::company::Actor;

/// An invoice with its lines, payments and credit note.
#[derive(Debug, Clone)]
pub struct InvoiceView {
    pub invoice: invoice::Model,
    pub lines: Vec<line::Model>,
    pub payments: Vec<payment::Model>,
    pub credit_note: Option<credit_note::Model>,
}

pub async fn view(p: &Platform, id: InvoiceId) -> Result<InvoiceView, PlatformError> {
    let db = p.owner.conn();
    let inv = invoice::get(db, id).await?;
    Ok(InvoiceView {
        lines: line::of(db, id).await?,
        payments: payment::of(db, id).await?,
        credit_note: credit_note::for_invoice(db, id).await?,
        invoice: inv,
    })
}

fn changed(inv: &invoice::Model) -> PlatformError {
    PlatformError::conflict(
        "invoice_changed",
        format!("invoice {} changed meanwhile; try again", inv.number),
    )
}

fn not_payable(inv: &invoice::Model) -> PlatformError {
    PlatformError::conflict(
        "invoice_not_payable",
        format!(
            "invoice {} is {} and takes no payment",
            inv.number, inv.status
        ),
    )
}

/// Records a payment that `collected` attests, inside `txn`. `exact`: refuse more than the
/// amount due (an operator's entry); a provider's notice is recorded as received.
pub(crate) async fn pay_in(
    p: &Platform,
    txn: &DatabaseTransaction,
    inv: invoice::Model,
    collected: &Collected,
    exact: bool,
    actor: &Actor,
) -> Result<invoice::Model, PlatformError> {
    let from = inv.status;
    if !from.may_pay() {
        return Err(not_payable(&inv));
    }
    let due = inv.total_cents - inv.amount_paid_cents;
    if collected.amount_cents <= 0 {
        return Err(PlatformError::invalid("amountCents", "must be more than 0"));
    }
    if exact && collected.amount_cents > due {
        return Err(PlatformError::invalid(
            "amountCents",
            format!("is more than the {due} still due on invoice {}", inv.number),
        ));
    }
    if collected
        .currency
        .as_deref()
        .is_some_and(|c| c != inv.currency)
    {
        return Err(PlatformError::invalid(
            "currency",
            format!("invoice {} is in {}", inv.number, inv.currency),
        ));
    }
    let now = to_stored(p.clock.now());
    payment::insert(
        txn,
        payment::Model {
            id: Uuid::now_v7(),
            invoice_id: inv.id,
            company_id: inv.company_id,
            provider: collected.provider.clone(),
            reference: collected.reference.clone(),
            amount_cents: collected.amount_cents,
            currency: inv.currency.clone(),
            received_at: now,
            recorded_by: actor.label.clone(),
        },
    )
    .await
    .conflict_as(
        "duplicate_payment",
        format!(
            "a {} payment with reference {:?} is already recorded",
            collected.provider, collected.reference
        ),
    )?;
    let mut after = inv.clone();
    after.amount_paid_cents += collected.amount_cents;
    if after.amount_paid_cents >= after.total_cents {
        after.status = InvoiceStatus::Paid;
        after.paid_at = Some(now);
    }
    if !invoice::settle(txn, &after, from).await? {
        return Err(not_payable(&inv));
    }
    audit::append(
        txn,
        audit::Entry {
            actor: &actor.label,
            action: "invoice.payment",
            company: Some(inv.company_id),
            detail: serde_json::json!({
                "invoice": inv.number, "provider": collected.provider,
                "reference": collected.reference, "amountCents": collected.amount_cents,
                "status": after.status,
            }),
            ip: actor.ip.clone(),
        },
    )
    .await?;
    Ok(after)
}

/// Records a payment through a provider (the `manual` provider: a bank transfer the owner
/// saw arrive), then lets the subscription catch up: paying what was overdue brings the
/// company back to `ACTIVE`.
pub async fn record_payment(
    p: &Platform,
    id: InvoiceId,
    collected: Collected,
    actor: &Actor,
) -> Result<InvoiceView, PlatformError> {
    let company = crate::work::write(p.owner.conn(), actor, |w| async move {
        let inv = invoice::get(w.tx(), id).await?;
        let company = inv.company_id;
        pay_in(p, w.tx(), inv, &collected, true, actor).await?;
        Ok::<_, PlatformError>(company)
    })
    .await?;
    super::tick::advance(p, company, actor).await?;
    view(p, id).await
}

/// Writes an open invoice off as `UNCOLLECTIBLE`: it no longer keeps the company past due
/// (and may still be paid).
pub async fn write_off(
    p: &Platform,
    id: InvoiceId,
    actor: &Actor,
) -> Result<InvoiceView, PlatformError> {
    let db = p.owner.conn();
    let inv = invoice::get(db, id).await?;
    if !inv.status.may_write_off() {
        return Err(PlatformError::conflict(
            "invoice_not_open",
            format!(
                "invoice {} is {}; only an open invoice is written off",
                inv.number, inv.status
            ),
        ));
    }
    let company = inv.company_id;
    crate::work::write(db, actor, |w| async move {
        let mut after = inv.clone();
        after.status = InvoiceStatus::Uncollectible;
        if !invoice::settle(w.tx(), &after, InvoiceStatus::Open).await? {
            return Err(changed(&inv));
        }
        w.audit(
            "invoice.write_off",
            Some(company),
            serde_json::json!({"invoice": inv.number}),
        )
        .await
    })
    .await?;
    super::tick::advance(p, company, actor).await?;
    view(p, id).await
}

/// Voids an unpaid invoice by issuing a credit note for its whole amount.
pub async fn void(
    p: &Platform,
    id: InvoiceId,
    reason: &str,
    actor: &Actor,
) -> Result<InvoiceView, PlatformError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(PlatformError::invalid(
            "reason",
            "must be 1 to 500 characters",
        ));
    }
    let company = crate::work::write(p.owner.conn(), actor, |w| async move {
        let inv = invoice::get(w.tx(), id).await?;
        let from = inv.status;
        if !from.may_void() {
            return Err(PlatformError::conflict(
                "invoice_not_voidable",
                format!(
                    "invoice {} is {}; only an unpaid issued invoice can be voided",
                    inv.number, inv.status
                ),
            ));
        }
        let now = p.clock.now();
        let year = now.to_zoned(jiff::tz::TimeZone::UTC).year();
        let seq = invoice::next_number(w.tx(), "CN", i32::from(year)).await?;
        let note = credit_note::insert(
            w.tx(),
            credit_note::Model {
                id: Uuid::now_v7(),
                number: document_number("CN", year, seq),
                invoice_id: inv.id,
                company_id: inv.company_id,
                currency: inv.currency.clone(),
                subtotal_cents: -inv.subtotal_cents,
                tax_cents: -inv.tax_cents,
                total_cents: -inv.total_cents,
                reason: reason.to_owned(),
                issued_by: actor.label.clone(),
                issued_at: to_stored(now),
            },
        )
        .await?;
        let mut after = inv.clone();
        after.status = InvoiceStatus::Void;
        after.voided_at = Some(to_stored(now));
        if !invoice::settle(w.tx(), &after, from).await? {
            return Err(PlatformError::conflict(
                "invoice_changed",
                format!("invoice {} changed meanwhile; try again", inv.number),
            ));
        }
        w.audit(
            "invoice.void",
            Some(inv.company_id),
            serde_json::json!({"invoice": inv.number, "creditNote": note.number, "reason": reason}),
        )
        .await?;
        Ok(inv.company_id)
    })
    .await?;
    super::tick::advance(p, company, actor).await?;
    view(p, id).await
}
