//! The view types of the owner services: what the owner API answers as JSON and the owner's
//! pages show. Never a credential.

use serde::{Deserialize, Serialize};
use smartdmv_domain::CompanyStatus;
use smartdmv_domain::billing::{
    InvoiceStatus, SubscriptionStatus, UnappliedReason, UnappliedState,
};
use smartdmv_domain::plan::PlanInterval;
use smartdmv_domain::platform::PlatformRole;
use smartdmv_store::owner::{domain, invoice, plan, platform_user, unapplied_payment};
use smartdmv_tenancy::resolve::Limits;

use super::rfc3339;
use crate::billing::invoices::InvoiceView;
use crate::billing::subscriptions::SubscriptionView;

/// A plan as the owner API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOut {
    pub id: String,
    pub name: String,
    pub interval: PlanInterval,
    pub price_cents: i64,
    pub currency: String,
    pub features: serde_json::Value,
    pub limits: LimitsOut,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A plan's limits; `null` is unlimited.
#[derive(Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsOut {
    pub max_practices: Option<i64>,
    pub max_users: Option<i64>,
    pub storage_bytes: Option<i64>,
    pub api_calls_per_month: Option<i64>,
}

impl From<plan::Model> for PlanOut {
    fn from(p: plan::Model) -> Self {
        Self {
            id: p.id.to_string(),
            features: serde_json::Value::from(
                p.feature_set()
                    .into_iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>(),
            ),
            name: p.name,
            interval: p.interval,
            price_cents: p.price_cents,
            currency: p.currency,
            limits: LimitsOut {
                max_practices: p.max_practices,
                max_users: p.max_users,
                storage_bytes: p.storage_bytes,
                api_calls_per_month: p.api_calls_per_month,
            },
            active: p.active,
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionOut {
    pub id: String,
    pub company_id: String,
    pub status: SubscriptionStatus,
    pub plan: PlanOut,
    /// The plan taking over at the period end (a downgrade or interval change).
    pub pending_plan: Option<PlanOut>,
    pub current_period_start: String,
    pub current_period_end: String,
    pub trial_end: Option<String>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub past_due_since: Option<String>,
    pub suspended_at: Option<String>,
    pub billing: BillingOut,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingOut {
    pub email: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub tax_id: Option<String>,
}

impl From<SubscriptionView> for SubscriptionOut {
    fn from(v: SubscriptionView) -> Self {
        let s = v.subscription;
        Self {
            id: s.id.to_string(),
            company_id: s.company_id.to_string(),
            status: s.status,
            plan: v.plan.into(),
            pending_plan: v.pending_plan.map(PlanOut::from),
            current_period_start: rfc3339(s.current_period_start),
            current_period_end: rfc3339(s.current_period_end),
            trial_end: s.trial_end.map(rfc3339),
            cancel_at_period_end: s.cancel_at_period_end,
            canceled_at: s.canceled_at.map(rfc3339),
            cancel_reason: s.cancel_reason,
            past_due_since: s.past_due_since.map(rfc3339),
            suspended_at: s.suspended_at.map(rfc3339),
            billing: BillingOut {
                email: s.billing_email,
                name: s.billing_name,
                address: s.billing_address,
                tax_id: s.tax_id,
            },
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
        }
    }
}

/// A company as the owner API shows it; never a credential.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyOut {
    pub id: String,
    pub name: String,
    pub subdomain: String,
    pub url: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub status: CompanyStatus,
    pub plan: Option<String>,
    pub settings: serde_json::Value,
    pub database: DatabaseOut,
    pub schema_version: i32,
    pub latest_schema_version: i32,
    pub provisioning_error: Option<String>,
    pub domains: Vec<DomainOut>,
    /// The company's subscription (on `GET /api/owner/companies/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<SubscriptionOut>,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseOut {
    pub backend: String,
    /// `host:port` of the PostgreSQL server; absent for SQLite.
    pub server: Option<String>,
    pub name: String,
    /// Whether the platform created (and may remove) the database.
    pub managed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainOut {
    pub id: String,
    pub domain: String,
    pub verified: bool,
    pub primary: bool,
    pub verification_token: String,
}

impl From<domain::Model> for DomainOut {
    fn from(d: domain::Model) -> Self {
        Self {
            id: d.id.to_string(),
            domain: d.domain,
            verified: d.verified,
            primary: d.is_primary,
            verification_token: d.verification_token,
        }
    }
}

/// An invoice in a list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceSummary {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub reason: String,
    pub status: InvoiceStatus,
    pub currency: String,
    pub subtotal_cents: i64,
    pub tax_rate_bp: i32,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub amount_paid_cents: i64,
    pub amount_due_cents: i64,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub issued_at: String,
    pub due_at: String,
    pub paid_at: Option<String>,
    pub voided_at: Option<String>,
}

impl From<invoice::Model> for InvoiceSummary {
    fn from(i: invoice::Model) -> Self {
        let open = i.status.may_pay();
        Self {
            id: i.id.to_string(),
            number: i.number,
            company_id: i.company_id.to_string(),
            reason: i.reason,
            status: i.status,
            currency: i.currency,
            subtotal_cents: i.subtotal_cents,
            tax_rate_bp: i.tax_rate_bp,
            tax_cents: i.tax_cents,
            total_cents: i.total_cents,
            amount_paid_cents: i.amount_paid_cents,
            amount_due_cents: if open {
                (i.total_cents - i.amount_paid_cents).max(0)
            } else {
                0
            },
            period_start: i.period_start.map(rfc3339),
            period_end: i.period_end.map(rfc3339),
            issued_at: rfc3339(i.issued_at),
            due_at: rfc3339(i.due_at),
            paid_at: i.paid_at.map(rfc3339),
            voided_at: i.voided_at.map(rfc3339),
        }
    }
}

/// An invoice with its lines, payments and credit note.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceOut {
    #[serde(flatten)]
    pub invoice: InvoiceSummary,
    pub lines: Vec<serde_json::Value>,
    pub payments: Vec<serde_json::Value>,
    pub credit_note: Option<serde_json::Value>,
}

impl From<InvoiceView> for InvoiceOut {
    fn from(v: InvoiceView) -> Self {
        Self {
            lines: v
                .lines
                .into_iter()
                .map(|l| {
                    serde_json::json!({
                        "position": l.position, "kind": l.kind, "description": l.description,
                        "planId": l.plan_id.map(|p| p.to_string()),
                        "periodStart": l.period_start.map(rfc3339),
                        "periodEnd": l.period_end.map(rfc3339),
                        "amountCents": l.amount_cents,
                    })
                })
                .collect(),
            payments: v
                .payments
                .into_iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id.to_string(), "provider": p.provider, "reference": p.reference,
                        "amountCents": p.amount_cents, "currency": p.currency,
                        "receivedAt": rfc3339(p.received_at), "recordedBy": p.recorded_by,
                    })
                })
                .collect(),
            credit_note: v.credit_note.map(|c| {
                serde_json::json!({
                    "id": c.id.to_string(), "number": c.number, "currency": c.currency,
                    "subtotalCents": c.subtotal_cents, "taxCents": c.tax_cents,
                    "totalCents": c.total_cents, "reason": c.reason,
                    "issuedAt": rfc3339(c.issued_at), "issuedBy": c.issued_by,
                })
            }),
            invoice: v.invoice.into(),
        }
    }
}

/// An unapplied payment: what a provider collected that its invoice did not take.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnappliedOut {
    pub id: String,
    pub provider: String,
    pub event_id: String,
    pub reference: String,
    pub amount_cents: i64,
    pub currency: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub company_id: String,
    pub reason: UnappliedReason,
    pub detail: String,
    pub received_at: String,
    pub state: UnappliedState,
    pub note: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
}

impl From<unapplied_payment::Model> for UnappliedOut {
    fn from(m: unapplied_payment::Model) -> Self {
        Self {
            id: m.id.to_string(),
            provider: m.provider,
            event_id: m.event_id,
            reference: m.reference,
            amount_cents: m.amount_cents,
            currency: m.currency,
            invoice_id: m.invoice_id.to_string(),
            invoice_number: m.invoice_number,
            company_id: m.company_id.to_string(),
            reason: m.reason,
            detail: m.detail,
            received_at: rfc3339(m.received_at),
            state: m.state,
            note: m.note,
            resolved_at: m.resolved_at.map(rfc3339),
            resolved_by: m.resolved_by,
        }
    }
}

/// One month of a company's usage, with the limits it is held to now.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageOut {
    pub company_id: String,
    pub month: String,
    pub active_users: i64,
    pub practices: i64,
    pub clients: i64,
    pub patients: i64,
    pub appointments: i64,
    pub storage_bytes: i64,
    pub api_calls: i64,
    /// When the gauges were last counted; `null` before the first count of the month.
    pub counted_at: Option<String>,
    pub limits: HeldLimitsOut,
}

/// The limits a company is held to now (its plan's with its own overrides); `null` is
/// unlimited.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldLimitsOut {
    pub max_practices: Option<u64>,
    pub max_users: Option<u64>,
    pub storage_bytes: Option<u64>,
    pub api_calls_per_month: Option<u64>,
}

impl From<&Limits> for HeldLimitsOut {
    fn from(l: &Limits) -> Self {
        Self {
            max_practices: l.max_practices,
            max_users: l.max_users,
            storage_bytes: l.storage_bytes,
            api_calls_per_month: l.api_calls_per_month,
        }
    }
}

/// A platform user; never a credential.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformUserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: PlatformRole,
    pub company_id: Option<String>,
    pub active: bool,
}

impl From<&platform_user::Model> for PlatformUserOut {
    fn from(u: &platform_user::Model) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            company_id: u.company_id.map(|c| c.to_string()),
            active: u.active,
        }
    }
}

/// A company created by sign-up, with its one-time login hand-off.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupOut {
    pub company_id: String,
    pub subdomain: String,
    /// The company's address: where the new administrator works.
    pub url: String,
    pub status: CompanyStatus,
    pub plan: Option<String>,
    pub email_verified: bool,
    pub handoff: HandoffOut,
}

/// A one-time login: `POST {redeemUrl}` with `{"token": ...}` on the company's host before
/// `expiresAt` answers like a sign-in and sets the session cookie.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffOut {
    pub token: String,
    pub redeem_url: String,
    pub expires_at: String,
}

/// A verified sign-up address.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedOut {
    pub company_id: String,
    pub email: String,
    pub email_verified: bool,
}
