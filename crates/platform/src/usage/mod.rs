//! Monthly usage of each company: API calls counted in process and added to the owner
//! database in batches ([`UsageMeter`]), and the gauges (users, practices, clients,
//! patients, appointments, storage) recounted from the tenant database by [`recompute`],
//! on demand or from time to time for companies that were busy, never on a request's path.

mod meter;

pub use meter::{CallVerdict, UsageMeter};

use crate::PlatformError;
use smartdmv_domain::usage::Month;
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_store::owner::{company, usage};
use smartdmv_tenancy::TenantLocation;
use smartdmv_tenancy::registry::TenantTarget;

use crate::Platform;

/// The current month (UTC).
pub fn current_month() -> Month {
    month_of(smartdmv_store::Stamp::now())
}

/// The month (UTC) an instant falls in.
pub fn month_of(t: smartdmv_store::Stamp) -> Month {
    let d = t.date();
    Month::new(d.year(), d.month() as u8).unwrap_or_else(|_| {
        Month::new(1970, 1).unwrap_or_else(|_| unreachable!("1970-01 is a month"))
    })
}

/// The first instant of a month and of the month after it (UTC).
pub fn bounds(m: Month) -> (smartdmv_store::Stamp, smartdmv_store::Stamp) {
    let start = |m: Month| {
        jiff::civil::Date::new(m.year(), m.number() as i8, 1)
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
            .map(|z| smartdmv_store::Stamp(z.timestamp()))
            .unwrap_or(smartdmv_store::Stamp(jiff::Timestamp::UNIX_EPOCH))
    };
    (start(m), start(m.next()))
}

/// Recounts a company's gauges for the current month from its database and records them;
/// answers the month's usage row. Companies without a usable database (provisioning, failed,
/// archived) cannot be counted.
pub async fn recompute(p: &Platform, id: CompanyId) -> Result<usage::Model, PlatformError> {
    let db = p.owner.conn();
    let c = company::get(db, id).await?;
    if matches!(
        c.status,
        CompanyStatus::Provisioning | CompanyStatus::Failed | CompanyStatus::Archived
    ) {
        return Err(PlatformError::conflict(
            "company_not_countable",
            format!("a {} company has no database to count", c.status),
        ));
    }
    let location = p.provisioner.location_of(&c)?;
    let target = TenantTarget {
        company: id,
        location: location.clone(),
        schema_version: c.schema_version,
    };
    let month = current_month();
    let (from, to) = bounds(month);
    let tenant = p.registry.acquire(&target).await?;
    let counted = async {
        let mut g = smartdmv_store::tenant::usage::count(tenant.conn(), from, to).await?;
        g.storage_bytes = match &location {
            TenantLocation::Postgres { .. } => {
                smartdmv_store::tenant::usage::postgres_database_size(tenant.conn()).await?
            }
            TenantLocation::Sqlite { path } => sqlite_size(path),
        };
        Ok::<_, sea_orm::DbErr>(g)
    }
    .await;
    let g = match counted {
        Ok(g) => g,
        Err(e) => {
            tenant.report_error(&e);
            return Err(e.into());
        }
    };
    drop(tenant);
    let m = month.to_string();
    usage::set_gauges(db, id, &m, g, smartdmv_store::now()).await?;
    p.usage
        .note_storage(id, u64::try_from(g.storage_bytes).unwrap_or(0));
    usage::get(db, id, &m)
        .await?
        .ok_or_else(|| PlatformError::Internal("usage row vanished after writing it".into()))
}

/// Bytes a SQLite database takes on disk: its file and its write-ahead log.
fn sqlite_size(path: &std::path::Path) -> i64 {
    let len = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    i64::try_from(len(path) + len(std::path::Path::new(&wal))).unwrap_or(i64::MAX)
}

/// Recounts every company that has a database (or only `only`), continuing past failures;
/// answers each company's outcome in creation order.
pub async fn recompute_all(
    p: &Platform,
    only: Option<CompanyId>,
) -> Result<Vec<(company::Model, Result<usage::Model, PlatformError>)>, PlatformError> {
    let filter = company::ListFilter {
        only,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = company::list(p.owner.conn(), &filter, cursor, 200).await?;
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        for c in page {
            if matches!(
                c.status,
                CompanyStatus::Provisioning | CompanyStatus::Failed
            ) {
                continue;
            }
            let r = recompute(p, c.id).await;
            out.push((c, r));
        }
    }
    Ok(out)
}

/// Recounts the companies that served API calls since the last pass (the gauges of idle
/// companies do not change); failures are logged and the company is tried again next pass.
pub async fn recompute_busy(p: &Platform) {
    for id in p.usage.take_busy() {
        if let Err(e) = recompute(p, id).await {
            tracing::warn!(company = %id, error = %e, "usage recount failed");
            p.usage.mark_busy(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_bounds_cover_the_month() {
        let m = Month::parse("2026-12").expect("month");
        let (a, b) = bounds(m);
        assert_eq!(a.to_string(), "2026-12-01T00:00:00Z");
        assert_eq!(b.to_string(), "2027-01-01T00:00:00Z");
        assert_eq!(month_of(a), m);
        assert_eq!(month_of(b - jiff::SignedDuration::from_nanos(1)), m);
        assert_eq!(month_of(b).to_string(), "2027-01");
        let east = smartdmv_store::Stamp("2026-12-01T00:30:00+02:00".parse().expect("instant"));
        assert_eq!(month_of(east).to_string(), "2026-11");
    }
}
