//! Small validated text values shared by the API and the CLI.

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces,
/// at most 254 characters. Deliverability is checked by sending mail, not here.
pub fn is_plausible_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// A phone number as people type it: digits with an optional leading `+` and the usual
/// separators, 6 to 20 digits.
pub fn is_plausible_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let rest_ok = s
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
    rest_ok && (6..=20).contains(&digits)
}

/// A host name as used for custom domains: lowercase labels of letters, digits and inner
/// hyphens, at least two labels, 253 characters at most.
pub fn is_valid_domain(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_plausible_email("admin@abc-vet.com"));
        assert!(!is_plausible_email("admin"));
        assert!(!is_plausible_email("a@b"));
        assert!(!is_plausible_email("a b@c.com"));
        assert!(!is_plausible_email("@c.com"));
        assert!(!is_plausible_email("a@@c.com"));
    }

    #[test]
    fn phones() {
        assert!(is_plausible_phone("+1234567890"));
        assert!(is_plausible_phone("(555) 123-4567"));
        assert!(!is_plausible_phone("12"));
        assert!(!is_plausible_phone("12345+67"));
        assert!(!is_plausible_phone("call me"));
    }

    #[test]
    fn domains() {
        assert!(is_valid_domain("abc-vet.com"));
        assert!(is_valid_domain("vets.example.co.uk"));
        assert!(!is_valid_domain("localhost"));
        assert!(!is_valid_domain("ABC.com"));
        assert!(!is_valid_domain("-a.com"));
        assert!(!is_valid_domain("a..com"));
    }
}

/// Folds a name for sorting and search: lower case, common Latin accents removed, anything
/// that is not a letter or digit turned into one space, trimmed. `"  Müller-Lüdenscheidt "`
/// becomes `"muller ludenscheidt"`.
pub fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = fold_char(c);
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ß' => 's',
        other => other,
    }
}

/// The sort and search key of a person: folded `"last first"`.
pub fn person_key(first: &str, last: &str) -> String {
    fold_name(&format!("{last} {first}"))
}

/// The digits of a phone number, what phone search compares.
pub fn phone_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod fold_tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(fold_name("  Müller-Lüdenscheidt "), "muller ludenscheidt");
        assert_eq!(fold_name("O'Brien"), "o brien");
        assert_eq!(fold_name("ÉLODIE"), "elodie");
        assert_eq!(person_key("Ann", "de la Cruz"), "de la cruz ann");
        assert_eq!(phone_digits("+44 (0)20 7946-0018"), "4402079460018");
    }
}
