//! Patient facts that need no I/O: sexes and weighings.

use crate::names::string_enum;

/// The sexes a patient may be recorded with.
pub const SEXES: &[&str] = &["male", "female", "unknown"];

string_enum!(
    /// A weighing's unit.
    WeightUnit {
        Kg = "kg",
        G = "g",
        Lb = "lb",
        Oz = "oz",
    }
);

impl WeightUnit {
    /// Kilograms in one of this unit (the avoirdupois pound and ounce).
    pub fn kg_per_unit(self) -> f64 {
        match self {
            WeightUnit::Kg => 1.0,
            WeightUnit::G => 0.001,
            WeightUnit::Lb => 0.453_592_37,
            WeightUnit::Oz => 0.028_349_523_125,
        }
    }
}

/// The heaviest weighing accepted, in kilograms: above any animal a practice treats, so that
/// a unit mix-up (grams typed as kilograms) is caught.
pub const MAX_WEIGHT_KG: f64 = 2_000.0;

/// Checks a weighing; the error is a field message.
pub fn check_weight(value: f64, unit: WeightUnit) -> Result<(), &'static str> {
    if !value.is_finite() || value <= 0.0 {
        return Err("must be greater than 0");
    }
    if value * unit.kg_per_unit() > MAX_WEIGHT_KG {
        return Err("is more than 2000 kg; check the unit");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_must_be_positive_and_plausible() {
        assert!(check_weight(4.2, WeightUnit::Kg).is_ok());
        assert!(check_weight(650.0, WeightUnit::Kg).is_ok(), "a horse");
        assert!(check_weight(0.0, WeightUnit::Kg).is_err());
        assert!(check_weight(-1.0, WeightUnit::G).is_err());
        assert!(check_weight(f64::NAN, WeightUnit::Lb).is_err());
        assert!(
            check_weight(4200.0, WeightUnit::Kg).is_err(),
            "grams typed as kg"
        );
        assert!(check_weight(4200.0, WeightUnit::G).is_ok());
        assert_eq!(WeightUnit::parse("lb"), Some(WeightUnit::Lb));
        assert_eq!(WeightUnit::parse("stone"), None);
    }
}
