//! Microchip codes. ISO 11784/11785 transponders (134.2 kHz) carry exactly 15 digits whose
//! first three are an ISO 3166 numeric country code (below 900) or a manufacturer code
//! (900-999). Older 125 kHz chips (AVID, FDX-A, Trovan) use 9 or 10 character codes that
//! must be storable with their type and are not validated as ISO.

/// The types a stored code may have.
pub const TYPES: &[&str] = &["iso", "avid", "fdx-a", "trovan", "other"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Microchip {
    /// The code as stored: digits only for ISO, upper case without separators otherwise.
    pub code: String,
    pub kind: &'static str,
}

/// Checks a code. `kind` defaults to `iso`; separators (spaces, dots, hyphens) are ignored.
/// The error says what is wrong, for a field error.
pub fn parse(raw: &str, kind: Option<&str>) -> Result<Microchip, String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '*'))
        .flat_map(char::to_uppercase)
        .collect();
    let wanted = kind.unwrap_or("iso");
    let kind = *TYPES
        .iter()
        .find(|t| **t == wanted)
        .ok_or_else(|| format!("type must be one of {}", TYPES.join(", ")))?;
    if kind == "iso" {
        if code.len() != 15 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(
                "an ISO 11784 microchip has exactly 15 digits; give microchipType for older codes"
                    .into(),
            );
        }
        // Country codes run 001-899 (000 is unassigned); 900-999 are manufacturers.
        if &code[..3] == "000" {
            return Err("an ISO microchip cannot start with country code 000".into());
        }
    } else if !(6..=16).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("a legacy microchip code has 6 to 16 letters or digits".into());
    }
    Ok(Microchip { code, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_codes_are_fifteen_digits() {
        let m = parse("985 112 003 456 789", None).unwrap();
        assert_eq!(m.code, "985112003456789");
        assert_eq!(m.kind, "iso");
        assert!(parse("98511200345678", None).is_err(), "14 digits");
        assert!(parse("9851120034567890", None).is_err(), "16 digits");
        assert!(parse("98511200345678A", None).is_err(), "a letter");
        assert!(parse("000112003456789", None).is_err(), "country 000");
    }

    #[test]
    fn legacy_codes_keep_their_type() {
        let m = parse("0a1-2b3-c4d", Some("avid")).unwrap();
        assert_eq!((m.code.as_str(), m.kind), ("0A12B3C4D", "avid"));
        assert!(parse("123456789", Some("laser")).is_err());
        assert!(parse("12", Some("fdx-a")).is_err());
    }
}
