//! The deterministic MovieLens-shaped generator: the bundled demo catalogue and the benchmark data sets.
//!
//! Ratings come from a planted model (`planted.rs`) with genre affinity and planted clusters of co-liked movies;
//! which movies a user rates follows power-law popularity (`popularity.rs`, `sampling.rs`). The movie side
//! (`movies.rs`) is drawn first from global streams; users (`users.rs`) are then generated in parallel, each from
//! its own stream `rng::seeded(seed, user_id)`, straight into its slice of the output, so the result depends on
//! the seed only, never on the thread count. Output is sorted by user, then movie, like
//! MovieLens' CSV releases; every user has at least 20 ratings and every movie at least one.

mod movies;
mod planted;
mod popularity;
mod sampling;
mod titles;
mod users;
mod write;

use serde::{Deserialize, Serialize};

pub use planted::{PlantedTruth, STRONG_TASTE};
pub use write::{write_movielens_csv, write_truth_json};

use crate::dataset::{Catalogue, RatingScale, RatingTriples};
use crate::rng::seeded;
use crate::{CoreError, Result};
use movies::{catalogue, coverage_owners, genre_list, movie_ids, movie_side, pick_clusters};
use planted::PlantedModel;
use popularity::activity_counts;
use users::UserSide;

/// Every user rates at least this many movies, as in every MovieLens release.
pub const MIN_RATINGS_PER_USER: usize = 20;

/// MovieLens' genre names, most frequent first; `SynthParams::genres` takes a prefix of this list.
#[rustfmt::skip]
pub const GENRE_NAMES: [&str; 19] = [
    "Drama", "Comedy", "Thriller", "Romance", "Action", "Crime", "Horror", "Documentary", "Adventure", "Sci-Fi",
    "Mystery", "Fantasy", "Animation", "Children", "War", "Musical", "Western", "Film-Noir", "IMAX",
];
/// Roughly the share of MovieLens movies tagged with each genre.
const GENRE_FREQUENCY: [f64; 19] = [
    0.41, 0.27, 0.14, 0.12, 0.12, 0.09, 0.09, 0.09, 0.07, 0.06, 0.05, 0.04, 0.05, 0.04, 0.03, 0.02, 0.02, 0.006, 0.003,
];
/// Genres rarer than this are never anyone's favourite (too few movies to fill a favourite-genre top-20).
const MIN_FAVOURITE_FREQUENCY: f64 = 0.04;

/// Random streams for the global parts; users use streams 1..=users.
const STREAM_MOVIES: u64 = 0;
const STREAM_TITLES: u64 = u64::MAX - 1;
const STREAM_ACTIVITY: u64 = u64::MAX - 2;
const STREAM_COVERAGE: u64 = u64::MAX - 3;
const STREAM_CLUSTERS: u64 = u64::MAX - 4;
const STREAM_MOVIE_IDS: u64 = u64::MAX - 5;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynthParams {
    pub users: usize,
    pub movies: usize,
    /// Total number of ratings, met exactly.
    pub ratings: usize,
    /// Rank of the planted latent part (genre taste and clusters come on top of it).
    pub factors: usize,
    /// How many genres of [`GENRE_NAMES`] (a prefix) movies are tagged with.
    pub genres: usize,
    /// Number of planted clusters of co-liked movies, and movies in each.
    pub clusters: usize,
    pub cluster_size: usize,
    /// 0.5-5 in half stars (ml-latest, ml-25m) rather than whole stars 1-5 (ml-1m).
    pub half_stars: bool,
    pub seed: u64,
}

impl SynthParams {
    /// The bundled demo catalogue: ml-1m-sized in users, whole stars, trains in seconds.
    pub fn demo() -> Self {
        Self {
            users: 6_000,
            movies: 3_000,
            ratings: 600_000,
            factors: 8,
            genres: 18,
            clusters: 12,
            cluster_size: 6,
            half_stars: false,
            seed: 20_240_601,
        }
    }

    /// The shape of MovieLens-25M: 162,541 users, 59,047 rated movies, 25,000,095 half-star ratings.
    pub fn ml25m_shape() -> Self {
        Self {
            users: 162_541,
            movies: 59_047,
            ratings: 25_000_095,
            factors: 16,
            genres: 19,
            clusters: 24,
            cluster_size: 8,
            half_stars: true,
            seed: 25_000_095,
        }
    }

    /// ML-25M scaled down five times in users, movies and ratings (same ratings per user and per movie).
    pub fn ml5m_shape() -> Self {
        Self {
            users: 32_508,
            movies: 11_809,
            ratings: 5_000_019,
            clusters: 16,
            seed: 5_000_019,
            ..Self::ml25m_shape()
        }
    }

    pub fn scale(&self) -> RatingScale {
        if self.half_stars {
            RatingScale {
                min: 0.5,
                max: 5.0,
                step: 0.5,
            }
        } else {
            RatingScale {
                min: 1.0,
                max: 5.0,
                step: 1.0,
            }
        }
    }

    /// Most ratings one user may have (55% of the catalogue, like ML-25M's most active user).
    pub fn max_ratings_per_user(&self) -> usize {
        (self.movies * 11 / 20).max(MIN_RATINGS_PER_USER).min(self.movies)
    }

    /// Checks that the parameters describe a data set that can exist.
    pub fn validate(&self) -> Result<()> {
        let fail = |what: String| Err(CoreError::invalid(None, format!("synthetic data: {what}")));
        if !(1..=10_000_000).contains(&self.users) {
            return fail(format!("users must be 1..=10,000,000, got {}", self.users));
        }
        if !(MIN_RATINGS_PER_USER..=5_000_000).contains(&self.movies) {
            return fail(format!(
                "movies must be {MIN_RATINGS_PER_USER}..=5,000,000, got {}",
                self.movies
            ));
        }
        let (least, most) = (
            self.users * MIN_RATINGS_PER_USER,
            self.users * self.max_ratings_per_user(),
        );
        if self.ratings < least || self.ratings > most {
            return fail(format!(
                "ratings must be between {least} ({MIN_RATINGS_PER_USER} per user) and {most} (at most {} per \
                 user), got {}",
                self.max_ratings_per_user(),
                self.ratings
            ));
        }
        if self.ratings < 2 * self.movies {
            return fail(format!(
                "ratings must be at least twice the movies (every movie is rated), got {}",
                self.ratings
            ));
        }
        if self.ratings > 1_000_000_000 {
            return fail(format!("ratings must be at most 1,000,000,000, got {}", self.ratings));
        }
        if self.factors > 512 {
            return fail(format!("factors must be at most 512, got {}", self.factors));
        }
        if !(1..=GENRE_NAMES.len()).contains(&self.genres) {
            return fail(format!("genres must be 1..={}, got {}", GENRE_NAMES.len(), self.genres));
        }
        if self.clusters > 0 {
            if !(2..=20).contains(&self.cluster_size) {
                return fail(format!("cluster_size must be 2..=20, got {}", self.cluster_size));
            }
            if self.clusters > 1000 || self.clusters * self.cluster_size > self.movies / 2 {
                return fail(format!(
                    "{} clusters of {} movies do not fit in half of {} movies (and at most 1000 clusters)",
                    self.clusters, self.cluster_size, self.movies
                ));
            }
        }
        Ok(())
    }
}

/// A generated data set: ratings (sorted by user, then movie), the movie catalogue, and the planted truth.
#[derive(Clone, Debug)]
pub struct SynthData {
    pub triples: RatingTriples,
    pub catalogue: Catalogue,
    pub truth: PlantedTruth,
}

/// Generates the data set `params` describes. Fails with `InvalidInput` when the parameters are impossible.
pub fn generate(params: &SynthParams) -> Result<SynthData> {
    params.validate()?;
    let (movies, popularity, ranks) = movie_side(params);
    let counts = activity_counts(
        &mut seeded(params.seed, STREAM_ACTIVITY),
        params.users,
        params.ratings,
        params.max_ratings_per_user(),
    );
    let coverage = coverage_owners(params, &counts);

    let clusters = pick_clusters(params, &ranks, &mut seeded(params.seed, STREAM_CLUSTERS));
    let mut movie_cluster = vec![planted::NO_CLUSTER; params.movies];
    for (c, members) in clusters.iter().enumerate() {
        for &m in members {
            movie_cluster[m] = c as u16;
        }
    }
    let genre_weights = GENRE_FREQUENCY[..params.genres]
        .iter()
        .map(|&f| if f >= MIN_FAVOURITE_FREQUENCY { f } else { 0.0 })
        .collect();
    let model = PlantedModel {
        movies: planted::MovieSide {
            cluster: movie_cluster,
            ..movies
        },
        genre_weights,
        fan_rate: PlantedModel::fan_rate_for(params.clusters),
    };

    let movie_ids = movie_ids(params);
    let users = UserSide::generate(params, &model, &popularity, &counts, &coverage, &clusters, &movie_ids);
    let catalogue = catalogue(params, &model, &clusters, &movie_ids);
    let truth = PlantedTruth {
        params: params.clone(),
        genre_names: GENRE_NAMES[..params.genres].iter().map(|g| g.to_string()).collect(),
        movie_genres: model.movies.genre_mask.iter().map(|&mask| genre_list(mask)).collect(),
        favourite_genre: users.favourite_genre,
        taste_strength: users.taste_strength,
        clusters: clusters
            .iter()
            .map(|c| c.iter().map(|&m| movie_ids[m]).collect())
            .collect(),
        cluster_fans: users.cluster_fans,
        movie_ids,
        model,
    };
    Ok(SynthData {
        triples: users.triples,
        catalogue,
        truth,
    })
}
