use super::*;
use crate::plan::PlanInterval;
use SubscriptionStatus::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const POLICY: Policy = Policy {
    grace: SignedDuration::from_hours(14 * 24),
};

fn facts(status: SubscriptionStatus, period_end: &str) -> Facts {
    Facts {
        status,
        period_end: ts(period_end),
        cancel_at_period_end: false,
        suspended: false,
        oldest_unpaid_due: None,
    }
}

#[test]
fn a_trial_becomes_a_paid_period_at_its_end() {
    let f = facts(Trialing, "2026-01-15T00:00:00Z");
    assert_eq!(next_step(&f, ts("2026-01-14T23:59:59Z"), &POLICY), None);
    assert_eq!(
        next_step(&f, ts("2026-01-15T00:00:00Z"), &POLICY),
        Some(Step::StartPaid {
            at: ts("2026-01-15T00:00:00Z")
        })
    );
    let f = Facts {
        cancel_at_period_end: true,
        ..f
    };
    assert_eq!(
        next_step(&f, ts("2026-02-01T00:00:00Z"), &POLICY),
        Some(Step::Cancel {
            at: ts("2026-01-15T00:00:00Z"),
            reason: CancelReason::Requested
        })
    );
}

#[test]
fn an_active_subscription_renews_or_falls_past_due_whichever_comes_first() {
    let mut f = facts(Active, "2026-02-15T00:00:00Z");
    assert_eq!(next_step(&f, ts("2026-02-01T00:00:00Z"), &POLICY), None);
    f.oldest_unpaid_due = Some(ts("2026-01-22T00:00:00Z"));
    assert_eq!(
        next_step(&f, ts("2026-03-01T00:00:00Z"), &POLICY),
        Some(Step::MarkPastDue {
            at: ts("2026-01-22T00:00:00Z")
        })
    );
    // Not yet due: the period rolls over first.
    f.oldest_unpaid_due = Some(ts("2026-02-20T00:00:00Z"));
    assert_eq!(
        next_step(&f, ts("2026-03-01T00:00:00Z"), &POLICY),
        Some(Step::Renew {
            at: ts("2026-02-15T00:00:00Z")
        })
    );
}

#[test]
fn past_due_is_suspended_after_the_grace_period_and_canceled_at_the_period_end() {
    let mut f = facts(PastDue, "2026-02-15T00:00:00Z");
    f.oldest_unpaid_due = Some(ts("2026-01-22T00:00:00Z"));
    assert_eq!(next_step(&f, ts("2026-02-04T23:00:00Z"), &POLICY), None);
    assert_eq!(
        next_step(&f, ts("2026-02-20T00:00:00Z"), &POLICY),
        Some(Step::Suspend {
            at: ts("2026-02-05T00:00:00Z")
        })
    );
    f.suspended = true;
    assert_eq!(next_step(&f, ts("2026-02-10T00:00:00Z"), &POLICY), None);
    assert_eq!(
        next_step(&f, ts("2026-02-20T00:00:00Z"), &POLICY),
        Some(Step::Cancel {
            at: ts("2026-02-15T00:00:00Z"),
            reason: CancelReason::NonPayment
        })
    );
}

#[test]
fn past_due_within_grace_still_renews() {
    let mut f = facts(PastDue, "2026-02-15T00:00:00Z");
    f.oldest_unpaid_due = Some(ts("2026-02-10T00:00:00Z"));
    assert_eq!(
        next_step(&f, ts("2026-02-16T00:00:00Z"), &POLICY),
        Some(Step::Renew {
            at: ts("2026-02-15T00:00:00Z")
        })
    );
}

#[test]
fn paying_what_is_overdue_recovers() {
    let mut f = facts(PastDue, "2026-02-15T00:00:00Z");
    f.suspended = true;
    assert_eq!(
        next_step(&f, ts("2026-02-10T00:00:00Z"), &POLICY),
        Some(Step::Recover)
    );
    // An unpaid invoice not yet due does not keep it past due.
    f.oldest_unpaid_due = Some(ts("2026-02-12T00:00:00Z"));
    assert_eq!(
        next_step(&f, ts("2026-02-10T00:00:00Z"), &POLICY),
        Some(Step::Recover)
    );
}

#[test]
fn canceled_is_final() {
    let mut f = facts(Canceled, "2026-02-15T00:00:00Z");
    f.oldest_unpaid_due = Some(ts("2026-01-01T00:00:00Z"));
    assert_eq!(next_step(&f, ts("2030-01-01T00:00:00Z"), &POLICY), None);
}

#[test]
fn company_status_follows_the_subscription() {
    assert_eq!(company_status(Trialing, false), CompanyStatus::Trial);
    assert_eq!(company_status(Active, false), CompanyStatus::Active);
    assert_eq!(company_status(PastDue, false), CompanyStatus::PastDue);
    assert_eq!(company_status(PastDue, true), CompanyStatus::Suspended);
    assert_eq!(company_status(Canceled, false), CompanyStatus::Suspended);
}

#[test]
fn upgrades_are_immediate_and_the_rest_waits_for_the_period_end() {
    let m = |cents| PlanPrice {
        cents,
        interval: PlanInterval::Monthly,
    };
    let y = |cents| PlanPrice {
        cents,
        interval: PlanInterval::Yearly,
    };
    assert_eq!(change_timing(Trialing, &m(100), &m(50)), ChangeTiming::Swap);
    assert_eq!(
        change_timing(Active, &m(100), &m(200)),
        ChangeTiming::NowProrated
    );
    assert_eq!(
        change_timing(PastDue, &m(100), &m(200)),
        ChangeTiming::NowProrated
    );
    assert_eq!(
        change_timing(Active, &m(200), &m(100)),
        ChangeTiming::AtPeriodEnd
    );
    assert_eq!(
        change_timing(Active, &m(100), &y(100_000)),
        ChangeTiming::AtPeriodEnd
    );
}

#[test]
fn status_strings_round_trip() {
    for s in SubscriptionStatus::ALL {
        assert_eq!(SubscriptionStatus::parse(s.as_str()), Some(s));
    }
}

mod catch_up {
    //! Applying steps one by one from any `now` always terminates and never moves time back.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn steps_are_in_time_order_and_finish(
            status in 0usize..4, end_day in 0i64..90, due_day in proptest::option::of(0i64..90),
            suspended: bool, cancel: bool, now_day in 0i64..400,
        ) {
            let day = |d: i64| Timestamp::from_second(1_767_225_600 + d * 86_400).unwrap();
            let mut f = Facts {
                status: SubscriptionStatus::ALL[status],
                period_end: day(end_day),
                cancel_at_period_end: cancel,
                suspended: suspended && status == 2,
                // A trial has issued no invoice.
                oldest_unpaid_due: due_day.map(day).filter(|_| status != 0),
            };
            let now = day(now_day);
            let mut last = Timestamp::MIN;
            for _ in 0..100 {
                let Some(step) = next_step(&f, now, &POLICY) else { return Ok(()); };
                let at = match step {
                    Step::StartPaid { at } | Step::Renew { at } | Step::Cancel { at, .. }
                    | Step::MarkPastDue { at } | Step::Suspend { at } => at,
                    Step::Recover => last,
                };
                prop_assert!(at >= last && at <= now, "{step:?} after {last}");
                last = at;
                // Simulate: renewals issue an unpaid invoice due a week later.
                match step {
                    Step::StartPaid { at } | Step::Renew { at } => {
                        f.status = if f.status == Trialing { Active } else { f.status };
                        f.period_end = at.checked_add(SignedDuration::from_hours(30 * 24)).unwrap();
                        f.oldest_unpaid_due.get_or_insert(at.checked_add(SignedDuration::from_hours(7 * 24)).unwrap());
                    }
                    Step::Cancel { .. } => f.status = Canceled,
                    Step::MarkPastDue { .. } => f.status = PastDue,
                    Step::Suspend { .. } => f.suspended = true,
                    Step::Recover => { f.status = Active; f.suspended = false; }
                }
            }
            prop_assert!(false, "no end to the steps");
        }
    }
}
