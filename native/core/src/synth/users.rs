//! The user side: every user's hidden profile, chosen movies and ratings, generated in parallel blocks of whole
//! users, each user from its own random stream and straight into its slice of the output.

use rand::Rng as _;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use super::movies::CoverageOwners;
use super::params::SynthParams;
use super::planted::{self, PlantedModel, UserProfile};
use super::sampling::{Popularity, Scratch};
use crate::dataset::RatingTriples;
use crate::rng::seeded;

/// Ratings per parallel work item (a run of whole users).
const BLOCK_RATINGS: usize = 1 << 15;

/// The per-user half of generation, and what it reports back.
pub(super) struct UserSide {
    pub(super) triples: RatingTriples,
    pub(super) favourite_genre: Vec<u8>,
    pub(super) taste_strength: Vec<f32>,
    pub(super) cluster_fans: Vec<Vec<u32>>,
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
    pub(super) fn generate(
        params: &SynthParams,
        model: &PlantedModel,
        popularity: &Popularity,
        counts: &[u32],
        coverage: &CoverageOwners,
        clusters: &[Vec<usize>],
        movie_ids: &[u32],
    ) -> Self {
        let total = params.ratings;
        let mut triples = RatingTriples {
            users: vec![0; total],
            movies: vec![0; total],
            ratings: vec![0.0; total],
        };
        let mut favourite_genre = vec![0u8; params.users];
        let mut taste_strength = vec![0f32; params.users];

        let mut blocks = Vec::new();
        {
            let (mut us, mut ms, mut rs) = (
                &mut triples.users[..],
                &mut triples.movies[..],
                &mut triples.ratings[..],
            );
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

        let ctx = UserContext {
            params,
            model,
            popularity,
            clusters,
            movie_ids,
        };
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
                        let forced = coverage.owned_by(block.first_user + i);
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
                            profile
                                .is_fan
                                .iter()
                                .enumerate()
                                .filter(|(_, &f)| f)
                                .map(|(c, _)| (c as u16, user_id)),
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
        Self {
            triples,
            favourite_genre,
            taste_strength,
            cluster_fans,
        }
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
        self.popularity
            .fill(&mut rng, scratch, n, profile.favourite_genre as usize, share);
        scratch.chosen.sort_unstable();
        for (j, &m) in scratch.chosen.iter().enumerate() {
            let noisy =
                self.model.score(profile, m as usize) + planted::NOISE_SD * rng.sample::<f32, _>(StandardNormal);
            movies[j] = self.movie_ids[m as usize];
            ratings[j] = planted::to_rating(noisy, profile);
        }
        scratch.clear();
    }
}
