//! The one training loop. Every trainer (explicit ALS, implicit ALS, Gibbs sampling) implements [`Trainer`] and is
//! run by [`run`]: the progress callback and cancel after every step, the validation RMSE on held-out ratings, and
//! early stopping.

use crate::dataset::RatingTriples;
use crate::interactions::Interactions;
use crate::model::{AlsModel, IterationStats};
use crate::{CoreError, Result};

/// A model being trained one step (iteration or sweep) at a time; [`Trainer::model`] is a complete, usable model
/// after every step.
pub trait Trainer {
    /// Steps a whole run takes (iterations; for Gibbs, the sweeps after the initial ALS iterations).
    fn steps(&self) -> usize;

    /// One step; its statistics, also recorded in the model's history.
    fn step(&mut self) -> IterationStats;

    /// The model as it stands (for Gibbs, the current sample).
    fn model(&self) -> &AlsModel;

    /// The estimates whose RMSE is the validation RMSE of `pairs` (user, movie indices): the model's predictions,
    /// clipped to the rating scale.
    fn estimates(&self, pairs: &[(u32, u32)]) -> Vec<f32> {
        let m = self.model();
        pairs.iter().map(|&(u, i)| m.predict(u as usize, i as usize)).collect()
    }

    /// The model's history (one entry per step), where the loop records the validation RMSE.
    fn history_mut(&mut self) -> &mut Vec<IterationStats>;

    /// The model a finished run stores.
    fn into_model(self) -> AlsModel;
}

/// Held-out ratings whose user and movie the training part knows, as training indices.
#[derive(Clone, Debug, Default)]
pub struct Holdout {
    pub pairs: Vec<(u32, u32)>,
    pub ratings: Vec<f32>,
}

impl Holdout {
    /// The ratings of `held_out` that `x` can predict.
    pub fn of(x: &Interactions, held_out: &RatingTriples) -> Self {
        let (pairs, ratings) = x.known_pairs(held_out);
        Self { pairs, ratings }
    }

    /// RMSE of `predicted` (one per pair, in order); None when no pair is known.
    fn rmse(&self, predicted: &[f32]) -> Option<f64> {
        if self.ratings.is_empty() {
            return None;
        }
        let sse: f64 = predicted
            .iter()
            .zip(&self.ratings)
            .map(|(&p, &r)| (p as f64 - r as f64).powi(2))
            .sum();
        Some((sse / self.ratings.len() as f64).sqrt())
    }
}

/// Runs `trainer` to the end: after every step, the validation RMSE on `holdout` (when given) and `on_iteration`,
/// whose false cancels (`CoreError::Cancelled`). With `earlyStopping` (ALS), training stops after that many steps
/// without a better validation RMSE, and the model returned is the best iterate (its history still lists every
/// step run).
pub fn run<T: Trainer>(
    mut trainer: T,
    holdout: Option<&Holdout>,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    let early_stopping = trainer.model().params.early_stopping;
    let mut best: Option<(f64, AlsModel)> = None;
    let mut since_best = 0;
    for _ in 0..trainer.steps() {
        let mut stats = trainer.step();
        if let Some(h) = holdout {
            stats.validation_rmse = h.rmse(&trainer.estimates(&h.pairs));
            if let Some(last) = trainer.history_mut().last_mut() {
                last.validation_rmse = stats.validation_rmse;
            }
        }
        if !on_iteration(&stats) {
            return Err(CoreError::Cancelled);
        }
        if let (true, Some(v)) = (early_stopping > 0, stats.validation_rmse) {
            if best.as_ref().is_none_or(|(b, _)| v < *b) {
                best = Some((v, trainer.model().clone()));
                since_best = 0;
            } else {
                since_best += 1;
                if since_best >= early_stopping {
                    break;
                }
            }
        }
    }
    Ok(match best {
        Some((_, mut model)) => {
            model.history = trainer.model().history.clone();
            model
        }
        None => trainer.into_model(),
    })
}
