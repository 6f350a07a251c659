//! Deterministic randomness: every random choice in the core (splits, initial factors, synthetic data) comes from
//! a seeded xoshiro256++ stream, so results repeat for a given seed (and thread count).

use rand::SeedableRng;
pub use rand_xoshiro::Xoshiro256PlusPlus as Rng;

/// A generator for `seed`; `stream` separates independent uses of one seed (e.g. one stream per user or chunk).
pub fn seeded(seed: u64, stream: u64) -> Rng {
    let mut rng = Rng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    if stream != 0 {
        rng.jump();
    }
    rng
}

/// Values in [-1, 1) from a small xorshift stream: inputs for the numeric kernels' unit tests (the same data on every
/// platform, no generator state to thread through).
#[cfg(test)]
pub(crate) fn test_values(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s % 2000) as f32 / 1000.0 - 1.0
        })
        .collect()
}
