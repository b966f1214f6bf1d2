//! The built-in species and breed lists, shipped as data. A company extends them with its own
//! species and breeds (stored in its database); a patient's breed must come from its species'
//! list or be the explicit `"Other"`.

/// A built-in species: its code (what patients store), display name and breeds.
#[derive(Debug, Clone, Copy)]
pub struct Species {
    pub code: &'static str,
    pub name: &'static str,
    pub breeds: &'static [&'static str],
}

/// The breed value that is always accepted: "not in the list".
pub const OTHER_BREED: &str = "Other";

pub const BUILT_IN: &[Species] = &[
    Species {
        code: "dog",
        name: "Dog",
        breeds: &[
            "Mixed breed",
            "Akita",
            "Australian Shepherd",
            "Basset Hound",
            "Beagle",
            "Bernese Mountain Dog",
            "Bichon Frise",
            "Border Collie",
            "Border Terrier",
            "Boston Terrier",
            "Boxer",
            "Bulldog",
            "Cavalier King Charles Spaniel",
            "Chihuahua",
            "Cocker Spaniel",
            "Dachshund",
            "Dobermann",
            "English Springer Spaniel",
            "French Bulldog",
            "German Shepherd",
            "Golden Retriever",
            "Great Dane",
            "Greyhound",
            "Jack Russell Terrier",
            "Labrador Retriever",
            "Miniature Schnauzer",
            "Pomeranian",
            "Poodle",
            "Pug",
            "Rottweiler",
            "Shih Tzu",
            "Siberian Husky",
            "Staffordshire Bull Terrier",
            "Whippet",
            "West Highland White Terrier",
            "Yorkshire Terrier",
        ],
    },
    Species {
        code: "cat",
        name: "Cat",
        breeds: &[
            "Domestic Shorthair",
            "Domestic Longhair",
            "Abyssinian",
            "Bengal",
            "Birman",
            "British Shorthair",
            "Burmese",
            "Maine Coon",
            "Norwegian Forest Cat",
            "Persian",
            "Ragdoll",
            "Russian Blue",
            "Siamese",
            "Sphynx",
        ],
    },
    Species {
        code: "rabbit",
        name: "Rabbit",
        breeds: &[
            "Mixed breed",
            "Dutch",
            "English Lop",
            "Flemish Giant",
            "Lionhead",
            "Mini Lop",
            "Netherland Dwarf",
            "Rex",
        ],
    },
    Species {
        code: "guinea-pig",
        name: "Guinea pig",
        breeds: &["Abyssinian", "American", "Peruvian", "Teddy", "Texel"],
    },
    Species {
        code: "ferret",
        name: "Ferret",
        breeds: &["Standard", "Angora"],
    },
    Species {
        code: "hamster",
        name: "Hamster",
        breeds: &["Syrian", "Roborovski", "Winter White", "Chinese"],
    },
    Species {
        code: "bird",
        name: "Bird",
        breeds: &[
            "Budgerigar",
            "Canary",
            "Cockatiel",
            "African Grey Parrot",
            "Lovebird",
            "Macaw",
            "Chicken",
        ],
    },
    Species {
        code: "reptile",
        name: "Reptile",
        breeds: &[
            "Bearded Dragon",
            "Leopard Gecko",
            "Corn Snake",
            "Royal Python",
            "Tortoise",
            "Crested Gecko",
        ],
    },
    Species {
        code: "horse",
        name: "Horse",
        breeds: &[
            "Arabian",
            "Cob",
            "Connemara",
            "Quarter Horse",
            "Shetland Pony",
            "Thoroughbred",
            "Welsh Pony",
        ],
    },
];

/// A built-in species by code.
pub fn built_in(code: &str) -> Option<&'static Species> {
    BUILT_IN.iter().find(|s| s.code == code)
}

/// Whether a code may name a species: lower-case letters, digits and inner hyphens, 2-40.
pub fn is_valid_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

/// The canonical spelling of `breed` in a list (case-insensitive match), or `None`.
pub fn match_breed<'a>(list: impl IntoIterator<Item = &'a str>, breed: &str) -> Option<&'a str> {
    let want = breed.trim();
    if want.eq_ignore_ascii_case(OTHER_BREED) {
        return Some(OTHER_BREED);
    }
    list.into_iter().find(|b| b.eq_ignore_ascii_case(want))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_lists_are_well_formed() {
        let mut codes = std::collections::BTreeSet::new();
        for s in BUILT_IN {
            assert!(is_valid_code(s.code), "{}", s.code);
            assert!(codes.insert(s.code), "duplicate species {}", s.code);
            let mut breeds = std::collections::BTreeSet::new();
            for b in s.breeds {
                assert!(
                    breeds.insert(b.to_lowercase()),
                    "duplicate breed {b} in {}",
                    s.code
                );
            }
        }
    }

    #[test]
    fn breeds_match_case_insensitively_and_other_is_always_allowed() {
        let dog = built_in("dog").unwrap();
        assert_eq!(
            match_breed(dog.breeds.iter().copied(), "beagle"),
            Some("Beagle")
        );
        assert_eq!(
            match_breed(dog.breeds.iter().copied(), "other"),
            Some("Other")
        );
        assert_eq!(match_breed(dog.breeds.iter().copied(), "Siamese"), None);
        assert!(built_in("unicorn").is_none());
        assert!(!is_valid_code("Dog") && !is_valid_code("-x") && is_valid_code("guinea-pig"));
    }
}
