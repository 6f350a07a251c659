//! The new-user protocol as a metric: how good are the lists people get from `/predict`? For each user of a file the
//! model never saw (the test part of `split --by users`), a seeded half of their ratings is given as a new user's
//! input (`dataset::split::split_per_user` with [`GIVEN_FRACTION`]), the other half is the target, and the list of
//! `k` (the product's: `Recommender::new_user`, the given movies left out) is scored against the target movies the
//! user liked (a rating of at least `RatingScale::liked_threshold`: 4 of 5 stars) with the one definition of the
//! ranking metrics (`ranking.rs`). Beside it: the same lists ordered by the choosing score, and popularity (the
//! most-rated training movies, the given ones left out). Lists made elsewhere from the same given halves
//! ([`new_user_halves`]) are scored for the same users by [`evaluate_new_user_lists`] (the ranking benchmark).

use std::collections::BTreeMap;

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
    let halves = new_user_halves(heldout, |u| model.users.index_of(u).is_some(), seed)?;
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
    let per_user = rank_new_users(recommender, &halves, k, |_, past| {
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
        Some((recommended, by_estimate.personalised))
    });
    let users_not_personalised = per_user.iter().filter(|(_, personalised)| !personalised).count() as u64;
    let per_user: Vec<UserRanking<3>> = per_user.into_iter().map(|(u, _)| u).collect();
    let [model_metrics, model_by_score, popularity] = average(recommender, &per_user, k);
    Ok(NewUserEvaluation {
        k,
        seed,
        given_fraction: GIVEN_FRACTION,
        liked_rating: model.scale.liked_threshold(),
        model: model_metrics,
        model_by_score,
        popularity,
        users: per_user.len() as u64,
        users_known: halves.known_users,
        users_skipped: halves.new_users - per_user.len() as u64,
        users_not_personalised,
    })
}

/// The ranking metrics of lists made elsewhere for the new users of `heldout` (another library's top-k from the given
/// halves of [`new_user_halves`] with the same `seed`: raw user id to raw movie ids, best first), with exactly
/// [`evaluate_new_users`]'s users and definitions: a user without a list scores 0; list movies the model does not
/// know count as misses and not in coverage. `recommender` gives the training data, not the lists.
pub fn evaluate_new_user_lists(
    recommender: &Recommender,
    heldout: &RatingTriples,
    k: usize,
    seed: u64,
    lists: &BTreeMap<u32, Vec<u32>>,
) -> Result<RankingMetrics> {
    check_k(k)?;
    let model = recommender.model();
    let halves = new_user_halves(heldout, |u| model.users.index_of(u).is_some(), seed)?;
    let per_user = rank_new_users(recommender, &halves, k, |user, _| {
        let list = lists.get(&user).map_or(&[][..], Vec::as_slice);
        Some(([dense_list(model, list, k)], true))
    });
    let per_user: Vec<UserRanking<1>> = per_user.into_iter().map(|(u, _)| u).collect();
    let [metrics] = average(recommender, &per_user, k);
    Ok(metrics)
}

/// The new users of a held-out file, each one's ratings split into what is given as their input and the target.
#[derive(Clone, Debug, Default)]
pub struct NewUserHalves {
    /// About [`GIVEN_FRACTION`] of each new user's ratings (at least one).
    pub given: RatingTriples,
    /// The rest (empty for a user with a single rating).
    pub target: RatingTriples,
    /// Users of the file the model was trained on (not new: left out of both halves).
    pub known_users: u64,
    /// Users in the halves.
    pub new_users: u64,
}

/// The halves of the users of `heldout` for whom `is_known` (trained on) is false, split per user by
/// `dataset::split::split_per_user` with [`GIVEN_FRACTION`] and `seed`: what [`evaluate_new_users`] gives and scores
/// (the ranking benchmark writes the given halves for other libraries with it).
pub fn new_user_halves(heldout: &RatingTriples, is_known: impl Fn(u32) -> bool, seed: u64) -> Result<NewUserHalves> {
    let mut new_users = RatingTriples::default();
    let mut known_users: Vec<u32> = Vec::new();
    for j in 0..heldout.len() {
        let (u, m, r) = (heldout.users[j], heldout.movies[j], heldout.ratings[j]);
        if is_known(u) {
            known_users.push(u);
        } else {
            new_users.push(u, m, r);
        }
    }
    known_users.sort_unstable();
    known_users.dedup();
    let count = count_users(&new_users) as u64;
    let (given, target) = if new_users.is_empty() {
        Default::default()
    } else {
        split_per_user(&new_users, GIVEN_FRACTION, seed)?
    };
    Ok(NewUserHalves {
        given,
        target,
        known_users: known_users.len() as u64,
        new_users: count,
    })
}

/// Scores the `N` lists `lists_of(raw user id, given ratings)` gives each new user with a liked target movie the model
/// knows (None: the user is skipped), with whether the first list is personalised; in target user order.
fn rank_new_users<const N: usize>(
    recommender: &Recommender,
    halves: &NewUserHalves,
    k: usize,
    lists_of: impl Fn(u32, &[(u32, u32, f32)]) -> Option<([Vec<u32>; N], bool)> + Sync,
) -> Vec<(UserRanking<N>, bool)> {
    let model = recommender.model();
    let liked = model.scale.liked_threshold();
    let given = by_user(&halves.given);
    let target = by_user(&halves.target);
    target
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
            let (recommended, personalised) = lists_of(user, past)?;
            let scores = std::array::from_fn(|m| list_scores(&recommended[m], &relevant, k));
            Some((UserRanking { scores, recommended }, personalised))
        })
        .collect()
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
