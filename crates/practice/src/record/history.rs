//! The patient's history: one chronology, newest first, of visits, notes (flagged when
//! entered in error), addenda, weighings, problems, lab results and attachments. The vaccinations,
//! prescriptions and dispenses of the next capabilities join it as they land.
//!
//! A `CLIENT` sees their own pet's weighings and the signed notes (with their addenda) of
//! practices that let the portal show notes.

use serde::Serialize;
use serde_json::{Value, json};
use smartdmv_domain::PatientId;
use smartdmv_store::tenant::{
    attachment, lab_order, lab_result, note_addendum, patient_weight, problem, soap_note, visit,
};

use super::notes::{self, NoteOut};
use crate::{ServiceResult, TenantPrincipal, rfc3339};

/// One event of the history.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    /// `visit`, `note`, `addendum`, `weight`, `problem`, `lab_result`, `attachment`.
    pub kind: &'static str,
    /// When it happened (RFC 3339).
    pub at: String,
    pub id: String,
    /// One line to show.
    pub summary: String,
    /// What else the kind carries (the note, the flagged values, ...).
    pub detail: Value,
    #[serde(skip)]
    sort: jiff::Timestamp,
}

/// The history answer.
#[derive(Debug, Serialize)]
pub struct History {
    pub items: Vec<HistoryItem>,
}

fn item(
    kind: &'static str,
    at: smartdmv_store::Stamp,
    id: impl ToString,
    summary: String,
    detail: Value,
) -> HistoryItem {
    HistoryItem {
        kind,
        at: rfc3339(at),
        id: id.to_string(),
        summary,
        detail,
        sort: at.0,
    }
}

/// The first line of a text, shortened for a summary.
fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    match line.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}

fn note_summary(n: &NoteOut) -> String {
    let text = [&n.assessment, &n.subjective, &n.plan, &n.objective]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .map_or_else(|| "SOAP note".to_owned(), |t| first_line(t));
    match &n.entered_in_error {
        Some(_) => format!("[entered in error] {text}"),
        None => text,
    }
}

/// The pet's history, newest first.
pub async fn history(cx: &TenantPrincipal, pet: PatientId) -> ServiceResult<History> {
    let pet = super::readable_patient(cx, pet).await?;
    let db = cx.db();
    let client = cx.is_client();
    let mut items = Vec::new();

    let mut note_rows = soap_note::of_patient(db, pet.id).await?;
    if client {
        let shown = notes::portal_practices(cx).await?;
        note_rows.retain(|n| notes::client_may_see(n, &shown));
    }
    let note_ids: Vec<_> = note_rows.iter().map(|n| n.id).collect();
    let addenda = note_addendum::of_notes(db, &note_ids).await?;
    let now = cx.now();
    for n in note_rows {
        let at = n.created_at;
        let out = NoteOut::new(n, &addenda, now);
        items.push(item(
            "note",
            at,
            out.id,
            note_summary(&out),
            serde_json::to_value(&out).unwrap_or(Value::Null),
        ));
    }
    for a in &addenda {
        items.push(item(
            "addendum",
            a.created_at,
            a.id,
            format!("Addendum: {}", first_line(&a.text)),
            json!({"noteId": a.note_id, "text": a.text, "reason": a.reason, "authorId": a.author_id}),
        ));
    }
    for w in patient_weight::of_patient(db, pet.id).await? {
        items.push(item(
            "weight",
            w.measured_at,
            w.id,
            format!("Weight {} {}", w.value, w.unit.as_str()),
            json!({"value": w.value, "unit": w.unit.as_str(), "recordedBy": w.recorded_by}),
        ));
    }
    if !client {
        for v in visit::of_patient(db, pet.id).await? {
            items.push(item(
                "visit",
                v.created_at,
                v.id,
                v.reason.as_deref().map_or_else(
                    || "Visit".to_owned(),
                    |r| format!("Visit: {}", first_line(r)),
                ),
                json!({"status": v.status, "practiceId": v.practice_id,
                       "appointmentId": v.appointment_id, "veterinarianId": v.veterinarian_id}),
            ));
        }
        for p in problem::of_patient(db, pet.id).await? {
            items.push(item(
                "problem",
                p.created_at,
                p.id,
                format!("Problem: {} ({})", p.name, p.status),
                json!({"name": p.name, "status": p.status,
                       "onsetOn": p.onset_on.map(|d| d.to_string()),
                       "resolvedOn": p.resolved_on.map(|d| d.to_string())}),
            ));
        }
        let orders = lab_order::of_patient(db, pet.id).await?;
        let ids: Vec<_> = orders.iter().map(|o| o.id).collect();
        for r in lab_result::of_orders(db, &ids).await? {
            let flagged = r.results.as_array().map_or(0, |vs| {
                vs.iter()
                    .filter(|v| v["flag"] == "low" || v["flag"] == "high")
                    .count()
            });
            items.push(item(
                "lab_result",
                r.created_at,
                r.id,
                format!("Lab results v{} ({} flagged)", r.version, flagged),
                json!({"orderId": r.order_id, "version": r.version, "values": r.results}),
            ));
        }
        for a in attachment::of_patient(db, pet.id).await? {
            items.push(item(
                "attachment",
                a.created_at,
                a.id,
                format!("Attachment: {}", a.file_name),
                json!({"fileName": a.file_name, "contentType": a.content_type,
                       "sizeBytes": a.size_bytes, "visitId": a.visit_id,
                       "url": format!("/api/attachments/{}", a.id)}),
            ));
        }
    }
    items.sort_by(|a, b| b.sort.cmp(&a.sort).then_with(|| b.id.cmp(&a.id)));
    Ok(History { items })
}
