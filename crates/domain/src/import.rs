//! Importing clients and patients from another practice system's CSV export: one row per
//! patient with its owner's columns. This module maps the header (with the usual synonyms),
//! checks every row and groups the rows of one owner; it writes nothing. Rows of one owner
//! are those with the same email, or the same name and phone.

use std::collections::HashMap;

use crate::csv;
use crate::microchip::{self, Microchip};
use crate::species;
use crate::text;

/// The columns the importer understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    FirstName,
    LastName,
    OwnerName,
    Email,
    Phone,
    Address1,
    Address2,
    City,
    Region,
    PostalCode,
    Country,
    PetName,
    Species,
    Breed,
    Sex,
    Neutered,
    DateOfBirth,
    Colour,
    Microchip,
    MicrochipType,
    WeightKg,
}

/// Header spellings (lower case, letters and digits only) per column.
const SYNONYMS: &[(Column, &[&str])] = &[
    (
        Column::FirstName,
        &[
            "ownerfirstname",
            "firstname",
            "clientfirstname",
            "first",
            "forename",
            "givenname",
        ],
    ),
    (
        Column::LastName,
        &[
            "ownerlastname",
            "lastname",
            "clientlastname",
            "surname",
            "ownersurname",
            "last",
            "familyname",
        ],
    ),
    (Column::OwnerName, &["ownername", "clientname", "owner"]),
    (
        Column::Email,
        &["owneremail", "email", "clientemail", "emailaddress", "mail"],
    ),
    (
        Column::Phone,
        &[
            "ownerphone",
            "phone",
            "clientphone",
            "telephone",
            "tel",
            "mobile",
            "phonenumber",
            "cell",
        ],
    ),
    (
        Column::Address1,
        &[
            "address",
            "address1",
            "addressline1",
            "street",
            "owneraddress",
        ],
    ),
    (Column::Address2, &["address2", "addressline2"]),
    (Column::City, &["city", "town", "ownercity"]),
    (
        Column::Region,
        &["region", "state", "county", "province", "ownerstate"],
    ),
    (
        Column::PostalCode,
        &[
            "postcode",
            "zip",
            "zipcode",
            "postalcode",
            "ownerpostcode",
            "ownerzip",
        ],
    ),
    (Column::Country, &["country"]),
    (
        Column::PetName,
        &[
            "petname",
            "patient",
            "patientname",
            "pet",
            "animalname",
            "animal",
        ],
    ),
    (
        Column::Species,
        &["species", "patientspecies", "animalspecies", "pettype"],
    ),
    (Column::Breed, &["breed", "patientbreed"]),
    (Column::Sex, &["sex", "gender", "patientsex"]),
    (
        Column::Neutered,
        &[
            "neutered",
            "desexed",
            "spayedneutered",
            "neuteredspayed",
            "fixed",
            "sterilised",
            "sterilized",
        ],
    ),
    (
        Column::DateOfBirth,
        &["dateofbirth", "dob", "birthdate", "birthday", "born"],
    ),
    (Column::Colour, &["colour", "color", "markings"]),
    (
        Column::Microchip,
        &[
            "microchip",
            "chip",
            "microchipnumber",
            "chipnumber",
            "microchipno",
        ],
    ),
    (Column::MicrochipType, &["microchiptype", "chiptype"]),
    (Column::WeightKg, &["weightkg", "weight", "kg"]),
];

fn column_for(header: &str) -> Option<Column> {
    let key: String = header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_lowercase())
        .collect();
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(c, _)| *c)
}

/// The species and breeds a company has added to the built-in lists.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    /// (code, display name).
    pub species: Vec<(String, String)>,
    /// (species code, breed).
    pub breeds: Vec<(String, String)>,
}

/// A postal address, stored as `{line1, line2, city, region, postalCode, country}`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

impl Address {
    fn is_empty(&self) -> bool {
        self == &Address::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPatient {
    pub line: usize,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    /// male, female, unknown.
    pub sex: &'static str,
    pub neutered: bool,
    pub date_of_birth: Option<jiff::civil::Date>,
    pub colour: Option<String>,
    pub microchip: Option<Microchip>,
    pub weight_kg: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedClient {
    /// Lines of the rows that make up this client.
    pub lines: Vec<usize>,
    pub first_name: String,
    pub last_name: String,
    /// Lower-cased, trimmed; the first is the primary one.
    pub emails: Vec<String>,
    /// As written; the first is the primary one.
    pub phones: Vec<String>,
    pub address: Option<Address>,
    pub patients: Vec<PlannedPatient>,
}

/// A row that cannot be imported, with every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: usize,
    pub reasons: Vec<String>,
}

/// What an import would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Data rows read (the header excluded).
    pub rows: usize,
    pub clients: Vec<PlannedClient>,
    pub rejected: Vec<Rejected>,
    /// Header cells that match no known column (ignored).
    pub ignored_columns: Vec<String>,
}

impl Plan {
    pub fn patient_count(&self) -> usize {
        self.clients.iter().map(|c| c.patients.len()).sum()
    }
}

/// A file that cannot be imported at all (no header, a missing required column, broken
/// quoting). Row problems are reported in [`Plan::rejected`] instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

fn species_code(raw: &str, catalog: &Catalog) -> Option<String> {
    let want = raw.trim();
    let folded = text::fold_name(want);
    let alias = match folded.as_str() {
        "canine" | "k9" => "dog",
        "feline" => "cat",
        "equine" | "pony" => "horse",
        "guinea pig" | "cavy" => "guinea-pig",
        "avian" => "bird",
        _ => "",
    };
    for s in species::BUILT_IN {
        if s.code.eq_ignore_ascii_case(want)
            || s.name.eq_ignore_ascii_case(want)
            || s.code == alias
            || text::fold_name(s.name) == folded
        {
            return Some(s.code.to_owned());
        }
    }
    catalog
        .species
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(want) || name.eq_ignore_ascii_case(want))
        .map(|(code, _)| code.clone())
}

fn breed_for(species_code: &str, raw: &str, catalog: &Catalog) -> Option<String> {
    let custom = catalog
        .breeds
        .iter()
        .filter(|(s, _)| s == species_code)
        .map(|(_, b)| b.as_str());
    let built: &[&str] = species::built_in(species_code).map_or(&[], |s| s.breeds);
    species::match_breed(built.iter().copied().chain(custom), raw).map(str::to_owned)
}

/// `(sex, neutered implied)` from the usual spellings.
fn parse_sex(raw: &str) -> Option<(&'static str, bool)> {
    Some(match text::fold_name(raw).as_str() {
        "" | "u" | "unknown" | "unk" => ("unknown", false),
        "m" | "male" | "entire male" | "mi" => ("male", false),
        "f" | "female" | "entire female" | "fi" => ("female", false),
        "mn" | "mc" | "male neutered" | "neutered male" | "male castrated" | "castrated male" => {
            ("male", true)
        }
        "fs" | "fn" | "female spayed" | "spayed female" | "female neutered" | "neutered female" => {
            ("female", true)
        }
        _ => return None,
    })
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "n" | "no" | "false" | "0" | "entire" => Some(false),
        "y" | "yes" | "true" | "1" | "neutered" | "spayed" | "castrated" => Some(true),
        _ => None,
    }
}

/// `YYYY-MM-DD` (or with slashes), not in the future.
fn parse_date(raw: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date, String> {
    let parts: Vec<&str> = raw.trim().split(['-', '/']).collect();
    let bad = || format!("bad date {:?}: use YYYY-MM-DD", raw.trim());
    if parts.len() != 3 || parts[0].len() != 4 {
        return Err(bad());
    }
    let y: i16 = parts[0].parse().map_err(|_| bad())?;
    let m: i8 = parts[1].parse().map_err(|_| bad())?;
    let d: i8 = parts[2].parse().map_err(|_| bad())?;
    let date = jiff::civil::Date::new(y, m, d).map_err(|_| bad())?;
    if date > today {
        return Err(format!("date of birth {date} is in the future"));
    }
    if y < 1900 {
        return Err(bad());
    }
    Ok(date)
}

fn limit(errs: &mut Vec<String>, what: &str, v: &str, max: usize) {
    if v.chars().count() > max {
        errs.push(format!("{what} is longer than {max} characters"));
    }
}

/// Reads a CSV export and plans the import. `today` bounds dates of birth.
pub fn plan(text: &str, catalog: &Catalog, today: jiff::civil::Date) -> Result<Plan, FileError> {
    let records = csv::parse(text).map_err(|e| FileError(e.to_string()))?;
    let mut it = records.into_iter();
    let header = it
        .next()
        .ok_or_else(|| FileError("the file is empty: expected a header row".into()))?;
    let mut cols: HashMap<Column, usize> = HashMap::new();
    let mut ignored = Vec::new();
    for (i, h) in header.fields.iter().enumerate() {
        match column_for(h) {
            Some(c) if !cols.contains_key(&c) => {
                cols.insert(c, i);
            }
            Some(_) => ignored.push(format!("{h} (duplicate)")),
            None if h.trim().is_empty() => {}
            None => ignored.push(h.clone()),
        }
    }
    let has = |c| cols.contains_key(&c);
    let mut missing = Vec::new();
    let names = has(Column::OwnerName) || (has(Column::FirstName) && has(Column::LastName));
    if !names {
        missing.push("owner_first_name and owner_last_name (or owner_name)");
    }
    if !has(Column::PetName) {
        missing.push("pet_name");
    }
    if !has(Column::Species) {
        missing.push("species");
    }
    if !missing.is_empty() {
        return Err(FileError(format!(
            "the header lacks required columns: {}",
            missing.join(", ")
        )));
    }

    let mut plan = Plan {
        ignored_columns: ignored,
        ..Plan::default()
    };
    // Owner keys (email, or name + phone) to the index of their client.
    let mut owners: HashMap<String, usize> = HashMap::new();
    let mut chips: HashMap<String, usize> = HashMap::new();
    for rec in it {
        plan.rows += 1;
        let get = |c: Column| -> String {
            cols.get(&c)
                .and_then(|&i| rec.fields.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let opt = |c: Column| Some(get(c)).filter(|s| !s.is_empty());
        let mut errs = Vec::new();
        if rec.fields.len() > header.fields.len() {
            errs.push(format!(
                "the row has {} fields but the header has {}",
                rec.fields.len(),
                header.fields.len()
            ));
        }
        let (mut first, mut last) = (get(Column::FirstName), get(Column::LastName));
        if first.is_empty() && last.is_empty() {
            let full = get(Column::OwnerName);
            match full.rsplit_once(' ') {
                Some((f, l)) => (first, last) = (f.trim().to_owned(), l.trim().to_owned()),
                None => last = full,
            }
        }
        if first.is_empty() {
            errs.push("missing owner first name".into());
        }
        if last.is_empty() {
            errs.push("missing owner last name".into());
        }
        limit(&mut errs, "owner first name", &first, 200);
        limit(&mut errs, "owner last name", &last, 200);
        let email = opt(Column::Email).map(|e| e.to_lowercase());
        if let Some(e) = &email
            && !text::is_plausible_email(e)
        {
            errs.push(format!("bad email {e:?}"));
        }
        let phone = opt(Column::Phone);
        if let Some(p) = &phone
            && !text::is_plausible_phone(p)
        {
            errs.push(format!("bad phone {p:?}"));
        }
        let address = Address {
            line1: opt(Column::Address1),
            line2: opt(Column::Address2),
            city: opt(Column::City),
            region: opt(Column::Region),
            postal_code: opt(Column::PostalCode),
            country: opt(Column::Country),
        };
        for (what, v) in [
            ("address", &address.line1),
            ("address line 2", &address.line2),
            ("city", &address.city),
            ("region", &address.region),
            ("postcode", &address.postal_code),
            ("country", &address.country),
        ] {
            if let Some(v) = v {
                limit(&mut errs, what, v, 200);
            }
        }

        let name = get(Column::PetName);
        if name.is_empty() {
            errs.push("missing pet name".into());
        }
        limit(&mut errs, "pet name", &name, 200);
        let raw_species = get(Column::Species);
        let species = if raw_species.is_empty() {
            errs.push("missing species".into());
            None
        } else {
            let s = species_code(&raw_species, catalog);
            if s.is_none() {
                errs.push(format!("unknown species {raw_species:?}"));
            }
            s
        };
        let breed = match (&species, opt(Column::Breed)) {
            (Some(s), Some(b)) => {
                let found = breed_for(s, &b, catalog);
                if found.is_none() {
                    errs.push(format!(
                        "unknown breed {b:?} for species {s} (use \"Other\" for breeds not in the list)"
                    ));
                }
                found
            }
            _ => None,
        };
        let (sex, implied) = parse_sex(&get(Column::Sex)).unwrap_or_else(|| {
            errs.push(format!(
                "bad sex {:?}: use male, female, unknown, MN or FS",
                get(Column::Sex)
            ));
            ("unknown", false)
        });
        let neutered = parse_bool(&get(Column::Neutered)).unwrap_or_else(|| {
            errs.push(format!(
                "bad neutered value {:?}: use yes or no",
                get(Column::Neutered)
            ));
            false
        }) || implied;
        let date_of_birth = opt(Column::DateOfBirth)
            .and_then(|d| parse_date(&d, today).map_err(|e| errs.push(e)).ok());
        let colour = opt(Column::Colour);
        if let Some(c) = &colour {
            limit(&mut errs, "colour", c, 100);
        }
        let microchip = opt(Column::Microchip).and_then(|raw| {
            let kind = opt(Column::MicrochipType).map(|k| k.to_lowercase());
            match microchip::parse(&raw, kind.as_deref()) {
                Ok(m) => Some(m),
                Err(e) => {
                    errs.push(format!("bad microchip {raw:?}: {e}"));
                    None
                }
            }
        });
        if let Some(m) = &microchip
            && let Some(other) = chips.get(&m.code)
        {
            errs.push(format!(
                "microchip {} is also on line {other} of this file",
                m.code
            ));
        }
        let weight_kg = opt(Column::WeightKg).and_then(|w| {
            let cleaned = w.trim_end_matches("kg").trim().replace(',', ".");
            match cleaned.parse::<f64>() {
                Ok(v) if v > 0.0 && v <= 2000.0 && v.is_finite() => Some(v),
                _ => {
                    errs.push(format!(
                        "bad weight {w:?}: a number of kilograms above 0 and at most 2000"
                    ));
                    None
                }
            }
        });

        if !errs.is_empty() {
            plan.rejected.push(Rejected {
                line: rec.line,
                reasons: errs,
            });
            continue;
        }
        if let Some(m) = &microchip {
            chips.insert(m.code.clone(), rec.line);
        }
        let patient = PlannedPatient {
            line: rec.line,
            name,
            species: species.unwrap_or_default(),
            breed,
            sex,
            neutered,
            date_of_birth,
            colour,
            microchip,
            weight_kg,
        };
        let name_key = format!(
            "name:{}|{}",
            text::person_key(&first, &last),
            phone.as_deref().map(text::phone_digits).unwrap_or_default()
        );
        let email_key = email.as_ref().map(|e| format!("email:{e}"));
        let found = email_key
            .as_ref()
            .and_then(|k| owners.get(k))
            .or_else(|| owners.get(&name_key))
            .copied();
        let idx = match found {
            Some(i) => {
                let c = &mut plan.clients[i];
                c.lines.push(rec.line);
                if let Some(e) = &email
                    && !c.emails.contains(e)
                {
                    c.emails.push(e.clone());
                }
                if let Some(p) = &phone
                    && !c
                        .phones
                        .iter()
                        .any(|x| text::phone_digits(x) == text::phone_digits(p))
                {
                    c.phones.push(p.clone());
                }
                if c.address.is_none() && !address.is_empty() {
                    c.address = Some(address);
                }
                c.patients.push(patient);
                i
            }
            None => {
                plan.clients.push(PlannedClient {
                    lines: vec![rec.line],
                    first_name: first,
                    last_name: last,
                    emails: email.iter().cloned().collect(),
                    phones: phone.iter().cloned().collect(),
                    address: (!address.is_empty()).then_some(address),
                    patients: vec![patient],
                });
                plan.clients.len() - 1
            }
        };
        owners.entry(name_key).or_insert(idx);
        if let Some(k) = email_key {
            owners.entry(k).or_insert(idx);
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> jiff::civil::Date {
        jiff::civil::date(2026, 11, 28)
    }

    #[test]
    fn header_synonyms_and_owner_grouping() {
        let text = "First Name,Surname,Email,Phone,Address,City,Zip,Patient,Species,Breed,Sex,DOB,Color,Microchip,Weight (kg),Insurance\n\
                    Ann,Lee,ann@x.example,555-0101,1 Road,Town,12345,Rex,Dog,beagle,MN,2020-05-01,Tan,985112003456789,12.5,Acme\n\
                    Ann,Lee,ANN@x.example,,,,,Tom,cat,,F,,,,,\n\
                    Bob,Ray,,(555) 0202,,,,Kiki,Guinea pig,Teddy,female,,,,,\n\
                    Bob,Ray,,555 0202,,,,Lolo,rabbit,,,,,,,\n";
        let p = plan(text, &Catalog::default(), today()).unwrap();
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.rows, 4);
        assert_eq!(p.ignored_columns, vec!["Insurance"]);
        assert_eq!(p.clients.len(), 2);
        let ann = &p.clients[0];
        assert_eq!(ann.lines, vec![2, 3]);
        assert_eq!(ann.emails, vec!["ann@x.example"]);
        assert_eq!(
            ann.address.as_ref().unwrap().postal_code.as_deref(),
            Some("12345")
        );
        let rex = &ann.patients[0];
        assert_eq!(
            (rex.species.as_str(), rex.breed.as_deref()),
            ("dog", Some("Beagle"))
        );
        assert_eq!((rex.sex, rex.neutered), ("male", true));
        assert_eq!(rex.weight_kg, Some(12.5));
        assert_eq!(rex.microchip.as_ref().unwrap().kind, "iso");
        assert_eq!(p.clients[1].patients.len(), 2);
        assert_eq!(p.clients[1].patients[0].species, "guinea-pig");
        assert_eq!(p.patient_count(), 4);
    }

    #[test]
    fn every_reason_of_a_bad_row_is_reported() {
        let text = "owner_first_name,owner_last_name,owner_email,pet_name,species,breed,date_of_birth,microchip,weight_kg\n\
                    ,Lee,not-an-email,Rex,,,2020-13-01,123,heavy\n\
                    Ann,Lee,,Tom,dog,Siamese,2999-01-01,,\n\
                    Ann,Lee,,Kit,unicorn,,,,\n";
        let p = plan(text, &Catalog::default(), today()).unwrap();
        assert_eq!(p.rejected.len(), 3);
        let r = &p.rejected[0];
        assert_eq!(r.line, 2);
        let all = r.reasons.join("; ");
        for want in [
            "first name",
            "bad email",
            "missing species",
            "bad date",
            "bad microchip",
            "bad weight",
        ] {
            assert!(all.contains(want), "{want} in {all}");
        }
        assert!(
            p.rejected[1]
                .reasons
                .iter()
                .any(|r| r.contains("unknown breed"))
        );
        assert!(p.rejected[1].reasons.iter().any(|r| r.contains("future")));
        assert!(
            p.rejected[2]
                .reasons
                .iter()
                .any(|r| r.contains("unknown species"))
        );
    }

    #[test]
    fn custom_species_duplicates_and_missing_columns() {
        let cat = Catalog {
            species: vec![("alpaca".into(), "Alpaca".into())],
            breeds: vec![("alpaca".into(), "Huacaya".into())],
        };
        let text = "owner_name,pet_name,species,breed,microchip\n\
                    Ann Lee,Pablo,Alpaca,huacaya,985112003456789\n\
                    Ann Lee,Pedro,alpaca,,985 112 003 456 789\n";
        let p = plan(text, &cat, today()).unwrap();
        assert_eq!(p.clients.len(), 1, "{:?}", p.rejected);
        assert_eq!(p.clients[0].first_name, "Ann");
        assert_eq!(p.clients[0].patients[0].breed.as_deref(), Some("Huacaya"));
        assert_eq!(p.rejected.len(), 1);
        assert!(p.rejected[0].reasons[0].contains("line 2"));
        let err = plan("pet_name,breed\nRex,Beagle\n", &cat, today()).unwrap_err();
        assert!(
            err.0.contains("species") && err.0.contains("owner"),
            "{err:?}"
        );
        assert!(plan("", &cat, today()).is_err());
    }
}
