//! New users who have rated only a few movies (a person on the web page starts with two or three): for each user of a
//! held-out file the model never saw, a seeded shuffle of their ratings; the first `g` are folded in, for each `g` of
//! the counts asked for, and every rating after the largest `g` is predicted, so each count is scored on the same
//! target ratings. Beside the model: the bias-only estimate of the same user (the baseline's movie biases and the
//! user's shrunk mean residual over the same `g` ratings).

use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;

use super::new_users::by_user;
use crate::dataset::RatingTriples;
use crate::linalg::isa::PORTABLE;
use crate::linalg::lanes::dot;
use crate::recommend::Recommender;
use crate::rng::seeded;
use crate::{CoreError, Result};

/// The RMSE of new users' target ratings when `given` of their ratings are known.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GivenCountRmse {
    pub given: usize,
    pub model_rmse: f64,
    pub bias_only_rmse: f64,
}

/// The evaluation of [`evaluate_given_counts`]: one row per count, on `users` users and `targets` target ratings.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GivenCountEvaluation {
    pub rows: Vec<GivenCountRmse>,
    pub users: usize,
    pub targets: usize,
    /// Users the model knows, or with no more ratings than the largest count (nothing left to predict).
    pub users_skipped: usize,
}

/// Scores `recommender` on the users of `heldout` it does not know, folding in each of `counts` of their ratings
/// (see the module doc; seeded by `seed`). Errors: no count, or a count of 0.
pub fn evaluate_given_counts(
    recommender: &Recommender,
    heldout: &RatingTriples,
    counts: &[usize],
    seed: u64,
) -> Result<GivenCountEvaluation> {
    let Some(&largest) = counts.iter().max() else {
        return Err(CoreError::invalid("counts", "no count of given ratings"));
    };
    if counts.contains(&0) {
        return Err(CoreError::invalid(
            "counts",
            "a count of given ratings must be at least 1",
        ));
    }
    let model = recommender.model();
    let users = by_user(heldout);
    // Per user: (index, rating) of the movies the model knows, shuffled; None when skipped.
    let shuffled: Vec<Option<Vec<(u32, f32)>>> = users
        .par_iter()
        .map(|rows| {
            let user = rows[0].0;
            if model.users.index_of(user).is_some() {
                return None;
            }
            let mut known: Vec<(u32, f32)> = rows
                .iter()
                .filter_map(|&(_, m, r)| model.items.index_of(m).map(|i| (i, r)))
                .collect();
            known.shuffle(&mut seeded(seed, user as u64 + 1));
            (known.len() > largest).then_some(known)
        })
        .collect();
    let kept: Vec<&Vec<(u32, f32)>> = shuffled.iter().flatten().collect();
    let targets: usize = kept.iter().map(|k| k.len() - largest).sum();
    let baseline = &model.baseline;
    let rows = counts
        .iter()
        .map(|&g| {
            let (model_se, bias_se) = kept
                .par_iter()
                .map(|ratings| {
                    let mut given = ratings[..g].to_vec();
                    given.sort_unstable_by_key(|p| p.0);
                    let (indices, values): (Vec<u32>, Vec<f32>) = given.into_iter().unzip();
                    let v = recommender.fold_in(&indices, &values);
                    let user_bias = baseline.new_user_bias(&indices, &values);
                    let (mut model_se, mut bias_se) = (0.0f64, 0.0f64);
                    for &(i, r) in &ratings[largest..] {
                        let i = i as usize;
                        let raw = model.global_mean
                            + v.bias
                            + model.item_bias[i]
                            + dot::<PORTABLE>(&v.factors, model.item_factors.row(i));
                        let bias_only = baseline.global_mean + baseline.item_bias[i] + user_bias;
                        model_se += ((model.shown(raw) - r) as f64).powi(2);
                        bias_se += ((model.scale.clip(bias_only) - r) as f64).powi(2);
                    }
                    (model_se, bias_se)
                })
                .reduce(|| (0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
            let n = targets.max(1) as f64;
            GivenCountRmse {
                given: g,
                model_rmse: (model_se / n).sqrt(),
                bias_only_rmse: (bias_se / n).sqrt(),
            }
        })
        .collect();
    Ok(GivenCountEvaluation {
        rows,
        users: kept.len(),
        targets,
        users_skipped: users.len() - kept.len(),
    })
}
