//! Who rates how much and what gets rated: power-law movie popularity, heavy-tailed user activity with an exact
//! total, and the alias tables that sample from them in O(1).

use rand::{Rng as _, RngCore};
use rand_distr::StandardNormal;

use super::params::MIN_RATINGS_PER_USER;
use crate::rng::Rng;

/// Popularity weight of the movie at `rank` (0 = most popular) out of `movies`: a Zipf-Mandelbrot head (exponent
/// 0.9, offset 0.15% of the catalogue, so the very top is not absurdly dominant) that bends into a steeper power law
/// (exponent 3) after the top 15%. Calibrated so that, like ml-latest-small and ML-25M, the top 1% of movies take
/// roughly a quarter of the ratings, the top 10% most of them, and the median movie has a handful.
pub fn popularity_weight(rank: usize, movies: usize) -> f64 {
    const HEAD_EXPONENT: f64 = 0.9;
    const TAIL_EXPONENT: f64 = 3.0;
    let offset = 0.0015 * movies as f64;
    let knee = 0.15 * movies as f64;
    let x = rank as f64 + 1.0 + offset;
    let knee_x = knee + 1.0 + offset;
    if x <= knee_x {
        x.powf(-HEAD_EXPONENT)
    } else {
        knee_x.powf(-HEAD_EXPONENT) * (x / knee_x).powf(-TAIL_EXPONENT)
    }
}

/// Walker/Vose alias table: O(n) to build, one `u64` per sample.
#[derive(Clone, Debug)]
pub struct AliasTable {
    /// Acceptance threshold of each slot, scaled to 2^32 (so 2^32 means "always keep").
    threshold: Vec<u64>,
    alias: Vec<u32>,
}

impl AliasTable {
    /// `weights` must be non-empty, finite and non-negative with a positive sum (callers guarantee it).
    pub fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Whatever is left is 1 up to rounding error: always keep it.
        for i in small.into_iter().chain(large) {
            scaled[i] = 1.0;
        }
        let threshold = scaled
            .iter()
            .map(|p| (p.clamp(0.0, 1.0) * 4_294_967_296.0) as u64)
            .collect();
        Self { threshold, alias }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let bits = rng.next_u64();
        let slot = (((bits >> 32) * self.alias.len() as u64) >> 32) as usize;
        if (bits & 0xFFFF_FFFF) < self.threshold[slot] {
            slot
        } else {
            self.alias[slot] as usize
        }
    }
}

/// Ratings per user: at least [`MIN_RATINGS_PER_USER`], at most `cap`, summing to exactly `total`.
///
/// The part above the minimum is log-normal (sigma 1.39: with ML-25M's mean of 154 this gives its median of about
/// 71 and a longest history in the tens of thousands), scaled by bisection so the capped sum meets `total`; the
/// rounding remainder goes to the users with the largest fractional parts. Callers validate
/// `users * MIN <= total <= users * cap`.
pub fn activity_counts(rng: &mut Rng, users: usize, total: usize, cap: usize) -> Vec<u32> {
    const SIGMA: f64 = 1.39;
    let raw: Vec<f64> = (0..users)
        .map(|_| (SIGMA * rng.sample::<f64, _>(StandardNormal)).exp())
        .collect();
    let min = MIN_RATINGS_PER_USER as f64;
    let cap_f = cap as f64;
    let real = |scale: f64, x: f64| (min + scale * x).min(cap_f);
    let sum_at = |scale: f64| raw.iter().map(|&x| real(scale, x)).sum::<f64>();

    let target = total as f64;
    let mut hi = 1.0;
    while sum_at(hi) < target && hi < 1e300 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if sum_at(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let scale = lo;
    let mut counts: Vec<u32> = raw.iter().map(|&x| real(scale, x).floor() as u32).collect();
    let mut missing = total - counts.iter().map(|&c| c as usize).sum::<usize>();

    let mut by_fraction: Vec<(f64, usize)> = raw
        .iter()
        .enumerate()
        .map(|(u, &x)| (real(scale, x).fract(), u))
        .collect();
    by_fraction.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // Usually one pass over the largest fractions settles it; the loop guards against bisection landing a hair low.
    while missing > 0 {
        for &(_, u) in &by_fraction {
            if missing == 0 {
                break;
            }
            if (counts[u] as usize) < cap {
                counts[u] += 1;
                missing -= 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    #[test]
    fn alias_table_frequencies_follow_weights() {
        let table = AliasTable::new(&[1.0, 0.0, 3.0, 6.0]);
        let mut rng = seeded(7, 0);
        let mut hits = [0usize; 4];
        for _ in 0..200_000 {
            hits[table.sample(&mut rng)] += 1;
        }
        assert_eq!(hits[1], 0, "a zero weight is never drawn");
        let share = |i: usize| hits[i] as f64 / 200_000.0;
        assert!((share(0) - 0.1).abs() < 0.01 && (share(2) - 0.3).abs() < 0.01 && (share(3) - 0.6).abs() < 0.01);
    }

    #[test]
    fn activity_counts_hit_the_total_exactly_within_bounds() {
        let mut rng = seeded(3, 0);
        for &(users, total, cap) in &[(1000, 154_000, 500), (977, 19_540, 40), (50, 1_001, 30), (10, 300, 30)] {
            let counts = activity_counts(&mut rng, users, total, cap);
            assert_eq!(counts.iter().map(|&c| c as usize).sum::<usize>(), total);
            assert!(counts
                .iter()
                .all(|&c| c as usize >= MIN_RATINGS_PER_USER && c as usize <= cap));
        }
    }
}
