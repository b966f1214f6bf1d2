//! Proration of an upgrade within a billing period: the unused time of the old plan is
//! credited and the remaining time of the new plan charged, both in proportion to the time
//! left in the period and rounded to the cent separately (each is its own invoice line).

use jiff::Timestamp;

use super::money::mul_div_round;

/// The two proration lines of a plan change made at some instant of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proration {
    /// Credit for the unused time of the old plan: zero or negative.
    pub credit_cents: i64,
    /// Charge for the remaining time of the new plan: zero or positive.
    pub charge_cents: i64,
}

impl Proration {
    pub fn net_cents(&self) -> i64 {
        self.credit_cents + self.charge_cents
    }
}

/// Prorates a change from a plan costing `old_cents` to one costing `new_cents` (both per
/// period of the same interval) at `now`, within the period `[start, end)`. Before the
/// period the whole prices count; at or after its end nothing does.
pub fn prorate(
    old_cents: i64,
    new_cents: i64,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Proration {
    let total = end.as_microsecond() - start.as_microsecond();
    if total <= 0 {
        return Proration {
            credit_cents: 0,
            charge_cents: 0,
        };
    }
    let remaining = (end.as_microsecond() - now.as_microsecond()).clamp(0, total);
    Proration {
        credit_cents: -mul_div_round(old_cents, remaining, total),
        charge_cents: mul_div_round(new_cents, remaining, total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn halfway_through_a_period_half_of_each_price_counts() {
        let (s, e) = (ts("2026-04-01T00:00:00Z"), ts("2026-05-01T00:00:00Z"));
        let p = prorate(4_900, 14_900, s, e, ts("2026-04-16T00:00:00Z"));
        assert_eq!(p.credit_cents, -2_450);
        assert_eq!(p.charge_cents, 7_450);
        assert_eq!(p.net_cents(), 5_000);
    }

    #[test]
    fn a_third_left_rounds_each_line_to_the_cent() {
        // 30-day period, 10 days left: 1000/3 = 333.33 -> 333 and 2000/3 = 666.67 -> 667.
        let (s, e) = (ts("2026-04-01T00:00:00Z"), ts("2026-05-01T00:00:00Z"));
        let p = prorate(1_000, 2_000, s, e, ts("2026-04-21T00:00:00Z"));
        assert_eq!(
            p,
            Proration {
                credit_cents: -333,
                charge_cents: 667
            }
        );
    }

    const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    const DAY: i64 = 86_400;

    fn at(sec: i64) -> Timestamp {
        Timestamp::from_second(sec).unwrap()
    }

    proptest! {
        #[test]
        fn lines_stay_within_the_prices(
            old in 0i64..10_000_000, new in 0i64..10_000_000,
            days in 1i64..400, offset in -10i64..410 * DAY,
        ) {
            let (s, e) = (at(START), at(START + days * DAY));
            let p = prorate(old, new, s, e, at(START + offset));
            prop_assert!((-old..=0).contains(&p.credit_cents));
            prop_assert!((0..=new).contains(&p.charge_cents));
        }

        #[test]
        fn the_whole_period_counts_whole_prices_and_its_end_nothing(
            old in 0i64..10_000_000, new in 0i64..10_000_000, days in 1i64..400,
        ) {
            let (s, e) = (at(START), at(START + days * DAY));
            prop_assert_eq!(prorate(old, new, s, e, s), Proration { credit_cents: -old, charge_cents: new });
            prop_assert_eq!(prorate(old, new, s, e, e), Proration { credit_cents: 0, charge_cents: 0 });
        }

        #[test]
        fn an_upgrade_never_nets_a_credit_and_an_unchanged_price_nets_zero(
            old in 0i64..10_000_000, extra in 0i64..10_000_000,
            days in 1i64..400, offset in 0i64..400 * DAY,
        ) {
            let (s, e) = (at(START), at(START + days * DAY));
            let now = at(START + offset.min(days * DAY));
            prop_assert!(prorate(old, old + extra, s, e, now).net_cents() >= 0);
            prop_assert_eq!(prorate(old, old, s, e, now).net_cents(), 0);
        }

        #[test]
        fn the_net_is_the_exact_difference_within_a_cent(
            old in 0i64..10_000_000, new in 0i64..10_000_000,
            days in 1i64..400, offset in 0i64..400 * DAY,
        ) {
            let total = days * DAY;
            let left = total - offset.min(total);
            let p = prorate(old, new, at(START), at(START + total), at(START + total - left));
            // (new - old) * left / total, exactly, against the sum of two rounded lines.
            let exact = (i128::from(new - old) * i128::from(left)) as f64 / total as f64;
            prop_assert!((p.net_cents() as f64 - exact).abs() <= 1.0, "{p:?} vs {exact}");
        }

        #[test]
        fn later_changes_charge_less(
            new in 0i64..10_000_000, days in 1i64..400, a in 0i64..400 * DAY, b in 0i64..400 * DAY,
        ) {
            let (s, e) = (at(START), at(START + days * DAY));
            let (early, late) = (a.min(b), a.max(b));
            let pe = prorate(0, new, s, e, at(START + early));
            let pl = prorate(0, new, s, e, at(START + late));
            prop_assert!(pl.charge_cents <= pe.charge_cents);
        }
    }
}
