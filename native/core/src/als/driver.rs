//! Training, whatever the method: the one dispatch on feedback and method, on all of an interaction matrix
//! ([`train`]) or on rating triples with the optional validation holdout ([`train_ratings`], [`train_models`]: a
//! seeded random `validation_fraction` of the ratings, never trained on, whose RMSE is reported after every iteration
//! or sweep and drives ALS early stopping). Then, when the parameters ask for one (`ranking`), the ranking model on
//! the same training ratings ([`Phase::Ranking`]).

use std::borrow::Cow;
use std::time::Instant;

use serde::Serialize;

use super::bayes::{GibbsParams, GibbsTrainer};
use super::explicit::ExplicitTrainer;
use super::implicit::ImplicitTrainer;
use super::side::SideInfo;
use super::trainer::{run, Holdout};
use crate::dataset::split::split_random;
use crate::dataset::{Catalogue, RatingScale, RatingTriples};
use crate::interactions::Interactions;
use crate::model::{AlsModel, AlsParams, Feedback, IterationStats, Method, RankingModel};
use crate::Result;

/// Which of the two models a training step belongs to: the rating model (or the one implicit model), then the
/// ranking model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Rating,
    Ranking,
}

/// Trains the model `params` asks for on all of `x` (no holdout), and its ranking model when it asks for one.
/// `on_iteration` runs after every iteration or sweep of either; returning false cancels training
/// (`CoreError::Cancelled`). Every trainer validates `params` once as it starts ([`AlsParams::validate`]).
pub fn train(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    train_with(x, SideInfo::default(), scale, params, on_iteration)
}

/// [`train`] with the side information of `x`'s movies and users.
pub fn train_with(
    x: &Interactions,
    side: SideInfo,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    fit_both(x, side, scale, params, None, &mut |_, stats| on_iteration(stats))
}

/// Trains the model `params` asks for on `triples` and the `catalogue` of their movies file (when there is one),
/// holding out `params.validation_fraction` of the ratings (seeded by `params.seed`) when it is above 0: every
/// reported [`IterationStats`] then carries the validation RMSE. A Gibbs-sampled model also knows the catalogue's
/// movies without ratings (cold movies, placed by their features; `recommend/cold.rs`). `on_iteration` returning false cancels training
/// (`CoreError::Cancelled`).
pub fn train_ratings(
    triples: &RatingTriples,
    catalogue: Option<&Catalogue>,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    train_models(triples, catalogue, scale, params, &mut |_, stats| on_iteration(stats))
}

/// [`train_ratings`], each step reported with the model it belongs to.
pub fn train_models(
    triples: &RatingTriples,
    catalogue: Option<&Catalogue>,
    scale: RatingScale,
    params: &AlsParams,
    on_step: &mut dyn FnMut(Phase, &IterationStats) -> bool,
) -> Result<AlsModel> {
    let (train, held_out) = if params.validation_fraction > 0.0 {
        let (train, held_out) = split_random(triples, params.validation_fraction as f64, params.seed)?;
        (Cow::Owned(train), Some(held_out))
    } else {
        (Cow::Borrowed(triples), None)
    };
    // The sampler places the catalogue's movies without ratings by their features; the other trainers cannot.
    let cold_movies = match (catalogue, params.feedback, params.method) {
        (Some(c), Feedback::Explicit, Method::Gibbs) => c.ids.as_slice(),
        _ => &[],
    };
    let x = Interactions::from_triples_and_movies(&train, cold_movies)?;
    let side = SideInfo::of(&x, catalogue, None);
    let holdout = held_out.map(|h| Holdout::of(&x, &h));
    fit_both(&x, side, scale, params, holdout.as_ref(), on_step)
}

/// The model `params` asks for, then its ranking model (none for `ranking: none` and for implicit feedback).
fn fit_both(
    x: &Interactions,
    side: SideInfo,
    scale: RatingScale,
    params: &AlsParams,
    holdout: Option<&Holdout>,
    on_step: &mut dyn FnMut(Phase, &IterationStats) -> bool,
) -> Result<AlsModel> {
    let mut model = fit(x, side, scale, params, holdout, &mut |stats| {
        on_step(Phase::Rating, stats)
    })?;
    if let Some(ranking_params) = params.ranking_params() {
        let started = Instant::now();
        let trainer = ImplicitTrainer::for_ranking(x, scale, &ranking_params)?;
        let ranking = run(trainer, None, &mut |stats| on_step(Phase::Ranking, stats))?;
        model.ranking = Some(RankingModel {
            params: ranking.params,
            item_factors: ranking.item_factors,
            user_factors: Some(ranking.user_factors),
            history: ranking.history,
            training_seconds: started.elapsed().as_secs_f64(),
        });
    }
    Ok(model)
}

/// The trainer `params` asks for, run by the one loop. Gibbs sampling averages its predictions of the holdout
/// pairs over the samples, so it is given them up front.
fn fit(
    x: &Interactions,
    side: SideInfo,
    scale: RatingScale,
    params: &AlsParams,
    holdout: Option<&Holdout>,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    match (params.feedback, params.method) {
        (Feedback::Implicit, _) => run(ImplicitTrainer::new(x, scale, params)?, holdout, on_iteration),
        (Feedback::Explicit, Method::Als) => run(ExplicitTrainer::new(x, scale, params)?, holdout, on_iteration),
        (Feedback::Explicit, Method::Gibbs) => {
            let probe = holdout.map_or_else(Vec::new, |h| h.pairs.clone());
            let trainer = GibbsTrainer::new(x, scale, params, GibbsParams::of(params), side, probe)?;
            run(trainer, holdout, on_iteration)
        }
    }
}
