//! The demo companies' practice records: deterministic, consistent and searchable.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use smartdmv_server::demo;
use smartdmv_store::TenantConnection;
use smartdmv_store::tenant::{
    appointment, client, lab_order, note_addendum, patient, patient_owner, problem, room,
    soap_note, user,
};
use std::collections::BTreeMap;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(demo_seeds_of_fresh_databases_produce_the_same_practice);

async fn demo_db(app: &TestApp) -> TenantConnection {
    let row = smartdmv_store::owner::company::find_by_subdomain(
        app.state.platform.owner.conn(),
        "demo-vet",
    )
    .await
    .unwrap()
    .unwrap();
    app.open_tenant_db(&row.id.to_string()).await
}

/// Client names, patient names with species and breed, sorted.
async fn names(db: &TenantConnection) -> (Vec<String>, Vec<String>) {
    let mut c: Vec<String> = client::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| format!("{} {} {:?}", c.first_name, c.last_name, c.email))
        .collect();
    c.sort();
    let mut p: Vec<String> = patient::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| format!("{} {} {:?} {:?}", p.name, p.species, p.breed, p.microchip))
        .collect();
    p.sort();
    (c, p)
}

async fn demo_seeds_of_fresh_databases_produce_the_same_practice(b: Backend) {
    let first = TestApp::spawn(b.clone()).await;
    assert_eq!(demo::seed(&first.state).await.unwrap(), 2);
    let db = demo_db(&first).await;
    let (clients, patients) = names(&db).await;
    assert_eq!(clients.len(), demo::practice::CLIENTS + 1);
    assert_eq!(patients.len(), demo::practice::PATIENTS + 2);
    let species: std::collections::BTreeSet<String> = patient::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.species)
        .collect();
    assert!(species.len() >= 4, "{species:?}");

    // The portal client is linked to a client record with two pets.
    let portal = user::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "client@demo-vet.example")
        .unwrap();
    let carl = client::find_by_user(&db, portal.id).await.unwrap().unwrap();
    let pets = patient_owner::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.client_id == carl.id)
        .count();
    assert_eq!(pets, 2);
    let roles: Vec<String> = user::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.role.to_string())
        .collect();
    for r in ["VETERINARIAN", "TECHNICIAN", "RECEPTIONIST"] {
        assert!(roles.iter().any(|x| x == r), "{r} in {roles:?}");
    }
    assert!(room::Entity::find().all(&db).await.unwrap().len() >= 2);

    // A week of appointments, never two at once for one vet or one room.
    let appts = appointment::Entity::find().all(&db).await.unwrap();
    assert!(appts.len() > 50, "{}", appts.len());
    let mut per: BTreeMap<String, Vec<(smartdmv_store::Stamp, smartdmv_store::Stamp)>> =
        BTreeMap::new();
    for a in appts
        .iter()
        .filter(|a| a.status.as_str() != "cancelled" && a.status.as_str() != "no_show")
    {
        per.entry(format!("vet {:?}", a.veterinarian_id))
            .or_default()
            .push((a.starts_at, a.ends_at));
        per.entry(format!("room {:?}", a.room_id))
            .or_default()
            .push((a.starts_at, a.ends_at));
    }
    for (who, mut slots) in per {
        slots.sort();
        for w in slots.windows(2) {
            assert!(w[0].1 <= w[1].0, "{who} overlaps: {w:?}");
        }
    }

    // Demo records are searchable.
    let admin = first
        .login("demo-vet", "admin@demo-vet.example", demo::DEMO_PASSWORD)
        .await;
    let (s, v) = first
        .tenant_get("demo-vet", &admin, "/api/search?q=Biscut")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["patients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["owners"][0]["lastName"] == "Client"),
        "{v}"
    );

    // A living medical record: weeks of visits with signed notes, an addendum, problems and
    // reviewed lab results, readable through the API as the veterinarian reads it.
    let notes = soap_note::Entity::find().all(&db).await.unwrap();
    assert!(notes.len() >= 10, "{}", notes.len());
    assert!(notes.iter().all(|n| n.signed_at.is_some()));
    let oldest = notes.iter().map(|n| n.created_at).min().unwrap();
    assert!(
        oldest < smartdmv_store::now() - jiff::SignedDuration::from_hours(24 * 21),
        "the record spans weeks: {oldest:?}"
    );
    assert!(
        !note_addendum::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!problem::Entity::find().all(&db).await.unwrap().is_empty());
    let orders = lab_order::Entity::find().all(&db).await.unwrap();
    assert!(!orders.is_empty() && orders.iter().all(|o| o.reviewed_at.is_some()));
    let biscuit = patient::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Biscuit")
        .unwrap();
    let vet = first
        .login("demo-vet", "vet@demo-vet.example", demo::DEMO_PASSWORD)
        .await;
    let (s, h) = first
        .tenant_get(
            "demo-vet",
            &vet,
            &format!("/api/pets/{}/history", biscuit.id),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let kinds: std::collections::BTreeSet<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for k in ["visit", "note", "weight"] {
        assert!(kinds.contains(k), "{k} in {kinds:?}");
    }
    let _ = db.close().await;

    // A second, fresh platform gets the same clients and patients.
    let second = TestApp::spawn(b).await;
    demo::seed(&second.state).await.unwrap();
    let db2 = demo_db(&second).await;
    let (clients2, patients2) = names(&db2).await;
    assert_eq!(clients, clients2);
    assert_eq!(patients, patients2);
    let _ = db2.close().await;
}
