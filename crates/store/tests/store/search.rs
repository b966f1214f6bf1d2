//! The search query builder over the index: names by prefix and within typos, phones by
//! their last digits, emails by prefix, microchips exactly; clients and patients apart;
//! inactive records only when asked; and the reads that name what was found.

use smartdmv_domain::search::MatchKind;
use smartdmv_store::TenantConn;
use smartdmv_store::tenant::{client, patient, search};
use uuid::Uuid;

use crate::helpers::*;

both_backends!(
    names_match_exactly_by_prefix_and_within_typos,
    phones_emails_and_microchips_match_their_own_way,
    inactive_records_and_patients_only_when_asked,
    found_records_are_read_back_with_their_owners,
);

fn opts(clients: bool, patients: bool) -> search::Options {
    search::Options {
        clients,
        patients,
        include_inactive: false,
        limit: 20,
    }
}

async fn add_client(db: &impl TenantConn, c: client::Model) -> client::Model {
    let c = client::insert(db, c).await.unwrap();
    search::reindex_client(db, c.id).await.unwrap();
    c
}

async fn add_patient(db: &impl TenantConn, p: patient::Model) -> patient::Model {
    let p = patient::insert(db, p).await.unwrap();
    search::reindex_patient(db, p.id).await.unwrap();
    p
}

fn found(hits: &[search::Hit]) -> Vec<(Uuid, MatchKind)> {
    hits.iter().map(|h| (h.entity_id, h.kind)).collect()
}

async fn names_match_exactly_by_prefix_and_within_typos(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let margaret = add_client(db, new_client("Margaret", "Hamilton")).await;
    let martin = add_client(db, new_client("Martin", "Hamiltonian")).await;
    add_client(db, new_client("Grace", "Hopper")).await;

    let exact = search::search(db, "Margaret Hamilton", opts(true, true))
        .await
        .unwrap();
    assert_eq!(found(&exact.clients), [(margaret.id.0, MatchKind::Exact)]);
    assert_eq!(exact.clients[0].on, "name");

    let prefix = search::search(db, "mar", opts(true, true)).await.unwrap();
    let mut ids: Vec<Uuid> = prefix.clients.iter().map(|h| h.entity_id).collect();
    ids.sort();
    assert_eq!(ids, [margaret.id.0, martin.id.0]);
    assert!(prefix.clients.iter().all(|h| h.kind == MatchKind::Prefix));

    let ranked = search::search(db, "hamilton", opts(true, true))
        .await
        .unwrap();
    assert_eq!(
        found(&ranked.clients),
        [
            (margaret.id.0, MatchKind::Exact),
            (martin.id.0, MatchKind::Prefix)
        ],
        "an exact word ranks before a longer one it starts"
    );

    let typo = search::search(db, "Hopprr", opts(true, true))
        .await
        .unwrap();
    assert_eq!(typo.clients.len(), 1);
    assert_eq!(typo.clients[0].kind, MatchKind::Fuzzy);

    let none = search::search(db, "Lovelace", opts(true, true))
        .await
        .unwrap();
    assert!(none.clients.is_empty() && none.patients.is_empty());
}

async fn phones_emails_and_microchips_match_their_own_way(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let mut c = new_client("Ada", "Lovelace");
    c.phone = Some("+44 20 7946 0958".into());
    c.email = Some("ada@engines.example".into());
    let ada = add_client(db, c).await;
    let mut p = new_patient("Babbage");
    p.microchip = Some("985112345678901".into());
    let pet = add_patient(db, p).await;

    let phone = search::search(db, "7946 0958", opts(true, true))
        .await
        .unwrap();
    assert_eq!(found(&phone.clients), [(ada.id.0, MatchKind::Suffix)]);
    assert_eq!(phone.clients[0].on, "phone");
    let short = search::search(db, "0958", opts(true, true)).await.unwrap();
    assert!(short.clients.is_empty(), "a phone query needs 6 digits");

    let email = search::search(db, "ada@eng", opts(true, true))
        .await
        .unwrap();
    assert_eq!(found(&email.clients), [(ada.id.0, MatchKind::Prefix)]);
    assert_eq!(email.clients[0].on, "email");
    let whole = search::search(db, "ADA@engines.example", opts(true, true))
        .await
        .unwrap();
    assert_eq!(found(&whole.clients), [(ada.id.0, MatchKind::Exact)]);

    let chip = search::search(db, "985 112 345 678 901", opts(true, true))
        .await
        .unwrap();
    assert_eq!(found(&chip.patients), [(pet.id.0, MatchKind::Exact)]);
    assert_eq!(chip.patients[0].on, "microchip");
}

async fn inactive_records_and_patients_only_when_asked(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let rex = add_patient(db, new_patient("Rex")).await;
    let mut gone = new_patient("Rexie");
    gone.active = false;
    let gone = add_patient(db, gone).await;
    let owner = add_client(db, new_client("Rex", "Harrison")).await;

    let staff = search::search(db, "rex", opts(true, true)).await.unwrap();
    assert_eq!(found(&staff.clients), [(owner.id.0, MatchKind::Exact)]);
    assert_eq!(found(&staff.patients), [(rex.id.0, MatchKind::Exact)]);

    let clients_only = search::search(db, "rex", opts(true, false)).await.unwrap();
    assert!(clients_only.patients.is_empty());
    assert_eq!(clients_only.clients.len(), 1);

    let mut all = opts(true, true);
    all.include_inactive = true;
    let with_inactive = search::search(db, "rex", all).await.unwrap();
    let ids: Vec<Uuid> = with_inactive.patients.iter().map(|h| h.entity_id).collect();
    assert_eq!(ids, [rex.id.0, gone.id.0], "exact before prefix");

    let mut one = opts(true, true);
    one.limit = 1;
    let capped = search::search(db, "rex", one).await.unwrap();
    assert_eq!((capped.clients.len(), capped.patients.len()), (1, 1));
}

async fn found_records_are_read_back_with_their_owners(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let (c, p) = client_with_pet(db).await;
    let second = client::insert(db, new_client("Charles", "Babbage"))
        .await
        .unwrap();
    own(db, second.id, p.id, false).await;

    let clients = search::clients_by_id(db, &[c.id, second.id]).await.unwrap();
    assert_eq!(clients.len(), 2);
    assert_eq!(clients[&c.id].last_name, "Lovelace");
    let patients = search::patients_by_id(db, &[p.id]).await.unwrap();
    assert_eq!(patients[&p.id].name, "Rex");
    let owners = search::current_owners(db, &[p.id]).await.unwrap();
    let mut seen: Vec<_> = owners.iter().map(|o| (o.client.id, o.is_primary)).collect();
    seen.sort();
    let mut want = vec![(c.id, true), (second.id, false)];
    want.sort();
    assert_eq!(seen, want);
    assert!(search::clients_by_id(db, &[]).await.unwrap().is_empty());
}
