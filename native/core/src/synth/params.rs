//! What the generator is asked for: its parameters (presets, checks), and the constants every part of it shares.

use serde::{Deserialize, Serialize};

use crate::dataset::RatingScale;
use crate::{CoreError, Result};

/// Every user rates at least this many movies, as in every MovieLens release.
pub const MIN_RATINGS_PER_USER: usize = 20;

/// MovieLens' genre names, most frequent first; `SynthParams::genres` takes a prefix of this list.
#[rustfmt::skip]
pub const GENRE_NAMES: [&str; 19] = [
    "Drama", "Comedy", "Thriller", "Romance", "Action", "Crime", "Horror", "Documentary", "Adventure", "Sci-Fi",
    "Mystery", "Fantasy", "Animation", "Children", "War", "Musical", "Western", "Film-Noir", "IMAX",
];
/// Roughly the share of MovieLens movies tagged with each genre.
pub(super) const GENRE_FREQUENCY: [f64; 19] = [
    0.41, 0.27, 0.14, 0.12, 0.12, 0.09, 0.09, 0.09, 0.07, 0.06, 0.05, 0.04, 0.05, 0.04, 0.03, 0.02, 0.02, 0.006, 0.003,
];
/// Genres rarer than this are never anyone's favourite (too few movies to fill a favourite-genre top-20).
pub(super) const MIN_FAVOURITE_FREQUENCY: f64 = 0.04;

/// Random streams for the global parts; users use streams 1..=users.
pub(super) const STREAM_MOVIES: u64 = 0;
pub(super) const STREAM_TITLES: u64 = u64::MAX - 1;
pub(super) const STREAM_ACTIVITY: u64 = u64::MAX - 2;
pub(super) const STREAM_COVERAGE: u64 = u64::MAX - 3;
pub(super) const STREAM_CLUSTERS: u64 = u64::MAX - 4;
pub(super) const STREAM_MOVIE_IDS: u64 = u64::MAX - 5;

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
        let fail = |field: &str, what: String| Err(CoreError::invalid(field, format!("synthetic data: {what}")));
        if !(1..=10_000_000).contains(&self.users) {
            return fail("users", format!("users must be 1..=10,000,000, got {}", self.users));
        }
        if !(MIN_RATINGS_PER_USER..=5_000_000).contains(&self.movies) {
            return fail(
                "movies",
                format!("movies must be {MIN_RATINGS_PER_USER}..=5,000,000, got {}", self.movies),
            );
        }
        let (least, most) = (
            self.users * MIN_RATINGS_PER_USER,
            self.users * self.max_ratings_per_user(),
        );
        if self.ratings < least || self.ratings > most {
            return fail(
                "ratings",
                format!(
                    "ratings must be between {least} ({MIN_RATINGS_PER_USER} per user) and {most} (at most {} per \
                 user), got {}",
                    self.max_ratings_per_user(),
                    self.ratings
                ),
            );
        }
        if self.ratings < 2 * self.movies {
            return fail(
                "ratings",
                format!(
                    "ratings must be at least twice the movies (every movie is rated), got {}",
                    self.ratings
                ),
            );
        }
        if self.ratings > 1_000_000_000 {
            return fail(
                "ratings",
                format!("ratings must be at most 1,000,000,000, got {}", self.ratings),
            );
        }
        if self.factors > 512 {
            return fail("factors", format!("factors must be at most 512, got {}", self.factors));
        }
        if !(1..=GENRE_NAMES.len()).contains(&self.genres) {
            return fail(
                "genres",
                format!("genres must be 1..={}, got {}", GENRE_NAMES.len(), self.genres),
            );
        }
        if self.clusters > 0 {
            if !(2..=20).contains(&self.cluster_size) {
                return fail(
                    "cluster_size",
                    format!("cluster_size must be 2..=20, got {}", self.cluster_size),
                );
            }
            if self.clusters > 1000 || self.clusters * self.cluster_size > self.movies / 2 {
                return fail(
                    "clusters",
                    format!(
                        "{} clusters of {} movies do not fit in half of {} movies (and at most 1000 clusters)",
                        self.clusters, self.cluster_size, self.movies
                    ),
                );
            }
        }
        Ok(())
    }
}
