//! The `attachments` table. An image or PDF of a patient's record, its bytes in the company's
//! own database. Rows are only ever inserted; lists read the metadata without the bytes.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};
use smartdmv_domain::{AttachmentId, PatientId, PracticeId, UserId, VisitId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AttachmentId,
    pub patient_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub data: Vec<u8>,
    pub uploaded_by: Option<UserId>,
    pub created_at: Stamp,
}

record_rows!(AttachmentId);

/// An attachment without its bytes.
#[derive(Clone, Debug, PartialEq, sea_orm::FromQueryResult)]
pub struct Meta {
    pub id: AttachmentId,
    pub patient_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    pub created_at: Stamp,
}

/// A patient's attachments without their bytes, newest first.
pub async fn of_patient(db: &impl TenantConn, patient: PatientId) -> Result<Vec<Meta>, DbErr> {
    Entity::find()
        .select_only()
        .columns([
            Column::Id,
            Column::PatientId,
            Column::PracticeId,
            Column::VisitId,
            Column::FileName,
            Column::ContentType,
            Column::SizeBytes,
            Column::Sha256,
            Column::UploadedBy,
            Column::CreatedAt,
        ])
        .filter(Column::PatientId.eq(patient))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .into_model::<Meta>()
        .all(db)
        .await
}
