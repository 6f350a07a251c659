//! The deterministic MovieLens-shaped generator: the bundled demo catalogue and the benchmark data sets.
//!
//! Ratings come from a planted model (`planted.rs`) with genre affinity and planted clusters of co-liked movies;
//! which movies a user rates follows power-law popularity (`popularity.rs`, `sampling.rs`). The movie side
//! (`movies.rs`) is drawn first from global streams; users (`users.rs`) are then generated in parallel, each from
//! its own stream `rng::seeded(seed, user_id)`, straight into its slice of the output, so the result depends on
//! the seed only, never on the thread count. Output is sorted by user, then movie, like
//! MovieLens' CSV releases; every user has at least 20 ratings and every movie at least one.
//!
//! - `params.rs`: [`SynthParams`] and the shared constants; `generate.rs`: [`generate`] and [`SynthData`];
//!   `write.rs`: the files written.

mod generate;
mod movies;
mod params;
mod planted;
mod popularity;
mod sampling;
mod titles;
mod users;
mod write;

pub use generate::{generate, SynthData};
pub use params::{SynthParams, GENRE_NAMES, MIN_RATINGS_PER_USER};
pub use planted::{PlantedTruth, STRONG_TASTE};
pub use write::{write_movielens_csv, write_truth_json};
