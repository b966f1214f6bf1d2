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
