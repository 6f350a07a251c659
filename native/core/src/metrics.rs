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
//!   (`Recommender::known_user_list`: chosen by the ranking model when there is one, else by the estimate with the
//!   popularity term; ordered by estimate).
//! - Fold-in accuracy for users the model has never seen ([`evaluate_fold_in`]), and the quality of their lists
//!   ([`evaluate_new_users`]: precision, recall, NDCG, MAP, coverage, novelty, diversity beside popularity).
//!
//! All sums are formed per user and then added in user order, so results do not depend on the thread count.

use rayon::prelude::*;

use crate::dataset::split::split_per_user;
use crate::dataset::RatingTriples;
use crate::linalg::isa::PORTABLE;
use crate::linalg::lanes::dot;
use crate::model::{AlsModel, Feedback};
use crate::recommend::Recommender;
use crate::Result;

mod given_counts;
mod new_users;
mod pairs;
mod ranking;
mod report;

pub use given_counts::{evaluate_given_counts, GivenCountEvaluation, GivenCountRmse};
use new_users::by_user;
pub use new_users::{
    evaluate_new_user_lists, evaluate_new_users, new_user_halves, NewUserEvaluation, NewUserHalves, GIVEN_FRACTION,
};
use pairs::{check_k, finish_rating, KnownPairs};
use ranking::ranking;
pub use ranking::{evaluate_lists, list_scores, ListScores};
pub use report::{
    Evaluation, FoldInEvaluation, PopularityMethod, RankingMetrics, RatingMetrics, ScoredMethod, RELEVANT_RATING,
};

/// RMSE/MAE of the model and of the bias-only baseline, and top-`k` ranking metrics of model, bias-only and
/// popularity. `k` must be in `1..=MAX_LIST_LENGTH`.
pub fn evaluate(recommender: &Recommender, test: &RatingTriples, k: usize) -> Result<Evaluation> {
    check_k(k)?;
    let model = recommender.model();
    let pairs = KnownPairs::of(model, test);
    let b = &model.baseline;
    let model_rating = without_error_for_implicit(model, pairs.rating_metrics(|u, i| model.predict(u, i)));
    let baseline_rating =
        pairs.rating_metrics(|u, i| model.scale.clip(b.global_mean + b.user_bias[u] + b.item_bias[i]));
    let [m, bo, pop] = ranking(recommender, &pairs, k);
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

/// An implicit model's scores are preferences (about 0..1), not ratings: its RMSE and MAE mean nothing, so they are
/// NaN (JSON `null`); counts stay.
fn without_error_for_implicit(model: &AlsModel, mut rating: RatingMetrics) -> RatingMetrics {
    if model.params.feedback == Feedback::Implicit {
        rating.rmse = f64::NAN;
        rating.mae = f64::NAN;
    }
    rating
}

/// Fold-in accuracy for users the model has never seen: each such user's ratings are split by
/// `dataset::split::split_per_user` (about `history_fraction` of them as history, seeded per user id), the history is
/// folded in, and the rest are predicted. Users the model knows, and users with a single rating (nothing left to
/// predict), are skipped and counted; their ratings count in `rating.unknown_user`.
pub fn evaluate_fold_in(
    recommender: &Recommender,
    heldout: &RatingTriples,
    history_fraction: f64,
    seed: u64,
) -> Result<FoldInEvaluation> {
    let model = recommender.model();
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
            let v = recommender.fold_in(&indices, &values);
            let (mut se, mut ae, mut scored, mut unknown) = (0.0, 0.0, 0, 0);
            for &(_, m, r) in rows.iter() {
                let Some(i) = model.items.index_of(m) else {
                    unknown += 1;
                    continue;
                };
                let i = i as usize;
                let raw = model.global_mean
                    + v.bias
                    + model.item_bias[i]
                    + dot::<PORTABLE>(&v.factors, model.item_factors.row(i));
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
