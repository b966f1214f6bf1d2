//! The tenant migration set, recorded in `tenant_migrations` inside every company database.
//! A tenant's schema version is the number of migrations applied to it.

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration_kit::{
    account_table, add_column, bare_table, drop_columns, drop_index, drop_tables, index, migration,
    session_table, table,
};

/// Migrates one company database.
pub struct TenantMigrator;

#[async_trait::async_trait]
impl MigratorTrait for TenantMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreatePracticesAndUsers),
            Box::new(CreateSessionsAndAudit),
            Box::new(CreateRolesAndAccess),
            Box::new(CreatePracticeRecords),
            Box::new(CreateSearchIndex),
            Box::new(CreateMedicalRecord),
        ]
    }

    fn migration_table_name() -> DynIden {
        "tenant_migrations".into_iden()
    }
}

impl TenantMigrator {
    /// The schema version this binary writes: every migration it knows.
    pub fn latest_version() -> i32 {
        Self::migrations().len() as i32
    }

    /// The oldest schema version this binary can still serve. Migrations are additive, so a
    /// tenant one version behind keeps working while the fleet migrator catches up.
    pub fn oldest_servable_version() -> i32 {
        Ord::max(Self::latest_version() - 1, 1)
    }

    /// The version a database is at, read from its `tenant_migrations` table (0 when it has
    /// none). Fails when the database records migrations this binary does not know.
    pub async fn current_version(db: &impl ConnectionTrait) -> Result<i32, DbErr> {
        let applied = Self::get_applied_migrations(db).await?;
        let known: Vec<String> = Self::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        for (i, m) in applied.iter().enumerate() {
            if known.get(i).map(String::as_str) != Some(m.name()) {
                return Err(DbErr::Custom(format!(
                    "database has migration {} which this binary does not know at position {}",
                    m.name(),
                    i + 1
                )));
            }
        }
        Ok(applied.len() as i32)
    }
}

migration!(
    CreatePracticesAndUsers,
    "m20261128_000001_create_practices_and_users"
);

impl CreatePracticesAndUsers {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("practices")
            .col(string_len("name", 200))
            .col(text_null("address"))
            .col(string_len_null("phone", 40))
            .col(string_len_null("email", 254))
            .col(string_len("time_zone", 64))
            .col(string_len("currency", 3))
            .col(json("opening_hours"))
            .col(boolean("allow_client_signup"))
            .col(boolean("is_head_office"))
            .timestamps()
            .create(m)
            .await?;
        account_table("users", 40, "practice_id").create(m).await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["users", "practices"]).await
    }
}

migration!(
    CreateSessionsAndAudit,
    "m20261128_000002_create_sessions_and_audit"
);

impl CreateSessionsAndAudit {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        session_table("sessions").create(m).await?;
        table("audit_log")
            .col(timestamp_with_time_zone("at"))
            .col(uuid_null("actor_id"))
            .col(string_len("actor", 300))
            .col(string_len("action", 100))
            .col(string_len("entity", 60))
            .col(uuid_null("entity_id"))
            .col(uuid_null("practice_id"))
            .col(json_null("before"))
            .col(json_null("after"))
            .col(string_len_null("ip", 64))
            .index("idx_audit_entity", &["entity", "entity_id"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["audit_log", "sessions"]).await
    }
}

migration!(
    CreateRolesAndAccess,
    "m20261128_000003_create_roles_and_access"
);

impl CreateRolesAndAccess {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("roles")
            .col(string_len_uniq("name", 100))
            .col(text_null("description"))
            .col(json("permissions"))
            .timestamps()
            .create(m)
            .await?;
        table("user_roles")
            .col(uuid("user_id"))
            .col(string_len("role_key", 80))
            .unique_index("idx_user_roles_unique", &["user_id", "role_key"])
            .create(m)
            .await?;
        table("user_practices")
            .col(uuid("user_id"))
            .col(uuid("practice_id"))
            .unique_index("idx_user_practices_unique", &["user_id", "practice_id"])
            .create(m)
            .await?;
        table("permission_overrides")
            .col(uuid("user_id"))
            .col(string_len("permission", 80))
            .col(boolean("grant"))
            .col(timestamp_with_time_zone_null("expires_at"))
            .col(text_null("reason"))
            .col(uuid_null("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .index("idx_overrides_user", &["user_id"])
            .create(m)
            .await?;
        add_column(m, "sessions", string_len_null("impersonator", 300)).await?;
        add_column(m, "sessions", boolean("read_only").default(false)).await?;
        add_column(m, "users", string_len_null("invitation_hash", 64)).await?;
        add_column(
            m,
            "users",
            timestamp_with_time_zone_null("invitation_expires_at"),
        )
        .await?;
        index(m, "idx_sessions_user", "sessions", &["user_id"]).await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_index(m, "idx_sessions_user", "sessions").await?;
        drop_columns(m, "users", &["invitation_expires_at", "invitation_hash"]).await?;
        drop_columns(m, "sessions", &["read_only", "impersonator"]).await?;
        drop_tables(
            m,
            &[
                "permission_overrides",
                "user_practices",
                "user_roles",
                "roles",
            ],
        )
        .await
    }
}

migration!(
    /// Clients, patients and scheduling (`spec/practice.md`, "Organisation and people" and
    /// "Scheduling and flow"), plus practice settings that scheduling and billing need.
    CreatePracticeRecords,
    "m20261128_000004_create_practice_records"
);

impl CreatePracticeRecords {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        // Practice settings: tax in basis points (2000 = 20 %), and closing a practice.
        add_column(m, "practices", integer("tax_rate_bp").default(0)).await?;
        add_column(m, "practices", boolean("active").default(true)).await?;

        // Clients (pet owners) belong to the company; contacts are several per client.
        table("clients")
            .col(string_len("first_name", 200))
            .col(string_len("last_name", 200))
            // Lower-cased, accent-folded "last first" for sorting and search.
            .col(string_len("name_key", 410))
            .col(string_len_null("email", 254))
            .col(string_len_null("phone", 40))
            .col(json_null("address"))
            .col(uuid_null("home_practice_id"))
            .col(big_integer("balance_cents").default(0))
            .col(json("alerts"))
            .col(text_null("notes"))
            .col(uuid_null("user_id"))
            .col(boolean("active"))
            .col(timestamp_with_time_zone_null("deactivated_at"))
            .timestamps()
            .index("idx_clients_name_key", &["name_key"])
            .index("idx_clients_user", &["user_id"])
            .create(m)
            .await?;
        table("client_contacts")
            .col(uuid("client_id"))
            // "phone" or "email".
            .col(string_len("kind", 10))
            .col(string_len("value", 254))
            // Digits only for phones, lower case for emails: what search compares.
            .col(string_len("normalized", 254))
            // home, mobile, work, billing, emergency, other.
            .col(string_len("purpose", 20))
            .col(boolean("sms_consent"))
            .col(boolean("email_consent"))
            .col(boolean("is_primary"))
            .col(timestamp_with_time_zone("created_at"))
            .index("idx_client_contacts_client", &["client_id"])
            .index("idx_client_contacts_normalized", &["normalized"])
            .create(m)
            .await?;

        // Patients: species required, breed from the species' list, dated owner links.
        table("patients")
            .col(string_len("name", 200))
            .col(string_len("name_key", 200))
            .col(string_len("species", 40))
            .col(string_len_null("breed", 120))
            // male, female, unknown.
            .col(string_len("sex", 10))
            .col(boolean("neutered").default(false))
            .col(date_null("date_of_birth"))
            .col(boolean("dob_estimated").default(false))
            .col(string_len_null("colour", 100))
            .col(string_len_null("microchip", 40))
            // iso (15 digits) or a legacy kind such as avid, fdx-a, other.
            .col(string_len_null("microchip_type", 20))
            .col(json("alerts"))
            .col(date_null("deceased_on"))
            .col(text_null("notes"))
            .col(boolean("active"))
            .timestamps()
            .index("idx_patients_name_key", &["name_key"])
            .index("idx_patients_microchip", &["microchip"])
            .create(m)
            .await?;
        table("patient_owners")
            .col(uuid("patient_id"))
            .col(uuid("client_id"))
            .col(boolean("is_primary"))
            .col(timestamp_with_time_zone("started_at"))
            .col(timestamp_with_time_zone_null("ended_at"))
            .col(text_null("end_reason"))
            .col(uuid_null("created_by"))
            .index("idx_patient_owners_patient", &["patient_id"])
            .index("idx_patient_owners_client", &["client_id"])
            .create(m)
            .await?;
        // At most one current ownership per (patient, client) and one current primary owner
        // per patient, also under concurrent requests. Partial indexes: same syntax on both.
        let conn = m.get_connection();
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX idx_patient_owners_current ON patient_owners \
             (patient_id, client_id) WHERE ended_at IS NULL",
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX idx_patient_owners_primary ON patient_owners \
             (patient_id) WHERE ended_at IS NULL AND is_primary",
        )
        .await?;
        table("patient_weights")
            .col(uuid("patient_id"))
            .col(double("value"))
            // kg, g, lb, oz.
            .col(string_len("unit", 4))
            .col(timestamp_with_time_zone("measured_at"))
            .col(uuid_null("recorded_by"))
            .index("idx_patient_weights_patient", &["patient_id"])
            .create(m)
            .await?;
        // The company's additions to the built-in species and breed lists.
        bare_table("custom_species")
            .col(string_len("code", 40).primary_key())
            .col(string_len("name", 100))
            .col(timestamp_with_time_zone("created_at"))
            .create(m)
            .await?;
        table("custom_breeds")
            .col(string_len("species", 40))
            .col(string_len("name", 120))
            .col(timestamp_with_time_zone("created_at"))
            .unique_index("idx_custom_breeds_unique", &["species", "name"])
            .create(m)
            .await?;

        // Scheduling.
        table("appointment_types")
            .col(string_len_uniq("name", 100))
            .col(integer("duration_minutes"))
            .col(string_len("colour", 7))
            .col(boolean("active"))
            .timestamps()
            .create(m)
            .await?;
        table("rooms")
            .col(uuid("practice_id"))
            .col(string_len("name", 100))
            .col(boolean("active"))
            .timestamps()
            .index("idx_rooms_practice", &["practice_id"])
            .create(m)
            .await?;
        table("appointments")
            .col(uuid("practice_id"))
            .col(uuid("patient_id"))
            .col(uuid("client_id"))
            .col(uuid_null("type_id"))
            .col(uuid_null("veterinarian_id"))
            .col(uuid_null("room_id"))
            .col(timestamp_with_time_zone("starts_at"))
            .col(timestamp_with_time_zone("ends_at"))
            .col(text_null("reason"))
            // requested, booked, confirmed, checked_in, in_progress, completed,
            // cancelled, no_show.
            .col(string_len("status", 20))
            .col(boolean("double_booked").default(false))
            .col(boolean("requested_by_client").default(false))
            .col(text_null("cancel_reason"))
            .col(uuid_null("created_by"))
            .timestamps()
            .index("idx_appointments_vet", &["veterinarian_id", "starts_at"])
            .index("idx_appointments_room", &["room_id", "starts_at"])
            .index("idx_appointments_practice", &["practice_id", "starts_at"])
            .index("idx_appointments_patient", &["patient_id"])
            .index("idx_appointments_client", &["client_id"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "appointments",
                "rooms",
                "appointment_types",
                "custom_breeds",
                "custom_species",
                "patient_weights",
                "patient_owners",
                "patients",
                "client_contacts",
                "clients",
            ],
        )
        .await?;
        drop_columns(m, "practices", &["active", "tax_rate_bp"]).await
    }
}

migration!(
    /// The search index of clients and patients (`tenant::search`): the words each record is
    /// found by, and the deletion keys that find name words with typing errors. Filled from the
    /// records already present.
    CreateSearchIndex,
    "m20261128_000005_create_search_index"
);

impl CreateSearchIndex {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        // Byte order on PostgreSQL too, so that prefix ranges mean "starts with".
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let text_col = |name: &'static str, len: u32| {
            let mut c = string_len(name, len);
            if pg {
                c.extra("COLLATE \"C\"");
            }
            c
        };
        bare_table("search_terms")
            // n name word, p phone digits reversed, e email, m microchip.
            .col(string_len("field", 1))
            .col(text_col("word", 254))
            // c client, p patient.
            .col(string_len("entity_kind", 1))
            .col(uuid("entity_id"))
            // The record's name key, to order equal matches.
            .col(text_col("sort_key", 410))
            .col(boolean("active"))
            .primary_key(&["field", "word", "entity_kind", "entity_id"])
            .index("idx_search_terms_entity", &["entity_id"])
            .create(m)
            .await?;
        bare_table("search_fuzzy")
            .col(text_col("del_key", 120))
            .col(text_col("word", 120))
            .primary_key(&["del_key", "word"])
            .create(m)
            .await?;
        // A company that already has records gets them indexed now. New databases (and
        // templates) have none, so this never reads the record tables through today's
        // entities on a schema that later migrations may still change.
        let db = m.get_connection();
        let mut has_records = false;
        for t in ["clients", "patients"] {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT count(*) FROM {t}"),
                ))
                .await?;
            let n: i64 = row.map_or(Ok(0), |r| r.try_get_by_index(0))?;
            has_records |= n > 0;
        }
        if has_records {
            crate::tenant::search::index::rebuild_in(db).await?;
        }
        Ok(())
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["search_fuzzy", "search_terms"]).await
    }
}

migration!(
    /// The medical record (`spec/clinical.md`, "Visits and the medical record"): visits, SOAP
    /// notes with their vitals, addenda, problems, lab orders with versioned results, and the
    /// practice settings of the record (how long an unsigned note stays editable, whether the
    /// client portal shows signed notes).
    CreateMedicalRecord,
    "m20261203_000006_create_medical_record"
);

impl CreateMedicalRecord {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        add_column(m, "practices", integer("record_lock_hours").default(24)).await?;
        add_column(m, "practices", boolean("portal_shows_notes").default(false)).await?;
        add_column(m, "appointments", uuid_null("visit_id")).await?;
        table("visits")
            .col(uuid("practice_id"))
            .col(uuid("patient_id"))
            .col(uuid_null("appointment_id"))
            .col(uuid_null("veterinarian_id"))
            .col(text_null("reason"))
            // open, closed.
            .col(string_len("status", 20))
            .col(uuid_null("opened_by"))
            .col(uuid_null("closed_by"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .timestamps()
            .index("idx_visits_patient", &["patient_id"])
            .unique_index("idx_visits_appointment", &["appointment_id"])
            .create(m)
            .await?;
        table("soap_notes")
            .col(uuid("visit_id"))
            .col(uuid("patient_id"))
            .col(uuid("practice_id"))
            .col(uuid("author_id"))
            .col(text("subjective"))
            .col(text("objective"))
            .col(text("assessment"))
            .col(text("plan"))
            .col(double_null("temperature_c"))
            .col(integer_null("heart_rate"))
            .col(integer_null("respiratory_rate"))
            .col(double_null("weight_kg"))
            // The weighing the vitals' weight became in the patient's weight history.
            .col(uuid_null("weight_id"))
            // The practice's window when the note was written.
            .col(integer("lock_hours"))
            .col(uuid_null("signed_by"))
            .col(timestamp_with_time_zone_null("signed_at"))
            .col(uuid_null("error_by"))
            .col(timestamp_with_time_zone_null("error_at"))
            .col(text_null("error_reason"))
            .timestamps()
            .index("idx_soap_notes_visit", &["visit_id"])
            .index("idx_soap_notes_patient", &["patient_id"])
            .create(m)
            .await?;
        table("note_addenda")
            .col(uuid("note_id"))
            .col(uuid("patient_id"))
            .col(uuid("author_id"))
            .col(text("text"))
            .col(text("reason"))
            .col(timestamp_with_time_zone("created_at"))
            .index("idx_note_addenda_note", &["note_id"])
            .index("idx_note_addenda_patient", &["patient_id"])
            .create(m)
            .await?;
        table("problems")
            .col(uuid("patient_id"))
            .col(uuid("practice_id"))
            .col(uuid_null("visit_id"))
            .col(string_len("name", 200))
            // active, chronic, resolved.
            .col(string_len("status", 20))
            .col(date_null("onset_on"))
            .col(date_null("resolved_on"))
            .col(text_null("notes"))
            .col(uuid_null("created_by"))
            .timestamps()
            .index("idx_problems_patient", &["patient_id"])
            .create(m)
            .await?;
        table("lab_orders")
            .col(uuid("patient_id"))
            .col(uuid("practice_id"))
            .col(uuid_null("visit_id"))
            // [{code, name}]
            .col(json("tests"))
            // ordered, resulted, reviewed.
            .col(string_len("status", 20))
            .col(uuid_null("ordered_by"))
            .col(uuid_null("reviewed_by"))
            .col(timestamp_with_time_zone_null("reviewed_at"))
            .col(text_null("review_note"))
            .col(integer_null("reviewed_version"))
            .timestamps()
            .index("idx_lab_orders_patient", &["patient_id"])
            .create(m)
            .await?;
        table("lab_results")
            .col(uuid("order_id"))
            .col(uuid("patient_id"))
            .col(integer("version"))
            // [{analyte, value, unit, referenceLow, referenceHigh, flag}]
            .col(json("results"))
            .col(uuid_null("posted_by"))
            .col(timestamp_with_time_zone("created_at"))
            .unique_index("idx_lab_results_version", &["order_id", "version"])
            .index("idx_lab_results_patient", &["patient_id"])
            .create(m)
            .await?;
        // Files of the record, kept in the company's own database so that its backup or
        // move carries them (and its size counts them in storage usage).
        table("attachments")
            .col(uuid("patient_id"))
            .col(uuid("practice_id"))
            .col(uuid_null("visit_id"))
            .col(string_len("file_name", 255))
            .col(string_len("content_type", 100))
            .col(big_integer("size_bytes"))
            .col(string_len("sha256", 64))
            .col(blob("data"))
            .col(uuid_null("uploaded_by"))
            .col(timestamp_with_time_zone("created_at"))
            .index("idx_attachments_patient", &["patient_id"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "attachments",
                "lab_results",
                "lab_orders",
                "problems",
                "note_addenda",
                "soap_notes",
                "visits",
            ],
        )
        .await?;
        drop_columns(m, "appointments", &["visit_id"]).await?;
        drop_columns(m, "practices", &["record_lock_hours", "portal_shows_notes"]).await
    }
}
