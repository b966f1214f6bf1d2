//! Login throttling per account and per address: after too many failures in a window the
//! next attempts answer 429 with `Retry-After`, whether or not the password is right.
//! Counters live in the process; several instances each apply the limit.

use axum::http::StatusCode;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

/// Failure limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    limits: Limits,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` when the account or the address is over its limit.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0;
        for (key, limit) in [
            (format!("a:{account}"), self.limits.per_account),
            (format!("i:{address}"), self.limits.per_address),
        ] {
            if let Some(q) = map.get_mut(&key) {
                while q
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.limits.window)
                {
                    q.pop_front();
                }
                if q.len() >= limit
                    && let Some(oldest) = q.front()
                {
                    let left = self
                        .limits
                        .window
                        .saturating_sub(now.duration_since(*oldest));
                    wait = wait.max(left.as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        for key in [format!("a:{account}"), format!("i:{address}")] {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&format!("a:{account}"));
    }

    /// A sign-in may go on: 429 `too_many_attempts` while its account or address is over
    /// its limit.
    pub fn admit_sign_in(&self, account: &str, address: &str) -> Result<(), ApiError> {
        self.check(account, address).map_err(|wait| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "too many failed sign-in attempts; wait before trying again",
            )
            .with_retry_after(wait)
        })
    }

    /// Counts a sign-in's verdict: a failure against the account and the address, a success
    /// clears the account's failures.
    pub fn record(&self, account: &str, address: &str, ok: bool) {
        if ok {
            self.record_success(account);
        } else {
            self.record_failure(account, address);
        }
    }

    /// A sign-in of `account` from `address` (unknown: empty), admitted as
    /// [`Throttle::admit_sign_in`] says; its verdict is counted with [`Attempt::verdict`].
    pub fn sign_in_attempt(
        &self,
        account: String,
        address: Option<String>,
    ) -> Result<Attempt<'_>, ApiError> {
        let address = address.unwrap_or_default();
        self.admit_sign_in(&account, &address)?;
        Ok(Attempt {
            throttle: self,
            account,
            address,
        })
    }
}

/// An admitted sign-in attempt.
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    account: String,
    /// The caller's address (empty when unknown).
    pub address: String,
}

impl Attempt<'_> {
    /// Counts the attempt's verdict (see [`Throttle::record`]).
    pub fn verdict(&self, ok: bool) {
        self.throttle.record(&self.account, &self.address, ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_address_limits() {
        let t = Throttle::new(Limits {
            per_account: 2,
            per_address: 3,
            window: Duration::from_secs(60),
        });
        assert!(t.check("a", "ip").is_ok());
        t.record_failure("a", "ip");
        t.record_failure("a", "ip");
        let wait = t.check("a", "ip").expect_err("account over limit");
        assert!((1..=60).contains(&wait));
        assert!(t.check("b", "ip2").is_ok());
        t.record_failure("b", "ip");
        assert!(t.check("c", "ip").is_err(), "address over limit");
        t.record_success("a");
        assert!(t.check("a", "ip9").is_ok());
    }
}
