//! Attachments of a patient's record: images (PNG, JPEG, GIF, WebP) and PDFs of at most
//! 10 MiB, typed by their bytes rather than by what the upload claims, stored in the
//! company's own database (a backup or move carries them; the database's size counts them
//! in storage usage). Staff only: a client's portal does not show them.

use serde::Serialize;
use smartdmv_domain::clinical::{MAX_ATTACHMENT_BYTES, attachment_type};
use smartdmv_domain::{AttachmentId, IdInput, PatientId, PracticeId, UserId, VisitId};
use smartdmv_store::tenant::attachment;

use super::{readable_patient, visits, writable_patient};
use crate::account::sha256_hex;
use crate::fields::Errors;
use crate::work::Change;
use crate::{ServiceError, ServiceResult, TenantPrincipal, practices, rfc3339};

/// A file as uploaded.
#[derive(Debug)]
pub struct Upload {
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
    pub visit_id: Option<IdInput<VisitId>>,
    pub practice_id: Option<IdInput<PracticeId>>,
}

/// An attachment as answers show it (without its bytes).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentOut {
    pub id: AttachmentId,
    pub pet_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    pub created_at: String,
    /// Where its bytes are read.
    pub url: String,
}

impl From<attachment::Meta> for AttachmentOut {
    fn from(m: attachment::Meta) -> Self {
        Self {
            url: format!("/api/attachments/{}", m.id),
            id: m.id,
            pet_id: m.patient_id,
            practice_id: m.practice_id,
            visit_id: m.visit_id,
            file_name: m.file_name,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
            uploaded_by: m.uploaded_by,
            created_at: rfc3339(m.created_at),
        }
    }
}

fn meta(m: &attachment::Model) -> attachment::Meta {
    attachment::Meta {
        id: m.id,
        patient_id: m.patient_id,
        practice_id: m.practice_id,
        visit_id: m.visit_id,
        file_name: m.file_name.clone(),
        content_type: m.content_type.clone(),
        size_bytes: m.size_bytes,
        sha256: m.sha256.clone(),
        uploaded_by: m.uploaded_by,
        created_at: m.created_at,
    }
}

/// A file name safe to store and to send back in a header: the last path segment, without
/// control characters or quotes, at most 200 characters; `attachment` when nothing is left.
fn clean_name(raw: Option<&str>) -> String {
    let last = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let name: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    match name.trim() {
        "" => "attachment".to_owned(),
        n => n.to_owned(),
    }
}

/// 404 unless the caller may add files to this pet's record: checked before an upload's
/// body is read, so that an unknown pet costs nothing and answers as it does everywhere.
pub async fn check_pet(cx: &TenantPrincipal, pet: PatientId) -> ServiceResult<()> {
    writable_patient(cx, pet).await.map(|_| ())
}

/// Stores a file in a patient's record.
pub async fn upload(
    cx: &TenantPrincipal,
    pet: PatientId,
    up: Upload,
) -> ServiceResult<AttachmentOut> {
    let pet = writable_patient(cx, pet).await?;
    let mut errs = Errors::default();
    let visit_id = up.visit_id.and_then(|v| errs.id("visitId", v));
    let content_type = if up.bytes.is_empty() {
        errs.add("file", "is required (an image or a PDF)");
        None
    } else if up.bytes.len() > MAX_ATTACHMENT_BYTES {
        errs.add("file", "must be at most 10 MiB");
        None
    } else {
        let t = attachment_type(&up.bytes);
        if t.is_none() {
            errs.add(
                "file",
                "must be an image (PNG, JPEG, GIF or WebP) or a PDF document",
            );
        }
        t
    };
    errs.finish()?;
    let content_type =
        content_type.ok_or_else(|| ServiceError::internal("attachment type checked above"))?;
    let visit = visits::of_pet(cx, visit_id, pet.id).await?;
    let practice =
        practices::for_input(cx, up.practice_id, visit.as_ref().map(|v| v.practice_id)).await?;
    let m = attachment::Model {
        id: AttachmentId::new(),
        patient_id: pet.id,
        practice_id: practice.id,
        visit_id: visit.map(|v| v.id),
        file_name: clean_name(up.file_name.as_deref()),
        content_type: content_type.to_owned(),
        size_bytes: i64::try_from(up.bytes.len()).unwrap_or(i64::MAX),
        sha256: sha256_hex(&up.bytes),
        data: up.bytes,
        uploaded_by: Some(cx.user.id),
        created_at: cx.now(),
    };
    let out = AttachmentOut::from(meta(&m));
    let logged = serde_json::to_value(&out).ok();
    cx.write(|w| async move {
        attachment::insert(w.tx(), m).await?;
        w.audit(Change {
            action: "create",
            entity: "attachment",
            entity_id: Some(out.id.into()),
            practice_id: Some(out.practice_id),
            before: None,
            after: logged,
        })
        .await
    })
    .await?;
    Ok(out)
}

/// A patient's attachments, newest first (staff only).
pub async fn list(cx: &TenantPrincipal, pet: PatientId) -> ServiceResult<Vec<AttachmentOut>> {
    if cx.is_client() {
        return Err(ServiceError::NotFound("pet"));
    }
    let pet = readable_patient(cx, pet).await?;
    Ok(attachment::of_patient(cx.db(), pet.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// An attachment with its bytes (staff only).
pub async fn get(cx: &TenantPrincipal, id: AttachmentId) -> ServiceResult<attachment::Model> {
    if cx.is_client() {
        return Err(ServiceError::NotFound("attachment"));
    }
    attachment::find(cx.db(), id)
        .await?
        .ok_or(ServiceError::NotFound("attachment"))
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn file_names_keep_only_their_last_segment_and_safe_characters() {
        assert_eq!(clean_name(Some("C:\\photos\\x-ray.png")), "x-ray.png");
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("a\"b\r\nc.pdf")), "abc.pdf");
        assert_eq!(clean_name(None), "attachment");
        assert_eq!(clean_name(Some("   ")), "attachment");
    }
}
