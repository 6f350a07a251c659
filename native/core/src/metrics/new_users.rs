//! The new-user protocol as a metric: how good are the lists people get from `/predict`? For each user of a file the
//! model never saw (the test part of `split --by users`), a seeded half of their ratings is given as a new user's
//! input (`dataset::split::split_per_user` with [`GIVEN_FRACTION`]), the other half is the target, and the list of
//! `k` (the product's: `Recommender::new_user`, the given movies left out) is scored against the target movies the
//! user liked (a rating of at least `RatingScale::liked_threshold`: 4 of 5 stars) with the one definition of the
//! ranking metrics (`ranking.rs`). Beside it: the same lists ordered by the choosing score, and popularity (the
//! most-rated training movies, the given ones left out).

use rayon::prelude::*;
use serde::Serialize;

use super::pairs::check_k;
use super::ranking::{average, dense_list, list_scores, UserRanking};
use super::report::RankingMetrics;
use crate::dataset::split::split_per_user;
use crate::dataset::RatingTriples;
use crate::recommend::{top_k, ListOptions, ListOrder, Recommender};
use crate::Result;

/// The share of each new user's ratings given as their input.
pub const GIVEN_FRACTION: f64 = 0.5;

/// The new-user evaluation of one model on one file (camelCase JSON, mirrored by `src/model/types.ts`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUserEvaluation {
    pub k: usize,
    pub seed: u64,
    pub given_fraction: f64,
    /// A target rating at or above this is a movie the user liked.
    pub liked_rating: f32,
    /// The product's lists (by estimate, the default order).
    pub model: RankingMetrics,
    /// The same lists ordered by the score that chose them.
    pub model_by_score: RankingMetrics,
    pub popularity: RankingMetrics,
    /// Users evaluated: new to the model, with a liked target movie the model knows.
    pub users: u64,
    /// Users of the file the model was trained on (skipped).
    pub users_known: u64,
    /// New users with fewer than two ratings, or no liked target movie the model knows (skipped).
    pub users_skipped: u64,
    /// Evaluated users none of whose given movies the model knows (they get the non-personalised list).
    pub users_not_personalised: u64,
}

/// The new-user evaluation of `recommender` on the users of `heldout` it does not know, lists of `k`, split by
/// `seed`. `k` must be in `1..=MAX_LIST_LENGTH`.
pub fn evaluate_new_users(
    recommender: &Recommender,
    heldout: &RatingTriples,
    k: usize,
    seed: u64,
) -> Result<NewUserEvaluation> {
    check_k(k)?;
    let model = recommender.model();
    let liked = model.scale.liked_threshold();
    let mut new_users = RatingTriples::default();
    let mut known_users: Vec<u32> = Vec::new();
    for j in 0..heldout.len() {
        let (u, m, r) = (heldout.users[j], heldout.movies[j], heldout.ratings[j]);
        if model.users.index_of(u).is_some() {
            known_users.push(u);
        } else {
            new_users.push(u, m, r);
        }
    }
    known_users.sort_unstable();
    known_users.dedup();
    let all_users = count_users(&new_users);
    let (given, target) = if new_users.is_empty() {
        Default::default()
    } else {
        split_per_user(&new_users, GIVEN_FRACTION, seed)?
    };
    let given = by_user(&given);
    let target = by_user(&target);
    // Training rating counts, most first: popularity's order (ties by index).
    let popularity_order: Vec<u32> = top_k(
        model.item_counts.iter().enumerate().map(|(i, &c)| (i as u32, c as f32)),
        model.items.len(),
    )
    .into_iter()
    .map(|(i, _)| i)
    .collect();
    let by_score = ListOptions {
        order: ListOrder::Score,
        ..ListOptions::default()
    };

    let per_user: Vec<(UserRanking<3>, bool)> = target
        .par_iter()
        .filter_map(|rows| {
            let user = rows[0].0;
            let mut relevant: Vec<u32> = rows
                .iter()
                .filter(|r| r.2 >= liked)
                .filter_map(|r| model.items.index_of(r.1))
                .collect();
            if relevant.is_empty() {
                return None;
            }
            relevant.sort_unstable();
            let past = given
                .binary_search_by_key(&user, |g| g[0].0)
                .map_or(&[][..], |g| given[g].as_slice());
            let movie_ids: Vec<u32> = past.iter().map(|r| r.1).collect();
            let ratings: Vec<f32> = past.iter().map(|r| r.2).collect();
            // The given ratings are on the model's scale (the same data set) and k is checked: no refusal is possible.
            let list = |options: &ListOptions| recommender.new_user(&movie_ids, &ratings, k, options).ok();
            let (by_estimate, scored) = (list(&ListOptions::default())?, list(&by_score)?);
            let mut seen: Vec<u32> = movie_ids.iter().filter_map(|&m| model.items.index_of(m)).collect();
            seen.sort_unstable();
            let popular: Vec<u32> = popularity_order
                .iter()
                .copied()
                .filter(|i| seen.binary_search(i).is_err())
                .take(k)
                .collect();
            let recommended = [
                dense_list(model, &by_estimate.movie_ids, k),
                dense_list(model, &scored.movie_ids, k),
                popular,
            ];
            let scores = std::array::from_fn(|m| list_scores(&recommended[m], &relevant, k));
            Some((UserRanking { scores, recommended }, by_estimate.personalised))
        })
        .collect();
    let users_not_personalised = per_user.iter().filter(|(_, personalised)| !personalised).count() as u64;
    let per_user: Vec<UserRanking<3>> = per_user.into_iter().map(|(u, _)| u).collect();
    let [model_metrics, model_by_score, popularity] = average(recommender, &per_user, k);
    Ok(NewUserEvaluation {
        k,
        seed,
        given_fraction: GIVEN_FRACTION,
        liked_rating: liked,
        model: model_metrics,
        model_by_score,
        popularity,
        users: per_user.len() as u64,
        users_known: known_users.len() as u64,
        users_skipped: (all_users - per_user.len()) as u64,
        users_not_personalised,
    })
}

fn count_users(triples: &RatingTriples) -> usize {
    let mut users = triples.users.clone();
    users.sort_unstable();
    users.dedup();
    users.len()
}

/// Ratings grouped by user, groups sorted by user id.
pub(super) fn by_user(triples: &RatingTriples) -> Vec<Vec<(u32, u32, f32)>> {
    let mut rows: Vec<(u32, u32, f32)> = (0..triples.len())
        .map(|j| (triples.users[j], triples.movies[j], triples.ratings[j]))
        .collect();
    rows.sort_unstable_by_key(|&(u, m, _)| (u, m));
    rows.chunk_by(|a, b| a.0 == b.0).map(<[_]>::to_vec).collect()
}
