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
