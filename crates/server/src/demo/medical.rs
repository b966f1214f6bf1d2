//! A living medical record for the demo: six weeks of visits of the first patients (the
//! portal client's two pets among them), each with a signed SOAP note and its vitals, an
//! addendum, a problem list and lab results with a review, written through the services by
//! the demo veterinarian on a clock set back to when each visit happened.

use jiff::SignedDuration;
use smartdmv_domain::IdInput;
use smartdmv_domain::patient::WeightUnit;
use smartdmv_practice::patients::{self, PetFilter};
use smartdmv_practice::record::labs::{self, NewLabOrder, NewResults, Review, TestIn, ValueIn};
use smartdmv_practice::record::notes::{self, NewAddendum, NewNote, VitalsIn};
use smartdmv_practice::record::problems::{self, NewProblem};
use smartdmv_practice::record::visits::{self, NewVisit};
use smartdmv_practice::{PageRequest, TenantPrincipal};
use smartdmv_tenancy::clock::ManualClock;

/// Patients given a history.
const PATIENTS: usize = 8;
/// Weeks of history.
const WEEKS: i64 = 6;

/// (reason, subjective, objective, assessment, plan)
const VISITS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "Annual check-up",
        "Owner reports a good appetite and normal energy.",
        "Bright, alert, responsive. Heart and lungs clear. Teeth with mild tartar.",
        "Healthy adult; mild dental tartar.",
        "Dental hygiene advice; recheck in twelve months.",
    ),
    (
        "Limping",
        "Lame on the right hind leg since the weekend walk.",
        "Swelling over the right hock, pain on flexion, no crepitus.",
        "Soft-tissue sprain of the right hock.",
        "Rest for seven days, anti-inflammatory for five days, recheck if not improving.",
    ),
    (
        "Vomiting",
        "Vomited three times yesterday, still drinking.",
        "Mildly dehydrated, abdomen soft, no pain on palpation.",
        "Acute gastritis, probably dietary.",
        "Bland diet for three days; bloods taken; call if vomiting returns.",
    ),
    (
        "Itchy ears",
        "Shaking the head and scratching the left ear.",
        "Left ear canal red with brown discharge.",
        "Otitis externa, left ear.",
        "Clean and treat the ear twice daily for ten days; recheck in two weeks.",
    ),
];

/// Writes the history as `vet`, whose clock is `clock`: each write happens at the moment
/// the clock is set to, weeks ago.
pub async fn seed(vet: &TenantPrincipal, clock: &ManualClock) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    let page = PageRequest {
        limit: Some(PATIENTS as u64),
        cursor: None,
    };
    let pets = patients::list(vet, &PetFilter::default(), &page)
        .await?
        .items;
    for (i, pet) in pets.iter().enumerate() {
        let pet_id = pet.id.parse()?;
        for week in (1..=WEEKS).rev() {
            // One visit every other week per patient, on a weekday morning.
            if (i as i64 + week) % 2 == 1 {
                continue;
            }
            let at = now - SignedDuration::from_hours(24 * 7 * week + 3 * i as i64);
            clock.set(at);
            let kind = (i + week as usize) % VISITS.len();
            let (reason, s, o, a, p) = VISITS[kind];
            let visit = visits::open(
                vet,
                NewVisit {
                    pet_id: IdInput::Id(pet_id),
                    appointment_id: None,
                    practice_id: None,
                    veterinarian_id: None,
                    reason: Some(reason.into()),
                },
            )
            .await?;
            let weight = pet
                .latest_weight
                .as_ref()
                .and_then(|w| WeightUnit::parse(&w.unit).map(|u| w.value * u.kg_per_unit()))
                .unwrap_or(10.0)
                + (week as f64) * 0.05;
            let note = notes::create(
                vet,
                NewNote {
                    visit_id: IdInput::Id(visit.id),
                    subjective: Some(s.into()),
                    objective: Some(o.into()),
                    assessment: Some(a.into()),
                    plan: Some(p.into()),
                    vitals: Some(VitalsIn {
                        temperature_c: Some(38.4 + (i % 3) as f64 * 0.2),
                        heart_rate: Some(90 + (i as i32 % 5) * 6),
                        respiratory_rate: Some(20 + (i as i32 % 4) * 2),
                        weight_kg: Some((weight * 10.0).round() / 10.0),
                    }),
                },
            )
            .await?;
            clock.set(at + SignedDuration::from_mins(40));
            notes::sign(vet, note.id).await?;
            if kind == 2 {
                let order = labs::create(
                    vet,
                    NewLabOrder {
                        pet_id: IdInput::Id(pet_id),
                        visit_id: Some(IdInput::Id(visit.id)),
                        practice_id: None,
                        tests: Some(vec![TestIn {
                            code: Some("BIOCHEM".into()),
                            name: Some("Biochemistry panel".into()),
                        }]),
                    },
                )
                .await?;
                clock.set(at + SignedDuration::from_hours(20));
                let value = |analyte: &str, value: f64, unit: &str, low: f64, high: f64| ValueIn {
                    analyte: Some(analyte.into()),
                    value: Some(value),
                    unit: Some(unit.into()),
                    reference_low: Some(low),
                    reference_high: Some(high),
                };
                labs::post_results(
                    vet,
                    order.id,
                    NewResults {
                        values: Some(vec![
                            value("ALT", 38.0, "U/L", 10.0, 125.0),
                            value("Urea", 11.2, "mmol/L", 2.5, 9.6),
                            value("Creatinine", 98.0, "umol/L", 44.0, 159.0),
                            value("Glucose", 3.1, "mmol/L", 4.1, 7.9),
                        ]),
                    },
                )
                .await?;
                clock.set(at + SignedDuration::from_hours(26));
                labs::review(
                    vet,
                    order.id,
                    Review {
                        note: Some("Mildly raised urea, consistent with dehydration.".into()),
                    },
                )
                .await?;
                notes::add_addendum(
                    vet,
                    note.id,
                    NewAddendum {
                        text: Some("Biochemistry back: urea mildly raised, glucose low; owner informed, recheck bloods in a week.".into()),
                        reason: Some("Lab results received".into()),
                    },
                )
                .await?;
            }
            if kind == 3 || (kind == 0 && i % 3 == 0) {
                problems::create(
                    vet,
                    pet_id,
                    NewProblem {
                        name: Some(
                            if kind == 3 {
                                "Otitis externa"
                            } else {
                                "Dental tartar"
                            }
                            .into(),
                        ),
                        status: Some(if kind == 3 { "active" } else { "chronic" }.into()),
                        onset_on: Some(at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()),
                        notes: None,
                        visit_id: Some(IdInput::Id(visit.id)),
                        practice_id: None,
                    },
                )
                .await?;
            }
            visits::close(vet, visit.id).await?;
        }
    }
    clock.set(jiff::Timestamp::now());
    Ok(())
}
