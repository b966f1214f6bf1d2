//! Platform invoices: their statuses and what each allows, line kinds, totals and numbers.
//! An issued invoice (`OPEN`) never changes its lines; it is paid, written off
//! (`UNCOLLECTIBLE`) or voided by a credit note.

use serde::Deserialize;

use super::money::tax_cents;
use crate::names::string_enum;

string_enum!(
    /// Where an invoice is: issued (`OPEN`), settled, written off or voided.
    #[derive(Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    InvoiceStatus {
        Draft = "DRAFT",
        Open = "OPEN",
        Paid = "PAID",
        Void = "VOID",
        Uncollectible = "UNCOLLECTIBLE",
    }
);

impl InvoiceStatus {
    /// A payment can be recorded: the invoice is issued and not settled or voided (a
    /// written-off invoice may still be paid).
    pub fn may_pay(self) -> bool {
        matches!(self, Self::Open | Self::Uncollectible)
    }

    /// It can be voided by a credit note: issued, and not paid.
    pub fn may_void(self) -> bool {
        matches!(self, Self::Open | Self::Uncollectible)
    }

    pub fn may_write_off(self) -> bool {
        self == Self::Open
    }
}

string_enum!(
    /// What an invoice line charges or credits.
    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    LineKind {
        /// A plan's price for a period.
        Plan = "plan",
        /// Unused time of the old plan, credited on an upgrade (negative).
        ProrationCredit = "proration_credit",
        /// Remaining time of the new plan, charged on an upgrade.
        ProrationCharge = "proration_charge",
    }
);

/// Subtotal, tax and total of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
}

/// Totals of lines at a tax rate in basis points: tax on the subtotal, rounded once.
pub fn totals(lines: &[i64], tax_rate_bp: u32) -> Totals {
    let subtotal: i64 = lines.iter().sum();
    let tax = tax_cents(subtotal, tax_rate_bp);
    Totals {
        subtotal_cents: subtotal,
        tax_cents: tax,
        total_cents: subtotal + tax,
    }
}

/// A document number: `INV-2026-000123` (prefix, year, sequence in that year).
pub fn document_number(prefix: &str, year: i16, seq: i64) -> String {
    format!("{prefix}-{year:04}-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_tax_on_the_subtotal() {
        assert_eq!(
            totals(&[14_900, -2_450, 7_450], 2_000),
            Totals {
                subtotal_cents: 19_900,
                tax_cents: 3_980,
                total_cents: 23_880
            }
        );
        assert_eq!(totals(&[4_900], 0).total_cents, 4_900);
        assert_eq!(totals(&[], 2_000).total_cents, 0);
    }

    #[test]
    fn numbers_are_padded() {
        assert_eq!(document_number("INV", 2026, 123), "INV-2026-000123");
        assert_eq!(document_number("CN", 2027, 1), "CN-2027-000001");
    }

    #[test]
    fn only_issued_unpaid_invoices_are_paid_or_voided() {
        use InvoiceStatus::*;
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(s.as_str()), Some(s));
        }
        assert!(Open.may_pay() && Uncollectible.may_pay());
        assert!(!Paid.may_pay() && !Void.may_pay() && !Draft.may_pay());
        assert!(Open.may_void() && !Paid.may_void() && !Void.may_void());
        assert!(Open.may_write_off() && !Paid.may_write_off());
    }
}
