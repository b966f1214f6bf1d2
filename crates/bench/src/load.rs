//! The load generator: a seeded PRNG, uniform and Zipf popularity, a bounded closed-loop
//! HTTP load with keep-alive, and latency statistics.

use reqwest::header::{HOST, HeaderValue};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// SplitMix64: tiny, seeded, good enough to pick companies.
#[derive(Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Popularity {
    Uniform,
    /// Zipf with s = 1: the company of rank r gets a share proportional to 1/r.
    Zipf,
}

impl std::fmt::Display for Popularity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Uniform => "uniform",
            Self::Zipf => "Zipf s=1",
        })
    }
}

/// Picks one of `k` companies. Zipf ranks are shuffled over the companies (seeded), so that
/// popularity does not follow creation order.
pub struct Sampler {
    k: usize,
    cdf: Option<Vec<f64>>,
    rank_to_company: Vec<usize>,
}

impl Sampler {
    pub fn new(k: usize, popularity: Popularity, seed: u64) -> Self {
        let k = k.max(1);
        let cdf = (popularity == Popularity::Zipf).then(|| {
            let mut acc = 0.0;
            let mut cdf: Vec<f64> = (1..=k)
                .map(|r| {
                    acc += 1.0 / r as f64;
                    acc
                })
                .collect();
            cdf.iter_mut().for_each(|c| *c /= acc);
            cdf
        });
        let mut rank_to_company: Vec<usize> = (0..k).collect();
        let mut rng = SplitMix::new(seed ^ 0x5EED_0F2A_11D5);
        for i in (1..k).rev() {
            rank_to_company.swap(i, rng.below(i + 1));
        }
        Self {
            k,
            cdf,
            rank_to_company,
        }
    }

    pub fn sample(&self, rng: &mut SplitMix) -> usize {
        match &self.cdf {
            None => rng.below(self.k),
            Some(cdf) => {
                let u = rng.next_f64();
                let rank = cdf.partition_point(|&c| c <= u).min(self.k - 1);
                self.rank_to_company[rank]
            }
        }
    }
}

/// Latencies in microseconds, sorted.
#[derive(Default)]
pub struct Latencies(Vec<u32>);

impl Latencies {
    pub fn from_unsorted(mut v: Vec<u32>) -> Self {
        v.sort_unstable();
        Self(v)
    }

    pub fn from_durations(d: &[Duration]) -> Self {
        Self::from_unsorted(
            d.iter()
                .map(|d| d.as_micros().min(u32::MAX as u128) as u32)
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Nearest-rank percentile in microseconds (`q` in 0..=100).
    pub fn pct(&self, q: f64) -> Option<u32> {
        if self.is_empty() {
            return None;
        }
        let rank = ((q / 100.0) * self.0.len() as f64).ceil() as usize;
        Some(self.0[rank.clamp(1, self.0.len()) - 1])
    }

    pub fn max(&self) -> Option<u32> {
        self.0.last().copied()
    }
}

/// What one load run produced.
pub struct LoadResult {
    pub ok: u64,
    pub errors: BTreeMap<String, u64>,
    pub elapsed: Duration,
    pub latencies: Latencies,
}

impl LoadResult {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Hard cap on requests in one run, whatever the duration.
const MAX_REQUESTS: u64 = 5_000_000;

/// What to send: `GET url` with one of `hosts` as the Host header.
pub struct Target {
    pub client: reqwest::Client,
    pub url: String,
    pub hosts: Vec<HeaderValue>,
}

/// `concurrency` workers, each sending one request at a time, until `duration` is over
/// (requests in flight at the deadline complete and are counted).
pub async fn run(
    target: Arc<Target>,
    sampler: Arc<Sampler>,
    concurrency: usize,
    duration: Duration,
    seed: u64,
) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let per_worker = MAX_REQUESTS / concurrency.max(1) as u64;
    let mut workers = Vec::with_capacity(concurrency);
    for w in 0..concurrency {
        let target = target.clone();
        let sampler = sampler.clone();
        let mut rng = SplitMix::new(seed.wrapping_add((w as u64 + 1) * 0xA24B_AED4_963E_E407));
        workers.push(tokio::spawn(async move {
            let mut lat: Vec<u32> = Vec::with_capacity(1 << 14);
            let mut errors: BTreeMap<String, u64> = BTreeMap::new();
            let mut sent = 0u64;
            while sent < per_worker && Instant::now() < deadline {
                sent += 1;
                let host = target.hosts[sampler.sample(&mut rng)].clone();
                let t = Instant::now();
                let r = target
                    .client
                    .get(&target.url)
                    .header(HOST, host)
                    .send()
                    .await;
                let outcome = match r {
                    Ok(resp) => {
                        let status = resp.status();
                        match resp.bytes().await {
                            Ok(_) if status == reqwest::StatusCode::OK => Ok(()),
                            Ok(_) => Err(format!("HTTP {}", status.as_u16())),
                            Err(_) => Err("body error".to_owned()),
                        }
                    }
                    Err(e) if e.is_timeout() => Err("timeout".to_owned()),
                    Err(_) => Err("transport error".to_owned()),
                };
                match outcome {
                    Ok(()) => lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32),
                    Err(k) => *errors.entry(k).or_default() += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for w in workers {
        match w.await {
            Ok((lat, errs)) => {
                all.extend(lat);
                for (k, n) in errs {
                    *errors.entry(k).or_default() += n;
                }
            }
            Err(e) => *errors.entry(format!("worker failed: {e}")).or_default() += 1,
        }
    }
    LoadResult {
        ok: all.len() as u64,
        errors,
        elapsed: started.elapsed(),
        latencies: Latencies::from_unsorted(all),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_prefers_low_ranks() {
        let s = Sampler::new(100, Popularity::Zipf, 7);
        let mut rng = SplitMix::new(1);
        let mut counts = vec![0u32; 100];
        for _ in 0..100_000 {
            counts[s.sample(&mut rng)] += 1;
        }
        let top = counts[s.rank_to_company[0]] as f64 / 100_000.0;
        // 1 / H(100) = 0.193
        assert!((top - 0.193).abs() < 0.01, "{top}");
    }
}
