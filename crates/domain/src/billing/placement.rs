//! Where a provider's payment goes: onto its invoice, partly onto it, or kept apart as an
//! unapplied payment. The provider has taken the money either way, so nothing here refuses
//! it; what cannot be applied is kept for the owner to refund or apply by hand.

use super::InvoiceStatus;
use crate::names::string_enum;

string_enum!(
    /// Why (part of) a payment was not applied to the invoice it named.
    UnappliedReason {
        /// The invoice takes no payment (`PAID`, `VOID` or `DRAFT`).
        InvoiceNotPayable = "invoice_not_payable",
        /// The payment is in another currency than the invoice.
        CurrencyMismatch = "currency_mismatch",
        /// More than what was due; the rest of the payment is kept.
        Overpayment = "overpayment",
    }
);

string_enum!(
    /// Where an unapplied payment stands: `open` until the owner refunds it (`refunded`) or
    /// settles it otherwise (`resolved`), which is final.
    UnappliedState {
        Open = "open",
        Refunded = "refunded",
        Resolved = "resolved",
    }
);

/// What to do with a payment of `amount_cents` (more than 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Apply it all.
    Apply,
    /// Apply `apply_cents` (what was due) and keep `keep_cents` as an overpayment.
    Split { apply_cents: i64, keep_cents: i64 },
    /// Apply nothing; keep it all.
    Keep(UnappliedReason),
}

/// The invoice as a payment meets it.
#[derive(Clone, Copy, Debug)]
pub struct Payable<'a> {
    pub status: InvoiceStatus,
    pub currency: &'a str,
    pub total_cents: i64,
    pub amount_paid_cents: i64,
}

/// Places a payment on an invoice. An open invoice is paid up to what is due and the rest
/// is kept: the company has paid its invoice, and the platform owes back the difference.
pub fn place(inv: Payable<'_>, amount_cents: i64, currency: &str) -> Placement {
    if !inv.status.may_pay() {
        return Placement::Keep(UnappliedReason::InvoiceNotPayable);
    }
    if currency != inv.currency {
        return Placement::Keep(UnappliedReason::CurrencyMismatch);
    }
    let due = inv.total_cents - inv.amount_paid_cents;
    if due <= 0 {
        Placement::Keep(UnappliedReason::Overpayment)
    } else if amount_cents > due {
        Placement::Split {
            apply_cents: due,
            keep_cents: amount_cents - due,
        }
    } else {
        Placement::Apply
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(total: i64, paid: i64) -> Payable<'static> {
        Payable {
            status: InvoiceStatus::Open,
            currency: "USD",
            total_cents: total,
            amount_paid_cents: paid,
        }
    }

    #[test]
    fn what_is_due_or_less_is_applied() {
        assert_eq!(place(open(4_900, 0), 4_900, "USD"), Placement::Apply);
        assert_eq!(place(open(4_900, 900), 1_000, "USD"), Placement::Apply);
        let written_off = Payable {
            status: InvoiceStatus::Uncollectible,
            ..open(4_900, 0)
        };
        assert_eq!(place(written_off, 4_900, "USD"), Placement::Apply);
    }

    #[test]
    fn more_than_due_pays_the_invoice_and_keeps_the_rest() {
        assert_eq!(
            place(open(4_900, 900), 5_000, "USD"),
            Placement::Split {
                apply_cents: 4_000,
                keep_cents: 1_000
            }
        );
        assert_eq!(
            place(open(4_900, 4_900), 100, "USD"),
            Placement::Keep(UnappliedReason::Overpayment)
        );
    }

    #[test]
    fn a_settled_invoice_or_another_currency_keeps_it_all() {
        for status in [
            InvoiceStatus::Paid,
            InvoiceStatus::Void,
            InvoiceStatus::Draft,
        ] {
            let inv = Payable {
                status,
                ..open(4_900, 0)
            };
            assert_eq!(
                place(inv, 4_900, "USD"),
                Placement::Keep(UnappliedReason::InvoiceNotPayable)
            );
        }
        for other in ["EUR", "usd"] {
            assert_eq!(
                place(open(4_900, 0), 4_900, other),
                Placement::Keep(UnappliedReason::CurrencyMismatch)
            );
        }
    }

    #[test]
    fn reasons_read_back() {
        for r in UnappliedReason::ALL {
            assert_eq!(UnappliedReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(UnappliedReason::parse("other"), None);
    }
}
