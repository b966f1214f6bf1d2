//! The billing contact kept on a subscription: email, name, address and tax id.

use crate::PlatformError;
use smartdmv_domain::text::is_plausible_email;
use smartdmv_store::owner::subscription;

use crate::company::Errors;

/// Billing contact changes; `Some(None)` clears a field.
#[derive(Debug, Clone, Default)]
pub struct BillingDetails {
    pub email: Option<Option<String>>,
    pub name: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub tax_id: Option<Option<String>>,
}

pub(crate) fn apply_billing(
    sub: &mut subscription::Model,
    b: &BillingDetails,
) -> Result<(), PlatformError> {
    let mut errs = Errors::default();
    let mut text =
        |field: &str, v: &Option<Option<String>>, max: usize, slot: &mut Option<String>| {
            if let Some(v) = v {
                let t = v.as_deref().map(str::trim).filter(|t| !t.is_empty());
                if t.is_some_and(|t| t.chars().count() > max) {
                    errs.add(field, format!("must be at most {max} characters"));
                }
                *slot = t.map(str::to_owned);
            }
        };
    text("billing.email", &b.email, 254, &mut sub.billing_email);
    text("billing.name", &b.name, 200, &mut sub.billing_name);
    text(
        "billing.address",
        &b.address,
        1000,
        &mut sub.billing_address,
    );
    text("billing.taxId", &b.tax_id, 50, &mut sub.tax_id);
    if let Some(e) = &sub.billing_email
        && b.email.is_some()
        && !is_plausible_email(e)
    {
        errs.add("billing.email", "must be an email address");
    }
    errs.finish()
}
