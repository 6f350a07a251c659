//! The deterministic MovieLens-shaped generator: the bundled demo catalogue and the benchmark data sets.
//!
//! Ratings come from a planted model ([`planted`]) with genre affinity and planted clusters of co-liked movies;
//! which movies a user rates follows power-law popularity ([`popularity`], [`sampling`]). Users are generated in
//! parallel, each from its own stream `rng::seeded(seed, user_id)`, straight into its slice of the output, so the
//! result depends on the seed only, never on the thread count. Output is sorted by user, then movie, like
//! MovieLens' CSV releases; every user has at least 20 ratings and every movie at least one.

mod planted;
mod popularity;
mod sampling;
mod titles;
mod write;

use rand::seq::SliceRandom;
use rand::Rng as _;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use planted::{PlantedTruth, STRONG_TASTE};
pub use write::{write_movielens_csv, write_truth_json};

use crate::dataset::{Catalogue, RatingScale, RatingTriples};
use crate::rng::seeded;
use crate::{CoreError, Result};
use planted::{PlantedModel, UserProfile};
use popularity::{activity_counts, popularity_weight, AliasTable};
use sampling::{Popularity, Scratch};

/// Every user rates at least this many movies, as in every MovieLens release.
pub const MIN_RATINGS_PER_USER: usize = 20;

/// MovieLens' genre names, most frequent first; `SynthParams::genres` takes a prefix of this list.
pub const GENRE_NAMES: [&str; 19] = [
    "Drama", "Comedy", "Thriller", "Romance", "Action", "Crime", "Horror", "Documentary", "Adventure", "Sci-Fi",
    "Mystery", "Fantasy", "Animation", "Children", "War", "Musical", "Western", "Film-Noir", "IMAX",
];
/// Roughly the share of MovieLens movies tagged with each genre.
const GENRE_FREQUENCY: [f64; 19] =
    [0.41, 0.27, 0.14, 0.12, 0.12, 0.09, 0.09, 0.09, 0.07, 0.06, 0.05, 0.04, 0.05, 0.04, 0.03, 0.02, 0.02, 0.006, 0.003];
/// Genres rarer than this are never anyone's favourite (too few movies to fill a favourite-genre top-20).
const MIN_FAVOURITE_FREQUENCY: f64 = 0.04;

/// Random streams for the global parts; users use streams 1..=users.
const STREAM_MOVIES: u64 = 0;
const STREAM_TITLES: u64 = u64::MAX - 1;
const STREAM_ACTIVITY: u64 = u64::MAX - 2;
const STREAM_COVERAGE: u64 = u64::MAX - 3;
const STREAM_CLUSTERS: u64 = u64::MAX - 4;
const STREAM_MOVIE_IDS: u64 = u64::MAX - 5;

/// Ratings per parallel work item (a run of whole users).
const BLOCK_RATINGS: usize = 1 << 15;

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
        Self { users: 32_508, movies: 11_809, ratings: 5_000_019, clusters: 16, seed: 5_000_019, ..Self::ml25m_shape() }
    }

    pub fn scale(&self) -> RatingScale {
        if self.half_stars {
            RatingScale { min: 0.5, max: 5.0, step: 0.5 }
        } else {
            RatingScale { min: 1.0, max: 5.0, step: 1.0 }
        }
    }

    /// Most ratings one user may have (55% of the catalogue, like ML-25M's most active user).
    pub fn max_ratings_per_user(&self) -> usize {
        (self.movies * 11 / 20).max(MIN_RATINGS_PER_USER).min(self.movies)
    }

    /// Checks that the parameters describe a data set that can exist.
    pub fn validate(&self) -> Result<()> {
        let fail = |what: String| Err(CoreError::InvalidInput(format!("synthetic data: {what}")));
        if !(1..=10_000_000).contains(&self.users) {
            return fail(format!("users must be 1..=10,000,000, got {}", self.users));
        }
        if !(MIN_RATINGS_PER_USER..=5_000_000).contains(&self.movies) {
            return fail(format!("movies must be {MIN_RATINGS_PER_USER}..=5,000,000, got {}", self.movies));
        }
        let (least, most) = (self.users * MIN_RATINGS_PER_USER, self.users * self.max_ratings_per_user());
        if self.ratings < least || self.ratings > most {
            return fail(format!(
                "ratings must be between {least} ({MIN_RATINGS_PER_USER} per user) and {most} (at most {} per \
                 user), got {}",
                self.max_ratings_per_user(),
                self.ratings
            ));
        }
        if self.ratings < 2 * self.movies {
            return fail(format!("ratings must be at least twice the movies (every movie is rated), got {}", self.ratings));
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
        movies: planted::MovieSide { cluster: movie_cluster, ..movies },
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
        clusters: clusters.iter().map(|c| c.iter().map(|&m| movie_ids[m]).collect()).collect(),
        cluster_fans: users.cluster_fans,
        movie_ids,
        model,
    };
    Ok(SynthData { triples: users.triples, catalogue, truth })
}

fn genre_list(mask: u32) -> Vec<u8> {
    (0..32u8).filter(|g| mask & (1 << g) != 0).collect()
}

/// Raw ids ascending from 1 with an occasional gap of 1 to 3, like MovieLens (so nothing may assume id = index + 1).
fn movie_ids(params: &SynthParams) -> Vec<u32> {
    let mut rng = seeded(params.seed, STREAM_MOVIE_IDS);
    let mut next = 1u32;
    (0..params.movies)
        .map(|_| {
            let id = next;
            next += 1 + if rng.random::<f32>() < 0.1 { rng.random_range(1..=3) } else { 0 };
            id
        })
        .collect()
}

/// Movie factors, biases and genres; the sampler's popularity tables; and each popularity rank's movie index.
fn movie_side(params: &SynthParams) -> (planted::MovieSide, Popularity, Vec<u32>) {
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
    let sd = (log_w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt().max(1e-12);

    let factor_sd = planted::latent_factor_sd(params.factors);
    let genre_freq = &GENRE_FREQUENCY[..params.genres];
    let mut factors = Vec::with_capacity(n * params.factors);
    let mut bias = Vec::with_capacity(n);
    let mut genre_mask = Vec::with_capacity(n);
    for &lw in &log_w {
        factors.extend((0..params.factors).map(|_| factor_sd * rng.sample::<f32, _>(StandardNormal)));
        let popularity_z = ((lw - mean) / sd) as f32;
        bias.push(planted::MOVIE_BIAS_SD * rng.sample::<f32, _>(StandardNormal) + planted::MOVIE_BIAS_PER_POPULARITY_SD * popularity_z);
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
        .map(|g| (0..n as u32).filter(|&m| genre_mask[m as usize] & (1 << g) != 0).collect())
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
    let genre_mass = genre_members.iter().map(|ms| ms.iter().map(|&m| weights[m as usize]).sum()).collect();
    let popularity = Popularity {
        total: weights.iter().sum(),
        global: AliasTable::new(&weights),
        weights,
        genre_members,
        genre_tables,
        genre_mass,
        genre_mask: genre_mask.clone(),
    };
    let movie_side = planted::MovieSide { factors, bias, genre_mask, cluster: Vec::new() };
    (movie_side, popularity, ranks)
}

/// Cluster members (movie indices), drawn from the moderately popular ranks (top 1%-20%): popular enough to be
/// learnable, not so popular that a plain popularity list would recommend them anyway.
fn pick_clusters(params: &SynthParams, ranks: &[u32], rng: &mut crate::rng::Rng) -> Vec<Vec<usize>> {
    let needed = params.clusters * params.cluster_size;
    if needed == 0 {
        return Vec::new();
    }
    let start = params.movies / 100;
    let end = (params.movies / 5).max(start + 2 * needed).min(params.movies);
    let mut pool: Vec<usize> = ranks[start..end].iter().map(|&m| m as usize).collect();
    pool.shuffle(rng);
    pool.chunks(params.cluster_size).take(params.clusters).map(|c| c.to_vec()).collect()
}

/// Every movie gets one "owner" who is sure to rate it, so all movies appear in the ratings (as every movie of a
/// MovieLens release does). Owners are drawn in proportion to activity (obscure films are found by heavy users),
/// and nobody owns more than half of their own ratings. Returns a CSR: user u owns `movies[start[u]..start[u + 1]]`.
fn coverage_owners(params: &SynthParams, counts: &[u32]) -> (Vec<usize>, Vec<u32>) {
    let mut rng = seeded(params.seed, STREAM_COVERAGE);
    let table = AliasTable::new(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>());
    let mut owned = vec![0u32; params.users];
    let mut owner = vec![0u32; params.movies];
    for slot in owner.iter_mut() {
        let mut u = table.sample(&mut rng);
        // Terminates: validation guarantees ratings >= 2 * movies, i.e. total capacity >= movies.
        while owned[u] >= counts[u] / 2 {
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
    (start, movies)
}

fn catalogue(params: &SynthParams, model: &PlantedModel, clusters: &[Vec<usize>], ids: &[u32]) -> Catalogue {
    let titles = titles::catalogue_titles(&mut seeded(params.seed, STREAM_TITLES), params.movies, clusters);
    let genres = model
        .movies
        .genre_mask
        .iter()
        .map(|&mask| {
            let mut names: Vec<String> = genre_list(mask).iter().map(|&g| GENRE_NAMES[g as usize].to_string()).collect();
            names.sort();
            names
        })
        .collect();
    Catalogue { ids: ids.to_vec(), titles, genres }
}

/// The per-user half of generation, and what it reports back.
struct UserSide {
    triples: RatingTriples,
    favourite_genre: Vec<u8>,
    taste_strength: Vec<f32>,
    cluster_fans: Vec<Vec<u32>>,
}

/// One parallel work item: a run of users and the output slices they fill.
struct Block<'a> {
    first_user: usize,
    counts: &'a [u32],
    users: &'a mut [u32],
    movies: &'a mut [u32],
    ratings: &'a mut [f32],
    favourite_genre: &'a mut [u8],
    taste_strength: &'a mut [f32],
}

impl UserSide {
    fn generate(
        params: &SynthParams,
        model: &PlantedModel,
        popularity: &Popularity,
        counts: &[u32],
        coverage: &(Vec<usize>, Vec<u32>),
        clusters: &[Vec<usize>],
        movie_ids: &[u32],
    ) -> Self {
        let total = params.ratings;
        let mut triples =
            RatingTriples { users: vec![0; total], movies: vec![0; total], ratings: vec![0.0; total] };
        let mut favourite_genre = vec![0u8; params.users];
        let mut taste_strength = vec![0f32; params.users];

        let mut blocks = Vec::new();
        {
            let (mut us, mut ms, mut rs) = (&mut triples.users[..], &mut triples.movies[..], &mut triples.ratings[..]);
            let (mut fs, mut ss) = (&mut favourite_genre[..], &mut taste_strength[..]);
            let mut first = 0;
            while first < params.users {
                let (mut end, mut len) = (first, 0usize);
                while end < params.users && (len < BLOCK_RATINGS || end == first) {
                    len += counts[end] as usize;
                    end += 1;
                }
                let (u, rest_u) = std::mem::take(&mut us).split_at_mut(len);
                let (m, rest_m) = std::mem::take(&mut ms).split_at_mut(len);
                let (r, rest_r) = std::mem::take(&mut rs).split_at_mut(len);
                let (f, rest_f) = std::mem::take(&mut fs).split_at_mut(end - first);
                let (s, rest_s) = std::mem::take(&mut ss).split_at_mut(end - first);
                (us, ms, rs, fs, ss) = (rest_u, rest_m, rest_r, rest_f, rest_s);
                blocks.push(Block {
                    first_user: first,
                    counts: &counts[first..end],
                    users: u,
                    movies: m,
                    ratings: r,
                    favourite_genre: f,
                    taste_strength: s,
                });
                first = end;
            }
        }

        let fans_by_block: Vec<Vec<(u16, u32)>> = blocks
            .into_par_iter()
            .map_init(
                || (Scratch::new(params.movies), UserProfile::default()),
                |(scratch, profile), block| {
                    let mut fans = Vec::new();
                    let mut offset = 0;
                    for (i, &count) in block.counts.iter().enumerate() {
                        let user_id = (block.first_user + i + 1) as u32;
                        let n = count as usize;
                        let span = offset..offset + n;
                        let forced = {
                            let u = block.first_user + i;
                            &coverage.1[coverage.0[u]..coverage.0[u + 1]]
                        };
                        let ctx = UserContext { params, model, popularity, clusters, movie_ids };
                        ctx.generate_user(
                            user_id,
                            n,
                            forced,
                            scratch,
                            profile,
                            &mut block.movies[span.clone()],
                            &mut block.ratings[span.clone()],
                        );
                        block.users[span].fill(user_id);
                        block.favourite_genre[i] = profile.favourite_genre;
                        block.taste_strength[i] = profile.taste_strength;
                        fans.extend(
                            profile.is_fan.iter().enumerate().filter(|(_, &f)| f).map(|(c, _)| (c as u16, user_id)),
                        );
                        offset += n;
                    }
                    fans
                },
            )
            .collect();

        let mut cluster_fans = vec![Vec::new(); params.clusters];
        for (c, user) in fans_by_block.into_iter().flatten() {
            cluster_fans[c as usize].push(user);
        }
        Self { triples, favourite_genre, taste_strength, cluster_fans }
    }
}

struct UserContext<'a> {
    params: &'a SynthParams,
    model: &'a PlantedModel,
    popularity: &'a Popularity,
    clusters: &'a [Vec<usize>],
    movie_ids: &'a [u32],
}

impl UserContext<'_> {
    /// Fills one user's `n` movies (raw ids, ascending) and ratings.
    #[allow(clippy::too_many_arguments)]
    fn generate_user(
        &self,
        user_id: u32,
        n: usize,
        forced: &[u32],
        scratch: &mut Scratch,
        profile: &mut UserProfile,
        movies: &mut [u32],
        ratings: &mut [f32],
    ) {
        let mut rng = seeded(self.params.seed, user_id as u64);
        // The profile comes first in the stream, so `PlantedTruth::true_scores` can redraw it alone.
        self.model.draw_user(self.params, &mut rng, profile);
        for &m in forced {
            scratch.take(m as usize);
        }
        // Fans watch much of their franchise, leaving at least half of their ratings to ordinary choice.
        for (c, members) in self.clusters.iter().enumerate() {
            if !profile.is_fan[c] {
                continue;
            }
            for &m in members {
                if rng.random::<f32>() < planted::FAN_WATCH_SHARE && scratch.chosen.len() < n / 2 {
                    scratch.take(m);
                }
            }
        }
        let share = planted::favourite_pick_share(profile.taste_strength);
        self.popularity.fill(&mut rng, scratch, n, profile.favourite_genre as usize, share);
        scratch.chosen.sort_unstable();
        for (j, &m) in scratch.chosen.iter().enumerate() {
            let noisy = self.model.score(profile, m as usize) + planted::NOISE_SD * rng.sample::<f32, _>(StandardNormal);
            movies[j] = self.movie_ids[m as usize];
            ratings[j] = planted::to_rating(noisy, profile);
        }
        scratch.clear();
    }
}
