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

/// A train/test pair with the catalogue of its movies (when the data set has a movies file).
pub struct SplitData {
    pub name: String,
    pub scale: RatingScale,
    pub train: RatingTriples,
    pub test: RatingTriples,
    pub catalogue: Option<movierec_core::dataset::Catalogue>,
}

impl SplitData {
    /// A random split of `relative` (under `../shared/movielens`), seed 42.
    pub fn random(relative: &str, test_fraction: f64) -> Self {
        let path = shared(relative);
        let data = read_ratings(&path, &ReadOptions::default()).unwrap();
        let (train, test) = split_random(&data.triples, test_fraction, 42).unwrap();
        Self {
            name: format!("{relative} {test_fraction}"),
            scale: data.report.scale,
            train,
            test,
            catalogue: movierec_core::dataset::read_movies_beside(&path).unwrap(),
        }
    }

    /// The folder `movierec split` writes: `dir/train/<ratings file>` and `dir/test/<ratings file>`.
    pub fn from_dir(dir: &Path) -> Self {
        let file = |part: &str| {
            ["ratings.dat", "ratings.csv", "u.data"]
                .iter()
                .map(|name| dir.join(part).join(name))
                .find(|p| p.is_file())
                .unwrap_or_else(|| panic!("no ratings file in {}", dir.join(part).display()))
        };
        let (train_path, test_path) = (file("train"), file("test"));
        let train = read_ratings(&train_path, &ReadOptions::default()).unwrap();
        let test = read_ratings(&test_path, &ReadOptions::default()).unwrap();
        Self {
            name: dir.display().to_string(),
            scale: train.report.scale,
            train: train.triples,
            test: test.triples,
            catalogue: movierec_core::dataset::read_movies_beside(&train_path).unwrap(),
        }
    }
}

/// RMSE (and count) of `model` on the test pairs of each slice: movies with training ratings, movies with 1-5 of
/// them, movies with none (cold: in the catalogue only).
pub struct ThinSlices {
    pub trained: (f64, usize),
    pub few: (f64, usize),
    pub cold: (f64, usize),
}

pub fn thin_slices(model: &movierec_core::model::AlsModel, test: &RatingTriples) -> ThinSlices {
    let mut sums = [(0.0f64, 0usize); 3];
    for ((&u, &m), &r) in test.users.iter().zip(&test.movies).zip(&test.ratings) {
        let (Some(u), Some(i)) = (model.users.index_of(u), model.items.index_of(m)) else {
            continue;
        };
        let e = (model.predict(u as usize, i as usize) - r) as f64;
        let count = model.item_counts[i as usize];
        for (slice, within) in [count > 0, (1..=5).contains(&count), count == 0]
            .into_iter()
            .enumerate()
        {
            if within {
                sums[slice].0 += e * e;
                sums[slice].1 += 1;
            }
        }
    }
    let rmse = |(sse, n): (f64, usize)| ((sse / n.max(1) as f64).sqrt(), n);
    ThinSlices {
        trained: rmse(sums[0]),
        few: rmse(sums[1]),
        cold: rmse(sums[2]),
    }
}

impl std::fmt::Display for ThinSlices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "test pairs of trained movies: RMSE {:.4} ({}) | movies with 1-5 training ratings: {:.4} ({}) | cold \
             movies: {:.4} ({})",
            self.trained.0, self.trained.1, self.few.0, self.few.1, self.cold.0, self.cold.1
        )
    }
}
