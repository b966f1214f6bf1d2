//! Clients and patients from another practice system's CSV export (one row per patient with
//! its owner's columns). A dry run reports what would be created and every rejected row with
//! every reason, and writes nothing; a real import writes everything in one unit of work
//! with one audit entry, or nothing when any row is rejected.

use serde::Serialize;
use serde_json::json;
use smartdmv_domain::import::{self, Plan};
use smartdmv_domain::perm::{Action, Permission, Resource};
use smartdmv_store::tenant::import as store;

use crate::work::Change;
use crate::{ServiceResult, TenantPrincipal};

/// The permissions an import needs besides the route's own (`clients:create`).
pub const PETS_CREATE: Permission = Permission::new(Resource::Pets, Action::Create);

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub clients: usize,
    pub patients: usize,
    pub contacts: usize,
    pub weights: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedRow {
    pub line: usize,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPatientOut {
    pub line: usize,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    pub microchip: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedClientOut {
    pub lines: Vec<usize>,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub patients: Vec<PlannedPatientOut>,
}

/// What an import did or would do.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read (the header excluded).
    pub rows: usize,
    /// Whether every row can be imported.
    pub valid: bool,
    /// Created (real import) or to be created (dry run); zero when rows are rejected.
    pub created: Counts,
    pub rejected: Vec<RejectedRow>,
    /// Not blocking: microchips already on a patient of the company.
    pub warnings: Vec<Warning>,
    pub ignored_columns: Vec<String>,
    pub clients: Vec<PlannedClientOut>,
}

/// Why a file is refused as a whole; nothing was written.
#[derive(Debug)]
pub enum ImportRefusal {
    /// The file cannot be read: not UTF-8, or no header with the required columns.
    InvalidFile(String),
    /// A real import of a file with rejected rows.
    Rejected(ImportReport),
}

impl ImportRefusal {
    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidFile(_) => "invalid_file",
            Self::Rejected(_) => "import_rejected",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Self::InvalidFile(d) => d.clone(),
            Self::Rejected(r) => format!(
                "{} rows cannot be imported; nothing was written",
                r.rejected.len()
            ),
        }
    }
}

/// A CSV file to import.
#[derive(Debug)]
pub struct CsvImport<'a> {
    pub bytes: &'a [u8],
    /// Only report what would be created.
    pub dry_run: bool,
}

fn report(plan: &Plan, dry_run: bool, warnings: Vec<Warning>) -> ImportReport {
    let contacts = plan
        .clients
        .iter()
        .map(|c| c.emails.len() + c.phones.len())
        .sum();
    let weights = plan
        .clients
        .iter()
        .flat_map(|c| &c.patients)
        .filter(|p| p.weight_kg.is_some())
        .count();
    ImportReport {
        dry_run,
        rows: plan.rows,
        valid: plan.rejected.is_empty(),
        created: Counts {
            clients: plan.clients.len(),
            patients: plan.patient_count(),
            contacts,
            weights,
        },
        rejected: plan
            .rejected
            .iter()
            .map(|r| RejectedRow {
                line: r.line,
                reasons: r.reasons.clone(),
            })
            .collect(),
        warnings,
        ignored_columns: plan.ignored_columns.clone(),
        clients: plan
            .clients
            .iter()
            .map(|c| PlannedClientOut {
                lines: c.lines.clone(),
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                emails: c.emails.clone(),
                phones: c.phones.clone(),
                patients: c
                    .patients
                    .iter()
                    .map(|p| PlannedPatientOut {
                        line: p.line,
                        name: p.name.clone(),
                        species: p.species.clone(),
                        breed: p.breed.clone(),
                        microchip: p.microchip.as_ref().map(|m| m.code.clone()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Plans the file against the company's species and breeds and, unless a dry run, writes
/// it: the report of what was (or would be) created, or why the file is refused.
pub async fn clients_patients(
    cx: &TenantPrincipal,
    file: CsvImport<'_>,
) -> ServiceResult<Result<ImportReport, ImportRefusal>> {
    cx.require(PETS_CREATE)?;
    let text = match std::str::from_utf8(file.bytes) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Err(ImportRefusal::InvalidFile(format!(
                "the file is not UTF-8 text (byte {})",
                e.valid_up_to()
            ))));
        }
    };
    let db = cx.db();
    let catalog = store::catalog(db).await?;
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date();
    let plan = match import::plan(text, &catalog, today) {
        Ok(p) => p,
        Err(e) => return Ok(Err(ImportRefusal::InvalidFile(e.0))),
    };
    let chips: Vec<(String, usize)> = plan
        .clients
        .iter()
        .flat_map(|c| &c.patients)
        .filter_map(|p| Some((p.microchip.as_ref()?.code.clone(), p.line)))
        .collect();
    let codes: Vec<String> = chips.iter().map(|(c, _)| c.clone()).collect();
    let existing = store::existing_microchips(db, &codes).await?;
    let warnings = chips
        .iter()
        .filter_map(|(code, line)| {
            let (_, name) = existing.iter().find(|(c, _)| c == code)?;
            Some(Warning {
                line: *line,
                message: format!("microchip {code} is already recorded for patient {name}"),
            })
        })
        .collect();
    let mut out = report(&plan, file.dry_run, warnings);
    if file.dry_run {
        return Ok(Ok(out));
    }
    if !out.valid {
        return Ok(Err(ImportRefusal::Rejected(out)));
    }
    let now = smartdmv_store::now();
    let bytes = file.bytes.len();
    let written = cx
        .write(|w| async move {
            let written =
                store::write(w.tx(), &plan, cx.user.practice_id, Some(cx.user.id), now).await?;
            w.audit(Change {
                action: "import",
                entity: "client",
                entity_id: None,
                practice_id: cx.user.practice_id,
                before: None,
                after: Some(json!({
                    "source": "csv",
                    "rows": plan.rows,
                    "bytes": bytes,
                    "clients": written.clients,
                    "patients": written.patients,
                    "contacts": written.contacts,
                    "weights": written.weights,
                })),
            })
            .await?;
            Ok(written)
        })
        .await?;
    out.created = Counts {
        clients: written.clients,
        patients: written.patients,
        contacts: written.contacts,
        weights: written.weights,
    };
    Ok(Ok(out))
}
