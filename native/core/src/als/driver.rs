//! Training from rating triples, whatever the method: the optional validation holdout (a seeded random
//! `validation_fraction` of the ratings, never trained on), its RMSE after every iteration or sweep, and early
//! stopping of ALS on it.

use std::borrow::Cow;

use super::bayes::{GibbsParams, GibbsTrainer};
use super::explicit::ExplicitTrainer;
use crate::dataset::split::split_random;
use crate::dataset::{RatingScale, RatingTriples};
use crate::interactions::Interactions;
use crate::model::{AlsModel, AlsParams, Feedback, IterationStats, Method};
use crate::{CoreError, Result};

/// Held-out ratings whose user and movie the training part knows, as training indices.
pub(crate) struct Holdout {
    pub pairs: Vec<(u32, u32)>,
    pub ratings: Vec<f32>,
}

impl Holdout {
    fn of(x: &Interactions, held_out: &RatingTriples) -> Self {
        let (pairs, ratings) = x.known_pairs(held_out);
        Self { pairs, ratings }
    }

    /// RMSE of `predicted` (one per pair, in order); None when no pair is known.
    fn rmse(&self, predicted: impl Iterator<Item = f32>) -> Option<f64> {
        if self.ratings.is_empty() {
            return None;
        }
        let sse: f64 = predicted
            .zip(&self.ratings)
            .map(|(p, &r)| (p as f64 - r as f64).powi(2))
            .sum();
        Some((sse / self.ratings.len() as f64).sqrt())
    }
}

/// Trains the model `params` asks for on `triples`, holding out `params.validation_fraction` of them (seeded by
/// `params.seed`) when it is above 0: every reported [`IterationStats`] then carries the validation RMSE.
/// `on_iteration` returning false cancels training (`CoreError::Cancelled`).
pub fn train_ratings(
    triples: &RatingTriples,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    let (train, held_out) = if params.validation_fraction > 0.0 {
        let (train, held_out) = split_random(triples, params.validation_fraction as f64, params.seed)?;
        (Cow::Owned(train), Some(held_out))
    } else {
        (Cow::Borrowed(triples), None)
    };
    let x = Interactions::from_triples(&train)?;
    let holdout = held_out.map(|h| Holdout::of(&x, &h));
    match (params.feedback, params.method) {
        (Feedback::Implicit, _) => super::train_implicit(&x, scale, params, on_iteration),
        (Feedback::Explicit, Method::Als) => train_als(&x, scale, params, holdout.as_ref(), on_iteration),
        (Feedback::Explicit, Method::Gibbs) => train_gibbs_with(&x, scale, params, holdout, on_iteration),
    }
}

/// ALS, with the validation RMSE after every iteration and early stopping when asked: the model returned is then
/// the iterate with the best validation RMSE (its history still lists every iteration run).
pub(crate) fn train_als(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    holdout: Option<&Holdout>,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    let mut trainer = ExplicitTrainer::new(x, scale, params)?;
    let mut best: Option<(f64, AlsModel)> = None;
    let mut since_best = 0;
    for _ in 0..params.iterations {
        let mut stats = trainer.step();
        if let Some(h) = holdout {
            let m = trainer.model();
            stats.validation_rmse = h.rmse(h.pairs.iter().map(|&(u, i)| m.predict(u as usize, i as usize)));
            trainer.set_last_validation(stats.validation_rmse);
        }
        if !on_iteration(&stats) {
            return Err(CoreError::Cancelled);
        }
        if params.early_stopping > 0 {
            if let Some(v) = stats.validation_rmse {
                if best.as_ref().is_none_or(|(b, _)| v < *b) {
                    best = Some((v, trainer.model().clone()));
                    since_best = 0;
                } else {
                    since_best += 1;
                    if since_best >= params.early_stopping {
                        break;
                    }
                }
            }
        }
    }
    let history = trainer.model().history.clone();
    Ok(match best {
        Some((_, mut model)) => {
            model.history = history;
            model
        }
        None => trainer.into_model(),
    })
}

/// Gibbs sampling; the validation RMSE is that of the predictions averaged over the samples so far (the current
/// sample's during burn-in).
pub(crate) fn train_gibbs_with(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    holdout: Option<Holdout>,
    on_sweep: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    let (probe, ratings) = holdout.map_or((Vec::new(), Vec::new()), |h| (h.pairs, h.ratings));
    let with_holdout = !probe.is_empty();
    let holdout = Holdout {
        pairs: Vec::new(),
        ratings,
    };
    let mut trainer = GibbsTrainer::new(x, scale, params, GibbsParams::of(params), probe)?;
    for _ in 0..trainer.sweeps() {
        let mut stats = trainer.step();
        if with_holdout {
            stats.validation_rmse = holdout.rmse(trainer.probe_predictions().into_iter());
            trainer.set_last_validation(stats.validation_rmse);
        }
        if !on_sweep(&stats) {
            return Err(CoreError::Cancelled);
        }
    }
    Ok(trainer.into_model())
}
