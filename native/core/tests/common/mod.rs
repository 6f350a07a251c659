//! Helpers shared by the integration tests: the real MovieLens files beside the project and the documented split.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use movierec_core::dataset::split::split_random;
use movierec_core::dataset::{read_ratings, RatingScale, RatingTriples, ReadOptions};
use movierec_core::interactions::Interactions;

/// A file under `../shared/movielens/` (relative to the project root); fails the test when it is missing.
pub fn shared(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/movielens")
        .join(relative);
    assert!(path.is_file(), "real MovieLens file missing: {}", path.display());
    path
}

/// The documented benchmark split: random 90/10, seed 42.
pub fn split_90_10(relative: &str) -> (RatingScale, Interactions, RatingTriples) {
    let data = read_ratings(&shared(relative), &ReadOptions::default()).unwrap();
    let (train, test) = split_random(&data.triples, 0.1, 42).unwrap();
    (data.report.scale, Interactions::from_triples(&train).unwrap(), test)
}
