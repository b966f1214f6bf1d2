//! Plan services shared by the owner API and the demo: create, change, retire and delete
//! plans, and check a plan a company is about to be put on. Every change is written to the
//! owner audit log and clears the resolver cache (a plan's limits and features reach every
//! company on it).

use crate::{ConflictAs, PlatformError};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use smartdmv_domain::billing::Currency;
use smartdmv_domain::ids::PlanId;
use smartdmv_domain::plan::{Feature, PlanInterval};
use smartdmv_store::owner::{company, plan};

use crate::Platform;
use crate::company::{Actor, Errors};

/// A plan's limits as given; `None` is unlimited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanLimitsInput {
    pub max_practices: Option<i64>,
    pub max_users: Option<i64>,
    pub storage_bytes: Option<i64>,
    pub api_calls_per_month: Option<i64>,
}

/// A plan to create.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub interval: String,
    pub price_cents: i64,
    pub currency: String,
    pub features: Vec<String>,
    pub limits: PlanLimitsInput,
    pub active: bool,
}

/// Changes to a plan; `None` leaves a field as it is. In `limits`, `Some(None)` makes a
/// limit unlimited.
#[derive(Debug, Clone, Default)]
pub struct PlanChanges {
    pub name: Option<String>,
    pub interval: Option<String>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub features: Option<Vec<String>>,
    pub max_practices: Option<Option<i64>>,
    pub max_users: Option<Option<i64>>,
    pub storage_bytes: Option<Option<i64>>,
    pub api_calls_per_month: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// The largest price accepted, in minor units (ten billion of the currency's units).
const MAX_PRICE_CENTS: i64 = 1_000_000_000_000;

fn check_name(errs: &mut Errors, name: &str) -> String {
    let t = name.trim();
    if t.is_empty() || t.chars().count() > 100 {
        errs.add("name", "must be 1 to 100 characters");
    }
    t.to_owned()
}

/// The interval named (monthly when the name is not one: the errors refuse the input).
fn check_interval(errs: &mut Errors, raw: &str) -> PlanInterval {
    PlanInterval::parse(raw).unwrap_or_else(|| {
        errs.add("interval", "must be monthly or yearly");
        PlanInterval::Monthly
    })
}

fn check_price(errs: &mut Errors, cents: i64) {
    if !(0..=MAX_PRICE_CENTS).contains(&cents) {
        errs.add(
            "priceCents",
            format!("must be 0 to {MAX_PRICE_CENTS} (minor units)"),
        );
    }
}

fn check_currency(errs: &mut Errors, raw: &str) -> String {
    match Currency::parse(raw) {
        Ok(c) => c.to_string(),
        Err(e) => {
            errs.add("currency", e.to_string());
            String::new()
        }
    }
}

/// Known feature names, without duplicates, in the order given.
fn check_features(errs: &mut Errors, names: &[String]) -> serde_json::Value {
    let mut out: Vec<&'static str> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        match Feature::parse(n) {
            Some(f) if !out.contains(&f.as_str()) => out.push(f.as_str()),
            Some(_) => {}
            None => errs.add(
                &format!("features.{i}"),
                format!(
                    "unknown feature {n:?}; known features: {}",
                    Feature::ALL.map(Feature::as_str).join(", ")
                ),
            ),
        }
    }
    serde_json::json!(out)
}

fn check_limit(errs: &mut Errors, field: &str, v: Option<i64>) {
    if v.is_some_and(|n| n < 0) {
        errs.add(
            &format!("limits.{field}"),
            "must be 0 or more, or null (unlimited)",
        );
    }
}

/// Validates and records a plan.
pub async fn create(
    p: &Platform,
    input: NewPlan,
    actor: &Actor,
) -> Result<plan::Model, PlatformError> {
    let mut errs = Errors::default();
    let name = check_name(&mut errs, &input.name);
    let interval = check_interval(&mut errs, &input.interval);
    check_price(&mut errs, input.price_cents);
    let currency = check_currency(&mut errs, &input.currency);
    let features = check_features(&mut errs, &input.features);
    let l = &input.limits;
    check_limit(&mut errs, "maxPractices", l.max_practices);
    check_limit(&mut errs, "maxUsers", l.max_users);
    check_limit(&mut errs, "storageBytes", l.storage_bytes);
    check_limit(&mut errs, "apiCallsPerMonth", l.api_calls_per_month);
    errs.finish()?;
    let now = smartdmv_store::now();
    let row = plan::Model {
        id: PlanId::new(),
        name,
        interval,
        price_cents: input.price_cents,
        currency,
        features,
        max_practices: l.max_practices,
        max_users: l.max_users,
        storage_bytes: l.storage_bytes,
        api_calls_per_month: l.api_calls_per_month,
        active: input.active,
        created_at: now,
        updated_at: now,
    };
    crate::work::write(p.owner.conn(), actor, |w| async move {
        let saved = plan::insert(w.tx(), row)
            .await
            .conflict_as("plan_name_taken", NAME_TAKEN)?;
        w.audit(
            "plan.create",
            None,
            serde_json::json!({"planId": saved.id, "name": saved.name}),
        )
        .await?;
        Ok(saved)
    })
    .await
}

const NAME_TAKEN: &str = "a plan with this name already exists";

/// Applies changes to a plan. A price change reaches subscribers at their next period;
/// limits and features at once. The interval and currency of a plan in use are fixed.
pub async fn update(
    p: &Platform,
    id: PlanId,
    changes: PlanChanges,
    actor: &Actor,
) -> Result<plan::Model, PlatformError> {
    let db = p.owner.conn();
    let before = plan::get(db, id).await?;
    let mut after = before.clone();
    let mut errs = Errors::default();
    if let Some(n) = &changes.name {
        after.name = check_name(&mut errs, n);
    }
    if let Some(i) = &changes.interval {
        after.interval = check_interval(&mut errs, i);
    }
    if let Some(c) = changes.price_cents {
        check_price(&mut errs, c);
        after.price_cents = c;
    }
    if let Some(c) = &changes.currency {
        after.currency = check_currency(&mut errs, c);
    }
    if let Some(f) = &changes.features {
        after.features = check_features(&mut errs, f);
    }
    let limits = [
        (
            "maxPractices",
            changes.max_practices,
            &mut after.max_practices,
        ),
        ("maxUsers", changes.max_users, &mut after.max_users),
        (
            "storageBytes",
            changes.storage_bytes,
            &mut after.storage_bytes,
        ),
        (
            "apiCallsPerMonth",
            changes.api_calls_per_month,
            &mut after.api_calls_per_month,
        ),
    ];
    for (field, change, slot) in limits {
        if let Some(v) = change {
            check_limit(&mut errs, field, v);
            *slot = v;
        }
    }
    if let Some(a) = changes.active {
        after.active = a;
    }
    errs.finish()?;
    if after == before {
        return Ok(before);
    }
    after.updated_at = smartdmv_store::now();
    let saved = crate::work::write(db, actor, |w| async move {
        if (after.interval != before.interval || after.currency != before.currency)
            && users_of(w.tx(), id).await? > 0
        {
            return Err(PlatformError::conflict(
                "plan_in_use",
                format!(
                    "plan {} has subscribers: its interval and currency cannot change; \
                     create a new plan and retire this one",
                    before.name
                ),
            ));
        }
        let saved = plan::update(w.tx(), after)
            .await
            .conflict_as("plan_name_taken", NAME_TAKEN)?;
        let action = match (before.active, saved.active) {
            (true, false) => "plan.retire",
            (false, true) => "plan.reinstate",
            _ => "plan.update",
        };
        w.audit(
            action,
            None,
            serde_json::json!({"planId": saved.id, "name": saved.name}),
        )
        .await?;
        Ok(saved)
    })
    .await?;
    p.resolver.invalidate();
    Ok(saved)
}

/// How many companies are on a plan (their subscriptions name it, now or from the next
/// period).
pub async fn users_of(
    db: &impl smartdmv_store::OwnerConn,
    id: PlanId,
) -> Result<u64, PlatformError> {
    let on_plan = company::Entity::find()
        .filter(company::Column::Plan.eq(id.to_string()))
        .count(db)
        .await?;
    let subscribed = smartdmv_store::owner::subscription::count_on_plan(db, id).await?;
    Ok(on_plan + subscribed)
}

/// Deletes a plan no company uses; a plan in use answers 409 and can only be retired.
pub async fn delete(p: &Platform, id: PlanId, actor: &Actor) -> Result<(), PlatformError> {
    crate::work::write(p.owner.conn(), actor, |w| async move {
        let row = plan::get(w.tx(), id).await?;
        if users_of(w.tx(), id).await? > 0 {
            return Err(PlatformError::conflict(
                "plan_in_use",
                format!(
                    "plan {} is in use by a subscription; retire it (active: false) instead",
                    row.name
                ),
            ));
        }
        plan::delete(w.tx(), id).await?;
        w.audit(
            "plan.delete",
            None,
            serde_json::json!({"planId": row.id, "name": row.name}),
        )
        .await
    })
    .await
}

/// The plan a company is about to be put on: it must exist and be active.
pub async fn choosable(
    db: &impl smartdmv_store::OwnerConn,
    field: &str,
    raw: &str,
) -> Result<plan::Model, PlatformError> {
    let id: PlanId = raw
        .trim()
        .parse()
        .map_err(|_| PlatformError::invalid(field, "must be a plan id"))?;
    let Some(pl) = plan::find(db, id).await? else {
        return Err(PlatformError::invalid(field, "names no plan"));
    };
    if !pl.active {
        return Err(PlatformError::invalid(
            field,
            format!("plan {} is retired and cannot be chosen", pl.name),
        ));
    }
    Ok(pl)
}
