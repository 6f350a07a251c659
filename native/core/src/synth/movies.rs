//! The movie side: ids, popularity, genres, biases and factors, the planted clusters, which user is sure to rate
//! each movie, and the catalogue (titles and genre names).

use rand::seq::SliceRandom;
use rand::Rng as _;
use rand_distr::StandardNormal;

use super::params::{
    SynthParams, GENRE_FREQUENCY, GENRE_NAMES, STREAM_COVERAGE, STREAM_MOVIES, STREAM_MOVIE_IDS, STREAM_TITLES,
};
use super::planted::{self, PlantedModel};
use super::popularity::{popularity_weight, AliasTable};
use super::sampling::Popularity;
use super::titles;
use crate::dataset::movies::year_of_title;
use crate::dataset::Catalogue;
use crate::rng::seeded;

pub(super) fn genre_list(mask: u32) -> Vec<u8> {
    (0..32u8).filter(|g| mask & (1 << g) != 0).collect()
}

/// Raw ids ascending from 1 with an occasional gap of 1 to 3, like MovieLens (so nothing may assume id = index + 1).
pub(super) fn movie_ids(params: &SynthParams) -> Vec<u32> {
    let mut rng = seeded(params.seed, STREAM_MOVIE_IDS);
    let mut next = 1u32;
    (0..params.movies)
        .map(|_| {
            let id = next;
            next += 1 + if rng.random::<f32>() < 0.1 {
                rng.random_range(1..=3)
            } else {
                0
            };
            id
        })
        .collect()
}

/// Movie factors, biases and genres; the sampler's popularity tables; and each popularity rank's movie index.
pub(super) fn movie_side(params: &SynthParams) -> (planted::MovieSide, Popularity, Vec<u32>) {
    let n = params.movies;
    let mut rng = seeded(params.seed, STREAM_MOVIES);
    // Popularity rank r belongs to movie ranks[r]: ids say nothing about popularity.
    let mut ranks: Vec<u32> = (0..n as u32).collect();
    ranks.shuffle(&mut rng);
    let mut weights = vec![0.0; n];
    for (rank, &m) in ranks.iter().enumerate() {
        weights[m as usize] = popularity_weight(rank, n);
    }
    let log_w: Vec<f64> = weights.iter().map(|w| w.ln()).collect();
    let mean = log_w.iter().sum::<f64>() / n as f64;
    let sd = (log_w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64)
        .sqrt()
        .max(1e-12);

    let factor_sd = planted::latent_factor_sd(params.factors);
    let genre_freq = &GENRE_FREQUENCY[..params.genres];
    let mut factors = Vec::with_capacity(n * params.factors);
    let mut bias = Vec::with_capacity(n);
    let mut genre_mask = Vec::with_capacity(n);
    for &lw in &log_w {
        factors.extend((0..params.factors).map(|_| factor_sd * rng.sample::<f32, _>(StandardNormal)));
        let popularity_z = ((lw - mean) / sd) as f32;
        bias.push(
            planted::MOVIE_BIAS_SD * rng.sample::<f32, _>(StandardNormal)
                + planted::MOVIE_BIAS_PER_POPULARITY_SD * popularity_z,
        );
        // 1 to 3 distinct genres, drawn by frequency.
        let wanted = match rng.random_range(0..100) {
            0..=44 => 1u32,
            45..=79 => 2,
            _ => 3,
        }
        .min(params.genres as u32);
        let mut mask = 0u32;
        while mask.count_ones() < wanted {
            mask |= 1 << planted::draw_weighted(&mut rng, genre_freq);
        }
        genre_mask.push(mask);
    }

    let genre_members: Vec<Vec<u32>> = (0..params.genres)
        .map(|g| {
            (0..n as u32)
                .filter(|&m| genre_mask[m as usize] & (1 << g) != 0)
                .collect()
        })
        .collect();
    let genre_tables = genre_members
        .iter()
        .map(|members| {
            let w: Vec<f64> = members.iter().map(|&m| weights[m as usize]).collect();
            if w.is_empty() {
                AliasTable::new(&[1.0])
            } else {
                AliasTable::new(&w)
            }
        })
        .collect();
    let genre_mass = genre_members
        .iter()
        .map(|ms| ms.iter().map(|&m| weights[m as usize]).sum())
        .collect();
    let popularity = Popularity {
        total: weights.iter().sum(),
        global: AliasTable::new(&weights),
        weights,
        genre_members,
        genre_tables,
        genre_mass,
        genre_mask: genre_mask.clone(),
    };
    let movie_side = planted::MovieSide {
        factors,
        bias,
        genre_mask,
        cluster: Vec::new(),
    };
    (movie_side, popularity, ranks)
}

/// Cluster members (movie indices), drawn from the moderately popular ranks (top 1%-20%): popular enough to be
/// learnable, not so popular that a plain popularity list would recommend them anyway.
pub(super) fn pick_clusters(params: &SynthParams, ranks: &[u32], rng: &mut crate::rng::Rng) -> Vec<Vec<usize>> {
    let needed = params.clusters * params.cluster_size;
    if needed == 0 {
        return Vec::new();
    }
    let start = params.movies / 100;
    let end = (params.movies / 5).max(start + 2 * needed).min(params.movies);
    let mut pool: Vec<usize> = ranks[start..end].iter().map(|&m| m as usize).collect();
    pool.shuffle(rng);
    pool.chunks(params.cluster_size)
        .take(params.clusters)
        .map(|c| c.to_vec())
        .collect()
}

/// Every movie gets one "owner" who is sure to rate it, so all movies appear in the ratings (as every movie of a
/// MovieLens release does). Owners are drawn in proportion to activity (obscure films are found by heavy users),
/// and nobody owns more than half (rounded up) of their own ratings.
pub(super) struct CoverageOwners {
    /// CSR by user index: user u owns `movies[start[u]..start[u + 1]]` (movie indices).
    start: Vec<usize>,
    movies: Vec<u32>,
}

impl CoverageOwners {
    pub(super) fn owned_by(&self, user_index: usize) -> &[u32] {
        &self.movies[self.start[user_index]..self.start[user_index + 1]]
    }
}

pub(super) fn coverage_owners(params: &SynthParams, counts: &[u32]) -> CoverageOwners {
    let mut rng = seeded(params.seed, STREAM_COVERAGE);
    let table = AliasTable::new(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>());
    let mut owned = vec![0u32; params.users];
    let mut owner = vec![0u32; params.movies];
    for slot in owner.iter_mut() {
        let mut u = table.sample(&mut rng);
        // Terminates: validation guarantees ratings >= 2 * movies, so the capacities (halves rounded up) sum to at
        // least `movies`.
        while owned[u] >= counts[u].div_ceil(2) {
            u = (u + 1) % params.users;
        }
        owned[u] += 1;
        *slot = u as u32;
    }
    let mut start = vec![0usize; params.users + 1];
    for u in 0..params.users {
        start[u + 1] = start[u] + owned[u] as usize;
    }
    let mut fill = start.clone();
    let mut movies = vec![0u32; params.movies];
    for (m, &u) in owner.iter().enumerate() {
        movies[fill[u as usize]] = m as u32;
        fill[u as usize] += 1;
    }
    CoverageOwners { start, movies }
}

pub(super) fn catalogue(params: &SynthParams, model: &PlantedModel, clusters: &[Vec<usize>], ids: &[u32]) -> Catalogue {
    let titles = titles::catalogue_titles(&mut seeded(params.seed, STREAM_TITLES), params.movies, clusters);
    let genres = model
        .movies
        .genre_mask
        .iter()
        .map(|&mask| {
            let mut names: Vec<String> = genre_list(mask)
                .iter()
                .map(|&g| GENRE_NAMES[g as usize].to_string())
                .collect();
            names.sort();
            names
        })
        .collect();
    let years = titles.iter().map(|t| year_of_title(t)).collect();
    Catalogue {
        ids: ids.to_vec(),
        titles,
        genres,
        years,
    }
}
