//! The planted model every rating comes from, and what tests may know about it.
//!
//! true score(u, i) = mean + user bias + movie bias + <user factors, movie factors>
//!                  + mean over the movie's genres of the user's genre taste
//!                  + favourite-genre boost x taste strength (when the movie has the user's favourite genre)
//!                  + the user's affinity for the movie's cluster (when the movie is in one)
//! A rating is that score plus Gaussian noise, rounded to the user's step and clipped to the scale.

use rand::Rng as _;
use rand_distr::StandardNormal;
use serde::Serialize;

use super::params::SynthParams;
use crate::rng::{seeded, Rng};

pub(super) const GLOBAL_MEAN: f32 = 3.15;
const USER_BIAS_SD: f32 = 0.4;
pub(super) const MOVIE_BIAS_SD: f32 = 0.4;
/// Popular movies are rated a little higher (as in MovieLens): bias per standard deviation of log popularity.
pub(super) const MOVIE_BIAS_PER_POPULARITY_SD: f32 = 0.1;
/// Standard deviation of the latent dot product <p_u, q_i>.
const LATENT_SD: f32 = 0.45;
const GENRE_TASTE_SD: f32 = 0.25;
/// Score added to a favourite-genre movie at taste strength 1.
const FAVOURITE_BOOST: f32 = 1.5;
/// Share of users with a strong taste (strength in [STRONG_TASTE, 1)); the others have strength in [0, 0.4).
const STRONG_TASTE_SHARE: f32 = 0.3;
const FAN_AFFINITY: f32 = 1.8;
const NON_FAN_AFFINITY_MEAN: f32 = -0.2;
const NON_FAN_AFFINITY_SD: f32 = 0.2;
/// Expected number of clusters a user is a fan of (so fandom stays rare however many clusters there are).
const FAN_CLUSTERS_PER_USER: f32 = 0.5;
const MAX_FAN_RATE: f32 = 0.05;
pub(super) const NOISE_SD: f32 = 0.65;
/// Chance that a fan rates each movie of their cluster (so fans' histories overlap inside the cluster).
pub(super) const FAN_WATCH_SHARE: f32 = 0.6;
/// Share of a user's movie choices drawn from their favourite genre at taste strength 1.
const FAVOURITE_PICKS_AT_FULL_STRENGTH: f64 = 0.6;
/// In half-star data sets, the share of users who use half stars at all (the rest give whole stars).
const HALF_STAR_USER_SHARE: f32 = 0.6;

/// Strength at and above which a user counts as having a strong taste for their favourite genre.
pub const STRONG_TASTE: f32 = 0.7;

/// The movie side of the planted model, by dense movie index (0-based; raw ids in `movie_ids`).
#[derive(Clone, Debug)]
pub(super) struct MovieSide {
    pub factors: Vec<f32>,
    pub bias: Vec<f32>,
    /// Bit g set when the movie has genre g.
    pub genre_mask: Vec<u32>,
    /// Cluster of each movie, or `NO_CLUSTER`.
    pub cluster: Vec<u16>,
}

pub(super) const NO_CLUSTER: u16 = u16::MAX;

/// One user's hidden parameters, drawn first from the user's own random stream.
#[derive(Clone, Debug, Default)]
pub(super) struct UserProfile {
    pub bias: f32,
    pub factors: Vec<f32>,
    pub genre_taste: Vec<f32>,
    pub favourite_genre: u8,
    pub taste_strength: f32,
    /// Affinity for each cluster (large and positive for its fans).
    pub cluster_affinity: Vec<f32>,
    pub is_fan: Vec<bool>,
    pub half_stars: bool,
}

/// What the generator planted, for tests to check recommendations against. Users are indexed by id - 1.
#[derive(Clone, Debug)]
pub struct PlantedTruth {
    pub params: SynthParams,
    /// Names of the genres in use; genre indices below refer to this list.
    pub genre_names: Vec<String>,
    /// Raw movie ids in ascending order; a movie's index in every per-movie vector is its position here.
    pub movie_ids: Vec<u32>,
    /// Genre indices of each movie (1 to 3, ascending).
    pub movie_genres: Vec<Vec<u8>>,
    /// Each user's favourite genre (index into `genre_names`), by user id - 1.
    pub favourite_genre: Vec<u8>,
    /// How strongly each user prefers the favourite genre, in [0, 1); >= [`STRONG_TASTE`] is strong.
    pub taste_strength: Vec<f32>,
    /// Raw movie ids of each planted cluster (strongly co-liked movies, titled as one franchise).
    pub clusters: Vec<Vec<u32>>,
    /// Raw user ids of each cluster's fans (users who like its movies and tend to watch several of them).
    pub cluster_fans: Vec<Vec<u32>>,
    pub(super) model: PlantedModel,
}

/// Everything needed to recompute any user's true scores.
#[derive(Clone, Debug)]
pub(super) struct PlantedModel {
    pub movies: MovieSide,
    /// Relative frequency of each genre among movies (favourite genres are drawn from it).
    pub genre_weights: Vec<f64>,
    pub fan_rate: f32,
}

/// The favourite-genre part of truth.json: small, readable by any layer's tests.
#[derive(Serialize)]
pub(super) struct TruthFile<'a> {
    pub format: &'static str,
    pub params: &'a SynthParams,
    pub genre_names: &'a [String],
    pub strong_taste: f32,
    pub movie_ids: &'a [u32],
    pub movie_genres: &'a [Vec<u8>],
    pub favourite_genre: &'a [u8],
    pub taste_strength: Vec<f32>,
    pub clusters: &'a [Vec<u32>],
    pub cluster_fans: &'a [Vec<u32>],
}

impl PlantedModel {
    pub fn fan_rate_for(clusters: usize) -> f32 {
        if clusters == 0 {
            0.0
        } else {
            (FAN_CLUSTERS_PER_USER / clusters as f32).min(MAX_FAN_RATE)
        }
    }

    /// Draws a user's profile: always the same number of draws in the same order, so a profile can be recomputed
    /// later from `seeded(seed, user_id)` alone.
    pub fn draw_user(&self, params: &SynthParams, rng: &mut Rng, profile: &mut UserProfile) {
        let normal = |rng: &mut Rng| rng.sample::<f32, _>(StandardNormal);
        let factor_sd = latent_factor_sd(params.factors);
        profile.bias = USER_BIAS_SD * normal(rng);
        profile.factors.clear();
        profile
            .factors
            .extend((0..params.factors).map(|_| factor_sd * normal(rng)));
        profile.genre_taste.clear();
        profile
            .genre_taste
            .extend((0..params.genres).map(|_| GENRE_TASTE_SD * normal(rng)));
        profile.favourite_genre = draw_weighted(rng, &self.genre_weights) as u8;
        let strong = rng.random::<f32>() < STRONG_TASTE_SHARE;
        let within: f32 = rng.random();
        profile.taste_strength = if strong {
            STRONG_TASTE + (1.0 - STRONG_TASTE) * within * 0.999
        } else {
            0.4 * within
        };
        profile.is_fan.clear();
        profile.cluster_affinity.clear();
        for _ in 0..params.clusters {
            let fan = rng.random::<f32>() < self.fan_rate;
            let spread = normal(rng);
            profile.is_fan.push(fan);
            profile.cluster_affinity.push(if fan {
                FAN_AFFINITY + 0.2 * spread
            } else {
                NON_FAN_AFFINITY_MEAN + NON_FAN_AFFINITY_SD * spread
            });
        }
        profile.half_stars = params.half_stars && rng.random::<f32>() < HALF_STAR_USER_SHARE;
    }

    /// The noise-free expected rating of movie index `m` for `profile` (before rounding and clipping).
    pub fn score(&self, profile: &UserProfile, m: usize) -> f32 {
        let movies = &self.movies;
        let k = profile.factors.len();
        let q = &movies.factors[m * k..(m + 1) * k];
        let dot: f32 = profile.factors.iter().zip(q).map(|(a, b)| a * b).sum();
        let mask = movies.genre_mask[m];
        let (mut taste, mut count) = (0.0f32, 0u32);
        let mut bits = mask;
        while bits != 0 {
            taste += profile.genre_taste[bits.trailing_zeros() as usize];
            count += 1;
            bits &= bits - 1;
        }
        let favourite = if mask & (1 << profile.favourite_genre) != 0 {
            FAVOURITE_BOOST * profile.taste_strength
        } else {
            0.0
        };
        let cluster = match movies.cluster[m] {
            NO_CLUSTER => 0.0,
            c => profile.cluster_affinity[c as usize],
        };
        GLOBAL_MEAN + profile.bias + movies.bias[m] + dot + taste / count.max(1) as f32 + favourite + cluster
    }
}

/// Share of a user's choices drawn from the favourite genre (on top of that genre's share of global popularity).
pub(super) fn favourite_pick_share(taste_strength: f32) -> f64 {
    FAVOURITE_PICKS_AT_FULL_STRENGTH * taste_strength as f64
}

/// Per-factor standard deviation so that <p, q> has standard deviation `LATENT_SD` for any rank.
pub(super) fn latent_factor_sd(factors: usize) -> f32 {
    (LATENT_SD / (factors.max(1) as f32).sqrt()).sqrt()
}

pub(super) fn draw_weighted(rng: &mut Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// The rating a user gives for a (noisy) score: rounded to their step, clipped to the scale.
pub(super) fn to_rating(x: f32, profile: &UserProfile) -> f32 {
    if profile.half_stars {
        ((x * 2.0).round() * 0.5).clamp(0.5, 5.0)
    } else {
        x.round().clamp(1.0, 5.0)
    }
}

impl PlantedTruth {
    /// Dense index of a raw movie id.
    pub fn movie_index(&self, movie_id: u32) -> Option<usize> {
        self.movie_ids.binary_search(&movie_id).ok()
    }

    pub fn has_genre(&self, movie_index: usize, genre: u8) -> bool {
        self.model.movies.genre_mask[movie_index] & (1 << genre) != 0
    }

    /// Users (raw ids) whose taste strength is at least [`STRONG_TASTE`].
    pub fn strong_taste_users(&self) -> Vec<u32> {
        (0..self.taste_strength.len())
            .filter(|&u| self.taste_strength[u] >= STRONG_TASTE)
            .map(|u| u as u32 + 1)
            .collect()
    }

    /// The noise-free expected rating of every movie (by movie index) for a user, clipped to the rating scale.
    /// `None` for a user id outside 1..=users. Recomputes the user's hidden profile from the seed.
    pub fn true_scores(&self, user_id: u32) -> Option<Vec<f32>> {
        if user_id == 0 || user_id as usize > self.params.users {
            return None;
        }
        let mut profile = UserProfile::default();
        let mut rng = seeded(self.params.seed, user_id as u64);
        self.model.draw_user(&self.params, &mut rng, &mut profile);
        let scale = self.params.scale();
        Some(
            (0..self.movie_ids.len())
                .map(|m| scale.clip(self.model.score(&profile, m)))
                .collect(),
        )
    }

    pub(super) fn file(&self) -> TruthFile<'_> {
        TruthFile {
            format: "movierec-synth-truth/1",
            params: &self.params,
            genre_names: &self.genre_names,
            strong_taste: STRONG_TASTE,
            movie_ids: &self.movie_ids,
            movie_genres: &self.movie_genres,
            favourite_genre: &self.favourite_genre,
            // Three decimals keep the file small and are plenty for "is this user's taste strong".
            taste_strength: self
                .taste_strength
                .iter()
                .map(|s| (s * 1000.0).round() / 1000.0)
                .collect(),
            clusters: &self.clusters,
            cluster_fans: &self.cluster_fans,
        }
    }
}
