//! Evaluation of a model on a ratings file, beside the baselines computed in the same run.
//!
//! - Rating accuracy (RMSE, MAE) on the pairs whose user and movie the model knows, for the model and for the
//!   bias-only baseline. The other pairs are not scored, only counted: `unknown_user` (user not in the model) and
//!   `unknown_movie` (known user, movie not in the model); `count + unknown_user + unknown_movie` = pairs in the file.
//! - Ranking for the test users the model knows: top-k over every model movie the user did not rate in training.
//!   Relevant = a test rating >= [`RELEVANT_RATING`] of a candidate movie; users with no relevant movie are skipped
//!   (recall is undefined for them). precision@k = hits / k, recall@k = hits / relevant, NDCG@k with binary gains,
//!   MAP@k = mean over users of AP@k = (sum of precision@r at each hit rank r <= k) / min(relevant, k),
//!   catalogue coverage = distinct movies recommended to anyone / movies in the model. For the model, the bias-only
//!   baseline (movie bias order) and popularity (training rating count order). The model's list is the product's
//!   (`topn::personal_top`: selected with the popularity term, ordered by estimate).
//! - Fold-in accuracy for users the model has never seen ([`evaluate_fold_in`]).
//!
//! All sums are formed per user and then added in user order, so results do not depend on the thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::dataset::split::split_per_user;
use crate::dataset::RatingTriples;
use crate::foldin::{dot, fold_in};
use crate::model::{AlsModel, Feedback};
use crate::{CoreError, Result};

mod ranking;
use ranking::ranking;
pub use ranking::{evaluate_lists, list_scores, ListScores};

/// A test rating at or above this marks a relevant movie.
pub const RELEVANT_RATING: f32 = 4.0;
pub const MAX_K: usize = 1000;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingMetrics {
    pub rmse: f64,
    pub mae: f64,
    /// Pairs scored (user and movie known to the model).
    pub count: u64,
    pub unknown_user: u64,
    pub unknown_movie: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RankingMetrics {
    pub k: usize,
    pub precision: f64,
    pub recall: f64,
    pub ndcg: f64,
    /// Mean average precision at k.
    pub map: f64,
    pub coverage: f64,
    /// Users evaluated (known to the model, with at least one relevant candidate movie in the test file).
    pub users: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoredMethod {
    pub rating: RatingMetrics,
    pub ranking: RankingMetrics,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopularityMethod {
    pub ranking: RankingMetrics,
}

/// The model beside its baselines, on one test file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub model: ScoredMethod,
    pub bias_only: ScoredMethod,
    pub popularity: PopularityMethod,
}

/// Fold-in accuracy on users held out of training.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoldInEvaluation {
    /// On each user's non-history ratings; `unknown_user` counts ratings of users skipped (known to the model, or
    /// with fewer than two ratings).
    pub rating: RatingMetrics,
    pub history_fraction: f64,
    pub users: u64,
    pub users_known: u64,
    pub users_too_few: u64,
}

/// RMSE/MAE of the model and of the bias-only baseline, and top-`k` ranking metrics of model, bias-only and
/// popularity. `k` must be in `1..=MAX_K`.
pub fn evaluate(model: &AlsModel, test: &RatingTriples, k: usize) -> Result<Evaluation> {
    if !(1..=MAX_K).contains(&k) {
        return Err(CoreError::invalid(None, format!("k must be in 1..={MAX_K}, got {k}")));
    }
    let pairs = KnownPairs::of(model, test);
    let b = &model.baseline;
    let model_rating = without_error_for_implicit(model, pairs.rating_metrics(|u, i| model.predict(u, i)));
    let baseline_rating =
        pairs.rating_metrics(|u, i| model.scale.clip(b.global_mean + b.user_bias[u] + b.item_bias[i]));
    let [m, bo, pop] = ranking(model, &pairs, k);
    Ok(Evaluation {
        model: ScoredMethod {
            rating: model_rating,
            ranking: m,
        },
        bias_only: ScoredMethod {
            rating: baseline_rating,
            ranking: bo,
        },
        popularity: PopularityMethod { ranking: pop },
    })
}

/// RMSE/MAE of the model alone on `test` (no baselines, no ranking): what each fold of cross-validation needs,
/// at a fraction of [`evaluate`]'s cost. Equal to `evaluate(..).model.rating`.
pub fn rating_accuracy(model: &AlsModel, test: &RatingTriples) -> RatingMetrics {
    without_error_for_implicit(
        model,
        KnownPairs::of(model, test).rating_metrics(|u, i| model.predict(u, i)),
    )
}

/// Test pairs split by what the model knows: known (user, movie, rating) by dense index, sorted by user.
pub(crate) struct KnownPairs {
    known: Vec<(u32, u32, f32)>,
    unknown_user: u64,
    unknown_movie: u64,
}

impl KnownPairs {
    pub(crate) fn of(model: &AlsModel, test: &RatingTriples) -> Self {
        let mut known = Vec::with_capacity(test.len());
        let (mut unknown_user, mut unknown_movie) = (0, 0);
        for ((&u, &m), &r) in test.users.iter().zip(&test.movies).zip(&test.ratings) {
            match (model.users.index_of(u), model.items.index_of(m)) {
                (None, _) => unknown_user += 1,
                (Some(_), None) => unknown_movie += 1,
                (Some(u), Some(i)) => known.push((u, i, r)),
            }
        }
        known.sort_unstable_by_key(|&(u, i, _)| (u, i));
        Self {
            known,
            unknown_user,
            unknown_movie,
        }
    }

    fn rating_metrics(&self, predict: impl Fn(usize, usize) -> f32 + Sync) -> RatingMetrics {
        let (se, ae) = sum_errors(&self.known, |&(u, i, r)| predict(u as usize, i as usize) - r);
        finish_rating(se, ae, self.known.len() as u64, self.unknown_user, self.unknown_movie)
    }

    /// Runs of equal user in `known`.
    pub(crate) fn by_user(&self) -> Vec<&[(u32, u32, f32)]> {
        self.known.chunk_by(|a, b| a.0 == b.0).collect()
    }
}

/// Squared and absolute error sums, in fixed-size chunks added in order (deterministic for any thread count).
fn sum_errors<T: Sync>(items: &[T], error: impl Fn(&T) -> f32 + Sync) -> (f64, f64) {
    items
        .par_chunks(4096)
        .map(|chunk| {
            chunk.iter().fold((0.0, 0.0), |(se, ae), t| {
                let e = error(t) as f64;
                (se + e * e, ae + e.abs())
            })
        })
        .collect::<Vec<(f64, f64)>>()
        .into_iter()
        .fold((0.0, 0.0), |(a, b), (c, d)| (a + c, b + d))
}

/// An implicit model's scores are preferences (about 0..1), not ratings: its RMSE and MAE mean nothing, so they are
/// NaN (JSON `null`); counts stay.
fn without_error_for_implicit(model: &AlsModel, mut rating: RatingMetrics) -> RatingMetrics {
    if model.params.feedback == Feedback::Implicit {
        rating.rmse = f64::NAN;
        rating.mae = f64::NAN;
    }
    rating
}

fn finish_rating(se: f64, ae: f64, count: u64, unknown_user: u64, unknown_movie: u64) -> RatingMetrics {
    let n = count.max(1) as f64;
    let (rmse, mae) = if count == 0 {
        (f64::NAN, f64::NAN)
    } else {
        ((se / n).sqrt(), ae / n)
    };
    RatingMetrics {
        rmse,
        mae,
        count,
        unknown_user,
        unknown_movie,
    }
}

/// Fold-in accuracy for users the model has never seen: each such user's ratings are split by
/// `dataset::split::split_per_user` (about `history_fraction` of them as history, seeded per user id), the history is
/// folded in, and the rest are predicted. Users the model knows, and users with a single rating (nothing left to
/// predict), are skipped and counted; their ratings count in `rating.unknown_user`.
pub fn evaluate_fold_in(
    model: &AlsModel,
    heldout: &RatingTriples,
    history_fraction: f64,
    seed: u64,
) -> Result<FoldInEvaluation> {
    let mut new_users = RatingTriples::default();
    let mut known_user_ratings = 0u64;
    let mut known_users: Vec<u32> = Vec::new();
    for j in 0..heldout.len() {
        let (u, m, r) = (heldout.users[j], heldout.movies[j], heldout.ratings[j]);
        if model.users.index_of(u).is_some() {
            known_user_ratings += 1;
            known_users.push(u);
        } else {
            new_users.push(u, m, r);
        }
    }
    known_users.sort_unstable();
    known_users.dedup();
    if new_users.is_empty() {
        let rating = finish_rating(0.0, 0.0, 0, known_user_ratings, 0);
        return Ok(FoldInEvaluation {
            rating,
            history_fraction,
            users: 0,
            users_known: known_users.len() as u64,
            users_too_few: 0,
        });
    }
    let (history, target) = split_per_user(&new_users, history_fraction, seed)?;
    let history = by_user(&history);
    let target = by_user(&target);
    let users_too_few = history.len() - target.len();

    // Per user: squared error, absolute error, scored, unknown movie.
    let per_user: Vec<(f64, f64, u64, u64)> = target
        .par_iter()
        .map(|rows| {
            let user = rows[0].0;
            let past: &[(u32, u32, f32)] = history
                .binary_search_by_key(&user, |h| h[0].0)
                .map_or(&[], |h| &history[h]);
            let mut known: Vec<(u32, f32)> = past
                .iter()
                .filter_map(|&(_, m, r)| model.items.index_of(m).map(|i| (i, r)))
                .collect();
            known.sort_unstable_by_key(|p| p.0);
            let (indices, values): (Vec<u32>, Vec<f32>) = known.into_iter().unzip();
            let v = fold_in(model, &indices, &values);
            let (mut se, mut ae, mut scored, mut unknown) = (0.0, 0.0, 0, 0);
            for &(_, m, r) in rows.iter() {
                let Some(i) = model.items.index_of(m) else {
                    unknown += 1;
                    continue;
                };
                let i = i as usize;
                let raw = model.global_mean + v.bias + model.item_bias[i] + dot(&v.factors, model.item_factors.row(i));
                let e = (model.scale.clip(raw) - r) as f64;
                se += e * e;
                ae += e.abs();
                scored += 1;
            }
            (se, ae, scored, unknown)
        })
        .collect();

    let (mut se, mut ae, mut scored, mut unknown_movie) = (0.0, 0.0, 0, 0);
    for (s, a, c, u) in per_user {
        se += s;
        ae += a;
        scored += c;
        unknown_movie += u;
    }
    // Ratings of single-rating users sit in history with nothing to predict: count them as skipped too.
    let too_few_ratings: u64 = history
        .iter()
        .filter(|h| target.binary_search_by_key(&h[0].0, |t| t[0].0).is_err())
        .map(|h| h.len() as u64)
        .sum();
    Ok(FoldInEvaluation {
        rating: without_error_for_implicit(
            model,
            finish_rating(se, ae, scored, known_user_ratings + too_few_ratings, unknown_movie),
        ),
        history_fraction,
        users: target.len() as u64,
        users_known: known_users.len() as u64,
        users_too_few: users_too_few as u64,
    })
}

/// Ratings grouped by user, groups sorted by user id.
fn by_user(triples: &RatingTriples) -> Vec<Vec<(u32, u32, f32)>> {
    let mut rows: Vec<(u32, u32, f32)> = (0..triples.len())
        .map(|j| (triples.users[j], triples.movies[j], triples.ratings[j]))
        .collect();
    rows.sort_unstable_by_key(|&(u, m, _)| (u, m));
    rows.chunk_by(|a, b| a.0 == b.0).map(<[_]>::to_vec).collect()
}
